//! View-model types: what the renderers take and what the parsers give back.
//!
//! They are deliberately independent of `ci-triage`'s types so rendering and
//! the stored formats do not change when the engine's internals do; the
//! monitor fills them (see `crate::adapt` for helpers). Everything that is
//! persisted inside a per-job block (`JobReport`) round-trips exactly through
//! render → parse: see the round-trip tests in `workflow_comment`.
//!
//! Conventions:
//! - Strings coming from logs/PRs/LLMs are stored raw; renderers escape them
//!   with [`crate::safe`]. Never pre-escape.
//! - Times are passed in by the caller; nothing here reads a clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ci_model::{Conclusion, FailureStatus, JobId, RunId};
use ci_triage::Category;
use serde::{Deserialize, Serialize};

/// A line in a job log as GitHub's job page anchors it:
/// `<job html_url>#step:<step>:<line>` (both 1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogAnchor {
    /// 1-based step number as in the job's `steps[].number`.
    pub step: u32,
    /// 1-based line within that step's log.
    pub line: u32,
}

impl LogAnchor {
    /// Deep link to this line on the job page.
    pub fn url(&self, job_url: &str) -> String {
        format!("{job_url}#step:{}:{}", self.step, self.line)
    }
}

/// One failing test (or, for non-test failures, one failure symptom) in a job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FailureView {
    /// Test file, e.g. `test/srt/test_foo.py`; `None` for non-test failures.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "file")]
    pub test_file: Option<String>,
    /// Test function, e.g. `TestFoo::test_bar`; `None` if unknown.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "func")]
    pub test_function: Option<String>,
    /// One-line error (raw; escaped when rendered).
    #[serde(rename = "msg")]
    pub message: String,
    /// Stable symptom fingerprint from the triage engine; the cluster key.
    #[serde(rename = "fp")]
    pub fingerprint: String,
    /// Where the key line of this failure is in the job log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<LogAnchor>,
    /// Key log lines (raw), shown in a code block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excerpt: Vec<String>,
}

impl FailureView {
    /// `file::function`, `file`, or `None` for non-test failures: the
    /// test-level identity used in tables and by the tracker.
    pub fn test_id(&self) -> Option<String> {
        match (&self.test_file, &self.test_function) {
            // Go ids continue the package path with `/Test…`.
            (Some(f), Some(func)) if func.starts_with('/') => Some(format!("{f}{func}")),
            (Some(f), Some(func)) => Some(format!("{f}::{func}")),
            (Some(f), None) => Some(f.clone()),
            (None, Some(func)) => Some(func.clone()),
            (None, None) => None,
        }
    }
}

/// Whether the analysis of a job completed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobOutcome {
    /// Triage produced a result.
    #[default]
    Analyzed,
    /// Analysis did not complete (log download failed, timeout, …). The job
    /// still counts as processed so it is not retried forever.
    Incomplete {
        /// One-line reason shown to readers.
        reason: String,
    },
}

