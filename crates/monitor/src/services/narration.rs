//! The LLM layer in the monitor: the one place that turns what the engine
//! found into `ci_llm` facts, asks the model through `ci_llm::Narrator`, and
//! keeps the narrator's memory (daily token budget, fingerprint cache) in
//! the bot's own state. Actions call this; none of them talks to a model.
//!
//! Without an LLM configured nothing here is called and every report is the
//! deterministic one; with one, any failure (timeout, HTTP error, unusable
//! answer, budget spent) leaves the deterministic report as it is, labelled.

use std::time::Duration;

use chrono::NaiveDate;
use ci_github::{GitHub, Issue};
use ci_llm::budget::Budget;
use ci_llm::cache::LlmMemory;
use ci_llm::facts::{ClusterFact, HistoryFact, JobFacts, PickFacts, PrFacts, RelatedFact, SuspectRange};
use ci_llm::pick::ModelPick;
use ci_llm::tokens::{Price, Tally};
use ci_llm::{render, Deterministic, Llm, Narrator, ProviderChoice, ProviderInfo, Resolved, Scrubber, Templates, Told};
use ci_model::Job;
use ci_report::{ClusterFacts, JobReport, ModelPickedLine};
use ci_triage::{Analysis, RuleSet};

use crate::ctx::Ctx;
use crate::domain::history::HistoryFacts;
use crate::services::daily_issues::{ensure_daily_issue, list_daily_issues, DailyIssues};

/// Grace over the provider's own deadline before the narrator gives up on a
/// call (the provider's timeout should fire first).
const DEADLINE_GRACE: Duration = Duration::from_secs(5);

/// The model the actions may ask, and what goes with it. The default is no
/// model: the deterministic bot.
pub struct LlmSetup {
    llm: Option<Box<dyn Llm>>,
    templates: Templates,
    scrubber: Scrubber,
    daily_token_budget: u64,
    price: Option<Price>,
    deadline: Duration,
}

impl Default for LlmSetup {
    fn default() -> Self {
        LlmSetup {
            llm: None,
            templates: Templates::builtin(),
            scrubber: Scrubber::default(),
            daily_token_budget: 0,
            price: None,
            deadline: Duration::from_secs(60),
        }
    }
}

impl LlmSetup {
    /// A setup around `llm` (chosen from `resolved`, e.g. by
    /// `ci_sandbox::choose`), with `templates` and the resolved budget,
    /// prices and secrets.
    pub fn new(llm: Option<Box<dyn Llm>>, resolved: &Resolved, templates: Templates) -> Self {
        let own = match (resolved.choice, &resolved.api) {
            (ProviderChoice::Agent, _) => Duration::from_secs(resolved.agent.timeout_secs.max(1)),
            (_, Some(api)) => api.timeout,
            (_, None) => Duration::from_secs(60),
        };
        LlmSetup {
            llm,
            templates,
            scrubber: Scrubber::for_run(resolved.secrets.iter().cloned()),
            daily_token_budget: resolved.daily_token_budget,
            price: resolved.price,
            deadline: own + DEADLINE_GRACE,
        }
    }

    /// Scrub prompts and answers with the run's redactor too, as it is at
    /// each call: it learns masks from the logs it reads
    /// ([`Scrubber::following`]).
    pub fn with_live_redactor(mut self, run: std::sync::Arc<std::sync::RwLock<ci_redact::Redactor>>) -> Self {
        self.scrubber = self.scrubber.following(run);
        self
    }

    /// Is a model configured?
    pub fn configured(&self) -> bool {
        self.llm.is_some()
    }

    /// The provider, for footers.
    pub fn provider(&self) -> Option<ProviderInfo> {
        self.llm.as_ref().map(|l| l.info())
    }

    /// How the report says its analyses were made.
    pub fn method(&self) -> &'static str {
        if self.configured() { "ci-triage + checked LLM narratives" } else { "ci-triage (deterministic)" }
    }
}

/// One report's use of the model: the memory it restored from the bot's
/// state (stored back by the caller) and what it spent.
pub struct Session<'a> {
    setup: &'a LlmSetup,
    today: NaiveDate,
    /// Budget and cache, to be stored back in the bot's state.
    pub memory: LlmMemory,
    /// What this report's calls cost (the footer).
    pub tally: Tally,
}

