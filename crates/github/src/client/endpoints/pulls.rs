//! Pull requests: metadata, changed files, diff.

use http::Method;

use crate::client::paths::repo_path;
use crate::client::Client;
use crate::types::*;
use crate::Result;


pub(in crate::client) async fn get_pull_request(c: &Client, repo: &RepoRef, number: IssueNumber) -> Result<PullRequest> {
    c.get_json(
        "get_pull_request",
        &format!("{}/pulls/{number}", repo_path(repo)),
    )
    .await
}

pub(in crate::client) async fn list_pull_request_files(c: &Client, repo: &RepoRef, number: IssueNumber) -> Result<Vec<PrFile>> {
    let path = format!("{}/pulls/{number}/files?per_page=100", repo_path(repo));
    c.get_pages("list_pull_request_files", path, None, None)
        .await
}

pub(in crate::client) async fn get_pull_request_diff(c: &Client, repo: &RepoRef, number: IssueNumber) -> Result<String> {
    let path = format!("{}/pulls/{number}", repo_path(repo));
    let resp = c
        .call(
            "get_pull_request_diff",
            Method::GET,
            &path,
            None,
            "application/vnd.github.diff",
        )
        .await?;
    Ok(String::from_utf8_lossy(&resp.body).into_owned())
}

/// Pull requests whose head is `sha` (runs from forks carry no
/// `pull_requests`: this finds them).
pub(in crate::client) async fn pull_requests_of_commit(c: &Client, repo: &RepoRef, sha: &str) -> Result<Vec<PullRequest>> {
    let path = format!("{}/commits/{}/pulls?per_page=100", repo_path(repo), crate::client::paths::enc(sha));
    c.get_pages("pull_requests_of_commit", path, None, Some(100)).await
}
