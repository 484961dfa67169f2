//! Which CI jobs should have tested a change, and whether they did.
//!
//! Two sources, both in `.github/ci-bot.yml` under `ci-status.coverage`:
//! - **mappings**: file globs → job-name globs, for any repository
//!   (`python/sglang/srt/layers/attention/** → unit-test-backend-*`);
//! - **extractors**: a call in a test file that names its suite. sglang's
//!   `register_amd_ci(est_time=…, suite="stage-a-test-1-amd")` is the
//!   built-in one. The old bot's parser read only the first call, broke on
//!   nested parentheses, missed the newer `stage=`/`runner_config=` form
//!   and files outside `test/` (seed spec §7.3.25); this one reads every
//!   call with balanced parentheses, skips commented-out calls and
//!   `nightly=True` suites, and takes its file globs from the config.
//!
//! A suite "ran" when a job of the head whose name is the suite (or the
//! suite followed by a matrix/shard suffix) completed with a result.

use std::sync::LazyLock;

use ci_report::pr_model::{ChangedFile, CoverageState, NotTestedReason, UntestedChange};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::input::JobRun;

/// One `files → jobs` rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Globs over changed paths (`**` crosses directories).
    pub files: Vec<String>,
    /// Globs over job names; one matching job that ran is enough.
    pub jobs: Vec<String>,
}

/// A suite-registering call to look for in changed test files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extractor {
    /// The function, e.g. `register_amd_ci`.
    pub function: String,
    /// Globs of the files it appears in.
    pub files: Vec<String>,
}

/// `ci-status.coverage` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct CoverageConfig {
    /// File → job rules.
    pub mappings: Vec<Mapping>,
    /// Suite-registering calls.
    pub extractors: Vec<Extractor>,
    /// Most changed files whose content is read for extractors (a 3000-file
    /// pull request must not cost 3000 requests).
    pub max_files_read: usize,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        CoverageConfig {
            mappings: Vec::new(),
            extractors: vec![Extractor {
                function: "register_amd_ci".into(),
                files: vec!["test/**/*.py".into(), "tests/**/*.py".into()],
            }],
            max_files_read: 200,
        }
    }
}

/// A change and the suite or job pattern that should test it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// The changed file.
    pub file: String,
    /// What must run: a suite name, or a job-name glob from a mapping.
    pub suite: SuiteRef,
}

/// How to recognise the jobs of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuiteRef {
    /// `suite="name"`: the job named so, or so plus a matrix suffix.
    Suite {
        /// The suite.
        name: String,
    },
    /// `stage=` and `runner_config=`: a job whose name has both.
    StageRunner {
        /// Stage, e.g. `stage-b`.
        stage: String,
        /// Runner configuration, e.g. `8-gpu-amd`.
        runner: String,
    },
    /// A job-name glob from a mapping.
    Jobs {
        /// The glob.
        pattern: String,
    },
}

impl SuiteRef {
    /// How the comment names it.
    pub fn display(&self) -> String {
        match self {
            SuiteRef::Suite { name } => name.clone(),
            SuiteRef::StageRunner { stage, runner } => format!("{stage} / {runner}"),
            SuiteRef::Jobs { pattern } => pattern.clone(),
        }
    }

    fn stage(&self) -> Option<String> {
        static STAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bstage[-_ ]?([a-z])\b").expect("static"));
        let text = match self {
            SuiteRef::Suite { name } => name.as_str(),
            SuiteRef::StageRunner { stage, .. } => stage.as_str(),
            SuiteRef::Jobs { .. } => return None,
        };
        STAGE.captures(text).map(|c| format!("stage {}", c[1].to_lowercase()))
    }

