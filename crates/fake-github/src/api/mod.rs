//! HTTP surface: the router, GitHub-shaped errors, pagination.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::faults::Faults;
use crate::state::{repo_key, FakeState, Repo, World};

mod actions;
mod admin;
mod compare;
mod issues;
mod misc;
mod runners;
mod teams;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub state: FakeState,
    pub faults: Faults,
    /// The URL the server was started on, for when a request has no Host.
    pub url: String,
    /// Where the blob (log download) listener lives.
    pub blob_addr: std::net::SocketAddr,
}

/// GitHub's body limit for issue and comment bodies, in characters.
pub const BODY_LIMIT: usize = 65_536;

pub(crate) fn router(app: AppState) -> Router {
    Router::new()
        // actions
        .route("/repos/{owner}/{repo}/actions/workflows", get(actions::list_workflows))
        .route("/repos/{owner}/{repo}/actions/workflows/{wf}", get(actions::get_workflow))
        .route("/repos/{owner}/{repo}/actions/workflows/{wf}/runs", get(actions::list_workflow_runs))
        .route("/repos/{owner}/{repo}/actions/workflows/{wf}/dispatches", post(actions::workflow_dispatch))
        .route("/repos/{owner}/{repo}/actions/runs", get(actions::list_runs))
        .route("/repos/{owner}/{repo}/actions/runs/{id}", get(actions::get_run))
        .route("/repos/{owner}/{repo}/actions/runs/{id}/jobs", get(actions::list_jobs))
        .route("/repos/{owner}/{repo}/actions/runs/{id}/attempts/{attempt}/jobs", get(actions::list_attempt_jobs))
        .route("/repos/{owner}/{repo}/actions/runs/{id}/logs", get(actions::run_logs))
        .route("/repos/{owner}/{repo}/actions/runs/{id}/rerun-failed-jobs", post(actions::rerun_failed))
        .route("/repos/{owner}/{repo}/actions/jobs/{id}", get(actions::get_job))
        .route("/repos/{owner}/{repo}/actions/jobs/{id}/logs", get(actions::job_logs))
        .route("/repos/{owner}/{repo}/dispatches", post(actions::repository_dispatch))
        // self-hosted runners, and the runner service a stand-in runner talks to
        .route("/repos/{owner}/{repo}/actions/runners", get(runners::list))
        .route("/repos/{owner}/{repo}/actions/runners/registration-token", post(runners::registration_token))
        .route("/repos/{owner}/{repo}/actions/runners/{id}", get(runners::get).delete(runners::delete))
        .route("/actions/runner-registration", post(runners::register))
        .route("/actions/runner-heartbeat", post(runners::heartbeat))
        .route("/_blob/{token}", get(actions::blob))
        // issues
        .route("/repos/{owner}/{repo}/issues", get(issues::list).post(issues::create))
        .route("/repos/{owner}/{repo}/issues/comments", get(issues::list_repo_comments))
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            // GitHub also accepts POST where it documents PATCH (octocrab's
            // update_comment relies on it).
            get(issues::get_comment)
                .patch(issues::update_comment)
                .post(issues::update_comment)
                .delete(issues::delete_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
            get(issues::list_comment_reactions).post(issues::create_comment_reaction),
        )
        .route("/repos/{owner}/{repo}/issues/{number}", get(issues::get).patch(issues::update).post(issues::update))
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments",
            get(issues::list_comments).post(issues::create_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/labels",
            get(issues::list_issue_labels).post(issues::add_labels).put(issues::set_labels),
        )
        .route("/repos/{owner}/{repo}/issues/{number}/labels/{name}", axum::routing::delete(issues::remove_label))
        .route(
            "/repos/{owner}/{repo}/issues/{number}/reactions",
            get(issues::list_issue_reactions).post(issues::create_issue_reaction),
        )
        .route("/repos/{owner}/{repo}/labels", get(issues::list_labels).post(issues::create_label))
        .route("/repos/{owner}/{repo}/labels/{name}", get(issues::get_label))
        .route("/search/issues", get(issues::search))
        // pulls, contents, misc
        .route("/repos/{owner}/{repo}", get(misc::get_repo))
        .route("/repos/{owner}/{repo}/pulls", get(misc::list_pulls))
        .route("/repos/{owner}/{repo}/pulls/{number}", get(misc::get_pull))
        .route("/repos/{owner}/{repo}/pulls/{number}/files", get(misc::pull_files))
        .route("/repos/{owner}/{repo}/contents/{*path}", get(misc::contents))
        .route("/repos/{owner}/{repo}/collaborators/{user}/permission", get(misc::permission))
        .route("/repos/{owner}/{repo}/compare/{basehead}", get(compare::compare))
        .route("/repos/{owner}/{repo}/commits/{sha}/pulls", get(compare::commit_pulls))
        .route("/orgs/{org}/teams/{team}/memberships/{user}", get(teams::membership))
        .route("/rate_limit", get(misc::rate_limit))
        .route("/user", get(misc::user))
        .route("/repos/{owner}/{repo}/installation", get(misc::repo_installation))
        .route("/app", get(misc::app))
        .route("/app/installations/{id}/access_tokens", post(misc::installation_token))
        // admin
        .route("/_fake/health", get(admin::health))
        .route("/_fake/state", get(admin::state))
        .route("/_fake/faults", get(admin::list_faults).post(admin::add_faults).delete(admin::clear_faults))
        .route("/_fake/requests", get(admin::requests).delete(admin::clear_requests))
        .route("/_fake/settings", post(admin::settings))
        .route("/_fake/expire-log-urls", post(admin::expire_log_urls))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), crate::gate::gate))
        .with_state(app)
}

