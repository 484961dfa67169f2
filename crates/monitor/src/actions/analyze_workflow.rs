//! `analyze-workflow`: triage the new failed jobs of one workflow and
//! upsert its comment(s) on the daily issue.
//!
//! Per tick: one issue list, one comment list per day of dedup memory, the
//! workflow scan (see [`crate::services::scan`]), one log download per NEW failed job,
//! and the comment writes — none at all when nothing changed.

use std::collections::{BTreeMap, BTreeSet};

use ci_github::{GitHub, IssueComment};
use ci_model::{FailureStatus, IssueNumber, Job, JobId, WorkflowRun};
use ci_report::facts::{parse_facts, with_facts, WorkflowFacts};
use ci_report::markers;
use ci_report::step_summary::{self, AnalyzeWorkflowSummary};
use ci_report::workflow_comment::{
    belongs_to_workflow, merge_jobs, parse_workflow_comments, plan_parts, render_workflow_comments, status_summary,
    ExistingComment, RecoveredWorkflow,
};
use ci_report::{ClusterFacts, CommitRange, InFlightRun, JobReport, WorkflowReport};

use crate::action::{AnalyzeWorkflowOutputs, IssueLink, Outcome};
use crate::ctx::Ctx;
use crate::domain::cluster::{cluster_facts, cluster_status};
use crate::domain::history::HistoryFacts;
use crate::services::daily_issues::{ensure_daily_issue, list_daily_issues};
use crate::services::scan::{scan_workflow, WorkflowScan};
use crate::services::narration::{self, NewJob, Session};
use crate::services::triage::triage_jobs;

