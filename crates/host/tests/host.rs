//! The host's monitor schedule against the fake GitHub, on a clock the test
//! turns by hand: ticks on schedule, backoff after injected 5xx, the circuit
//! breaker, and a shutdown mid-tick that neither cuts the dispatch nor lets
//! a restart repeat it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ci_github::Client;
use ci_host::{serve_health, Clock, Host, ManualClock, MonitorDispatch, Schedule, Store};
use common::Running;
use fake_github::{FakeGitHub, FaultKind, FaultRule, Scenario};
use serde_json::Value;

const SCENARIO: &str = r#"
repos:
  - name: acme/bot
    workflows:
      - { id: 101, name: CI monitor, path: .github/workflows/ci-monitor.yml }
"#;
const DISPATCH_PATH: &str = "/repos/*/actions/workflows/*/dispatches";

struct Ctx {
    server: FakeGitHub,
    clock: ManualClock,
    dir: tempfile::TempDir,
    schedule: Schedule,
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

impl Ctx {
    async fn new(start: DateTime<Utc>, scenario: &str) -> Ctx {
        let server = FakeGitHub::start(Scenario::from_yaml_str(scenario).unwrap()).await.unwrap();
        let mut schedule = Schedule::every(Duration::from_secs(1800), Duration::from_secs(120));
        schedule.seed = 7;
        schedule.breaker_threshold = 3;
        schedule.breaker_cooldown = Duration::from_secs(600);
        Ctx { server, clock: ManualClock::new(start), dir: tempfile::tempdir().unwrap(), schedule }
    }

    fn task(&self) -> MonitorDispatch<Client> {
        let url = self.server.url().to_string();
        MonitorDispatch {
            repo: "acme/bot".parse().unwrap(),
            workflow: "ci-monitor.yml".into(),
            git_ref: "main".into(),
            inputs: serde_json::json!({}),
            schedule: self.schedule.clone(),
            client: Arc::new(move || {
                let url = url.clone();
                Box::pin(async move {
                    Client::builder()
                        .api_url(url)
                        .token("bot-token")
                        .configure(|c| {
                            c.timeout = Duration::from_secs(5);
                            c.backoff_base = Duration::from_millis(10);
                            c.max_backoff = Duration::from_millis(20);
                        })
                        .build()
                        .await
                })
            }),
        }
    }

    /// Start a host process-alike on the state directory (a restart is
    /// just another call).
    fn start(&self) -> Running {
        let mut host = Host::new(Arc::new(self.clock.clone()), Store::open(self.dir.path()).unwrap());
        host.add(self.task());
        Running::start(host, "monitor-dispatch")
    }

    fn dispatches(&self) -> usize {
        self.server.state().dispatches().len()
    }

    fn dispatch_posts(&self) -> usize {
        self.server.state().request_count("POST", "/dispatches")
    }

    fn due(&self, slot: i64) -> DateTime<Utc> {
        self.schedule.due(slot, "monitor-dispatch")
    }

    fn slot_now(&self) -> i64 {
        self.schedule.slot_at(self.clock.now())
    }

    fn state_file(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.dir.path().join("host-state.json")).unwrap()).unwrap()
    }
}

fn next_tick(v: &Value) -> DateTime<Utc> {
    v["next_tick"].as_str().unwrap().parse().unwrap()
}

/// Let the host run for a moment of real time (it must not act).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn dispatches_once_per_slot_with_jitter_and_reports_health() {
    let c = Ctx::new(t("2026-01-01T10:14:00Z"), SCENARIO).await;
    let slot = c.slot_now();
    let host = c.start();

    // The current slot is owed and overdue: one dispatch right away.
    let v = host.until("the first dispatch", |v| v["last_done_slot"] == slot).await;
    assert_eq!(c.dispatches(), 1);
    assert_eq!(next_tick(&v), c.due(slot + 1));
    let due = c.due(slot + 1);
    assert!(due >= t("2026-01-01T10:30:00Z") && due < t("2026-01-01T10:32:00Z"), "jitter inside the slot: {due}");

    // /healthz over HTTP: the last successful tick and the next one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_health(listener, host.health.clone(), std::future::pending()));
    let reply = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["tasks"]["monitor-dispatch"]["last_success"], "2026-01-01T10:14:00Z");
    assert_eq!(next_tick(&body["tasks"]["monitor-dispatch"]), due);
    ci_host::probe(&addr.to_string()).await.expect("the container's health probe passes");

    // Nothing more until the next slot is due, then exactly one more.
    c.clock.set(due - chrono::Duration::seconds(1));
    settle().await;
    assert_eq!(c.dispatches(), 1);
    c.clock.set(due);
    host.until("the second dispatch", |v| v["last_done_slot"] == slot + 1).await;
    assert_eq!(c.dispatches(), 2);

    let d = serde_json::to_value(c.server.state().dispatches()).unwrap();
    assert_eq!(d[0]["workflow_id"], 101);
    assert_eq!(d[0]["git_ref"], "main");
    host.stop().await;
}

