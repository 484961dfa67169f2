//! Failure Tracker: one long-lived `[Failure Tracker] <workflow>` issue per
//! tracked workflow, with per-test rows (first seen, last seen, duration,
//! state) — seed spec §3.8 / §4.11, with its bugs fixed:
//!
//! - **State cannot be corrupted by log text**: it is stored on one line as
//!   `<!-- ci-bot:tracker-state v=2 {json} -->` where the JSON escapes `<`,
//!   `>` and `&` ([`crate::state_json`]), so an error message containing `-->`
//!   stays inside the string. A state line that exists but does not parse is
//!   an error ([`TrackerError`]) — the caller must not overwrite it, so
//!   history is never silently reset.
//! - **Legacy state** (`<!-- ci-failure-tracker-state:` / `<!--
//!   pr-test-amd-tracker-state:` + JSON + `-->`) is read and migrated; a legacy
//!   blob cut short by a `-->` inside a string is recovered by trying each
//!   following `-->` until the JSON parses.
//! - **`first_seen` is never re-dated**; **hysteresis**: a test quiet for a few
//!   days that fails again keeps its history (its `recurrences` count goes
//!   up); an entry is dropped only after `retention_days` (default 30) without
//!   being seen.
//! - **Size plan** for hundreds of tests: the body keeps the state of the
//!   most relevant entries (failing first, then most recently quiet) within
//!   [`BODY_STATE_BUDGET`]; the rest is spilled into archive comments on the
//!   same issue (`<!-- ci-bot:tracker-archive v=2 part=i/N … -->`), each below
//!   the comment limit. Tables are filled within the remaining budget and the
//!   overflow is counted, never cut mid-row. See `docs/formats.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use ci_model::JobId;
use serde::{Deserialize, Serialize};

use crate::markers::{
    self, LEGACY_PR_TEST_AMD_STATE_PREFIX, LEGACY_TRACKER_STATE_PREFIX, TRACKER_ARCHIVE_PREFIX, TRACKER_END,
    TRACKER_START, TRACKER_STATE_PREFIX,
};
use crate::model::{display_time, ClusterFacts, JobReport};
use ci_model::FailureStatus;
use crate::safe::{self, char_len};
use crate::state_json;
use crate::SAFE_BODY_CHARS;

/// Label of tracker issues.
pub const TRACKER_LABEL: &str = "ci-failure-tracker";
/// Chars of state kept in the issue body; the rest goes to archive comments.
pub const BODY_STATE_BUDGET: usize = 28_000;
/// Chars of state per archive comment.
pub const ARCHIVE_STATE_BUDGET: usize = 55_000;
/// Most archive comments; beyond this the oldest quiet entries are dropped
/// (and counted in `dropped_total`).
pub const MAX_ARCHIVE_PARTS: usize = 8;
/// Chars of an error message kept per entry.
pub const ERROR_CHARS: usize = 160;
/// Chars of a cluster name kept per entry.
pub const CLUSTER_CHARS: usize = 80;

/// `[Failure Tracker] <display>`.
pub fn tracker_title(display: &str) -> String {
    format!("[Failure Tracker] {display}")
}

/// Legacy titles the old bot used for the tracker of `display`.
pub fn legacy_tracker_titles(display: &str) -> Vec<String> {
    vec![format!("[CI Tracker] {display} — Persistent Failure Ledger")]
}

/// Whether `title` is a legacy tracker title for the workflow shown as
/// `display` (rename it to [`tracker_title`]).
pub fn is_legacy_tracker_title(title: &str, display: &str) -> bool {
    legacy_tracker_titles(display).iter().any(|t| t == title.trim())
}

/// How the tracker behaves and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerConfig {
    /// Workflow file name (state identity).
    pub workflow: String,
    /// Display name used in the title and heading.
    pub display: String,
    /// Bot display name.
    pub bot_name: String,
    /// Days without a sighting after which an entry is dropped.
    pub retention_days: i64,
    /// Days since the last sighting during which a test still counts as
    /// failing (so nothing flips to quiet at UTC midnight).
    pub failing_grace_days: i64,
    /// Link to the daily report (shown in the explanation).
    pub daily_issue_url: Option<String>,
}

impl TrackerConfig {
    /// Defaults: 30 days retention, 1 day grace.
    pub fn new(workflow: &str, display: &str, bot_name: &str) -> Self {
        Self {
            workflow: workflow.into(),
            display: display.into(),
            bot_name: bot_name.into(),
            retention_days: 30,
            failing_grace_days: 1,
            daily_issue_url: None,
        }
    }
}

