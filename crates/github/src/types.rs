//! Plain data the port speaks. Only the fields the bot uses are modelled;
//! unknown fields are ignored and missing optional ones default, so a newer
//! GitHub (or GHES) response never breaks decoding.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use ci_model::{
    CommentId, Conclusion, IssueNumber, Job, JobId, ReactionOutcome, RunId, RunStatus, RunnerId, Step, User,
    WorkflowRun,
};

/// `owner/repo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RepoRef {
    /// Owner (user or organisation).
    pub owner: String,
    /// Repository name.
    pub repo: String,
}

impl RepoRef {
    /// `owner/repo`.
    pub fn new(owner: impl Into<String>, repo: impl Into<String>) -> Self {
        RepoRef {
            owner: owner.into(),
            repo: repo.into(),
        }
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
        // `.` and `..` would walk up the API path (`/repos/../../x`).
        let valid = |p: &str| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !valid(owner) || !valid(repo) {
            return Err(bad());
        }
        Ok(RepoRef::new(owner, repo))
    }
}

/// Filters for `GET /repos/{o}/{r}/actions/runs` (or the per-workflow variant).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Workflow file name (`ci.yml`) or numeric id; `None` lists runs of every workflow.
    pub workflow: Option<String>,
    /// Only runs of this branch.
    pub branch: Option<String>,
    /// `push`, `schedule`, `pull_request`, ...
    pub event: Option<String>,
    /// `completed`, `failure`, `in_progress`, ...
    pub status: Option<String>,
    /// GitHub's date-range syntax: `>=2024-05-01`, `2024-05-01..2024-05-02`.
    pub created: Option<String>,
    /// Only runs of this commit.
    pub head_sha: Option<String>,
    /// Stop after this many runs (newest first); `None` = all pages (capped by the client's page limit).
    pub limit: Option<usize>,
}

/// A label as attached to an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The label's name.
    pub name: String,
}

/// An issue (pull requests returned by the issues API are filtered out by the client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Node-wide id (not the number).
    pub id: u64,
    /// Number within the repository.
    pub number: IssueNumber,
    /// Title.
    pub title: String,
    /// Body (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// `open` or `closed`.
    pub state: String,
    /// Labels.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Author.
    #[serde(default)]
    pub user: Option<User>,
    /// Web page.
    #[serde(default)]
    pub html_url: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Present when the "issue" is a pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<serde_json::Value>,
}

impl Issue {
    /// Whether it carries label `name` (case-insensitive, as GitHub compares).
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
    /// Open only.
    #[default]
    Open,
    /// Closed only.
    Closed,
    /// Both.
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
    /// Open, closed or both.
    pub state: StateFilter,
    /// Only issues updated at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only issues opened by this login.
    pub creator: Option<String>,
}

impl IssueFilter {
    /// The bot's own issues of one kind, open or closed: by the login it
    /// writes as (`creator`) where that is known, so an issue whose label
    /// someone removed is still found; else by `labels`.
    pub fn own(author: Option<&str>, labels: &[String], since: Option<DateTime<Utc>>) -> IssueFilter {
        match author {
            Some(login) => IssueFilter { labels: Vec::new(), state: StateFilter::All, since, creator: Some(login.to_string()) },
            None => IssueFilter { labels: labels.to_vec(), state: StateFilter::All, since, creator: None },
        }
    }
}

/// Body of `POST /repos/{o}/{r}/issues`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewIssue {
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Labels to add (created on the fly if the repo lacks them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Body of `PATCH /repos/{o}/{r}/issues/{n}`: only `Some` fields are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IssueUpdate {
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New body.
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
    /// Comment id.
    pub id: CommentId,
    /// Body (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// Author.
    #[serde(default)]
    pub user: Option<User>,
    /// Web link (`…/issues/N#issuecomment-ID`).
    #[serde(default)]
    pub html_url: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// API url of the issue or pull request it is on (ends in its number).
    #[serde(default)]
    pub issue_url: String,
    /// Reaction counts, as GitHub rolls them up in a listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactions: Option<ReactionRollup>,
}

/// The reaction counts on a comment (`reactions` in its JSON): a listing
/// says whether anyone reacted without a request per comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionRollup {
    /// All reactions.
    #[serde(default)]
    pub total_count: u32,
    /// `rocket` reactions (the command claim).
    #[serde(default)]
    pub rocket: u32,
}

