//! The PR-comment watcher as a host task: the fast path for `@bot` commands
//! (what runner 1 of the old bot ran as a daemon beside its dispatch loop).
//!
//! One tick is one pass of `watch-comments` over the target repository's
//! comments updated since the last pass that succeeded (minus one interval
//! of overlap, so a comment created while a pass was reading is not missed).
//! Overlap is harmless: a comment is acted on only by whoever wins its claim
//! reaction, so this task, a cron-run `watch-comments` and a second host can
//! all see the same comment and it still runs once.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use ci_github::GitHub;
use ci_monitor::inputs::{resolve, EnvDefaults, RawInputs};
use ci_monitor::Ctx;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dispatch::ClientFactory;
use crate::schedule::Schedule;
use crate::task::{PeriodicTask, TickContext, TickFuture, TickOutcome};

/// Polls PR comments for `@bot` commands.
pub struct CommentWatch<G> {
    /// `owner/name` of the repository whose pull requests are watched.
    pub repo: String,
    /// The bot's config file (`commands:` says who may command, the bot's
    /// login, and where jobs go); `None`: `.github/ci-bot.yml`.
    pub config: Option<PathBuf>,
    /// When.
    pub schedule: Schedule,
    /// GitHub, fresh per tick (its own write budget).
    pub client: ClientFactory<G>,
}

/// The task's journal: when the last successful pass started.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    last_pass: Option<DateTime<Utc>>,
}

impl<G: GitHub + Clone + 'static> CommentWatch<G> {
    /// Where the next pass starts reading: the last successful pass minus one
    /// interval; a first pass (or one after a long outage) reads two
    /// intervals back, never more than the config's `lookback-hours`.
    fn since(&self, journal: &Journal, now: DateTime<Utc>, lookback_hours: u32) -> DateTime<Utc> {
        let interval = Duration::from_std(self.schedule.interval).unwrap_or(Duration::minutes(1));
        let floor = now - Duration::hours(i64::from(lookback_hours.max(1)));
        let since = match journal.last_pass {
            Some(t) if t <= now => t - interval,
            _ => now - interval * 2,
        };
        since.max(floor)
    }

    async fn run(&self, ctx: &mut TickContext) -> TickOutcome {
        // Without its config the watcher would allow nobody and say nothing:
        // a path the operator named must exist.
        if let Some(path) = self.config.as_ref().filter(|p| !p.exists()) {
            return TickOutcome::Failed(format!("watcher config {}: no such file", path.display()));
        }
        let raw = RawInputs {
            repo: Some(self.repo.clone()),
            config: self.config.as_ref().map(|p| p.display().to_string()),
            ..Default::default()
        };
        // The repository comes from the host's settings, not the container's
        // GITHUB_REPOSITORY: the environment only lends the server URL.
        let env = EnvDefaults { repository: None, ..EnvDefaults::from_env() };
        let resolved = match resolve(&raw, &env, ctx.now()) {
            Ok(r) => r,
            Err(e) => return TickOutcome::Failed(format!("watcher inputs: {e:#}")),
        };
        let gh = match (self.client)().await {
            Ok(gh) => gh,
            Err(e) => return TickOutcome::Failed(format!("GitHub client: {e}")),
        };
        let journal: Journal = serde_json::from_value(ctx.journal().clone()).unwrap_or_default();
        let since = self.since(&journal, ctx.now(), resolved.settings.lookback_hours);
        if ctx.stopping() {
            return TickOutcome::Interrupted("shutdown requested before polling".into());
        }
        let started = ctx.now();
        let monitor = Ctx::new(gh, resolved.settings, resolved.config, resolved.warnings);
        let stopping = ctx.stopping.clone();
        let stop = move || *stopping.borrow();
        let outcome = match ci_monitor::actions::watch_comments::once_until(&monitor, None, since, &stop).await {
            Ok(o) => o,
            Err(e) => return TickOutcome::Failed(monitor.redact(&format!("{e:#}"))),
        };
        for w in monitor.trust_warnings().into_iter().chain(outcome.warnings.iter().cloned()) {
            tracing::warn!(task = "comment-watch", "{}", monitor.redact(&w));
        }
        let o = outcome.outputs;
        let line = format!(
            "comments since {}: {} seen, {} claimed, {} lost to another watcher, {} dispatched, {} run inline, {} replies",
            since.format("%Y-%m-%dT%H:%M:%SZ"),
            o.seen,
            o.claimed,
            o.lost,
            o.dispatched,
            o.ran,
            o.replied
        );
        // A comment whose lookups failed is read again next time: the
        // journal does not move past it (the lookback floor ends that).
        let interval = Duration::from_std(self.schedule.interval).unwrap_or(Duration::minutes(1));
        let last_pass = o.retry_from.map_or(started, |r| started.min(r + interval));
        let next = serde_json::to_value(Journal { last_pass: Some(last_pass) }).unwrap_or(Value::Null);
        match ctx.save_journal(next) {
            Ok(()) => TickOutcome::Done(line),
            // The pass happened; an old journal only means a wider read next time.
            Err(e) => TickOutcome::Done(format!("{line} (journal not saved: {e})")),
        }
    }
}

impl<G: GitHub + Clone + 'static> PeriodicTask for CommentWatch<G> {
    fn name(&self) -> &str {
        "comment-watch"
    }

    fn schedule(&self) -> Schedule {
        self.schedule.clone()
    }

    fn tick<'a>(&'a self, ctx: &'a mut TickContext) -> TickFuture<'a> {
        Box::pin(self.run(ctx))
    }
}