/// One tracked test. Short JSON keys keep hundreds of entries compact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrackedTest {
    /// Test file (or a descriptor for non-test failures).
    #[serde(rename = "f")]
    pub test_file: String,
    /// Test function (`N/A` when not a test).
    #[serde(rename = "t")]
    pub test_function: String,
    /// Symptom cluster name.
    #[serde(rename = "c", default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// One-line error of the latest sighting.
    #[serde(rename = "e", default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// Status of the latest sighting beyond "failing", e.g. `flaky 2 of 4`
    /// (empty: failing).
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Job (or log line) url of the latest sighting.
    #[serde(rename = "j", default, skip_serializing_if = "String::is_empty")]
    pub job_url: String,
    /// Job id of the latest sighting.
    #[serde(rename = "ji", default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<JobId>,
    /// Link to the per-job block on the daily issue.
    #[serde(rename = "d", default, skip_serializing_if = "String::is_empty")]
    pub detail_url: String,
    /// Run start of the latest sighting (ISO).
    #[serde(rename = "r", default, skip_serializing_if = "String::is_empty")]
    pub run_started_at: String,
    /// Symptom fingerprint of the latest sighting.
    #[serde(rename = "fp", default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// First day seen failing. Set once, never changed.
    #[serde(rename = "fs")]
    pub first_seen: NaiveDate,
    /// Last day seen failing.
    #[serde(rename = "ls")]
    pub last_seen: NaiveDate,
    /// Distinct days seen failing.
    #[serde(rename = "n", default)]
    pub days_seen: u32,
    /// Times it failed again after being quiet.
    #[serde(rename = "rc", default, skip_serializing_if = "is_zero")]
    pub recurrences: u32,
    /// Day of the last recurrence.
    #[serde(rename = "lr", default, skip_serializing_if = "Option::is_none")]
    pub last_recurred: Option<NaiveDate>,
    /// Name of the job of the latest sighting (what "fixed" is observed on;
    /// empty in entries written before it was kept).
    #[serde(rename = "jn", default, skip_serializing_if = "String::is_empty")]
    pub job_name: String,
    /// Day of the first completed run after the last failure in which the
    /// job succeeded: the row is fixed, observed ([`observe_green`]).
    /// Cleared when it fails again.
    #[serde(rename = "fx", default, skip_serializing_if = "Option::is_none")]
    pub fixed_on: Option<NaiveDate>,
}

impl TrackedTest {
    /// The job whose green run can fix this row: the name kept with the
    /// sighting, else (older entries) the name in a job-level row's file.
    pub fn job(&self) -> Option<&str> {
        Some(self.job_name.as_str()).filter(|n| !n.is_empty()).or_else(|| self.test_file.strip_prefix("job: "))
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// All tracked tests of one workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrackerState {
    /// Workflow file name.
    #[serde(rename = "wf", default)]
    pub workflow: String,
    /// Entries keyed by `test_file::test_function`.
    #[serde(rename = "tests", default)]
    pub entries: BTreeMap<String, TrackedTest>,
    /// Entries dropped by retention or the size cap, ever.
    #[serde(rename = "dropped", default, skip_serializing_if = "is_zero")]
    pub dropped_total: u32,
    /// In an issue body: the generation of the archive comments that hold
    /// the rest of this state (their marker's `gen=`). A changed archive is
    /// written as new comments of the next generation, then the body that
    /// names it, then the old ones are deleted, so a run that stops between
    /// any two writes leaves a body whose named archive is complete. 0 (not
    /// written): every archive comment counts, as bodies before it had.
    #[serde(rename = "agen", default, skip_serializing_if = "is_zero")]
    pub archive_gen: u32,
}

/// A failing test seen in the latest scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackerObservation {
    /// Test file (or descriptor).
    pub test_file: String,
    /// Test function.
    pub test_function: String,
    /// Cluster name.
    pub cluster: String,
    /// One-line error.
    pub error: String,
    /// Status word.
    pub status: String,
    /// Job or log-line url.
    pub job_url: String,
    /// Job id.
    pub job_id: Option<JobId>,
    /// Link to the per-job block on the daily issue.
    pub detail_url: String,
    /// Run start (ISO).
    pub run_started_at: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Job name.
    pub job_name: String,
}

/// `file::function`, the test's key; `None` when both are empty.
pub fn entry_key(test_file: &str, test_function: &str) -> Option<String> {
    let (f, t) = (test_file.trim(), test_function.trim());
    (!f.is_empty() || !t.is_empty()).then(|| format!("{f}::{t}"))
}

/// The key of a tracker row: one row per (test, cause), so a test failing
/// for two causes is two rows. `file::function @<short cause id>` when
/// `fingerprint` is a cause id of this version; else the test's key alone
/// (entries written before rows were per cause, or with an older id: they
/// are adopted by the test's first current-cause sighting, see [`merge`]).
pub fn row_key(test_file: &str, test_function: &str, fingerprint: &str) -> Option<String> {
    let test = entry_key(test_file, test_function)?;
    Some(if crate::cause::is_current(fingerprint) {
        format!("{test} @{}", crate::cause::short_id(fingerprint))
    } else {
        test
    })
}

/// State written when rows were per test (same `v=2` line, keyed by
/// `file::function`) re-keyed per (test, cause) from each entry's own
/// fields (entries without a current cause id keep their key); two entries landing on one key are unioned (earliest first
/// seen, latest sighting), so no row is lost or doubled.
fn rekey(state: &mut TrackerState) {
    let entries = std::mem::take(&mut state.entries);
    let mut rekeyed = TrackerState { entries: BTreeMap::new(), ..state.clone() };
    for (k, e) in entries {
        // Only a row with a current cause id moves; any other keeps its key.
        let key = if crate::cause::is_current(&e.fingerprint) {
            row_key(&e.test_file, &e.test_function, &e.fingerprint).unwrap_or(k)
        } else {
            k
        };
        union_into(&mut rekeyed, TrackerState { entries: BTreeMap::from([(key, e)]), ..TrackerState::default() });
    }
    state.entries = rekeyed.entries;
}

