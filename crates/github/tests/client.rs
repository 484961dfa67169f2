//! The octocrab client against the fake GitHub over real HTTP: what each
//! call sends, what it gets back, and what GitHub holds afterwards.

mod common;

use ci_github::{IssueNumber, JobId, RunId};
use std::time::{Duration, Instant};

use ci_github::{
    Error, GitHub, IssueFilter, IssueUpdate, NewIssue, Reaction, RunFilter, StateFilter,
    UpsertAction,
};
use common::*;
use fake_github::{FaultKind, FaultRule};

const ACTIONS: &str = r#"
repos:
  - name: acme/widgets
    workflows:
      - { id: 101, name: CI, path: .github/workflows/ci.yml }
      - { id: 102, name: Nightly, path: .github/workflows/nightly.yml }
    runs:
      - id: 9001
        workflow: ci.yml
        head_branch: main
        head_sha: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        event: push
        conclusion: failure
        created_at: -2d
        jobs:
          - id: 70001
            name: build
            conclusion: success
            log: "build ok\n"
          - id: 70002
            name: test (ubuntu)
            conclusion: failure
            log: "2026-01-01T00:00:00.0000000Z ##[group]Run pytest\nFAILED tests/test_x.py::test_y - AssertionError\n##[error]Process completed with exit code 1.\n"
            steps:
              - { name: Set up job, conclusion: success }
              - { name: Run tests, conclusion: failure }
      - id: 9002
        workflow: ci.yml
        head_branch: feature/x
        event: pull_request
        conclusion: success
        created_at: -1d
      - id: 9003
        workflow: nightly.yml
        head_branch: main
        event: schedule
        conclusion: failure
        created_at: -3h
    pulls:
      - number: 7
        title: Add widget
        body: "Adds a widget"
        user: alice
        head_ref: feature/x
        base_ref: main
        files:
          - { filename: src/lib.rs, status: modified, patch: "@@ -1 +1 @@\n-a\n+b\n" }
          - { filename: docs/a.md, status: added, patch: "@@ -0,0 +1 @@\n+hi\n" }
    files:
      - { path: .github/ci-bot.yml, content: "monitor:\n  workflows: [ci.yml]\n" }
      - { path: only-on-dev.txt, ref: dev, content: "dev only\n" }
"#;

#[tokio::test]
async fn workflow_runs_are_filtered_server_side() {
    let c = Ctx::new(ACTIONS).await;
    let all =
        c.gh.list_workflow_runs(&c.repo, &RunFilter::default())
            .await
            .unwrap();
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![9003, 9002, 9001],
        "newest first"
    );

    let ci = RunFilter {
        workflow: Some("ci.yml".into()),
        ..RunFilter::default()
    };
    let runs = c.gh.list_workflow_runs(&c.repo, &ci).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![9002, 9001]
    );
    assert!(runs.iter().all(|r| r.path.ends_with("ci.yml")));

    let f = RunFilter {
        branch: Some("main".into()),
        event: Some("push".into()),
        ..ci.clone()
    };
    assert_eq!(
        c.gh.list_workflow_runs(&c.repo, &f)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![9001]
    );

    let f = RunFilter {
        status: Some("failure".into()),
        ..RunFilter::default()
    };
    assert_eq!(c.gh.list_workflow_runs(&c.repo, &f).await.unwrap().len(), 2);

    let since = (chrono::Utc::now() - chrono::Duration::hours(30)).format("%Y-%m-%dT%H:%M:%SZ");
    let f = RunFilter {
        created: Some(format!(">={since}")),
        ..RunFilter::default()
    };
    assert_eq!(
        c.gh.list_workflow_runs(&c.repo, &f)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![9003, 9002]
    );

    let f = RunFilter {
        head_sha: Some("a".repeat(40)),
        ..RunFilter::default()
    };
    assert_eq!(
        c.gh.list_workflow_runs(&c.repo, &f)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![9001]
    );

    let f = RunFilter {
        limit: Some(1),
        ..RunFilter::default()
    };
    assert_eq!(c.gh.list_workflow_runs(&c.repo, &f).await.unwrap().len(), 1);

    let run = c.gh.get_workflow_run(&c.repo, RunId(9001)).await.unwrap();
    assert_eq!(
        (run.conclusion.as_ref().map(|c| c.as_str()), run.event.as_str()),
        (Some("failure"), "push")
    );
    assert!(c
        .gh
        .get_workflow_run(&c.repo, RunId(1))
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn jobs_follow_the_latest_attempt_after_a_rerun() {
    let c = Ctx::new(ACTIONS).await;
    let jobs = c.gh.list_jobs(&c.repo, RunId(9001)).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(),
        vec!["build", "test (ubuntu)"]
    );
    assert_eq!(jobs[1].steps[1].conclusion.as_ref().map(|c| c.as_str()), Some("failure"));

    c.gh.rerun_failed_jobs(&c.repo, RunId(9001)).await.unwrap();
    let jobs = c.gh.list_jobs(&c.repo, RunId(9001)).await.unwrap();
    let test = jobs.iter().find(|j| j.name == "test (ubuntu)").unwrap();
    assert_eq!(test.run_attempt, 2);
    assert_ne!(test.id, 70002, "the rerun is a new job");
    assert_eq!(c.gh.stats().writes, 1);
}

