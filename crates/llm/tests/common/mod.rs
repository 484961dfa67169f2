//! Test support: engine facts from real logs (the same mapping the monitor
//! will do), and the demo scenario's job logs.

#![allow(dead_code)]

use ci_llm::facts::{CountsFact, JobFacts, KeyLine, LogLine, PickFacts, TestFact};
use ci_triage::{Analysis, RuleSet};

/// Analyse `log` with the built-in rules.
pub fn analyze(log: &str) -> Analysis {
    ci_triage::analyze(log.as_bytes(), &RuleSet::builtin())
}

/// Lines `line-around ..= line+around` of `log`, cleaned (timestamps and ANSI off).
pub fn window(log: &str, line: u32, around: u32) -> Vec<LogLine> {
    let lines: Vec<&str> = log.split('\n').collect();
    let from = line.saturating_sub(around).max(1);
    let to = (line + around).min(lines.len() as u32);
    (from..=to)
        .map(|no| {
            let mut text = String::new();
            ci_triage::clean::clean_line(lines[no as usize - 1].as_bytes(), &mut text);
            LogLine { no, text }
        })
        .collect()
}

/// `JobFacts` from an analysis and its log: what the monitor hands the LLM
/// layer. Key lines come with their neighbours read from the log.
pub fn job_facts(repo: &str, workflow: &str, job: &str, a: &Analysis, log: &str) -> JobFacts {
    JobFacts {
        repo: repo.into(),
        workflow: workflow.into(),
        job: job.into(),
        head_sha: Some("1a2b3c4d5e6f".into()),
        failing_step: a.failing_step.clone(),
        category: a.verdict.category.to_string(),
        flaky: a.verdict.flaky,
        rule: a.verdict.rule.clone(),
        failing_tests: a
            .failures
            .iter()
            .filter_map(|f| f.test.as_ref().map(|t| TestFact { id: t.id.clone(), message: f.message.clone(), line: f.line }))
            .collect(),
        key_lines: a
            .key_lines
            .iter()
            .take(3)
            .map(|&line| KeyLine {
                line,
                rule: a.excerpts.iter().find(|e| e.line == line).map(|e| e.rule.clone()).unwrap_or_default(),
                context: window(log, line, 2),
            })
            .collect(),
        counts: a.counts.as_ref().map(|c| CountsFact { run: c.run, passed: c.passed, failed: c.failed, skipped: c.skipped }),
        fingerprints: a.failures.iter().map(|f| f.fingerprint.clone()).collect(),
        ..Default::default()
    }
}

/// The pick task's facts: the engine's key lines (up to 20) as candidates.
pub fn pick_facts(job: &str, a: &Analysis, log: &str) -> PickFacts {
    let candidates = a.key_lines.iter().flat_map(|&l| window(log, l, 0)).collect();
    PickFacts {
        job: job.into(),
        failing_step: a.failing_step.clone(),
        category: a.verdict.category.to_string(),
        candidates,
        fingerprints: a.failures.iter().map(|f| f.fingerprint.clone()).collect(),
    }
}

/// Is the engine's best line generic (so the pick task applies)?
pub fn generic(a: &Analysis) -> bool {
    let rules = RuleSet::builtin();
    let prio = a.verdict.rule.as_deref().and_then(|r| {
        if r.starts_with("runner:") { Some(62) } else { rules.get(r).map(|r| r.priority) }
    });
    ci_llm::pick::engine_line_is_generic(prio, a.verdict.basis.as_deref())
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
