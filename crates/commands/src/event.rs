//! Work items, from a poll or from a webhook: the same types either way.
//!
//! A watcher lists comments (`GET /repos/{o}/{r}/issues/comments`) and
//! recently completed runs (`GET /repos/{o}/{r}/actions/runs`); a workflow
//! running `on: issue_comment` or `on: workflow_run` gets the same objects
//! inside `$GITHUB_EVENT_PATH`. Both land here, so a repository can run the
//! bot event-driven or by polling and nothing downstream can tell.
//!
//! Payloads are input: anything missing or malformed is a one-line
//! [`EventError`]; events the bot does not act on are `Ok(None)`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::intake::{CommentEvent, IssueFacts, Source};

/// Something to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkItem {
    /// A comment that may hold a command.
    Comment(CommentEvent),
    /// A workflow run finished: the `ci-status` of its pull requests may
    /// have changed.
    RunCompleted(RunCompleted),
}

/// A completed workflow run and the pull requests it ran for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCompleted {
    /// Repository, `owner/name`.
    pub repo: String,
    /// Run id.
    pub run_id: u64,
    /// Attempt.
    pub attempt: u32,
    /// Workflow name.
    pub workflow: String,
    /// Head commit.
    pub head_sha: String,
    /// Head branch.
    pub head_branch: Option<String>,
    /// `owner/name` of the head repository (a fork for fork pull requests).
    pub head_repo: Option<String>,
    /// Conclusion.
    pub conclusion: Option<String>,
    /// Pull requests of this repository the run belongs to. GitHub leaves
    /// this empty for runs from forks: the caller then finds the pull
    /// request by head commit.
    pub pull_requests: Vec<u64>,
}

/// A payload the bot cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} payload: {message}")]
pub struct EventError {
    /// Event name.
    pub event: String,
    /// What is wrong, one line.
    pub message: String,
}

