//! The client's knobs and the environment variables that set them.

use std::time::Duration;

use super::{Auth, Client, ClientBuilder};
use crate::{Error, Result};

/// The public REST API.
pub(super) const DEFAULT_API_URL: &str = "https://api.github.com";

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
    /// Longest backoff between read retries.
    pub max_backoff: Duration,
    /// Longest we sleep for a rate limit before failing with `RateLimited`.
    pub max_rate_limit_wait: Duration,
    /// Rate-limit refusals resent per request before giving up.
    pub max_rate_limit_retries: u32,
    /// Writes allowed per client (per run).
    pub write_budget: u32,
    /// Pages followed per list call.
    pub max_pages: u32,
    /// See [`crate::GitHub::settle_delay`].
    pub settle_delay: Duration,
    /// See [`crate::GitHub::marker_author`].
    pub marker_author: Option<String>,
    /// See [`crate::GitHub::upsert_deadline`].
    pub upsert_deadline: Duration,
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
            upsert_deadline: Duration::from_secs(180),
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

impl Client {
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
}
