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
    // The best line is a network error (a network rule): why the test
    // failed, not a second kind of failure, and a remote service's
    // failure is likely intermittent.
    let remote = PYTEST_ONE_FAILED
        .replace("http://localhost:8000/v1", "https://api.example.org/v1")
        .replace("ConnectionRefusedError: [Errno 111] Connection refused", "ConnectionError: Temporary failure in name resolution");
    assert_eq!(verdict(&remote, &RuleSet::builtin()), ("test_failure".into(), Some(true)));
    let a = analyze(remote.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.basis.as_deref(), Some("tests_failed"));
    assert!(a.render_text().contains("verdict: test_failure (likely flaky; the runner reported failing tests)"), "{}", a.render_text());
}

#[test]
fn a_gpu_fault_outranks_the_test_level_symptoms_it_causes() {
    // The shapes ROCm and PyTorch print (scenarios/demo, issue 14): the
    // fault first, then the server's abort and the failing test it causes.
    let log = gha_step(
        "python3 -m pytest -v test/srt/test_deepseek_v3.py",
        "============================= test session starts ==============================
collected 2 items
test/srt/test_deepseek_v3.py::TestDeepseekV3::test_gsm8k 
[2026-01-01 03:41:19 TP2] Capture cuda graph begin. This can take up to several minutes.
Memory access fault by GPU node-2 (Agent handle: 0x55d1c3a0b2c0) on address 0x7f3a2c000000. Reason: Page not present or supervisor privilege.
[2026-01-01 03:41:22] Child process unexpectedly failed with exitcode=134. pid=48213
Fatal Python error: Aborted
FAILED test/srt/test_deepseek_v3.py::TestDeepseekV3::test_gsm8k - RuntimeError: Server process exited with code -6
========================= 1 failed, 1 passed in 412.90s =========================",
    );
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    let line = |n: u32| log.lines().nth(n as usize - 1).unwrap_or_default();
    assert!(line(a.key_lines[0]).contains("Memory access fault by GPU"), "{}", line(a.key_lines[0]));
    let pos = |needle: &str| a.key_lines.iter().position(|&l| line(l).contains(needle)).unwrap_or(usize::MAX);
    assert!(pos("Memory access fault") < pos("Fatal Python error") && pos("Fatal Python error") < pos("Server process exited"));
    assert_eq!(a.verdict.category.to_string(), "infra");
    assert_eq!(a.failures[0].rule, "gpu-memory-fault", "the fault leads the failures and so names the job's failure");
    assert!(a.failures.iter().any(|f| f.test.is_some()), "the failing test is still reported");
}

#[test]
fn a_test_refused_by_its_own_machine_is_not_flaky() {
    // The service under test (on localhost) is not listening: the code
    // under test failed, the test only used a socket.
    assert_eq!(verdict(PYTEST_ONE_FAILED, &RuleSet::builtin()), ("test_failure".into(), Some(false)));
}

#[test]
fn a_timeout_while_setting_up_is_flaky_and_one_in_the_tests_is_not_known() {
    let log = gha_step("actions/checkout@v4", "Fetching the repository\n##[error]The action has timed out after 10 minutes.");
    let log = log.replace("##[error]The action has timed out", "Command timed out after 600s: The action has timed out");
    assert_eq!(verdict(&log, &RuleSet::builtin()), ("timeout".into(), Some(true)));
    let log = gha_step("pytest tests/", "tests/test_io.py::test_read\nCommand timed out after 600s");
    assert_eq!(verdict(&log, &RuleSet::builtin()), ("timeout".into(), None));
}

#[test]
fn retried_passes_alone_make_a_failure_flaky() {
    // run_test.py reran the failed test in a new process and it passed;
    // the job still exited non-zero.
    let log = "\
test_nn.py::TestNN::test_conv FAILED
The following tests failed and then succeeded when run in a new process['test_nn.py::TestNN::test_conv']
##[error]Process completed with exit code 1.
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.flaky, Some(true), "{:?}", a.verdict);
}

