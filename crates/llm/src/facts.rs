//! What the engine computed, as plain input structs: the only things a
//! prompt is built from. Never the whole log.
//!
//! The monitor fills these from its own types (analysis, history, clusters,
//! commit range, search results); this crate does not depend on them, so the
//! LLM layer cannot reach into state it was not handed.

use serde::{Deserialize, Serialize};

/// One log line: 1-based number in the raw log, cleaned text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// 1-based line number in the raw log.
    pub no: u32,
    /// Text without timestamp or ANSI codes.
    pub text: String,
}

/// A key line the engine chose, with a little context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLine {
    /// The key line's number.
    pub line: u32,
    /// Rule that matched it.
    pub rule: String,
    /// The line and its neighbours, in order.
    pub context: Vec<LogLine>,
}

/// A failing test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestFact {
    /// The framework's own id.
    pub id: String,
    /// One-line failure message.
    pub message: String,
    /// Line of the failure.
    pub line: u32,
}

/// The runner's own counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsFact {
    /// Tests run.
    pub run: Option<u64>,
    /// Passed.
    pub passed: Option<u64>,
    /// Failed.
    pub failed: Option<u64>,
    /// Skipped.
    pub skipped: Option<u64>,
}

/// The engine's cluster for this failure (identity is the engine's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterFact {
    /// Stable id (fingerprint-derived).
    pub id: String,
    /// Jobs in the cluster today.
    pub jobs: u32,
    /// Workflows it spans.
    pub workflows: u32,
    /// First day seen (`YYYY-MM-DD`).
    pub first_seen: Option<String>,
}

/// This job's recent history on the same branch and event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFact {
    /// Red runs among the last `runs`.
    pub red: u32,
    /// Runs looked at.
    pub runs: u32,
    /// Last green run's commit.
    pub last_green_sha: Option<String>,
    /// The engine's flake/regression wording, e.g. `red in 3 of the last 5 runs since 1a2b3c4`.
    pub summary: Option<String>,
}

/// A commit in the suspect range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitFact {
    /// Full or short SHA.
    pub sha: String,
    /// First line of the message (untrusted text).
    pub title: String,
}

/// Commits between the last green run and this one. `total == 0` with no
/// `commits`: the range is known, its commits were not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspectRange {
    /// Last green commit.
    pub from: String,
    /// This run's commit.
    pub to: String,
    /// Commits in the range, newest first (possibly a prefix).
    pub commits: Vec<CommitFact>,
    /// Total commits in the range.
    pub total: u32,
}

/// An open PR or issue found by a keyword search for the same failure
/// (the old bot's "in-flight fix" lookup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedFact {
    /// `pr` or `issue`.
    pub kind: String,
    /// Number.
    pub number: u64,
    /// Title (untrusted text).
    pub title: String,
    /// Day it was opened (`YYYY-MM-DD`).
    pub opened: Option<String>,
}

/// Everything about one failed job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobFacts {
    /// `owner/name`.
    pub repo: String,
    /// Workflow name.
    pub workflow: String,
    /// Job name.
    pub job: String,
    /// Head commit of the run.
    pub head_sha: Option<String>,
    /// Step that failed.
    pub failing_step: Option<String>,
    /// Engine category (`test_failure`, `infra`, …).
    pub category: String,
    /// Engine flakiness: `Some(true)` likely flaky.
    pub flaky: Option<bool>,
    /// Rule of the best line.
    pub rule: Option<String>,
    /// Failing tests, most important first.
    pub failing_tests: Vec<TestFact>,
    /// Key lines, most explanatory first.
    pub key_lines: Vec<KeyLine>,
    /// Runner counts.
    pub counts: Option<CountsFact>,
    /// Fingerprints of the failures: the cache key.
    pub fingerprints: Vec<String>,
    /// The engine's cluster.
    pub cluster: Option<ClusterFact>,
    /// History.
    pub history: Option<HistoryFact>,
    /// Suspect commit range.
    pub suspects: Option<SuspectRange>,
    /// Related open PRs and issues.
    pub related: Vec<RelatedFact>,
    /// Whether `related` comes from a search (empty: none found) or no
    /// search was made (the prompt then says "not searched").
    #[serde(default)]
    pub related_searched: bool,
}

/// The candidates for "the line to read first", when the engine's best
/// line is generic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PickFacts {
    /// Job name.
    pub job: String,
    /// Step that failed.
    pub failing_step: Option<String>,
    /// Engine category.
    pub category: String,
    /// Candidate lines (the engine's key lines), in the engine's order.
    pub candidates: Vec<LogLine>,
    /// Fingerprints of the job's failures (cache key).
    pub fingerprints: Vec<String>,
}

/// One workflow's status line for the daily summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowFact {
    /// Workflow name.
    pub name: String,
    /// Completed runs today.
    pub runs: u32,
    /// Failed jobs today.
    pub failed_jobs: u32,
    /// Failed jobs per day, oldest first.
    pub trend: Vec<u32>,
}

/// One engine cluster for summaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// Stable id.
    pub id: String,
    /// The engine's one-line description (its key line or test).
    pub headline: String,
    /// New today (absent yesterday).
    pub new: bool,
    /// Jobs affected.
    pub jobs: u32,
    /// Workflows affected.
    pub workflows: Vec<String>,
    /// First day seen.
    pub first_seen: Option<String>,
    /// Failing tests in the cluster (a prefix).
    pub tests: Vec<String>,
}

/// Facts for the cross-job and daily summaries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryFacts {
    /// `owner/name`.
    pub repo: String,
    /// Workflow (cross-job summary only).
    pub workflow: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Workflow status lines (daily summary).
    pub workflows: Vec<WorkflowFact>,
    /// Clusters.
    pub clusters: Vec<ClusterSummary>,
}

/// A changed file of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Path.
    pub path: String,
    /// Lines added.
    pub additions: u32,
    /// Lines deleted.
    pub deletions: u32,
}

/// A failing job on a pull request, with the engine's relation verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrFailure {
    /// Job name.
    pub job: String,
    /// Failing test or the key line.
    pub what: String,
    /// Engine verdict, e.g. `also fails on main`, `new on this PR`, `flaky`.
    pub verdict: String,
}

/// Facts for the ci-status explanation and the PR review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrFacts {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub number: u64,
    /// Title (untrusted).
    pub title: String,
    /// Description (untrusted; capped).
    pub body: String,
    /// Changed files.
    pub files: Vec<ChangedFile>,
    /// Failing jobs (ci-status).
    pub failures: Vec<PrFailure>,
    /// Unified diff (review; capped, untrusted).
    pub diff: String,
    /// What the reviewer asked to focus on.
    pub focus: Option<String>,
}
