//! The job's category: what the test runner reported, the best line and
//! the failing step's name decide it together. Logs are written in the
//! shapes GitHub Actions, Travis and pytest print (the real windows are in
//! `tests/fixtures`; `travis_flake8_then_pytest.log` is a linter failing
//! before the tests did, which stays a lint failure).

use ci_triage::{analyze, RuleSet};

fn verdict(log: &str, rules: &RuleSet) -> (String, Option<bool>) {
    let a = analyze(log.as_bytes(), rules);
    (a.verdict.category.to_string(), a.verdict.flaky)
}

/// A GitHub Actions step that prints `output` and exits 1.
fn gha_step(name: &str, output: &str) -> String {
    let mut log = String::from("2025-04-15T08:40:48.3768356Z ##[group]Run actions/checkout@v4\n2025-04-15T08:40:48.3768356Z ##[endgroup]\n");
    log += &format!("2025-04-15T08:40:48.3768356Z ##[group]Run {name}\n2025-04-15T08:40:48.3768840Z shell: /usr/bin/bash -e {{0}}\n2025-04-15T08:40:48.3816565Z ##[endgroup]\n");
    for line in output.lines() {
        log += &format!("2025-04-15T08:41:00.0000000Z {line}\n");
    }
    log += "2025-04-15T08:42:10.9854168Z ##[error]Process completed with exit code 1.\n2025-04-15T08:42:10.9957905Z Post job cleanup.\n";
    log
}

const PYTEST_ONE_FAILED: &str = "\
============================= test session starts ==============================
collected 3 items

tests/test_client.py ..F                                                 [100%]

=================================== FAILURES ===================================
______________________________ test_fetch_remote _______________________________

    def test_fetch_remote():
>       client.get(\"http://localhost:8000/v1\")
E       ConnectionRefusedError: [Errno 111] Connection refused

tests/test_client.py:12: ConnectionRefusedError
=========================== short test summary info ============================
FAILED tests/test_client.py::test_fetch_remote - ConnectionRefusedError: [Errno 111] Connection refused
========================= 1 failed, 2 passed in 0.31s ==========================
";

#[test]
fn an_error_inside_a_failing_test_is_a_test_failure_and_keeps_its_flakiness() {
    // The best line is the refused connection (a network rule): why the
    // test failed, not a second kind of failure.
    assert_eq!(verdict(PYTEST_ONE_FAILED, &RuleSet::builtin()), ("test_failure".into(), Some(true)));
    let a = analyze(PYTEST_ONE_FAILED.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.basis.as_deref(), Some("tests_failed"));
    assert!(a.render_text().contains("verdict: test_failure (likely flaky; the runner reported failing tests)"), "{}", a.render_text());
}

#[test]
fn a_job_level_failure_stays_the_verdict_when_tests_failed_too() {
    let log = format!("{PYTEST_ONE_FAILED}[ 1234.567890] Out of memory: Killed process 4321 (python) total-vm:81234567kB\n");
    assert_eq!(verdict(&log, &RuleSet::builtin()).0, "oom");
}

#[test]
fn a_step_that_only_exits_nonzero_is_named_by_its_command() {
    let rules = RuleSet::builtin();
    for (step, want) in [
        ("npm run lint", "lint"),
        ("yarn lint:eslint", "lint"),
        ("pnpm format:check", "lint"),
        ("golangci/golangci-lint-action@v7", "lint"),
        ("make docs", "docs"),
        ("npm run test.e2e -- --shard=7/20", "test_failure"),
        ("./gradlew test", "test_failure"),
        ("cargo build --release", "compilation"),
        ("pnpm install --frozen-lockfile", "dependency"),
        ("go mod tidy", "dependency"),
        ("./scripts/deploy.sh", "unknown"),
        // Words, not substrings: `latest` holds no `test`, `formatter` no `format`.
        ("echo latest-formatter", "unknown"),
    ] {
        let log = gha_step(step, "Checking 214 files\nDone, with problems.");
        assert_eq!(verdict(&log, &rules).0, want, "step `Run {step}`");
    }
    let a = analyze(gha_step("npm run lint", "Done, with problems.").as_bytes(), &rules);
    assert_eq!(a.verdict.basis.as_deref(), Some("failing_step"));
    assert_eq!((a.verdict.category.as_str(), a.verdict.qualifiers().as_str()), ("lint", "(deterministic; named by the failing step)"));
}

#[test]
fn a_step_name_does_not_override_a_specific_rule() {
    // The step says build, the line says what broke.
    let log = gha_step("npm run build", "Error: Cannot find module 'vite'\nRequire stack:\n- /app/build.js");
    assert_eq!(verdict(&log, &RuleSet::builtin()).0, "dependency");
}

#[test]
fn without_steps_the_failed_command_names_the_kind() {
    let log = "$ bundle exec rake\nRunning checks\n\nThe command \"npm run lint\" exited with 1.\n\nDone. Your build exited with 1.\n";
    assert_eq!(verdict(log, &RuleSet::builtin()).0, "lint");
    assert_eq!(analyze(log.as_bytes(), &RuleSet::builtin()).verdict.basis.as_deref(), Some("failed_command"));
    // A path under `/home/travis/build/` in an ordinary error line is not a command.
    let log = "Error: expected spy to have been called with '/home/travis/build/org/repo/package.json'\n";
    assert_eq!(verdict(log, &RuleSet::builtin()).0, "unknown");
}

#[test]
fn a_repository_adds_its_own_step_kinds_ahead_of_the_built_in_ones() {
    let rules = RuleSet::with_overrides("[[step_kind]]\ncategory = \"infra\"\nwords = [\"deploy\", \"npm run lint\"]\n").unwrap();
    assert_eq!(verdict(&gha_step("./scripts/deploy.sh", "exit"), &rules).0, "infra");
    assert_eq!(verdict(&gha_step("npm run lint", "exit"), &rules).0, "infra");
    assert!(RuleSet::with_overrides("[[step_kind]]\ncategory = \"nope\"\nwords = [\"x\"]\n").is_err());
    assert!(RuleSet::with_overrides("[[step_kind]]\ncategory = \"lint\"\nwords = []\n").is_err());
    assert!(RuleSet::with_overrides("[[step_kind]]\ncategory = \"lint\"\nwords = [\"x\"]\nextra = 1\n").is_err());
}
