//! The one conversion from what the engine found in a log
//! (`ci_triage::Analysis`) to the facts a prompt is built from. The monitor
//! adds what it knows beyond the log (repository, history, cluster, suspect
//! range); this part is the same for every caller, so it lives here once.
//!
//! Everything is read from the analysis' own excerpts: the model is shown
//! only lines the engine kept, and [`excerpt_log`] is what its quotes are
//! checked against, at the same line numbers.

use std::collections::BTreeMap;

use ci_triage::{Analysis, RuleSet};

use crate::facts::{CountsFact, JobFacts, KeyLine, LogLine, PickFacts, TestFact};

/// Lines of context the model is shown around a key line. One: issue #16's
/// cost target (1/20 of the old bot's tokens on the demo) is met with the
/// line before and after; the engine's excerpt in the report keeps more.
pub const KEY_LINE_CONTEXT: u32 = 1;

/// Candidates offered for "the line to read first": the engine's top key
/// lines (the pick's gain is in the first few, see docs/llm.md).
pub const PICK_CANDIDATES: usize = 5;

/// The engine's part of a job's facts: failing step, verdict, failing
/// tests, key lines with [`KEY_LINE_CONTEXT`], counts, and the failures'
/// fingerprints. Repository, workflow, job and what the monitor knows
/// beyond the log are left for the caller to fill.
pub fn job_facts(a: &Analysis) -> JobFacts {
    JobFacts {
        failing_step: a.failing_step.clone(),
        category: a.verdict.category.to_string(),
        flaky: a.verdict.flaky,
        rule: a.verdict.rule.clone(),
        failing_tests: a
            .failures
            .iter()
            .filter_map(|f| f.test.as_ref().map(|t| TestFact { id: t.id.clone(), message: f.message.clone(), line: f.line }))
            .collect(),
        key_lines: a
            .key_lines
            .iter()
            .take(crate::prompt::MAX_KEY_LINES)
            .filter_map(|&line| {
                let e = a.excerpts.iter().find(|e| e.line == line)?;
                Some(KeyLine {
                    line,
                    rule: e.rule.clone(),
                    context: e
                        .context
                        .iter()
                        .filter(|l| l.no + KEY_LINE_CONTEXT >= line && l.no <= line + KEY_LINE_CONTEXT)
                        .map(|l| LogLine { no: l.no, text: l.text.clone() })
                        .collect(),
                })
            })
            .collect(),
        counts: a.counts.as_ref().map(|n| CountsFact { run: n.run, passed: n.passed, failed: n.failed, skipped: n.skipped }),
        fingerprints: a.failures.iter().map(|f| f.fingerprint.clone()).collect(),
        ..Default::default()
    }
}

/// Is the engine's best line generic (no rule named the reason), so the
/// model may pick the line to read first?
pub fn line_is_generic(a: &Analysis, rules: &RuleSet) -> bool {
    let priority = a.verdict.rule.as_deref().and_then(|r| {
        // Runner parsers name the failing test: as specific as a rule.
        if r.starts_with("runner:") { Some(62) } else { rules.get(r).map(|r| r.priority) }
    });
    crate::pick::engine_line_is_generic(priority, a.verdict.basis.as_deref())
}

/// The candidates for "the line to read first" (the engine's top
/// [`PICK_CANDIDATES`] key lines) when the engine's best line is generic and
/// there are at least two to choose from, else `None`. `fingerprints` is
/// the cache key (the caller's identity of the job's failures).
pub fn pick_facts(job: &str, a: &Analysis, rules: &RuleSet, fingerprints: Vec<String>) -> Option<PickFacts> {
    if !line_is_generic(a, rules) {
        return None;
    }
    let candidates: Vec<LogLine> = a
        .key_lines
        .iter()
        .take(PICK_CANDIDATES)
        .filter_map(|&line| {
            let e = a.excerpts.iter().find(|e| e.line == line)?;
            let l = e.context.iter().find(|l| l.no == line)?;
            Some(LogLine { no: line, text: l.text.clone() })
        })
        .collect();
    if candidates.len() < 2 {
        return None;
    }
    Some(PickFacts {
        job: job.to_string(),
        failing_step: a.failing_step.clone(),
        category: a.verdict.category.to_string(),
        candidates,
        fingerprints,
    })
}

/// The log as far as the engine kept it: every line of its excerpts at its
/// own line number, the others empty. The model was shown only these lines,
/// so a quote it makes is checked against exactly them, at the right line
/// numbers, without holding the whole log (the monitor streams it).
pub fn excerpt_log(a: &Analysis) -> Vec<u8> {
    let mut lines: BTreeMap<u32, &str> = BTreeMap::new();
    for e in &a.excerpts {
        for l in &e.context {
            lines.insert(l.no, &l.text);
        }
    }
    let mut out = Vec::new();
    let mut at = 1;
    for (no, text) in lines {
        while at < no {
            out.push(b'\n');
            at += 1;
        }
        out.extend_from_slice(text.replace(['\n', '\r'], " ").as_bytes());
        out.push(b'\n');
        at += 1;
    }
    out
}
