//! Repos, pulls, contents, permissions, rate limit, user and app auth.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use serde_json::{json, Value};

use super::{created, ok, parse_num, ApiError, ApiResult, Ctx};
use crate::json;
use crate::state::Issue;

type RepoPath = Path<(String, String)>;
type RepoIdPath = Path<(String, String, String)>;

pub(crate) async fn get_repo(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let mut v = ctx.repo(&o, &r, |repo, _| json::repo(&ctx.api, repo))?;
    // The single-repo endpoint returns `full-repository`, which adds these.
    v["network_count"] = json!(0);
    v["subscribers_count"] = json!(0);
    ok(v)
}

pub(crate) async fn list_pulls(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let state = ctx.param("state").unwrap_or("open").to_string();
    let items = ctx.repo(&o, &r, |repo, _| {
        let mut ps: Vec<&Issue> = repo
            .issues
            .values()
            .filter(|i| i.pull.is_some() && (state == "all" || i.state == state))
            .filter(|i| ctx.param("head").is_none_or(|h| {
                let p = i.pull.as_ref().expect("pull");
                h == p.head_ref || h.split_once(':').is_some_and(|(_, b)| b == p.head_ref)
            }))
            .collect();
        ps.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        ps.into_iter().map(|i| json::pull(&ctx.api, repo, i)).collect()
    })?;
    ctx.page_array(items)
}

pub(crate) async fn get_pull(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let accept = ctx
        .headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (v, diff) = ctx
        .repo(&o, &r, |repo, _| {
            repo.issues
                .get(&n)
                .filter(|i| i.pull.is_some())
                .map(|i| (json::pull(&ctx.api, repo, i), i.pull.as_ref().expect("pull").diff.clone()))
        })?
        .ok_or_else(ApiError::not_found)?;
    if accept.contains("application/vnd.github.diff") || accept.contains("application/vnd.github.v3.diff")
        || accept.contains("application/vnd.github.patch") || accept.contains("application/vnd.github.v3.patch")
    {
        let mut resp = diff.into_response();
        let ct = if accept.contains("patch") { "text/x-patch; charset=utf-8" } else { "text/x-diff; charset=utf-8" };
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        return Ok(resp);
    }
    ok(v)
}

pub(crate) async fn pull_files(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let items = ctx
        .repo(&o, &r, |repo, _| {
            repo.issues.get(&n).and_then(|i| i.pull.as_ref()).map(|p| {
                // GitHub lists at most 3000 files per pull request.
                p.files.iter().take(3000).map(|f| json::pull_file(&ctx.api, repo, &p.head_sha, f)).collect::<Vec<_>>()
            })
        })?
        .ok_or_else(ApiError::not_found)?;
    ctx.page_array(items)
}

pub(crate) async fn contents(ctx: Ctx, Path((o, r, path)): RepoIdPath) -> ApiResult {
    let path = path.trim_matches('/').to_string();
    let v = ctx.repo(&o, &r, |repo, _| {
        let git_ref = ctx.param("ref").map(str::to_string).unwrap_or_else(|| repo.default_branch.clone());
        // A ref-specific entry beats an every-ref entry.
        repo.files
            .iter()
            .filter(|f| f.path == path)
            .filter(|f| f.git_ref.as_deref().is_none_or(|x| x == git_ref))
            .max_by_key(|f| f.git_ref.is_some())
            .map(|f| json::content_file(&ctx.api, repo, &path, &git_ref, &f.content))
    })?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn permission(ctx: Ctx, Path((o, r, user)): RepoIdPath) -> ApiResult {
    let v = ctx.repo(&o, &r, |repo, _| {
        let perm = if user.eq_ignore_ascii_case(&repo.owner) {
            "admin".to_string()
        } else {
            repo.collaborators.get(&user.to_lowercase()).cloned().unwrap_or_else(|| "none".into())
        };
        // `permission` folds GitHub's finer roles into the classic four.
        let classic = match perm.as_str() {
            "maintain" => "write",
            "triage" => "read",
            p => p,
        };
        let mut u = json::user(&ctx.api, &user);
        u["permissions"] = json!({
            "admin": perm == "admin",
            "maintain": matches!(perm.as_str(), "admin" | "maintain"),
            "push": matches!(perm.as_str(), "admin" | "maintain" | "write"),
            "triage": matches!(perm.as_str(), "admin" | "maintain" | "write" | "triage"),
            "pull": perm != "none",
        });
        u["role_name"] = Value::String(perm.clone());
        json!({"permission": classic, "role_name": perm, "user": u})
    })?;
    ok(v)
}

pub(crate) async fn rate_limit(ctx: Ctx) -> ApiResult {
    let v = {
        let mut w = ctx.app.state.lock();
        w.rate.core.roll();
        w.rate.search.roll();
        json::rate_limit(&w)
    };
    ok(v)
}

pub(crate) async fn user(ctx: Ctx) -> ApiResult {
    if ctx.is_installation_token() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "Resource not accessible by integration"));
    }
    let login = ctx.login();
    let mut u = json::user(&ctx.api, &login);
    let now = json::ts(&Utc::now());
    for (k, v) in [
        ("name", Value::Null),
        ("company", Value::Null),
        ("blog", json!("")),
        ("location", Value::Null),
        ("email", Value::Null),
        ("hireable", Value::Null),
        ("bio", Value::Null),
        ("twitter_username", Value::Null),
        ("public_repos", json!(0)),
        ("public_gists", json!(0)),
        ("followers", json!(0)),
        ("following", json!(0)),
        ("created_at", json!(now)),
        ("updated_at", json!(now)),
    ] {
        u[k] = v;
    }
    ok(u)
}

