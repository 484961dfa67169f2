//! Markdown for a checked narrative, a model's pick and the deterministic
//! label. All model text and quoted log text goes through `ci-report`'s
//! `safe` module (the one escaping layer): mentions, `#refs`, HTML and our
//! own markers are neutralised there, not here.
//!
//! Integration note: `ci-report` owns every Markdown body; when the monitor
//! is wired to this crate these fragments move behind `ci-report`'s
//! renderers (they take plain data and call only `safe`).

use std::fmt::Write;

use ci_report::safe;

use crate::narrate::{Deterministic, Source, Told};
use crate::provider::ProviderInfo;

/// Chars of one prose field.
const PROSE: usize = 600;
/// Chars of one quote.
const QUOTE: usize = 240;

fn line_ref(line: u32, line_url: &dyn Fn(u32) -> Option<String>) -> String {
    match line_url(line) {
        Some(u) => safe::link(&format!("L{line}"), &u, 20),
        None => format!("L{line}"),
    }
}

/// The narrative block. `line_url` makes a log-line link when it can.
pub fn narrative(told: &Told, provider: Option<&ProviderInfo>, line_url: &dyn Fn(u32) -> Option<String>) -> String {
    let n = &told.narrative;
    let mut s = String::new();
    let who = match (&told.source, provider) {
        (Source::Cache { model }, _) => format!("{}, cached answer: 0 tokens", safe::inline(model, 80)),
        (Source::Model, Some(p)) => safe::inline(&p.label(), 200),
        (Source::Model, None) => "model".to_string(),
    };
    let c = &n.checks;
    let mut checks = format!("{} quote(s) verified in the log", c.quotes_verified);
    if c.quotes_dropped > 0 {
        let _ = write!(checks, ", {} dropped (not in the log)", c.quotes_dropped);
    }
    let _ = writeln!(s, "**The model's reading** ({who}; {checks}). It describes; the verdicts above are the engine's.\n");
    if !n.summary.is_empty() {
        let _ = writeln!(s, "{}\n", safe::inline(&n.summary, PROSE * 2));
    }
    if !n.evidence.is_empty() {
        let _ = writeln!(s, "Evidence (found in the log):");
        for e in &n.evidence {
            for (i, part) in e.quote.lines().enumerate() {
                let r = if i == 0 { line_ref(e.line, line_url) } else { "…".to_string() };
                let _ = writeln!(s, "- {r}: {}", safe::code_span(part, QUOTE, false));
            }
        }
        s.push('\n');
    }
    if !n.hypotheses.is_empty() {
        let _ = writeln!(s, "Hypotheses (confidence; what would disconfirm it):");
        for h in &n.hypotheses {
            let _ = write!(
                s,
                "- `[{}]` {} — disconfirming: {}",
                h.label.as_str(),
                safe::inline(&h.statement, PROSE),
                safe::inline(&h.disconfirming, PROSE)
            );
            if !h.verify.is_empty() {
                let _ = write!(s, "; to verify: {}", safe::inline(&h.verify, PROSE));
            }
            s.push('\n');
        }
        s.push('\n');
    }
    if !n.triage_steps.is_empty() {
        let _ = writeln!(s, "Suggested triage steps (the model's suggestions, not decisions):");
        for t in &n.triage_steps {
            let _ = writeln!(s, "- {}", safe::inline(t, PROSE));
        }
    }
    s.trim_end().to_string()
}

/// The label shown when there is no narrative.
pub fn deterministic(why: &Deterministic) -> String {
    format!("_{}_", safe::inline(&why.label(), 300))
}
