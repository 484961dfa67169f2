//! Clusters: failures grouped by cause ([`crate::cause`]) across tests,
//! jobs and workflows (the daily summary groups every workflow).
//!
//! Ordering is a pure function of the data (not of input order), so every
//! writer renders the same text: clusters by distinct job count descending,
//! then fingerprint; occurrences by (workflow, job id, test).

use std::collections::{BTreeMap, BTreeSet};

use ci_model::JobId;

use crate::model::{ClusterFacts, JobReport};

/// One place a cluster was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// Workflow file name.
    pub workflow: String,
    /// Job id.
    pub job_id: JobId,
    /// Job name.
    pub job_name: String,
    /// `file::function` (or file) when the failure is a test.
    pub test: Option<String>,
    /// Deep link to the log line, or the job page.
    pub link: String,
}

/// A group of failures sharing one fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterView {
    /// The cause id (cluster identity, `v2:…`).
    pub fingerprint: String,
    /// Representative one-line message (from the lowest job id).
    pub title: String,
    /// Where it was seen, sorted.
    pub occurrences: Vec<Occurrence>,
    /// History facts, when the caller computed them.
    pub facts: Option<ClusterFacts>,
}

impl ClusterView {
    /// Distinct (workflow, job) pairs affected.
    pub fn job_count(&self) -> usize {
        self.occurrences.iter().map(|o| (&o.workflow, o.job_id)).collect::<BTreeSet<_>>().len()
    }

    /// Distinct workflows affected.
    pub fn workflows(&self) -> BTreeSet<&str> {
        self.occurrences.iter().map(|o| o.workflow.as_str()).collect()
    }

    /// Distinct test ids affected.
    pub fn tests(&self) -> BTreeSet<&str> {
        self.occurrences.iter().filter_map(|o| o.test.as_deref()).collect()
    }
}

/// Short display form of a fingerprint: `fp:` + its first 8 alphanumeric
/// chars (fingerprints are hex, but this is rendered unescaped, so anything
/// else is dropped).
pub fn short_fp(fp: &str) -> String {
    // Skip a version prefix such as `v1:`.
    let hash = fp.rsplit(':').next().unwrap_or(fp);
    format!("fp:{}", hash.chars().filter(char::is_ascii_alphanumeric).take(8).collect::<String>())
}

/// Group failures of `jobs` (tagged with their workflow) by cause.
/// `facts` is looked up by cause id.
pub fn cluster<'a>(
    jobs: impl IntoIterator<Item = (&'a str, &'a JobReport)>,
    facts: &BTreeMap<String, ClusterFacts>,
) -> Vec<ClusterView> {
    // fingerprint -> (representative title keyed by (workflow, job, index), occurrences)
    type TitleKey = (String, JobId, usize);
    type Entry = (Option<(TitleKey, String)>, BTreeSet<Occurrence>);
    let mut map: BTreeMap<String, Entry> = BTreeMap::new();
    for (workflow, job) in jobs {
        let job_url = job.job_page_url();
        let mut add = |fp: &str, idx: usize, title: &str, test: Option<String>, link: String| {
            if fp.is_empty() {
                return;
            }
            let entry = map.entry(fp.to_string()).or_default();
            let key = (workflow.to_string(), job.job_id, idx);
            if entry.0.as_ref().is_none_or(|(k, _)| key < *k) {
                entry.0 = Some((key, title.to_string()));
            }
            entry.1.insert(Occurrence {
                workflow: workflow.to_string(),
                job_id: job.job_id,
                job_name: job.name.clone(),
                test,
                link,
            });
        };
        for (ci, cause) in job.causes().into_iter().enumerate() {
            let tests: Vec<(usize, String)> =
                cause.failures.iter().filter_map(|&i| job.failures[i].test_id().map(|t| (i, t))).collect();
            let link_of = |i: usize| job.failures[i].anchor.map_or_else(|| job_url.clone(), |a| a.url(&job_url));
            if tests.is_empty() {
                let link = cause.failures.first().map_or_else(|| job_url.clone(), |&i| link_of(i));
                add(&cause.id, ci, &cause.title, None, link);
            }
            for (i, test) in tests {
                add(&cause.id, ci, &cause.title, Some(test), link_of(i));
            }
        }
    }
    let mut out: Vec<ClusterView> = map
        .into_iter()
        .map(|(fp, (title, occ))| ClusterView {
            facts: facts.get(&fp).cloned(),
            title: title.map(|(_, t)| t).unwrap_or_default(),
            fingerprint: fp,
            occurrences: occ.into_iter().collect(),
        })
        .collect();
    out.sort_by(|a, b| b.job_count().cmp(&a.job_count()).then_with(|| a.fingerprint.cmp(&b.fingerprint)));
    out
}
