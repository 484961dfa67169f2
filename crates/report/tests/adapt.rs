//! Triage → view model on a real log window.
//!
//! Fixture `fixtures/colossalai_pytest_oom.log`: lines 1662-1948 of
//! `/work/shared/datasets/logsage_gha/logs/ColossalAI__pair_4.fail.log`
//! (verbatim; a GitHub Actions pytest run ending in CUDA OOM).

use ci_report::adapt::{incomplete_job, job_report, JobContext};
use ci_report::workflow_comment::{normalize_job, parse_job_blocks, render_job_block};
use ci_report::JobOutcome;

const LOG: &str = include_str!("fixtures/colossalai_pytest_oom.log");

fn ctx() -> JobContext {
    JobContext {
        job_id: 40312345678,
        name: "build (gpu)".into(),
        run_url: "https://github.com/hpcaitech/ColossalAI/actions/runs/14394567890".into(),
        job_url: "https://github.com/hpcaitech/ColossalAI/actions/runs/14394567890/job/40312345678".into(),
        started_at: Some("2025-04-11T02:50:00Z".into()),
        head_sha: Some("6a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".into()),
        conclusion: Some("failure".into()),
        api_steps: vec![],
        failed_steps: vec![],
    }
}

#[test]
fn real_pytest_failure_becomes_a_job_report_that_round_trips() {
    let analysis = ci_triage::analyze(LOG.as_bytes(), &ci_triage::RuleSet::builtin());
    let job = job_report(&ctx(), &analysis);
    assert!(!job.failures.is_empty(), "triage found failures: {:?}", analysis.verdict);
    let tests: Vec<String> = job.failures.iter().filter_map(|f| f.test_id()).collect();
    assert!(
        tests.iter().any(|t| t.contains("test_fp16_torch.py")),
        "test-level identity kept: {tests:?}"
    );
    assert!(job.failures.iter().all(|f| !f.fingerprint.is_empty()));
    assert!(job.category.is_some());
    let block = render_job_block(&job);
    let back = parse_job_blocks(&block);
    assert_eq!(back, vec![normalize_job(&job)]);
}

#[test]
fn anchors_use_github_step_numbers_when_names_match() {
    let analysis = ci_triage::analyze(LOG.as_bytes(), &ci_triage::RuleSet::builtin());
    let mut c = ctx();
    c.api_steps = analysis.steps.iter().enumerate().map(|(i, s)| (i as u32 + 3, s.name.clone())).collect();
    let job = job_report(&c, &analysis);
    let with_step: Vec<_> = analysis.failures.iter().zip(&job.failures).filter(|(f, _)| f.step.is_some()).collect();
    for (f, v) in with_step {
        let a = v.anchor.expect("anchor when the step is known");
        let step = analysis.steps.iter().find(|s| Some(&s.name) == f.step.as_ref()).unwrap();
        assert_eq!(a.line, f.line - step.start + 1);
        assert!(a.step >= 3);
    }
}

#[test]
fn incomplete_jobs_are_recorded() {
    let j = incomplete_job(&ctx(), "log download failed (HTTP 410)");
    assert!(matches!(j.outcome, JobOutcome::Incomplete { .. }));
    assert_eq!(parse_job_blocks(&render_job_block(&j)), vec![normalize_job(&j)]);
}
