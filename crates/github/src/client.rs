//! The octocrab implementation of the [`GitHub`] port.
//!
//! octocrab is used as the authenticated HTTP transport (base URL, auth
//! headers, App JWT and installation-token refresh) with its `retry` and
//! `follow-redirect` features off. Everything that decides whether a request
//! may be sent again lives here instead:
//! - every request runs under a timeout that includes reading the body;
//! - GETs retry with exponential backoff and jitter on timeouts, transport
//!   errors and 5xx; writes never do;
//! - any request explicitly refused by a rate limit (429, 403 with
//!   `x-ratelimit-remaining: 0`, `Retry-After`, or a secondary-limit message)
//!   waits and is resent: GitHub did not process it, so resending is not blind;
//! - `x-ratelimit-remaining: 0` on any response holds back the next request
//!   until `x-ratelimit-reset`;
//! - JSON GETs send `If-None-Match` with the last ETag for that URL; a 304
//!   is served from memory and costs no rate limit;
//! - every write first takes a token from the per-run [`WriteBudget`];
//! - requests are counted per operation ([`Client::stats`]).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http::header::{HeaderMap, HeaderValue, ACCEPT, ETAG, IF_NONE_MATCH, LOCATION};
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::types::*;
use crate::{Error, GitHub, Result};

const JSON: &str = "application/vnd.github+json";
const DEFAULT_API_URL: &str = "https://api.github.com";

/// Knobs of the client. `Default` is tuned for a GitHub Actions run.
#[derive(Debug, Clone)]
pub struct Config {
    /// REST base URL (`GITHUB_API_URL`): `https://api.github.com`,
    /// `https://ghe.example.com/api/v3`, or a fake's `http://127.0.0.1:port`.
    pub api_url: String,
    /// Whole-request timeout including the body (downloads: idle time between chunks).
    pub timeout: Duration,
    /// Whole-download timeout for logs.
    pub download_timeout: Duration,
    /// Extra attempts for a failed GET (timeouts, transport errors, 5xx).
    pub max_read_retries: u32,
    /// First backoff; doubles per attempt, with jitter, capped by `max_backoff`.
    pub backoff_base: Duration,
    pub max_backoff: Duration,
    /// Longest we sleep for a rate limit before failing with `RateLimited`.
    pub max_rate_limit_wait: Duration,
    /// Rate-limit refusals resent per request before giving up.
    pub max_rate_limit_retries: u32,
    /// Writes allowed per client (per run).
    pub write_budget: u32,
    /// Pages followed per list call.
    pub max_pages: u32,
    /// See [`GitHub::settle_delay`].
    pub settle_delay: Duration,
    /// See [`GitHub::marker_author`].
    pub marker_author: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_url: DEFAULT_API_URL.into(),
            timeout: Duration::from_secs(30),
            download_timeout: Duration::from_secs(600),
            max_read_retries: 4,
            backoff_base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_rate_limit_wait: Duration::from_secs(120),
            max_rate_limit_retries: 3,
            write_budget: 50,
            max_pages: 100,
            settle_delay: Duration::from_secs(5),
            marker_author: None,
        }
    }
}

/// How the client authenticates.
#[derive(Clone, Default)]
pub enum Auth {
    /// Anonymous (public reads only; 60 requests/hour on github.com).
    #[default]
    None,
    /// `GITHUB_TOKEN`, a PAT or an installation token.
    Token(String),
    /// A GitHub App: the client signs an RS256 JWT with the key and exchanges
    /// it for an installation token (refreshed by octocrab before expiry).
    /// Without `installation_id` the installation of `repo` is looked up.
    App {
        app_id: u64,
        private_key_pem: String,
        installation_id: Option<u64>,
        repo: Option<RepoRef>,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets, not even in debug output.
        match self {
            Auth::None => write!(f, "Auth::None"),
            Auth::Token(_) => write!(f, "Auth::Token(***)"),
            Auth::App {
                app_id,
                installation_id,
                ..
            } => {
                write!(f, "Auth::App {{ app_id: {app_id}, installation_id: {installation_id:?}, key: *** }}")
            }
        }
    }
}

/// Environment variables read by [`Client::from_env`].
pub mod env {
    /// REST base URL; default `https://api.github.com`.
    pub const API_URL: &str = "GITHUB_API_URL";
    /// Token (PAT, `GITHUB_TOKEN` passed through `env:`).
    pub const TOKEN: &str = "GITHUB_TOKEN";
    /// GitHub App id; with `APP_PRIVATE_KEY` takes precedence over `GITHUB_TOKEN`.
    pub const APP_ID: &str = "CI_BOT_APP_ID";
    /// GitHub App private key, PEM text.
    pub const APP_PRIVATE_KEY: &str = "CI_BOT_APP_PRIVATE_KEY";
    /// Installation id; looked up from `GITHUB_REPOSITORY` when unset.
    pub const APP_INSTALLATION_ID: &str = "CI_BOT_APP_INSTALLATION_ID";
    /// `owner/repo` of the run.
    pub const REPOSITORY: &str = "GITHUB_REPOSITORY";
    /// Writes allowed per run; default 50.
    pub const WRITE_BUDGET: &str = "CI_BOT_WRITE_BUDGET";
    /// Per-request timeout in seconds; default 30.
    pub const TIMEOUT_SECS: &str = "CI_BOT_HTTP_TIMEOUT_SECS";
    /// Login whose objects count for marker lookups (e.g. `github-actions[bot]`).
    pub const MARKER_AUTHOR: &str = "CI_BOT_MARKER_AUTHOR";
}

