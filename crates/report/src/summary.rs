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
//! day, today's cluster fingerprints, the clusters the TL;DR showed (title
//! and workflows, so tomorrow can say which were fixed) and the open issues
//! and pull requests found for them (the day's search cache). Tomorrow's
//! summary reads it from yesterday's issue to mark NEW clusters and draw the
//! trend chart; no other store is needed.
//!
//! The first screen answers "what is red, what is new, what do I do": one
//! TL;DR line per cluster (at most [`TLDR_LINES`]) with its status, where it
//! is, the suspect commit range, the open issues and pull requests that name
//! it, and the facts the config's patterns pulled out of its jobs' logs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ci_model::{FailureStatus, JobId};
use serde::{Deserialize, Serialize};

use crate::cluster::{cluster, short_fp, ClusterView};
use crate::markers::{self, SUMMARY_CONTENT, SUMMARY_STATE_PREFIX};
use crate::model::{compare_url, display_time, short_sha, ClusterFacts, JobReport};
use crate::safe::{self, char_len};
use crate::state_json;

/// Days of history kept in the state and drawn in the chart.
pub const HISTORY_DAYS: usize = 7;
/// Budget for the whole block (the issue body also holds the header).
pub const SUMMARY_BUDGET: usize = 50_000;
/// Workflows drawn as their own series; the rest are summed as "other".
pub const CHART_SERIES: usize = 7;
/// Clusters the TL;DR gives a line of their own; the rest are counted.
pub const TLDR_LINES: usize = 10;
/// Open issues and pull requests listed per cluster.
pub const RELATED_PER_CLUSTER: usize = 3;
/// Chars of a related issue's title kept (in the state and the line).
pub const RELATED_TITLE_CHARS: usize = 80;

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
    /// Jobs seen green in a completed run after their last failure, with
    /// that run's start (the workflow facts' `green_jobs`): what makes a
    /// cluster "fixed".
    pub green_jobs: BTreeMap<String, DateTime<Utc>>,
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
    /// Monitored repository `owner/name` (compare links).
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Open issues and pull requests naming a cluster, by short cause id
    /// ([`crate::cause::short_id`]); an empty list means "searched, none".
    pub related: BTreeMap<String, Vec<RelatedItem>>,
    /// The model's short narrative over the clusters, its footer and the
    /// memory line the block keeps (so the next publish reuses the
    /// narrative while the clusters are the same); empty without a model.
    pub llm: crate::llm_memory::LlmPart,
}

/// An open issue or pull request of the monitored repository whose title or
/// body names a cluster's failing test or message (the monitor's search).
/// Title and url are GitHub's answer: rendered as data, linked only when
/// the url is an `https://` one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedItem {
    /// Issue or pull request number.
    #[serde(rename = "n")]
    pub number: u64,
    /// Its title (at most [`RELATED_TITLE_CHARS`] chars).
    #[serde(rename = "t")]
    pub title: String,
    /// Its page.
    #[serde(rename = "u")]
    pub url: String,
    /// A pull request rather than an issue.
    #[serde(rename = "pr", default, skip_serializing_if = "is_false")]
    pub is_pr: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A cluster the TL;DR showed, remembered so the next day can say it was
/// fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCluster {
    /// Its title (at most 80 chars).
    #[serde(rename = "t")]
    pub title: String,
    /// The workflows it was red in.
    #[serde(rename = "w")]
    pub workflows: Vec<String>,
    /// The jobs it was red in (at most [`SHOWN_JOBS`]): it is fixed when
    /// each was seen green afterwards. Empty in states written before.
    #[serde(rename = "j", default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<String>,
}

/// Jobs a shown cluster remembers; a cluster with more is never called
/// fixed (it stays "quiet" until it is).
pub const SHOWN_JOBS: usize = 10;

