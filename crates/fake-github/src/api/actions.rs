//! `/repos/{o}/{r}/actions/...`, dispatches, and the log "blob host".

use std::io::Write;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{created, no_content, ok, parse_body, parse_num, ApiError, ApiResult, Ctx};
use crate::json;
use crate::state::{Blob, BlobKind, Dispatch, Job, Repo, Run};

type RepoPath = Path<(String, String)>;
type RepoIdPath = Path<(String, String, String)>;

pub(crate) async fn list_workflows(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let items = ctx.repo(&o, &r, |repo, _| {
        repo.workflows.iter().map(|w| json::workflow(&ctx.api, repo, w)).collect()
    })?;
    ctx.page_envelope("workflows", items, json!({}))
}

pub(crate) async fn get_workflow(ctx: Ctx, Path((o, r, wf)): RepoIdPath) -> ApiResult {
    let v = ctx.repo(&o, &r, |repo, _| repo.workflow(&wf).map(|w| json::workflow(&ctx.api, repo, w)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn list_runs(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    runs_response(&ctx, &o, &r, None)
}

pub(crate) async fn list_workflow_runs(ctx: Ctx, Path((o, r, wf)): RepoIdPath) -> ApiResult {
    runs_response(&ctx, &o, &r, Some(&wf))
}

const RUN_STATUSES: &[&str] =
    &["completed", "in_progress", "queued", "requested", "waiting", "pending", "action_required"];

fn runs_response(ctx: &Ctx, o: &str, r: &str, wf: Option<&str>) -> ApiResult {
    let created = ctx.param("created").map(parse_created_range).transpose()?;
    let items = ctx.repo(o, r, |repo, _| -> Result<Vec<Value>, ApiError> {
        let wf_id = match wf {
            Some(key) => Some(repo.workflow(key).ok_or_else(ApiError::not_found)?.id),
            None => None,
        };
        let mut runs: Vec<&Run> = repo
            .runs
            .values()
            .filter(|run| wf_id.is_none_or(|id| run.workflow_id == id))
            .filter(|run| ctx.param("branch").is_none_or(|b| run.head_branch == b))
            .filter(|run| ctx.param("event").is_none_or(|e| run.event == e))
            .filter(|run| ctx.param("head_sha").is_none_or(|s| run.head_sha == s))
            .filter(|run| ctx.param("actor").is_none_or(|a| run.actor.eq_ignore_ascii_case(a)))
            .filter(|run| match ctx.param("status") {
                None => true,
                Some(s) if RUN_STATUSES.contains(&s) => run.status == s,
                Some(s) => run.conclusion.as_deref() == Some(s),
            })
            .filter(|run| created.as_ref().is_none_or(|(lo, hi)| {
                lo.is_none_or(|lo| run.created_at >= lo) && hi.is_none_or(|hi| run.created_at <= hi)
            }))
            .collect();
        runs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(runs.into_iter().map(|run| json::run(&ctx.api, repo, run)).collect())
    })??;
    ctx.page_envelope("workflow_runs", items, json!({}))
}

/// GitHub's `created` qualifier: `>=X`, `>X`, `<=X`, `<X`, `X..Y` (either
/// side may be `*`), or a bare date meaning that whole day.
/// Inclusive bounds; `None` = open-ended.
type TimeRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

pub fn parse_created_range(s: &str) -> Result<TimeRange, ApiError> {
    let bad = || ApiError::validation("WorkflowRun", "created", "invalid", &format!("invalid created filter {s:?}"));
    let t = |x: &str, end_of_day: bool| -> Result<Option<DateTime<Utc>>, ApiError> {
        let x = x.trim();
        if x == "*" {
            return Ok(None);
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d") {
            let t = if end_of_day { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) };
            return Ok(t.map(|t| t.and_utc()));
        }
        DateTime::parse_from_rfc3339(x).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| bad())
    };
    let sec = chrono::Duration::seconds(1);
    if let Some(x) = s.strip_prefix(">=") {
        Ok((t(x, false)?, None))
    } else if let Some(x) = s.strip_prefix("<=") {
        Ok((None, t(x, true)?))
    } else if let Some(x) = s.strip_prefix('>') {
        Ok((t(x, true)?.map(|t| t + sec), None))
    } else if let Some(x) = s.strip_prefix('<') {
        Ok((None, t(x, false)?.map(|t| t - sec)))
    } else if let Some((a, b)) = s.split_once("..") {
        Ok((t(a, false)?, t(b, true)?))
    } else {
        Ok((t(s, false)?, t(s, true)?))
    }
}

pub(crate) async fn get_run(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let v = ctx.repo(&o, &r, |repo, _| repo.runs.get(&id).map(|run| json::run(&ctx.api, repo, run)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

/// The jobs of the latest attempt: for each job name, its newest attempt.
fn latest_jobs(repo: &Repo, run_id: u64) -> Vec<&Job> {
    let all: Vec<&Job> = repo.jobs.values().filter(|j| j.run_id == run_id).collect();
    all.iter()
        .copied()
        .filter(|j| {
            !all.iter()
                .any(|k| k.name == j.name && (k.run_attempt, k.id) > (j.run_attempt, j.id))
        })
        .collect()
}

pub(crate) async fn list_jobs(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let filter = ctx.param("filter").unwrap_or("latest").to_string();
    if filter != "latest" && filter != "all" {
        return Err(ApiError::validation("Job", "filter", "invalid", "filter must be one of: latest, all"));
    }
    let items = ctx.repo(&o, &r, |repo, _| -> Result<Vec<Value>, ApiError> {
        if !repo.runs.contains_key(&id) {
            return Err(ApiError::not_found());
        }
        let jobs: Vec<&Job> = if filter == "all" {
            repo.jobs.values().filter(|j| j.run_id == id).collect()
        } else {
            latest_jobs(repo, id)
        };
        Ok(jobs.into_iter().map(|j| json::job(&ctx.api, repo, j)).collect())
    })??;
    ctx.page_envelope("jobs", items, json!({}))
}

pub(crate) async fn list_attempt_jobs(ctx: Ctx, Path((o, r, id, attempt)): Path<(String, String, String, String)>) -> ApiResult {
    let id = parse_num(&id)?;
    let attempt = parse_num(&attempt)?;
    let items = ctx.repo(&o, &r, |repo, _| -> Result<Vec<Value>, ApiError> {
        let run = repo.runs.get(&id).ok_or_else(ApiError::not_found)?;
        if attempt == 0 || attempt > run.run_attempt {
            return Err(ApiError::not_found());
        }
        Ok(repo
            .jobs
            .values()
            .filter(|j| j.run_id == id && j.run_attempt == attempt)
            .map(|j| json::job(&ctx.api, repo, j))
            .collect())
    })??;
    ctx.page_envelope("jobs", items, json!({}))
}

pub(crate) async fn get_job(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let v = ctx.repo(&o, &r, |repo, _| repo.jobs.get(&id).map(|j| json::job(&ctx.api, repo, j)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

/// Hand out a short-lived URL on the blob host, as GitHub does: the API
/// answers 302 and the client must follow it WITHOUT its token.
fn redirect_to_blob(ctx: &Ctx, kind: BlobKind) -> ApiResult {
    let mut w = ctx.app.state.lock();
    let id = w.fresh_id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let token = format!("{id:x}{nanos:08x}");
    let expires = Instant::now() + w.blob_ttl;
    w.blobs.insert(token.clone(), Blob { expires, kind });
    drop(w);
    // Same host name the client used, the blob listener's port: a
    // different origin, so well-behaved clients drop `Authorization`.
    let host = ctx
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name).to_string())
        .unwrap_or_else(|| ctx.app.blob_addr.ip().to_string());
    let location = format!("http://{host}:{}/_blob/{token}?sv=2026-01-01&se=expires&sig=fake", ctx.app.blob_addr.port());
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "bad location"))?,
    );
    Ok(resp)
}

pub(crate) async fn job_logs(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let has_log = ctx.repo(&o, &r, |repo, _| repo.jobs.get(&id).map(|j| j.log.is_some()))?;
    match has_log {
        None | Some(false) => Err(ApiError::not_found()),
        Some(true) => redirect_to_blob(&ctx, BlobKind::JobLog { repo: format!("{o}/{r}"), job_id: id }),
    }
}

pub(crate) async fn run_logs(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    if !ctx.repo(&o, &r, |repo, _| repo.runs.contains_key(&id))? {
        return Err(ApiError::not_found());
    }
    redirect_to_blob(&ctx, BlobKind::RunLogs { repo: format!("{o}/{r}"), run_id: id })
}

/// The blob host: serves job logs as text and run logs as a zip.
pub(crate) async fn blob(ctx: Ctx, Path(token): Path<String>) -> Result<Response, ApiError> {
    let blob = ctx.app.state.lock().blobs.get(&token).cloned();
    let Some(blob) = blob else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "The specified blob does not exist."));
    };
    if Instant::now() >= blob.expires {
        return Err(ApiError::new(StatusCode::GONE, "This log URL has expired; request a new one from the API."));
    }
    match blob.kind {
        BlobKind::JobLog { repo, job_id } => {
            let (o, r) = repo.split_once('/').unwrap_or_default();
            let log = ctx.repo(o, r, |repo, _| repo.jobs.get(&job_id).and_then(|j| j.log.clone()))?;
            let log = log.ok_or_else(ApiError::not_found)?;
            let mut resp = log.into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            Ok(resp)
        }
        BlobKind::RunLogs { repo, run_id } => {
            let (o, r) = repo.split_once('/').unwrap_or_default();
            let zip = ctx.repo(o, r, |repo, _| run_logs_zip(repo, run_id))??;
            let mut resp = zip.into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
            Ok(resp)
        }
    }
}

