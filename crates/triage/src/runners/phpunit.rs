//! PHPUnit (5 to 11):
//!
//! ```text
//! There was 1 failure:
//!
//! 1) Tests\UserTest::testName with data set #0 ('John')
//! Failed asserting that two strings are identical.
//! --- Expected
//!
//! /app/tests/UserTest.php:12
//!
//! FAILURES!
//! Tests: 5, Assertions: 9, Errors: 1, Failures: 1, Skipped: 1.
//! ```
//!
//! Entries are read in the `There was(were) N error(s)/failure(s):`
//! sections only (warnings, risky and skipped tests do not fail a run).
//! Ids are PHPUnit's `Class::method` with the data set when there is one;
//! the message is the line after the id, the file the first
//! `path.php:line` of the entry. Counts come from `Tests: …` or `OK (N
//! tests, M assertions)`.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "phpunit";
/// A section longer than this lost its end.
const MAX_SECTION_LINES: u32 = 20_000;

#[derive(Default)]
pub struct Phpunit {
    failures: FailureSet,
    /// Inside an error or failure section (since that line).
    section: Option<u32>,
    /// The entry being read: id, its line, message read yet.
    entry: Option<(String, u32, bool)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static SECTION: TwinRegex = TwinRegex::new(r"^There (?:was|were) \d+ (errors?|failures?|warnings?|risky tests?|skipped tests?|incomplete tests?|deprecations?|notices?|PHPUnit \w+)(?: \w+)*:$");
static ENTRY: TwinRegex = TwinRegex::new(r"^\d+\) ([\w\\]+::\w+.*)$");
static LOCATION: TwinRegex = TwinRegex::new(r"^(\S+\.php):\d+$");
static TESTS: TwinRegex = TwinRegex::new(r"^Tests: (\d+), Assertions: \d+(.*)\.$");
static OK: TwinRegex = TwinRegex::new(r"^OK \((\d+) tests?, \d+ assertions?\)$");

impl RunnerParser for Phpunit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["There was ", "There were ", "Tests: ", "OK ("]
    }

    fn wants_every_line(&self) -> bool {
        self.section.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if let Some(c) = SECTION.captures(t) {
            let failing = c[1].starts_with("error") || c[1].starts_with("failure");
            self.section = failing.then_some(line.no);
            self.entry = None;
            return;
        }
        if let Some(c) = TESTS.captures(t) {
            self.section = None;
            let run: u64 = c[1].parse().unwrap_or(0);
            let (mut failed, mut skipped) = (0, 0);
            for part in c[2].split(", ") {
                let Some((word, n)) = part.trim_start_matches(", ").split_once(": ") else { continue };
                let n: u64 = n.parse().unwrap_or(0);
                match word {
                    "Errors" | "Failures" => failed += n,
                    "Skipped" | "Incomplete" => skipped += n,
                    _ => {}
                }
            }
            self.counts.add(&Counts::of_run(run, failed, Some(skipped)));
            self.summary_lines.push(line.no);
            return;
        }
        if let Some(c) = OK.captures(t) {
            let run: u64 = c[1].parse().unwrap_or(0);
            self.counts.add(&Counts::of_run(run, 0, Some(0)));
            self.summary_lines.push(line.no);
            return;
        }
        let Some(start) = self.section else { return };
        if line.no - start > MAX_SECTION_LINES || t == "FAILURES!" || t == "ERRORS!" {
            self.section = None;
            return;
        }
        if let Some(c) = ENTRY.captures(t) {
            let id = c[1].to_string();
            let name = id.split("::").nth(1).unwrap_or(&id).split(' ').next().unwrap_or("").to_string();
            self.failures.add(failure(NAME, id.clone(), name, None, "", line.no));
            self.entry = Some((id, line.no, false));
            return;
        }
        let Some((id, _, has_message)) = self.entry.as_mut() else { return };
        if let Some(c) = LOCATION.captures(t) {
            if let Some(f) = self.failures.get_mut(id) {
                f.file.get_or_insert_with(|| c[1].to_string());
            }
        } else if !*has_message && !t.is_empty() && t != "--" {
            *has_message = true;
            if let Some(f) = self.failures.get_mut(id) {
                f.message = super::clip_message(t);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
