//! The one trigger search per line: every rule trigger (in the spellings
//! logs use) and every runner parser trigger compiled into one
//! [`LiteralSet`], each literal mapped back to who wants it.
//!
//! It takes plain lists, not `Rule`s or parsers, so it depends on nothing
//! but `literals` (and `first_bytes` for what a [`Gate`] reads of a
//! pattern, handed over by the engine): `rules` builds and caches it,
//! `engine` reads it.

use crate::first_bytes::Leading;
use crate::literals::LiteralSet;

/// Who a trigger literal belongs to.
#[derive(Debug, PartialEq)]
pub(crate) enum Pat {
    /// Rule index.
    Rule(usize),
    /// Parser index, and the trigger's index in its `triggers()` (63 for
    /// any past the 63rd): [`crate::runners::Line::hits`].
    Runner(usize, u8),
    /// A vocabulary word of the generic signals: its class bit
    /// (`signals::words::Word::bit`).
    Word(u8),
    /// One of [`crate::WATCHED`]: the line goes to the caller's watcher.
    Watch,
}

/// What the trigger search needs per rule set; built once per rule set
/// (cheap next to reading a log) and shared by every `analyze` call.
#[derive(Debug)]
pub(crate) struct Triggers {
    pub(crate) literals: LiteralSet,
    /// Per literal of `literals` (one per distinct spelling): who wants it.
    pub(crate) pats: Vec<Vec<Pat>>,
    /// Per literal: its text.
    pub(crate) texts: Vec<String>,
    /// Per rule: its position when rules are sorted by priority, highest
    /// first, file order breaking ties.
    pub(crate) order: Vec<u32>,
    /// Some trigger holds U+FFFD (a repository's own rule can), so invalid
    /// UTF-8 must become its lossy text before matching.
    pub(crate) match_lossy: bool,
}

/// A rule trigger as written, in lower case, UPPER CASE and Capitalised:
/// the spellings tools actually print (`error:`, `Error:`, `ERROR:`).
fn case_variants(t: &str) -> Vec<String> {
    let lower = t.to_ascii_lowercase();
    let mut cap = lower.clone();
    if let Some(first) = cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let mut v = vec![t.to_string(), lower, t.to_ascii_uppercase(), cap];
    v.sort();
    v.dedup();
    v
}

impl Triggers {
    /// `rules[i]` is rule `i`'s (triggers, priority); `parsers[p]` parser
    /// `p`'s triggers; `words` the generic vocabulary with class bits
    /// (expanded to case variants like rule triggers).
    pub(crate) fn new(rules: &[(&[String], i32)], parsers: &[&[&str]], words: &[(&str, u8)]) -> Triggers {
        // Distinct triggers only: each is verified once per window hit.
        let mut lits: Vec<String> = Vec::new();
        let mut pats: Vec<Vec<Pat>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut add = |lit: String, who: Pat| {
            let i = *index.entry(lit.clone()).or_insert_with(|| {
                lits.push(lit);
                pats.push(Vec::new());
                lits.len() - 1
            });
            if !pats[i].contains(&who) {
                pats[i].push(who);
            }
        };
        // Matching is case-sensitive (case-insensitive would find `ok`
        // inside every `token` for a runner's `OK` trigger); rule triggers
        // are expanded to the spellings logs use.
        for (i, (triggers, _)) in rules.iter().enumerate() {
            for t in triggers.iter() {
                for v in case_variants(t) {
                    add(v, Pat::Rule(i));
                }
            }
        }
        for (p, triggers) in parsers.iter().enumerate() {
            for (k, t) in triggers.iter().enumerate() {
                if !t.is_empty() {
                    add(t.to_string(), Pat::Runner(p, k.min(63) as u8));
                }
            }
        }
        for (w, bit) in words {
            for v in case_variants(w) {
                add(v, Pat::Word(*bit));
            }
        }
        for w in crate::engine::WATCHED {
            add(w.to_string(), Pat::Watch);
        }
        let literals = LiteralSet::new(&lits);
        let mut by_priority: Vec<usize> = (0..rules.len()).collect();
        by_priority.sort_by_key(|&i| (std::cmp::Reverse(rules[i].1), i));
        let mut order = vec![0u32; rules.len()];
        for (pos, &i) in by_priority.iter().enumerate() {
            order[i] = pos as u32;
        }
        let match_lossy = lits.iter().any(|l| l.contains('\u{FFFD}'));
        Triggers { literals, pats, texts: lits, order, match_lossy }
    }

    /// The literals of rule `rule`'s triggers that begin `leading`'s
    /// literal, if any.
    fn beginning(&self, rule: usize, leading: &Leading) -> Option<Box<[u32]>> {
        let ids: Box<[u32]> = (0..self.texts.len())
            .filter(|&lit| self.pats[lit].contains(&Pat::Rule(rule)) && leading.literal.starts_with(self.texts[lit].as_bytes()))
            .map(|lit| lit as u32)
            .collect();
        (!ids.is_empty()).then_some(ids)
    }
}

/// Trigger hits of a rule counted before its pattern is read.
const GATE_AFTER: u32 = 512;

/// How one scan counts a rule's trigger hits. A rule whose pattern is
/// `^`, repeated classes and a literal ([`Leading`]), with a trigger that
/// begins that literal, can only match where that trigger stands where
/// the literal may: its hits anywhere else (Gradle's `> ` inside `=> `,
/// `in ` of prose for `^In …`) send lines that cannot match to the slow
/// path and the regex. The pattern is read only after the rule's
/// triggers were hit [`GATE_AFTER`] times in the log (reading all of them
/// cost more than analysing an empty log), so short logs never pay.
#[derive(Debug, Clone)]
pub(crate) enum Gate<'r> {
    Counting(u32),
    Open,
    /// Only these literals count, and only where the literal may stand.
    Leading(&'r Leading, Box<[u32]>),
}

impl<'r> Gate<'r> {
    /// Whether literal `lit`, found at `start` of `line`, counts as a hit
    /// of rule `rule` (whose [`Leading`], if any, `leading` reads).
    #[inline]
    pub(crate) fn admits(&mut self, lit: usize, line: &[u8], start: usize, m: &Triggers, rule: usize, leading: impl FnOnce() -> Option<&'r Leading>) -> bool {
        match self {
            Gate::Open => true,
            Gate::Leading(l, lits) => lits.contains(&(lit as u32)) && l.may_stand_at(line, start),
            Gate::Counting(n) => {
                *n += 1;
                if *n >= GATE_AFTER {
                    *self = match leading().and_then(|l| Some(Gate::Leading(l, m.beginning(rule, l)?))) {
                        Some(gate) => gate,
                        None => Gate::Open,
                    };
                }
                true
            }
        }
    }
}
