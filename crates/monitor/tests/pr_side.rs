//! The pull-request side end to end on the fake GitHub, through the real
//! client: people comment, `watch-comments` claims and runs, `ci-status`
//! and `pr-review` post. Every verdict, every refusal, the bodies as
//! snapshots, and the bad inputs (a 1 MB comment, 10,000 arguments, 3,000
//! files, a deleted head).

mod common;

use ci_github::{Client, GitHub, IssueNumber, RepoRef};
use ci_monitor::action::{WatchOutputs, WebhookEvent};
use ci_monitor::actions::{ci_status, pr_review, watch_comments};
use common::*;
use fake_github::Scenario;

const HEAD: &str = "aaaa";
const BASE: &str = "bbbb";

fn sha(s: &str) -> String {
    format!("{s:0<40}")
}

const LOST_RUNNER: &str = "2026-01-15T11:40:00.0Z ##[group]Run tests
2026-01-15T11:41:00.0Z ##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.
2026-01-15T11:41:00.0Z ##[error]The operation was canceled.";

fn scenario(extra_pulls: &str) -> Scenario {
    Scenario::from_yaml_str(&scenario_yaml(extra_pulls)).expect("scenario")
}

fn scenario_yaml(extra_pulls: &str) -> String {
    format!(
        r#"
settings:
  login: ci-bot
  tokens:
    test-token: ci-bot
    alice-token: alice
    mallory-token: mallory
    carol-token: carol
    erin-token: erin
teams:
  - {{ org: acme, slug: ci-admins, members: [carol], pending: [erin] }}
repos:
  - name: {TARGET}
    collaborators:
      - {{ login: alice, permission: write }}
    commits:
      - {{ sha: {base}, date: "2026-01-15T06:00:00Z", message: base }}
    issues:
      - {{ number: 1, title: "An issue, not a pull request" }}
    pulls:
      - number: 7
        title: Add widget
        user: alice
        head_ref: feature/x
        head_sha: {head}
        base_ref: main
        base_sha: {base}
        merge_base_sha: {base}
        files:
          - {{ filename: python/app/widget.py, status: modified, additions: 10, deletions: 2, patch: "@@ -1,2 +1,10 @@ def widget():\n+    return 1" }}
      - number: 8
        title: From a fork
        user: mallory
        head_ref: fast
        head_sha: {fork}
        head_repo: mallory/app
      - number: 9
        title: Closed one
        state: closed
        head_sha: {closed}
{extra_pulls}"#,
        base = sha(BASE),
        head = sha(HEAD),
        fork = sha("8888"),
        closed = sha("9999"),
    )
}

const CONFIG: &str = "commands:\n  mention: ci-bot\n  allow: { users: [alice], teams: [acme/ci-admins] }\n  allow-forks: false\n";

async fn world(extra_pulls: &str) -> TestCtx {
    let mut t = TestCtx::with_scenario(scenario(extra_pulls), CONFIG).await;
    t.config.lookback_hours = 24 * 400;
    t
}

async fn as_user(t: &TestCtx, login: &str) -> Client {
    Client::builder().api_url(t.server.url()).token(format!("{login}-token")).build().await.unwrap()
}

async fn comment(t: &TestCtx, login: &str, pr: u64, body: &str) -> u64 {
    let c = as_user(t, login).await;
    c.create_comment(&TARGET.parse::<RepoRef>().unwrap(), IssueNumber(pr), body).await.unwrap().id.0
}

async fn watch(t: &TestCtx) -> WatchOutputs {
    watch_comments::run(&t.ctx().await, None).await.expect("watch-comments").outputs
}

fn marked(t: &TestCtx, pr: u64, prefix: &str) -> Vec<String> {
    t.comments_on(TARGET, pr).into_iter().filter(|b| b.contains(prefix)).collect()
}

fn status_body(t: &TestCtx, pr: u64) -> String {
    let mut v = marked(t, pr, "<!-- ci-bot:ci-status ");
    assert_eq!(v.len(), 1, "one ci-status comment on #{pr}");
    v.remove(0)
}

