//! "What changed": the same job in recent completed runs of the same
//! workflow, the last green run, and whether the failure is new, persistent
//! or flaky.
//!
//! Jobs are matched by exact name first (the same matrix shard has the same
//! name in every run); only when a run has no job of that exact name do we
//! fall back to the job's *family* (the name without shard/matrix suffixes),
//! and only when that family has exactly one job in the run — otherwise a
//! green shard 1 would wrongly vouch for a red shard 2.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ci_model::{FailureStatus, Job, RunId, Signal, WorkflowRun};

/// Strips trailing shard / matrix decorations:
/// `unit (3, 8)` → `unit`, `stage-b-test-2` → `stage-b-test`,
/// `e2e [2/4]` → `e2e`, `tests shard 3 of 8` → `tests`, `part-1-of-4` → `part`.
pub fn job_family(name: &str) -> String {
    let mut s = name.trim().to_string();
    loop {
        let before = s.clone();
        // `(…)` or `[…]` matrix parameters at the end
        if let Some(stripped) = strip_trailing_group(&s) {
            s = stripped;
        }
        // `shard 3`, `shard 3/8`, `shard 3 of 8`, `part-2`, `partition 1`
        let lower = s.to_ascii_lowercase();
        for kw in ["shard", "partition", "part", "split", "chunk"] {
            if let Some(pos) = lower.rfind(kw) {
                let rest = &s[pos + kw.len()..];
                if pos > 0 && is_index_suffix(rest) {
                    s = s[..pos].trim_end_matches([' ', '-', '_', '/', ':']).to_string();
                    break;
                }
            }
        }
        // trailing `-2`, `_2`, ` 2`, `-2-of-4`, ` 2/4`
        if let Some(pos) = s.rfind(|c: char| [' ', '-', '_'].contains(&c)) {
            if pos > 0 && is_index_suffix(&s[pos + 1..]) && !s[pos + 1..].is_empty() {
                s = s[..pos].trim_end_matches([' ', '-', '_']).to_string();
            }
        }
        if s == before || s.is_empty() {
            break;
        }
    }
    if s.is_empty() {
        name.trim().to_string()
    } else {
        s
    }
}

fn strip_trailing_group(s: &str) -> Option<String> {
    let open = if s.ends_with(')') {
        '('
    } else if s.ends_with(']') {
        '['
    } else {
        return None;
    };
    let pos = s.rfind(open)?;
    if pos == 0 {
        return None;
    }
    Some(s[..pos].trim_end().to_string())
}

/// `3`, `3/8`, `3 of 8`, `3-of-8`, with optional separators before.
fn is_index_suffix(rest: &str) -> bool {
    let t = rest.trim_start_matches([' ', '-', '_', ':', '#']);
    if t.is_empty() {
        return false;
    }
    let mut parts = t.split(['/', ' ', '-', '_']).filter(|p| !p.is_empty());
    let first = parts.next().unwrap_or("");
    if !first.chars().all(|c| c.is_ascii_digit()) || first.is_empty() {
        return false;
    }
    match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => true,
        (Some(n), None, _) => n.chars().all(|c| c.is_ascii_digit()),
        (Some("of"), Some(n), None) => n.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// One completed run's verdict on the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The run.
    pub run_id: RunId,
    /// Its page.
    pub run_url: String,
    /// Its head commit.
    pub head_sha: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The job's verdict in it.
    pub signal: Signal,
    /// Some attempt of this run was red and a later attempt green.
    pub passed_on_rerun: bool,
}

/// How a job's failure relates to its recent runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFacts {
    /// New, persistent, flaky or without history.
    pub status: FailureStatus,
    /// Red runs among the `considered` most recent completed runs with a verdict.
    pub red: usize,
    /// Runs with a verdict considered (at most the window).
    pub considered: usize,
    /// Length of the current red streak (runs, newest first, including this one).
    pub streak: usize,
    /// First red run of the current streak.
    pub first_red: Option<Observation>,
    /// Latest green run at or before this one.
    pub last_green: Option<Observation>,
}

impl HistoryFacts {
    /// `last_green_sha..first_red_sha`, the commits to look at.
    pub fn suspected_range(&self) -> Option<(&str, &str)> {
        match (&self.last_green, &self.first_red) {
            (Some(g), Some(r)) if g.head_sha != r.head_sha => Some((g.head_sha.as_str(), r.head_sha.as_str())),
            _ => None,
        }
    }
}

