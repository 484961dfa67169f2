//! Adapters from `ci-triage`'s [`Analysis`] to our view model.
//!
//! Kept in one place so the stored formats do not move when the engine's
//! types do. The triage engine numbers raw log lines; GitHub's job page
//! anchors lines per step (`#step:<n>:<line>`, both 1-based, line 1 = the
//! step's first log line). [`JobContext::api_steps`] maps logged step names
//! to GitHub's step numbers.

use ci_triage::{Analysis, Failure};

use crate::model::{FailureView, JobOutcome, JobReport, LogAnchor};

/// Most failures kept per job (the block packer shortens further if needed).
pub const MAX_FAILURES: usize = 100;
/// Context lines kept per failure.
pub const EXCERPT_CONTEXT: usize = 8;

/// What GitHub's API says about a job (the part triage cannot know).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobContext {
    /// Job id.
    pub job_id: u64,
    /// Job name.
    pub name: String,
    /// Run html url.
    pub run_url: String,
    /// Job html url.
    pub job_url: String,
    /// Job `started_at` (ISO, verbatim).
    pub started_at: Option<String>,
    /// Run head sha.
    pub head_sha: Option<String>,
    /// Job conclusion.
    pub conclusion: Option<String>,
    /// `(number, name)` of every step of the job, from the jobs API.
    pub api_steps: Vec<(u32, String)>,
    /// Names of steps whose conclusion is failure/timed_out/cancelled.
    pub failed_steps: Vec<String>,
}

/// GitHub step number and step start line for a logged step name.
fn step_of(analysis: &Analysis, ctx: &JobContext, step_name: &str) -> Option<(u32, u32)> {
    let logged_index = analysis.steps.iter().position(|s| s.name == step_name)?;
    let logged = &analysis.steps[logged_index];
    let number = ctx
        .api_steps
        .iter()
        .find(|(_, n)| n == step_name)
        .map(|(n, _)| *n)
        .or_else(|| {
            // Logged and API steps line up one-to-one when the counts match.
            (ctx.api_steps.len() == analysis.steps.len()).then(|| ctx.api_steps[logged_index].0)
        })?;
    Some((number, logged.start))
}

fn anchor(analysis: &Analysis, ctx: &JobContext, f: &Failure) -> Option<LogAnchor> {
    let (number, start) = step_of(analysis, ctx, f.step.as_deref()?)?;
    let line = f.line.checked_sub(start)? + 1;
    Some(LogAnchor { step: number, line })
}

fn excerpt(analysis: &Analysis, line: u32) -> Vec<String> {
    let Some(e) = analysis.excerpts.iter().find(|e| e.line == line) else {
        return Vec::new();
    };
    // Centre the window on the key line.
    let at = e.context.iter().position(|l| l.no == line).unwrap_or(0);
    let from = at.saturating_sub(EXCERPT_CONTEXT / 2);
    e.context.iter().skip(from).take(EXCERPT_CONTEXT).map(|l| l.text.clone()).collect()
}

fn failure_view(analysis: &Analysis, ctx: &JobContext, f: &Failure) -> FailureView {
    let (test_file, test_function) = match &f.test {
        Some(t) => match &t.file {
            Some(file) => (Some(file.clone()), Some(t.name.clone())),
            None => (None, Some(t.id.clone())),
        },
        None => (None, None),
    };
    FailureView {
        test_file,
        test_function,
        message: f.message.clone(),
        fingerprint: f.fingerprint.clone(),
        anchor: anchor(analysis, ctx, f),
        excerpt: excerpt(analysis, f.line),
    }
}

/// Build the [`JobReport`] of one analysed job.
pub fn job_report(ctx: &JobContext, analysis: &Analysis) -> JobReport {
    let failures: Vec<FailureView> =
        analysis.failures.iter().take(MAX_FAILURES).map(|f| failure_view(analysis, ctx, f)).collect();
    let headline = analysis
        .failures
        .first()
        .map(|f| f.message.clone())
        .or_else(|| {
            let e = analysis.excerpts.first()?;
            e.context.iter().find(|l| l.no == e.line).map(|l| l.text.clone())
        })
        .filter(|h| !h.trim().is_empty());
    let mut failed_steps = ctx.failed_steps.clone();
    if failed_steps.is_empty() {
        failed_steps.extend(analysis.failing_step.clone());
    }
    // A job with no recognised failure still gets a cluster key: the
    // category, so "unknown infra failure" jobs group together.
    let fingerprint = analysis
        .failures
        .first()
        .map(|f| f.fingerprint.clone())
        .or_else(|| Some(format!("category:{}", analysis.verdict.category)));
    JobReport {
        job_id: ctx.job_id,
        name: ctx.name.clone(),
        run_url: ctx.run_url.clone(),
        started_at: ctx.started_at.clone(),
        failed_steps,
        job_url: ctx.job_url.clone(),
        head_sha: ctx.head_sha.clone(),
        conclusion: ctx.conclusion.clone(),
        outcome: JobOutcome::Analyzed,
        category: Some(analysis.verdict.category.clone()),
        fingerprint,
        headline,
        failures,
        analysis: None,
        legacy: false,
        truncated: false,
    }
}

/// A job whose analysis could not run (log gone, timeout): recorded so it is
/// not retried forever, and shown as needing manual triage.
pub fn incomplete_job(ctx: &JobContext, reason: &str) -> JobReport {
    JobReport {
        job_id: ctx.job_id,
        name: ctx.name.clone(),
        run_url: ctx.run_url.clone(),
        started_at: ctx.started_at.clone(),
        failed_steps: ctx.failed_steps.clone(),
        job_url: ctx.job_url.clone(),
        head_sha: ctx.head_sha.clone(),
        conclusion: ctx.conclusion.clone(),
        outcome: JobOutcome::Incomplete { reason: reason.to_string() },
        ..JobReport::default()
    }
}
