//! The Daily Cross-Workflow Summary: the block inside the daily issue body
//! between the `daily-cross-workflow-summary:start/end` markers.
//!
//! Convergence: up to seven matrix jobs rebuild this block concurrently. The
//! text is a pure function of the inputs (workflow comments of the day and
//! yesterday's block) — workflows sorted by name, clusters by a data-only
//! order, and the "last updated" time is the newest scan time found in the
//! data rather than the writer's clock — so all writers produce identical
//! text and the last write is as good as any.
//!
//! Memory: a `ci-bot:summary-state` line keeps red-job counts per workflow per
//! day and today's cluster fingerprints. Tomorrow's summary reads it from
//! yesterday's issue to mark NEW clusters and draw the trend chart; no other
//! store is needed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ci_model::JobId;
use serde::{Deserialize, Serialize};

use crate::cluster::{cluster, short_fp, ClusterView};
use crate::markers::{self, SUMMARY_CONTENT, SUMMARY_STATE_PREFIX};
use crate::model::{display_time, ClusterFacts, JobReport};
use crate::safe::{self, char_len};
use crate::state_json;

/// Days of history kept in the state and drawn in the chart.
pub const HISTORY_DAYS: usize = 7;
/// Budget for the whole block (the issue body also holds the header).
pub const SUMMARY_BUDGET: usize = 50_000;
/// Workflows drawn as their own series; the rest are summed as "other".
pub const CHART_SERIES: usize = 7;

/// One workflow's day, as read back from its comments on the daily issue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowDay {
    /// Workflow file name.
    pub workflow: String,
    /// Completed runs in the lookback window.
    pub runs_completed: u32,
    /// Of those, successful.
    pub runs_green: u32,
    /// Of those, not successful.
    pub runs_red: u32,
    /// Runs still in flight.
    pub runs_in_flight: u32,
    /// Red jobs analysed today (recovered from the workflow's comments).
    pub jobs: Vec<JobReport>,
    /// Cluster facts by fingerprint, when known.
    pub cluster_facts: BTreeMap<String, ClusterFacts>,
    /// "Last scanned" time of the workflow's report.
    pub last_scanned: Option<DateTime<Utc>>,
    /// Link to the workflow's part-1 comment on the daily issue.
    pub comment_url: Option<String>,
}

/// Input of the summary block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DailySummary {
    /// The daily issue's date.
    pub date: NaiveDate,
    /// Bot display name for the footer.
    pub bot_name: String,
    /// Every monitored workflow (also the ones without failures).
    pub workflows: Vec<WorkflowDay>,
    /// State read from yesterday's block, if any.
    pub yesterday: Option<SummaryState>,
}

/// The persisted memory of the summary (see module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SummaryState {
    /// Date of the summary that wrote this state.
    pub date: NaiveDate,
    /// Red jobs per day per workflow (last [`HISTORY_DAYS`] days).
    pub red_jobs: BTreeMap<NaiveDate, BTreeMap<String, u32>>,
    /// Cluster fingerprints seen on `date`.
    pub fingerprints: BTreeSet<String>,
}

/// Read the state line from a summary block or a whole issue body.
pub fn parse_summary_state(text: &str) -> Option<SummaryState> {
    let (v, json) = markers::find_json_marker(text, SUMMARY_STATE_PREFIX)?;
    (v == markers::VERSION).then(|| state_json::from_str(json).ok()).flatten()
}

fn sorted_workflows(s: &DailySummary) -> Vec<&WorkflowDay> {
    let mut w: Vec<&WorkflowDay> = s.workflows.iter().collect();
    w.sort_by(|a, b| a.workflow.cmp(&b.workflow));
    w
}