/// One failed job of a workflow run, as rendered in a `<details>` block.
///
/// `job_id`, `run_url`, `started_at`, `name` and `failed_steps` are also in
/// the old block shape (`data-*` attributes and `<summary>`), so blocks
/// written by the old bot parse into this type too (with `legacy = true`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JobReport {
    /// GitHub job id (never 0).
    #[serde(skip)]
    pub job_id: JobId,
    /// Job name as GitHub shows it (matrix shard included).
    #[serde(default)]
    pub name: String,
    /// Run html url, e.g. `https://github.com/o/r/actions/runs/123`.
    #[serde(skip)]
    pub run_url: String,
    /// Job `started_at` as GitHub's ISO string (kept verbatim for the
    /// `data-started-at` attribute); `None` if unknown.
    #[serde(skip)]
    pub started_at: Option<String>,
    /// Names of the failed steps, in step order.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "steps")]
    pub failed_steps: Vec<String>,
    /// Job html url; when empty, `<run_url>/job/<job_id>` is used.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_url: String,
    /// Head commit of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// Job conclusion (`failure`, `timed_out`, `cancelled`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
    /// Whether the analysis completed.
    #[serde(default)]
    pub outcome: JobOutcome,
    /// Triage category. A word this bot does not know (a newer bot wrote
    /// it) reads as `None` rather than making the whole block unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_category")]
    pub category: Option<Category>,
    /// Job-level fingerprint (used as the cluster key when `failures` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "fp")]
    pub fingerprint: Option<String>,
    /// One-line headline of the failure (used when `failures` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Failing tests / symptoms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<FailureView>,
    /// Failures triage found, when more than `failures` keeps (a cap never
    /// cuts silently: the block says "+N more … (M in all)"); 0 = all kept.
    #[serde(default, skip_serializing_if = "is_zero", rename = "total")]
    pub failures_total: u32,
    /// Free-form Markdown (LLM analysis or a legacy block body). Untrusted.
    #[serde(skip)]
    pub analysis: Option<String>,
    /// Where the engine's best line was generic: the line a model picked
    /// among the engine's candidates, shown first and marked as the model's.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "pick")]
    pub model_pick: Option<ModelPickedLine>,
    /// True when recovered from a block the old bot wrote (no metadata).
    #[serde(skip)]
    pub legacy: bool,
    /// Set by the packer when the block had to be shortened to fit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
    /// Page of the passing job (same workflow, branch and job name) whose
    /// log ranked this one's lines, when the monitor found one.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "base")]
    pub baseline: Option<String>,
    /// What the config's `facts:` patterns found in the job's log (name →
    /// value, e.g. `AITER commit` → a sha). Raw log text: escaped when
    /// rendered, redacted with the rest of the report.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// The failing tests a digest entry cut from `failures`: short cause id
    /// ([`crate::cause::short_id`]) → test file (empty: none) → test
    /// functions (empty: none). Kept compactly so the trackers still count
    /// every failing test processed (issue #12); empty in blocks, which
    /// keep their failures.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", rename = "more")]
    pub more_tests: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

fn lenient_category<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Category>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.and_then(|s| s.parse().ok()))
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl JobReport {
    /// Failures triage found in the job, kept or not.
    pub fn failure_count(&self) -> usize {
        (self.failures_total as usize).max(self.failures.len())
    }

    /// The job page url (`job_url`, or derived from the run url and id).
    pub fn job_page_url(&self) -> String {
        if self.job_url.is_empty() {
            format!("{}/job/{}", self.run_url.trim_end_matches('/'), self.job_id)
        } else {
            self.job_url.clone()
        }
    }

    /// Run id parsed from the run url's last path segment.
    pub fn run_id(&self) -> Option<RunId> {
        run_id_from_url(&self.run_url)
    }

    /// The one line that says why this job is red (what its block and the
    /// tables lead with).
    pub fn top_line(&self) -> Option<String> {
        self.causes().into_iter().next().map(|c| c.title).or_else(|| self.headline.clone())
    }

    /// Cluster keys of this job: its cause ids ([`crate::cause`]).
    pub fn fingerprints(&self) -> BTreeSet<String> {
        self.causes().into_iter().map(|c| c.id).collect()
    }
}

/// Last path segment of a run url as a number.
pub fn run_id_from_url(url: &str) -> Option<RunId> {
    url.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

/// The line to read first as a model picked it among the engine's candidate
/// lines (checked to be one of them and to read as shown in the log). The
/// text is the log's, not the model's; `why` is the model's (untrusted).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModelPickedLine {
    /// 1-based line in the job log.
    pub line: u32,
    /// The line as the log has it (raw; escaped when rendered).
    pub text: String,
    /// The model's one-sentence reason (raw).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// Where the line is on the job page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<LogAnchor>,
}

/// A run of the workflow that has not completed yet: shown as in flight, not
/// counted as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlightRun {
    /// Run html url.
    pub run_url: String,
    /// Jobs not completed yet.
    pub pending_jobs: u32,
    /// Jobs that already failed in this run (analysed or not).
    #[serde(default)]
    pub failed_jobs: u32,
    /// Head commit.
    #[serde(default)]
    pub head_sha: Option<String>,
}

/// Computed facts about one symptom cluster, from completed runs only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClusterFacts {
    /// Completed runs (of this workflow) in which the cluster appeared.
    pub red_runs: u32,
    /// Completed runs considered (the window).
    pub runs_considered: u32,
    /// Head commit of the first run in the current red streak.
    #[serde(default)]
    pub since_sha: Option<String>,
    /// Head commit of the last completed run where the affected job(s) passed.
    #[serde(default)]
    pub last_green_sha: Option<String>,
    /// How the cluster relates to recent runs (from its members' histories:
    /// flaky if any member is, else persistent, else new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FailureStatus>,
}

