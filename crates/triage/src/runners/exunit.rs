//! Elixir's ExUnit (`mix test`):
//!
//! ```text
//!   1) test greets the world (HelloTest)
//!      test/hello_test.exs:5
//!      Assertion with == failed
//!      code:  assert Hello.hello() == :world
//!      left:  :hello
//!      right: :world
//!
//! Finished in 0.03 seconds (0.00s async, 0.03s sync)
//! 1 doctest, 2 tests, 1 failure, 1 excluded
//! ```
//!
//! Ids are `Module: test name` (the name as ExUnit prints it, `test …`,
//! `doctest …`, `property …`); the file is the location line under the
//! header and the message the line after it (`** (RuntimeError) boom` for
//! a raise). A `setup_all` failure invalidates a module:
//! `1) HelloTest: failure on setup_all callback, all tests have been
//! invalidated`. The summary is read after `Finished in` or a header only:
//! rebar3's EUnit formatter prints the same words.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "exunit";

#[derive(Default)]
pub struct ExUnit {
    failures: FailureSet,
    /// The entry being read: id, its line, and how far: 0 wants the
    /// location, 1 the message.
    entry: Option<(String, u32, u8)>,
    /// ExUnit output seen: its summary line may be counted.
    seen: bool,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static HEADER: TwinRegex = TwinRegex::new(r"^\s+\d+\) (?:((?:test|doctest|property|describe) .+) \(([A-Z][\w.]*)\)|([A-Z][\w.]*): (failure on setup_all callback.*))$");
static LOCATION: TwinRegex = TwinRegex::new(r"^(\S+\.exs?):\d+$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^((?:\d+ (?:doctests?|propert(?:y|ies)|tests?|failures?|excluded|skipped|invalid)(?:, )?)+)$");

impl RunnerParser for ExUnit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[") test ", ") doctest ", ") property ", ") describe ", "failure on setup_all", "Finished in ", " tests, ", " test, ", " doctest"]
    }

    fn wants_every_line(&self) -> bool {
        self.entry.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim_end();
        let t = raw.trim_start();
        if let Some(c) = HEADER.captures(raw) {
            self.seen = true;
            let (name, module) = match (c.get(1), c.get(2)) {
                (Some(n), Some(m)) => (n.as_str(), m.as_str()),
                _ => (&c[4], &c[3]),
            };
            let id = format!("{module}: {name}");
            self.failures.add(failure(NAME, id.clone(), name.to_string(), None, "", line.no));
            self.entry = Some((id, line.no, 0));
            return;
        }
        if t.starts_with("Finished in ") {
            self.entry = None;
            self.seen |= t.contains(" async");
            return;
        }
        if let Some((id, at, stage)) = self.entry.as_mut() {
            if line.no - *at > 200 || t.is_empty() && *stage > 1 {
                self.entry = None;
                return;
            }
            if t.is_empty() {
                return;
            }
            if *stage == 0 {
                *stage = 1;
                if let Some(c) = LOCATION.captures(t) {
                    if let Some(f) = self.failures.get_mut(id) {
                        f.file = Some(c[1].to_string());
                    }
                    return;
                }
            }
            if *stage == 1 {
                *stage = 2;
                if let Some(f) = self.failures.get_mut(id) {
                    f.message = super::clip_message(t);
                }
                self.entry = None;
            }
            return;
        }
        if !self.seen {
            return;
        }
        if let Some(c) = SUMMARY.captures(t) {
            if !c[1].contains("test") || !c[1].contains("failure") {
                return;
            }
            let mut k = Counts { run: Some(0), failed: Some(0), skipped: Some(0), passed: None };
            for (n, word) in super::number_words(&c[1]) {
                let slot = match word.trim_end_matches(',') {
                    w if w.starts_with("test") || w.starts_with("doctest") || w.starts_with("propert") => &mut k.run,
                    w if w.starts_with("failure") || w == "invalid" => &mut k.failed,
                    "skipped" | "excluded" => &mut k.skipped,
                    _ => continue,
                };
                *slot = Some(slot.unwrap_or(0) + n);
            }
            // Excluded tests are not run; skipped ones are counted as run.
            let (run, failed, skipped) = (k.run.unwrap_or(0), k.failed.unwrap_or(0), k.skipped.unwrap_or(0));
            k.passed = Some(run.saturating_sub(failed + skipped));
            self.counts.add(&k);
            self.summary_lines.push(line.no);
            self.seen = false;
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