fn zip_name(s: &str) -> String {
    s.chars().map(|c| if matches!(c, '/' | '\\' | ':' | '<' | '>' | '|' | '"' | '?' | '*') { '_' } else { c }).collect()
}

/// GitHub's run-log archive: `{n}_{job}.txt` with each whole job log at the
/// root, and `{job}/{step}_{step name}.txt` per step.
fn run_logs_zip(repo: &Repo, run_id: u64) -> Result<Vec<u8>, ApiError> {
    let ise = |e: std::io::Error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    let zerr = |e: zip::result::ZipError| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts: zip::write::SimpleFileOptions =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (i, job) in latest_jobs(repo, run_id).into_iter().enumerate() {
            let Some(log) = &job.log else { continue };
            let name = zip_name(&job.name);
            z.start_file(format!("{i}_{name}.txt"), opts).map_err(zerr)?;
            z.write_all(log.as_bytes()).map_err(ise)?;
            let any_step_log = job.steps.iter().any(|s| s.log.is_some());
            let owner_step = job
                .steps
                .iter()
                .find(|s| s.conclusion.as_deref() == Some("failure"))
                .or(job.steps.last())
                .map(|s| s.number);
            for s in &job.steps {
                let text = match &s.log {
                    Some(l) => l.as_str(),
                    None if !any_step_log && Some(s.number) == owner_step => log.as_str(),
                    None => "",
                };
                z.start_file(format!("{name}/{}_{}.txt", s.number, zip_name(&s.name)), opts).map_err(zerr)?;
                z.write_all(text.as_bytes()).map_err(ise)?;
            }
        }
        z.finish().map_err(zerr)?;
    }
    Ok(buf.into_inner())
}

