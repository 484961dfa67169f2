//! What a fleet should look like: the operator's flags, turned into the
//! exact container configurations, names and labels.
//!
//! The spec is stored (as JSON) in a label on every container it created, so
//! `roll --image` can change one thing without the operator repeating every
//! flag, and a container whose configuration no longer matches the spec is
//! recognised as drifted. Nothing in a spec is secret: tokens never pass
//! through here (the host's token is a *path* on the operator's machine).

use std::collections::HashMap;
use std::path::PathBuf;

use bollard::models::{
    ContainerCreateBody, HealthConfig, HostConfig, HostConfigLogConfig, Mount, MountTmpfsOptions, MountType,
    RestartPolicy, RestartPolicyNameEnum,
};
use ci_github::RepoRef;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Every label key this crate writes starts with this.
pub const LABEL_PREFIX: &str = "io.github.bingxche.ci-bot.";
/// The fleet a container belongs to: what marks a container as ours.
pub const LABEL_FLEET: &str = "io.github.bingxche.ci-bot.fleet";
/// `runner` or `host`.
pub const LABEL_ROLE: &str = "io.github.bingxche.ci-bot.role";
/// The runner slot, 1-based.
pub const LABEL_SLOT: &str = "io.github.bingxche.ci-bot.slot";
/// The name the runner registers under on GitHub.
pub const LABEL_RUNNER_NAME: &str = "io.github.bingxche.ci-bot.runner-name";
/// Fingerprint of the configuration the container was created with.
pub const LABEL_FINGERPRINT: &str = "io.github.bingxche.ci-bot.fingerprint";
/// The [`FleetSpec`] as JSON.
pub const LABEL_SPEC: &str = "io.github.bingxche.ci-bot.spec";

/// Where the registration token lands inside a runner container: a tmpfs,
/// so it lives in memory only and is gone when the container stops.
pub const SECRET_DIR: &str = "/run/ci-bot";
/// The token file inside [`SECRET_DIR`].
pub const TOKEN_FILE: &str = "/run/ci-bot/registration-token";
/// Where the host container finds its GitHub token (a read-only bind mount).
pub const HOST_TOKEN_PATH: &str = "/run/secrets/github-token";
/// Where the host finds the bot's config file (for the comment watcher).
pub const HOST_CONFIG_PATH: &str = "/etc/ci-bot/ci-bot.yml";
/// The host's state directory (a named volume).
pub const HOST_STATE_DIR: &str = "/var/lib/ci-bot";

/// Environment variable names that must never carry a value into a
/// container: secrets go through files.
const SECRET_LIKE: [&str; 6] = ["TOKEN", "SECRET", "PASSWORD", "PAT", "KEY", "CREDENTIAL"];

/// The desired fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetSpec {
    /// Fleet name: container-name prefix and the value of [`LABEL_FLEET`].
    pub name: String,
    /// `owner/repo` the runners register with.
    pub repo: String,
    /// Runner image (the user's: GitHub's runner plus this bot as a tool).
    pub image: String,
    /// Number of runner containers.
    pub count: u32,
    /// Custom runner labels (GitHub adds `self-hosted`, `Linux`, `X64`).
    pub labels: Vec<String>,
    /// Per-container limits.
    pub limits: Limits,
    /// json-file log rotation.
    pub logs: LogRotation,
    /// Mount point of the per-slot tool-cache volume.
    pub tool_cache: String,
    /// `https://github.com` or a GHES URL: runners get `{server_url}/{owner}/{repo}`.
    pub server_url: String,
    /// The REST API as seen from inside the containers.
    pub runner_api_url: String,
    /// Docker network to attach to (`None`: the default bridge).
    pub network: Option<String>,
    /// Extra, non-secret environment for the runners (`KEY=VALUE`).
    pub env: Vec<String>,
    /// Command run inside a started runner with the registration token on
    /// stdin; `None`: the image's entrypoint plus `receive-token`.
    pub token_receiver: Option<Vec<String>>,
    /// The long-running host container, if wanted.
    pub host: Option<HostSpec>,
}

/// CPU, memory and process limits of one container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// CPUs (fractional).
    pub cpus: f64,
    /// Memory in bytes (swap is capped at the same value: no extra swap).
    pub memory_bytes: i64,
    /// Maximum number of processes.
    pub pids: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { cpus: 2.0, memory_bytes: 4 << 30, pids: 4096 }
    }
}

/// Docker's json-file rotation: at most `max_file` files of `max_size`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRotation {
    /// e.g. `50m`.
    pub max_size: String,
    /// Files kept.
    pub max_file: u32,
}

impl Default for LogRotation {
    fn default() -> Self {
        LogRotation { max_size: "50m".into(), max_file: 5 }
    }
}

