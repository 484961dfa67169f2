//! The bot's configuration file (`.github/ci-bot.yml` in the bot repo).
//!
//! Like triagebot's `triagebot.toml`, a mistake in one key must not take the
//! whole monitor down: each key is read on its own, a bad or unknown key
//! becomes a [`ConfigWarning`] (printed as a workflow warning) and the default
//! is used. Only a file that cannot be read at all is an error, and even a
//! YAML syntax error degrades to "all defaults + one warning" so the inputs
//! can still drive a run.

use std::fmt;
use std::path::Path;

use ci_commands::IntakeConfig;
use ci_pr_review::ReviewConfig;
use ci_pr_status::StatusConfig;
use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value};

use crate::domain::log_facts::LogFactPattern;
use crate::domain::pattern::NamePattern;

/// Where the config file is looked for in the bot repo checkout.
pub const DEFAULT_CONFIG_PATH: &str = ".github/ci-bot.yml";

/// One workflow the monitor watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredWorkflow {
    /// Workflow file name, e.g. `nightly.yml`.
    pub file: String,
    /// Only runs on this branch count (`None` = any branch).
    pub branch: Option<String>,
    /// Only runs of this event count (`None` = any event).
    pub event: Option<String>,
}

/// One workflow that gets a long-lived `[Failure Tracker]` issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedWorkflow {
    /// Workflow file name (the tracker's identity).
    pub workflow: String,
    /// Name in the tracker's title.
    pub display: String,
    /// Older titles of the same tracker, renamed on first sight.
    pub legacy_titles: Vec<String>,
    /// Repository holding the tracker (`None` = the target repo).
    pub repo: Option<String>,
}

/// The bot's configuration, every key defaulted (see the module docs).
#[derive(Debug, Clone)]
pub struct Config {
    /// Target repository (inputs win over this).
    pub repo: Option<String>,
    /// Monitored workflows.
    pub workflows: Vec<MonitoredWorkflow>,
    /// Workflows with a failure tracker.
    pub trackers: Vec<TrackedWorkflow>,
    /// Hours of runs to consider.
    pub lookback_hours: u32,
    /// How many recent completed runs of a workflow to compare a failure with.
    pub history_runs: u32,
    /// How many past daily issues to read processed job ids from.
    pub dedup_days: u32,
    /// Patterns of coordinator jobs that fail only because another job failed.
    pub gate_jobs: Vec<NamePattern>,
    /// Patterns of the failed steps that make a job such a coordinator.
    pub gate_steps: Vec<NamePattern>,
    /// Extra triage rules (TOML), appended to the built-in ruleset.
    pub triage_rules: Option<String>,
    /// `@bot` commands: the mention, who may run them, forks, dispatch
    /// (`commands`). Its `bot_name` is the top-level `bot-name`.
    pub commands: IntakeConfig,
    /// The `ci-status` verdicts and coverage (`ci-status`).
    pub ci_status: StatusConfig,
    /// The `pr-review` checklist (`pr-review`).
    pub pr_review: ReviewConfig,
    /// Display name in footers.
    pub bot_name: String,
    /// Maximum GitHub writes per action run (circuit breaker).
    pub write_budget: u32,
    /// Days of history in the summary chart.
    pub chart_days: u32,
    /// Tracker rows not seen for this many days are dropped.
    pub tracker_retention_days: u32,
    /// The repository's own secret patterns, variables and allow-list
    /// (`redact:`, see docs/redaction.md).
    pub redact: ci_redact::RedactConfig,
    /// Facts to pull out of failing jobs' logs (`facts:`), shown with their
    /// cluster in the daily summary.
    pub facts: Vec<LogFactPattern>,
    /// The model that writes checked narratives (`llm:`, see docs/llm.md);
    /// the default is none: deterministic reports.
    pub llm: ci_llm::LlmConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            repo: None,
            workflows: Vec::new(),
            trackers: Vec::new(),
            lookback_hours: 24,
            history_runs: 10,
            dedup_days: 3,
            gate_jobs: DEFAULT_GATE_JOBS.iter().map(|p| NamePattern::parse(p).expect("valid default")).collect(),
            gate_steps: DEFAULT_GATE_STEPS.iter().map(|p| NamePattern::parse(p).expect("valid default")).collect(),
            triage_rules: None,
            commands: IntakeConfig::default(),
            ci_status: StatusConfig::default(),
            pr_review: ReviewConfig::default(),
            bot_name: "ci-bot".into(),
            write_budget: 60,
            chart_days: 7,
            tracker_retention_days: 30,
            redact: ci_redact::RedactConfig::default(),
            facts: Vec::new(),
            llm: ci_llm::LlmConfig::default(),
        }
    }
}

