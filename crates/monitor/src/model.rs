//! The monitor's own view of runs and jobs: only the fields its decisions
//! use, so the pure logic (gates, history, clusters) is testable without
//! any GitHub types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub id: u64,
    pub attempt: u32,
    pub workflow: String,
    pub head_sha: String,
    pub branch: Option<String>,
    pub event: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `completed`, `in_progress`, `queued`, ...
    pub status: String,
    pub conclusion: Option<String>,
    pub html_url: String,
}

impl Run {
    pub fn is_completed(&self) -> bool {
        self.status == "completed"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub number: u32,
    pub name: String,
    pub conclusion: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    pub run_id: u64,
    pub run_attempt: u32,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub html_url: String,
    pub steps: Vec<Step>,
}

/// What one job's conclusion means as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Red,
    Green,
    /// Cancelled, skipped, neutral, in flight: says nothing about the code.
    NoSignal,
}

impl Job {
    pub fn is_completed(&self) -> bool {
        self.status == "completed"
    }

    /// Cancelled jobs are not failures (the old bot counted them): a cancel
    /// is a decision by a person or a concurrency group, not a verdict.
    pub fn outcome(&self) -> Outcome {
        if !self.is_completed() {
            return Outcome::NoSignal;
        }
        match self.conclusion.as_deref() {
            Some("failure") | Some("timed_out") => Outcome::Red,
            Some("success") => Outcome::Green,
            _ => Outcome::NoSignal,
        }
    }

    pub fn failed_steps(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| matches!(s.conclusion.as_deref(), Some("failure") | Some("timed_out")))
            .collect()
    }
}