/// The status word a cluster's facts give its tests: `flaky k of n` for a
/// flaky cluster, empty (plain failing) otherwise.
pub fn status_word(facts: Option<&ClusterFacts>) -> String {
    match facts {
        Some(f) if f.status == Some(FailureStatus::Flaky) => format!("flaky {} of {}", f.red_runs, f.runs_considered),
        _ => String::new(),
    }
}

/// Observations from analysed jobs: one per failing test per cause, and one
/// per cause without a test (tracked as `job: <name>` / `N/A`).
/// `daily_issue_url` builds the detail link `<url>#job-<id>`; `facts` (the
/// workflow's cluster facts, by cause id) give the status, so the tracker
/// says "flaky" where the report does.
pub fn observations_from_jobs(
    jobs: &[JobReport],
    daily_issue_url: Option<&str>,
    facts: &BTreeMap<String, ClusterFacts>,
) -> Vec<TrackerObservation> {
    let mut out = Vec::new();
    for job in jobs {
        let job_url = job.job_page_url();
        let detail = daily_issue_url.map(|u| format!("{u}#job-{}", job.job_id)).unwrap_or_default();
        let base = |file: String, func: String, error: &str, fp: &str, link: String| TrackerObservation {
            test_file: file,
            test_function: func,
            cluster: String::new(),
            error: error.to_string(),
            status: String::new(),
            job_url: link,
            job_id: Some(job.job_id),
            detail_url: detail.clone(),
            run_started_at: job.started_at.clone().unwrap_or_default(),
            fingerprint: fp.to_string(),
            job_name: job.name.clone(),
        };
        // One row per test per cause (the report's clusters); a job-level
        // row only for a cause with no test (summary lines are no rows).
        for cause in job.causes() {
            // Every row of a cause carries the cause's status.
            let status = status_word(facts.get(&cause.id));
            let observe = |file: String, func: String, error: &str, fp: &str, link: String| TrackerObservation {
                status: status.clone(),
                ..base(file, func, error, fp, link)
            };
            let mut seen = std::collections::BTreeSet::new();
            for &i in &cause.failures {
                let f = &job.failures[i];
                let (Some(file), func) = (&f.test_file, &f.test_function) else {
                    if f.test_function.is_none() {
                        continue;
                    }
                    let func = f.test_function.clone().unwrap_or_default();
                    if seen.insert((String::new(), func.clone())) {
                        let link = f.anchor.map_or_else(|| job_url.clone(), |a| a.url(&job_url));
                        let error = if f.message.trim().is_empty() { &cause.title } else { &f.message };
                        let mut o = observe(format!("job: {}", job.name), func, error, &cause.id, link);
                        o.cluster = cause.title.clone();
                        out.push(o);
                    }
                    continue;
                };
                let func = func.clone().unwrap_or_else(|| "N/A".into());
                if !seen.insert((file.clone(), func.clone())) {
                    continue;
                }
                let link = f.anchor.map_or_else(|| job_url.clone(), |a| a.url(&job_url));
                let error = if f.message.trim().is_empty() { &cause.title } else { &f.message };
                let mut o = observe(file.clone(), func, error, &cause.id, link);
                o.cluster = cause.title.clone();
                out.push(o);
            }
            // Tests a digest entry cut from `failures`, kept by cause.
            let short = crate::cause::short_id(&cause.id);
            for (file, func) in more_tests(job, &short) {
                if seen.insert((file.clone(), func.clone())) {
                    let mut o = observe(file, func, &cause.title, &cause.id, job_url.clone());
                    o.cluster = cause.title.clone();
                    out.push(o);
                }
            }
            if seen.is_empty() {
                let link = cause
                    .failures
                    .first()
                    .and_then(|&i| job.failures[i].anchor)
                    .map_or_else(|| job_url.clone(), |a| a.url(&job_url));
                let mut o = observe(format!("job: {}", job.name), "N/A".into(), &cause.title, &cause.id, link);
                o.cluster = cause.title.clone();
                out.push(o);
            }
        }
        // Cut tests whose cause has no kept failure left in the entry: rows
        // by their cause id alone (its title was cut with them).
        let kept: std::collections::BTreeSet<String> = job.causes().iter().map(|c| crate::cause::short_id(&c.id)).collect();
        for short in job.more_tests.keys().filter(|k| !kept.contains(*k)) {
            for (file, func) in more_tests(job, short) {
                out.push(TrackerObservation { status: status_word(facts.get(short)), ..base(file, func, "", short, job_url.clone()) });
            }
        }
    }
    out
}

/// The `(file, function)` rows of the tests a digest entry cut from its
/// failures for the cause `short` (the same rows its failures would give).
fn more_tests(job: &JobReport, short: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, funcs) in job.more_tests.get(short).into_iter().flatten() {
        for func in funcs {
            match (file.is_empty(), func.is_empty()) {
                (true, true) => {}
                (true, false) => out.push((format!("job: {}", job.name), func.clone())),
                (false, _) => out.push((file.clone(), if func.is_empty() { "N/A".into() } else { func.clone() })),
            }
        }
    }
    out
}

