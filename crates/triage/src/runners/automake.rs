//! Automake's test harness (`make check`, the parallel harness of
//! Automake ≥ 1.13 and the older serial one):
//!
//! ```text
//! PASS: tests/lexer
//! FAIL: tests/parser
//! ============================================================================
//! Testsuite summary for acme 1.2.0
//! ============================================================================
//! # TOTAL: 2
//! # PASS:  1
//! # SKIP:  0
//! # XFAIL: 0
//! # FAIL:  1
//! # XPASS: 0
//! # ERROR: 0
//!
//! 1 of 2 tests failed                     (serial harness)
//! ```
//!
//! `FAIL:`, `ERROR:` and `XPASS:` lines name failing tests (TAP tests run by
//! the harness add `N - description`, which becomes the message; the
//! details are in `test-suite.log`, which CI scripts often `cat`). The
//! lines are kept only when the log also has the harness's summary, so a
//! stray `ERROR: word` elsewhere is never a test.
//!
//! When the log also shows the test's own output (`cat test-suite.log`, whose
//! sections are `FAIL: tests/x` + an `=====` underline + the output, or
//! `cat tests/*.log`, each ending `FAIL tests/x (exit status: 1)`), the
//! failure points at that output: the test's message says why, the harness
//! line only that it failed.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "automake";

#[derive(Default)]
pub struct Automake {
    failures: FailureSet,
    summary_seen: bool,
    counts: Counts,
    /// The `# TOTAL:` block being read.
    block: Option<Counts>,
    summary_lines: Vec<u32>,
    /// A `FAIL: id` line seen while reading the logs: the id, and whether
    /// its `=====` underline (a test-suite.log section) followed.
    section: Option<(String, bool)>,
    /// Lines the open section has waited for its first output line.
    section_wait: u32,
    /// The last non-blank line of test output, for a `(exit status: N)` trailer.
    last: Option<(u32, String)>,
    /// The test whose test-suite.log section gave its message: its trailer
    /// must not move it to the last line of that output.
    sectioned: Option<String>,
}

static RESULT: TwinRegex = TwinRegex::new(r"^(FAIL|ERROR|XPASS): (\S+)(?: \d+ (?:- )?(.*))?$");
static TALLY: TwinRegex = TwinRegex::new(r"^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):\s+(\d+)$");
static TRAILER: TwinRegex = TwinRegex::new(r"^(?:FAIL|ERROR) (\S+) \(exit status: \d+\)$");
static SERIAL: TwinRegex = TwinRegex::new(r"^(\d+) of (\d+) tests? failed|^All (\d+) tests? passed");

impl RunnerParser for Automake {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["FAIL: ", "ERROR: ", "XPASS: ", "# TOTAL:", "# PASS:", "# SKIP:", "# XFAIL:", "# FAIL:", "# XPASS:", "# ERROR:", "Testsuite summary", " tests failed", " test failed", " tests passed", "(exit status: "]
    }

    fn wants_every_line(&self) -> bool {
        // Only once the harness has reported: the test logs are `cat` after it.
        self.summary_seen && !self.failures.is_empty()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if self.summary_seen && self.output_line(t, line.no) {
            return;
        }
        if let Some(c) = t.starts_with("# ").then(|| TALLY.captures(t)).flatten() {
            let n: u64 = c[2].parse().unwrap_or(0);
            let k = self.block.get_or_insert_with(Counts::default);
            let add = |slot: &mut Option<u64>| *slot = Some(slot.unwrap_or(0) + n);
            match &c[1] {
                "TOTAL" => add(&mut k.run),
                "PASS" | "XFAIL" => add(&mut k.passed),
                "SKIP" => add(&mut k.skipped),
                _ => add(&mut k.failed),
            }
            if &c[1] == "ERROR" {
                self.close_block(line.no);
            }
            return;
        }
        if t.starts_with("Testsuite summary") {
            self.summary_seen = true;
            return;
        }
        if let Some(c) = t.contains(" test").then(|| SERIAL.captures(t.trim())).flatten() {
            self.counts.add(&super::failed_of_run_or_all(&c));
            self.summary_lines.push(line.no);
            self.summary_seen = true;
            return;
        }
        if let Some(c) = (t.starts_with("FAIL: ") || t.starts_with("ERROR: ") || t.starts_with("XPASS: ")).then(|| RESULT.captures(t)).flatten() {
            let id = c[2].to_string();
            let name = id.rsplit('/').next().unwrap_or(&id).to_string();
            let message = c.get(3).map_or(c[1].to_string(), |m| m.as_str().to_string());
            if self.summary_seen && self.failures.contains(&id) {
                self.section = Some((id.clone(), false));
                self.section_wait = 0;
            }
            self.failures.add(failure(NAME, id, name, None, &message, line.no));
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close_block(0);
        if !self.summary_seen {
            self.failures = FailureSet::default();
        }
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Automake {
    /// Reads the failed tests' own output after the harness summary; true
    /// when the line was consumed.
    fn output_line(&mut self, t: &str, no: u32) -> bool {
        if let Some(c) = t.contains("(exit status: ").then(|| TRAILER.captures(t)).flatten() {
            // The trailer of a test's .log: its last output line is the
            // message (a test-suite.log section already pointed and cleared it).
            if let Some((lno, text)) = self.last.take() {
                if self.sectioned.as_deref() != Some(&c[1]) {
                    self.point(&c[1], lno, text);
                }
            }
            self.section = None;
            return true;
        }
        if let Some((id, underlined)) = self.section.take() {
            self.section_wait += 1;
            if !underlined {
                if !t.is_empty() && t.bytes().all(|b| b == b'=') {
                    self.section = Some((id, true));
                    return true;
                }
            } else if !t.is_empty() && !t.starts_with("ok ") && !t.starts_with("1..") && !t.starts_with("# ") {
                self.point(&id, no, t.to_string());
                self.last = None;
                self.sectioned = Some(id);
                return true;
            } else if self.section_wait <= 40 {
                self.section = Some((id, true));
                return true;
            }
        }
        // Not the harness's, make's or the shell's own lines, nor another
        // test's trailer.
        let own = ["make", "FAIL: ", "PASS: ", "ERROR: ", "SKIP: ", "$ ", "+ "].iter().all(|p| !t.starts_with(p));
        if own && !t.is_empty() && !t.contains("(exit status: ") && !t.bytes().all(|b| b == b'=') {
            self.last = Some((no, t.to_string()));
        }
        false
    }

    fn point(&mut self, id: &str, no: u32, text: String) {
        if let Some(f) = self.failures.get_mut(id) {
            if f.line < no {
                f.line = no;
                f.message = text;
            }
        }
    }

    fn close_block(&mut self, no: u32) {
        if let Some(k) = self.block.take() {
            self.counts.add(&k);
            self.summary_seen = true;
            if no > 0 {
                self.summary_lines.push(no);
            }
        }
    }
}
