//! gl12: which line of a GitLab job log of a Rust project is read first.
//! The fixtures are whole job logs of `eval/realtools/gitlab_rust` (its
//! tune split): real cargo/clippy output and the runner's own lines.

use ci_triage::{analyze, RuleSet};

fn first_key_line(log: &str, rules: &RuleSet) -> (String, String, Option<bool>) {
    let a = analyze(log.as_bytes(), rules);
    let no = a.key_lines[0] as usize;
    let raw = log.split('\n').nth(no - 1).unwrap_or_default();
    let plain: String = strip_ansi(raw);
    let v = a.verdict;
    (plain, v.category.to_string(), v.flaky)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        if c == '\r' {
            out.clear();
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn a_clippy_lint_is_read_at_its_error_header_not_at_the_deny_note() {
    // `error: length comparison to zero`, its ` --> `/`|` body (source
    // lines from column 0 once numbers have two digits) and the footnote
    // `= note: `-D clippy::len-zero` implied by `-D warnings``: the rule
    // knows the note, the header says what is wrong.
    let log = include_str!("fixtures/gitlab_rust/gitlab_clippy_len_zero.log");
    let (line, cat, flaky) = first_key_line(log, &RuleSet::builtin());
    assert_eq!(line, "error: length comparison to zero");
    assert_eq!((cat.as_str(), flaky), ("lint", Some(false)));
}

#[test]
fn a_lint_denied_in_the_crate_is_a_lint_read_at_its_first_header() {
    // `#![deny(missing_docs)]` under `note: the lint level is defined here`
    // is inside the first diagnostic; cargo's `error: could not compile …
    // due to 3 previous errors` only summarises.
    let log = include_str!("fixtures/gitlab_rust/gitlab_clippy_deny_missing_docs.log");
    let (line, cat, _) = first_key_line(log, &RuleSet::builtin());
    assert_eq!(line, "error: missing documentation for an associated function");
    assert_eq!(cat, "lint");
}

#[test]
fn the_rustdoc_lint_keeps_its_docs_verdict_on_the_header() {
    let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_doc_broken_link.log");
    let (line, cat, _) = first_key_line(log, &RuleSet::builtin());
    assert!(line.starts_with("error: unresolved link to"), "{line}");
    assert_eq!(cat, "docs");
}

#[test]
fn the_runner_verdict_outranks_its_retried_preparation_attempts() {
    // Three `ERROR: Preparation failed: …` / `Will be retried in 3s ...`,
    // then `ERROR: Job failed (system failure): …`.
    let log = include_str!("fixtures/gitlab_rust/gitlab_runner_preparation_retried.log");
    let (line, cat, flaky) = first_key_line(log, &RuleSet::builtin());
    assert!(line.starts_with("ERROR: Job failed (system failure): failed to pull image"), "{line}");
    assert_eq!((cat.as_str(), flaky), ("infra", Some(true)));
}

#[test]
fn the_runner_verdict_outranks_its_pull_policy_warning() {
    let log = include_str!("fixtures/gitlab_rust/gitlab_runner_image_pull.log");
    let (line, cat, flaky) = first_key_line(log, &RuleSet::builtin());
    assert!(line.starts_with("ERROR: Job failed: failed to pull image"), "{line}");
    assert_eq!((cat.as_str(), flaky), ("infra", Some(true)));
}

#[test]
fn a_rustc_error_with_its_own_rule_keeps_its_line() {
    // The header has a stronger rule of its own (rustc-error): a note
    // below it does not move anything.
    let log = "   Compiling ledger v0.3.1 (/builds/acme/ledger)\n\
error[E0308]: mismatched types\n  --> src/lib.rs:40:9\n   |\n39 |     pub fn balance(&self, account: &str) -> i64 {\n   |                                             --- expected `i64` because of return type\n40 |         self.entries.get(account).unwrap_or(0)\n   |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ expected `i64`, found `&i64`\n\n\
error: could not compile `ledger` (lib) due to 1 previous error\n";
    let (line, cat, _) = first_key_line(log, &RuleSet::builtin());
    assert_eq!(line, "error[E0308]: mismatched types");
    assert_eq!(cat, "compilation");
}

#[test]
fn a_table_after_an_error_line_is_not_a_diagnostic_body() {
    // `|` at column 0 (a Markdown table a script printed) closes the
    // diagnostic: the lint note below it stays where it is.
    let log = "error: something failed\n| a | b |\n   = note: `-D clippy::len-zero` implied by `-D warnings`\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.key_lines[0], 3);
}

#[test]
fn a_command_killed_before_the_cleanup_sections_is_read_at_its_last_output() {
    // `$ timeout 9 cargo generate-lockfile`, cargo's `Updating crates.io
    // index`, then `section_end:…:step_script`, the runner's
    // `cleanup_file_variables` section and only then `ERROR: Job failed:
    // exit code 124`: the failing command's last words are in the step that
    // failed, not in the clean-up around the verdict, and the green `$ `
    // echo is what was run, not what went wrong.
    let log = include_str!("fixtures/gitlab_rust/gitlab_timeout_update_index_after_cleanup.log");
    let (line, cat, _) = first_key_line(log, &RuleSet::builtin());
    assert_eq!(line.trim(), "Updating crates.io index");
    assert_eq!(cat, "timeout");
    let generic = first_key_line(log, &RuleSet::generic());
    assert_eq!(generic.0.trim(), "Updating crates.io index");
}
