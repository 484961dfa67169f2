//! Download and triage failed jobs' logs, a few at a time, for every action
//! that reports on jobs.
//!
//! A log is never held whole: the download writes into a bounded pipe that
//! triage reads from on a blocking thread, so memory per log is the pipe
//! plus the engine's own bounded state, whatever the log's size. While it
//! streams, the log's `::add-mask::` values are learned; the reports are
//! redacted with them before anything renders (and so before any
//! truncation could cut a secret in half). Where the same job passed in
//! an earlier run, its log is the baseline ([`crate::services::baseline`]).

use std::io::{Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use ci_github::{GitHub, Job, JobId, RepoRef, WorkflowRun};
use ci_redact::LearnedSecrets;
use ci_report::JobReport;
use ci_triage::{Analysis, RuleSet};

use crate::ctx::{Ctx, GitHubReads};
use crate::services::baseline::Found;
use crate::domain::log_facts::{LogFactPattern, LogFactScanner};

/// Log downloads in flight at once.
const CONCURRENT_DOWNLOADS: usize = 4;

/// Requests a run keeps for itself after its log downloads: the comment
/// lists, the writes (at most the write budget) and the re-reads of each
/// marker upsert. A log is not downloaded when fewer than this are left in
/// the rate-limit window; its job waits for the next run.
pub const RATE_RESERVE: u64 = 300;

/// Chunks buffered between a download and its triage (each at most what
/// one network read hands over, typically 8 to 64 KiB).
pub(crate) const PIPE_CHUNKS: usize = 16;

/// What [`triage_jobs`] hands back.
#[derive(Debug, Default)]
pub struct Triaged {
    /// One report per job that was read (or failed for good), input order.
    pub reports: Vec<JobReport>,
    /// The engine's analysis of each log read, when an LLM will use it.
    pub analyses: Vec<(JobId, Analysis)>,
    /// Jobs not read because GitHub's rate limit was (nearly) spent: not
    /// reported and not recorded as processed, so the next run reads them.
    pub deferred: Vec<JobId>,
}

impl Triaged {
    /// The one-line warning for deferred jobs, if any.
    pub fn deferred_warning(&self) -> Option<String> {
        (!self.deferred.is_empty()).then(|| {
            format!(
                "{} failed job(s) not analysed in this run: GitHub's rate limit is nearly spent (a run keeps {RATE_RESERVE} requests for its writes); the next run analyses them",
                self.deferred.len()
            )
        })
    }
}

/// Each job's log (from `repo`, where the runs live) triaged into its
/// report, in input order, with every secret redacted, and (when an LLM
/// will use it) the engine's analysis of each log, redacted too. A job
/// whose log cannot be read or analysed is recorded as incomplete, so it is
/// not retried forever; but a job whose log was not read because the rate
/// limit ran low (or out) is left out, unrecorded, for the next run (see
/// [`Triaged::deferred`]).
pub async fn triage_jobs<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    repo: &RepoRef,
    jobs: &[(WorkflowRun, Job)],
) -> Triaged {
    let baselines = crate::services::baseline::for_jobs(ctx.github(), repo, jobs).await;
    let facts = Arc::new(ctx.config.facts.clone());
    let (triaged, learned) = triage_streaming(ctx.github(), repo, &ctx.rules, &facts, jobs, baselines).await;
    ctx.learn(&learned);
    let keep = ctx.llm().configured();
    let mut out = Triaged::default();
    for t in triaged {
        match t {
            Outcome::Done(r, a) => {
                if let Some(a) = a.filter(|_| keep) {
                    out.analyses.push((r.job_id, ctx.redact_value(a)));
                }
                out.reports.push(redact_report(ctx, r));
            }
            Outcome::Deferred(id) => out.deferred.push(id),
        }
    }
    out
}

/// One job's triage.
enum Outcome {
    Done(JobReport, Option<Analysis>),
    /// Not read: the rate limit was (nearly) spent.
    Deferred(JobId),
}

