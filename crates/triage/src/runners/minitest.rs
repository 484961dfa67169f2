//! Ruby's minitest (and Rails' runner on top of it) and test-unit.
//!
//! ```text
//!   1) Failure:
//! UserTest#test_name [test/user_test.rb:12]:
//! Expected: "John Smith"
//!   Actual: "John"
//!
//!   2) Error:
//! UserTest#test_save:
//! NoMethodError: undefined method `save' for nil:NilClass
//!     test/user_test.rb:20:in `test_save'
//!
//! 5 runs, 10 assertions, 1 failures, 1 errors, 0 skips
//! ```
//!
//! Rails prints `Failure:`/`Error:` without the number. test-unit:
//! `Failure: test_name(UserTest) [test/user_test.rb:12]:` or `Error:
//! test_name(UserTest): NameError: …`, and `5 tests, 9 assertions, 1
//! failures, 0 errors, 0 pendings, 0 omissions, 0 notifications`.
//! Ids are minitest's `Class#test_name`, test-unit's `test_name(Class)`;
//! the message is the line after the id (the rest of test-unit's error
//! line).



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "minitest";

#[derive(Default)]
pub struct Minitest {
    failures: FailureSet,
    state: State,
    counts: Counts,
    summary_lines: Vec<u32>,
}

#[derive(Default)]
enum State {
    #[default]
    Idle,
    /// After `Failure:`/`Error:`: the id comes next.
    Header(u32),
    /// The id is known; its message comes next.
    Message { id: String, file: Option<String>, at: u32 },
}

static HEADER: TwinRegex = TwinRegex::new(r"^\s*(?:\d+\) )?(?:Failure|Error):$");
/// `Class#test_name [file:line]:` or `Class#test_name:`.
static MINITEST_ID: TwinRegex = TwinRegex::new(r"^([A-Z][\w:]*#\S+?)(?: \[(.+?):\d+\])?:$");
static TEST_UNIT: TwinRegex = TwinRegex::new(r"^(?:Failure|Error): (test\S*\([\w:]+\))(?: \[(.+?):\d+\])?:?\s*(.*)$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^(\d+) (?:runs|tests), \d+ assertions, (\d+) failures, (\d+) errors, (\d+) (?:skips|pendings)(?:, (\d+) omissions)?");

impl RunnerParser for Minitest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["Failure:", "Error:", " assertions, "]
    }

    fn wants_every_line(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        match std::mem::take(&mut self.state) {
            State::Idle => {}
            State::Header(at) => {
                if let Some(c) = MINITEST_ID.captures(t.trim_start()) {
                    let file = c.get(2).map(|m| m.as_str().to_string());
                    self.state = State::Message { id: c[1].to_string(), file, at };
                    return;
                }
            }
            State::Message { id, file, at } => {
                let m = t.trim();
                if m.is_empty() {
                    self.state = State::Message { id, file, at };
                    return;
                }
                let name = id.rsplit('#').next().unwrap_or(&id).to_string();
                self.failures.add(failure(NAME, id, name, file, m, at));
                return;
            }
        }
        let s = t.trim_start();
        // Cheap tests first: `Error:` is in every exception line.
        if (s.ends_with("Failure:") || s.ends_with("Error:")) && HEADER.is_match(t) {
            self.state = State::Header(line.no);
        } else if let Some(c) = (s.starts_with("Failure: ") || s.starts_with("Error: ")).then(|| TEST_UNIT.captures(s)).flatten() {
            let id = c[1].to_string();
            let file = c.get(2).map(|m| m.as_str().to_string());
            let name = id.split('(').next().unwrap_or(&id).to_string();
            match c.get(3).map(|m| m.as_str()).filter(|m| !m.is_empty()) {
                Some(m) => self.failures.add(failure("test-unit", id, name, file, m, line.no)),
                None => self.state = State::Message { id, file, at: line.no },
            }
        } else if let Some(c) = s.contains(" assertions, ").then(|| SUMMARY.captures(s)).flatten() {
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
            let (run, failed, skipped) = (n(1), n(2) + n(3), n(4) + n(5));
            self.counts.add(&Counts::of_run(run, failed, Some(skipped)));
            self.summary_lines.push(line.no);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