/// What a merge changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergeOutcome {
    /// Keys seen for the first time.
    pub new: Vec<String>,
    /// Keys that failed again after being quiet longer than the grace period.
    pub recurred: Vec<String>,
    /// Entries dropped by retention.
    pub pruned: usize,
}

fn clip(s: &str, max: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    safe::truncate_chars(&one, max).into_owned()
}

/// Merge the latest scan into the state (idempotent for the same `today`).
pub fn merge(state: &mut TrackerState, observations: &[TrackerObservation], today: NaiveDate, cfg: &TrackerConfig) -> MergeOutcome {
    let mut outcome = MergeOutcome::default();
    if state.workflow.is_empty() {
        state.workflow = cfg.workflow.clone();
    }
    for o in observations {
        let Some(key) = row_key(&o.test_file, &o.test_function, &o.fingerprint) else { continue };
        // A row kept per test (no current cause id: written before rows were
        // per cause) is this (test, cause)'s history: adopt it, once, so the
        // row is neither lost nor doubled.
        if !state.entries.contains_key(&key) {
            if let Some(test) = entry_key(&o.test_file, &o.test_function).filter(|t| *t != key) {
                if let Some(old) = state.entries.remove(&test) {
                    state.entries.insert(key.clone(), old);
                }
            }
        }
        let fresh = TrackedTest {
            test_file: o.test_file.trim().to_string(),
            test_function: o.test_function.trim().to_string(),
            cluster: clip(&o.cluster, CLUSTER_CHARS),
            error: clip(&o.error, ERROR_CHARS),
            status: clip(&o.status, 40),
            job_url: o.job_url.clone(),
            job_id: o.job_id,
            detail_url: o.detail_url.clone(),
            run_started_at: o.run_started_at.clone(),
            fingerprint: o.fingerprint.clone(),
            first_seen: today,
            last_seen: today,
            days_seen: 1,
            recurrences: 0,
            last_recurred: None,
            job_name: o.job_name.clone(),
            fixed_on: None,
        };
        match state.entries.get_mut(&key) {
            None => {
                outcome.new.push(key.clone());
                state.entries.insert(key, fresh);
            }
            Some(e) => {
                if e.last_seen < today {
                    e.days_seen += 1;
                    if (today - e.last_seen).num_days() > cfg.failing_grace_days {
                        e.recurrences += 1;
                        e.last_recurred = Some(today);
                        outcome.recurred.push(key.clone());
                    }
                    e.last_seen = today;
                }
                // The status is today's verdict, empty included (plain failing).
                e.status = fresh.status;
                // Latest sighting details; keep old text when the new one is empty.
                for (dst, src) in [
                    (&mut e.cluster, fresh.cluster),
                    (&mut e.error, fresh.error),
                    (&mut e.job_url, fresh.job_url),
                    (&mut e.detail_url, fresh.detail_url),
                    (&mut e.run_started_at, fresh.run_started_at),
                    (&mut e.fingerprint, fresh.fingerprint),
                    (&mut e.job_name, fresh.job_name),
                ] {
                    if !src.is_empty() {
                        *dst = src;
                    }
                }
                if fresh.job_id.is_some() {
                    e.job_id = fresh.job_id;
                }
                // Red again: whatever green run was seen came before this.
                e.fixed_on = None;
            }
        }
    }
    let before = state.entries.len();
    state.entries.retain(|_, e| (today - e.last_seen).num_days() <= cfg.retention_days);
    outcome.pruned = before - state.entries.len();
    state.dropped_total += outcome.pruned as u32;
    outcome
}

/// Whether an entry counts as failing on `today`: seen within the grace
/// period and not seen fixed since.
pub fn is_failing(e: &TrackedTest, today: NaiveDate, cfg: &TrackerConfig) -> bool {
    (today - e.last_seen).num_days() <= cfg.failing_grace_days && e.fixed_on.is_none()
}

/// Mark rows fixed whose job the scan saw succeed in a completed run after
/// the row's last failure. `green_jobs`: job name → start of that run (the
/// workflow facts' `green_jobs`). The last failure is the sighting's run
/// start, else the end of its last day. Rows of other jobs, and rows whose
/// job is unknown, are left as they are ("quiet since", never a guessed
/// "fixed"). Returns the rows newly marked.
pub fn observe_green(state: &mut TrackerState, green_jobs: &BTreeMap<String, DateTime<Utc>>) -> usize {
    let mut marked = 0;
    for e in state.entries.values_mut() {
        if e.fixed_on.is_some() {
            continue;
        }
        let Some(green) = e.job().and_then(|j| green_jobs.get(j)) else { continue };
        let last_failure = DateTime::parse_from_rfc3339(&e.run_started_at)
            .map(|d| d.with_timezone(&Utc))
            .ok()
            .filter(|d| d.date_naive() == e.last_seen)
            .unwrap_or_else(|| e.last_seen.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()).and_utc());
        if *green > last_failure {
            e.fixed_on = Some(green.date_naive());
            marked += 1;
        }
    }
    marked
}