/// Coordinator jobs that only fail because another job failed. Generic
/// GitHub Actions idioms, not any one project's naming.
pub const DEFAULT_GATE_JOBS: &[&str] = &["finish", "wait-for-*", "check-all*", "all-checks*"];
/// Steps of coordinator jobs, as generic GitHub Actions idioms.
pub const DEFAULT_GATE_STEPS: &[&str] = &["Check all dependent job statuses", "Wait for * jobs to complete"];

/// A problem in one key of the config file (printed as a workflow warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning(pub String);

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const KNOWN_KEYS: &[&str] = &[
    "repo",
    "workflows",
    "trackers",
    "lookback-hours",
    "history-runs",
    "dedup-days",
    "gate-jobs",
    "gate-steps",
    "triage-rules",
    "triage-rules-file",
    "authorized-users",
    "commands",
    "ci-status",
    "pr-review",
    "bot-name",
    "write-budget",
    "chart-days",
    "tracker-retention-days",
    "redact",
    "facts",
    "llm",
];

impl Config {
    /// Reads the config file. A missing file is not an error (defaults);
    /// `base_dir` resolves a relative `triage-rules-file`.
    pub fn load(path: &Path) -> anyhow::Result<(Config, Vec<ConfigWarning>)> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let base = path.parent().and_then(|p| p.parent()).unwrap_or(Path::new("."));
                Ok(Config::parse_with_base(&text, Some(base)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Config::default(), Vec::new())),
            Err(e) => Err(anyhow::anyhow!("cannot read config {}: {e}", path.display())),
        }
    }

    /// Parses the config text (a relative `triage-rules-file` is read from the working directory).
    pub fn parse(text: &str) -> (Config, Vec<ConfigWarning>) {
        Config::parse_with_base(text, None)
    }

    fn parse_with_base(text: &str, base: Option<&Path>) -> (Config, Vec<ConfigWarning>) {
        let mut cfg = Config::default();
        let mut warnings = Vec::new();
        let root: Value = match serde_yaml_ng::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(ConfigWarning(format!("config is not valid YAML ({e}); using defaults")));
                return (cfg, warnings);
            }
        };
        let map = match root {
            Value::Mapping(m) => m,
            Value::Null => return (cfg, warnings),
            _ => {
                warnings.push(ConfigWarning("config must be a mapping of keys; using defaults".into()));
                return (cfg, warnings);
            }
        };
        let mut r = Reader { map: &map, warnings: &mut warnings };
        r.unknown_keys();
        if let Some(v) = r.get::<String>("repo") {
            cfg.repo = Some(v);
        }
        if let Some(list) = r.get::<Vec<WorkflowEntry>>("workflows") {
            cfg.workflows = list.into_iter().map(WorkflowEntry::into_monitored).collect();
        }
        if let Some(list) = r.get::<Vec<TrackerEntry>>("trackers") {
            cfg.trackers = list
                .into_iter()
                .map(|t| TrackedWorkflow {
                    display: t.display.unwrap_or_else(|| t.workflow.clone()),
                    workflow: t.workflow,
                    legacy_titles: t.legacy_titles,
                    repo: t.repo,
                })
                .collect();
        }
        r.number("lookback-hours", &mut cfg.lookback_hours, 1, 24 * 14);
        r.number("history-runs", &mut cfg.history_runs, 1, 50);
        r.number("dedup-days", &mut cfg.dedup_days, 1, 14);
        r.number("write-budget", &mut cfg.write_budget, 1, 1000);
        r.number("chart-days", &mut cfg.chart_days, 1, 31);
        r.number("tracker-retention-days", &mut cfg.tracker_retention_days, 1, 365);
        if let Some(p) = r.patterns("gate-jobs") {
            cfg.gate_jobs = p;
        }
        if let Some(p) = r.patterns("gate-steps") {
            cfg.gate_steps = p;
        }
        if let Some(redact) = r.get::<ci_redact::RedactConfig>("redact") {
            cfg.redact = redact;
        }
        if let Some(list) = r.get::<Vec<FactEntry>>("facts") {
            for f in list {
                match LogFactPattern::new(&f.name, &f.pattern) {
                    Ok(p) => cfg.facts.push(p),
                    Err(e) => r.warnings.push(ConfigWarning(format!("`facts`: {e}; fact ignored"))),
                }
            }
        }
        if let Some(llm) = r.get::<ci_llm::LlmConfig>("llm") {
            cfg.llm = llm;
        }
        if let Some(name) = r.get::<String>("bot-name") {
            cfg.bot_name = name;
        }
        if let Some(mut c) = r.get::<IntakeConfig>("commands") {
            // Checked here, not after a command was claimed: a bad value
            // there left each command with a rocket and no answer.
            if let Some(to) = c.dispatch_to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                if let Err(e) = to.parse::<ci_github::RepoRef>() {
                    r.warnings.push(ConfigWarning(format!("`commands.dispatch-to` {to:?} is not `owner/name` ({e}); commands run inline")));
                    c.dispatch_to = None;
                }
            }
            cfg.commands = c;
        }
        // The first config had a top-level list; it still works, folded
        // into the one list the commands read.
        if let Some(users) = r.get::<Vec<String>>("authorized-users") {
            r.warnings.push(ConfigWarning("`authorized-users` is now `commands.allow.users`; merged into it".into()));
            for u in users {
                let u = u.trim().trim_start_matches('@').to_string();
                if !u.is_empty() && !cfg.commands.allow.users.iter().any(|x| x.eq_ignore_ascii_case(&u)) {
                    cfg.commands.allow.users.push(u);
                }
            }
        }
        cfg.commands.bot_name = cfg.bot_name.clone();
        if let Some(c) = r.get::<StatusConfig>("ci-status") {
            match c.coverage.validate() {
                Ok(()) => cfg.ci_status = c,
                Err(e) => r.warnings.push(ConfigWarning(format!("`ci-status`: {e}; using the default"))),
            }
        }
        if let Some(c) = r.get::<ReviewConfig>("pr-review") {
            match c.validate() {
                Ok(()) => cfg.pr_review = c,
                Err(e) => r.warnings.push(ConfigWarning(format!("`pr-review`: {e}; using the default"))),
            }
        }
        let inline = r.get::<String>("triage-rules");
        let file = r.get::<String>("triage-rules-file");
        cfg.triage_rules = match (inline, file) {
            (Some(inline), None) => Some(inline),
            (inline, Some(file)) => {
                let path = base.map(|b| b.join(&file)).unwrap_or_else(|| file.clone().into());
                match std::fs::read_to_string(&path) {
                    Ok(text) => Some(match inline {
                        Some(i) => format!("{text}\n{i}"),
                        None => text,
                    }),
                    Err(e) => {
                        warnings.push(ConfigWarning(format!("`triage-rules-file`: cannot read {}: {e}", path.display())));
                        inline
                    }
                }
            }
            (None, None) => None,
        };
        (cfg, warnings)
    }

    /// The monitored workflow `file` (any branch and event when the config does not list it).
    pub fn workflow(&self, file: &str) -> MonitoredWorkflow {
        self.workflows.iter().find(|w| w.file == file).cloned().unwrap_or(MonitoredWorkflow {
            file: file.to_string(),
            branch: None,
            event: None,
        })
    }

}