/// Clusters across all workflows, deduplicated by fingerprint.
pub fn summary_clusters(s: &DailySummary) -> Vec<ClusterView> {
    let mut facts = BTreeMap::new();
    for w in sorted_workflows(s) {
        for (fp, f) in &w.cluster_facts {
            facts.entry(fp.clone()).or_insert_with(|| f.clone());
        }
    }
    cluster(
        sorted_workflows(s).into_iter().flat_map(|w| w.jobs.iter().map(move |j| (w.workflow.as_str(), j))),
        &facts,
    )
}

/// The state this summary writes: yesterday's history (last days) + today.
pub fn summary_state(s: &DailySummary) -> SummaryState {
    let oldest = s.date - Duration::days(HISTORY_DAYS as i64 - 1);
    let mut red_jobs: BTreeMap<NaiveDate, BTreeMap<String, u32>> = s
        .yesterday
        .as_ref()
        .map(|y| y.red_jobs.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|(d, _)| *d >= oldest && *d < s.date)
        .collect();
    let today: BTreeMap<String, u32> =
        s.workflows.iter().map(|w| (w.workflow.clone(), distinct_jobs(&w.jobs))).collect();
    red_jobs.insert(s.date, today);
    SummaryState {
        date: s.date,
        red_jobs,
        fingerprints: summary_clusters(s).into_iter().map(|c| crate::cause::short_id(&c.fingerprint)).collect(),
    }
}

/// Red jobs, counted as jobs (by name), not as job runs: a job red in four
/// runs of the day is one red job.
fn distinct_jobs(jobs: &[JobReport]) -> u32 {
    jobs.iter().map(|j| j.name.as_str()).collect::<BTreeSet<_>>().len() as u32
}

/// Newest scan time in the data (the block's "last updated").
pub fn as_of(s: &DailySummary) -> Option<DateTime<Utc>> {
    s.workflows.iter().filter_map(|w| w.last_scanned).max()
}

const PALETTE: [(&str, &str); 8] = [
    ("🟦", "#3b82f6"),
    ("🟧", "#f97316"),
    ("🟩", "#22c55e"),
    ("🟥", "#ef4444"),
    ("🟪", "#a855f7"),
    ("🟨", "#eab308"),
    ("🟫", "#92400e"),
    ("⬛", "#374151"),
];

/// Mermaid `xychart-beta` of red jobs per day, stacked by workflow.
///
/// xychart has no stacked mode or legend: series are drawn over each other,
/// so series k is the sum of workflows k.. (largest first) and each visible
/// band is one workflow; the legend is a Markdown line of coloured squares
/// matching a fixed palette. No text from logs ever enters the chart.
pub fn render_chart(state: &SummaryState) -> String {
    let days: Vec<NaiveDate> = state.red_jobs.keys().copied().collect();
    let mut workflows: BTreeSet<&str> = BTreeSet::new();
    for day in state.red_jobs.values() {
        workflows.extend(day.keys().map(String::as_str));
    }
    let mut series_names: Vec<String> = workflows.iter().take(CHART_SERIES).map(|s| s.to_string()).collect();
    let has_other = workflows.len() > CHART_SERIES;
    let count = |day: &NaiveDate, idx: usize| -> u32 {
        let m = &state.red_jobs[day];
        if idx < series_names.len() {
            m.get(&series_names[idx]).copied().unwrap_or(0)
        } else {
            m.iter().filter(|(w, _)| !series_names.contains(w)).map(|(_, c)| *c).sum()
        }
    };
    let n_series = series_names.len() + usize::from(has_other);
    let values: Vec<Vec<u32>> = (0..n_series).map(|k| days.iter().map(|d| count(d, k)).collect()).collect();
    let max_total = (0..days.len()).map(|i| values.iter().map(|v| v[i]).sum::<u32>()).max().unwrap_or(0).max(1);
    let palette: Vec<&str> = PALETTE.iter().take(n_series.max(1)).map(|p| p.1).collect();
    let mut out = String::from("```mermaid\n");
    out.push_str(&format!(
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{}\"}}}}}}}}%%\n",
        palette.join(", ")
    ));
    out.push_str("xychart-beta\n    title \"Red jobs per day (stacked by workflow)\"\n");
    let labels: Vec<String> = days.iter().map(|d| format!("\"{}\"", d.format("%m-%d"))).collect();
    out.push_str(&format!("    x-axis [{}]\n", labels.join(", ")));
    out.push_str(&format!("    y-axis \"red jobs\" 0 --> {max_total}\n"));
    for k in 0..n_series.max(1) {
        let cumulative: Vec<String> = (0..days.len())
            .map(|i| values.iter().skip(k).map(|v| v[i]).sum::<u32>().to_string())
            .collect();
        out.push_str(&format!("    bar [{}]\n", cumulative.join(", ")));
    }
    out.push_str("```\n");
    if has_other {
        series_names.push("other".into());
    }
    let legend: Vec<String> = series_names
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{} {}", PALETTE[i].0, safe::code_span(w, 80, false)))
        .collect();
    out.push_str(&format!("\n{}\n", legend.join(" · ")));
    out
}