fn reactions(t: &TestCtx, id: u64) -> Vec<(String, String)> {
    t.server
        .state()
        .with_repo(TARGET, |r| {
            r.comments.get(&id).map(|c| c.reactions.iter().map(|x| (x.user.clone(), x.content.clone())).collect()).unwrap_or_default()
        })
        .unwrap()
}

#[tokio::test]
async fn a_command_is_claimed_once_and_the_status_posted_once_even_with_two_watchers() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let id = comment(&t, "alice", 7, "Why red?\n@ci-bot ci-status").await;

    let (a, b) = tokio::join!(watch(&t), watch(&t));
    assert_eq!((a.claimed + b.claimed, a.lost + b.lost, a.ran + b.ran), (1, 1, 1), "{a:?} / {b:?}");
    assert_eq!(reactions(&t, id), vec![("ci-bot".to_string(), "rocket".to_string())]);
    let body = status_body(&t, 7);
    assert!(body.contains("NEW"), "{body}");
    // The cron's next pass sees the same comment and leaves it alone.
    let again = watch(&t).await;
    assert_eq!((again.claimed, again.lost), (0, 1));
    assert_eq!(marked(&t, 7, "<!-- ci-bot:ci-status ").len(), 1);
}

#[tokio::test]
async fn every_verdict_with_its_evidence() {
    let cases: [(&str, &str); 5] = [("new", "NEW"), ("broken", "BROKEN ON BASE"), ("infra", "INFRA"), ("flaky", "FLAKY"), ("unclassified", "UNCLASSIFIED")];
    for (case, word) in cases {
        let mut t = world("").await;
        match case {
            "new" => {
                t.run("ci.yml", BASE, &[("unit", None)]);
                t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
            }
            "broken" => {
                t.run("ci.yml", BASE, &[("unit", Some(PYTEST_LOG))]);
                t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
            }
            "infra" => {
                t.run("ci.yml", BASE, &[("unit", None)]);
                t.run("ci.yml", HEAD, &[("unit", Some(LOST_RUNNER))]);
            }
            "flaky" => {
                t.run("ci.yml", HEAD, &[("unit", None)]);
                t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
            }
            _ => {
                t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
            }
        }
        let out = ci_status::run(&t.ctx().await, Some(7), None).await.expect("ci-status");
        let body = status_body(&t, 7);
        assert!(body.contains(word), "{case}: {body}");
        assert!(!out.outputs.heading.is_empty());
        insta::assert_snapshot!(format!("ci_status_{case}"), body);
    }
}

#[tokio::test]
async fn the_status_comment_is_updated_in_place() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    ci_status::run(&t.ctx().await, Some(7), None).await.unwrap();
    let writes = t.write_requests();
    ci_status::run(&t.ctx().await, Some(7), None).await.unwrap();
    assert_eq!(t.write_requests(), writes, "an unchanged status is not rewritten");
    t.run("ci.yml", HEAD, &[("unit", None)]);
    ci_status::run(&t.ctx().await, Some(7), None).await.unwrap();
    assert!(!status_body(&t, 7).contains("NEW"));
}

#[tokio::test]
async fn refusals() {
    let t = world("").await;
    let unauthorised = comment(&t, "mallory", 7, "@ci-bot ci-status").await;
    let pending_member = comment(&t, "erin", 7, "@ci-bot ci-status").await;
    let own = comment(&t, "ci-bot", 7, "@ci-bot ci-status").await;
    let on_issue = comment(&t, "alice", 1, "@ci-bot ci-status").await;
    let closed = comment(&t, "alice", 9, "@ci-bot ci-status").await;
    let fork = comment(&t, "carol", 8, "@ci-bot review").await;
    let unknown = comment(&t, "alice", 7, "@ci-bot deploy prod").await;
    let prose = comment(&t, "alice", 7, "thanks @ci-bot, looks good").await;
    let o = watch(&t).await;
    assert_eq!((o.seen, o.claimed, o.replied, o.ran), (8, 3, 3, 0), "{o:?}");
    for silent in [unauthorised, pending_member, own, on_issue, prose] {
        assert!(reactions(&t, silent).is_empty(), "comment {silent} is left alone");
    }
    let reply = |pr: u64, id: u64| {
        let mut v = marked(&t, pr, &format!("<!-- ci-bot:command-reply v=2 comment={id} -->"));
        assert_eq!(v.len(), 1, "one reply to {id}");
        v.remove(0)
    };
    insta::assert_snapshot!("reply_closed", reply(9, closed));
    insta::assert_snapshot!("reply_fork", reply(8, fork));
    insta::assert_snapshot!("reply_unknown", reply(7, unknown));
    assert!(t.comments_on(TARGET, 1).len() == 1, "nothing on the issue");
}