#[test]
fn a_crash_beside_a_retried_test_is_not_flaky() {
    // One test failed and passed on its retry; another crashed the
    // interpreter, which pytest never lists as failed. The crash failed the
    // job: the retry does not make it flaky.
    let log = "\
test_nn.py::TestNN::test_conv FAILED
=========================== short test summary info ============================
FAILED test_nn.py::TestNN::test_conv - AssertionError: Tensor-likes are not close!
========================= 1 failed, 12 passed in 3.10s =========================
Retrying single test...
test_nn.py::TestNN::test_conv PASSED
test_ops.py::TestCommonCPU::test_storage_from_null_ptr Fatal Python error: Segmentation fault
Got exit code -11 (SIGSEGV)
##[error]Process completed with exit code 1.
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.rule.as_deref(), Some("pytest-test-crashed"), "{:?}", a.verdict);
    assert_ne!(a.verdict.flaky, Some(true), "{:?}", a.verdict);
}

#[test]
fn a_test_failing_in_one_tox_env_and_passing_in_another_is_not_a_retry() {
    // The same suite in two environments of one job: the pass in py312 is
    // not a retry of the py38 failure, which still failed the job.
    let log = "\
py38: commands[0]> pytest -v tests
tests/test_io.py::test_read FAILED
=================================== FAILURES ===================================
__________________________________ test_read ___________________________________
E       TypeError: 'type' object is not subscriptable
=========================== short test summary info ============================
FAILED tests/test_io.py::test_read - TypeError: 'type' object is not subscriptable
========================= 1 failed, 3 passed in 0.12s ==========================
py38: exit 1 (0.50 seconds) /src> pytest -v tests pid=100
py312: commands[0]> pytest -v tests
tests/test_io.py::test_read PASSED
============================== 4 passed in 0.10s ===============================
  py38: FAIL code 1 (2.10 seconds)
  py312: OK (1.90 seconds)
  evaluation failed :( (4.01 seconds)
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert!(a.failures.iter().any(|f| f.test.as_ref().is_some_and(|t| t.id == "tests/test_io.py::test_read")), "{:?}", a.failures);
    assert_ne!(a.verdict.flaky, Some(true), "{:?}", a.verdict);
}

#[test]
fn a_network_error_cargo_retried_past_is_neither_the_failure_nor_flakiness() {
    // Cargo retries a download after `warning: spurious network error`;
    // here the retry worked and a test failed: the test is the failure, and
    // it is not flaky because the index fetch once hiccuped.
    let log = "\
$ cargo test --locked
    Updating crates.io index
warning: spurious network error (2 tries remaining): [6] Couldn't resolve host name (Could not resolve host: index.crates.io)
  Downloaded serde v1.0.197
   Compiling app v0.1.0 (/builds/g/app)
running 1 test
test parse::tests::rejects_empty ... FAILED

failures:

---- parse::tests::rejects_empty stdout ----
thread 'parse::tests::rejects_empty' panicked at src/parse.rs:88:9:
assertion `left == right` failed

failures:
    parse::tests::rejects_empty

test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

error: test failed, to rerun pass `--lib`
ERROR: Job failed: exit code 101
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.category.to_string(), "test_failure");
    assert_ne!(a.verdict.flaky, Some(true), "{:?}", a.verdict);
    assert_ne!(a.key_lines.first(), Some(&3), "{:?}", a.key_lines);
    // When every retry failed, cargo's own error says so: flaky.
    let log = "\
$ cargo build --locked
warning: spurious network error (1 tries remaining): [28] Timeout was reached
error: failed to download from `https://static.crates.io/crates/serde/1.0.197/download`

Caused by:
  [28] Timeout was reached (Operation timed out after 30000 milliseconds with 0 bytes received)
ERROR: Job failed: exit code 101
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.verdict.category.to_string(), a.verdict.flaky), ("dependency".into(), Some(true)));
    assert_eq!(a.key_lines.first(), Some(&3));
}

