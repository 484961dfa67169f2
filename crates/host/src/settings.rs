//! Typed settings from the environment (`CI_BOT_HOST_*`, read with envy).
//! Secrets are never settings: the token comes from a file
//! (`CI_BOT_HOST_TOKEN_FILE`, a read-only mount) or `GITHUB_TOKEN`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::schedule::Schedule;

/// Prefix of every setting.
pub const PREFIX: &str = "CI_BOT_HOST_";

/// `ci-bot host` configuration.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `owner/repo` holding the monitor workflow (`CI_BOT_HOST_REPO`; falls
    /// back to `GITHUB_REPOSITORY`).
    #[serde(default)]
    pub repo: Option<String>,
    /// Workflow to dispatch.
    #[serde(default = "default_workflow")]
    pub workflow: String,
    /// Ref to dispatch it on (`CI_BOT_HOST_REF`).
    #[serde(default = "default_ref", rename = "ref")]
    pub git_ref: String,
    /// Dispatch `inputs` as a JSON object.
    #[serde(default)]
    pub dispatch_inputs: Option<String>,
    /// Slot length.
    #[serde(default = "default_interval")]
    pub interval_secs: u64,
    /// Jitter within a slot.
    #[serde(default = "default_jitter")]
    pub jitter_secs: u64,
    /// First retry delay after a failure (doubles per failure).
    #[serde(default = "default_backoff_base")]
    pub backoff_base_secs: u64,
    /// Longest retry delay.
    #[serde(default = "default_backoff_max")]
    pub backoff_max_secs: u64,
    /// Failures in a row that open the circuit breaker.
    #[serde(default = "default_breaker_threshold")]
    pub breaker_threshold: u32,
    /// How long the breaker stays open.
    #[serde(default = "default_breaker_cooldown")]
    pub breaker_cooldown_secs: u64,
    /// Where `/healthz` listens.
    #[serde(default = "default_health_addr")]
    pub health_addr: String,
    /// Directory of the state file (a volume in the container).
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// File holding the GitHub token (else `GITHUB_TOKEN`).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// `owner/name` whose pull-request comments the watcher polls for
    /// `@bot` commands (`CI_BOT_HOST_WATCH_REPO`); unset: no watcher.
    #[serde(default)]
    pub watch_repo: Option<String>,
    /// Seconds between two polls of the watcher.
    #[serde(default = "default_watch_every")]
    pub watch_every_secs: u64,
    /// The bot's config file for the watcher (mounted read-only; default
    /// `.github/ci-bot.yml` in the working directory).
    #[serde(default)]
    pub watch_config: Option<PathBuf>,
}

fn default_workflow() -> String {
    "ci-monitor.yml".into()
}
fn default_ref() -> String {
    "main".into()
}
fn default_interval() -> u64 {
    1800
}
fn default_jitter() -> u64 {
    120
}
fn default_backoff_base() -> u64 {
    30
}
fn default_backoff_max() -> u64 {
    900
}
fn default_breaker_threshold() -> u32 {
    5
}
fn default_breaker_cooldown() -> u64 {
    3600
}
fn default_watch_every() -> u64 {
    60
}
fn default_health_addr() -> String {
    "127.0.0.1:8080".into()
}
fn default_state_dir() -> PathBuf {
    PathBuf::from("/var/lib/ci-bot")
}

impl Settings {
    /// Read `CI_BOT_HOST_*` from the process environment.
    pub fn from_env() -> anyhow::Result<Settings> {
        Self::from_vars(std::env::vars())
    }