struct Reader<'a> {
    map: &'a Mapping,
    warnings: &'a mut Vec<ConfigWarning>,
}

impl Reader<'_> {
    fn get<T: for<'de> Deserialize<'de>>(&mut self, key: &str) -> Option<T> {
        let v = self.map.get(key)?;
        if v.is_null() {
            return None;
        }
        match serde_yaml_ng::from_value::<T>(v.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                self.warnings.push(ConfigWarning(format!("`{key}`: {e}; using the default")));
                None
            }
        }
    }

    fn number(&mut self, key: &str, slot: &mut u32, min: u32, max: u32) {
        if let Some(n) = self.get::<u64>(key) {
            if n < min as u64 || n > max as u64 {
                self.warnings.push(ConfigWarning(format!("`{key}`: {n} is outside {min}..={max}; using {}", *slot)));
            } else {
                *slot = n as u32;
            }
        }
    }

    fn patterns(&mut self, key: &str) -> Option<Vec<NamePattern>> {
        let raw = self.get::<Vec<String>>(key)?;
        let mut out = Vec::new();
        for s in raw {
            match NamePattern::parse(&s) {
                Ok(p) => out.push(p),
                Err(e) => self.warnings.push(ConfigWarning(format!("`{key}`: {e}; pattern ignored"))),
            }
        }
        Some(out)
    }

    fn unknown_keys(&mut self) {
        for k in self.map.keys() {
            let name = match k.as_str() {
                Some(s) => s,
                None => {
                    self.warnings.push(ConfigWarning("non-string key ignored".into()));
                    continue;
                }
            };
            if !KNOWN_KEYS.contains(&name) {
                let hint = KNOWN_KEYS
                    .iter()
                    .find(|known| known.replace('-', "_") == name || edit_distance(known, name) <= 2)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.warnings.push(ConfigWarning(format!("unknown key `{name}` ignored{hint}")));
            }
        }
    }
}

