//! A triaged job → its [`JobReport`]: the one conversion from the triage
//! engine's [`Analysis`] (and the GitHub run and job it came from) to what
//! the reports render and persist.

use ci_model::{Job, WorkflowRun};
use ci_triage::{Analysis, TestRef};

use crate::model::{FailureView, JobOutcome, JobReport, LogAnchor};
use crate::workflow_comment::EXCERPT_LINES;

/// Failures kept per job (a collection error can fail hundreds of tests).
pub const MAX_FAILURES: usize = 40;

impl JobReport {
    /// The report of a job whose log was triaged.
    pub fn analyzed(run: &WorkflowRun, job: &Job, analysis: &Analysis) -> JobReport {
        let mut report = JobReport::of(run, job);
        report.category = Some(analysis.verdict.category);
        if analysis.failures.len() > MAX_FAILURES {
            report.failures_total = u32::try_from(analysis.failures.len()).unwrap_or(u32::MAX);
        }
        report.failures = analysis
            .failures
            .iter()
            .take(MAX_FAILURES)
            .map(|f| {
                let (test_file, test_function) = f.test.as_ref().map(FailureView::test_parts).unwrap_or_default();
                let message = if f.message.trim().is_empty() {
                    error_line_after(analysis, f.line).unwrap_or_default()
                } else {
                    f.message.clone()
                };
                FailureView {
                    test_file,
                    test_function,
                    message,
                    fingerprint: f.fingerprint.clone(),
                    anchor: log_anchor(job, analysis, f.line),
                    excerpt: excerpt(analysis, f.line),
                }
            })
            .collect();
        // A job-level fault (GPU memory fault, watchdog, …) among the key
        // lines explains the job even when triage listed only its symptoms.
        if !report.failures.iter().any(|f| crate::cause::job_fault(&f.message).is_some()) {
            let fault = analysis.excerpts.iter().find_map(|e| {
                let l = e.context.iter().find(|l| l.no == e.line)?;
                crate::cause::job_fault(&l.text).map(|_| (e.line, l.text.trim().to_string()))
            });
            if let Some((line, text)) = fault {
                report.failures.push(FailureView {
                    message: text.clone(),
                    fingerprint: ci_triage::fingerprint(&text, "job-fault", None),
                    anchor: log_anchor(job, analysis, line),
                    excerpt: excerpt(analysis, line),
                    ..Default::default()
                });
            }
        }
        if report.failures.is_empty() {
            // Nothing recognised: the job still gets an identity so it clusters
            // with the same unexplained failure elsewhere (same workflow + step).
            let step =
                analysis.failing_step.clone().or_else(|| report.failed_steps.first().cloned()).unwrap_or_default();
            let headline = analysis
                .excerpts
                .first()
                .and_then(|e| e.context.iter().find(|l| l.no == e.line))
                .map(|l| l.text.clone())
                .unwrap_or_else(|| format!("failed step `{step}` (no failure line recognised)"));
            report.fingerprint = Some(ci_triage::fingerprint(&headline, "unrecognised", Some(&step)));
            report.headline = Some(headline);
        } else {
            report.headline = report.top_line();
        }
        report
    }

    /// A job whose log could not be analysed: still recorded (and
    /// deduplicated) so it is not retried every tick, shown with the reason.
    pub fn incomplete(run: &WorkflowRun, job: &Job, reason: &str) -> JobReport {
        let mut report = JobReport::of(run, job);
        report.outcome = JobOutcome::Incomplete { reason: reason.to_string() };
        report.fingerprint = Some(ci_triage::fingerprint(reason, "incomplete", Some(&job.name)));
        report.headline = Some(reason.to_string());
        report
    }

    /// What GitHub says about the job, before any analysis.
    fn of(run: &WorkflowRun, job: &Job) -> JobReport {
        JobReport {
            job_id: job.id,
            name: job.name.clone(),
            run_url: run.html_url.clone(),
            started_at: job.started_at.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            failed_steps: job.failed_steps().iter().map(|s| s.name.clone()).collect(),
            job_url: job.html_url.clone().unwrap_or_default(),
            head_sha: Some(run.head_sha.clone()).filter(|s| !s.is_empty()),
            conclusion: job.conclusion.clone(),
            ..Default::default()
        }
    }
}

impl FailureView {
    /// A triaged test as `(file, function)`, the shape the job block
    /// persists (`file`, `func`); [`FailureView::test_id`] joins them back.
    /// The function is the runner's id after the file (`TestX::test_y[p]`),
    /// else the test's short name.
    pub fn test_parts(test: &TestRef) -> (Option<String>, Option<String>) {
        // The id is the framework's own (what `analyze-log` prints); the
        // parts must join back to exactly it (see `FailureView::test_id`).
        let function = match &test.file {
            Some(file) => test.id.strip_prefix(file.as_str()).map(|r| r.strip_prefix("::").unwrap_or(r).to_string()),
            None => Some(test.id.clone()),
        }
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| test.name.clone());
        (test.file.clone(), Some(function).filter(|s| !s.is_empty()))
    }
}

/// The error line a runner printed right after a failing test's line when
/// triage kept none (Go's indented `file.go:12: msg`, a Java exception):
/// looked up in the excerpt around the failure line.
fn error_line_after(analysis: &Analysis, line: u32) -> Option<String> {
    let e = analysis.excerpts.iter().find(|e| e.line == line)?;
    let own = e.context.iter().find(|l| l.no == line)?;
    let next = e.context.iter().find(|l| l.no == line + 1)?;
    let indent = |s: &str| s.len() - s.trim_start().len();
    let text = next.text.trim();
    let header = text.starts_with("--- ") || text.starts_with("=== ") || text.starts_with('[') || text.is_empty();
    let deeper = indent(&next.text) > indent(&own.text) && !header;
    let exception = text
        .split(|c: char| c == ':' || c.is_whitespace())
        .next()
        .is_some_and(|w| w.len() > 5 && (w.ends_with("Error") || w.ends_with("Exception") || w.ends_with("Failure")));
    (deeper || exception).then(|| text.to_string())
}

/// The key line and the lines before it (a traceback ends at the error),
/// [`EXCERPT_LINES`] in all.
fn excerpt(analysis: &Analysis, line: u32) -> Vec<String> {
    let Some(e) = analysis.excerpts.iter().find(|e| e.line == line) else {
        return Vec::new();
    };
    let pos = e.context.iter().position(|l| l.no == line).unwrap_or(0);
    let start = pos.saturating_sub(EXCERPT_LINES - 2);
    e.context.iter().skip(start).take(EXCERPT_LINES).map(|l| l.text.clone()).collect()
}

/// GitHub anchors a log line as `#step:<api step number>:<line in step>`.
/// The log's own step sections are matched to the API's steps by name,
/// else — when exactly one step failed on both sides — by that fact.
/// (Also the link of a line an LLM narrative quotes.)
pub fn log_anchor(job: &Job, analysis: &Analysis, line: u32) -> Option<LogAnchor> {
    let log_step = analysis.steps.iter().find(|s| s.start <= line && line <= s.end)?;
    let norm = |s: &str| s.trim().trim_start_matches("Run ").trim().to_string();
    let api_step = job
        .steps
        .iter()
        .find(|s| s.name == log_step.name || norm(&s.name) == norm(&log_step.name))
        .or_else(|| {
            let failed = job.failed_steps();
            let log_failed = analysis.steps.iter().filter(|s| s.failed).count();
            (failed.len() == 1 && log_failed == 1 && log_step.failed).then(|| failed[0])
        })?;
    Some(LogAnchor { step: api_step.number, line: line - log_step.start + 1 })
}
