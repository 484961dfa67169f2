//! Ant's `<junit>` task and the JUnit Platform console launcher (which Ant,
//! plain `java -jar junit-platform-console-standalone` and some Gradle set-ups
//! print).
//!
//! ```text
//! [junit] Testsuite: pkg.ClassTest
//! [junit] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 1.4 sec
//! [junit] Testcase: testX took 0.01 sec
//! [junit]     FAILED                      <- or `Caused an ERROR`
//! [junit] Testcase: testY(pkg.ClassTest):    FAILED
//!
//! [junit]   JUnit Jupiter:ClassTest:probe()
//! [junit]     MethodSource [className = 'pkg.ClassTest', methodName = 'probe', ...]
//! [junit] [        14 tests failed          ]
//! ```
//!
//! Ids are `pkg.Class.method`. Ant prints a suite's `Tests run` line once per
//! formatter (plain + brief = twice), so only the first one after each
//! `Testsuite:` counts; suites are summed.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "junit";

#[derive(Default)]
pub struct Ant {
    failures: FailureSet,
    suite: Option<String>,
    suite_counted: bool,
    /// The last `Testcase: name took ...` (line, name), waiting for a verdict
    /// on the next line.
    testcase: Option<(u32, String)>,
    counts: Counts,
    /// Totals from the JUnit Platform summary box; they win over suites.
    platform: Counts,
    summary_lines: Vec<u32>,
}

static TESTS_RUN: TwinRegex = TwinRegex::new(r"^Tests run: (\d+), Failures: (\d+), Errors: (\d+)(?:, Skipped: (\d+))?");
static TESTCASE: TwinRegex = TwinRegex::new(r"^Testcase: (.+?)(?: took [\d.,]+ sec|:\s*(FAILED|Caused an ERROR))\s*$");
static METHOD_SOURCE: TwinRegex = TwinRegex::new(r"^MethodSource \[className = '([^']+)', methodName = '([^']+)'");
static BOX: TwinRegex = TwinRegex::new(r"^\[\s*(\d+) tests (successful|failed|skipped|found|aborted)\s*\]$");

impl RunnerParser for Ant {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["[junit]", "MethodSource [", " tests failed", " tests successful", " tests skipped", " tests found"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim();
        let (t, junit) = match raw.strip_prefix("[junit]") {
            Some(r) => (r.trim(), true),
            None => (raw, false),
        };
        if t.starts_with('[') {
            if let Some(c) = BOX.captures(t) {
                let n: u64 = c[1].parse().unwrap_or(0);
                match &c[2] {
                    "successful" => self.platform.passed = Some(n),
                    "failed" => self.platform.failed = Some(n),
                    "skipped" => self.platform.skipped = Some(n),
                    "found" => self.platform.run = Some(n),
                    _ => {}
                }
                if &c[2] == "failed" {
                    self.summary_lines.push(line.no);
                }
            }
            return;
        }
        if let Some(c) = METHOD_SOURCE.captures(t) {
            let id = format!("{}.{}", &c[1], &c[2]);
            self.failures.add(failure(NAME, id, c[2].to_string(), None, "", line.no));
            return;
        }
        if !junit {
            return;
        }
        if let Some(s) = t.strip_prefix("Testsuite: ") {
            self.suite = Some(s.trim().to_string());
            self.suite_counted = false;
            return;
        }
        if t.starts_with("Tests run:") {
            if let Some(c) = TESTS_RUN.captures(t) {
                if self.suite_counted {
                    return;
                }
                self.suite_counted = true;
                let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
                let (run, f, e, s) = (n(1), n(2), n(3), n(4));
                self.counts.add(&Counts {
                    run: Some(run),
                    failed: Some(f + e),
                    skipped: Some(s),
                    passed: Some(run.saturating_sub(f + e + s)),
                });
                self.summary_lines.push(line.no);
            }
            return;
        }
        if let Some(c) = TESTCASE.captures(t) {
            let name = c[1].trim().to_string();
            if c.get(2).is_some() {
                self.add(&name, line.no);
            } else {
                self.testcase = Some((line.no, name));
            }
            return;
        }
        if t == "FAILED" || t == "Caused an ERROR" {
            if let Some((at, name)) = self.testcase.take() {
                if line.no == at + 1 {
                    self.add(&name, at);
                }
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        let c = if self.platform.failed.is_some() { &self.platform } else { &self.counts };
        super::report_into(out, &mut self.failures, c, &mut self.summary_lines);
    }
}

impl Ant {
    /// `testX` (class from the suite) or `testX(pkg.Class)`.
    fn add(&mut self, name: &str, no: u32) {
        let (method, class) = match name.rfind('(') {
            Some(p) if name.ends_with(')') && name[p + 1..name.len() - 1].contains('.') => {
                (name[..p].to_string(), Some(name[p + 1..name.len() - 1].to_string()))
            }
            _ => (name.to_string(), self.suite.clone()),
        };
        let id = match class {
            Some(c) => format!("{c}.{method}"),
            None => method.clone(),
        };
        self.failures.add(failure(NAME, id, method, None, "", no));
    }
}
