//! The CI monitor: the five action entry points (ensure-daily-issue,
//! analyze-workflow, publish-summary, update-trackers, analyze-url), the
//! bot's config file and the pure decisions they share (gate jobs, history,
//! clusters, dedup). Orchestration only: triage is `ci-triage`, Markdown and
//! markers are `ci-report`, HTTP is `ci-github`.

pub mod adapt;
pub mod analyze_workflow;
pub mod cluster;
pub mod config;
pub mod ctx;
pub mod daily;
pub mod gate;
pub mod history;
pub mod outcome;
pub mod pattern;
pub mod publish_summary;
pub mod scan;

pub use ctx::{Ctx, PlannedWrite, Settings};
pub use outcome::Outcome;
pub mod analyze_url;
pub mod tick;
pub mod update_trackers;
pub mod inputs;
