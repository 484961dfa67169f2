//! View-model types of the pull-request side: what the `ci-status`
//! comment, the `pr-review` checklist and the command replies show.
//!
//! The engines fill them (`ci-pr-status` computes verdicts, `ci-pr-review`
//! the checklist, `ci-commands` decides replies); the renderers in
//! [`crate::pr_status`], [`crate::pr_review`] and [`crate::pr_reply`] turn
//! them into Markdown. Same conventions as [`crate::model`]: strings from
//! logs and pull requests are stored raw and escaped only when rendered,
//! and nothing here reads a clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::LogAnchor;

/// One file a pull request changes (GitHub's `pulls/{n}/files` entry).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Path after the change.
    pub path: String,
    /// `added`, `modified`, `removed`, `renamed`, `copied`, `changed`, `unchanged`.
    pub status: String,
    /// Lines added.
    pub additions: u64,
    /// Lines deleted.
    pub deletions: u64,
    /// Path before a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_path: Option<String>,
    /// The unified-diff hunk text; GitHub omits it for binary and very
    /// large files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
}

impl ChangedFile {
    /// True when the change deletes the file.
    pub fn is_removed(&self) -> bool {
        self.status == "removed"
    }
}

/// Whether a failed job is this pull request's fault, and how sure we are.
///
/// Order is the display order: what needs the author's attention first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Caused by this pull request: the failure is not failing on the base
    /// and the job passed there.
    New,
    /// Nobody can tell: the job did not run on the base, its failure could
    /// not be compared, or its log could not be read.
    Unclassified,
    /// The machine failed, not the code: runner lost, network, runner
    /// killed for memory, registry down.
    Infra,
    /// The same failure passed on retry or failed on unrelated commits
    /// recently.
    Flaky,
    /// The same failure fails on the merge base (or the base branch at
    /// that time).
    BrokenOnBase,
}

impl Verdict {
    /// Every verdict, in display order.
    pub const ALL: [Verdict; 5] =
        [Verdict::New, Verdict::Unclassified, Verdict::Infra, Verdict::Flaky, Verdict::BrokenOnBase];

    /// `NEW`, `FLAKY`, `BROKEN ON BASE`, `INFRA`, `UNCLASSIFIED`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::New => "NEW",
            Verdict::Unclassified => "UNCLASSIFIED",
            Verdict::Infra => "INFRA",
            Verdict::Flaky => "FLAKY",
            Verdict::BrokenOnBase => "BROKEN ON BASE",
        }
    }

    /// `Some(true)` for NEW, `Some(false)` for the verdicts that clear the
    /// pull request, `None` for UNCLASSIFIED.
    pub fn caused_by_pr(self) -> Option<bool> {
        match self {
            Verdict::New => Some(true),
            Verdict::Unclassified => None,
            Verdict::Infra | Verdict::Flaky | Verdict::BrokenOnBase => Some(false),
        }
    }
}

/// A log line: the job it is in, its deep link and its text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LogLine {
    /// Job page url.
    pub job_url: String,
    /// Where the line is, when the log's steps could be matched to the job's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<LogAnchor>,
    /// The line (raw; escaped when rendered).
    pub text: String,
}

impl LogLine {
    /// Deep link to the line, or the job page when the line has no anchor.
    pub fn url(&self) -> String {
        match self.anchor {
            Some(a) => a.url(&self.job_url),
            None => self.job_url.clone(),
        }
    }
}

/// Why a verdict was given, one fact at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The same job failed the same way on the base.
    SameFailureOnBase,
    /// Some, not all, of this job's failures also fail on the base.
    PartlyOnBase {
        /// Failures of this job also failing on the base.
        matched: u32,
        /// Comparable failures of this job.
        total: u32,
    },
    /// The same job passed on the base.
    PassedOnBase,
    /// The same job failed on the base, with a different failure.
    FailedDifferentlyOnBase,
    /// The same job also failed on the base, but neither failure names a
    /// cause specific enough to compare ("exit code 1").
    FailedOnBaseUncomparable,
    /// The job has no completed run on the base in the window.
    NotRunOnBase,
    /// The same job passed at the same head commit (another attempt or run).
    PassedOnRetry,
    /// The same failure failed and then passed on retry elsewhere.
    PassedOnRetryElsewhere,
    /// The same failure failed on an unrelated commit recently.
    SameFailureElsewhere,
    /// A machine-level failure line (runner, network, memory kill, registry).
    InfraSignal,
    /// The job failed without running any step on a runner.
    NoRunner,
    /// The same failure as another job of this pull request with that verdict.
    SameAsJobInPr,
    /// The job failed but its log names nothing specific.
    NoSpecificFailure,
    /// The job's log could not be read.
    LogUnavailable {
        /// One-line reason.
        reason: String,
    },
}