/// The host container (`ci-bot host`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostSpec {
    /// The bot's image (its entrypoint is `ci-bot`).
    pub image: String,
    /// File on the operator's machine holding the bot token for the host;
    /// bind-mounted read-only at [`HOST_TOKEN_PATH`].
    pub token_file: PathBuf,
    /// Non-secret settings (`CI_BOT_HOST_*=...`, `GITHUB_API_URL=...`).
    pub env: Vec<String>,
    /// Port of `/healthz` inside the container.
    pub health_port: u16,
    /// The bot's config file (`commands:` for the comment watcher), bind-
    /// mounted read-only at [`HOST_CONFIG_PATH`]. Left out of the
    /// fingerprint when absent, so hosts created before it are not drifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<PathBuf>,
}

/// What a container is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A GitHub Actions runner in slot N.
    Runner,
    /// The long-running `ci-bot host`.
    Host,
}

impl Role {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Runner => "runner",
            Role::Host => "host",
        }
    }
}

/// A name Docker accepts and that leaves room for our suffixes.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "fleet name {name:?}: use 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// Refuse `KEY=VALUE` entries that are malformed or look like secrets.
pub fn validate_env(entries: &[String]) -> Result<()> {
    for e in entries {
        let (key, _) = e
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| Error::Config(format!("--env {e:?}: expected KEY=VALUE")))?;
        let upper = key.to_ascii_uppercase();
        if SECRET_LIKE.iter().any(|s| upper.contains(s)) && !upper.ends_with("_FILE") {
            return Err(Error::Config(format!(
                "--env {key}: looks like a secret; secrets never go into a container's environment \
                 (visible in `docker inspect`); mount a file and pass its path as {key}_FILE"
            )));
        }
    }
    Ok(())
}

impl FleetSpec {
    /// Check what Docker and GitHub would otherwise reject later, halfway through.
    pub fn validate(&self) -> Result<()> {
        validate_name(&self.name)?;
        self.repo_ref()?;
        if self.count > 100 {
            return Err(Error::Config(format!("--count {}: at most 100 runners per fleet", self.count)));
        }
        if self.image.trim().is_empty() {
            return Err(Error::Config("--image is empty".into()));
        }
        let cpus_ok = self.limits.cpus.is_finite() && self.limits.cpus > 0.0;
        if !cpus_ok || self.limits.memory_bytes < 64 << 20 || self.limits.pids < 16 {
            return Err(Error::Config("limits: cpus > 0, memory >= 64m, pids >= 16".into()));
        }
        for l in &self.labels {
            if l.is_empty() || l.contains(',') || l.len() > 100 {
                return Err(Error::Config(format!("runner label {l:?}: non-empty, no commas, at most 100 chars")));
            }
        }
        validate_env(&self.env)?;
        if let Some(h) = &self.host {
            validate_env(&h.env)?;
            if !h.token_file.is_absolute() {
                return Err(Error::Config(format!(
                    "--host-token-file {}: must be an absolute path (Docker bind-mounts it)",
                    h.token_file.display()
                )));
            }
            if let Some(c) = h.config_file.as_ref().filter(|c| !c.is_absolute()) {
                return Err(Error::Config(format!(
                    "--host-config {}: must be an absolute path (Docker bind-mounts it)",
                    c.display()
                )));
            }
        }
        Ok(())
    }

    /// The repository as the GitHub port takes it.
    pub fn repo_ref(&self) -> Result<RepoRef> {
        self.repo.parse().map_err(|e: ci_github::Error| Error::Config(e.to_string()))
    }

    /// Container name of runner slot `slot`.
    pub fn slot_name(&self, slot: u32) -> String {
        format!("{}-{slot}", self.name)
    }

    /// Name of the replacement started beside slot `slot` during a roll.
    pub fn surge_name(&self, slot: u32) -> String {
        format!("{}-{slot}-next", self.name)
    }

    /// Container name of the host.
    pub fn host_name(&self) -> String {
        format!("{}-host", self.name)
    }

    /// Tool-cache volume of slot `slot`: survives replacement of the container.
    pub fn tool_cache_volume(&self, slot: u32) -> String {
        format!("{}-toolcache-{slot}", self.name)
    }

    /// The host's state volume (last dispatch, so a restart does not repeat it).
    pub fn host_state_volume(&self) -> String {
        format!("{}-host-state", self.name)
    }

    /// A fresh GitHub runner name for slot `slot`: unique, so a replacement
    /// can register while the runner it replaces is still serving.
    pub fn new_runner_name(&self, slot: u32) -> String {
        format!("{}-{slot}-{:06x}", self.name, rand::random::<u32>() & 0xff_ffff)
    }

