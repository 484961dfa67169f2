//! The host: runs every [`PeriodicTask`] on its schedule until shutdown,
//! and keeps the state file and the health view up to date.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::clock::Clock;
use crate::schedule::{Schedule, TaskState};
use crate::store::Store;
use crate::task::{PeriodicTask, TickContext, TickOutcome};

/// Asks a running host to stop: no new tick starts, ticks in flight finish.
#[derive(Clone)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Request shutdown (idempotent).
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

/// Runs tasks. Build it, [`Host::add`] tasks, then [`Host::run`].
pub struct Host {
    clock: Arc<dyn Clock>,
    store: Store,
    tasks: Vec<Arc<dyn PeriodicTask>>,
    stop: Arc<watch::Sender<bool>>,
    health: HealthView,
}

/// A read-only view of the host for `/healthz`.
#[derive(Clone)]
pub struct HealthView {
    clock: Arc<dyn Clock>,
    store: Store,
    next: Arc<Mutex<BTreeMap<String, DateTime<Utc>>>>,
    in_tick: Arc<Mutex<BTreeMap<String, bool>>>,
    stop: watch::Receiver<bool>,
}

impl HealthView {
    /// `200` while no breaker is open, else `503`; the body names, per
    /// task, the last successful tick and the next one.
    pub fn report(&self) -> (StatusCode, Value) {
        let now = self.clock.now();
        let next = self.next.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let in_tick = self.in_tick.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let states = self.store.all();
        let mut tasks = serde_json::Map::new();
        let mut open = false;
        let mut failing = false;
        for name in next.keys().chain(states.keys()).collect::<std::collections::BTreeSet<_>>() {
            let s = states.get(name).cloned().unwrap_or_default();
            let breaker = s.breaker(now);
            open |= breaker == "open";
            failing |= s.consecutive_failures > 0;
            tasks.insert(
                name.clone(),
                json!({
                    "last_success": s.last_success,
                    "next_tick": next.get(name),
                    "in_tick": in_tick.get(name).copied().unwrap_or(false),
                    "last_result": s.last_result,
                    "last_error": s.last_error,
                    "consecutive_failures": s.consecutive_failures,
                    "breaker": breaker,
                    "last_done_slot": s.last_done_slot,
                }),
            );
        }
        let stopping = *self.stop.borrow();
        let status = match (stopping, open, failing) {
            (true, _, _) => "stopping",
            (_, true, _) => "breaker-open",
            (_, _, true) => "degraded",
            _ => "ok",
        };
        let code = if open || stopping { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
        (code, json!({"status": status, "now": now, "tasks": tasks}))
    }
}

impl Host {
    /// A host on `clock`, remembering state in `store`.
    pub fn new(clock: Arc<dyn Clock>, store: Store) -> Host {
        let stop = Arc::new(watch::Sender::new(false));
        let health = HealthView {
            clock: clock.clone(),
            store: store.clone(),
            next: Arc::default(),
            in_tick: Arc::default(),
            stop: stop.subscribe(),
        };
        Host { clock, store, tasks: Vec::new(), stop, health }
    }

    /// Add a task (before [`Host::run`]).
    pub fn add(&mut self, task: impl PeriodicTask) -> &mut Self {
        self.tasks.push(Arc::new(task));
        self
    }

    /// The handle SIGTERM triggers.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.stop.clone())
    }

    /// What `/healthz` serves.
    pub fn health(&self) -> HealthView {
        self.health.clone()
    }

    /// Run until shutdown is requested and every tick in flight has ended.
    pub async fn run(self) {
        let mut joins = Vec::new();
        for task in self.tasks {
            let (clock, store, health, stop) = (self.clock.clone(), self.store.clone(), self.health.clone(), self.stop.subscribe());
            joins.push(tokio::spawn(run_task(task, clock, store, health, stop)));
        }
        for j in joins {
            if let Err(e) = j.await {
                tracing::error!(error = %e, "task loop ended abnormally");
            }
        }
        tracing::info!("host stopped");
    }
}