#[tokio::test]
async fn job_log_is_streamed_from_the_blob_host_without_the_token() {
    let c = Ctx::new(ACTIONS).await;
    let mut file = tempfile::tempfile().unwrap();
    let n =
        c.gh.download_job_log(&c.repo, JobId(70002), &mut file)
            .await
            .unwrap();
    use std::io::{Read, Seek};
    file.rewind().unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    assert_eq!(n as usize, text.len());
    assert!(text.contains("FAILED tests/test_x.py::test_y"));

    let reqs = c.server.state().requests();
    let api = reqs
        .iter()
        .find(|r| r.path.ends_with("/jobs/70002/logs"))
        .unwrap();
    assert_eq!(api.status, 302);
    assert_eq!(api.token.as_deref(), Some("ghp_test_token"));
    let blob = reqs.iter().find(|r| r.path.starts_with("/_blob/")).unwrap();
    assert_eq!(blob.status, 200);
    assert_eq!(blob.token, None, "the token must not follow the redirect");

    let s = c.gh.stats();
    assert_eq!(
        (
            s.requests_for("download_job_log"),
            s.requests_for("download_job_log.blob")
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn run_logs_zip_and_missing_logs() {
    let c = Ctx::new(ACTIONS).await;
    let mut zip = Vec::new();
    c.gh.download_run_logs_zip(&c.repo, RunId(9001), &mut zip)
        .await
        .unwrap();
    assert!(zip.starts_with(b"PK\x03\x04"), "a zip archive");
    let err =
        c.gh.download_job_log(&c.repo, JobId(123), &mut Vec::new())
            .await
            .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn an_expired_blob_is_fetched_again_through_a_fresh_redirect() {
    let c = Ctx::new(ACTIONS).await;
    c.server
        .faults()
        .add(FaultRule::new("GET", "/_blob/*", FaultKind::Status { status: 503 }).times(1));
    let mut out = Vec::new();
    c.gh.download_job_log(&c.repo, JobId(70001), &mut out)
        .await
        .unwrap();
    assert_eq!(out, b"build ok\n");
    assert_eq!(
        c.seen("GET", "/jobs/70001/logs"),
        2,
        "a new 302 for the second try"
    );
}

#[tokio::test]
async fn failed_reads_are_retried_and_counted() {
    let c = Ctx::new(EMPTY).await;
    c.server
        .faults()
        .fail_next("GET", "/repos/*/issues/1", 502, 2);
    let issue = c.gh.get_issue(&c.repo, IssueNumber(1)).await.unwrap();
    assert_eq!(issue.title, "Tracker");
    let s = c.gh.stats();
    assert_eq!(s.requests_for("get_issue"), 3);
    assert_eq!(s.retries["get_issue"], 2);
}

#[tokio::test]
async fn a_slow_read_times_out_and_is_retried() {
    let c = Ctx::new(EMPTY).await;
    c.server
        .faults()
        .add(FaultRule::new("GET", "/repos/*/issues/1", FaultKind::Delay { ms: 3000 }).times(1));
    let t = Instant::now();
    c.gh.get_issue(&c.repo, IssueNumber(1)).await.unwrap();
    assert!(
        t.elapsed() < Duration::from_millis(2800),
        "gave up on the slow request: {:?}",
        t.elapsed()
    );
    assert_eq!(c.gh.stats().requests_for("get_issue"), 2);
}

#[tokio::test]
async fn writes_are_never_resent_after_a_failure() {
    let c = Ctx::new(EMPTY).await;
    c.server
        .faults()
        .fail_next("POST", "/repos/*/issues/1/comments", 502, 1);
    let err = c.gh.create_comment(&c.repo, IssueNumber(1), "hello").await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err}");
    assert_eq!(c.seen("POST", "/issues/1/comments"), 1);
    assert!(c.comments(1).is_empty());

    // A write that times out may still land: it is not resent either.
    c.server.faults().add(
        FaultRule::new(
            "POST",
            "/repos/*/issues/1/comments",
            FaultKind::Delay { ms: 1500 },
        )
        .times(1),
    );
    let err = c.gh.create_comment(&c.repo, IssueNumber(1), "slow").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    // (Whether it lands is up to the server; the fake drops it with the
    // connection. Either way the client sent it exactly once.)
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(c.comments(1).len() <= 1);
    assert_eq!(
        c.gh.stats().requests_for("create_comment"),
        2,
        "one per call, no resend"
    );
}

#[tokio::test]
async fn rate_limit_refusals_wait_for_retry_after_even_for_writes() {
    let c = Ctx::new(EMPTY).await;
    c.server.faults().add(
        FaultRule::new(
            "POST",
            "/repos/*/issues/1/comments",
            FaultKind::SecondaryRateLimit {
                retry_after_secs: 1,
            },
        )
        .times(1),
    );
    let t = Instant::now();
    c.gh.create_comment(&c.repo, IssueNumber(1), "after the wait")
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1));
    assert_eq!(
        c.comments(1).len(),
        1,
        "refused without processing, so resending made exactly one"
    );
    assert_eq!(c.gh.stats().retries["create_comment"], 1);
    assert_eq!(
        c.gh.stats().writes,
        1,
        "one budget token for one logical write"
    );

    c.server.faults().add(
        FaultRule::new(
            "GET",
            "/repos/*/issues/1",
            FaultKind::TooManyRequests {
                retry_after_secs: 1,
            },
        )
        .times(1),
    );
    c.gh.get_issue(&c.repo, IssueNumber(1)).await.unwrap();
}

#[tokio::test]
async fn an_exhausted_primary_limit_fails_fast_with_the_reset_time() {
    let c = Ctx::with(EMPTY, |b| {
        b.configure(|c| c.max_rate_limit_wait = Duration::from_millis(100))
    })
    .await;
    c.server.state().set_rate_limit_remaining(0);
    let err = c.gh.get_issue(&c.repo, IssueNumber(1)).await.unwrap_err();
    match err {
        Error::RateLimited { reset, .. } => assert!(reset.is_some_and(|r| r > chrono::Utc::now())),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn polling_an_unchanged_list_is_answered_by_etag() {
    let c = Ctx::new(EMPTY).await;
    c.gh.create_comment(&c.repo, IssueNumber(1), "one").await.unwrap();
    assert_eq!(c.gh.list_comments(&c.repo, IssueNumber(1), None).await.unwrap().len(), 1);
    assert_eq!(c.gh.list_comments(&c.repo, IssueNumber(1), None).await.unwrap().len(), 1);
    let s = c.gh.stats();
    assert_eq!(
        (
            s.requests_for("list_comments"),
            s.conditional_hits["list_comments"]
        ),
        (2, 1)
    );
    // A change is seen at once: the ETag differs.
    c.gh.create_comment(&c.repo, IssueNumber(1), "two").await.unwrap();
    assert_eq!(c.gh.list_comments(&c.repo, IssueNumber(1), None).await.unwrap().len(), 2);
    assert_eq!(c.gh.stats().conditional_hits["list_comments"], 1);
}

#[tokio::test]
async fn every_page_is_followed() {
    let comments: String = (0..230)
        .map(|i| format!("          - {{ body: \"c{i}\", user: alice }}\n"))
        .collect();
    let yaml = format!(
        "repos:\n  - name: acme/widgets\n    issues:\n      - number: 1\n        title: t\n        comments:\n{comments}"
    );
    let c = Ctx::new(&yaml).await;
    let all = c.gh.list_comments(&c.repo, IssueNumber(1), None).await.unwrap();
    assert_eq!(all.len(), 230);
    assert_eq!(all.first().unwrap().body, "c0");
    assert_eq!(all.last().unwrap().body, "c229");
    assert_eq!(
        c.gh.stats().requests_for("list_comments"),
        3,
        "per_page=100"
    );
    let since = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(c
        .gh
        .list_comments(&c.repo, IssueNumber(1), Some(since))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_write_budget_is_a_circuit_breaker() {
    let c = Ctx::with(EMPTY, |b| b.configure(|c| c.write_budget = 3)).await;
    let mut errors = Vec::new();
    for i in 0..10 {
        if let Err(e) =
            c.gh.create_comment(&c.repo, IssueNumber(1), &format!("runaway {i}"))
                .await
        {
            errors.push(e);
        }
    }
    assert_eq!(c.comments(1).len(), 3);
    assert_eq!(errors.len(), 7);
    assert!(errors
        .iter()
        .all(|e| matches!(e, Error::BudgetExhausted { limit: 3, .. })));
    assert_eq!(
        c.seen("POST", "/comments"),
        3,
        "nothing sent once the budget is spent"
    );
    assert!(
        errors[0].to_string().contains("write budget exhausted"),
        "{}",
        errors[0]
    );
}

#[tokio::test]
async fn validation_errors_carry_githubs_message_on_one_line() {
    let c = Ctx::new(EMPTY).await;
    let err =
        c.gh.create_comment(&c.repo, IssueNumber(1), &"x".repeat(70_000))
            .await
            .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Validation { .. }), "{msg}");
    assert!(msg.contains("body is too long"), "{msg}");
    assert!(!msg.contains('\n'));
}

#[tokio::test]
async fn issues_create_get_update_list_and_search() {
    let c = Ctx::new(EMPTY).await;
    c.server.state().set_search_delay(Duration::from_secs(60));
    let new = NewIssue {
        title: "Flaky test_y".into(),
        body: "body".into(),
        labels: vec!["ci-failure".into(), "flaky".into()],
    };
    let created = c.gh.create_issue(&c.repo, &new).await.unwrap();
    assert!(created.has_label("flaky"));

    let listed =
        c.gh.list_issues(
            &c.repo,
            &IssueFilter {
                labels: vec!["flaky".into()],
                ..IssueFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![created.number]
    );

    // Search lags behind creation: that is why upserts never rely on it.
    let q = format!("repo:{REPO} is:issue label:flaky");
    assert!(c.gh.search_issues(&q, 10).await.unwrap().is_empty());
    c.server.state().reindex_search();
    assert_eq!(c.gh.search_issues(&q, 10).await.unwrap().len(), 1);

    let upd = IssueUpdate {
        state: Some("closed".into()),
        state_reason: Some("completed".into()),
        ..IssueUpdate::default()
    };
    c.gh.update_issue(&c.repo, created.number, &upd)
        .await
        .unwrap();
    assert_eq!(
        c.gh.get_issue(&c.repo, created.number).await.unwrap().state,
        "closed"
    );
    let open =
        c.gh.list_issues(&c.repo, &IssueFilter::default())
            .await
            .unwrap();
    assert_eq!(open.iter().map(|i| i.number).collect::<Vec<_>>(), vec![1]);
    let all =
        c.gh.list_issues(
            &c.repo,
            &IssueFilter {
                state: StateFilter::All,
                ..IssueFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn comments_update_delete_and_react() {
    let c = Ctx::new(EMPTY).await;
    let com = c.gh.create_comment(&c.repo, IssueNumber(1), "first").await.unwrap();
    c.gh.update_comment(&c.repo, com.id, "edited")
        .await
        .unwrap();
    assert_eq!(c.comments(1)[0].body, "edited");
    assert_eq!(
        c.gh.react_to_comment(&c.repo, com.id, Reaction::Eyes).await.unwrap(),
        ci_github::ReactionOutcome::Created
    );
    // The same user again: GitHub answers 200 with the existing reaction.
    assert_eq!(
        c.gh.react_to_comment(&c.repo, com.id, Reaction::Eyes).await.unwrap(),
        ci_github::ReactionOutcome::AlreadyExisted
    );
    c.gh.react_to_issue(&c.repo, IssueNumber(1), Reaction::PlusOne)
        .await
        .unwrap();
    assert_eq!(c.comments(1)[0].reactions[0].content, "eyes");
    assert_eq!(
        c.server.state().issue(REPO, 1).unwrap().reactions[0].content,
        "+1"
    );
    c.gh.delete_comment(&c.repo, com.id).await.unwrap();
    c.gh.delete_comment(&c.repo, com.id).await.unwrap(); // already gone: fine
    assert!(c.comments(1).is_empty());
}

#[tokio::test]
async fn pull_requests_contents_and_dispatch() {
    let c = Ctx::new(ACTIONS).await;
    let pr = c.gh.get_pull_request(&c.repo, IssueNumber(7)).await.unwrap();
    assert_eq!(
        (pr.head.ref_name.as_str(), pr.base.ref_name.as_str()),
        ("feature/x", "main")
    );
    let files = c.gh.list_pull_request_files(&c.repo, IssueNumber(7)).await.unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| f.filename.as_str())
            .collect::<Vec<_>>(),
        vec!["src/lib.rs", "docs/a.md"]
    );
    let diff = c.gh.get_pull_request_diff(&c.repo, IssueNumber(7)).await.unwrap();
    assert!(diff.contains("+b"), "{diff}");

    let cfg =
        c.gh.get_file(&c.repo, ".github/ci-bot.yml", None)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        String::from_utf8(cfg).unwrap(),
        "monitor:\n  workflows: [ci.yml]\n"
    );
    assert_eq!(
        c.gh.get_file(&c.repo, "only-on-dev.txt", Some("main"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        c.gh.get_file(&c.repo, "only-on-dev.txt", Some("dev"))
            .await
            .unwrap()
            .unwrap(),
        b"dev only\n"
    );

    c.gh.repository_dispatch(
        &c.repo,
        "ci-bot-analyze",
        &serde_json::json!({"run_id": 9001}),
    )
    .await
    .unwrap();
    c.gh.workflow_dispatch(
        &c.repo,
        "nightly.yml",
        "main",
        &serde_json::json!({"reason": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(c.server.state().dispatches().len(), 2);
    assert_eq!(c.gh.stats().writes, 2);
}

#[tokio::test]
async fn comment_upsert_is_idempotent() {
    let c = Ctx::new(EMPTY).await;
    let m = "<!-- ci-bot:workflow ci.yml -->";
    let a =
        c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), m, "report v1")
            .await
            .unwrap();
    assert_eq!(a.action, UpsertAction::Created);
    let b =
        c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), m, "report v1")
            .await
            .unwrap();
    assert_eq!(b.action, UpsertAction::Unchanged);
    let d =
        c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), m, "report v2")
            .await
            .unwrap();
    assert_eq!(d.action, UpsertAction::Updated);
    assert_eq!(c.comments(1).len(), 1);
    assert_eq!(c.comments(1)[0].body, format!("report v2\n\n{m}"));
    assert_eq!(c.gh.stats().writes, 2, "the unchanged upsert wrote nothing");
}

const DUPLICATES: &str = r#"
repos:
  - name: acme/widgets
    issues:
      - number: 1
        title: Tracker
        comments:
          - { id: 501, user: ci-bot, body: "old <!-- ci-bot:m -->", created_at: -2h }
          - { id: 502, user: ci-bot, body: "dup <!-- ci-bot:m -->", created_at: -1h }
          - { id: 503, user: mallory, body: "fake <!-- ci-bot:m -->", created_at: -3h }
"#;

#[tokio::test]
async fn duplicates_collapse_to_the_oldest_and_foreign_markers_are_ignored() {
    let c = Ctx::with(DUPLICATES, |b| {
        b.configure(|c| c.marker_author = Some("ci-bot".into()))
    })
    .await;
    let r =
        c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), "<!-- ci-bot:m -->", "new <!-- ci-bot:m -->")
            .await
            .unwrap();
    assert_eq!(r.object.id, 501);
    assert_eq!(r.duplicates_removed, 1);
    let left: Vec<(u64, String)> = c.comments(1).into_iter().map(|c| (c.id, c.body)).collect();
    assert_eq!(
        left,
        vec![
            (501, "new <!-- ci-bot:m -->".into()),
            (503, "fake <!-- ci-bot:m -->".into())
        ]
    );
}

const EMPTY_ISSUE: &str = r#"
repos:
  - name: acme/widgets
    issues:
      - { number: 1, title: Tracker }
"#;

#[tokio::test]
async fn a_write_recorded_under_another_login_stops_after_one_object() {
    // The client trusts github-actions[bot] (an installation token that
    // cannot read /user), but GitHub records the writes as someone else:
    // no lookup would ever find them. One object, then a one-line error
    // naming the fix, not a new object every round.
    let c = Ctx::with(DUPLICATES, |b| b.configure(|c| c.marker_author = Some("github-actions[bot]".into()))).await;
    let before = c.comments(1).len();
    let err = c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), "<!-- ci-bot:n -->", "x <!-- ci-bot:n -->").await.unwrap_err().to_string();
    assert_eq!(c.comments(1).len(), before + 1, "one comment created");
    assert!(err.contains("CI_BOT_MARKER_AUTHOR") && err.contains("github-actions[bot]") && !err.contains('\n'), "{err}");
    let err = c.gh.upsert_issue_by_marker(&c.repo, "<!-- ci-bot:i -->", "T", "b", &[]).await.unwrap_err().to_string();
    assert!(err.contains("CI_BOT_MARKER_AUTHOR"), "{err}");
}

