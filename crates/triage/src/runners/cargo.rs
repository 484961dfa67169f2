//! cargo test (libtest) and cargo-nextest.
//!
//! ```text
//! test workspace::lock_idempotence ... FAILED
//! failures:
//!     workspace::lock_idempotence
//! test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 5 filtered out
//!
//!         FAIL [   0.004s] my-crate::tests foo::bar
//!      Summary [   1.2s] 10 tests run: 9 passed, 1 failed, 2 skipped
//! ```
//!
//! libtest prints one `test result:` per test binary; counts are summed.
//! nextest prints one `Summary`; a test that failed a try and then passed
//! (`TRY 2 PASS`, `FLAKY`) is not a failure.



use super::{TwinRegex, failure, number_words, Counts, FailureSet, Line, RunnerParser, RunnerReport, TestFailure};

const NAME: &str = "cargo";

#[derive(Default)]
pub struct Cargo {
    failures: FailureSet,
    /// Inside the `failures:` name list (line where it started).
    list_at: Option<u32>,
    /// libtest announced itself (`running N tests`): bare names in a
    /// `failures:` list are then test names, not prose.
    seen_running: bool,
    libtest: Counts,
    nextest: Counts,
    /// Tests nextest retried into a pass.
    flaky: Vec<String>,
    /// Failed tries a later try of the same test passed: named again when
    /// nextest's final `FLKY-FL` line says the run still counts them.
    retried: Vec<TestFailure>,
    summary_lines: Vec<u32>,
    /// A searcher per failure id, for `PASS` lines (built again after the
    /// failures change: `str::contains` built one per call, ~1,000
    /// instructions, 2.8 % of the logsage bench).
    pass_finders: Option<Vec<memchr::memmem::Finder<'static>>>,
}

// Doc tests are named `src/lib.rs - path::item (line 21)`, with spaces;
// `#[should_panic]` tests are listed as `test t - should panic ... FAILED`.
static TEST_LINE: TwinRegex = TwinRegex::new(r"^test (\S+|\S+\.rs - \S.*? \(line \d+\))(?: - should panic(?: with message)?)? \.\.\. FAILED$");
static RESULT: TwinRegex = TwinRegex::new(r"^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured");
static NEXTEST: TwinRegex = TwinRegex::new(r"^(?:TRY \d+ )?(FAIL|SIGSEGV|SIGABRT|SIGKILL|TIMEOUT|ABORT|TMT|PASS|FLAKY[^\[]*|FLKY-FL[^\[]*)\s*\[\s*[\d.]+s\]\s+(\S+)(?:\s+(\S+))?\s*$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^Summary \[\s*[\d.]+s\]\s+(\d+) tests? run: (.*)$");
static LIST_ITEM: TwinRegex = TwinRegex::new(r"^    (\w+(?:::\w+)*|\S+\.rs - \S.*? \(line \d+\))$");

