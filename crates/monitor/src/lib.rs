//! The CI monitor and the pull-request side: eight actions (ensure-daily-issue, analyze-workflow,
//! publish-summary, update-trackers, analyze-url) and what they share.
//! Orchestration only: triage is `ci-triage`, every Markdown body, marker
//! and persisted format is `ci-report`, HTTP is `ci-github`.
//!
//! Layout:
//! - [`action`]: the actions as types (names, inputs, typed outputs).
//! - [`actions`]: one room per action; no action imports another.
//! - [`services`]: reads several actions share (daily issues, the workflow
//!   scan, log triage).
//! - [`domain`]: pure decisions (gate jobs, history, clusters, patterns).
//! - [`ctx`]: what every action gets; the only way to write to GitHub.
//! - [`config`], [`inputs`]: the config file and the resolved inputs.
//! - [`tick`]: the whole graph in one process (demo, bench, tests).

pub mod action;
pub mod actions;
pub mod config;
pub mod ctx;
pub mod domain;
pub mod inputs;
pub mod services;
pub mod tick;

pub use action::{Action, ActionKind, Outcome, Outputs};
pub use ctx::{Ctx, PlannedWrite, Settings};