/// One reaction given to a comment, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenReaction {
    /// `rocket`, `eyes`, …
    #[serde(default)]
    pub content: String,
    /// Who reacted.
    #[serde(default)]
    pub user: Option<User>,
}

/// Reaction kinds GitHub accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reaction {
    /// 👍
    #[serde(rename = "+1")]
    PlusOne,
    /// 👎
    #[serde(rename = "-1")]
    MinusOne,
    /// 😄
    #[serde(rename = "laugh")]
    Laugh,
    /// 😕
    #[serde(rename = "confused")]
    Confused,
    /// ❤️
    #[serde(rename = "heart")]
    Heart,
    /// 🎉
    #[serde(rename = "hooray")]
    Hooray,
    /// 🚀
    #[serde(rename = "rocket")]
    Rocket,
    /// 👀
    #[serde(rename = "eyes")]
    Eyes,
}

/// Head or base of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrBranch {
    /// Branch name.
    #[serde(rename = "ref")]
    pub ref_name: String,
    /// Head commit.
    pub sha: String,
    /// The repository the branch lives in; `None` when it was deleted (a
    /// fork removed after the pull request was opened).
    #[serde(default)]
    pub repo: Option<BranchRepo>,
}

/// The repository of a pull request branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchRepo {
    /// `owner/name`.
    pub full_name: String,
}

/// `GET /repos/{o}/{r}/compare/{base}...{head}`, the parts the bot reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// `ahead`, `behind`, `diverged` or `identical`.
    pub status: String,
    /// The merge base of the two.
    pub merge_base_sha: String,
    /// When the merge base was committed.
    pub merge_base_at: Option<DateTime<Utc>>,
    /// Commits in head not in base.
    pub ahead_by: u64,
    /// Commits in base not in head.
    pub behind_by: u64,
}

/// A pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Number.
    pub number: IssueNumber,
    /// Title.
    pub title: String,
    /// Description (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// `open` or `closed`.
    pub state: String,
    /// Draft.
    #[serde(default)]
    pub draft: bool,
    /// Author.
    #[serde(default)]
    pub user: Option<User>,
    /// Labels.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// The branch with the changes.
    pub head: PrBranch,
    /// The branch it merges into.
    pub base: PrBranch,
    /// Web page.
    #[serde(default)]
    pub html_url: String,
    /// When it was merged, if it was.
    #[serde(default)]
    pub merged_at: Option<DateTime<Utc>>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// One file changed by a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrFile {
    /// Path after the change.
    pub filename: String,
    /// `added`, `modified`, `removed`, `renamed`, ...
    #[serde(default)]
    pub status: String,
    /// Lines added.
    #[serde(default)]
    pub additions: u64,
    /// Lines removed.
    #[serde(default)]
    pub deletions: u64,
    /// Lines changed.
    #[serde(default)]
    pub changes: u64,
    /// Absent for binary or very large files.
    #[serde(default)]
    pub patch: Option<String>,
    /// Path before a rename.
    #[serde(default)]
    pub previous_filename: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A self-hosted runner registered on a repository (`GET .../actions/runners`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfHostedRunner {
    /// GitHub's id of the registration.
    pub id: RunnerId,
    /// The name it registered with.
    pub name: String,
    /// `Linux`, `Windows`, `macOS`.
    #[serde(default)]
    pub os: String,
    /// `online` while the runner holds a session with GitHub, else `offline`.
    pub status: String,
    /// Running a job right now.
    #[serde(default)]
    pub busy: bool,
    /// Its labels, custom and default.
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
    /// The label.
    pub name: String,
}

/// A runner registration token (`POST .../actions/runners/registration-token`):
/// a secret that registers any machine as a runner of the repo for an hour.
/// `Debug` never prints it; [`RegistrationToken::secret`] is the only way in.
#[derive(Clone, Deserialize)]
pub struct RegistrationToken {
    token: String,
    /// When GitHub stops accepting it (an hour after issue).
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