fn trend(state: &SummaryState, workflow: &str) -> String {
    state
        .red_jobs
        .values()
        .map(|m| m.get(workflow).map_or("–".to_string(), u32::to_string))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn delta(state: &SummaryState, date: NaiveDate, workflow: &str) -> String {
    let today = state.red_jobs.get(&date).and_then(|m| m.get(workflow)).copied().unwrap_or(0);
    match state.red_jobs.get(&(date - Duration::days(1))).and_then(|m| m.get(workflow)) {
        None => "—".into(),
        Some(&y) if today > y => format!("+{}", today - y),
        Some(&y) if today < y => format!("−{}", y - today),
        Some(_) => "0".into(),
    }
}

/// Render the block's inner text (content marker, state line, report).
pub fn render_summary_block(s: &DailySummary) -> String {
    let state = summary_state(s);
    let clusters = summary_clusters(s);
    // Yesterday's state written before cause ids (`v1` fingerprints only)
    // cannot say what is new today: unknown, not "everything is new".
    let known = s
        .yesterday
        .as_ref()
        .map(|y| &y.fingerprints)
        .filter(|k| k.is_empty() || k.iter().any(|f| crate::cause::is_current(f)));
    let is_new = |c: &ClusterView| known.is_some_and(|k| !k.contains(&crate::cause::short_id(&c.fingerprint)));
    let new_count = clusters.iter().filter(|c| is_new(c)).count();
    let red_jobs: u32 = s.workflows.iter().map(|w| distinct_jobs(&w.jobs)).sum();
    let red_job_runs: usize = s.workflows.iter().map(|w| w.jobs.iter().map(|j| j.job_id).collect::<BTreeSet<_>>().len()).sum();
    let in_flight: u32 = s.workflows.iter().map(|w| w.runs_in_flight).sum();

    let mut out = format!("{SUMMARY_CONTENT}\n");
    out.push_str(&markers::json_marker_line(SUMMARY_STATE_PREFIX, &state_json::to_string(&state)));
    out.push('\n');
    out.push_str(&format!("# Daily Cross-Workflow Summary — {}\n\n", s.date.format("%Y-%m-%d")));
    let snapshot = as_of(s).map_or("no scan yet".to_string(), |t| display_time(&t));
    out.push_str(&format!("**Snapshot**: {snapshot} · Only completed runs counted\n\n"));

    // Red jobs with nothing to compare with (first day) are red, not yellow.
    let light = if red_jobs == 0 {
        "🟢 GREEN"
    } else if new_count > 0 || known.is_none() {
        "🔴 RED"
    } else {
        "🟡 YELLOW"
    };
    let new_text = if known.is_some() { format!("{new_count} NEW vs yesterday") } else { "NEW unknown (no summary yesterday)".into() };
    out.push_str(&format!(
        "## TL;DR\n\n{light} · {red_jobs} red job(s){} · {} unique cluster(s) · {new_text} · {in_flight} run(s) in flight\n\n",
        if red_job_runs as u32 != red_jobs { format!(" ({red_job_runs} failed job runs)") } else { String::new() },
        clusters.len()
    ));

    out.push_str("## Workflow status\n\n");
    out.push_str(&format!(
        "| Workflow | State | Runs (completed) | ✅ | ❌ | In flight | Red jobs | Red jobs/day (last {HISTORY_DAYS}d) | Δ vs yesterday |\n|---|---|---|---|---|---|---|---|---|\n"
    ));
    for w in sorted_workflows(s) {
        let name = match &w.comment_url {
            Some(u) => safe::code_link(&w.workflow, u, 120, true),
            None => safe::code_span(&w.workflow, 120, true),
        };
        // Four states a reader must not confuse: green, red, in flight, not run.
        let state_cell = if !w.jobs.is_empty() || w.runs_red > 0 {
            "❌ red"
        } else if w.runs_green > 0 {
            "✅ green"
        } else if w.runs_in_flight > 0 {
            "⏳ in flight"
        } else {
            "⚪ not run"
        };
        out.push_str(&format!(
            "| {name} | {state_cell} | {} | {} | {} | {} | {} | {} | {} |\n",
            w.runs_completed,
            w.runs_green,
            w.runs_red,
            w.runs_in_flight,
            distinct_jobs(&w.jobs),
            trend(&state, &w.workflow),
            delta(&state, s.date, &w.workflow)
        ));
    }
    out.push('\n');
    out.push_str(&render_chart(&state));
    out.push('\n');

    out.push_str(&format!("## Failure clusters (deduplicated across workflows): {}\n\n", clusters.len()));
    if clusters.is_empty() {
        out.push_str("_No failures in the analysed runs._\n");
    } else {
        out.push_str("| | Cluster | Workflows × jobs | Tests | Status | Where |\n|---|---|---|---|---|---|\n");
        let mut ordered: Vec<&ClusterView> = clusters.iter().collect();
        // NEW first; the cluster order is otherwise already data-only.
        ordered.sort_by_key(|c| !is_new(c));
        let footer_len = 200;
        let mut used = char_len(&out) + footer_len;
        for (i, c) in ordered.iter().enumerate() {
            let row = cluster_row(c, is_new(c));
            if used + char_len(&row) > SUMMARY_BUDGET {
                out.push_str(&format!(
                    "| | _… and {} more cluster(s) not shown (size limit)_ | | | | |\n",
                    ordered.len() - i
                ));
                break;
            }
            used += char_len(&row);
            out.push_str(&row);
        }
    }
    out.push_str(&format!(
        "\n---\n*Generated by {} (last updated: {snapshot})*\n",
        safe::inline(&s.bot_name, 60)
    ));
    out
}

fn cluster_row(c: &ClusterView, new: bool) -> String {
    let mut per_wf: BTreeMap<&str, BTreeSet<JobId>> = BTreeMap::new();
    for o in &c.occurrences {
        per_wf.entry(&o.workflow).or_default().insert(o.job_id);
    }
    let spread: Vec<String> =
        per_wf.iter().map(|(w, jobs)| format!("{} ×{}", safe::code_span(w, 60, true), jobs.len())).collect();
    let mut seen = BTreeSet::new();
    let links: Vec<String> = c
        .occurrences
        .iter()
        .filter(|o| seen.insert((&o.workflow, o.job_id)))
        .take(5)
        .map(|o| safe::link(&o.job_name, &o.link, 60))
        .collect();
    let more = c.job_count().saturating_sub(5);
    let where_ = if more > 0 { format!("{}, … +{more}", links.join(", ")) } else { links.join(", ") };
    format!(
        "| {} | {} {} | {} | {} | {} | {} |\n",
        if new { "🆕" } else { "" },
        safe::code_span(&c.title, 120, true),
        short_fp(&c.fingerprint),
        spread.join(", "),
        c.tests().len(),
        c.facts.as_ref().map_or("—".into(), |f| f.sentence()),
        where_
    )
}
