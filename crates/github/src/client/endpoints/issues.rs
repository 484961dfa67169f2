//! Issues, issue comments, reactions and issue search.

use chrono::{DateTime, Utc};
use http::Method;
use serde_json::json;

use crate::client::paths::{query, repo_path};
use crate::client::transport::JSON;
use crate::client::Client;
use crate::types::*;
use crate::{Error, Result};


pub(in crate::client) async fn create_issue(c: &Client, repo: &RepoRef, issue: &NewIssue) -> Result<Issue> {
    let body = serde_json::to_value(issue).map_err(|e| Error::Decode {
        op: "create_issue".into(),
        message: e.to_string(),
    })?;
    c.send_json(
        "create_issue",
        Method::POST,
        &format!("{}/issues", repo_path(repo)),
        &body,
    )
    .await
}

pub(in crate::client) async fn get_issue(c: &Client, repo: &RepoRef, number: IssueNumber) -> Result<Issue> {
    c.get_json("get_issue", &format!("{}/issues/{number}", repo_path(repo)))
        .await
}

pub(in crate::client) async fn update_issue(c: &Client, repo: &RepoRef, number: IssueNumber, update: &IssueUpdate) -> Result<Issue> {
    let body = serde_json::to_value(update).map_err(|e| Error::Decode {
        op: "update_issue".into(),
        message: e.to_string(),
    })?;
    c.send_json(
        "update_issue",
        Method::PATCH,
        &format!("{}/issues/{number}", repo_path(repo)),
        &body,
    )
    .await
}

pub(in crate::client) async fn list_issues(c: &Client, repo: &RepoRef, f: &IssueFilter) -> Result<Vec<Issue>> {
    let labels = (!f.labels.is_empty()).then(|| f.labels.join(","));
    let since = f
        .since
        .map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let q = query(&[
        ("state", Some(f.state.as_str())),
        ("labels", labels.as_deref()),
        ("since", since.as_deref()),
        ("creator", f.creator.as_deref()),
        ("sort", Some("created")),
        ("direction", Some("asc")),
        ("per_page", Some("100")),
    ]);
    let all: Vec<Issue> = c
        .get_pages(
            "list_issues",
            format!("{}/issues?{q}", repo_path(repo)),
            None,
            None,
        )
        .await?;
    Ok(all
        .into_iter()
        .filter(|i| i.pull_request.is_none())
        .collect())
}

pub(in crate::client) async fn search_issues(c: &Client, q: &str, limit: usize) -> Result<Vec<Issue>> {
    let per_page = limit.clamp(1, 100).to_string();
    let path = format!(
        "/search/issues?{}",
        query(&[("q", Some(q)), ("per_page", Some(&per_page))])
    );
    c.get_pages("search_issues", path, Some("items"), Some(limit))
        .await
}

pub(in crate::client) async fn list_comments(c: &Client, repo: &RepoRef, issue: IssueNumber, since: Option<DateTime<Utc>>) -> Result<Vec<IssueComment>> {
    let since = since.map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let q = query(&[("since", since.as_deref()), ("per_page", Some("100"))]);
    c.get_pages(
        "list_comments",
        format!("{}/issues/{issue}/comments?{q}", repo_path(repo)),
        None,
        None,
    )
    .await
}

pub(in crate::client) async fn create_comment(c: &Client, repo: &RepoRef, issue: IssueNumber, body: &str) -> Result<IssueComment> {
    let path = format!("{}/issues/{issue}/comments", repo_path(repo));
    c.send_json(
        "create_comment",
        Method::POST,
        &path,
        &json!({ "body": body }),
    )
    .await
}

pub(in crate::client) async fn update_comment(c: &Client, repo: &RepoRef, comment_id: CommentId, body: &str) -> Result<IssueComment> {
    let path = format!("{}/issues/comments/{comment_id}", repo_path(repo));
    c.send_json(
        "update_comment",
        Method::PATCH,
        &path,
        &json!({ "body": body }),
    )
    .await
}

pub(in crate::client) async fn delete_comment(c: &Client, repo: &RepoRef, comment_id: CommentId) -> Result<()> {
    let path = format!("{}/issues/comments/{comment_id}", repo_path(repo));
    match c
        .call("delete_comment", Method::DELETE, &path, None, JSON)
        .await
    {
        Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// 201: this call created the reaction; 200: this user already had it.
/// The command claim rests on the difference, so it is kept, not folded
/// into "success".
pub(in crate::client) async fn react_to_comment(c: &Client, repo: &RepoRef, comment_id: CommentId, reaction: Reaction) -> Result<ReactionOutcome> {
    let path = format!("{}/issues/comments/{comment_id}/reactions", repo_path(repo));
    let body = json!({ "content": reaction });
    let resp = c.call("react_to_comment", Method::POST, &path, Some(&body), JSON).await?;
    Ok(if resp.status == http::StatusCode::CREATED { ReactionOutcome::Created } else { ReactionOutcome::AlreadyExisted })
}

pub(in crate::client) async fn list_comment_reactions(c: &Client, repo: &RepoRef, comment_id: CommentId, reaction: Reaction) -> Result<Vec<GivenReaction>> {
    let content = serde_json::to_value(reaction).ok().and_then(|v| v.as_str().map(str::to_string));
    let q = query(&[("content", content.as_deref()), ("per_page", Some("100"))]);
    c.get_pages("list_comment_reactions", format!("{}/issues/comments/{comment_id}/reactions?{q}", repo_path(repo)), None, None).await
}

/// Comments of every issue and pull request updated at or after `since`,
/// oldest update first (what a command watcher polls).
pub(in crate::client) async fn list_repo_comments(c: &Client, repo: &RepoRef, since: Option<DateTime<Utc>>) -> Result<Vec<IssueComment>> {
    let since = since.map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let q = query(&[("since", since.as_deref()), ("sort", Some("updated")), ("direction", Some("asc")), ("per_page", Some("100"))]);
    c.get_pages("list_repo_comments", format!("{}/issues/comments?{q}", repo_path(repo)), None, None).await
}

pub(in crate::client) async fn react_to_issue(c: &Client, repo: &RepoRef, issue: IssueNumber, reaction: Reaction) -> Result<()> {
    let path = format!("{}/issues/{issue}/reactions", repo_path(repo));
    c.write_no_content("react_to_issue", &path, &json!({ "content": reaction }))
        .await
}
