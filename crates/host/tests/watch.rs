//! The host's PR-comment watcher against the fake GitHub: two hosts polling
//! the same repository on a hand-turned clock act on a command exactly once,
//! ignore strangers, and pick up a new command on the next slot, updating
//! the same status comment in place.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ci_github::{Client, GitHub, IssueNumber, RepoRef};
use ci_host::{Clock, CommentWatch, Host, ManualClock, Schedule, Store};
use common::Running;
use fake_github::{FakeGitHub, Scenario};

const TARGET: &str = "acme/app";

fn scenario() -> Scenario {
    let head = format!("{:a<40}", "");
    let base = format!("{:b<40}", "");
    Scenario::from_yaml_str(&format!(
        r#"
settings:
  login: ci-bot
  tokens:
    bot-token: ci-bot
    alice-token: alice
    mallory-token: mallory
repos:
  - name: {TARGET}
    collaborators:
      - {{ login: alice, permission: write }}
    commits:
      - {{ sha: {base}, message: base }}
    pulls:
      - number: 7
        title: Add widget
        user: alice
        head_ref: feature/x
        head_sha: {head}
        base_ref: main
        base_sha: {base}
        merge_base_sha: {base}
"#
    ))
    .expect("scenario")
}

const CONFIG: &str = "commands:\n  mention: ci-bot\n  allow: { users: [alice] }\n";

struct World {
    server: FakeGitHub,
    clock: ManualClock,
    config: tempfile::NamedTempFile,
    schedule: Schedule,
    dirs: Vec<tempfile::TempDir>,
}

impl World {
    async fn new() -> World {
        let server = FakeGitHub::start(scenario()).await.unwrap();
        let config = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(config.path(), CONFIG).unwrap();
        let mut schedule = Schedule::every(Duration::from_secs(60), Duration::ZERO);
        schedule.backoff_base = Duration::from_secs(10);
        World { server, clock: ManualClock::new(Utc::now()), config, schedule, dirs: Vec::new() }
    }

    fn client(&self, token: &str) -> impl std::future::Future<Output = ci_github::Result<Client>> {
        Client::builder().api_url(self.server.url().to_string()).token(token).build()
    }

    /// A host with only the watcher, on its own state directory (kept
    /// until the test ends).
    fn start_host(&mut self) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let url = self.server.url().to_string();
        let mut host = Host::new(Arc::new(self.clock.clone()), Store::open(dir.path()).unwrap());
        host.add(CommentWatch {
            repo: TARGET.into(),
            config: Some(self.config.path().to_path_buf()),
            schedule: self.schedule.clone(),
            client: Arc::new(move || {
                let url = url.clone();
                Box::pin(async move {
                    // The upsert's settle delay (5 s in production) only slows a test.
                    Client::builder()
                        .api_url(url)
                        .token("bot-token")
                        .configure(|c| c.settle_delay = Duration::from_millis(50))
                        .build()
                        .await
                })
            }),
        });
        self.dirs.push(dir);
        Running::start(host, "comment-watch")
    }

    async fn comment(&self, login: &str, body: &str) -> u64 {
        let c = self.client(&format!("{login}-token")).await.unwrap();
        c.create_comment(&TARGET.parse::<RepoRef>().unwrap(), IssueNumber(7), body).await.unwrap().id.0
    }

    fn bodies(&self) -> Vec<String> {
        self.server.state().with_repo(TARGET, |r| r.comments.values().map(|c| c.body.clone()).collect()).unwrap()
    }

    fn status_comments(&self) -> Vec<(u64, String)> {
        self.server
            .state()
            .with_repo(TARGET, |r| {
                r.comments
                    .iter()
                    .filter(|(_, c)| c.body.contains("<!-- ci-bot:ci-status "))
                    .map(|(id, c)| (*id, c.body.clone()))
                    .collect()
            })
            .unwrap()
    }

    fn reactions(&self, id: u64) -> Vec<String> {
        self.server
            .state()
            .with_repo(TARGET, |r| {
                r.comments.get(&id).map(|c| c.reactions.iter().map(|x| format!("{}:{}", x.user, x.content)).collect()).unwrap_or_default()
            })
            .unwrap()
    }
}

fn slot(w: &World) -> i64 {
    w.schedule.slot_at(w.clock.now())
}

fn advance_to_next_slot(w: &World) -> DateTime<Utc> {
    let next = w.schedule.slot_start(slot(w) + 1);
    w.clock.set(next);
    next
}

