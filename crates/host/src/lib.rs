//! `ci-host`: the bot's long-running process, one container with
//! `restart: unless-stopped` (what "runner 1" of the old bot did with a
//! `sleep 1800` loop and errors ignored).
//!
//! It runs [`PeriodicTask`]s, each on fixed wall-clock slots with jitter
//! ([`Schedule`]), retries failures with exponential backoff, pauses a task
//! behind a circuit breaker after repeated failures, finishes the tick in
//! flight on SIGTERM (never half a write), remembers the last slot done in an
//! atomically written state file so a restart does not repeat a dispatch,
//! and answers `GET /healthz` with the last successful tick and the next one.
//!
//! Tasks: [`MonitorDispatch`] (`workflow_dispatch` of `ci-monitor.yml`) and
//! [`CommentWatch`] (one poll of new PR comments for `@bot` commands per
//! tick; its exactly-once claim makes it safe beside a cron watcher).

#![warn(missing_docs)]

mod clock;
mod dispatch;
mod host;
mod logging;
mod schedule;
mod service;
mod settings;
mod store;
mod task;
mod watch;

pub use clock::{Clock, ManualClock, SystemClock};
pub use dispatch::{ClientFactory, MonitorDispatch};
pub use host::{probe, serve_health, HealthView, Host, ShutdownHandle};
pub use logging::{init_logging, init_logging_with, LogFormat};
pub use schedule::{Plan, Schedule, TaskState};
pub use service::{client_factory, run_service};
pub use settings::{Settings, PREFIX};
pub use store::{Store, STATE_VERSION};
pub use task::{PeriodicTask, TickContext, TickFuture, TickOutcome};
pub use watch::CommentWatch;