impl<'a> Session<'a> {
    /// A session over `stored` memory (none, unreadable or of another
    /// version: a fresh one). `others_used` is what the repository's other
    /// reports already spent today: the daily budget is the repository's.
    pub fn start(setup: &'a LlmSetup, stored: Option<LlmMemory>, others_used: u64, today: NaiveDate) -> Self {
        let limit = setup.daily_token_budget.saturating_sub(others_used);
        let memory = match stored.filter(|m| m.v == ci_llm::cache::MEMORY_VERSION) {
            Some(mut m) => {
                m.budget.limit = limit;
                m
            }
            None => LlmMemory::new(limit, today),
        };
        Session { setup, today, memory, tally: Tally::default() }
    }

    fn narrator(&mut self) -> Narrator<'_> {
        let s = self.setup;
        Narrator::new(s.llm.as_deref(), &s.templates, &s.scrubber, &mut self.memory, self.today)
            .with_price(s.price)
            .with_deadline(s.deadline)
    }

    /// Describe one failed job; `log` is what its quotes are checked against.
    pub async fn job(&mut self, facts: &JobFacts, log: &[u8]) -> Result<Told, Deterministic> {
        let mut n = self.narrator();
        let r = n.job(facts, log).await;
        let t = std::mem::take(&mut n.tally);
        self.tally.merge(&t);
        r
    }

    /// The model's pick of the line to read first.
    pub async fn pick(&mut self, facts: &PickFacts, log: &[u8]) -> Result<ModelPick, Deterministic> {
        let mut n = self.narrator();
        let r = n.pick(facts, log).await;
        let t = std::mem::take(&mut n.tally);
        self.tally.merge(&t);
        r
    }

    /// A cross-job or daily summary.
    pub async fn summary(&mut self, task: ci_llm::Task, facts: &ci_llm::facts::SummaryFacts) -> Result<Told, Deterministic> {
        let mut n = self.narrator();
        let r = n.summary(task, facts).await;
        let t = std::mem::take(&mut n.tally);
        self.tally.merge(&t);
        r
    }

    /// A pull request's CI status explained (`Task::CiStatus`) or its diff
    /// read (`Task::PrReview`).
    pub async fn pull_request(&mut self, task: ci_llm::Task, facts: &PrFacts) -> Result<Told, Deterministic> {
        let mut n = self.narrator();
        let r = match task {
            ci_llm::Task::PrReview => n.pr_review(facts).await,
            _ => n.ci_status(facts).await,
        };
        let t = std::mem::take(&mut n.tally);
        self.tally.merge(&t);
        r
    }

    /// The footer line of this report, or `None` without a model (the
    /// report then says "deterministic" on its own).
    pub fn footer(&self) -> Option<String> {
        self.setup.configured().then(|| self.tally.footer(self.setup.provider().as_ref()))
    }

    /// The narrative (or why there is none) as Markdown, marked as the
    /// model's; `None` without a model, so the output stays unchanged.
    pub fn markdown(&self, result: &Result<Told, Deterministic>, line_url: &dyn Fn(u32) -> Option<String>) -> Option<String> {
        match result {
            Ok(told) => Some(render::narrative(told, self.setup.provider().as_ref(), line_url)),
            Err(Deterministic::NoLlm) => None,
            Err(why) => Some(render::deterministic(why)),
        }
    }

    /// The memory line a report keeps in its own body (the daily summary
    /// block, a PR's ci-status comment): at most `cached` answers, and no
    /// hit counts, which would change the body on every run; an unchanged
    /// report must write nothing (pruning goes by the day last used).
    pub fn memory_line_for_body(&mut self, cached: usize, chars: usize) -> String {
        self.memory.cache.prune(cached, chars);
        for e in self.memory.cache.entries.values_mut() {
            e.hits = 0;
        }
        ci_report::llm_memory::memory_line(&self.memory)
    }

    /// A command's session (ci-status, pr-review, analyze-url): its comment
    /// or issue keeps answers only. Today's spend is `others_used`, read
    /// from the daily issue ([`CommandSpend`]), so the stored line's own
    /// counters are not counted again.
    fn for_command(setup: &'a LlmSetup, stored: Option<LlmMemory>, others_used: u64, today: NaiveDate) -> Self {
        let answers_only = stored.map(|mut m| {
            m.budget = Budget::new(0, today);
            m
        });
        Self::start(setup, answers_only, others_used, today)
    }

    /// What this session's calls spent (a command records it with
    /// [`CommandSpend::record`]).
    fn spent(&self) -> Budget {
        let mut b = Budget::new(0, self.today);
        b.used_in = self.tally.input_tokens;
        b.used_out = self.tally.output_tokens;
        b
    }

    /// A command's memory line: answers only, no counters, so an unchanged
    /// comment stays unchanged and nothing is counted twice.
    fn answers_line(&mut self, cached: usize, chars: usize) -> String {
        self.memory.budget = Budget::new(0, self.today);
        self.memory_line_for_body(cached, chars)
    }
}

