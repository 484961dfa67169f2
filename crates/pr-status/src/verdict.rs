//! The verdict of one failed job, with the evidence for it.
//!
//! Dr. CI's cascade (anchors §1b), with its known misses fixed:
//!
//! 1. No log to read → INFRA when no step ever ran on a runner, else
//!    UNCLASSIFIED ("log unavailable"), never a guess.
//! 2. **BROKEN ON BASE**: the same job on the base (the merge base, or the
//!    base branch from a day before it up to the head's time) failed with
//!    *every* specific failure this job has. Dr. CI compared whole capture
//!    arrays, so a PR failure hidden among base failures could pass as
//!    broken trunk; here a partial overlap is NEW with a "k of n also fail
//!    on the base" fact. The first red commit of that streak is named.
//! 3. **INFRA**: the triaged category is machine-level (runner lost,
//!    network, runner killed for memory, registry down); crashes a change
//!    can cause (segfault, GPU fault, CUDA/HIP OOM) do not count.
//! 4. **FLAKY**: the same job passed at the same head commit (another
//!    attempt or run), or every specific failure failed-then-passed on
//!    retry elsewhere, or failed on unrelated commits in the window (a day
//!    before the merge base to the head; not on this branch, not by this
//!    author, skipped when the window exceeds a week). A generic capture
//!    ("exit code 1", "cancelled") never matches (pytorch/test-infra#5063).
//! 5. The job passed on the base → **NEW**; failed there differently →
//!    NEW; failed there with nothing comparable → UNCLASSIFIED; never ran
//!    there → **UNCLASSIFIED** ("nobody can tell").
//!
//! A second pass lets an UNCLASSIFIED job whose specific failures all
//! belong to a FLAKY, BROKEN ON BASE or INFRA job of the same pull request
//! join it (Dr. CI step 12). NEW stays NEW: a job that passed on the base
//! is direct evidence.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use ci_report::pr_model::{Evidence, EvidenceKind, JobVerdict, LogLine, Since, Verdict};
use ci_report::{JobOutcome, JobReport};

use crate::input::JobRun;
use crate::signals::{is_generic, is_machine_level, job_key};

/// Windows the evidence must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Base and elsewhere runs count from this time…
    pub from: DateTime<Utc>,
    /// …to this one.
    pub to: DateTime<Utc>,
    /// Whether "failed on unrelated commits" is searched (a stale base
    /// turns it off).
    pub search_elsewhere: bool,
}

impl Window {
    /// From a day before the merge base to `head_at`; elsewhere searched
    /// only when that spans at most `max_days`.
    pub fn new(merge_base_at: Option<DateTime<Utc>>, head_at: DateTime<Utc>, max_days: i64) -> Window {
        let from = merge_base_at.map_or(head_at - Duration::days(max_days), |t| t - Duration::hours(24));
        Window { from, to: head_at, search_elsewhere: head_at - from <= Duration::days(max_days) }
    }

    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t <= self.to
    }
}

/// The specific fingerprints of a triaged job: failures whose message
/// names a cause; the job-level fingerprint when its headline does.
pub fn specific_fingerprints(report: &JobReport) -> BTreeSet<String> {
    let mut fps: BTreeSet<String> = report
        .failures
        .iter()
        .filter(|f| !f.fingerprint.is_empty() && !is_generic(&f.message))
        .map(|f| f.fingerprint.clone())
        .collect();
    if report.failures.is_empty() {
        if let (Some(fp), Some(h)) = (&report.fingerprint, &report.headline) {
            if !fp.is_empty() && !is_generic(h) {
                fps.insert(fp.clone());
            }
        }
    }
    fps
}

fn analysed(job: &JobRun) -> Option<&JobReport> {
    job.report.as_ref().filter(|r| r.outcome == JobOutcome::Analyzed)
}

/// The line of `job`'s log that shows one of `fps` (the first failure when
/// `fps` is empty), as a deep link.
fn line_for(job: &JobRun, fps: &BTreeSet<String>) -> Option<LogLine> {
    let r = analysed(job)?;
    let url = if job.url.is_empty() { r.job_page_url() } else { job.url.clone() };
    let f = r.failures.iter().find(|f| fps.is_empty() || fps.contains(&f.fingerprint));
    match f {
        Some(f) => Some(LogLine { job_url: url, anchor: f.anchor, text: f.message.clone() }),
        None if fps.is_empty() || r.fingerprint.as_ref().is_some_and(|fp| fps.contains(fp)) => {
            r.headline.as_ref().map(|h| LogLine { job_url: url, anchor: None, text: h.clone() })
        }
        None => None,
    }
}

