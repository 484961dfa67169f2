//! Issue #12: the bot trusts only its own writes. A stranger's comment that
//! copies our markers is ignored for state, never edited or deleted, and
//! reported once; every check reads back what the fake GitHub holds.

mod common;

use ci_github::{Client, GitHub, IssueNumber, RepoRef};
use ci_report::markers::{processed_job_ids_line, workflow_report_line};
use ci_report::workflow_comment::parse_workflow_comments;
use common::*;

const MALLORY_TOKEN: &str = "mallory-token";

/// A client acting as `mallory` (a user with no special rights).
async fn mallory(c: &TestCtx) -> Client {
    c.server.state().set_token_login(MALLORY_TOKEN, "mallory");
    Client::builder().api_url(c.server.url()).token(MALLORY_TOKEN).build().await.expect("client")
}

fn comments_by(c: &TestCtx, repo: &str, number: u64, login: &str) -> Vec<fake_github::state::Comment> {
    c.server.state().comments(repo, number).into_iter().filter(|x| x.user == login).collect()
}

/// Everything the bot wrote: every issue body and comment by `ci-bot` in both repos.
fn bot_text(c: &TestCtx) -> String {
    let mut all = String::new();
    for repo in [BOT, TARGET] {
        for i in c.server.state().issues(repo) {
            if i.user == "ci-bot" {
                all.push_str(i.body.as_deref().unwrap_or(""));
            }
            for cm in comments_by(c, repo, i.number, "ci-bot") {
                all.push_str(&cm.body);
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_comment_does_not_take_over_the_daily_report() {
    let mut c = TestCtx::new().await;
    c.tick().await; // the daily issue exists, nothing failed yet
    let daily = c.daily_issue().number;

    // Mallory forges a nightly report: a processed id for the job about to
    // fail, the workflow marker, and a job block pointing at her site.
    let next_job = c.fail_job("nightly.yml", "unit-tests", PYTEST_LOG);
    let forged = format!(
        "{}\n{}\n\n<details data-job-id=\"666\" data-run-url=\"https://evil.example/run\" data-started-at=\"\">\n\
         <summary><b>test_pwned</b> — failed step(s): N/A</summary>\n\nclick https://evil.example/login\n</details>\n",
        processed_job_ids_line(&[next_job].into_iter().collect()),
        workflow_report_line("nightly.yml"),
    );
    // The forgery is well-formed: trusted, it would be read as state.
    let rec = parse_workflow_comments("nightly.yml", [forged.as_str()]);
    assert!(rec.processed_job_ids.contains(&next_job));
    assert_eq!(rec.jobs.len(), 1);
    let bot: RepoRef = BOT.parse().unwrap();
    let m = mallory(&c).await;
    let hers = m.create_comment(&bot, IssueNumber(daily), &forged).await.unwrap();

    let (ctx, _) = c.ctx_and_client().await;
    let out = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(out.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 1, "the job was analysed");

    let her_comments = comments_by(&c, BOT, daily, "mallory");
    assert_eq!(her_comments.len(), 1, "her comment is neither deleted nor duplicated");
    assert_eq!(her_comments[0].body, forged, "her comment is not edited");
    let ours = comments_by(&c, BOT, daily, "ci-bot");
    let nightly: Vec<_> = ours.iter().filter(|x| x.body.contains("workflow=nightly.yml")).collect();
    assert_eq!(nightly.len(), 1, "the bot keeps its own report comment");
    assert!(nightly[0].body.contains(&format!("data-job-id=\"{next_job}\"")), "the real job is reported");
    let written = bot_text(&c);
    assert!(!written.contains("evil.example") && !written.contains("test_pwned"), "nothing of hers is reported");
    assert!(!written.contains("data-job-id=\"666\""));

    let warnings = ctx.trust_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("@mallory") && !warnings[0].contains('\n'), "{}", warnings[0]);

    // She cuts her comment down to the markers: the bot's analysis stays.
    let markers_only = format!("{}\n{}", processed_job_ids_line(&[next_job].into_iter().collect()), workflow_report_line("nightly.yml"));
    m.update_comment(&bot, hers.id, &markers_only).await.unwrap();
    c.advance(1);
    c.fail_job("nightly.yml", "unit-tests", OOM_LOG);
    c.tick().await;
    let ours = comments_by(&c, BOT, daily, "ci-bot");
    let nightly = ours.iter().find(|x| x.body.contains("workflow=nightly.yml")).expect("still there");
    assert!(nightly.body.contains(&format!("data-job-id=\"{next_job}\"")), "the first analysis is kept");
    assert_eq!(comments_by(&c, BOT, daily, "mallory")[0].body, markers_only);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_archive_comment_neither_freezes_nor_poisons_the_tracker() {
    let mut c = TestCtx::new().await;
    c.fail_job("nightly.yml", "unit-tests", PYTEST_LOG);
    c.tick().await;
    let tracker = c
        .server
        .state()
        .issues(TARGET)
        .into_iter()
        .find(|i| i.title.contains("Nightly") && i.user == "ci-bot")
        .expect("tracker");
    let body = tracker.body.clone().unwrap();
    assert!(body.contains("test_ttl"));
    let state_line = body.lines().find(|l| l.trim_start().starts_with("<!-- ci-bot:tracker-state ")).expect("state line");
    let archive = ci_report::tracker::archive_marker_line(1, 1, "nightly.yml");
    let target: RepoRef = TARGET.parse().unwrap();
    let m = mallory(&c).await;

    // A broken state line: the tracker must not freeze.
    let broken = format!("{archive}\n<!-- ci-bot:tracker-state v=2 {{not json -->\n");
    m.create_comment(&target, IssueNumber(tracker.number), &broken).await.unwrap();
    // A valid one: its entry must not be merged.
    let poisoned = format!("{archive}\n{}\nclick https://evil.example/login\n", state_line.replace("test_ttl", "test_pwned"));
    m.create_comment(&target, IssueNumber(tracker.number), &poisoned).await.unwrap();

    c.advance(2);
    c.fail_job("nightly.yml", "unit-tests", OOM_LOG);
    let (ctx, _) = c.ctx_and_client().await;
    let out = ci_monitor::tick::tick(&ctx).await.unwrap();
    let trackers = out.trackers.unwrap();
    assert!(trackers.warnings.is_empty(), "{:?}", trackers.warnings);

    let after = c.server.state().issues(TARGET).into_iter().find(|i| i.number == tracker.number).unwrap();
    let after_body = after.body.unwrap();
    assert_ne!(after_body, body, "the tracker was updated");
    assert!(after_body.contains("test_moe_eval") || after_body.contains("test_mmlu"), "the new failure is tracked");
    assert!(!after_body.contains("test_pwned") && !after_body.contains("evil.example"));
    let hers: Vec<String> = comments_by(&c, TARGET, tracker.number, "mallory").into_iter().map(|x| x.body).collect();
    assert_eq!(hers, vec![broken, poisoned], "her comments are left alone");
    let warnings = ctx.trust_warnings();
    assert_eq!(warnings.len(), 2, "one line per forged comment: {warnings:?}");
}

#[tokio::test]
async fn the_client_knows_whose_writes_are_its_own() {
    let c = TestCtx::new().await;
    let (_, client) = c.ctx_and_client().await;
    assert_eq!(client.marker_author(), Some("ci-bot"), "resolved from GET /user");
    assert_eq!(mallory(&c).await.marker_author(), Some("mallory"));
    let configured = Client::builder()
        .api_url(c.server.url())
        .token("test-token")
        .configure(|cfg| cfg.marker_author = Some("ghes-bot".into()))
        .build()
        .await
        .unwrap();
    assert_eq!(configured.marker_author(), Some("ghes-bot"), "CI_BOT_MARKER_AUTHOR wins");
    assert_eq!(configured.stats().total_requests(), 0);
}