/// What the monitor knows about one new failed job beyond its log.
pub struct JobContext<'a> {
    /// `owner/name` of the monitored repository.
    pub repo: &'a str,
    /// Workflow file.
    pub workflow: &'a str,
    /// The job's report (identity: its cause ids).
    pub report: &'a JobReport,
    /// The engine's analysis of its log (already redacted).
    pub analysis: &'a Analysis,
    /// Its history on the workflow's recent runs.
    pub history: Option<&'a HistoryFacts>,
    /// Cluster facts of its causes, by cause id.
    pub clusters: Vec<(&'a str, &'a ClusterFacts)>,
    /// Jobs of this workflow's report that share a cause with it.
    pub jobs_in_cluster: u32,
}

/// The engine's facts for the job-failure prompt. History, cluster and
/// suspect range are filled when the monitor has them; the related PR and
/// issue search is not done by the monitor, and the prompt says so.
pub fn job_facts(c: &JobContext<'_>) -> JobFacts {
    let a = c.analysis;
    let mut fingerprints: Vec<String> = c.report.fingerprints().into_iter().collect();
    if fingerprints.is_empty() {
        fingerprints.extend(c.report.fingerprint.clone());
    }
    let history = c.history.filter(|h| h.considered > 0).map(|h| HistoryFact {
        red: h.red as u32,
        runs: h.considered as u32,
        // The cluster's sentence already names the last green commit.
        last_green_sha: h.last_green.as_ref().map(|o| short(&o.head_sha)).filter(|_| c.clusters.is_empty()),
        summary: c.clusters.first().map(|(_, f)| f.sentence().replace('`', "")),
    });
    let suspects = c.history.and_then(|h| h.suspected_range()).map(|(good, bad)| SuspectRange {
        from: short(good),
        to: short(bad),
        // The monitor does not list the commits in between (no compare
        // call per job); the prompt says "commits not listed".
        commits: Vec::new(),
        total: 0,
    });
    JobFacts {
        repo: c.repo.to_string(),
        workflow: c.workflow.to_string(),
        job: c.report.name.clone(),
        head_sha: c.report.head_sha.as_deref().map(short),
        failing_step: a.failing_step.clone().or_else(|| c.report.failed_steps.first().cloned()),
        // Identity is the report's (cause ids), not the triage fingerprints.
        fingerprints,
        cluster: c.clusters.first().map(|(id, _)| ClusterFact {
            id: id.chars().take(12).collect(),
            jobs: c.jobs_in_cluster.max(1),
            workflows: 1,
            first_seen: None,
        }),
        history,
        suspects,
        // The monitor makes no PR/issue search: the prompt says "not searched".
        related: Vec::<RelatedFact>::new(),
        related_searched: false,
        ..ci_llm::engine::job_facts(a)
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(8).collect()
}

/// The candidates for "the line to read first" when the engine's best line
/// is generic (no rule named the reason), else `None`.
pub fn pick_facts(report: &JobReport, a: &Analysis, rules: &RuleSet) -> Option<PickFacts> {
    let mut fingerprints: Vec<String> = report.fingerprints().into_iter().collect();
    fingerprints.extend(report.fingerprint.clone());
    ci_llm::engine::pick_facts(&report.name, a, rules, fingerprints)
}

pub use ci_llm::engine::excerpt_log;

/// A log line's link on the job page, when the engine can place it.
pub fn line_url(job: &Job, report: &JobReport, a: &Analysis, line: u32) -> Option<String> {
    ci_report::job_report::log_anchor(job, a, line).map(|anchor| anchor.url(&report.job_page_url()))
}

/// One new failed job with what the engine found in its log.
pub struct NewJob<'a> {
    /// The job as GitHub lists it.
    pub job: &'a Job,
    /// The engine's analysis of its log (redacted).
    pub analysis: &'a Analysis,
    /// Its history on the workflow's recent runs.
    pub history: Option<HistoryFacts>,
}