async fn run_task(
    task: Arc<dyn PeriodicTask>,
    clock: Arc<dyn Clock>,
    store: Store,
    health: HealthView,
    mut stop: watch::Receiver<bool>,
) {
    let name = task.name().to_string();
    let schedule = task.schedule();
    loop {
        if *stop.borrow() {
            break;
        }
        let state = store.get(&name);
        let plan = state.plan(&schedule, &name, clock.now());
        health.next.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), plan.at);
        tracing::debug!(task = %name, slot = plan.slot, at = %plan.at, "next tick");
        tokio::select! {
            _ = clock.sleep_until(plan.at) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
        let mut ctx = TickContext {
            task: name.clone(),
            slot: plan.slot,
            now: clock.now(),
            journal: state.journal.clone(),
            store: store.clone(),
            stopping: stop.clone(),
        };
        health.in_tick.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), true);
        // Not raced against shutdown: a tick always runs to its end.
        let outcome = task.tick(&mut ctx).await;
        health.in_tick.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), false);
        let ended = clock.now();
        let mut opened = None;
        let saved = store.update(&name, |s| opened = apply(s, &schedule, plan.slot, &outcome, ended));
        match &outcome {
            TickOutcome::Done(note) => tracing::info!(task = %name, slot = plan.slot, outcome = "done", "{note}"),
            TickOutcome::Interrupted(note) => tracing::info!(task = %name, slot = plan.slot, outcome = "interrupted", "{note}"),
            TickOutcome::Failed(err) => {
                let s = store.get(&name);
                tracing::warn!(task = %name, slot = plan.slot, outcome = "failed", failures = s.consecutive_failures, "{err}")
            }
        }
        if let Some(until) = opened {
            tracing::error!(task = %name, until = %until, "circuit breaker open: too many failures in a row; pausing this task");
        }
        if let Err(e) = saved {
            // The in-memory state moved on, so this process will not repeat
            // the tick; a restart might. Loud, but keep serving.
            tracing::error!(task = %name, error = %e, "could not write the state file");
        }
    }
}

/// Fold a tick's outcome into the task's state; returns when the breaker
/// opened, if it did now.
fn apply(s: &mut TaskState, sched: &Schedule, slot: i64, outcome: &TickOutcome, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    s.last_attempt = Some(at);
    match outcome {
        TickOutcome::Done(note) => {
            s.last_done_slot = Some(slot);
            s.last_result = Some(note.clone());
            s.last_success = Some(at);
            s.consecutive_failures = 0;
            s.last_error = None;
            s.breaker_open_until = None;
            None
        }
        TickOutcome::Failed(e) => {
            s.consecutive_failures += 1;
            s.last_error = Some(e.clone());
            if s.consecutive_failures >= sched.breaker_threshold.max(1) {
                let until = at + chrono::Duration::from_std(sched.breaker_cooldown).unwrap_or_default();
                s.breaker_open_until = Some(until);
                Some(until)
            } else {
                None
            }
        }
        TickOutcome::Interrupted(_) => None,
    }
}

/// Serve `GET /healthz` on `listener` until `until` completes (the host
/// keeps answering, `"stopping"`, while its last ticks finish).
pub async fn serve_health(
    listener: tokio::net::TcpListener,
    view: HealthView,
    until: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/healthz",
        axum::routing::get(move || {
            let view = view.clone();
            async move {
                let (code, body) = view.report();
                (code, axum::Json(body))
            }
        }),
    );
    axum::serve(listener, app).with_graceful_shutdown(until).await
}

/// `GET /healthz` on `addr` (an unspecified IP means this machine): `Ok`
/// on 200. What the container's HEALTHCHECK runs (`ci-bot host --probe`).
pub async fn probe(addr: &str) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr: std::net::SocketAddr = addr.parse().map_err(|e| std::io::Error::other(format!("{addr}: {e}")))?;
    let addr = if addr.ip().is_unspecified() { std::net::SocketAddr::from(([127, 0, 0, 1], addr.port())) } else { addr };
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n").await?;
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).await?;
        Ok::<_, std::io::Error>(reply)
    };
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), exchange)
        .await
        .map_err(|_| std::io::Error::other("health check timed out"))??;
    let status_line = String::from_utf8_lossy(&reply).lines().next().unwrap_or_default().to_string();
    if status_line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("unhealthy: {status_line}")))
    }
}
