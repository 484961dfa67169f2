//! The monitor schedule: `workflow_dispatch` of `ci-monitor.yml` once per
//! slot (every 30 minutes by default).
//!
//! A dispatch is a write that cannot be made idempotent on GitHub's side, so
//! the task writes down its intent before sending (the journal) and, when an
//! earlier attempt for the same slot ended without a clear answer (an error,
//! a timeout, a crash mid-request), first looks for the run that attempt may
//! have created before sending again. A clean shutdown never leaves such an
//! attempt: the host lets the tick finish.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ci_github::{GitHub, RepoRef, RunFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schedule::Schedule;
use crate::task::{PeriodicTask, TickContext, TickFuture, TickOutcome};

/// Builds a GitHub client per tick, so each tick has its own write budget.
pub type ClientFactory<G> =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ci_github::Result<G>> + Send>> + Send + Sync>;

/// Dispatches a workflow once per slot.
pub struct MonitorDispatch<G> {
    /// Repository holding the workflow (the bot's repo).
    pub repo: RepoRef,
    /// Workflow file name or id, e.g. `ci-monitor.yml`.
    pub workflow: String,
    /// Branch or tag to run it on.
    pub git_ref: String,
    /// `inputs` of the dispatch (an object; values as strings).
    pub inputs: Value,
    /// When.
    pub schedule: Schedule,
    /// GitHub, fresh per tick.
    pub client: ClientFactory<G>,
}

/// The task's journal: an attempt whose outcome is not known to be a refusal.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    pending: Option<Pending>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    slot: i64,
    at: DateTime<Utc>,
}

impl<G: GitHub + 'static> MonitorDispatch<G> {
    async fn run(&self, ctx: &mut TickContext) -> TickOutcome {
        let gh = match (self.client)().await {
            Ok(gh) => gh,
            Err(e) => return TickOutcome::Failed(format!("GitHub client: {e}")),
        };
        let journal: Journal = serde_json::from_value(ctx.journal().clone()).unwrap_or_default();
        if let Some(p) = journal.pending.filter(|p| p.slot == ctx.slot()) {
            // An earlier attempt for this slot may have landed: look, don't resend blindly.
            let since = p.at - chrono::Duration::minutes(1);
            let filter = RunFilter {
                workflow: Some(self.workflow.clone()),
                event: Some("workflow_dispatch".into()),
                created: Some(format!(">={}", since.format("%Y-%m-%dT%H:%M:%SZ"))),
                limit: Some(5),
                ..Default::default()
            };
            match gh.list_workflow_runs(&self.repo, &filter).await {
                Ok(runs) if !runs.is_empty() => {
                    if let Err(e) = ctx.save_journal(Value::Null) {
                        return TickOutcome::Failed(format!("writing the journal: {e}"));
                    }
                    return TickOutcome::Done(format!(
                        "the earlier attempt of slot {} landed (run {}); not dispatching again",
                        ctx.slot(),
                        runs[0].id
                    ));
                }
                Ok(_) => {}
                Err(e) => return TickOutcome::Failed(format!("checking for an earlier dispatch: {e}")),
            }
        }
        if ctx.stopping() {
            return TickOutcome::Interrupted("shutdown requested before dispatching".into());
        }
        let intent = serde_json::to_value(Journal { pending: Some(Pending { slot: ctx.slot(), at: ctx.now() }) })
            .unwrap_or(Value::Null);
        if let Err(e) = ctx.save_journal(intent) {
            // Without the note a crash could make a restart dispatch twice: don't send.
            return TickOutcome::Failed(format!("writing the journal before dispatching: {e}"));
        }
        match gh.workflow_dispatch(&self.repo, &self.workflow, &self.git_ref, &self.inputs).await {
            Ok(()) => match ctx.save_journal(Value::Null) {
                Ok(()) => TickOutcome::Done(format!("dispatched {} on {} in {}", self.workflow, self.git_ref, self.repo)),
                // The dispatch happened; the stale note only costs a look next slot.
                Err(e) => TickOutcome::Done(format!("dispatched {} (journal not cleared: {e})", self.workflow)),
            },
            // The note stays: the retry looks before sending again.
            Err(e) => TickOutcome::Failed(e.to_string()),
        }
    }
}

impl<G: GitHub + 'static> PeriodicTask for MonitorDispatch<G> {
    fn name(&self) -> &str {
        "monitor-dispatch"
    }

    fn schedule(&self) -> Schedule {
        self.schedule.clone()
    }

    fn tick<'a>(&'a self, ctx: &'a mut TickContext) -> TickFuture<'a> {
        Box::pin(self.run(ctx))
    }
}
