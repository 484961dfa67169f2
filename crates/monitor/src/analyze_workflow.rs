//! `analyze-workflow`: triage the new failed jobs of one workflow and
//! upsert its comment(s) on the daily issue.
//!
//! Per tick: one issue list, one comment list per day of dedup memory, the
//! workflow scan (see [`crate::scan`]), one log download per NEW failed job,
//! and the comment writes — none at all when nothing changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ci_github::{GitHub, IssueComment};
use ci_report::markers;
use ci_report::workflow_comment::{
    merge_jobs, parse_workflow_comments, plan_parts, render_workflow_comments, ExistingComment,
};
use ci_report::{ClusterFacts, CommitRange, InFlightRun, JobReport, WorkflowReport};
use serde::{Deserialize, Serialize};

use crate::adapt;
use crate::cluster::{cluster_facts, cluster_status};
use crate::ctx::Ctx;
use crate::daily::{ensure_daily_issue, list_daily_issues};
use crate::history::HistoryFacts;
use ci_model::{FailureStatus, IssueNumber, RunId};
use ci_model::{Job, JobId, WorkflowRun};
use crate::outcome::Outcome;
use crate::scan::{scan_workflow, WorkflowScan};

/// Our own hidden line appended to part 1 of a workflow's comment: the
/// facts publish-summary needs (run counts, cluster facts) so it does not
/// rescan every workflow, and the in-flight state so an unchanged tick
/// writes nothing.
pub const FACTS_PREFIX: &str = "<!-- ci-bot:workflow-facts ";
const MAX_FACTS_CHARS: usize = 4_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowFacts {
    pub runs_completed: u32,
    pub runs_green: u32,
    pub runs_red: u32,
    pub runs_in_flight: u32,
    /// `(run id, pending jobs, failed so far)` of in-flight runs.
    #[serde(default)]
    pub in_flight: Vec<(RunId, u32, u32)>,
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterFacts>,
    #[serde(default)]
    pub scanned_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn facts_line(facts: &WorkflowFacts) -> String {
    let mut f = facts.clone();
    loop {
        let line = markers::json_marker_line(FACTS_PREFIX, &ci_report::state_json::to_string(&f));
        if line.len() <= MAX_FACTS_CHARS || f.clusters.is_empty() {
            return line;
        }
        // Keep the most persistent clusters when the line gets too big.
        let weakest = f.clusters.iter().min_by_key(|(fp, c)| (c.red_runs, (*fp).clone())).map(|(fp, _)| fp.clone());
        if let Some(fp) = weakest {
            f.clusters.remove(&fp);
        }
    }
}

pub fn parse_facts(body: &str) -> Option<WorkflowFacts> {
    let (v, json) = markers::find_json_marker(body, FACTS_PREFIX)?;
    (v == markers::VERSION).then(|| ci_report::state_json::from_str(json).ok()).flatten()
}

pub async fn run<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, workflow: &str) -> anyhow::Result<Outcome> {
    let mut out = Outcome::default();
    let wf = ctx.config.workflow(workflow);
    let lookback = ctx.settings.lookback_hours;
    let dedup_days = ctx.config.dedup_days.max(lookback.div_ceil(24));

    let mut dailies = list_daily_issues(ctx, dedup_days).await?;
    let today = ensure_daily_issue(ctx, &mut dailies).await?;
    let comments: Vec<IssueComment> = match &today {
        Some(issue) => ctx.gh.list_comments(&ctx.settings.bot_repo, issue.number, None).await?,
        None => Vec::new(),
    };
    let recovered = parse_workflow_comments(workflow, comments.iter().map(|c| c.body.as_str()));
    let previous_facts = comments
        .iter()
        .filter(|c| ci_report::workflow_comment::belongs_to_workflow(&c.body, workflow))
        .find_map(|c| parse_facts(&c.body));

    // Dedup memory: today's comments plus the previous days' ones, so a job
    // analysed yesterday inside today's lookback window is not analysed again.
    let mut processed: BTreeSet<JobId> = recovered.processed_job_ids.clone();
    processed.extend(recovered.jobs.iter().map(|j| j.job_id));
    for issue in dailies.previous(ctx.settings.date, dedup_days) {
        let old = ctx.gh.list_comments(&ctx.settings.bot_repo, issue.number, None).await?;
        let rec = parse_workflow_comments(workflow, old.iter().map(|c| c.body.as_str()));
        processed.extend(rec.processed_job_ids);
        processed.extend(rec.jobs.iter().map(|j| j.job_id));
    }

    let scan = scan_workflow(ctx, &wf, lookback).await?;
    let new_jobs: Vec<(WorkflowRun, Job)> =
        scan.failed.iter().filter(|(_, j)| !processed.contains(&j.id)).cloned().collect();
    let new_reports = triage_jobs(ctx, &new_jobs).await;

    let jobs = merge_jobs(recovered.jobs.clone(), new_reports.clone());
    let (cluster_facts_map, suspected, statuses) = history_facts(ctx, &scan, &jobs);
    let facts = WorkflowFacts {
        runs_completed: scan.runs.iter().filter(|(r, _)| in_window(ctx, r)).count() as u32,
        runs_green: scan
            .runs
            .iter()
            .filter(|(r, _)| in_window(ctx, r) && r.succeeded())
            .count() as u32,
        runs_red: scan
            .runs
            .iter()
            .filter(|(r, _)| in_window(ctx, r) && !r.succeeded())
            .count() as u32,
        runs_in_flight: scan.in_flight.len() as u32,
        in_flight: scan.in_flight.iter().map(|(r, p, f)| (r.id, *p, *f)).collect(),
        clusters: cluster_facts_map.clone(),
        scanned_at: Some(ctx.settings.now),
    };

    let cluster_facts_map_for_summary = cluster_facts_map.clone();
    let report = WorkflowReport {
        workflow: workflow.to_string(),
        repo: ctx.settings.repo.to_string(),
        server_url: ctx.settings.server_url.clone(),
        bot_name: ctx.config.bot_name.clone(),
        method: "ci-triage (deterministic)".into(),
        scanned_at: ctx.settings.now,
        jobs: jobs.clone(),
        processed_job_ids: processed.iter().copied().chain(new_jobs.iter().map(|(_, j)| j.id)).collect(),
        in_flight: scan
            .in_flight
            .iter()
            .map(|(r, pending, failed)| InFlightRun {
                run_url: r.html_url.clone(),
                pending_jobs: *pending,
                failed_jobs: *failed,
                head_sha: Some(r.head_sha.clone()),
            })
            .collect(),
        cluster_facts: cluster_facts_map,
        suspected_range: suspected,
        summary: status_summary(&jobs, &statuses, &cluster_facts_map_for_summary),
    };

    // Nothing new and nothing in flight changed: leave the comment alone, so
    // a quiet tick costs reads only (conditional 304s).
    let unchanged = new_reports.is_empty()
        && previous_facts.as_ref().is_some_and(|p| p.in_flight == facts.in_flight && p.runs_completed == facts.runs_completed);
    let in_scope = !scan.failed.is_empty() || !jobs.is_empty();
    // In dry-run the daily issue may not exist yet: render anyway (issue 0)
    // so the plan shows what the comment would say.
    let target_issue = today.as_ref().map(|i| i.number).or(ctx.dry_run().then_some(IssueNumber(0)));
    if let Some(issue_number) = target_issue {
        if !unchanged && (in_scope || !recovered.jobs.is_empty() || previous_facts.is_some() || !scan.in_flight.is_empty()) {
            let mut parts = render_workflow_comments(&report);
            if let Some(first) = parts.first_mut() {
                let line = facts_line(&facts);
                if first.chars().count() + line.chars().count() + 1 < ci_report::GITHUB_BODY_LIMIT - 1_000 {
                    first.push_str(&line);
                    first.push('\n');
                }
            }
            write_parts(ctx, issue_number, workflow, &comments, &parts).await?;
        }
    }
    if let Some(issue) = &today {
        out.output("issue-number", issue.number);
        out.output("issue-url", &issue.html_url);
    }

    let failure_count = scan.failed.len();
    out.output("has_failures", failure_count > 0);
    out.output("failure_count", failure_count);
    out.output("new_failure_count", new_reports.len());
    out.summary = step_summary(workflow, &scan, &new_reports, &jobs, unchanged, &statuses);
    Ok(out)
}

