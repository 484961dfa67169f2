//! `update-trackers`: merge today's failing tests into each tracked
//! workflow's long-lived `[Failure Tracker]` issue.
//!
//! The state lives in the issue (see `ci_report::tracker`): read it, merge,
//! render, write archive comments then the body. A state line that exists
//! but cannot be read is never overwritten (that is how the old bot lost
//! every `first_seen`): the tracker is skipped with a warning instead.

use std::collections::{BTreeMap, BTreeSet};

use ci_github::{CommentId, GitHub, Issue, IssueComment, RepoRef};
use ci_report::markers::tracker_issue_marker;
use ci_report::step_summary::{self, TrackerLine};
use ci_report::tracker::{
    archive_marker_line, is_failing, legacy_tracker_titles, merge, observations_from_jobs, observe_green, parse_archive_marker, parse_tracker,
    render_tracker, tracker_placeholder_body, tracker_rendered_at, tracker_title, TrackerConfig, TRACKER_LABEL,
};
use ci_report::facts::{parse_facts, WorkflowFacts};
use ci_report::workflow_comment::{belongs_to_workflow, parse_workflow_comments};
use ci_report::JobReport;

use crate::action::{Outcome, UpdateTrackersOutputs};
use crate::config::TrackedWorkflow;
use crate::ctx::Ctx;
use crate::services::daily_issues::list_daily_issues;

/// Runs the action.
pub async fn run<G: GitHub + Clone + 'static>(ctx: &Ctx<G>) -> anyhow::Result<Outcome<UpdateTrackersOutputs>> {
    if ctx.config.trackers.is_empty() {
        let mut out = Outcome::new(UpdateTrackersOutputs::default());
        out.summary = step_summary::update_trackers(None);
        return Ok(out);
    }
    let mut urls = Vec::new();
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let dailies = list_daily_issues(ctx, 1).await?;
    let today = dailies.get(ctx.settings.date).cloned();
    let comments = match &today {
        Some(i) => ctx.github().list_comments(&ctx.settings.bot_repo, i.number).await?,
        None => Vec::new(),
    };
    let mut listed: BTreeMap<RepoRef, Vec<Issue>> = BTreeMap::new();
    let mut failing_total = 0usize;
    for t in &ctx.config.trackers {
        let repo: RepoRef = match t.repo.as_deref().map(str::parse).transpose() {
            Ok(r) => r.unwrap_or_else(|| ctx.settings.repo.clone()),
            Err(e) => {
                warnings.push(format!("tracker `{}`: {e}", t.workflow));
                continue;
            }
        };
        if !listed.contains_key(&repo) {
            let filter = ctx.issue_filter(TRACKER_LABEL.into(), None);
            listed.insert(repo.clone(), ctx.github().list_issues(&repo, &filter).await?);
        }
        let jobs = parse_workflow_comments(&t.workflow, comments.iter().map(|c| c.body.as_str())).jobs;
        let facts = comments
            .iter()
            .filter(|c| belongs_to_workflow(&c.body, &t.workflow))
            .find_map(|c| parse_facts(&c.body))
            .unwrap_or_default();
        match update_one(ctx, &repo, &listed[&repo], t, &jobs, &facts, today.as_ref()).await {
            Ok((url, failing)) => {
                failing_total += failing;
                lines.push(TrackerLine::Updated { workflow: t.workflow.clone(), failing, url: url.clone() });
                urls.push(url);
            }
            Err(e) => {
                let msg = format!("tracker `{}` not updated: {e:#}", t.workflow);
                lines.push(TrackerLine::Failed(msg.clone()));
                warnings.push(msg);
            }
        }
    }
    let mut out = Outcome::new(UpdateTrackersOutputs { tracker_urls: urls, failing_tests: Some(failing_total) });
    out.summary = step_summary::update_trackers(Some(&lines));
    out.warnings = warnings;
    Ok(out)
}

