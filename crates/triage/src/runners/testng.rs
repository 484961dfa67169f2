//! TestNG's own runner (`java org.testng.TestNG …`, `-verbose 2`; the same
//! lines from Gradle's and Ant's TestNG tasks when they echo its output):
//!
//! ```text
//! PASSED: plusAddsAmounts
//! FAILED: roundsHalfEven
//! java.lang.AssertionError: expected [0.12 EUR] but found [0.13 EUR]
//! 	at org.testng.Assert.fail(Assert.java:94)
//! SKIPPED: timesMultiplies
//!
//! ===============================================
//! Command line suite
//! Total tests run: 5, Failures: 1, Skips: 1
//! ===============================================
//! ```
//!
//! Ids are the method as TestNG prints it (`roundsHalfEven`, a data-driven
//! method keeps its `("arg")`); the message is the line after it. Other
//! tools print `FAILED: x` too (ninja: `FAILED: obj/a.o`), so entries count
//! only when TestNG's `Total tests run: N, …Failures: M` summary follows,
//! and only names shaped like a Java method. TestNG 7 adds `Passes: N,`.
//! Counts are reported only when no runner before this one counted tests
//! (Surefire and Gradle echo TestNG's summary inside their own).



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "testng";

#[derive(Default)]
pub struct TestNg {
    /// Entries seen since the last summary: (line, id, name).
    pending: Vec<(u32, String, String, String)>,
    failures: FailureSet,
    /// The entry whose message is the next line.
    want_message: bool,
    counts: Counts,
    summary_lines: Vec<u32>,
}

/// `FAILED: method`, and a failing set-up or tear-down method
/// (`FAILED CONFIGURATION: @BeforeClass setUp`: the tests it guards are
/// skipped, so it is the failure).
static ENTRY: TwinRegex = TwinRegex::new(r"^FAILED(?: CONFIGURATION)?: (?:@\w+ )?([A-Za-z_$][\w$]*)(\(.*\))?$");
static TOTAL: TwinRegex = TwinRegex::new(r"^Total tests run: (\d+), (?:Passes: \d+, )?Failures: (\d+), Skips: (\d+)");

impl RunnerParser for TestNg {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["FAILED: ", "FAILED CONFIGURATION: ", "Total tests run: "]
    }

    fn wants_every_line(&self) -> bool {
        self.want_message
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if self.want_message {
            self.want_message = false;
            if let Some(last) = self.pending.last_mut() {
                if !t.is_empty() && !ENTRY.is_match(t) {
                    last.3 = t.to_string();
                }
            }
        }
        if let Some(c) = ENTRY.captures(t) {
            let name = c[1].to_string();
            let id = format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str()));
            self.pending.push((line.no, id, name, String::new()));
            self.want_message = true;
            return;
        }
        if let Some(c) = TOTAL.captures(t) {
            let run: u64 = c[1].parse().unwrap_or(0);
            let failed: u64 = c[2].parse().unwrap_or(0);
            let skipped: u64 = c[3].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, failed, Some(skipped)));
            self.summary_lines.push(line.no);
            for (no, id, name, msg) in self.pending.drain(..) {
                self.failures.add(failure(NAME, id, name, None, &msg, no));
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        // Surefire and Gradle run TestNG and echo its suite summary inside
        // their own report: those tests are counted already.
        if out.counts.is_some() {
            self.counts = Counts::default();
            self.summary_lines.clear();
        }
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
