//! Triage → view model on a real log window, and back through the comment
//! format.
//!
//! Fixture `fixtures/colossalai_pytest_oom.log`: lines 1662-1948 of
//! `/work/shared/datasets/logsage_gha/logs/ColossalAI__pair_4.fail.log`
//! (verbatim; a GitHub Actions pytest run ending in CUDA OOM).

use ci_model::{Conclusion, Job, JobId, RunId, RunStatus, Step, WorkflowRun};
use ci_report::workflow_comment::{normalize_job, parse_job_blocks, render_job_block};
use ci_report::{JobOutcome, JobReport};

const LOG: &str = include_str!("fixtures/colossalai_pytest_oom.log");

fn run() -> WorkflowRun {
    let at = "2025-04-11T02:50:00Z".parse().unwrap();
    WorkflowRun {
        id: RunId(14394567890),
        head_sha: "6a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".into(),
        head_branch: Some("main".into()),
        event: "schedule".into(),
        created_at: at,
        updated_at: Some(at),
        status: Some(RunStatus::Completed),
        conclusion: Some(Conclusion::Failure),
        html_url: "https://github.com/hpcaitech/ColossalAI/actions/runs/14394567890".into(),
        ..Default::default()
    }
}

fn job(steps: Vec<Step>) -> Job {
    Job {
        id: JobId(40312345678),
        run_id: RunId(14394567890),
        run_attempt: 1,
        name: "build (gpu)".into(),
        status: Some(RunStatus::Completed),
        conclusion: Some(Conclusion::Failure),
        started_at: Some("2025-04-11T02:50:00Z".parse().unwrap()),
        html_url: Some("https://github.com/hpcaitech/ColossalAI/actions/runs/14394567890/job/40312345678".into()),
        steps,
        ..Default::default()
    }
}

#[test]
fn real_pytest_failure_becomes_a_job_report_that_round_trips() {
    let analysis = ci_triage::analyze(LOG.as_bytes(), &ci_triage::RuleSet::builtin());
    let report = JobReport::analyzed(&run(), &job(vec![]), &analysis);
    assert!(!report.failures.is_empty(), "triage found failures: {:?}", analysis.verdict);
    let tests: Vec<String> = report.failures.iter().filter_map(|f| f.test_id()).collect();
    assert!(tests.iter().any(|t| t.contains("test_fp16_torch.py")), "test-level identity kept: {tests:?}");
    assert!(report.failures.iter().all(|f| !f.fingerprint.is_empty()));
    assert!(report.category.is_some());
    let block = render_job_block(&report);
    assert_eq!(parse_job_blocks(&block), vec![normalize_job(&report)]);
}

#[test]
fn anchors_use_github_step_numbers_when_names_match() {
    let analysis = ci_triage::analyze(LOG.as_bytes(), &ci_triage::RuleSet::builtin());
    let steps = analysis
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| Step { number: i as u32 + 3, name: s.name.clone(), conclusion: Some(Conclusion::Success), ..Default::default() })
        .collect();
    let report = JobReport::analyzed(&run(), &job(steps), &analysis);
    let mut anchored = 0;
    for (f, v) in analysis.failures.iter().zip(&report.failures) {
        let Some(step) = analysis.steps.iter().find(|s| s.start <= f.line && f.line <= s.end) else { continue };
        let a = v.anchor.expect("anchor when the line's step is known");
        assert_eq!(a.line, f.line - step.start + 1);
        assert!(a.step >= 3);
        anchored += 1;
    }
    assert!(anchored > 0, "the fixture has GitHub steps");
}

#[test]
fn incomplete_jobs_are_recorded() {
    let j = JobReport::incomplete(&run(), &job(vec![]), "log download failed (HTTP 410)");
    assert!(matches!(j.outcome, JobOutcome::Incomplete { .. }));
    assert_eq!(parse_job_blocks(&render_job_block(&j)), vec![normalize_job(&j)]);
}

/// Issue #12 "silent truncation": 5,000 failing tests in one job keep
/// `MAX_FAILURES` rows and say how many were cut, with the exact count.
#[test]
fn a_capped_failure_list_says_what_it_cut() {
    let mut log = String::from("##[group]Run pytest\n##[endgroup]\n=========================== short test summary info ============================\n");
    for i in 0..5_000 {
        log.push_str(&format!("FAILED tests/test_many.py::test_case_{i} - AssertionError: case {i}\n"));
    }
    log.push_str("============ 5000 failed in 12.00s ============\n##[error]Process completed with exit code 1.\n");
    let analysis = ci_triage::analyze(log.as_bytes(), &ci_triage::RuleSet::builtin());
    assert_eq!(analysis.failures.len(), 5_000, "triage keeps every failing test");
    let report = JobReport::analyzed(&run(), &job(Vec::new()), &analysis);
    assert_eq!(report.failures.len(), ci_report::job_report::MAX_FAILURES);
    assert_eq!(report.failure_count(), 5_000);
    let block = render_job_block(&report);
    assert!(block.contains("+4,960 more failing test(s) (5,000 in all)"), "{block}");
    let back = parse_job_blocks(&block).remove(0);
    assert_eq!(back.failure_count(), 5_000, "the count survives the round trip");
}