/// The per-run circuit breaker for writes. Exhaustion is an error, never a
/// silent skip, so a runaway loop fails the run loudly after `limit` writes.
#[derive(Debug)]
pub struct WriteBudget {
    limit: u32,
    used: AtomicU32,
}

impl WriteBudget {
    pub fn new(limit: u32) -> Self {
        WriteBudget {
            limit,
            used: AtomicU32::new(0),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn used(&self) -> u32 {
        self.used.load(Ordering::SeqCst).min(self.limit)
    }

    pub fn remaining(&self) -> u32 {
        self.limit - self.used()
    }

    /// Takes one write token or fails with `BudgetExhausted`.
    pub fn spend(&self, op: &str) -> Result<()> {
        let taken = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |u| {
                (u < self.limit).then_some(u + 1)
            });
        taken.map(|_| ()).map_err(|_| Error::BudgetExhausted {
            op: op.to_string(),
            limit: self.limit,
        })
    }
}

/// Request counters, by operation name (e.g. `list_comments`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// HTTP requests sent, including retries and extra pages.
    pub requests: BTreeMap<String, u64>,
    /// 304 Not Modified answers served from the ETag cache (no rate-limit cost).
    pub conditional_hits: BTreeMap<String, u64>,
    /// Resends (read retries and rate-limit waits).
    pub retries: BTreeMap<String, u64>,
    /// Write-budget tokens used.
    pub writes: u32,
}

impl Stats {
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    pub fn total_conditional_hits(&self) -> u64 {
        self.conditional_hits.values().sum()
    }

    pub fn requests_for(&self, op: &str) -> u64 {
        self.requests.get(op).copied().unwrap_or(0)
    }
}

/// Builder for [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    config: Config,
    auth: Auth,
}

impl ClientBuilder {
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.config.api_url = url.into();
        self
    }

    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.auth = Auth::Token(token.into());
        self
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Edit the config in place: `.configure(|c| c.write_budget = 5)`.
    pub fn configure(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Builds the client; for App auth this resolves the installation (one request).
    pub async fn build(self) -> Result<Client> {
        let mut cfg = self.config;
        cfg.api_url = cfg.api_url.trim().trim_end_matches('/').to_string();
        if cfg.api_url.is_empty() {
            cfg.api_url = DEFAULT_API_URL.into();
        }
        let base: http::Uri = cfg.api_url.parse().map_err(|e| {
            Error::Config(format!(
                "GITHUB_API_URL {:?} is not a URL: {e}",
                cfg.api_url
            ))
        })?;
        if base.scheme().is_none() || base.authority().is_none() {
            return Err(Error::Config(format!(
                "GITHUB_API_URL {:?} needs a scheme and host",
                cfg.api_url
            )));
        }
        let origin = format!(
            "{}://{}",
            base.scheme_str().unwrap_or("https"),
            base.authority().map(|a| a.as_str()).unwrap_or("")
        );
        let base_path = base.path().trim_end_matches('/').to_string();

        // The connector's read/write timeouts are only a safety net, set
        // above ours so our own `Timeout` (which covers the body too) fires first.
        let builder = || -> Result<octocrab::OctocrabBuilder<_, _, _, _>> {
            Ok(octocrab::OctocrabBuilder::new()
                .base_uri(cfg.api_url.as_str())
                .map_err(|e| Error::Config(format!("GITHUB_API_URL {:?}: {e}", cfg.api_url)))?
                .set_connect_timeout(Some(cfg.timeout))
                .set_read_timeout(Some(cfg.timeout * 2))
                .set_write_timeout(Some(cfg.timeout * 2)))
        };
        let build_err = |e: octocrab::Error| {
            Error::Config(format!("building the HTTP client: {}", one_line(&e)))
        };
        let blob = builder()?.build().map_err(build_err)?;
        let api = match &self.auth {
            Auth::None => builder()?.build().map_err(build_err)?,
            Auth::Token(t) => builder()?
                .personal_token(t.clone())
                .build()
                .map_err(build_err)?,
            Auth::App {
                app_id,
                private_key_pem,
                installation_id,
                repo,
            } => {
                let app = builder()?
                    .app_from_rsa_pem(octocrab::models::AppId(*app_id), private_key_pem.as_bytes())
                    .map_err(|e| {
                        Error::Config(format!("GitHub App private key: {}", one_line(&e)))
                    })?
                    .build()
                    .map_err(build_err)?;
                let id = match (installation_id, repo) {
                    (Some(id), _) => *id,
                    (None, Some(repo)) => find_installation(&app, repo, cfg.timeout).await?,
                    (None, None) => return Err(Error::Config(
                        "GitHub App auth needs an installation id or a repository to look it up"
                            .into(),
                    )),
                };
                app.installation(octocrab::models::InstallationId(id))
                    .map_err(build_err)?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                blob,
                origin,
                base_path,
                budget: WriteBudget::new(cfg.write_budget),
                cfg,
                stats: Mutex::new(Stats::default()),
                etags: Mutex::new(HashMap::new()),
                gate: Mutex::new(HashMap::new()),
            }),
        })
    }
}

