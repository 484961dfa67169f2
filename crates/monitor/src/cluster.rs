//! Symptom clusters: failed jobs grouped by failure fingerprint, across jobs
//! and across workflows. The fingerprint comes from the triage engine
//! (normalised message + rule + test id), so the same OOM in six shards of
//! two workflows is one cluster with eight members, not eight problems.

use std::collections::{BTreeMap, BTreeSet};

use ci_report::{ClusterFacts, JobReport};

use crate::history::{FailureStatus, HistoryFacts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMember {
    pub workflow: String,
    pub job_id: u64,
    pub job_name: String,
    pub job_url: String,
    pub run_url: String,
    pub head_sha: Option<String>,
    /// Test ids of this job in the cluster (empty for non-test failures).
    pub tests: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub fingerprint: String,
    /// One-line symptom (raw; escape when rendering).
    pub headline: String,
    pub category: Option<String>,
    pub members: Vec<ClusterMember>,
}

impl Cluster {
    pub fn workflows(&self) -> BTreeSet<&str> {
        self.members.iter().map(|m| m.workflow.as_str()).collect()
    }

    pub fn job_count(&self) -> usize {
        self.members.iter().map(|m| m.job_id).collect::<BTreeSet<_>>().len()
    }
}

/// Groups jobs by fingerprint. A job with several distinct failures joins
/// several clusters. Order: biggest cluster first, then by fingerprint, so
/// concurrent rebuilds render identical text.
pub fn cluster_jobs<'a>(jobs: impl IntoIterator<Item = (&'a str, &'a JobReport)>) -> Vec<Cluster> {
    let mut by_fp: BTreeMap<String, Cluster> = BTreeMap::new();
    let mut seen: BTreeSet<(String, u64)> = BTreeSet::new();
    for (workflow, job) in jobs {
        for fp in job.fingerprints() {
            if !seen.insert((fp.clone(), job.job_id)) {
                continue;
            }
            let failures: Vec<_> = job.failures.iter().filter(|f| f.fingerprint == fp).collect();
            let headline = failures
                .first()
                .map(|f| f.message.clone())
                .or_else(|| job.headline.clone())
                .unwrap_or_else(|| "(no failure line recognised)".into());
            let cluster = by_fp.entry(fp.clone()).or_insert_with(|| Cluster {
                fingerprint: fp.clone(),
                headline,
                category: job.category.clone(),
                members: Vec::new(),
            });
            cluster.members.push(ClusterMember {
                workflow: workflow.to_string(),
                job_id: job.job_id,
                job_name: job.name.clone(),
                job_url: job.job_page_url(),
                run_url: job.run_url.clone(),
                head_sha: job.head_sha.clone(),
                tests: failures.iter().filter_map(|f| f.test_id()).collect(),
            });
        }
    }
    let mut out: Vec<Cluster> = by_fp.into_values().collect();
    for c in &mut out {
        c.members.sort_by(|a, b| (&a.workflow, &a.job_name, a.job_id).cmp(&(&b.workflow, &b.job_name, b.job_id)));
    }
    out.sort_by(|a, b| b.job_count().cmp(&a.job_count()).then_with(|| a.fingerprint.cmp(&b.fingerprint)));
    out
}

/// A cluster's facts are those of its most persistent member job: the
/// longest current red streak is the strongest evidence of when it started.
pub fn cluster_facts<'a>(members: impl IntoIterator<Item = &'a HistoryFacts>) -> Option<ClusterFacts> {
    let best = members.into_iter().max_by(|a, b| {
        (a.streak, a.red, std::cmp::Reverse(a.considered)).cmp(&(b.streak, b.red, std::cmp::Reverse(b.considered)))
    })?;
    Some(ClusterFacts {
        red_runs: best.red as u32,
        runs_considered: best.considered as u32,
        since_sha: best.first_red.as_ref().map(|o| o.head_sha.clone()),
        last_green_sha: best.last_green.as_ref().map(|o| o.head_sha.clone()),
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
    use ci_report::FailureView;

    fn job(id: u64, name: &str, fps: &[(&str, Option<&str>)]) -> JobReport {
        JobReport {
            job_id: id,
            name: name.into(),
            run_url: format!("https://github.com/o/r/actions/runs/{}", id / 10),
            failures: fps
                .iter()
                .map(|(fp, test)| FailureView {
                    test_file: test.map(|t| t.to_string()),
                    message: format!("error {fp}"),
                    fingerprint: fp.to_string(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn same_fingerprint_across_workflows_is_one_cluster() {
        let a = job(11, "gpu-1", &[("oom", None)]);
        let b = job(12, "gpu-2", &[("oom", None), ("assert", Some("test_x.py"))]);
        let c = job(21, "nightly-gpu", &[("oom", None)]);
        let clusters = cluster_jobs([("pr.yml", &a), ("pr.yml", &b), ("nightly.yml", &c)]);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].fingerprint, "oom");
        assert_eq!(clusters[0].job_count(), 3);
        assert_eq!(clusters[0].workflows().len(), 2);
        assert_eq!(clusters[1].members[0].tests, vec!["test_x.py"]);
    }

    #[test]
    fn job_without_failures_uses_its_job_fingerprint_and_headline() {
        let mut j = job(1, "build", &[]);
        j.fingerprint = Some("jobfp".into());
        j.headline = Some("linker error".into());
        let clusters = cluster_jobs([("ci.yml", &j)]);
        assert_eq!(clusters[0].headline, "linker error");
    }

    #[test]
    fn duplicate_failures_in_one_job_count_once() {
        let j = job(1, "t", &[("fp", Some("a.py")), ("fp", Some("b.py"))]);
        let clusters = cluster_jobs([("ci.yml", &j), ("ci.yml", &j)]);
        assert_eq!(clusters[0].members.len(), 1);
        assert_eq!(clusters[0].members[0].tests, vec!["a.py", "b.py"]);
    }
}
