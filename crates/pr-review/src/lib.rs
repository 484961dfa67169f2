//! `ci-pr-review`: the review a bot can give without a language model.
//!
//! [`checklist`] reads a pull request's changed files (paths, counts, diff
//! hunks) and returns the [`Checklist`] `ci-report` renders: areas touched,
//! whether tests changed, the CI status line, risky changes (workflows,
//! lockfiles, secrets handling, large deletions, build config) and the
//! functions whose code changed. `review-focus` narrows all of it to the
//! files its areas match. Pure and bounded: 3,000 files and their patches
//! are one pass.
//!
//! The LLM layer (issue #16, `ci-llm`, driven by the monitor's
//! `services::narration`) adds the model's reading of the diff on top: it
//! fills [`Checklist::llm`] (rendered above the checklist, already escaped
//! by `ci_llm::render`, cut at a line to fit). Without it, the checklist is
//! the review, not a failure.

#![warn(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use ci_report::pr_model::{AreaSummary, ChangedFile, ChangedSymbol, Checklist, Risk, RiskKind};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A named area of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Name shown and matched by `review-focus`.
    pub name: String,
    /// Globs of its files.
    pub files: Vec<String>,
}

/// `pr-review` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReviewConfig {
    /// Named areas; files outside them are grouped by directory.
    pub areas: Vec<Area>,
    /// Directory levels that name an unconfigured area (`python/sglang`).
    pub area_depth: usize,
    /// Globs of test files.
    pub tests: Vec<String>,
    /// Deleted lines in one file that count as a large deletion.
    pub large_deletion_lines: u64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            areas: Vec::new(),
            area_depth: 2,
            tests: [
                "test/**", "tests/**", "**/test/**", "**/tests/**", "**/__tests__/**", "**/test_*.py", "**/*_test.py",
                "**/*_test.go", "**/*.test.*", "**/*.spec.*", "**/*Test.java", "**/*Tests.cs",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            large_deletion_lines: 300,
        }
    }
}

/// What the checklist is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewInput<'a> {
    /// Repository `owner/name`.
    pub repo: &'a str,
    /// Web base url.
    pub server_url: &'a str,
    /// Pull request number.
    pub pr: u64,
    /// Head commit.
    pub head_sha: &'a str,
    /// Changed files.
    pub files: &'a [ChangedFile],
    /// GitHub's list stopped at its limit.
    pub files_truncated: bool,
    /// `review-focus` areas (empty: everything).
    pub focus: &'a [String],
    /// The `ci-status` header line, when known.
    pub ci_status: Option<String>,
    /// Now.
    pub now: DateTime<Utc>,
    /// Bot display name.
    pub bot_name: &'a str,
}

/// Most risky changed lines reported per file, and overall.
const SECRET_LINES_PER_FILE: usize = 3;
const MAX_RISKS: usize = 100;
const MAX_SYMBOLS: usize = 300;

fn globset(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

impl ReviewConfig {
    /// Check every glob; the first bad one as a one-line error.
    pub fn validate(&self) -> Result<(), String> {
        for g in self.tests.iter().chain(self.areas.iter().flat_map(|a| a.files.iter())) {
            Glob::new(g).map_err(|e| format!("glob {g:?}: {e}"))?;
        }
        Ok(())
    }
}

const LOCKFILES: &[&str] = &[
    "Cargo.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock",
    "Pipfile.lock", "pdm.lock", "go.sum", "Gemfile.lock", "composer.lock", "flake.lock", "bun.lockb", "gradle.lockfile",
];

const BUILD_FILES: &[&str] = &[
    "Dockerfile", "CMakeLists.txt", "Makefile", "setup.py", "setup.cfg", "pyproject.toml", "build.rs", "CODEOWNERS",
    "MANIFEST.in", "Cargo.toml", "package.json", "go.mod",
];

const CODE_EXT: &[&str] = &[
    "py", "pyx", "rs", "go", "c", "cc", "cpp", "cxx", "h", "hh", "hpp", "cu", "cuh", "hip", "js", "jsx", "ts", "tsx",
    "java", "kt", "scala", "cs", "rb", "php", "swift", "m", "mm", "sh", "bash", "zig", "lua", "jl",
];

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn risk_kinds(path: &str) -> Vec<RiskKind> {
    let name = file_name(path);
    let mut kinds = Vec::new();
    let lower = path.to_ascii_lowercase();
    if lower.starts_with(".github/workflows/")
        || (lower.starts_with(".github/actions/") && (name == "action.yml" || name == "action.yaml"))
    {
        kinds.push(RiskKind::Workflow);
    }
    if LOCKFILES.contains(&name) {
        kinds.push(RiskKind::Lockfile);
    }
    if BUILD_FILES.contains(&name) || name.starts_with("Dockerfile") || name.ends_with(".dockerfile") {
        kinds.push(RiskKind::BuildConfig);
    }
    kinds
}

static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(secrets?\.[A-Za-z_]\w*|secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|token|credentials?|GH_PAT|AWS_[A-Z_]+|BEGIN [A-Z ]*PRIVATE KEY)")
        .expect("static regex")
});

