//! Pure triage engine: a CI log in, an [`Analysis`] out.
//!
//! No network, no async, no filesystem beyond the `Read` it is handed. The
//! CLI, the actions and the benchmark all call this crate.

pub mod runners;
