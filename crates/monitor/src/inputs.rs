//! Resolving the common action inputs: input (or CLI flag) over config
//! file over environment over default. Documented in `docs/monitor.md`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use ci_github::RepoRef;

use crate::config::{split_list, Config, ConfigWarning, DEFAULT_CONFIG_PATH};
use crate::ctx::Settings;

/// Raw values, `None` = not supplied. `Debug` shows whether a token was
/// given, never the token.
#[derive(Debug, Clone, Default)]
pub struct RawInputs {
    /// `repo`: the monitored repository.
    pub repo: Option<String>,
    /// `bot-repo`: where the daily issues live.
    pub bot_repo: Option<String>,
    /// `token`.
    pub token: Option<ci_redact::Secret>,
    /// `workflow` (analyze-workflow).
    pub workflow: Option<String>,
    /// `workflows`: comma or newline separated.
    pub workflows: Option<String>,
    /// `lookback-hours`.
    pub lookback_hours: Option<String>,
    /// `dry-run`.
    pub dry_run: Option<bool>,
    /// `config`: path of the config file.
    pub config: Option<String>,
    /// `api-url`.
    pub api_url: Option<String>,
    /// `date`: `YYYY-MM-DD` of the daily issue.
    pub date: Option<String>,
    /// `url` (analyze-url).
    pub url: Option<String>,
    /// `output` (analyze-url): `issue` or `stdout`.
    pub output: Option<String>,
    /// `pr` (ci-status, pr-review): pull request number.
    pub pr: Option<String>,
    /// `focus` (pr-review): areas, space or comma separated.
    pub focus: Option<String>,
    /// `event-name`: the webhook event the run is for (default `GITHUB_EVENT_NAME`).
    pub event_name: Option<String>,
    /// `event-path`: its payload file (default `GITHUB_EVENT_PATH`).
    pub event_path: Option<String>,
}

/// What the environment contributes (`GITHUB_REPOSITORY`, `GITHUB_SERVER_URL`).
#[derive(Debug, Clone, Default)]
pub struct EnvDefaults {
    /// `GITHUB_REPOSITORY`.
    pub repository: Option<String>,
    /// `GITHUB_SERVER_URL`.
    pub server_url: Option<String>,
}

impl EnvDefaults {
    /// Reads the two variables (blank counts as unset).
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        EnvDefaults { repository: var("GITHUB_REPOSITORY"), server_url: var("GITHUB_SERVER_URL") }
    }
}

