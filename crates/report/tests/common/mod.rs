//! Shared builders for report tests: realistic view-model data, fixed times.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use ci_model::JobId;
use ci_triage::Category;
use ci_report::{ClusterFacts, CommitRange, FailureView, InFlightRun, JobOutcome, JobReport, LogAnchor, WorkflowReport};

pub const REPO: &str = "acme/widgets";
pub const RUN: &str = "https://github.com/acme/widgets/actions/runs/19000000001";

pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap()
}

pub fn failure(file: &str, func: &str, msg: &str, fp: &str, step: u32, line: u32) -> FailureView {
    FailureView {
        test_file: Some(file.into()),
        test_function: Some(func.into()),
        message: msg.into(),
        fingerprint: fp.into(),
        anchor: Some(LogAnchor { step, line }),
        excerpt: vec![
            format!("FAILED {file}::{func} - {msg}"),
            "E   assert 0.58 >= 0.6".into(),
        ],
    }
}

pub fn job(id: u64, name: &str, failures: Vec<FailureView>) -> JobReport {
    JobReport {
        job_id: JobId(id),
        name: name.into(),
        run_url: RUN.into(),
        started_at: Some("2026-11-21T04:00:12Z".into()),
        failed_steps: vec!["Run test".into()],
        job_url: format!("{RUN}/job/{id}"),
        head_sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        conclusion: Some("failure".into()),
        outcome: JobOutcome::Analyzed,
        category: Some(Category::TestFailure),
        fingerprint: None,
        headline: None,
        failures,
        analysis: None,
        model_pick: None,
        legacy: false,
        truncated: false,
        baseline: None,
        failures_total: 0,
        facts: BTreeMap::new(),
        more_tests: BTreeMap::new(),
    }
}

pub fn sample_jobs() -> Vec<JobReport> {
    let accuracy = failure(
        "test/srt/test_eval_accuracy_large.py",
        "TestEvalAccuracyLarge::test_mmlu",
        "AssertionError: 0.58 not greater than or equal to 0.6",
        "a1b2c3d4e5f60718",
        5,
        1834,
    );
    let mut a = job(61000000001, "stage-b-test-large-8-gpu (linux-mi325-8gpu, 0)", vec![accuracy.clone()]);
    a.analysis = Some("### Failure Summary\n\nThe MMLU score dropped below the threshold.\n".into());
    let mut b = job(
        61000000002,
        "stage-b-test-large-8-gpu (linux-mi325-8gpu, 1)",
        vec![
            accuracy,
            failure(
                "test/srt/test_moe.py",
                "TestMoE::test_forward",
                "RuntimeError: HIP error: an illegal memory access was encountered",
                "ffee001122334455",
                5,
                977,
            ),
        ],
    );
    b.started_at = Some("2026-11-21T04:00:40Z".into());
    let mut c = job(61000000003, "build-docker (rocm720)", vec![]);
    c.failures.clear();
    c.category = Some(Category::Infra);
    c.fingerprint = Some("9999aaaabbbbcccc".into());
    c.headline = Some("Error response from daemon: toomanyrequests: rate limit".into());
    c.conclusion = Some("failure".into());
    let mut d = job(61000000004, "stage-a-test-1-gpu (linux-mi325-1gpu, 3)", vec![]);
    d.outcome = JobOutcome::Incomplete { reason: "log download failed (HTTP 410)".into() };
    d.category = None;
    vec![a, b, c, d]
}

/// The message of the accuracy failure every sample workflow shares.
pub const ACCURACY: &str = "AssertionError: 0.58 not greater than or equal to 0.6";

/// The cluster id of a message (what facts and summary state are keyed by).
pub fn cause_of(message: &str) -> String {
    ci_report::cause::cause_id(&ci_report::cause::cause_text(message))
}

pub fn sample_report() -> WorkflowReport {
    let mut facts = BTreeMap::new();
    facts.insert(
        cause_of(ACCURACY),
        ClusterFacts {
            red_runs: 5,
            runs_considered: 6,
            since_sha: Some("fedcba9876543210fedcba9876543210fedcba98".into()),
            last_green_sha: Some("00112233445566778899aabbccddeeff00112233".into()),
            status: None,
        },
    );
    WorkflowReport {
        workflow: "nightly-test.yml".into(),
        repo: REPO.into(),
        server_url: "https://github.com".into(),
        bot_name: "ci-bot".into(),
        method: "ci-triage".into(),
        scanned_at: at(12, 30),
        jobs: sample_jobs(),
        processed_job_ids: BTreeSet::from([JobId(61000000009)]),
        in_flight: vec![InFlightRun {
            run_url: "https://github.com/acme/widgets/actions/runs/19000000002".into(),
            pending_jobs: 7,
            failed_jobs: 1,
            head_sha: None,
        }],
        cluster_facts: facts,
        suspected_range: Some(CommitRange {
            good: "00112233445566778899aabbccddeeff00112233".into(),
            bad: "fedcba9876543210fedcba9876543210fedcba98".into(),
            commits: Some(14),
        }),
        summary: None,
        llm_footer: None,
    }
}
