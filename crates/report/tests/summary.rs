//! Daily Cross-Workflow Summary: rendering, NEW vs yesterday, chart memory,
//! convergence of concurrent rebuilds, and the issue-body splice.

mod common;

use ci_model::JobId;
use chrono::{Duration, NaiveDate};
use ci_report::daily::{daily_initial_body, extract_summary_block, replace_summary_block, DailyIssueContext};
use ci_report::safe::char_len;
use ci_report::summary::*;
use ci_report::GITHUB_BODY_LIMIT;
use common::*;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn yesterday_state() -> SummaryState {
    let mut y = SummaryState { date: date() - Duration::days(1), ..SummaryState::default() };
    for back in 1..=9 {
        let d = date() - Duration::days(back);
        y.red_jobs.insert(
            d,
            [("nightly-test.yml".to_string(), back as u32 % 4), ("pr-test.yml".to_string(), 1)].into(),
        );
    }
    // The accuracy cluster was already there yesterday; the others are new.
    y.fingerprints.insert(ci_report::cause::short_id(&cause_of(ACCURACY)));
    y
}

fn summary() -> DailySummary {
    let report = sample_report();
    let nightly = WorkflowDay {
        workflow: "nightly-test.yml".into(),
        runs_completed: 4,
        runs_green: 1,
        runs_red: 3,
        runs_in_flight: 1,
        jobs: report.jobs.clone(),
        cluster_facts: report.cluster_facts.clone(),
        last_scanned: Some(at(12, 30)),
        comment_url: Some("https://github.com/acme/ci-bot/issues/77#issuecomment-1".into()),
    };
    let mut pr_jobs = vec![sample_jobs()[0].clone()];
    pr_jobs[0].job_id = JobId(63000000001);
    pr_jobs[0].name = "unit-test (linux-mi325-1gpu)".into();
    let pr = WorkflowDay {
        workflow: "pr-test.yml".into(),
        runs_completed: 6,
        runs_green: 5,
        runs_red: 1,
        runs_in_flight: 0,
        jobs: pr_jobs,
        cluster_facts: Default::default(),
        last_scanned: Some(at(12, 10)),
        comment_url: None,
    };
    let green = WorkflowDay {
        workflow: "release-docker.yml".into(),
        runs_completed: 1,
        runs_green: 1,
        last_scanned: Some(at(11, 0)),
        ..WorkflowDay::default()
    };
    DailySummary { date: date(), bot_name: "ci-bot".into(), workflows: vec![pr, nightly, green], yesterday: Some(yesterday_state()) }
}

#[test]
fn renders_snapshot() {
    insta::assert_snapshot!(render_summary_block(&summary()));
}

#[test]
fn clusters_are_deduplicated_across_workflows_and_new_is_marked() {
    let s = summary();
    let clusters = summary_clusters(&s);
    let accuracy = clusters.iter().find(|c| c.fingerprint == cause_of(ACCURACY)).unwrap();
    assert_eq!(accuracy.workflows().len(), 2, "one cluster spans both workflows");
    // The third job's accuracy failure is a symptom of its GPU fault and is
    // listed under that cluster.
    assert_eq!(accuracy.job_count(), 2);
    let text = render_summary_block(&s);
    assert!(text.contains("2 NEW vs yesterday"));
    assert!(text.contains("🔴 RED"));
}

#[test]
fn concurrent_rebuilds_converge_whatever_the_input_order() {
    let a = summary();
    let mut b = summary();
    b.workflows.reverse();
    for w in &mut b.workflows {
        w.jobs.reverse();
    }
    assert_eq!(render_summary_block(&a), render_summary_block(&b));
}

#[test]
fn state_round_trips_and_feeds_tomorrow() {
    let s = summary();
    let block = render_summary_block(&s);
    let state = parse_summary_state(&block).unwrap();
    assert_eq!(state, summary_state(&s));
    assert_eq!(state.red_jobs.len(), HISTORY_DAYS);
    assert_eq!(state.red_jobs[&date()]["nightly-test.yml"], 4);
    // Tomorrow: nothing failing, yesterday's clusters are no longer "NEW".
    let tomorrow = DailySummary {
        date: date() + Duration::days(1),
        bot_name: "ci-bot".into(),
        workflows: vec![WorkflowDay { workflow: "nightly-test.yml".into(), ..WorkflowDay::default() }],
        yesterday: Some(state),
    };
    let t = render_summary_block(&tomorrow);
    assert!(t.contains("🟢 GREEN"));
    // No run at all is "not run", not a green workflow.
    assert!(t.contains("| `nightly-test.yml` | ⚪ not run | 0 | 0 | 0 | 0 | 0 |"), "{t}");
}

#[test]
fn without_yesterday_nothing_is_claimed_new() {
    let mut s = summary();
    s.yesterday = None;
    let t = render_summary_block(&s);
    assert!(t.contains("NEW unknown (no summary yesterday)"));
    assert!(!t.contains("🆕"));
    // Red jobs on a first day are red: nothing says they are known.
    assert!(t.contains("🔴 RED"));
}

#[test]
fn summary_splices_into_the_daily_body_within_limits() {
    let ctx = DailyIssueContext {
        repo: REPO.into(),
        server_url: "https://github.com".into(),
        workflows: vec!["nightly-test.yml".into(), "pr-test.yml".into(), "release-docker.yml".into()],
    };
    let initial = daily_initial_body(date(), &ctx);
    let block = render_summary_block(&summary());
    let body = replace_summary_block(&initial, &block, &initial);
    assert_eq!(extract_summary_block(&body).unwrap().trim_end(), block.trim_end());
    assert_eq!(parse_summary_state(&body), parse_summary_state(&block));
    assert!(body.ends_with(&initial[initial.find("\n---\n").unwrap()..]));
}

#[test]
fn many_clusters_stay_within_the_budget() {
    let mut s = summary();
    let template = sample_jobs()[0].clone();
    s.workflows[0].jobs = (0..3_000u64)
        .map(|i| {
            let mut j = template.clone();
            j.job_id = JobId(64000000000 + i);
            j.failures[0].fingerprint = format!("{i:016x}");
            j.failures[0].message = format!("AssertionError: distinct failure number {i} with a long message {}", "x".repeat(80));
            j
        })
        .collect();
    let block = render_summary_block(&s);
    assert!(char_len(&block) < GITHUB_BODY_LIMIT - 5_000, "{} chars", char_len(&block));
    assert!(block.contains("more cluster(s) not shown (size limit)"));
}
