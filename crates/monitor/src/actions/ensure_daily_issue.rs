//! `ensure-daily-issue`: find or create today's issue; outputs the date and
//! the workflow list for the matrix.

use ci_github::GitHub;
use ci_report::step_summary;

use crate::action::{DailyIssueOutputs, IssueLink, Outcome};
use crate::ctx::Ctx;
use crate::services::daily_issues::{ensure_daily_issue, list_daily_issues};

/// Runs the action.
pub async fn run<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<Outcome<DailyIssueOutputs>> {
    let date = ctx.settings.date;
    let mut issues = list_daily_issues(ctx, 0).await?;
    let existed = issues.get(date).is_some();
    let issue = ensure_daily_issue(ctx, &mut issues).await?;
    let mut out = Outcome::new(DailyIssueOutputs {
        date,
        workflows: ctx.settings.workflows.clone(),
        issue: IssueLink::from_issue(issue.as_ref()),
    });
    out.summary = step_summary::ensure_daily_issue(date, issue.as_ref().map(|i| (i.number, i.html_url.as_str())), existed);
    Ok(out)
}