/// Render order: failing (by first_seen, key), then quiet (most recently seen first).
fn ordered<'a>(state: &'a TrackerState, today: NaiveDate, cfg: &TrackerConfig) -> Vec<(&'a String, &'a TrackedTest)> {
    let mut v: Vec<(&String, &TrackedTest)> = state.entries.iter().collect();
    v.sort_by(|(ka, a), (kb, b)| {
        let (fa, fb) = (is_failing(a, today, cfg), is_failing(b, today, cfg));
        fb.cmp(&fa).then_with(|| {
            if fa {
                a.first_seen.cmp(&b.first_seen).then_with(|| ka.cmp(kb))
            } else {
                b.last_seen.cmp(&a.last_seen).then_with(|| b.first_seen.cmp(&a.first_seen)).then_with(|| ka.cmp(kb))
            }
        })
    });
    v
}

// ------------------------------------------------------------------ parse

/// Where the state was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateSource {
    /// Our versioned state line (plus archive comments).
    Current,
    /// Old `ci-failure-tracker-state` blob (migrated).
    Legacy,
    /// Oldest `pr-test-amd-tracker-state` blob (migrated).
    LegacyPrTestAmd,
    /// No state in the body (new or placeholder tracker).
    Empty,
}

/// A tracker state that exists but cannot be trusted; do not overwrite it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrackerError {
    /// Written by a newer bot.
    #[error("tracker state version {0} is newer than this bot understands; not touching it")]
    UnsupportedVersion(u32),
    /// Present but unreadable (hand edit?); overwriting would lose history.
    #[error("tracker state is present but unreadable ({0}); not overwriting it")]
    Corrupt(String),
}

/// The state found on a tracker issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedTracker {
    /// The merged state.
    pub state: TrackerState,
    /// Where it came from.
    pub source: StateSource,
}

/// Read the tracker state from the issue body and its archive comments
/// (`comments`: bodies of the issue's comments; non-archive ones ignored).
pub fn parse_tracker<'a>(
    body: &str,
    comments: impl IntoIterator<Item = &'a str>,
    workflow: &str,
) -> Result<LoadedTracker, TrackerError> {
    if let Some((v, json)) = markers::find_json_marker(body, TRACKER_STATE_PREFIX) {
        let mut state = decode_state(v, json)?;
        for c in comments {
            let Some(arch) = parse_archive_marker(c) else { continue };
            // Another generation is a write that was never committed (newer)
            // or one that was replaced (older): not this body's state.
            if arch.workflow != workflow || (state.archive_gen != 0 && arch.gen != state.archive_gen) {
                continue;
            }
            let Some((v, json)) = markers::find_json_marker(c, TRACKER_STATE_PREFIX) else { continue };
            let part = decode_state(v, json)?;
            union_into(&mut state, part);
        }
        rekey(&mut state);
        return Ok(LoadedTracker { state, source: StateSource::Current });
    }
    for (prefix, source) in [
        (LEGACY_TRACKER_STATE_PREFIX, StateSource::Legacy),
        (LEGACY_PR_TEST_AMD_STATE_PREFIX, StateSource::LegacyPrTestAmd),
    ] {
        if let Some(at) = body.find(prefix) {
            let entries = parse_legacy_blob(&body[at + prefix.len()..])?;
            let state = TrackerState { workflow: workflow.to_string(), entries, ..TrackerState::default() };
            return Ok(LoadedTracker { state, source });
        }
    }
    Ok(LoadedTracker {
        state: TrackerState { workflow: workflow.to_string(), ..TrackerState::default() },
        source: StateSource::Empty,
    })
}

fn decode_state(v: u32, json: &str) -> Result<TrackerState, TrackerError> {
    if v > markers::VERSION {
        return Err(TrackerError::UnsupportedVersion(v));
    }
    state_json::from_str(json).map_err(|e| TrackerError::Corrupt(e.to_string()))
}

/// Union: per key, the entry seen most recently wins, but the earliest
/// `first_seen` is kept.
fn union_into(state: &mut TrackerState, other: TrackerState) {
    state.dropped_total = state.dropped_total.max(other.dropped_total);
    for (k, e) in other.entries {
        match state.entries.get_mut(&k) {
            None => {
                state.entries.insert(k, e);
            }
            Some(cur) => {
                let first = cur.first_seen.min(e.first_seen);
                if e.last_seen > cur.last_seen {
                    *cur = e;
                }
                cur.first_seen = first;
            }
        }
    }
}

#[derive(Deserialize)]
struct LegacyEntry {
    #[serde(default)]
    test_file: Option<String>,
    #[serde(default)]
    test_function: Option<String>,
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    job_url: Option<String>,
    #[serde(default)]
    job_id: Option<serde_json::Value>,
    #[serde(default)]
    detail_url: Option<String>,
    #[serde(default)]
    run_started_at: Option<String>,
    #[serde(default)]
    first_seen: Option<String>,
    #[serde(default)]
    last_seen: Option<String>,
}

