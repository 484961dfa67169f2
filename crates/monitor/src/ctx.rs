//! What every action gets: the GitHub port, the repositories, the config,
//! the day it writes to, and the dry-run switch. All writes go through
//! [`Ctx`] so dry-run is one `if` in one place.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use ci_github::{CommentId, GitHub, Issue, IssueComment, IssueNumber, RepoRef, Upserted};
use ci_triage::RuleSet;
use serde::Serialize;

use crate::config::{Config, ConfigWarning};

/// Inputs common to all actions, already resolved (inputs over config over defaults).
#[derive(Debug, Clone)]
pub struct Settings {
    pub repo: RepoRef,
    pub bot_repo: RepoRef,
    pub lookback_hours: u32,
    pub dry_run: bool,
    /// Day of the daily issue.
    pub date: NaiveDate,
    /// The clock, injected so tests and the demo are reproducible.
    pub now: DateTime<Utc>,
    /// Web base, `https://github.com` (GHES: the server URL).
    pub server_url: String,
    /// Explicit workflow list (inputs), else the config's.
    pub workflows: Vec<String>,
}

/// A write that dry-run did not do.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedWrite {
    pub repo: String,
    /// `issue #12`, `comment on #12 marked ...`, `new issue "..."`.
    pub target: String,
    pub body: String,
}

pub struct Ctx<G> {
    pub gh: G,
    pub settings: Settings,
    pub config: Config,
    pub warnings: Vec<ConfigWarning>,
    pub rules: Arc<RuleSet>,
    planned: Mutex<Vec<PlannedWrite>>,
}

impl<G: GitHub + Clone + 'static> Ctx<G> {
    pub fn new(gh: G, settings: Settings, config: Config, mut warnings: Vec<ConfigWarning>) -> Self {
        let rules = match &config.triage_rules {
            Some(extra) => match RuleSet::with_overrides(extra) {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(ConfigWarning(format!("`triage-rules`: {e}; using the built-in rules only")));
                    RuleSet::builtin()
                }
            },
            None => RuleSet::builtin(),
        };
        Ctx { gh, settings, config, warnings, rules: Arc::new(rules), planned: Mutex::new(Vec::new()) }
    }

    pub fn dry_run(&self) -> bool {
        self.settings.dry_run
    }

    pub fn planned_writes(&self) -> Vec<PlannedWrite> {
        self.planned.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn plan(&self, repo: &RepoRef, target: String, body: &str) {
        self.planned.lock().unwrap_or_else(|p| p.into_inner()).push(PlannedWrite {
            repo: repo.to_string(),
            target,
            body: body.to_string(),
        });
    }

    /// Create-or-update the comment marked `marker` on `issue`.
    pub async fn upsert_comment(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
        body: &str,
    ) -> anyhow::Result<Option<Upserted<IssueComment>>> {
        if self.dry_run() {
            self.plan(repo, format!("comment on #{issue} marked `{marker}`"), body);
            return Ok(None);
        }
        Ok(Some(self.gh.upsert_comment_by_marker(repo, issue, marker, body).await?))
    }

    /// Replace the body of a known comment.
    pub async fn update_comment(&self, repo: &RepoRef, comment_id: CommentId, body: &str) -> anyhow::Result<()> {
        if self.dry_run() {
            self.plan(repo, format!("update comment {comment_id}"), body);
            return Ok(());
        }
        self.gh.update_comment(repo, comment_id, body).await?;
        Ok(())
    }

    pub async fn delete_comment(&self, repo: &RepoRef, comment_id: CommentId) -> anyhow::Result<()> {
        if self.dry_run() {
            self.plan(repo, format!("delete comment {comment_id}"), "");
            return Ok(());
        }
        Ok(self.gh.delete_comment(repo, comment_id).await?)
    }

    /// Read-modify-write of the issue marked `marker` (created with
    /// `merge(None)` if absent). In dry-run, `merge` is applied to the
    /// current body and the result is printed.
    pub async fn update_issue<F>(
        &self,
        repo: &RepoRef,
        marker: &str,
        title: &str,
        labels: &[String],
        current: Option<&Issue>,
        merge: F,
    ) -> anyhow::Result<Option<Issue>>
    where
        F: Fn(Option<&str>) -> String + Send + Sync,
    {
        if self.dry_run() {
            let body = merge(current.map(|i| i.body.as_str()));
            let target = match current {
                Some(i) => format!("issue #{} \"{title}\"", i.number),
                None => format!("new issue \"{title}\""),
            };
            if current.map(|i| i.body != body || i.title != title).unwrap_or(true) {
                self.plan(repo, target, &body);
            }
            return Ok(current.cloned());
        }
        let up = self.gh.update_issue_by_marker(repo, marker, title, labels, merge).await?;
        Ok(Some(up.object))
    }

    pub async fn set_issue_title(&self, repo: &RepoRef, number: IssueNumber, title: &str) -> anyhow::Result<()> {
        if self.dry_run() {
            self.plan(repo, format!("rename issue #{number}"), title);
            return Ok(());
        }
        let update = ci_github::IssueUpdate { title: Some(title.to_string()), ..Default::default() };
        self.gh.update_issue(repo, number, &update).await?;
        Ok(())
    }

    pub async fn create_issue(&self, repo: &RepoRef, title: &str, body: &str, labels: &[String]) -> anyhow::Result<Option<Issue>> {
        if self.dry_run() {
            self.plan(repo, format!("new issue \"{title}\""), body);
            return Ok(None);
        }
        let issue = ci_github::NewIssue { title: title.into(), body: body.into(), labels: labels.to_vec() };
        Ok(Some(self.gh.create_issue(repo, &issue).await?))
    }

    pub fn issue_url(&self, repo: &RepoRef, number: IssueNumber) -> String {
        format!("{}/{repo}/issues/{number}", self.settings.server_url)
    }
}
