//! `ci-pr-status`: "can I merge?" for a pull request, as data.
//!
//! [`compute`] takes the jobs that ran at the pull request's head, on its
//! base and elsewhere (with their triaged logs) and returns the
//! [`CiStatusReport`] that `ci-report` renders: one verdict per failed job
//! of the latest attempt, each with the evidence that justifies it, and
//! what CI did not test. Pure: no I/O, no clock (the caller passes `now`).
//!
//! - [`verdict`]: the cascade (NEW / FLAKY / BROKEN ON BASE / INFRA /
//!   UNCLASSIFIED) and its evidence;
//! - [`signals`]: generic captures, machine-level failures, job identity;
//! - [`coverage`]: changed files → the suites that should test them,
//!   with `register_amd_ci(suite=…)` as a built-in extractor;
//! - [`input`]: what the caller gathers.

#![warn(missing_docs)]

pub mod coverage;
pub mod input;
pub mod signals;
pub mod verdict;

use std::collections::{BTreeMap, BTreeSet};

use ci_report::pr_model::{CiStatusReport, Completeness, JobRef, NotTested, NotTestedReason, StatusNote};
use serde::{Deserialize, Serialize};

pub use coverage::{CoverageConfig, Expected, SuiteRef};
pub use input::{Inputs, JobRun, PrFacts, RunFacts};
pub use verdict::Window;

/// `ci-status` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct StatusConfig {
    /// Which jobs must test which changes.
    pub coverage: CoverageConfig,
    /// Longest evidence window, in days: past it, failures on other commits
    /// are not searched (a stale merge base matches too much, as Dr. CI
    /// found) and the comment says so.
    pub max_window_days: i64,
    /// Also post or refresh the comment on every completed workflow run of
    /// a pull request (`workflow_run: completed`, or a watcher's poll), as
    /// Dr. CI does, not only when someone asks.
    pub on_workflow_run: bool,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig { coverage: CoverageConfig::default(), max_window_days: 7, on_workflow_run: false }
    }
}

/// For each job of each run, its latest attempt.
fn latest_attempts(jobs: &[JobRun]) -> Vec<&JobRun> {
    let mut best: BTreeMap<(u64, &str), &JobRun> = BTreeMap::new();
    for j in jobs {
        let e = best.entry((j.run_id, j.name.as_str())).or_insert(j);
        if j.attempt > e.attempt {
            *e = j;
        }
    }
    best.into_values().collect()
}

/// The window base and elsewhere evidence must fall in: from a day before
/// the merge base to the newest job at the head (`now` before any ran).
/// The caller gathering `Inputs::elsewhere` reads only inside it.
pub fn evidence_window(pr: &PrFacts, head: &[JobRun], now: chrono::DateTime<chrono::Utc>, cfg: &StatusConfig) -> Window {
    let head_at = head.iter().filter(|j| j.sha == pr.head_sha).map(|j| j.at).max().unwrap_or(now);
    Window::new(pr.merge_base_at, head_at, cfg.max_window_days.max(1))
}