impl ClusterFacts {
    /// "red in 5 of the last 6 runs since `abc1234`".
    pub fn sentence(&self) -> String {
        let mut s = format!("red in {} of the last {} completed runs", self.red_runs, self.runs_considered);
        if let Some(sha) = &self.since_sha {
            s.push_str(&format!(" since `{}`", short_sha(sha)));
        }
        if let Some(sha) = &self.last_green_sha {
            s.push_str(&format!(" (last green `{}`)", short_sha(sha)));
        }
        s
    }
}

/// A range of commits suspected of introducing a failure:
/// last green head → first red head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRange {
    /// Head sha of the last green run.
    pub good: String,
    /// Head sha of the first red run.
    pub bad: String,
    /// Number of commits in between, when known.
    #[serde(default)]
    pub commits: Option<u32>,
}

/// `<server>/<repo>/compare/<good>...<bad>`: the commits of a suspect range
/// on GitHub (shas reduced to their hex digits, so the url is ours).
pub fn compare_url(server_url: &str, repo: &str, good: &str, bad: &str) -> String {
    let hex = |s: &str| s.chars().filter(char::is_ascii_hexdigit).take(40).collect::<String>();
    format!("{}/{repo}/compare/{}...{}", server_url.trim_end_matches('/'), hex(good), hex(bad))
}

/// Everything needed to render one workflow's comment(s) on the daily issue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowReport {
    /// Workflow file name, e.g. `nightly.yml` (the identity of the comment).
    pub workflow: String,
    /// Monitored repository `owner/name` (commit and compare links).
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Display name of the bot in footers (configurable).
    pub bot_name: String,
    /// How the analyses were produced (footer), e.g. `ci-triage`.
    pub method: String,
    /// When this scan ran.
    pub scanned_at: DateTime<Utc>,
    /// Analysed failed jobs (recovered + new), in display order.
    pub jobs: Vec<JobReport>,
    /// Job ids already handled (analysed, failed to analyse, skipped). The
    /// rendered marker is the union of this and every job id in `jobs`.
    pub processed_job_ids: BTreeSet<JobId>,
    /// Runs still running.
    pub in_flight: Vec<InFlightRun>,
    /// Facts per cluster fingerprint, computed by the monitor from history.
    pub cluster_facts: BTreeMap<String, ClusterFacts>,
    /// Suspected commit range for the newest regression, if computed.
    pub suspected_range: Option<CommitRange>,
    /// Optional cross-job summary Markdown (untrusted).
    pub summary: Option<String>,
    /// The LLM footer line (model, calls, tokens, cost, cache, quotes
    /// dropped) when a model is configured; plain text, escaped here.
    pub llm_footer: Option<String>,
}

/// First 7 chars of a sha (whole string if shorter), hex only.
pub fn short_sha(sha: &str) -> String {
    sha.chars().filter(char::is_ascii_hexdigit).take(7).collect()
}

/// "2026-04-22 10:00" from an ISO timestamp string (first 16 chars with the
/// `T` replaced), as the old bot displayed it.
pub fn display_minute(iso: &str) -> String {
    let s: String = iso.chars().take(16).collect();
    s.replacen('T', " ", 1)
}

/// "2026-04-22 10:00 UTC".
/// How reports print a time (to the minute; parsed back by
/// [`crate::tracker::tracker_rendered_at`]).
pub const DISPLAY_TIME_FORMAT: &str = "%Y-%m-%d %H:%M UTC";

/// A time as reports print it ([`DISPLAY_TIME_FORMAT`]).
pub fn display_time(t: &DateTime<Utc>) -> String {
    t.format(DISPLAY_TIME_FORMAT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_word_this_bot_does_not_know_reads_as_none() {
        let j: JobReport = crate::state_json::from_str(r#"{"name":"x","category":"quantum_flake"}"#).unwrap();
        assert_eq!((j.name.as_str(), j.category), ("x", None));
        let j: JobReport = crate::state_json::from_str(r#"{"category":"oom"}"#).unwrap();
        assert_eq!(j.category, Some(Category::Oom));
    }
}