static HUNK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$").expect("static regex"));

static DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:pub(?:\([\w:]+\))?|export|default|static|async|public|private|protected|override|inline|virtual|unsafe|const)\s+)*(?:def|fn|func|function|class|struct|enum|trait|impl|interface)\s+(?:\([^)]*\)\s*)?([A-Za-z_][\w]*)")
        .expect("static regex")
});

/// Added lines mentioning secrets (keyword and new line number; never the
/// line itself, which may hold the secret), and the symbols hunks touch.
fn scan_patch(patch: &str) -> (Vec<(u32, String)>, BTreeSet<String>) {
    let mut secrets = Vec::new();
    let mut symbols = BTreeSet::new();
    let mut new_line = 0u32;
    for line in patch.lines() {
        if let Some(c) = HUNK.captures(line) {
            new_line = c[1].parse().unwrap_or(0);
            if let Some(d) = DEF.captures(&c[2]) {
                symbols.insert(d[1].to_string());
            }
            continue;
        }
        let (kind, text) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
        match kind {
            "+" => {
                if secrets.len() < SECRET_LINES_PER_FILE {
                    if let Some(m) = SECRET.find(text) {
                        secrets.push((new_line, m.as_str().to_string()));
                    }
                }
                if let Some(d) = DEF.captures(text) {
                    symbols.insert(d[1].to_string());
                }
                new_line += 1;
            }
            "-" => {
                if let Some(d) = DEF.captures(text) {
                    symbols.insert(d[1].to_string());
                }
            }
            "\\" => {} // "\ No newline at end of file"
            _ => new_line += 1,
        }
    }
    (secrets, symbols)
}

fn default_area(path: &str, depth: usize) -> String {
    let dirs: Vec<&str> = path.split('/').collect();
    if dirs.len() <= 1 {
        return "(root)".into();
    }
    dirs[..dirs.len() - 1].iter().take(depth.max(1)).copied().collect::<Vec<_>>().join("/")
}

/// Whether `path` (in `area`) is in scope for the focus term `term`: the
/// area's name starts with it, the term is a glob matching the path, or
/// the path contains it (case-insensitive).
fn in_focus(path: &str, area: &str, term: &str) -> bool {
    let t = term.trim().trim_matches('/').to_lowercase();
    if t.is_empty() {
        return false;
    }
    if t.contains(['*', '?', '[']) {
        return Glob::new(&t).map(|g| g.compile_matcher().is_match(path.to_lowercase())).unwrap_or(false);
    }
    area.to_lowercase().starts_with(&t) || path.to_lowercase().contains(&t)
}

