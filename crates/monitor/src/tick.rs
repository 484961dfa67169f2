//! One whole monitor tick in-process, the same graph the workflow runs:
//! prepare (ensure-daily-issue) → matrix (analyze-workflow per workflow,
//! concurrently) → finalize (publish-summary, update-trackers). Used by
//! `ci-bot demo`, the benchmark and the scenario tests.

use std::collections::BTreeMap;

use ci_github::GitHub;

use crate::ctx::Ctx;
use crate::outcome::Outcome;

#[derive(Debug, Default)]
pub struct TickOutcome {
    pub prepare: Outcome,
    /// By workflow file; an error is kept as text, so one broken workflow
    /// does not hide the others (like `fail-fast: false`).
    pub workflows: BTreeMap<String, Result<Outcome, String>>,
    pub summary: Option<Outcome>,
    pub trackers: Option<Outcome>,
}

impl TickOutcome {
    pub fn new_failures(&self) -> usize {
        self.sum_of("new_failure_count")
    }

    pub fn failures(&self) -> usize {
        self.sum_of("failure_count")
    }

    /// A numeric output summed over the workflows that succeeded.
    fn sum_of(&self, output: &str) -> usize {
        self.workflows
            .values()
            .filter_map(|r| r.as_ref().ok())
            .filter_map(|o| o.get(output)?.parse::<usize>().ok())
            .sum()
    }
}

pub async fn tick<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<TickOutcome> {
    let mut out = TickOutcome { prepare: crate::daily::run(ctx).await?, ..Default::default() };
    let runs = ctx.settings.workflows.iter().map(|wf| async move {
        (wf.clone(), crate::analyze_workflow::run(ctx, wf).await.map_err(|e| format!("{e:#}")))
    });
    for (wf, r) in futures_join_all(runs).await {
        out.workflows.insert(wf, r);
    }
    out.summary = Some(crate::publish_summary::run(ctx).await?);
    out.trackers = Some(crate::update_trackers::run(ctx).await?);
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
