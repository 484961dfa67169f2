//! Services shared by several actions: they read GitHub (through
//! [`crate::Ctx`]) and hand back data; none of them renders or writes a
//! report on its own.

pub mod baseline;
pub mod commands;
pub mod daily_issues;
pub mod narration;
pub mod pull_request;
pub mod scan;
pub mod triage;