/// The fake App's slug (`GET /app`).
pub const APP_SLUG: &str = "ci-bot";

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// An error GitHub-style: `{"message", "documentation_url", "status"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: &str) -> Self {
        ApiError {
            status,
            body: json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": status.as_u16().to_string(),
            }),
            headers: Vec::new(),
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not Found")
    }

    pub fn bad_json(e: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, &format!("Problems parsing JSON: {e}"))
    }

    /// 422 "Validation Failed" with one entry in `errors`, as GitHub sends.
    pub fn validation(resource: &str, field: &str, code: &str, message: &str) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
        let mut err = json!({"resource": resource, "code": code, "field": field});
        if !message.is_empty() {
            err["message"] = Value::String(message.to_string());
        }
        e.body["errors"] = json!([err]);
        e
    }

    pub fn missing_field(resource: &str, field: &str) -> Self {
        Self::validation(resource, field, "missing_field", "")
    }

    pub fn body_too_long(resource: &str) -> Self {
        Self::validation(
            resource,
            "body",
            "custom",
            &format!("body is too long (maximum is {BODY_LIMIT} characters)"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = json_response(self.status, &self.body);
        for (k, v) in self.headers {
            r.headers_mut().insert(k, v);
        }
        r
    }
}

pub type ApiResult = Result<Response, ApiError>;

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub fn ok(v: Value) -> ApiResult {
    Ok(json_response(StatusCode::OK, &v))
}

pub fn created(v: Value) -> ApiResult {
    Ok(json_response(StatusCode::CREATED, &v))
}

pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Per-request context: where the client thinks we live, the query, and
/// the app state.
pub(crate) struct Ctx {
    pub api: String,
    pub path: String,
    pub params: HashMap<String, String>,
    /// Query pairs in order, for rebuilding `Link` URLs faithfully.
    pub pairs: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub app: AppState,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let api = match parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            Some(host) => format!("http://{host}"),
            None => app.url.clone(),
        };
        let pairs: Vec<(String, String)> = Query::try_from_uri(&parts.uri)
            .map(|Query(q)| q)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, &format!("bad query: {e}")))?;
        Ok(Ctx {
            api,
            path: parts.uri.path().to_string(),
            params: pairs.iter().cloned().collect(),
            pairs,
            headers: parts.headers.clone(),
            app: app.clone(),
        })
    }
}

impl Ctx {
    pub fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// Run `f` on the repo or answer 404 like GitHub.
    pub fn repo<R>(&self, owner: &str, repo: &str, f: impl FnOnce(&Repo, &World) -> R) -> Result<R, ApiError> {
        let w = self.app.state.lock();
        let r = w.repos.get(&repo_key(owner, repo)).ok_or_else(ApiError::not_found)?;
        Ok(f(r, &w))
    }

    pub fn repo_mut<R>(
        &self,
        owner: &str,
        repo: &str,
        f: impl FnOnce(&mut Repo, &mut u64) -> R,
    ) -> Result<R, ApiError> {
        let mut w = self.app.state.lock();
        let w = &mut *w;
        let r = w.repos.get_mut(&repo_key(owner, repo)).ok_or_else(ApiError::not_found)?;
        Ok(f(r, &mut w.next_id))
    }

