//! Test runners of many ecosystems, each sample written from the runner's
//! documented console output (the format is described in each parser's
//! module docs). For every failing test: the framework's own id, the
//! message (the error line, usually right after the header), and the
//! runner's own counts.

mod runners_common;

use runners_common::run_parsers;

/// `(framework, id, message)` of every failure, and the counts as
/// `(run, passed, failed, skipped)`.
#[allow(clippy::type_complexity)]
fn parse(log: &str) -> (Vec<(String, String, String)>, Option<(Option<u64>, Option<u64>, Option<u64>, Option<u64>)>) {
    let r = run_parsers(log.as_bytes());
    let f = r.failures.into_iter().map(|f| (f.framework.to_string(), f.id, f.message)).collect();
    (f, r.counts.map(|c| (c.run, c.passed, c.failed, c.skipped)))
}

fn one(framework: &str, id: &str, message: &str) -> (String, String, String) {
    (framework.into(), id.into(), message.into())
}

#[test]
fn rspec() {
    let log = "\
Randomized with seed 1234
..F.*

Pending: (Failures listed here are expected and do not affect your suite's status)

  1) User#save persists later
     # Not yet implemented
     # ./spec/models/user_spec.rb:30

Failures:

  1) User#name returns the full name
     Failure/Error: expect(user.name).to eq(\"John Smith\")

       expected: \"John Smith\"
            got: \"John\"

       (compared using ==)
     # ./spec/models/user_spec.rb:12:in `block (3 levels) in <top (required)>'

  2) User#email raises for nil
     Failure/Error: user.email.downcase

     NoMethodError:
       undefined method `downcase' for nil:NilClass
     # ./spec/models/user_spec.rb:20:in `block (3 levels) in <top (required)>'

Finished in 0.5 seconds (files took 1.2 seconds to load)
5 examples, 2 failures, 1 pending

Failed examples:

rspec ./spec/models/user_spec.rb:10 # User#name returns the full name
rspec ./spec/models/user_spec.rb:18 # User#email raises for nil
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("rspec", "User#name returns the full name", "expected: \"John Smith\""),
            one("rspec", "User#email raises for nil", "NoMethodError: undefined method `downcase' for nil:NilClass"),
        ]
    );
    assert_eq!(c, Some((Some(5), Some(2), Some(2), Some(1))));
}

#[test]
fn rspec_file_that_does_not_load() {
    let log = "\
An error occurred while loading ./spec/models/order_spec.rb.
Failure/Error: require 'order'

LoadError:
  cannot load such file -- order
# ./spec/models/order_spec.rb:1:in `<top (required)>'
No examples found.

Finished in 0.00003 seconds (files took 0.1 seconds to load)
0 examples, 0 failures, 1 error occurred outside of examples
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("rspec", "./spec/models/order_spec.rb", "LoadError: cannot load such file -- order")]);
    assert_eq!(c.map(|c| c.2), Some(Some(1)));
}

#[test]
fn hspec() {
    let log = "\
Parser
  parse
    reads numbers [✔]
    reads signs [✘]

Failures:

  test/ParserSpec.hs:14:7: 
  1) Parser.parse reads signs
       expected: Just (-1)
        but got: Nothing

  To rerun use: --match \"/Parser/parse/reads signs/\"

Randomized with seed 42

Finished in 0.0012 seconds
2 examples, 1 failure
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("hspec", "Parser.parse reads signs", "expected: Just (-1)")]);
    assert_eq!(c, Some((Some(2), Some(1), Some(1), Some(0))));
}

#[test]
fn minitest_and_rails() {
    let log = "\
# Running:

..F..E

Finished in 0.012345s, 405.0000 runs/s, 810.0000 assertions/s.

  1) Failure:
UserTest#test_name [test/user_test.rb:12]:
Expected: \"John Smith\"
  Actual: \"John\"

  2) Error:
UserTest#test_save:
NoMethodError: undefined method `save' for nil:NilClass
    test/user_test.rb:20:in `test_save'

6 runs, 10 assertions, 1 failures, 1 errors, 0 skips
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("minitest", "UserTest#test_name", "Expected: \"John Smith\""),
            one("minitest", "UserTest#test_save", "NoMethodError: undefined method `save' for nil:NilClass"),
        ]
    );
    assert_eq!(c, Some((Some(6), Some(4), Some(2), Some(0))));
}

