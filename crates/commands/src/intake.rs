//! One comment in, one decision out: ignore it, lose it to another
//! watcher, or act on it (reply, or run a job) after winning its claim.
//!
//! The order keeps requests cheap and writes exactly-once:
//! 1. filters that need no request: the bot's own comments (and every other
//!    bot's), bodies too large to come from GitHub, comments with no
//!    command line, edits of old comments, issues that are not pull
//!    requests when the event says so;
//! 2. authorisation (the list, then teams, then permission); unauthorised
//!    users are ignored without a reply;
//! 3. the pull request: an issue is ignored; a closed one, or a fork when
//!    forks are refused, gets a short reply instead of a run;
//! 4. the claim: a `rocket` reaction added as the bot. GitHub answers 201
//!    when the reaction is new and 200 when the same user already had it,
//!    so the POST itself decides who acts: exactly one of any number of
//!    watchers (a daemon, a cron, a webhook) gets the 201. Nothing is read
//!    before it to "check" (the old bot's check-then-act raced).
//!
//! Every outcome has a one-line [`Outcome::log_line`].

use chrono::{DateTime, Duration, Utc};
use ci_report::pr_model::{CommandHelp, Reply, ReplyKind};
use serde::{Deserialize, Serialize};

use crate::access::{Access, AccessPolicy};
use crate::job::Job;
use crate::parse::{self, Command, ParseError, Parsed, COMMANDS, MAX_ARGS, MAX_ARG_CHARS};
use crate::port::{CommandPort, PortError, ReactionOutcome};

/// The reaction that claims a comment.
pub const CLAIM_REACTION: &str = "rocket";

/// Where a comment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Listed by a watcher (`GET /repos/{o}/{r}/issues/comments?since=`),
    /// which lists by *update* time, so edits come back too.
    Poll,
    /// An `issue_comment` webhook, `created`.
    Created,
    /// An `issue_comment` webhook, `edited`.
    Edited,
}

/// What the event says about the issue, when it says (webhooks do; the
/// comment list does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFacts {
    /// The issue is a pull request.
    pub is_pull_request: bool,
    /// `open` or `closed`.
    pub state: String,
}

/// One comment, from a poll or a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentEvent {
    /// Repository, `owner/name`.
    pub repo: String,
    /// Issue or pull request number.
    pub issue: u64,
    /// Comment id.
    pub comment_id: u64,
    /// Author login.
    pub author: String,
    /// GitHub says the author is a bot (`user.type == "Bot"`).
    pub author_is_bot: bool,
    /// The comment text.
    pub body: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last edited (equals `created_at` when never edited).
    pub updated_at: DateTime<Utc>,
    /// Where it came from.
    pub source: Source,
    /// What the event says about the issue, if anything.
    pub issue_facts: Option<IssueFacts>,
    /// `rocket` reactions on the comment when it was listed (`None`: not
    /// said). None at all: nobody claimed it yet.
    #[serde(default)]
    pub rockets: Option<u32>,
}

/// How intake behaves (`commands` in `.github/ci-bot.yml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct IntakeConfig {
    /// The login users mention, without `@` (e.g. `amd-bot`).
    pub mention: String,
    /// The login the bot writes as, when it differs from `mention` (a
    /// GitHub App writes as `<slug>[bot]`). Its comments are never commands.
    pub bot_login: Option<String>,
    /// Who may run commands.
    pub allow: AccessPolicy,
    /// Run commands on pull requests from forks (read-only work: the
    /// status and the diff checklist never check out fork code).
    pub allow_forks: bool,
    /// An edit counts as a new command only this many seconds after the
    /// comment was created (a quick typo fix); later edits are ignored.
    pub edit_grace_secs: i64,
    /// Display name in reply footers: the config file's top-level
    /// `bot-name`, which every footer uses (not a key of `commands`).
    #[serde(skip)]
    pub bot_name: String,
    /// The bot repository (`owner/name`) that claimed jobs are sent to as
    /// `repository_dispatch`; absent: the watcher runs them inline.
    pub dispatch_to: Option<String>,
}

/// Where a claimed job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `POST /repos/{repo}/dispatches` with this event type and payload.
    Dispatch {
        /// The bot repository.
        repo: String,
        /// `ci-status` or `pr-review`.
        event_type: &'static str,
        /// Every value a string.
        client_payload: serde_json::Value,
    },
    /// Run it here.
    Inline(Job),
}

impl Default for IntakeConfig {
    fn default() -> Self {
        IntakeConfig {
            mention: "ci-bot".into(),
            bot_login: None,
            allow: AccessPolicy::default(),
            allow_forks: true,
            edit_grace_secs: 60,
            bot_name: "ci-bot".into(),
            dispatch_to: None,
        }
    }
}

