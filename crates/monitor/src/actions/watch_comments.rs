//! `watch-comments`: `@bot` commands on the target repository's pull
//! requests. One iteration: the comments of an `issue_comment` delivery, or
//! the comments updated in the last `lookback-hours` (a poll), each decided
//! by `ci_commands::handle` and claimed by the rocket reaction; the winner
//! replies, dispatches, or runs the job inline. `ci-bot watch` loops over
//! [`once`]; a cron or the webhook runs it once.
//!
//! Seeing a comment again is harmless: its claim answers 200 and the
//! comment is left alone, so polls may overlap freely.

use chrono::{DateTime, Duration, Utc};
use ci_commands::{handle, Action as CommandAction, CommentEvent, Ignored, IntakeConfig, Outcome as Decision, Route, WorkItem};
use ci_github::{GitHub, IssueNumber, RepoRef};
use ci_report::pr_model::ReplyKind;

use crate::action::{Outcome, WatchOutputs, WebhookEvent};
use crate::ctx::Ctx;
use crate::services::commands::GitHubCommands;
use crate::services::pull_request;

/// One pass: the event's comment, or the comments updated since `since`
/// (default: `lookback-hours` ago).
pub async fn run<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    event: Option<&WebhookEvent>,
) -> anyhow::Result<Outcome<WatchOutputs>> {
    let since = ctx.settings.now - Duration::hours(ctx.settings.lookback_hours as i64);
    once(ctx, event, since).await
}

/// One iteration of the watcher (what `ci-bot watch` repeats).
pub async fn once<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    event: Option<&WebhookEvent>,
    since: DateTime<Utc>,
) -> anyhow::Result<Outcome<WatchOutputs>> {
    once_until(ctx, event, since, &|| false).await
}

/// [`once`], claiming no further comment once `stop` says so (a host asked
/// to shut down): a comment claimed just before the process is killed is
/// answered by nobody and never looked at again, so the rest are left for
/// the next pass (`retry_from`).
pub async fn once_until<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    event: Option<&WebhookEvent>,
    since: DateTime<Utc>,
    stop: &(dyn Fn() -> bool + Sync),
) -> anyhow::Result<Outcome<WatchOutputs>> {
    let repo = &ctx.settings.repo;
    let mut warnings = Vec::new();
    let events: Vec<CommentEvent> = match event.filter(|e| e.name == "issue_comment") {
        Some(e) => match ci_commands::from_webhook(&e.name, &e.payload) {
            Ok(Some(WorkItem::Comment(c))) => vec![c],
            Ok(_) => Vec::new(),
            Err(err) => {
                warnings.push(err.to_string());
                Vec::new()
            }
        },
        None => {
            let mut out = Vec::new();
            for c in ctx.github().list_repo_comments(repo, Some(since)).await? {
                let v = serde_json::to_value(&c)?;
                match CommentEvent::from_rest(&repo.to_string(), &v) {
                    Ok(e) => out.push(e),
                    Err(err) => warnings.push(format!("comment {}: {err}", c.id)),
                }
            }
            out
        }
    };

    let port = GitHubCommands::new(ctx);
    // The bot's own comments are never commands: besides the configured
    // mention and login, the login the client found it writes as (a token
    // user's comments are not marked as a bot's by GitHub).
    let mut cfg = ctx.config.commands.clone();
    if cfg.bot_login.is_none() {
        cfg.bot_login = ctx.own_login();
    }
    let cfg = &cfg;
    let mut o = WatchOutputs::default();
    let mut log = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if stop() {
            let left = events[i..].iter().map(|e| e.updated_at).min();
            o.retry_from = o.retry_from.into_iter().chain(left).min();
            log.push(format!("stopping: {} comment(s) left for the next pass", events.len() - i));
            break;
        }
        o.seen += 1;
        let decision = handle(&port, cfg, e).await;
        log.push(decision.log_line(e));
        let action = match decision {
            Decision::Act(a) => a,
            Decision::Lost => {
                o.lost += 1;
                continue;
            }
            Decision::Ignored(Ignored::LookupFailed(_)) => {
                o.retry_from = Some(o.retry_from.map_or(e.updated_at, |t| t.min(e.updated_at)));
                continue;
            }
            Decision::Ignored(_) => continue,
        };
        o.claimed += 1;
        // Claimed: no other watcher will try this one, so whatever fails
        // now is answered on the comment and logged, and the next command
        // is still served.
        let name = match &action {
            CommandAction::Reply(_) => None,
            CommandAction::Run(job) => Some(job.command.name().to_string()),
        };
        if let Err(err) = act(ctx, cfg, e, action, &mut o, &mut log).await {
            log.push(format!("comment {} on {}#{}: {err:#}", e.comment_id, e.repo, e.issue));
            if let (Some(command), Ok(target)) = (name, e.repo.parse::<RepoRef>()) {
                let r = cfg.reply(e.comment_id, ReplyKind::CouldNotStart { command });
                match reply(ctx, &target, e.issue, &r).await {
                    Ok(()) => o.replied += 1,
                    Err(err) => log.push(format!("and the reply failed: {err:#}")),
                }
            }
        }
    }
    for l in &log {
        eprintln!("watch-comments: {}", ctx.redact(l));
    }
    let mut out = Outcome::new(o);
    out.warnings = warnings;
    out.summary = if log.is_empty() {
        "watch-comments: no command comments.\n".to_string()
    } else {
        let mut s = String::from("### watch-comments\n\n");
        for l in &log {
            s.push_str(&format!("- {}\n", ci_report::safe::inline(l, 500)));
        }
        s
    };
    Ok(out)
}

async fn reply<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    issue: u64,
    r: &ci_report::pr_model::Reply,
) -> anyhow::Result<()> {
    let marker = ci_report::pr_reply::command_reply_marker(r.comment_id);
    let body = ci_report::pr_reply::render_reply(r);
    ctx.upsert_comment(repo, IssueNumber(issue), &marker, &body).await?;
    Ok(())
}

/// What a claimed command does. An error is reported by the caller.
async fn act<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    cfg: &IntakeConfig,
    e: &CommentEvent,
    action: CommandAction,
    o: &mut WatchOutputs,
    log: &mut Vec<String>,
) -> anyhow::Result<()> {
    let target: RepoRef = e.repo.parse()?;
    match action {
        CommandAction::Reply(r) => {
            reply(ctx, &target, e.issue, &r).await?;
            o.replied += 1;
        }
        CommandAction::Run(job) => match cfg.route(job.clone()) {
            Route::Dispatch { repo: to, event_type, client_payload } => {
                let to: RepoRef = to.parse().map_err(|err| anyhow::anyhow!("`commands.dispatch-to`: {err}"))?;
                match ctx.repository_dispatch(&to, event_type, &client_payload).await {
                    Ok(()) => o.dispatched += 1,
                    Err(err) => anyhow::bail!("dispatch to {to} failed: {err}"),
                }
            }
            Route::Inline(job) => {
                let p = pull_request::run_job(ctx, &job).await.map_err(|err| anyhow::anyhow!("{} on #{} failed: {err:#}", job.command.name(), job.pr))?;
                log.push(format!("ran {} on #{}: {}", job.command.name(), p.pr, p.heading));
                o.ran += 1;
            }
        },
    }
    Ok(())
}