async fn find_installation(app: &Octocrab, repo: &RepoRef, timeout: Duration) -> Result<u64> {
    let op = "get_repo_installation";
    let path = format!("{}/installation", repo.api_path());
    let fut = async {
        let req = app
            .build_request(
                http::Request::builder()
                    .method(Method::GET)
                    .uri(path)
                    .header(ACCEPT, JSON),
                None::<&()>,
            )
            .map_err(|e| transport(op, &e))?;
        let resp = app.execute(req).await.map_err(|e| transport(op, &e))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| transport(op, &e))?
            .to_bytes();
        if !status.is_success() {
            return Err(status_error(op, status, &body));
        }
        let v: Value = decode(op, &body)?;
        v.get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| Error::Decode {
                op: op.into(),
                message: "no installation id".into(),
            })
    };
    tokio::time::timeout(timeout, fut)
        .await
        .map_err(|_| Error::Timeout {
            op: op.into(),
            after: timeout,
        })?
}

/// The production [`GitHub`] implementation. Cheap to clone; clones share
/// the write budget, counters, ETag cache and rate-limit state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Authenticated; relative URIs only (octocrab joins them to the base).
    api: Octocrab,
    /// No credentials at all: fetches redirect targets (log blobs).
    blob: Octocrab,
    /// `scheme://host[:port]` of the API.
    origin: String,
    /// Path prefix of the API (`/api/v3` on GHES), no trailing slash.
    base_path: String,
    cfg: Config,
    budget: WriteBudget,
    stats: Mutex<Stats>,
    etags: Mutex<HashMap<String, (HeaderValue, Bytes)>>,
    /// Per rate-limit resource (`core`, `search`, ...): earliest time the
    /// next request may go out, because the primary limit is exhausted.
    gate: Mutex<HashMap<String, Gate>>,
}

const MAX_ETAG_ENTRIES: usize = 2048;

/// Hold requests until this instant; the API's reset time for error messages.
type Gate = (Instant, Option<DateTime<Utc>>);

struct Response {
    headers: HeaderMap,
    body: Bytes,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Reads [`env`]: `GITHUB_API_URL`; App credentials if `CI_BOT_APP_ID` and
    /// `CI_BOT_APP_PRIVATE_KEY` are set, else `GITHUB_TOKEN`, else anonymous;
    /// `CI_BOT_WRITE_BUDGET`, `CI_BOT_HTTP_TIMEOUT_SECS`, `CI_BOT_MARKER_AUTHOR`.
    /// `token` (e.g. an action input) overrides `GITHUB_TOKEN`.
    pub async fn from_env(token: Option<String>) -> Result<Client> {
        Self::builder_from_env(token)?.build().await
    }

    /// Like [`Client::from_env`] but returns the builder for further tweaks.
    pub fn builder_from_env(token: Option<String>) -> Result<ClientBuilder> {
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut b = Client::builder();
        if let Some(url) = var(env::API_URL) {
            b = b.api_url(url);
        }
        let token = token
            .filter(|t| !t.trim().is_empty())
            .or_else(|| var(env::TOKEN));
        b.auth = match (
            var(env::APP_ID),
            std::env::var(env::APP_PRIVATE_KEY)
                .ok()
                .filter(|k| !k.trim().is_empty()),
        ) {
            (Some(id), Some(key)) => Auth::App {
                app_id: id.parse().map_err(|_| {
                    Error::Config(format!("{} {id:?} is not a number", env::APP_ID))
                })?,
                private_key_pem: key,
                installation_id: match var(env::APP_INSTALLATION_ID) {
                    Some(i) => Some(i.parse().map_err(|_| {
                        Error::Config(format!(
                            "{} {i:?} is not a number",
                            env::APP_INSTALLATION_ID
                        ))
                    })?),
                    None => None,
                },
                repo: var(env::REPOSITORY).map(|r| r.parse()).transpose()?,
            },
            _ => token.map(Auth::Token).unwrap_or(Auth::None),
        };
        if let Some(n) = var(env::WRITE_BUDGET) {
            b.config.write_budget = n.parse().map_err(|_| {
                Error::Config(format!("{} {n:?} is not a number", env::WRITE_BUDGET))
            })?;
        }
        if let Some(n) = var(env::TIMEOUT_SECS) {
            let secs: f64 = n.parse().map_err(|_| {
                Error::Config(format!("{} {n:?} is not a number", env::TIMEOUT_SECS))
            })?;
            if !(secs > 0.0 && secs < 3600.0) {
                return Err(Error::Config(format!(
                    "{} {n:?} out of range",
                    env::TIMEOUT_SECS
                )));
            }
            b.config.timeout = Duration::from_secs_f64(secs);
        }
        b.config.marker_author = var(env::MARKER_AUTHOR);
        Ok(b)
    }

    pub fn config(&self) -> &Config {
        &self.inner.cfg
    }

    /// The write budget shared by all clones of this client.
    pub fn budget(&self) -> &WriteBudget {
        &self.inner.budget
    }

    /// Snapshot of the request counters.
    pub fn stats(&self) -> Stats {
        let mut s = self
            .inner
            .stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        s.writes = self.inner.budget.used();
        s
    }

    /// Zeroes the counters (not the budget), e.g. between benchmark phases.
    pub fn reset_stats(&self) {
        *self.inner.stats.lock().unwrap_or_else(|p| p.into_inner()) = Stats::default();
    }

    fn bump(&self, field: fn(&mut Stats) -> &mut BTreeMap<String, u64>, op: &str) {
        let mut s = self.inner.stats.lock().unwrap_or_else(|p| p.into_inner());
        *field(&mut s).entry(op.to_string()).or_default() += 1;
    }

