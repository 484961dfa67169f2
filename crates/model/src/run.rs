//! Workflow runs, their jobs and the jobs' steps, as GitHub's REST API
//! describes them. Only the fields the bot uses are modelled; unknown fields
//! are ignored and missing optional ones default, so a newer GitHub (or GHES)
//! response never breaks decoding.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{JobId, RunId};
use crate::status::{Conclusion, RunStatus, Signal};

/// A GitHub user or bot as it appears on objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Login, e.g. `github-actions[bot]`.
    pub login: String,
    /// `User`, `Bot`, `Organization`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// A workflow run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    /// Run id.
    pub id: RunId,
    /// Workflow name (the `name:` of the file).
    #[serde(default)]
    pub name: Option<String>,
    /// Numeric workflow id.
    #[serde(default)]
    pub workflow_id: u64,
    /// `.github/workflows/ci.yml` (may carry `@ref` on some GHES versions).
    #[serde(default)]
    pub path: String,
    /// Branch of the head commit.
    #[serde(default)]
    pub head_branch: Option<String>,
    /// Head commit.
    #[serde(default)]
    pub head_sha: String,
    /// Triggering event (`push`, `schedule`, ...).
    #[serde(default)]
    pub event: String,
    /// `None` is read as completed (older payloads omit it).
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// How it ended, once completed.
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    /// Per-workflow run counter.
    #[serde(default)]
    pub run_number: u64,
    /// Latest attempt (re-runs count up).
    #[serde(default = "one")]
    pub run_attempt: u32,
    /// Run page.
    #[serde(default)]
    pub html_url: String,
    /// Commit title or PR title shown in the UI.
    #[serde(default)]
    pub display_title: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Start of the latest attempt.
    #[serde(default)]
    pub run_started_at: Option<DateTime<Utc>>,
    /// Who triggered it.
    #[serde(default)]
    pub actor: Option<User>,
}

fn one() -> u32 {
    1
}

impl WorkflowRun {
    /// Completed (a missing status counts as completed).
    pub fn is_completed(&self) -> bool {
        self.status.as_ref().is_none_or(|s| *s == RunStatus::Completed)
    }

    /// Concluded `success`: such a run vouches for every job in it.
    pub fn succeeded(&self) -> bool {
        self.conclusion == Some(Conclusion::Success)
    }

    /// Last change, or creation when GitHub did not say.
    pub fn last_activity(&self) -> DateTime<Utc> {
        self.updated_at.unwrap_or(self.created_at)
    }

    /// The workflow's file name (`ci.yml`) from `path`, else its name.
    pub fn workflow_file(&self) -> String {
        self.path
            .rsplit('/')
            .next()
            .map(|s| s.split('@').next().unwrap_or(s).to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| self.name.clone())
            .unwrap_or_default()
    }
}

/// One step of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// As shown in the UI (`Run tests`).
    pub name: String,
    /// 1-based; GitHub's log anchors (`#step:N:line`) use it.
    #[serde(default)]
    pub number: u32,
    /// Where the step is in its life.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// How it ended.
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    /// Start time.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// End time.
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

impl Step {
    /// Concluded `failure` or `timed_out`.
    pub fn failed(&self) -> bool {
        self.conclusion.as_ref().is_some_and(Conclusion::is_failure)
    }
}

/// A job of a workflow run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Job id.
    pub id: JobId,
    /// The run it belongs to.
    #[serde(default)]
    pub run_id: RunId,
    /// The run attempt it belongs to.
    #[serde(default = "one")]
    pub run_attempt: u32,
    /// As shown in the UI, matrix values included (`unit (3, 8)`).
    pub name: String,
    /// Name of the workflow.
    #[serde(default)]
    pub workflow_name: Option<String>,
    /// Head commit.
    #[serde(default)]
    pub head_sha: String,
    /// `None` is read as completed.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// How it ended, once completed.
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    /// Start time.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// End time.
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// Job page.
    #[serde(default)]
    pub html_url: Option<String>,
    /// Runner that ran it.
    #[serde(default)]
    pub runner_name: Option<String>,
    /// Runner labels it asked for.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Its steps, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

impl Job {
    /// Completed (a missing status counts as completed).
    pub fn is_completed(&self) -> bool {
        self.status.as_ref().is_none_or(|s| *s == RunStatus::Completed)
    }

    /// What this job says about the code; a job still running says nothing.
    pub fn signal(&self) -> Signal {
        match &self.conclusion {
            Some(c) if self.is_completed() => c.signal(),
            _ => Signal::NoSignal,
        }
    }

    /// Steps that failed, in step order.
    pub fn failed_steps(&self) -> Vec<&Step> {
        self.steps.iter().filter(|s| s.failed()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_status_reads_as_completed() {
        let job: Job = serde_json::from_str(r#"{"id": 5, "name": "unit", "conclusion": "failure"}"#).unwrap();
        assert!(job.is_completed());
        assert_eq!(job.signal(), Signal::Red);
        let running: Job =
            serde_json::from_str(r#"{"id": 5, "name": "unit", "status": "in_progress", "conclusion": "failure"}"#).unwrap();
        assert_eq!(running.signal(), Signal::NoSignal);
    }

    #[test]
    fn workflow_file_comes_from_the_path() {
        let run = WorkflowRun { path: ".github/workflows/ci.yml".into(), ..Default::default() };
        assert_eq!(run.workflow_file(), "ci.yml");
        let run = WorkflowRun { path: ".github/workflows/ci.yml@v2".into(), ..Default::default() };
        assert_eq!(run.workflow_file(), "ci.yml");
        let run = WorkflowRun { name: Some("CI".into()), ..Default::default() };
        assert_eq!(run.workflow_file(), "CI");
    }
}
