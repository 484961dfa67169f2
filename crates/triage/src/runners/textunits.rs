//! Three xUnit-style runners whose reports are plain text blocks
//! (helper fresh13, eval/realtools/fresh tune split):
//!
//! AUnit's text reporter (Ada; `gprbuild -P tests.gpr && ./bin/test_runner`):
//!
//! ```text
//! OK Ledger : Test_Total
//!
//! FAIL Ledger : Test_Average
//!     average of 10, 20, 30
//!     at ledger_tests.adb:16
//!
//! Total Tests Run:   2
//! Successful Tests:  1
//! Failed Assertions: 1
//! Unexpected Errors: 0
//! ```
//!
//! fpcunit's console runner with `--format=plain` (Free Pascal, Lazarus):
//!
//! ```text
//!   TStatsTest Time:00.001 N:3 E:0 F:1 I:0
//!     00.000  TestClampAbove  Failed: "clamp above" expected: <10> but was: <15>
//! Number of run tests: 3
//! Number of errors:    0
//! Number of failures:  1
//! ```
//!
//! plunit (SWI-Prolog `swipl -g run_tests`), whose failure is an `ERROR:`
//! location line and the test on the next, tab-indented:
//!
//! ```text
//! ERROR: /src/tests/test_route.pl:10:
//! 	test shortest_a_b: wrong answer (compared using =:=)
//! % 2 tests failed
//! % 1 tests passed
//! ```
//!
//! Ids: AUnit's `Suite.Routine`, fpcunit's `Class.Method`, plunit's test
//! name (the unit is not printed by every version).

use super::{failure, Counts, FailureSet, Line, RunnerParser, RunnerReport, TwinRegex};

fn report(out: &mut RunnerReport, failures: &mut FailureSet, counts: &Counts, summary_lines: &mut Vec<u32>) {
    super::report_into(out, failures, counts, summary_lines);
}

fn number(t: &str) -> Option<u64> {
    t.rsplit(|c: char| c == ':' || c.is_whitespace()).find(|w| !w.is_empty())?.parse().ok()
}

// ---- AUnit ------------------------------------------------------------------

#[derive(Default)]
pub struct Aunit {
    failures: FailureSet,
    /// After a `FAIL`/`ERROR` header: id and line, waiting for the message.
    entry: Option<(String, u32)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static AUNIT_HEADER: TwinRegex = TwinRegex::new(r"^(?:FAIL|ERROR) ([A-Za-z][\w.]*(?: [\w.]+)*) : ([A-Za-z]\w*(?:[ .]\w+)*)\s*$");

impl RunnerParser for Aunit {
    fn name(&self) -> &'static str {
        "aunit"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["FAIL ", "ERROR ", "Total Tests Run:", "Failed Assertions:", "Unexpected Errors:", "Successful Tests:"]
    }

