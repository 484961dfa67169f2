//! go test:
//!
//! ```text
//! --- FAIL: TestParse (0.00s)
//!     --- FAIL: TestParse/empty_input (0.00s)
//! FAIL
//! FAIL    github.com/x/y/parser    0.012s
//! ok      github.com/x/y/lexer    0.004s
//! ```
//!
//! Ids are `package/TestName[/subtest]` once the package line that closes
//! the test output is seen, else the test name alone. A parent test whose
//! subtest failed is implied by the subtest and not reported separately.
//! go test prints no totals, so `failed` is the number of failing leaf tests
//! and `passed` the number of `--- PASS` lines (only shown with `-v`).



use super::{failure, Counts, FailureSet, Line, RunnerParser, RunnerReport, TestFailure, TwinRegex};

const NAME: &str = "go";

#[derive(Default)]
pub struct GoTest {
    failures: FailureSet,
    /// Test failures waiting for their package line.
    pending: Vec<TestFailure>,
    passed: u64,
    skipped: u64,
    seen: bool,
    summary_lines: Vec<u32>,
}

static RESULT: TwinRegex = TwinRegex::new(r"^--- (FAIL|PASS|SKIP): (\S+) \([\d.]+s\)$");
static PKG: TwinRegex = TwinRegex::new(r"^(FAIL|ok)\s+(\S+)\s+(?:[\d.]+s|\(cached\))");

impl RunnerParser for GoTest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["--- FAIL: ", "--- PASS: ", "--- SKIP: ", "FAIL\t", "ok  \t", "ok \t"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if t.starts_with("--- ") {
            if let Some(c) = RESULT.captures(t) {
                self.seen = true;
                match &c[1] {
                    "FAIL" => {
                        let name = c[2].to_string();
                        let leaf = name.rsplit('/').next().unwrap_or(&name).to_string();
                        self.pending.push(failure(NAME, name, leaf, None, "", line.no));
                    }
                    "PASS" => self.passed += 1,
                    _ => self.skipped += 1,
                }
            }
            return;
        }
        if let Some(c) = PKG.captures(t) {
            if &c[1] == "FAIL" {
                let pkg = c[2].to_string();
                for mut f in std::mem::take(&mut self.pending) {
                    f.id = format!("{pkg}/{}", f.id);
                    f.file = Some(pkg.clone());
                    self.failures.add(f);
                }
                self.summary_lines.push(line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        for f in std::mem::take(&mut self.pending) {
            self.failures.add(f);
        }
        // Drop parents of failing subtests: `pkg/TestX` when `pkg/TestX/sub` failed.
        let ids: Vec<String> = self.failures.iter().map(|f| f.id.clone()).collect();
        for id in &ids {
            let prefix = format!("{id}/");
            if ids.iter().any(|o| o.starts_with(&prefix)) {
                self.failures.remove(id);
            }
        }
        let failed = self.failures.len() as u64;
        self.failures.drain_into(out);
        if self.seen {
            super::add_counts(
                out,
                &Counts { run: Some(failed + self.passed), passed: Some(self.passed), failed: Some(failed), skipped: Some(self.skipped) },
            );
        }
        out.summary_lines.append(&mut self.summary_lines);
    }
}
