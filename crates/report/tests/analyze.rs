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
        ..Default::default()
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
fn final_body_snapshot() {
    insta::assert_snapshot!(render_analyze_body(&report()));
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
            j.job_url = format!("{RUN}/job/{}", j.job_id);
            j.analysis = Some("analysis text ".repeat(2_000));
            j
        })
        .collect();
    let body = render_analyze_body(&r);
    assert!(char_len(&body) <= SAFE_BODY_CHARS);
    // It promises nothing it does not write: no "in the comments below";
    // the jobs without a block are listed by cause with their log links,
    // and those that do not fit even so are counted exactly.
    assert!(!body.contains("comments below"), "{body}");
    assert!(body.contains("job(s), by cause"));
    let linked = |body: &str, jobs: &[ci_report::JobReport]| jobs.iter().filter(|j| body.contains(&format!("({})", j.job_page_url()))).count();
    let note = |n: usize, all: usize| format!("… and {n} more job(s) not listed (size limit; {all} failed jobs in all)");
    let shown = linked(&body, &r.jobs);
    assert!(shown == 300 || body.contains(&note(300 - shown, 300)), "{shown} linked");
    let template = r.jobs[0].clone();
    r.jobs = (0..2_000u64)
        .map(|i| {
            let mut j = template.clone();
            j.job_id = JobId(66000000000 + i);
            j.job_url = format!("{RUN}/job/{}", j.job_id);
            j
        })
        .collect();
    let body = render_analyze_body(&r);
    assert!(char_len(&body) <= SAFE_BODY_CHARS);
    let shown = linked(&body, &r.jobs);
    assert!(shown < 2_000 && body.contains(&note(2_000 - shown, 2_000)), "{shown} linked");
}