#[test]
fn test_unit() {
    let log = "\
Failure: test_add(CalcTest) [test/calc_test.rb:8]:
<3> expected but was
<2>.
Error: test_div(CalcTest): ZeroDivisionError: divided by 0
3 tests, 3 assertions, 1 failures, 1 errors, 0 pendings, 0 omissions, 0 notifications
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("minitest", "test_add(CalcTest)", "<3> expected but was"), one("test-unit", "test_div(CalcTest)", "ZeroDivisionError: divided by 0")]);
    assert_eq!(c, Some((Some(3), Some(1), Some(2), Some(0))));
}

#[test]
fn phpunit() {
    let log = "\
PHPUnit 9.5.10 by Sebastian Bergmann and contributors.

..F.E                                                               5 / 5 (100%)

Time: 00:00.012, Memory: 6.00 MB

There was 1 error:

1) Tests\\UserTest::testSave
Error: Call to undefined method App\\User::save()

/app/tests/UserTest.php:20

--

There was 1 failure:

1) Tests\\UserTest::testName with data set #0 ('John')
Failed asserting that two strings are identical.
--- Expected
+++ Actual
@@ @@
-'John Smith'
+'John'

/app/tests/UserTest.php:12

FAILURES!
Tests: 5, Assertions: 9, Errors: 1, Failures: 1, Skipped: 1.
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("phpunit", "Tests\\UserTest::testSave", "Error: Call to undefined method App\\User::save()"),
            one("phpunit", "Tests\\UserTest::testName with data set #0 ('John')", "Failed asserting that two strings are identical."),
        ]
    );
    assert_eq!(c, Some((Some(5), Some(2), Some(2), Some(1))));
    assert_eq!(parse("OK (12 tests, 30 assertions)\n").1, Some((Some(12), Some(12), Some(0), Some(0))));
}

#[test]
fn exunit() {
    let log = "\
...

  1) test greets the world (HelloTest)
     test/hello_test.exs:5
     Assertion with == failed
     code:  assert Hello.hello() == :world
     left:  :hello
     right: :world
     stacktrace:
       test/hello_test.exs:6: (test)

  2) doctest Hello.parse/1 (1) (HelloTest)
     test/hello_test.exs:3
     ** (RuntimeError) boom

Finished in 0.03 seconds (0.00s async, 0.03s sync)
1 doctest, 4 tests, 2 failures, 1 excluded
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("exunit", "HelloTest: test greets the world", "Assertion with == failed"),
            one("exunit", "HelloTest: doctest Hello.parse/1 (1)", "** (RuntimeError) boom"),
        ]
    );
    assert_eq!(c, Some((Some(5), Some(2), Some(2), Some(1))));
}

#[test]
fn rebar3_eunit_and_common_test() {
    let log = "\
===> Performing EUnit tests...
F..

Failures:

  1) my_mod_tests:add_test/0: module 'my_mod_tests'
     Failure/Error: ?assertEqual(3, my_mod:add(1, 1))
       expected: 3
            got: 2
     %% /home/ci/app/test/my_mod_tests.erl:8:in `my_mod_tests:-add_test/0-fun-0-/0`

Finished in 0.050 seconds
3 tests, 1 failures
===> Running Common Test suites...
%%% store_SUITE: ..F
%%% store_SUITE ==> slow_case: FAILED
%%% store_SUITE ==> timetrap_timeout
Failed 1 tests. Passed 2 tests.
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("eunit", "my_mod_tests:add_test/0", "?assertEqual(3, my_mod:add(1, 1))"),
            one("common_test", "store_SUITE:slow_case", "timetrap_timeout"),
        ]
    );
    assert_eq!(c, Some((Some(6), Some(4), Some(2), Some(0))));
}

#[test]
fn plain_eunit() {
    let log = "\
======================== EUnit ========================
module 'my_mod_tests'
  my_mod_tests: add_test...*failed*
in function my_mod_tests:'-add_test/0-fun-0-'/0 (test/my_mod_tests.erl, line 8)
**error:{assertEqual,[{module,my_mod_tests},{line,8},{expected,3},{value,2}]}
  output:<<\"\">>

  [done in 0.006 s]
=======================================================
  Failed: 1.  Skipped: 0.  Passed: 2.
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("eunit", "my_mod_tests:add_test", "error:{assertEqual,[{module,my_mod_tests},{line,8},{expected,3},{value,2}]}")]);
    assert_eq!(c, Some((Some(3), Some(2), Some(1), Some(0))));
}

