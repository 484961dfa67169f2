//! Pure decisions, no I/O: which jobs are gates, how a job fared in its
//! recent runs, what a symptom cluster's status is, the name patterns
//! the config uses and the facts it pulls out of logs.

pub mod cluster;
pub mod gate;
pub mod history;
pub mod log_facts;
pub mod pattern;