fn in_window<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, r: &WorkflowRun) -> bool {
    let since = ctx.settings.now - chrono::Duration::hours(ctx.settings.lookback_hours as i64);
    r.created_at >= since || r.last_activity() >= since
}

/// Download and triage each job's log, a few at a time. A job whose log
/// cannot be read is recorded as incomplete (so it is not retried forever).
pub async fn triage_jobs<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, jobs: &[(WorkflowRun, Job)]) -> Vec<JobReport> {
    let sem = Arc::new(tokio::sync::Semaphore::new(4));
    let mut handles = Vec::new();
    for (run, job) in jobs.iter().cloned() {
        let gh = ctx.gh.clone();
        let repo = ctx.settings.repo.clone();
        let rules = ctx.rules.clone();
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            let mut log: Vec<u8> = Vec::new();
            match gh.download_job_log(&repo, job.id, &mut log).await {
                Ok(_) => {
                    let analysis = tokio::task::spawn_blocking(move || ci_triage::analyze(log.as_slice(), &rules)).await;
                    match analysis {
                        Ok(a) => adapt::job_report(&run, &job, &a),
                        Err(e) => adapt::incomplete_report(&run, &job, &format!("triage crashed: {e}")),
                    }
                }
                Err(e) => adapt::incomplete_report(&run, &job, &format!("log download failed: {e}")),
            }
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        if let Ok(r) = h.await {
            out.push(r);
        }
    }
    out
}

