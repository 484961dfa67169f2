//! The result of triaging one log: the `ci-triage/v1` contract plus the
//! extra fields the monitor renders (steps, excerpts, fingerprints), and a
//! plain-text view for terminals. The Markdown view, and every escape, is
//! `ci_report::analysis_view`.

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "ci-triage/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Always [`SCHEMA`].
    pub schema: String,
    pub verdict: Verdict,
    /// 1-based raw line numbers, most explanatory first, at most 20.
    pub key_lines: Vec<u32>,
    pub failures: Vec<Failure>,
    /// The test runner's own summary, `None` when the log has none.
    pub counts: Option<Counts>,
    // ---- extensions (not read by the scorer) ----
    /// GitHub Actions steps as seen in the log (empty for other CI systems).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Name of the step that failed the job, when the log says.
    #[serde(default)]
    pub failing_step: Option<String>,
    /// The key lines with a few lines of cleaned context, in key-line order,
    /// so a renderer never has to re-read the log.
    #[serde(default)]
    pub excerpts: Vec<Excerpt>,
    /// Lines in the input (split on `\n`).
    #[serde(default)]
    pub total_lines: u64,
    /// Bytes read.
    #[serde(default)]
    pub total_bytes: u64,
}

/// The closed set of failure categories of the `ci-triage/v1` contract.
///
/// Serialised (JSON, TOML) as the contract's snake_case strings
/// (`test_failure`, `compilation`, ...); anything else is rejected when a
/// rules file or an analysis is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A test ran and failed (assertion, error inside a test).
    TestFailure,
    /// The code did not compile or build.
    Compilation,
    /// A linter, formatter or static checker (including type checkers) refused the code.
    Lint,
    /// Building or checking documentation failed.
    Docs,
    /// A dependency could not be resolved, downloaded or installed.
    Dependency,
    /// The machine, runner, network or a service failed, not the code.
    Infra,
    /// The job or a step ran out of time.
    Timeout,
    /// The job ran out of memory.
    Oom,
    /// The CI configuration or the job's setup is wrong.
    Config,
    /// Nothing says what kind of failure it was.
    Unknown,
}

impl Category {
    /// Every category, in the contract's order.
    pub const ALL: [Category; 10] = [
        Category::TestFailure,
        Category::Compilation,
        Category::Lint,
        Category::Docs,
        Category::Dependency,
        Category::Infra,
        Category::Timeout,
        Category::Oom,
        Category::Config,
        Category::Unknown,
    ];

    /// The contract's name: `test_failure`, `compilation`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::TestFailure => "test_failure",
            Category::Compilation => "compilation",
            Category::Lint => "lint",
            Category::Docs => "docs",
            Category::Dependency => "dependency",
            Category::Infra => "infra",
            Category::Timeout => "timeout",
            Category::Oom => "oom",
            Category::Config => "config",
            Category::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of [`Category::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCategory(pub String);

impl std::fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        write!(f, "unknown category `{}` (one of {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownCategory {}

impl std::str::FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Category, UnknownCategory> {
        Category::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// What kind of failure the job had.
    pub category: Category,
    /// `Some(true)` intermittent, `Some(false)` deterministic, `None` cannot tell.
    pub flaky: Option<bool>,
    /// Rule of the best line (extension).
    #[serde(default)]
    pub rule: Option<String>,
    /// What decided `category` (extension): `rule` (the best line's rule),
    /// `tests_failed` (the runner reported failing tests, and the best
    /// line is read as why), `failing_tool`, `failed_command` or
    /// `failing_step` (what failed decided: a build tool's goal, task,
    /// target or script, the CI command, the CI step; `tool` names it),
    /// `key_line_words` (the vocabulary of the best lines: `evidence`
    /// quotes it).
    /// `None` when nothing was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The name of what failed that decided `category` (extension): a
    /// Maven plugin, a Gradle task, a make target, a command, a step
    /// (`maven-checkstyle-plugin`, `javadoc`, `mypy src`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The words that decided `category` when the best line said only
    /// *that* something failed (extension): the phrase and its line
    /// (`line 179: \`cannot find symbol\``), the statement of what failed
    /// (`line 40: \`maven-checkstyle-plugin\` failed`) or the step's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Verdict {
    /// `(deterministic)`, `(likely flaky; the runner reported failing
    /// tests)`: the verdict's qualifiers for the text and Markdown views.
    pub fn qualifiers(&self) -> String {
        let flaky = match self.flaky {
            Some(true) => "likely flaky",
            Some(false) => "deterministic",
            None => "flakiness unknown",
        };
        let basis = match self.basis.as_deref() {
            Some("tests_failed") => "; the runner reported failing tests",
            Some("failing_step") => "; named by the failing step",
            Some("failed_command") => "; named by the failed command",
            Some("failing_tool") => "; named by the failing tool",
            Some("key_line_words") => "; from the words of the key lines",
            _ => "",
        };
        format!("({flaky}{basis})")
    }