#[tokio::test]
async fn the_bots_own_comments_are_never_commands_whatever_login_it_writes_as() {
    // The bot writes with a maintainer's token (alice may give commands),
    // not as its mention, and GitHub does not mark a user's comments as a
    // bot's: what it writes as is still its own.
    let yaml = scenario_yaml("").replace("test-token: ci-bot", "test-token: alice");
    let t = TestCtx::with_scenario(Scenario::from_yaml_str(&yaml).expect("scenario"), CONFIG).await;
    let own = comment(&t, "alice", 7, "@ci-bot ci-status").await;
    let o = watch(&t).await;
    assert_eq!((o.seen, o.claimed, o.replied), (1, 0, 0), "{o:?}");
    assert!(reactions(&t, own).is_empty(), "its own comment is left alone");
    assert_eq!(t.comments_on(TARGET, 7).len(), 1, "and not answered");
}

#[tokio::test]
async fn an_old_comment_edited_later_is_not_a_command() {
    let t = world("").await;
    let id = comment(&t, "alice", 7, "typo").await;
    t.server
        .state()
        .with_repo(TARGET, |r| {
            let c = r.comments.get_mut(&id).unwrap();
            c.created_at -= chrono::Duration::hours(3);
            c.body = "@ci-bot ci-status".into();
        })
        .unwrap();
    let o = watch(&t).await;
    assert_eq!((o.seen, o.claimed), (1, 0));
    assert!(reactions(&t, id).is_empty());
}

#[tokio::test]
async fn dispatch_to_the_bot_repo_then_the_dispatched_run_posts() {
    let mut t = world("").await;
    t.config.commands.dispatch_to = Some(BOT.into());
    t.run("ci.yml", BASE, &[("unit", Some(PYTEST_LOG))]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    comment(&t, "carol", 7, "@ci-bot ci-status").await;
    let o = watch(&t).await;
    assert_eq!((o.claimed, o.dispatched, o.ran), (1, 1, 0));
    let dispatches: Vec<(String, serde_json::Value)> = t
        .server
        .state()
        .dispatches()
        .into_iter()
        .filter_map(|d| match d {
            fake_github::state::Dispatch::Repository { repo, event_type, client_payload, .. } if repo == BOT => {
                Some((event_type, client_payload))
            }
            _ => None,
        })
        .collect();
    assert_eq!(dispatches.len(), 1);
    let (event_type, payload) = &dispatches[0];
    assert_eq!(event_type, "ci-status");
    assert!(payload.as_object().unwrap().values().all(|v| v.is_string()), "{payload}");
    // The bot repo's workflow runs ci-status on it.
    let dir = tempfile_dir();
    let path = dir.join("event.json");
    std::fs::write(&path, serde_json::json!({"action": "ci-status", "client_payload": payload}).to_string()).unwrap();
    let event = WebhookEvent { name: "repository_dispatch".into(), payload: std::fs::read(&path).unwrap() };
    let out = ci_status::run(&t.ctx().await, None, Some(&event)).await.unwrap();
    assert_eq!(out.outputs.prs, vec![7]);
    assert!(status_body(&t, 7).contains("BROKEN ON BASE"));
    // A target repository configured in another case is the same one.
    let mut shouted = payload.clone();
    shouted["repo"] = serde_json::Value::String(TARGET.to_ascii_uppercase());
    let event = WebhookEvent { name: "repository_dispatch".into(), payload: serde_json::json!({"action": "ci-status", "client_payload": shouted}).to_string().into_bytes() };
    assert_eq!(ci_status::run(&t.ctx().await, None, Some(&event)).await.unwrap().outputs.prs, vec![7]);
}

#[tokio::test]
async fn an_issue_comment_webhook_is_the_same_work_as_a_poll() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let id = comment(&t, "alice", 7, "@ci-bot review").await;
    let c = t.server.state().with_repo(TARGET, |r| r.comments.get(&id).cloned()).unwrap().unwrap();
    let payload = serde_json::json!({
        "action": "created",
        "issue": {"number": 7, "state": "open", "pull_request": {"url": "x"}},
        "comment": {"id": id, "body": c.body, "user": {"login": "alice", "type": "User"},
                    "created_at": c.created_at, "updated_at": c.updated_at},
        "repository": {"full_name": TARGET},
    });
    let event = WebhookEvent { name: "issue_comment".into(), payload: payload.to_string().into_bytes() };
    let o = watch_comments::run(&t.ctx().await, Some(&event)).await.unwrap().outputs;
    assert_eq!((o.seen, o.claimed, o.ran), (1, 1, 1));
    let review = marked(&t, 7, "<!-- ci-bot:pr-review ");
    assert_eq!(review.len(), 1);
    insta::assert_snapshot!("pr_review", review[0].clone());
    // The poll sees it too, and loses the claim.
    assert_eq!(watch(&t).await.lost, 1);
}

