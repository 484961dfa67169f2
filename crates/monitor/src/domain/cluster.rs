//! Facts about a symptom cluster (all jobs sharing one triage fingerprint,
//! across jobs and workflows; the grouping itself is `ci_report::cluster`):
//! its history numbers and its status, from its members' job histories.

use ci_report::ClusterFacts;

use ci_model::FailureStatus;

use crate::domain::history::HistoryFacts;

/// A cluster's facts are those of its most persistent member job: the
/// longest current red streak is the strongest evidence of when it started.
/// Its status is [`cluster_status`] of all members (none without history).
pub fn cluster_facts<'a>(members: impl IntoIterator<Item = &'a HistoryFacts>) -> Option<ClusterFacts> {
    let members: Vec<&HistoryFacts> = members.into_iter().collect();
    let status = Some(cluster_status(members.iter().copied())).filter(|s| *s != FailureStatus::NoHistory);
    let best = members.into_iter().max_by(|a, b| {
        (a.streak, a.red, std::cmp::Reverse(a.considered)).cmp(&(b.streak, b.red, std::cmp::Reverse(b.considered)))
    })?;
    Some(ClusterFacts {
        red_runs: best.red as u32,
        runs_considered: best.considered as u32,
        since_sha: best.first_red.as_ref().map(|o| o.head_sha.clone()),
        last_green_sha: best.last_green.as_ref().map(|o| o.head_sha.clone()),
        status,
    })
}

/// The status of a cluster: flaky if any member looks flaky, persistent if
/// any is persistent, else new.
pub fn cluster_status<'a>(members: impl IntoIterator<Item = &'a HistoryFacts>) -> FailureStatus {
    let statuses: Vec<FailureStatus> = members.into_iter().map(|f| f.status).collect();
    for s in [FailureStatus::Flaky, FailureStatus::Persistent, FailureStatus::New] {
        if statuses.contains(&s) {
            return s;
        }
    }
    FailureStatus::NoHistory
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{facts, observations};
    use ci_model::{Conclusion, Job, JobId, RunId, RunStatus, WorkflowRun};
    use chrono::{TimeZone, Utc};

    fn runs(pattern: &str, name: &str) -> Vec<(WorkflowRun, Vec<Job>)> {
        pattern
            .chars()
            .enumerate()
            .map(|(i, c)| {
                let id = i as u64 + 1;
                let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
                let run = WorkflowRun {
                    id: RunId(id),
                    head_sha: format!("{id:07}"),
                    created_at: t,
                    updated_at: Some(t),
                    status: Some(RunStatus::Completed),
                    conclusion: Some(Conclusion::Failure),
                    ..Default::default()
                };
                let job = Job {
                    id: JobId(id * 10),
                    run_id: RunId(id),
                    name: name.into(),
                    status: Some(RunStatus::Completed),
                    conclusion: Some(if c == 'R' { Conclusion::Failure } else { Conclusion::Success }),
                    ..Default::default()
                };
                (run, vec![job])
            })
            .collect()
    }

    #[test]
    fn cluster_takes_the_most_persistent_member() {
        let a = facts(RunId(6), &observations("a", &runs("GGGGGR", "a")), 10);
        let b = facts(RunId(6), &observations("b", &runs("GGRRRR", "b")), 10);
        let f = cluster_facts([&a, &b]).unwrap();
        assert_eq!((f.red_runs, f.runs_considered), (4, 6));
        assert_eq!(f.since_sha.as_deref(), Some("0000003"));
        assert_eq!(f.last_green_sha.as_deref(), Some("0000002"));
        assert_eq!(cluster_status([&a, &b]), FailureStatus::Persistent);
        assert_eq!(f.status, Some(FailureStatus::Persistent));
    }

    #[test]
    fn any_flaky_member_makes_the_cluster_flaky() {
        let a = facts(RunId(7), &observations("a", &runs("RGRGRGR", "a")), 10);
        let b = facts(RunId(6), &observations("b", &runs("GGGGGR", "b")), 10);
        assert_eq!(a.status, FailureStatus::Flaky);
        assert_eq!(cluster_status([&a, &b]), FailureStatus::Flaky);
        assert!(cluster_facts(std::iter::empty()).is_none());
    }
}
