//! Node's built-in test runner (`node --test`, `node:test`) with its `spec`
//! reporter (the default on a terminal, `--test-reporter=spec` in CI):
//!
//! ```text
//! ▶ pricing
//!   ✔ formats cents (0.68ms)
//!   ✖ adds tax to a fractional amount (1.01ms)
//!     AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
//! ✖ pricing (4.11ms)
//! ℹ tests 3
//! ℹ pass 1
//! ℹ fail 2
//! ℹ skipped 0
//!
//! ✖ failing tests:
//!
//! test at test/price.test.js:10:3
//! ✖ adds tax to a fractional amount (1.01ms)
//!   AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
//! ```
//!
//! The tree marks suites and tests alike with `✖`; only the `failing
//! tests:` list at the end says which were tests (each under `test at
//! FILE:LINE:COL`), so failures come from that list. Their line is the
//! first `✖ name` in the tree, where the report a person reads starts.
//! (The TAP reporter, the default off a terminal, is the TAP parser's.)

use std::collections::HashMap;


use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "node-test";

/// Failing tree lines remembered per name, at most: a suite of thousands
/// of failures still names only the first ones' lines.
const MAX_SEEN: usize = 4096;

#[derive(Default)]
pub struct NodeTest {
    failures: FailureSet,
    /// First `✖ name (…ms)` line of each name in the tree.
    seen: HashMap<String, u32>,
    /// Inside the `✖ failing tests:` list.
    in_list: bool,
    /// The list's `test at FILE:…` of the entry being read.
    file: Option<String>,
    /// An entry waiting for its message: (name, line).
    pending: Option<(String, u32)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static FAILED: TwinRegex = TwinRegex::new(r"^✖ (.+?) \([\d.]+m?s\)(?: # \w+.*)?$");
static COUNT: TwinRegex = TwinRegex::new(r"^ℹ (tests|pass|fail|skipped|todo|cancelled) (\d+)$");

impl RunnerParser for NodeTest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["✖ ", "ℹ tests ", "ℹ pass ", "ℹ fail ", "ℹ skipped ", "ℹ todo ", "ℹ cancelled "]
    }

    fn wants_every_line(&self) -> bool {
        self.in_list
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text);
        let t = raw.trim();
        if self.pending.is_some() {
            if t.is_empty() {
                return;
            }
            // The message is indented under its entry; anything else is the
            // next entry or the end of the list.
            if raw.starts_with(char::is_whitespace) {
                return self.close(t);
            }
            self.close("");
        }
        if t == "✖ failing tests:" {
            self.in_list = true;
            self.file = None;
            return;
        }
        if let Some(c) = COUNT.captures(t) {
            let n = c[2].parse::<u64>().unwrap_or(0);
            match &c[1] {
                "tests" => {
                    self.counts.run = Some(self.counts.run.unwrap_or(0) + n);
                    self.summary_lines.push(line.no);
                }
                "pass" => self.counts.passed = Some(self.counts.passed.unwrap_or(0) + n),
                "fail" => self.counts.failed = Some(self.counts.failed.unwrap_or(0) + n),
                "skipped" => self.counts.skipped = Some(self.counts.skipped.unwrap_or(0) + n),
                _ => {}
            }
            self.in_list = false;
            return;
        }
        let failed = FAILED.captures(t).map(|c| c[1].to_string());
        if self.in_list {
            if let Some(rest) = t.strip_prefix("test at ") {
                let file = rest.rsplitn(3, ':').last().unwrap_or(rest);
                self.file = Some(file.to_string());
                return;
            }
            if let Some(name) = failed {
                let at = self.seen.get(&name).copied().unwrap_or(line.no);
                self.pending = Some((name, at));
                return;
            }
            if !t.is_empty() && !raw.starts_with(char::is_whitespace) {
                self.in_list = false;
            }
            return;
        }
        if let Some(name) = failed {
            if self.seen.len() < MAX_SEEN {
                self.seen.entry(name).or_insert(line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close("");
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl NodeTest {
    fn close(&mut self, message: &str) {
        if let Some((name, at)) = self.pending.take() {
            self.failures.add(failure(NAME, name.clone(), name, self.file.clone(), message, at));
        }
    }
}
