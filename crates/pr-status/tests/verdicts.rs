//! Every verdict, the evidence behind it, and Dr. CI's known misses.

mod common;

use ci_pr_status::{compute, StatusConfig};
use ci_report::pr_model::{EvidenceKind, Verdict};
use common::*;

const WF: &str = "PR Test (AMD)";
const ASSERT: &str = "FAILED test/srt/test_eval.py::TestEval::test_mmlu - AssertionError: 0.58 < 0.6";
const EXIT: &str = "Process completed with exit code 1.";

fn only(inputs: &ci_pr_status::Inputs) -> ci_report::pr_model::JobVerdict {
    let r = compute(inputs, &StatusConfig::default(), "ci-bot");
    assert_eq!(r.verdicts.len(), 1, "{:#?}", r.verdicts);
    r.verdicts[0].clone()
}

fn kinds(v: &ci_report::pr_model::JobVerdict) -> Vec<EvidenceKind> {
    v.evidence.iter().map(|e| e.kind.clone()).collect()
}

#[test]
fn new_when_the_job_passed_on_the_merge_base() {
    let head = red(WF, "unit-test (1, 4)", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let base = job(WF, "unit-test (3, 4)", MERGE_BASE, hours_ago(29), "success");
    let v = only(&inputs(vec![head], vec![base.clone()], vec![]));
    assert_eq!(v.verdict, Verdict::New);
    assert_eq!(kinds(&v), vec![EvidenceKind::PassedOnBase]);
    assert_eq!(v.evidence[0].job.as_ref().unwrap().url, base.url, "links the base job");
    assert_eq!(v.failure.as_ref().unwrap().url().rsplit_once('#').unwrap().1, "step:4:100", "links the log line");
    assert_eq!(v.tests, vec!["test/srt/test_eval.py::TestEval::test_mmlu".to_string()]);
}

#[test]
fn broken_on_base_names_the_first_red_commit() {
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let green = job(WF, "unit-test", "c0c0c0c0c0", hours_ago(40), "success");
    let first_red = red(WF, "unit-test", "d1d1d1d1d1", hours_ago(36), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let at_base = red(WF, "unit-test", MERGE_BASE, hours_ago(29), "test_failure", &[fail(ASSERT, "v1:mmlu"), fail("ImportError: x", "v1:other")]);
    let v = only(&inputs(vec![head], vec![green, first_red, at_base.clone()], vec![]));
    assert_eq!(v.verdict, Verdict::BrokenOnBase);
    assert_eq!(kinds(&v), vec![EvidenceKind::SameFailureOnBase]);
    assert_eq!(v.evidence[0].job.as_ref().unwrap().url, at_base.url);
    assert_eq!(v.evidence[0].line.as_ref().unwrap().text, ASSERT, "the matching line of the base log");
    let since = v.since.unwrap();
    assert_eq!((since.sha.as_str(), since.exact), ("d1d1d1d1d1", true));
}

#[test]
fn a_pr_failure_hidden_among_base_failures_is_new() {
    // Dr. CI's miss: the base shares one failure, the PR adds another.
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu"), fail("FAILED test/srt/test_new.py::t - KeyError: 'rope'", "v1:rope")]);
    let base = red(WF, "unit-test", MERGE_BASE, hours_ago(29), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let v = only(&inputs(vec![head], vec![base], vec![]));
    assert_eq!(v.verdict, Verdict::New);
    assert_eq!(
        kinds(&v),
        vec![EvidenceKind::PartlyOnBase { matched: 1, total: 2 }]
    );
}

#[test]
fn flaky_when_the_same_job_passed_at_the_same_commit() {
    let mut failed = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut passed_earlier = job(WF, "unit-test", HEAD, hours_ago(3), "success");
    passed_earlier.run_id = failed.run_id - 1; // an older run of the same workflow at the head
    failed.attempt = 1;
    let v = only(&inputs(vec![failed, passed_earlier], vec![], vec![]));
    assert_eq!(v.verdict, Verdict::Flaky);
    assert_eq!(kinds(&v), vec![EvidenceKind::PassedOnRetry]);
}

#[test]
fn flaky_when_the_same_failure_hit_unrelated_commits() {
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut other_pr = red(WF, "unit-test", "e2e2e2e2e2", hours_ago(10), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    other_pr.branch = Some("someone-else".into());
    other_pr.author = Some("bob".into());
    let v = only(&inputs(vec![head], vec![], vec![other_pr.clone()]));
    assert_eq!(v.verdict, Verdict::Flaky);
    assert_eq!(kinds(&v), vec![EvidenceKind::SameFailureElsewhere]);
    assert_eq!(v.evidence[0].job.as_ref().unwrap().url, other_pr.url);
}

#[test]
fn the_same_author_or_branch_is_not_unrelated() {
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut stacked = red(WF, "unit-test", "f3f3f3f3f3", hours_ago(10), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    stacked.author = Some("Alice".into());
    stacked.branch = Some("feature-2".into());
    let mut same_branch = red(WF, "unit-test", "f4f4f4f4f4", hours_ago(11), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    same_branch.branch = Some("feature".into());
    let v = only(&inputs(vec![head], vec![], vec![stacked, same_branch]));
    assert_eq!(v.verdict, Verdict::Unclassified);
}

#[test]
fn flaky_when_the_failure_passed_on_retry_elsewhere() {
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let first = red(WF, "unit-test", "a9a9a9a9a9", hours_ago(20), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut retry = job(WF, "unit-test", "a9a9a9a9a9", hours_ago(19), "success");
    retry.run_id = first.run_id;
    retry.attempt = 2;
    let base_green = job(WF, "unit-test", MERGE_BASE, hours_ago(29), "success");
    let v = only(&inputs(vec![head], vec![base_green], vec![first, retry]));
    assert_eq!(v.verdict, Verdict::Flaky, "retry evidence beats the green base");
    assert_eq!(kinds(&v), vec![EvidenceKind::PassedOnRetryElsewhere]);
}

#[test]
fn a_generic_capture_never_justifies_flaky_or_broken() {
    // pytorch/test-infra#5063: "exit code 1" on both sides is not the same failure.
    let head = red(WF, "build", HEAD, hours_ago(2), "unknown", &[fail(EXIT, "v1:exit1")]);
    let mut elsewhere = red(WF, "build", "e5e5e5e5e5", hours_ago(5), "unknown", &[fail(EXIT, "v1:exit1")]);
    elsewhere.branch = Some("other".into());
    let base = red(WF, "build", MERGE_BASE, hours_ago(29), "unknown", &[fail(EXIT, "v1:exit1")]);
    let v = only(&inputs(vec![head.clone()], vec![base], vec![elsewhere.clone()]));
    assert_eq!(v.verdict, Verdict::Unclassified);
    assert_eq!(kinds(&v), vec![EvidenceKind::FailedOnBaseUncomparable, EvidenceKind::NoSpecificFailure]);
    // …and without any base run, still not flaky.
    let v = only(&inputs(vec![head.clone()], vec![], vec![elsewhere]));
    assert_eq!(v.verdict, Verdict::Unclassified);
    // A generic failure where the base passed is the PR's: the job broke.
    let v = only(&inputs(vec![head], vec![job(WF, "build", MERGE_BASE, hours_ago(29), "success")], vec![]));
    assert_eq!(v.verdict, Verdict::New);
    assert_eq!(kinds(&v), vec![EvidenceKind::PassedOnBase, EvidenceKind::NoSpecificFailure]);
}

#[test]
fn infra_for_machine_failures_but_not_for_crashes_a_change_can_cause() {
    let lost = red(WF, "unit-test", HEAD, hours_ago(2), "infra", &[fail("The runner has received a shutdown signal.", "v1:lost")]);
    let v = only(&inputs(vec![lost], vec![], vec![]));
    assert_eq!(v.verdict, Verdict::Infra);
    assert_eq!(kinds(&v), vec![EvidenceKind::InfraSignal]);
    assert_eq!(v.evidence[0].line.as_ref().unwrap().text, "The runner has received a shutdown signal.");

    let mut never_ran = job(WF, "unit-test", HEAD, hours_ago(2), "failure");
    never_ran.ran = false;
    let v = only(&inputs(vec![never_ran], vec![], vec![]));
    assert_eq!((v.verdict, kinds(&v)), (Verdict::Infra, vec![EvidenceKind::NoRunner]));

    let gpu = red(WF, "unit-test", HEAD, hours_ago(2), "infra", &[fail("Memory access fault by GPU node-2 on address 0x7f", "v1:gpu")]);
    let v = only(&inputs(vec![gpu], vec![job(WF, "unit-test", MERGE_BASE, hours_ago(29), "success")], vec![]));
    assert_eq!(v.verdict, Verdict::New, "a GPU fault after the change, green base: the change's");
}

#[test]
fn unclassified_when_the_job_never_ran_on_the_base() {
    let head = red(WF, "nightly-only", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let v = only(&inputs(vec![head], vec![job(WF, "other-job", MERGE_BASE, hours_ago(29), "success")], vec![]));
    assert_eq!((v.verdict, kinds(&v)), (Verdict::Unclassified, vec![EvidenceKind::NotRunOnBase]));
}

#[test]
fn an_unreadable_log_is_unclassified_not_guessed() {
    let mut j = job(WF, "unit-test", HEAD, hours_ago(2), "failure");
    j.report = Some(ci_report::JobReport {
        outcome: ci_report::JobOutcome::Incomplete { reason: "log download: HTTP 410".into() },
        ..Default::default()
    });
    let r = compute(&inputs(vec![j], vec![], vec![]), &StatusConfig::default(), "ci-bot");
    assert_eq!(r.verdicts[0].verdict, Verdict::Unclassified);
    assert_eq!(r.verdicts[0].evidence[0].kind, EvidenceKind::LogUnavailable { reason: "log download: HTTP 410".into() });
    assert!(r.notes.contains(&ci_report::pr_model::StatusNote::LogsUnavailable { jobs: 1 }));
}

#[test]
fn an_unclassified_job_joins_a_same_failure_verdict_in_the_pr() {
    let broken = red(WF, "unit-test (1, 2)", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let other = red("Nightly", "eval", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let base = red(WF, "unit-test (2, 2)", MERGE_BASE, hours_ago(29), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let r = compute(&inputs(vec![broken, other], vec![base], vec![]), &StatusConfig::default(), "ci-bot");
    let verdicts: Vec<_> = r.verdicts.iter().map(|v| (v.job.name.as_str(), v.verdict)).collect();
    assert_eq!(verdicts, vec![("eval", Verdict::BrokenOnBase), ("unit-test (1, 2)", Verdict::BrokenOnBase)]);
    assert_eq!(r.verdicts[0].evidence[0].kind, EvidenceKind::SameAsJobInPr);
}

#[test]
fn only_the_latest_attempt_is_judged() {
    let mut first = red(WF, "unit-test", HEAD, hours_ago(3), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut second = job(WF, "unit-test", HEAD, hours_ago(2), "success");
    second.run_id = first.run_id;
    second.attempt = 2;
    first.attempt = 1;
    let r = compute(&inputs(vec![first, second], vec![], vec![]), &StatusConfig::default(), "ci-bot");
    assert!(r.verdicts.is_empty());
    assert_eq!(r.passed, 1);
}

#[test]
fn a_stale_base_turns_off_the_search_elsewhere_and_says_so() {
    let head = red(WF, "unit-test", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut other = red(WF, "unit-test", "e2e2e2e2e2", hours_ago(10), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    other.branch = Some("x".into());
    let mut i = inputs(vec![head], vec![], vec![other]);
    i.pr.merge_base_at = Some(hours_ago(24 * 12));
    let r = compute(&i, &StatusConfig::default(), "ci-bot");
    assert_eq!(r.verdicts[0].verdict, Verdict::Unclassified);
    assert!(r.notes.iter().any(|n| matches!(n, ci_report::pr_model::StatusNote::StaleBase { days: 12 })), "{:?}", r.notes);
}