fn evidence(kind: EvidenceKind, job: Option<&JobRun>, line: Option<LogLine>) -> Evidence {
    Evidence { kind, job: job.map(JobRun::job_ref), line }
}

/// Where the head job stands against the base, when it is not broken there.
enum Base<'a> {
    /// No completed run of the job on the base in the window.
    NotRun,
    /// Evidence for NEW or UNCLASSIFIED, plus a partial overlap if any.
    Ran { passed: Option<&'a JobRun>, differs: Option<&'a JobRun>, uncomparable: Option<&'a JobRun>, partly: Option<(&'a JobRun, u32)> },
}

/// `Err(job)`: a base run that failed with every specific failure.
fn compare_with_base<'a>(
    same_key: Vec<&'a JobRun>,
    fps: &BTreeSet<String>,
    window: &Window,
    merge_base: Option<&str>,
) -> Result<Base<'a>, &'a JobRun> {
    let mut same: Vec<&JobRun> = same_key
        .into_iter()
        .filter(|j| j.is_red() || j.is_green())
        .filter(|j| merge_base == Some(j.sha.as_str()) || window.contains(j.at))
        .collect();
    if same.is_empty() {
        return Ok(Base::NotRun);
    }
    // Nearest to the merge base first: its own commit, then by time.
    same.sort_by_key(|j| (merge_base != Some(j.sha.as_str()), std::cmp::Reverse(j.at)));
    if !fps.is_empty() {
        if let Some(b) = same.iter().find(|j| j.is_red() && analysed(j).is_some_and(|r| fps.is_subset(&specific_fingerprints(r)))) {
            return Err(b);
        }
    }
    let mut partly = None;
    let (mut differs, mut uncomparable) = (None, None);
    for j in same.iter().filter(|j| j.is_red()) {
        let theirs = analysed(j).map(specific_fingerprints).unwrap_or_default();
        let overlap = fps.intersection(&theirs).count() as u32;
        if overlap > 0 && partly.is_none_or(|(_, n)| overlap > n) {
            partly = Some((*j, overlap));
        }
        if fps.is_empty() || theirs.is_empty() {
            uncomparable.get_or_insert(*j);
        } else {
            // Not a superset (that was BROKEN above): this job fails in
            // ways the base does not.
            differs.get_or_insert(*j);
        }
    }
    let passed = same.iter().find(|j| j.is_green()).copied();
    Ok(Base::Ran { passed, differs, uncomparable, partly })
}

/// The first red commit of the streak that `broken` belongs to, walking the
/// base's runs of the same job back in time.
fn since(same_key: Vec<&JobRun>, fps: &BTreeSet<String>, broken: &JobRun) -> Since {
    let mut history: Vec<&JobRun> =
        same_key.into_iter().filter(|j| (j.is_red() || j.is_green()) && j.at <= broken.at).collect();
    history.sort_by_key(|j| std::cmp::Reverse(j.at));
    let mut first = broken;
    for j in history {
        let same_failure = j.is_red() && analysed(j).is_some_and(|r| !fps.is_disjoint(&specific_fingerprints(r)));
        if !same_failure {
            return Since { sha: first.sha.clone(), exact: true };
        }
        first = j;
    }
    Since { sha: first.sha.clone(), exact: false }
}

/// Fingerprints known to fail and then pass on retry: a failed attempt
/// whose same job, same run, passed in a later attempt.
pub fn retried_green(jobs: &[JobRun]) -> Vec<(&JobRun, BTreeSet<String>)> {
    let green: BTreeSet<(u64, &str, u32)> =
        jobs.iter().filter(|k| k.is_green()).map(|k| (k.run_id, k.name.as_str(), k.attempt)).collect();
    jobs.iter()
        .filter(|j| j.is_red())
        .filter(|j| green.range((j.run_id, j.name.as_str(), j.attempt + 1)..).next().is_some_and(|g| g.0 == j.run_id && g.1 == j.name))
        .filter_map(|j| analysed(j).map(|r| (j, specific_fingerprints(r))))
        .filter(|(_, fps)| !fps.is_empty())
        .collect()
}

/// Jobs by [`job_key`], so a pull request with thousands of jobs costs one
/// pass, not one per failed job.
pub struct ByKey<'a> {
    all: &'a [JobRun],
    index: HashMap<String, Vec<usize>>,
}

