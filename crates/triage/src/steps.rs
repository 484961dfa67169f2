//! The CI steps of a log, as the CI system marks them, seen one line at a
//! time: which step each line belongs to and which step failed the job.
//! Ranking favours lines of the failing step, and the verdict reads what
//! failed inside it.
//!
//! GitHub Actions: a step starts at `##[group]Run …` (and at `Post job
//! cleanup.`); GitHub wraps only the command echo in the group, the step's
//! output follows `##[endgroup]` and belongs to the same step until the
//! next step starts. The failing step is the first one ending in
//! `##[error]Process completed with exit code N` (N ≠ 0); JavaScript and
//! Docker actions fail with an annotation only, so otherwise it is the
//! first non-cleanup step with any `##[error]` line.
//!
//! This is the one place that knows step markers: a CI system's markers are
//! added in [`Steps::observe`], never in the engine.

use crate::analysis::Step;

/// Steps seen so far, with what ranking asks on every candidate.
#[derive(Default)]
pub(crate) struct Steps {
    pub(crate) list: Vec<Step>,
    gha: bool,
    /// First step (not a post/cleanup step) with any `##[error]` line: the
    /// failing step when no `Process completed with exit code` says so
    /// (JavaScript and Docker actions fail with an annotation only).
    first_error_step: Option<usize>,
    /// First step whose exit code says it failed; kept here because every
    /// candidate asks and step flags change only on exit-code lines.
    pub(crate) first_failed: Option<usize>,
}

impl Steps {
    /// Index of the step the last observed line belongs to (0 when the log
    /// has no steps).
    pub(crate) fn current(&self) -> usize {
        self.list.len().saturating_sub(1)
    }

    /// One line: `raw` as read (without `\n`), `text` the cleaned line
    /// (timestamp cut, ANSI and `\r` redraws removed), not yet checked to
    /// be UTF-8. `had_ts` says the raw line began with a GitHub timestamp.
    pub(crate) fn observe(&mut self, no: u32, _raw: &[u8], text: &[u8], had_ts: bool) {
        if no == 1 && had_ts {
            self.gha = true;
        }
        let name = |b: &[u8]| String::from_utf8_lossy(b).trim_end().to_string();
        let start_name = if let Some(rest) = text.strip_prefix(b"##[group]") {
            rest.starts_with(b"Run ").then(|| name(rest))
        } else if self.gha && (text.starts_with(b"Post job cleanup.") || text.starts_with(b"Cleaning up orphan processes")) {
            Some(name(text))
        } else {
            None
        };
        if let Some(name) = start_name {
            self.gha = true;
            if self.list.is_empty() && no > 1 {
                self.list.push(Step { name: "Set up job".into(), start: 1, end: no - 1, failed: false, exit_code: None });
            }
            if let Some(last) = self.list.last_mut() {
                last.end = no - 1;
            }
            self.list.push(Step { name, start: no, end: no, failed: false, exit_code: None });
            return;
        }
        if text.starts_with(b"##[error]") && self.first_error_step.is_none() {
            let cur = self.current();
            let post = self.list.get(cur).is_some_and(|s| s.name.starts_with("Post ") || s.name.starts_with("Cleaning up"));
            if !post {
                self.first_error_step = Some(cur);
            }
        }
        if let Some(rest) = text.strip_prefix(b"##[error]Process completed with exit code ") {
            let code = std::str::from_utf8(rest).ok().and_then(|r| r.trim_end_matches(['.', ' ']).parse::<i32>().ok());
            if self.list.is_empty() {
                self.list.push(Step { name: "Set up job".into(), start: 1, end: no, failed: false, exit_code: None });
            }
            let s = self.list.last_mut().expect("non-empty");
            s.exit_code = code;
            s.failed = code != Some(0);
            self.first_failed = self.list.iter().position(|s| s.failed);
        }
    }

    /// End of input after line `last_no`: the last step ends there.
    pub(crate) fn finish(&mut self, last_no: u32) {
        if let Some(last) = self.list.last_mut() {
            last.end = last_no;
        }
    }

    /// The step that failed the job, if the log says.
    pub(crate) fn failing(&self) -> Option<usize> {
        self.first_failed.or(if self.list.is_empty() { None } else { self.first_error_step })
    }
}