impl IntakeConfig {
    fn is_own(&self, login: &str) -> bool {
        let l = login.trim().to_ascii_lowercase();
        let bare = l.strip_suffix("[bot]").unwrap_or(&l);
        let mine = |x: &str| {
            let x = x.trim().trim_start_matches('@').to_ascii_lowercase();
            let xb = x.strip_suffix("[bot]").unwrap_or(&x).to_string();
            !xb.is_empty() && xb == bare
        };
        mine(&self.mention) || self.bot_login.as_deref().is_some_and(mine)
    }

    /// Where `job` runs: dispatched to the bot repository, or inline.
    pub fn route(&self, job: Job) -> Route {
        match self.dispatch_to.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(repo) => Route::Dispatch { repo: repo.to_string(), event_type: job.event_type(), client_payload: job.client_payload() },
            None => Route::Inline(job),
        }
    }

    /// The command table as the replies list it.
    pub fn command_help(&self) -> Vec<CommandHelp> {
        COMMANDS
            .iter()
            .map(|(usage, description)| CommandHelp { usage: usage.to_string(), description: description.to_string() })
            .collect()
    }

    /// A reply of `kind` to `comment_id`.
    pub fn reply(&self, comment_id: u64, kind: ReplyKind) -> Reply {
        Reply {
            comment_id,
            kind,
            mention: self.mention.trim().trim_start_matches('@').to_string(),
            commands: self.command_help(),
            bot_name: self.bot_name.clone(),
        }
    }
}

/// Why a comment was left alone (no request after the cheap filters, no
/// write ever).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// Written by the bot itself, or by another bot.
    OwnOrBot,
    /// Bigger than any GitHub comment.
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// No line starts with the mention.
    NoCommand,
    /// Edited after the grace period: an old comment, not a new command.
    OldEdit,
    /// On an issue, not a pull request.
    NotPullRequest,
    /// The author may not run commands.
    Unauthorized,
    /// The comment (or its pull request) is gone.
    Gone,
    /// A lookup failed; the comment is unclaimed and will be seen again.
    LookupFailed(String),
}

/// What to do after winning the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Post (upsert) this reply on the pull request.
    Reply(Reply),
    /// Run this job (dispatch it, or inline).
    Run(Job),
}

/// The decision for one comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Left alone.
    Ignored(Ignored),
    /// Another watcher claimed it first (GitHub answered 200).
    Lost,
    /// Claimed by this watcher: do this, exactly once.
    Act(Action),
}

impl Outcome {
    /// One line for the log.
    pub fn log_line(&self, e: &CommentEvent) -> String {
        let who = format!("comment {} on {}#{} by {}", e.comment_id, e.repo, e.issue, e.author);
        let what = match self {
            Outcome::Ignored(Ignored::OwnOrBot) => "ignored: written by a bot".to_string(),
            Outcome::Ignored(Ignored::TooLarge { bytes }) => {
                format!("ignored: {bytes} bytes is larger than any GitHub comment ({} max)", parse::MAX_BODY_BYTES)
            }
            Outcome::Ignored(Ignored::NoCommand) => "ignored: no command line".to_string(),
            Outcome::Ignored(Ignored::OldEdit) => "ignored: an edit of an older comment".to_string(),
            Outcome::Ignored(Ignored::NotPullRequest) => "ignored: not a pull request".to_string(),
            Outcome::Ignored(Ignored::Unauthorized) => "ignored: author may not run commands".to_string(),
            Outcome::Ignored(Ignored::Gone) => "ignored: the comment or pull request is gone".to_string(),
            Outcome::Ignored(Ignored::LookupFailed(m)) => format!("not handled yet (will retry): {m}"),
            Outcome::Lost => "already claimed by another watcher".to_string(),
            Outcome::Act(Action::Reply(r)) => format!("claimed: reply {}", reply_name(&r.kind)),
            Outcome::Act(Action::Run(j)) => format!("claimed: run {}", j.command),
        };
        format!("{who}: {what}")
    }
}

fn reply_name(k: &ReplyKind) -> &'static str {
    match k {
        ReplyKind::Help => "help",
        ReplyKind::Unknown { .. } => "unknown command",
        ReplyKind::MissingArgument { .. } => "missing argument",
        ReplyKind::TooManyArguments { .. } => "too many arguments",
        ReplyKind::ArgumentTooLong { .. } => "argument too long",
        ReplyKind::PullRequestClosed { .. } => "pull request closed",
        ReplyKind::ForkNotAllowed => "fork not allowed",
        ReplyKind::CouldNotStart { .. } => "could not start",
    }
}

