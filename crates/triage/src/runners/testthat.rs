//! R's testthat (3rd edition and 2nd), as `devtools::test()`,
//! `testthat::test_dir()` and `R CMD check`'s test run print it:
//!
//! ```text
//! ══ Failed tests ════════════════════════════════════════════════════════════════
//! ── Failure ('test-parse.R:12:3'): parse handles numbers ────────────────────────
//!    (testthat 3.0 prints the location without the quotes)
//! parse("1") (`actual`) not equal to 2 (`expected`).
//!
//! [ FAIL 1 | WARN 0 | SKIP 1 | PASS 10 ]
//!
//! ── 1. Error: parse handles strings (@test-parse.R#20)  ─────────────────────────
//! could not find function "parse_str"
//! ```
//!
//! Ids are the `test_that()` descriptions; the file is the one in the
//! header, the message the next line. Counts come from the `[ FAIL n | WARN
//! n | SKIP n | PASS n ]` line (the last of a run is the total: it is
//! redrawn as tests run, so only lines after a failure list or at the end
//! of a run are summed; testthat prints the final one after `══ `).



use super::{TwinRegex, failure, Counts, FailureSet, Line, MessageNext, Read, RunnerParser, RunnerReport};

const NAME: &str = "testthat";

#[derive(Default)]
pub struct Testthat {
    failures: FailureSet,
    /// The failure whose message comes next.
    waiting: MessageNext,
    /// The last tally line of the current run, added when the run ends.
    tally: Option<(Counts, u32)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static HEADER3: TwinRegex = TwinRegex::new(r"^── (?:Failure|Error) \('?([^')]+?)(?::\d+(?::\d+)?)?'?\): (.+?) ─*$");
// The compact progress reporter of `test_dir()` (testthat 3.1) prints the
// header without the `── ` rule, between two plain `────` lines; only the
// quoted `'file.R:N'` form is taken there, a bare `Error (x):` is too common.
static HEADER3_BARE: TwinRegex = TwinRegex::new(r"^(?:Failure|Error) \('([^'\s]+\.[Rr]):\d+(?::\d+)?'\): (.+)$");
static HEADER2: TwinRegex = TwinRegex::new(r"^── \d+\. (?:Failure|Error): (.+?) \(@([^#)]+)(?:#\d+)?\)\s+─*$");
static TALLY: TwinRegex = TwinRegex::new(r"\[ FAIL (\d+) \| WARN (\d+) \| SKIP (\d+) \| PASS (\d+) \]");

impl RunnerParser for Testthat {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["── ", "[ FAIL ", "══ ", "Failure ('", "Error ('"]
    }

    fn wants_every_line(&self) -> bool {
        self.waiting.is_waiting()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        let read = if !self.waiting.is_waiting() {
            Read::Other
        } else if t.is_empty() {
            Read::Skip
        } else if t.starts_with("──") {
            Read::Other
        } else {
            Read::Message(t)
        };
        if self.waiting.offer(&mut self.failures, line.no, read, 5) {
            return;
        }
        let header = HEADER3.captures(t).map(|c| (c[2].to_string(), c[1].to_string())).or_else(|| HEADER2.captures(t).map(|c| (c[1].to_string(), c[2].to_string())))
            .or_else(|| HEADER3_BARE.captures(t).map(|c| (c[2].to_string(), c[1].to_string())));
        if let Some((id, file)) = header {
            self.failures.add(failure(NAME, id.clone(), id.clone(), Some(file), "", line.no));
            self.waiting.wait(id, line.no);
            return;
        }
        if let Some(c) = TALLY.captures(t) {
            let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
            let (failed, skipped, passed) = (n(1), n(3), n(4));
            // A new run starts from zero: the previous one is complete.
            if let Some((prev, at)) = self.tally.take() {
                if prev.run.unwrap_or(0) > failed + skipped + passed {
                    self.add(prev, at);
                }
            }
            self.tally = Some((Counts { run: Some(failed + skipped + passed), failed: Some(failed), skipped: Some(skipped), passed: Some(passed) }, line.no));
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        if let Some((k, at)) = self.tally.take() {
            self.add(k, at);
        }
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Testthat {
    fn add(&mut self, k: Counts, at: u32) {
        self.counts.add(&k);
        self.summary_lines.push(at);
    }
}