/// The legacy blob ends at the first `-->`, unless that `-->` was inside an
/// error string; try each `-->` in turn until the JSON parses.
fn parse_legacy_blob(rest: &str) -> Result<BTreeMap<String, TrackedTest>, TrackerError> {
    let mut last_err = String::from("no closing -->");
    let mut from = 0;
    while let Some(pos) = rest[from..].find("-->") {
        let end = from + pos;
        let candidate = rest[..end].trim();
        match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(candidate) {
            Ok(map) => return Ok(convert_legacy(map)),
            Err(e) => last_err = e.to_string(),
        }
        from = end + 3;
    }
    Err(TrackerError::Corrupt(format!("legacy tracker state: {last_err}")))
}

fn convert_legacy(map: BTreeMap<String, serde_json::Value>) -> BTreeMap<String, TrackedTest> {
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let Ok(e) = serde_json::from_value::<LegacyEntry>(value) else { continue };
        let date = |s: &Option<String>| s.as_deref().and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
        let (Some(first), Some(last)) = (date(&e.first_seen).or(date(&e.last_seen)), date(&e.last_seen).or(date(&e.first_seen))) else {
            continue;
        };
        // The old bot stored display text: `|` escaped, `—` for empty.
        let text = |s: Option<String>| {
            let s = s.unwrap_or_default().replace("\\|", "|");
            if s.trim() == "—" { String::new() } else { s }
        };
        let (file, func) = match key.split_once("::") {
            Some((f, t)) => (f.to_string(), t.to_string()),
            None => (key.clone(), String::new()),
        };
        out.insert(
            key,
            TrackedTest {
                test_file: e.test_file.unwrap_or(file),
                test_function: e.test_function.unwrap_or(func),
                cluster: text(e.cluster),
                error: text(e.error),
                status: text(e.status),
                job_url: e.job_url.unwrap_or_default(),
                job_id: e.job_id.and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())).map(JobId),
                detail_url: e.detail_url.unwrap_or_default(),
                run_started_at: e.run_started_at.unwrap_or_default(),
                fingerprint: String::new(),
                first_seen: first.min(last),
                last_seen: last.max(first),
                days_seen: 1,
                recurrences: 0,
                last_recurred: None,
                job_name: String::new(),
                fixed_on: None,
            },
        );
    }
    out
}

/// An archive comment's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveMarker {
    /// 1-based part.
    pub part: usize,
    /// Parts in total.
    pub total: usize,
    /// Workflow it belongs to.
    pub workflow: String,
    /// Generation (`TrackerState::archive_gen`); 0 when the marker has none.
    pub gen: u32,
}

/// `<!-- ci-bot:tracker-archive v=2 part=i/N workflow=<enc> [gen=G] -->`
/// (`gen=` only from generation 1 on, so older markers read as 0).
pub fn archive_marker_line(part: usize, total: usize, workflow: &str, gen: u32) -> String {
    let gen = if gen == 0 { String::new() } else { format!(" gen={gen}") };
    format!(
        "{TRACKER_ARCHIVE_PREFIX}v={} part={part}/{total} workflow={}{gen} -->",
        markers::VERSION,
        markers::encode_token(workflow)
    )
}

/// Identify an archive comment (strict whole-line marker).
pub fn parse_archive_marker(body: &str) -> Option<ArchiveMarker> {
    body.lines().map(str::trim).find_map(|line| {
        let inner = line.strip_prefix(TRACKER_ARCHIVE_PREFIX)?.strip_suffix(" -->")?;
        let (mut part, mut workflow, mut version, mut gen) = (None, None, None, 0);
        for field in inner.split(' ') {
            if let Some(v) = field.strip_prefix("v=") {
                version = v.parse::<u32>().ok();
            } else if let Some(p) = field.strip_prefix("part=") {
                let (i, n) = p.split_once('/')?;
                part = Some((i.parse().ok()?, n.parse().ok()?));
            } else if let Some(w) = field.strip_prefix("workflow=") {
                workflow = markers::decode_token(w);
            } else if let Some(g) = field.strip_prefix("gen=") {
                gen = g.parse().ok()?;
            }
        }
        let ((part, total), workflow) = (part?, workflow?);
        (version? >= 1 && part >= 1 && part <= total).then_some(ArchiveMarker { part, total, workflow, gen })
    })
}

// ----------------------------------------------------------------- render

/// A rendered tracker: the issue body and the archive comment bodies
/// (part 1 first), of generation `state.archive_gen`. When the archive
/// differs from the one the body names, render again with the next
/// generation and write the new archive comments, then the body, then
/// delete every archive comment of another generation (see
/// [`TrackerState::archive_gen`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerDocument {
    /// Issue body.
    pub body: String,
    /// Archive comment bodies.
    pub archive: Vec<String>,
    /// Entries dropped by the size cap in this render (already counted in
    /// the stored `dropped_total`).
    pub dropped: usize,
}

impl TrackerDocument {
    /// The tracker issue's body: the rendered body with the workflow's
    /// upsert key ([`markers::tracker_issue_marker`]) as its last line.
    pub fn issue_body(&self, workflow: &str) -> String {
        markers::with_marker_line(&self.body, &markers::tracker_issue_marker(workflow))
    }
}

/// Body of a freshly created tracker.
pub fn tracker_placeholder_body(cfg: &TrackerConfig) -> String {
    let state = TrackerState { workflow: cfg.workflow.clone(), ..TrackerState::default() };
    format!(
        "{TRACKER_START}\n{}\n# {} — Failure Tracker\n\n_Initializing… the first scan will populate this tracker._\n{TRACKER_END}\n",
        markers::json_marker_line(TRACKER_STATE_PREFIX, &state_json::to_string(&state)),
        safe::inline(&cfg.display, 120)
    )
}