#[test]
fn tasty_and_hunit() {
    let log = "\
Tests
  Parser
    parses numbers: OK
    parses strings: FAIL
      test/Main.hs:20:
      expected: \"a\"
       but got: \"b\"
      Use -p '/parses strings/' to rerun this test only.

1 out of 2 tests failed (0.01s)
### Failure in: 1:lexer:0
test/Lexer.hs:12
expected: 1
 but got: 2
Cases: 3  Tried: 3  Errors: 0  Failures: 1
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("tasty", "parses strings", "expected: \"a\""), one("hunit", "1:lexer:0", "expected: 1")]);
    assert_eq!(c, Some((Some(5), Some(3), Some(2), Some(0))));
}

#[test]
fn xctest_darwin_and_linux() {
    let log = "\
Test Suite 'All tests' started at 2024-01-01 10:00:00.000
Test Suite 'AppTests.xctest' started at 2024-01-01 10:00:00.000
Test Suite 'ParserTests' started at 2024-01-01 10:00:00.000
Test Case '-[AppTests.ParserTests testNumbers]' started.
/Users/runner/work/app/Tests/ParserTests.swift:12: error: -[AppTests.ParserTests testNumbers] : XCTAssertEqual failed: (\"1\") is not equal to (\"2\")
Test Case '-[AppTests.ParserTests testNumbers]' failed (0.003 seconds).
Test Case '-[AppTests.ParserTests testSigns]' started.
Test Case '-[AppTests.ParserTests testSigns]' passed (0.001 seconds).
Test Suite 'ParserTests' failed at 2024-01-01 10:00:00.010.
\t Executed 2 tests, with 1 failure (0 unexpected) in 0.004 (0.004) seconds
Test Suite 'AppTests.xctest' failed at 2024-01-01 10:00:00.010.
\t Executed 2 tests, with 1 failure (0 unexpected) in 0.004 (0.005) seconds
Test Suite 'All tests' failed at 2024-01-01 10:00:00.011.
\t Executed 2 tests, with 1 failure (0 unexpected) in 0.004 (0.006) seconds
/src/Tests/LexerTests.swift:7: error: LexerTests.testEmpty : XCTAssertTrue failed - empty input
Test Case 'LexerTests.testEmpty' failed (0.001 seconds)
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("xctest", "AppTests.ParserTests.testNumbers", "XCTAssertEqual failed: (\"1\") is not equal to (\"2\")"),
            one("xctest", "LexerTests.testEmpty", "XCTAssertTrue failed - empty input"),
        ]
    );
    assert_eq!(c, Some((Some(2), Some(1), Some(1), Some(0))));
}

#[test]
fn swift_testing() {
    let log = "\
◇ Test numbers() started.
✘ Test numbers() recorded an issue at ParserTests.swift:12:5: Expectation failed: (parse(\"1\") → 2) == 1
✘ Test numbers() failed after 0.001 seconds with 1 issue.
✘ Test run with 3 tests failed after 0.005 seconds with 1 issue.
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("swift-testing", "numbers()", "Expectation failed: (parse(\"1\") → 2) == 1")]);
    assert_eq!(c, Some((Some(3), Some(2), Some(1), None)));
}

#[test]
fn busted() {
    let log = "\
●●●◼●
4 successes / 1 failure / 0 errors / 0 pending : 0.012 seconds

Failure → spec/parser_spec.lua @ 12
parser parses numbers
spec/parser_spec.lua:14: Expected objects to be the same.
Passed in:
(number) 2
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("busted", "parser parses numbers", "spec/parser_spec.lua:14: Expected objects to be the same.")]);
    assert_eq!(c, Some((Some(5), Some(4), Some(1), Some(0))));
}

