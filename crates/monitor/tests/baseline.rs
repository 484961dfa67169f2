//! The monitor compares a failed job with the last green run of the same
//! job (same workflow, branch and job name): the report says so with a link,
//! one passing log is read per job name however many failures share it,
//! and a job that never passed is triaged without one.

mod common;

use chrono::Duration;
use common::*;

const FAIL: &str = "2026-01-01T03:00:00.0Z ##[group]Run ./check.sh
2026-01-01T03:00:01.0Z WARNING: cache server unreachable, continuing without cache
2026-01-01T03:00:02.0Z checking widgets
2026-01-01T03:00:03.0Z widget count mismatch: expected 3 got 4
2026-01-01T03:00:04.0Z ##[error]Process completed with exit code 1.";

const PASS: &str = "2026-01-01T02:00:00.0Z ##[group]Run ./check.sh
2026-01-01T02:00:01.0Z WARNING: cache server unreachable, continuing without cache
2026-01-01T02:00:02.0Z checking widgets
2026-01-01T02:00:03.0Z all widgets ok";

#[tokio::test]
async fn a_failed_job_is_compared_with_the_last_green_run_of_the_same_job() {
    let mut t = TestCtx::new().await;
    // Yesterday's green run of `check` (and of `lint`), then two red runs of `check` today.
    let (green, green_jobs) = t.run("nightly.yml", "9000", &[("check", None), ("lint", None)]);
    let earlier = t.now - Duration::hours(3);
    t.server
        .state()
        .with_repo(TARGET, |r| {
            let run = r.runs.get_mut(&green.get()).unwrap();
            run.created_at = earlier;
            run.run_started_at = earlier;
            r.jobs.get_mut(&green_jobs[0].get()).unwrap().log = Some(PASS.to_string());
        })
        .unwrap();
    let (_, red_a) = t.run("nightly.yml", "9001", &[("check", Some(FAIL)), ("never-green", Some(FAIL))]);
    let (_, red_b) = t.run("nightly.yml", "9002", &[("check", Some(FAIL))]);
    let logs_before = t.server.state().request_count("GET", "/logs");

    let out = t.analyze("nightly.yml").await;
    assert_eq!(out.outputs.new_failure_count, 3, "{:?}", out.outputs);
    let log_reads = t.server.state().request_count("GET", "/logs") - logs_before;
    assert_eq!(log_reads, 3 + 1, "three failed logs and one passing log for the two `check` failures");

    let body = t.comments_on(BOT, t.daily_issue().number).join("\n");
    let green_url = format!("/actions/runs/{}/job/{}", green.get(), green_jobs[0].get());
    for id in [red_a[0], red_b[0]] {
        let block = block_of(&body, id.get());
        assert!(block.contains("**Compared with**") && block.contains(&green_url), "{block}");
        assert!(block.contains("\"base\":"), "the baseline is kept with the job's state: {block}");
    }
    let never = block_of(&body, red_a[1].get());
    assert!(!never.contains("Compared with"), "no green run of that job, no baseline: {never}");
}

fn block_of(body: &str, job_id: u64) -> String {
    let start = body.find(&format!("data-job-id=\"{job_id}\"")).unwrap_or_else(|| panic!("job {job_id} has a block"));
    let end = body[start..].find("</details>").map_or(body.len(), |e| start + e);
    body[start..end].to_string()
}