fn state_line(state: &TrackerState) -> String {
    markers::json_marker_line(TRACKER_STATE_PREFIX, &state_json::to_string(state))
}

fn entry_size(key: &str, e: &TrackedTest) -> usize {
    char_len(&state_json::to_string(&BTreeMap::from([(key, e)]))) + 1
}

fn days_text(n: i64) -> String {
    format!("{}d", n.max(0))
}

const RENDERED_AT_PREFIX: &str = "· last updated ";

/// When a tracker body was rendered (its "last updated" time, to the
/// minute), if it is one of ours. Lets a caller tell a body that only needs
/// a newer clock from one whose content changed.
pub fn tracker_rendered_at(body: &str) -> Option<DateTime<Utc>> {
    let start = body.find(RENDERED_AT_PREFIX)? + RENDERED_AT_PREFIX.len();
    let text = body.get(start..start + "YYYY-MM-DD HH:MM UTC".len())?;
    chrono::NaiveDateTime::parse_from_str(text, crate::model::DISPLAY_TIME_FORMAT).ok().map(|t| t.and_utc())
}

/// Render body and archive comments for `state` as of `now` (date = today).
pub fn render_tracker(state: &TrackerState, cfg: &TrackerConfig, now: DateTime<Utc>) -> TrackerDocument {
    let today = now.date_naive();
    let order = ordered(state, today, cfg);

    // 1. Split state: body first, then archive chunks, then drop.
    let mut body_state = TrackerState {
        workflow: state.workflow.clone(),
        entries: BTreeMap::new(),
        dropped_total: state.dropped_total,
        archive_gen: state.archive_gen,
    };
    let mut chunks: Vec<TrackerState> = Vec::new();
    let mut used = char_len(&state_line(&body_state));
    let mut dropped = 0usize;
    let mut in_body = true;
    for (key, e) in &order {
        let size = entry_size(key, e);
        if in_body && used + size <= BODY_STATE_BUDGET {
            body_state.entries.insert((*key).clone(), (*e).clone());
            used += size;
            continue;
        }
        in_body = false;
        if chunks.is_empty() || used + size > ARCHIVE_STATE_BUDGET {
            if chunks.len() == MAX_ARCHIVE_PARTS {
                dropped += 1;
                continue;
            }
            chunks.push(TrackerState { workflow: state.workflow.clone(), ..TrackerState::default() });
            used = 200;
        }
        chunks.last_mut().expect("pushed").entries.insert((*key).clone(), (*e).clone());
        used += size;
    }
    body_state.dropped_total += dropped as u32;
    let total = chunks.len();
    let archive: Vec<String> = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{}\n{}\n_Archived history of the {} failure tracker (part {}/{total}, {} entries). Maintained by {}; please do not edit._\n",
                archive_marker_line(i + 1, total, &cfg.workflow, state.archive_gen),
                state_line(c),
                safe::code_span(&cfg.workflow, 120, false),
                i + 1,
                c.entries.len(),
                safe::inline(&cfg.bot_name, 60)
            )
        })
        .collect();

    // 2. Body text.
    let failing: Vec<&(&String, &TrackedTest)> = order.iter().filter(|(_, e)| is_failing(e, today, cfg)).collect();
    let quiet: Vec<&(&String, &TrackedTest)> = order.iter().filter(|(_, e)| !is_failing(e, today, cfg)).collect();
    let snapshot = display_time(&now);
    let mut head = format!("{TRACKER_START}\n{}\n", state_line(&body_state));
    head.push_str(&format!("# {} — Failure Tracker\n\n", safe::inline(&cfg.display, 120)));
    head.push_str(&format!(
        "_Maintained by {} · workflow {} {RENDERED_AT_PREFIX}{snapshot} · {} failing · {} quiet · {} tracked total_\n\n",
        safe::inline(&cfg.bot_name, 60),
        safe::code_span(&cfg.workflow, 120, false),
        failing.len(),
        quiet.len(),
        state.entries.len()
    ));
    let report = match cfg.daily_issue_url.as_deref().and_then(safe::url) {
        Some(u) => format!("the [daily report]({u})"),
        None => "the daily report".into(),
    };
    head.push_str(&format!(
        "One row per failing test and cause (a failure without a test is one row for its job), built from {report}. **Broken since** is the first day the test was seen failing and is never re-dated. \
**Status**: 🔴 failing = seen within the last {} day(s) (🔴 failing again: after a quiet period, history kept); 🔁 flaky k of n = red in k of the last n runs, green in between; \
⚪ quiet since = not seen since that day, no green run of its job seen since; ✅ fixed = its job succeeded in a later completed run (observed). \
Quiet entries are kept for {} days, then dropped.\n\n",
        cfg.failing_grace_days + 1,
        cfg.retention_days
    ));
    let mut tail = String::new();
    if !archive.is_empty() {
        let archived: usize = chunks.iter().map(|c| c.entries.len()).sum();
        tail.push_str(&format!(
            "\n_{archived} older entr(y/ies) are stored in {} archive comment(s) on this issue._\n",
            archive.len()
        ));
    }
    if body_state.dropped_total > 0 {
        tail.push_str(&format!(
            "\n_{} entr(y/ies) dropped so far (quiet for more than {} days, or over the size cap)._\n",
            body_state.dropped_total, cfg.retention_days
        ));
    }
    tail.push_str(&format!("\n---\n*Auto-generated by {} · {snapshot}*\n{TRACKER_END}\n", safe::inline(&cfg.bot_name, 60)));

    let budget = SAFE_BODY_CHARS.saturating_sub(char_len(&head) + char_len(&tail) + 600);
    let mut out = head;
    let mut left = budget;
    out.push_str(&format!("## 🔴 Currently failing ({})\n\n", failing.len()));
    if failing.is_empty() {
        out.push_str(&format!("_No {} failures observed in the latest scan._\n", safe::code_span(&cfg.workflow, 120, false)));
    } else {
        out.push_str("| Broken since | Last seen | Duration | Status | Test File | Test Function | Cluster | Error | Job | Detail |\n|---|---|---|---|---|---|---|---|---|---|\n");
        // Failing rows may use up to 3/4 of the budget; quiet rows get the rest.
        let cap = if quiet.is_empty() { left } else { left * 3 / 4 };
        let used = push_capped(&mut out, failing.iter().map(|(_, e)| failing_row(e, today, cfg)), cap, 10);
        left = left.saturating_sub(used);
    }
    if !quiet.is_empty() {
        out.push_str(&format!(
            "\n<details><summary><b>⚪ Quiet / no longer observed failing ({})</b> · click to expand</summary>\n\n",
            quiet.len()
        ));
        out.push_str("| Broken since | Last seen | Status | Days seen | Test File | Test Function | Error |\n|---|---|---|---|---|---|---|\n");
        push_capped(&mut out, quiet.iter().map(|(_, e)| quiet_row(e, today)), left, 7);
        out.push_str("\n</details>\n");
    }
    out.push_str(&tail);
    TrackerDocument { body: out, archive, dropped }
}

