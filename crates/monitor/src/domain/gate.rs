//! Gate / coordinator jobs (`finish`, `wait-for-*`, "Check all dependent job
//! statuses"): they fail only because another job failed, so analysing them
//! duplicates the real failure and their logs hold nothing useful.

use crate::config::Config;
use ci_model::Job;
use crate::domain::pattern::any_matches;

/// Whether `job` is a gate: its name matches `gate-jobs`, or every failed step matches `gate-steps`.
pub fn is_gate_job(job: &Job, cfg: &Config) -> bool {
    if any_matches(&cfg.gate_jobs, &job.name) {
        return true;
    }
    let failed = job.failed_steps();
    !failed.is_empty() && failed.iter().all(|s| any_matches(&cfg.gate_steps, &s.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ci_model::{Conclusion, RunStatus, Step};

    fn job(name: &str, failed_steps: &[&str]) -> Job {
        Job {
            name: name.into(),
            status: Some(RunStatus::Completed),
            conclusion: Some(Conclusion::Failure),
            steps: failed_steps
                .iter()
                .enumerate()
                .map(|(i, s)| Step { number: i as u32 + 1, name: (*s).into(), conclusion: Some(Conclusion::Failure), ..Default::default() })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn gate_by_name_is_anchored() {
        let cfg = Config::default();
        assert!(is_gate_job(&job("finish", &[]), &cfg));
        assert!(is_gate_job(&job("wait-for-stage-b", &[]), &cfg));
        assert!(is_gate_job(&job("check-all-jobs", &[]), &cfg));
        assert!(!is_gate_job(&job("test-finish-handler", &["Run tests"]), &cfg));
    }

    #[test]
    fn gate_by_failed_steps_needs_all_of_them_to_be_gate_steps() {
        let cfg = Config::default();
        assert!(is_gate_job(&job("pr-test-done", &["Check all dependent job statuses"]), &cfg));
        assert!(is_gate_job(&job("barrier", &["Wait for stage-a jobs to complete"]), &cfg));
        assert!(!is_gate_job(&job("barrier", &["Wait for stage-a jobs to complete", "Run tests"]), &cfg));
        assert!(!is_gate_job(&job("unit", &[]), &cfg), "no failed step, no evidence of a gate");
    }

    #[test]
    fn config_can_replace_the_patterns() {
        let (cfg, w) = Config::parse("gate-jobs: ['/^gate-\\d+$/']\ngate-steps: []\n");
        assert!(w.is_empty());
        assert!(is_gate_job(&job("gate-3", &[]), &cfg));
        assert!(!is_gate_job(&job("finish", &[]), &cfg));
        assert!(!is_gate_job(&job("x", &["Check all dependent job statuses"]), &cfg));
    }
}
