//! Self-hosted runners: what GitHub holds about them, and the little runner
//! service a stand-in runner talks to.
//!
//! GitHub's real runner registers in two hops (`POST /actions/runner-registration`
//! with the registration token, then the Actions service) and keeps a
//! long-poll session open; the REST API reports it `online` while that session
//! lives. The fake compresses this into one registration call and a
//! heartbeat (see `api/runners.rs`), which is all a fleet manager can observe
//! anyway: registered or not, online or not, busy or not.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::FakeState;

/// How long a runner stays `online` after its last heartbeat, by default.
pub const DEFAULT_OFFLINE_AFTER: Duration = Duration::from_secs(10);

/// How long a registration token is valid (GitHub: one hour).
pub const REGISTRATION_TOKEN_TTL: chrono::Duration = chrono::Duration::hours(1);

/// Every runner of every repo, and the registration tokens handed out.
#[derive(Debug, Serialize)]
pub struct RunnerRegistry {
    /// By runner id.
    pub runners: BTreeMap<u64, Runner>,
    /// Secrets: kept out of `/_fake/state` (only their count is shown).
    #[serde(skip)]
    pub registration_tokens: Vec<RegistrationToken>,
    /// How many registration tokens were issued (visible in the state dump).
    pub registration_tokens_issued: u64,
    /// A runner with no heartbeat for this long is `offline`.
    #[serde(skip)]
    pub offline_after: Duration,
}

impl Default for RunnerRegistry {
    fn default() -> Self {
        RunnerRegistry {
            runners: BTreeMap::new(),
            registration_tokens: Vec::new(),
            registration_tokens_issued: 0,
            offline_after: DEFAULT_OFFLINE_AFTER,
        }
    }
}

/// A registration token: short-lived, repo-scoped, reusable until it expires
/// (as on GitHub).
#[derive(Debug, Clone)]
pub struct RegistrationToken {
    pub token: String,
    /// Lower-cased `owner/name`.
    pub repo: String,
    pub expires_at: DateTime<Utc>,
}

/// One registered self-hosted runner.
#[derive(Debug, Clone, Serialize)]
pub struct Runner {
    pub id: u64,
    /// Lower-cased `owner/name`.
    pub repo: String,
    pub name: String,
    /// Custom labels (the read-only `self-hosted`, `Linux`, `X64` are added on output).
    pub labels: Vec<String>,
    pub busy: bool,
    pub registered_at: DateTime<Utc>,
    pub heartbeats: u64,
    /// What the runner presents on its heartbeats (its "credentials" file).
    #[serde(skip)]
    pub credential: String,
    #[serde(skip)]
    pub last_seen: Option<Instant>,
}

impl Runner {
    /// `online` while heartbeats keep coming, `offline` otherwise.
    pub fn status(&self, offline_after: Duration) -> &'static str {
        match self.last_seen {
            Some(t) if t.elapsed() <= offline_after => "online",
            _ => "offline",
        }
    }
}

impl RunnerRegistry {
    /// Runners of one repo (`owner/name`, any case), by id.
    pub fn of_repo<'a>(&'a self, repo: &str) -> impl Iterator<Item = &'a Runner> + 'a {
        let key = repo.to_lowercase();
        self.runners.values().filter(move |r| r.repo == key)
    }

    /// The repo a still-valid registration token was issued for.
    pub fn redeem(&self, token: &str, now: DateTime<Utc>) -> Option<&RegistrationToken> {
        self.registration_tokens.iter().find(|t| t.token == token && t.expires_at > now)
    }
}

impl FakeState {
    /// Runners registered on `repo`, by id.
    pub fn runners(&self, repo: &str) -> Vec<Runner> {
        self.lock().runners.of_repo(repo).cloned().collect()
    }

    /// Register a runner directly (what `POST /actions/runner-registration`
    /// does), online as of now; returns its id.
    pub fn register_runner(&self, repo: &str, name: &str, labels: &[&str]) -> u64 {
        let mut w = self.lock();
        let id = w.fresh_id();
        w.runners.runners.insert(
            id,
            Runner {
                id,
                repo: repo.to_lowercase(),
                name: name.to_string(),
                labels: labels.iter().map(|l| l.to_string()).collect(),
                busy: false,
                registered_at: Utc::now(),
                heartbeats: 1,
                credential: format!("rc_direct_{id}"),
                last_seen: Some(Instant::now()),
            },
        );
        id
    }

    /// Mark the runner called `name` on `repo` busy (running a job) or idle.
    pub fn set_runner_busy(&self, repo: &str, name: &str, busy: bool) -> Result<()> {
        let key = repo.to_lowercase();
        let mut w = self.lock();
        let runner = w
            .runners
            .runners
            .values_mut()
            .find(|r| r.repo == key && r.name == name)
            .ok_or_else(|| anyhow!("no runner {name} on {repo}"))?;
        runner.busy = busy;
        Ok(())
    }

    /// How long a runner without heartbeats still counts as `online`.
    pub fn set_runner_offline_after(&self, after: Duration) {
        self.lock().runners.offline_after = after;
    }

    /// Every registration token issued so far (tests check where they leaked).
    pub fn registration_tokens(&self) -> Vec<String> {
        self.lock().runners.registration_tokens.iter().map(|t| t.token.clone()).collect()
    }
}
