//! Download and triage failed jobs' logs, a few at a time, for every action
//! that reports on jobs.

use std::sync::Arc;

use ci_github::{GitHub, Job, RepoRef, WorkflowRun};
use ci_report::JobReport;
use ci_triage::RuleSet;

use crate::ctx::GitHubReads;

/// Log downloads in flight at once.
const CONCURRENT_DOWNLOADS: usize = 4;

/// Each job's log (from `repo`, where the runs live) triaged into its
/// report, in input order. A job whose log cannot be read or analysed is
/// recorded as incomplete, so it is not retried forever.
pub async fn triage_jobs<G: GitHub + Clone + 'static>(
    github: &GitHubReads<G>,
    repo: &RepoRef,
    rules: &Arc<RuleSet>,
    jobs: &[(WorkflowRun, Job)],
) -> Vec<JobReport> {
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_DOWNLOADS));
    let mut handles = Vec::new();
    for (run, job) in jobs.iter().cloned() {
        let gh = github.clone();
        let repo = repo.clone();
        let rules = rules.clone();
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            let mut log: Vec<u8> = Vec::new();
            match gh.download_job_log(&repo, job.id, &mut log).await {
                Ok(_) => {
                    let analysis = tokio::task::spawn_blocking(move || ci_triage::analyze(log.as_slice(), &rules)).await;
                    match analysis {
                        Ok(a) => JobReport::analyzed(&run, &job, &a),
                        Err(e) => JobReport::incomplete(&run, &job, &format!("triage crashed: {e}")),
                    }
                }
                Err(e) => JobReport::incomplete(&run, &job, &format!("log download failed: {e}")),
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