/// Cluster ids the state keeps (about 20 chars each): thousands of
/// distinct clusters in a day made a state line longer than GitHub takes
/// for a whole issue body, and the summary was never written again that day.
pub const STATE_CLUSTERS: usize = 1_000;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The persisted memory of the summary (see module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SummaryState {
    /// Date of the summary that wrote this state.
    pub date: NaiveDate,
    /// Red jobs per day per workflow (last [`HISTORY_DAYS`] days).
    pub red_jobs: BTreeMap<NaiveDate, BTreeMap<String, u32>>,
    /// Cluster ids seen on `date`: at most [`STATE_CLUSTERS`], the TL;DR's
    /// first.
    pub fingerprints: BTreeSet<String>,
    /// Cluster ids seen on `date` and not kept in `fingerprints`: with any,
    /// the next day cannot tell which clusters are new.
    #[serde(rename = "fp_more", default, skip_serializing_if = "is_zero")]
    pub fingerprints_dropped: usize,
    /// The clusters the TL;DR showed on `date`, by short cause id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shown: BTreeMap<String, ShownCluster>,
    /// Open issues and pull requests found on `date` per short cause id:
    /// the search cache (a cluster is searched once a day).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub related: BTreeMap<String, Vec<RelatedItem>>,
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
    let clusters = summary_clusters(s);
    let order = tldr_order(s, &clusters);
    let fingerprints: BTreeSet<String> = order.iter().take(STATE_CLUSTERS).map(|(c, _)| crate::cause::short_id(&c.fingerprint)).collect();
    let fingerprints_dropped = order.len().saturating_sub(STATE_CLUSTERS);
    let shown = order
        .into_iter()
        .take(TLDR_LINES)
        .map(|(c, _)| {
            let title = safe::truncate_chars(&c.title, 80).into_owned();
            let jobs: BTreeSet<&str> = c.occurrences.iter().map(|o| o.job_name.as_str()).collect();
            // Too many jobs to remember: none, so it is never called fixed.
            let jobs = if jobs.len() > SHOWN_JOBS { Vec::new() } else { jobs.into_iter().map(String::from).collect() };
            let workflows = c.workflows().into_iter().map(String::from).collect();
            (crate::cause::short_id(&c.fingerprint), ShownCluster { title, workflows, jobs })
        })
        .collect();
    let related = s.related.iter().filter(|(id, _)| fingerprints.contains(*id)).map(|(k, v)| (k.clone(), v.clone())).collect();
    SummaryState { date: s.date, red_jobs, fingerprints, fingerprints_dropped, shown, related }
}

/// Yesterday's cluster ids, when they can say what is new today: a state
/// written before cause ids (`v1` fingerprints only) cannot, nor one that
/// could not keep them all, and "unknown" is not "everything is new".
fn known_yesterday(s: &DailySummary) -> Option<&BTreeSet<String>> {
    s.yesterday
        .as_ref()
        .filter(|y| y.fingerprints_dropped == 0)
        .map(|y| &y.fingerprints)
        .filter(|k| k.is_empty() || k.iter().any(|f| crate::cause::is_current(f)))
}

fn new_vs_yesterday(s: &DailySummary, c: &ClusterView) -> bool {
    known_yesterday(s).is_some_and(|k| !k.contains(&crate::cause::short_id(&c.fingerprint)))
}

/// A cluster's status as the TL;DR words it, in the order it lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TldrStatus {
    /// New in its job's history, or not in yesterday's report.
    New,
    /// Red in consecutive runs.
    Persistent,
    /// No history of its jobs (red yesterday too, or nothing to compare with).
    NoHistory,
    /// Red and green alternate.
    Flaky,
}

impl From<FailureStatus> for TldrStatus {
    fn from(s: FailureStatus) -> Self {
        match s {
            FailureStatus::New => TldrStatus::New,
            FailureStatus::Persistent => TldrStatus::Persistent,
            FailureStatus::Flaky => TldrStatus::Flaky,
            FailureStatus::NoHistory => TldrStatus::NoHistory,
        }
    }
}

/// A cluster's status from its own history alone (the facts of its most
/// persistent member), as a report without yesterday's state sees it.
pub fn history_status(facts: Option<&ClusterFacts>) -> TldrStatus {
    facts.and_then(|f| f.status).map_or(TldrStatus::NoHistory, TldrStatus::from)
}

