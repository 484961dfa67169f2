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
    let archive = ci_report::tracker::archive_marker_line(1, 1, "nightly.yml", 0);
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

// ---- redaction at every boundary --------------------------------------

/// Real-shaped fake secrets, built at test time (the repository holds none).
fn secrets() -> Vec<String> {
    let alnum = |seed: u64, n: usize| -> String {
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                A[(x % A.len() as u64) as usize] as char
            })
            .collect()
    };
    let upper = |seed: u64, n: usize| alnum(seed, n).to_uppercase().replace(['I', 'O'], "7");
    vec![
        format!("ghp_{}", alnum(1, 36)),
        format!("github_pat_{}_{}", alnum(2, 22), alnum(3, 59)),
        format!("ghs_{}", alnum(4, 36)),
        format!("AKIA{}", upper(5, 16)),
        format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{}.{}", alnum(6, 20), alnum(7, 43)),
        format!("hooks.slack.com/services/T{}/B{}/{}", upper(8, 8), upper(9, 8), alnum(10, 24)),
        alnum(11, 64), // the RSA key's body line
        "test-token".to_string(), // the configured token itself
        format!("Mask{}", alnum(12, 18)), // an ::add-mask::ed value
    ]
}

fn secret_log(s: &[String]) -> String {
    format!(
        "2026-01-15T11:00:00.0Z ##[group]Run pytest tests/integration\n\
         2026-01-15T11:00:00.0Z ::add-mask::{mask}\n\
         2026-01-15T11:00:00.0Z ##[endgroup]\n\
         2026-01-15T11:00:01.0Z =================================== FAILURES ===================================\n\
         2026-01-15T11:00:01.0Z ____________________________ TestAuth.test_login ____________________________\n\
         2026-01-15T11:00:01.0Z E       AssertionError: login refused for {ghp} and {pat} (token test-token, mask {mask})\n\
         2026-01-15T11:00:01.0Z E       git clone https://x-access-token:{ghs}@github.com/acme/app.git failed\n\
         2026-01-15T11:00:01.0Z E       aws {akia} jwt {jwt} hook https://{slack}\n\
         2026-01-15T11:00:01.0Z -----BEGIN RSA PRIVATE KEY-----\n\
         2026-01-15T11:00:01.0Z {key}\n\
         2026-01-15T11:00:01.0Z -----END RSA PRIVATE KEY-----\n\
         2026-01-15T11:00:01.0Z tests/integration/test_auth.py:61: AssertionError\n\
         2026-01-15T11:00:02.0Z =========================== short test summary info ============================\n\
         2026-01-15T11:00:02.0Z FAILED tests/integration/test_auth.py::TestAuth::test_login - AssertionError: login refused for {ghp} via {ghs} {akia} test-token {mask}\n\
         2026-01-15T11:00:02.0Z ============ 1 failed, 3 passed in 1.70s ============\n\
         2026-01-15T11:00:02.0Z ##[error]Process completed with exit code 1.\n",
        ghp = s[0], pat = s[1], ghs = s[2], akia = s[3], jwt = s[4], slack = s[5], key = s[6], mask = s[8],
    )
}