/// The status of the pull request in `inputs`.
pub fn compute(inputs: &Inputs, cfg: &StatusConfig, bot_name: &str) -> CiStatusReport {
    let pr = &inputs.pr;
    let head: Vec<&JobRun> = inputs.head.iter().filter(|j| j.sha == pr.head_sha).collect();
    let head_owned: Vec<JobRun> = head.iter().map(|j| (*j).clone()).collect();
    let latest_all = latest_attempts(&head_owned);
    // A job that ran in several runs of its workflow at this commit (a
    // re-trigger) is judged by its newest run; the older ones are evidence
    // (a pass there is a pass on retry).
    let mut newest_run: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for j in &latest_all {
        let e = newest_run.entry((j.workflow.as_str(), j.name.as_str())).or_insert(j.run_id);
        *e = (*e).max(j.run_id);
    }
    let latest: Vec<&JobRun> = latest_all
        .iter()
        .copied()
        .filter(|j| newest_run.get(&(j.workflow.as_str(), j.name.as_str())) == Some(&j.run_id))
        .collect();

    let window = evidence_window(pr, &inputs.head, inputs.now, cfg);
    let retried = verdict::retried_green(&inputs.elsewhere).into_iter().chain(verdict::retried_green(&inputs.base)).collect();
    let cx = verdict::Context {
        head: verdict::ByKey::new(&head_owned),
        base: verdict::ByKey::new(&inputs.base),
        elsewhere: verdict::ByKey::new(&inputs.elsewhere),
        retried,
        head_ref: &pr.head_ref,
        author: &pr.author,
        merge_base: pr.merge_base.as_deref(),
        window,
    };

    // First failed job of each run: what a skipped job waited for.
    // A real job is named over a gate.
    let mut first_red: BTreeMap<u64, (bool, &str)> = BTreeMap::new();
    for j in latest.iter().filter(|j| j.is_red()) {
        let e = first_red.entry(j.run_id).or_insert((j.gate, j.name.as_str()));
        if (j.gate, j.name.as_str()) < *e {
            *e = (j.gate, j.name.as_str());
        }
    }
    let failed_in_run: BTreeMap<u64, String> = first_red.into_iter().map(|(run, (_, name))| (run, name.to_string())).collect();

    let mut verdicts = Vec::new();
    let mut fingerprints = Vec::new();
    let mut completeness = Completeness::default();
    let mut passed = 0u32;
    let mut pending = Vec::new();
    let mut logs_unavailable = 0u32;
    for j in &latest {
        if j.is_pending() {
            pending.push(j.job_ref());
        } else if j.is_red() && j.gate {
            completeness.failed_gates.push(j.job_ref());
        } else if j.is_red() {
            let v = verdict::judge(j, &cx);
            if j.ran && j.report.as_ref().is_none_or(|r| r.outcome != ci_report::JobOutcome::Analyzed) {
                logs_unavailable += 1;
            }
            fingerprints.push(
                j.report.as_ref().filter(|r| r.outcome == ci_report::JobOutcome::Analyzed).map(verdict::specific_fingerprints).unwrap_or_default(),
            );
            verdicts.push(v);
        } else if j.is_green() || j.conclusion.as_deref() == Some("neutral") {
            passed += 1;
        } else {
            let reason = coverage::reason_for(j, failed_in_run.get(&j.run_id).map(String::as_str));
            completeness.not_tested.push(NotTested { job: j.job_ref(), reason });
        }
    }
    verdict::second_pass(&mut verdicts, &fingerprints);

    // Runs that never got jobs.
    let runs_with_jobs: BTreeSet<u64> = latest.iter().map(|j| j.run_id).collect();
    for r in inputs.head_runs.iter().filter(|r| !runs_with_jobs.contains(&r.run_id)) {
        let reason = match (r.status.as_str(), r.conclusion.as_deref()) {
            (_, Some("action_required")) | ("waiting", _) => NotTestedReason::AwaitingApproval,
            (_, Some("startup_failure")) => NotTestedReason::StartupFailure,
            ("completed", Some("success")) | ("completed", Some("skipped")) => continue,
            ("completed", Some(c)) => NotTestedReason::Other { conclusion: c.to_string() },
            _ => {
                pending.push(JobRef { workflow: r.workflow.clone(), name: "(queued)".into(), url: r.url.clone(), ..Default::default() });
                continue;
            }
        };
        let job = JobRef { workflow: r.workflow.clone(), name: "(whole workflow)".into(), url: r.url.clone(), sha: pr.head_sha.clone(), ..Default::default() };
        completeness.not_tested.push(NotTested { job, reason });
    }

    completeness.untested_changes =
        coverage::untested(&inputs.expected, &latest, |run| failed_in_run.get(&run).cloned());

    verdicts.sort_by(|a, b| (a.verdict, &a.job.workflow, &a.job.name).cmp(&(b.verdict, &b.job.workflow, &b.job.name)));
    completeness.not_tested.sort_by(|a, b| (&a.job.workflow, &a.job.name).cmp(&(&b.job.workflow, &b.job.name)));
    pending.sort_by(|a, b| (&a.workflow, &a.name).cmp(&(&b.workflow, &b.name)));

    let mut notes = Vec::new();
    if pr.head_deleted {
        notes.push(StatusNote::HeadBranchDeleted);
    }
    if pr.files_truncated {
        notes.push(StatusNote::FilesTruncated { listed: pr.changed_files.len() as u32 });
    }
    if pr.merge_base.is_none() {
        notes.push(StatusNote::NoMergeBase);
    }
    if !window.search_elsewhere {
        let since = pr.merge_base_at.unwrap_or(window.from);
        notes.push(StatusNote::StaleBase { days: (inputs.now - since).num_days() });
    }
    if logs_unavailable > 0 {
        notes.push(StatusNote::LogsUnavailable { jobs: logs_unavailable });
    }

    CiStatusReport {
        repo: pr.repo.clone(),
        server_url: pr.server_url.clone(),
        pr: pr.number,
        head_sha: pr.head_sha.clone(),
        merge_base: pr.merge_base.clone(),
        merge_base_at: pr.merge_base_at,
        base_ref: pr.base_ref.clone(),
        verdicts,
        passed,
        pending,
        completeness,
        notes,
        generated_at: inputs.now,
        bot_name: bot_name.to_string(),
        llm: Default::default(),
    }
}