/// Runs the action for `workflow`.
pub async fn run<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    workflow: &str,
) -> anyhow::Result<Outcome<AnalyzeWorkflowOutputs>> {
    let wf = ctx.config.workflow(workflow);
    let lookback = ctx.settings.lookback_hours;
    let dedup_days = ctx.config.dedup_days.max(lookback.div_ceil(24));

    let mut dailies = list_daily_issues(ctx, dedup_days).await?;
    let today = ensure_daily_issue(ctx, &mut dailies).await?;
    let comments: Vec<IssueComment> = match &today {
        Some(issue) => ctx.github().list_comments(&ctx.settings.bot_repo, issue.number).await?,
        None => Vec::new(),
    };
    let recovered = parse_workflow_comments(workflow, comments.iter().map(|c| c.body.as_str()));
    let previous_facts = comments
        .iter()
        .filter(|c| belongs_to_workflow(&c.body, workflow))
        .find_map(|c| parse_facts(&c.body));

    // Dedup memory: today's comments plus the previous days' ones, so a job
    // analysed yesterday inside today's lookback window is not analysed again.
    let mut processed: BTreeSet<JobId> = processed_ids(workflow, &comments, &recovered);
    let mut earlier_bodies: Vec<String> = Vec::new();
    for issue in dailies.previous(ctx.settings.date, dedup_days) {
        let old = ctx.github().list_comments(&ctx.settings.bot_repo, issue.number).await?;
        let rec = parse_workflow_comments(workflow, old.iter().map(|c| c.body.as_str()));
        processed.extend(processed_ids(workflow, &old, &rec));
        if ctx.llm().configured() {
            earlier_bodies.extend(old.into_iter().map(|c| c.body));
        }
    }

    let scan = scan_workflow(ctx, &wf, lookback).await?;
    let new_jobs: Vec<(WorkflowRun, Job)> =
        scan.failed.iter().filter(|(_, j)| !processed.contains(&j.id)).cloned().collect();
    let triaged = triage_jobs(ctx, &ctx.settings.repo, &new_jobs).await;
    let deferred = triaged.deferred_warning();
    let (new_reports, analyses) = (triaged.reports, triaged.analyses);

    let mut jobs = merge_jobs(recovered.jobs.clone(), new_reports.clone());
    let (cluster_facts_map, suspected, mut statuses) = history_facts(ctx, &scan, &jobs);

    // The model describes the new jobs (none configured: nothing happens).
    let mut llm = ctx.llm().configured().then(|| {
        // The daily issue's body carries the daily summary's spending.
        let issue_body = today.as_ref().map(|i| i.body.as_str());
        let today: Vec<&str> = comments.iter().map(|c| c.body.as_str()).collect();
        let stored = narration::stored_memory(workflow, today.iter().copied(), earlier_bodies.iter().map(String::as_str), ctx.settings.date);
        let others = narration::used_by_others(workflow, today.iter().copied().chain(issue_body), ctx.settings.date);
        Session::start(ctx.llm(), stored, others, ctx.settings.date)
    });
    if let Some(session) = &mut llm {
        let window = ctx.config.history_runs as usize;
        let new: Vec<NewJob<'_>> = new_jobs
            .iter()
            .filter_map(|(run, job)| {
                let (_, analysis) = analyses.iter().find(|(id, _)| *id == job.id)?;
                Some(NewJob { job, analysis, history: Some(scan.facts_for(&job.name, run.id, window)) })
            })
            .collect();
        let repo = ctx.settings.repo.to_string();
        narration::narrate_jobs(session, &repo, workflow, &new, &mut jobs, &cluster_facts_map, &ctx.rules).await;
    }
    let mut facts = WorkflowFacts {
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
        green_jobs: scan.green_after_red(),
    };

    // A deferred job (rate limit) is not processed: the next run reads it.
    let processed_ids: BTreeSet<JobId> = processed.iter().copied().chain(new_reports.iter().map(|r| r.job_id)).collect();
    let footer = llm.as_ref().and_then(Session::footer);
    let mut report = workflow_report(ctx, workflow, &scan, jobs, &processed_ids, cluster_facts_map, suspected, &statuses, footer.clone());
    let mut rendered = render_workflow_comments(&report);
    // A digest stores each job cut to fit its share of the parts. Render
    // again from what it stores, in a fixed order, so that a later run which
    // reads some jobs back and analyses the rest again renders the same
    // bodies: otherwise a report larger than one run's write budget rewrites
    // its first parts every run and never finishes.
    if rendered.iter().any(|b| b.contains(markers::JOB_DIGEST_PREFIX)) {
        let mut stored = parse_workflow_comments(workflow, rendered.iter().map(String::as_str)).jobs;
        stored.sort_by_key(|j| j.job_id);
        let (clusters, suspected, st) = history_facts(ctx, &scan, &stored);
        statuses = st;
        facts.clusters = clusters.clone();
        report = workflow_report(ctx, workflow, &scan, stored, &processed_ids, clusters, suspected, &statuses, footer);
        rendered = render_workflow_comments(&report);
    }

    // Nothing new and nothing in flight changed: leave the comment alone, so
    // a quiet tick costs reads only (conditional 304s).
    let unchanged = new_reports.is_empty()
        && previous_facts.as_ref().is_some_and(|p| p.in_flight == facts.in_flight && p.runs_completed == facts.runs_completed);
    // A job seen green after its failure is news too (what makes trackers
    // and the TL;DR say "fixed"): its facts line must be written.
    let in_scope = !scan.failed.is_empty() || !report.jobs.is_empty() || !facts.green_jobs.is_empty();
    // In dry-run the daily issue may not exist yet: render anyway (issue 0)
    // so the plan shows what the comment would say.
    let target_issue = today.as_ref().map(|i| i.number).or(ctx.dry_run().then_some(IssueNumber(0)));
    if let Some(issue_number) = target_issue {
        if !unchanged && (in_scope || !recovered.jobs.is_empty() || previous_facts.is_some() || !scan.in_flight.is_empty()) {
            let mut parts = with_facts(rendered, &facts);
            if let Some(session) = &mut llm {
                parts = narration::store_memory(parts, &mut session.memory);
            }
            write_parts(ctx, issue_number, workflow, &comments, &parts).await?;
        }
    }
    let failure_count = scan.failed.len();
    let mut out = Outcome::new(AnalyzeWorkflowOutputs {
        issue: IssueLink::from_issue(today.as_ref()),
        failure_count,
        new_failure_count: new_reports.len(),
    });
    out.summary = step_summary::analyze_workflow(&AnalyzeWorkflowSummary {
        workflow,
        failed_in_window: failure_count,
        gates_skipped: scan.gates_skipped,
        new_jobs: &new_reports,
        reported_jobs: report.jobs.len(),
        runs_in_flight: scan.in_flight.len(),
        unchanged,
        statuses: &statuses,
    });
    if let Some(footer) = llm.as_ref().and_then(Session::footer) {
        out.summary.push_str(&format!("\n{footer}\n"));
    }
    out.warnings.extend(deferred);
    Ok(out)
}

