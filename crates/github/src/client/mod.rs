//! The octocrab implementation of the [`GitHub`] port.
//!
//! One file per concern: [`config`] (knobs, environment), [`auth`],
//! [`builder`], [`budget`] (write budget, counters), [`transport`] (one
//! request: timeouts, retries, rate limits, ETags, pages), [`download`]
//! (logs via redirects), and `endpoints/` by API area. This file holds the
//! client's state and the port, each method one call into its endpoint.
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

mod auth;
mod budget;
mod builder;
mod config;
mod download;
mod endpoints;
mod paths;
mod transport;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::header::{HeaderMap, HeaderValue};
use octocrab::Octocrab;
use serde_json::Value;

pub use auth::Auth;
pub use budget::{Stats, WriteBudget};
pub use builder::ClientBuilder;
pub use config::{env, Config};

use crate::types::*;
use crate::{GitHub, Result};

/// The production [`GitHub`] implementation. Cheap to clone; clones share
/// the write budget, counters, ETag cache and rate-limit state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
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
    /// `x-ratelimit-remaining` of the last `core` answer (`u64::MAX`: none yet).
    core_remaining: std::sync::atomic::AtomicU64,
    /// Whose comments and issues are the bot's own (resolved once, at build).
    login: OnceLock<String>,
}

const MAX_ETAG_ENTRIES: usize = 2048;

/// Hold requests until this instant; the API's reset time for error messages.
type Gate = (Instant, Option<DateTime<Utc>>);

struct Response {
    status: http::StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Client {
    /// A builder with the default config and no auth.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Reads [`env`](mod@env): `GITHUB_API_URL`; App credentials if `CI_BOT_APP_ID` and
    /// `CI_BOT_APP_PRIVATE_KEY` are set, else `GITHUB_TOKEN`, else anonymous;
    /// `CI_BOT_WRITE_BUDGET`, `CI_BOT_HTTP_TIMEOUT_SECS`, `CI_BOT_MARKER_AUTHOR`.
    /// `token` (e.g. an action input) overrides `GITHUB_TOKEN`.
    pub async fn from_env(token: Option<String>) -> Result<Client> {
        Self::builder_from_env(token)?.build().await
    }

    /// The client's config.
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

    /// The login a token writes as: `GET /user`; an installation token
    /// (`ghs_`, e.g. the Actions `GITHUB_TOKEN`) cannot read `/user` and
    /// writes as `github-actions[bot]`. The request is not counted in
    /// [`Client::stats`]: it is part of setting up, like App auth.
    async fn token_login(&self, token: &str) -> Result<String> {
        let op = "get_authenticated_user";
        let res = self.get_json::<Value>(op, "/user").await;
        self.reset_stats();
        match res {
            Ok(v) => v
                .get("login")
                .and_then(Value::as_str)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .ok_or_else(|| crate::Error::Decode { op: op.into(), message: "no login".into() }),
            Err(crate::Error::Http { status: 403, .. }) if token.starts_with("ghs_") => {
                Ok("github-actions[bot]".into())
            }
            Err(e) => Err(crate::Error::Config(format!(
                "cannot tell the bot's own comments from others' ({e}); set {} to the login the token writes as",
                env::MARKER_AUTHOR
            ))),
        }
    }

    fn bump(&self, field: fn(&mut Stats) -> &mut BTreeMap<String, u64>, op: &str) {
        let mut s = self.inner.stats.lock().unwrap_or_else(|p| p.into_inner());
        *field(&mut s).entry(op.to_string()).or_default() += 1;
    }
}

impl GitHub for Client {
    async fn list_workflow_runs(&self, repo: &RepoRef, f: &RunFilter) -> Result<Vec<WorkflowRun>> {
        endpoints::actions::list_workflow_runs(self, repo, f).await
    }

    async fn get_workflow_run(&self, repo: &RepoRef, run_id: RunId) -> Result<WorkflowRun> {
        endpoints::actions::get_workflow_run(self, repo, run_id).await
    }

    async fn list_jobs(&self, repo: &RepoRef, run_id: RunId) -> Result<Vec<Job>> {
        endpoints::actions::list_jobs(self, repo, run_id).await
    }

    async fn download_job_log(&self, repo: &RepoRef, job_id: JobId, sink: &mut (dyn Write + Send)) -> Result<u64> {
        endpoints::actions::download_job_log(self, repo, job_id, sink).await
    }

    async fn download_run_logs_zip(&self, repo: &RepoRef, run_id: RunId, sink: &mut (dyn Write + Send)) -> Result<u64> {
        endpoints::actions::download_run_logs_zip(self, repo, run_id, sink).await
    }

    async fn rerun_failed_jobs(&self, repo: &RepoRef, run_id: RunId) -> Result<()> {
        endpoints::actions::rerun_failed_jobs(self, repo, run_id).await
    }

    async fn workflow_dispatch(&self, repo: &RepoRef, workflow: &str, git_ref: &str, inputs: &Value) -> Result<()> {
        endpoints::actions::workflow_dispatch(self, repo, workflow, git_ref, inputs).await
    }

    async fn create_runner_registration_token(&self, repo: &RepoRef) -> Result<RegistrationToken> {
        endpoints::runners::create_runner_registration_token(self, repo).await
    }