#[tokio::test]
async fn a_create_that_landed_but_failed_is_given_time_to_show_before_the_next_look() {
    // GitHub's lists can lag a write; a create whose answer was a 502 may
    // have landed, so the next look waits the settle delay first (the fake's
    // lists never lag, so the wait is what this checks, and that nothing is
    // created twice).
    let settle = Duration::from_millis(300);
    let c = Ctx::with(EMPTY_ISSUE, |b| b.configure(|c| c.settle_delay = settle)).await;
    c.server.faults().add(FaultRule::new("POST", "/repos/*/issues/1/comments", FaultKind::StatusAfterWrite { status: 502 }).times(1));
    let t = Instant::now();
    let r = c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), "<!-- ci-bot:s -->", "x <!-- ci-bot:s -->").await.unwrap();
    assert!(t.elapsed() >= settle, "looked again after {:?}", t.elapsed());
    assert_eq!(c.comments(1).len(), 1, "one comment");
    assert_eq!(r.object.body, "x <!-- ci-bot:s -->");
}

#[tokio::test]
async fn an_issue_whose_label_was_removed_is_found_and_labelled_again() {
    let c = Ctx::new(EMPTY).await;
    let m = "<!-- ci-bot:tracker x -->";
    let labels = vec!["ci-failure".to_string()];
    let a = c.gh.upsert_issue_by_marker(&c.repo, m, "[CI] Tracker", "v1", &labels).await.unwrap();
    // A maintainer tidies the labels away.
    let unlabel = IssueUpdate { labels: Some(Vec::new()), ..IssueUpdate::default() };
    c.gh.update_issue(&c.repo, a.object.number, &unlabel).await.unwrap();
    let b = c.gh.upsert_issue_by_marker(&c.repo, m, "[CI] Tracker", "v2", &labels).await.unwrap();
    assert_eq!(b.object.number, a.object.number, "the same issue, not a second one");
    assert!(b.object.has_label("ci-failure"), "labelled again");
    assert_eq!(c.issues().iter().filter(|i| i.body.as_deref().unwrap_or("").contains(m)).count(), 1);
}

