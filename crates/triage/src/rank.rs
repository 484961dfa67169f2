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
use crate::candidate::Candidate;
use crate::rules::RuleSet;
use crate::runners::{RunnerReport, ToolFailure, ToolLevel};

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
/// Malus for a line that reports a failure of a test the runner retried
/// and then saw pass (`RERUN` … `PASSED`, run_test.py's retry in a new
/// process): a flaky test, not what failed the job. Below any line of the
/// failing step that is not part of such a report. The same for any
/// attempt the log says it tried again (`Candidate::retried`: a download
/// retried in a step that passed, the first of three attempts that all
/// failed).
const RETRIED_AND_PASSED: i32 = -60;

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

/// With `--ruleset generic` there are only generic candidates: their
/// score (the scorer's, which already weighs the failing step or command)
/// is the order, in thousandths.
const GENERIC_SCALE: f32 = 1000.0;
/// With the full ruleset, a generic candidate, and a rule that says only
/// *that* something failed (category `unknown`: `The command "…" exited
/// with 1`, `BUILD FAILURE`, `error: …`), stand where a rule of priority
/// `GENERIC_BASE` would, plus `GENERIC_PER_POINT` per point of the generic
/// score, within `GENERIC_MIN..=GENERIC_MAX`: below the test, lint and
/// compiler rules (55 and up), and ordered among themselves by what the
/// generic signals say, so a summary ranks below the lines it summarises.
/// Measured on the development logs: the full ruleset scores as before,
/// and with only the `unknown` rules (a format no rule knows) logchunks
/// loc@1 rises from 55.3 (generic lines capped below every rule) to 68.8
/// (docs/quality.md).
const GENERIC_BASE: i32 = 30;
const GENERIC_PER_POINT: f32 = 2.0;
const GENERIC_MIN: i32 = 1;
const GENERIC_MAX: i32 = 54;

/// Runner summary lines ranked at most: the first and the last this many.
/// A log that repeats its runner (a retry loop, a matrix in one job, a
/// concatenation) prints one per run; the first and the last say what a
/// reader needs, and ranking a million of them cost memory and time
/// (each became a candidate, looked up among all the others).
const SUMMARY_KEEP: usize = 16;

fn summaries_to_rank(lines: &[u32]) -> Vec<u32> {
    let mut l: Vec<u32> = lines.iter().copied().filter(|&l| l != 0).collect();
    l.sort_unstable();
    l.dedup();
    if l.len() > 2 * SUMMARY_KEEP {
        l.drain(SUMMARY_KEEP..l.len() - SUMMARY_KEEP);
    }
    l
}

/// A line the passing run of the same job also printed.
const IN_BASELINE: i32 = -30;

