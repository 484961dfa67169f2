//! What each action writes to `$GITHUB_STEP_SUMMARY`: a short Markdown
//! account of one run of the action, shown on the workflow run's page.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ci_model::{FailureStatus, IssueNumber};

use crate::model::JobReport;
use crate::safe;

/// `ensure-daily-issue`: which issue the day has. `issue` is `None` only in
/// dry-run, before the issue exists.
pub fn ensure_daily_issue(date: NaiveDate, issue: Option<(IssueNumber, &str)>, existed: bool) -> String {
    match issue {
        Some((number, url)) => format!(
            "### ensure-daily-issue\n\n{} daily issue #{number} for {date}: {url}\n",
            if existed { "Found" } else { "Created" },
        ),
        None => format!("### ensure-daily-issue\n\n(dry-run) would create the daily issue for {date}\n"),
    }
}

/// What one `analyze-workflow` run saw and did.
#[derive(Debug, Clone, Copy)]
pub struct AnalyzeWorkflowSummary<'a> {
    /// Workflow file name.
    pub workflow: &'a str,
    /// Failed (non-gate) jobs of completed runs in the window.
    pub failed_in_window: usize,
    /// Gate jobs skipped.
    pub gates_skipped: usize,
    /// Jobs analysed in this run.
    pub new_jobs: &'a [JobReport],
    /// Jobs in the report (recovered and new).
    pub reported_jobs: usize,
    /// Runs still in flight.
    pub runs_in_flight: usize,
    /// Nothing changed since the last scan, so nothing was written.
    pub unchanged: bool,
    /// Status of each symptom cluster, by fingerprint.
    pub statuses: &'a BTreeMap<String, FailureStatus>,
}

/// `analyze-workflow`: counts, then the newly analysed jobs' headlines.
pub fn analyze_workflow(s: &AnalyzeWorkflowSummary<'_>) -> String {
    let mut out = format!("### analyze-workflow `{}`\n\n", s.workflow);
    out.push_str(&format!(
        "- failed jobs in window: {} (gate jobs skipped: {})\n- newly analysed: {}\n- in the report: {}\n- runs in flight: {}\n",
        s.failed_in_window,
        s.gates_skipped,
        s.new_jobs.len(),
        s.reported_jobs,
        s.runs_in_flight
    ));
    if s.unchanged {
        out.push_str("- nothing changed since the last scan: no writes\n");
    }
    let count = |st: FailureStatus| s.statuses.values().filter(|v| **v == st).count();
    out.push_str(&format!(
        "- symptom clusters: {} new, {} persistent, {} flaky, {} without history\n",
        count(FailureStatus::New),
        count(FailureStatus::Persistent),
        count(FailureStatus::Flaky),
        count(FailureStatus::NoHistory)
    ));
    for j in s.new_jobs.iter().take(30) {
        let head = j.headline.as_deref().unwrap_or("");
        out.push_str(&format!("  - `{}`: {}\n", j.name.replace('`', "'"), safe::inline(head, 120)));
    }
    out
}

/// `publish-summary` when the daily issue does not exist (dry-run only).
pub fn publish_summary_without_issue() -> String {
    "publish-summary: the daily issue does not exist yet (dry-run)\n".into()
}

/// `publish-summary`: what the summary block now holds.
pub fn publish_summary(date: NaiveDate, workflows: usize, red_jobs: usize, clusters: usize, issue_url: &str) -> String {
    format!(
        "### publish-summary {date}\n\n- workflows: {workflows}\n- red jobs: {red_jobs}\n- clusters: {clusters}\n- issue: {issue_url}\n"
    )
}

/// One tracker's line in the `update-trackers` summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackerLine {
    /// Written (or already up to date).
    Updated {
        /// Workflow file name.
        workflow: String,
        /// Tests failing now.
        failing: usize,
        /// The tracker issue.
        url: String,
    },
    /// Not updated, and why (also printed as a warning).
    Failed(String),
}

/// `update-trackers`: one line per tracker it handled; `None` when the
/// config file has no `trackers:`.
pub fn update_trackers(lines: Option<&[TrackerLine]>) -> String {
    let Some(lines) = lines else {
        return "### update-trackers\n\nNo `trackers:` in the config file: nothing to do.\n".into();
    };
    let lines: Vec<String> = lines
        .iter()
        .map(|l| match l {
            TrackerLine::Updated { workflow, failing, url } => {
                format!("- `{workflow}`: {failing} failing test(s) — {url}")
            }
            TrackerLine::Failed(message) => format!("- {message}"),
        })
        .collect();
    format!("### update-trackers\n\n{}\n", lines.join("\n"))
}

/// `analyze-url`: the run and how many jobs were analysed.
pub fn analyze_url(run_url: &str, jobs_analysed: usize) -> String {
    format!("### analyze-url\n\n- run: {run_url}\n- jobs analysed: {jobs_analysed}\n")
}