/// Cluster facts (by fingerprint) and the suspected commit range of the
/// newest regression, from the jobs' histories.
fn history_facts<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    scan: &WorkflowScan,
    jobs: &[JobReport],
) -> (BTreeMap<String, ClusterFacts>, Option<CommitRange>, BTreeMap<String, FailureStatus>) {
    let window = ctx.config.history_runs as usize;
    let per_job: BTreeMap<JobId, HistoryFacts> = jobs
        .iter()
        .filter_map(|j| {
            let run_id = j.run_id()?;
            scan.runs.iter().any(|(r, _)| r.id == run_id).then(|| (j.job_id, scan.facts_for(&j.name, run_id, window)))
        })
        .collect();
    let mut by_fp: BTreeMap<String, Vec<&HistoryFacts>> = BTreeMap::new();
    for j in jobs {
        if let Some(f) = per_job.get(&j.job_id) {
            for fp in j.fingerprints() {
                by_fp.entry(fp).or_default().push(f);
            }
        }
    }
    let statuses = by_fp.iter().map(|(fp, members)| (fp.clone(), cluster_status(members.iter().copied()))).collect();
    let clusters = by_fp
        .into_iter()
        .filter_map(|(fp, members)| cluster_facts(members.iter().copied()).map(|f| (fp, f)))
        .collect();
    let suspected = per_job
        .values()
        .filter(|f| matches!(f.status, FailureStatus::New | FailureStatus::Persistent))
        .filter_map(|f| {
            let (good, bad) = f.suspected_range()?;
            Some((f.first_red.as_ref()?.created_at, good.to_string(), bad.to_string()))
        })
        .max()
        .map(|(_, good, bad)| CommitRange { good, bad, commits: None });
    (clusters, suspected, statuses)
}

async fn write_parts<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    issue: IssueNumber,
    workflow: &str,
    comments: &[IssueComment],
    parts: &[String],
) -> anyhow::Result<()> {
    let existing: Vec<ExistingComment<'_>> =
        comments.iter().map(|c| ExistingComment { id: c.id, body: c.body.as_str() }).collect();
    let plan = plan_parts(workflow, &existing, parts.len());
    let repo = &ctx.settings.bot_repo;
    for (idx, id) in &plan.update {
        let current = comments.iter().find(|c| c.id == *id).map(|c| c.body.as_str());
        if current == Some(parts[*idx].as_str()) {
            continue;
        }
        ctx.update_comment(repo, *id, &parts[*idx]).await?;
    }
    for idx in &plan.create {
        // The part line plus the workflow line identify a part uniquely, so
        // a create that raced (or was retried by a re-run) converges.
        let marker = format!("{}\n{}", markers::part_line(idx + 1, parts.len()), markers::workflow_report_line(workflow));
        ctx.upsert_comment(repo, issue, &marker, &parts[*idx]).await?;
    }
    for id in &plan.delete {
        ctx.delete_comment(repo, *id).await?;
    }
    Ok(())
}