/// The inputs resolved, with the config they were resolved against.
pub struct Resolved {
    /// What every action gets.
    pub settings: Settings,
    /// The config file.
    pub config: Config,
    /// Its problems.
    pub warnings: Vec<ConfigWarning>,
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Input (or flag) over config file over environment over default; a bad value is a one-line error.
pub fn resolve(raw: &RawInputs, env: &EnvDefaults, now: DateTime<Utc>) -> anyhow::Result<Resolved> {
    let config_path = PathBuf::from(raw.config.clone().unwrap_or_else(|| DEFAULT_CONFIG_PATH.into()));
    let (config, warnings) = Config::load(&config_path)?;
    let repo_text = raw
        .repo
        .clone()
        .or_else(|| config.repo.clone())
        .or_else(|| env.repository.clone())
        .ok_or_else(|| {
            // The config's own problems may be why it gave no `repo`: say them too, on the same line.
            let why: Vec<String> =
                warnings.iter().map(|w| format!("; config {}: {}", config_path.display(), one_line(&w.0))).collect();
            anyhow::anyhow!("no target repository: set the `repo` input (owner/name){}", why.concat())
        })?;
    let repo: RepoRef = repo_text.parse().map_err(|e| anyhow::anyhow!("input `repo`: {e}"))?;
    let bot_repo: RepoRef = match raw.bot_repo.clone().or_else(|| env.repository.clone()) {
        Some(b) => b.parse().map_err(|e| anyhow::anyhow!("input `bot-repo`: {e}"))?,
        None => repo.clone(),
    };
    let lookback_hours = match &raw.lookback_hours {
        Some(s) => s
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=24 * 14).contains(h))
            .ok_or_else(|| anyhow::anyhow!("input `lookback-hours`: {s:?} is not a number of hours in 1..=336"))?,
        None => config.lookback_hours,
    };
    let date = match &raw.date {
        Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("input `date`: {d:?} is not YYYY-MM-DD"))?,
        None => now.date_naive(),
    };
    let workflows = match (&raw.workflows, &raw.workflow) {
        (Some(list), _) => split_list(list),
        (None, _) if !config.workflows.is_empty() => config.workflows.iter().map(|w| w.file.clone()).collect(),
        (None, Some(one)) => vec![one.trim().to_string()],
        (None, None) => Vec::new(),
    };
    let server_url = env
        .server_url
        .clone()
        .unwrap_or_else(|| "https://github.com".into())
        .trim_end_matches('/')
        .to_string();
    Ok(Resolved {
        settings: Settings {
            repo,
            bot_repo,
            lookback_hours,
            dry_run: raw.dry_run.unwrap_or(false),
            date,
            now,
            server_url,
            workflows,
        },
        config,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T23:59:00Z".parse().unwrap()
    }

    #[test]
    fn debug_never_shows_the_token() {
        let raw = RawInputs { token: Some(ci_redact::Secret::new("ghs_sEcReTtOkEnVaLuE1234567890")), repo: Some("o/r".into()), ..RawInputs::default() };
        let shown = format!("{raw:?}");
        assert!(!shown.contains("sEcReT"), "{shown}");
        assert!(shown.contains("***") && shown.contains("o/r"), "{shown}");
    }

    #[test]
    fn inputs_win_over_config_and_env() {
        let dir = std::env::temp_dir().join(format!("ci-monitor-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".github")).unwrap();
        let cfg = dir.join(".github/ci-bot.yml");
        std::fs::write(&cfg, "repo: cfg/target\nworkflows: [a.yml, b.yml]\nlookback-hours: 12\n").unwrap();
        let env = EnvDefaults { repository: Some("me/bot".into()), server_url: None };
        let raw = RawInputs { config: Some(cfg.display().to_string()), ..Default::default() };
        let r = resolve(&raw, &env, now()).unwrap();
        assert_eq!(r.settings.repo.to_string(), "cfg/target");
        assert_eq!(r.settings.bot_repo.to_string(), "me/bot");
        assert_eq!(r.settings.workflows, vec!["a.yml", "b.yml"]);
        assert_eq!(r.settings.lookback_hours, 12);
        assert_eq!(r.settings.date.to_string(), "2026-03-01");
        assert_eq!(r.settings.server_url, "https://github.com");

        let raw = RawInputs {
            repo: Some("in/target".into()),
            workflows: Some("x.yml\ny.yml".into()),
            lookback_hours: Some("48".into()),
            date: Some("2026-02-28".into()),
            config: Some(cfg.display().to_string()),
            ..Default::default()
        };
        let r = resolve(&raw, &env, now()).unwrap();
        assert_eq!(r.settings.repo.to_string(), "in/target");
        assert_eq!(r.settings.workflows, vec!["x.yml", "y.yml"]);
        assert_eq!(r.settings.lookback_hours, 48);
        assert_eq!(r.settings.date.to_string(), "2026-02-28");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_inputs_are_one_line_errors() {
        let env = EnvDefaults::default();
        let base = RawInputs { config: Some("/nonexistent/ci-bot.yml".into()), ..Default::default() };
        let err = |raw: RawInputs| resolve(&raw, &env, now()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(base.clone()).contains("no target repository"));
        let bad_yaml = std::env::temp_dir().join(format!("ci-bot-bad-yaml-{}.yml", std::process::id()));
        std::fs::write(&bad_yaml, "workflows: [a.yml\nrepo: x/y\n").unwrap();
        let e = err(RawInputs { config: Some(bad_yaml.display().to_string()), ..base.clone() });
        std::fs::remove_file(&bad_yaml).ok();
        assert!(e.contains("no target repository") && e.contains("not valid YAML") && !e.contains('\n'), "{e}");
        let with_repo = RawInputs { repo: Some("o/r".into()), ..base.clone() };
        assert!(err(RawInputs { lookback_hours: Some("lots".into()), ..with_repo.clone() }).contains("lookback-hours"));
        assert!(err(RawInputs { date: Some("01/02/2026".into()), ..with_repo.clone() }).contains("YYYY-MM-DD"));
        assert!(err(RawInputs { repo: Some("not a repo".into()), ..base }).contains("`repo`"));
        let e = err(RawInputs { lookback_hours: Some("0".into()), ..with_repo });
        assert!(!e.is_empty() && !e.contains('\n'), "{e}");
    }
}