/// Ask for the narrative of each new job, and put it (or why there is none)
/// in that job's entry of `jobs` as its analysis, marked as the model's;
/// where the engine's best line is generic, also the model's pick of the
/// line to read first (shown first in the block).
/// Jobs sharing a fingerprint set cost one call: the rest come from the
/// cache, checked again against their own log.
pub async fn narrate_jobs(
    session: &mut Session<'_>,
    repo: &str,
    workflow: &str,
    new: &[NewJob<'_>],
    jobs: &mut [JobReport],
    clusters: &std::collections::BTreeMap<String, ClusterFacts>,
    rules: &RuleSet,
) {
    for n in new {
        let Some(idx) = jobs.iter().position(|j| j.job_id == n.job.id) else { continue };
        let report = jobs[idx].clone();
        let fps = report.fingerprints();
        let jobs_in_cluster = jobs.iter().filter(|j| !fps.is_empty() && !j.fingerprints().is_disjoint(&fps)).count() as u32;
        let facts = job_facts(&JobContext {
            repo,
            workflow,
            report: &report,
            analysis: n.analysis,
            history: n.history.as_ref(),
            clusters: fps.iter().filter_map(|fp| clusters.get_key_value(fp)).map(|(k, v)| (k.as_str(), v)).collect(),
            jobs_in_cluster,
        });
        let log = excerpt_log(n.analysis);
        let told = session.job(&facts, &log).await;
        let url = |line: u32| line_url(n.job, &report, n.analysis, line);
        jobs[idx].analysis = session.markdown(&told, &url);
        // Only where no rule named the reason: the model may pick the line
        // to read first among the engine's candidates (checked).
        if let Some(pick) = pick_facts(&report, n.analysis, rules) {
            if let Ok(p) = session.pick(&pick, &log).await {
                jobs[idx].model_pick = Some(ModelPickedLine {
                    line: p.line,
                    anchor: ci_report::job_report::log_anchor(n.job, n.analysis, p.line),
                    text: p.text,
                    why: p.why,
                });
            }
        }
    }
}

/// The memory this workflow's report starts from: its own budget (today's
/// comment first, else the newest earlier day's; `earlier` newest first),
/// and a cache that is the repository's: answers any workflow's report
/// stored (today's, then earlier days') serve this one too, so the same
/// fingerprint in two workflows costs one call. Its own entries win a tie.
/// The bodies are the bot's own comments only (`Ctx::list_comments` checks
/// the author), so nobody else can plant an answer.
pub fn stored_memory<'b>(
    workflow: &str,
    today: impl IntoIterator<Item = &'b str>,
    earlier: impl IntoIterator<Item = &'b str>,
    day: NaiveDate,
) -> Option<LlmMemory> {
    let today: Vec<&str> = today.into_iter().collect();
    let earlier: Vec<&str> = earlier.into_iter().collect();
    let mine = |b: &&&str| ci_report::workflow_comment::belongs_to_workflow(b, workflow);
    let readable = |b: &&str| ci_report::llm_memory::parse_memory::<LlmMemory>(b).filter(|m| m.v == ci_llm::cache::MEMORY_VERSION);
    let mut own = today
        .iter()
        .filter(mine)
        .find_map(readable)
        .or_else(|| earlier.iter().filter(mine).find_map(readable));
    for other in today.iter().chain(earlier.iter()).filter(|b| !mine(b)).filter_map(readable) {
        let m = own.get_or_insert_with(|| LlmMemory::new(0, day));
        for (key, entry) in other.cache.entries {
            m.cache.entries.entry(key).or_insert(entry);
        }
    }
    own
}

/// Tokens the other reports spent on `day`, from their memory lines in
/// today's bodies (the other workflows' comments, and the daily issue's for
/// its summary): the budget is the repository's, not each workflow's.
pub fn used_by_others<'b>(workflow: &str, today_bodies: impl IntoIterator<Item = &'b str>, day: NaiveDate) -> u64 {
    used_in(today_bodies.into_iter().filter(|b| !ci_report::workflow_comment::belongs_to_workflow(b, workflow)), day)
}

/// Most answers one memory line keeps.
const MAX_CACHED: usize = 200;