    fn matches(&self, job: &str) -> bool {
        let job_l = job.trim().to_lowercase();
        match self {
            SuiteRef::Suite { name } => {
                let n = name.to_lowercase();
                job_l == n || job_l.strip_prefix(&n).is_some_and(|rest| rest.starts_with([' ', '(']))
            }
            SuiteRef::StageRunner { stage, runner } => {
                job_l.contains(&stage.to_lowercase()) && job_l.contains(&runner.to_lowercase())
            }
            SuiteRef::Jobs { pattern } => Glob::new(&pattern.to_lowercase())
                .map(|g| g.compile_matcher().is_match(&job_l))
                .unwrap_or(false),
        }
    }
}

fn globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| format!("glob {g:?}: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

impl CoverageConfig {
    /// Check every glob; the first bad one as a one-line error.
    pub fn validate(&self) -> Result<(), String> {
        for m in &self.mappings {
            globset(&m.files)?;
            for j in &m.jobs {
                Glob::new(j).map_err(|e| format!("job glob {j:?}: {e}"))?;
            }
        }
        for x in &self.extractors {
            globset(&x.files)?;
            if x.function.is_empty() || !x.function.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                return Err(format!("extractor function {:?} is not an identifier", x.function));
            }
        }
        Ok(())
    }

    /// Changed files whose content an extractor needs (not removed), at
    /// most [`CoverageConfig::max_files_read`]; the bool says whether some
    /// were left out.
    pub fn files_to_read<'a>(&self, files: &'a [ChangedFile]) -> (Vec<&'a str>, bool) {
        let sets: Vec<GlobSet> = self.extractors.iter().filter_map(|x| globset(&x.files).ok()).collect();
        let wanted: Vec<&str> = files
            .iter()
            .filter(|f| !f.is_removed())
            .map(|f| f.path.as_str())
            .filter(|p| sets.iter().any(|s| s.is_match(p)))
            .collect();
        let cut = wanted.len() > self.max_files_read;
        (wanted.into_iter().take(self.max_files_read).collect(), cut)
    }

    /// Every (file, suite) the changes should run: mappings first, then the
    /// suites extractors find in the contents `read` returns.
    pub fn expected_suites(&self, files: &[ChangedFile], read: impl Fn(&str) -> Option<String>) -> Vec<Expected> {
        let mut out = Vec::new();
        for m in &self.mappings {
            let Ok(set) = globset(&m.files) else { continue };
            for f in files.iter().filter(|f| !f.is_removed() && set.is_match(&f.path)) {
                for j in &m.jobs {
                    out.push(Expected { file: f.path.clone(), suite: SuiteRef::Jobs { pattern: j.clone() } });
                }
            }
        }
        let (paths, _) = self.files_to_read(files);
        for path in paths {
            let Some(content) = read(path) else { continue };
            for x in &self.extractors {
                if !globset(&x.files).is_ok_and(|s| s.is_match(path)) {
                    continue;
                }
                for suite in extract_suites(&content, &x.function) {
                    let e = Expected { file: path.to_string(), suite };
                    if !out.contains(&e) {
                        out.push(e);
                    }
                }
            }
        }
        out
    }
}