#[test]
fn testthat_third_and_second_edition() {
    let log = "\
══ Failed tests ════════════════════════════════════════════════════════════════
── Failure ('test-parse.R:12:3'): parse handles numbers ────────────────────────
parse(\"1\") (`actual`) not equal to 2 (`expected`).

── Error ('test-parse.R:20:3'): parse handles strings ──────────────────────────
Error in `parse_str()`: could not find function \"parse_str\"

[ FAIL 2 | WARN 0 | SKIP 1 | PASS 10 ]
── 1. Failure: old style (@test-old.R#5)  ──────────────────────────────────────
x not equal to y.
";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("testthat", "parse handles numbers", "parse(\"1\") (`actual`) not equal to 2 (`expected`)."),
            one("testthat", "parse handles strings", "Error in `parse_str()`: could not find function \"parse_str\""),
            one("testthat", "old style", "x not equal to y."),
        ]
    );
    assert_eq!(c, Some((Some(13), Some(10), Some(2), Some(1))));
}

#[test]
fn googletest() {
    let log = "\
[==========] Running 3 tests from 1 test suite.
[----------] 3 tests from ParserTest
[ RUN      ] ParserTest.Numbers
/src/parser_test.cc:12: Failure
Expected equality of these values:
  parse(\"1\")
    Which is: 2
  1
[  FAILED  ] ParserTest.Numbers (0 ms)
[ RUN      ] ParserTest.Signs
[       OK ] ParserTest.Signs (0 ms)
[ RUN      ] Inst/ParserTest.Param/0
C:\\src\\parser_test.cc(30): error: Value of: ok
[  FAILED  ] Inst/ParserTest.Param/0, where GetParam() = 3 (1 ms)
[==========] 3 tests from 1 test suite ran. (1 ms total)
[  PASSED  ] 1 test.
[  FAILED  ] 2 tests, listed below:
[  FAILED  ] ParserTest.Numbers
[  FAILED  ] Inst/ParserTest.Param/0, where GetParam() = 3

 2 FAILED TESTS
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("gtest", "ParserTest.Numbers", "Expected equality of these values:"), one("gtest", "Inst/ParserTest.Param/0", "Value of: ok")]);
    assert_eq!(c, Some((Some(3), Some(1), Some(2), None)));
}

#[test]
fn catch2() {
    let log = "\
-------------------------------------------------------------------------------
Parser handles numbers
  with a leading sign
-------------------------------------------------------------------------------
/src/test_parser.cpp:12
...............................................................................

/src/test_parser.cpp:15: FAILED:
  REQUIRE( parse(\"-1\") == -1 )
with expansion:
  1 == -1

===============================================================================
test cases:  3 |  2 passed | 1 failed
assertions: 10 |  9 passed | 1 failed
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("catch2", "Parser handles numbers", "REQUIRE( parse(\"-1\") == -1 )")]);
    assert_eq!(c, Some((Some(3), Some(2), Some(1), Some(0))));
}

#[test]
fn automake_harness() {
    let log = "\
PASS: tests/lexer
FAIL: tests/parser
ERROR: tests/io.test 2 - reads a missing file
============================================================================
Testsuite summary for acme 1.2.0
============================================================================
# TOTAL: 3
# PASS:  1
# SKIP:  0
# XFAIL: 0
# FAIL:  1
# XPASS: 0
# ERROR: 1
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("automake", "tests/parser", "FAIL"), one("automake", "tests/io.test", "reads a missing file")]);
    assert_eq!(c, Some((Some(3), Some(1), Some(2), Some(0))));
    // Without the harness's summary an `ERROR: word` line is not a test.
    assert!(parse("ERROR: aborting\nFAIL: x\n").0.is_empty());
}

#[test]
fn retried_passes_are_flaky_not_failures() {
    let log = "\
    FAIL [   0.010s] my-crate tests::broken
  TRY 1 FAIL [   0.011s] my-crate tests::racy
  TRY 2 PASS [   0.009s] my-crate tests::racy
The following tests failed and then succeeded when run in a new process['test_nn.py::TestNN::test_conv']
tests/test_a.py::test_b RERUN
tests/test_a.py::test_b PASSED
";
    let r = run_parsers(log.as_bytes());
    let ids: Vec<_> = r.failures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["tests::broken"]);
    let mut flaky = r.flaky_tests.clone();
    flaky.sort();
    assert_eq!(flaky, ["test_nn.py::TestNN::test_conv", "tests/test_a.py::test_b", "tests::racy"]);
}