pub(crate) fn rank(
    mut cands: Vec<Candidate>,
    report: &RunnerReport,
    steps: &[Step],
    failing_step: Option<usize>,
    rules: &RuleSet,
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
            generic: false,
            sig: None,
            priority: RUNNER_FAILURE_PRIORITY,
            step: step_of_line(t.line),
            message: t.message.clone(),
            group: t.id.clone(),
            context,
            context_first,
            after_missing: 0,
            retried: false,
        });
    }
    for l in summaries_to_rank(&report.summary_lines) {
        let (context, context_first) =
            cands.iter().find(|c| c.line == l).map(|c| (c.context.clone(), c.context_first)).unwrap_or_default();
        extra.push(Candidate {
            line: l,
            rule: None,
            generic: false,
            sig: None,
            priority: RUNNER_SUMMARY_PRIORITY,
            step: step_of_line(l),
            message: String::new(),
            group: String::new(),
            context,
            context_first,
            after_missing: 0,
            retried: false,
        });
    }
    cands.extend(extra);
    let confirmed: std::collections::HashSet<u32> = report.failures.iter().map(|t| t.line).filter(|&l| l != 0).collect();
    let generic_only = rules.is_generic();
    // A `keep_priority` rule's line (a `>` cause of Gradle's report) keeps
    // its priority only under its headline: a rule of the same family
    // (`gradle-…`) matched on the few lines above it in its step. Elsewhere
    // (npm's and composer's `> script` echoes) it is not a candidate.
    let family = |name: &str| name.split('-').next().unwrap_or("").to_string();
    let headlines: Vec<(u32, usize, String)> = cands
        .iter()
        .filter_map(|c| c.rule.map(|r| (c, &rules.rules[r])))
        .filter(|(_, r)| !r.keep_priority)
        .map(|(c, r)| (c.line, c.step, family(&r.name)))
        .collect();
    let anchored = |c: &Candidate| -> bool {
        let Some(r) = c.rule.map(|r| &rules.rules[r]) else { return false };
        if !r.keep_priority {
            return false;
        }
        let f = family(&r.name);
        headlines.iter().any(|(line, step, hf)| *step == c.step && *line < c.line && c.line - *line <= 8 && *hf == f)
    };
    let keep: Vec<bool> = cands.iter().map(|c| !c.rule.is_some_and(|r| rules.rules[r].keep_priority) || anchored(c)).collect();
    let mut kept = keep.iter();
    cands.retain(|_| *kept.next().unwrap_or(&true));
    let travis = steps.iter().any(|s| s.name == crate::steps::TRAVIS_BETWEEN);
    let score = |c: &Candidate| -> i32 {
        let sig = c.sig.as_ref();
        if generic_only {
            return sig.map_or(i32::MIN, |g| (g.score * GENERIC_SCALE) as i32);
        }
        let weak = c.ranked_by_signals(rules);
        let mut s = match sig {
            Some(g) if weak => (GENERIC_BASE + (g.score * GENERIC_PER_POINT).round() as i32).clamp(GENERIC_MIN, GENERIC_MAX),
            _ => c.priority,
        };
        if sig.is_some_and(|g| g.flags & crate::signals::flag::IN_BASELINE != 0) {
            s += IN_BASELINE;
        }
        if c.rule.is_some() && confirmed.contains(&c.line) {
            s += RUNNER_CONFIRMED;
        }
        if c.retried || report.flaky_lines.iter().any(|&(a, b)| a <= c.line && c.line <= b) {
            s += RETRIED_AND_PASSED;
        }
        if let Some(f) = failing_step {
            if !steps.is_empty() {
                s += match c.step.cmp(&f) {
                    // Travis runs `after_failure`/`after_script` and the later
                    // script commands after the failing one, and what they
                    // print (a deploy script's exception) is read as much as
                    // the failing command's own lines: only the commands that
                    // passed before it are told apart.
                    std::cmp::Ordering::Equal | std::cmp::Ordering::Greater if travis => 0,
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

/// The job's category and flakiness, from what failed, the best line and
/// what the test runner reported.
///
/// Decided in this order (docs/triage.md, Verdict):
/// 1. a `job_level` best line (the runner died, the job timed out, the
///    machine ran out of memory) keeps its rule's category;
/// 2. **what failed**: the deepest statement of a build tool in the
///    failing step (a Maven goal, a Gradle task, a make target, an npm
///    script, a tox environment, a Dockerfile `RUN` command) that names a
///    known tool (`[[tool_kind]]`: `maven-checkstyle-plugin`, `mypy`,
///    `javadoc`; for a goal or task also `[[task_kind]]`: Gradle's `test`)
///    decides, unless the best line names an outside cause (`infra`,
///    `timeout`, `oom`, `config`, `dependency`: the tool could not run or
///    get its inputs): a Checkstyle finding printed like a compiler error
///    is a lint failure. A script's name does not override a compiler
///    error (`make staticcheck` reporting code that does not compile); a CI
///    command's or step's name is written by people, often chains several
///    commands (`yarn && yarn build && yarn lint`), and overrides no
///    specific line;
/// 3. when tests failed, `test_failure`: the best line is usually the error
///    inside the failing test (a refused connection, a syntax error in the
///    module it imports), except a linter's or doc build's;
/// 4. a specific rule's category;
/// 5. when the best line says only *that* something failed (an `unknown`
///    rule: `Process completed with exit code 1`), the words of what failed
///    (`[[step_kind]]`: a make target `test`, `Run npm run lint`, `The
///    command "mkdocs build" exited with 1`) say what kind of work it was.
pub(crate) fn verdict(ranked: &[Candidate], report: &RunnerReport, rules: &RuleSet, failing_step: Option<&Step>) -> Verdict {
    let top = ranked.first();
    let tests_failed = !report.failures.is_empty() || report.counts.as_ref().and_then(|c| c.failed).is_some_and(|n| n > 0);
    let (rule_category, flaky, rule, job_level) = match top {
        None => (Category::Unknown, None, None, false),
        Some(top) => match top.rule {
            Some(i) => {
                let r = &rules.rules[i];
                (r.category, r.flaky, Some(r.name.clone()), r.job_level)
            }
            // A line only the generic signals found: like a generic rule,
            // it says *that* something failed; the step or command says what.
            None if top.generic => (Category::Unknown, None, None, false),
            // A runner's summary line says that tests ran; only a failing
            // test (or a failed count) says they failed.
            None if top.group.is_empty() && !tests_failed => (Category::Unknown, None, Some("runner".to_string()), false),
            None => (Category::TestFailure, None, Some("runner".to_string()), false),
        },
    };
    // A cause line of Gradle's report that no specific rule knows (`>
    // Plugin with id 'x' not found.`) is where to read, but its headline
    // (`A problem occurred evaluating root project 'x'.`: configuration)
    // says what kind of failure it is.
    let rule_category = match top {
        Some(t) if rule_category == Category::Unknown && rule.as_deref().is_some_and(|r| r.starts_with("gradle-report-cause")) => {
            headline_category(t, ranked, rules).unwrap_or(rule_category)
        }
        _ => rule_category,
    };
    let failed = WhatFailed::new(report, failing_step);
    let outside_cause =
        matches!(rule_category, Category::Infra | Category::Timeout | Category::Oom | Category::Config | Category::Dependency);
    // A compiler error inside a project's script means the code did not
    // compile, whatever the script is for; only a build tool's own goal
    // says which program printed a line shaped like one (Checkstyle's
    // `File.java:12: error: Missing a Javadoc comment.`).
    let named = failed.tool(rules).filter(|n| rule_category != Category::Compilation || WhatFailed::by_build_tool(n));
    let mut evidence = None;
    let (category, basis, tool) = if job_level {
        (rule_category, "rule", None)
    } else if let Some(n) = named.filter(|_| !outside_cause) {
        (n.category, n.level.basis(), Some(n.name))
    } else if tests_failed && !matches!(rule_category, Category::Lint | Category::Docs) {
        (Category::TestFailure, if rule_category == Category::TestFailure { "rule" } else { "tests_failed" }, None)
    } else if rule_category == Category::Unknown {
        match from_evidence(ranked, rules, failing_step_index(ranked, failing_step), failed.kind_of_work(rules)) {
            Some((category, basis, name, why)) => {
                evidence = why;
                (category, basis, name)
            }
            None => (Category::Unknown, "rule", None),
        }
    } else {
        (rule_category, "rule", None)
    };
    // coreutils `timeout` exits 124 when it killed the command: a job whose
    // failing command (GitLab's `$ timeout 12 cargo fetch` echo) ran under
    // it and ended with that code timed out, whatever the command was for.
    let category = match failing_step {
        Some(s) if rule_category == Category::Unknown && s.exit_code == Some(124) && s.name.starts_with("$ timeout ") => Category::Timeout,
        _ => category,
    };
    let basis = top.map(|_| basis.to_string());
    // A resolver's failure (cargo's `failed to get `x` as a dependency`)
    // says what could not be had; the chain printed with it says why. When
    // that is a network rule known to be intermittent (a refused proxy, a
    // 503 from the registry, a timeout), the failure is the network's.
    let flaky = match (flaky, top) {
        // Only when the resolver's failure is the verdict: a download that
        // failed once and then passed a retry does not explain a failing test.
        (None, Some(t)) if rule_category == Category::Dependency && category == Category::Dependency && network_beside(t, ranked, rules) => {
            Some(true)
        }
        _ => flaky,
    };
    let flaky = flakiness(FlakyInput { ranked, top, category, rule_category, rule_flaky: flaky, tool: tool.is_some(), basis: basis.as_deref(), report, failing_step });
    // A network, service or runner failure read from the words of the
    // best lines (no rule knew the format) is intermittent, as the rules
    // that know one say (`flaky = true` on every network and runner-loss rule).
    let flaky = match flaky {
        None if category == Category::Infra && basis.as_deref() == Some("key_line_words") => Some(true),
        f => f,
    };
    Verdict { category, flaky, rule, basis, tool, evidence }
}

/// The index of the failing step among the steps the candidates carry:
/// the step of any ranked line inside it.
fn failing_step_index(ranked: &[Candidate], failing_step: Option<&Step>) -> Option<usize> {
    let s = failing_step?;
    ranked.iter().find(|c| s.start <= c.line && c.line <= s.end).map(|c| c.step)
}

/// The category when the best line says only *that* something failed
/// (`crate::evidence`), with its basis, the name of what failed and the
/// words that decided. In this order:
/// 1. a statement of what failed among the best lines naming a known tool
///    (`Failed to execute goal …maven-checkstyle-plugin…`, `The command
///    "pyflakes ." exited with 1`), unless their words name an outside
///    cause (the tool could not run);
/// 2. the words of the best lines when they name an outside cause
///    (`Killed`, `Connection refused`, `Could not resolve dependencies`):
///    whatever the step was for, it could not run;
/// 3. the failing step's or command's name (`[[step_kind]]`), except that
///    a test or build step whose best lines clearly say something else
///    (a test step's compiler errors: the tests are compiled first) goes
///    by the words; a lint or docs step's errors shaped like a compiler's
///    are its tool's findings;
/// 4. the words of the best lines.
fn from_evidence(
    ranked: &[Candidate],
    rules: &RuleSet,
    step: Option<usize>,
    kind_of_work: Option<Named>,
) -> Option<(Category, &'static str, Option<String>, Option<String>)> {
    use crate::evidence;
    let words = evidence::vocabulary(ranked, step);
    let stated = evidence::stated_tool(ranked, step, rules);
    let words_say = |w: &evidence::Evidence| Some((w.category, "key_line_words", None, Some(w.describe())));
    let outside_words = words.as_ref().filter(|w| evidence::outside(w.category) && w.strong_outside());
    if let Some(t) = stated.as_ref().filter(|t| t.by_build_tool) {
        match outside_words {
            Some(w) if !evidence::outside(t.category) => return words_say(w),
            _ => return Some((t.category, "failing_tool", Some(t.name.clone()), Some(format!("line {}: `{}` failed", t.line, t.name)))),
        }
    }
    if let Some(w) = outside_words {
        return words_say(w);
    }
    // A CI command's statement (`The command "…" exited with 1`) counts as
    // what the job was doing, like a step's name.
    let kind_of_work = kind_of_work.or_else(|| {
        stated.map(|t| Named { category: t.category, name: t.name, level: Level::Task(crate::runners::ToolLevel::Command) })
    });
    if let Some(n) = kind_of_work {
        let overridden = match &words {
            Some(w) => {
                w.strong()
                    && w.category != n.category
                    && matches!(n.category, Category::TestFailure | Category::Compilation | Category::Dependency)
            }
            None => false,
        };
        if !overridden {
            let why = format!("`{}`", n.name);
            return Some((n.category, n.level.basis(), Some(n.name), Some(why)));
        }
    }
    words.as_ref().and_then(words_say)
}

/// The category of the nearest rule matched on the few lines above `cause`
/// in its step (the headline of the report the cause line belongs to).
fn headline_category(cause: &Candidate, ranked: &[Candidate], rules: &RuleSet) -> Option<Category> {
    ranked
        .iter()
        .filter(|c| c.step == cause.step && c.line < cause.line && cause.line - c.line <= 8)
        .filter_map(|c| c.rule.map(|r| (c.line, rules.rules[r].category)))
        .filter(|(_, cat)| *cat != Category::Unknown)
        .max_by_key(|(line, _)| *line)
        .map(|(_, cat)| cat)
}

/// A flaky network or download rule matched within a few lines of `top`,
/// in the same step: the error chain cargo, pip and npm print around one
/// failure (`warning: spurious network error`, `Caused by:`).
fn network_beside(top: &Candidate, ranked: &[Candidate], rules: &RuleSet) -> bool {
    ranked.iter().take(8).any(|c| {
        c.step == top.step
            && c.line.abs_diff(top.line) <= 12
            && c.rule.is_some_and(|r| rules.rules[r].flaky == Some(true) && matches!(rules.rules[r].category, Category::Infra | Category::Dependency))
    })
}

struct FlakyInput<'a> {
    ranked: &'a [Candidate],
    top: Option<&'a Candidate>,
    category: Category,
    rule_category: Category,
    rule_flaky: Option<bool>,
    tool: bool,
    basis: Option<&'a str>,
    report: &'a RunnerReport,
    failing_step: Option<&'a Step>,
}

/// Whether the failure is likely intermittent, from the log alone.
///
/// The best line's rule says first (network, registry, runner and pod
/// loss, kernel OOM kills are `flaky = true`), with two corrections: an
/// error inside a failing test that names the job's own machine
/// (`localhost:8000` refused) is the code under test, not the network;
/// and a timeout is intermittent when it struck while the job was setting
/// up (checkout, image pull, dependency install), not while tests ran.
/// Without a rule's word, the failure is flaky when every failing test
/// passed when the runner retried it; otherwise a generic rule's
/// flakiness is that of the kind of failure it turned out to be
/// (deterministic for compilation, lint, docs, config, test failures and
/// dependencies; unknown for the rest).
fn flakiness(i: FlakyInput) -> Option<bool> {
    // The same error is printed several times (the traceback, pytest's
    // short summary); the one with the failing call names the address.
    let same_rule = |c: &&Candidate| i.top.is_some_and(|t| t.rule.is_some() && c.rule == t.rule);
    // Rust prints an `io::Error` in its Debug shape (`Os { code: 111, kind:
    // ConnectionRefused, .. }`) only when the test unwrapped its own socket
    // call: no address is printed, and a refusal is the host's immediate
    // answer that nothing listens there (the test's own server or port),
    // not a lost packet; clients of remote services wrap it with the URL.
    let own_socket_refused = |c: &&Candidate| c.message.contains("kind: ConnectionRefused");
    if i.rule_flaky == Some(true)
        && i.basis == Some("tests_failed")
        && i.ranked.iter().take(10).filter(same_rule).any(|c| mentions_own_machine(c) || own_socket_refused(&c))
    {
        return Some(false);
    }
    if let Some(f) = i.rule_flaky {
        return Some(f);
    }
    if i.category == Category::Timeout && i.failing_step.is_some_and(|s| SETUP_STEP.is_match(&s.name)) {
        return Some(true);
    }
    // Without steps (Travis), the CI's statement of the command that failed
    // after the timeout (`The command "timeout 60 ./wait-for-db.sh" exited
    // with 124.`) says what the job was doing.
    if i.category == Category::Timeout && i.failing_step.is_none() {
        let after = i.top.map_or(0, |t| t.line);
        let command = i.report.tools.iter().filter(|t| t.level == ToolLevel::Command && t.line >= after).min_by_key(|t| t.line);
        if command.is_some_and(|c| c.names.iter().any(|n| SETUP_STEP.is_match(n))) {
            return Some(true);
        }
    }
    // Every failing test passed when retried (PyTorch reruns in a new
    // process after pytest reported the failure).
    let retried = |id: &str| i.report.flaky_tests.iter().any(|f| f == id || f.ends_with(id) || id.ends_with(f.as_str()));
    // Unless the line to read first is a rule's match outside every retried
    // test's report (a crash of another test, which pytest never lists as
    // failed): that is what failed the job, and the retries are noise.
    let top_outside_retries = !i.report.flaky_lines.is_empty()
        && i.top.is_some_and(|t| t.rule.is_some() && !i.report.flaky_lines.iter().any(|&(a, b)| a <= t.line && t.line <= b));
    if !i.report.flaky_tests.is_empty()
        && !top_outside_retries
        && i.report.failures.iter().all(|f| retried(&f.id))
        && matches!(i.category, Category::TestFailure | Category::Unknown)
    {
        return Some(true);
    }
    let kind = if i.rule_category == Category::Unknown || i.tool { i.category } else { i.rule_category };
    match kind {
        Category::Compilation | Category::Lint | Category::Docs | Category::Config | Category::TestFailure | Category::Dependency => Some(false),
        _ => None,
    }
}

/// A step that prepares the job rather than testing the change: GitHub's
/// `Set up job` and `actions/checkout`, GitLab's `prepare_executor`,
/// `get_sources` and `restore_cache`, install and download steps, and
/// steps that wait for a service the job needs (`Wait for database`,
/// `wait_for_db.py`): the service not coming up is the job's setup.
static SETUP_STEP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)(?:^|[^a-z])(?:set ?up|checkout|prepare(?:_\w+)?|get_sources|restore_cache|download\w*|fetch|install\w*|pull|dependencies|deps|bootstrap|provision\w*|initiali[sz]e|wait(?:ing)?)(?:$|[^a-z])").expect("static regex")
});

