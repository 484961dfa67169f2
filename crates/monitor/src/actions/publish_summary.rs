//! `publish-summary`: rebuild the Daily Cross-Workflow Summary in the daily
//! issue body from the workflows' comments (and yesterday's summary state).
//!
//! Convergence: the block is a pure function of the comments (ci-report
//! renders no clock), the body update is a read-modify-write that only
//! replaces the block, and after writing we re-read the comments: if a
//! workflow's comment changed while we were building (a concurrent matrix
//! job finished), we rebuild. A publisher that wrote a stale block therefore
//! always sees the change that made it stale and writes again, so whichever
//! publisher writes last, the block ends up reflecting every comment.
//!
//! Related issues and pull requests: the TL;DR lists, per cluster, the open
//! issues and pull requests of the monitored repository whose title or body
//! names its test or message. They are found with GitHub's issue search, at
//! most [`MAX_SEARCHES`] per run (one per TL;DR line: the search API allows
//! 30 requests a minute, and a tick runs one publisher), each with a
//! timeout, and cached for the day in the summary state of the daily issue:
//! a cluster is searched once a day, and a rebuild with everything cached
//! searches nothing, so the block stays a function of what GitHub holds. A
//! search that fails or times out is a warning and ends the run's searching
//! (a rate limit is not pushed further); the rest waits for the next tick.
//!
//! Each round writes the block once, not through the marker upsert's
//! write-until-it-sticks loop: two publishers holding different snapshots
//! would each insist on their own block and overwrite each other until the
//! upsert gave up (seen with seven racing matrix jobs). Staleness is caught
//! by the comment re-read instead, which is what decides who is right.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ci_github::{GitHub, Issue, IssueComment, RepoRef};
use ci_report::daily::DAILY_LABEL;
use ci_report::daily::{is_legacy_summary_comment, replace_summary_block};
use ci_report::facts::parse_facts;
use ci_report::markers::{carries_bot_state, daily_issue_marker, find_part, find_workflow_report};
use ci_report::step_summary;
use ci_report::summary::{
    parse_summary_state, render_summary_block, search_targets, summary_clusters, DailySummary, RelatedItem, SummaryState,
    WorkflowDay, RELATED_PER_CLUSTER, RELATED_TITLE_CHARS,
};
use ci_report::tracker::TRACKER_LABEL;
use ci_report::workflow_comment::{belongs_to_workflow, parse_workflow_comments};

use crate::action::{IssueLink, Outcome, PublishSummaryOutputs};
use crate::ctx::Ctx;
use crate::services::daily_issues::{ensure_daily_issue, initial_body, list_daily_issues};
use crate::services::narration;

/// Rebuilds before giving up. Each one means a workflow comment changed
/// while we built, so this bounds how many matrix jobs can finish during one
/// publish, not how long it waits.
const MAX_ROUNDS: usize = 24;
/// Issue searches one publish makes at most (see the module docs).
pub const MAX_SEARCHES: usize = ci_report::summary::TLDR_LINES;
/// How long one search may take before it is given up for this tick.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs the action.
pub async fn run<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<Outcome<PublishSummaryOutputs>> {
    let date = ctx.settings.date;
    let mut dailies = list_daily_issues(ctx, ctx.config.chart_days.max(2)).await?;
    let Some(issue) = ensure_daily_issue(ctx, &mut dailies).await? else {
        let mut out = Outcome::new(PublishSummaryOutputs::default());
        out.summary = step_summary::publish_summary_without_issue();
        return Ok(out);
    };
    // Yesterday's state: the newest earlier daily issue whose body has one.
    let yesterday = dailies.previous(date, ctx.config.chart_days).into_iter().find_map(|i| parse_summary_state(&i.body));

    let repo = &ctx.settings.bot_repo;
    let mut comments = ctx.github().list_comments(repo, issue.number).await?;
    // Today's search results so far (the cache), then this run's searches.
    let mut related = parse_summary_state(&issue.body).filter(|s| s.date == date).map(|s| s.related).unwrap_or_default();
    let mut searches_left = MAX_SEARCHES;
    let mut warnings = Vec::new();
    // The model's narrative over the clusters (none configured: nothing
    // happens); one session over every rebuild round, so a round with the
    // same clusters is served from its memory.
    let today_bodies: Vec<&str> = comments.iter().map(|c| c.body.as_str()).collect();
    let mut llm = narration::summary_session(ctx.llm(), &issue.body, &today_bodies, date);
    let mut summary = build(ctx, &comments, yesterday.clone());
    find_related(ctx, &summary, &mut related, &mut searches_left, &mut warnings).await;
    summary.related = related.clone();
    if let Some(session) = &mut llm {
        narration::narrate_summary(session, &mut summary).await;
    }
    let initial = initial_body(ctx, date);
    let marker = daily_issue_marker(date);
    let mut rounds = 0;
    loop {
        let inner = render_summary_block(&summary);
        let wrote = ctx
            .edit_issue_body_once(repo, issue.number, &marker, |body| replace_summary_block(body, &inner, &initial))
            .await?;
        let again = ctx.github().list_comments(repo, issue.number).await?;
        if wrote && same_comments(&comments, &again) {
            break;
        }
        rounds += 1;
        if rounds == MAX_ROUNDS {
            anyhow::bail!(
                "publish-summary: the workflow comments on #{} kept changing over {MAX_ROUNDS} rebuilds; \
                 the next publish (e.g. the finalize job) will write the summary",
                issue.number
            );
        }
        comments = again;
        summary = build(ctx, &comments, yesterday.clone());
        find_related(ctx, &summary, &mut related, &mut searches_left, &mut warnings).await;
        summary.related = related.clone();
        if let Some(session) = &mut llm {
            narration::narrate_summary(session, &mut summary).await;
        }
    }
    for c in comments.iter().filter(|c| is_legacy_summary_comment(&c.body)) {
        ctx.delete_comment(repo, c.id).await?;
    }

    let failure_count: usize = summary.workflows.iter().map(|w| w.jobs.len()).sum();
    let mut out = Outcome::new(PublishSummaryOutputs { issue: IssueLink::from_issue(Some(&issue)), failure_count });
    out.summary = step_summary::publish_summary(
        date,
        summary.workflows.len(),
        failure_count,
        summary_clusters(&summary).len(),
        &issue.html_url,
    );
    if let Some(footer) = &summary.llm.footer {
        out.summary.push_str(&format!("\n{footer}\n"));
    }
    out.warnings = warnings;
    Ok(out)
}

