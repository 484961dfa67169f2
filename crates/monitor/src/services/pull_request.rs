//! The pull-request side's reads and its two bodies: what `ci-status` and
//! `pr-review` post for one pull request. Shared by the `ci-status` and
//! `pr-review` actions and by `watch-comments` when it runs a claimed
//! command inline (an action never imports another, so the work lives here).
//!
//! API cost for one `ci-status`: the pull request, its files (paged, at
//! most 3,000), one compare, the runs at the head, at the merge base and on
//! the base branch (one page each), the jobs of those runs, at most
//! [`MAX_LOGS`] failed-job logs, and at most `max-files-read` file reads
//! for the coverage extractors. The search for the head's failures on
//! unrelated commits adds at most [`ELSEWHERE_WORKFLOWS`] run lists,
//! [`ELSEWHERE_JOB_LISTS`] job lists and [`ELSEWHERE_LOGS`] logs (out of
//! [`MAX_LOGS`]), and nothing when no failed head job has a specific failure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use ci_commands::{Command, Job as CommandJob};
use ci_github::{GitHub, IssueNumber, PullRequest, RepoRef, RunFilter};
use ci_llm::Task;
use ci_model::{Job, WorkflowRun};
use ci_pr_status::signals::job_key;
use ci_pr_status::verdict::specific_fingerprints;
use ci_pr_status::{Inputs, JobRun, PrFacts, RunFacts};
use ci_report::pr_model::{ChangedFile, CiStatusReport};
use ci_report::{JobOutcome, JobReport};

use crate::ctx::Ctx;
use crate::domain::gate::is_gate_job;
use crate::services::narration::{self, CommandSpend};
use crate::services::triage::triage_jobs;

/// Failed-job logs read for one `ci-status` (head and base together).
pub const MAX_LOGS: usize = 40;
/// Base-branch runs looked at around the merge base.
const BASE_RUNS: usize = 30;
/// GitHub lists at most this many files of a pull request.
const GITHUB_FILE_LIMIT: usize = 3000;
/// Workflows searched for the head's failures on unrelated commits (those
/// with a failed head job that has a specific failure).
pub const ELSEWHERE_WORKFLOWS: usize = 5;
/// Failed runs listed per such workflow (one page, newest first).
const ELSEWHERE_RUNS: usize = 30;
/// Job lists read from those runs, all workflows together.
pub const ELSEWHERE_JOB_LISTS: usize = 15;
/// Logs read from those jobs (never more than head and base left of [`MAX_LOGS`]).
pub const ELSEWHERE_LOGS: usize = 10;

/// The workflow a job belongs to, as job identities name it.
fn workflow_name(run: &WorkflowRun) -> String {
    run.name.clone().unwrap_or_else(|| run.workflow_file())
}

/// A job of a run as the verdict engine sees it; `gate` is the monitor's
/// one gate detection.
pub fn job_run<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, run: &WorkflowRun, job: &Job) -> JobRun {
    JobRun {
        workflow: workflow_name(run),
        name: job.name.clone(),
        job_id: job.id.0,
        run_id: run.id.0,
        attempt: job.run_attempt.max(run.run_attempt),
        sha: run.head_sha.clone(),
        branch: run.head_branch.clone(),
        author: run.actor.as_ref().map(|u| u.login.clone()),
        at: job.started_at.or(run.run_started_at).unwrap_or(run.created_at),
        status: job.status.as_ref().map(|s| s.to_string()).unwrap_or_else(|| "completed".into()),
        conclusion: job.conclusion.as_ref().map(|c| c.to_string()),
        url: job.html_url.clone().unwrap_or_else(|| run.html_url.clone()),
        gate: is_gate_job(job, &ctx.config),
        // A job that failed before any step ran never reached a runner.
        ran: job.steps.iter().any(|s| s.started_at.is_some() || s.conclusion.is_some()),
        report: None,
    }
}