/// One fact behind a verdict, with the job (and line) that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What this fact is.
    #[serde(flatten)]
    pub kind: EvidenceKind,
    /// The job that shows it (on the base, a retry, another commit), when
    /// it is not the failed job itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobRef>,
    /// The matching log line, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LogLine>,
}

/// A job somewhere: name, link, commit, time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JobRef {
    /// Workflow name.
    pub workflow: String,
    /// Job name.
    pub name: String,
    /// Job page url.
    pub url: String,
    /// Head commit of its run.
    pub sha: String,
    /// Branch of its run, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// When it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// Where a failure on the base started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    /// Head commit of the first red run of the streak.
    pub sha: String,
    /// False when the streak reaches back to the oldest run we looked at:
    /// it started there or earlier.
    pub exact: bool,
}

/// The verdict on one failed job of the pull request's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobVerdict {
    /// The failed job.
    pub job: JobRef,
    /// Its conclusion (`failure`, `timed_out`).
    pub conclusion: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The line to read first in this job's log, when one was recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<LogLine>,
    /// Failing tests of this job (ids), for the details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<String>,
    /// The facts that justify the verdict, strongest first.
    pub evidence: Vec<Evidence>,
    /// For BROKEN ON BASE: the first red commit on the base, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Since>,
}

/// Why a job of the head did not test anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotTestedReason {
    /// Skipped; `after` names a failed job of the same run (an earlier
    /// stage or a gate) when there is one.
    Skipped {
        /// A failed job of the same run.
        after: Option<String>,
    },
    /// Cancelled (by a person, a concurrency group or fail-fast).
    Cancelled,
    /// The workflow needs approval to run (first-time contributors, forks).
    AwaitingApproval,
    /// The workflow could not start (invalid file, missing permission).
    StartupFailure,
    /// Ended without testing (`neutral`, `stale`, …).
    Other {
        /// GitHub's conclusion.
        conclusion: String,
    },
}

/// A job of the head that did not test anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotTested {
    /// The job.
    pub job: JobRef,
    /// Why.
    pub reason: NotTestedReason,
}

/// State of the CI job(s) that cover one changed test file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CoverageState {
    /// No job of that suite exists at the head: never triggered or never
    /// reached.
    NeverRan,
    /// Its jobs exist but did not test (skipped, cancelled, …).
    NotRun {
        /// Why, for the first such job.
        reason: NotTestedReason,
    },
    /// Its jobs are still queued or running.
    Pending,
}

/// A changed test file whose suite did not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntestedChange {
    /// The changed file.
    pub file: String,
    /// The suite or job pattern that should have run it.
    pub suite: String,
    /// `stage a` etc. when the suite name says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// What happened to it.
    pub state: CoverageState,
}

/// Whether CI tested everything it should have.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Completeness {
    /// Jobs of the head that did not test anything.
    pub not_tested: Vec<NotTested>,
    /// Changed test files whose suite never ran.
    pub untested_changes: Vec<UntestedChange>,
    /// Gate jobs that failed (they fail because another job did; they get
    /// no verdict of their own).
    pub failed_gates: Vec<JobRef>,
}

impl Completeness {
    /// True when nothing is missing.
    pub fn is_complete(&self) -> bool {
        self.not_tested.is_empty() && self.untested_changes.is_empty()
    }
}

/// Something the reader should know about how the status was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatusNote {
    /// The pull request's head branch (or fork) is gone; the head commit
    /// is still what CI ran on.
    HeadBranchDeleted,
    /// GitHub lists at most this many changed files; the rest were not
    /// mapped to CI jobs.
    FilesTruncated {
        /// Files GitHub listed.
        listed: u32,
    },
    /// No merge base was found: base comparisons used the base branch's
    /// recent runs only.
    NoMergeBase,
    /// The merge base is older than the similarity window: FLAKY from
    /// other commits was not looked for (a stale base gives false matches).
    StaleBase {
        /// Age of the merge base in days.
        days: i64,
    },
    /// Some logs could not be read.
    LogsUnavailable {
        /// How many.
        jobs: u32,
    },
}

/// Everything the `ci-status` comment shows for one pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiStatusReport {
    /// Repository `owner/name`.
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Pull request number.
    pub pr: u64,
    /// Head commit the verdicts are about.
    pub head_sha: String,
    /// Merge base with the base branch, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_base: Option<String>,
    /// When the merge base was committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_base_at: Option<DateTime<Utc>>,
    /// Base branch name.
    pub base_ref: String,
    /// One verdict per failed job of the latest attempt, display order.
    pub verdicts: Vec<JobVerdict>,
    /// Jobs of the latest attempt that passed.
    pub passed: u32,
    /// Jobs still queued or running.
    pub pending: Vec<JobRef>,
    /// What CI did not test.
    pub completeness: Completeness,
    /// How the status was computed, where that matters.
    pub notes: Vec<StatusNote>,
    /// When it was computed.
    pub generated_at: DateTime<Utc>,
    /// Display name of the bot (footer).
    pub bot_name: String,
    /// The model's explanation of the verdicts (never the verdicts), its
    /// footer and the memory the comment keeps; empty without a model.
    #[serde(skip)]
    pub llm: crate::llm_memory::LlmPart,
}

