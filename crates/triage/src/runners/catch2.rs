//! Catch2's console reporter (v2 and v3):
//!
//! ```text
//! -------------------------------------------------------------------------------
//! Parser handles numbers
//!   with a leading sign
//! -------------------------------------------------------------------------------
//! /src/test_parser.cpp:12
//! ...............................................................................
//!
//! /src/test_parser.cpp:15: FAILED:
//!   REQUIRE( parse("-1") == -1 )
//! with expansion:
//!   1 == -1
//!
//! ===============================================================================
//! test cases:  3 |  2 passed | 1 failed
//! assertions: 10 |  9 passed | 1 failed
//! ```
//!
//! The id is the test case name (the first line between the dashes; the
//! indented lines under it are sections). The message is the failed
//! assertion (`REQUIRE( … )`, or the text after `due to unexpected
//! exception with message:`), and the `FAILED:` line is the one reported.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "catch2";
const RULE: &str = "-------------------------------------------------------------------------------";

#[derive(Default)]
pub struct Catch2 {
    failures: FailureSet,
    /// Between the dashes: the test case's name lines so far.
    header: Option<Vec<String>>,
    /// The current test case.
    case: Option<String>,
    /// A `FAILED:` line waiting for its assertion: (file, line).
    waiting: Option<(String, u32)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static FAILED_AT: TwinRegex = TwinRegex::new(r"^(.+?)(?::(\d+)|\((\d+)\)): FAILED:$");
static CASES: TwinRegex = TwinRegex::new(r"^test cases:\s*(\d+) \|(.*)$");
static ALL_PASSED: TwinRegex = TwinRegex::new(r"^All tests passed \(\d+ assertions? in (\d+) test cases?\)");

impl RunnerParser for Catch2 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[RULE, ": FAILED:", "test cases:", "All tests passed ("]
    }

    fn wants_every_line(&self) -> bool {
        self.header.is_some() || self.waiting.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if t.starts_with(RULE) {
            match self.header.take() {
                // The closing rule: the first name line is the test case.
                Some(names) => self.case = names.into_iter().next(),
                None => self.header = Some(Vec::new()),
            }
            return;
        }
        if let Some(names) = self.header.as_mut() {
            if names.len() > 20 {
                self.header = None;
            } else if !t.trim().is_empty() {
                names.push(t.trim().to_string());
            }
            return;
        }
        if let Some((file, at)) = self.waiting.take() {
            let m = t.trim();
            if m.is_empty() || m.starts_with("due to unexpected exception") {
                if line.no - at < 5 {
                    self.waiting = Some((file, at));
                }
                return;
            }
            if let Some(case) = self.case.clone() {
                self.failures.add(failure(NAME, case.clone(), case, Some(file), m, at));
            }
            return;
        }
        let s = t.trim_start();
        if let Some(c) = FAILED_AT.captures(s) {
            if self.case.is_some() {
                self.waiting = Some((c[1].to_string(), line.no));
            }
        } else if let Some(c) = CASES.captures(s) {
            let run: u64 = c[1].parse().unwrap_or(0);
            let mut k = Counts { run: Some(run), passed: Some(0), failed: Some(0), skipped: Some(0) };
            for part in c[2].split('|') {
                let mut it = part.split_whitespace();
                let (Some(n), Some(word)) = (it.next().and_then(|n| n.parse::<u64>().ok()), it.next()) else { continue };
                let slot = match word {
                    "passed" => &mut k.passed,
                    "failed" => &mut k.failed,
                    "skipped" => &mut k.skipped,
                    _ => continue,
                };
                *slot = Some(slot.unwrap_or(0) + n);
            }
            self.counts.add(&k);
            self.summary_lines.push(line.no);
        } else if let Some(c) = ALL_PASSED.captures(s) {
            let run: u64 = c[1].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, 0, Some(0)));
            self.summary_lines.push(line.no);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