/// Finds the job's verdict in each run, newest run first. `runs` are the
/// workflow's recent runs with their jobs (all attempts); in-flight runs
/// are skipped: only completed runs count as evidence.
pub fn observations(job_name: &str, runs: &[(WorkflowRun, Vec<Job>)]) -> Vec<Observation> {
    let family = job_family(job_name);
    let mut obs: Vec<Observation> = runs
        .iter()
        .filter(|(run, _)| run.is_completed())
        .filter_map(|(run, jobs)| {
            let exact: Vec<&Job> = jobs.iter().filter(|j| j.name == job_name).collect();
            let matched = if exact.is_empty() {
                let fam: Vec<&Job> = jobs.iter().filter(|j| job_family(&j.name) == family).collect();
                let names: std::collections::BTreeSet<&str> = fam.iter().map(|j| j.name.as_str()).collect();
                if names.len() == 1 {
                    fam
                } else {
                    Vec::new()
                }
            } else {
                exact
            };
            // A successful run vouches for every job in it; its jobs are
            // not fetched (see `scan`), so there is nothing to match.
            let verdict = if matched.is_empty() && jobs.is_empty() && run.succeeded() {
                Some((Signal::Green, false))
            } else {
                verdict_of_attempts(&matched)
            };
            verdict.map(|(signal, passed_on_rerun)| Observation {
                run_id: run.id,
                run_url: run.html_url.clone(),
                head_sha: run.head_sha.clone(),
                created_at: run.created_at,
                signal,
                passed_on_rerun,
            })
        })
        .collect();
    obs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.run_id.cmp(&a.run_id)));
    obs
}

/// The run's verdict is its latest attempt; an earlier red attempt that a
/// later attempt turned green is remembered as a flake signal.
fn verdict_of_attempts(jobs: &[&Job]) -> Option<(Signal, bool)> {
    let mut by_attempt: BTreeMap<u32, Signal> = BTreeMap::new();
    for j in jobs {
        let o = j.signal();
        let slot = by_attempt.entry(j.run_attempt).or_insert(o);
        if o == Signal::Red {
            *slot = Signal::Red;
        }
    }
    let signals: Vec<Signal> = by_attempt.values().copied().filter(|o| *o != Signal::NoSignal).collect();
    let last = *signals.last()?;
    let passed_on_rerun = last == Signal::Green && signals.contains(&Signal::Red);
    Some((last, passed_on_rerun))
}