/// The changed files as the view model holds them, and whether GitHub's
/// list stopped at its limit.
pub async fn changed_files<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    pr: IssueNumber,
) -> anyhow::Result<(Vec<ChangedFile>, bool)> {
    let files = ctx.github().list_pull_request_files(repo, pr).await?;
    let truncated = files.len() >= GITHUB_FILE_LIMIT;
    let files = files
        .into_iter()
        .map(|f| ChangedFile {
            path: f.filename,
            status: f.status,
            additions: f.additions,
            deletions: f.deletions,
            previous_path: f.previous_filename,
            patch: f.patch,
        })
        .collect();
    Ok((files, truncated))
}

/// Runs and their jobs (every job of runs that did not succeed; for runs
/// that succeeded too, since "passed on the base" needs the job names).
async fn runs_with_jobs<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    runs: Vec<WorkflowRun>,
) -> anyhow::Result<Vec<(WorkflowRun, Vec<Job>)>> {
    let mut out = Vec::new();
    for run in runs {
        let jobs = ctx.github().list_jobs(repo, run.id).await?;
        out.push((run, jobs));
    }
    Ok(out)
}

/// Attach triaged logs to the red, non-gate jobs of `runs` (at most
/// `budget` logs); returns the job runs.
async fn with_reports<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    runs: &[(WorkflowRun, Vec<Job>)],
    budget: &mut usize,
) -> Vec<JobRun> {
    let mut out = Vec::new();
    let mut to_triage = Vec::new();
    for (run, jobs) in runs {
        for job in jobs {
            let jr = job_run(ctx, run, job);
            if jr.is_red() && !jr.gate && *budget > 0 {
                *budget -= 1;
                to_triage.push((out.len(), (run.clone(), job.clone())));
            }
            out.push(jr);
        }
    }
    let pairs: Vec<(WorkflowRun, Job)> = to_triage.iter().map(|(_, p)| p.clone()).collect();
    let reports: Vec<JobReport> = triage_jobs(ctx, repo, &pairs).await.reports;
    for ((i, _), r) in to_triage.iter().zip(reports) {
        out[*i].report = Some(r);
    }
    out
}

