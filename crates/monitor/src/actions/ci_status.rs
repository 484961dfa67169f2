//! `ci-status`: post or refresh the "can I merge?" comment of pull
//! requests. Which ones: input `pr`; else a `repository_dispatch` from
//! `watch-comments` (its `client_payload`, checked like a comment); else a
//! `workflow_run: completed` delivery, when `ci-status.on-workflow-run` is
//! set (its pull requests, or for runs from forks, which GitHub leaves
//! without them, the pull requests of its head commit).

use ci_commands::{Command, Job as CommandJob, WorkItem};
use ci_github::GitHub;

use crate::action::{Outcome, PrCommentOutputs, WebhookEvent};
use crate::ctx::Ctx;
use crate::services::pull_request;

/// Pull requests one `workflow_run` refreshes at most.
const MAX_PRS_PER_RUN: usize = 10;

/// Post the `ci-status` comment of every targeted pull request.
pub async fn run<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    pr: Option<u64>,
    event: Option<&WebhookEvent>,
) -> anyhow::Result<Outcome<PrCommentOutputs>> {
    let repo = ctx.settings.repo.clone();
    let mut notes = Vec::new();
    let prs: Vec<u64> = match (pr, event) {
        (Some(n), _) => vec![n],
        (None, Some(e)) if e.name == "repository_dispatch" => {
            let payload = e.client_payload().ok_or_else(|| anyhow::anyhow!("repository_dispatch without client_payload"))?;
            let job = CommandJob::from_client_payload(&payload)?;
            if job.command != Command::CiStatus {
                anyhow::bail!("repository_dispatch asks for {}, not ci-status", job.command.name());
            }
            if !job.repo.eq_ignore_ascii_case(&repo.to_string()) {
                anyhow::bail!("repository_dispatch is for {}, this run watches {repo}", job.repo);
            }
            vec![job.pr]
        }
        (None, Some(e)) if e.name == "workflow_run" => {
            if !ctx.config.ci_status.on_workflow_run {
                notes.push("`ci-status.on-workflow-run` is off: nothing to refresh".to_string());
                Vec::new()
            } else {
                match ci_commands::from_webhook(&e.name, &e.payload)? {
                    Some(WorkItem::RunCompleted(r)) if !r.pull_requests.is_empty() => r.pull_requests,
                    Some(WorkItem::RunCompleted(r)) => ctx
                        .github()
                        .pull_requests_of_commit(&repo, &r.head_sha)
                        .await?
                        .into_iter()
                        .filter(|p| p.state == "open")
                        .map(|p| p.number.0)
                        .collect(),
                    _ => Vec::new(),
                }
            }
        }
        _ => anyhow::bail!("no pull request: set the `pr` input, or run on repository_dispatch or workflow_run"),
    };
    let mut out = PrCommentOutputs::default();
    let mut summary = String::from("### ci-status\n\n");
    for n in prs.into_iter().take(MAX_PRS_PER_RUN) {
        let (posted, _) = pull_request::post_ci_status(ctx, &repo, n).await?;
        summary.push_str(&format!("- #{n}: {}\n", posted.heading));
        out.prs.push(n);
        out.heading = posted.heading;
        out.comment_url = posted.url;
    }
    for n in &notes {
        summary.push_str(&format!("- {n}\n"));
    }
    let mut o = Outcome::new(out);
    o.summary = summary;
    Ok(o)
}
