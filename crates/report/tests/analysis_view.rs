//! The Markdown view of one analysis (`analyze-log --format markdown`), on
//! the triage engine's real log fixtures (`crates/triage/tests/fixtures`),
//! and on hostile text.

use ci_report::analysis_view::render_markdown;
use ci_report::safe::{ZWJ, ZWSP};
use ci_triage::{analyze, RuleSet};

/// A fixture's log as the engine sees it: the harness lines (`#=SOURCE=#`,
/// `#=CATEGORY=#`) dropped, the `#=MATCH=# ` marker removed (the format is
/// described in `crates/triage/tests/fixtures.rs`).
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../triage/tests/fixtures/{name}.log", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lines: Vec<&[u8]> = raw
        .split(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"#=SOURCE=#") && !l.starts_with(b"#=CATEGORY=# "))
        .map(|l| l.strip_prefix(b"#=MATCH=# ").unwrap_or(l))
        .collect();
    lines.join(&b'\n')
}

#[test]
fn snapshots_of_real_logs() {
    // Fixtures whose output does not depend on the runner parsers, so a
    // parser change does not churn these goldens.
    for name in ["gha_npm_ci_usage", "maven_javac_error"] {
        let a = analyze(&fixture(name)[..], &RuleSet::builtin());
        insta::assert_snapshot!(format!("{name}.md"), render_markdown(&a));
    }
}

#[test]
fn log_text_cannot_mention_close_markers_or_break_the_fence() {
    let log = "2025-01-01T00:00:00.0Z ##[group]Run pytest @octocat\n\
               2025-01-01T00:00:00.0Z ##[endgroup]\n\
               2025-01-01T00:00:01.0Z FAILED tests/test_x.py::test_y - AssertionError: @octocat see #12 --> </details> ````\n\
               2025-01-01T00:00:02.0Z ##[error]Process completed with exit code 1.\n";
    let md = render_markdown(&analyze(log.as_bytes(), &RuleSet::builtin()));
    assert!(!md.contains("@octocat"), "{md}");
    assert!(!md.contains("#12"), "{md}");
    assert!(!md.contains("-->"), "{md}");
    assert!(!md.contains("</details> "), "{md}");
    assert!(md.contains(ZWJ) && md.contains(ZWSP));
    assert!(md.contains("`````text"), "the fence outgrows the log's backtick run: {md}");
}
