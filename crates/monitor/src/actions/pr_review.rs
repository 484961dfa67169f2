//! `pr-review`: the deterministic review checklist of a pull request
//! (input `pr` and `focus`, or a `repository_dispatch` from
//! `watch-comments`). The LLM narrative (issue #16) fills the checklist's
//! narrative when configured; without it the checklist is the review.

use ci_commands::{Command, Job as CommandJob};
use ci_github::GitHub;

use crate::action::{Outcome, PrCommentOutputs, WebhookEvent};
use crate::ctx::Ctx;
use crate::services::pull_request;

/// Post the review of the targeted pull request.
pub async fn run<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    pr: Option<u64>,
    focus: &[String],
    event: Option<&WebhookEvent>,
) -> anyhow::Result<Outcome<PrCommentOutputs>> {
    let repo = ctx.settings.repo.clone();
    let (n, focus) = match (pr, event.and_then(WebhookEvent::client_payload)) {
        (Some(n), _) => (n, focus.to_vec()),
        (None, Some(payload)) => {
            let job = CommandJob::from_client_payload(&payload)?;
            if !job.repo.eq_ignore_ascii_case(&repo.to_string()) {
                anyhow::bail!("repository_dispatch is for {}, this run watches {repo}", job.repo);
            }
            match job.command {
                Command::Review => (job.pr, Vec::new()),
                Command::ReviewFocus(areas) => (job.pr, areas),
                other => anyhow::bail!("repository_dispatch asks for {}, not a review", other.name()),
            }
        }
        (None, None) => anyhow::bail!("no pull request: set the `pr` input, or run on repository_dispatch"),
    };
    let posted = pull_request::post_review(ctx, &repo, n, &focus).await?;
    let mut o = Outcome::new(PrCommentOutputs { prs: vec![n], heading: posted.heading.clone(), comment_url: posted.url });
    o.summary = format!("### pr-review\n\n- #{n}: {}\n", posted.heading);
    Ok(o)
}