/// The cluster's status: its history (the facts of its most persistent
/// member) first, else whether yesterday's report had it.
pub fn tldr_status(s: &DailySummary, c: &ClusterView) -> TldrStatus {
    match history_status(c.facts.as_ref()) {
        TldrStatus::NoHistory if new_vs_yesterday(s, c) => TldrStatus::New,
        st => st,
    }
}

/// The status words of a cluster (🆕 new / 🟥 persistent since `sha` /
/// 🔁 flaky k of n / 🟧 red yesterday too / ❔ no history). The one
/// renderer of a cluster's status: the TL;DR, the workflow comment's
/// cluster table and its status summary all use it, so they never disagree.
/// `yesterday_known`: there is a report from yesterday to compare with (only
/// the daily summary has one).
pub fn status_label(status: TldrStatus, facts: Option<&ClusterFacts>, yesterday_known: bool) -> String {
    match status {
        TldrStatus::New => "🆕 **new**".to_string(),
        TldrStatus::Persistent => match facts.and_then(|f| f.since_sha.as_deref()) {
            Some(sha) => format!("🟥 **persistent** since `{}`", short_sha(sha)),
            None => "🟥 **persistent**".into(),
        },
        TldrStatus::Flaky => match facts {
            Some(f) => format!("🔁 **flaky** {} of {}", f.red_runs, f.runs_considered),
            None => "🔁 **flaky**".into(),
        },
        // Not new against yesterday's report, though its jobs' history is unknown.
        TldrStatus::NoHistory if yesterday_known => "🟧 **red yesterday too**".into(),
        TldrStatus::NoHistory => "❔ **no history**".into(),
    }
}

/// Clusters in TL;DR order: new, persistent, no history, flaky; within a
/// status the cluster order (most jobs first). A pure function of the data.
pub fn tldr_order<'a>(s: &DailySummary, clusters: &'a [ClusterView]) -> Vec<(&'a ClusterView, TldrStatus)> {
    let mut v: Vec<(&ClusterView, TldrStatus)> = clusters.iter().map(|c| (c, tldr_status(s, c))).collect();
    // Stable: the cluster order is kept within a status.
    v.sort_by_key(|(_, st)| *st);
    v
}

/// What the monitor searches open issues and pull requests for: `(short
/// cause id, phrase)` of every cluster the TL;DR shows, in its order.
pub fn search_targets(s: &DailySummary) -> Vec<(String, String)> {
    let clusters = summary_clusters(s);
    tldr_order(s, &clusters)
        .into_iter()
        .take(TLDR_LINES)
        .filter_map(|(c, _)| Some((crate::cause::short_id(&c.fingerprint), search_phrase(c)?)))
        .collect()
}