#[tokio::test]
async fn workflow_run_completed_refreshes_the_status_when_configured() {
    let mut t = world("").await;
    t.config.ci_status.on_workflow_run = true;
    t.run("ci.yml", BASE, &[("unit", None)]);
    let (run, _) = t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    // A run from a fork: GitHub leaves `pull_requests` empty.
    let payload = serde_json::json!({
        "action": "completed",
        "workflow_run": {"id": run.get(), "name": "ci.yml", "head_sha": sha(HEAD), "status": "completed",
                         "conclusion": "failure", "pull_requests": []},
        "repository": {"full_name": TARGET},
    });
    let event = WebhookEvent { name: "workflow_run".into(), payload: payload.to_string().into_bytes() };
    let out = ci_status::run(&t.ctx().await, None, Some(&event)).await.unwrap();
    assert_eq!(out.outputs.prs, vec![7]);
    status_body(&t, 7);
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_never_a_panic() {
    let big_pr = {
        let files: String = (0..3000)
            .map(|i| format!("          - {{ filename: src/f{i}.py, status: modified, additions: 1, deletions: 1 }}\n"))
            .collect();
        format!(
            "      - number: 10\n        title: Huge\n        user: alice\n        head_sha: {}\n        base_ref: main\n        base_sha: {}\n        files:\n{files}      - number: 11\n        title: Deleted head\n        user: alice\n        head_sha: {}\n        head_repo: alice/app\n        head_repo_deleted: true\n",
            sha("cccc"),
            sha(BASE),
            sha("dddd"),
        )
    };
    let mut t = world(&big_pr).await;
    t.run("ci.yml", "dddd", &[("unit", Some(PYTEST_LOG))]);
    let huge = "@ci-bot review\n".to_string() + &"x".repeat(1 << 20);
    let huge_id = comment(&t, "alice", 7, &huge[..65_536.min(huge.len())]).await;
    let many = format!("@ci-bot review-focus {}", "a ".repeat(10_000));
    let many_id = comment(&t, "alice", 7, &many[..65_536.min(many.len())]).await;
    let o = watch(&t).await;
    assert_eq!(o.seen, 2);
    let _ = huge_id;
    assert!(!marked(&t, 7, &format!("comment={many_id} -->")).is_empty(), "too many arguments gets a reply");

    let started = std::time::Instant::now();
    let out = pr_review::run(&t.ctx().await, Some(10), &[], None).await.expect("3,000 files");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.outputs.prs, vec![10]);
    let review = marked(&t, 10, "<!-- ci-bot:pr-review ").remove(0);
    assert!(review.chars().count() <= 65_536, "{}", review.len());
    ci_status::run(&t.ctx().await, Some(10), None).await.expect("ci-status of 3,000 files");

    ci_status::run(&t.ctx().await, Some(11), None).await.expect("deleted head");
    let body = status_body(&t, 11);
    assert!(body.contains("The head branch no longer exists"), "{body}");
}

