//! A stateful fake GitHub REST API, for tests and the demo.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let server = fake_github::FakeGitHub::start(fake_github::Scenario::with_repo("o/r")).await?;
//! // point the bot at server.url() (GITHUB_API_URL), then assert on what GitHub now holds:
//! let issues = server.state().issues("o/r");
//! # let _ = issues; Ok(()) }
//! ```
//!
//! It behaves like GitHub where a bot can trip: absolute `Link` pagination,
//! `per_page` caps, `since`, the 65 536-character body limit, eventually
//! consistent search, ETag/304, rate-limit headers, log downloads via a 302
//! to a separate blob origin with expiring URLs, and scripted faults
//! ([`Faults`]). See `docs/scenario.md` for the scenario file format and the
//! admin routes.

#![recursion_limit = "256"]
// A test double that mirrors GitHub's JSON field for field: its shape is
// documented by GitHub's OpenAPI description and docs/scenario.md.
#![allow(missing_docs)]

use std::net::SocketAddr;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

mod api;
pub mod faults;
mod gate;
pub mod json;
pub mod runners;
pub mod scenario;
pub mod state;

pub use faults::{FaultKind, FaultRule, Faults};
pub use scenario::Scenario;
pub use state::{FakeState, World};

use api::AppState;
use gate::{ConnHandle, KillableListener};

/// A running fake. Dropping it stops accepting connections.
pub struct FakeGitHub {
    url: String,
    blob_url: String,
    addr: SocketAddr,
    state: FakeState,
    faults: Faults,
    tasks: Vec<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Serve `scenario` on an ephemeral port of 127.0.0.1.
    pub async fn start(scenario: Scenario) -> Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), scenario).await
    }

    /// Serve on `addr`. Log downloads are served by a second listener on
    /// the same IP and an ephemeral port: a different origin, like GitHub's
    /// blob storage, so clients must not forward their token to it.
    pub async fn start_on(addr: SocketAddr, scenario: Scenario) -> Result<Self> {
        let world = World::from_scenario(&scenario).context("loading scenario")?;
        let api = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        let blob = TcpListener::bind(SocketAddr::new(addr.ip(), 0))
            .await
            .context("binding the blob listener")?;
        let addr = api.local_addr()?;
        let blob_addr = blob.local_addr()?;
        let host = |a: SocketAddr| {
            let ip = if a.ip().is_unspecified() { "127.0.0.1".to_string() } else { a.ip().to_string() };
            format!("http://{ip}:{}", a.port())
        };
        let url = host(addr);
        let state = FakeState::new(world);
        let faults = Faults::new(scenario.settings.seed);
        let app = AppState { state: state.clone(), faults: faults.clone(), url: url.clone(), blob_addr };
        let router = api::router(app);
        let mut tasks = Vec::new();
        for listener in [api, blob] {
            let svc = router.clone().into_make_service_with_connect_info::<ConnHandle>();
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(KillableListener(listener), svc).await;
            }));
        }
        Ok(FakeGitHub { url, blob_url: host(blob_addr), addr, state, faults, tasks })
    }

    /// Base URL, e.g. `http://127.0.0.1:PORT` — what `GITHUB_API_URL` is set to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Base URL of the blob origin that serves log downloads.
    pub fn blob_url(&self) -> &str {
        &self.blob_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Inspect or modify what the fake holds.
    pub fn state(&self) -> &FakeState {
        &self.state
    }

    /// Script faults for the requests to come.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stop serving (also done on drop).
    pub fn shutdown(self) {}
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
