//! CTest:
//!
//! ```text
//!  3/12 Test  #3: parser_tests .....................***Failed    0.02 sec
//! 83% tests passed, 2 tests failed out of 12
//! The following tests FAILED:
//!       3 - parser_tests (Failed)
//!       7 - net_tests (Timeout)
//! ```
//!
//! Ids are the CTest test names. The `FAILED:` list is read line by line
//! (`wants_every_line`) until its first line that is not an entry.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "ctest";

#[derive(Default)]
pub struct Ctest {
    failures: FailureSet,
    in_list: bool,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static PROGRESS: TwinRegex = TwinRegex::new(r"^\d+/\d+ Test\s+#\d+: (\S+) \.*\s*\*{3}(Failed|Timeout|Exception|Not Run)|^\d+/\d+ Test\s+#\d+: (\S+) \.*\s*\(?(?:SEGFAULT|Child aborted|Subprocess aborted|OTHER_FAULT|ILLEGAL|BUS_ERROR)");
static ENTRY: TwinRegex = TwinRegex::new(r"^\d+ - (.+?) \(([^)]*)\)$");
static TOTAL: TwinRegex = TwinRegex::new(r"^\d+% tests passed, (\d+) tests? failed out of (\d+)");

impl RunnerParser for Ctest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["The following tests FAILED:", "tests passed", "Test #", "Test  #", "Test   #"]
    }

    fn wants_every_line(&self) -> bool {
        self.in_list
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if self.in_list {
            if let Some(c) = ENTRY.captures(t) {
                let name = c[1].to_string();
                self.failures.add(failure(NAME, name.clone(), name, None, &c[2], line.no));
                return;
            }
            self.in_list = false;
        }
        if t == "The following tests FAILED:" {
            self.in_list = true;
            return;
        }
        if let Some(c) = TOTAL.captures(t) {
            let failed: u64 = c[1].parse().unwrap_or(0);
            let run: u64 = c[2].parse().unwrap_or(0);
            self.counts.add(&Counts { run: Some(run), failed: Some(failed), passed: Some(run.saturating_sub(failed)), skipped: None });
            self.summary_lines.push(line.no);
            return;
        }
        if let Some(c) = PROGRESS.captures(t) {
            let name = c.get(1).or_else(|| c.get(3)).map_or("", |m| m.as_str()).to_string();
            if !name.is_empty() {
                // The progress line is the failure's header: with
                // `--output-on-failure` the test's own output follows it, so
                // it stays the reported line (a message set here keeps the
                // `FAILED:` list entry from taking its place).
                let status = c.get(2).map_or("Failed", |m| m.as_str());
                self.failures.add(failure(NAME, name.clone(), name, None, status, line.no));
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