pub(crate) async fn rerun_failed(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let now = Utc::now();
    ctx.repo_mut(&o, &r, |repo, next_id| -> Result<(), ApiError> {
        let run = repo.runs.get(&id).ok_or_else(ApiError::not_found)?;
        if run.status != "completed" {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "This workflow run is not completed"));
        }
        let failed: Vec<Job> = latest_jobs(repo, id)
            .into_iter()
            .filter(|j| matches!(j.conclusion.as_deref(), Some("failure" | "cancelled" | "timed_out")))
            .cloned()
            .collect();
        if failed.is_empty() {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "This workflow run has no failed jobs to re-run"));
        }
        let run = repo.runs.get_mut(&id).expect("checked above");
        run.run_attempt += 1;
        run.status = "queued".into();
        run.conclusion = None;
        run.updated_at = now;
        run.run_started_at = now;
        let attempt = run.run_attempt;
        for old in failed {
            *next_id += 1;
            let mut job = old.clone();
            job.id = *next_id;
            job.run_attempt = attempt;
            job.status = "queued".into();
            job.conclusion = None;
            job.created_at = now;
            job.started_at = now;
            job.completed_at = None;
            job.log = None;
            for s in &mut job.steps {
                s.status = "queued".into();
                s.conclusion = None;
                s.started_at = None;
                s.completed_at = None;
                s.log = None;
            }
            repo.jobs.insert(job.id, job);
        }
        Ok(())
    })??;
    created(json!({}))
}

#[derive(Deserialize)]
struct WorkflowDispatchBody {
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    #[serde(default)]
    inputs: Option<Value>,
}

pub(crate) async fn workflow_dispatch(ctx: Ctx, Path((o, r, wf)): RepoIdPath, body: Bytes) -> ApiResult {
    let b: WorkflowDispatchBody = parse_body(&body)?;
    let wf_id = ctx.repo(&o, &r, |repo, _| repo.workflow(&wf).map(|w| w.id))?.ok_or_else(ApiError::not_found)?;
    let git_ref = b.git_ref.ok_or_else(|| ApiError::missing_field("Workflow", "ref"))?;
    ctx.app.state.lock().dispatches.push(Dispatch::Workflow {
        repo: format!("{o}/{r}"),
        workflow_id: wf_id,
        git_ref,
        inputs: b.inputs.unwrap_or_else(|| json!({})),
        at: Utc::now(),
    });
    no_content()
}

#[derive(Deserialize)]
struct RepositoryDispatchBody {
    event_type: Option<String>,
    #[serde(default)]
    client_payload: Option<Value>,
}

pub(crate) async fn repository_dispatch(ctx: Ctx, Path((o, r)): RepoPath, body: Bytes) -> ApiResult {
    let b: RepositoryDispatchBody = parse_body(&body)?;
    ctx.repo(&o, &r, |_, _| ())?;
    let event_type = b
        .event_type
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ApiError::missing_field("Repository", "event_type"))?;
    ctx.app.state.lock().dispatches.push(Dispatch::Repository {
        repo: format!("{o}/{r}"),
        event_type,
        client_payload: b.client_payload.unwrap_or_else(|| json!({})),
        at: Utc::now(),
    });
    no_content()
}