/// `parts` with the session's memory at the end of part 1, the cache pruned
/// (least recently used first) to the room there is.
pub fn store_memory(parts: Vec<String>, memory: &mut LlmMemory) -> Vec<String> {
    let room = ci_report::llm_memory::room(&parts);
    // The stored line escapes more than serde does: prune on a margin, then
    // check the line itself.
    let mut cap = room * 3 / 4;
    loop {
        memory.cache.prune(MAX_CACHED, cap);
        let line = ci_report::llm_memory::memory_line(memory);
        if ci_report::safe::char_len(&line) <= room || memory.cache.entries.is_empty() {
            return ci_report::llm_memory::with_memory(parts, &line);
        }
        cap /= 2;
    }
}

/// Tokens every report whose memory line is in `bodies` spent on `day`.
fn used_in<'b>(bodies: impl IntoIterator<Item = &'b str>, day: NaiveDate) -> u64 {
    bodies.into_iter().filter_map(ci_report::llm_memory::parse_memory::<LlmMemory>).map(|m| m.budget.used(day)).sum()
}

/// Clusters the daily-summary prompt shows at most (the TL;DR's count).
const SUMMARY_CLUSTERS: usize = ci_report::summary::TLDR_LINES;
/// Answers the daily summary's own memory line keeps, and its size: it
/// lives in the issue body beside the summary block.
const SUMMARY_CACHED: usize = 8;
const SUMMARY_MEMORY_CHARS: usize = 6_000;

/// The daily-summary prompt's facts: the summary the engine built (its
/// clusters in TL;DR order, "new" as the TL;DR says it, the workflows and
/// their red-job trend). Identity, counts and status are the engine's.
pub fn summary_facts(s: &ci_report::summary::DailySummary) -> ci_llm::facts::SummaryFacts {
    use ci_llm::facts::{ClusterSummary, SummaryFacts, WorkflowFact};
    use ci_report::summary::{summary_clusters, summary_state, tldr_order, TldrStatus};
    let state = summary_state(s);
    let clusters = summary_clusters(s);
    SummaryFacts {
        repo: s.repo.clone(),
        workflow: None,
        date: s.date.format("%Y-%m-%d").to_string(),
        workflows: s
            .workflows
            .iter()
            .map(|w| WorkflowFact {
                name: w.workflow.clone(),
                runs: w.runs_completed,
                failed_jobs: w.jobs.iter().map(|j| j.name.as_str()).collect::<std::collections::BTreeSet<_>>().len() as u32,
                trend: state.red_jobs.values().map(|d| d.get(&w.workflow).copied().unwrap_or(0)).collect(),
            })
            .collect(),
        clusters: tldr_order(s, &clusters)
            .into_iter()
            .take(SUMMARY_CLUSTERS)
            .map(|(c, status)| ClusterSummary {
                id: ci_report::cause::short_id(&c.fingerprint),
                headline: c.title.clone(),
                new: status == TldrStatus::New,
                jobs: c.job_count() as u32,
                workflows: c.workflows().into_iter().map(String::from).collect(),
                first_seen: None,
                tests: c.tests().into_iter().take(3).map(String::from).collect(),
            })
            .collect(),
    }
}

/// The daily summary's use of the model, kept over publish-summary's
/// rebuild rounds: its memory is the daily issue body's own line (budget and
/// the narratives by cluster set), and the budget left is the repository's
/// (what today's workflow reports spent is taken off).
pub fn summary_session<'a>(
    setup: &'a LlmSetup,
    issue_body: &str,
    today_comments: &[&str],
    day: NaiveDate,
) -> Option<Session<'a>> {
    if !setup.configured() {
        return None;
    }
    let stored = ci_report::llm_memory::parse_memory::<LlmMemory>(issue_body);
    Some(Session::start(setup, stored, used_in(today_comments.iter().copied(), day), day))
}

/// Put the model's narrative over the clusters into `s` (or the label
/// saying why there is none), its footer, and the memory line the block
/// keeps. The cache key is the set of cluster ids (with their "new"
/// status): while the clusters stay the same, the narrative comes from the
/// memory at no cost; a day with no cluster asks nothing. Quotes are
/// checked against the facts shown (the logs' key lines, as headlines).
pub async fn narrate_summary(session: &mut Session<'_>, s: &mut ci_report::summary::DailySummary) {
    let facts = summary_facts(s);
    s.llm.narrative = if facts.clusters.is_empty() {
        None
    } else {
        let told = session.summary(ci_llm::Task::DailySummary, &facts).await;
        session.markdown(&told, &|_| None)
    };
    s.llm.footer = session.footer();
    s.llm.memory_line = Some(session.memory_line_for_body(SUMMARY_CACHED, SUMMARY_MEMORY_CHARS));
}