    /// Read from `KEY=VALUE` pairs (tests).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Settings> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let fallback_repo = vars.iter().find(|(k, _)| k == "GITHUB_REPOSITORY").map(|(_, v)| v.clone());
        let mut s: Settings = envy::prefixed(PREFIX)
            .from_iter(vars)
            .map_err(|e| anyhow::anyhow!("settings ({PREFIX}*): {e}"))?;
        if s.repo.as_deref().is_none_or(str::is_empty) {
            s.repo = fallback_repo;
        }
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.repo.as_deref().is_none_or(str::is_empty) {
            anyhow::bail!("{PREFIX}REPO (or GITHUB_REPOSITORY) is not set: which repo holds {}?", self.workflow);
        }
        if !(60..=7 * 86_400).contains(&self.interval_secs) {
            anyhow::bail!("{PREFIX}INTERVAL_SECS={}: between 60 and 604800", self.interval_secs);
        }
        if self.jitter_secs >= self.interval_secs {
            anyhow::bail!("{PREFIX}JITTER_SECS must be below {PREFIX}INTERVAL_SECS");
        }
        if self.backoff_base_secs == 0 || self.backoff_max_secs < self.backoff_base_secs {
            anyhow::bail!("{PREFIX}BACKOFF_BASE_SECS must be > 0 and <= {PREFIX}BACKOFF_MAX_SECS");
        }
        if self.watch_repo.is_some() && !(10..=3600).contains(&self.watch_every_secs) {
            anyhow::bail!("{PREFIX}WATCH_EVERY_SECS={}: between 10 and 3600", self.watch_every_secs);
        }
        if let Some(inputs) = &self.dispatch_inputs {
            let v: serde_json::Value = serde_json::from_str(inputs)
                .map_err(|e| anyhow::anyhow!("{PREFIX}DISPATCH_INPUTS is not JSON: {e}"))?;
            if !v.is_object() {
                anyhow::bail!("{PREFIX}DISPATCH_INPUTS must be a JSON object");
            }
        }
        Ok(())
    }

    /// The monitor's schedule.
    pub fn schedule(&self) -> Schedule {
        let mut s = Schedule::every(Duration::from_secs(self.interval_secs), Duration::from_secs(self.jitter_secs));
        s.backoff_base = Duration::from_secs(self.backoff_base_secs);
        s.backoff_max = Duration::from_secs(self.backoff_max_secs);
        s.breaker_threshold = self.breaker_threshold.max(1);
        s.breaker_cooldown = Duration::from_secs(self.breaker_cooldown_secs);
        s.seed = seed_of(self.repo.as_deref().unwrap_or_default());
        s
    }

    /// The watcher's schedule, when it is on: a poll per `watch_every_secs`
    /// with a tenth of it as jitter; retries and breaker as the monitor's.
    pub fn watch_schedule(&self) -> Option<Schedule> {
        self.watch_repo.as_deref().filter(|r| !r.trim().is_empty())?;
        let mut s = self.schedule();
        s.interval = Duration::from_secs(self.watch_every_secs);
        s.jitter = Duration::from_secs(self.watch_every_secs / 10);
        s.backoff_base = s.backoff_base.min(s.interval);
        Some(s)
    }

    /// Dispatch inputs (validated).
    pub fn inputs(&self) -> serde_json::Value {
        self.dispatch_inputs
            .as_deref()
            .and_then(|i| serde_json::from_str(i).ok())
            .unwrap_or_else(|| serde_json::json!({}))
    }
}

fn seed_of(s: &str) -> u64 {
    s.bytes().fold(1469598103934665603u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_and_overrides() {
        let s = Settings::from_vars(vars(&[("GITHUB_REPOSITORY", "o/bot"), ("CI_BOT_HOST_JITTER_SECS", "5")])).unwrap();
        assert_eq!(s.repo.as_deref(), Some("o/bot"));
        assert_eq!((s.interval_secs, s.jitter_secs, s.workflow.as_str(), s.git_ref.as_str()), (1800, 5, "ci-monitor.yml", "main"));
        let s = Settings::from_vars(vars(&[("CI_BOT_HOST_REPO", "o/x"), ("CI_BOT_HOST_REF", "release")])).unwrap();
        assert_eq!(s.git_ref, "release");
        assert!(s.watch_schedule().is_none(), "no watcher unless a repo is named");
        let s = Settings::from_vars(vars(&[("CI_BOT_HOST_REPO", "o/bot"), ("CI_BOT_HOST_WATCH_REPO", "o/app")])).unwrap();
        let w = s.watch_schedule().expect("watcher on");
        assert_eq!((w.interval.as_secs(), w.jitter.as_secs(), w.backoff_base.as_secs()), (60, 6, 30));
    }

    #[test]
    fn bad_settings_are_one_line_errors() {
        for bad in [
            vars(&[]),
            vars(&[("CI_BOT_HOST_REPO", "o/x"), ("CI_BOT_HOST_INTERVAL_SECS", "ten")]),
            vars(&[("CI_BOT_HOST_REPO", "o/x"), ("CI_BOT_HOST_INTERVAL_SECS", "5")]),
            vars(&[("CI_BOT_HOST_REPO", "o/x"), ("CI_BOT_HOST_DISPATCH_INPUTS", "[1]")]),
            vars(&[("CI_BOT_HOST_REPO", "o/x"), ("CI_BOT_HOST_WATCH_REPO", "o/t"), ("CI_BOT_HOST_WATCH_EVERY_SECS", "1")]),
        ] {
            let e = Settings::from_vars(bad).unwrap_err().to_string();
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
