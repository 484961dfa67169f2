//! Prompt templates: all AI behaviour is defined in `agent/`, one file per
//! task plus the shared ground rules (`system.md`) and answer format
//! (`narrative-format.md`).
//!
//! The files are compiled in (so the binary works from an empty image) and
//! loaded again at run time from a list of directories, first match per file
//! wins: typically the bot repository's override directory, then the
//! image's `agent/`. An override must come from the bot's own repository
//! (trusted config), never from a pull request's checkout: a PR that edits
//! a prompt must not steer the bot (the old bot loaded `CLAUDE.md` from the
//! PR head).
//!
//! Syntax: `{{name}}` placeholders; HTML comments are documentation and are
//! stripped before sending. Each task accepts a fixed set of placeholders
//! and an unknown one is an error at load time, with the file and name. Every
//! task template must fence its facts with `BEGIN DATA {{nonce}}` ... `END
//! DATA {{nonce}}`, the marker the ground rules refer to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The tasks the model can be asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Describe one failed job.
    JobFailure,
    /// Pick the line to read first when the engine found only a generic one.
    PickLine,
    /// Summarise one workflow's failed jobs.
    CrossJob,
    /// The daily cross-workflow summary's prose.
    DailySummary,
    /// Explain a pull request's CI status.
    CiStatus,
    /// Review a pull request's diff.
    PrReview,
}

impl Task {
    /// Every task.
    pub const ALL: [Task; 6] =
        [Task::JobFailure, Task::PickLine, Task::CrossJob, Task::DailySummary, Task::CiStatus, Task::PrReview];

    /// Its file stem in `agent/` and its name in cache keys.
    pub fn name(self) -> &'static str {
        match self {
            Task::JobFailure => "job-failure-analysis",
            Task::PickLine => "pick-first-line",
            Task::CrossJob => "cross-job-summary",
            Task::DailySummary => "daily-summary",
            Task::CiStatus => "ci-status",
            Task::PrReview => "pr-review",
        }
    }

    /// Placeholders the task's template may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Task::JobFailure => &[
                "repo", "workflow", "job", "head_sha", "failing_step", "verdict", "counts", "history", "cluster",
                "failing_tests", "key_lines", "suspect_commits", "related", "nonce", "narrative_format",
            ],
            Task::PickLine => &["job", "failing_step", "category", "candidates", "nonce"],
            Task::CrossJob => &["repo", "workflow", "date", "clusters", "nonce", "narrative_format"],
            Task::DailySummary => &["repo", "date", "workflows", "clusters", "nonce", "narrative_format"],
            Task::CiStatus => &["repo", "pr", "title", "changed_files", "failures", "nonce", "narrative_format"],
            Task::PrReview => {
                &["repo", "pr", "title", "body", "changed_files", "diff", "focus", "nonce", "narrative_format"]
            }
        }
    }

    /// Output token cap for the task: short answers are the point.
    pub fn max_tokens(self) -> u32 {
        match self {
            Task::PickLine => 120,
            Task::PrReview => 1200,
            _ => 700,
        }
    }

    fn builtin(self) -> &'static str {
        match self {
            Task::JobFailure => include_str!("../../../agent/job-failure-analysis.md"),
            Task::PickLine => include_str!("../../../agent/pick-first-line.md"),
            Task::CrossJob => include_str!("../../../agent/cross-job-summary.md"),
            Task::DailySummary => include_str!("../../../agent/daily-summary.md"),
            Task::CiStatus => include_str!("../../../agent/ci-status.md"),
            Task::PrReview => include_str!("../../../agent/pr-review.md"),
        }
    }
}

const SYSTEM: &str = include_str!("../../../agent/system.md");
const NARRATIVE_FORMAT: &str = include_str!("../../../agent/narrative-format.md");
/// A template larger than this is refused: prompts are meant to be small.
const MAX_TEMPLATE_BYTES: u64 = 32 * 1024;

/// A template file that cannot be used, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prompt template {file}: {problem}")]
pub struct TemplateError {
    /// The file (or `built-in <name>`).
    pub file: String,
    /// What is wrong.
    pub problem: String,
}

/// One loaded template and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Text with HTML comments stripped.
    pub text: String,
    /// `built-in` or the file path.
    pub origin: String,
}

/// The prompt set in use.
#[derive(Debug, Clone)]
pub struct Templates {
    system: Template,
    narrative_format: Template,
    tasks: BTreeMap<Task, Template>,
}

fn placeholder_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}").unwrap())
}

fn strip_comments(s: &str) -> String {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"(?s)<!--.*?-->\n?").unwrap());
    re.replace_all(s, "").trim().to_string()
}

impl Templates {
    /// The templates compiled into the binary (`agent/` at build time).
    pub fn builtin() -> Self {
        Templates::load(&[]).expect("the built-in templates are valid")
    }

