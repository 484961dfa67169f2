//! Users comment on pull requests of the fake GitHub; watchers decide.
//! Every refusal, the exactly-once claim, and the replies as snapshots.

mod common;

use ci_commands::{handle, Action, AccessPolicy, Command, CommentEvent, Ignored, IntakeConfig, Outcome, Route};
use ci_report::pr_model::ReplyKind;
use ci_report::pr_reply::render_reply;
use common::*;

fn config() -> IntakeConfig {
    IntakeConfig {
        mention: "ci-bot".into(),
        allow: AccessPolicy { users: vec!["alice".into(), "mallory".into()], teams: vec!["acme/ci-admins".into()], write_permission: false },
        ..IntakeConfig::default()
    }
}

async fn decide(w: &World, cfg: &IntakeConfig, comment: &serde_json::Value) -> (CommentEvent, Outcome) {
    let e = CommentEvent::from_rest(REPO, comment).unwrap();
    let o = handle(&w.watcher(), cfg, &e).await;
    (e, o)
}

fn run_of(o: &Outcome) -> &ci_commands::Job {
    match o {
        Outcome::Act(Action::Run(j)) => j,
        other => panic!("expected a run, got {other:?}"),
    }
}

fn reply_of(o: &Outcome) -> &ci_report::pr_model::Reply {
    match o {
        Outcome::Act(Action::Reply(r)) => r,
        other => panic!("expected a reply, got {other:?}"),
    }
}

