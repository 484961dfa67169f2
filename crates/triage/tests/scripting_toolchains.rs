//! Scripting toolchains (Ruby, PHP, Elixir, Python, Node) and the CI
//! envelopes around them, on windows of real tool output from
//! `eval/realtools/scripting` (each fixture's `#=SOURCE=#` line names the
//! case). `fixtures.rs` checks their key line and category; this file
//! checks what it does not: flakiness, the steps of Azure Pipelines and
//! Buildkite logs, and node's own test runner.

use ci_triage::{analyze, Analysis, RuleSet};

fn fixture(name: &str) -> Analysis {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let raw = std::fs::read(&path).unwrap();
    let mut log = Vec::new();
    for line in raw.split(|&b| b == b'\n') {
        if line.starts_with(b"#=SOURCE=#") || line.starts_with(b"#=CATEGORY=#") {
            continue;
        }
        log.extend_from_slice(line.strip_prefix(b"#=MATCH=# ").unwrap_or(line));
        log.push(b'\n');
    }
    log.pop();
    analyze(&log[..], &RuleSet::builtin())
}

fn verdict(a: &Analysis) -> (&str, Option<bool>, Option<&str>) {
    (a.verdict.category.as_str(), a.verdict.flaky, a.verdict.rule.as_deref())
}

#[test]
fn memory_the_machine_refused_is_flaky_a_configured_limit_is_not() {
    // bash's `Killed` job report (SIGKILL: the OOM killer in CI) and Ruby's
    // NoMemoryError under a memory ulimit: the machine decided.
    assert_eq!(verdict(&fixture("circleci_bash_killed.log")), ("oom", Some(true), Some("shell-job-killed")));
    assert_eq!(verdict(&fixture("azure_ruby_nomemoryerror.log")), ("oom", Some(true), Some("process-out-of-memory")));
    // PHP's memory_limit is configuration: the same run fails the same way.
    assert_eq!(verdict(&fixture("travis_php_memory_limit.log")), ("oom", Some(false), Some("php-memory-limit")));
}

#[test]
fn a_timeout_wrapper_in_a_wait_step_is_a_flaky_timeout() {
    let a = fixture("buildkite_coreutils_timeout_wait_step.log");
    // Not the refused connections it printed while waiting.
    assert_eq!(verdict(&a), ("timeout", Some(true), Some("coreutils-timeout")));
    assert_eq!(a.failing_step.as_deref(), Some(":python: Wait for database"));
}

#[test]
fn elixir_dns_failure_is_flaky_infra() {
    assert_eq!(verdict(&fixture("gha_elixir_nxdomain.log")), ("infra", Some(true), Some("erlang-nxdomain")));
}

#[test]
fn pip_giving_up_on_an_unreachable_index_is_flaky_infra_not_a_missing_package() {
    // `Could not find a version … (from versions: none)` follows, as for a
    // package that does not exist; the last retry's connection error says why.
    assert_eq!(verdict(&fixture("gitlab_pip_index_unreachable.log")), ("infra", Some(true), Some("pip-index-unreachable")));
}

#[test]
fn a_refused_local_connection_in_a_pytest_test_stays_in_the_tests_section() {
    // The key line is the error inside the test's section, not pytest's
    // short summary that repeats it.
    let a = fixture("jenkins_pytest_localhost_refused.log");
    assert_eq!(a.verdict.category.as_str(), "test_failure");
    let ids: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["tests/test_health.py::test_health_endpoint"]);
}

#[test]
fn azure_tasks_are_steps_and_the_bash_task_failed() {
    let a = fixture("azure_ruby_nomemoryerror.log");
    let names: Vec<&str> = a.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Job", "Initialize job", "Checkout acme/rb-proj@main to s", "ruby --version", "Warm cache", "Finalize Job"]);
    let failed = a.steps.iter().find(|s| s.failed).unwrap();
    assert_eq!((failed.name.as_str(), failed.exit_code), ("Warm cache", Some(1)));
    assert_eq!(a.excerpts[0].step.as_deref(), Some("Warm cache"));
}

#[test]
fn buildkite_groups_are_steps_and_the_last_before_the_agent_error_failed() {
    let a = fixture("buildkite_php_lint_parse_error.log");
    let names: Vec<&str> = a.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Running global environment hook", "Preparing working directory", "Running commands", ":php: Lint"]);
    assert_eq!(a.failing_step.as_deref(), Some(":php: Lint"));
    assert_eq!(a.steps.last().unwrap().exit_code, Some(255));
}

#[test]
fn go_test_results_and_diff_headers_are_not_buildkite_groups() {
    let log = "~~~ Preparing working directory\n\
               --- :go: Test\n\
               $ go test ./...\n\
               --- FAIL: TestParse (0.00s)\n\
               \x20   parse_test.go:12: got 1, want 2\n\
               --- a/parse.go\n\
               +++ b/parse.go\n\
               FAIL\n\
               🚨 Error: The command exited with status 1\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    let names: Vec<&str> = a.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Preparing working directory", ":go: Test"]);
    assert_eq!(a.failing_step.as_deref(), Some(":go: Test"));
}

#[test]
fn node_test_spec_reporter_failures_and_counts() {
    let a = fixture("gha_node_test_spec_reporter.log");
    let ids: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect();
    // The suite (`✖ pricing`) is not a test: only the `failing tests:` list names tests.
    assert_eq!(ids, ["adds tax to a fractional amount", "keeps the currency sign for zero"]);
    let c = a.counts.as_ref().unwrap();
    assert_eq!((c.run, c.passed, c.failed, c.skipped), (Some(3), Some(1), Some(2), Some(0)));
    // Each failure points at its first report in the tree, not the list at the end.
    let first = a.failures.iter().map(|f| f.line).min().unwrap();
    assert_eq!(Some(&first), a.key_lines.first());
}

#[test]
fn testthat_compact_progress_headers_name_the_failed_test() {
    // `test_dir()`'s progress reporter prints `Failure ('test-scale.R:3'): …`
    // without the `── ` rule (fmt9); the header names the test_that() block.
    let a = fixture("testthat_failure_header.log");
    let ids: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["unit_scale handles a data frame column"]);
    assert_eq!(verdict(&a).0, "test_failure");
}