/// The jobs a workflow's comments record as done. Part 1 lists every
/// processed id, but a run cut short after writing it (killed, out of write
/// budget) leaves later parts, and the blocks in them, unwritten: the ids
/// are trusted only when every part of the set is there (all say the same
/// `N` and parts 1..=N are present). Otherwise only jobs whose block exists
/// count, and the others are analysed again.
fn processed_ids(workflow: &str, comments: &[IssueComment], recovered: &RecoveredWorkflow) -> BTreeSet<JobId> {
    let parts: Vec<(usize, usize)> = comments
        .iter()
        .filter(|c| belongs_to_workflow(&c.body, workflow))
        .map(|c| markers::find_part(&c.body).unwrap_or((1, 1)))
        .collect();
    let complete = parts.first().is_some_and(|&(_, total)| {
        let indices: BTreeSet<usize> = parts.iter().map(|p| p.0).collect();
        parts.iter().all(|p| p.1 == total) && indices == (1..=total).collect()
    });
    let mut ids: BTreeSet<JobId> = recovered.jobs.iter().map(|j| j.job_id).collect();
    if complete {
        ids.extend(recovered.processed_job_ids.iter().copied());
    }
    ids
}

/// The report of `jobs` as the comment states it.
#[allow(clippy::too_many_arguments)]
fn workflow_report<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    workflow: &str,
    scan: &WorkflowScan,
    jobs: Vec<JobReport>,
    processed: &BTreeSet<JobId>,
    cluster_facts: BTreeMap<String, ClusterFacts>,
    suspected_range: Option<CommitRange>,
    statuses: &BTreeMap<String, FailureStatus>,
    llm_footer: Option<String>,
) -> WorkflowReport {
    WorkflowReport {
        workflow: workflow.to_string(),
        repo: ctx.settings.repo.to_string(),
        server_url: ctx.settings.server_url.clone(),
        bot_name: ctx.config.bot_name.clone(),
        method: ctx.llm().method().into(),
        scanned_at: ctx.settings.now,
        summary: status_summary(&jobs, statuses, &cluster_facts),
        jobs,
        processed_job_ids: processed.iter().copied().collect(),
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
        cluster_facts,
        suspected_range,
        llm_footer,
    }
}

fn in_window<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, r: &WorkflowRun) -> bool {
    let since = ctx.settings.now - chrono::Duration::hours(ctx.settings.lookback_hours as i64);
    r.created_at >= since || r.last_activity() >= since
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
        // What is stored is redacted: compare like with like.
        if current == Some(parts[*idx].as_str()) || current == Some(ctx.redact(&parts[*idx]).as_str()) {
            continue;
        }
        ctx.update_comment(repo, *id, &parts[*idx]).await?;
    }
    for idx in &plan.create {
        let marker = markers::workflow_part_marker(idx + 1, parts.len(), workflow);
        ctx.upsert_comment(repo, issue, &marker, &parts[*idx]).await?;
    }
    for id in &plan.delete {
        ctx.delete_comment(repo, *id).await?;
    }
    Ok(())
}
