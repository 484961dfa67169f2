//! Erlang's Common Test (`rebar3 ct`, `ct_run`) and plain EUnit output
//! (`eunit:test/2`, `erl -eval`); rebar3's own EUnit formatter copies
//! RSpec's and is read by `spec.rs`.
//!
//! ```text
//! %%% my_SUITE ==> slow_case: FAILED
//! %%% my_SUITE ==> timetrap_timeout
//! Failed 1 tests. Passed 3 tests.
//! TEST COMPLETE, 3 ok, 1 failed, 2 skipped of 6 test cases
//!
//! my_mod_tests: add_test...*failed*
//! in function my_mod_tests:'-add_test/0-fun-0-'/0 (test/my_mod_tests.erl, line 8)
//! **error:{assertEqual,[{module,my_mod_tests},{line,8},{expected,3},{value,2}]}
//!   Failed: 1.  Skipped: 0.  Passed: 2.
//! ```
//!
//! Ids are `SUITE:case` (with the group, `SUITE:group.case`, as rebar3
//! prints it) and EUnit's `module:function`. The message is Common Test's
//! next `%%% SUITE ==>` line (the reason: `{badmatch,2}`,
//! `timetrap_timeout`), or EUnit's `**error:`/`**exit:`/`**throw:` line.



use super::{TwinRegex, failure, Counts, FailureSet, Line, MessageNext, Read, RunnerParser, RunnerReport};

#[derive(Default)]
pub struct Erlang {
    failures: FailureSet,
    /// The failure whose reason comes next.
    waiting: MessageNext,
    counts: Counts,
    /// ct_run's `TEST COMPLETE` totals: rebar3 may print its own summary of
    /// the same run too, so these replace the others when present.
    complete: Counts,
    summary_lines: Vec<u32>,
}

static CT_FAILED: TwinRegex = TwinRegex::new(r"^%%% (\w+) ==> (\S+?): FAILED$");
static CT_REASON: TwinRegex = TwinRegex::new(r"^%%% \w+ ==> (.+)$");
static CT_SUMMARY: TwinRegex = TwinRegex::new(r"^Failed (\d+) tests?\. Passed (\d+) tests?\.(?: Skipped (\d+))?|^(?:Passed|All) (\d+) tests?(?: passed)?\.$");
static CT_COMPLETE: TwinRegex = TwinRegex::new(r"^TEST COMPLETE, (.+) of (\d+) test cases?");
static EUNIT_FAILED: TwinRegex = TwinRegex::new(r"^\s*(\w+): (\w+)(?: \(.*\))?\.\.\.\*failed\*$");
static EUNIT_SUMMARY: TwinRegex = TwinRegex::new(r"^\s*Failed: (\d+)\.\s+Skipped: (\d+)\.\s+Passed: (\d+)\.|^\s*All (\d+) tests passed\.$");

impl RunnerParser for Erlang {
    fn name(&self) -> &'static str {
        "erlang"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["%%% ", "*failed*", "TEST COMPLETE", " tests. Passed ", "Failed: ", " tests passed."]
    }

    fn wants_every_line(&self) -> bool {
        self.waiting.is_waiting()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        let s = t.trim();
        let read = if !self.waiting.is_waiting() {
            Read::Other
        } else if let Some(c) = CT_REASON.captures(s).filter(|_| !CT_FAILED.is_match(s)) {
            Read::Message(c.get(1).map_or("", |m| m.as_str()))
        } else if let Some(reason) = s.strip_prefix("**") {
            Read::Message(reason)
        } else if s.starts_with("in function ") || s.starts_with("in call from ") || s.is_empty() {
            // EUnit's `in function …` line comes before the reason.
            Read::Skip
        } else {
            Read::Other
        };
        if self.waiting.offer(&mut self.failures, line.no, read, 20) {
            return;
        }
        let s = t.trim_start();
        if let Some(c) = CT_FAILED.captures(s) {
            let id = format!("{}:{}", &c[1], &c[2]);
            self.failures.add(failure("common_test", id.clone(), c[2].to_string(), None, "", line.no));
            self.waiting.wait(id, line.no);
        } else if let Some(c) = EUNIT_FAILED.captures(t) {
            let id = format!("{}:{}", &c[1], &c[2]);
            self.failures.add(failure("eunit", id.clone(), c[2].to_string(), None, "", line.no));
            self.waiting.wait(id, line.no);
        } else if let Some(c) = CT_SUMMARY.captures(s) {
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
            let (failed, passed, skipped) = match n(4) {
                Some(all) => (0, all, 0),
                None => (n(1).unwrap_or(0), n(2).unwrap_or(0), n(3).unwrap_or(0)),
            };
            self.add_counts(failed, passed, skipped, line.no);
        } else if let Some(c) = CT_COMPLETE.captures(s) {
            let mut k = (0, 0, 0);
            for (n, word) in super::number_words(&c[1]) {
                match word.trim_end_matches(',') {
                    "ok" => k.1 += n,
                    "failed" => k.0 += n,
                    "skipped" => k.2 += n,
                    _ => {}
                }
            }
            self.complete.add(&Counts { run: Some(k.0 + k.1 + k.2), passed: Some(k.1), failed: Some(k.0), skipped: Some(k.2) });
            self.summary_lines.push(line.no);
        } else if let Some(c) = EUNIT_SUMMARY.captures(t) {
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
            match n(4) {
                Some(all) => self.add_counts(0, all, 0, line.no),
                None => self.add_counts(n(1).unwrap_or(0), n(3).unwrap_or(0), n(2).unwrap_or(0), line.no),
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        if !self.complete.is_empty() {
            self.counts = std::mem::take(&mut self.complete);
        }
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Erlang {
    fn add_counts(&mut self, failed: u64, passed: u64, skipped: u64, no: u32) {
        self.counts.add(&Counts { run: Some(failed + passed + skipped), passed: Some(passed), failed: Some(failed), skipped: Some(skipped) });
        self.summary_lines.push(no);
    }
}