impl RunnerParser for Cargo {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["running ", "... FAILED", "failures:", " stdout ----", "test result:", "FAIL [", "PASS [", "FLAKY", "FLKY-FL", "TMT [", "SIGKILL [", "SIGSEGV [", "SIGABRT [", "TIMEOUT [", "ABORT [", "Summary ["]
    }

    fn wants_every_line(&self) -> bool {
        self.list_at.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim_end();
        if let Some(at) = self.list_at {
            if let Some(c) = LIST_ITEM.captures(raw).filter(|c| self.seen_running || c[1].contains("::")) {
                let id = c[1].to_string();
                self.add(id, String::new(), line.no);
                return;
            }
            if !raw.trim().is_empty() || line.no > at + 2000 {
                self.list_at = None;
            } else {
                return;
            }
        }
        let t = raw.trim();
        if t.starts_with("running ") && t.ends_with(" tests") || t == "running 1 test" {
            self.seen_running = true;
            return;
        }
        if t == "failures:" {
            self.list_at = Some(line.no);
            return;
        }
        // `---- path::test stdout ----` opens the failed test's captured
        // output (its panic and assertion): the header a person reads,
        // where `test path::test ... FAILED` only says that it failed.
        if let Some(id) = t.strip_prefix("---- ").and_then(|r| r.strip_suffix(" stdout ----")) {
            // Only a test already seen failing: `--show-output` prints the
            // same header for passing tests under `successes:`.
            if let Some(f) = self.failures.get_mut(id) {
                if f.message.is_empty() {
                    f.line = line.no;
                }
            }
            return;
        }
        if t.starts_with("test ") {
            if let Some(c) = TEST_LINE.captures(t) {
                self.add(c[1].to_string(), String::new(), line.no);
                return;
            }
            if let Some(c) = RESULT.captures(t) {
                let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
                let (p, f, i) = (n(1), n(2), n(3));
                self.libtest.add(&Counts { run: Some(p + f), passed: Some(p), failed: Some(f), skipped: Some(i) });
                self.summary_lines.push(line.no);
            }
            return;
        }
        // `running ` is in much prose, so most lines fed here are neither
        // a summary nor a nextest line: both patterns are anchored, and
        // their first bytes (and nextest's `[`) say so before a capture
        // search runs (7 % of the engine's instructions on the logsage logs).
        if t.starts_with("Summary [") {
            if let Some(c) = SUMMARY.captures(t) {
                let mut k = Counts { run: c[1].parse().ok(), passed: Some(0), failed: Some(0), skipped: Some(0) };
                for (n, w) in number_words(&c[2]) {
                    match w.as_str() {
                        "passed" => k.passed = Some(n),
                        "failed" | "timed" => k.failed = Some(k.failed.unwrap_or(0) + n),
                        "skipped" => k.skipped = Some(n),
                        _ => {}
                    }
                }
                self.nextest.add(&k);
                self.summary_lines.push(line.no);
                return;
            }
        }
        // A pass only matters to undo an earlier failed try of that test;
        // nextest logs hold thousands of them.
        if self.failures.is_empty() && t.starts_with("PASS ") {
            return;
        }
        if !(t.starts_with(['T', 'F', 'S', 'A', 'P']) && t.contains('[')) {
            return;
        }
        // A `PASS` line names its test: when no failure's id is in the line
        // the test is not among them and the line changes nothing (the
        // capture search cost ~6,000 instructions per line, callgrind).
        if t.starts_with("PASS ") && self.failures.len() <= 16 && !self.names_a_failure(t) {
            return;
        }
        if let Some(c) = NEXTEST.captures(t) {
            // `crate::binary test::path` or just `test::path` (older output).
            let (bin, test) = match c.get(3) {
                Some(test) => (Some(c[2].to_string()), test.as_str().to_string()),
                None => (None, c[2].to_string()),
            };
            let verdict = &c[1];
            // nextest 0.9 abbreviates in its status column: `TMT` is a
            // timeout, `FLKY-FL 2/3` a test that passed a retry under
            // `--flaky-result fail` (`TRMNTG`, still terminating, is not a
            // result and does not match).
            let flaky_word = verdict.starts_with("FLAKY") || verdict.starts_with("FLKY");
            if verdict.starts_with("FLKY-FL") {
                // `--flaky-result fail`: the retry passed but the run counts
                // the test as failed, so it stays named (at its failed try).
                match self.retried.iter().position(|f| f.id == test) {
                    Some(i) => {
                        let f = self.retried.swap_remove(i);
                        self.failures.add(f);
                    }
                    None => self.add(test.clone(), bin.unwrap_or_default(), line.no),
                }
                self.flaky.push(test);
            } else if verdict == "PASS" || flaky_word {
                if self.failures.contains(&test) || flaky_word {
                    self.flaky.push(test.clone());
                }
                if let Some(f) = self.failures.get_mut(&test) {
                    let f = f.clone();
                    self.retried.push(f);
                }
                self.failures.remove(&test);
                self.pass_finders = None;
            } else {
                self.add(test, bin.unwrap_or_default(), line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        // nextest's summary covers every binary; libtest lines then come
        // from `cargo test` steps of the same log, counted separately.
        let mut c = self.libtest.clone();
        c.add(&self.nextest);
        super::report_into(out, &mut self.failures, &c, &mut self.summary_lines);
        out.flaky_tests.append(&mut self.flaky);
    }
}

impl Cargo {
    /// Some failure's id occurs in `t`.
    fn names_a_failure(&mut self, t: &str) -> bool {
        let failures = &self.failures;
        let finders = self.pass_finders.get_or_insert_with(|| failures.iter().map(|f| memchr::memmem::Finder::new(f.id.as_bytes()).into_owned()).collect());
        finders.iter().any(|f| f.find(t.as_bytes()).is_some())
    }

    fn add(&mut self, id: String, binary: String, no: u32) {
        self.pass_finders = None;
        let name = id.rsplit("::").next().unwrap_or(&id).to_string();
        let file = if binary.is_empty() { None } else { Some(binary) };
        self.failures.add(failure(NAME, id, name, file, "", no));
    }
}