/// App-level routes need a JWT (three dot-separated base64url parts).
fn require_jwt(ctx: &Ctx) -> Result<(), ApiError> {
    let auth = ctx.headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).unwrap_or("");
    let token = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("bearer ")).unwrap_or("");
    let parts: Vec<&str> = token.split('.').collect();
    let b64url = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=');
    if parts.len() == 3 && parts.iter().all(|p| b64url(p)) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "A JSON web token could not be decoded",
        ))
    }
}

pub(crate) async fn app(ctx: Ctx) -> ApiResult {
    require_jwt(&ctx)?;
    let now = json::ts(&Utc::now());
    ok(json!({
        "id": 1,
        "slug": super::APP_SLUG,
        "client_id": "Iv1.fakefakefake",
        "node_id": json::node_id("App", 1),
        "owner": json::user(&ctx.api, "ci-bot-owner"),
        "name": "ci-bot",
        "description": "Fake GitHub App",
        "external_url": "https://example.invalid",
        "html_url": format!("{}/apps/ci-bot", json::HTML),
        "created_at": now,
        "updated_at": now,
        "permissions": {"issues": "write", "actions": "write", "contents": "read", "metadata": "read"},
        "events": [],
        "installations_count": 1,
    }))
}

pub(crate) async fn installation_token(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    require_jwt(&ctx)?;
    let id = parse_num(&id)?;
    let token = {
        let mut w = ctx.app.state.lock();
        let n = w.fresh_id();
        let t = format!("ghs_fake{id}x{n}");
        w.installation_tokens.push(t.clone());
        t
    };
    created(json!({
        "token": token,
        "expires_at": json::ts(&(Utc::now() + chrono::Duration::hours(1))),
        "permissions": {"issues": "write", "actions": "write", "contents": "read", "metadata": "read"},
        "repository_selection": "all",
    }))
}

/// The app installation covering a repo (JWT auth), as used to find which
/// installation to mint a token for.
pub(crate) async fn repo_installation(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    require_jwt(&ctx)?;
    let id = ctx.app.state.lock().installation_id;
    let (owner, owner_id) = ctx.repo(&o, &r, |repo, _| (repo.owner.clone(), json::user_id(&repo.owner)))?;
    let now = json::ts(&Utc::now());
    ok(json!({
        "id": id,
        "account": json::user(&ctx.api, &owner),
        "repository_selection": "all",
        "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", ctx.api),
        "repositories_url": format!("{}/installation/repositories", ctx.api),
        "html_url": format!("{}/settings/installations/{id}", json::HTML),
        "app_id": 1,
        "app_slug": "ci-bot",
        "target_id": owner_id,
        "target_type": "User",
        "permissions": {"issues": "write", "actions": "write", "contents": "read", "metadata": "read"},
        "events": [],
        "created_at": now,
        "updated_at": now,
        "single_file_name": null,
        "has_multiple_single_files": false,
        "single_file_paths": [],
        "suspended_by": null,
        "suspended_at": null,
    }))
}
