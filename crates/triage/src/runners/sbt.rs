//! sbt (Scala/Java): junit-interface and ScalaTest output behind sbt's
//! `[info]` / `[error]` level tags (nested once per scripted/forked build).
//!
//! ```text
//! [error] Test basic.FooTest.failingTest failed: java.lang.AssertionError: boom, took 0.002s
//! [info] - parses empty input *** FAILED ***
//! [error] Failed: Total 5, Failed 1, Errors 0, Passed 3, Skipped 1
//! [info] Passed: Total 52, Failed 0, Errors 0, Passed 50, Skipped 2
//! ```
//!
//! sbt prints one `Passed:`/`Failed: Total` line per project test run and it
//! covers every framework in that project, so counts are the sum of those
//! lines (`failed` = Failed + Errors). ScalaTest's own `Tests: succeeded`
//! line is only used when sbt printed no total.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "sbt";

#[derive(Default)]
pub struct Sbt {
    failures: FailureSet,
    /// ScalaTest suite named by the last `SuiteName:` line.
    suite: Option<String>,
    totals: Counts,
    scalatest: Counts,
    summary_lines: Vec<u32>,
}

static TOTAL: TwinRegex = TwinRegex::new(r"^(?:Passed|Failed): Total (\d+), Failed (\d+), Errors (\d+), Passed (\d+)(?:, Skipped (\d+))?");
static JUNIT_IFACE: TwinRegex = TwinRegex::new(r"^Test ([\w.$]+(?:\[[^\]]*\])?) failed: (.*?)(?:, took [\d.]+ ?s(?:ec)?)?$");
static SCALATEST: TwinRegex = TwinRegex::new(r"^- (.+?) \*\*\* FAILED \*\*\*");
static SUITE: TwinRegex = TwinRegex::new(r"^([A-Za-z_][\w$]*(?:\.[\w$]+)*):$");
static SCALATEST_TOTAL: TwinRegex = TwinRegex::new(r"^Tests: succeeded (\d+), failed (\d+), canceled (\d+), ignored (\d+)");

/// `[info] [error] text` -> `text`.
fn strip_levels(mut t: &str) -> &str {
    loop {
        let Some(rest) = t.strip_prefix('[') else { return t };
        let Some(end) = rest.find("] ") else { return t };
        let tag = &rest[..end];
        if !matches!(tag, "info" | "error" | "warn" | "debug" | "success") {
            return t;
        }
        t = &rest[end + 2..];
    }
}

impl RunnerParser for Sbt {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["[info] ", "[error] "]
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim_end();
        if !raw.starts_with('[') {
            return;
        }
        let t = strip_levels(raw);
        if t.ends_with(':') {
            if let Some(c) = SUITE.captures(t) {
                self.suite = Some(c[1].to_string());
            }
            return;
        }
        if let Some(c) = TOTAL.captures(t) {
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
            self.totals.add(&Counts { run: Some(n(1)), failed: Some(n(2) + n(3)), passed: Some(n(4)), skipped: Some(n(5)) });
            self.summary_lines.push(line.no);
            return;
        }
        if let Some(c) = JUNIT_IFACE.captures(t) {
            let id = c[1].to_string();
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            self.failures.add(failure(NAME, id, name, None, &c[2], line.no));
            return;
        }
        if let Some(c) = SCALATEST.captures(t) {
            let title = c[1].trim();
            let id = match &self.suite {
                Some(s) => format!("{s} {title}"),
                None => title.to_string(),
            };
            self.failures.add(failure(NAME, id, title.to_string(), None, "", line.no));
            return;
        }
        if let Some(c) = SCALATEST_TOTAL.captures(t) {
            let n = |i: usize| c[i].parse::<u64>().unwrap_or(0);
            let (ok, f, ign) = (n(1), n(2), n(4));
            self.scalatest.add(&Counts { run: Some(ok + f), passed: Some(ok), failed: Some(f), skipped: Some(ign) });
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        let c = if self.totals.is_empty() { &self.scalatest } else { &self.totals };
        super::report_into(out, &mut self.failures, c, &mut self.summary_lines);
    }
}
