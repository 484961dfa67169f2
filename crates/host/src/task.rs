//! The one trait of this crate: a periodic task.
//!
//! The host owns everything around a tick (when, retries, the breaker,
//! shutdown, persistence, health); a task owns only what one tick does.
//! The monitor dispatch ([`crate::MonitorDispatch`]) and the PR-comment
//! watcher ([`crate::CommentWatch`]) are the two.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::watch;

use crate::schedule::Schedule;
use crate::store::Store;

/// How a tick ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TickOutcome {
    /// The slot's work is done (possibly: nothing to do). One line for the log.
    Done(String),
    /// It failed; the host retries with backoff and counts it for the breaker.
    Failed(String),
    /// Shutdown was requested between two steps; the slot is not done and
    /// the next start continues it. Not a failure.
    Interrupted(String),
}

/// A boxed tick future (tasks are stored as trait objects).
pub type TickFuture<'a> = Pin<Box<dyn Future<Output = TickOutcome> + Send + 'a>>;

/// Something the host runs on a schedule.
pub trait PeriodicTask: Send + Sync + 'static {
    /// Stable name: key in the state file, field in logs and `/healthz`.
    fn name(&self) -> &str;

    /// When it runs and how it retries.
    fn schedule(&self) -> Schedule;

    /// One tick. It is never cancelled: after SIGTERM it runs to its end
    /// (a long tick checks [`TickContext::stopping`] between steps and
    /// returns [`TickOutcome::Interrupted`]). Every write it makes must be
    /// whole or absent; [`TickContext::save_journal`] records intent before a
    /// write whose outcome a crash could hide.
    fn tick<'a>(&'a self, ctx: &'a mut TickContext) -> TickFuture<'a>;
}

/// What a tick gets to see and keep.
pub struct TickContext {
    pub(crate) task: String,
    pub(crate) slot: i64,
    pub(crate) now: DateTime<Utc>,
    pub(crate) journal: Value,
    pub(crate) store: Store,
    pub(crate) stopping: watch::Receiver<bool>,
}

impl TickContext {
    /// The slot this tick runs for (see [`Schedule`]).
    pub fn slot(&self) -> i64 {
        self.slot
    }

    /// The time the tick started, by the host's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Shutdown requested: finish the current step, start no new one.
    pub fn stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// The task's notes from earlier ticks (and earlier runs of the host).
    pub fn journal(&self) -> &Value {
        &self.journal
    }

    /// Replace the task's notes and write them to disk now (atomically),
    /// e.g. "about to dispatch for slot N" before the request goes out.
    pub fn save_journal(&mut self, journal: Value) -> std::io::Result<()> {
        self.journal = journal.clone();
        self.store.update(&self.task, |s| s.journal = journal)
    }
}