async fn update_one<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    issues: &[Issue],
    t: &TrackedWorkflow,
    jobs: &[JobReport],
    facts: &WorkflowFacts,
    daily: Option<&Issue>,
) -> anyhow::Result<(String, usize)> {
    let title = tracker_title(&t.display);
    let marker = tracker_issue_marker(&t.workflow);
    let mut legacy = legacy_tracker_titles(&t.display);
    legacy.extend(t.legacy_titles.iter().cloned());
    // Ours (marker), else by exact title, else a legacy title; open first,
    // then the oldest.
    let pick = |pred: &dyn Fn(&Issue) -> bool| {
        issues.iter().filter(|i| pred(i)).min_by_key(|i| (i.state != "open", i.number)).cloned()
    };
    let existing = pick(&|i| i.body.contains(&marker))
        .or_else(|| pick(&|i| i.title.trim() == title))
        .or_else(|| pick(&|i| legacy.iter().any(|l| l == i.title.trim())));

    let mut cfg = TrackerConfig::new(&t.workflow, &t.display, &ctx.config.bot_name);
    cfg.daily_issue_url = daily.map(|d| d.html_url.clone());
    cfg.retention_days = ctx.config.tracker_retention_days as i64;
    let archive_comments = match &existing {
        Some(i) => ctx.github().list_comments(repo, i.number).await?,
        None => Vec::new(),
    };
    let body = existing.as_ref().map(|i| i.body.clone()).unwrap_or_else(|| tracker_placeholder_body(&cfg));
    let loaded = parse_tracker(&body, archive_comments.iter().map(|c| c.body.as_str()), &t.workflow)
        .map_err(|e| anyhow::anyhow!("its state cannot be read ({e:?}); left untouched so no history is lost"))?;
    let mut state = loaded.state;
    let observations = observations_from_jobs(jobs, daily.map(|d| d.html_url.as_str()), &facts.clusters);
    let now = ctx.settings.now;
    merge(&mut state, &observations, now.date_naive(), &cfg);
    // "Fixed" only where the scan saw the job green after its last failure.
    observe_green(&mut state, &facts.green_jobs);
    // The archive comments the body names: this workflow's, of its
    // generation (every one before generations existed), first per part.
    let committed_gen = state.archive_gen;
    let mut committed: BTreeMap<usize, &IssueComment> = BTreeMap::new();
    for c in &archive_comments {
        if let Some(a) = parse_archive_marker(&c.body).filter(|a| a.workflow == t.workflow && a.gen == committed_gen) {
            committed.entry(a.part).or_insert(c);
        }
    }
    let mut doc = render_tracker(&state, &cfg, now);
    let archive_unchanged = committed.len() == doc.archive.len()
        && doc.archive.iter().enumerate().all(|(i, a)| committed.get(&(i + 1)).is_some_and(|c| c.body == ctx.redact_body(a)));
    if !archive_unchanged {
        state.archive_gen = committed_gen.wrapping_add(1).max(1);
        doc = render_tracker(&state, &cfg, now);
    }
    // A tick that changed nothing must not rewrite the issue just to move its
    // "last updated" clock (a write per tick, and noise in the edit history).
    // Rendering as of the body's own time, on the same day so that what is
    // failing is judged alike, tells the two apart exactly.
    if let (Some(issue), true) = (&existing, archive_unchanged) {
        let rendered_at = tracker_rendered_at(&issue.body).filter(|at| at.date_naive() == now.date_naive() && *at <= now);
        if let Some(at) = rendered_at {
            let again = render_tracker(&state, &cfg, at);
            if ctx.redact_body(&again.issue_body(&t.workflow)) == issue.body {
                doc = again;
            }
        }
    }
    let failing = state.entries.values().filter(|e| is_failing(e, now.date_naive(), &cfg)).count();
    let new_body = doc.issue_body(&t.workflow);

    let issue = match existing {
        Some(issue) => issue,
        None => {
            // With an archive, the body that names it comes after it: the
            // issue starts as the placeholder (one write more, only then).
            let first = if doc.archive.is_empty() { new_body.clone() } else { tracker_placeholder_body(&cfg) };
            let created = ctx
                .upsert_issue(repo, &marker, &title, &[TRACKER_LABEL.into()], None, |cur| {
                    cur.map(str::to_string).unwrap_or_else(|| first.clone())
                })
                .await?;
            match created {
                Some(i) => i,
                None => return Ok((format!("(dry-run) new tracker \"{title}\" in {repo}"), failing)),
            }
        }
    };

    // Commit order: the new generation's archive comments, then the body
    // that names them, then the old ones go. A run that stops at any point
    // leaves the body's named archive whole (an upsert by marker makes the
    // next run reuse what this one wrote).
    let mut named: BTreeSet<CommentId> = BTreeSet::new();
    if archive_unchanged {
        named.extend(committed.values().map(|c| c.id));
    } else {
        for (i, body) in doc.archive.iter().enumerate() {
            let marker = archive_marker_line(i + 1, doc.archive.len(), &t.workflow, state.archive_gen);
            if let Some(up) = ctx.upsert_comment(repo, issue.number, &marker, body).await? {
                named.insert(up.object.id);
            }
        }
    }
    // Another run may have written the body since it was read: writing over
    // it would undo that run's merge. The next tick merges again.
    if !ctx.dry_run() && ctx.redact_body(&new_body) != issue.body {
        let now_there = ctx.github().get_issue(repo, issue.number).await?;
        if now_there.body != issue.body {
            anyhow::bail!("the tracker changed while this run merged (another run?); the next tick merges again");
        }
    }
    ctx.rewrite_issue(repo, &issue, &title, &new_body).await?;
    for c in &archive_comments {
        if parse_archive_marker(&c.body).is_some_and(|a| a.workflow == t.workflow) && !named.contains(&c.id) {
            ctx.delete_comment(repo, c.id).await?;
        }
    }
    Ok((issue.html_url.clone(), failing))
}