    /// The token of `Authorization: <scheme> <token>`.
    fn bearer_token(&self) -> Option<String> {
        self.headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.split_once(' '))
            .map(|(_, t)| t.trim().to_string())
    }

    /// Who the request's token belongs to.
    pub fn login(&self) -> String {
        let token = self.bearer_token();
        let w = self.app.state.lock();
        match token {
            // An App's installation token writes as the App's bot user.
            Some(t) if w.installation_tokens.contains(&t) => format!("{APP_SLUG}[bot]"),
            Some(t) => w.tokens.get(&t).cloned().unwrap_or_else(|| w.login.clone()),
            None => w.login.clone(),
        }
    }

    /// Whether the request carries an App installation token (which, as on
    /// GitHub, cannot read `/user`).
    pub fn is_installation_token(&self) -> bool {
        let token = self.bearer_token();
        token.is_some_and(|t| self.app.state.lock().installation_tokens.contains(&t))
    }

    pub fn page(&self) -> Result<Page, ApiError> {
        let num = |k: &str, default: usize| -> Result<usize, ApiError> {
            match self.param(k) {
                None => Ok(default),
                Some(v) => v.parse::<usize>().map_err(|_| {
                    ApiError::validation("Query", k, "invalid", &format!("{k} must be an integer"))
                }),
            }
        };
        Ok(Page {
            // GitHub silently caps per_page at 100 and treats 0 as the default.
            per_page: match num("per_page", 30)? {
                0 => 30,
                n => n.min(100),
            },
            page: num("page", 1)?.max(1),
        })
    }

    /// Slice `items` to the requested page and add GitHub's `Link` header
    /// (absolute URLs, rel prev/next/last/first).
    pub fn paginate(&self, items: Vec<Value>) -> Result<(Vec<Value>, Option<HeaderValue>), ApiError> {
        let p = self.page()?;
        let total = items.len();
        let last = total.div_ceil(p.per_page).max(1);
        let start = (p.page - 1).saturating_mul(p.per_page).min(total);
        let page_items: Vec<Value> = items.into_iter().skip(start).take(p.per_page).collect();
        let link_to = |n: usize, rel: &str| {
            let mut q: Vec<String> = self
                .pairs
                .iter()
                .filter(|(k, _)| k != "page")
                .map(|(k, v)| format!("{}={}", crate::json::urlencode(k), crate::json::urlencode(v)))
                .collect();
            q.push(format!("page={n}"));
            format!("<{}{}?{}>; rel=\"{rel}\"", self.api, self.path, q.join("&"))
        };
        let mut links = Vec::new();
        if p.page > 1 {
            links.push(link_to((p.page - 1).min(last), "prev"));
        }
        if p.page < last {
            links.push(link_to(p.page + 1, "next"));
            links.push(link_to(last, "last"));
        }
        if p.page > 1 {
            links.push(link_to(1, "first"));
        }
        let header = (!links.is_empty()).then(|| HeaderValue::from_str(&links.join(", ")).ok()).flatten();
        Ok((page_items, header))
    }

    /// A paginated JSON array.
    pub fn page_array(&self, items: Vec<Value>) -> ApiResult {
        let (items, link) = self.paginate(items)?;
        Ok(with_link(json_response(StatusCode::OK, &Value::Array(items)), link))
    }

    /// A paginated `{total_count, <key>: [...]}` envelope (actions, search).
    pub fn page_envelope(&self, key: &str, items: Vec<Value>, extra: Value) -> ApiResult {
        let total = items.len();
        let (items, link) = self.paginate(items)?;
        let mut body = json!({"total_count": total});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                body[k] = v;
            }
        }
        body[key] = Value::Array(items);
        Ok(with_link(json_response(StatusCode::OK, &body), link))
    }
}

fn with_link(mut r: Response, link: Option<HeaderValue>) -> Response {
    if let Some(l) = link {
        r.headers_mut().insert(header::LINK, l);
    }
    r
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub per_page: usize,
    pub page: usize,
}

/// Parse a JSON request body, answering 400 like GitHub on garbage.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(ApiError::bad_json)
}

pub fn parse_num(s: &str) -> Result<u64, ApiError> {
    s.parse().map_err(|_| ApiError::not_found())
}