/// Push rows while they fit `budget`; then one "… and N more" row. Returns
/// chars used.
fn push_capped(out: &mut String, rows: impl ExactSizeIterator<Item = String>, budget: usize, columns: usize) -> usize {
    let total = rows.len();
    let mut used = 0;
    for (i, row) in rows.enumerate() {
        let len = char_len(&row);
        if used + len > budget.saturating_sub(200) {
            let note = format!("| _… and {} more row(s) not shown (size limit)_ |{}\n", total - i, " |".repeat(columns - 1));
            used += char_len(&note);
            out.push_str(&note);
            return used;
        }
        out.push_str(&row);
        used += len;
    }
    used
}

fn cell_code(s: &str, max: usize) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        safe::code_span(s, max, true)
    }
}

/// A cluster name is prose, but one holding a URL or an address (taken from
/// a log) would be autolinked by GitHub outside code.
fn cluster_cell(cluster: &str) -> String {
    if cluster.is_empty() {
        "—".into()
    } else if cluster.contains("://") || cluster.contains("www.") || cluster.contains('@') {
        cell_code(cluster, CLUSTER_CHARS)
    } else {
        safe::inline(cluster, CLUSTER_CHARS)
    }
}

fn failing_row(e: &TrackedTest, today: NaiveDate, cfg: &TrackerConfig) -> String {
    let span = (e.last_seen - e.first_seen).num_days();
    let duration = if span == 0 && e.last_seen == today { "new".into() } else { days_text(span) };
    let state = match e.last_recurred {
        _ if e.status.starts_with("flaky") => format!("🔁 {}", safe::inline(&e.status, 40)),
        Some(d) if (today - d).num_days() <= cfg.failing_grace_days => format!("🔴 failing again ({}×)", e.recurrences),
        _ => "🔴 failing".into(),
    };
    let job = safe::url(&e.job_url).map_or("—".into(), |u| format!("[job]({u})"));
    let detail = safe::url(&e.detail_url).map_or("—".into(), |u| format!("[details]({u})"));
    format!(
        "| {} | {} | {duration} | {state} | {} | {} | {} | {} | {job} | {detail} |\n",
        e.first_seen,
        e.last_seen,
        cell_code(&e.test_file, 120),
        cell_code(&e.test_function, 120),
        cluster_cell(&e.cluster),
        cell_code(&e.error, ERROR_CHARS),
    )
}

/// A quiet entry's status: fixed when a green run of its job was seen
/// after its last failure ([`observe_green`]), else quiet since its last
/// sighting (silence alone is not a fix: the job may not have run).
fn quiet_status(e: &TrackedTest, _today: NaiveDate) -> String {
    match e.fixed_on {
        Some(d) => format!("✅ fixed {d} (green run after the last failure)"),
        None => format!("⚪ quiet since {}", e.last_seen),
    }
}

fn quiet_row(e: &TrackedTest, today: NaiveDate) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        e.first_seen,
        e.last_seen,
        quiet_status(e, today),
        e.days_seen,
        cell_code(&e.test_file, 120),
        cell_code(&e.test_function, 120),
        cell_code(&e.error, 100),
    )
}
