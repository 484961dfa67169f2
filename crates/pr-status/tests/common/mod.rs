//! A small world of pull-request CI: the head, the base, other commits.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ci_pr_status::{Inputs, JobRun, PrFacts};
use ci_report::{FailureView, JobOutcome, JobReport, LogAnchor};

pub const HEAD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const MERGE_BASE: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const REPO: &str = "sgl-project/sglang";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
}

pub fn hours_ago(h: i64) -> DateTime<Utc> {
    now() - Duration::hours(h)
}

/// A failure line: message and fingerprint.
pub fn fail(msg: &str, fp: &str) -> (String, String) {
    (msg.to_string(), fp.to_string())
}

thread_local! {
    // Per test (libtest runs each test on its own thread): ids, and so the
    // snapshots, do not depend on which tests ran first.
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(1000) };
}

fn next_id() -> u64 {
    NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

/// A completed job of workflow `wf` at `sha`.
pub fn job(wf: &str, name: &str, sha: &str, at: DateTime<Utc>, conclusion: &str) -> JobRun {
    let id = next_id();
    let run_id = id * 10;
    JobRun {
        workflow: wf.into(),
        name: name.into(),
        job_id: id,
        run_id,
        attempt: 1,
        sha: sha.into(),
        branch: Some(if sha == HEAD { "feature".into() } else { "main".into() }),
        author: None,
        at,
        status: "completed".into(),
        conclusion: Some(conclusion.into()),
        url: format!("https://github.com/{REPO}/actions/runs/{run_id}/job/{id}"),
        gate: false,
        ran: true,
        report: None,
    }
}

/// A failed job with a triaged log.
pub fn red(wf: &str, name: &str, sha: &str, at: DateTime<Utc>, category: &str, failures: &[(String, String)]) -> JobRun {
    let mut j = job(wf, name, sha, at, "failure");
    j.report = Some(report(&j, category, failures));
    j
}

pub fn report(j: &JobRun, category: &str, failures: &[(String, String)]) -> JobReport {
    JobReport {
        job_id: ci_model::JobId(j.job_id),
        name: j.name.clone(),
        run_url: format!("https://github.com/{REPO}/actions/runs/{}", j.run_id),
        job_url: j.url.clone(),
        head_sha: Some(j.sha.clone()),
        conclusion: j.conclusion.as_deref().map(ci_model::Conclusion::from),
        outcome: JobOutcome::Analyzed,
        category: Some(category.parse().expect("a ci_triage::Category word")),
        failures: failures
            .iter()
            .enumerate()
            .map(|(i, (m, fp))| FailureView {
                // `FAILED file::test - message`, as pytest prints it.
                test_file: test_id(m).map(|(f, _)| f),
                test_function: test_id(m).map(|(_, t)| t),
                message: m.clone(),
                fingerprint: fp.clone(),
                anchor: Some(LogAnchor { step: 4, line: 100 + i as u32 }),
                excerpt: vec![m.clone()],
            })
            .collect(),
        headline: failures.first().map(|f| f.0.clone()),
        ..Default::default()
    }
}

pub fn pr() -> PrFacts {
    PrFacts {
        repo: REPO.into(),
        server_url: "https://github.com".into(),
        number: 4242,
        author: "alice".into(),
        head_sha: HEAD.into(),
        head_ref: "feature".into(),
        head_deleted: false,
        base_ref: "main".into(),
        merge_base: Some(MERGE_BASE.into()),
        merge_base_at: Some(hours_ago(30)),
        changed_files: Vec::new(),
        files_truncated: false,
    }
}

pub fn inputs(head: Vec<JobRun>, base: Vec<JobRun>, elsewhere: Vec<JobRun>) -> Inputs {
    Inputs { pr: pr(), head, head_runs: Vec::new(), base, elsewhere, expected: Vec::new(), now: now() }
}

fn test_id(message: &str) -> Option<(String, String)> {
    let id = message.strip_prefix("FAILED ")?.split(' ').next()?;
    let (file, func) = id.split_once("::")?;
    Some((file.to_string(), func.to_string()))
}
