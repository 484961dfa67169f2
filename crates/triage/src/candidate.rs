//! A candidate key line: what the streaming pass (`engine`) keeps about a
//! line some rule or runner matched, and what ranking (`rank`) orders.
//! It sits below both so neither depends on the other's internals.

use crate::analysis::{Category, ExcerptLine};
use crate::rules::RuleSet;
use crate::signals::Sig;

/// A line some rule (or runner) matched, with what ranking needs.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub line: u32,
    /// Index into `RuleSet::rules`, or `None` for a runner-reported failure
    /// or a line only the generic signals found (`generic`).
    pub rule: Option<usize>,
    /// Found by the format-independent signals alone (no rule, no runner).
    pub generic: bool,
    /// The generic signals of the line, when it was flagged or scored.
    pub sig: Option<Sig>,
    pub priority: i32,
    /// Index into the step list (0 when the log has no steps).
    pub step: usize,
    pub message: String,
    pub group: String,
    /// Context lines, `\n`-separated (cleaned text never holds `\n`),
    /// the first being line `context_first`. One allocation per candidate:
    /// error-dense logs have millions of candidates.
    pub context: String,
    pub context_first: u32,
    /// Context lines still to collect after the line.
    pub after_missing: usize,
    /// An attempt that was tried again and then passed: a retry was
    /// announced just after it, in a step before the failing one
    /// (`engine::mark_retried`).
    pub retried: bool,
}

impl Candidate {
    /// Ranked by the generic signals rather than by a rule's priority: a
    /// line only they found, or a rule that says only *that* something
    /// failed (category unknown: `The command "…" exited with 1`,
    /// `BUILD FAILURE`, `error: …`).
    pub(crate) fn ranked_by_signals(&self, rules: &RuleSet) -> bool {
        self.generic || self.rule.is_some_and(|i| rules.rules[i].category == Category::Unknown && !rules.rules[i].keep_priority)
    }

    pub(crate) fn excerpt_lines(&self) -> Vec<ExcerptLine> {
        if self.context.is_empty() {
            return Vec::new();
        }
        self.context
            .split('\n')
            .enumerate()
            .map(|(i, t)| ExcerptLine { no: self.context_first + i as u32, text: t.to_string() })
            .collect()
    }
}

