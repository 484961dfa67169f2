//! jest (and vitest's jest-compatible reporter):
//!
//! ```text
//! FAIL src/modal.test.js
//!   ● Modal › positionModal() › sets attributes
//!   ● Test suite failed to run
//! Tests:       1 failed, 2 passed, 3 total
//! ```
//!
//! vitest's `FAIL  file > Suite > test` lines and `Tests  1 failed | 2 passed
//! (3)` totals are read too; their ids are the title after the file.
//!
//! `●` is also used by systemd and other tools, so a `●` line only counts
//! after jest printed a `FAIL <file>` line. Ids are the full title
//! (`Suite › test`). `● Test suite failed to run` is not a test (nothing
//! ran) and is left to the log rules. The summary at the end repeats every
//! `●` entry: one failure per id. Counts are summed over `Tests:` lines (one per run).



use super::{failure, number_words, Counts, FailureSet, Line, RunnerParser, RunnerReport, TwinRegex};

const NAME: &str = "jest";

#[derive(Default)]
pub struct Jest {
    failures: FailureSet,
    /// The file of the last `FAIL <file>` line.
    file: Option<String>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static FAIL_FILE: TwinRegex = TwinRegex::new(r"^FAIL\s+(?:\S+\s+)?(\S+\.[cm]?[jt]sx?|\S+/\S+)(?:\s+\(.*\))?$");
/// vitest: ` FAIL  src/a.test.ts > Suite > test` (the file, then the title).
static VITEST_FAIL: TwinRegex = TwinRegex::new(r"^FAIL\s+(\S+\.[cm]?[jt]sx?)\s+>\s+(.+?)\s*$");
/// vitest: `Tests  1 failed | 10 passed (11)`.
static VITEST_TESTS: TwinRegex = TwinRegex::new(r"^Tests\s{2,}(.*?)\s*\((\d+)\)$");
static TESTS: TwinRegex = TwinRegex::new(r"^Tests:\s+(.*?\d+ total)\s*$");

impl RunnerParser for Jest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["FAIL", "● ", "Tests:", "Tests  "]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if t.starts_with("FAIL") {
            if let Some(c) = VITEST_FAIL.captures(t) {
                let title = c[2].to_string();
                let name = title.rsplit(" > ").next().unwrap_or(&title).to_string();
                self.failures.add(failure(NAME, title, name, Some(c[1].to_string()), "", line.no));
                return;
            }
            if let Some(c) = FAIL_FILE.captures(t) {
                self.file = Some(c[1].to_string());
            }
            return;
        }
        if let Some(title) = t.strip_prefix("● ") {
            let Some(file) = &self.file else { return };
            let title = title.trim();
            if title.is_empty() || title == "Console" || title.ends_with("Warning:") || title.ends_with(':') || title.starts_with("Cannot log after tests are done") {
                return;
            }
            // A suite that failed to load (syntax error, missing module) is
            // not a failing test: no test ran. The error itself is what the
            // log rules report.
            if title == "Test suite failed to run" {
                return;
            }
            let id = title.to_string();
            let name = title.rsplit(" › ").next().unwrap_or(title).to_string();
            self.failures.add(failure(NAME, id, name, Some(file.clone()), "", line.no));
            return;
        }
        if t.starts_with("Tests  ") {
            if let Some(c) = VITEST_TESTS.captures(t) {
                let (mut failed, mut passed, mut skipped) = (0, 0, 0);
                for (n, w) in number_words(&c[1]) {
                    match w.as_str() {
                        "failed" => failed += n,
                        "passed" => passed += n,
                        "skipped" | "todo" => skipped += n,
                        _ => {}
                    }
                }
                let total = c[2].parse().unwrap_or(failed + passed + skipped);
                self.counts.add(&Counts { run: Some(total), failed: Some(failed), passed: Some(passed), skipped: Some(skipped) });
                self.summary_lines.push(line.no);
            }
            return;
        }
        if t.starts_with("Tests:") {
            if let Some(c) = TESTS.captures(t) {
                let mut k = Counts::default();
                let (mut failed, mut passed, mut skipped, mut total) = (0, 0, 0, 0);
                for (n, w) in number_words(&c[1]) {
                    match w.as_str() {
                        "failed" => failed += n,
                        "passed" => passed += n,
                        "skipped" | "pending" | "todo" => skipped += n,
                        "total" => total = n,
                        _ => {}
                    }
                }
                k.run = Some(total);
                k.failed = Some(failed);
                k.passed = Some(passed);
                k.skipped = Some(skipped);
                self.counts.add(&k);
                self.summary_lines.push(line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