    /// Sleeps while the primary rate limit of the resource `path` uses is
    /// known to be exhausted (search has its own, much smaller, limit).
    async fn wait_for_gate(&self, op: &str, path: &str) -> Result<()> {
        let gate = self
            .inner
            .gate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(resource_of(path))
            .copied();
        if let Some((until, reset)) = gate {
            let now = Instant::now();
            if until > now {
                if until - now > self.inner.cfg.max_rate_limit_wait {
                    return Err(Error::RateLimited {
                        op: op.into(),
                        reset,
                    });
                }
                tokio::time::sleep(until - now).await;
            }
        }
        Ok(())
    }

    fn note_rate_headers(&self, headers: &HeaderMap) {
        if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
            if let Some(reset) = header_u64(headers, "x-ratelimit-reset") {
                let wait = reset_wait(reset);
                let when = Utc.timestamp_opt(reset as i64, 0).single();
                let resource = headers
                    .get("x-ratelimit-resource")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("core")
                    .to_string();
                self.inner
                    .gate
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(resource, (Instant::now() + wait, when));
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.inner.cfg;
        let exp = cfg.backoff_base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(cfg.max_backoff);
        // Full jitter in [50%, 100%]: concurrent runs must not retry in lockstep.
        capped.mul_f64(rand::random_range(0.5..=1.0))
    }

    /// Sends one logical request (with the retries allowed for its method).
    async fn call(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: &str,
    ) -> Result<Response> {
        let is_read = method == Method::GET;
        if !is_read {
            self.inner.budget.spend(op)?;
        }
        let cache_key = format!("{accept} {path}");
        let mut read_attempt = 0u32;
        let mut limit_attempt = 0u32;
        loop {
            self.wait_for_gate(op, path).await?;
            self.bump(|s| &mut s.requests, op);
            let etag = if is_read {
                self.inner
                    .etags
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&cache_key)
                    .map(|(e, _)| e.clone())
            } else {
                None
            };
            let mut rb = http::Request::builder()
                .method(method.clone())
                .uri(path)
                .header(ACCEPT, accept);
            if let Some(etag) = &etag {
                rb = rb.header(IF_NONE_MATCH, etag.clone());
            }
            let api = &self.inner.api;
            let fut = async {
                let req = api.build_request(rb, body).map_err(|e| transport(op, &e))?;
                let resp = api.execute(req).await.map_err(|e| transport(op, &e))?;
                let (parts, b) = resp.into_parts();
                let bytes = b.collect().await.map_err(|e| transport(op, &e))?.to_bytes();
                Ok::<_, Error>((parts, bytes))
            };
            let timeout = self.inner.cfg.timeout;
            let err = match tokio::time::timeout(timeout, fut).await {
                Err(_) => Error::Timeout {
                    op: op.into(),
                    after: timeout,
                },
                Ok(Err(e)) => e,
                Ok(Ok((parts, bytes))) => {
                    self.note_rate_headers(&parts.headers);
                    let status = parts.status;
                    if status == StatusCode::NOT_MODIFIED {
                        let cached = self
                            .inner
                            .etags
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get(&cache_key)
                            .cloned();
                        if let Some((_, body)) = cached {
                            self.bump(|s| &mut s.conditional_hits, op);
                            return Ok(Response {
                                headers: parts.headers,
                                body,
                            });
                        }
                    }
                    if let Some((wait, reset)) = rate_limit_wait(status, &parts.headers, &bytes) {
                        // GitHub refused without processing: resending is safe for writes too.
                        if limit_attempt < self.inner.cfg.max_rate_limit_retries
                            && wait <= self.inner.cfg.max_rate_limit_wait
                        {
                            limit_attempt += 1;
                            self.bump(|s| &mut s.retries, op);
                            tracing::warn!(
                                op,
                                wait_ms = wait.as_millis() as u64,
                                "rate limited; waiting"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        return Err(Error::RateLimited {
                            op: op.into(),
                            reset,
                        });
                    }
                    if status.is_success() {
                        if is_read {
                            if let Some(tag) = parts.headers.get(ETAG) {
                                let mut cache =
                                    self.inner.etags.lock().unwrap_or_else(|p| p.into_inner());
                                if cache.len() >= MAX_ETAG_ENTRIES {
                                    cache.clear();
                                }
                                cache.insert(cache_key.clone(), (tag.clone(), bytes.clone()));
                            }
                        }
                        return Ok(Response {
                            headers: parts.headers,
                            body: bytes,
                        });
                    }
                    let err = status_error(op, status, &bytes);
                    if !status.is_server_error() {
                        return Err(err);
                    }
                    err
                }
            };
            // Only idempotent reads are resent; a write that timed out may
            // have landed, and only the caller can look before acting again.
            if !is_read || read_attempt >= self.inner.cfg.max_read_retries {
                return Err(err);
            }
            read_attempt += 1;
            self.bump(|s| &mut s.retries, op);
            tracing::debug!(op, attempt = read_attempt, error = %err, "retrying read");
            tokio::time::sleep(self.backoff(read_attempt - 1)).await;
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, op: &'static str, path: &str) -> Result<T> {
        let resp = self.call(op, Method::GET, path, None, JSON).await?;
        decode(op, &resp.body)
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<T> {
        let resp = self.call(op, method, path, Some(body), JSON).await?;
        decode(op, &resp.body)
    }

    /// Follows `Link: rel="next"` from `first`. `key` selects the array in
    /// wrapped responses (`{"total_count":..,"jobs":[..]}`).
    async fn get_pages<T: DeserializeOwned>(
        &self,
        op: &'static str,
        first: String,
        key: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            let resp = self.call(op, Method::GET, &path, None, JSON).await?;
            let v: Value = decode(op, &resp.body)?;
            let items = match key {
                Some(k) => v.get(k).cloned().ok_or_else(|| Error::Decode {
                    op: op.into(),
                    message: format!("no {k:?} array"),
                })?,
                None => v,
            };
            let items: Vec<T> = serde_json::from_value(items).map_err(|e| Error::Decode {
                op: op.into(),
                message: e.to_string(),
            })?;
            let empty = items.is_empty();
            out.extend(items);
            if limit.is_some_and(|l| out.len() >= l) {
                out.truncate(limit.unwrap_or(usize::MAX));
                break;
            }
            if empty || pages >= self.inner.cfg.max_pages {
                break;
            }
            next = next_link(&resp.headers)
                .map(|url| self.relative(&url))
                .transpose()?;
        }
        Ok(out)
    }

    /// Turns an absolute API URL from a `Link` header into a path relative to
    /// the base, so the request goes through the authenticated base only.
    fn relative(&self, url: &str) -> Result<String> {
        let bad = || Error::Decode {
            op: "pagination".into(),
            message: format!("next link {url:?} is not under the API base"),
        };
        let full_base = format!("{}{}", self.inner.origin, self.inner.base_path);
        let rest = if let Some(rest) = url.strip_prefix(&full_base) {
            rest.to_string()
        } else if url.starts_with('/') {
            url.strip_prefix(self.inner.base_path.as_str())
                .ok_or_else(bad)?
                .to_string()
        } else {
            // Same API under another host spelling (localhost vs 127.0.0.1): keep the path.
            let uri: http::Uri = url.parse().map_err(|_| bad())?;
            let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            pq.strip_prefix(self.inner.base_path.as_str())
                .ok_or_else(bad)?
                .to_string()
        };
        if rest.starts_with('/') {
            Ok(rest)
        } else {
            Err(bad())
        }
    }

    /// GET `path` on the API without following redirects; a 3xx `Location` is
    /// fetched by the credential-less client. Streams the body to `sink`.
    async fn download(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        let deadline = self.inner.cfg.download_timeout;
        match tokio::time::timeout(deadline, self.download_inner(op, path, sink)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                op: op.into(),
                after: deadline,
            }),
        }
    }

    async fn download_inner(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        let timeout = self.inner.cfg.timeout;
        let mut attempt = 0u32;
        let mut limit_attempt = 0u32;
        loop {
            let mut written = 0u64;
            let mut limit_wait = None;
            let result = self
                .download_once(op, path, sink, &mut written, &mut limit_wait)
                .await;
            match result {
                Ok(()) => return Ok(written),
                // Refused by a rate limit before anything was sent to us.
                Err(e @ Error::RateLimited { .. }) => match limit_wait {
                    Some(wait)
                        if wait <= self.inner.cfg.max_rate_limit_wait
                            && limit_attempt < self.inner.cfg.max_rate_limit_retries =>
                    {
                        limit_attempt += 1;
                        self.bump(|s| &mut s.retries, op);
                        tracing::warn!(
                            op,
                            wait_ms = wait.as_millis() as u64,
                            "rate limited; waiting"
                        );
                        tokio::time::sleep(wait).await;
                    }
                    _ => return Err(e),
                },
                // Resend only if the sink is untouched: a half-written sink
                // cannot be rewound here.
                Err(e)
                    if e.is_transient()
                        && written == 0
                        && attempt < self.inner.cfg.max_read_retries =>
                {
                    attempt += 1;
                    self.bump(|s| &mut s.retries, op);
                    tracing::debug!(op, attempt, error = %e, timeout_ms = timeout.as_millis() as u64, "retrying download");
                    tokio::time::sleep(self.backoff(attempt - 1)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn download_once(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
        written: &mut u64,
        limit_wait: &mut Option<Duration>,
    ) -> Result<()> {
        let timeout = self.inner.cfg.timeout;
        self.wait_for_gate(op, path).await?;
        self.bump(|s| &mut s.requests, op);
        let api = &self.inner.api;
        let rb = http::Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(ACCEPT, JSON);
        let req = api
            .build_request(rb, None::<&()>)
            .map_err(|e| transport(op, &e))?;
        let resp = tokio::time::timeout(timeout, api.execute(req))
            .await
            .map_err(|_| Error::Timeout {
                op: op.into(),
                after: timeout,
            })?
            .map_err(|e| transport(op, &e))?;
        self.note_rate_headers(resp.headers());
        let status = resp.status();
        let resp = if status.is_redirection() {
            let location = resp
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| Error::Decode {
                    op: op.into(),
                    message: format!("HTTP {status} without Location"),
                })?
                .to_string();
            let location = if location.starts_with('/') {
                format!("{}{location}", self.inner.origin)
            } else {
                location
            };
            let blob_op = blob_op(op);
            self.bump(|s| &mut s.requests, blob_op);
            let blob = &self.inner.blob;
            let rb = http::Request::builder()
                .method(Method::GET)
                .uri(location.as_str());
            let req = blob
                .build_request(rb, None::<&()>)
                .map_err(|e| transport(blob_op, &e))?;
            let r = tokio::time::timeout(timeout, blob.execute(req))
                .await
                .map_err(|_| Error::Timeout {
                    op: blob_op.into(),
                    after: timeout,
                })?
                .map_err(|e| transport(blob_op, &e))?;
            if !r.status().is_success() {
                let st = r.status();
                let body = tokio::time::timeout(timeout, r.into_body().collect())
                    .await
                    .ok()
                    .and_then(|b| b.ok())
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                return Err(status_error(blob_op, st, &body));
            }
            r
        } else if status.is_success() {
            resp
        } else {
            let headers = resp.headers().clone();
            let body = tokio::time::timeout(timeout, resp.into_body().collect())
                .await
                .ok()
                .and_then(|b| b.ok())
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            if let Some((wait, reset)) = rate_limit_wait(status, &headers, &body) {
                *limit_wait = Some(wait);
                return Err(Error::RateLimited {
                    op: op.into(),
                    reset,
                });
            }
            return Err(status_error(op, status, &body));
        };
        let mut body = resp.into_body();
        loop {
            let frame = tokio::time::timeout(timeout, body.frame())
                .await
                .map_err(|_| Error::Timeout {
                    op: op.into(),
                    after: timeout,
                })?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| transport(op, &e))?;
            if let Ok(data) = frame.into_data() {
                sink.write_all(&data).map_err(|source| Error::Io {
                    op: op.into(),
                    source,
                })?;
                *written += data.len() as u64;
            }
        }
        sink.flush().map_err(|source| Error::Io {
            op: op.into(),
            source,
        })?;
        Ok(())
    }

    async fn write_no_content(&self, op: &'static str, path: &str, body: &Value) -> Result<()> {
        self.call(op, Method::POST, path, Some(body), JSON)
            .await
            .map(|_| ())
    }
}

fn blob_op(op: &'static str) -> &'static str {
    match op {
        "download_job_log" => "download_job_log.blob",
        "download_run_logs_zip" => "download_run_logs_zip.blob",
        _ => "download.blob",
    }
}

impl GitHub for Client {
    async fn list_workflow_runs(&self, repo: &RepoRef, f: &RunFilter) -> Result<Vec<WorkflowRun>> {
        let base = match &f.workflow {
            Some(w) => format!("{}/actions/workflows/{}/runs", repo.api_path(), enc(w)),
            None => format!("{}/actions/runs", repo.api_path()),
        };
        let per_page = f.limit.map(|l| l.clamp(1, 100)).unwrap_or(100);
        let q = query(&[
            ("branch", f.branch.as_deref()),
            ("event", f.event.as_deref()),
            ("status", f.status.as_deref()),
            ("created", f.created.as_deref()),
            ("head_sha", f.head_sha.as_deref()),
            ("per_page", Some(&per_page.to_string())),
        ]);
        self.get_pages(
            "list_workflow_runs",
            format!("{base}?{q}"),
            Some("workflow_runs"),
            f.limit,
        )
        .await
    }

    async fn get_workflow_run(&self, repo: &RepoRef, run_id: u64) -> Result<WorkflowRun> {
        self.get_json(
            "get_workflow_run",
            &format!("{}/actions/runs/{run_id}", repo.api_path()),
        )
        .await
    }

    async fn list_jobs(&self, repo: &RepoRef, run_id: u64) -> Result<Vec<Job>> {
        let path = format!(
            "{}/actions/runs/{run_id}/jobs?filter=latest&per_page=100",
            repo.api_path()
        );
        self.get_pages("list_jobs", path, Some("jobs"), None).await
    }

    async fn download_job_log(
        &self,
        repo: &RepoRef,
        job_id: u64,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        self.download(
            "download_job_log",
            &format!("{}/actions/jobs/{job_id}/logs", repo.api_path()),
            sink,
        )
        .await
    }

    async fn download_run_logs_zip(
        &self,
        repo: &RepoRef,
        run_id: u64,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        self.download(
            "download_run_logs_zip",
            &format!("{}/actions/runs/{run_id}/logs", repo.api_path()),
            sink,
        )
        .await
    }

    async fn rerun_failed_jobs(&self, repo: &RepoRef, run_id: u64) -> Result<()> {
        let path = format!(
            "{}/actions/runs/{run_id}/rerun-failed-jobs",
            repo.api_path()
        );
        self.write_no_content("rerun_failed_jobs", &path, &json!({}))
            .await
    }

    async fn create_runner_registration_token(&self, repo: &RepoRef) -> Result<RegistrationToken> {
        let path = format!("{}/actions/runners/registration-token", repo.api_path());
        self.send_json("create_runner_registration_token", Method::POST, &path, &json!({}))
            .await
    }

    async fn list_runners(&self, repo: &RepoRef) -> Result<Vec<SelfHostedRunner>> {
        let path = format!("{}/actions/runners?per_page=100", repo.api_path());
        self.get_pages("list_runners", path, Some("runners"), None).await
    }

    async fn delete_runner(&self, repo: &RepoRef, runner_id: u64) -> Result<()> {
        let path = format!("{}/actions/runners/{runner_id}", repo.api_path());
        match self.call("delete_runner", Method::DELETE, &path, None, JSON).await {
            Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn create_issue(&self, repo: &RepoRef, issue: &NewIssue) -> Result<Issue> {
        let body = serde_json::to_value(issue).map_err(|e| Error::Decode {
            op: "create_issue".into(),
            message: e.to_string(),
        })?;
        self.send_json(
            "create_issue",
            Method::POST,
            &format!("{}/issues", repo.api_path()),
            &body,
        )
        .await
    }

    async fn get_issue(&self, repo: &RepoRef, number: u64) -> Result<Issue> {
        self.get_json("get_issue", &format!("{}/issues/{number}", repo.api_path()))
            .await
    }

    async fn update_issue(
        &self,
        repo: &RepoRef,
        number: u64,
        update: &IssueUpdate,
    ) -> Result<Issue> {
        let body = serde_json::to_value(update).map_err(|e| Error::Decode {
            op: "update_issue".into(),
            message: e.to_string(),
        })?;
        self.send_json(
            "update_issue",
            Method::PATCH,
            &format!("{}/issues/{number}", repo.api_path()),
            &body,
        )
        .await
    }

    async fn list_issues(&self, repo: &RepoRef, f: &IssueFilter) -> Result<Vec<Issue>> {
        let labels = (!f.labels.is_empty()).then(|| f.labels.join(","));
        let since = f
            .since
            .map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let q = query(&[
            ("state", Some(f.state.as_str())),
            ("labels", labels.as_deref()),
            ("since", since.as_deref()),
            ("sort", Some("created")),
            ("direction", Some("asc")),
            ("per_page", Some("100")),
        ]);
        let all: Vec<Issue> = self
            .get_pages(
                "list_issues",
                format!("{}/issues?{q}", repo.api_path()),
                None,
                None,
            )
            .await?;
        Ok(all
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .collect())
    }

    async fn search_issues(&self, q: &str, limit: usize) -> Result<Vec<Issue>> {
        let per_page = limit.clamp(1, 100).to_string();
        let path = format!(
            "/search/issues?{}",
            query(&[("q", Some(q)), ("per_page", Some(&per_page))])
        );
        self.get_pages("search_issues", path, Some("items"), Some(limit))
            .await
    }

    async fn list_comments(
        &self,
        repo: &RepoRef,
        issue: u64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<IssueComment>> {
        let since = since.map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let q = query(&[("since", since.as_deref()), ("per_page", Some("100"))]);
        self.get_pages(
            "list_comments",
            format!("{}/issues/{issue}/comments?{q}", repo.api_path()),
            None,
            None,
        )
        .await
    }

    async fn create_comment(&self, repo: &RepoRef, issue: u64, body: &str) -> Result<IssueComment> {
        let path = format!("{}/issues/{issue}/comments", repo.api_path());
        self.send_json(
            "create_comment",
            Method::POST,
            &path,
            &json!({ "body": body }),
        )
        .await
    }

    async fn update_comment(
        &self,
        repo: &RepoRef,
        comment_id: u64,
        body: &str,
    ) -> Result<IssueComment> {
        let path = format!("{}/issues/comments/{comment_id}", repo.api_path());
        self.send_json(
            "update_comment",
            Method::PATCH,
            &path,
            &json!({ "body": body }),
        )
        .await
    }

    async fn delete_comment(&self, repo: &RepoRef, comment_id: u64) -> Result<()> {
        let path = format!("{}/issues/comments/{comment_id}", repo.api_path());
        match self
            .call("delete_comment", Method::DELETE, &path, None, JSON)
            .await
        {
            Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn react_to_comment(
        &self,
        repo: &RepoRef,
        comment_id: u64,
        reaction: Reaction,
    ) -> Result<()> {
        let path = format!("{}/issues/comments/{comment_id}/reactions", repo.api_path());
        self.write_no_content("react_to_comment", &path, &json!({ "content": reaction }))
            .await
    }

    async fn react_to_issue(&self, repo: &RepoRef, issue: u64, reaction: Reaction) -> Result<()> {
        let path = format!("{}/issues/{issue}/reactions", repo.api_path());
        self.write_no_content("react_to_issue", &path, &json!({ "content": reaction }))
            .await
    }

    async fn get_pull_request(&self, repo: &RepoRef, number: u64) -> Result<PullRequest> {
        self.get_json(
            "get_pull_request",
            &format!("{}/pulls/{number}", repo.api_path()),
        )
        .await
    }

    async fn list_pull_request_files(&self, repo: &RepoRef, number: u64) -> Result<Vec<PrFile>> {
        let path = format!("{}/pulls/{number}/files?per_page=100", repo.api_path());
        self.get_pages("list_pull_request_files", path, None, None)
            .await
    }

    async fn get_pull_request_diff(&self, repo: &RepoRef, number: u64) -> Result<String> {
        let path = format!("{}/pulls/{number}", repo.api_path());
        let resp = self
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

    async fn get_file(
        &self,
        repo: &RepoRef,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>> {
        let op = "get_file";
        let encoded: Vec<String> = path.trim_matches('/').split('/').map(enc).collect();
        let url = format!(
            "{}/contents/{}?{}",
            repo.api_path(),
            encoded.join("/"),
            query(&[("ref", git_ref)])
        );
        let v: Value = match self.get_json(op, &url).await {
            Ok(v) => v,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if v.is_array()
            || v.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t != "file")
        {
            return Err(Error::Decode {
                op: op.into(),
                message: format!("{path} is not a file"),
            });
        }
        match (
            v.get("encoding").and_then(Value::as_str),
            v.get("content").and_then(Value::as_str),
        ) {
            (Some("base64"), Some(content)) => {
                use base64::Engine as _;
                let clean: String = content
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map(Some)
                    .map_err(|e| Error::Decode {
                        op: op.into(),
                        message: format!("content of {path}: {e}"),
                    })
            }
            // Files over 1 MB come without inline content: ask for the raw media type.
            _ => {
                let resp = self
                    .call(op, Method::GET, &url, None, "application/vnd.github.raw")
                    .await?;
                Ok(Some(resp.body.to_vec()))
            }
        }
    }

    async fn repository_dispatch(
        &self,
        repo: &RepoRef,
        event_type: &str,
        client_payload: &Value,
    ) -> Result<()> {
        let body = json!({ "event_type": event_type, "client_payload": client_payload });
        self.write_no_content(
            "repository_dispatch",
            &format!("{}/dispatches", repo.api_path()),
            &body,
        )
        .await
    }

    async fn workflow_dispatch(
        &self,
        repo: &RepoRef,
        workflow: &str,
        git_ref: &str,
        inputs: &Value,
    ) -> Result<()> {
        let path = format!(
            "{}/actions/workflows/{}/dispatches",
            repo.api_path(),
            enc(workflow)
        );
        let body = json!({ "ref": git_ref, "inputs": inputs });
        self.write_no_content("workflow_dispatch", &path, &body)
            .await
    }

    fn marker_author(&self) -> Option<&str> {
        self.inner.cfg.marker_author.as_deref()
    }

    fn settle_delay(&self) -> Duration {
        self.inner.cfg.settle_delay
    }
}

// ----- helpers --------------------------------------------------------------

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", enc(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// The rate-limit resource a request path draws from.
fn resource_of(path: &str) -> &'static str {
    if path.starts_with("/search/") {
        "search"
    } else {
        "core"
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn reset_wait(reset_epoch: u64) -> Duration {
    let now = Utc::now().timestamp();
    // One second of slack: reset is whole seconds and clocks drift.
    Duration::from_secs((reset_epoch as i64 - now).max(0) as u64 + 1)
}

/// If the response is a rate-limit refusal: how long to wait, and the reset time.
fn rate_limit_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<(Duration, Option<DateTime<Utc>>)> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let reset = header_u64(headers, "x-ratelimit-reset");
    let reset_at = reset.and_then(|r| Utc.timestamp_opt(r as i64, 0).single());
    if let Some(secs) = header_u64(headers, "retry-after") {
        return Some((Duration::from_secs(secs), reset_at));
    }
    if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
        return Some((
            reset.map(reset_wait).unwrap_or(Duration::from_secs(60)),
            reset_at,
        ));
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    if status == StatusCode::TOO_MANY_REQUESTS
        || text.contains("secondary rate limit")
        || text.contains("abuse detection")
    {
        // GitHub's advice without headers: wait at least a minute.
        return Some((Duration::from_secs(60), reset_at));
    }
    None
}

fn status_error(op: &str, status: StatusCode, body: &[u8]) -> Error {
    let message = api_message(body);
    match status.as_u16() {
        404 | 410 => Error::NotFound { op: op.into() },
        422 => Error::Validation {
            op: op.into(),
            message,
        },
        s => Error::Http {
            op: op.into(),
            status: s,
            message,
        },
    }
}

/// GitHub's `{"message": ..., "errors": [...]}` as one short line.
fn api_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => {
            let mut m = v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(errs) = v.get("errors").and_then(Value::as_array) {
                let details: Vec<String> = errs
                    .iter()
                    .map(|e| {
                        e.get("message")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| e.to_string())
                    })
                    .collect();
                if !details.is_empty() {
                    m = format!("{m} ({})", details.join("; "));
                }
            }
            m
        }
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "(no message)".into()
    } else {
        line.chars().take(300).collect()
    }
}

fn decode<T: DeserializeOwned>(op: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        op: op.into(),
        message: e.to_string(),
    })
}

fn transport(op: &str, e: &dyn std::error::Error) -> Error {
    Error::Transport {
        op: op.into(),
        message: one_line(e),
    }
}

/// An error and its sources on one line.
fn one_line(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_next_link() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::LINK,
            HeaderValue::from_static(
                "<https://api.github.com/repos/o/r/issues?page=3>; rel=\"last\", <https://api.github.com/repos/o/r/issues?page=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/repos/o/r/issues?page=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn query_encodes_values() {
        assert_eq!(
            query(&[
                ("created", Some(">=2024-01-01")),
                ("x", None),
                ("q", Some("a b&c"))
            ]),
            "created=%3E%3D2024-01-01&q=a%20b%26c"
        );
    }

    #[test]
    fn secondary_rate_limit_is_detected_without_headers() {
        let body = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        let w = rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new(), body);
        assert_eq!(w.map(|w| w.0), Some(Duration::from_secs(60)));
        // A plain 403 is a permission problem, not a reason to wait.
        assert!(rate_limit_wait(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            br#"{"message":"Resource not accessible by integration"}"#
        )
        .is_none());
    }

    #[test]
    fn retry_after_wins() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &h, b"").map(|w| w.0),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn error_messages_are_one_line() {
        let e = status_error("create_comment", StatusCode::UNPROCESSABLE_ENTITY, br#"{"message":"Validation Failed","errors":[{"message":"body is too long\n(maximum is 65536 characters)"}]}"#);
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
        assert!(
            s.contains("body is too long (maximum is 65536 characters)"),
            "{s}"
        );
    }

    #[test]
    fn budget_is_a_hard_stop() {
        let b = WriteBudget::new(2);
        assert!(b.spend("a").is_ok());
        assert!(b.spend("a").is_ok());
        let e = b.spend("create_comment").unwrap_err();
        assert!(matches!(e, Error::BudgetExhausted { limit: 2, .. }));
        assert_eq!(b.remaining(), 0);
    }
}