#[test]
fn jasmine_copies_rspec_with_a_labelled_message() {
    let log = "\
Started
..F

Failures:
1) Installer when there is no marker should write package.json
  Message:
    Expected spy writeFileSync to have been called.
  Stack:
    Error: Expected spy writeFileSync to have been called.
        at UserContext.it (/app/tools/installer.spec.js:232:43)

3 specs, 1 failure
Finished in 0.023 seconds
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("jasmine", "Installer when there is no marker should write package.json", "Expected spy writeFileSync to have been called.")]);
    assert_eq!(c, Some((Some(3), Some(2), Some(1), Some(0))));
}

#[test]
fn junit4_text_runner() {
    let log = "\
JUnit version 4.13.2
.E...E......
Time: 0.031
There were 2 failures:
1) roundsHalfEven(com.acme.ledger.MoneyTest)
org.junit.ComparisonFailure: expected:<0.1[2] EUR> but was:<0.1[3] EUR>
\tat org.junit.Assert.assertEquals(Assert.java:117)
\tat com.acme.ledger.MoneyTest.roundsHalfEven(MoneyTest.java:21)
2) transferMovesMoney(com.acme.ledger.LedgerTest)
java.lang.NullPointerException: Cannot invoke \"com.acme.ledger.Account.withdraw(com.acme.ledger.Money)\"
\tat com.acme.ledger.Ledger.transfer(Ledger.java:48)

FAILURES!!!
Tests run: 10,  Failures: 2

";
    let (f, c) = parse(log);
    assert_eq!(
        f,
        vec![
            one("junit", "roundsHalfEven(com.acme.ledger.MoneyTest)", "org.junit.ComparisonFailure: expected:<0.1[2] EUR> but was:<0.1[3] EUR>"),
            one(
                "junit",
                "transferMovesMoney(com.acme.ledger.LedgerTest)",
                "java.lang.NullPointerException: Cannot invoke \"com.acme.ledger.Account.withdraw(com.acme.ledger.Money)\""
            ),
        ]
    );
    assert_eq!(c, Some((Some(10), Some(8), Some(2), None)));
    assert_eq!(parse("JUnit version 4.13.2\n....\nTime: 0.01\n\nOK (4 tests)\n\n").1, Some((Some(4), Some(4), Some(0), None)));
}

#[test]
fn testng_command_line_runner() {
    let log = "\
[TestNG] Running:
  Command line suite

PASSED: plusAddsAmounts
FAILED: roundsHalfEven
java.lang.AssertionError: expected [0.12 EUR] but found [0.13 EUR]
\tat org.testng.Assert.fail(Assert.java:94)
\tat com.acme.ledger.MoneyNgTest.roundsHalfEven(MoneyNgTest.java:16)
SKIPPED: timesMultiplies

===============================================
    Command line test
    Tests run: 5, Failures: 1, Skips: 1
===============================================


===============================================
Command line suite
Total tests run: 5, Failures: 1, Skips: 1
===============================================
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("testng", "roundsHalfEven", "java.lang.AssertionError: expected [0.12 EUR] but found [0.13 EUR]")]);
    assert_eq!(c, Some((Some(5), Some(3), Some(1), Some(1))));
    // TestNG 7 adds `Passes:`; ninja's `FAILED: obj/a.o` and a `FAILED:` with no TestNG summary are no tests.
    assert_eq!(parse("FAILED: parses\njava.lang.AssertionError\nTotal tests run: 2, Passes: 1, Failures: 1, Skips: 0\n").0.len(), 1);
    assert!(parse("FAILED: obj/a.o\nFAILED: link\nninja: build stopped: subcommand failed.\n").0.is_empty());
}

#[test]
fn groovy_junit_runner() {
    let log = "\
JUnit 4 Runner, Tests: 2, Failures: 1, Time: 126
Test Failure: padsIdColumn(ReportTest)
Assertion failed: 

assert out == [\"a     : 1.00\", \"bbbbbb: 2.00\"]
       |   |
       |   false
";
    let (f, c) = parse(log);
    assert_eq!(f, vec![one("junit", "padsIdColumn(ReportTest)", "Assertion failed:")]);
    assert_eq!(c, Some((Some(2), Some(1), Some(1), None)));
    assert!(parse("JUnit 4 Runner, Tests: 3, Failures: 0, Time: 80\n").0.is_empty());
}
