//! Real log windows with the expected key line marked in the file
//! (PyTorch log-classifier style):
//!
//! ```text
//! #=SOURCE=# <dataset path> lines A-B     (first line: where the window was cut)
//! #=CATEGORY=# <category>                 (optional: expected verdict)
//! ...log lines...
//! #=MATCH=# <the line a person should read first>
//! ...
//! ```
//!
//! The harness removes the header lines and the marker, so the engine sees
//! the verbatim window (timestamps and ANSI codes included).

use ci_triage::{analyze, RuleSet};
use std::path::Path;

struct Fixture {
    name: String,
    log: Vec<u8>,
    expect_line: u32,
    expect_category: Option<String>,
}

fn load(path: &Path) -> Fixture {
    let raw = std::fs::read(path).unwrap();
    let mut log = Vec::new();
    let mut expect_line = 0;
    let mut expect_category = None;
    let mut no = 0u32;
    for line in raw.split(|&b| b == b'\n') {
        if line.starts_with(b"#=SOURCE=#") {
            continue;
        }
        if let Some(c) = line.strip_prefix(b"#=CATEGORY=# ") {
            expect_category = Some(String::from_utf8_lossy(c).trim().to_string());
            continue;
        }
        no += 1;
        let line = match line.strip_prefix(b"#=MATCH=# ") {
            Some(rest) => {
                expect_line = no;
                rest
            }
            None => line,
        };
        log.extend_from_slice(line);
        log.push(b'\n');
    }
    // The split above yields one empty tail after the final `\n`.
    log.pop();
    assert!(expect_line > 0, "{} has no #=MATCH=# line", path.display());
    Fixture { name: path.file_stem().unwrap().to_string_lossy().into(), log, expect_line, expect_category }
}

fn fixtures() -> Vec<Fixture> {
    fixtures_in("tests/fixtures")
}

fn fixtures_in(sub: &str) -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(sub);
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "log")).collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

#[test]
fn key_line_and_category_of_every_fixture() {
    let rules = RuleSet::builtin();
    let mut failures = Vec::new();
    for f in fixtures() {
        let a = analyze(&f.log[..], &rules);
        if a.key_lines.first() != Some(&f.expect_line) {
            failures.push(format!("{}: key line {:?}, expected {}", f.name, a.key_lines.first(), f.expect_line));
        }
        if let Some(c) = &f.expect_category {
            if a.verdict.category.as_str() != c {
                failures.push(format!("{}: category {}, expected {c}", f.name, a.verdict.category));
            }
        }
        // Every failure carries a versioned fingerprint and the excerpt of
        // the key line holds the key line itself.
        assert!(a.failures.iter().all(|x| x.fingerprint.starts_with("v1:")), "{}", f.name);
        if let Some(e) = a.excerpts.first() {
            assert!(e.context.iter().any(|l| l.no == e.line), "{}", f.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `tests/fixtures/generic/`: windows where the format-independent signals
/// alone find the line (`--ruleset generic`), and the full ruleset agrees.
#[test]
fn generic_fixtures_with_both_rulesets() {
    let mut failures = Vec::new();
    for (label, rules) in [("generic", RuleSet::generic()), ("full", RuleSet::builtin())] {
        for f in fixtures_in("tests/fixtures/generic") {
            let a = analyze(&f.log[..], &rules);
            if a.key_lines.first() != Some(&f.expect_line) {
                failures.push(format!("{label} {}: key line {:?}, expected {}", f.name, a.key_lines.first(), f.expect_line));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn github_step_attribution_follows_endgroup() {
    // The step's output follows `##[endgroup]`; only the command echo is
    // inside the group (the old bot attributed output to the wrong step).
    let f = fixtures().into_iter().find(|f| f.name == "gha_npm_ci_usage").unwrap();
    let a = analyze(&f.log[..], &RuleSet::builtin());
    assert_eq!(a.failing_step.as_deref(), Some("Run npm ci"));
    let step = a.steps.iter().find(|s| s.name == "Run npm ci").unwrap();
    assert!(step.failed && step.exit_code == Some(1));
    assert!(step.start < f.expect_line && f.expect_line <= step.end);
    assert_eq!(a.excerpts[0].step.as_deref(), Some("Run npm ci"));
}

#[test]
fn snapshots_of_the_text_and_json_formats() {
    let rules = RuleSet::builtin();
    // Fixtures whose output does not depend on the runner parsers, so a parser
    // change does not churn these goldens.
    for name in ["gha_npm_ci_usage", "maven_javac_error"] {
        let f = fixtures().into_iter().find(|f| f.name == name).unwrap();
        let a = analyze(&f.log[..], &rules);
        insta::assert_snapshot!(format!("{name}.txt"), a.render_text());
        insta::assert_json_snapshot!(format!("{name}.json"), a);
    }
}

#[test]
fn json_round_trips_and_has_contract_fields() {
    let f = fixtures().into_iter().find(|f| f.name == "gha_pytest_cuda_oom").unwrap();
    let a = analyze(&f.log[..], &RuleSet::builtin());
    let v: serde_json::Value = serde_json::to_value(&a).unwrap();
    assert_eq!(v["schema"], "ci-triage/v1");
    for k in ["verdict", "key_lines", "failures", "counts"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert!(v["verdict"].get("category").is_some() && v["verdict"].get("flaky").is_some());
    assert!(v["key_lines"].as_array().unwrap().len() <= 20);
    let back: ci_triage::Analysis = serde_json::from_value(v).unwrap();
    assert_eq!(back, a);
}