/// The line or its context names the job's own machine.
fn mentions_own_machine(c: &Candidate) -> bool {
    static LOCAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0)\b|\[::1\]").expect("static regex")
    });
    LOCAL.is_match(&c.message) || LOCAL.is_match(&c.context)
}

/// Where a name of what failed comes from, shallowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// The failing CI step's name (GitHub Actions, GitLab, Jenkins).
    Step,
    Task(ToolLevel),
}

impl Level {
    fn basis(self) -> &'static str {
        match self {
            Level::Step => "failing_step",
            Level::Task(ToolLevel::Command) => "failed_command",
            Level::Task(_) => "failing_tool",
        }
    }
}

/// A name of what failed and the category it implies.
struct Named {
    category: Category,
    name: String,
    level: Level,
}

/// The statements of what failed inside the failing step (the whole log
/// when it has no steps), deepest first, then in log order, and the
/// failing step's name.
struct WhatFailed<'a> {
    names: Vec<(Level, &'a str)>,
}

impl<'a> WhatFailed<'a> {
    fn new(report: &'a RunnerReport, failing_step: Option<&'a Step>) -> Self {
        let in_step = |line: u32| failing_step.is_none_or(|s| s.start <= line && line <= s.end);
        let mut statements: Vec<&ToolFailure> = report.tools.iter().filter(|t| in_step(t.line)).collect();
        statements.sort_by_key(|t| (std::cmp::Reverse(t.level), t.line));
        let mut names: Vec<(Level, &str)> =
            statements.iter().flat_map(|t| t.names.iter().map(move |n| (Level::Task(t.level), n.as_str()))).collect();
        if let Some(s) = failing_step {
            names.push((Level::Step, s.name.as_str()));
        }
        WhatFailed { names }
    }