/// The ci-status prompt's facts: each failed job with the line to read
/// first (or its first test) and the engine's verdict with its strongest
/// evidence. The verdicts are final; the model explains them.
pub fn ci_status_facts(r: &ci_report::pr_model::CiStatusReport, title: &str) -> PrFacts {
    use ci_llm::facts::PrFailure;
    PrFacts {
        repo: r.repo.clone(),
        number: r.pr,
        title: title.to_string(),
        failures: r
            .verdicts
            .iter()
            .map(|j| PrFailure {
                job: format!("{} / {}", j.job.workflow, j.job.name),
                what: j.failure.as_ref().map(|l| l.text.clone()).or_else(|| j.tests.first().cloned()).unwrap_or_default(),
                verdict: match j.evidence.first() {
                    Some(e) => format!("{}: {}", j.verdict.label(), plain(&ci_report::pr_status::evidence_sentence(r, e, false))),
                    None => j.verdict.label().to_string(),
                },
            })
            .collect(),
        ..Default::default()
    }
}

/// The comment's Markdown sentence as plain text for a prompt: links become
/// their text (the urls cost tokens and say nothing the model needs), code
/// spans lose their backticks.
fn plain(markdown: &str) -> String {
    static LINK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let link = LINK.get_or_init(|| regex::Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("valid regex"));
    link.replace_all(markdown, "$1").replace('`', "")
}

/// The pr-review prompt's facts: the pull request's title and description
/// (untrusted, fenced as data), the files in the checklist's scope and their
/// diff, at most the lines the prompt shows (quotes are checked against
/// exactly these).
pub fn review_facts(
    checklist: &ci_report::pr_model::Checklist,
    title: &str,
    body: &str,
    files: &[ci_report::pr_model::ChangedFile],
) -> PrFacts {
    use std::fmt::Write;
    let in_scope: std::collections::BTreeSet<&str> = checklist.areas.iter().flat_map(|a| a.files.iter().map(String::as_str)).collect();
    let files: Vec<&ci_report::pr_model::ChangedFile> = files.iter().filter(|f| in_scope.contains(f.path.as_str())).collect();
    let mut diff = String::new();
    let mut lines = 0;
    for f in &files {
        let Some(patch) = f.patch.as_deref() else { continue };
        if lines >= ci_llm::prompt::MAX_DIFF_LINES {
            break;
        }
        let _ = writeln!(diff, "diff --git a/{0} b/{0}", f.path);
        lines += 1;
        for l in patch.lines().take(ci_llm::prompt::MAX_DIFF_LINES.saturating_sub(lines)) {
            diff.push_str(l);
            diff.push('\n');
            lines += 1;
        }
    }
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    PrFacts {
        repo: checklist.repo.clone(),
        number: checklist.pr,
        title: title.to_string(),
        body: body.to_string(),
        files: files
            .iter()
            .map(|f| ci_llm::facts::ChangedFile { path: f.path.clone(), additions: count(f.additions), deletions: count(f.deletions) })
            .collect(),
        diff,
        focus: (!checklist.focus.is_empty()).then(|| checklist.focus.join(", ")),
        ..Default::default()
    }
}

/// Answers a pull-request comment's memory line keeps (its own failures
/// and verdicts, or its own diff: a few are enough).
const PR_CACHED: usize = 4;

/// Put the model's reading of a pull request into `part` (the ci-status
/// comment's explanation of the verdicts, or the pr-review comment's
/// reading of the diff), with the footer and the memory line the comment
/// keeps; returns what it spent (the caller records it with
/// [`CommandSpend::record`]). `previous` is the bot's own comment this one
/// replaces: its answers serve the same facts again at no cost.
/// `others_used` is what the repository spent today: the budget is the
/// repository's. Nothing to say (no failed job, no diff): no call. The
/// verdicts and the checklist stay the engine's.
pub async fn narrate_pull_request(
    setup: &LlmSetup,
    task: ci_llm::Task,
    facts: &PrFacts,
    part: &mut ci_report::llm_memory::LlmPart,
    previous: Option<&str>,
    others_used: u64,
    day: NaiveDate,
) -> Budget {
    if !setup.configured() {
        return Budget::new(0, day);
    }
    let stored = previous.and_then(ci_report::llm_memory::parse_memory::<LlmMemory>);
    let mut session = Session::for_command(setup, stored, others_used, day);
    if asks(task, facts) {
        let told = session.pull_request(task, facts).await;
        part.narrative = session.markdown(&told, &|_| None);
    }
    part.footer = session.footer();
    part.memory_line = Some(session.answers_line(PR_CACHED, SUMMARY_MEMORY_CHARS));
    session.spent()
}