    /// The tool or command that decided the category, when it is not the
    /// failing step (which the views show anyway).
    pub fn named_tool(&self) -> Option<&str> {
        self.tool.as_deref().filter(|_| matches!(self.basis.as_deref(), Some("failing_tool" | "failed_command")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRef {
    pub id: String,
    pub file: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// `None` for a failure that is not a test (compile error, OOM kill...).
    pub test: Option<TestRef>,
    pub message: String,
    pub line: u32,
    pub category: Category,
    // ---- extensions ----
    /// `v1:<sha256 hex>` over the normalised message, rule and test id.
    pub fingerprint: String,
    /// Rule (or `runner:<framework>`) that found it.
    pub rule: String,
    /// Stable grouping key: rule name plus normalised captures, or test id.
    pub group_key: String,
    /// GitHub Actions step the line belongs to.
    pub step: Option<String>,
}

/// The test runner's own summary. Fields are `None` when the log does not say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub run: Option<u64>,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub skipped: Option<u64>,
}

impl Counts {
    /// Field-wise sum (several invocations of one runner, several runners
    /// in one log): `None` only where neither side said anything.
    pub fn add(&mut self, c: &Counts) {
        fn add(a: &mut Option<u64>, b: Option<u64>) {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0).saturating_add(b));
            }
        }
        add(&mut self.run, c.run);
        add(&mut self.passed, c.passed);
        add(&mut self.failed, c.failed);
        add(&mut self.skipped, c.skipped);
    }

    /// `failed` of `run` tests failed, `skipped` were skipped (when the
    /// runner says), the rest passed.
    pub fn of_run(run: u64, failed: u64, skipped: Option<u64>) -> Counts {
        let passed = run.saturating_sub(failed + skipped.unwrap_or(0));
        Counts { run: Some(run), passed: Some(passed), failed: Some(failed), skipped }
    }

    /// The log said nothing about any field.
    pub fn is_empty(&self) -> bool {
        self.run.is_none() && self.passed.is_none() && self.failed.is_none() && self.skipped.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// As logged: `Run cargo test`, `Post job cleanup.`, `Set up job`.
    pub name: String,
    /// First and last raw line of the step (inclusive).
    pub start: u32,
    pub end: u32,
    /// The step ended with `##[error]Process completed with exit code N` (N != 0).
    pub failed: bool,
    pub exit_code: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excerpt {
    /// The key line.
    pub line: u32,
    pub rule: String,
    pub step: Option<String>,
    /// Cleaned text (no timestamps/ANSI) of the key line and its neighbours.
    pub context: Vec<ExcerptLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcerptLine {
    pub no: u32,
    pub text: String,
}

impl Analysis {
    /// A human view: verdict, failing tests, then each key line with context.
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "verdict: {} {}", self.verdict.category, self.verdict.qualifiers());
        if let Some(step) = &self.failing_step {
            let _ = writeln!(s, "failing step: {step}");
        }
        if let Some(tool) = self.verdict.named_tool() {
            let _ = writeln!(s, "failing tool: {tool}");
        }
        if let Some(c) = &self.counts {
            let _ = writeln!(s, "tests: {c}");
        }
        let tests: Vec<&Failure> = self.failures.iter().filter(|f| f.test.is_some()).collect();
        if !tests.is_empty() {
            let _ = writeln!(s, "\nfailing tests ({}):", tests.len());
            for f in tests.iter().take(50) {
                let t = f.test.as_ref().map(|t| t.id.as_str()).unwrap_or("");
                let _ = writeln!(s, "  {t}  (line {})", f.line);
                if !f.message.is_empty() {
                    let _ = writeln!(s, "      {}", clip(&f.message, 200));
                }
            }
            if tests.len() > 50 {
                let _ = writeln!(s, "  ... and {} more", tests.len() - 50);
            }
        }
        let others: Vec<&Failure> = self.failures.iter().filter(|f| f.test.is_none()).collect();
        if !others.is_empty() {
            let _ = writeln!(s, "\nother failures:");
            for f in others {
                let _ = writeln!(s, "  [{}] {} (line {}, rule {})", f.category, clip(&f.message, 200), f.line, f.rule);
            }
        }
        if !self.excerpts.is_empty() {
            let _ = writeln!(s, "\nkey lines:");
            for e in self.excerpts.iter().take(5) {
                let step = e.step.as_deref().map(|s| format!(", step `{s}`")).unwrap_or_default();
                let _ = writeln!(s, "--- line {} ({}{step})", e.line, e.rule);
                for l in &e.context {
                    let mark = if l.no == e.line { '>' } else { ' ' };
                    let _ = writeln!(s, "{mark}{:>7} | {}", l.no, clip(&l.text, 300));
                }
            }
        } else if self.key_lines.is_empty() {
            let _ = writeln!(s, "\nno failure lines recognised");
        }
        s
    }
}

/// `12 run, 10 passed, 2 failed, ? skipped` (`?`: the log does not say).
impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
        write!(f, "{} run, {} passed, {} failed, {} skipped", n(self.run), n(self.passed), n(self.failed), n(self.skipped))
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::Category;

    #[test]
    fn categories_serialise_to_the_contract_names() {
        let names: Vec<String> = Category::ALL.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        assert_eq!(
            names.join(","),
            r#""test_failure","compilation","lint","docs","dependency","infra","timeout","oom","config","unknown""#
        );
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
            assert_eq!(serde_json::from_str::<Category>(&format!("\"{c}\"")).unwrap(), c);
        }
        assert!("test".parse::<Category>().is_err());
        assert!(serde_json::from_str::<Category>("\"Test_Failure\"").is_err());
    }
}