/// Every issue title and body and every comment in both repositories.
fn everything(c: &TestCtx) -> String {
    let mut all = String::new();
    for repo in [BOT, TARGET] {
        for i in c.server.state().issues(repo) {
            all.push_str(&i.title);
            all.push_str(i.body.as_deref().unwrap_or(""));
            for cm in c.server.state().comments(repo, i.number) {
                all.push_str(&cm.body);
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_masks_the_words_of_our_markers_cannot_corrupt_the_state() {
    // A job (a fork's PR, say) masks the words the bot's hidden markers
    // and state lines are made of. Redacting them there would hide the
    // report from the next tick: new parts every tick, jobs reported again.
    let mut c = TestCtx::new().await;
    let log = "2026-01-15T11:00:00.0Z ::add-mask::processed_job_ids\n\
               2026-01-15T11:00:00.0Z ::add-mask::<!-- ci-bot:\n\
               2026-01-15T11:00:00.0Z ::add-mask::ci-monitor-part\n\
               2026-01-15T11:00:01.0Z ##[group]Run pytest\n\
               2026-01-15T11:00:02.0Z FAILED tests/test_a.py::test_one - AssertionError: processed_job_ids\n\
               2026-01-15T11:00:02.0Z ##[error]Process completed with exit code 1.\n";
    c.fail_job("nightly.yml", "unit", log);
    let ctx = c.ctx().await;
    let first = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(first.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 1);
    let after_first = everything(&c);
    let ctx = c.ctx().await;
    let second = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(second.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 0, "the job is not reported again");
    assert_eq!(everything(&c), after_first, "nothing was rewritten or added");
    assert!(after_first.contains("processed_job_ids"), "our state lines kept their words");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_log_held_a_secret_is_reported_once() {
    // Its report is redacted on the way in; the job id must survive that.
    let mut c = TestCtx::new().await;
    c.fail_job("nightly.yml", "auth-tests", &secret_log(&secrets()));
    let ctx = c.ctx().await.with_token_secret("test-token");
    let first = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(first.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 1);
    let ctx = c.ctx().await.with_token_secret("test-token");
    let second = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(second.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 0, "not reported again");
    assert!(everything(&c).contains("/job/"), "the job keeps its link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_from_a_log_reaches_github_or_the_step_summary() {
    let mut c = TestCtx::new().await;
    let s = secrets();
    let job = c.fail_job("nightly.yml", "auth-tests", &secret_log(&s));
    let ctx = c.ctx().await.with_token_secret("test-token");
    let out = ci_monitor::tick::tick(&ctx).await.unwrap();
    assert_eq!(out.workflows["nightly.yml"].as_ref().unwrap().outputs.new_failure_count, 1);
    let run_url = format!("https://github.com/{TARGET}/actions/runs/{}", job.get() / 100);
    let analyze = ci_monitor::actions::analyze_url::run(&ctx, &run_url, ci_monitor::action::UrlOutput::Issue).await.unwrap();
    let analyze = ctx.redact_outcome(analyze);
    let stdout = ci_monitor::actions::analyze_url::run(&ctx, &run_url, ci_monitor::action::UrlOutput::Stdout).await.unwrap();
    let stdout = ctx.redact_outcome(stdout);

    let mut seen = everything(&c);
    for o in [&out.prepare.summary, &out.summary.as_ref().unwrap().summary, &out.trackers.as_ref().unwrap().summary] {
        seen.push_str(o);
    }
    for r in out.workflows.values() {
        seen.push_str(&r.as_ref().unwrap().summary);
    }
    seen.push_str(&analyze.summary);
    seen.push_str(&stdout.stdout);
    seen.push_str(&stdout.summary);
    assert!(seen.contains("{REDACTED:"), "the secrets did reach the report, redacted");
    for secret in &s {
        assert!(!seen.contains(secret.as_str()), "{secret} leaked");
    }
    // The secrets of the key block's line and the git URL, even in part.
    assert!(!seen.contains(&s[2][..20]) && !seen.contains(&s[0][..20]));
}

// ---- no loss: a report cut short converges on the rerun ----------------

/// A pytest log of `tests` failing tests, distinct per `job`.
fn failing_log(job: usize, tests: usize) -> String {
    let mut log = String::from("2026-01-15T11:00:00.0Z ##[group]Run pytest\n");
    for t in 0..tests {
        log.push_str(&format!(
            "2026-01-15T11:00:01.0Z FAILED tests/test_mod{job}.py::test_case_{t} - AssertionError: shard {job} case {t}: expected {} got {}\n",
            "x".repeat(60),
            "y".repeat(60)
        ));
    }
    log.push_str(&format!("2026-01-15T11:00:02.0Z ===== {tests} failed, 1 passed in 2.00s =====\n2026-01-15T11:00:02.0Z ##[error]Process completed with exit code 1.\n"));
    log
}

fn nightly_comments(c: &TestCtx) -> Vec<String> {
    let Some(daily) = c.daily_issues().into_iter().next() else { return Vec::new() };
    comments_by(c, BOT, daily.number, "ci-bot").into_iter().map(|x| x.body).filter(|b| b.contains("workflow=nightly.yml")).collect()
}

async fn fresh_with_jobs(jobs: usize, tests: usize) -> (TestCtx, Vec<ci_model::JobId>) {
    let mut c = TestCtx::new().await;
    let logs: Vec<String> = (0..jobs).map(|j| failing_log(j, tests)).collect();
    let names: Vec<String> = (0..jobs).map(|i| format!("shard-{i:02}")).collect();
    let spec: Vec<(&str, Option<&str>)> = names.iter().zip(&logs).map(|(n, l)| (n.as_str(), Some(l.as_str()))).collect();
    let (_, ids) = c.run("nightly.yml", "abc123", &spec);
    (c, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_part_report_cut_after_any_write_converges_on_the_rerun() {
    cut_and_rerun(false).await;
}

/// Every kill point (`cargo test -p ci-monitor --test integrity -- --ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "exhaustive: every kill point, ~3x the sampled test"]
async fn a_multi_part_report_cut_after_each_write_converges_on_the_rerun() {
    cut_and_rerun(true).await;
}

async fn cut_and_rerun(exhaustive: bool) {
    const JOBS: usize = 10;
    // A full run: how many writes, how many parts.
    let (c, ids) = fresh_with_jobs(JOBS, 30).await;
    let before = c.write_requests();
    c.analyze("nightly.yml").await;
    let writes = c.write_requests() - before;
    let parts = nightly_comments(&c).len();
    assert!(parts >= 3, "a multi-part report ({parts} parts)");
    // What a clean run renders is the reference (how many blocks a size
    // budget keeps is the renderer's business, issue #14).
    let blocks_of = |bodies: &[String], id: &ci_model::JobId| -> usize {
        bodies.iter().map(|b| b.matches(&format!("data-job-id=\"{id}\"")).count()).sum()
    };
    let clean = nightly_comments(&c);
    let expected: Vec<usize> = ids.iter().map(|id| blocks_of(&clean, id)).collect();
    assert!(expected.iter().filter(|&&n| n == 1).count() >= 3, "{expected:?}");
    assert!(expected.iter().all(|&n| n <= 1));

    // Kill points, sampled deterministically (the exhaustive loop took 39 s
    // under load): right after the first write, in the middle of the parts,
    // and before the last write.
    let writes = writes as u32;
    let kills: std::collections::BTreeSet<u32> = if exhaustive {
        (1..writes).collect()
    } else {
        [1, writes / 2, writes - 1].into_iter().filter(|k| (1..writes).contains(k)).collect()
    };
    for k in kills {
        let (mut c, ids) = fresh_with_jobs(JOBS, 30).await;
        c.write_budget = k;
        let cut = ci_monitor::actions::analyze_workflow::run(&c.ctx().await, "nightly.yml").await;
        assert!(cut.is_err(), "the budget of {k} writes cut the run short");
        c.write_budget = 100;
        c.analyze("nightly.yml").await;
        let bodies = nightly_comments(&c);
        let got: Vec<usize> = ids.iter().map(|id| blocks_of(&bodies, id)).collect();
        assert_eq!(got, expected, "cut after write {k}: the same blocks as a clean run, each once");
        assert_eq!(bodies.len(), parts, "cut after write {k}: same parts as a clean run");
        let again = c.write_requests();
        c.analyze("nightly.yml").await;
        assert_eq!(c.write_requests(), again, "cut after write {k}: converged (a rerun writes nothing)");
    }
}

// ---- N writers on one comment ------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_writers_on_one_comment_converge() {
    let c = TestCtx::new().await;
    let bot: RepoRef = BOT.parse().unwrap();
    let (ctx, _) = c.ctx_and_client().await;
    ci_monitor::tick::tick(&ctx).await.unwrap();
    let issue = IssueNumber(c.daily_issue().number);
    for n in [3usize, 5] {
        let marker = format!("<!-- ci-bot:writers-{n} -->");
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
        let mut tasks = Vec::new();
        for w in 0..n {
            let (_, gh) = c.ctx_and_client().await;
            let (bot, marker, barrier) = (bot.clone(), marker.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                gh.upsert_comment_by_marker(&bot, issue, &marker, &format!("writer {w}\n{marker}")).await
            }));
        }
        for t in tasks {
            let r = t.await.unwrap();
            assert!(r.is_ok(), "{n} writers: {}", r.err().map(|e| e.to_string()).unwrap_or_default());
        }
        let left: Vec<String> = comments_by(&c, BOT, issue.get(), "ci-bot").into_iter().map(|x| x.body).filter(|b| b.contains(&marker)).collect();
        assert_eq!(left.len(), 1, "{n} writers: one comment survives");
        assert!(left[0].starts_with("writer "), "{}", left[0]);
    }
}

// ---- volume: 500 failed jobs make a faithful digest -------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_failed_jobs_make_a_digest_that_counts_and_links_every_job() {
    const JOBS: usize = 500;
    let (mut c, ids) = fresh_with_jobs(JOBS, 8).await;
    let out = c.tick().await;
    let analysed = out.workflows["nightly.yml"].as_ref().unwrap();
    assert_eq!((analysed.outputs.failure_count, analysed.outputs.new_failure_count), (JOBS, JOBS));
    assert_eq!(out.summary.as_ref().unwrap().outputs.failure_count, JOBS, "the summary counts what was processed");

    let bodies = nightly_comments(&c);
    assert!(bodies.len() <= ci_report::workflow_comment::MAX_PARTS, "{} parts", bodies.len());
    for b in &bodies {
        assert!(b.chars().count() <= ci_report::SAFE_BODY_CHARS, "{} chars", b.chars().count());
    }
    let all = bodies.concat();
    assert!(!all.contains("omitted"), "nothing is left out");
    for id in &ids {
        assert!(all.contains(&format!("/job/{id})")), "job {id} is linked");
    }
    let rec = parse_workflow_comments("nightly.yml", bodies.iter().map(String::as_str));
    let stored: std::collections::BTreeSet<_> = rec.jobs.iter().map(|j| j.job_id).collect();
    assert_eq!(stored, ids.iter().copied().collect(), "every job's analysis is stored");
    assert!(rec.jobs.iter().all(|j| j.failure_count() == 8), "failure counts are exact");
    let daily = c.daily_issue().body.unwrap_or_default();
    assert!(daily.contains("500"), "the daily summary counts 500 red jobs");
    // The digest keeps few failures per job, but every failing test reaches
    // the tracker (issue #12): one row per test and cause, 8 per job.
    let processed: usize = rec.jobs.iter().map(|j| j.failure_count()).sum();
    assert_eq!(processed, JOBS * 8);
    let tracked = out.trackers.as_ref().unwrap().outputs.failing_tests;
    assert_eq!(tracked, Some(processed), "the tracker counts every failing test processed");

    // The next tick reads every job back: nothing to analyse, nothing to write.
    let before = c.write_requests();
    let again = c.analyze("nightly.yml").await;
    assert_eq!(again.outputs.new_failure_count, 0);
    assert_eq!(c.write_requests(), before, "converged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_url_on_250_failed_jobs_writes_what_it_promises() {
    let (c, ids) = fresh_with_jobs(250, 8).await;
    let run_url = format!("https://github.com/{TARGET}/actions/runs/{}", ids[0].get() / 100);
    let out = ci_monitor::actions::analyze_url::run(&c.ctx().await, &run_url, ci_monitor::action::UrlOutput::Issue).await.unwrap();
    assert_eq!(out.outputs.failure_count, 250);
    let number = out.outputs.issue.expect("the [Analyze] issue").number.get();
    let issue = c.server.state().issues(BOT).into_iter().find(|i| i.number == number).unwrap();
    let body = issue.body.unwrap_or_default();
    assert!(body.chars().count() <= ci_report::SAFE_BODY_CHARS);
    assert!(!body.contains("comments below"), "it promises no comment");
    assert!(c.server.state().comments(BOT, number).is_empty(), "and writes none");
    for id in &ids {
        assert!(body.contains(&format!("/job/{id})")), "job {id} is in the body, as a block or a link");
    }
    assert!(!body.contains("not listed"), "every job is listed");
}

/// A report larger than one run's write budget (5,000 jobs need 76 digest
/// comments against the default budget of 60) is finished by the next runs:
/// each run stops at its budget with an error, none rewrites what an earlier
/// one already wrote, and the report converges with every job once.
/// Scaled down (500 jobs, 11 parts, a budget of 4 writes) to the same path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_larger_than_the_write_budget_is_finished_by_the_next_runs() {
    larger_than_the_budget(500, 4).await;
}

/// The full size: 5,000 jobs against the default budget of 60 writes
/// (`cargo test -p ci-monitor --test integrity -- --ignored five_thousand`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "5,000 jobs: minutes in a debug build"]
async fn five_thousand_jobs_with_the_default_budget() {
    larger_than_the_budget(5_000, 60).await;
}

async fn larger_than_the_budget(jobs: usize, budget: u32) {
    let (mut c, ids) = fresh_with_jobs(jobs, 8).await;
    c.write_budget = budget;
    let mut runs = 0;
    let mut writes_per_run = Vec::new();
    loop {
        runs += 1;
        assert!(runs <= 8, "converges within 8 runs of {budget} writes ({writes_per_run:?})");
        // Runs are an hour apart: a new rate-limit window each.
        c.server.state().set_rate_limit_remaining(5000);
        let before = c.write_requests();
        let r = ci_monitor::actions::analyze_workflow::run(&c.ctx().await, "nightly.yml").await;
        writes_per_run.push(c.write_requests() - before);
        if let Err(e) = &r {
            let msg = format!("{e:#}");
            assert!(msg.contains("budget"), "a cut run says why: {msg}");
            assert!(!msg.contains('\n'), "in one line: {msg}");
        } else {
            break;
        }
    }
    let bodies = nightly_comments(&c);
    let all = bodies.concat();
    for id in &ids {
        assert!(all.contains(&format!("/job/{id})")), "job {id} is linked");
    }
    let rec = parse_workflow_comments("nightly.yml", bodies.iter().map(String::as_str));
    let stored: Vec<_> = rec.jobs.iter().map(|j| j.job_id).collect();
    let unique: std::collections::BTreeSet<_> = stored.iter().copied().collect();
    assert_eq!(stored.len(), unique.len(), "each job stored once");
    assert_eq!(unique, ids.iter().copied().collect(), "every job's analysis is stored");
    eprintln!("runs {runs}, writes per run {writes_per_run:?}, {} parts", bodies.len());
    assert!(runs <= bodies.len().div_ceil(budget as usize) + 1, "no run rewrote what an earlier one wrote ({writes_per_run:?})");
    let before = c.write_requests();
    c.write_budget = 100;
    let again = c.analyze("nightly.yml").await;
    assert_eq!(again.outputs.new_failure_count, 0);
    assert_eq!(c.write_requests(), before, "converged");
}

// ---- the rate limit runs low: jobs wait, none is lost ------------------

/// When GitHub's rate limit runs low in the middle of the log downloads,
/// the jobs not yet read are left for the next run: not stored as
/// "analysis failed", not marked processed, and said in one warning. The
/// run keeps enough requests to write what it read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_running_low_defers_jobs_and_loses_none() {
    const JOBS: usize = 40;
    let (c, ids) = fresh_with_jobs(JOBS, 3).await;
    // Enough for the run's reads before the downloads and about 15 logs.
    c.server.state().set_rate_limit_remaining(ci_monitor::services::triage::RATE_RESERVE + 25);
    let first = c.analyze("nightly.yml").await;
    let stored_after = |c: &TestCtx| -> std::collections::BTreeSet<ci_model::JobId> {
        let bodies = nightly_comments(c);
        parse_workflow_comments("nightly.yml", bodies.iter().map(String::as_str)).jobs.iter().map(|j| j.job_id).collect()
    };
    let read = first.outputs.new_failure_count;
    eprintln!("first run: {read} of {JOBS} logs read, warning: {:?}", first.warnings);
    assert!(read > 0 && read < JOBS, "some logs read, some deferred ({read} of {JOBS})");
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    assert!(first.warnings[0].starts_with(&format!("{} failed job(s) not analysed in this run", JOBS - read)), "{}", first.warnings[0]);
    assert_eq!(stored_after(&c).len(), read, "what was read is written");
    let all = nightly_comments(&c).concat();
    assert!(!all.contains("analysis failed") && !all.contains("rate limit"), "no job is stored as failed");

    // The window resets: the next run reads the rest, and only the rest.
    c.server.state().set_rate_limit_remaining(5000);
    let second = c.analyze("nightly.yml").await;
    assert_eq!(second.outputs.new_failure_count, JOBS - read, "the deferred jobs, once each");
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    assert_eq!(stored_after(&c), ids.iter().copied().collect(), "every job stored");
}

/// Upserts keep working past the first page of comments (100). The list is
/// read with conditional requests: once page 1 has not changed it comes back
/// as a 304, with no `Link` header, and the client used to stop there, so
/// the 101st comment was never found and its upsert created it 24 times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserts_find_their_comment_past_the_first_page() {
    let mut c = TestCtx::new().await;
    c.write_budget = 1000;
    let bot: RepoRef = BOT.parse().unwrap();
    let (ctx, gh) = c.ctx_and_client().await;
    ci_monitor::tick::tick(&ctx).await.unwrap();
    let issue = IssueNumber(c.daily_issue().number);
    for k in 0..105 {
        let marker = format!("<!-- ci-bot:page-test {k} -->");
        let r = gh.upsert_comment_by_marker(&bot, issue, &marker, &format!("body {k}\n{marker}")).await;
        assert!(r.is_ok(), "comment {k}: {}", r.err().map(|e| e.to_string()).unwrap_or_default());
    }
    let n = comments_by(&c, BOT, issue.get(), "ci-bot").into_iter().filter(|x| x.body.contains("page-test")).count();
    assert_eq!(n, 105, "one comment per marker");
    let listed = gh.list_comments(&bot, issue, None).await.unwrap();
    assert_eq!(listed.iter().filter(|x| x.body.contains("page-test")).count(), 105, "a listing after a 304 has every page");
}

// ---- a tracker write that stops halfway ---------------------------------

/// The tracker's state as the bot would read it now: its body plus its own
/// archive comments.
fn tracker_state_now(c: &TestCtx, number: u64) -> ci_report::tracker::TrackerState {
    let issue = c.server.state().issues(TARGET).into_iter().find(|i| i.number == number).unwrap();
    let comments: Vec<String> = comments_by(c, TARGET, number, "ci-bot").into_iter().map(|x| x.body).collect();
    ci_report::tracker::parse_tracker(issue.body.as_deref().unwrap(), comments.iter().map(String::as_str), "nightly.yml").unwrap().state
}

fn archive_markers(c: &TestCtx, number: u64) -> Vec<ci_report::tracker::ArchiveMarker> {
    comments_by(c, TARGET, number, "ci-bot").iter().filter_map(|x| ci_report::tracker::parse_archive_marker(&x.body)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_update_that_stops_halfway_loses_no_history() {
    use ci_report::tracker::{render_tracker, TrackerConfig};
    use fake_github::{FaultKind, FaultRule};
    let mut c = TestCtx::new().await;
    c.fail_job("nightly.yml", "unit-tests", PYTEST_LOG);
    c.tick().await;
    let number = c.server.state().issues(TARGET).into_iter().find(|i| i.title.contains("Nightly") && i.user == "ci-bot").unwrap().number;

    // A tracker with months of history: 300 quiet tests seen last week in
    // the body and its archive, and test_ttl, broken since December, quiet
    // since, oldest of all, so it sits at the end of the archive.
    let mut state = tracker_state_now(&c, number);
    assert_eq!(state.entries.len(), 1);
    let (ttl_key, ttl) = state.entries.iter().next().map(|(k, e)| (k.clone(), e.clone())).unwrap();
    let day = |d: i64| c.now.date_naive() - chrono::Duration::days(d);
    let broken_since = day(45);
    for i in 0..300 {
        let mut e = ttl.clone();
        e.test_function = format!("test_quiet_{i:03}");
        e.error = format!("AssertionError: expected {i} rows in the cache after the refresh of shard {i}, found none");
        e.fingerprint = format!("{i:016x}");
        e.first_seen = day(20);
        e.last_seen = day(5 + (i % 4) as i64);
        state.entries.insert(format!("tests/integration/test_quiet.py::test_quiet_{i:03}"), e);
    }
    let t = state.entries.get_mut(&ttl_key).unwrap();
    (t.first_seen, t.last_seen) = (broken_since, day(25));
    let cfg = TrackerConfig::new("nightly.yml", "Nightly", "test-bot");
    let doc = render_tracker(&state, &cfg, c.now);
    assert!(doc.archive.len() >= 2, "the history spills into archive comments");
    assert!(doc.archive.last().unwrap().contains("test_ttl") && !doc.body.contains("test_ttl\""), "test_ttl is archived");
    let (_, client) = c.ctx_and_client().await;
    let target: RepoRef = TARGET.parse().unwrap();
    let update = ci_github::IssueUpdate { body: Some(doc.issue_body("nightly.yml")), ..Default::default() };
    client.update_issue(&target, IssueNumber(number), &update).await.unwrap();
    for part in &doc.archive {
        client.create_comment(&target, IssueNumber(number), part).await.unwrap();
    }
    assert_eq!(tracker_state_now(&c, number).entries.len(), 301);

    // test_ttl fails again: it moves from the archive to the body. The body
    // write fails, after the archive comments were written.
    c.advance(1);
    c.fail_job("nightly.yml", "unit-tests", PYTEST_LOG);
    let body_path = format!("/repos/{TARGET}/issues/{number}");
    let fault = c.server.faults().add(FaultRule::new("PATCH", &body_path, FaultKind::Status { status: 500 }));
    let out = c.tick().await;
    assert_eq!(out.trackers.unwrap().warnings.len(), 1, "the tracker was not updated");
    let after = tracker_state_now(&c, number);
    assert_eq!(after.entries.len(), 301, "nothing is lost");
    assert_eq!(after.entries[&ttl_key].first_seen, broken_since, "test_ttl keeps its history");

    // The next tick completes the update; only its archive is left.
    c.server.faults().remove(fault);
    c.advance(1);
    let out = c.tick().await;
    assert!(out.trackers.unwrap().warnings.is_empty());
    let after = tracker_state_now(&c, number);
    assert_eq!(after.entries.len(), 301);
    let e = &after.entries[&ttl_key];
    assert_eq!((e.first_seen, e.last_seen), (broken_since, c.now.date_naive()), "failing again, broken since December");
    let markers = archive_markers(&c, number);
    assert!(!markers.is_empty() && markers.iter().all(|m| m.gen == after.archive_gen && m.total == markers.len()), "{markers:?}");

    // A new failure moves a quiet test out of the body: a new archive. The
    // old one's deletions fail after the body named the new one.
    c.advance(1);
    c.fail_job("nightly.yml", "gpu-tests", OOM_LOG);
    let gen_before = after.archive_gen;
    let fault = c.server.faults().add(FaultRule::new("DELETE", &format!("/repos/{TARGET}/issues/comments/*"), FaultKind::Status { status: 500 }));
    let out = c.tick().await;
    assert_eq!(out.trackers.unwrap().warnings.len(), 1, "the clean-up failed");
    let after = tracker_state_now(&c, number);
    assert!(after.archive_gen > gen_before, "the body names the new archive");
    assert_eq!(after.entries.len(), 302, "the old archive is not read twice, nothing is lost");
    c.server.faults().remove(fault);
    c.advance(1);
    c.tick().await;
    let after = tracker_state_now(&c, number);
    assert_eq!(after.entries.len(), 302);
    let markers = archive_markers(&c, number);
    assert!(markers.iter().all(|m| m.gen == after.archive_gen && m.total == markers.len()), "the old archive is gone: {markers:?}");
}
