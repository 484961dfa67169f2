//! What the engine is given: the pull request, and the jobs that ran at its
//! head, on its base and elsewhere. The caller gathers them (GitHub reads,
//! log triage); the engine only decides.

use chrono::{DateTime, Utc};
use ci_report::pr_model::{ChangedFile, JobRef};
use ci_report::JobReport;
use serde::{Deserialize, Serialize};

/// The pull request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrFacts {
    /// Repository, `owner/name`.
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Number.
    pub number: u64,
    /// Author login.
    pub author: String,
    /// Head commit.
    pub head_sha: String,
    /// Head branch name.
    pub head_ref: String,
    /// The head branch or its repository is gone.
    pub head_deleted: bool,
    /// Base branch name.
    pub base_ref: String,
    /// Merge base of head and base, when known.
    pub merge_base: Option<String>,
    /// When the merge base was committed.
    pub merge_base_at: Option<DateTime<Utc>>,
    /// Changed files as GitHub lists them (at most 3000).
    pub changed_files: Vec<ChangedFile>,
    /// GitHub's file list stopped at its limit.
    pub files_truncated: bool,
}

/// A workflow run at the head with no jobs to show for itself (waiting for
/// approval, failed to start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFacts {
    /// Workflow name.
    pub workflow: String,
    /// Run id.
    pub run_id: u64,
    /// Run page url.
    pub url: String,
    /// `completed`, `in_progress`, `queued`, `waiting`, …
    pub status: String,
    /// Conclusion when completed.
    pub conclusion: Option<String>,
}

/// One attempt of one job of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    /// Workflow name.
    pub workflow: String,
    /// Job name (matrix values included).
    pub name: String,
    /// Job id.
    pub job_id: u64,
    /// Run id.
    pub run_id: u64,
    /// Run attempt.
    pub attempt: u32,
    /// Head commit of the run.
    pub sha: String,
    /// Head branch of the run.
    pub branch: Option<String>,
    /// Who pushed the commit or opened the pull request it ran for, when known.
    pub author: Option<String>,
    /// When it started (or was created).
    pub at: DateTime<Utc>,
    /// `completed`, `in_progress`, `queued`, …
    pub status: String,
    /// Conclusion when completed.
    pub conclusion: Option<String>,
    /// Job page url.
    pub url: String,
    /// A gate (`finish`, `wait-for-*`): fails because another job failed.
    pub gate: bool,
    /// At least one step ran on a runner.
    pub ran: bool,
    /// The triaged log, for failed jobs whose log was read.
    pub report: Option<JobReport>,
}

impl JobRun {
    /// True when completed with `failure` or `timed_out`.
    pub fn is_red(&self) -> bool {
        self.status == "completed" && matches!(self.conclusion.as_deref(), Some("failure") | Some("timed_out"))
    }

    /// True when completed with `success`.
    pub fn is_green(&self) -> bool {
        self.status == "completed" && self.conclusion.as_deref() == Some("success")
    }

    /// True while queued or running.
    pub fn is_pending(&self) -> bool {
        self.status != "completed"
    }

    /// Name, link, commit and time, for evidence.
    pub fn job_ref(&self) -> JobRef {
        JobRef {
            workflow: self.workflow.clone(),
            name: self.name.clone(),
            url: self.url.clone(),
            sha: self.sha.clone(),
            branch: self.branch.clone(),
            at: Some(self.at),
        }
    }
}

/// Everything the engine looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inputs {
    /// The pull request.
    pub pr: PrFacts,
    /// Every job of every run at the head commit, every attempt.
    pub head: Vec<JobRun>,
    /// Runs at the head (for runs without jobs: approval, startup failure).
    pub head_runs: Vec<RunFacts>,
    /// Jobs on the base branch around the merge base: at the merge base,
    /// and the base branch's runs from a day before it to the head's time.
    pub base: Vec<JobRun>,
    /// Recent jobs on other commits (other pull requests, the base branch
    /// later on): failures with their triage, and retries that passed.
    pub elsewhere: Vec<JobRun>,
    /// Changed test files mapped to the suites that should run them (from
    /// [`crate::coverage::expected_suites`]).
    pub expected: Vec<crate::coverage::Expected>,
    /// When the status is computed.
    pub now: DateTime<Utc>,
}
