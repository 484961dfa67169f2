//! Tcl's `tcltest` (`tclsh tests/all.tcl`, `make test` of Tcl extensions):
//!
//! ```text
//! ==== slug-1.1 drops punctuation at the ends FAILED
//! ==== Contents of test case:
//!     strutil::slug "  Tcl/Tk 8.6!  "
//! ---- Result was:
//! tcl-tk-8-6-
//! ---- Result should have been (exact matching):
//! tcl-tk-8-6
//! ==== slug-1.1 FAILED
//!
//! strutil.test:	Total	3	Passed	2	Skipped	0	Failed	1
//! ```
//!
//! The id is the test's name (the first word after `====`); the failure's
//! line is the header with the description, the message the first `----`
//! line (`Result was:`, `Test generated error; …`).



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "tcltest";

#[derive(Default)]
pub struct Tcltest {
    failures: FailureSet,
    /// After a header: the name, the header's line, the first `----` line.
    entry: Option<(String, u32, String)>,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static HEADER: TwinRegex = TwinRegex::new(r"^==== (\S+) (.+) FAILED$");
static FOOTER: TwinRegex = TwinRegex::new(r"^==== (\S+) FAILED$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^\S+:\s+Total\s+(\d+)\s+Passed\s+(\d+)\s+Skipped\s+(\d+)\s+Failed\s+(\d+)\s*$");

impl RunnerParser for Tcltest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["==== ", "\tTotal\t"]
    }

    fn wants_every_line(&self) -> bool {
        self.entry.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        if let Some(c) = FOOTER.captures(t) {
            if let Some((name, at, msg)) = self.entry.take() {
                if name == c[1] {
                    self.failures.add(failure(NAME, name.clone(), name, None, &msg, at));
                }
            }
            return;
        }
        if let Some(c) = HEADER.captures(t) {
            if !c[1].starts_with("Contents") {
                self.entry = Some((c[1].to_string(), line.no, String::new()));
            }
            return;
        }
        if let Some(c) = SUMMARY.captures(t) {
            let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
            self.counts.add(&Counts { run: Some(n(1)), passed: Some(n(2)), failed: Some(n(4)), skipped: Some(n(3)) });
            self.summary_lines.push(line.no);
            return;
        }
        let Some((_, at, msg)) = self.entry.as_mut() else { return };
        if line.no - *at > 200 {
            self.entry = None;
        } else if msg.is_empty() && t.starts_with("---- ") {
            *msg = t[5..].to_string();
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::hits_of;

    #[test]
    fn tcltest_failure_block() {
        let mut p = Tcltest::default();
        let log = "==== slug-1.1 drops punctuation FAILED\n==== Contents of test case:\n\n    slug x\n\n---- Result was:\nx-\n---- Result should have been (exact matching):\nx\n==== slug-1.1 FAILED\n\nstrutil.test:\tTotal\t3\tPassed\t2\tSkipped\t0\tFailed\t1\n";
        for (i, t) in log.lines().enumerate() {
            let hits = hits_of(p.triggers(), t);
            if hits != 0 || p.wants_every_line() {
                p.feed(Line { no: i as u32 + 1, text: t, hits });
            }
        }
        let mut out = RunnerReport::default();
        p.finish(&mut out);
        let got: Vec<_> = out.failures.iter().map(|f| (f.id.as_str(), f.line, f.message.as_str())).collect();
        assert_eq!(got, vec![("slug-1.1", 1, "Result was:")]);
        assert_eq!(out.counts.unwrap().failed, Some(1));
    }
}