async fn triage_streaming<G: GitHub + Clone + 'static>(
    github: &GitHubReads<G>,
    repo: &RepoRef,
    rules: &Arc<RuleSet>,
    facts: &Arc<Vec<LogFactPattern>>,
    jobs: &[(WorkflowRun, Job)],
    baselines: Vec<Option<Found>>,
) -> (Vec<Outcome>, LearnedSecrets) {
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_DOWNLOADS));
    let mut handles = Vec::new();
    for ((run, job), baseline) in jobs.iter().cloned().zip(baselines.into_iter().chain(std::iter::repeat(None))) {
        let gh = github.clone();
        let repo = repo.clone();
        let rules = rules.clone();
        let facts = facts.clone();
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            if gh.rate_remaining().is_some_and(|left| left < RATE_RESERVE) {
                return (Outcome::Deferred(job.id), LearnedSecrets::new());
            }
            let (tx, rx) = sync_channel::<Vec<u8>>(PIPE_CHUNKS);
            let base = baseline.as_ref().map(|b| b.baseline.clone());
            let triage = tokio::task::spawn_blocking(move || {
                let mut reader = FactReader { inner: PipeReader::new(rx), facts: LogFactScanner::new(facts.to_vec()) };
                // The engine hands over the lines that may hold an
                // `::add-mask::` command.
                let mut learned = LearnedSecrets::new();
                let analysis = ci_triage::analyze_watching(&mut reader, &rules, base.as_deref(), &mut |line| learned.observe_bytes(line));
                // Triage may stop reading early; the facts are in what it read.
                (analysis, learned, reader.facts.finish())
            });
            let mut sink = PipeWriter::new(tx);
            let downloaded = gh.download_job_log(&repo, job.id, &mut sink).await;
            drop(sink); // end of log: triage finishes
            match (downloaded, triage.await) {
                (Ok(_), Ok((a, learned, facts))) => {
                    let mut report = JobReport::analyzed(&run, &job, &a);
                    report.baseline = baseline.map(|b| b.job_url).filter(|u| !u.is_empty());
                    report.facts = facts;
                    (Outcome::Done(report, Some(a)), learned)
                }
                (Err(ci_github::Error::RateLimited { .. }), Ok((_, learned, _))) => (Outcome::Deferred(job.id), learned),
                (Err(e), Ok((_, learned, _))) => {
                    (Outcome::Done(JobReport::incomplete(&run, &job, &format!("log download failed: {e}")), None), learned)
                }
                (_, Err(e)) => {
                    (Outcome::Done(JobReport::incomplete(&run, &job, &format!("triage crashed: {e}")), None), LearnedSecrets::new())
                }
            }
        }));
    }
    let mut out = Vec::new();
    let mut learned = LearnedSecrets::new();
    for h in handles {
        if let Ok((r, l)) = h.await {
            learned.extend(&l);
            out.push(r);
        }
    }
    (out, learned)
}

/// The download's end of the pipe. When triage has stopped reading (it
/// gives up on a log with no newline for hundreds of MiB), the rest of the
/// download is discarded.
pub(crate) struct PipeWriter {
    tx: Option<SyncSender<Vec<u8>>>,
}

impl PipeWriter {
    pub(crate) fn new(tx: SyncSender<Vec<u8>>) -> Self {
        PipeWriter { tx: Some(tx) }
    }
}

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(tx) = &self.tx {
            if tx.send(buf.to_vec()).is_err() {
                self.tx = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What triage reads also goes past the config's fact patterns.
struct FactReader<R> {
    inner: R,
    facts: LogFactScanner,
}

impl<R: Read> Read for FactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.facts.feed(&buf[..n]);
        Ok(n)
    }
}

/// Triage's end of the pipe.
pub(crate) struct PipeReader {
    rx: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl PipeReader {
    pub(crate) fn new(rx: Receiver<Vec<u8>>) -> Self {
        PipeReader { rx, chunk: Vec::new(), at: 0 }
    }
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.chunk = c;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// `r` with every secret in its text replaced. `Ctx::redact_value` goes
/// through the report's JSON, which leaves out what the block stores
/// elsewhere (`#[serde(skip)]`: the job id, run URL and start time from
/// GitHub, the analysis text): those came back as defaults whenever the
/// log held something to redact, and a job id of 0 is never "processed",
/// so such a job was reported again on every tick. They are carried over,
/// the text among them redacted.
fn redact_report<G: GitHub + Clone + 'static>(ctx: &Ctx<G>, r: JobReport) -> JobReport {
    let (job_id, run_url, started_at, analysis, legacy) = (r.job_id, r.run_url.clone(), r.started_at.clone(), r.analysis.clone(), r.legacy);
    let mut out = ctx.redact_value(r);
    out.job_id = job_id;
    out.run_url = ctx.redact(&run_url);
    out.started_at = started_at;
    out.analysis = analysis.map(|a| ctx.redact(&a));
    out.legacy = legacy;
    out
}