impl<'a> ByKey<'a> {
    /// Index `jobs`.
    pub fn new(jobs: &'a [JobRun]) -> Self {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, j) in jobs.iter().enumerate() {
            index.entry(job_key(&j.workflow, &j.name)).or_default().push(i);
        }
        ByKey { all: jobs, index }
    }

    /// The jobs with this key.
    pub fn get(&self, key: &str) -> Vec<&'a JobRun> {
        self.index.get(key).map(|ix| ix.iter().map(|&i| &self.all[i]).collect()).unwrap_or_default()
    }

    /// Every job.
    pub fn all(&self) -> &'a [JobRun] {
        self.all
    }
}

/// Everything a verdict is decided from.
pub struct Context<'a> {
    /// All head jobs (every attempt and run).
    pub head: ByKey<'a>,
    /// Base jobs.
    pub base: ByKey<'a>,
    /// Jobs elsewhere.
    pub elsewhere: ByKey<'a>,
    /// Fingerprints that failed and then passed on retry (elsewhere and on
    /// the base), with the job that shows it.
    pub retried: Vec<(&'a JobRun, BTreeSet<String>)>,
    /// The pull request's head branch and author (excluded from "elsewhere").
    pub head_ref: &'a str,
    /// Author of the pull request.
    pub author: &'a str,
    /// Merge base sha.
    pub merge_base: Option<&'a str>,
    /// Evidence window.
    pub window: Window,
}