impl CiStatusReport {
    /// Failed jobs per verdict, in [`Verdict::ALL`] order, zeros dropped.
    pub fn counts(&self) -> Vec<(Verdict, usize)> {
        Verdict::ALL
            .iter()
            .map(|&v| (v, self.verdicts.iter().filter(|j| j.verdict == v).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// A kind of risky change the review checklist calls out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// A GitHub Actions workflow or action definition: runs with the
    /// repository's secrets.
    Workflow,
    /// A dependency lockfile.
    Lockfile,
    /// A changed line handles secrets, tokens or credentials.
    Secrets,
    /// Many lines deleted from one file, or a file removed.
    LargeDeletion,
    /// Build or container definitions (Dockerfile, setup scripts, CODEOWNERS).
    BuildConfig,
}

/// One risky change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// What kind.
    pub kind: RiskKind,
    /// The file.
    pub path: String,
    /// Line number in the new file, for a changed line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The changed line or a short fact (raw; escaped when rendered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Changed files of one area (a top-level directory or a configured area).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AreaSummary {
    /// Area name.
    pub name: String,
    /// Files changed in it.
    pub files: Vec<String>,
    /// Lines added.
    pub additions: u64,
    /// Lines deleted.
    pub deletions: u64,
}

/// A function or class whose definition a hunk touches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChangedSymbol {
    /// File.
    pub path: String,
    /// Name as the hunk header or a changed `def`/`fn` line gives it.
    pub name: String,
}

/// The deterministic review checklist for one pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// Repository `owner/name`.
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Pull request number.
    pub pr: u64,
    /// Head commit reviewed.
    pub head_sha: String,
    /// Areas asked for with `review-focus` (empty: the whole pull request).
    pub focus: Vec<String>,
    /// Focus areas that matched no changed file.
    pub unmatched_focus: Vec<String>,
    /// Files the pull request changes (as listed by GitHub).
    pub files_total: u32,
    /// True when GitHub's file list stopped at its limit.
    pub files_truncated: bool,
    /// Areas in scope, largest change first.
    pub areas: Vec<AreaSummary>,
    /// Test files in scope that changed.
    pub test_files: Vec<String>,
    /// Non-test source files in scope that changed.
    pub source_files: u32,
    /// Risky changes in scope.
    pub risks: Vec<Risk>,
    /// Functions and classes whose code changed (from hunk headers).
    pub changed_symbols: Vec<ChangedSymbol>,
    /// The `ci-status` header line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_status: Option<String>,
    /// The model's reading of the diff (never the checklist), its footer
    /// and the memory the comment keeps; empty without a model: the
    /// checklist stands on its own.
    #[serde(skip)]
    pub llm: crate::llm_memory::LlmPart,
    /// When it was computed.
    pub generated_at: DateTime<Utc>,
    /// Display name of the bot (footer).
    pub bot_name: String,
}

/// One command as the help lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandHelp {
    /// `review-focus <areas>`: the words after the mention.
    pub usage: String,
    /// One sentence.
    pub description: String,
}

/// What a reply to a command comment says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyKind {
    /// `@bot help`.
    Help,
    /// A command the bot does not know (empty: the bot was mentioned alone).
    Unknown {
        /// What was written after the mention (raw).
        given: String,
    },
    /// A command that needs arguments got none.
    MissingArgument {
        /// The command.
        command: String,
    },
    /// More arguments than the bot accepts.
    TooManyArguments {
        /// The command.
        command: String,
        /// The limit.
        max: u32,
    },
    /// An argument longer than the bot accepts.
    ArgumentTooLong {
        /// The command.
        command: String,
        /// The limit, in characters.
        max: u32,
    },
    /// The pull request is closed or merged: nothing to check.
    PullRequestClosed {
        /// True when merged.
        merged: bool,
    },
    /// The repository does not run commands on pull requests from forks.
    ForkNotAllowed,
    /// The bot accepted the command but could not start it.
    CouldNotStart {
        /// The command.
        command: String,
    },
}

/// A reply to one command comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The command comment replied to (the identity of the reply).
    pub comment_id: u64,
    /// What to say.
    pub kind: ReplyKind,
    /// The bot's mention name without `@`, e.g. `amd-bot`.
    pub mention: String,
    /// The commands, for help and for every error reply.
    pub commands: Vec<CommandHelp>,
    /// Display name of the bot (footer).
    pub bot_name: String,
}
