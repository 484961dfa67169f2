//! One log's [`Analysis`] for a person: the plain-text view a terminal
//! shows and the Markdown view an issue or comment shows (`ci-bot
//! analyze-log --format text|markdown`). The triage engine returns data
//! only; how it reads is decided here, and log text reaches Markdown only
//! through [`crate::safe`].

use std::fmt::Write;

use ci_triage::{Analysis, Counts, Failure, Verdict};

use crate::safe;

/// Failing tests listed by the text view.
const TEXT_TESTS: usize = 50;
/// Key lines (with context) shown by the text view.
const TEXT_EXCERPTS: usize = 5;
/// Failures in the Markdown table.
const MARKDOWN_FAILURES: usize = 30;
/// Key lines (with context) shown by the Markdown view.
const MARKDOWN_EXCERPTS: usize = 3;

/// `(deterministic)`, `(likely flaky; the runner reported failing tests)`:
/// the verdict's qualifiers.
fn qualifiers(verdict: &Verdict) -> String {
    let flaky = match verdict.flaky {
        Some(true) => "likely flaky",
        Some(false) => "deterministic",
        None => "flakiness unknown",
    };
    let basis = match verdict.basis.as_deref() {
        Some("tests_failed") => "; the runner reported failing tests",
        Some("failing_step") => "; named by the failing step",
        Some("failed_command") => "; named by the failed command",
        _ => "",
    };
    format!("({flaky}{basis})")
}

fn counts_text(c: &Counts) -> String {
    let f = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    format!("{} run, {} passed, {} failed, {} skipped", f(c.run), f(c.passed), f(c.failed), f(c.skipped))
}

/// At most `max` chars, then `…` (the text view's cut; it escapes nothing).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// A human view: verdict, failing tests, then each key line with context.
/// Plain text for a terminal: nothing is escaped.
pub fn render_text(a: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "verdict: {} {}", a.verdict.category, qualifiers(&a.verdict));
    if let Some(step) = &a.failing_step {
        let _ = writeln!(s, "failing step: {step}");
    }
    if let Some(c) = &a.counts {
        let _ = writeln!(s, "tests: {}", counts_text(c));
    }
    let tests: Vec<&Failure> = a.failures.iter().filter(|f| f.test.is_some()).collect();
    if !tests.is_empty() {
        let _ = writeln!(s, "\nfailing tests ({}):", tests.len());
        for f in tests.iter().take(TEXT_TESTS) {
            let t = f.test.as_ref().map(|t| t.id.as_str()).unwrap_or("");
            let _ = writeln!(s, "  {t}  (line {})", f.line);
            if !f.message.is_empty() {
                let _ = writeln!(s, "      {}", clip(&f.message, 200));
            }
        }
        if tests.len() > TEXT_TESTS {
            let _ = writeln!(s, "  ... and {} more", tests.len() - TEXT_TESTS);
        }
    }
    let others: Vec<&Failure> = a.failures.iter().filter(|f| f.test.is_none()).collect();
    if !others.is_empty() {
        let _ = writeln!(s, "\nother failures:");
        for f in others {
            let _ = writeln!(s, "  [{}] {} (line {}, rule {})", f.category, clip(&f.message, 200), f.line, f.rule);
        }
    }
    if !a.excerpts.is_empty() {
        let _ = writeln!(s, "\nkey lines:");
        for e in a.excerpts.iter().take(TEXT_EXCERPTS) {
            let step = e.step.as_deref().map(|s| format!(", step `{s}`")).unwrap_or_default();
            let _ = writeln!(s, "--- line {} ({}{step})", e.line, e.rule);
            for l in &e.context {
                let mark = if l.no == e.line { '>' } else { ' ' };
                let _ = writeln!(s, "{mark}{:>7} | {}", l.no, clip(&l.text, 300));
            }
        }
    } else if a.key_lines.is_empty() {
        let _ = writeln!(s, "\nno failure lines recognised");
    }
    s
}

/// A Markdown view for issues and comments. Log text goes only through
/// [`crate::safe`]: code spans and fenced blocks whose fence is longer than
/// any backtick run, neutralised so it cannot open HTML, mention people or
/// close our markers. The category is the ruleset's own vocabulary.
pub fn render_markdown(a: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "**Verdict:** {} {}", safe::code_span(&a.verdict.category, 40, false), qualifiers(&a.verdict));
    if let Some(step) = &a.failing_step {
        let _ = writeln!(s, "\n**Failing step:** {}", safe::code_span(step, 200, false));
    }
    if let Some(c) = &a.counts {
        let _ = writeln!(s, "\n**Tests:** {}", counts_text(c));
    }
    if !a.failures.is_empty() {
        let _ = writeln!(s, "\n| test / failure | category | line | fingerprint |\n|---|---|---|---|");
        for f in a.failures.iter().take(MARKDOWN_FAILURES) {
            let what = match &f.test {
                Some(t) => safe::code_span(&t.id, 300, true),
                None => safe::code_span(&f.message, 120, true),
            };
            let fp: String = f.fingerprint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ':').take(15).collect();
            let _ = writeln!(s, "| {what} | {} | {} | `{fp}` |", safe::inline(&f.category, 40), f.line);
        }
        if a.failures.len() > MARKDOWN_FAILURES {
            let _ = writeln!(s, "\n…and {} more", a.failures.len() - MARKDOWN_FAILURES);
        }
    }
    for e in a.excerpts.iter().take(MARKDOWN_EXCERPTS) {
        let _ = writeln!(s, "\n<details><summary>line {} ({})</summary>\n", e.line, safe::inline(&e.rule, 80));
        let body: Vec<String> = e
            .context
            .iter()
            .map(|l| format!("{}{:>7} | {}", if l.no == e.line { '>' } else { ' ' }, l.no, clip(&l.text, 300)))
            .collect();
        let _ = writeln!(s, "{}\n\n</details>", safe::code_block(&body.join("\n"), "text", body.len(), 320));
    }
    s
}

/// The Markdown view of every log of a run-log zip, one section per file.
pub fn render_markdown_zip(jobs: &[(String, Analysis)]) -> String {
    jobs.iter().map(|(name, a)| format!("### {}\n\n{}\n", safe::inline(name, 200), render_markdown(a))).collect()
}

/// The text view of every log of a run-log zip.
pub fn render_text_zip(jobs: &[(String, Analysis)]) -> String {
    jobs.iter().map(|(name, a)| format!("=== {name}\n{}\n", render_text(a))).collect()
}
