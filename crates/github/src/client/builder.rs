//! Building a [`Client`]: base URL, auth, config.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::auth::{app_bot_login, find_installation};
use super::config::DEFAULT_API_URL;
use super::transport::one_line;
use super::{Auth, Client, Config, Inner, Stats, WriteBudget};
use crate::{Error, Result};

/// Builder for [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    pub(super) config: Config,
    pub(super) auth: Auth,
}

impl ClientBuilder {
    /// REST base URL (`GITHUB_API_URL`).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.config.api_url = url.into();
        self
    }

    /// Authenticate with a token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.auth = Auth::Token(token.into());
        self
    }

    /// Authenticate as `auth`.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Replace the whole config.
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
        let mut app_login = None;
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
                if cfg.marker_author.is_none() {
                    app_login = Some(app_bot_login(&app, cfg.timeout).await?);
                }
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
        let token = match &self.auth {
            Auth::Token(t) => Some(t.clone()),
            _ => None,
        };
        let client = Client {
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
                core_remaining: std::sync::atomic::AtomicU64::new(u64::MAX),
                login: OnceLock::new(),
            }),
        };
        let login = match (&client.inner.cfg.marker_author, app_login, token) {
            (Some(configured), _, _) => Some(configured.clone()),
            (None, Some(app), _) => Some(app),
            (None, None, Some(token)) => Some(client.token_login(&token).await?),
            (None, None, None) => None,
        };
        if let Some(l) = login {
            let _ = client.inner.login.set(l);
        }
        Ok(client)
    }
}
