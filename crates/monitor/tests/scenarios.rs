//! Scenario tests: the monitor against the fake GitHub over HTTP, asserting
//! on what GitHub holds afterwards.

mod common;

use ci_report::markers::find_processed_job_ids;
use ci_report::tracker::parse_tracker;
use ci_report::workflow_comment::parse_workflow_comments;
use common::{TestCtx, BOT, OOM_LOG, PYTEST_LOG, TARGET, WORKFLOWS};
use fake_github::scenario::{IssueSpec, RepoSpec};
use fake_github::Scenario;
use ci_model::JobId;
use ci_monitor::action::UrlOutput;

fn blocks_for(ctx: &TestCtx, issue: u64, workflow: &str) -> Vec<JobId> {
    let bodies = ctx.comments_on(BOT, issue);
    parse_workflow_comments(workflow, bodies.iter().map(String::as_str)).jobs.iter().map(|j| j.job_id).collect()
}

#[tokio::test]
async fn dedup_across_two_ticks() {
    let mut ctx = TestCtx::new().await;
    let first = ctx.fail_job("ci.yml", "integration-mongo", PYTEST_LOG);
    let t1 = ctx.tick().await;
    assert_eq!(t1.new_failures(), 1);

    ctx.advance(2);
    let second = ctx.fail_job("ci.yml", "integration-mongo", PYTEST_LOG);
    let t2 = ctx.tick().await;
    assert_eq!(t2.new_failures(), 1, "only the new job is analysed");

    let issue = ctx.daily_issue();
    assert_eq!(blocks_for(&ctx, issue.number, "ci.yml"), vec![first, second]);
    let comments = ctx.comments_on(BOT, issue.number);
    let ci: Vec<&String> = comments.iter().filter(|b| b.contains(&ci_report::markers::workflow_report_line("ci.yml"))).collect();
    assert_eq!(ci.len(), 1, "one comment per workflow, updated in place");
    // The comment carries the clock of the tick and job/run ids of the fake;
    // both are fixed by the test context, so the snapshot is stable.
    insta::assert_snapshot!("ci_workflow_comment_after_two_ticks", ci[0]);

    // A third tick, minutes later, with nothing new writes nothing at all.
    ctx.now += chrono::Duration::minutes(17);
    let writes = ctx.write_requests();
    let t3 = ctx.tick().await;
    assert_eq!(t3.new_failures(), 0);
    assert_eq!(ctx.write_requests() - writes, 0, "a quiet tick wrote to GitHub");
}

#[tokio::test]
async fn a_quiet_tick_leaves_the_tracker_alone_until_its_content_changes() {
    let mut ctx = TestCtx::new().await;
    ctx.at(9, 5);
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.tick().await;
    let tracker = |ctx: &TestCtx| {
        let all = ctx.server.state().issues(TARGET);
        all.into_iter().find(|i| i.title == "[Failure Tracker] Nightly").expect("tracker").body.unwrap_or_default()
    };
    let before = tracker(&ctx);
    assert!(before.contains("last updated") && before.contains("09:05 UTC"), "{before}");

    // Half an hour later nothing changed: the body (and its clock) stays.
    ctx.at(9, 35);
    let writes = ctx.write_requests();
    ctx.tick().await;
    assert_eq!(ctx.write_requests() - writes, 0, "a quiet tick wrote to GitHub");
    assert_eq!(tracker(&ctx), before);

    // A new failure of the same test is news: today's row and the clock move.
    ctx.at(10, 10);
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.tick().await;
    let after = tracker(&ctx);
    assert!(after.contains("10:10 UTC"), "{after}");
}

#[tokio::test]
async fn dedup_survives_the_day_boundary() {
    let mut ctx = TestCtx::new().await;
    ctx.at(23, 40);
    let job = ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    assert_eq!(ctx.tick().await.new_failures(), 1);
    let yesterday = ctx.daily_issue();

    ctx.advance(1); // 00:40 the next day: the run is still inside the 24 h window
    let t = ctx.tick().await;
    assert_eq!(t.new_failures(), 0, "analysed yesterday, not again today");
    let today = ctx.daily_issue();
    assert_ne!(today.number, yesterday.number);
    assert!(blocks_for(&ctx, today.number, "nightly.yml").is_empty());
    // The dedup memory is carried forward into today's comment.
    let carried = ctx
        .comments_on(BOT, today.number)
        .iter()
        .any(|b| b.contains(&ci_report::markers::workflow_report_line("nightly.yml")) && find_processed_job_ids(b).contains(&job));
    assert!(carried, "today's comment keeps yesterday's processed id");
}