#[derive(Deserialize)]
struct UserJson {
    #[serde(default)]
    login: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct CommentJson {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    user: Option<UserJson>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    issue_url: Option<String>,
    #[serde(default)]
    reactions: Option<RollupJson>,
}

#[derive(Deserialize)]
struct RollupJson {
    #[serde(default)]
    rocket: u32,
}

#[derive(Deserialize)]
struct IssueJson {
    number: u64,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    pull_request: Option<Value>,
}

#[derive(Deserialize)]
struct RepoJson {
    full_name: String,
}

#[derive(Deserialize)]
struct IssueCommentPayload {
    action: String,
    issue: IssueJson,
    comment: CommentJson,
    repository: RepoJson,
}

#[derive(Deserialize)]
struct PrRepoJson {
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct PrSideJson {
    #[serde(default)]
    repo: Option<PrRepoJson>,
}

#[derive(Deserialize)]
struct RunPrJson {
    number: u64,
    #[serde(default)]
    base: Option<PrSideJson>,
}

#[derive(Deserialize)]
struct RunJson {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    head_sha: String,
    #[serde(default)]
    head_branch: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    conclusion: Option<String>,
    #[serde(default)]
    run_attempt: Option<u32>,
    #[serde(default)]
    pull_requests: Vec<RunPrJson>,
    #[serde(default)]
    head_repository: Option<RepoJson>,
}

#[derive(Deserialize)]
struct WorkflowRunPayload {
    action: String,
    workflow_run: RunJson,
    repository: RepoJson,
}

fn comment_event(repo: &str, c: CommentJson, issue: Option<u64>, source: Source, facts: Option<IssueFacts>) -> Result<CommentEvent, String> {
    let number = match issue {
        Some(n) => n,
        None => c
            .issue_url
            .as_deref()
            .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
            .and_then(|n| n.parse().ok())
            .ok_or("comment has no issue_url ending in a number")?,
    };
    let user = c.user.ok_or("comment has no user")?;
    Ok(CommentEvent {
        repo: repo.to_string(),
        issue: number,
        comment_id: c.id,
        author_is_bot: user.kind.as_deref() == Some("Bot"),
        author: user.login,
        body: c.body.unwrap_or_default(),
        created_at: c.created_at,
        updated_at: c.updated_at.unwrap_or(c.created_at),
        source,
        issue_facts: facts,
        rockets: c.reactions.map(|r| r.rocket),
    })
}

impl CommentEvent {
    /// A comment as the REST API lists it (`issues/comments`), seen by a poll.
    pub fn from_rest(repo: &str, comment: &Value) -> Result<CommentEvent, EventError> {
        let err = |message: String| EventError { event: "issue comment".into(), message };
        let c: CommentJson = serde_json::from_value(comment.clone()).map_err(|e| err(e.to_string()))?;
        comment_event(repo, c, None, Source::Poll, None).map_err(|m| err(m.to_string()))
    }
}

fn run_completed(repo: &str, r: RunJson) -> RunCompleted {
    let api_suffix = format!("/repos/{repo}").to_ascii_lowercase();
    RunCompleted {
        repo: repo.to_string(),
        run_id: r.id,
        attempt: r.run_attempt.unwrap_or(1),
        workflow: r.name.unwrap_or_default(),
        head_sha: r.head_sha,
        head_branch: r.head_branch,
        head_repo: r.head_repository.map(|h| h.full_name),
        conclusion: r.conclusion,
        // GitHub may list pull requests of other repositories that share
        // the head commit; only this repository's count.
        pull_requests: r
            .pull_requests
            .into_iter()
            .filter(|p| {
                p.base
                    .as_ref()
                    .and_then(|b| b.repo.as_ref())
                    .is_none_or(|b| b.url.to_ascii_lowercase().ends_with(&api_suffix))
            })
            .map(|p| p.number)
            .collect(),
    }
}

impl RunCompleted {
    /// A run as the REST API lists it (`actions/runs`); `None` unless completed.
    pub fn from_rest(repo: &str, run: &Value) -> Result<Option<RunCompleted>, EventError> {
        let r: RunJson = serde_json::from_value(run.clone())
            .map_err(|e| EventError { event: "workflow run".into(), message: e.to_string() })?;
        if r.status.as_deref() != Some("completed") {
            return Ok(None);
        }
        Ok(Some(run_completed(repo, r)))
    }
}

/// The work item in a webhook delivery (`$GITHUB_EVENT_NAME`,
/// `$GITHUB_EVENT_PATH`'s content); `Ok(None)` for events and actions the
/// bot does not act on.
pub fn from_webhook(event: &str, payload: &[u8]) -> Result<Option<WorkItem>, EventError> {
    let err = |message: String| EventError { event: event.to_string(), message };
    match event {
        "issue_comment" => {
            let p: IssueCommentPayload = serde_json::from_slice(payload).map_err(|e| err(e.to_string()))?;
            let source = match p.action.as_str() {
                "created" => Source::Created,
                "edited" => Source::Edited,
                _ => return Ok(None),
            };
            let facts = IssueFacts {
                is_pull_request: p.issue.pull_request.as_ref().is_some_and(|v| !v.is_null()),
                state: p.issue.state.unwrap_or_else(|| "open".into()),
            };
            let e = comment_event(&p.repository.full_name, p.comment, Some(p.issue.number), source, Some(facts))
                .map_err(|m| err(m.to_string()))?;
            Ok(Some(WorkItem::Comment(e)))
        }
        "workflow_run" => {
            let p: WorkflowRunPayload = serde_json::from_slice(payload).map_err(|e| err(e.to_string()))?;
            if p.action != "completed" || p.workflow_run.status.as_deref() != Some("completed") {
                return Ok(None);
            }
            Ok(Some(WorkItem::RunCompleted(run_completed(&p.repository.full_name, p.workflow_run))))
        }
        _ => Ok(None),
    }
}
