//! mocha's spec reporter, and karma-mocha-reporter (browser runs):
//!
//! ```text
//!   634 passing (3s)
//!   5 pending
//!   1 failing
//!
//!   1) shared.ops.scoreTask
//!        scores
//!          does not modify stats when task need approval:
//!      TypeError: Cannot set property 'required' of undefined
//! ```
//!
//! The numbered list after `N failing` spells each full title over several
//! lines indented past the `N) ` (the message that follows is not); the id
//! is those lines joined
//! with spaces (mocha's own "full title"). The list is read with every line
//! (`wants_every_line`) and closed once `N` entries were read, so the short
//! window never swallows unrelated output.
//!
//! karma-mocha-reporter prints `FAILED TESTS:` then `✖ title` per failure,
//! and `✔ N tests completed` / `✖ N tests failed` counts. Counts of several
//! runs in one log (one per package or browser) are summed.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "mocha";

/// How long a failing list may run before we stop reading every line.
const MAX_SECTION_LINES: u32 = 5000;

#[derive(Default)]
pub struct Mocha {
    failures: FailureSet,
    /// Inside the numbered list: (declared failures, entries read, start line).
    section: Option<(u64, u64, u32)>,
    /// Title lines of the entry being read, with its first line number and
    /// the indentation of its `N)` line.
    title: Vec<String>,
    title_at: u32,
    title_indent: usize,
    in_karma_failed: bool,
    counts: Counts,
    seen_counts: bool,
    summary_lines: Vec<u32>,
}

static PASSING: TwinRegex = TwinRegex::new(r"^(\d+) (passing|failing|pending)(?: \(.*\))?$");
static ENTRY: TwinRegex = TwinRegex::new(r"^(\d+)\) (.+)$");
static KARMA_COUNT: TwinRegex = TwinRegex::new(r"^[✔✖ℹ]\s+(\d+) tests? (completed|failed|skipped)$");

impl RunnerParser for Mocha {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[" passing", " failing", " pending", "✖", "✔", "ℹ", "FAILED TESTS:", "SUMMARY:"]
    }

    fn wants_every_line(&self) -> bool {
        self.section.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim_end();
        let t = raw.trim_start();
        if self.section.is_some() {
            self.section_line(raw, line.no);
            if self.section.is_some() {
                return;
            }
        }
        // Each capture below is tried only where its anchors could match:
        // most fed lines are `✔ title` (a passing test), and a failed
        // capture still costs a search.
        if let Some(c) = may_start_with_digit(t).then(|| PASSING.captures(t)).flatten() {
            let n: u64 = c[1].parse().unwrap_or(0);
            self.seen_counts = true;
            match &c[2] {
                "passing" => {
                    self.counts.passed = Some(self.counts.passed.unwrap_or(0) + n);
                    self.counts.failed.get_or_insert(0);
                    self.summary_lines.push(line.no);
                }
                "pending" => self.counts.skipped = Some(self.counts.skipped.unwrap_or(0) + n),
                _ => {
                    self.counts.failed = Some(self.counts.failed.unwrap_or(0) + n);
                    self.summary_lines.push(line.no);
                    if n > 0 {
                        self.section = Some((n, 0, line.no));
                    }
                }
            }
            return;
        }
        if t == "FAILED TESTS:" {
            self.in_karma_failed = true;
            return;
        }
        if t == "SUMMARY:" {
            self.in_karma_failed = false;
            return;
        }
        if let Some(c) = (t.ends_with("completed") || t.ends_with("failed") || t.ends_with("skipped")).then(|| KARMA_COUNT.captures(t)).flatten() {
            let n: u64 = c[1].parse().unwrap_or(0);
            self.seen_counts = true;
            match &c[2] {
                "completed" => {
                    self.counts.passed = Some(self.counts.passed.unwrap_or(0) + n);
                    self.counts.failed.get_or_insert(0);
                }
                "failed" => self.counts.failed = Some(self.counts.failed.unwrap_or(0) + n),
                _ => self.counts.skipped = Some(self.counts.skipped.unwrap_or(0) + n),
            }
            self.summary_lines.push(line.no);
            return;
        }
        if self.in_karma_failed {
            if let Some(title) = t.strip_prefix('✖') {
                let title = title.trim();
                if !title.is_empty() {
                    self.failures.add(failure(NAME, title.to_string(), title.to_string(), None, "", line.no));
                }
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close_title();
        self.failures.drain_into(out);
        if self.seen_counts {
            let mut c = self.counts.clone();
            c.run = Some(c.passed.unwrap_or(0) + c.failed.unwrap_or(0));
            super::add_counts(out, &c);
        }
        out.summary_lines.append(&mut self.summary_lines);
    }
}

/// False when `t` cannot start with a `\d` (Unicode: a non-ASCII first
/// character is left to the regex, which fails fast on the `✔` of most
/// fed lines; `char::is_numeric` there cost more than it saved).
fn may_start_with_digit(t: &str) -> bool {
    t.as_bytes().first().is_some_and(|&b| b.is_ascii_digit() || !b.is_ascii())
}

impl Mocha {
    fn section_line(&mut self, raw: &str, no: u32) {
        let Some((_, _, start)) = self.section else { return };
        if no > start + MAX_SECTION_LINES {
            self.close_title();
            self.section = None;
            return;
        }
        let indent = raw.len() - raw.trim_start().len();
        let t = raw.trim();
        if !self.title.is_empty() {
            if t.is_empty() {
                self.close_title();
            } else if indent >= self.title_indent + 5 && self.title.len() < 12 && ENTRY.captures(t).is_none() {
                // Title lines sit two columns right of the `N) ` text; the
                // error message starts at its column.
                self.title.push(t.to_string());
                return;
            } else {
                self.close_title();
            }
        }
        if self.section.is_none() {
            return;
        }
        if t.is_empty() {
            return;
        }
        if indent == 0 {
            // Unindented output: the reporter is done.
            self.section = None;
            return;
        }
        if let Some(c) = ENTRY.captures(t) {
            self.title.push(c[2].trim().to_string());
            self.title_at = no;
            self.title_indent = indent;
        }
    }

    fn close_title(&mut self) {
        if self.title.is_empty() {
            return;
        }
        // Each title line may end with `:` (always the last, sometimes the
        // suite's too); the full title has none.
        let parts: Vec<&str> = self.title.iter().map(|p| p.strip_suffix(':').unwrap_or(p).trim()).collect();
        let id = parts.join(" ");
        self.title.clear();
        if !id.is_empty() {
            let name = id.clone();
            self.failures.add(failure(NAME, id, name, None, "", self.title_at));
        }
        if let Some((n, seen, start)) = self.section {
            self.section = if seen + 1 >= n { None } else { Some((n, seen + 1, start)) };
        }
    }
}