#[tokio::test]
async fn issue_upsert_finds_by_listing_not_search() {
    let c = Ctx::new(EMPTY).await;
    c.server.state().set_search_delay(Duration::from_secs(60));
    let m = "<!-- ci-bot:daily 2026-01-02 -->";
    let labels = vec!["ci-failure".to_string()];
    let a =
        c.gh.upsert_issue_by_marker(&c.repo, m, "[CI] Daily", "day 1", &labels)
            .await
            .unwrap();
    let b =
        c.gh.upsert_issue_by_marker(&c.repo, m, "[CI] Daily", "day 1", &labels)
            .await
            .unwrap();
    assert_eq!(
        (a.action, b.action),
        (UpsertAction::Created, UpsertAction::Unchanged)
    );
    assert_eq!(a.object.number, b.object.number);
    let with_marker = c
        .issues()
        .into_iter()
        .filter(|i| i.body.as_deref().unwrap_or("").contains(m))
        .count();
    assert_eq!(with_marker, 1);
}

#[tokio::test]
async fn github_app_auth_uses_an_installation_token() {
    let key = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/test-app-key.pem"
    ))
    .unwrap();
    let c = Ctx::new(EMPTY).await;
    let app = c
        .another_client(|b| {
            b.auth(ci_github::Auth::App {
                app_id: 42,
                private_key_pem: key,
                installation_id: Some(7),
                repo: None,
            })
        })
        .await;
    app.get_issue(&c.repo, IssueNumber(1)).await.unwrap();
    let reqs = c.server.state().requests();
    let mint = reqs
        .iter()
        .find(|r| r.path == "/app/installations/7/access_tokens")
        .expect("token minted");
    assert_eq!(mint.status, 201);
    let get = reqs
        .iter()
        .rfind(|r| r.path.ends_with("/issues/1"))
        .unwrap();
    assert!(
        get.token
            .as_deref()
            .is_some_and(|t| t.starts_with("ghs_fake7")),
        "{:?}",
        get.token
    );
}

