//! Haskell test drivers besides hspec (which prints RSpec's format, see
//! `spec.rs`): tasty's console reporter and HUnit's `runTestTT`.
//!
//! ```text
//! Tests
//!   Parser
//!     parses numbers: OK
//!     parses strings: FAIL
//!       test/Main.hs:20:
//!       expected: "a"
//!        but got: "b"
//!       Use -p '/parses strings/' to rerun this test only.
//!
//! 1 out of 2 tests failed (0.01s)
//!
//! ### Failure in: 1:parser:0
//! test/Main.hs:12
//! expected: 1
//!  but got: 2
//! Cases: 3  Tried: 3  Errors: 0  Failures: 1
//! ```
//!
//! Ids are tasty's test name (what `-p '/name/'` selects) and HUnit's path
//! (`1:parser:0`); the message is the first line after the failure that is
//! not a source location. Counts: tasty's `N out of M tests failed` / `All
//! M tests passed`, HUnit's `Cases:` line.



use super::{TwinRegex, failure, Counts, FailureSet, Line, MessageNext, Read, RunnerParser, RunnerReport};

#[derive(Default)]
pub struct Haskell {
    failures: FailureSet,
    /// The failure whose message comes next.
    waiting: MessageNext,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static TASTY_FAIL: TwinRegex = TwinRegex::new(r"^\s+(\S.*?):\s+FAIL(?: \(\d+(?:\.\d+)?s\))?\s*$");
// HUnit pads the path after `Error in:` (`### Error in:   2:longest`).
static HUNIT_FAIL: TwinRegex = TwinRegex::new(r"^### (?:Failure|Error) in:\s+(.+?)\s*$");
static LOCATION: TwinRegex = TwinRegex::new(r"^\S+\.l?hs:\d+(?::\d+)?:?$");
static TASTY_SUMMARY: TwinRegex = TwinRegex::new(r"^(\d+) out of (\d+) tests failed|^All (\d+) tests passed");
static HUNIT_SUMMARY: TwinRegex = TwinRegex::new(r"^Cases: (\d+)\s+Tried: (\d+)\s+Errors: (\d+)\s+Failures: (\d+)\s*$");

impl RunnerParser for Haskell {
    fn name(&self) -> &'static str {
        "haskell"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[": FAIL", "### Failure in:", "### Error in:", " tests failed", " tests passed", "Cases: "]
    }

    fn wants_every_line(&self) -> bool {
        self.waiting.is_waiting()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        let s = t.trim();
        let read = if !self.waiting.is_waiting() {
            Read::Other
        } else if s.is_empty() || LOCATION.is_match(s) {
            Read::Skip
        } else if s.starts_with("Use -p ") {
            Read::Other
        } else {
            Read::Message(s)
        };
        if self.waiting.offer(&mut self.failures, line.no, read, 10) {
            return;
        }
        if let Some(c) = TASTY_FAIL.captures(t) {
            let id = c[1].to_string();
            self.failures.add(failure("tasty", id.clone(), id.clone(), None, "", line.no));
            self.waiting.wait(id, line.no);
        } else if let Some(c) = HUNIT_FAIL.captures(t) {
            let id = c[1].to_string();
            let name = id.rsplit(':').next().unwrap_or(&id).to_string();
            self.failures.add(failure("hunit", id.clone(), name, None, "", line.no));
            self.waiting.wait(id, line.no);
        } else if let Some(c) = TASTY_SUMMARY.captures(t.trim_start()) {
            self.counts.add(&super::failed_of_run_or_all(&c));
            self.summary_lines.push(line.no);
        } else if let Some(c) = HUNIT_SUMMARY.captures(t.trim_start()) {
            let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
            let (run, failed) = (n(2), n(3) + n(4));
            self.counts.add(&Counts { run: Some(run), failed: Some(failed), passed: Some(run.saturating_sub(failed)), skipped: Some(n(1).saturating_sub(run)) });
            self.summary_lines.push(line.no);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