#[tokio::test]
async fn a_one_megabyte_comment_delivered_by_webhook_is_a_log_line_not_a_panic() {
    // GitHub's API refuses such a body, so only a delivery can carry one.
    let t = world("").await;
    let body = format!("@ci-bot ci-status\n{}", "x".repeat(1 << 20));
    let payload = serde_json::json!({
        "action": "created",
        "issue": {"number": 7, "state": "open", "pull_request": {"url": "x"}},
        "comment": {"id": 4242, "body": body, "user": {"login": "alice", "type": "User"},
                    "created_at": "2026-01-15T11:59:00Z", "updated_at": "2026-01-15T11:59:00Z"},
        "repository": {"full_name": TARGET},
    });
    let event = WebhookEvent { name: "issue_comment".into(), payload: payload.to_string().into_bytes() };
    let out = watch_comments::run(&t.ctx().await, Some(&event)).await.expect("no error, no panic");
    assert_eq!((out.outputs.seen, out.outputs.claimed, out.outputs.replied), (1, 0, 0));
    assert!(out.summary.contains("larger than any GitHub comment"), "the log says why: {}", out.summary);
    assert_eq!(t.write_requests(), 0, "nothing claimed or written");
}

/// A log whose only failure line says that something failed, not what.
const GENERIC_LOG: &str = "2026-01-15T11:40:00.0Z ##[group]Run make test
2026-01-15T11:41:00.0Z ##[error]Process completed with exit code 1.";

/// Makes `run` another pull request's: its own branch, pushed by `actor`.
fn unrelated(t: &TestCtx, run: ci_model::RunId, branch: &str, actor: &str) {
    t.server
        .state()
        .with_repo(TARGET, |r| {
            let run = r.runs.get_mut(&run.get()).unwrap();
            run.head_branch = branch.into();
            run.actor = actor.into();
        })
        .unwrap();
}

/// Log downloads the fake served for these jobs.
fn log_reads(t: &TestCtx, jobs: &[ci_model::JobId]) -> usize {
    jobs.iter().map(|j| t.server.state().request_count("GET", &format!("/actions/jobs/{}/logs", j.0))).sum()
}

#[tokio::test]
async fn a_failure_seen_on_an_unrelated_commit_is_flaky_with_the_evidence_linked() {
    let mut t = world("").await;
    // Nothing ran on the base: without other commits this is UNCLASSIFIED.
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let (other, other_jobs) = t.run("ci.yml", "eeee", &[("unit", Some(PYTEST_LOG)), ("lint", None)]);
    unrelated(&t, other, "feature/other", "bob");
    // The same failure on the PR's own branch or by its author is no evidence.
    let (own, own_jobs) = t.run("ci.yml", "ffff", &[("unit", Some(PYTEST_LOG))]);
    unrelated(&t, own, "feature/x", "alice");

    ci_status::run(&t.ctx().await, Some(7), None).await.expect("ci-status");
    let body = status_body(&t, 7);
    assert!(body.contains("FLAKY"), "{body}");
    assert!(body.contains("same failure on an unrelated commit on `feature/other`"), "{body}");
    assert!(body.contains(&format!("/job/{}", other_jobs[0].0)), "the other job is linked: {body}");
    assert!(body.contains("test_ttl"), "the matching line is shown: {body}");
    assert_eq!(log_reads(&t, &other_jobs), 1, "one log read for the matching job, none for the green one");
    assert_eq!(log_reads(&t, &own_jobs), 0, "the PR's own branch is not searched");
    insta::assert_snapshot!("ci_status_flaky_elsewhere", body);
}

#[tokio::test]
async fn a_generic_capture_on_an_unrelated_commit_never_makes_flaky() {
    let mut t = world("").await;
    t.run("ci.yml", HEAD, &[("unit", Some(GENERIC_LOG))]);
    let (other, other_jobs) = t.run("ci.yml", "eeee", &[("unit", Some(GENERIC_LOG))]);
    unrelated(&t, other, "feature/other", "bob");

    ci_status::run(&t.ctx().await, Some(7), None).await.expect("ci-status");
    let body = status_body(&t, 7);
    assert!(body.contains("UNCLASSIFIED") && !body.contains("FLAKY"), "{body}");
    // "exit code 1" can never match, so the other commit is not even read.
    assert_eq!(log_reads(&t, &other_jobs), 0);
    assert_eq!(t.server.state().request_count("GET", &format!("/actions/runs/{}/jobs", other.get())), 0);
}

