//! One log's [`Analysis`] as Markdown for an issue or a comment (`ci-bot
//! analyze-log --format markdown`). The triage engine returns data (and a
//! plain-text view for terminals, which escapes nothing); log text reaches
//! Markdown only through [`crate::safe`].

use std::borrow::Cow;
use std::fmt::Write;

use ci_triage::Analysis;

use crate::safe;

/// Failures in the Markdown table.
const MARKDOWN_FAILURES: usize = 30;
/// Key lines (with context) shown by the Markdown view.
const MARKDOWN_EXCERPTS: usize = 3;

/// At most `max` chars, then `…` (the text view's cut, kept so both views
/// show the same text).
fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((end, _)) => Cow::Owned(format!("{}…", &s[..end])),
    }
}

/// A Markdown view for issues and comments. Log text goes only through
/// [`crate::safe`]: code spans and fenced blocks whose fence is longer than
/// any backtick run, neutralised so it cannot open HTML, mention people or
/// close our markers.
pub fn render_markdown(a: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "**Verdict:** {} {}", safe::code_span(a.verdict.category.as_str(), 40, false), a.verdict.qualifiers());
    if let Some(step) = &a.failing_step {
        let _ = writeln!(s, "\n**Failing step:** {}", safe::code_span(step, 200, false));
    }
    if let Some(tool) = a.verdict.named_tool() {
        let _ = writeln!(s, "\n**Failing tool:** {}", safe::code_span(tool, 200, false));
    }
    if let Some(c) = &a.counts {
        let _ = writeln!(s, "\n**Tests:** {c}");
    }
    if !a.failures.is_empty() {
        let _ = writeln!(s, "\n| test / failure | category | line | fingerprint |\n|---|---|---|---|");
        for f in a.failures.iter().take(MARKDOWN_FAILURES) {
            let what = match &f.test {
                Some(t) => safe::code_span(&t.id, 300, true),
                None => safe::code_span(&clip(&f.message, 120), 121, true),
            };
            // Our own words: a category is one of `Category::ALL`, a
            // fingerprint is `v1:` and hex.
            let fp: String = f.fingerprint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ':').take(15).collect();
            let _ = writeln!(s, "| {what} | {} | {} | `{fp}` |", f.category, f.line);
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
        let _ = writeln!(s, "{}\n\n</details>", safe::preformatted(&body.join("\n"), "text"));
    }
    s
}

/// The Markdown view of every log of a run-log zip, one section per file.
pub fn render_markdown_zip(jobs: &[(String, Analysis)]) -> String {
    jobs.iter().map(|(name, a)| format!("### {}\n\n{}\n", safe::inline(name, 200), render_markdown(a))).collect()
}
