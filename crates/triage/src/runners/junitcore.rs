//! JUnit 4's text runner (`java org.junit.runner.JUnitCore pkg.ATest …`,
//! and other runners printing through its `TextListener`):
//!
//! ```text
//! JUnit version 4.13.2
//! .E.........
//! Time: 0.031
//! There was 1 failure:
//! 1) roundsHalfEven(com.acme.ledger.MoneyTest)
//! org.junit.ComparisonFailure: expected:<0.1[2] EUR> but was:<0.1[3] EUR>
//! 	at org.junit.Assert.assertEquals(Assert.java:117)
//!
//! FAILURES!!!
//! Tests run: 10,  Failures: 1
//! ```
//!
//! Entries are read in the `There was(were) N failure(s):` section only,
//! shaped `N) method(pkg.Class)` (JUnit 4 counts errors as failures); the
//! id is that `method(pkg.Class)`, as Surefire prints it, the message the
//! line after it. Counts come from `Tests run: N,  Failures: M` (two spaces:
//! not Surefire's `Tests run: N, Failures: M, Errors: …`) or `OK (N tests)`.
//! PHPUnit's `N) Class::method` entries are the phpunit parser's.
//!
//! Groovy's own JUnit runner (`groovy FooTest.groovy` on a JUnit 4 class)
//! prints the same entries without numbers, after its one-line summary:
//!
//! ```text
//! JUnit 4 Runner, Tests: 2, Failures: 1, Time: 126
//! Test Failure: padsIdColumn(ReportTest)
//! Assertion failed:
//! ```



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "junit";
/// A section longer than this lost its end.
const MAX_SECTION_LINES: u32 = 20_000;

#[derive(Default)]
pub struct JunitCore {
    failures: FailureSet,
    /// Inside a failure section (since that line).
    section: Option<u32>,
    /// The entry whose message is not read yet.
    entry: Option<String>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static SECTION: TwinRegex = TwinRegex::new(r"^There (?:was|were) \d+ failures?:$");
static ENTRY: TwinRegex = TwinRegex::new(r"^\d+\) ([\w$\[\]., -]+?)\(([\w.$]+)\)$");
static TESTS: TwinRegex = TwinRegex::new(r"^Tests run: (\d+),  Failures: (\d+)$");
static GROOVY_HEADER: TwinRegex = TwinRegex::new(r"^JUnit \d+ Runner, Tests: (\d+), Failures: (\d+)(?:, Time: \S+)?$");
static GROOVY_ENTRY: TwinRegex = TwinRegex::new(r"^Test Failure: ([\w$\[\]., -]+?)\(([\w.$]+)\)$");
static OK: TwinRegex = TwinRegex::new(r"^OK \((\d+) tests?\)$");

impl RunnerParser for JunitCore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["There was ", "There were ", "Tests run: ", "OK (", " Runner, Tests: "]
    }

    fn wants_every_line(&self) -> bool {
        self.section.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if SECTION.is_match(t) {
            self.section = Some(line.no);
            self.entry = None;
            return;
        }
        if let Some(c) = TESTS.captures(t) {
            self.section = None;
            let run: u64 = c[1].parse().unwrap_or(0);
            let failed: u64 = c[2].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, failed, None));
            self.summary_lines.push(line.no);
            return;
        }
        if let Some(c) = GROOVY_HEADER.captures(t) {
            let run: u64 = c[1].parse().unwrap_or(0);
            let failed: u64 = c[2].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, failed, None));
            self.summary_lines.push(line.no);
            self.section = (failed > 0).then_some(line.no);
            self.entry = None;
            return;
        }
        if let Some(c) = OK.captures(t) {
            let run: u64 = c[1].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, 0, None));
            self.summary_lines.push(line.no);
            return;
        }
        let Some(start) = self.section else { return };
        if line.no - start > MAX_SECTION_LINES || t == "FAILURES!!!" {
            self.section = None;
            return;
        }
        if let Some(c) = ENTRY.captures(t).or_else(|| GROOVY_ENTRY.captures(t)) {
            let id = format!("{}({})", &c[1], &c[2]);
            self.failures.add(failure(NAME, id.clone(), c[1].to_string(), None, "", line.no));
            self.entry = Some(id);
            return;
        }
        if let Some(id) = self.entry.take() {
            if let Some(f) = self.failures.get_mut(&id) {
                f.message = super::clip_message(t);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