/// Searches the open issues and pull requests naming the TL;DR's clusters
/// that are not cached yet, while `searches_left` lasts.
async fn find_related<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    summary: &DailySummary,
    related: &mut BTreeMap<String, Vec<RelatedItem>>,
    searches_left: &mut usize,
    warnings: &mut Vec<String>,
) {
    for (id, phrase) in search_targets(summary) {
        if related.contains_key(&id) {
            continue;
        }
        if *searches_left == 0 {
            return;
        }
        *searches_left -= 1;
        let query = related_query(&ctx.settings.repo, &phrase);
        match tokio::time::timeout(SEARCH_TIMEOUT, ctx.github().search_issues(&query, 20)).await {
            Ok(Ok(found)) => {
                related.insert(id, related_items(found));
            }
            Ok(Err(e)) => {
                warnings.push(format!("search for issues naming `{phrase}` failed: {e}; the rest waits for the next tick"));
                *searches_left = 0;
            }
            Err(_) => {
                warnings.push(format!("search for issues naming `{phrase}` timed out after {SEARCH_TIMEOUT:?}; the rest waits for the next tick"));
                *searches_left = 0;
            }
        }
    }
}

/// Open issues and pull requests of `repo` naming `phrase`, the bot's own
/// daily reports and trackers excluded.
fn related_query(repo: &RepoRef, phrase: &str) -> String {
    let phrase: String = phrase.chars().filter(|c| !matches!(c, '"' | '\\')).take(100).collect();
    format!("repo:{repo} is:open -label:{DAILY_LABEL} -label:{TRACKER_LABEL} \"{phrase}\"")
}

/// The newest few hits, as the summary keeps them. Anything carrying the
/// bot's markers is the bot's own (an `[Analyze]` issue) and is left out.
fn related_items(found: Vec<Issue>) -> Vec<RelatedItem> {
    let mut items: Vec<RelatedItem> = found
        .into_iter()
        .filter(|i| !carries_bot_state(&i.body))
        .map(|i| RelatedItem {
            number: i.number.0,
            title: i.title.chars().take(RELATED_TITLE_CHARS).collect(),
            url: i.html_url,
            is_pr: i.pull_request.is_some(),
        })
        .collect();
    items.sort_by(|a, b| b.number.cmp(&a.number));
    items.dedup_by_key(|i| i.number);
    items.truncate(RELATED_PER_CLUSTER);
    items
}

fn same_comments(a: &[IssueComment], b: &[IssueComment]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id && x.body == y.body)
}

/// The summary input, from the comments of the day.
pub fn build<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    comments: &[IssueComment],
    yesterday: Option<SummaryState>,
) -> DailySummary {
    let mut workflows: BTreeSet<String> = ctx.settings.workflows.iter().cloned().collect();
    for c in comments {
        if let Some((_, wf)) = find_workflow_report(&c.body) {
            workflows.insert(wf);
        }
    }
    let days = workflows
        .into_iter()
        .map(|wf| {
            let rec = parse_workflow_comments(&wf, comments.iter().map(|c| c.body.as_str()));
            let mine: Vec<&IssueComment> = comments.iter().filter(|c| belongs_to_workflow(&c.body, &wf)).collect();
            let facts = mine.iter().find_map(|c| parse_facts(&c.body)).unwrap_or_default();
            WorkflowDay {
                workflow: wf.clone(),
                runs_completed: facts.runs_completed,
                runs_green: facts.runs_green,
                runs_red: facts.runs_red,
                runs_in_flight: facts.runs_in_flight,
                jobs: rec.jobs,
                cluster_facts: facts.clusters,
                last_scanned: facts.scanned_at,
                green_jobs: facts.green_jobs,
                comment_url: mine
                    .iter()
                    .map(|c| (find_part(&c.body).map_or(1, |p| p.0), c.id, c))
                    .min_by_key(|(p, id, _)| (*p, *id))
                    .map(|(_, _, c)| c.html_url.clone()),
            }
        })
        .collect();
    DailySummary {
        date: ctx.settings.date,
        bot_name: ctx.config.bot_name.clone(),
        workflows: days,
        yesterday,
        repo: ctx.settings.repo.to_string(),
        server_url: ctx.settings.server_url.clone(),
        related: BTreeMap::new(),
        llm: Default::default(),
    }
}