/// `workflows:` entries may be a bare file name or a mapping.
#[derive(Deserialize)]
#[serde(untagged)]
enum WorkflowEntry {
    File(String),
    Full {
        file: String,
        #[serde(default)]
        branch: Option<String>,
        #[serde(default)]
        event: Option<String>,
    },
}

impl WorkflowEntry {
    fn into_monitored(self) -> MonitoredWorkflow {
        match self {
            WorkflowEntry::File(file) => MonitoredWorkflow { file, branch: None, event: None },
            WorkflowEntry::Full { file, branch, event } => MonitoredWorkflow { file, branch, event },
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct TrackerEntry {
    workflow: String,
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    legacy_titles: Vec<String>,
    #[serde(default)]
    repo: Option<String>,
}

/// `facts:` entries: a name and a pattern with one capture group.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactEntry {
    name: String,
    pattern: String,
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Splits a `workflows` input (comma or newline separated).
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_example_parses_without_warnings() {
        let (cfg, warnings) = Config::parse(
            r#"
repo: example/project
bot-name: example-bot
workflows:
  - nightly.yml
  - file: pr-test.yml
    branch: main
    event: schedule
trackers:
  - workflow: pr-test.yml
    display: PR Test
    legacy-titles: ["[CI Tracker] PR Test — Persistent Failure Ledger"]
lookback-hours: 36
gate-jobs: ["finish", "/^gate-\\d+$/"]
commands:
  mention: example-bot
  allow: { users: ["@Alice", "bob"], teams: [example/ci] }
ci-status: { max-window-days: 5 }
pr-review: { large-deletion-lines: 100 }
write-budget: 40
triage-rules: |
  [[rule]]
  name = "custom"
"#,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(cfg.repo.as_deref(), Some("example/project"));
        assert_eq!(cfg.workflows.len(), 2);
        assert_eq!(cfg.workflows[1].branch.as_deref(), Some("main"));
        assert_eq!(cfg.trackers[0].display, "PR Test");
        assert_eq!(cfg.lookback_hours, 36);
        assert_eq!(cfg.write_budget, 40);
        assert_eq!(cfg.commands.allow.users, ["@Alice", "bob"]);
        assert_eq!(cfg.commands.bot_name, "example-bot");
        assert_eq!(cfg.ci_status.max_window_days, 5);
        assert_eq!(cfg.pr_review.large_deletion_lines, 100);
        assert!(cfg.gate_jobs[1].matches("gate-12"));
        assert!(cfg.triage_rules.unwrap().contains("custom"));
    }

    #[test]
    fn bad_keys_warn_and_keep_defaults() {
        let (cfg, warnings) = Config::parse("lookback_hours: 12\nhistory-runs: many\nwrite-budget: 0\ngate-jobs: ['/(/']\n");
        let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        assert!(text[0].contains("did you mean `lookback-hours`"), "{text:?}");
        assert!(text.iter().any(|w| w.starts_with("`history-runs`")), "{text:?}");
        assert!(text.iter().any(|w| w.contains("outside 1..=1000")), "{text:?}");
        assert!(text.iter().any(|w| w.contains("invalid pattern")), "{text:?}");
        assert_eq!(cfg.lookback_hours, 24);
        assert_eq!(cfg.history_runs, 10);
        assert_eq!(cfg.write_budget, 60);
        assert!(cfg.gate_jobs.is_empty());
    }

    #[test]
    fn a_bad_pr_section_is_a_warning_and_the_rest_still_applies() {
        let (cfg, w) = Config::parse(
            "commands: { mention: x, alow: [] }\nci-status: { coverage: { mappings: [{ files: ['[a'], jobs: [b] }] } }\nauthorized-users: [carol]\nlookback-hours: 6\n",
        );
        let text: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        assert!(text.iter().any(|w| w.starts_with("`commands`")), "{text:?}");
        assert!(text.iter().any(|w| w.starts_with("`ci-status`")), "{text:?}");
        assert!(text.iter().any(|w| w.contains("commands.allow.users")), "{text:?}");
        assert_eq!(cfg.commands.mention, "ci-bot", "a bad section is all defaults");
        assert_eq!(cfg.commands.allow.users, ["carol"], "the old list still counts");
        assert_eq!(cfg.lookback_hours, 6);
    }

    #[test]
    fn facts_need_one_capture_group_each() {
        let (cfg, w) = Config::parse(
            "facts:\n  - {name: AITER commit, pattern: '\\[CI-AITER-CHECK\\].*?([0-9a-f]{7,40})'}\n  - {name: bad, pattern: 'no group'}\n",
        );
        assert_eq!(cfg.facts.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["AITER commit"]);
        assert!(w.len() == 1 && w[0].0.contains("exactly one capture group"), "{w:?}");
    }

    #[test]
    fn syntax_error_is_one_warning_not_a_failure() {
        let (cfg, warnings) = Config::parse("workflows: [a.yml\n");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].0.contains("not valid YAML"));
        assert!(cfg.workflows.is_empty());
    }

    #[test]
    fn empty_file_is_defaults() {
        let (cfg, warnings) = Config::parse("");
        assert!(warnings.is_empty());
        assert_eq!(cfg.bot_name, "ci-bot");
    }

    #[test]
    fn missing_file_is_defaults() {
        let (cfg, w) = Config::load(Path::new("/nonexistent/ci-bot.yml")).unwrap();
        assert!(w.is_empty());
        assert_eq!(cfg.lookback_hours, 24);
    }

    #[test]
    fn list_inputs_split_on_commas_and_newlines() {
        assert_eq!(split_list("a.yml, b.yml\nc.yml\n\n"), vec!["a.yml", "b.yml", "c.yml"]);
    }
}