/// Whether a pull request gives the model anything to read: a failed job
/// (ci-status) or a diff (pr-review). Otherwise no call is made, and the
/// command needs no budget read.
pub fn asks(task: ci_llm::Task, facts: &PrFacts) -> bool {
    match task {
        ci_llm::Task::PrReview => !facts.diff.trim().is_empty(),
        _ => !facts.failures.is_empty(),
    }
}

/// What the repository's model use cost today, as a command outside the
/// workflow reports (ci-status, pr-review, analyze-url) reads it: every
/// memory line on today's daily issue (the workflows' comments, the daily
/// summary in the body, and the spend comment these commands keep there).
/// [`CommandSpend::record`] adds a command's own spend to that comment, so
/// the next reader, a workflow report or a command, counts it.
pub struct CommandSpend {
    dailies: DailyIssues,
    issue: Option<Issue>,
    /// Today's bodies with memory lines (the daily issue's and its bot
    /// comments'): their answers serve a command's jobs too.
    bodies: Vec<String>,
    /// Tokens the repository used today, all readers together.
    pub used_today: u64,
}

impl CommandSpend {
    /// Read today's daily issue and its bot comments (two list calls).
    pub async fn read<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<Self> {
        let day = ctx.settings.date;
        let dailies = list_daily_issues(ctx, 0).await?;
        let Some(issue) = dailies.get(day).cloned() else {
            return Ok(CommandSpend { dailies, issue: None, bodies: Vec::new(), used_today: 0 });
        };
        let comments = ctx.github().list_comments(&ctx.settings.bot_repo, issue.number).await?;
        let bodies = comments.iter().map(|c| c.body.as_str()).chain(std::iter::once(issue.body.as_str()));
        let used_today = used_in(bodies, day);
        let bodies = comments.into_iter().map(|c| c.body).chain(std::iter::once(issue.body.clone())).collect();
        Ok(CommandSpend { dailies, issue: Some(issue), bodies, used_today })
    }

    /// Add `spent` to today's spend comment on the daily issue (the day's
    /// issue is created when there is none yet) as a receipt under an id
    /// drawn here: the comment is merged as it is at the write, and a
    /// receipt already there is not added twice, so commands recording at
    /// the same time all count. Nothing spent: nothing written.
    pub async fn record<G: GitHub + Clone + 'static>(mut self, ctx: &Ctx<G>, spent: &Budget) -> anyhow::Result<()> {
        let day = ctx.settings.date;
        if spent.used(day) == 0 {
            return Ok(());
        }
        let issue = match self.issue.take() {
            Some(i) => i,
            None => match ensure_daily_issue(ctx, &mut self.dailies).await? {
                Some(i) => i,
                None => return Ok(()),
            },
        };
        let id = format!("{:012x}", rand::random::<u64>() >> 16);
        let (tokens_in, tokens_out) = (spent.used_in, spent.used_out);
        let merge = |cur: Option<&str>| spend_comment_with(cur, day, &id, tokens_in, tokens_out);
        ctx.merge_comment(&ctx.settings.bot_repo, issue.number, &ci_report::markers::llm_spend_marker(), merge).await.map(drop)
    }
}

/// The spend comment `current` with receipt `id` added (see
/// [`CommandSpend::record`]). A comment of another day starts from zero; one
/// written before receipts keeps its running total as the base.
fn spend_comment_with(current: Option<&str>, day: NaiveDate, id: &str, tokens_in: u64, tokens_out: u64) -> String {
    use ci_report::llm_memory::{memory_line, parse_memory, parse_spend_receipts, spend_comment, SpendReceipts};
    let mut receipts = match current {
        Some(body) => parse_spend_receipts(body).filter(|r| r.day == day).unwrap_or_else(|| {
            let mut r = SpendReceipts::new(day);
            if let Some(m) = parse_memory::<LlmMemory>(body).filter(|m| m.v == ci_llm::cache::MEMORY_VERSION && m.budget.day == day) {
                r.base = [m.budget.used_in, m.budget.used_out];
            }
            r
        }),
        None => SpendReceipts::new(day),
    };
    receipts.add(id, tokens_in, tokens_out);
    let mut memory = LlmMemory::new(0, day);
    [memory.budget.used_in, memory.budget.used_out] = receipts.total();
    spend_comment(&memory_line(&memory), &receipts)
}


