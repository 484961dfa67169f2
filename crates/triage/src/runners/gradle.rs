//! Gradle's test task console output:
//!
//! ```text
//! com.x.ClassTest > testName FAILED
//! UserEndpointTest > GetUserDetail > rejectsUnknown() FAILED
//! TestNG > Suite > com.x.ClassTest.testName FAILED
//! 2966 tests completed, 1 failed, 5 skipped
//! ```
//!
//! Ids are `pkg.Class.method` (nested JUnit 5 classes joined with `$`, as
//! in the class file name). When the last segment is already a qualified
//! `pkg.Class.method` (TestNG, parameterised JUnit 5 invocations) it is the
//! id. Counts are summed over every test task's `N tests completed` line
//! (one per task / module); a task that passes prints none.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "gradle";

#[derive(Default)]
pub struct Gradle {
    failures: FailureSet,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static COMPLETED: TwinRegex = TwinRegex::new(r"^(\d+) tests? completed, (\d+) failed(?:, (\d+) skipped)?\s*$");
static CLASS: TwinRegex = TwinRegex::new(r"^[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*$");
/// `pkg.Class.method...` with at least two dots before any `(` / `[`.
static QUALIFIED: TwinRegex = TwinRegex::new(r"^[A-Za-z_][\w$]*(?:\.[\w$]+){2,}(?:[( \[].*)?$");

impl RunnerParser for Gradle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[" FAILED", "tests completed", "test completed"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if let Some(head) = t.strip_suffix(" FAILED") {
            self.failed_line(head.trim_end(), line.no);
            return;
        }
        if t.contains(" completed, ") {
            if let Some(c) = COMPLETED.captures(t) {
                let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
                let (run, failed, skipped) = (n(1), n(2), n(3));
                self.counts.add(&Counts {
                    run: Some(run),
                    failed: Some(failed),
                    skipped: Some(skipped),
                    passed: Some(run.saturating_sub(failed + skipped)),
                });
                self.summary_lines.push(line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}

impl Gradle {
    fn failed_line(&mut self, head: &str, no: u32) {
        if head.starts_with('>') || head.starts_with(':') || head.starts_with("BUILD") || head.starts_with("FAILED") {
            return;
        }
        if !head.contains(" > ") {
            // `pkg.Class.method FAILED` (some TestNG set-ups): only a fully
            // qualified name on its own, never prose.
            if QUALIFIED.is_match(head) && !head.contains(' ') {
                self.add(head.to_string(), no);
            }
            return;
        }
        let parts: Vec<&str> = head.split(" > ").map(str::trim).collect();
        let last = *parts.last().unwrap_or(&"");
        if last.is_empty() {
            return;
        }
        let cut = last.find([' ', '(', '[']).unwrap_or(last.len());
        if last[..cut].matches('.').count() >= 2 && QUALIFIED.is_match(last) {
            self.add(last.to_string(), no);
            return;
        }
        // Known wrappers (`Gradle suite > Gradle test > ...`, `TestNG > ...`)
        // precede the class; anything else first (a karma browser line
        // such as `Chrome 120 suite should work > nested FAILED`) is not
        // Gradle.
        let ci = parts.iter().take_while(|p| p.starts_with("Gradle ") || **p == "TestNG").count();
        if ci + 1 >= parts.len() || !CLASS.is_match(parts[ci]) {
            return;
        }
        let mut class = parts[ci].to_string();
        // JUnit 5 parameterised: `Class > method(int) > [1] 5` is one
        // invocation of `Class.method(int)`.
        let mid = &parts[ci + 1..parts.len() - 1];
        if let Some((method, nested)) = mid.split_last().filter(|(m, _)| m.ends_with(')')) {
            for n in nested {
                class.push('$');
                class.push_str(n);
            }
            self.add(format!("{class}.{method}{last}"), no);
            return;
        }
        for nested in &parts[ci + 1..parts.len() - 1] {
            class.push('$');
            class.push_str(nested);
        }
        self.add(format!("{class}.{last}"), no);
    }

    fn add(&mut self, id: String, no: u32) {
        let cut = id.find(['(', '[', ' ']).unwrap_or(id.len());
        let name = match id[..cut].rfind('.') {
            Some(p) => id[p + 1..].to_string(),
            None => id.clone(),
        };
        self.failures.add(failure(NAME, id, name, None, "", no));
    }
}
