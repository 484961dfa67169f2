//! What every action gets: GitHub (reads open, writes guarded), the
//! repositories, the config, the day it writes to, and the dry-run switch.
//!
//! The GitHub client is private to [`Ctx`]. Actions read through
//! [`Ctx::github`] (a read-only handle that can be cloned into tasks) and
//! write only through `Ctx`'s write methods, so every write of the monitor
//! passes one place: dry-run is one `if` per method, and a later guard
//! (redaction, a policy check) has one place to go.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use ci_github::{
    CommentId, Comparison, GitHub, Issue, IssueComment, IssueFilter, IssueNumber, IssueUpdate, Job, JobId, PrFile,
    PullRequest, Reaction, ReactionOutcome, RepoRef, RunFilter, RunId, Upserted, WorkflowRun,
};
use ci_redact::{LearnedSecrets, Redactor};
use ci_triage::RuleSet;
use serde::Serialize;

use crate::config::{Config, ConfigWarning};
use crate::services::narration::LlmSetup;

/// Inputs common to all actions, already resolved (inputs over config over defaults).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The repository whose CI is monitored.
    pub repo: RepoRef,
    /// The repository holding the daily issues and the config.
    pub bot_repo: RepoRef,
    /// Hours of runs to consider.
    pub lookback_hours: u32,
    /// Render everything, write nothing.
    pub dry_run: bool,
    /// Day of the daily issue.
    pub date: NaiveDate,
    /// The clock, injected so tests and the demo are reproducible.
    pub now: DateTime<Utc>,
    /// Web base, `https://github.com` (GHES: the server URL).
    pub server_url: String,
    /// Explicit workflow list (inputs), else the config's.
    pub workflows: Vec<String>,
}

/// A write that dry-run did not do.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedWrite {
    /// `owner/name`.
    pub repo: String,
    /// `issue #12`, `comment on #12 marked ...`, `new issue "..."`.
    pub target: String,
    /// What would have been written.
    pub body: String,
}

/// The read half of the GitHub port, the only GitHub handle an action holds.
/// Cheap to clone into spawned tasks when `G` is.
///
/// Issues and comments come back only when the bot wrote them
/// ([`GitHub::is_own`]): state, markers and the objects the bot may edit
/// are all read from here, so text by anyone else can neither feed the
/// bot's state nor become a target of its writes. A foreign object that
/// carries our markers is noted once (see [`Ctx::trust_warnings`]).
#[derive(Clone)]
pub struct GitHubReads<G> {
    gh: G,
    foreign: Arc<Mutex<BTreeSet<String>>>,
}

impl<G: GitHub> GitHubReads<G> {
    /// Requests left in the rate-limit window (see [`GitHub::rate_remaining`]).
    pub fn rate_remaining(&self) -> Option<u64> {
        self.gh.rate_remaining()
    }

    /// Runs of a workflow, newest first.
    pub async fn list_workflow_runs(&self, repo: &RepoRef, filter: &RunFilter) -> ci_github::Result<Vec<WorkflowRun>> {
        self.gh.list_workflow_runs(repo, filter).await
    }

    /// One run.
    pub async fn get_workflow_run(&self, repo: &RepoRef, run: RunId) -> ci_github::Result<WorkflowRun> {
        self.gh.get_workflow_run(repo, run).await
    }

    /// Jobs of a run's latest attempt.
    pub async fn list_jobs(&self, repo: &RepoRef, run: RunId) -> ci_github::Result<Vec<Job>> {
        self.gh.list_jobs(repo, run).await
    }

    /// Streams a job's log into `sink`.
    pub async fn download_job_log(&self, repo: &RepoRef, job: JobId, sink: &mut (dyn Write + Send)) -> ci_github::Result<u64> {
        self.gh.download_job_log(repo, job, sink).await
    }

