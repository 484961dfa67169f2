//! busted, Lua's test runner (`utfTerminal` and `plainTerminal` output):
//!
//! ```text
//! ●●●◼●
//! 4 successes / 1 failure / 0 errors / 0 pending : 0.012 seconds
//!
//! Failure → spec/parser_spec.lua @ 12
//! parser parses numbers
//! spec/parser_spec.lua:14: Expected objects to be the same.
//! ```
//!
//! Each `Failure`/`Error` header (`->` in plain output) names the spec
//! file; the next line is the test's full name (busted's id: the
//! `describe` and `it` names joined), the line after it the message.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "busted";

#[derive(Default)]
pub struct Busted {
    failures: FailureSet,
    /// After a header: the file, the header's line, and the name once read.
    entry: Option<(String, u32, Option<String>)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static HEADER: TwinRegex = TwinRegex::new(r"^(?:Failure|Error) (?:→|->) (\S+) @ \d+$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^(\d+) success(?:es)? / (\d+) failures? / (\d+) errors? / (\d+) pending : [\d.]+ seconds");

impl RunnerParser for Busted {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["Failure → ", "Error → ", "Failure -> ", "Error -> ", " pending : "]
    }

    fn wants_every_line(&self) -> bool {
        self.entry.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if let Some(c) = HEADER.captures(t) {
            self.close("");
            self.entry = Some((c[1].to_string(), line.no, None));
            return;
        }
        if let Some(c) = SUMMARY.captures(t) {
            self.close("");
            let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
            let (passed, failed, skipped) = (n(1), n(2) + n(3), n(4));
            self.counts.add(&Counts { run: Some(passed + failed + skipped), passed: Some(passed), failed: Some(failed), skipped: Some(skipped) });
            self.summary_lines.push(line.no);
            return;
        }
        let Some((_, at, name)) = self.entry.as_mut() else { return };
        if t.is_empty() || line.no - *at > 50 {
            if line.no - *at > 50 {
                self.close("");
            }
            return;
        }
        match name {
            None => *name = Some(t.to_string()),
            Some(_) => self.close(t),
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close("");
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Busted {
    fn close(&mut self, message: &str) {
        if let Some((file, at, Some(id))) = self.entry.take() {
            let name = id.clone();
            self.failures.add(failure(NAME, id, name, Some(file), message, at));
        }
    }
}