    /// The labels every container of this fleet carries.
    pub fn base_labels(&self, role: Role, fingerprint: &str) -> HashMap<String, String> {
        let mut l = HashMap::new();
        l.insert(LABEL_FLEET.to_string(), self.name.clone());
        l.insert(LABEL_ROLE.to_string(), role.as_str().to_string());
        l.insert(LABEL_FINGERPRINT.to_string(), fingerprint.to_string());
        l.insert(LABEL_SPEC.to_string(), serde_json::to_string(self).unwrap_or_default());
        l
    }

    /// Fingerprint of everything that shapes a runner container, with the
    /// image resolved to its id (a re-pushed tag is drift too).
    pub fn runner_fingerprint(&self, image_id: &str) -> String {
        fingerprint(&serde_json::json!({
            "image": image_id,
            "repo": self.repo.to_lowercase(),
            "labels": self.labels,
            "limits": self.limits,
            "logs": self.logs,
            "tool_cache": self.tool_cache,
            "server_url": self.server_url,
            "runner_api_url": self.runner_api_url,
            "network": self.network,
            "env": self.env,
            "token_receiver": self.token_receiver,
        }))
    }

    /// Fingerprint of the host container's configuration.
    pub fn host_fingerprint(&self, host: &HostSpec, image_id: &str) -> String {
        fingerprint(&serde_json::json!({
            "image": image_id,
            "host": host,
            "limits": self.limits,
            "logs": self.logs,
            "network": self.network,
        }))
    }

