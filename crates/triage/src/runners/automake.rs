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

use std::sync::LazyLock;

use regex::Regex;

use super::{failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "automake";

#[derive(Default)]
pub struct Automake {
    failures: FailureSet,
    summary_seen: bool,
    counts: Counts,
    /// The `# TOTAL:` block being read.
    block: Option<Counts>,
    summary_lines: Vec<u32>,
}

static RESULT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(FAIL|ERROR|XPASS): (\S+)(?: \d+ (?:- )?(.*))?$").unwrap());
static TALLY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):\s+(\d+)$").unwrap());
static SERIAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+) of (\d+) tests? failed|^All (\d+) tests? passed").unwrap());

impl RunnerParser for Automake {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["FAIL: ", "ERROR: ", "XPASS: ", "# TOTAL:", "# PASS:", "# SKIP:", "# XFAIL:", "# FAIL:", "# XPASS:", "# ERROR:", "Testsuite summary", " tests failed", " test failed", " tests passed"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
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
