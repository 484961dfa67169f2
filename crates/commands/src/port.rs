//! What command intake needs from GitHub: the crate's one trait.
//!
//! Four reads and one write (the claim reaction). Replies and dispatches
//! are not here: intake returns them as an [`crate::Action`] and the caller
//! performs them through its single write path.

use std::future::Future;

/// A GitHub call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// 404: the object is gone or invisible to the token.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything else, as one line.
    #[error("{0}")]
    Failed(String),
}

pub use ci_model::ReactionOutcome;

/// The pull request a command is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFacts {
    /// `open` or `closed`.
    pub state: String,
    /// Merged (implies closed).
    pub merged: bool,
    /// Head commit.
    pub head_sha: String,
    /// Head branch name.
    pub head_ref: String,
    /// `owner/name` of the head repository; `None` when it was deleted.
    pub head_repo: Option<String>,
    /// Pull request author.
    pub author: String,
}

impl PullFacts {
    /// True when the head lives in another repository than `repo`, or in
    /// one that no longer exists (a deleted fork).
    pub fn is_fork(&self, repo: &str) -> bool {
        self.head_repo.as_deref().is_none_or(|h| !h.eq_ignore_ascii_case(repo))
    }
}

/// GitHub, as command intake sees it.
pub trait CommandPort: Send + Sync {
    /// Add `content` (`rocket`) to a comment, as the bot.
    fn react(
        &self,
        repo: &str,
        comment_id: u64,
        content: &str,
    ) -> impl Future<Output = Result<ReactionOutcome, PortError>> + Send;

    /// Whether the bot's own `content` reaction is on a comment.
    fn claimed(&self, repo: &str, comment_id: u64, content: &str) -> impl Future<Output = Result<bool, PortError>> + Send;

    /// Whether `login` is an active member of team `org/team`.
    fn is_team_member(
        &self,
        org: &str,
        team: &str,
        login: &str,
    ) -> impl Future<Output = Result<bool, PortError>> + Send;

    /// `login`'s role on `repo`: `admin`, `maintain`, `write`, `triage`,
    /// `read` or `none`.
    fn permission(&self, repo: &str, login: &str) -> impl Future<Output = Result<String, PortError>> + Send;

    /// The pull request `number`, or `None` when it is an issue.
    fn pull_request(
        &self,
        repo: &str,
        number: u64,
    ) -> impl Future<Output = Result<Option<PullFacts>, PortError>> + Send;
}
