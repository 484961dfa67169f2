//! `ci-report`: everything the CI monitor writes to GitHub, as pure functions.
//!
//! - [`markers`]: every hidden marker (old bot compatible + our versioned ones)
//!   and strict, line-anchored finders.
//! - [`safe`]: the one escaping layer for text from logs, PRs and LLMs.
//! - [`state_json`]: JSON that can live inside an HTML comment.
//! - [`model`]: view-model types the renderers take (`JobReport`, …);
//!   [`job_report`] builds a `JobReport` from a triaged job.
//! - [`facts`]: the hidden facts line of a workflow's comment.
//! - [`llm_memory`]: the LLM layer's memory as a hidden line of a workflow's
//!   comment.
//! - [`cluster`]: failures grouped by fingerprint across jobs/workflows.
//! - [`daily`]: daily issue title, initial body, summary-block splice.
//! - [`workflow_comment`]: per-workflow comment render, packing, parse-back,
//!   part plan.
//! - [`summary`]: the cross-workflow summary block (convergent, with memory).
//! - [`tracker`]: failure tracker state, merge, legacy migration, size plan.
//! - [`analyze`]: the `[Analyze]` issue.
//! - [`step_summary`]: each action's `$GITHUB_STEP_SUMMARY` Markdown.
//! - [`analysis_view`]: one log's analysis as text or Markdown (`analyze-log`).
//! - [`pr_model`]: what the pull-request side renders (verdicts, CI
//!   completeness, the review checklist, command replies).
//! - [`pr_status`], [`pr_review`], [`pr_reply`]: the `ci-status` comment,
//!   the `pr-review` checklist and the replies to `@bot` commands.
//!
//! No I/O, no async, no clock: callers pass times in, so output is a pure
//! function of input (seven concurrent rebuilds converge to the same text).
//! Formats are documented in `docs/formats.md`.

pub mod analysis_view;
pub mod analyze;
pub mod cause;
pub mod cluster;
pub mod daily;
pub mod facts;
pub mod job_report;
pub mod llm_memory;
pub mod markers;
pub mod model;
pub mod pr_model;
pub mod pr_reply;
pub mod pr_review;
pub mod pr_status;
pub mod safe;
pub mod state_json;
pub mod step_summary;
pub mod summary;
pub mod tracker;
pub mod workflow_comment;

pub use model::*;

/// GitHub's hard limit for an issue or comment body, in characters.
pub const GITHUB_BODY_LIMIT: usize = 65_536;
/// What we allow ourselves per body: the limit minus a margin for counting
/// differences (GitHub may count UTF-16 units for astral characters).
pub const SAFE_BODY_CHARS: usize = 60_000;
