//! "What changed since the last green run", in the monitor: for each failed
//! job, the newest successful run of the same workflow on the same branch
//! (created before the failure) and in it the job of the same name; its log
//! becomes the triage baseline ([`ci_triage::Baseline`]), so lines the
//! passing job also printed rank below the ones it did not.
//!
//! Bounded per call: at most [`MAX_RUN_LISTS`] run lists (one per workflow
//! and branch), one job list per passing run, and [`MAX_DOWNLOADS`] log
//! downloads, one per job name whatever the number of failed jobs sharing
//! it. A baseline is a help, never a requirement: any read that fails just
//! means that job is triaged without one.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use ci_github::{Conclusion, GitHub, Job, RepoRef, RunFilter, WorkflowRun};
use ci_triage::Baseline;

use crate::ctx::GitHubReads;
use crate::services::triage::{PipeReader, PipeWriter, PIPE_CHUNKS};

/// Run lists per call (distinct workflow and branch pairs).
pub const MAX_RUN_LISTS: usize = 4;
/// Passing logs downloaded per call.
pub const MAX_DOWNLOADS: usize = 8;
/// Successful runs looked at per workflow and branch.
const RUNS_PER_LIST: usize = 5;

/// A passing job's log, ready to compare with.
#[derive(Clone)]
pub struct Found {
    /// Its lines.
    pub baseline: Arc<Baseline>,
    /// Its page, for the report ("compared with …").
    pub job_url: String,
}

/// The baseline of each job in `jobs` (same order), where one was found.
pub async fn for_jobs<G: GitHub + Clone + 'static>(
    gh: &GitHubReads<G>,
    repo: &RepoRef,
    jobs: &[(WorkflowRun, Job)],
) -> Vec<Option<Found>> {
    // The newest failure per workflow and branch bounds "before".
    let mut groups: BTreeMap<(u64, String), chrono::DateTime<chrono::Utc>> = BTreeMap::new();
    for (run, _) in jobs {
        let Some(branch) = run.head_branch.clone().filter(|b| !b.is_empty()) else { continue };
        let at = groups.entry((run.workflow_id, branch)).or_insert(run.created_at);
        *at = (*at).max(run.created_at);
    }
    // (workflow, branch) → passing jobs by name.
    let mut passing: HashMap<(u64, String), HashMap<String, Job>> = HashMap::new();
    for ((workflow_id, branch), before) in groups.into_iter().take(MAX_RUN_LISTS) {
        let filter = RunFilter {
            workflow: Some(workflow_id.to_string()),
            branch: Some(branch.clone()),
            status: Some("success".into()),
            limit: Some(RUNS_PER_LIST),
            ..Default::default()
        };
        let Ok(runs) = gh.list_workflow_runs(repo, &filter).await else { continue };
        let Some(green) = runs.into_iter().filter(|r| r.created_at < before).max_by_key(|r| r.created_at) else { continue };
        let Ok(green_jobs) = gh.list_jobs(repo, green.id).await else { continue };
        let by_name = green_jobs
            .into_iter()
            .filter(|j| j.conclusion == Some(Conclusion::Success))
            .map(|j| (j.name.clone(), j))
            .collect();
        passing.insert((workflow_id, branch), by_name);
    }

    let mut downloaded: HashMap<(u64, String, String), Option<Found>> = HashMap::new();
    let mut out = Vec::with_capacity(jobs.len());
    for (run, job) in jobs {
        let Some(branch) = run.head_branch.clone() else {
            out.push(None);
            continue;
        };
        let key = (run.workflow_id, branch.clone(), job.name.clone());
        if let Some(found) = downloaded.get(&key) {
            out.push(found.clone());
            continue;
        }
        let green = passing.get(&(run.workflow_id, branch)).and_then(|m| m.get(&job.name));
        let found = match green {
            Some(g) if downloaded.len() < MAX_DOWNLOADS => download(gh, repo, g).await,
            _ => None,
        };
        if green.is_some() {
            downloaded.insert(key, found.clone());
        }
        out.push(found);
    }
    out
}

/// Streams a passing job's log into a baseline (bounded memory).
async fn download<G: GitHub + Clone + 'static>(gh: &GitHubReads<G>, repo: &RepoRef, job: &Job) -> Option<Found> {
    let (tx, rx) = sync_channel::<Vec<u8>>(PIPE_CHUNKS);
    let build = tokio::task::spawn_blocking(move || Baseline::from_reader(PipeReader::new(rx)));
    let mut sink = PipeWriter::new(tx);
    let downloaded = gh.download_job_log(repo, job.id, &mut sink).await;
    drop(sink);
    let baseline = build.await.ok()?;
    downloaded.ok()?;
    let job_url = job.html_url.clone().unwrap_or_default();
    Some(Found { baseline: Arc::new(baseline), job_url })
}
