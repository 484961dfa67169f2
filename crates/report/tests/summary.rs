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
        green_jobs: Default::default(),
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
        green_jobs: Default::default(),
    };
    let green = WorkflowDay {
        workflow: "release-docker.yml".into(),
        runs_completed: 1,
        runs_green: 1,
        last_scanned: Some(at(11, 0)),
        ..WorkflowDay::default()
    };
    DailySummary {
        date: date(),
        bot_name: "ci-bot".into(),
        workflows: vec![pr, nightly, green],
        yesterday: Some(yesterday_state()),
        repo: REPO.into(),
        server_url: "https://github.com".into(),
        ..DailySummary::default()
    }
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
        ..DailySummary::default()
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

/// `n` failed jobs, the sample's first, each with its own fingerprint and
/// the message and test `describe` gives it.
fn failing_jobs(n: u64, describe: impl Fn(u64) -> (String, Option<String>)) -> Vec<ci_report::JobReport> {
    let template = sample_jobs()[0].clone();
    (0..n)
        .map(|i| {
            let mut j = template.clone();
            j.job_id = JobId(64000000000 + i);
            j.failures[0].fingerprint = format!("{i:016x}");
            let (message, test) = describe(i);
            j.failures[0].message = message;
            if test.is_some() {
                j.failures[0].test_function = test;
            }
            j
        })
        .collect()
}

#[test]
fn many_clusters_stay_within_the_budget() {
    let mut s = summary();
    s.workflows[0].jobs = failing_jobs(3_000, |i| (format!("AssertionError: distinct failure number {i} with a long message {}", "x".repeat(80)), None));
    let block = render_summary_block(&s);
    assert!(char_len(&block) < GITHUB_BODY_LIMIT - 5_000, "{} chars", char_len(&block));
    assert!(block.contains("more cluster(s) not shown (size limit)"));
}

/// The nightly accuracy cluster with everything the TL;DR can say about it.
fn with_tldr_facts(mut s: DailySummary) -> DailySummary {
    let accuracy = cause_of(ACCURACY);
    for w in &mut s.workflows {
        if let Some(f) = w.cluster_facts.get_mut(&accuracy) {
            f.status = Some(ci_model::FailureStatus::Persistent);
        }
        for j in &mut w.jobs {
            j.facts.insert("AITER commit".into(), "9f3c2a1e5b7d".into());
        }
    }
    s.related.insert(
        ci_report::cause::short_id(&accuracy),
        vec![
            RelatedItem { number: 812, title: "Lower the accuracy bar @alice <!-- x -->".into(), url: "https://github.com/acme/widgets/pull/812".into(), is_pr: true },
            RelatedItem { number: 790, title: "gsm8k accuracy regressed".into(), url: "javascript:alert(1)".into(), is_pr: false },
        ],
    );
    s
}

#[test]
fn the_first_screen_says_what_is_red_new_and_what_to_do() {
    let s = with_tldr_facts(summary());
    let t = render_summary_block(&s);
    let tldr = &t[t.find("## TL;DR").unwrap()..t.find("## Workflow status").unwrap()];
    let lines: Vec<&str> = tldr.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), 3, "one line per cluster:\n{tldr}");
    // New first, then persistent; the persistent one has its range, the
    // related pull request and issue, and the AITER commit of its jobs.
    assert!(lines[0].starts_with("- 🆕 **new**") && lines[1].starts_with("- 🆕 **new**"), "{tldr}");
    let acc = lines[2];
    assert!(acc.starts_with("- 🟥 **persistent** since `fedcba9` `AssertionError"), "{acc}");
    assert!(acc.contains("2 job(s) in `nightly-test.yml` ×1, `pr-test.yml` ×1, 1 test(s)"), "{acc}");
    assert!(
        acc.contains("suspect [`0011223..fedcba9`](https://github.com/acme/widgets/compare/00112233445566778899aabbccddeeff00112233...fedcba9876543210fedcba9876543210fedcba98)"),
        "{acc}"
    );
    assert!(acc.contains("open: [PR #812](https://github.com/acme/widgets/pull/812) Lower the accuracy bar"), "{acc}");
    // Text from GitHub is data: no mention, no comment, no javascript link.
    assert!(!acc.contains("@alice") && !acc.contains("<!--") && !acc.contains("javascript:"), "{acc}");
    assert!(acc.contains("AITER commit: `9f3c2a1e5b7d`"), "{acc}");
    // Searched and nothing found says so; not searched says nothing.
    let mut none = with_tldr_facts(summary());
    none.related.values_mut().for_each(Vec::clear);
    assert!(render_summary_block(&none).contains("no open issue or PR names it"));
    // The search cache and the shown clusters are in the state.
    let state = parse_summary_state(&t).unwrap();
    assert_eq!(state.related.len(), 1);
    assert_eq!(state.shown.len(), 3);
}