/// Classifies the failure of the job in `current_run_id` given its history
/// (newest first, as returned by [`observations`]), over at most `window` runs.
pub fn facts(current_run_id: RunId, history: &[Observation], window: usize) -> HistoryFacts {
    // Only runs up to and including the current one: a newer run's verdict
    // is "what happened after", not history of this failure.
    let start = history.iter().position(|o| o.run_id == current_run_id).unwrap_or(0);
    let recent: Vec<&Observation> = history[start..].iter().take(window.max(1)).collect();
    let red = recent.iter().filter(|o| o.signal == Signal::Red).count();
    let streak = recent.iter().take_while(|o| o.signal == Signal::Red).count();
    let first_red = if streak > 0 { Some(recent[streak - 1].clone()) } else { None };
    let last_green = history[start..].iter().find(|o| o.signal == Signal::Green).cloned();

    let same_sha_both = recent.iter().any(|r| {
        r.signal == Signal::Red && recent.iter().any(|g| g.signal == Signal::Green && g.head_sha == r.head_sha)
    });
    let rerun_passed = recent.iter().any(|o| o.passed_on_rerun);
    let transitions = recent.windows(2).filter(|w| w[0].signal != w[1].signal).count();
    let status = if recent.len() <= 1 && !rerun_passed {
        FailureStatus::NoHistory
    } else if same_sha_both || rerun_passed || (transitions >= 3 && red * 2 <= recent.len() + 1) {
        FailureStatus::Flaky
    } else if streak >= 2 {
        FailureStatus::Persistent
    } else {
        FailureStatus::New
    };
    HistoryFacts { status, red, considered: recent.len(), streak, first_red, last_green }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ci_model::{Conclusion, JobId, RunStatus};

    #[test]
    fn family_strips_matrix_and_shard_suffixes() {
        assert_eq!(job_family("unit (3, 8)"), "unit");
        assert_eq!(job_family("stage-b-test-small-1-gpu (5)"), "stage-b-test-small-1-gpu");
        assert_eq!(job_family("stage-b-test-2"), "stage-b-test");
        assert_eq!(job_family("e2e [2/4]"), "e2e");
        assert_eq!(job_family("tests shard 3 of 8"), "tests");
        assert_eq!(job_family("integration-part-2"), "integration");
        assert_eq!(job_family("build"), "build");
        assert_eq!(job_family("py3.12"), "py3.12");
        assert_eq!(job_family("(1)"), "(1)");
    }

    fn run(id: u64, sha: &str, hours: i64) -> WorkflowRun {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        WorkflowRun {
            id: RunId(id),
            head_sha: sha.into(),
            created_at: t0 + chrono::Duration::hours(hours),
            updated_at: Some(t0 + chrono::Duration::hours(hours + 1)),
            status: Some(RunStatus::Completed),
            conclusion: Some(Conclusion::Failure),
            html_url: format!("https://github.com/o/r/actions/runs/{id}"),
            ..Default::default()
        }
    }

    fn job(run_id: u64, attempt: u32, name: &str, conclusion: &str) -> Job {
        Job {
            id: JobId(run_id * 100 + attempt as u64),
            run_id: RunId(run_id),
            run_attempt: attempt,
            name: name.into(),
            status: Some(RunStatus::Completed),
            conclusion: Some(conclusion.into()),
            ..Default::default()
        }
    }

    /// `pattern` is oldest → newest, one char per run: R red, G green, C cancelled.
    fn history(pattern: &str) -> Vec<(WorkflowRun, Vec<Job>)> {
        pattern
            .chars()
            .enumerate()
            .map(|(i, c)| {
                let id = i as u64 + 1;
                let concl = match c {
                    'R' => "failure",
                    'G' => "success",
                    _ => "cancelled",
                };
                (run(id, &format!("sha{id:04}aaaa"), i as i64 * 6), vec![job(id, 1, "unit (1, 2)", concl)])
            })
            .collect()
    }

    #[test]
    fn persistent_failure_reports_streak_and_suspected_range() {
        let runs = history("GGRRRRR");
        let obs = observations("unit (1, 2)", &runs);
        let f = facts(RunId(7), &obs, 10);
        assert_eq!(f.status, FailureStatus::Persistent);
        assert_eq!((f.red, f.considered, f.streak), (5, 7, 5));
        assert_eq!(f.first_red.as_ref().unwrap().head_sha, "sha0003aaaa");
        assert_eq!(f.suspected_range(), Some(("sha0002aaaa", "sha0003aaaa")));
    }

    #[test]
    fn one_red_after_greens_is_new() {
        let f = facts(RunId(4), &observations("unit (1, 2)", &history("GGGR")), 10);
        assert_eq!(f.status, FailureStatus::New);
        assert_eq!((f.red, f.considered), (1, 4));
        assert_eq!(f.first_red.as_ref().unwrap().head_sha, "sha0004aaaa");
    }

    #[test]
    fn alternating_is_flaky_and_cancelled_runs_are_no_evidence() {
        let f = facts(RunId(8), &observations("unit (1, 2)", &history("RGRCGRGR")), 10);
        assert_eq!(f.status, FailureStatus::Flaky);
        assert_eq!(f.considered, 7, "the cancelled run is not evidence");
    }

    #[test]
    fn rerun_that_passed_is_flaky() {
        let mut runs = history("GGR");
        runs[2].1.push(job(3, 2, "unit (1, 2)", "success"));
        runs[1].1.push(job(2, 2, "unit (1, 2)", "success"));
        runs[1].1[0].conclusion = Some("failure".into());
        let obs = observations("unit (1, 2)", &runs);
        assert!(obs[1].passed_on_rerun);
        let f = facts(RunId(3), &obs, 10);
        assert_eq!(f.status, FailureStatus::Flaky);
    }

    #[test]
    fn red_and_green_on_same_commit_is_flaky() {
        let mut runs = history("GRR");
        runs[0].0.head_sha = runs[2].0.head_sha.clone();
        let f = facts(RunId(3), &observations("unit (1, 2)", &runs), 10);
        assert_eq!(f.status, FailureStatus::Flaky);
    }

    #[test]
    fn in_flight_runs_are_not_evidence_and_newer_runs_are_not_history() {
        let mut runs = history("GRRG");
        runs.push((run(9, "shaxxxx", 100), vec![job(9, 1, "unit (1, 2)", "failure")]));
        runs[4].0.status = Some(RunStatus::InProgress);
        let obs = observations("unit (1, 2)", &runs);
        assert_eq!(obs.len(), 4);
        let f = facts(RunId(3), &obs, 10);
        assert_eq!(f.status, FailureStatus::Persistent);
        assert_eq!(f.streak, 2);
        assert_eq!(f.last_green.unwrap().run_id, 1);
    }

    #[test]
    fn only_run_is_no_history() {
        let f = facts(RunId(1), &observations("unit (1, 2)", &history("R")), 10);
        assert_eq!(f.status, FailureStatus::NoHistory);
        assert_eq!(f.suspected_range(), None);
    }

    #[test]
    fn family_fallback_only_when_unambiguous() {
        let mut runs = history("GR");
        runs[0].1 = vec![job(1, 1, "unit (1, 4)", "success")];
        let obs = observations("unit (1, 2)", &runs);
        assert_eq!(obs.len(), 2, "renamed matrix still matches by family");
        runs[0].1.push(job(1, 1, "unit (2, 4)", "failure"));
        let obs = observations("unit (1, 2)", &runs);
        assert_eq!(obs.len(), 1, "two shards of the family: ambiguous, no evidence");
    }

    #[test]
    fn successful_run_without_fetched_jobs_is_green() {
        let mut runs = history("RR");
        runs.insert(0, (run(0, "sha0000aaaa", -6), vec![]));
        runs[0].0.conclusion = Some("success".into());
        let f = facts(RunId(2), &observations("unit (1, 2)", &runs), 10);
        assert_eq!(f.last_green.unwrap().run_id, 0);
        assert_eq!(f.status, FailureStatus::Persistent);
    }

    #[test]
    fn window_limits_counts() {
        let f = facts(RunId(10), &observations("unit (1, 2)", &history("RRRRRGGGGR")), 3);
        assert_eq!((f.red, f.considered), (1, 3));
        assert_eq!(f.last_green.unwrap().run_id, 9);
    }
}
