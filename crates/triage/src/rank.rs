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

use crate::analysis::{Category, Step, Verdict};
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

/// The job's category and flakiness, from the best line, what the test
/// runner reported and the failing step.
///
/// When tests failed, the best line is usually the error inside a failing
/// test (a refused connection, a timeout, a syntax error in the module it
/// imports): that is why the test failed, and the job is a test failure
/// unless the rule is `job_level` (the runner died, the job timed out, the
/// machine ran out of memory) or a linter's or doc build's, which run as
/// commands of their own. When the best line says only *that*
/// something failed (an `unknown` rule: `Process completed with exit code
/// 1`), the failing step's name or command says what kind of work it was
/// (`Run npm run lint`, `The command "mkdocs build" exited with 1`).
pub(crate) fn verdict(ranked: &[Candidate], report: &RunnerReport, rules: &RuleSet, failing_step: Option<&str>) -> Verdict {
    let top = ranked.first();
    let tests_failed = !report.failures.is_empty() || report.counts.as_ref().and_then(|c| c.failed).is_some_and(|n| n > 0);
    let (rule_category, flaky, rule, job_level) = match top {
        None => (Category::Unknown, None, None, false),
        Some(top) => match top.rule {
            Some(i) => {
                let r = &rules.rules[i];
                (r.category, r.flaky, Some(r.name.clone()), r.job_level)
            }
            None => (Category::TestFailure, None, Some("runner".to_string()), false),
        },
    };
    // Linters and doc builds are commands of their own, never what a test
    // died of (flake8 before pytest in one Travis job).
    let (category, basis) = if tests_failed && !job_level && !matches!(rule_category, Category::Lint | Category::Docs) {
        (Category::TestFailure, if rule_category == Category::TestFailure { "rule" } else { "tests_failed" })
    } else if rule_category == Category::Unknown {
        // Without steps (Travis, plain logs), the line that names the failed
        // command: a rule whose group key holds a `cmd` capture.
        let (command, basis) = match failing_step {
            Some(step) => (Some(step), "failing_step"),
            None => (
                ranked.iter().find(|c| c.rule.is_some_and(|i| rules.rules[i].group.iter().any(|g| g == "cmd"))).map(|c| c.message.as_str()),
                "failed_command",
            ),
        };
        match command.and_then(|c| rules.step_category(c)) {
            Some(kind) => (kind, basis),
            None => (Category::Unknown, "rule"),
        }
    } else {
        (rule_category, "rule")
    };
    // Flakiness is the rule's (a test that failed on a refused connection
    // is a test failure that is likely intermittent), and a generic rule's
    // is that of the kind of failure it turned out to be.
    let kind = if rule_category == Category::Unknown { category } else { rule_category };
    let flaky = flaky.or(match kind {
        Category::Compilation | Category::Lint | Category::Docs | Category::Config | Category::TestFailure | Category::Dependency => Some(false),
        _ => None,
    });
    let basis = top.map(|_| basis.to_string());
    Verdict { category, flaky, rule, basis }
}