/// Count what a command's model calls spent where the next reader counts
/// it ([`CommandSpend::record`]), after the command posted its result: a
/// failure here is a log line, not a failed command.
pub async fn record_spend<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, spend: Option<(CommandSpend, Budget)>) {
    if let Some((today, spent)) = spend {
        if let Err(e) = today.record(ctx, &spent).await {
            eprintln!("LLM spend not recorded on the daily issue: {e}");
        }
    }
}

/// Most chars of the memory line an `[Analyze]` issue keeps: its body is
/// cut at `SAFE_BODY_CHARS`, and the line must fit what is left of GitHub's
/// limit with the issue's marker line.
const ANALYZE_MEMORY_CHARS: usize = 4_000;

/// analyze-url's use of the model: the per-job narratives and picks exactly
/// as analyze-workflow makes them ([`narrate_jobs`]; no history or cluster:
/// one run of any repository), under the repository's daily budget
/// (`today`). Its memory is its own `[Analyze]` issue's line (`previous`:
/// analysing the same URL again costs no call) with the answers of today's
/// workflow reports (a failure the monitor described costs no call either).
/// Returns what it spent and what the report shows: the footer, and the
/// memory line when `keep` (an issue; on stdout nothing is kept).
#[allow(clippy::too_many_arguments)]
pub async fn narrate_url_jobs(
    setup: &LlmSetup,
    today: &CommandSpend,
    previous: Option<&str>,
    keep: bool,
    repo: &str,
    workflow: &str,
    new: &[NewJob<'_>],
    jobs: &mut [JobReport],
    rules: &RuleSet,
    day: NaiveDate,
) -> (Budget, ci_report::llm_memory::LlmPart) {
    let mut part = ci_report::llm_memory::LlmPart::default();
    if !setup.configured() {
        return (Budget::new(0, day), part);
    }
    // The issue's own answers first (they win a tie), then today's reports'.
    let stored = stored_memory("", previous.into_iter().chain(today.bodies.iter().map(String::as_str)), [], day);
    let mut session = Session::for_command(setup, stored, today.used_today, day);
    narrate_jobs(&mut session, repo, workflow, new, jobs, &std::collections::BTreeMap::new(), rules).await;
    part.footer = session.footer();
    if keep {
        let cached = (2 * new.len()).clamp(PR_CACHED, MAX_CACHED);
        part.memory_line = Some(session.answers_line(cached, ANALYZE_MEMORY_CHARS));
    }
    (session.spent(), part)
}

#[cfg(test)]
mod spend_tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    }

    #[test]
    fn receipts_add_once_and_commute() {
        let a = |cur: Option<&str>| spend_comment_with(cur, day(), "aaaa", 100, 10);
        let b = |cur: Option<&str>| spend_comment_with(cur, day(), "bbbb", 50, 5);
        let ab = b(Some(&a(None)));
        assert_eq!(ab, a(Some(&b(None))), "the order of two commands does not matter");
        assert_eq!(a(Some(&ab)), ab, "a receipt is added once, however often the merge runs");
        assert_eq!(used_in([ab.as_str()], day()), 165);
    }

    #[test]
    fn a_comment_from_before_receipts_keeps_its_total() {
        let mut old = LlmMemory::new(0, day());
        (old.budget.used_in, old.budget.used_out) = (700, 70);
        let old_body = format!("{}\n{}\n", ci_report::markers::llm_spend_marker(), ci_report::llm_memory::memory_line(&old));
        let now = spend_comment_with(Some(&old_body), day(), "cccc", 30, 3);
        assert_eq!(used_in([now.as_str()], day()), 803);
        let yesterday = spend_comment_with(Some(&now), day().succ_opt().unwrap(), "dddd", 1, 1);
        assert_eq!(used_in([yesterday.as_str()], day().succ_opt().unwrap()), 2, "a new day starts from zero");
    }
}