#[test]
fn gitlab_runner_failures_are_flaky_and_its_job_timeout_is_a_timeout() {
    let system = "$ cargo test --locked\n   Compiling app v0.1.0\nERROR: Job failed (system failure): pod \"runner-x-project-1-concurrent-0\" status is \"Failed\"\n";
    assert_eq!(verdict(system, &RuleSet::builtin()), ("infra".into(), Some(true)));
    let timeout = "$ cargo test --locked\nrunning 40 tests\ntest slow_path has been running for over 60 seconds\nERROR: Job failed: execution took longer than 1h0m0s seconds\n";
    assert_eq!(verdict(timeout, &RuleSet::builtin()).0, "timeout");
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

/// `(category, basis, tool)` of a log.
fn decided(log: &str) -> (String, Option<String>, Option<String>) {
    let v = analyze(log.as_bytes(), &RuleSet::builtin()).verdict;
    (v.category.to_string(), v.basis, v.tool)
}

fn owned(c: &str, basis: &str, tool: &str) -> (String, Option<String>, Option<String>) {
    (c.into(), Some(basis.into()), Some(tool.into()))
}

#[test]
fn the_goal_that_failed_decides_before_a_line_that_looks_like_a_compiler_error() {
    // Checkstyle 6's plain logger prints findings in a compiler's shape;
    // Maven names the plugin whose goal failed.
    let log = "\
[INFO] --- maven-checkstyle-plugin:2.17:check (default) @ core ---
[INFO] Starting audit...
/home/travis/build/a/b/core/src/main/java/a/Parser.java:214:5: error: Missing a Javadoc comment.
Audit done.
[INFO] BUILD FAILURE
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-checkstyle-plugin:2.17:check (default) on project core: Failed during checkstyle execution -> [Help 1]
";
    assert_eq!(decided(log), owned("lint", "failing_tool", "maven-checkstyle-plugin"));
    let text = analyze(log.as_bytes(), &RuleSet::builtin()).render_text();
    assert!(text.contains("verdict: lint (deterministic; named by the failing tool)\nfailing tool: maven-checkstyle-plugin\n"), "{text}");

    // Javadoc's own errors have javac's shape.
    let log = "\
Execution failed for task ':api:javadoc'.
/home/runner/work/a/a/api/src/main/java/a/Client.java:48: error: unknown tag: returns
> Javadoc generation failed. Generated Javadoc options file (useful for troubleshooting): '/home/runner/work/a/a/api/build/tmp/javadoc/javadoc.options'
";
    assert_eq!(decided(log), owned("docs", "failing_tool", "javadoc"));

    // A build tool's own task says what it does even when no tool is named.
    let log = "\
> Task :app:test FAILED
FAILURE: Build failed with an exception.
* What went wrong:
Execution failed for task ':app:test'.
> There were failing tests. See the report at: file:///home/runner/work/a/a/app/build/reports/tests/test/index.html
";
    assert_eq!(decided(log), owned("test_failure", "failing_tool", "test"));

    // A goal that names no known tool leaves the line to decide.
    let log = "\
[ERROR] /home/travis/build/a/b/config/ant-phase-verify.xml:50: Checkstyle failed: Got 10 errors and 0 warnings.
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-antrun-plugin:1.8:run (ant-phase-verify) on project b: An Ant BuildException has occured -> [Help 1]
";
    assert_eq!(decided(log).0, "lint");
}

#[test]
fn a_project_named_script_or_step_never_overrides_what_a_line_proves() {
    // The linter target reports code that does not compile.
    let log = gha_step(
        "make fmtcheck staticcheck",
        "==> Checking that code complies with static analysis requirements...\n\
         ##[error]internal/cliconfig/credentials_test.go:89:4: undeclared name: os (compile)\n\
         exit status 1\n\
         make: *** [Makefile:24: staticcheck] Error 1",
    );
    assert_eq!(decided(&log).0, "compilation");
    // A step named for linting that could not install its tools.
    let log = gha_step(
        "pip install -r lint-requirements.txt && ruff check .",
        "ERROR: Could not find a version that satisfies the requirement ruff==99.0 (from versions: 0.1.0)\n\
         ERROR: No matching distribution found for ruff==99.0",
    );
    assert_eq!(decided(&log).0, "dependency");
}

#[test]
fn a_known_tool_in_the_failed_command_names_a_generic_failure() {
    // pyflakes prints `file.py:26: 'x' imported but unused`: no error word.
    let log = "\
$ pyflakes verktyg setup.py
verktyg/test.py:26: '_get_environ' imported but unused

The command \"pyflakes verktyg setup.py\" exited with 1.

Done. Your build exited with 1.
";
    assert_eq!(decided(log), owned("lint", "failed_command", "pyflakes verktyg setup.py"));
    // A make target inside the step is deeper than the step's name.
    let log = gha_step("make ci", "Running checks\nmake[1]: *** [Makefile:40: docs] Error 2\nmake: *** [Makefile:12: ci] Error 2");
    assert_eq!(decided(&log), owned("docs", "failing_tool", "docs"));
    // A tox environment of an interpreter runs the tests.
    let log = "py311: commands[0]> python -m mytests\nsomething broke\n  py311: FAIL code 1 (3.21=setup[2.10]+cmd[1.11] seconds)\n";
    assert_eq!(decided(log).0, "test_failure");
}

#[test]
fn a_repository_adds_tool_kinds() {
    let rules = RuleSet::with_overrides("[[tool_kind]]\ncategory = \"docs\"\nwords = [\"our-site-gen\"]\n").unwrap();
    let log = "make: *** [Makefile:3: our-site-gen] Error 1\n";
    assert_eq!(verdict(log, &rules).0, "docs");
    assert!(RuleSet::with_overrides("[[tool_kind]]\ncategory = \"docs\"\nwords = []\n").is_err());
    assert!(RuleSet::with_overrides("[[task_kind]]\ncategory = \"nope\"\nwords = [\"x\"]\n").is_err());
}

/// GitLab job logs of a Rust project (`eval/realtools/gitlab_rust`, real
/// cargo and runner output).
mod gitlab_rust {
    use super::*;

    #[test]
    fn a_cargo_resolver_failure_caused_by_the_network_is_flaky() {
        // cargo's `failed to get `itoa` as a dependency` is its resolver's
        // word; the `spurious network error` retries and the `Caused by:`
        // chain printed with it say a proxy refused the connection.
        let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_proxy_unreachable.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("dependency".into(), Some(true)));
        let a = analyze(log.as_bytes(), &RuleSet::builtin());
        let line = log.split('\n').nth(a.key_lines[0] as usize - 1).unwrap();
        assert!(line.starts_with("error: failed to get `itoa` as a dependency"), "{line}");
    }

    #[test]
    fn a_cargo_resolver_failure_without_network_errors_stays_deterministic() {
        // The same envelope and resolver rule, a version that does not exist.
        let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_version_missing.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("dependency".into(), Some(false)));
    }

    #[test]
    fn an_artifact_upload_the_coordinator_refused_after_passing_tests_is_flaky_infra() {
        // Every test passed (`upload_artifacts_on_success`); the runner's
        // upload got 502 twice and the job failed.
        let log = include_str!("fixtures/gitlab_rust/gitlab_artifacts_upload_502.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("infra".into(), Some(true)));
        let a = analyze(log.as_bytes(), &RuleSet::builtin());
        let line = log.split('\n').nth(a.key_lines[0] as usize - 1).unwrap();
        assert!(line.contains("Uploading artifacts as \"junit\" to coordinator... 502 Bad Gateway"), "{line}");
    }

    #[test]
    fn a_failing_rust_doc_test_is_a_test_failure_not_a_docs_build() {
        // `error: doctest failed, to rerun pass `--doc`` follows libtest's
        // doc-test block in `cargo test`.
        let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_doctest.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("test_failure".into(), Some(false)));
    }

    #[test]
    fn a_rustdoc_lint_under_deny_warnings_is_a_docs_failure() {
        // `cargo doc` with `RUSTDOCFLAGS=-D warnings`: rustdoc's note names
        // its own lint (`-D rustdoc::broken-intra-doc-links`).
        let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_doc_broken_link.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("docs".into(), Some(false)));
    }

    // flaky9: the sealed families' shapes (windows of `eval/realtools/gitlab_rust`).

    #[test]
    fn a_test_nextest_retried_into_a_pass_is_flaky_and_stays_named() {
        // `--retries 2 --flaky-result fail`: `TRY 1 FAIL`, `TRY 2 PASS`, and
        // the final `FLKY-FL 2/3` that fails the run. The libtest output
        // nextest indents inside `stdout ───` must not name a `failures:` test.
        let log = include_str!("fixtures/gitlab_rust/gitlab_nextest_flaky_fail.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("test_failure".into(), Some(true)));
        let a = analyze(log.as_bytes(), &RuleSet::builtin());
        let tests: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref().map(|t| t.id.as_str())).collect();
        assert_eq!(tests, ["concurrent_transfers_keep_totals"]);
    }

    #[test]
    fn a_linker_or_allocator_killed_for_memory_is_flaky_oom() {
        // `error: linking with `cc.sh` failed: signal: 9 (SIGKILL)` and
        // Rust's `memory allocation of 1600000000 bytes failed` (abort).
        for log in [
            include_str!("fixtures/gitlab_rust/gitlab_linker_sigkill.log"),
            include_str!("fixtures/gitlab_rust/gitlab_rust_alloc_failed.log"),
        ] {
            assert_eq!(verdict(log, &RuleSet::builtin()), ("oom".into(), Some(true)));
        }
    }

    #[test]
    fn a_rust_test_refused_on_its_own_socket_is_deterministic() {
        // `called `Result::unwrap()` on an `Err` value: Os { code: 111, kind:
        // ConnectionRefused, .. }`: no address printed, the test's own call.
        let log = include_str!("fixtures/gitlab_rust/gitlab_cargo_test_refused_own_port.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("test_failure".into(), Some(false)));
    }

    #[test]
    fn a_gitlab_command_killed_by_timeout_is_setup_or_test_by_its_command() {
        // One `step_script` section; the green `$ timeout 12 cargo fetch`
        // echo names the failing command, exit 124 says `timeout` struck.
        let fetch = include_str!("fixtures/gitlab_rust/gitlab_timeout_cargo_fetch.log");
        assert_eq!(verdict(fetch, &RuleSet::builtin()), ("timeout".into(), Some(true)));
        let a = analyze(fetch.as_bytes(), &RuleSet::builtin());
        assert_eq!(a.failing_step.as_deref(), Some("$ timeout 12 cargo fetch"));
        let test = include_str!("fixtures/gitlab_rust/gitlab_timeout_cargo_test.log");
        assert_eq!(verdict(test, &RuleSet::builtin()).0, "timeout");
        assert_ne!(verdict(test, &RuleSet::builtin()).1, Some(true));
    }

    #[test]
    fn a_linker_killed_by_the_file_size_limit_is_flaky_infra() {
        // `collect2: fatal error: ld terminated with signal 25 [File size
        // limit exceeded]` under `ulimit -f`: rustc's `could not compile`
        // after it is the consequence.
        let log = include_str!("fixtures/gitlab_rust/gitlab_linker_file_size_limit.log");
        assert_eq!(verdict(log, &RuleSet::builtin()), ("infra".into(), Some(true)));
    }
}
