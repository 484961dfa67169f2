//! Self-hosted runners: the REST routes a fleet manager uses
//! (`/repos/{o}/{r}/actions/runners...`) and the runner-service routes a
//! stand-in runner uses (`/actions/runner-registration`,
//! `/actions/runner-heartbeat`). State: `crate::runners`.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{created, no_content, ok, parse_body, parse_num, ApiError, ApiResult, Ctx};
use crate::json;
use crate::runners::{RegistrationToken, Runner, REGISTRATION_TOKEN_TTL};
use crate::state::repo_key;

type RepoPath = Path<(String, String)>;
type RepoIdPath = Path<(String, String, String)>;

/// The labels GitHub gives every Linux x64 self-hosted runner.
const READ_ONLY_LABELS: [&str; 3] = ["self-hosted", "Linux", "X64"];

fn runner_json(r: &Runner, offline_after: std::time::Duration) -> Value {
    let labels: Vec<Value> = READ_ONLY_LABELS
        .iter()
        .map(|l| (*l, "read-only"))
        .chain(r.labels.iter().map(|l| (l.as_str(), "custom")))
        .enumerate()
        .map(|(i, (name, kind))| json!({"id": i as u64 + 1, "name": name, "type": kind}))
        .collect();
    json!({
        "id": r.id,
        "runner_group_id": 1,
        "name": r.name,
        "os": "Linux",
        "status": r.status(offline_after),
        "busy": r.busy,
        "ephemeral": false,
        "labels": labels,
    })
}

/// `POST /repos/{o}/{r}/actions/runners/registration-token` (201).
pub(crate) async fn registration_token(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    ctx.repo(&o, &r, |_, _| ())?;
    let now = Utc::now();
    let (token, expires_at) = {
        let mut w = ctx.app.state.lock();
        let n = w.fresh_id();
        // 29 upper-case alphanumerics, the shape of GitHub's tokens.
        let token = format!("AAR{}", crate::state::sha_of(&format!("regtoken{n}{now}")).to_uppercase())
            .chars()
            .take(29)
            .collect::<String>();
        let expires_at = now + REGISTRATION_TOKEN_TTL;
        w.runners.registration_tokens.push(RegistrationToken {
            token: token.clone(),
            repo: repo_key(&o, &r),
            expires_at,
        });
        w.runners.registration_tokens_issued += 1;
        (token, expires_at)
    };
    created(json!({"token": token, "expires_at": json::ts(&expires_at)}))
}

/// `GET /repos/{o}/{r}/actions/runners` (`name` filter, paginated).
pub(crate) async fn list(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    ctx.repo(&o, &r, |_, _| ())?;
    let name = ctx.param("name").map(str::to_string);
    let items: Vec<Value> = {
        let w = ctx.app.state.lock();
        let after = w.runners.offline_after;
        w.runners
            .of_repo(&repo_key(&o, &r))
            .filter(|run| name.as_deref().is_none_or(|n| run.name == n))
            .map(|run| runner_json(run, after))
            .collect()
    };
    ctx.page_envelope("runners", items, json!({}))
}

/// `GET /repos/{o}/{r}/actions/runners/{id}`.
pub(crate) async fn get(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    ctx.repo(&o, &r, |_, _| ())?;
    let id = parse_num(&id)?;
    let w = ctx.app.state.lock();
    let run = w.runners.runners.get(&id).filter(|run| run.repo == repo_key(&o, &r));
    ok(run.map(|run| runner_json(run, w.runners.offline_after)).ok_or_else(ApiError::not_found)?)
}

/// `DELETE /repos/{o}/{r}/actions/runners/{id}`: 204; 422 while the runner
/// runs a job (GitHub refuses to remove a busy runner).
pub(crate) async fn delete(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    ctx.repo(&o, &r, |_, _| ())?;
    let id = parse_num(&id)?;
    let mut w = ctx.app.state.lock();
    let run = w
        .runners
        .runners
        .get(&id)
        .filter(|run| run.repo == repo_key(&o, &r))
        .ok_or_else(ApiError::not_found)?;
    if run.busy {
        // `validation-error-simple`: `errors` holds plain strings here.
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
        e.body["errors"] = json!([format!("Runner \"{}\" is still running a job", run.name)]);
        return Err(e);
    }
    w.runners.runners.remove(&id);
    no_content()
}

#[derive(Deserialize)]
struct RegisterBody {
    /// `https://github.com/{owner}/{repo}`: what `config.sh --url` gets.
    url: String,
    name: String,
    #[serde(default)]
    labels: Vec<String>,
    /// `config.sh --replace`: take over a runner of the same name.
    #[serde(default)]
    replace: bool,
}

fn presented_secret(ctx: &Ctx) -> Option<String> {
    let h = ctx.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(h.split_once(' ')?.1.trim().to_string())
}

fn bad_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Bad credentials")
}

/// `POST /actions/runner-registration` with the registration token as the
/// bearer (201 `{id, name, credential}`): the runner side of `config.sh`.
pub(crate) async fn register(ctx: Ctx, body: Bytes) -> ApiResult {
    let b: RegisterBody = parse_body(&body)?;
    let secret = presented_secret(&ctx).ok_or_else(bad_credentials)?;
    let now = Utc::now();
    let mut w = ctx.app.state.lock();
    let repo = w.runners.redeem(&secret, now).ok_or_else(bad_credentials)?.repo.clone();
    // The token decides the repo; a URL naming another one is a mistake.
    let url_repo = b.url.trim_end_matches('/').rsplitn(3, '/').take(2).collect::<Vec<_>>();
    if url_repo.len() != 2 || repo_key(url_repo[1], url_repo[0]) != repo {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Not Found"));
    }
    if b.name.is_empty() || b.name.len() > 64 {
        return Err(ApiError::validation("Runner", "name", "invalid", "name must be 1 to 64 characters"));
    }
    let existing = w.runners.of_repo(&repo).find(|r| r.name == b.name).map(|r| r.id);
    if let Some(id) = existing {
        if !b.replace {
            return Err(ApiError::validation(
                "Runner",
                "name",
                "already_exists",
                &format!("A runner exists with the same name {:?}", b.name),
            ));
        }
        w.runners.runners.remove(&id);
    }
    let id = w.fresh_id();
    let credential = format!("rc_{}", crate::state::sha_of(&format!("cred{id}{secret}{now}")));
    w.runners.runners.insert(
        id,
        Runner {
            id,
            repo,
            name: b.name.clone(),
            labels: b.labels,
            busy: false,
            registered_at: now,
            heartbeats: 0,
            credential: credential.clone(),
            last_seen: None,
        },
    );
    created(json!({"id": id, "name": b.name, "credential": credential}))
}

/// `POST /actions/runner-heartbeat` with the runner's credential as the
/// bearer: keeps it `online`. 401 once the runner was deleted on GitHub.
pub(crate) async fn heartbeat(ctx: Ctx) -> ApiResult {
    let secret = presented_secret(&ctx).ok_or_else(bad_credentials)?;
    let mut w = ctx.app.state.lock();
    let run = w
        .runners
        .runners
        .values_mut()
        .find(|r| r.credential == secret)
        .ok_or_else(bad_credentials)?;
    run.last_seen = Some(Instant::now());
    run.heartbeats += 1;
    ok(json!({"id": run.id, "name": run.name, "busy": run.busy}))
}
