//! What every action gets: GitHub (reads open, writes guarded), the
//! repositories, the config, the day it writes to, and the dry-run switch.
//!
//! The GitHub client is private to [`Ctx`]. Actions read through
//! [`Ctx::github`] (a read-only handle that can be cloned into tasks) and
//! write only through `Ctx`'s write methods, so every write of the monitor
//! passes one place: dry-run is one `if` per method, and a later guard
//! (redaction, a policy check) has one place to go.

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use ci_github::{
    CommentId, Comparison, GitHub, Issue, IssueComment, IssueFilter, IssueNumber, IssueUpdate, Job, JobId, PrFile,
    PullRequest, Reaction, ReactionOutcome, RepoRef, RunFilter, RunId, Upserted, WorkflowRun,
};
use ci_triage::RuleSet;
use serde::Serialize;

use crate::config::{Config, ConfigWarning};

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
#[derive(Clone)]
pub struct GitHubReads<G>(G);

impl<G: GitHub> GitHubReads<G> {
    /// Runs of a workflow, newest first.
    pub async fn list_workflow_runs(&self, repo: &RepoRef, filter: &RunFilter) -> ci_github::Result<Vec<WorkflowRun>> {
        self.0.list_workflow_runs(repo, filter).await
    }

    /// One run.
    pub async fn get_workflow_run(&self, repo: &RepoRef, run: RunId) -> ci_github::Result<WorkflowRun> {
        self.0.get_workflow_run(repo, run).await
    }

    /// Jobs of a run's latest attempt.
    pub async fn list_jobs(&self, repo: &RepoRef, run: RunId) -> ci_github::Result<Vec<Job>> {
        self.0.list_jobs(repo, run).await
    }

    /// Streams a job's log into `sink`.
    pub async fn download_job_log(&self, repo: &RepoRef, job: JobId, sink: &mut (dyn Write + Send)) -> ci_github::Result<u64> {
        self.0.download_job_log(repo, job, sink).await
    }

    /// One issue.
    pub async fn get_issue(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<Issue> {
        self.0.get_issue(repo, number).await
    }

    /// Issues matching `filter`, oldest first.
    pub async fn list_issues(&self, repo: &RepoRef, filter: &IssueFilter) -> ci_github::Result<Vec<Issue>> {
        self.0.list_issues(repo, filter).await
    }

    /// Every comment of an issue, oldest first.
    pub async fn list_comments(&self, repo: &RepoRef, issue: IssueNumber) -> ci_github::Result<Vec<IssueComment>> {
        self.0.list_comments(repo, issue, None).await
    }

    /// Comments of the whole repository updated since `since`.
    pub async fn list_repo_comments(&self, repo: &RepoRef, since: Option<DateTime<Utc>>) -> ci_github::Result<Vec<IssueComment>> {
        self.0.list_repo_comments(repo, since).await
    }

    /// One pull request.
    pub async fn get_pull_request(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<PullRequest> {
        self.0.get_pull_request(repo, number).await
    }

    /// A pull request's changed files (GitHub stops at 3000).
    pub async fn list_pull_request_files(&self, repo: &RepoRef, number: IssueNumber) -> ci_github::Result<Vec<PrFile>> {
        self.0.list_pull_request_files(repo, number).await
    }

    /// Pull requests whose head is `sha`.
    pub async fn pull_requests_of_commit(&self, repo: &RepoRef, sha: &str) -> ci_github::Result<Vec<PullRequest>> {
        self.0.pull_requests_of_commit(repo, sha).await
    }

    /// The merge base of `base` and `head`.
    pub async fn compare(&self, repo: &RepoRef, base: &str, head: &str) -> ci_github::Result<Comparison> {
        self.0.compare(repo, base, head).await
    }

    /// A file at `git_ref`, `None` when absent.
    pub async fn get_file(&self, repo: &RepoRef, path: &str, git_ref: Option<&str>) -> ci_github::Result<Option<Vec<u8>>> {
        self.0.get_file(repo, path, git_ref).await
    }

    /// `login`'s team membership state, `None` when not a member.
    pub async fn team_membership(&self, org: &str, team: &str, login: &str) -> ci_github::Result<Option<String>> {
        self.0.team_membership(org, team, login).await
    }

    /// `login`'s role on `repo`.
    pub async fn permission(&self, repo: &RepoRef, login: &str) -> ci_github::Result<String> {
        self.0.permission(repo, login).await
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
        Ctx {
            github: GitHubReads(gh),
            settings,
            config,
            warnings,
            rules: Arc::new(rules),
            planned: Mutex::new(Vec::new()),
        }
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
        &self.github.0
    }

    fn plan(&self, repo: &RepoRef, target: String, body: &str) {
        self.planned.lock().unwrap_or_else(|p| p.into_inner()).push(PlannedWrite {
            repo: repo.to_string(),
            target,
            body: body.to_string(),
        });
    }

    /// Create-or-update the comment marked `marker` on `issue`.
    pub async fn upsert_comment(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
        body: &str,
    ) -> anyhow::Result<Option<Upserted<IssueComment>>> {
        if self.dry_run() {
            self.plan(repo, format!("comment on #{issue} marked `{marker}`"), body);
            return Ok(None);
        }
        Ok(Some(self.gh().upsert_comment_by_marker(repo, issue, marker, body).await?))
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
        if self.dry_run() {
            self.plan(repo, format!("update comment {comment}"), body);
            return Ok(());
        }
        self.gh().update_comment(repo, comment, body).await?;
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
        if self.dry_run() {
            let body = merge(current.map(|i| i.body.as_str()));
            self.plan_issue(repo, current, title, &body);
            return Ok(current.cloned());
        }
        let up = self.gh().update_issue_by_marker(repo, marker, title, labels, merge).await?;
        Ok(Some(up.object))
    }

    /// Give a known issue `title` and `body` (one write, none if both are
    /// already so).
    pub async fn rewrite_issue(&self, repo: &RepoRef, issue: &Issue, title: &str, body: &str) -> anyhow::Result<()> {
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
        let want = ci_github::upsert::with_marker(edit(&current.body), marker);
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