    /// The first known tool among the deepest statements of a build tool.
    /// A shallower name never decides when a deeper statement exists:
    /// `make all` covers every goal of the `mvn verify` it runs, the
    /// failed goal is the one that says what failed. A build tool's own
    /// task is named for what it does (Gradle's `test`), so
    /// `[[task_kind]]` counts there too.
    fn tool(&self, rules: &RuleSet) -> Option<Named> {
        let deepest = self.names.first()?.0;
        if deepest < Level::Task(ToolLevel::Script) {
            return None;
        }
        self.names.iter().take_while(|(level, _)| *level == deepest).find_map(|&(level, name)| {
            let category = rules
                .tool_category(name)
                .or_else(|| (level == Level::Task(ToolLevel::Task)).then(|| rules.task_category(name)).flatten())?;
            Some(Named { category, name: name.to_string(), level })
        })
    }

    /// Whether the tool that decides is a build tool's own goal or task
    /// (certain about which program printed the errors) rather than a
    /// script a project named (`make staticcheck` whose linter reports
    /// that the code does not compile).
    fn by_build_tool(named: &Named) -> bool {
        named.level == Level::Task(ToolLevel::Task)
    }

    /// What kind of work the deepest named unit that says one was
    /// (`make: *** [test]`, `Run npm run lint`): read only when the best
    /// line says nothing more than that something failed.
    fn kind_of_work(&self, rules: &RuleSet) -> Option<Named> {
        self.names.iter().find_map(|&(level, name)| {
            let category = rules.step_category(name).or_else(|| rules.tool_category(name))?;
            Some(Named { category, name: name.to_string(), level })
        })
    }
}
