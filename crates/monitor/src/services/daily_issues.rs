//! Finding (and race-safely creating) the daily issues, for every action
//! that writes to one.
//!
//! One list call (label `ci-monitor`, all states, updated in the last days)
//! returns today's issue and the previous days' ones: their bodies carry the
//! summary state (trend chart, NEW clusters) and their comments the
//! processed job ids (dedup across days).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use ci_github::{GitHub, Issue};
use ci_report::daily::{daily_issue_body, daily_title, parse_daily_title, DailyIssueContext, DAILY_LABEL};
use ci_report::markers::daily_issue_marker;

use crate::ctx::Ctx;

/// The daily issues found by one list call.
#[derive(Debug, Clone, Default)]
pub struct DailyIssues {
    /// Daily issues by date (lowest number wins when a day has several).
    pub by_date: BTreeMap<NaiveDate, Issue>,
}

impl DailyIssues {
    /// The issue of `date`, if found.
    pub fn get(&self, date: NaiveDate) -> Option<&Issue> {
        self.by_date.get(&date)
    }

    /// Issues of the `days` days before `date`, newest first.
    pub fn previous(&self, date: NaiveDate, days: u32) -> Vec<&Issue> {
        self.by_date.range(date - Duration::days(days as i64)..date).rev().map(|(_, i)| i).collect()
    }
}

/// The daily issues of the settings' day and the `days` before it.
pub async fn list_daily_issues<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, days: u32) -> anyhow::Result<DailyIssues> {
    let since = ctx.settings.date.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::days(days as i64 + 1);
    let filter = ctx.issue_filter(DAILY_LABEL.to_string(), Some(since));
    let issues = ctx.github().list_issues(&ctx.settings.bot_repo, &filter).await?;
    let mut out = DailyIssues::default();
    for issue in issues {
        let Some(date) = parse_daily_title(&issue.title) else { continue };
        match out.by_date.get(&date) {
            Some(existing) if existing.number < issue.number => {}
            _ => {
                out.by_date.insert(date, issue);
            }
        }
    }
    Ok(out)
}

/// The body a daily issue of `date` starts with.
pub fn initial_body<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, date: NaiveDate) -> String {
    let dctx = DailyIssueContext {
        repo: ctx.settings.repo.to_string(),
        server_url: ctx.settings.server_url.clone(),
        workflows: ctx.settings.workflows.clone(),
    };
    daily_issue_body(date, &dctx)
}

/// Today's issue: found by exact title (open or closed, so closing it does
/// not spawn a second one; old bot issues have no marker), else created
/// through the marker upsert, which converges when several matrix jobs race.
/// Returns `None` only in dry-run when it does not exist yet.
pub async fn ensure_daily_issue<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    issues: &mut DailyIssues,
) -> anyhow::Result<Option<Issue>> {
    let date = ctx.settings.date;
    if let Some(issue) = issues.get(date) {
        return Ok(Some(issue.clone()));
    }
    let initial = initial_body(ctx, date);
    let created = ctx
        .upsert_issue(
            &ctx.settings.bot_repo,
            &daily_issue_marker(date),
            &daily_title(date),
            &[DAILY_LABEL.to_string()],
            None,
            |current: Option<&str>| current.map(str::to_string).unwrap_or_else(|| initial.clone()),
        )
        .await?;
    if let Some(issue) = &created {
        issues.by_date.insert(date, issue.clone());
    }
    Ok(created)
}