#[test]
fn the_tldr_is_bounded_and_yesterdays_clusters_gone_read_fixed_only_when_their_jobs_ran_green() {
    let mut s = summary();
    let template = sample_jobs()[0].clone();
    s.workflows[0].jobs = (0..25u64)
        .map(|i| {
            let mut j = template.clone();
            j.job_id = JobId(64000000000 + i);
            j.failures[0].message = format!("AssertionError: distinct failure {}", "x".repeat(i as usize + 1));
            j
        })
        .collect();
    let t = render_summary_block(&s);
    let tldr = &t[t.find("## TL;DR").unwrap()..t.find("## Workflow status").unwrap()];
    assert_eq!(tldr.lines().filter(|l| l.starts_with("- ")).count(), TLDR_LINES + 1, "{tldr}");
    let more = summary_clusters(&s).len() - TLDR_LINES;
    assert!(tldr.contains(&format!("- _+{more} more cluster(s) in the table below_")), "{tldr}");

    // Tomorrow the nightly ran green and pr-test did not run, but no run of
    // the clusters' own jobs was seen green: gone is only "quiet since".
    let mut tomorrow = DailySummary {
        date: date() + Duration::days(1),
        bot_name: "ci-bot".into(),
        workflows: vec![
            WorkflowDay { workflow: "nightly-test.yml".into(), runs_completed: 2, runs_green: 2, ..WorkflowDay::default() },
            WorkflowDay { workflow: "pr-test.yml".into(), ..WorkflowDay::default() },
        ],
        yesterday: Some(summary_state(&summary())),
        ..DailySummary::default()
    };
    let t = render_summary_block(&tomorrow);
    let quiet: Vec<&str> = t.lines().filter(|l| l.starts_with("- ⚪ **quiet since** ")).collect();
    assert_eq!(quiet.len(), 3, "{t}");
    assert!(!t.contains("**fixed**"), "{t}");
    assert!(quiet.iter().all(|l| l.contains(&date().to_string())), "{quiet:?}");

    // The nightly's jobs seen green after their failure: those clusters are
    // fixed (observed); one whose job was not seen green stays quiet.
    let mut jobs: Vec<String> = summary().workflows[1].jobs.iter().map(|j| j.name.clone()).collect();
    let not_seen = jobs.pop().expect("a job");
    tomorrow.workflows[0].green_jobs = jobs.iter().map(|j| (j.clone(), at(3, 0) + Duration::days(1))).collect();
    let t = render_summary_block(&tomorrow);
    let fixed: Vec<&str> = t.lines().filter(|l| l.starts_with("- ✅ **fixed**")).collect();
    let quiet: Vec<&str> = t.lines().filter(|l| l.starts_with("- ⚪ **quiet since**")).collect();
    assert_eq!(fixed.len() + quiet.len(), 3, "{t}");
    assert!(!fixed.is_empty(), "{t}");
    assert!(fixed.iter().all(|l| l.contains("green in a later run") && !l.contains(&not_seen)), "{fixed:?}");
}

#[test]
fn search_phrases_are_the_tests_own_name_or_the_messages_words() {
    let s = summary();
    let clusters = summary_clusters(&s);
    let phrases: Vec<Option<String>> = clusters.iter().map(search_phrase).collect();
    println!("{phrases:?}");
    let targets = search_targets(&s);
    assert_eq!(targets.len(), clusters.len());
    assert!(targets.iter().all(|(id, p)| ci_report::cause::is_current(id) && !p.contains('"')));
}

#[test]
fn thousands_of_distinct_clusters_still_fit_and_tomorrow_says_new_is_unknown() {
    // 3,000 distinct clusters made a 71,501-char block (the state line kept
    // every cluster id): GitHub refuses bodies over 65,536, so the summary
    // was never written that day.
    let mut s = summary();
    // Distinct words, not numbers: a cause id ignores the numbers in a message.
    s.workflows[0].jobs = failing_jobs(6_000, |i| {
        let word: String = (0..4).map(|k| (b'a' + ((i / 26u64.pow(k)) % 26) as u8) as char).collect();
        (format!("AssertionError: distinct failure {word} with a long message {}", "x".repeat(80)), Some(format!("test_{word}")))
    });
    assert!(summary_clusters(&s).len() > 6_000);
    let block = render_summary_block(&s);
    assert!(char_len(&block) < GITHUB_BODY_LIMIT - 5_000, "{} chars", char_len(&block));
    let state = parse_summary_state(&block).unwrap();
    assert_eq!(state.fingerprints.len(), STATE_CLUSTERS);
    let tomorrow = DailySummary { date: date() + Duration::days(1), yesterday: Some(state), ..summary() };
    let t = render_summary_block(&tomorrow);
    assert!(t.contains("NEW unknown (yesterday's 6003 clusters were more than its summary keeps)"), "{t}");
    assert!(!t.contains("🆕"), "nothing is claimed new");
}
