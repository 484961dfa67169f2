//! Pure decisions, no I/O: which jobs are gates, how a job fared in its
//! recent runs, what a symptom cluster's status is, and the name patterns
//! the config uses.

pub mod cluster;
pub mod gate;
pub mod history;
pub mod pattern;