    /// The bot's issues matching `filter`, oldest first.
    pub async fn list_issues(&self, repo: &RepoRef, filter: &IssueFilter) -> ci_github::Result<Vec<Issue>> {
        let all = self.gh.list_issues(repo, filter).await?;
        Ok(all
            .into_iter()
            .filter(|i| self.own(i.user.as_ref(), &i.body, || format!("issue {repo}#{}", i.number)))
            .collect())
    }

    /// One issue as it is now, to check that one of the bot's issues has
    /// not changed since it was listed (a body read here is compared, never
    /// taken as state).
    pub async fn get_issue(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<Issue> {
        self.gh.get_issue(repo, number).await
    }

    /// Whether the bot itself gave `reaction` to a comment.
    pub async fn reacted(&self, repo: &RepoRef, comment: CommentId, reaction: Reaction) -> ci_github::Result<bool> {
        let given = self.gh.list_comment_reactions(repo, comment, reaction).await?;
        Ok(given.iter().any(|r| self.gh.is_own(r.user.as_ref())))
    }

    /// The bot's comments on an issue, oldest first.
    pub async fn list_comments(&self, repo: &RepoRef, issue: IssueNumber) -> ci_github::Result<Vec<IssueComment>> {
        let all = self.gh.list_comments(repo, issue, None).await?;
        Ok(all
            .into_iter()
            .filter(|c| self.own(c.user.as_ref(), &c.body, || format!("comment {} on {repo}#{issue}", c.id)))
            .collect())
    }

    fn own(&self, user: Option<&ci_github::User>, body: &str, what: impl FnOnce() -> String) -> bool {
        if self.gh.is_own(user) {
            return true;
        }
        if ci_report::markers::carries_bot_state(body) {
            let by = user.map_or("an unknown user", |u| u.login.as_str());
            self.foreign.lock().unwrap_or_else(|p| p.into_inner()).insert(format!(
                "{} by @{by} carries ci-bot markers but was not written by the bot{}; ignored",
                what(),
                self.gh.marker_author().map(|a| format!(" (@{a})")).unwrap_or_default()
            ));
        }
        false
    }

    /// Issues and pull requests matching a search, anyone's: what is shown
    /// of them (number, title, url) is data for a reader, never state or a
    /// write target.
    pub async fn search_issues(&self, query: &str, limit: usize) -> ci_github::Result<Vec<Issue>> {
        self.gh.search_issues(query, limit).await
    }

    /// Comments of the whole repository updated since `since`.
    pub async fn list_repo_comments(&self, repo: &RepoRef, since: Option<DateTime<Utc>>) -> ci_github::Result<Vec<IssueComment>> {
        self.gh.list_repo_comments(repo, since).await
    }

    /// One pull request.
    pub async fn get_pull_request(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<PullRequest> {
        self.gh.get_pull_request(repo, number).await
    }

    /// A pull request's changed files (GitHub stops at 3000).
    pub async fn list_pull_request_files(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<Vec<PrFile>> {
        self.gh.list_pull_request_files(repo, number).await
    }

    /// Pull requests whose head is `sha`.
    pub async fn pull_requests_of_commit(&self, repo: &RepoRef, sha: &str) -> ci_github::Result<Vec<PullRequest>> {
        self.gh.pull_requests_of_commit(repo, sha).await
    }

    /// The merge base of `base` and `head`.
    pub async fn compare(&self, repo: &RepoRef, base: &str, head: &str) -> ci_github::Result<Comparison> {
        self.gh.compare(repo, base, head).await
    }

    /// A file at `git_ref`, `None` when absent.
    pub async fn get_file(&self, repo: &RepoRef, path: &str, git_ref: Option<&str>) -> ci_github::Result<Option<Vec<u8>>> {
        self.gh.get_file(repo, path, git_ref).await
    }

    /// `login`'s team membership state, `None` when not a member.
    pub async fn team_membership(&self, org: &str, team: &str, login: &str) -> ci_github::Result<Option<String>> {
        self.gh.team_membership(org, team, login).await
    }

    /// `login`'s role on `repo`.
    pub async fn permission(&self, repo: &RepoRef, login: &str) -> ci_github::Result<String> {
        self.gh.permission(repo, login).await
    }
}

/// The context of one action run; see the module docs.
pub struct Ctx<G> {
    github: GitHubReads<G>,
    /// Resolved inputs.
    pub settings: Settings,
    /// The bot's config file.
    pub config: Config,
    /// Problems found in the config (printed as workflow warnings).
    pub warnings: Vec<ConfigWarning>,
    /// Built-in triage rules plus the config's.
    pub rules: Arc<RuleSet>,
    planned: Mutex<Vec<PlannedWrite>>,
    /// Applied to every byte written (see [`Ctx::redact`]); learns the
    /// `::add-mask::` values of the logs read during the run.
    /// Shared with the LLM scrubber ([`Ctx::live_redactor`]).
    redactor: Arc<std::sync::RwLock<Redactor>>,
    /// The same before it learned anything (see [`redact_body`]).
    unlearned: Redactor,
    /// The model the reports may ask (none: deterministic).
    llm: Arc<LlmSetup>,
}

/// The redactor of a run: the built-in patterns, the secrets of the
/// environment, the config's `redact:` section and `token`. A bad
/// repository pattern becomes a warning and the rest still applies.
fn build_redactor(config: &Config, token: Option<&str>, warnings: &mut Vec<ConfigWarning>) -> Redactor {
    let base = || {
        let b = Redactor::builder().process_env();
        match token {
            Some(t) => b.secret("github-token", t),
            None => b,
        }
    };
    match base().config(&config.redact).build() {
        Ok(r) => r,
        Err(e) => {
            warnings.push(ConfigWarning(format!("`redact`: {e}; the repository's patterns are not used")));
            base().build().unwrap_or_default()
        }
    }
}

/// A body the bot writes, with every secret replaced, except that its
/// hidden marker and state lines (one-line `<!-- … -->`) are redacted
/// without the values learned from the logs' `::add-mask::` commands. A
/// job can mask any text, including the words our markers are made of
/// (`::add-mask::processed_job_ids`): a marker rewritten to
/// `{REDACTED:masked}` is never found again, so its comment would be
/// recreated and its jobs reported again on every tick. Those lines still
/// go through the built-in patterns and the configured secrets; a masked
/// value the runner printed is `***` in the log already.
fn redact_body(learned: &Redactor, unlearned: &Redactor, body: &str) -> String {
    if learned.known_forms() == unlearned.known_forms() {
        return learned.redact(body).into_owned();
    }
    let mut out = String::with_capacity(body.len());
    let (mut run, mut at) = (0, 0);
    for line in body.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("<!--") && t.ends_with("-->") {
            out.push_str(&learned.redact(&body[run..at]));
            out.push_str(&unlearned.redact(line));
            run = at + line.len();
        }
        at += line.len();
    }
    out.push_str(&learned.redact(&body[run..]));
    out
}

impl<G: GitHub + Clone + 'static> Ctx<G> {
    /// A context over `gh`; the config's `triage-rules` are compiled here
    /// (a bad rule becomes a warning and the built-in rules are used).
    pub fn new(gh: G, settings: Settings, config: Config, mut warnings: Vec<ConfigWarning>) -> Self {
        let rules = match &config.triage_rules {
            Some(extra) => match RuleSet::with_overrides(extra) {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(ConfigWarning(format!("`triage-rules`: {e}; using the built-in rules only")));
                    RuleSet::builtin()
                }
            },
            None => RuleSet::builtin(),
        };
        let redactor = build_redactor(&config, None, &mut warnings);
        Ctx {
            github: GitHubReads { gh, foreign: Arc::default() },
            settings,
            config,
            warnings,
            rules: Arc::new(rules),
            planned: Mutex::new(Vec::new()),
            unlearned: redactor.clone(),
            redactor: Arc::new(std::sync::RwLock::new(redactor)),
            llm: Arc::new(LlmSetup::default()),
        }
    }