/// The verdict on `job`, a failed job of the latest attempt at the head.
pub fn judge(job: &JobRun, cx: &Context<'_>) -> JobVerdict {
    let key = job_key(&job.workflow, &job.name);
    let report = analysed(job);
    let fps = report.map(specific_fingerprints).unwrap_or_default();
    let failure = line_for(job, &BTreeSet::new());
    let tests: Vec<String> = report.map(|r| r.failures.iter().filter_map(|f| f.test_id()).collect()).unwrap_or_default();
    let verdict = |verdict: Verdict, evidence: Vec<Evidence>, since: Option<Since>| JobVerdict {
        job: job.job_ref(),
        conclusion: job.conclusion.clone().unwrap_or_default(),
        verdict,
        failure: failure.clone(),
        tests: dedup(&tests),
        evidence,
        since,
    };

    // 1. Nothing to read.
    if report.is_none() {
        if !job.ran {
            return verdict(Verdict::Infra, vec![evidence(EvidenceKind::NoRunner, None, None)], None);
        }
        let reason = match &job.report {
            Some(JobReport { outcome: JobOutcome::Incomplete { reason }, .. }) => reason.clone(),
            _ => "the log was not read".to_string(),
        };
        return verdict(Verdict::Unclassified, vec![evidence(EvidenceKind::LogUnavailable { reason }, None, None)], None);
    }

    // 2. Broken on the base.
    let base = match compare_with_base(cx.base.get(&key), &fps, &cx.window, cx.merge_base) {
        Ok(base) => base,
        Err(b) => {
            let line = line_for(b, &fps);
            let s = since(cx.base.get(&key), &fps, b);
            return verdict(Verdict::BrokenOnBase, vec![evidence(EvidenceKind::SameFailureOnBase, Some(b), line)], Some(s));
        }
    };

    // 3. The machine failed.
    if let Some(r) = report {
        let machine = r.failures.iter().find(|f| is_machine_level(r.category.map(|c| c.as_str()), &f.message)).map(|f| f.message.clone());
        let machine = machine.or_else(|| {
            (r.failures.is_empty()).then(|| r.headline.clone()).flatten().filter(|h| is_machine_level(r.category.map(|c| c.as_str()), h))
        });
        if let Some(text) = machine {
            let line = r
                .failures
                .iter()
                .find(|f| f.message == text)
                .map(|f| LogLine { job_url: job.url.clone(), anchor: f.anchor, text: text.clone() })
                .unwrap_or(LogLine { job_url: job.url.clone(), anchor: None, text });
            return verdict(Verdict::Infra, vec![evidence(EvidenceKind::InfraSignal, None, Some(line))], None);
        }
    }

    // 4. Flaky.
    let retry = cx
        .head
        .get(&key)
        .into_iter()
        .filter(|k| k.job_id != job.job_id && k.sha == job.sha && k.is_green())
        .max_by_key(|k| k.at);
    if let Some(k) = retry {
        return verdict(Verdict::Flaky, vec![evidence(EvidenceKind::PassedOnRetry, Some(k), None)], None);
    }
    if !fps.is_empty() {
        let mut covered: BTreeSet<String> = BTreeSet::new();
        let mut facts = Vec::new();
        for (j, theirs) in &cx.retried {
            let j: &JobRun = j;
            let hit: BTreeSet<String> = fps.intersection(theirs).cloned().collect();
            if !hit.is_empty() && !hit.is_subset(&covered) {
                facts.push(evidence(EvidenceKind::PassedOnRetryElsewhere, Some(j), line_for(j, &hit)));
                covered.extend(hit);
            }
        }
        if cx.window.search_elsewhere {
            let mut others: Vec<&JobRun> = cx
                .elsewhere
                .get(&key)
                .into_iter()
                .filter(|j| j.is_red())
                .filter(|j| j.sha != job.sha && j.branch.as_deref() != Some(cx.head_ref))
                .filter(|j| j.author.as_deref().is_none_or(|a| !a.eq_ignore_ascii_case(cx.author)))
                .filter(|j| cx.window.contains(j.at))
                .collect();
            others.sort_by_key(|j| std::cmp::Reverse(j.at));
            for j in others {
                let theirs = analysed(j).map(specific_fingerprints).unwrap_or_default();
                let hit: BTreeSet<String> = fps.intersection(&theirs).cloned().collect();
                if !hit.is_empty() && !hit.is_subset(&covered) {
                    facts.push(evidence(EvidenceKind::SameFailureElsewhere, Some(j), line_for(j, &hit)));
                    covered.extend(hit);
                }
            }
        }
        if fps.is_subset(&covered) {
            return verdict(Verdict::Flaky, facts, None);
        }
    }

    // 5. New, or nobody can tell.
    match base {
        Base::NotRun => verdict(Verdict::Unclassified, vec![evidence(EvidenceKind::NotRunOnBase, None, None)], None),
        Base::Ran { passed, differs, uncomparable, partly } => {
            let partly_fact = partly.map(|(j, n)| {
                evidence(EvidenceKind::PartlyOnBase { matched: n, total: fps.len() as u32 }, Some(j), line_for(j, &fps))
            });
            if let Some(p) = passed {
                let mut ev = vec![evidence(EvidenceKind::PassedOnBase, Some(p), None)];
                ev.extend(partly_fact);
                if fps.is_empty() {
                    ev.push(evidence(EvidenceKind::NoSpecificFailure, None, None));
                }
                verdict(Verdict::New, ev, None)
            } else if let Some(d) = differs {
                let mut ev = Vec::new();
                if partly.is_none_or(|(p, _)| p.job_id != d.job_id) {
                    ev.push(evidence(EvidenceKind::FailedDifferentlyOnBase, Some(d), line_for(d, &BTreeSet::new())));
                }
                ev.extend(partly_fact);
                verdict(Verdict::New, ev, None)
            } else {
                let u = uncomparable.or(partly.map(|(j, _)| j));
                let mut ev = vec![evidence(EvidenceKind::FailedOnBaseUncomparable, u, None)];
                if fps.is_empty() {
                    ev.push(evidence(EvidenceKind::NoSpecificFailure, None, None));
                }
                verdict(Verdict::Unclassified, ev, None)
            }
        }
    }
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.iter().filter(|t| seen.insert((*t).clone())).cloned().collect()
}

/// Dr. CI's second pass: an UNCLASSIFIED job whose specific failures all
/// belong to one unrelated-verdict job of the same pull request joins it.
pub fn second_pass(verdicts: &mut [JobVerdict], fingerprints: &[BTreeSet<String>]) {
    let unrelated: Vec<(usize, Verdict)> = verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| matches!(v.verdict, Verdict::Flaky | Verdict::BrokenOnBase | Verdict::Infra))
        .map(|(i, v)| (i, v.verdict))
        .collect();
    for i in 0..verdicts.len() {
        if verdicts[i].verdict != Verdict::Unclassified || fingerprints[i].is_empty() {
            continue;
        }
        let Some(&(j, v)) = unrelated.iter().find(|(j, _)| fingerprints[i].is_subset(&fingerprints[*j])) else { continue };
        let other = verdicts[j].job.clone();
        let since = verdicts[j].since.clone();
        let me = &mut verdicts[i];
        me.verdict = v;
        me.since = since;
        me.evidence.insert(0, Evidence { kind: EvidenceKind::SameAsJobInPr, job: Some(other), line: None });
    }
}