#[tokio::test]
async fn backs_off_after_injected_5xx_and_dispatches_exactly_once() {
    let c = Ctx::new(t("2026-01-01T10:14:00Z"), SCENARIO).await;
    c.server.faults().fail_next("POST", DISPATCH_PATH, 502, 2);
    let host = c.start();
    let start = c.clock.now();

    let v = host.until("the first failure", |v| v["consecutive_failures"] == 1).await;
    assert_eq!(next_tick(&v), start + chrono::Duration::seconds(30), "first retry after 30 s");
    c.clock.advance(chrono::Duration::seconds(29));
    settle().await;
    assert_eq!(c.dispatch_posts(), 1, "no retry before the backoff ends");

    c.clock.advance(chrono::Duration::seconds(1));
    let v = host.until("the second failure", |v| v["consecutive_failures"] == 2).await;
    assert_eq!(next_tick(&v), c.clock.now() + chrono::Duration::seconds(60), "then after 60 s");
    c.clock.advance(chrono::Duration::seconds(60));
    let v = host.until("a success", |v| v["consecutive_failures"] == 0 && !v["last_success"].is_null()).await;
    assert_eq!(c.dispatches(), 1, "two refusals, one dispatch");
    assert_eq!(c.dispatch_posts(), 3);
    assert!(v["last_error"].is_null());
    // Each retry looked for a run from the earlier attempt before sending again.
    assert_eq!(c.server.state().request_count("GET", "/actions/workflows/ci-monitor.yml/runs"), 2);
    host.stop().await;
}

#[tokio::test]
async fn the_breaker_opens_after_repeated_failures_and_closes_on_success() {
    let c = Ctx::new(t("2026-01-01T10:14:00Z"), SCENARIO).await;
    c.server.faults().add(FaultRule::new("POST", DISPATCH_PATH, FaultKind::Status { status: 500 }));
    let host = c.start();
    host.until("failure 1", |v| v["consecutive_failures"] == 1).await;
    c.clock.advance(chrono::Duration::seconds(30));
    host.until("failure 2", |v| v["consecutive_failures"] == 2).await;
    c.clock.advance(chrono::Duration::seconds(60));
    let v = host.until("failure 3", |v| v["consecutive_failures"] == 3).await;
    assert_eq!(v["breaker"], "open");
    let (code, body) = host.health.report();
    assert_eq!((code.as_u16(), body["status"].as_str()), (503, Some("breaker-open")));
    let reopens = next_tick(&v);
    assert_eq!(reopens, c.clock.now() + chrono::Duration::seconds(600), "paused for the cooldown");

    c.clock.advance(chrono::Duration::seconds(300));
    settle().await;
    assert_eq!(c.dispatch_posts(), 3, "nothing is sent while the breaker is open");

    c.server.faults().clear();
    c.clock.set(reopens);
    host.until("the trial tick to succeed", |v| v["consecutive_failures"] == 0 && v["breaker"] == "closed").await;
    assert_eq!(c.dispatches(), 1);
    assert_eq!(host.health.report().0.as_u16(), 200);
    host.stop().await;
}

#[tokio::test]
async fn shutdown_mid_tick_finishes_the_dispatch_and_a_restart_does_not_repeat_it() {
    let c = Ctx::new(t("2026-01-01T10:14:00Z"), SCENARIO).await;
    let slot = c.slot_now();
    c.server.faults().add(FaultRule::new("POST", DISPATCH_PATH, FaultKind::Delay { ms: 1500 }).times(1));
    let host = c.start();
    // The dispatch is on the wire (the fake logged it, status not yet set)...
    for _ in 0..200 {
        if c.dispatch_posts() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(c.dispatch_posts(), 1);
    assert_eq!(c.dispatches(), 0, "still in flight");
    // ...when SIGTERM arrives. The tick is finished, not cut.
    host.stop.trigger();
    assert_eq!(host.health.report().1["status"], "stopping");
    tokio::time::timeout(Duration::from_secs(20), host.done).await.expect("stops after the tick").unwrap();
    assert_eq!(c.dispatches(), 1, "the dispatch completed");
    let state = c.state_file();
    assert_eq!(state["version"], 1);
    assert_eq!(state["tasks"]["monitor-dispatch"]["last_done_slot"], slot);
    assert!(state["tasks"]["monitor-dispatch"]["journal"].is_null(), "no attempt left in doubt: {state}");

    // Restart at the same moment: the slot is done, nothing is sent again.
    let again = c.start();
    let v = again.until("the restarted host to plan", |v| !v["next_tick"].is_null()).await;
    settle().await;
    assert_eq!(c.dispatch_posts(), 1, "no duplicate dispatch after restart");
    assert_eq!(next_tick(&v), c.due(slot + 1));
    c.clock.set(c.due(slot + 1));
    again.until("the next slot's dispatch", |v| v["last_done_slot"] == slot + 1).await;
    assert_eq!(c.dispatches(), 2);
    again.stop().await;
}

#[tokio::test]
async fn an_attempt_left_in_doubt_is_resolved_by_looking_not_by_resending() {
    // A run the earlier (crashed) attempt created, seconds ago.
    let scenario = format!(
        "{SCENARIO}    runs:\n      - {{ id: 9001, workflow: ci-monitor.yml, event: workflow_dispatch, status: queued, created_at: now }}\n"
    );
    let start = Utc::now();
    let c = Ctx::new(start, &scenario).await;
    let slot = c.slot_now();
    // The clock is the wall clock's now, which may fall inside the slot's
    // jitter (its first seconds, up to two minutes): the host would then wait
    // for a due time this manual clock never reaches.
    if c.clock.now() < c.due(slot) {
        c.clock.set(c.due(slot));
    }
    // What a crash between "about to dispatch" and the answer leaves behind.
    let pending = serde_json::json!({
        "version": 1,
        "tasks": {"monitor-dispatch": {"journal": {"pending": {"slot": slot, "at": start - chrono::Duration::seconds(5)}}}}
    });
    std::fs::write(c.dir.path().join("host-state.json"), serde_json::to_vec(&pending).unwrap()).unwrap();
    let host = c.start();
    let v = host.until("the slot to be settled", |v| v["last_done_slot"] == slot).await;
    assert_eq!(c.dispatch_posts(), 0, "the earlier attempt landed: not sent again");
    assert!(v["last_error"].is_null());
    assert!(c.state_file()["tasks"]["monitor-dispatch"]["journal"].is_null());
    host.stop().await;
}
