//! Key-line ranking: which line a person should read first.
//!
//! Signals, strongest first:
//! 1. rule priority (a compiler error beats `Process completed with exit code 1`);
//! 2. the step that failed the job (GitHub Actions): errors in steps that
//!    passed, or in post-job cleanup, are noise;
//! 3. the runner's own failure lines (pytest `FAILED`, JUnit `Tests in error`),
//!    and a small bonus for a rule match the runner confirms as a failing test;
//! 4. position: for the same priority the first occurrence wins (the first
//!    compiler error is the cause, later ones are often follow-ups).

use crate::analysis::{Step, Verdict};
use crate::engine::Candidate;
use crate::rules::RuleSet;
use crate::runners::RunnerReport;

/// Rules below this priority are too generic to report as a failure of their
/// own (they still serve as key lines).
pub const FAILURE_MIN_PRIORITY: i32 = 40;
/// Priority of a failing test reported by a runner parser.
pub const RUNNER_FAILURE_PRIORITY: i32 = 62;
/// Priority of a runner summary line (`=== 1 failed ===`).
pub const RUNNER_SUMMARY_PRIORITY: i32 = 35;
/// Bonus for lines inside the failing step, malus for lines outside it.
const IN_FAILING_STEP: i32 = 40;
const BEFORE_FAILING_STEP: i32 = -30;
const AFTER_FAILING_STEP: i32 = -45;
/// Bonus for a rule's match on a line that a runner parser also reports as a
/// failing test: among equal test headers the one the runner counts wins
/// (go's leaf `--- FAIL: TestX/case` over the parent `--- FAIL: TestX` that
/// only aggregates it).
const RUNNER_CONFIRMED: i32 = 1;

/// Keep at most `keep` of `cands` when the log has more candidate lines than
/// memory allows: the highest priorities, the current step first, and among
/// equals the earliest.
pub(crate) fn compact(cands: &mut Vec<Candidate>, current_step: usize, keep: usize) {
    if cands.len() <= keep {
        return;
    }
    cands.sort_by_key(|c| (std::cmp::Reverse(c.priority), c.step != current_step, c.line));
    cands.truncate(keep);
    cands.sort_by_key(|c| c.line);
}

pub(crate) fn rank(
    mut cands: Vec<Candidate>,
    report: &RunnerReport,
    steps: &[Step],
    failing_step: Option<usize>,
    _rules: &RuleSet,
    step_of_line: impl Fn(u32) -> usize,
) -> Vec<Candidate> {
    let mut extra = Vec::new();
    for t in &report.failures {
        if t.line == 0 {
            continue;
        }
        let (context, context_first) = cands
            .iter()
            .find(|c| c.line == t.line)
            .map(|c| (c.context.clone(), c.context_first))
            .unwrap_or_else(|| (t.message.replace('\n', " "), t.line));
        extra.push(Candidate {
            line: t.line,
            rule: None,
            priority: RUNNER_FAILURE_PRIORITY,
            step: step_of_line(t.line),
            message: t.message.clone(),
            group: t.id.clone(),
            context,
            context_first,
            after_missing: 0,
        });
    }
    for &l in &report.summary_lines {
        if l == 0 {
            continue;
        }
        let (context, context_first) =
            cands.iter().find(|c| c.line == l).map(|c| (c.context.clone(), c.context_first)).unwrap_or_default();
        extra.push(Candidate {
            line: l,
            rule: None,
            priority: RUNNER_SUMMARY_PRIORITY,
            step: step_of_line(l),
            message: String::new(),
            group: String::new(),
            context,
            context_first,
            after_missing: 0,
        });
    }
    cands.extend(extra);
    let confirmed: std::collections::HashSet<u32> = report.failures.iter().map(|t| t.line).filter(|&l| l != 0).collect();
    let score = |c: &Candidate| -> i32 {
        let mut s = c.priority;
        if c.rule.is_some() && confirmed.contains(&c.line) {
            s += RUNNER_CONFIRMED;
        }
        if let Some(f) = failing_step {
            if !steps.is_empty() {
                s += match c.step.cmp(&f) {
                    std::cmp::Ordering::Equal => IN_FAILING_STEP,
                    std::cmp::Ordering::Less => BEFORE_FAILING_STEP,
                    std::cmp::Ordering::Greater => AFTER_FAILING_STEP,
                };
            }
        }
        s
    };
    cands.sort_by_key(|c| (std::cmp::Reverse(score(c)), c.line));
    let mut seen = std::collections::HashSet::new();
    cands.retain(|c| seen.insert(c.line));
    cands
}

pub(crate) fn verdict(top: Option<&Candidate>, report: &RunnerReport, rules: &RuleSet) -> Verdict {
    let Some(top) = top else {
        if !report.failures.is_empty() {
            return Verdict { category: "test_failure".into(), flaky: Some(false), rule: None };
        }
        return Verdict::unknown();
    };
    let (category, flaky, rule) = match top.rule {
        Some(i) => {
            let r = &rules.rules[i];
            (r.category.clone(), r.flaky, Some(r.name.clone()))
        }
        None => ("test_failure".to_string(), None, Some("runner".to_string())),
    };
    // A weak generic match does not beat what the runner says.
    let category = if category == "unknown" && !report.failures.is_empty() { "test_failure".to_string() } else { category };
    let flaky = flaky.or(match category.as_str() {
        "compilation" | "lint" | "docs" | "config" | "test_failure" | "dependency" => Some(false),
        _ => None,
    });
    Verdict { category, flaky, rule }
}