fn step_summary(
    workflow: &str,
    scan: &WorkflowScan,
    new: &[JobReport],
    all: &[JobReport],
    unchanged: bool,
    statuses: &BTreeMap<String, FailureStatus>,
) -> String {
    let mut s = format!("### analyze-workflow `{workflow}`\n\n");
    s.push_str(&format!(
        "- failed jobs in window: {} (gate jobs skipped: {})\n- newly analysed: {}\n- in the report: {}\n- runs in flight: {}\n",
        scan.failed.len(),
        scan.gates_skipped,
        new.len(),
        all.len(),
        scan.in_flight.len()
    ));
    if unchanged {
        s.push_str("- nothing changed since the last scan: no writes\n");
    }
    let count = |st: FailureStatus| statuses.values().filter(|s| **s == st).count();
    s.push_str(&format!(
        "- symptom clusters: {} new, {} persistent, {} flaky, {} without history\n",
        count(FailureStatus::New),
        count(FailureStatus::Persistent),
        count(FailureStatus::Flaky),
        count(FailureStatus::NoHistory)
    ));
    for j in new.iter().take(30) {
        let head = j.headline.as_deref().unwrap_or("");
        s.push_str(&format!("  - `{}`: {}\n", j.name.replace('`', "'"), ci_report::safe::inline(head, 120)));
    }
    s
}

/// The cluster statuses as a short deterministic summary (the comment's
/// `### Summary` slot): new first, then persistent, flaky, unknown.
pub fn status_summary(
    jobs: &[JobReport],
    statuses: &BTreeMap<String, FailureStatus>,
    facts: &BTreeMap<String, ClusterFacts>,
) -> Option<String> {
    const MAX_LINES: usize = 12;
    let mut rows: Vec<(u8, String, String)> = Vec::new();
    for (fp, status) in statuses {
        let members: Vec<&JobReport> = jobs.iter().filter(|j| j.fingerprints().contains(fp)).collect();
        let Some(first) = members.first() else { continue };
        let failure = first.failures.iter().find(|f| &f.fingerprint == fp);
        let headline = failure
            .map(|f| f.message.trim().to_string())
            .filter(|m| !m.is_empty())
            .or_else(|| failure.and_then(|f| f.test_id()))
            .or_else(|| first.headline.clone())
            .unwrap_or_else(|| "(no failure line recognised)".into());
        let (rank, label) = match status {
            FailureStatus::New => (0, "🆕 **new**"),
            FailureStatus::Persistent => (1, "🟥 **persistent**"),
            FailureStatus::Flaky => (2, "🔁 **flaky**"),
            FailureStatus::NoHistory => (3, "❔ **no history**"),
        };
        let mut names: Vec<String> = members.iter().map(|j| j.name.clone()).collect();
        names.dedup();
        let shown: Vec<String> = names.iter().take(3).map(|n| ci_report::safe::code_span(n, 60, false)).collect();
        let more = if names.len() > 3 { format!(" +{}", names.len() - 3) } else { String::new() };
        let fact = facts.get(fp).map(|f| format!(" · {}", f.sentence())).unwrap_or_default();
        let line = format!(
            "- {label} {} — {}{more}{fact}",
            ci_report::safe::code_span(&headline, 100, false),
            shown.join(", ")
        );
        rows.push((rank, headline, line));
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort();
    // Several fingerprints can read the same (e.g. the `E` line and the
    // pytest summary line of one error): one line each is enough.
    rows.dedup_by(|a, b| a.2 == b.2);
    let total = rows.len();
    let mut out = String::from(
        "Status of each symptom, from completed runs only (flaky: red and green on one commit, a re-run passed, or alternating):\n\n",
    );
    for (_, _, line) in rows.iter().take(MAX_LINES) {
        out.push_str(line);
        out.push('\n');
    }
    if total > MAX_LINES {
        out.push_str(&format!("- … and {} more symptom(s) in the table below\n", total - MAX_LINES));
    }
    Some(out)
}
