//! Actions: workflow runs, jobs, logs, re-runs, dispatch.

use std::io::Write;

use serde_json::{json, Value};

use crate::client::paths::{enc, query, repo_path};
use crate::client::Client;
use crate::types::*;
use crate::Result;


pub(in crate::client) async fn list_workflow_runs(c: &Client, repo: &RepoRef, f: &RunFilter) -> Result<Vec<WorkflowRun>> {
    let base = match &f.workflow {
        Some(w) => format!("{}/actions/workflows/{}/runs", repo_path(repo), enc(w)),
        None => format!("{}/actions/runs", repo_path(repo)),
    };
    let per_page = f.limit.map(|l| l.clamp(1, 100)).unwrap_or(100);
    let q = query(&[
        ("branch", f.branch.as_deref()),
        ("event", f.event.as_deref()),
        ("status", f.status.as_deref()),
        ("created", f.created.as_deref()),
        ("head_sha", f.head_sha.as_deref()),
        ("per_page", Some(&per_page.to_string())),
    ]);
    c.get_pages(
        "list_workflow_runs",
        format!("{base}?{q}"),
        Some("workflow_runs"),
        f.limit,
    )
    .await
}

pub(in crate::client) async fn get_workflow_run(c: &Client, repo: &RepoRef, run_id: RunId) -> Result<WorkflowRun> {
    c.get_json(
        "get_workflow_run",
        &format!("{}/actions/runs/{run_id}", repo_path(repo)),
    )
    .await
}

pub(in crate::client) async fn list_jobs(c: &Client, repo: &RepoRef, run_id: RunId) -> Result<Vec<Job>> {
    let path = format!(
        "{}/actions/runs/{run_id}/jobs?filter=latest&per_page=100",
        repo_path(repo)
    );
    c.get_pages("list_jobs", path, Some("jobs"), None).await
}

pub(in crate::client) async fn download_job_log(c: &Client, repo: &RepoRef, job_id: JobId, sink: &mut (dyn Write + Send)) -> Result<u64> {
    c.download(
        "download_job_log",
        &format!("{}/actions/jobs/{job_id}/logs", repo_path(repo)),
        sink,
    )
    .await
}

pub(in crate::client) async fn download_run_logs_zip(c: &Client, repo: &RepoRef, run_id: RunId, sink: &mut (dyn Write + Send)) -> Result<u64> {
    c.download(
        "download_run_logs_zip",
        &format!("{}/actions/runs/{run_id}/logs", repo_path(repo)),
        sink,
    )
    .await
}

pub(in crate::client) async fn rerun_failed_jobs(c: &Client, repo: &RepoRef, run_id: RunId) -> Result<()> {
    let path = format!(
        "{}/actions/runs/{run_id}/rerun-failed-jobs",
        repo_path(repo)
    );
    c.write_no_content("rerun_failed_jobs", &path, &json!({}))
        .await
}

pub(in crate::client) async fn workflow_dispatch(c: &Client, repo: &RepoRef, workflow: &str, git_ref: &str, inputs: &Value) -> Result<()> {
    let path = format!(
        "{}/actions/workflows/{}/dispatches",
        repo_path(repo),
        enc(workflow)
    );
    let body = json!({ "ref": git_ref, "inputs": inputs });
    c.write_no_content("workflow_dispatch", &path, &body)
        .await
}
