//! Python unittest (and nose, Django's runner, which print the same):
//!
//! ```text
//! ======================================================================
//! FAIL: test_x (pkg.module.TestClass)
//! ----------------------------------------------------------------------
//! ...
//! Ran 7 tests in 0.1s
//!
//! FAILED (failures=1, errors=2, skipped=1)
//! ```
//!
//! A `FAIL:`/`ERROR:` line only counts right after a `=====` rule: plenty of
//! tools print `ERROR: something` (pip, loggers) and they are not tests.
//! Counts are summed over every `Ran N tests` block: test scripts often run
//! several suites in one job.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "unittest";

/// How far below `Ran N tests` its verdict may be (it follows one blank line).
const VERDICT_WINDOW: u32 = 4;

/// How far below its header a failure's exception line may be.
const MESSAGE_WINDOW: u32 = 80;

#[derive(Default)]
pub struct Unittest {
    failures: FailureSet,
    /// Line number of the last `=====` rule.
    rule_at: u32,
    /// The last `Ran N tests` (line, N) not yet closed by `OK`/`FAILED`.
    ran: Option<(u32, u64)>,
    /// The last failure header, waiting for its message.
    pending: Option<String>,
    pending_at: u32,
    counts: Counts,
    summary_lines: Vec<u32>,
}

static HEAD: TwinRegex = TwinRegex::new(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S.*?)\s*$");
/// Verbose progress: `test_x (pkg.Class) ... FAIL`.
static VERBOSE: TwinRegex = TwinRegex::new(r"^(\w+ \([\w.]+\)) \.\.\. (FAIL|ERROR)$");
static RAN: TwinRegex = TwinRegex::new(r"^Ran (\d+) tests? in [\d.]+s$");
static RESULT: TwinRegex = TwinRegex::new(r"^(OK|FAILED)(?: \((.*)\))?$");
/// Exception lines that carry the message of the last failure.
static MESSAGE: TwinRegex = TwinRegex::new(r"^(?:[\w.]+(?:Error|Exception|Failure|Exit)|AssertionError)\b:?.*$");

impl RunnerParser for Unittest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        // `ERROR:` (a header) or ` ERROR` (verbose progress), not Maven's `[ERROR]`.
        // No `OK`: the verdict is read by wanting the few lines after `Ran`.
        // A two-byte trigger would cost a search of its own on every line.
        &["=====", "FAIL", "ERROR:", " ERROR", "UNEXPECTED SUCCESS", "Ran "]
    }

    /// Right after a failure header, until its exception line (bounded),
    /// and right after `Ran N tests`, until its verdict (bounded).
    fn wants_every_line(&self) -> bool {
        self.pending.is_some() || self.ran.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        if self.ran.is_some_and(|(at, _)| line.no > at + VERDICT_WINDOW) {
            self.ran = None;
        }
        let t = super::payload(line.text).trim_end();
        if t.len() >= 20 && t.bytes().all(|b| b == b'=') {
            self.rule_at = line.no;
            self.pending = None;
            return;
        }
        if self.rule_at != 0 && line.no == self.rule_at + 1 {
            if let Some(c) = HEAD.captures(t) {
                let raw = c[2].to_string();
                let id = raw.strip_prefix("Doctest: ").unwrap_or(&raw).to_string();
                let name = id.split(' ').next().unwrap_or(&id).to_string();
                self.failures.add(failure(NAME, id.clone(), name, None, "", line.no));
                self.pending = Some(id);
                self.pending_at = line.no;
                return;
            }
        }
        if let Some(id) = &self.pending {
            if line.no > self.pending_at + MESSAGE_WINDOW {
                self.pending = None;
            } else if MESSAGE.is_match(t) {
                if let Some(f) = self.failures.get_mut(id) {
                    f.message = super::clip_message(t);
                }
                self.pending = None;
            }
        }
        if t.ends_with(" ... FAIL") || t.ends_with(" ... ERROR") {
            if let Some(c) = VERBOSE.captures(t) {
                let id = c[1].to_string();
                let name = id.split(' ').next().unwrap_or(&id).to_string();
                self.failures.add(failure(NAME, id, name, None, "", line.no));
            }
            return;
        }
        if let Some(rest) = t.strip_prefix("Ran ") {
            if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                if let Some(c) = RAN.captures(t) {
                    self.ran = Some((line.no, c[1].parse().unwrap_or(0)));
                }
            }
            return;
        }
        if t.starts_with("OK") || t.starts_with("FAILED") {
            let Some((_, run)) = self.ran else { return };
            if let Some(c) = RESULT.captures(t) {
                self.ran = None;
                let mut k = Counts { run: Some(run), failed: Some(0), skipped: Some(0), ..Default::default() };
                if let Some(list) = c.get(2) {
                    for part in list.as_str().split(',') {
                        let Some((key, n)) = part.trim().split_once('=') else { continue };
                        let n: u64 = n.trim().parse().unwrap_or(0);
                        match key.trim().to_ascii_lowercase().as_str() {
                            "failures" | "errors" | "unexpected successes" => k.failed = Some(k.failed.unwrap_or(0) + n),
                            "skipped" | "skip" => k.skipped = Some(n),
                            _ => {}
                        }
                    }
                }
                k.passed = Some(run.saturating_sub(k.failed.unwrap_or(0) + k.skipped.unwrap_or(0)));
                self.counts.add(&k);
                self.summary_lines.push(line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
