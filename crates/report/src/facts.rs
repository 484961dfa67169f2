//! The hidden facts line a workflow's comment carries at the end of part 1:
//! what publish-summary needs (run counts, cluster facts) so it does not
//! rescan every workflow, and the in-flight state so an unchanged tick
//! writes nothing.
//!
//! `<!-- ci-bot:workflow-facts v=2 {json} -->`, the JSON from
//! [`crate::state_json`] (log text cannot end the comment early).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ci_model::RunId;
use serde::{Deserialize, Serialize};

use crate::markers::{self, WORKFLOW_FACTS_PREFIX};
use crate::model::ClusterFacts;
use crate::safe::char_len;
use crate::state_json;

/// Longest facts line; beyond it the least persistent clusters are dropped.
pub const MAX_FACTS_CHARS: usize = 4_000;

/// What one scan of a workflow found, kept in its comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowFacts {
    /// Completed runs in the lookback window.
    pub runs_completed: u32,
    /// Of those, successful.
    pub runs_green: u32,
    /// Of those, not successful.
    pub runs_red: u32,
    /// Runs still in flight.
    pub runs_in_flight: u32,
    /// `(run id, pending jobs, failed so far)` of in-flight runs.
    #[serde(default)]
    pub in_flight: Vec<(RunId, u32, u32)>,
    /// Cluster facts by fingerprint.
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterFacts>,
    /// When the scan ran.
    #[serde(default)]
    pub scanned_at: Option<DateTime<Utc>>,
    /// Jobs (by name) the scan saw red and then green again: the start of
    /// the first completed run after the job's last failure in which the
    /// job succeeded. Only this makes a tracker row or a cluster "fixed"
    /// (observed, not inferred from silence).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub green_jobs: BTreeMap<String, DateTime<Utc>>,
}

/// The facts as their hidden line, at most [`MAX_FACTS_CHARS`] long.
pub fn facts_line(facts: &WorkflowFacts) -> String {
    let mut f = facts.clone();
    loop {
        let line = markers::json_marker_line(WORKFLOW_FACTS_PREFIX, &state_json::to_string(&f));
        if char_len(&line) <= MAX_FACTS_CHARS {
            return line;
        }
        // Then fewer green jobs (a job left out reads "quiet", never a
        // wrong "fixed"). A line still too long (hundreds of runs in
        // flight) is left out by `with_facts` rather than pass the cap.
        if f.clusters.is_empty() {
            if f.green_jobs.pop_last().is_none() {
                return line;
            }
            continue;
        }
        // Keep the most persistent clusters when the line gets too big.
        let weakest = f.clusters.iter().min_by_key(|(fp, c)| (c.red_runs, (*fp).clone())).map(|(fp, _)| fp.clone());
        if let Some(fp) = weakest {
            f.clusters.remove(&fp);
        }
    }
}

/// A workflow's rendered comment parts with the facts line at the end of
/// part 1, when part 1 stays within [`crate::SAFE_BODY_CHARS`] (the packer
/// keeps [`crate::workflow_comment::PART1_TRAILER_RESERVE`] for it, so it
/// always does; the facts are an optimisation: without them the next tick
/// rescans and rewrites).
pub fn with_facts(mut parts: Vec<String>, facts: &WorkflowFacts) -> Vec<String> {
    if let Some(first) = parts.first_mut() {
        let line = facts_line(facts);
        if char_len(first) + char_len(&line) + 1 <= crate::SAFE_BODY_CHARS {
            first.push_str(&line);
            first.push('\n');
        }
    }
    parts
}

/// The facts of a comment body, if it has a line of the current version.
pub fn parse_facts(body: &str) -> Option<WorkflowFacts> {
    let (v, json) = markers::find_json_marker(body, WORKFLOW_FACTS_PREFIX)?;
    (v == markers::VERSION).then(|| state_json::from_str(json).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_round_trip_and_stay_bounded() {
        let mut f = WorkflowFacts { runs_completed: 3, in_flight: vec![(RunId(7), 2, 1)], ..Default::default() };
        assert_eq!(parse_facts(&format!("x\n{}\n", facts_line(&f))), Some(f.clone()));
        for i in 0..200u32 {
            f.clusters.insert(format!("v1:{i:064x}"), ClusterFacts { red_runs: i, runs_considered: 10, ..Default::default() });
        }
        let line = facts_line(&f);
        assert!(line.len() <= MAX_FACTS_CHARS);
        let kept = parse_facts(&line).unwrap().clusters;
        assert!(kept.values().all(|c| c.red_runs >= 150), "the most persistent clusters are kept");
    }
}
