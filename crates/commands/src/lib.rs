//! `ci-commands`: `@bot` commands on pull requests, from a comment to one
//! claimed action.
//!
//! - [`parse`]: `@<bot> review | review-focus <areas> | ci-status | help`,
//!   with bounds (a 1 MB comment, 10,000 arguments);
//! - [`access`]: who may run them (a list, teams, write permission);
//! - [`intake`]: which comments count (not the bot's own, not old edits,
//!   not issues, not closed pull requests) and the exactly-once claim;
//! - [`job`]: a claimed command as a `repository_dispatch` payload and back;
//! - [`event`]: webhook payloads and polled objects as the same work items.
//!
//! [`CommandPort`] is the one trait: the few GitHub calls intake makes. The
//! crate writes nothing but the claim reaction; replies and runs come back
//! as an [`Action`] for the caller's write path. See `docs/pr.md`.

#![warn(missing_docs)]

pub mod access;
pub mod event;
pub mod intake;
pub mod job;
pub mod parse;
pub mod port;

pub use access::{Access, AccessPolicy, Allowed};
pub use event::{from_webhook, EventError, RunCompleted, WorkItem};
pub use intake::{handle, Action, CommentEvent, Ignored, IntakeConfig, IssueFacts, Outcome, Route, Source, CLAIM_REACTION};
pub use job::{Job, PayloadError};
pub use parse::{parse, Command, ParseError, Parsed};
pub use port::{CommandPort, PortError, PullFacts, ReactionOutcome};