/// Everything `ci-status` needs for pull request `number`.
pub async fn status_inputs<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    pull: &PullRequest,
) -> anyhow::Result<Inputs> {
    let s = &ctx.settings;
    let head_sha = pull.head.sha.clone();
    let (changed, truncated) = changed_files(ctx, repo, pull.number).await?;
    // No merge base (an unrelated history, a base branch force-pushed away)
    // is said in the comment, not an error.
    let cmp = ctx.github().compare(repo, &pull.base.ref_name, &head_sha).await.ok();
    let (merge_base, merge_base_at) = match &cmp {
        Some(c) => (Some(c.merge_base_sha.clone()), c.merge_base_at),
        None => (None, None),
    };

    let head_runs = ctx
        .github()
        .list_workflow_runs(repo, &RunFilter { head_sha: Some(head_sha.clone()), limit: Some(100), ..Default::default() })
        .await?;
    let mut base_runs: Vec<WorkflowRun> = Vec::new();
    if let Some(mb) = &merge_base {
        base_runs = ctx
            .github()
            .list_workflow_runs(repo, &RunFilter { head_sha: Some(mb.clone()), limit: Some(BASE_RUNS), ..Default::default() })
            .await?;
    }
    let from = merge_base_at.map(|t| t - Duration::days(1));
    let head_at = head_runs.iter().map(|r| r.created_at).max().unwrap_or(s.now);
    let branch = ctx
        .github()
        .list_workflow_runs(
            repo,
            &RunFilter { branch: Some(pull.base.ref_name.clone()), limit: Some(BASE_RUNS), ..Default::default() },
        )
        .await?;
    for r in branch {
        let in_window = from.is_some_and(|f| r.created_at >= f) && r.created_at <= head_at;
        // The head itself on the base branch (a pull request from `main` of
        // a fork, a push of the same commit) is not the base.
        let is_head = r.head_sha == head_sha;
        if in_window && !is_head && r.is_completed() && !base_runs.iter().any(|b| b.id == r.id) {
            base_runs.push(r);
        }
    }
    base_runs.truncate(BASE_RUNS);

    let head_runs_facts: Vec<RunFacts> = head_runs
        .iter()
        .map(|r| RunFacts {
            workflow: workflow_name(r),
            run_id: r.id.0,
            url: r.html_url.clone(),
            status: r.status.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "completed".into()),
            conclusion: r.conclusion.as_ref().map(|c| c.to_string()),
        })
        .collect();
    let head_jobs = runs_with_jobs(ctx, repo, head_runs).await?;
    let base_jobs = runs_with_jobs(ctx, repo, base_runs).await?;
    let mut budget = MAX_LOGS;
    let head = with_reports(ctx, repo, &head_jobs, &mut budget).await;
    let base = with_reports(ctx, repo, &base_jobs, &mut budget).await;

    // Coverage: read the changed test files an extractor looks at, at the head.
    let cov = &ctx.config.ci_status.coverage;
    let (paths, _) = cov.files_to_read(&changed);
    let mut contents: BTreeMap<String, String> = BTreeMap::new();
    for p in paths {
        if let Ok(Some(bytes)) = ctx.github().get_file(repo, p, Some(&head_sha)).await {
            contents.insert(p.to_string(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let expected = cov.expected_suites(&changed, |p| contents.get(p).cloned());

    let pr = PrFacts {
        repo: repo.to_string(),
        server_url: s.server_url.clone(),
        number: pull.number.0,
        author: pull.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
        head_sha,
        head_ref: pull.head.ref_name.clone(),
        head_deleted: pull.head.repo.is_none(),
        base_ref: pull.base.ref_name.clone(),
        merge_base,
        merge_base_at,
        changed_files: changed,
        files_truncated: truncated,
    };
    let already_read: BTreeSet<u64> = head_jobs.iter().chain(&base_jobs).map(|(r, _)| r.id.0).collect();
    let elsewhere = failures_elsewhere(ctx, repo, &pr, &head_jobs, &head, &already_read, &mut budget).await;

    Ok(Inputs { pr, head, head_runs: head_runs_facts, base, elsewhere, expected, now: s.now })
}

/// The head's failures on unrelated commits: recent failed runs of the
/// same workflows elsewhere, with the jobs that share a failed head job's
/// identity, their logs triaged (FLAKY's "failed on unrelated commits").
///
/// Reads only what can change a verdict: nothing when no failed head job
/// has a specific failure (a generic capture never matches) or when the
/// evidence window is too long for the engine to search; only runs inside
/// that window, not at the head, not on its branch, not by its author, and
/// not already read as head or base runs, so no job's log is downloaded
/// twice. The evidence is optional and the comment is not: a failed read
/// ends the search with a log line.
async fn failures_elsewhere<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    pr: &PrFacts,
    head_runs: &[(WorkflowRun, Vec<Job>)],
    head: &[JobRun],
    already_read: &BTreeSet<u64>,
    budget: &mut usize,
) -> Vec<JobRun> {
    let window = ci_pr_status::evidence_window(pr, head, ctx.settings.now, &ctx.config.ci_status);
    // Job identities wanted, per workflow id.
    let mut wanted: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for j in head.iter().filter(|j| j.sha == pr.head_sha && j.is_red() && !j.gate) {
        let specific = j
            .report
            .as_ref()
            .filter(|r| r.outcome == JobOutcome::Analyzed)
            .is_some_and(|r| !specific_fingerprints(r).is_empty());
        if let (true, Some((run, _))) = (specific, head_runs.iter().find(|(r, _)| r.id.0 == j.run_id)) {
            wanted.entry(run.workflow_id).or_default().insert(job_key(&j.workflow, &j.name));
        }
    }
    if wanted.is_empty() || !window.search_elsewhere {
        return Vec::new();
    }
    let unrelated = |r: &WorkflowRun| {
        r.head_sha != pr.head_sha
            && r.head_branch.as_deref() != Some(pr.head_ref.as_str())
            && r.actor.as_ref().is_none_or(|a| !a.login.eq_ignore_ascii_case(&pr.author))
            && r.created_at <= window.to
            && !already_read.contains(&r.id.0)
    };
    let mut job_lists = ELSEWHERE_JOB_LISTS;
    let mut picked: Vec<(WorkflowRun, Vec<Job>)> = Vec::new();
    'workflows: for (workflow_id, keys) in wanted.iter().take(ELSEWHERE_WORKFLOWS) {
        let filter = RunFilter {
            workflow: Some(workflow_id.to_string()),
            status: Some("failure".into()),
            created: Some(format!(">={}", window.from.format("%Y-%m-%dT%H:%M:%SZ"))),
            limit: Some(ELSEWHERE_RUNS),
            ..Default::default()
        };
        let runs = match ctx.github().list_workflow_runs(repo, &filter).await {
            Ok(runs) => runs,
            Err(e) => {
                eprintln!("ci-status: not searching failures on other commits: {e}");
                break;
            }
        };
        for run in runs.into_iter().filter(|r| unrelated(r)) {
            if job_lists == 0 {
                break 'workflows;
            }
            job_lists -= 1;
            let jobs = match ctx.github().list_jobs(repo, run.id).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    eprintln!("ci-status: not searching failures on other commits: {e}");
                    break 'workflows;
                }
            };
            let name = workflow_name(&run);
            let same: Vec<Job> = jobs.into_iter().filter(|j| keys.contains(&job_key(&name, &j.name))).collect();
            if !same.is_empty() {
                picked.push((run, same));
            }
        }
    }
    let mut logs = ELSEWHERE_LOGS.min(*budget);
    let before = logs;
    let out = with_reports(ctx, repo, &picked, &mut logs).await;
    *budget -= before - logs;
    out
}