#[tokio::test]
async fn bad_app_key_is_a_config_error() {
    let err = ci_github::Client::builder()
        .auth(ci_github::Auth::App {
            app_id: 1,
            private_key_pem: "nope".into(),
            installation_id: Some(1),
            repo: None,
        })
        .build()
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[tokio::test]
async fn an_exhausted_search_limit_does_not_block_other_calls() {
    let yaml = format!(
        "settings:\n  search_rate_limit: 1\n{}",
        EMPTY.trim_start_matches('\n')
    );
    let c = Ctx::with(&yaml, |b| {
        b.configure(|c| c.max_rate_limit_wait = Duration::from_millis(100))
    })
    .await;
    let q = format!("repo:{REPO} is:issue");
    c.gh.search_issues(&q, 5).await.unwrap();
    let err = c.gh.search_issues(&q, 5).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
    let t = Instant::now();
    c.gh.get_issue(&c.repo, IssueNumber(1)).await.unwrap();
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "core calls wait for nobody"
    );
}

#[tokio::test]
async fn a_rate_limited_log_download_waits_and_goes_on() {
    let c = Ctx::new(ACTIONS).await;
    c.server.faults().add(
        FaultRule::new(
            "GET",
            "/repos/*/actions/jobs/*/logs",
            FaultKind::SecondaryRateLimit {
                retry_after_secs: 1,
            },
        )
        .times(1),
    );
    let mut out = Vec::new();
    c.gh.download_job_log(&c.repo, JobId(70001), &mut out)
        .await
        .unwrap();
    assert_eq!(out, b"build ok\n");
    assert_eq!(c.gh.stats().retries["download_job_log"], 1);
}

