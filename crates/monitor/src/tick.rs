//! One whole monitor tick in-process, the same graph the workflow runs:
//! prepare (ensure-daily-issue) → matrix (analyze-workflow per workflow,
//! concurrently) → finalize (publish-summary, update-trackers). Used by
//! `ci-bot demo`, the benchmark and the scenario tests.

use std::collections::BTreeMap;

use ci_github::GitHub;

use crate::action::{AnalyzeWorkflowOutputs, DailyIssueOutputs, Outcome, PublishSummaryOutputs, UpdateTrackersOutputs};
use crate::actions::{analyze_workflow, ensure_daily_issue, publish_summary, update_trackers};
use crate::ctx::Ctx;

/// What each action of one tick handed back.
#[derive(Debug, Default)]
pub struct TickOutcome {
    /// `ensure-daily-issue`.
    pub prepare: Outcome<DailyIssueOutputs>,
    /// `analyze-workflow` by workflow file; an error is kept as text, so one
    /// broken workflow does not hide the others (like `fail-fast: false`).
    pub workflows: BTreeMap<String, Result<Outcome<AnalyzeWorkflowOutputs>, String>>,
    /// `publish-summary`.
    pub summary: Option<Outcome<PublishSummaryOutputs>>,
    /// `update-trackers`.
    pub trackers: Option<Outcome<UpdateTrackersOutputs>>,
}

impl TickOutcome {
    /// Jobs analysed in this tick, over the workflows that succeeded.
    pub fn new_failures(&self) -> usize {
        self.analysed().map(|o| o.new_failure_count).sum()
    }

    /// Failed jobs in the window, over the workflows that succeeded.
    pub fn failures(&self) -> usize {
        self.analysed().map(|o| o.failure_count).sum()
    }

    fn analysed(&self) -> impl Iterator<Item = &AnalyzeWorkflowOutputs> {
        self.workflows.values().filter_map(|r| r.as_ref().ok()).map(|o| &o.outputs)
    }
}

/// Runs one tick: prepare, the matrix (concurrently), finalize.
pub async fn tick<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<TickOutcome> {
    let mut out = TickOutcome { prepare: ctx.redact_outcome(ensure_daily_issue::run(ctx).await?), ..Default::default() };
    let runs = ctx.settings.workflows.iter().map(|wf| async move {
        let r = analyze_workflow::run(ctx, wf).await;
        (wf.clone(), r.map(|o| ctx.redact_outcome(o)).map_err(|e| ctx.redact(&format!("{e:#}"))))
    });
    for (wf, r) in futures_join_all(runs).await {
        out.workflows.insert(wf, r);
    }
    out.summary = Some(ctx.redact_outcome(publish_summary::run(ctx).await?));
    out.trackers = Some(ctx.redact_outcome(update_trackers::run(ctx).await?));
    Ok(out)
}

/// `join_all` without the futures crate: poll them concurrently on this task.
async fn futures_join_all<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.expect("all ready")).collect()
}