/// The checklist for `input`.
pub fn checklist(input: &ReviewInput<'_>, cfg: &ReviewConfig) -> Checklist {
    let tests = globset(&cfg.tests);
    let named: Vec<(String, GlobSet)> = cfg.areas.iter().map(|a| (a.name.clone(), globset(&a.files))).collect();
    let area_of = |path: &str| {
        named
            .iter()
            .find(|(_, set)| set.is_match(path))
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| default_area(path, cfg.area_depth))
    };

    let mut unmatched: Vec<String> = input.focus.to_vec();
    let mut areas: BTreeMap<String, AreaSummary> = BTreeMap::new();
    let mut test_files = Vec::new();
    let mut source_files = 0u32;
    let mut risks = Vec::new();
    let mut symbols = BTreeSet::new();
    for f in input.files {
        let area = area_of(&f.path);
        if !input.focus.is_empty() {
            let hits: Vec<&String> = input.focus.iter().filter(|t| in_focus(&f.path, &area, t)).collect();
            if hits.is_empty() {
                continue;
            }
            unmatched.retain(|u| !hits.contains(&u));
        }
        let a = areas.entry(area.clone()).or_insert_with(|| AreaSummary { name: area, ..Default::default() });
        a.files.push(f.path.clone());
        a.additions += f.additions;
        a.deletions += f.deletions;

        let ext = file_name(&f.path).rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if tests.is_match(&f.path) {
            test_files.push(f.path.clone());
        } else if CODE_EXT.contains(&ext.as_str()) {
            source_files += 1;
        }

        for kind in risk_kinds(&f.path) {
            // A workflow that starts running on fork code with secrets.
            let detail = (kind == RiskKind::Workflow)
                .then_some(f.patch.as_deref())
                .flatten()
                .filter(|p| p.lines().any(|l| l.starts_with('+') && l.contains("pull_request_target")))
                .map(|_| "adds pull_request_target".to_string());
            risks.push(Risk { kind, path: f.path.clone(), line: None, detail });
        }
        if (f.is_removed() && f.deletions > 0) || f.deletions >= cfg.large_deletion_lines {
            let detail = if f.is_removed() {
                format!("file removed, −{} lines", f.deletions)
            } else {
                format!("−{} lines", f.deletions)
            };
            risks.push(Risk { kind: RiskKind::LargeDeletion, path: f.path.clone(), line: None, detail: Some(detail) });
        }
        if let Some(patch) = &f.patch {
            let (secrets, syms) = scan_patch(patch);
            for (line, word) in secrets {
                risks.push(Risk {
                    kind: RiskKind::Secrets,
                    path: f.path.clone(),
                    line: Some(line),
                    detail: Some(format!("mentions {word}")),
                });
            }
            for name in syms {
                if symbols.len() < MAX_SYMBOLS {
                    symbols.insert(ChangedSymbol { path: f.path.clone(), name });
                }
            }
        }
    }
    risks.sort_by(|a, b| (a.kind, &a.path, a.line).cmp(&(b.kind, &b.path, b.line)));
    risks.truncate(MAX_RISKS);
    let mut areas: Vec<AreaSummary> = areas.into_values().collect();
    areas.sort_by(|a, b| (b.additions + b.deletions, b.files.len()).cmp(&(a.additions + a.deletions, a.files.len())).then(a.name.cmp(&b.name)));

    Checklist {
        repo: input.repo.to_string(),
        server_url: input.server_url.to_string(),
        pr: input.pr,
        head_sha: input.head_sha.to_string(),
        focus: input.focus.to_vec(),
        unmatched_focus: unmatched,
        files_total: input.files.len() as u32,
        files_truncated: input.files_truncated,
        areas,
        test_files,
        source_files,
        risks,
        changed_symbols: symbols.into_iter().collect(),
        ci_status: input.ci_status.clone(),
        llm: Default::default(),
        generated_at: input.now,
        bot_name: input.bot_name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, status: &str, add: u64, del: u64, patch: Option<&str>) -> ChangedFile {
        ChangedFile {
            path: path.into(),
            status: status.into(),
            additions: add,
            deletions: del,
            previous_path: None,
            patch: patch.map(str::to_string),
        }
    }

    #[test]
    fn patch_scan_finds_secret_keywords_without_echoing_values_and_symbols() {
        let patch = "@@ -10,3 +10,4 @@ def load_model(path):\n     x = 1\n+    token = os.environ[\"HF_TOKEN\"]  # hf_abcdef\n+def helper():\n-class Old:\n     y = 2\n";
        let (secrets, syms) = scan_patch(patch);
        assert_eq!(secrets, vec![(11, "token".to_string())]);
        assert_eq!(syms.into_iter().collect::<Vec<_>>(), vec!["Old", "helper", "load_model"]);
    }

    #[test]
    fn focus_narrows_and_reports_unmatched_terms() {
        let files = vec![
            file("python/sglang/srt/layers/attention/aiter.py", "modified", 10, 2, None),
            file("test/srt/test_attention.py", "modified", 5, 0, None),
            file("docs/index.md", "modified", 1, 1, None),
        ];
        let focus = vec!["attention".to_string(), "kernels".to_string()];
        let input = ReviewInput {
            repo: "o/r",
            server_url: "https://github.com",
            pr: 1,
            head_sha: "abc",
            files: &files,
            files_truncated: false,
            focus: &focus,
            ci_status: None,
            now: DateTime::UNIX_EPOCH,
            bot_name: "ci-bot",
        };
        let c = checklist(&input, &ReviewConfig::default());
        assert_eq!(c.areas.iter().map(|a| a.files.len()).sum::<usize>(), 2);
        assert_eq!(c.unmatched_focus, vec!["kernels".to_string()]);
        assert_eq!(c.test_files, vec!["test/srt/test_attention.py".to_string()]);
        assert_eq!(c.source_files, 1);
    }

    #[test]
    fn risky_paths() {
        assert_eq!(risk_kinds(".github/workflows/ci.yml"), vec![RiskKind::Workflow]);
        assert_eq!(risk_kinds("python/uv.lock"), vec![RiskKind::Lockfile]);
        assert_eq!(risk_kinds("docker/Dockerfile.rocm"), vec![RiskKind::BuildConfig]);
        assert!(risk_kinds("src/lockfile.rs").is_empty());
        assert_eq!(default_area("README.md", 2), "(root)");
        assert_eq!(default_area("python/sglang/srt/x.py", 2), "python/sglang");
    }
}
