//! `[Analyze]` issue and action step summary.

mod common;

use ci_model::{JobId, RunId};
use ci_report::analyze::*;
use ci_report::safe::char_len;
use ci_report::SAFE_BODY_CHARS;
use common::*;

fn report() -> AnalyzeReport {
    AnalyzeReport {
        repo: REPO.into(),
        server_url: "https://github.com".into(),
        workflow: "nightly-test.yml".into(),
        run_id: RunId(19000000001),
        run_number: 812,
        run_url: RUN.into(),
        head_sha: "0123456789abcdef0123456789abcdef01234567".into(),
        event: "schedule".into(),
        analyzed_at: at(13, 5),
        jobs: sample_jobs(),
        summary: Some("Two jobs share one accuracy regression; one Docker pull hit a rate limit.".into()),
        bot_name: "ci-bot".into(),
        method: "ci-triage".into(),
    }
}

#[test]
fn titles() {
    assert_eq!(
        analyze_title_for_run("nightly-test.yml", 812, "0123456789abcdef"),
        "[Analyze] nightly-test.yml run #812 (0123456)"
    );
    assert_eq!(analyze_title_for_job("unit @bob\ntest", JobId(5)), "[Analyze] unit @\u{200d}bob test (job 5)");
    assert!(char_len(&analyze_title_for_job(&"x".repeat(1000), JobId(5))) <= 210);
}

#[test]
fn initial_body_snapshot() {
    insta::assert_snapshot!(render_analyze_initial(&report()));
}

#[test]
fn final_body_snapshot() {
    insta::assert_snapshot!(render_analyze_body(&report()));
}

#[test]
fn job_comment_snapshot() {
    insta::assert_snapshot!(render_analyze_job_comment(&report().jobs[1]));
}

#[test]
fn no_failures_body() {
    let mut r = report();
    r.jobs.clear();
    insta::assert_snapshot!(render_analyze_no_failures(&r));
}

#[test]
fn huge_runs_stay_within_limits() {
    let mut r = report();
    let template = sample_jobs()[1].clone();
    r.jobs = (0..300u64)
        .map(|i| {
            let mut j = template.clone();
            j.job_id = JobId(65000000000 + i);
            j.analysis = Some("analysis text ".repeat(2_000));
            j
        })
        .collect();
    let body = render_analyze_body(&r);
    assert!(char_len(&body) <= SAFE_BODY_CHARS);
    assert!(body.contains("are in the comments below"));
    assert!(char_len(&render_analyze_initial(&r)) <= SAFE_BODY_CHARS);
    assert!(char_len(&render_analyze_job_comment(&r.jobs[0])) <= SAFE_BODY_CHARS);
}