#[tokio::test]
async fn two_hosts_act_on_a_command_once_and_a_new_command_updates_the_same_comment() {
    let mut w = World::new().await;
    let first = w.comment("alice", "Is this red mine?\n@ci-bot ci-status").await;
    let stranger = w.comment("mallory", "@ci-bot ci-status").await;

    let (a, b) = (w.start_host(), w.start_host());
    let s = slot(&w);
    a.until("host a's first pass", |v| v["last_done_slot"] == s).await;
    b.until("host b's first pass", |v| v["last_done_slot"] == s).await;

    assert_eq!(w.reactions(first), vec!["ci-bot:rocket".to_string()], "claimed once, by the bot");
    assert!(w.reactions(stranger).is_empty(), "a stranger's command is not claimed");
    let status = w.status_comments();
    assert_eq!(status.len(), 1, "one ci-status comment: {:?}", w.bodies());
    let (status_id, first_body) = status[0].clone();
    assert_eq!(w.bodies().len(), 3, "no reply to the stranger: {:?}", w.bodies());
    let logged: Vec<String> = [a.task(), b.task()].iter().map(|t| t["last_result"].as_str().unwrap_or_default().to_string()).collect();
    assert!(logged.iter().any(|l| l.contains("1 claimed")), "{logged:?}");
    assert!(logged.iter().all(|l| l.contains("2 seen")), "{logged:?}");

    // The next slot: both see the old comment again, lose its claim (the
    // reaction exists: GitHub answers 200) and post or edit nothing.
    let comments = w.bodies().len();
    let edits = w.server.state().request_count("PATCH", "/");
    advance_to_next_slot(&w);
    a.until("host a's second pass", |v| v["last_done_slot"] == s + 1).await;
    b.until("host b's second pass", |v| v["last_done_slot"] == s + 1).await;
    assert_eq!(w.bodies().len(), comments, "no comment posted");
    assert_eq!(w.server.state().request_count("PATCH", "/"), edits, "nothing edited");
    assert_eq!(w.reactions(first), vec!["ci-bot:rocket".to_string()], "still one claim");
    for t in [a.task(), b.task()] {
        assert!(t["last_result"].as_str().unwrap_or_default().contains("0 claimed"), "{t}");
    }

    // A new command: one more claim, the same status comment updated in place.
    let second = w.comment("alice", "@ci-bot ci-status").await;
    advance_to_next_slot(&w);
    a.until("host a's third pass", |v| v["last_done_slot"] == s + 2).await;
    b.until("host b's third pass", |v| v["last_done_slot"] == s + 2).await;
    assert_eq!(w.reactions(second), vec!["ci-bot:rocket".to_string()]);
    let status = w.status_comments();
    assert_eq!(status.len(), 1, "still one ci-status comment");
    assert_eq!(status[0].0, status_id, "updated in place");
    assert!(!first_body.is_empty());

    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_missing_config_file_is_a_failed_tick_with_one_line_and_nothing_written() {
    let mut w = World::new().await;
    let _ = w.comment("alice", "@ci-bot ci-status").await;
    let path = w.config.path().to_path_buf();
    std::fs::remove_file(&path).unwrap();
    let host = w.start_host();
    let v = host.until("a failed pass", |v| v["consecutive_failures"] == 1).await;
    let err = v["last_error"].as_str().unwrap_or_default();
    assert!(err.contains("no such file") && err.contains(&path.display().to_string()) && !err.contains('\n'), "{err}");
    host.stop().await;
    assert_eq!(w.server.state().request_count("POST", "/"), 1, "only the test's own comment");
}

#[tokio::test]
async fn a_command_whose_lookups_keep_failing_is_served_once_they_work() {
    let mut w = World::new().await;
    let id = w.comment("alice", "@ci-bot ci-status").await;
    let fault = w.server.faults().add(fake_github::FaultRule::new("GET", "/repos/*/pulls/7", fake_github::FaultKind::Status { status: 403 }));
    let host = w.start_host();
    let s = slot(&w);
    host.until("the first pass", |v| v["last_done_slot"] == s).await;
    // Two passes, five minutes apart, that cannot look the pull request up.
    // The window used to move on from each pass's start, so by the third
    // the comment was behind it: never answered, never retried.
    w.clock.set(w.schedule.slot_start(s + 5));
    host.until("the second pass", |v| v["last_done_slot"] == s + 5).await;
    assert!(w.reactions(id).is_empty(), "not claimed while the lookups fail");
    w.server.faults().remove(fault);
    w.clock.set(w.schedule.slot_start(s + 10));
    host.until("the third pass", |v| v["last_done_slot"] == s + 10).await;
    assert_eq!(w.reactions(id), vec!["ci-bot:rocket".to_string()], "{}", host.task());
    assert_eq!(w.status_comments().len(), 1);
    host.stop().await;
}