    /// Load from `dirs`, earlier directories first, falling back to the
    /// built-in file for anything no directory has. A missing directory is
    /// not an error (no override); a bad file is.
    pub fn load(dirs: &[PathBuf]) -> Result<Self, TemplateError> {
        let pick = |file: &str, builtin: &str| -> Result<Template, TemplateError> {
            for d in dirs {
                let p = d.join(file);
                if let Some(t) = read_file(&p)? {
                    return Ok(t);
                }
            }
            Ok(Template { text: strip_comments(builtin), origin: "built-in".into() })
        };
        let system = pick("system.md", SYSTEM)?;
        let narrative_format = pick("narrative-format.md", NARRATIVE_FORMAT)?;
        for t in [&system, &narrative_format] {
            if let Some(c) = placeholder_re().captures(&t.text) {
                return Err(TemplateError { file: t.origin.clone(), problem: format!("no placeholders allowed here, found {{{{{}}}}}", &c[1]) });
            }
        }
        let mut tasks = BTreeMap::new();
        for task in Task::ALL {
            let t = pick(&format!("{}.md", task.name()), task.builtin())?;
            validate(task, &t)?;
            tasks.insert(task, t);
        }
        Ok(Templates { system, narrative_format, tasks })
    }

    /// Where `task`'s template came from.
    pub fn origin(&self, task: Task) -> &str {
        &self.tasks[&task].origin
    }

    /// A digest of everything that shapes `task`'s prompt (ground rules,
    /// answer format, task text): part of the cache key, so editing a
    /// prompt asks the model again.
    pub fn digest(&self, task: Task) -> String {
        let mut h = Sha256::new();
        for part in [&self.system.text, &self.narrative_format.text, &self.tasks[&task].text] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// The system prompt and the filled user prompt. Placeholders without a
    /// value become `(none)`; `narrative_format` is filled here.
    pub fn fill(&self, task: Task, values: &BTreeMap<&'static str, String>) -> (String, String) {
        let t = &self.tasks[&task];
        let user = placeholder_re().replace_all(&t.text, |c: &regex::Captures| {
            let name = &c[1];
            if name == "narrative_format" {
                return self.narrative_format.text.clone();
            }
            match values.get(name) {
                Some(v) if !v.trim().is_empty() => v.clone(),
                _ => "(none)".to_string(),
            }
        });
        (self.system.text.clone(), user.into_owned())
    }
}

fn read_file(p: &Path) -> Result<Option<Template>, TemplateError> {
    let err = |problem: String| TemplateError { file: p.display().to_string(), problem };
    match std::fs::metadata(p) {
        Err(_) => return Ok(None),
        Ok(m) if !m.is_file() => return Err(err("not a regular file".into())),
        Ok(m) if m.len() > MAX_TEMPLATE_BYTES => {
            return Err(err(format!("{} bytes; at most {MAX_TEMPLATE_BYTES} allowed", m.len())))
        }
        Ok(_) => {}
    }
    let bytes = std::fs::read(p).map_err(|e| err(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| err("not UTF-8".into()))?;
    Ok(Some(Template { text: strip_comments(&text), origin: p.display().to_string() }))
}

fn validate(task: Task, t: &Template) -> Result<(), TemplateError> {
    let err = |problem: String| TemplateError { file: t.origin.clone(), problem };
    for c in placeholder_re().captures_iter(&t.text) {
        let name = &c[1];
        if !task.placeholders().contains(&name) {
            return Err(err(format!(
                "unknown placeholder {{{{{name}}}}} for task {} (allowed: {})",
                task.name(),
                task.placeholders().join(", ")
            )));
        }
    }
    let begin = t.text.find("BEGIN DATA {{nonce}}");
    let end = t.text.rfind("END DATA {{nonce}}");
    match (begin, end) {
        (Some(b), Some(e)) if b < e => Ok(()),
        _ => Err(err("facts must be fenced by `BEGIN DATA {{nonce}}` ... `END DATA {{nonce}}`".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_load_and_strip_comments() {
        let t = Templates::builtin();
        for task in Task::ALL {
            assert_eq!(t.origin(task), "built-in");
            let (system, user) = t.fill(task, &BTreeMap::new());
            assert!(!system.contains("<!--") && !user.contains("<!--"), "{task:?}");
            assert!(!user.contains("{{"), "{task:?} left a placeholder: {user}");
        }
    }

    #[test]
    fn override_dir_wins_and_bad_files_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let custom = "Task: custom.\nBEGIN DATA {{nonce}}\nJob: {{job}}\nEND DATA {{nonce}}\n{{narrative_format}}";
        std::fs::write(dir.path().join("job-failure-analysis.md"), custom).unwrap();
        let t = Templates::load(&[dir.path().to_path_buf()]).unwrap();
        assert!(t.origin(Task::JobFailure).ends_with("job-failure-analysis.md"));
        assert_eq!(t.origin(Task::PickLine), "built-in");
        assert_ne!(t.digest(Task::JobFailure), Templates::builtin().digest(Task::JobFailure));
        let (_, user) = t.fill(Task::JobFailure, &BTreeMap::from([("job", "build (linux)".to_string())]));
        assert!(user.starts_with("Task: custom.\nBEGIN DATA (none)\nJob: build (linux)"));

        std::fs::write(dir.path().join("job-failure-analysis.md"), "BEGIN DATA {{nonce}} {{log}} END DATA {{nonce}}").unwrap();
        let e = Templates::load(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("unknown placeholder {{log}} for task job-failure-analysis"), "{e}");

        std::fs::write(dir.path().join("job-failure-analysis.md"), "Job: {{job}}").unwrap();
        let e = Templates::load(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("BEGIN DATA"), "{e}");

        std::fs::write(dir.path().join("job-failure-analysis.md"), [0xff, 0xfe]).unwrap();
        assert!(Templates::load(&[dir.path().to_path_buf()]).unwrap_err().to_string().ends_with("not UTF-8"));
    }
}