/// What posting a PR-side comment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The pull request.
    pub pr: u64,
    /// The comment's heading (or the review's first line).
    pub heading: String,
    /// The comment url (`None` in dry-run).
    pub url: Option<String>,
}

/// Compute the `ci-status` of pull request `number` and upsert its comment.
pub async fn post_ci_status<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    number: u64,
) -> anyhow::Result<(Posted, CiStatusReport)> {
    let pull = ctx.github().get_pull_request(repo, IssueNumber(number)).await?;
    let inputs = status_inputs(ctx, repo, &pull).await?;
    let mut report = ci_pr_status::compute(&inputs, &ctx.config.ci_status, &ctx.config.bot_name);
    let marker = ci_report::pr_status::ci_status_marker(number);
    let mut spend = None;
    if ctx.llm().configured() {
        // The bot's own comment (the author is checked) keeps the memory.
        let previous = ctx.github().list_comments(repo, IssueNumber(number)).await?.into_iter().find(|c| c.body.contains(&marker)).map(|c| c.body);
        let facts = narration::ci_status_facts(&report, &pull.title);
        let today = spend_today(ctx, Task::CiStatus, &facts).await?;
        let used = today.as_ref().map_or(0, |t| t.used_today);
        let spent = narration::narrate_pull_request(ctx.llm(), Task::CiStatus, &facts, &mut report.llm, previous.as_deref(), used, ctx.settings.date).await;
        spend = today.map(|t| (t, spent));
    }
    let body = ci_report::markers::with_computed_at(&ci_report::pr_status::render_ci_status(&report), ctx.settings.now);
    let up = ctx.merge_comment(repo, IssueNumber(number), &marker, |cur| ci_report::markers::newer_computation(cur, &body)).await;
    // The tokens were spent whether or not the comment could be written.
    narration::record_spend(ctx, spend).await;
    let up = up?;
    let heading = ci_report::pr_status::header_line(&report);
    Ok((Posted { pr: number, heading, url: up.map(|u| u.object.html_url) }, report))
}