#[tokio::test]
async fn a_failed_search_on_unrelated_commits_still_posts_the_status() {
    let mut t = world("").await;
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let (other, _) = t.run("ci.yml", "eeee", &[("unit", Some(PYTEST_LOG))]);
    unrelated(&t, other, "feature/other", "bob");
    // Only the search lists runs per workflow; the head and base reads list all runs.
    t.server.faults().add(fake_github::FaultRule::new(
        "GET",
        "/repos/*/actions/workflows/*/runs",
        fake_github::FaultKind::Status { status: 500 },
    ));
    ci_status::run(&t.ctx().await, Some(7), None).await.expect("the evidence is optional");
    assert!(t.server.faults().fired() > 0, "the search was tried");
    let body = status_body(&t, 7);
    assert!(body.contains("UNCLASSIFIED") && !body.contains("FLAKY"), "{body}");
}

#[tokio::test]
async fn the_search_on_unrelated_commits_reads_a_bounded_number_of_jobs_and_logs() {
    let mut t = world("").await;
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let mut others = Vec::new();
    for i in 0..40 {
        let (run, jobs) = t.run("ci.yml", &format!("e{i:03}"), &[("unit", Some(PYTEST_LOG))]);
        unrelated(&t, run, &format!("feature/{i}"), "bob");
        others.extend(jobs);
    }
    let job_lists = || t.server.state().requests().iter().filter(|r| r.path.ends_with("/jobs")).count();
    let lists_before = job_lists();
    ci_status::run(&t.ctx().await, Some(7), None).await.expect("ci-status");
    assert!(status_body(&t, 7).contains("FLAKY"));
    let reads = log_reads(&t, &others);
    assert!((1..=ci_monitor::services::pull_request::ELSEWHERE_LOGS).contains(&reads), "{reads} logs read");
    let lists = job_lists() - lists_before;
    // The head's run, then at most the bound of other runs.
    assert!(lists <= 1 + ci_monitor::services::pull_request::ELSEWHERE_JOB_LISTS, "{lists} job lists read");
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ci-monitor-pr-side-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn a_status_computed_earlier_never_replaces_one_computed_later() {
    // Two runs for one pull request (a CI completion and a typed command):
    // the one that started first finishes last. Each used to write its own
    // body, so the older status was the one left (and while both were at
    // it, they overwrote each other round after round).
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let started_first = t.ctx().await;
    t.now += chrono::Duration::minutes(5);
    t.run("ci.yml", HEAD, &[("unit", None)]);
    ci_status::run(&t.ctx().await, Some(7), None).await.unwrap();
    let later = status_body(&t, 7);
    assert!(!later.contains("NEW"), "{later}");
    let writes = t.write_requests();
    ci_status::run(&started_first, Some(7), None).await.unwrap();
    assert_eq!(status_body(&t, 7), later, "the later computation stays");
    assert_eq!(t.write_requests(), writes, "and nothing was written");
}

#[tokio::test]
async fn a_review_after_a_push_does_not_quote_the_last_heads_ci() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", None)]);
    ci_status::run(&t.ctx().await, Some(7), None).await.unwrap();
    pr_review::run(&t.ctx().await, Some(7), &[], None).await.unwrap();
    let reviewed = marked(&t, 7, "<!-- ci-bot:pr-review ");
    assert!(reviewed[0].contains("- **CI:** CI status: ✅"), "{}", reviewed[0]);
    // The author pushes: the ci-status comment still describes the old head.
    let pushed = sha("cccc");
    t.server.state().with_repo(TARGET, |r| r.issues.get_mut(&7).unwrap().pull.as_mut().unwrap().head_sha = pushed.clone()).unwrap();
    pr_review::run(&t.ctx().await, Some(7), &[], None).await.unwrap();
    let review = marked(&t, 7, &format!("head={pushed}"));
    assert_eq!(review.len(), 1);
    assert!(review[0].contains("- **CI:** not known yet"), "{}", review[0]);
}