/// The words an issue or pull request about a cluster would contain: the
/// own name of its first failing test (`test_mmlu` of
/// `test/x.py::TestX::test_mmlu[bf16]`, `TestCloud` of `pkg/TestCloud/sub`),
/// else the leading words of its message up to the first one holding a
/// digit, a path or a quote. `None` when neither gives a usable phrase.
pub fn search_phrase(c: &ClusterView) -> Option<String> {
    let from_test = c.tests().into_iter().next().and_then(|t| {
        let last = t.rsplit("::").next().unwrap_or(t);
        let last = last.split('[').next().unwrap_or(last);
        let segments: Vec<&str> = last.split('/').filter(|p| !p.is_empty()).collect();
        let name = segments
            .iter()
            .find(|p| p.starts_with("Test") || p.starts_with("test"))
            .or(segments.last())
            .copied()?;
        let name: String = name.chars().filter(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '-')).collect();
        (name.chars().count() >= 4).then_some(name)
    });
    from_test.or_else(|| {
        let mut words: Vec<String> = Vec::new();
        for w in c.title.split_whitespace() {
            if words.is_empty() && matches!(w, "E" | "FAILED" | "ERROR" | "[ERROR]" | "Error:" | "##[error]") {
                continue;
            }
            let stop = w.chars().any(|ch| ch.is_ascii_digit() || matches!(ch, '/' | '\\' | '"' | '\'' | '`' | '=' | '<' | '>' | '(' | '[' | '{'));
            if stop || w.chars().count() > 40 {
                break;
            }
            let sentence_end = w.ends_with('.') && words.len() >= 2;
            words.push(w.trim_end_matches(['.', ':', ',', ';', '!']).to_string());
            if sentence_end || words.len() == 8 {
                break;
            }
        }
        let phrase = words.join(" ");
        (words.len() >= 2 && phrase.chars().count() >= 10).then_some(phrase)
    })
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
    let known = known_yesterday(s);
    let is_new = |c: &ClusterView| new_vs_yesterday(s, c);
    let new_count = clusters.iter().filter(|c| is_new(c)).count();
    let red_jobs: u32 = s.workflows.iter().map(|w| distinct_jobs(&w.jobs)).sum();
    let red_job_runs: usize = s.workflows.iter().map(|w| w.jobs.iter().map(|j| j.job_id).collect::<BTreeSet<_>>().len()).sum();
    let in_flight: u32 = s.workflows.iter().map(|w| w.runs_in_flight).sum();

    let mut out = format!("{SUMMARY_CONTENT}\n");
    out.push_str(&markers::json_marker_line(SUMMARY_STATE_PREFIX, &state_json::to_string(&state)));
    out.push('\n');
    out.push_str(&s.llm.memory_md());
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
    let new_text = match (known, &s.yesterday) {
        (Some(_), _) => format!("{new_count} NEW vs yesterday"),
        (None, Some(y)) if y.fingerprints_dropped > 0 => format!(
            "NEW unknown (yesterday's {} clusters were more than its summary keeps)",
            y.fingerprints.len() + y.fingerprints_dropped
        ),
        (None, _) => "NEW unknown (no summary yesterday)".into(),
    };
    out.push_str(&format!(
        "## TL;DR\n\n{light} · {red_jobs} red job(s){} · {} unique cluster(s) · {new_text} · {in_flight} run(s) in flight\n\n",
        if red_job_runs as u32 != red_jobs { format!(" ({red_job_runs} failed job runs)") } else { String::new() },
        clusters.len()
    ));
    out.push_str(&render_tldr_lines(s, &clusters));
    out.push_str(&s.llm.narrative_md());

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
    out.push_str(&s.llm.footer_md());
    out
}