#[tokio::test]
async fn an_upsert_against_a_github_that_never_answers_stops_at_its_deadline() {
    // Every list answers 502. Each look retries its read (4 times, with
    // backoff), and the upsert looks again after each failed look: without
    // a deadline that is 24 rounds of 5 reads, about an hour with real
    // timeouts. The deadline ends it after the round it falls in.
    let deadline = Duration::from_millis(300);
    let c = Ctx::with(EMPTY_ISSUE, |b| b.configure(|c| c.upsert_deadline = deadline)).await;
    c.server.faults().add(FaultRule::new("GET", "/repos/*/issues/1/comments", FaultKind::Status { status: 502 }));
    let t = Instant::now();
    let err = c.gh.upsert_comment_by_marker(&c.repo, IssueNumber(1), "<!-- ci-bot:s -->", "x <!-- ci-bot:s -->").await.unwrap_err();
    let took = t.elapsed();
    let msg = err.to_string();
    assert!(matches!(err, ci_github::Error::Conflict { .. }) && msg.contains("stopped after"), "{msg}");
    assert!(!msg.contains('\n'));
    let rounds = c.seen("GET", "/issues/1/comments") / 5;
    assert!(rounds < 24, "{rounds} rounds in {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(c.seen("POST", "/comments"), 0, "nothing written blind");
}
