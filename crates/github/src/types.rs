//! Plain data the port speaks. Only the fields the bot uses are modelled;
//! unknown fields are ignored and missing optional ones default, so a newer
//! GitHub (or GHES) response never breaks decoding.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `owner/repo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RepoRef {
    pub owner: String,
    pub repo: String,
}

impl RepoRef {
    pub fn new(owner: impl Into<String>, repo: impl Into<String>) -> Self {
        RepoRef {
            owner: owner.into(),
            repo: repo.into(),
        }
    }

    /// `/repos/{owner}/{repo}` with both parts percent-encoded.
    pub(crate) fn api_path(&self) -> String {
        format!(
            "/repos/{}/{}",
            crate::client::enc(&self.owner),
            crate::client::enc(&self.repo)
        )
    }
}

impl fmt::Display for RepoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.repo)
    }
}

impl FromStr for RepoRef {
    type Err = crate::Error;

    /// Parses `owner/repo` (the format of `GITHUB_REPOSITORY`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || crate::Error::Config(format!("repository {s:?} is not of the form owner/repo"));
        let (owner, repo) = s.trim().split_once('/').ok_or_else(bad)?;
        let valid = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !valid(owner) || !valid(repo) {
            return Err(bad());
        }
        Ok(RepoRef::new(owner, repo))
    }
}

/// A GitHub user or bot as it appears on objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Filters for `GET /repos/{o}/{r}/actions/runs` (or the per-workflow variant).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Workflow file name (`ci.yml`) or numeric id; `None` lists runs of every workflow.
    pub workflow: Option<String>,
    pub branch: Option<String>,
    /// `push`, `schedule`, `pull_request`, ...
    pub event: Option<String>,
    /// `completed`, `failure`, `in_progress`, ...
    pub status: Option<String>,
    /// GitHub's date-range syntax: `>=2024-05-01`, `2024-05-01..2024-05-02`.
    pub created: Option<String>,
    pub head_sha: Option<String>,
    /// Stop after this many runs (newest first); `None` = all pages (capped by the client's page limit).
    pub limit: Option<usize>,
}

/// A workflow run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub workflow_id: u64,
    /// `.github/workflows/ci.yml` (may carry `@ref` on some GHES versions).
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: String,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub run_number: u64,
    #[serde(default = "one")]
    pub run_attempt: u32,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub display_title: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub run_started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub actor: Option<User>,
}

fn one() -> u32 {
    1
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    #[serde(default)]
    pub number: u32,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// A job of a workflow run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    #[serde(default)]
    pub run_id: u64,
    #[serde(default = "one")]
    pub run_attempt: u32,
    pub name: String,
    #[serde(default)]
    pub workflow_name: Option<String>,
    #[serde(default)]
    pub head_sha: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub runner_name: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// A label as attached to an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
}

/// An issue (pull requests returned by the issues API are filtered out by the client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// `open` or `closed`.
    pub state: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub html_url: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Present when the "issue" is a pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<serde_json::Value>,
}

impl Issue {
    pub fn has_label(&self, name: &str) -> bool {
        self.labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
    }
}

/// `open`, `closed` or `all`, for listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateFilter {
    #[default]
    Open,
    Closed,
    All,
}

impl StateFilter {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StateFilter::Open => "open",
            StateFilter::Closed => "closed",
            StateFilter::All => "all",
        }
    }
}

/// Filters for `GET /repos/{o}/{r}/issues`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueFilter {
    /// Every label must be present (GitHub's AND semantics).
    pub labels: Vec<String>,
    pub state: StateFilter,
    /// Only issues updated at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// Body of `POST /repos/{o}/{r}/issues`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Body of `PATCH /repos/{o}/{r}/issues/{n}`: only `Some` fields are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IssueUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `open` or `closed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `completed`, `not_planned`, `reopened` (only with `state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Replaces the whole label set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueComment {
    pub id: u64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub html_url: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// Reaction kinds GitHub accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reaction {
    #[serde(rename = "+1")]
    PlusOne,
    #[serde(rename = "-1")]
    MinusOne,
    #[serde(rename = "laugh")]
    Laugh,
    #[serde(rename = "confused")]
    Confused,
    #[serde(rename = "heart")]
    Heart,
    #[serde(rename = "hooray")]
    Hooray,
    #[serde(rename = "rocket")]
    Rocket,
    #[serde(rename = "eyes")]
    Eyes,
}

/// Head or base of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrBranch {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub sha: String,
}

/// A pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    pub state: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub labels: Vec<Label>,
    pub head: PrBranch,
    pub base: PrBranch,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub merged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// One file changed by a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrFile {
    pub filename: String,
    /// `added`, `modified`, `removed`, `renamed`, ...
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub additions: u64,
    #[serde(default)]
    pub deletions: u64,
    #[serde(default)]
    pub changes: u64,
    /// Absent for binary or very large files.
    #[serde(default)]
    pub patch: Option<String>,
    #[serde(default)]
    pub previous_filename: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A self-hosted runner registered on a repository (`GET .../actions/runners`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfHostedRunner {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub os: String,
    /// `online` while the runner holds a session with GitHub, else `offline`.
    pub status: String,
    /// Running a job right now.
    #[serde(default)]
    pub busy: bool,
    #[serde(default)]
    pub labels: Vec<RunnerLabel>,
}

impl SelfHostedRunner {
    /// Connected to GitHub (a registered but offline runner takes no jobs).
    pub fn is_online(&self) -> bool {
        self.status == "online"
    }
}

/// One label of a self-hosted runner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerLabel {
    pub name: String,
}

/// A runner registration token (`POST .../actions/runners/registration-token`):
/// a secret that registers any machine as a runner of the repo for an hour.
/// `Debug` never prints it; [`RegistrationToken::secret`] is the only way in.
#[derive(Clone, Deserialize)]
pub struct RegistrationToken {
    token: String,
    pub expires_at: DateTime<Utc>,
}

impl RegistrationToken {
    /// The token itself: hand it to exactly one runner, never to a log.
    pub fn secret(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for RegistrationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistrationToken(***, expires {})", self.expires_at.to_rfc3339())
    }
}
