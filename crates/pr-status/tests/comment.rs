//! CI completeness, and the comment a reviewer reads (engine + renderer).

mod common;

use ci_pr_status::coverage::{CoverageConfig, Mapping};
use ci_pr_status::{compute, RunFacts, StatusConfig};
use ci_report::pr_model::{ChangedFile, CoverageState, NotTestedReason, Verdict};
use ci_report::pr_status::{header_line, render_ci_status};
use ci_report::safe::char_len;
use ci_report::SAFE_BODY_CHARS;
use common::*;

const WF: &str = "PR Test (AMD)";
const ASSERT: &str = "FAILED test/srt/test_eval.py::TestEval::test_mmlu - AssertionError: 0.58 < 0.6";

fn changed(path: &str) -> ChangedFile {
    ChangedFile { path: path.into(), status: "modified".into(), additions: 3, deletions: 1, ..Default::default() }
}

#[test]
fn skipped_cancelled_gates_and_suites_that_never_ran() {
    let stage_a = red(WF, "stage-a-test-1-amd", HEAD, hours_ago(3), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let mut stage_b = job(WF, "stage-b-test-small-1-gpu-amd (0)", HEAD, hours_ago(3), "skipped");
    stage_b.run_id = stage_a.run_id;
    let mut gate = job(WF, "pr-test-amd-finish", HEAD, hours_ago(3), "failure");
    gate.run_id = stage_a.run_id;
    gate.gate = true;
    let cancelled = job("Lint", "ruff", HEAD, hours_ago(3), "cancelled");
    let mut running = job("Nightly", "long", HEAD, hours_ago(1), "success");
    running.status = "in_progress".into();
    running.conclusion = None;

    let files = vec![changed("test/srt/test_b.py"), changed("test/srt/test_c.py"), changed("python/sglang/srt/layers/attention/x.py")];
    let cfg = StatusConfig {
        coverage: CoverageConfig {
            mappings: vec![Mapping { files: vec!["python/**/attention/**".into()], jobs: vec!["attention-*".into()] }],
            ..CoverageConfig::default()
        },
        ..StatusConfig::default()
    };
    let contents = |p: &str| match p {
        "test/srt/test_b.py" => Some("register_amd_ci(est_time=10, suite=\"stage-b-test-small-1-gpu-amd\")".to_string()),
        "test/srt/test_c.py" => Some("register_amd_ci(est_time=10, suite=\"stage-c-test-8-gpu-amd\")".to_string()),
        _ => None,
    };
    let mut i = inputs(vec![stage_a.clone(), stage_b, gate, cancelled, running], vec![], vec![]);
    i.pr.changed_files = files.clone();
    i.expected = cfg.coverage.expected_suites(&files, contents);
    i.head_runs.push(RunFacts {
        workflow: "Fork CI".into(),
        run_id: 1,
        url: "https://github.com/sgl-project/sglang/actions/runs/1".into(),
        status: "completed".into(),
        conclusion: Some("action_required".into()),
    });
    let r = compute(&i, &cfg, "ci-bot");

    assert_eq!(r.verdicts.len(), 1, "the gate gets no verdict");
    assert_eq!(r.completeness.failed_gates.len(), 1);
    assert_eq!(r.pending.len(), 1);
    let reasons: Vec<(&str, &NotTestedReason)> =
        r.completeness.not_tested.iter().map(|n| (n.job.name.as_str(), &n.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            ("(whole workflow)", &NotTestedReason::AwaitingApproval),
            ("ruff", &NotTestedReason::Cancelled),
            ("stage-b-test-small-1-gpu-amd (0)", &NotTestedReason::Skipped { after: Some("stage-a-test-1-amd".into()) }),
        ]
    );
    let untested: Vec<(&str, &str, &CoverageState)> =
        r.completeness.untested_changes.iter().map(|u| (u.file.as_str(), u.suite.as_str(), &u.state)).collect();
    assert_eq!(untested.len(), 3, "{untested:?}");
    assert_eq!(untested[0], ("python/sglang/srt/layers/attention/x.py", "attention-*", &CoverageState::NeverRan));
    assert!(matches!(untested[1].2, CoverageState::NotRun { .. }));
    assert_eq!(untested[2], ("test/srt/test_c.py", "stage-c-test-8-gpu-amd", &CoverageState::NeverRan));
    assert_eq!(r.completeness.untested_changes[1].stage.as_deref(), Some("stage b"));

    let header = header_line(&r);
    assert!(header.starts_with("⚠️ 1 failure nobody can classify"), "{header}");
    assert!(header.ends_with("· ⏳ 1 still running · ⚠️ CI incomplete"), "{header}");
}

fn mixed_report() -> ci_report::pr_model::CiStatusReport {
    let new = red(WF, "stage-a-test-1-amd (linux-mi325-gpu-1, 0)", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
    let base_green = job(WF, "stage-a-test-1-amd (linux-mi325-gpu-1, 1)", MERGE_BASE, hours_ago(29), "success");
    let broken = red(WF, "stage-b-test-large (0)", HEAD, hours_ago(2), "test_failure", &[fail("FAILED test/srt/test_moe.py::TestMoE::test_fused - RuntimeError: HIP error: invalid device function", "v1:moe")]);
    let base_red = red(WF, "stage-b-test-large (0)", MERGE_BASE, hours_ago(29), "test_failure", &[fail("FAILED test/srt/test_moe.py::TestMoE::test_fused - RuntimeError: HIP error: invalid device function", "v1:moe")]);
    let infra = red("Lint", "pre-commit", HEAD, hours_ago(2), "infra", &[fail("fatal: unable to access 'https://github.com/x/y/': Could not resolve host: github.com", "v1:dns")]);
    let mut hostile = red("Nightly", "eval <!-- x --> @everyone", HEAD, hours_ago(2), "test_failure", &[fail("assert `a|b` == </details> @alice #12", "v1:hostile")]);
    hostile.branch = Some("feature".into());
    let mut flaky_other = red(WF, "stage-b-test-small", "e2e2e2e2e2", hours_ago(6), "test_failure", &[fail("FAILED test/srt/test_sched.py::test_timeout - TimeoutError: server did not start in 600s", "v1:sched")]);
    flaky_other.branch = Some("other-pr".into());
    let flaky = red(WF, "stage-b-test-small", HEAD, hours_ago(2), "test_failure", &[fail("FAILED test/srt/test_sched.py::test_timeout - TimeoutError: server did not start in 600s", "v1:sched")]);
    let passed = job(WF, "build", HEAD, hours_ago(3), "success");
    compute(&inputs(vec![new, broken, infra, hostile, flaky, passed], vec![base_green, base_red], vec![flaky_other]), &StatusConfig::default(), "amd-bot")
}

#[test]
fn the_comment_snapshot() {
    let r = mixed_report();
    let order: Vec<Verdict> = r.verdicts.iter().map(|v| v.verdict).collect();
    assert_eq!(order, vec![Verdict::New, Verdict::Unclassified, Verdict::Infra, Verdict::Flaky, Verdict::BrokenOnBase]);
    let body = render_ci_status(&r);
    assert!(!body.contains("@everyone") && !body.contains("@alice") && !body.contains("<!-- x"), "untrusted text is escaped");
    assert_eq!(body.matches("<details>").count(), body.matches("</details>").count());
    insta::assert_snapshot!(body);
}

#[test]
fn headers_a_reviewer_reads_in_a_second() {
    let broken_only = {
        let head = red(WF, "unit", HEAD, hours_ago(2), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
        let base = red(WF, "unit", MERGE_BASE, hours_ago(29), "test_failure", &[fail(ASSERT, "v1:mmlu")]);
        compute(&inputs(vec![head], vec![base], vec![]), &StatusConfig::default(), "ci-bot")
    };
    assert_eq!(header_line(&broken_only), "✅ 1 failure, not caused by this PR: BROKEN ON BASE since at least `bbbbbbb`");
    let green = compute(&inputs(vec![job(WF, "unit", HEAD, hours_ago(2), "success")], vec![], vec![]), &StatusConfig::default(), "ci-bot");
    assert_eq!(header_line(&green), "✅ All 1 job passed");
    assert_eq!(header_line(&mixed_report()), "❌ 1 new failure caused by this PR, 1 unclassified, 3 not caused by it");
}

#[test]
fn three_thousand_failed_jobs_still_fit() {
    let head: Vec<_> = (0..3000)
        .map(|i| red(WF, &format!("shard {i} {}", "x".repeat(150)), HEAD, hours_ago(2), "test_failure", &[fail(&format!("{ASSERT} {}", "y".repeat(400)), &format!("v1:{i}"))]))
        .collect();
    let r = compute(&inputs(head, vec![], vec![]), &StatusConfig::default(), "ci-bot");
    let body = render_ci_status(&r);
    assert!(char_len(&body) <= SAFE_BODY_CHARS, "{}", char_len(&body));
    assert!(body.contains("more failed jobs"));
    assert_eq!(body.matches("<details>").count(), body.matches("</details>").count());
}