    fn wants_every_line(&self) -> bool {
        self.entry.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if let Some(c) = AUNIT_HEADER.captures(t) {
            self.close("");
            self.entry = Some((format!("{}.{}", &c[1], &c[2]), line.no));
            return;
        }
        if let Some((_, at)) = self.entry.as_ref() {
            if line.no - *at > 5 || t.trim().is_empty() {
                self.close("");
            } else {
                self.close(t.trim());
            }
            return;
        }
        let field = if t.starts_with("Total Tests Run:") {
            0
        } else if t.starts_with("Successful Tests:") {
            1
        } else if t.starts_with("Failed Assertions:") || t.starts_with("Unexpected Errors:") {
            2
        } else {
            return;
        };
        let Some(n) = number(t) else { return };
        let c = &mut self.counts;
        match field {
            0 => c.run = Some(n),
            1 => c.passed = Some(n),
            _ => c.failed = Some(c.failed.unwrap_or(0) + n),
        }
        self.summary_lines.push(line.no);
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close("");
        report(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Aunit {
    fn close(&mut self, message: &str) {
        if let Some((id, at)) = self.entry.take() {
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            self.failures.add(failure("aunit", id, name, None, message, at));
        }
    }
}

// ---- fpcunit ----------------------------------------------------------------

#[derive(Default)]
pub struct Fpcunit {
    failures: FailureSet,
    /// The test class of the last `Class Time:… N:… E:… F:…` line.
    class: Option<String>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static FPC_CLASS: TwinRegex = TwinRegex::new(r"^\s*([A-Za-z_]\w*) Time:\d[\d.:]* N:\d+ E:\d+ F:\d+ I:\d+\s*$");
static FPC_TEST: TwinRegex = TwinRegex::new(r"^\s+\d[\d.:]*\s+([A-Za-z_]\w*)\s+(?:Failed|Error): (.*)$");

impl RunnerParser for Fpcunit {
    fn name(&self) -> &'static str {
        "fpcunit"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[" Time:", "  Failed: ", "  Error: ", "Number of run tests:", "Number of errors:", "Number of failures:"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if let Some(c) = FPC_CLASS.captures(t) {
            self.class = Some(c[1].to_string());
            return;
        }
        if let Some(c) = FPC_TEST.captures(t) {
            let Some(class) = self.class.as_ref() else { return };
            let id = format!("{class}.{}", &c[1]);
            self.failures.add(failure("fpcunit", id, c[1].to_string(), None, &c[2], line.no));
            return;
        }
        let t = t.trim_start();
        let Some(n) = t.strip_prefix("Number of ").and_then(number) else { return };
        let c = &mut self.counts;
        if t.starts_with("Number of run tests:") {
            c.run = Some(n);
        } else if t.starts_with("Number of errors:") || t.starts_with("Number of failures:") {
            c.failed = Some(c.failed.unwrap_or(0) + n);
        } else {
            return;
        }
        self.summary_lines.push(line.no);
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        report(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

// ---- plunit -----------------------------------------------------------------

#[derive(Default)]
pub struct Plunit {
    failures: FailureSet,
    /// The line of the last `ERROR: file.pl:N:` location.
    location: Option<u32>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static PL_LOCATION: TwinRegex = TwinRegex::new(r"^ERROR: \S+\.(?:pl|plt|pro):\d+:(?:\d+:)?\s*$");
static PL_TEST: TwinRegex = TwinRegex::new(
    r"^\s*test (?:[\w]+:)?([a-z]\w*|'[^']+')(?: \(forall .*\))?: (failed|wrong answer.*|received error.*|must fail.*|succeeded with choicepoint.*|.*assertion failed.*)$",
);
static PL_COUNT: TwinRegex = TwinRegex::new(r"^% (\d+) tests? (failed|passed)\b");

impl RunnerParser for Plunit {
    fn name(&self) -> &'static str {
        "plunit"
    }

    fn triggers(&self) -> &'static [&'static str] {
        // Narrow on purpose: `test ` and `% ` are on countless lines.
        &["ERROR: ", "\ttest ", " tests failed", " tests passed", " test failed", " test passed"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if PL_LOCATION.is_match(t) {
            self.location = Some(line.no);
            return;
        }
        if let Some(c) = PL_TEST.captures(t) {
            // The test line follows its location; a `test x: failed` line
            // without one is not plunit's.
            if let Some(at) = self.location.take().filter(|at| line.no - at <= 2) {
                let name = c[1].trim_matches('\'').to_string();
                self.failures.add(failure("plunit", name.clone(), name, None, &c[2], at));
            }
            return;
        }
        if let Some(c) = PL_COUNT.captures(t) {
            let n = c[1].parse::<u64>().unwrap_or(0);
            if &c[2] == "failed" {
                self.counts.failed = Some(self.counts.failed.unwrap_or(0) + n);
            } else {
                self.counts.passed = Some(self.counts.passed.unwrap_or(0) + n);
            }
            self.summary_lines.push(line.no);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        report(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::hits_of;

    fn run(p: &mut dyn RunnerParser, log: &str) -> RunnerReport {
        for (i, t) in log.lines().enumerate() {
            let hits = hits_of(p.triggers(), t);
            if hits != 0 || p.wants_every_line() {
                p.feed(Line { no: i as u32 + 1, text: t, hits });
            }
        }
        let mut out = RunnerReport::default();
        p.finish(&mut out);
        out
    }

    fn got(out: &RunnerReport) -> Vec<(&str, u32, &str)> {
        out.failures.iter().map(|f| (f.id.as_str(), f.line, f.message.as_str())).collect()
    }

    #[test]
    fn aunit_text_reporter() {
        let out = run(&mut Aunit::default(), "OK Ledger : Test_Total\n\nFAIL Ledger : Test_Average\n    average of 10, 20, 30\n    at ledger_tests.adb:16\n\nTotal Tests Run:   2\nSuccessful Tests:  1\nFailed Assertions: 1\nUnexpected Errors: 0\n");
        assert_eq!(got(&out), vec![("Ledger.Test_Average", 3, "average of 10, 20, 30")]);
        let c = out.counts.clone().unwrap();
        assert_eq!((c.run, c.failed), (Some(2), Some(1)));
    }

    #[test]
    fn fpcunit_plain_format() {
        let out = run(&mut Fpcunit::default(), " Time:00.001 N:3 E:0 F:1 I:0\n  TStatsTest Time:00.001 N:3 E:0 F:1 I:0\n    00.000  TestMeanOfThree\n    00.000  TestClampAbove  Failed: \"clamp above\" expected: <10> but was: <15>\n      Exception:   \"clamp above\" expected: <10> but was: <15>\n\nNumber of run tests: 3\nNumber of errors:    0\nNumber of failures:  1\n");
        assert_eq!(got(&out), vec![("TStatsTest.TestClampAbove", 4, "\"clamp above\" expected: <10> but was: <15>")]);
        assert_eq!(out.counts.unwrap().failed, Some(1));
    }

    #[test]
    fn plunit_location_then_test() {
        let out = run(&mut Plunit::default(), "% PL-Unit: route .\nERROR: /src/tests/test_route.pl:10:\n\ttest shortest_a_b: wrong answer (compared using =:=)\nERROR:     Expected: 3\nERROR: /src/tests/test_route.pl:13:\n\ttest route:shortest_path: failed\n% 2 tests failed\n% 1 tests passed\n");
        assert_eq!(got(&out), vec![("shortest_a_b", 2, "wrong answer (compared using =:=)"), ("shortest_path", 5, "failed")]);
        assert_eq!(out.counts.unwrap().failed, Some(2));
        // Without the location line it is someone else's `test x: failed`.
        assert!(run(&mut Plunit::default(), "test build: failed\n").failures.is_empty());
    }
}