/// The TL;DR's list: one line per cluster (at most [`TLDR_LINES`], then a
/// count), then one line per cluster of yesterday's TL;DR that is gone
/// today while its workflow ran green.
fn render_tldr_lines(s: &DailySummary, clusters: &[ClusterView]) -> String {
    let mut out = String::new();
    let ordered = tldr_order(s, clusters);
    for (c, status) in ordered.iter().take(TLDR_LINES) {
        out.push_str(&tldr_line(s, c, *status));
    }
    if ordered.len() > TLDR_LINES {
        out.push_str(&format!("- _+{} more cluster(s) in the table below_\n", ordered.len() - TLDR_LINES));
    }
    let today: BTreeSet<String> = clusters.iter().map(|c| crate::cause::short_id(&c.fingerprint)).collect();
    let mut gone = 0;
    let since = s.yesterday.as_ref().map(|y| y.date);
    for (id, shown) in s.yesterday.iter().flat_map(|y| &y.shown) {
        if today.contains(id) {
            continue;
        }
        // Gone says nothing when none of its workflows ran today.
        let ran: Vec<&WorkflowDay> = s
            .workflows
            .iter()
            .filter(|d| shown.workflows.contains(&d.workflow) && (d.runs_completed > 0 || !d.green_jobs.is_empty()))
            .collect();
        if ran.is_empty() {
            continue;
        }
        gone += 1;
        if gone > TLDR_LINES {
            continue;
        }
        let title = safe::code_span(&shown.title, 100, false);
        // Fixed is observed: each of its jobs succeeded in a completed run
        // after its last failure. Otherwise it is only quiet.
        let fixed = !shown.jobs.is_empty()
            && shown.jobs.iter().all(|j| ran.iter().any(|d| d.green_jobs.contains_key(j)));
        if fixed {
            let jobs: Vec<String> = shown.jobs.iter().take(3).map(|j| safe::code_span(j, 60, false)).collect();
            let more = if shown.jobs.len() > 3 { format!(" +{}", shown.jobs.len() - 3) } else { String::new() };
            out.push_str(&format!(
                "- ✅ **fixed** {title} · red yesterday; {}{more} green in a later run\n",
                jobs.join(", ")
            ));
        } else {
            let date = since.map_or(String::new(), |d| format!(" {d}"));
            out.push_str(&format!(
                "- ⚪ **quiet since**{date} {title} · not seen today, no green run of its job(s) seen yet\n"
            ));
        }
    }
    if gone > TLDR_LINES {
        out.push_str(&format!("- _+{} more cluster(s) fixed or quiet_\n", gone - TLDR_LINES));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// One TL;DR line: status and message, where, suspect range, related open
/// issues and pull requests, extracted facts.
fn tldr_line(s: &DailySummary, c: &ClusterView, status: TldrStatus) -> String {
    let facts = c.facts.as_ref();
    let label = status_label(status, facts, known_yesterday(s).is_some());
    let mut parts = vec![format!("{label} {}", safe::code_span(&c.title, 100, false))];

    let mut per_wf: BTreeMap<&str, BTreeSet<JobId>> = BTreeMap::new();
    for o in &c.occurrences {
        per_wf.entry(&o.workflow).or_default().insert(o.job_id);
    }
    let mut where_: Vec<String> =
        per_wf.iter().take(3).map(|(w, jobs)| format!("{} ×{}", safe::code_span(w, 60, false), jobs.len())).collect();
    if per_wf.len() > 3 {
        where_.push(format!("+{} workflow(s)", per_wf.len() - 3));
    }
    let tests = c.tests().len();
    let tests = if tests > 0 { format!(", {tests} test(s)") } else { String::new() };
    parts.push(format!("{} job(s) in {}{tests}", c.job_count(), where_.join(", ")));

    // A range says where a regression came in; a flaky cluster has none.
    if status != TldrStatus::Flaky {
        if let Some((good, bad)) = facts.and_then(|f| Some((f.last_green_sha.as_deref()?, f.since_sha.as_deref()?))) {
            let text = format!("{}..{}", short_sha(good), short_sha(bad));
            let url = compare_url(&s.server_url, &s.repo, good, bad);
            parts.push(format!("suspect {}", safe::code_link(&text, &url, 40, false)));
        }
    }

    match s.related.get(&crate::cause::short_id(&c.fingerprint)) {
        Some(items) if items.is_empty() => parts.push("no open issue or PR names it".into()),
        Some(items) => {
            let links: Vec<String> = items
                .iter()
                .take(RELATED_PER_CLUSTER)
                .map(|i| {
                    let kind = if i.is_pr { "PR " } else { "" };
                    let title = safe::inline(&i.title, 60);
                    match safe::url(&i.url) {
                        Some(u) => format!("[{kind}#{}]({u}) {title}", i.number),
                        None => format!("{kind}{} {title}", i.number),
                    }
                })
                .collect();
            parts.push(format!("open: {}", links.join("; ")));
        }
        None => {}
    }

    // Facts the config's patterns extracted from the cluster's jobs' logs.
    let members: BTreeSet<(&str, JobId)> = c.occurrences.iter().map(|o| (o.workflow.as_str(), o.job_id)).collect();
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for w in &s.workflows {
        for j in w.jobs.iter().filter(|j| members.contains(&(w.workflow.as_str(), j.job_id))) {
            for (name, value) in &j.facts {
                values.entry(name).or_default().insert(value);
            }
        }
    }
    for (name, vals) in values.iter().take(4) {
        let shown: Vec<String> = vals.iter().take(2).map(|v| safe::code_span(v, 60, false)).collect();
        let more = if vals.len() > 2 { format!(" +{}", vals.len() - 2) } else { String::new() };
        parts.push(format!("{}: {}{more}", safe::inline(name, 40), shown.join(", ")));
    }
    format!("- {}\n", parts.join(" · "))
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