    fn host_config(&self, mounts: Vec<Mount>) -> HostConfig {
        let mut log_opts = HashMap::new();
        log_opts.insert("max-size".to_string(), self.logs.max_size.clone());
        log_opts.insert("max-file".to_string(), self.logs.max_file.to_string());
        HostConfig {
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                maximum_retry_count: None,
            }),
            // tini as PID 1: signals reach the runner, zombies of jobs are reaped.
            init: Some(true),
            nano_cpus: Some((self.limits.cpus * 1e9) as i64),
            memory: Some(self.limits.memory_bytes),
            memory_swap: Some(self.limits.memory_bytes),
            pids_limit: Some(self.limits.pids),
            log_config: Some(HostConfigLogConfig { typ: Some("json-file".into()), config: Some(log_opts) }),
            network_mode: self.network.clone(),
            mounts: Some(mounts),
            ..Default::default()
        }
    }

    /// The create request for a runner container.
    pub fn runner_container(&self, slot: u32, runner_name: &str, image_id: &str) -> ContainerCreateBody {
        let fp = self.runner_fingerprint(image_id);
        let mut labels = self.base_labels(Role::Runner, &fp);
        labels.insert(LABEL_SLOT.to_string(), slot.to_string());
        labels.insert(LABEL_RUNNER_NAME.to_string(), runner_name.to_string());
        let mut env = vec![
            format!("CI_BOT_RUNNER_NAME={runner_name}"),
            format!("CI_BOT_RUNNER_LABELS={}", self.labels.join(",")),
            format!("CI_BOT_RUNNER_REPO={}", self.repo),
            format!("CI_BOT_RUNNER_URL={}/{}", self.server_url.trim_end_matches('/'), self.repo),
            format!("CI_BOT_RUNNER_API_URL={}", self.runner_api_url),
            format!("CI_BOT_RUNNER_TOKEN_FILE={TOKEN_FILE}"),
            format!("RUNNER_TOOL_CACHE={}", self.tool_cache),
            format!("AGENT_TOOLSDIRECTORY={}", self.tool_cache),
        ];
        env.extend(self.env.iter().cloned());
        let mounts = vec![
            Mount {
                target: Some(self.tool_cache.clone()),
                source: Some(self.tool_cache_volume(slot)),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            },
            Mount {
                target: Some(SECRET_DIR.into()),
                typ: Some(MountType::TMPFS),
                tmpfs_options: Some(MountTmpfsOptions {
                    size_bytes: Some(64 * 1024),
                    // Anyone in the container may create a file here (the
                    // runner user need not be root) but nobody may list or
                    // read another's: the receiver writes the token 0600.
                    mode: Some(0o1733),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ];
        ContainerCreateBody {
            image: Some(image_id.to_string()),
            hostname: Some(truncate_hostname(runner_name)),
            env: Some(env),
            labels: Some(labels),
            stop_timeout: Some(30),
            host_config: Some(self.host_config(mounts)),
            ..Default::default()
        }
    }

    /// The create request for the host container.
    pub fn host_container(&self, host: &HostSpec, image_id: &str) -> ContainerCreateBody {
        let fp = self.host_fingerprint(host, image_id);
        let labels = self.base_labels(Role::Host, &fp);
        let mut env = vec![
            format!("CI_BOT_HOST_TOKEN_FILE={HOST_TOKEN_PATH}"),
            format!("CI_BOT_HOST_STATE_DIR={HOST_STATE_DIR}"),
            format!("CI_BOT_HOST_HEALTH_ADDR=0.0.0.0:{}", host.health_port),
        ];
        if host.config_file.is_some() {
            env.push(format!("CI_BOT_HOST_WATCH_CONFIG={HOST_CONFIG_PATH}"));
        }
        env.extend(host.env.iter().cloned());
        let mut mounts = vec![
            Mount {
                target: Some(HOST_TOKEN_PATH.into()),
                source: Some(host.token_file.display().to_string()),
                typ: Some(MountType::BIND),
                read_only: Some(true),
                ..Default::default()
            },
            Mount {
                target: Some(HOST_STATE_DIR.into()),
                source: Some(self.host_state_volume()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            },
        ];
        if let Some(config) = &host.config_file {
            mounts.push(Mount {
                target: Some(HOST_CONFIG_PATH.into()),
                source: Some(config.display().to_string()),
                typ: Some(MountType::BIND),
                read_only: Some(true),
                ..Default::default()
            });
        }
        ContainerCreateBody {
            image: Some(image_id.to_string()),
            cmd: Some(vec!["host".into(), "--log-format".into(), "json".into()]),
            env: Some(env),
            labels: Some(labels),
            // A tick in flight is finished, not cut: give it time.
            stop_timeout: Some(90),
            healthcheck: Some(HealthConfig {
                test: Some(vec!["CMD".into(), "/usr/local/bin/ci-bot".into(), "host".into(), "--probe".into()]),
                interval: Some(60_000_000_000),
                timeout: Some(10_000_000_000),
                retries: Some(3),
                start_period: Some(30_000_000_000),
                ..Default::default()
            }),
            host_config: Some(self.host_config(mounts)),
            ..Default::default()
        }
    }
}

fn truncate_hostname(name: &str) -> String {
    name.chars().take(63).collect()
}

fn fingerprint(v: &serde_json::Value) -> String {
    let digest = Sha256::digest(v.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> FleetSpec {
        FleetSpec {
            name: "ci-bot-runner".into(),
            repo: "acme/widgets".into(),
            image: "runner:1".into(),
            count: 2,
            labels: vec!["gpu".into()],
            limits: Limits::default(),
            logs: LogRotation::default(),
            tool_cache: "/opt/hostedtoolcache".into(),
            server_url: "https://github.com".into(),
            runner_api_url: "https://api.github.com".into(),
            network: None,
            env: vec![],
            token_receiver: None,
            host: None,
        }
    }

    #[test]
    fn secrets_are_refused_in_env_but_file_paths_are_fine() {
        assert!(validate_env(&["GH_PAT=ghp_x".into()]).is_err());
        assert!(validate_env(&["ANTHROPIC_API_KEY=x".into()]).is_err());
        assert!(validate_env(&["CI_BOT_LLM_KEY_FILE=/run/secrets/llm".into()]).is_ok());
        assert!(validate_env(&["CI_BOT_STANDIN_HEARTBEAT_MS=500".into()]).is_ok());
        assert!(validate_env(&["=x".into()]).is_err());
    }

    #[test]
    fn a_runner_container_has_limits_rotation_restart_and_no_secret() {
        let s = spec();
        let body = s.runner_container(1, "ci-bot-runner-1-abc123", "sha256:1");
        let hc = body.host_config.unwrap();
        assert_eq!(hc.restart_policy.unwrap().name, Some(RestartPolicyNameEnum::UNLESS_STOPPED));
        assert_eq!(hc.nano_cpus, Some(2_000_000_000));
        assert_eq!(hc.log_config.unwrap().config.unwrap()["max-file"], "5");
        let mounts = hc.mounts.unwrap();
        assert!(mounts.iter().any(|m| m.typ == Some(MountType::TMPFS) && m.target.as_deref() == Some(SECRET_DIR)));
        assert!(body.env.unwrap().iter().all(|e| !e.to_ascii_uppercase().starts_with("GITHUB_TOKEN")));
    }

    #[test]
    fn the_fingerprint_moves_with_the_image_and_the_labels_only() {
        let s = spec();
        let a = s.runner_fingerprint("sha256:1");
        assert_eq!(a, spec().runner_fingerprint("sha256:1"));
        assert_ne!(a, s.runner_fingerprint("sha256:2"));
        let mut t = spec();
        t.labels.push("big".into());
        assert_ne!(a, t.runner_fingerprint("sha256:1"));
        let mut u = spec();
        u.count = 7;
        assert_eq!(a, u.runner_fingerprint("sha256:1"), "scaling is not drift");
    }

    #[test]
    fn bad_names_and_limits_are_one_line_errors() {
        let mut s = spec();
        s.name = "-bad name".into();
        assert!(s.validate().unwrap_err().to_string().contains("fleet name"));
        let mut s = spec();
        s.limits.memory_bytes = 1;
        assert!(s.validate().is_err());
        let mut s = spec();
        s.repo = "nope".into();
        assert!(s.validate().is_err());
    }
}
