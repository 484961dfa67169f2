//! XCTest as `xcodebuild test` and `swift test` print it (Darwin and
//! swift-corelibs-xctest on Linux), and Swift Testing's `swift test` lines.
//!
//! ```text
//! Test Suite 'All tests' started at 2024-01-01 10:00:00.000
//! Test Case '-[AppTests.ParserTests testNumbers]' started.
//! /src/Tests/ParserTests.swift:12: error: -[AppTests.ParserTests testNumbers] : XCTAssertEqual failed: ("1") is not equal to ("2")
//! Test Case '-[AppTests.ParserTests testNumbers]' failed (0.003 seconds).
//! Test Suite 'All tests' failed at 2024-01-01 10:00:00.100.
//!      Executed 2 tests, with 1 failure (0 unexpected) in 0.005 (0.006) seconds
//!
//! ✘ Test numbers() recorded an issue at ParserTests.swift:12:5: Expectation failed: (parse("1") → 2) == 1
//! ✘ Test numbers() failed after 0.001 seconds with 1 issue.
//! ✘ Test run with 3 tests failed after 0.005 seconds with 1 issue.
//! ```
//!
//! Ids are `Module.Class.method` (`-[Module.Class method]` on Darwin,
//! `Class.method` on Linux) and Swift Testing's function name. The message
//! is the assertion after ` : ` on the error line, which is also the line
//! reported. Counts are the outermost suite's `Executed` line (each nested
//! suite prints one) and Swift Testing's `Test run with N tests`.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

#[derive(Default)]
pub struct XcTest {
    failures: FailureSet,
    /// Open `Test Suite` blocks; an `Executed` line right after the
    /// outermost one closes is the run's total.
    depth: u32,
    closed_outermost: bool,
    counts: Counts,
    summary_lines: Vec<u32>,
}

/// `-[Module.Class method]` → `Module.Class.method`; `Class.method` as is.
fn test_id(name: &str) -> String {
    match name.strip_prefix("-[").and_then(|n| n.strip_suffix(']')) {
        Some(inner) => inner.replacen(' ', ".", 1),
        None => name.to_string(),
    }
}

static CASE_FAILED: TwinRegex = TwinRegex::new(r"^Test Case '(.+?)' failed \(");
static ASSERTION: TwinRegex = TwinRegex::new(r"^(.+?):(\d+): error: (-\[\S+ \S+\]|\S+) : (.*)$");
static SUITE: TwinRegex = TwinRegex::new(r"^Test Suite '.+' (started|passed|failed) at ");
static EXECUTED: TwinRegex = TwinRegex::new(r"^Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures? \((\d+) unexpected\)");
static SWIFT_ISSUE: TwinRegex = TwinRegex::new(r"^✘ Test (\S+?\(.*?\)) recorded an issue at (\S+?):\d+:\d+: (.*)$");
static SWIFT_FAILED: TwinRegex = TwinRegex::new(r"^✘ Test (\S+?\(.*?\)) failed after ");
static SWIFT_RUN: TwinRegex = TwinRegex::new(r"^[✘✔] Test run with (\d+) tests? (?:in \d+ suites? )?(?:passed|failed) after [\d.]+ seconds(?: with (\d+) issues?)?");

impl RunnerParser for XcTest {
    fn name(&self) -> &'static str {
        "xctest"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["Test Case '", ": error: ", "Test Suite '", "Executed ", "✘ Test ", "✔ Test run"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if let Some(c) = t.contains(" : ").then(|| ASSERTION.captures(t)).flatten() {
            let id = test_id(&c[3]);
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            self.failures.add(failure("xctest", id, name, Some(c[1].to_string()), &c[4], line.no));
        } else if let Some(c) = CASE_FAILED.captures(t) {
            let id = test_id(&c[1]);
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            self.failures.add(failure("xctest", id, name, None, "", line.no));
        } else if let Some(c) = SUITE.captures(t) {
            if &c[1] == "started" {
                self.depth += 1;
                self.closed_outermost = false;
            } else {
                self.depth = self.depth.saturating_sub(1);
                self.closed_outermost = self.depth == 0;
            }
        } else if let Some(c) = EXECUTED.captures(t) {
            if std::mem::take(&mut self.closed_outermost) {
                let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
                // `with 2 failures (1 unexpected)`: assertion failures, the
                // unexpected ones among them; no count of failed tests.
                let (run, skipped, failed) = (n(1), n(2), n(3).min(n(1)));
                self.counts.add(&Counts::of_run(run, failed, Some(skipped)));
                self.summary_lines.push(line.no);
            }
        } else if let Some(c) = SWIFT_ISSUE.captures(t) {
            let id = c[1].to_string();
            self.failures.add(failure("swift-testing", id.clone(), id, Some(c[2].to_string()), &c[3], line.no));
        } else if let Some(c) = SWIFT_FAILED.captures(t) {
            let id = c[1].to_string();
            self.failures.add(failure("swift-testing", id.clone(), id, None, "", line.no));
        } else if let Some(c) = SWIFT_RUN.captures(t) {
            let run: u64 = c[1].parse().unwrap_or(0);
            let failed = self.failures.iter().filter(|f| f.framework == "swift-testing").count() as u64;
            self.counts.add(&Counts::of_run(run, failed, None));
            self.summary_lines.push(line.no);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