#[tokio::test]
async fn a_failure_after_a_claim_is_logged_and_the_next_command_still_served() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    comment(&t, "alice", 7, "@ci-bot help").await;
    comment(&t, "alice", 7, "@ci-bot ci-status").await;
    // The help reply is refused; the pass used to stop there with an error,
    // leaving the second command claimed by nobody until the next pass.
    t.server.faults().add(fake_github::FaultRule::new("POST", &format!("/repos/{TARGET}/issues/7/comments"), fake_github::FaultKind::Status { status: 422 }).times(1));
    let o = watch(&t).await;
    assert_eq!((o.claimed, o.ran), (2, 1), "{o:?}");
    assert_eq!(marked(&t, 7, "<!-- ci-bot:ci-status ").len(), 1);
}

#[test]
fn a_dispatch_target_that_is_no_repository_is_refused_when_the_config_loads() {
    let (cfg, warnings) = ci_monitor::config::Config::parse("commands:\n  dispatch-to: https://github.com/org/bot\n");
    assert!(cfg.commands.dispatch_to.is_none());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].0.contains("commands.dispatch-to") && warnings[0].0.contains("inline"), "{warnings:?}");
}

#[tokio::test]
async fn a_command_whose_lookups_failed_is_kept_in_the_next_window() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let id = comment(&t, "alice", 7, "@ci-bot ci-status").await;
    let fault = t.server.faults().add(fake_github::FaultRule::new("GET", "/repos/*/pulls/7", fake_github::FaultKind::Status { status: 502 }));
    let o = watch(&t).await;
    let updated = t.server.state().with_repo(TARGET, |r| r.comments.get(&id).cloned()).unwrap().unwrap().updated_at;
    assert_eq!((o.claimed, o.retry_from.map(|r| r.timestamp())), (0, Some(updated.timestamp())), "{o:?}");
    t.server.faults().remove(fault);
    assert_eq!(watch(&t).await.ran, 1);
}

#[tokio::test]
async fn commands_claimed_on_an_earlier_pass_cost_no_write_and_leave_the_budget_to_new_ones() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    for _ in 0..4 {
        comment(&t, "alice", 7, "@ci-bot help").await;
    }
    assert_eq!(watch(&t).await.claimed, 4);
    // Each later pass used to send the claim again (GitHub answers 200,
    // the write budget pays) after looking the author and PR up again.
    let writes = t.write_requests();
    let again = watch(&t).await;
    assert_eq!((again.claimed, again.lost), (0, 4));
    assert_eq!(t.write_requests(), writes, "no claim sent again");
    // With three writes left, the old commands used them up first.
    t.write_budget = 3;
    comment(&t, "alice", 7, "@ci-bot ci-status").await;
    let o = watch(&t).await;
    assert_eq!((o.lost, o.ran), (4, 1), "{o:?}");
}

#[tokio::test]
async fn a_watcher_told_to_stop_claims_nothing_more_and_leaves_the_rest_for_the_next_pass() {
    let mut t = world("").await;
    t.run("ci.yml", BASE, &[("unit", None)]);
    t.run("ci.yml", HEAD, &[("unit", Some(PYTEST_LOG))]);
    let first = comment(&t, "alice", 7, "@ci-bot help").await;
    let second = comment(&t, "alice", 7, "@ci-bot ci-status").await;
    // Shutdown is asked for while the first command is handled.
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let stop = || asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1;
    let ctx = t.ctx().await;
    let since = t.now - chrono::Duration::hours(24 * 400);
    let o = watch_comments::once_until(&ctx, None, since, &stop).await.unwrap().outputs;
    assert_eq!((o.seen, o.claimed), (1, 1), "{o:?}");
    assert_eq!(reactions(&t, first).len(), 1);
    assert!(reactions(&t, second).is_empty(), "not claimed by a process about to die");
    let updated = t.server.state().with_repo(TARGET, |r| r.comments.get(&second).cloned()).unwrap().unwrap().updated_at;
    assert_eq!(o.retry_from.map(|r| r.timestamp()), Some(updated.timestamp()));
    assert_eq!(watch(&t).await.ran, 1, "the next pass serves it");
}