fn parse_error_reply(e: ParseError) -> ReplyKind {
    match e {
        ParseError::Unknown(given) => ReplyKind::Unknown { given },
        ParseError::MissingArgument(c) => ReplyKind::MissingArgument { command: c.into() },
        ParseError::TooManyArguments(c) => ReplyKind::TooManyArguments { command: c.into(), max: MAX_ARGS as u32 },
        ParseError::ArgumentTooLong(c) => ReplyKind::ArgumentTooLong { command: c.into(), max: MAX_ARG_CHARS as u32 },
    }
}

fn lookup(e: PortError) -> Outcome {
    match e {
        PortError::NotFound(_) => Outcome::Ignored(Ignored::Gone),
        PortError::Failed(m) => Outcome::Ignored(Ignored::LookupFailed(m)),
    }
}

/// Decide what to do with one comment, claiming it when there is
/// something to do.
pub async fn handle<P: CommandPort>(port: &P, cfg: &IntakeConfig, e: &CommentEvent) -> Outcome {
    // 1. No request yet.
    if e.author_is_bot || cfg.is_own(&e.author) {
        return Outcome::Ignored(Ignored::OwnOrBot);
    }
    let parsed: Result<Command, ParseError> = match parse::parse(&e.body, &cfg.mention) {
        Parsed::NoCommand => return Outcome::Ignored(Ignored::NoCommand),
        Parsed::TooLarge { bytes } => return Outcome::Ignored(Ignored::TooLarge { bytes }),
        Parsed::Command(c) => Ok(c),
        Parsed::Invalid(err) => Err(err),
    };
    let edited_late = e.updated_at - e.created_at > Duration::seconds(cfg.edit_grace_secs.max(0));
    if edited_late && e.source != Source::Created {
        return Outcome::Ignored(Ignored::OldEdit);
    }
    if e.issue_facts.as_ref().is_some_and(|f| !f.is_pull_request) {
        return Outcome::Ignored(Ignored::NotPullRequest);
    }

    // A comment the bot claimed already (an earlier pass, another
    // watcher) is lost to this pass at the cost of one read: without this,
    // every pass looked its author and pull request up again and spent a
    // write on a claim GitHub answers 200, and a busy day's old commands used
    // the write budget up before the new ones were reached.
    if e.rockets.is_some_and(|n| n > 0) && port.claimed(&e.repo, e.comment_id, CLAIM_REACTION).await.unwrap_or(false) {
        return Outcome::Lost;
    }

    // 2. Who asked.
    match cfg.allow.authorize(port, &e.repo, &e.author).await {
        Ok(Access::Allowed(_)) => {}
        Ok(Access::Denied) => return Outcome::Ignored(Ignored::Unauthorized),
        Err(err) => return lookup(err),
    }

    // 3. The pull request.
    let pull = match port.pull_request(&e.repo, e.issue).await {
        Ok(Some(p)) => p,
        Ok(None) => return Outcome::Ignored(Ignored::NotPullRequest),
        Err(err) => return lookup(err),
    };
    let action = match parsed {
        Err(err) => Action::Reply(cfg.reply(e.comment_id, parse_error_reply(err))),
        Ok(Command::Help) => Action::Reply(cfg.reply(e.comment_id, ReplyKind::Help)),
        Ok(_) if pull.state != "open" => {
            Action::Reply(cfg.reply(e.comment_id, ReplyKind::PullRequestClosed { merged: pull.merged }))
        }
        Ok(_) if !cfg.allow_forks && pull.is_fork(&e.repo) => {
            Action::Reply(cfg.reply(e.comment_id, ReplyKind::ForkNotAllowed))
        }
        Ok(command) => Action::Run(Job {
            fork: pull.is_fork(&e.repo),
            command,
            repo: e.repo.clone(),
            pr: e.issue,
            comment_id: e.comment_id,
            requested_by: e.author.clone(),
            head_sha: pull.head_sha,
        }),
    };

    // 4. The claim: the reaction's status code decides. A claim whose
    // answer never came is not retried: if it landed, the next watcher
    // sees 200 and the command is lost (said in the log), which is the
    // side to err on: a lost command is re-posted, a duplicate run cannot
    // be taken back.
    match port.react(&e.repo, e.comment_id, CLAIM_REACTION).await {
        Ok(ReactionOutcome::Created) => Outcome::Act(action),
        Ok(ReactionOutcome::AlreadyExisted) => Outcome::Lost,
        Err(PortError::NotFound(_)) => Outcome::Ignored(Ignored::Gone),
        Err(PortError::Failed(m)) => Outcome::Ignored(Ignored::LookupFailed(format!(
            "claim reaction failed ({m}); if it reached GitHub the command is lost and must be posted again"
        ))),
    }
}