/// The suites every `function(...)` call in `content` registers: balanced
/// parentheses, string literals respected, commented-out calls and
/// `nightly=True` calls skipped.
pub fn extract_suites(content: &str, function: &str) -> Vec<SuiteRef> {
    static KW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?s)\b(suite|stage|runner_config|nightly)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\w+))"#).expect("static")
    });
    let mut out = Vec::new();
    let needle = format!("{function}(");
    let mut from = 0;
    // The start of the line `from` is on, carried forward: looking back
    // from each call to its line's start, and forward from it to the end of
    // an unclosed call, made a pull request's file of unclosed calls cost
    // its length squared.
    let mut line_start = 0;
    let mut calls = 0;
    while let Some(pos) = content[from..].find(&needle) {
        let start = from + pos;
        if let Some(nl) = content[from..start].rfind('\n') {
            line_start = from + nl + 1;
        }
        from = start + needle.len();
        calls += 1;
        if calls > MAX_CALLS {
            break;
        }
        // A call, not `my_register_amd_ci(` or `x.register_amd_ci_old(`.
        let before = content[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if content[line_start..start].contains('#') {
            continue;
        }
        let Some(args) = balanced_args(&content[from..]) else { continue };
        let (mut suite, mut stage, mut runner, mut nightly) = (None, None, None, false);
        for c in KW.captures_iter(args) {
            let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str()).to_string();
            match &c[1] {
                "suite" => suite = Some(value),
                "stage" => stage = Some(value),
                "runner_config" => runner = Some(value),
                _ => nightly = value == "True",
            }
        }
        if nightly {
            continue;
        }
        let s = match (suite, stage, runner) {
            (Some(name), _, _) if !name.is_empty() => SuiteRef::Suite { name },
            (_, Some(stage), Some(runner)) if !stage.is_empty() && !runner.is_empty() => {
                SuiteRef::StageRunner { stage, runner }
            }
            _ => continue,
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Calls of the registering function read per file: a test file registers
/// its suites in a handful.
const MAX_CALLS: usize = 1_000;
/// Bytes of one call's arguments read before it counts as unclosed: a
/// registration is a line or two.
const MAX_CALL_ARGS: usize = 8 * 1024;

/// The text up to the `)` that closes an already-open `(`, skipping
/// parentheses inside string literals. `None` when it never closes within
/// [`MAX_CALL_ARGS`].
fn balanced_args(s: &str) -> Option<&str> {
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if i > MAX_CALL_ARGS {
            return None;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

fn not_tested_reason(job: &JobRun, failed_in_run: Option<&str>) -> NotTestedReason {
    match job.conclusion.as_deref() {
        Some("skipped") => NotTestedReason::Skipped { after: failed_in_run.map(str::to_string) },
        Some("cancelled") => NotTestedReason::Cancelled,
        Some("action_required") => NotTestedReason::AwaitingApproval,
        Some("startup_failure") => NotTestedReason::StartupFailure,
        other => NotTestedReason::Other { conclusion: other.unwrap_or("none").to_string() },
    }
}

/// Why a job of the head tested nothing, given the first failed job of its
/// run (if any).
pub fn reason_for(job: &JobRun, failed_in_run: Option<&str>) -> NotTestedReason {
    not_tested_reason(job, failed_in_run)
}

/// The changed files whose suites did not run, from the latest jobs of the head.
pub fn untested(expected: &[Expected], latest: &[&JobRun], failed_in_run: impl Fn(u64) -> Option<String>) -> Vec<UntestedChange> {
    let mut out = Vec::new();
    for e in expected {
        let jobs: Vec<&&JobRun> = latest.iter().filter(|j| e.suite.matches(&j.name)).collect();
        let state = if jobs.is_empty() {
            Some(CoverageState::NeverRan)
        } else if jobs.iter().any(|j| j.is_red() || j.is_green()) {
            None
        } else if jobs.iter().any(|j| j.is_pending()) {
            Some(CoverageState::Pending)
        } else {
            let j = jobs[0];
            Some(CoverageState::NotRun { reason: not_tested_reason(j, failed_in_run(j.run_id).as_deref()) })
        };
        if let Some(state) = state {
            out.push(UntestedChange { file: e.file.clone(), stage: e.suite.stage(), suite: e.suite.display(), state });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_unclosed_calls_is_read_in_linear_time() {
        // A pull request's test file is the input: 60,000 unclosed calls
        // on one line (1.2 MB) were about 3.6e10 character steps by count
        // (each call scanned to the end of the file and back to the line
        // start: 60,000 × 1.2 MB / 2 each way; not timed).
        let src = "register_amd_ci(\"".repeat(60_000);
        assert!(extract_suites(&src, "register_amd_ci").is_empty());
        let mut long = String::from("register_amd_ci(suite=\"a\", note=\"");
        long.push_str(&"x".repeat(MAX_CALL_ARGS));
        long.push_str("\")\nregister_amd_ci(suite=\"b\")\n");
        assert_eq!(extract_suites(&long, "register_amd_ci"), vec![SuiteRef::Suite { name: "b".into() }], "an over-long call counts as unclosed");
        let many: String = (0..MAX_CALLS + 5).map(|i| format!("register_amd_ci(suite=\"s{i}\")\n")).collect();
        assert_eq!(extract_suites(&many, "register_amd_ci").len(), MAX_CALLS);
    }

    #[test]
    fn every_call_nested_parens_and_both_forms() {
        let src = r#"
from sglang.test.ci.ci_register import register_amd_ci
# register_amd_ci(est_time=1, suite="commented-out")
register_amd_ci(est_time=int(60 * (1 + 0.5)), suite="stage-a-test-1-amd")
register_amd_ci(est_time=30, suite='stage-b-test-small-1-gpu-amd', nightly=False)
register_amd_ci(est_time=30, suite="nightly-amd", nightly=True)
register_amd_ci(
    est_time=120,
    stage="stage-c",
    runner_config="8-gpu-amd",
    disabled="flaky (see #123)",
)
my_register_amd_ci(suite="not-ours")
register_amd_ci(suite="stage-a-test-1-amd")
"#;
        let got = extract_suites(src, "register_amd_ci");
        assert_eq!(
            got,
            vec![
                SuiteRef::Suite { name: "stage-a-test-1-amd".into() },
                SuiteRef::Suite { name: "stage-b-test-small-1-gpu-amd".into() },
                SuiteRef::StageRunner { stage: "stage-c".into(), runner: "8-gpu-amd".into() },
            ]
        );
        assert_eq!(extract_suites("register_amd_ci(suite=\"x\"", "register_amd_ci"), vec![], "unclosed call");
    }

    #[test]
    fn suites_match_jobs_with_matrix_suffixes() {
        let s = SuiteRef::Suite { name: "stage-a-test-1-amd".into() };
        assert!(s.matches("stage-a-test-1-amd"));
        assert!(s.matches("stage-a-test-1-amd (linux-mi325-gpu-1, 0)"));
        assert!(!s.matches("stage-a-test-1-amd-nightly2"));
        assert!(!s.matches("stage-a-test-10-amd"));
        assert_eq!(s.stage().as_deref(), Some("stage a"));
        let sr = SuiteRef::StageRunner { stage: "stage-c".into(), runner: "8-gpu-amd".into() };
        assert!(sr.matches("stage-c-test-8-gpu-amd (2)"));
        let j = SuiteRef::Jobs { pattern: "unit-test-backend-*".into() };
        assert!(j.matches("unit-test-backend-1-gpu (3)"));
    }

    #[test]
    fn mappings_and_bounded_reads() {
        let cfg = CoverageConfig {
            mappings: vec![Mapping { files: vec!["python/**/attention/**".into()], jobs: vec!["attn-*".into()] }],
            max_files_read: 2,
            ..CoverageConfig::default()
        };
        assert!(cfg.validate().is_ok());
        let f = |p: &str, status: &str| ChangedFile { path: p.into(), status: status.into(), ..Default::default() };
        let files = vec![
            f("python/sglang/srt/layers/attention/x.py", "modified"),
            f("test/srt/a.py", "modified"),
            f("test/srt/b.py", "removed"),
            f("test/srt/c.py", "added"),
            f("test/srt/d.py", "added"),
        ];
        let (read, cut) = cfg.files_to_read(&files);
        assert_eq!(read, vec!["test/srt/a.py", "test/srt/c.py"]);
        assert!(cut);
        let expected = cfg.expected_suites(&files, |p| (p == "test/srt/a.py").then(|| "register_amd_ci(suite=\"s1\")".to_string()));
        assert_eq!(expected.len(), 2);
        assert_eq!(expected[0].suite, SuiteRef::Jobs { pattern: "attn-*".into() });
        assert_eq!(expected[1].file, "test/srt/a.py");
        let bad = CoverageConfig { mappings: vec![Mapping { files: vec!["a/[".into()], jobs: vec![] }], ..Default::default() };
        assert!(bad.validate().unwrap_err().contains("a/["));
    }
}
