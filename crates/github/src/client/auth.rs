//! How the client authenticates, and finding a GitHub App's installation.

use std::time::Duration;

use http::header::ACCEPT;
use http::Method;
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde_json::Value;

use super::paths::repo_path;
use super::transport::{decode, status_error, transport, JSON};
use crate::types::RepoRef;
use crate::{Error, Result};

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
        /// The App's id.
        app_id: u64,
        /// The App's private key, PEM.
        private_key_pem: String,
        /// The installation to act as; looked up from `repo` when `None`.
        installation_id: Option<u64>,
        /// A repository the App is installed on.
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

pub(super) async fn find_installation(app: &Octocrab, repo: &RepoRef, timeout: Duration) -> Result<u64> {
    let op = "get_repo_installation";
    let v = app_get(app, op, &format!("{}/installation", repo_path(repo)), timeout).await?;
    v.get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::Decode {
            op: op.into(),
            message: "no installation id".into(),
        })
}

/// The login the App's installation tokens write as: `<slug>[bot]`.
pub(super) async fn app_bot_login(app: &Octocrab, timeout: Duration) -> Result<String> {
    let op = "get_app";
    let v = app_get(app, op, "/app", timeout).await?;
    v.get("slug")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| format!("{s}[bot]"))
        .ok_or_else(|| Error::Decode {
            op: op.into(),
            message: "no app slug".into(),
        })
}

/// One JWT-authenticated GET (App-level routes are not counted in the stats).
async fn app_get(app: &Octocrab, op: &str, path: &str, timeout: Duration) -> Result<Value> {
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
        decode::<Value>(op, &body)
    };
    tokio::time::timeout(timeout, fut)
        .await
        .map_err(|_| Error::Timeout {
            op: op.into(),
            after: timeout,
        })?
}
