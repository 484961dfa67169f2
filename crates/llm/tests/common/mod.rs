//! Test support: engine facts from real logs (through `ci_llm::engine`, the
//! mapping the monitor uses), and the demo scenario's job logs.

#![allow(dead_code)]

use ci_llm::facts::{JobFacts, PickFacts};
use ci_triage::{Analysis, RuleSet};

/// Analyse `log` with the built-in rules.
pub fn analyze(log: &str) -> Analysis {
    ci_triage::analyze(log.as_bytes(), &RuleSet::builtin())
}

/// `JobFacts` from an analysis: the engine's part through the one
/// conversion the monitor uses (`ci_llm::engine`), with a job's identity.
pub fn job_facts(repo: &str, workflow: &str, job: &str, a: &Analysis) -> JobFacts {
    JobFacts {
        repo: repo.into(),
        workflow: workflow.into(),
        job: job.into(),
        head_sha: Some("1a2b3c4d5e6f".into()),
        ..ci_llm::engine::job_facts(a)
    }
}

/// The pick task's facts, as the monitor builds them (`None`: the engine's
/// line is specific, or fewer than two candidates).
pub fn pick_facts(job: &str, a: &Analysis) -> Option<PickFacts> {
    let fingerprints = a.failures.iter().map(|f| f.fingerprint.clone()).collect();
    ci_llm::engine::pick_facts(job, a, &RuleSet::builtin(), fingerprints)
}

/// A failed job of the demo scenario.
pub struct DemoJob {
    pub workflow: String,
    pub job: String,
    pub run_created: String,
    pub log: String,
}

/// Every job of `scenarios/demo/scenario.yaml` that has a log.
pub fn demo_jobs() -> Vec<DemoJob> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/demo/scenario.yaml");
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for repo in doc["repos"].as_sequence().unwrap() {
        for run in repo["runs"].as_sequence().map(|s| s.as_slice()).unwrap_or(&[]) {
            for job in run["jobs"].as_sequence().map(|s| s.as_slice()).unwrap_or(&[]) {
                if let Some(log) = job["log"].as_str() {
                    out.push(DemoJob {
                        workflow: run["workflow"].as_str().unwrap_or("").into(),
                        job: job["name"].as_str().unwrap_or("").into(),
                        run_created: run["created_at"].as_str().unwrap_or("").into(),
                        log: log.into(),
                    });
                }
            }
        }
    }
    out
}
