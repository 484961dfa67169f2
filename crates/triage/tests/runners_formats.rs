//! Runner formats that no log in the shared datasets shows (nextest, ctest,
//! pytest-rerunfailures, libtest's terse mode) and precision traps: lines
//! that merely look like failures. The samples follow each tool's documented
//! output; real-log windows for the other formats are in
//! `runners_fixtures.rs`.

mod runners_common;

use runners_common::run_parsers;

fn ids(log: &str) -> Vec<String> {
    run_parsers(log.as_bytes()).failures.into_iter().map(|f| f.id).collect()
}

fn failed(log: &str) -> Option<u64> {
    run_parsers(log.as_bytes()).counts.and_then(|c| c.failed)
}

#[test]
fn nextest_failures_are_deduplicated_and_retried_passes_dropped() {
    let log = "\
    Starting 3 tests across 1 binary
        PASS [   0.004s] my-crate tests::ok
        FAIL [   0.010s] my-crate tests::broken
  TRY 1 FAIL [   0.011s] my-crate tests::flaky
  TRY 2 PASS [   0.009s] my-crate tests::flaky
------------
     Summary [   0.030s] 3 tests run: 2 passed, 1 failed, 0 skipped
        FAIL [   0.010s] my-crate tests::broken
error: test run failed
";
    assert_eq!(ids(log), vec!["tests::broken"]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn nextest_pass_of_an_earlier_failure_is_flaky_and_other_passes_change_nothing() {
    // The parser skips the capture search on `PASS` lines that name none of
    // its failures; a `PASS` that names one must still reach it.
    let log = "\
        FAIL [   0.010s] my-crate tests::broken
        FAIL [   0.010s] my-crate tests::again
        PASS [   0.004s] my-crate tests::ok
        PASS [   0.004s] my-crate tests::broken_too
        PASS [   0.009s] my-crate tests::again
";
    let r = run_parsers(log.as_bytes());
    let ids: Vec<_> = r.failures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["tests::broken"]);
    assert_eq!(r.flaky_tests, ["tests::again"]);
}

#[test]
fn libtest_terse_output_names_failures_in_the_list() {
    let log = "\
running 3 tests
.F.
failures:

---- parser::tests::empty stdout ----
thread 'parser::tests::empty' panicked at src/parser.rs:10:5

failures:
    parser::tests::empty

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
    assert_eq!(ids(log), vec!["parser::tests::empty"]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn ctest_list_and_totals() {
    let log = "\
 1/3 Test #1: lexer_tests ......................   Passed    0.01 sec
 2/3 Test #2: parser_tests .....................***Failed    0.02 sec
 3/3 Test #3: net_tests ........................***Timeout  10.00 sec

33% tests passed, 2 tests failed out of 3

Total Test time (real) =  10.05 sec

The following tests FAILED:
\t  2 - parser_tests (Failed)
\t  3 - net_tests (Timeout)
Errors while running CTest
";
    assert_eq!(ids(log), vec!["parser_tests", "net_tests"]);
    assert_eq!(failed(log), Some(2));
}

#[test]
fn pytest_rerun_then_pass_is_not_a_failure() {
    let log = "\
tests/test_a.py::test_flaky RERUN                                        [ 50%]
tests/test_a.py::test_flaky PASSED                                       [ 50%]
tests/test_a.py::test_broken RERUN                                       [100%]
tests/test_a.py::test_broken FAILED                                      [100%]
=========================== short test summary info ============================
FAILED tests/test_a.py::test_broken - assert 1 == 2
=============== 1 failed, 1 passed, 2 rerun in 0.12s ===============
";
    assert_eq!(ids(log), vec!["tests/test_a.py::test_broken"]);
    let r = run_parsers(log.as_bytes());
    assert_eq!(r.failures[0].message, "assert 1 == 2");
    assert_eq!(r.counts.and_then(|c| c.failed), Some(1));
}

#[test]
fn go_subtest_failures_get_their_package() {
    let log = "\
=== RUN   TestParse
=== RUN   TestParse/empty
    parse_test.go:12: unexpected EOF
--- FAIL: TestParse (0.00s)
    --- FAIL: TestParse/empty (0.00s)
--- FAIL: TestLex (0.01s)
FAIL
FAIL\texample.com/m/parser\t0.015s
ok  \texample.com/m/lexer\t0.004s
";
    assert_eq!(ids(log), vec!["example.com/m/parser/TestParse/empty", "example.com/m/parser/TestLex"]);
    assert_eq!(failed(log), Some(2));
}

#[test]
fn prose_with_failed_or_error_is_not_a_test() {
    let log = "\
FAILED to download artifact, retrying
ERROR: Could not find a version that satisfies the requirement torch==9.9
ERROR: Could not import module: vistrails.packages.foo
The step FAILED because the runner lost connection
> Task :compileJava FAILED
BUILD FAILED in 12s
FAILED (see the log above)
npm ERR! Test failed.  See above for more details.
● docker.service - Docker Application Container Engine
   Active: failed (Result: exit-code)
- should not be a test *** FAILED ***
failures:
    nothing_here
error: could not compile `foo` due to 2 previous errors
";
    assert_eq!(ids(log), Vec::<String>::new());
    assert_eq!(failed(log), None);
}

#[test]
fn docker_compose_prefix_is_looked_through() {
    let log = "\
web_1  | FAIL src/app.test.js
web_1  |   ● App › renders the header
web_1  | Tests:       1 failed, 4 passed, 5 total
";
    assert_eq!(ids(log), vec!["App › renders the header"]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn vitest_failures_and_totals() {
    let log = "\
 ❯ src/basic.test.ts (3 tests | 1 failed) 5ms
   × suite > adds numbers 2ms
⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯
 FAIL  src/basic.test.ts > suite > adds numbers
AssertionError: expected 5 to be 4
 Test Files  1 failed | 2 passed (3)
      Tests  1 failed | 10 passed (11)
";
    assert_eq!(ids(log), vec!["suite > adds numbers"]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn gradle_parameterised_invocation_keeps_its_method() {
    let log = "\
CalculatorTest > adds(int, int) > [2] 1, 2 FAILED
    org.opentest4j.AssertionFailedError at CalculatorTest.java:21
3 tests completed, 1 failed
";
    assert_eq!(ids(log), vec!["CalculatorTest.adds(int, int)[2] 1, 2"]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn unittest_ok_verdict_is_read_only_right_after_ran() {
    let ok = "\
..s.s
----------------------------------------------------------------------
Ran 5 tests in 0.010s

OK (skipped=2)
";
    let c = run_parsers(ok.as_bytes()).counts.expect("counts");
    assert_eq!((c.run, c.passed, c.failed, c.skipped), (Some(5), Some(3), Some(0), Some(2)));
    // An `OK` from some other tool, well below `Ran`, is not the verdict.
    let far = "\
Ran 5 tests in 0.010s

waiting for the coverage upload
uploading coverage.xml
uploaded 14 kB
OK
";
    assert_eq!(run_parsers(far.as_bytes()).counts, None);
}

#[test]
fn tap_node_tap_subtests_report_the_assertion_not_the_aggregate() {
    // node-tap: a failed subtest is closed by `not ok N - <name>` one level up.
    let log = "\
TAP version 13
# Subtest: parser
    1..2
    ok 1 - reads a number
    not ok 2 - reads a string
      ---
      found: 1
      wanted: '1'
      ...
    # failed 1 of 2 tests
not ok 1 - parser # time=12.3ms
# Subtest: crash
    1..1
not ok 2 - crash # time=1ms
# failed 2 of 2 tests
";
    let report = run_parsers(log.as_bytes());
    let ids: Vec<String> = report.failures.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids, vec!["parser › reads a string", "crash"]);
    // The line that explains: the diagnostic block's first line.
    assert_eq!(report.failures[0].line, 7);
    assert_eq!(report.failures[0].message, "expected '1', actual 1");
    assert_eq!(failed(log), Some(2));
}

#[test]
fn tap_todo_and_skip_directives_are_not_failures() {
    let log = "\
1..4
not ok 1 - not written yet # TODO parser rewrite
not ok 2 # SKIP no network
not ok 3 - real failure
ok 4 - fine # skip
";
    assert_eq!(ids(log), vec!["real failure"]);
}

#[test]
fn tap_without_a_version_line_takes_no_comment_as_a_test_name() {
    // bats and `prove -v` print no `TAP version`; their `#` lines are
    // diagnostics, not test names.
    let log = "\
1..2
ok 1 addition using bc
not ok 2 addition using dc
# (in test file test/math.bats, line 9)
#   `[ \"$result\" -eq 4 ]' failed
";
    assert_eq!(ids(log), vec!["addition using dc"]);
    assert_eq!(failed(log), None, "bats' pretty totals are not TAP; no footer, no count");
}

#[test]
fn prose_saying_not_ok_is_not_a_tap_line() {
    let log = "\
status: not ok
the build was not ok 3 times in a row
  # build was not ok
";
    assert!(ids(log).is_empty());
}

/// `--show-output` prints `---- t stdout ----` for passing tests too (under
/// `successes:`): the header moves a failure's line, never adds one.
#[test]
fn libtest_stdout_headers_point_at_failures_only() {
    let log = "\
running 2 tests
test tests::ok ... ok
test tests::bad ... FAILED

successes:

---- tests::ok stdout ----
fine

failures:

---- tests::bad stdout ----

thread 'tests::bad' panicked at src/lib.rs:9:5:
assertion `left == right` failed

failures:
    tests::bad

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
";
    let r = run_parsers(log.as_bytes());
    let f: Vec<(String, u32)> = r.failures.iter().map(|f| (f.id.clone(), f.line)).collect();
    assert_eq!(f, vec![("tests::bad".to_string(), 12)]);
}

/// CTest running gtest binaries (`gtest_discover_tests`) names each test as
/// gtest does: one failure, on gtest's assertion, not CTest's wrapper line.
#[test]
fn ctest_wrapping_gtest_reports_gtest_line() {
    let log = "\
    Start 2: GeomTest.NormOfUnit
2/3 Test #2: GeomTest.NormOfUnit ................***Failed    0.01 sec
[ RUN      ] GeomTest.NormOfUnit
/src/tests/geom_test.cpp:11: Failure
Expected equality of these values:
[  FAILED  ] GeomTest.NormOfUnit (0 ms)
    Start 3: check_scale
3/3 Test #3: check_scale ......................***Timeout   2.01 sec

33% tests passed, 2 tests failed out of 3

The following tests FAILED:
\t  2 - GeomTest.NormOfUnit (Failed)
\t  3 - check_scale (Timeout)
";
    let r = run_parsers(log.as_bytes());
    let mut f: Vec<(String, u32, &str)> = r.failures.iter().map(|f| (f.id.clone(), f.line, f.framework)).collect();
    f.sort();
    assert_eq!(f, vec![("GeomTest.NormOfUnit".to_string(), 4, "gtest"), ("check_scale".to_string(), 8, "ctest")]);
}

/// Doc tests are named after their file, item and line, with spaces.
#[test]
fn libtest_doc_tests_are_failures_too() {
    let log = "\
   Doc-tests tally

running 2 tests
test src/lib.rs - top (line 9) ... ok
test src/lib.rs - mean_len (line 21) ... FAILED

failures:

---- src/lib.rs - mean_len (line 21) stdout ----
Test executable failed (exit status: 101).

failures:
    src/lib.rs - mean_len (line 21)

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.31s

error: doctest failed, to rerun pass `--doc`
";
    let r = run_parsers(log.as_bytes());
    let f: Vec<(String, u32)> = r.failures.iter().map(|f| (f.id.clone(), f.line)).collect();
    assert_eq!(f, vec![("src/lib.rs - mean_len (line 21)".to_string(), 9)]);
    assert_eq!(failed(log), Some(1));
}

#[test]
fn pytest_failure_then_pass_in_a_new_process_is_flaky_with_its_report_lines() {
    // PyTorch's run_test.py runs a file with `pytest -x -v`, then retries a
    // failed test alone in a new process: FAILED, then PASSED.
    let log = "\
test_a.py::TestA::test_ok PASSED                                        [ 50%]
test_a.py::TestA::test_flaky FAILED                                     [100%]

=================================== FAILURES ===================================
______________________________ TestA.test_flaky _______________________________
    def test_flaky(self):
>       raise RuntimeError(\"worker timed out\")
E       RuntimeError: worker timed out

test_a.py:9: RuntimeError
=========================== short test summary info ============================
FAILED test_a.py::TestA::test_flaky - RuntimeError: worker timed out
========================= 1 failed, 1 passed in 0.10s ==========================
Got exit code 1
Retrying single test...
test_a.py::TestA::test_flaky PASSED                                     [100%]
============================== 1 passed in 0.01s ===============================
test_b.py::TestB::test_real FAILED                                      [100%]
=========================== short test summary info ============================
FAILED test_b.py::TestB::test_real - AssertionError: Tensor-likes are not close!
test_b.py::TestB::test_real FAILED                                      [100%]
";
    let r = run_parsers(log.as_bytes());
    let ids: Vec<_> = r.failures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["test_b.py::TestB::test_real"]);
    assert_eq!(r.flaky_tests, ["test_a.py::TestA::test_flaky"]);
    // the section (header through `test_a.py:9: RuntimeError`) and the FAILED line
    assert!(r.flaky_lines.contains(&(12, 12)), "{:?}", r.flaky_lines);
    assert!(r.flaky_lines.iter().any(|&(a, b)| a == 5 && b >= 8), "{:?}", r.flaky_lines);
}
