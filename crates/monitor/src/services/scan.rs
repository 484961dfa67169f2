//! Reading one workflow's recent runs from GitHub: which jobs failed in
//! the window (in completed runs and, already completed, in runs still in
//! flight), which runs are still in flight, and the
//! history (recent completed runs) to compare each failure with.
//!
//! API cost: one runs list, plus one jobs list per run that did not
//! succeed. A run that concluded `success` vouches for all of its jobs, so
//! its jobs are never fetched; that keeps a tick at "a small constant plus
//! the log downloads" instead of "one call per run in the history".

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use ci_github::{GitHub, RunFilter};

use crate::config::MonitoredWorkflow;
use crate::ctx::Ctx;
use crate::domain::gate::is_gate_job;
use crate::domain::history::{self, HistoryFacts};
use ci_model::{Job, RunId, Signal, WorkflowRun};

/// One workflow's recent runs, as the actions need them.
#[derive(Debug, Clone, Default)]
pub struct WorkflowScan {
    /// Completed runs in the window and the history, newest first, with
    /// their jobs (empty for successful runs: not fetched).
    pub runs: Vec<(WorkflowRun, Vec<Job>)>,
    /// Failed (red, non-gate) completed jobs of the window's runs, also of
    /// runs still in flight.
    pub failed: Vec<(WorkflowRun, Job)>,
    /// Gate jobs skipped.
    pub gates_skipped: usize,
    /// Runs of the window still running, with pending/failed-so-far counts.
    pub in_flight: Vec<(WorkflowRun, u32, u32)>,
}

impl WorkflowScan {
    /// How the job named `job_name` fared in the scanned runs up to `run_id`.
    pub fn facts_for(&self, job_name: &str, run_id: RunId, window: usize) -> HistoryFacts {
        let obs = history::observations(job_name, &self.runs);
        history::facts(run_id, &obs, window)
    }

    /// Jobs (by name) red in a completed run of the scan and green in a
    /// later completed one, with the start of the first such green run
    /// after the job's last failure: the observed "fixed" of trackers and
    /// the daily TL;DR (a successful run vouches for all of its jobs).
    pub fn green_after_red(&self) -> BTreeMap<String, DateTime<Utc>> {
        let red: BTreeSet<&str> = self
            .runs
            .iter()
            .flat_map(|(_, jobs)| jobs)
            .filter(|j| j.signal() == Signal::Red)
            .map(|j| j.name.as_str())
            .collect();
        red.into_iter()
            .filter_map(|name| {
                // Newest first: what comes before the newest red is later.
                let obs = history::observations(name, &self.runs);
                let last_red = obs.iter().position(|o| o.signal == Signal::Red)?;
                let green = obs[..last_red].iter().rev().find(|o| o.signal == Signal::Green)?;
                Some((name.to_string(), green.created_at))
            })
            .collect()
    }
}

/// Scans `wf` over the last `lookback_hours` (and enough older runs for the
/// history comparison).
pub async fn scan_workflow<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    wf: &MonitoredWorkflow,
    lookback_hours: u32,
) -> anyhow::Result<WorkflowScan> {
    let s = &ctx.settings;
    let history_runs = ctx.config.history_runs as usize;
    let filter = RunFilter {
        workflow: Some(wf.file.clone()),
        branch: wf.branch.clone(),
        event: wf.event.clone(),
        // Window runs plus enough older ones for the history comparison;
        // one page either way.
        limit: Some(100),
        ..Default::default()
    };
    let listed = ctx.github().list_workflow_runs(&s.repo, &filter).await.map_err(|e| {
        // A 404 here names neither the repository nor the workflow.
        let hint = if e.is_not_found() { " (does the repository exist, and can the token read its Actions?)" } else { "" };
        anyhow::anyhow!("listing the runs of `{}` in {}: {e}{hint}", wf.file, s.repo)
    })?;
    let since = s.now - Duration::hours(lookback_hours as i64);
    let mut scan = WorkflowScan::default();
    let mut older_completed = 0usize;
    let mut to_fetch: Vec<(WorkflowRun, bool)> = Vec::new();
    for run in listed {
        if run.created_at > s.now {
            continue; // from the future relative to a pinned clock
        }
        let in_window = run.created_at >= since || run.last_activity() >= since;
        if !run.is_completed() {
            if in_window || run.created_at >= s.now - Duration::days(2) {
                to_fetch.push((run, true));
            }
            continue;
        }
        if in_window {
            to_fetch.push((run, true));
        } else if older_completed < history_runs {
            older_completed += 1;
            to_fetch.push((run, false));
        }
    }
    // Fetch jobs of runs that did not succeed, concurrently (bounded).
    let mut handles = Vec::new();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(6));
    for (run, _) in &to_fetch {
        if run.is_completed() && run.succeeded() {
            continue;
        }
        let gh = ctx.github().clone();
        let repo = s.repo.clone();
        let id = run.id;
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            (id, gh.list_jobs(&repo, id).await)
        }));
    }
    let mut jobs_by_run: BTreeMap<RunId, Vec<Job>> = BTreeMap::new();
    for h in handles {
        let (id, res) = h.await?;
        jobs_by_run.insert(id, res?);
    }
    for (run, in_window) in to_fetch {
        let jobs = jobs_by_run.remove(&run.id).unwrap_or_default();
        if !run.is_completed() {
            let pending = jobs.iter().filter(|j| !j.is_completed()).count() as u32;
            let failed = jobs
                .iter()
                .filter(|j| j.signal() == Signal::Red && !is_gate_job(j, &ctx.config))
                .count() as u32;
            // A job that already failed is analysed now (the old bot did):
            // the day's report must not wait for the slowest job of the run.
            // It is not evidence for the trends until the run completes.
            if in_window {
                for j in jobs.iter().filter(|j| j.is_completed() && j.signal() == Signal::Red) {
                    if !is_gate_job(j, &ctx.config) {
                        scan.failed.push((run.clone(), j.clone()));
                    }
                }
            }
            scan.in_flight.push((run, pending, failed));
            continue;
        }
        if in_window {
            for j in &jobs {
                if j.signal() != Signal::Red {
                    continue;
                }
                if is_gate_job(j, &ctx.config) {
                    scan.gates_skipped += 1;
                    continue;
                }
                scan.failed.push((run.clone(), j.clone()));
            }
        }
        scan.runs.push((run, jobs));
    }
    scan.runs.sort_by(|a, b| b.0.created_at.cmp(&a.0.created_at).then(b.0.id.cmp(&a.0.id)));
    scan.failed.sort_by(|a, b| {
        (a.0.created_at, a.0.id, &a.1.name).cmp(&(b.0.created_at, b.0.id, &b.1.name))
    });
    scan.in_flight.sort_by_key(|(r, _, _)| r.id);
    Ok(scan)
}
