//! GoogleTest's console output (one block per test binary; CTest and
//! Bazel print it inside their own):
//!
//! ```text
//! [==========] Running 3 tests from 1 test suite.
//! [ RUN      ] ParserTest.Numbers
//! /src/parser_test.cc:12: Failure
//! Expected equality of these values:
//!   parse("1")
//! [  FAILED  ] ParserTest.Numbers (0 ms)
//! [==========] 3 tests from 1 test suite ran. (1 ms total)
//! [  PASSED  ] 2 tests.
//! [  FAILED  ] 1 test, listed below:
//! [  FAILED  ] ParserTest.Numbers
//! ```
//!
//! Ids are `Suite.Test` (`Instance/Suite.Test/0` for parameterised tests,
//! without gtest's `, where GetParam() = …`). The message is the line after
//! the test's first `file:line: Failure` (MSVC builds print
//! `file(line): error: message` on one line), which is also the line
//! reported. Counts are summed over the binaries' totals.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "gtest";

#[derive(Default)]
pub struct Gtest {
    failures: FailureSet,
    /// The test running now, and its first failure: (file, line, message).
    running: Option<String>,
    first: Option<(String, u32, String)>,
    /// A `file:line: Failure` line waiting for its message.
    waiting: Option<(String, u32)>,
    /// The current binary's totals, added at its `[==========] … ran.` line.
    binary: Counts,
    counts: Counts,
    summary_lines: Vec<u32>,
}

// `unknown file: Failure` is how gtest reports an exception thrown in the
// test body (no source line to name); its message follows like the others'.
static FAILURE_AT: TwinRegex = TwinRegex::new(r"^(.+?):(\d+): Failure\s*$|^(.+?)\((\d+)\): error: (.*)$|^(unknown file): Failure\s*$");
static FAILED: TwinRegex = TwinRegex::new(r"^\[  FAILED  \] (\S+?)(?:, where (?:GetParam|TypeParam).*?)?(?: \(\d+ ms\))?$");
static RAN: TwinRegex = TwinRegex::new(r"^\[==========\] (\d+) tests? from \d+ test (?:suites?|cases?) ran\.");
static TALLY: TwinRegex = TwinRegex::new(r"^\[  (PASSED|FAILED|SKIPPED) +\] (\d+) tests?(?:\.|, listed below:)$");

impl RunnerParser for Gtest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["[ RUN      ]", "[  FAILED  ]", "[  PASSED  ]", "[  SKIPPED ]", "[==========]", "[       OK ]", ": Failure", "): error: "]
    }

    fn wants_every_line(&self) -> bool {
        self.waiting.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if let Some((file, at)) = self.waiting.take() {
            let m = t.trim();
            if self.first.is_none() {
                self.first = Some((file, at, m.to_string()));
            }
        }
        let s = t.trim_start();
        if let Some(name) = s.strip_prefix("[ RUN      ] ") {
            self.running = Some(name.trim().to_string());
            self.first = None;
        } else if s.starts_with("[       OK ]") {
            self.running = None;
            self.first = None;
        } else if let Some(c) = TALLY.captures(s) {
            let n: u64 = c[2].parse().unwrap_or(0);
            match &c[1] {
                "PASSED" => self.binary.passed = Some(n),
                "FAILED" => self.binary.failed = Some(n),
                _ => self.binary.skipped = Some(n),
            }
            self.summary_lines.push(line.no);
        } else if let Some(c) = FAILED.captures(s) {
            let id = c[1].to_string();
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            let (file, at, message) = match self.first.take().filter(|_| self.running.as_deref() == Some(id.as_str())) {
                Some((file, at, m)) => (Some(file).filter(|f| f != "unknown file"), at, m),
                None => (None, line.no, String::new()),
            };
            self.failures.add(failure(NAME, id, name, file, &message, at));
            self.running = None;
        } else if let Some(c) = RAN.captures(s) {
            // The previous binary's tally lines follow its `ran.` line;
            // close it when the next one starts or at the end.
            self.close_binary();
            self.binary.run = c[1].parse().ok();
        } else if self.running.is_some() {
            if let Some(c) = FAILURE_AT.captures(s) {
                match (c.get(1).or_else(|| c.get(6)), c.get(3)) {
                    (Some(file), _) => self.waiting = Some((file.as_str().to_string(), line.no)),
                    (None, Some(file)) if self.first.is_none() => self.first = Some((file.as_str().to_string(), line.no, c[5].to_string())),
                    _ => {}
                }
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close_binary();
        // CTest (finished before this parser) runs gtest binaries and, with
        // `gtest_discover_tests`, names each test as gtest does: its
        // `***Failed` line only wraps gtest's report of the assertion, so
        // its entry for a test reported here gives way.
        if !self.failures.is_empty() {
            out.failures.retain(|f| f.framework != "ctest" || !self.failures.contains(&f.id));
        }
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Gtest {
    fn close_binary(&mut self) {
        let mut k = std::mem::take(&mut self.binary);
        if k.run.is_some() {
            k.failed.get_or_insert(0);
            self.counts.add(&k);
        }
    }
}
