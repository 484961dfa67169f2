//! Commits as the PR side needs them: `compare/{base}...{head}` (the merge
//! base of a pull request) and `commits/{sha}/pulls` (the pull requests of
//! a head commit, for runs from forks whose `pull_requests` GitHub leaves
//! empty).

use axum::extract::Path;
use serde_json::{json, Value};

use super::{ok, ApiError, ApiResult, Ctx};
use crate::json;
use crate::state::{Issue, Repo};

type RepoIdPath = Path<(String, String, String)>;

/// A branch name resolves to the base sha of a pull request on it, else
/// to itself (tests name commits by sha).
fn resolve(repo: &Repo, r: &str) -> String {
    repo.issues
        .values()
        .filter_map(|i| i.pull.as_ref())
        .find(|p| p.base_ref == r)
        .map(|p| p.base_sha.clone())
        .unwrap_or_else(|| r.to_string())
}

fn pull_for_head<'a>(repo: &'a Repo, head: &str) -> Option<&'a Issue> {
    let head_ref = head.split_once(':').map_or(head, |(_, b)| b);
    repo.issues
        .values()
        .filter(|i| i.pull.as_ref().is_some_and(|p| p.head_sha == head || p.head_ref == head_ref))
        .max_by_key(|i| i.number)
}

pub(crate) async fn compare(ctx: Ctx, Path((o, r, basehead)): RepoIdPath) -> ApiResult {
    let (base, head) = basehead.split_once("...").ok_or_else(ApiError::not_found)?;
    if base.is_empty() || head.is_empty() {
        return Err(ApiError::not_found());
    }
    let v = ctx.repo(&o, &r, |repo, _| {
        let full = repo.full_name();
        let pull = pull_for_head(repo, head).and_then(|i| i.pull.as_ref());
        let head_sha = pull.map_or_else(|| head.to_string(), |p| p.head_sha.clone());
        let base_sha = resolve(repo, base);
        let merge_base = match pull {
            Some(p) if base == p.base_ref || base == p.base_sha || base == repo.default_branch => p.merge_base_sha.clone(),
            _ => base_sha.clone(),
        };
        let (status, ahead, behind) = if head_sha == base_sha {
            ("identical", 0, 0)
        } else if merge_base == base_sha {
            ("ahead", 1, 0)
        } else {
            ("diverged", 1, 1)
        };
        let commits: Vec<Value> = if ahead > 0 { vec![json::commit(&ctx.api, repo, &head_sha)] } else { Vec::new() };
        let html = format!("{}/{full}/compare/{base}...{head}", json::HTML);
        json!({
            "url": format!("{}/repos/{full}/compare/{base}...{head}", ctx.api),
            "html_url": html,
            "permalink_url": format!("{}/{full}/compare/{base_sha}...{head_sha}", json::HTML),
            "diff_url": format!("{html}.diff"),
            "patch_url": format!("{html}.patch"),
            "base_commit": json::commit(&ctx.api, repo, &base_sha),
            "merge_base_commit": json::commit(&ctx.api, repo, &merge_base),
            "status": status,
            "ahead_by": ahead,
            "behind_by": behind,
            "total_commits": commits.len(),
            "commits": commits,
        })
    })?;
    ok(v)
}

pub(crate) async fn commit_pulls(ctx: Ctx, Path((o, r, sha)): RepoIdPath) -> ApiResult {
    let items = ctx.repo(&o, &r, |repo, _| {
        repo.issues
            .values()
            .filter(|i| i.pull.as_ref().is_some_and(|p| p.head_sha == sha))
            .map(|i| json::pull(&ctx.api, repo, i))
            .collect::<Vec<_>>()
    })?;
    ctx.page_array(items)
}