    /// The same context with a model for the reports' narratives (see
    /// [`crate::services::narration`]).
    pub fn with_llm(mut self, llm: Arc<LlmSetup>) -> Self {
        self.llm = llm;
        self
    }

    /// The model setup (the default: none, deterministic reports).
    pub fn llm(&self) -> &LlmSetup {
        &self.llm
    }

    /// The same context, also redacting `token` (the one the client uses,
    /// when it came from a flag or input rather than the environment).
    pub fn with_token_secret(mut self, token: &str) -> Self {
        let mut ignored = Vec::new();
        let redactor = build_redactor(&self.config, Some(token), &mut ignored);
        self.unlearned = redactor.clone();
        self.redactor = Arc::new(std::sync::RwLock::new(redactor));
        self
    }

    /// A body the bot writes, redacted (see [`redact_body`]): compare what
    /// is on GitHub with this, not with the unredacted text.
    pub(crate) fn redact_body(&self, body: &str) -> String {
        redact_body(&self.redactor(), &self.unlearned, body)
    }

    /// `text` with every secret replaced: the last step before anything the
    /// bot produced leaves the process (bodies, titles, step summary,
    /// outputs, log lines). Idempotent.
    pub fn redact(&self, text: &str) -> String {
        self.redactor.read().unwrap_or_else(|p| p.into_inner()).redact(text).into_owned()
    }

