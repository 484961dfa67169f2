//! Symptom clusters: failures grouped by fingerprint across jobs (and across
//! workflows for the daily summary).
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
    /// The shared fingerprint (cluster identity).
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

/// Group failures of `jobs` (tagged with their workflow) by fingerprint.
/// `facts` is looked up by fingerprint.
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
        if job.failures.is_empty() {
            if let Some(fp) = &job.fingerprint {
                let title = job.headline.clone().or_else(|| job.category.map(|c| c.to_string())).unwrap_or_default();
                add(fp, 0, &title, None, job_url.clone());
            }
        }
        for (i, f) in job.failures.iter().enumerate() {
            let link = f.anchor.map_or_else(|| job_url.clone(), |a| a.url(&job_url));
            // A failing test often has no message line of its own (the runner
            // printed only the id); an empty cluster title reads as a blank row.
            let title = if f.message.trim().is_empty() {
                f.test_id().or_else(|| job.headline.clone()).unwrap_or_default()
            } else {
                f.message.clone()
            };
            add(&f.fingerprint, i, &title, f.test_id(), link);
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