    async fn list_runners(&self, repo: &RepoRef) -> Result<Vec<SelfHostedRunner>> {
        endpoints::runners::list_runners(self, repo).await
    }

    async fn delete_runner(&self, repo: &RepoRef, runner_id: RunnerId) -> Result<()> {
        endpoints::runners::delete_runner(self, repo, runner_id).await
    }

    async fn create_issue(&self, repo: &RepoRef, issue: &NewIssue) -> Result<Issue> {
        endpoints::issues::create_issue(self, repo, issue).await
    }

    async fn get_issue(&self, repo: &RepoRef, number: IssueNumber) -> Result<Issue> {
        endpoints::issues::get_issue(self, repo, number).await
    }

    async fn update_issue(&self, repo: &RepoRef, number: IssueNumber, update: &IssueUpdate) -> Result<Issue> {
        endpoints::issues::update_issue(self, repo, number, update).await
    }

    async fn list_issues(&self, repo: &RepoRef, f: &IssueFilter) -> Result<Vec<Issue>> {
        endpoints::issues::list_issues(self, repo, f).await
    }

    async fn search_issues(&self, q: &str, limit: usize) -> Result<Vec<Issue>> {
        endpoints::issues::search_issues(self, q, limit).await
    }

    async fn list_comments(&self, repo: &RepoRef, issue: IssueNumber, since: Option<DateTime<Utc>>) -> Result<Vec<IssueComment>> {
        endpoints::issues::list_comments(self, repo, issue, since).await
    }

    async fn create_comment(&self, repo: &RepoRef, issue: IssueNumber, body: &str) -> Result<IssueComment> {
        endpoints::issues::create_comment(self, repo, issue, body).await
    }

    async fn update_comment(&self, repo: &RepoRef, comment_id: CommentId, body: &str) -> Result<IssueComment> {
        endpoints::issues::update_comment(self, repo, comment_id, body).await
    }

    async fn delete_comment(&self, repo: &RepoRef, comment_id: CommentId) -> Result<()> {
        endpoints::issues::delete_comment(self, repo, comment_id).await
    }

    async fn react_to_comment(&self, repo: &RepoRef, comment_id: CommentId, reaction: Reaction) -> Result<ReactionOutcome> {
        endpoints::issues::react_to_comment(self, repo, comment_id, reaction).await
    }

    async fn list_comment_reactions(&self, repo: &RepoRef, comment_id: CommentId, reaction: Reaction) -> Result<Vec<GivenReaction>> {
        endpoints::issues::list_comment_reactions(self, repo, comment_id, reaction).await
    }

    async fn react_to_issue(&self, repo: &RepoRef, issue: IssueNumber, reaction: Reaction) -> Result<()> {
        endpoints::issues::react_to_issue(self, repo, issue, reaction).await
    }

    async fn list_repo_comments(&self, repo: &RepoRef, since: Option<DateTime<Utc>>) -> Result<Vec<IssueComment>> {
        endpoints::issues::list_repo_comments(self, repo, since).await
    }

    async fn team_membership(&self, org: &str, team: &str, login: &str) -> Result<Option<String>> {
        endpoints::repos::team_membership(self, org, team, login).await
    }

    async fn permission(&self, repo: &RepoRef, login: &str) -> Result<String> {
        endpoints::repos::permission(self, repo, login).await
    }

    async fn compare(&self, repo: &RepoRef, base: &str, head: &str) -> Result<Comparison> {
        endpoints::repos::compare(self, repo, base, head).await
    }

    async fn pull_requests_of_commit(&self, repo: &RepoRef, sha: &str) -> Result<Vec<PullRequest>> {
        endpoints::pulls::pull_requests_of_commit(self, repo, sha).await
    }

    async fn get_pull_request(&self, repo: &RepoRef, number: IssueNumber) -> Result<PullRequest> {
        endpoints::pulls::get_pull_request(self, repo, number).await
    }

    async fn list_pull_request_files(&self, repo: &RepoRef, number: IssueNumber) -> Result<Vec<PrFile>> {
        endpoints::pulls::list_pull_request_files(self, repo, number).await
    }

    async fn get_pull_request_diff(&self, repo: &RepoRef, number: IssueNumber) -> Result<String> {
        endpoints::pulls::get_pull_request_diff(self, repo, number).await
    }

    async fn get_file(&self, repo: &RepoRef, path: &str, git_ref: Option<&str>) -> Result<Option<Vec<u8>>> {
        endpoints::repos::get_file(self, repo, path, git_ref).await
    }

    async fn repository_dispatch(&self, repo: &RepoRef, event_type: &str, client_payload: &Value) -> Result<()> {
        endpoints::repos::repository_dispatch(self, repo, event_type, client_payload).await
    }

    fn marker_author(&self) -> Option<&str> {
        self.inner.login.get().map(String::as_str)
    }

    fn settle_delay(&self) -> Duration {
        self.inner.cfg.settle_delay
    }

    fn upsert_deadline(&self) -> Duration {
        self.inner.cfg.upsert_deadline
    }

    fn rate_remaining(&self) -> Option<u64> {
        match self.inner.core_remaining.load(std::sync::atomic::Ordering::Relaxed) {
            u64::MAX => None,
            n => Some(n),
        }
    }
}
