//! `ci-bot host` as a process: a real SIGTERM while the dispatch is on the
//! wire lets it finish and exit 0 with the slot recorded; the restarted
//! process does not dispatch again. Logs are JSON lines.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, FaultKind, FaultRule, Scenario};

const SCENARIO: &str = r#"
repos:
  - name: acme/bot
    workflows:
      - { id: 101, name: CI monitor, path: .github/workflows/ci-monitor.yml }
"#;

fn spawn_host(api: &str, state: &Path, token_file: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ci-bot"))
        .args(["host", "--log-format", "json"])
        .env_clear()
        .env("GITHUB_API_URL", api)
        .env("CI_BOT_HOST_REPO", "acme/bot")
        .env("CI_BOT_HOST_JITTER_SECS", "0")
        .env("CI_BOT_HOST_STATE_DIR", state)
        .env("CI_BOT_HOST_TOKEN_FILE", token_file)
        .env("CI_BOT_HOST_HEALTH_ADDR", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ci-bot host starts")
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs").success();
    assert!(ok, "kill -TERM failed");
}

/// Wait for exit; the status and stderr.
fn wait(mut child: Child, within: Duration) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status, err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ci-bot host did not exit within {within:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn scratch_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("ci-bot-host-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_dispatch_finishes_it_and_a_restart_does_not_repeat_it() {
    // Both runs must fall in one 30-minute slot: stay clear of a boundary.
    let into_slot = chrono::Utc::now().timestamp() % 1800;
    if !(5..1780).contains(&into_slot) {
        tokio::time::sleep(Duration::from_secs(25)).await;
    }
    let server = FakeGitHub::start(Scenario::from_yaml_str(SCENARIO).unwrap()).await.unwrap();
    server.faults().add(FaultRule::new("POST", "/repos/*/actions/workflows/*/dispatches", FaultKind::Delay { ms: 2000 }).times(1));
    let dir = scratch_dir();
    let token = dir.join("token");
    std::fs::write(&token, "ghp_bot_token\n").unwrap();
    let state = dir.join("state");
    let posts = || server.state().request_count("POST", "/dispatches");

    let host = spawn_host(server.url(), &state, &token);
    until("the dispatch to be on the wire", || posts() == 1).await;
    assert!(server.state().dispatches().is_empty(), "still in flight");
    sigterm(&host);
    let (status, logs) = tokio::task::spawn_blocking(move || wait(host, Duration::from_secs(30))).await.unwrap();
    assert!(status.success(), "exit {status}: {logs}");
    assert_eq!(server.state().dispatches().len(), 1, "the dispatch in flight completed");

    // JSON lines, one object each, saying what happened.
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"].as_str().unwrap_or_default().contains("finishing the current step")), "{logs}");
    assert!(lines.iter().any(|l| l["outcome"] == "done" && l["task"] == "monitor-dispatch"), "{logs}");
    assert!(!logs.contains("ghp_bot_token"), "the token is never logged");

    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(state.join("host-state.json")).unwrap()).unwrap();
    let task = &file["tasks"]["monitor-dispatch"];
    assert!(task["last_done_slot"].is_i64(), "{file}");
    assert!(task["journal"].is_null(), "nothing left in doubt: {file}");

    // Restarted (as `restart: unless-stopped` would): the slot is done.
    let again = spawn_host(server.url(), &state, &token);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(posts(), 1, "no duplicate dispatch after the restart");
    sigterm(&again);
    let (status, logs) = tokio::task::spawn_blocking(move || wait(again, Duration::from_secs(30))).await.unwrap();
    assert!(status.success(), "exit {status}: {logs}");
    assert_eq!(server.state().dispatches().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_settings_fail_at_start_with_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_ci-bot"))
        .args(["host"])
        .env_clear()
        .env("CI_BOT_HOST_REPO", "acme/bot")
        .env("CI_BOT_HOST_INTERVAL_SECS", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CI_BOT_HOST_"), "{err}");
}

const WATCH_SCENARIO: &str = r#"
settings:
  login: ci-bot
  tokens:
    ghp_bot_token: ci-bot
    alice-token: alice
repos:
  - name: acme/bot
    workflows:
      - { id: 101, name: CI monitor, path: .github/workflows/ci-monitor.yml }
  - name: acme/app
    collaborators:
      - { login: alice, permission: write }
    pulls:
      - { number: 7, title: Add widget, user: alice, head_sha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_also_watches_pr_comments_and_answers_a_command_once() {
    let server = FakeGitHub::start(Scenario::from_yaml_str(WATCH_SCENARIO).unwrap()).await.unwrap();
    // Not scratch_dir(): the other test of this binary clears that one.
    let dir = std::env::temp_dir().join(format!("ci-bot-host-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("token");
    std::fs::write(&token, "ghp_bot_token\n").unwrap();
    let config = dir.join("ci-bot.yml");
    std::fs::write(&config, "commands:\n  mention: ci-bot\n  allow: { users: [alice] }\n").unwrap();
    let alice = ci_github::Client::builder().api_url(server.url()).token("alice-token").build().await.unwrap();
    use ci_github::GitHub;
    let app: ci_github::RepoRef = "acme/app".parse().unwrap();
    alice.create_comment(&app, ci_github::IssueNumber(7), "@ci-bot help").await.unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ci-bot"));
    cmd.args(["host", "--log-format", "json"])
        .env_clear()
        .env("GITHUB_API_URL", server.url())
        .env("CI_BOT_HOST_REPO", "acme/bot")
        .env("CI_BOT_HOST_STATE_DIR", dir.join("state"))
        .env("CI_BOT_HOST_TOKEN_FILE", &token)
        .env("CI_BOT_HOST_HEALTH_ADDR", "127.0.0.1:0")
        .env("CI_BOT_HOST_JITTER_SECS", "0")
        .env("CI_BOT_HOST_WATCH_REPO", "acme/app")
        .env("CI_BOT_HOST_WATCH_EVERY_SECS", "10")
        .env("CI_BOT_HOST_WATCH_CONFIG", &config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let host = cmd.spawn().expect("ci-bot host starts");
    let replies = || {
        server
            .state()
            .with_repo("acme/app", |r| r.comments.values().filter(|c| c.user == "ci-bot").count())
            .unwrap_or_default()
    };
    // Both tasks' first ticks are due at once; stop only after both acted.
    until("the bot's reply to @ci-bot help and the dispatch", || replies() == 1 && server.state().dispatches().len() == 1).await;
    sigterm(&host);
    let (status, logs) = tokio::task::spawn_blocking(move || wait(host, Duration::from_secs(30))).await.unwrap();
    assert!(status.success(), "exit {status}: {logs}");
    assert_eq!(replies(), 1, "answered once");
    let lines: Vec<serde_json::Value> = logs.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(lines.iter().any(|l| l["task"] == "comment-watch" && l["outcome"] == "done"), "{logs}");
    assert!(lines.iter().any(|l| l["task"] == "monitor-dispatch" && l["outcome"] == "done"), "{logs}");
    assert!(!logs.contains("ghp_bot_token"), "the token is never logged");
    let _ = std::fs::remove_dir_all(&dir);
}