/// The review of pull request `number`, narrowed to `focus`, upserted
/// under its head's marker: the deterministic checklist, and with a model
/// configured its checked reading of the diff above it.
pub async fn post_review<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    number: u64,
    focus: &[String],
) -> anyhow::Result<Posted> {
    let pull = ctx.github().get_pull_request(repo, IssueNumber(number)).await?;
    let (files, truncated) = changed_files(ctx, repo, pull.number).await?;
    // The status heading is read from the ci-status comment when there is
    // one: a review must not cost a second full status computation.
    let marker = ci_report::pr_status::ci_status_marker(number);
    let comments = ctx.github().list_comments(repo, IssueNumber(number)).await.unwrap_or_default();
    // Only when it describes this head: after a push it is about the last one.
    let this_head = format!("/commit/{}", pull.head.sha);
    let ci_status = comments
        .iter()
        .find(|c| c.body.contains(&marker))
        .filter(|c| !pull.head.sha.is_empty() && c.body.lines().any(|l| l.starts_with("Head ") && l.split(" · ").next().is_some_and(|h| h.contains(&this_head))))
        .and_then(|c| c.body.lines().find(|l| l.starts_with("## ")).map(|l| l.trim_start_matches("## ").to_string()));
    let input = ci_pr_review::ReviewInput {
        repo: &repo.to_string(),
        server_url: &ctx.settings.server_url,
        pr: number,
        head_sha: &pull.head.sha,
        files: &files,
        files_truncated: truncated,
        focus,
        ci_status,
        now: ctx.settings.now,
        bot_name: &ctx.config.bot_name,
    };
    let mut checklist = ci_pr_review::checklist(&input, &ctx.config.pr_review);
    let marker = ci_report::pr_review::pr_review_marker(number, &pull.head.sha);
    let mut spend = None;
    if ctx.llm().configured() {
        // This head's review (the bot's own comment) keeps the memory: asking
        // again on the same head costs no call.
        let previous = comments.iter().find(|c| c.body.contains(&marker)).map(|c| c.body.as_str());
        let facts = narration::review_facts(&checklist, &pull.title, &pull.body, &files);
        let today = spend_today(ctx, Task::PrReview, &facts).await?;
        let used = today.as_ref().map_or(0, |t| t.used_today);
        let spent = narration::narrate_pull_request(ctx.llm(), Task::PrReview, &facts, &mut checklist.llm, previous, used, ctx.settings.date).await;
        spend = today.map(|t| (t, spent));
    }
    let body = ci_report::markers::with_computed_at(&ci_report::pr_review::render_checklist(&checklist), ctx.settings.now);
    let up = ctx.merge_comment(repo, IssueNumber(number), &marker, |cur| ci_report::markers::newer_computation(cur, &body)).await;
    narration::record_spend(ctx, spend).await;
    let up = up?;
    let heading = body.lines().find(|l| l.starts_with('#')).unwrap_or("").trim_start_matches('#').trim().to_string();
    Ok(Posted { pr: number, heading, url: up.map(|u| u.object.html_url) })
}

/// Today's spend, read only when the model will be asked (two list calls
/// on the daily issue a green pull request does not need).
async fn spend_today<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, task: Task, facts: &ci_llm::facts::PrFacts) -> anyhow::Result<Option<CommandSpend>> {
    if !narration::asks(task, facts) {
        return Ok(None);
    }
    Ok(Some(CommandSpend::read(ctx).await?))
}

/// Run a claimed command here.
pub async fn run_job<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, job: &CommandJob) -> anyhow::Result<Posted> {
    let repo: RepoRef = job.repo.parse()?;
    match &job.command {
        Command::CiStatus => Ok(post_ci_status(ctx, &repo, job.pr).await?.0),
        Command::Review => post_review(ctx, &repo, job.pr, &[]).await,
        Command::ReviewFocus(areas) => post_review(ctx, &repo, job.pr, areas).await,
        Command::Help => anyhow::bail!("help is a reply, not a job"),
    }
}