#[tokio::test]
async fn seven_concurrent_matrix_jobs_converge_on_one_issue_and_one_summary() {
    let mut ctx = TestCtx::new().await;
    for wf in WORKFLOWS {
        ctx.fail_job(wf, "tests", if wf.contains("gpu") { OOM_LOG } else { PYTEST_LOG });
    }
    // No prepare step: the seven jobs race to create the daily issue too.
    let mut handles = Vec::new();
    for wf in WORKFLOWS {
        let c = ctx.ctx().await;
        handles.push(tokio::spawn(async move {
            ci_monitor::actions::analyze_workflow::run(&c, wf).await.expect("analyze");
            ci_monitor::actions::publish_summary::run(&c).await.expect("publish")
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let issue = ctx.daily_issue();
    for wf in WORKFLOWS {
        assert_eq!(blocks_for(&ctx, issue.number, wf).len(), 1, "{wf}");
    }
    // Converged: a fresh rebuild (dry-run) would write nothing.
    ctx.dry_run = true;
    let c = ctx.ctx().await;
    ci_monitor::actions::publish_summary::run(&c).await.unwrap();
    let planned = c.planned_writes();
    assert!(planned.is_empty(), "summary not converged: {}", planned.first().map(|p| p.body.as_str()).unwrap_or(""));
    let body = ctx.daily_issue().body.unwrap_or_default();
    for wf in WORKFLOWS {
        assert!(body.contains(&format!("`{wf}`")), "{wf} missing from the summary");
    }
}

#[tokio::test]
async fn tracker_first_seen_is_never_redated() {
    let mut ctx = TestCtx::new().await;
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.tick().await;
    let first_day = ctx.now.date_naive();

    for _ in 0..3 {
        ctx.advance(24);
        ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
        ctx.tick().await;
    }
    let trackers: Vec<_> =
        ctx.server.state().issues(TARGET).into_iter().filter(|i| i.title == "[Failure Tracker] Nightly").collect();
    assert_eq!(trackers.len(), 1);
    let body = trackers[0].body.clone().unwrap_or_default();
    let comments = ctx.comments_on(TARGET, trackers[0].number);
    let state = parse_tracker(&body, comments.iter().map(String::as_str), "nightly.yml").unwrap().state;
    let entry = state.entries.values().find(|e| e.test_file.contains("test_moe_eval.py")).expect("tracked test");
    assert_eq!(entry.first_seen, first_day);
    assert_eq!(entry.last_seen, ctx.now.date_naive());
}

#[tokio::test]
async fn legacy_tracker_is_renamed_and_its_history_kept() {
    let legacy_body = "<!-- ci-failure-tracker:start -->\n<!-- ci-failure-tracker-state:\n{\n\"test/srt/test_moe_eval.py::TestMoEEval::test_mmlu\": {\n\"test_file\": \"test/srt/test_moe_eval.py\",\n\"test_function\": \"TestMoEEval::test_mmlu\",\n\"cluster\": \"HIP OOM\",\n\"error\": \"RuntimeError: a --> b\",\n\"status\": \"failing\",\n\"job_url\": \"\",\n\"job_id\": null,\n\"detail_url\": \"\",\n\"run_started_at\": \"\",\n\"last_seen\": \"2025-12-20\",\n\"first_seen\": \"2025-12-01\"\n}\n}\n-->\n# Nightly — Failure Tracker\n<!-- ci-failure-tracker:end -->\n";
    let scenario = Scenario {
        repos: vec![RepoSpec {
            name: TARGET.into(),
            labels: vec![fake_github::scenario::LabelSpec { name: "ci-failure-tracker".into(), color: None, description: None }],
            issues: vec![IssueSpec {
                number: 7,
                title: "[CI Tracker] Nightly — Persistent Failure Ledger".into(),
                body: Some(legacy_body.into()),
                state: None,
                user: Some("ci-bot".into()),
                labels: vec!["ci-failure-tracker".into()],
                created_at: None,
                updated_at: None,
                closed_at: None,
                comments: vec![],
                reactions: vec![],
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut ctx = TestCtx::with_scenario(scenario, "").await;
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.tick().await;

    let issues = ctx.server.state().issues(TARGET);
    assert_eq!(issues.len(), 1, "migrated in place, no second tracker");
    assert_eq!(issues[0].number, 7);
    assert_eq!(issues[0].title, "[Failure Tracker] Nightly");
    let state = parse_tracker(issues[0].body.as_deref().unwrap(), [], "nightly.yml").unwrap().state;
    // Rows are per (test, cause) now: the legacy row (keyed by test) is
    // adopted by the test's first sighting, not doubled.
    let rows: Vec<_> = state
        .entries
        .values()
        .filter(|e| e.test_file == "test/srt/test_moe_eval.py" && e.test_function == "TestMoEEval::test_mmlu")
        .collect();
    assert_eq!(rows.len(), 1, "legacy entry kept, once: {:?}", state.entries.keys());
    assert_eq!(rows[0].first_seen.to_string(), "2025-12-01");
}

#[tokio::test]
async fn dry_run_writes_nothing_and_prints_the_plan() {
    let mut ctx = TestCtx::new().await;
    ctx.fail_job("ci.yml", "integration-mongo", PYTEST_LOG);
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.dry_run = true;
    let c = ctx.ctx().await;
    let out = ci_monitor::tick::tick(&c).await.unwrap();
    assert_eq!(out.new_failures(), 2);
    assert_eq!(ctx.write_requests(), 0);
    assert!(ctx.server.state().issues(BOT).is_empty());
    let planned = c.planned_writes();
    assert!(planned.iter().any(|p| p.target.starts_with("new issue \"[CI Monitor] Daily Report")));
    assert!(
        planned.iter().any(|p| p.body.contains("test_mongodb")),
        "the rendered comment is in the plan: {:#?}",
        planned.iter().map(|p| &p.target).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn write_budget_stops_a_runaway() {
    let mut ctx = TestCtx::new().await;
    for wf in WORKFLOWS {
        ctx.fail_job(wf, "tests", PYTEST_LOG);
    }
    ctx.write_budget = 3;
    let c = ctx.ctx().await;
    let result = ci_monitor::tick::tick(&c).await;
    let failed_workflows = match &result {
        Ok(t) => t.workflows.values().filter(|r| r.as_ref().is_err_and(|e| e.contains("budget"))).count(),
        Err(e) => {
            assert!(format!("{e:#}").contains("budget"), "{e:#}");
            WORKFLOWS.len()
        }
    };
    assert!(failed_workflows > 0, "the budget must stop some writes");
    assert!(ctx.write_requests() <= 3, "{} writes reached GitHub", ctx.write_requests());
}

#[tokio::test]
async fn failed_jobs_of_in_flight_runs_are_analysed_at_once() {
    let mut ctx = TestCtx::new().await;
    let (run, jobs) = ctx.run("gpu.yml", "f11e", &[("moe-eval-8-gpu", Some(OOM_LOG)), ("tp4-serving", None)]);
    ctx.set_in_flight(run);
    let t = ctx.tick().await;
    assert_eq!(t.new_failures(), 1, "a job that already failed in a running run is analysed");
    let issue = ctx.daily_issue();
    let gpu: Vec<String> = ctx
        .comments_on(BOT, issue.number)
        .into_iter()
        .filter(|b| b.contains(&ci_report::markers::workflow_report_line("gpu.yml")))
        .collect();
    assert_eq!(gpu.len(), 1);
    assert!(gpu[0].contains("still running"), "{}", gpu[0]);
    assert!(gpu[0].contains("1 failed so far"), "{}", gpu[0]);
    assert!(gpu[0].contains("HIP out of memory"), "{}", gpu[0]);

    ctx.server.state().complete_run(TARGET, run.get(), "failure").unwrap();
    ctx.advance(1);
    let t = ctx.tick().await;
    assert_eq!(t.new_failures(), 1, "the job that failed later; the first one is not analysed twice");
    assert_eq!(blocks_for(&ctx, issue.number, "gpu.yml"), jobs);
}

#[tokio::test]
async fn analyze_url_of_any_repo_upserts_one_issue_per_run() {
    let mut ctx = TestCtx::new().await;
    let (run, _) = ctx.run("nightly.yml", "a1b2c3", &[("moe-eval-8-gpu", Some(OOM_LOG)), ("finish", Some(OOM_LOG)), ("ok", None)]);
    let url = format!("https://github.com/{TARGET}/actions/runs/{run}");
    let c = ctx.ctx().await;
    let first = ci_monitor::actions::analyze_url::run(&c, &url, UrlOutput::Issue).await.unwrap();
    assert_eq!(first.outputs.failure_count, 1, "the `finish` gate job is skipped");
    let again = ci_monitor::actions::analyze_url::run(&ctx.ctx().await, &url, UrlOutput::Issue).await.unwrap();
    assert_eq!(first.outputs.issue, again.outputs.issue, "a second dispatch updates the same issue");
    let analyze: Vec<_> = ctx.server.state().issues(BOT).into_iter().filter(|i| i.title.starts_with("[Analyze]")).collect();
    assert_eq!(analyze.len(), 1);
    let body = analyze[0].body.clone().unwrap_or_default();
    assert!(body.contains("test_moe_eval.py"), "{body}");

    // stdout mode writes nothing.
    let writes = ctx.write_requests();
    let out = ci_monitor::actions::analyze_url::run(&ctx.ctx().await, &format!("{url}/job/{}", run.get() * 100), UrlOutput::Stdout).await.unwrap();
    assert!(out.stdout.starts_with("# [Analyze] moe-eval-8-gpu"), "{}", out.stdout);
    assert_eq!(ctx.write_requests(), writes);
}

#[tokio::test]
async fn the_tldr_names_open_issues_about_the_failing_test_and_its_log_facts_and_searches_once_a_day() {
    let issue = |number: u64, title: &str, state: Option<&str>| IssueSpec {
        number,
        title: title.into(),
        body: Some("seen on the nightly".into()),
        state: state.map(String::from),
        user: Some("alice".into()),
        labels: vec![],
        created_at: None,
        updated_at: None,
        closed_at: None,
        comments: vec![],
        reactions: vec![],
    };
    let scenario = Scenario {
        repos: vec![RepoSpec {
            name: TARGET.into(),
            issues: vec![
                issue(41, "test_mmlu runs out of HIP memory @bob", None),
                issue(42, "test_mmlu flaked once", Some("closed")),
                issue(43, "Unrelated docs typo", None),
            ],
            ..Default::default()
        }],
        ..Default::default()
    };
    let facts = "facts:\n  - {name: AITER commit, pattern: '\\[CI-AITER-CHECK\\].*?\\b([0-9a-f]{7,40})\\b'}\n";
    let mut ctx = TestCtx::with_scenario(scenario, facts).await;
    let log = format!("2026-01-01T02:59:00.0Z [CI-AITER-CHECK] aiter commit: 9f3c2a1e5b7d\n{OOM_LOG}");
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", &log);
    ctx.tick().await;

    let body = ctx.daily_issue().body.unwrap_or_default();
    let line = body.lines().find(|l| l.starts_with("- ") && l.contains("HIP out of memory")).expect("a TL;DR line");
    // The open issue naming the test, not the closed or unrelated ones; its
    // title is data (no mention).
    assert!(line.contains("open: [#41](https://github.com/acme/app/issues/41) test\\_mmlu runs out of HIP memory"), "{line}");
    assert!(!line.contains("#42") && !line.contains("#43") && !line.contains("@bob"), "{line}");
    assert!(line.contains("AITER commit: `9f3c2a1e5b7d`"), "{line}");
    let searches = || ctx.server.state().request_count("GET", "/search/issues");
    assert_eq!(searches(), 1);

    // Half an hour later nothing changed: the cluster is cached for the day.
    ctx.now += chrono::Duration::minutes(30);
    ctx.tick().await;
    assert_eq!(ctx.server.state().request_count("GET", "/search/issues"), 1, "searched again the same day");
}

/// "Fixed" is observed (issue #14): a tracker row stays "quiet since" while
/// the job merely did not fail again, and becomes "fixed" only once a later
/// completed run of the same job succeeded after its last failure.
#[tokio::test]
async fn a_tracker_row_is_fixed_only_after_its_job_ran_green() {
    let mut ctx = TestCtx::new().await;
    ctx.fail_job("nightly.yml", "moe-eval-8-gpu", OOM_LOG);
    ctx.tick().await;
    let tracker = |ctx: &TestCtx| {
        let t = ctx.server.state().issues(TARGET).into_iter().find(|i| i.title == "[Failure Tracker] Nightly").expect("tracker");
        let body = t.body.clone().unwrap_or_default();
        let comments = ctx.comments_on(TARGET, t.number);
        (parse_tracker(&body, comments.iter().map(String::as_str), "nightly.yml").unwrap().state, body)
    };
    // Three days without a run: quiet, not fixed.
    ctx.advance(72);
    ctx.tick().await;
    let (state, body) = tracker(&ctx);
    assert!(state.entries.values().all(|e| e.fixed_on.is_none()), "{body}");
    assert!(body.contains("⚪ quiet since") && !body.contains("✅ fixed 20"), "{body}");
    // The job itself passes in a later run: fixed, on the day of that run.
    ctx.advance(2);
    ctx.run("nightly.yml", "fed789", &[("moe-eval-8-gpu", None), ("lint", None)]);
    ctx.tick().await;
    let (state, body) = tracker(&ctx);
    let rows: Vec<_> = state.entries.values().filter(|e| e.job_name == "moe-eval-8-gpu").collect();
    assert!(!rows.is_empty() && rows.iter().all(|e| e.fixed_on == Some(ctx.now.date_naive())), "{body}");
    assert!(body.contains("✅ fixed 20"), "{body}");
}
