//! One room per action. Each module is an action's whole story, from
//! reading GitHub to the writes; no action imports another. What several
//! share is in [`crate::services`] (reads) and [`crate::domain`] (pure
//! decisions); every Markdown body, marker and step summary comes from
//! `ci-report`.

pub mod analyze_url;
pub mod analyze_workflow;
pub mod ci_status;
pub mod ensure_daily_issue;
pub mod pr_review;
pub mod publish_summary;
pub mod update_trackers;
pub mod watch_comments;