#[tokio::test]
async fn an_allowed_user_asks_for_ci_status_and_the_watcher_claims_it() {
    let w = World::new().await;
    let c = w.comment("alice", 7, "Looks odd.\n@ci-bot ci-status").await;
    let (e, o) = decide(&w, &config(), &c).await;
    let job = run_of(&o);
    assert_eq!(job.command, Command::CiStatus);
    assert_eq!((job.pr, job.head_sha.as_str(), job.fork), (7, "7777777777777777777777777777777777777777", false));
    assert_eq!(w.reactions(e.comment_id), vec![("ci-bot".to_string(), "rocket".to_string())]);
    let payload = job.client_payload();
    assert_eq!(payload["pr_number"], "7");
    assert_eq!(payload["comment_id"], e.comment_id.to_string());
    assert_eq!(o.log_line(&e), format!("comment {} on acme/widgets#7 by alice: claimed: run ci-status", e.comment_id));
    // Routed to the bot repository when one is configured, else inline.
    let cfg = IntakeConfig { dispatch_to: Some("acme/ci-bot".into()), ..config() };
    match cfg.route(job.clone()) {
        Route::Dispatch { repo, event_type, client_payload } => {
            assert_eq!((repo.as_str(), event_type), ("acme/ci-bot", "ci-status"));
            assert_eq!(client_payload, job.client_payload());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(config().route(job.clone()), Route::Inline(job.clone()));
}

#[tokio::test]
async fn two_watchers_at_once_act_exactly_once() {
    let w = World::new().await;
    let c = w.comment("alice", 7, "@ci-bot review-focus attention").await;
    let e = CommentEvent::from_rest(REPO, &c).unwrap();
    let (daemon, cron) = (w.watcher(), w.watcher());
    let cfg = config();
    let (a, b) = tokio::join!(handle(&daemon, &cfg, &e), handle(&cron, &cfg, &e));
    let acted = [&a, &b].iter().filter(|o| matches!(o, Outcome::Act(_))).count();
    let lost = [&a, &b].iter().filter(|o| matches!(o, Outcome::Lost)).count();
    assert_eq!((acted, lost), (1, 1), "{a:?} / {b:?}");
    // A third look later (the cron's next tick) loses too.
    assert_eq!(handle(&w.watcher(), &cfg, &e).await, Outcome::Lost);
    assert_eq!(w.reactions(e.comment_id).len(), 1);
}

#[tokio::test]
async fn refusals_without_a_reply() {
    let w = World::new().await;
    let cfg = config();
    // Not allowed: no reaction, no reply.
    let c = w.comment("erin", 7, "@ci-bot ci-status").await; // a pending team member
    let (e, o) = decide(&w, &cfg, &c).await;
    assert_eq!(o, Outcome::Ignored(Ignored::Unauthorized));
    assert!(w.reactions(e.comment_id).is_empty());
    // The bot's own comment.
    let c = w.comment("bot", 7, "@ci-bot ci-status").await;
    assert_eq!(decide(&w, &cfg, &c).await.1, Outcome::Ignored(Ignored::OwnOrBot));
    // An issue, not a pull request.
    let c = w.comment("alice", 1, "@ci-bot ci-status").await;
    assert_eq!(decide(&w, &cfg, &c).await.1, Outcome::Ignored(Ignored::NotPullRequest));
    // Prose that mentions the bot.
    let c = w.comment("alice", 7, "thanks @ci-bot!").await;
    assert_eq!(decide(&w, &cfg, &c).await.1, Outcome::Ignored(Ignored::NoCommand));
    // An edit of an old comment, seen by the next poll.
    let c = w.comment("alice", 7, "@ci-bot ci-status").await;
    let mut e = CommentEvent::from_rest(REPO, &c).unwrap();
    e.updated_at = e.created_at + chrono::Duration::hours(3);
    assert_eq!(handle(&w.watcher(), &cfg, &e).await, Outcome::Ignored(Ignored::OldEdit));
    assert!(w.reactions(e.comment_id).is_empty());
}

#[tokio::test]
async fn teams_and_write_permission_allow_live() {
    let w = World::new().await;
    let c = w.comment("carol", 7, "@ci-bot ci-status").await;
    assert!(matches!(decide(&w, &config(), &c).await.1, Outcome::Act(Action::Run(_))), "team member");
    let by_permission = IntakeConfig { allow: AccessPolicy { write_permission: true, ..AccessPolicy::default() }, ..config() };
    let c = w.comment("alice", 7, "@ci-bot ci-status").await;
    assert!(matches!(decide(&w, &by_permission, &c).await.1, Outcome::Act(Action::Run(_))), "write permission");
    let c = w.comment("mallory", 7, "@ci-bot ci-status").await;
    assert_eq!(decide(&w, &by_permission, &c).await.1, Outcome::Ignored(Ignored::Unauthorized), "no permission");
}

#[tokio::test]
async fn closed_and_fork_pull_requests() {
    let w = World::new().await;
    let c = w.comment("alice", 9, "@ci-bot ci-status").await;
    let (_, o) = decide(&w, &config(), &c).await;
    assert_eq!(reply_of(&o).kind, ReplyKind::PullRequestClosed { merged: false });
    insta::assert_snapshot!("closed_reply", render_reply(reply_of(&o)));

    let c = w.comment("alice", 8, "@ci-bot ci-status").await;
    let (_, o) = decide(&w, &config(), &c).await;
    assert!(run_of(&o).fork, "a fork runs, marked so nothing checks it out with secrets");
    let no_forks = IntakeConfig { allow_forks: false, ..config() };
    let c = w.comment("alice", 8, "@ci-bot review").await;
    let (_, o) = decide(&w, &no_forks, &c).await;
    assert_eq!(reply_of(&o).kind, ReplyKind::ForkNotAllowed);
}

#[tokio::test]
async fn unknown_commands_and_bad_arguments_get_a_reply_listing_the_commands() {
    let w = World::new().await;
    let c = w.comment("alice", 7, "@ci-bot rerun-everything @someone").await;
    let (_, o) = decide(&w, &config(), &c).await;
    insta::assert_snapshot!("unknown_reply", render_reply(reply_of(&o)));

    let many = format!("@ci-bot review-focus {}", "area ".repeat(10_000));
    let c = w.comment("alice", 7, &many).await;
    let (_, o) = decide(&w, &config(), &c).await;
    assert_eq!(reply_of(&o).kind, ReplyKind::TooManyArguments { command: "review-focus".into(), max: 20 });

    let c = w.comment("alice", 7, "@ci-bot help").await;
    let (_, o) = decide(&w, &config(), &c).await;
    insta::assert_snapshot!("help_reply", render_reply(reply_of(&o)));
}

#[tokio::test]
async fn a_one_megabyte_comment_is_a_log_line() {
    let w = World::new().await;
    let c = w.comment("alice", 7, "@ci-bot ci-status").await;
    let mut e = CommentEvent::from_rest(REPO, &c).unwrap();
    e.body.push_str(&"x".repeat(1 << 20));
    let o = handle(&w.watcher(), &config(), &e).await;
    assert!(matches!(o, Outcome::Ignored(Ignored::TooLarge { .. })));
    assert!(o.log_line(&e).contains("larger than any GitHub comment"), "{}", o.log_line(&e));
}