    /// `value` with every secret in its strings replaced (through its JSON
    /// form, so every string field is covered); unchanged when it holds none
    /// or does not round-trip.
    pub fn redact_value<T: Serialize + serde::de::DeserializeOwned>(&self, value: T) -> T {
        let Ok(mut v) = serde_json::to_value(&value) else { return value };
        if self.redactor.read().unwrap_or_else(|p| p.into_inner()).redact_json(&mut v) == 0 {
            return value;
        }
        serde_json::from_value(v).unwrap_or(value)
    }

    /// A copy of the run's redactor (e.g. for a `RedactingWriter`).
    pub fn redactor(&self) -> Redactor {
        self.redactor.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The run's redactor itself, as it learns: for the LLM scrubber, so a
    /// mask learned from a log applies to the prompts after it.
    pub fn live_redactor(&self) -> Arc<std::sync::RwLock<Redactor>> {
        self.redactor.clone()
    }

    /// Adds the `::add-mask::` values seen in a log to what is redacted.
    pub fn learn(&self, learned: &LearnedSecrets) {
        if !learned.is_empty() {
            self.redactor.write().unwrap_or_else(|p| p.into_inner()).learn(learned);
        }
    }

    /// Redacts what an action hands back (step summary, stdout, warnings,
    /// the dry-run plan). Outputs are redacted where they are written.
    pub fn redact_outcome<O>(&self, mut out: crate::Outcome<O>) -> crate::Outcome<O> {
        out.summary = self.redact(&out.summary);
        out.stdout = self.redact(&out.stdout);
        for w in &mut out.warnings {
            *w = self.redact(w);
        }
        for p in &mut out.planned {
            p.body = self.redact(&p.body);
            p.target = self.redact(&p.target);
        }
        out
    }

    /// Reads; writes go through `Ctx`'s own methods.
    pub fn github(&self) -> &GitHubReads<G> {
        &self.github
    }

    /// Whether writes are only planned.
    pub fn dry_run(&self) -> bool {
        self.settings.dry_run
    }

    /// The writes dry-run did not do, in order.
    pub fn planned_writes(&self) -> Vec<PlannedWrite> {
        self.planned.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn gh(&self) -> &G {
        &self.github.gh
    }

    /// The login the bot writes as, when the client resolved one (see
    /// `GitHub::marker_author`).
    pub fn own_login(&self) -> Option<String> {
        self.gh().marker_author().map(str::to_string)
    }

    /// The bot's issues of one kind (`label`): see [`IssueFilter::own`].
    pub fn issue_filter(&self, label: String, since: Option<DateTime<Utc>>) -> IssueFilter {
        IssueFilter::own(self.gh().marker_author(), &[label], since)
    }

    /// One line per object by someone else that carried our markers (read
    /// and ignored during this run), each reported once.
    pub fn trust_warnings(&self) -> Vec<String> {
        self.github.foreign.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }

    fn plan(&self, repo: &RepoRef, target: String, body: &str) {
        let (target, body) = (self.redact(&target), self.redact_body(body));
        self.planned.lock().unwrap_or_else(|p| p.into_inner()).push(PlannedWrite { repo: repo.to_string(), target, body });
    }

    /// Create-or-update the comment marked `marker` on `issue`.
    pub async fn upsert_comment(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
        body: &str,
    ) -> anyhow::Result<Option<Upserted<IssueComment>>> {
        let body = self.redact_body(body);
        if self.dry_run() {
            self.plan(repo, format!("comment on #{issue} marked `{marker}`"), &body);
            return Ok(None);
        }
        Ok(Some(self.gh().upsert_comment_by_marker(repo, issue, marker, &body).await?))
    }

    /// Read-modify-write of the comment marked `marker` on `issue` (created
    /// when absent): `merge` gets its body as it is now (`None`: absent) and
    /// must be idempotent, since it is applied again to whatever another
    /// writer left until the result sticks ([`GitHub::update_comment_by_marker`]).
    pub async fn merge_comment<F>(&self, repo: &RepoRef, issue: IssueNumber, marker: &str, merge: F) -> anyhow::Result<Option<Upserted<IssueComment>>>
    where
        F: Fn(Option<&str>) -> String + Send + Sync,
    {
        if self.dry_run() {
            self.plan(repo, format!("comment on #{issue} marked `{marker}` (merged)"), &self.redact_body(&merge(None)));
            return Ok(None);
        }
        Ok(Some(self.gh().update_comment_by_marker(repo, issue, marker, |cur| self.redact_body(&merge(cur))).await?))
    }

    /// Claim a command comment: add the bot's `rocket`. GitHub's 201 vs 200
    /// decides who acts. In dry-run nothing is written and the claim counts
    /// as won, so the planned writes show what the command would do.
    pub async fn claim_comment(&self, repo: &RepoRef, comment: CommentId) -> anyhow::Result<ReactionOutcome> {
        if self.dry_run() {
            self.plan(repo, format!("rocket reaction on comment {comment} (claim)"), "");
            return Ok(ReactionOutcome::Created);
        }
        Ok(self.gh().react_to_comment(repo, comment, Reaction::Rocket).await?)
    }

    /// `repository_dispatch` of `event_type` to `repo`. Not an upsert: the
    /// caller sends it once, after winning the claim of the command that
    /// asked for it (the claim is the idempotency key).
    pub async fn repository_dispatch(&self, repo: &RepoRef, event_type: &str, payload: &serde_json::Value) -> anyhow::Result<()> {
        if self.dry_run() {
            self.plan(repo, format!("repository_dispatch `{event_type}`"), &payload.to_string());
            return Ok(());
        }
        Ok(self.gh().repository_dispatch(repo, event_type, payload).await?)
    }

    /// Replace the body of a known comment.
    pub async fn update_comment(&self, repo: &RepoRef, comment: CommentId, body: &str) -> anyhow::Result<()> {
        let body = self.redact_body(body);
        if self.dry_run() {
            self.plan(repo, format!("update comment {comment}"), &body);
            return Ok(());
        }
        self.gh().update_comment(repo, comment, &body).await?;
        Ok(())
    }

    /// Delete a comment (an already deleted one is success).
    pub async fn delete_comment(&self, repo: &RepoRef, comment: CommentId) -> anyhow::Result<()> {
        if self.dry_run() {
            self.plan(repo, format!("delete comment {comment}"), "");
            return Ok(());
        }
        Ok(self.gh().delete_comment(repo, comment).await?)
    }

    /// Read-modify-write of the issue marked `marker` (created with
    /// `merge(None)` if absent). In dry-run, `merge` is applied to
    /// `current`'s body and the result is planned.
    pub async fn upsert_issue<F>(
        &self,
        repo: &RepoRef,
        marker: &str,
        title: &str,
        labels: &[String],
        current: Option<&Issue>,
        merge: F,
    ) -> anyhow::Result<Option<Issue>>
    where
        F: Fn(Option<&str>) -> String + Send + Sync,
    {
        let title = self.redact(title);
        let (redactor, unlearned) = (self.redactor(), self.unlearned.clone());
        let merge = move |cur: Option<&str>| redact_body(&redactor, &unlearned, &merge(cur));
        if self.dry_run() {
            let body = merge(current.map(|i| i.body.as_str()));
            self.plan_issue(repo, current, &title, &body);
            return Ok(current.cloned());
        }
        let up = self.gh().update_issue_by_marker(repo, marker, &title, labels, merge).await?;
        Ok(Some(up.object))
    }

    /// Give a known issue `title` and `body` (one write, none if both are
    /// already so).
    pub async fn rewrite_issue(&self, repo: &RepoRef, issue: &Issue, title: &str, body: &str) -> anyhow::Result<()> {
        let (title, body) = (self.redact(title), self.redact_body(body));
        let (title, body) = (title.as_str(), body.as_str());
        if self.dry_run() {
            self.plan_issue(repo, Some(issue), title, body);
            return Ok(());
        }
        if issue.body != body || issue.title != title {
            let update = IssueUpdate { title: Some(title.to_string()), body: Some(body.to_string()), ..Default::default() };
            self.gh().update_issue(repo, issue.number, &update).await?;
        }
        Ok(())
    }

    /// One read-modify-write of issue `number`'s body: `edit` gets the body
    /// as it is now, the result carries `marker`. `Ok(false)` when a
    /// transient error kept it from happening; the caller decides whether to
    /// look again (a write whose response was lost is found by the next
    /// read, so nothing is resent blindly).
    pub async fn edit_issue_body_once<F>(
        &self,
        repo: &RepoRef,
        number: IssueNumber,
        marker: &str,
        edit: F,
    ) -> anyhow::Result<bool>
    where
        F: Fn(&str) -> String,
    {
        let current = match self.gh().get_issue(repo, number).await {
            Ok(issue) => issue,
            Err(e) if e.is_transient() => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        // A legacy issue, found by its title, gets the marker so later runs find it by marker.
        let want = self.redact_body(&ci_github::upsert::with_marker(edit(&current.body), marker));
        if self.dry_run() {
            self.plan_issue(repo, Some(&current), &current.title, &want);
            return Ok(true);
        }
        if want == current.body {
            return Ok(true);
        }
        let update = IssueUpdate { body: Some(want), ..IssueUpdate::default() };
        match self.gh().update_issue(repo, number, &update).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_transient() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Plan a write of `body` to `current` (a new issue when `None`), if it
    /// would change anything.
    fn plan_issue(&self, repo: &RepoRef, current: Option<&Issue>, title: &str, body: &str) {
        let target = match current {
            Some(i) => format!("issue #{} \"{title}\"", i.number),
            None => format!("new issue \"{title}\""),
        };
        if current.map(|i| i.body != body || i.title != title).unwrap_or(true) {
            self.plan(repo, target, body);
        }
    }

    /// The web URL of an issue.
    pub fn issue_url(&self, repo: &RepoRef, number: IssueNumber) -> String {
        format!("{}/{repo}/issues/{number}", self.settings.server_url)
    }
}
