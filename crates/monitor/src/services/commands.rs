//! `ci-commands`' port over the bot's GitHub client: the reads intake makes
//! go through [`Ctx::github`], the claim (the one write) through
//! [`Ctx::claim_comment`], so dry-run and the write budget apply to it as
//! to every other write.

use ci_commands::{CommandPort, PortError, PullFacts, ReactionOutcome};
use ci_github::{CommentId, GitHub, IssueNumber, RepoRef};

use crate::ctx::Ctx;

/// [`CommandPort`] for one action run.
pub struct GitHubCommands<'a, G> {
    ctx: &'a Ctx<G>,
}

impl<'a, G> GitHubCommands<'a, G> {
    /// The port over `ctx`.
    pub fn new(ctx: &'a Ctx<G>) -> Self {
        GitHubCommands { ctx }
    }
}

fn repo_ref(repo: &str) -> Result<RepoRef, PortError> {
    repo.parse().map_err(|e: ci_github::Error| PortError::Failed(e.to_string()))
}

fn port_error(e: ci_github::Error) -> PortError {
    match e {
        ci_github::Error::NotFound { .. } => PortError::NotFound(e.to_string()),
        other => PortError::Failed(other.to_string()),
    }
}

/// The facts intake needs from a pull request.
pub fn pull_facts(p: &ci_github::PullRequest) -> PullFacts {
    PullFacts {
        state: p.state.clone(),
        merged: p.merged_at.is_some(),
        head_sha: p.head.sha.clone(),
        head_ref: p.head.ref_name.clone(),
        head_repo: p.head.repo.as_ref().map(|r| r.full_name.clone()),
        author: p.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
    }
}

impl<G: GitHub + Clone + 'static> CommandPort for GitHubCommands<'_, G> {
    async fn react(&self, repo: &str, comment_id: u64, content: &str) -> Result<ReactionOutcome, PortError> {
        if content != ci_commands::CLAIM_REACTION {
            return Err(PortError::Failed(format!("only the claim reaction is written, not {content:?}")));
        }
        let repo = repo_ref(repo)?;
        self.ctx.claim_comment(&repo, CommentId(comment_id)).await.map_err(|e| match e.downcast::<ci_github::Error>() {
            Ok(e) => port_error(e),
            Err(e) => PortError::Failed(e.to_string()),
        })
    }

    async fn claimed(&self, repo: &str, comment_id: u64, content: &str) -> Result<bool, PortError> {
        if content != ci_commands::CLAIM_REACTION {
            return Ok(false);
        }
        self.ctx.github().reacted(&repo_ref(repo)?, CommentId(comment_id), ci_github::Reaction::Rocket).await.map_err(port_error)
    }

    async fn is_team_member(&self, org: &str, team: &str, login: &str) -> Result<bool, PortError> {
        let state = self.ctx.github().team_membership(org, team, login).await.map_err(port_error)?;
        // A pending invitation is not membership.
        Ok(state.as_deref() == Some("active"))
    }

    async fn permission(&self, repo: &str, login: &str) -> Result<String, PortError> {
        self.ctx.github().permission(&repo_ref(repo)?, login).await.map_err(port_error)
    }

    async fn pull_request(&self, repo: &str, number: u64) -> Result<Option<PullFacts>, PortError> {
        match self.ctx.github().get_pull_request(&repo_ref(repo)?, IssueNumber(number)).await {
            Ok(p) => Ok(Some(pull_facts(&p))),
            Err(ci_github::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(port_error(e)),
        }
    }
}
