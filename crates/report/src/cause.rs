//! Causes: what the reports cluster on (issue #14, "a cluster is a cause").
//!
//! ci-triage gives every failure line a `v1` fingerprint that includes the
//! rule and the test id, so one message failing ten subtests was ten
//! clusters, and the job-level line and the test line of one OOM were two.
//! A cause is coarser and is decided here, from what the job block
//! persists (so blocks written before this change cluster the same way):
//!
//! - summary lines (`BUILD FAILURE`, exit codes, `Failed to execute goal …
//!   surefire` when tests are known) never become a cause;
//! - a job-level fault (GPU memory fault, OOM kill, NCCL/RCCL watchdog,
//!   runner lost, timeout) is the job's one cause: its test failures are its
//!   symptoms and are listed under it;
//! - otherwise one normalised message is one cause across tests, jobs and
//!   workflows (parametrisation, subtest names, shard and GPU index removed);
//!   a failing test without an error line of its own joins the job's
//!   job-level cause when there is one, else the one cause of the other
//!   tests of its file in the job.
//!
//! Cause ids are `v2:` + sha256 of the normalised text. They are new ids,
//! not a re-versioning of the triage fingerprints (those stay `v1` in every
//! job block); what stored `v1` cluster ids (yesterday's summary state, old
//! facts lines) is read as "unknown" rather than as "everything is new".

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::model::JobReport;

/// Version prefix of cause ids.
pub const CAUSE_VERSION: &str = "v2";

/// A failure of the whole job that explains its other failure lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JobFault {
    /// The GPU faulted (memory access fault, illegal address, hang).
    GpuMemoryFault,
    /// The kernel's OOM killer (or the container runtime) killed the job.
    OomKill,
    /// A collective (NCCL/RCCL) watchdog timed out.
    CollectiveWatchdog,
    /// The runner went away.
    RunnerLost,
    /// The job hit its time limit.
    Timeout,
}

impl JobFault {
    /// Short label for tables: `GPU memory fault`, …
    pub fn label(self) -> &'static str {
        match self {
            JobFault::GpuMemoryFault => "GPU memory fault",
            JobFault::OomKill => "OOM kill",
            JobFault::CollectiveWatchdog => "collective watchdog timeout",
            JobFault::RunnerLost => "runner lost",
            JobFault::Timeout => "job timeout",
        }
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

static FAULTS: LazyLock<Vec<(JobFault, Regex)>> = LazyLock::new(|| {
    vec![
        (
            JobFault::GpuMemoryFault,
            re(r"(?i)memory access fault by GPU|an illegal memory access was encountered|HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION|HW Exception by GPU node|GPU hang|Xid \d+"),
        ),
        (
            JobFault::OomKill,
            re(r"(?i)out of memory: kill(?:ed)? process|invoked oom-killer|oom-kill|OOMKilled|exit code 137\b"),
        ),
        (
            JobFault::CollectiveWatchdog,
            re(r"(?i)watchdog caught collective operation timeout|(?:NCCL|RCCL)\S* watchdog|ProcessGroup(?:NCCL|RCCL)\S*.*\btimed? ?out"),
        ),
        (
            JobFault::RunnerLost,
            re(r"(?i)runner has received a shutdown signal|lost communication with the server|self-hosted runner .* lost|the runner .* did not respond"),
        ),
        (
            JobFault::Timeout,
            re(r"(?i)has exceeded the maximum execution time|exceeded the timeout of \d+ minutes|job .* timed out after"),
        ),
    ]
});

/// The job-level fault a line reports, if any.
pub fn job_fault(message: &str) -> Option<JobFault> {
    FAULTS.iter().find(|(_, r)| r.is_match(message)).map(|(f, _)| *f)
}

static SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)^\s*(?:\[(?:INFO|ERROR|WARNING)\]\s*)?(?:
        BUILD\ FAILURE\b
      | (?:\#\#\[error\])?(?:Error:\ )?Process\ completed\ with\ exit\ code\ \d+
      | Tests\ run:\ \d+,\ Failures:
      | Failures:\ *$ | Errors:\ *$
      | FAIL(?:\s+\S+\s+[\d.]+s)?\s*$
      | make(?:\[\d+\])?:\ \*\*\*.*Error\ \d+
      | =+\ .*\b\d+\ (?:failed|errors?)\b.*=+$
      | (?:exited|exit)\ (?:with\ )?(?:status|code)\ -?\d+\.?$
      | There\ (?:are|were)\ test\ failures
      | -> \ \[Help\ 1\]
    )")
});

static TEST_GOAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)Failed to execute goal .*(?:surefire|failsafe)|There (?:are|were) test failures|Some tests failed|test(?:s)? failed\.?$")
});

/// A line that only says that something failed (the build, the step, the
/// test task). `tests_known`: the job has failing tests, so a line that
/// says "tests failed" repeats them.
pub fn is_summary_line(message: &str, tests_known: bool) -> bool {
    SUMMARY.is_match(message) || (tests_known && TEST_GOAL.is_match(message))
}

static PREFIXES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:E\s+|\[(?:ERROR|FAIL|FAILED|error)\]\s*|##\[error\]\s*|\[rank\d+\]:\[[^\]]*\]\s*|│\s*|\|\s*)+")
});
/// Log prefixes a title drops (not the id: [`cause_text`] is unchanged, so
/// cause ids stay stable): a process-rank tag (`[rank3]:`), a glog header,
/// bracketed or not (severity, month+day, time, optional thread/pid and
/// `file:line`: `[E1121 09:14:02.123456 12345 ProcessGroupNCCL.cpp:616]`,
/// `W1121 09:14:02.1 77 x.cc:12]`), and a bracketed tag naming a rank
/// (`[Rank 3]`, `[PG ID 0 PG GUID 0(default_pg) Rank 3]`), in any order
/// and repeated.
static TITLE_PREFIXES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:\s*(?:\[rank\d+\]:|\[?[IWEF]\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+\d+)?(?:\s+[\w./<>-]+:\d+)?\]|\[[^\[\]]*\b[Rr]ank \d+\])\s*)+")
});

/// What a cluster is titled by: the failure line without its log prefix
/// ([`TITLE_PREFIXES`]); the line itself when nothing else is left.
pub fn cause_title(line: &str) -> String {
    let stripped = TITLE_PREFIXES.replace(line.trim(), "");
    if stripped.trim().is_empty() {
        line.trim().to_string()
    } else {
        stripped.trim().to_string()
    }
}

static PARAMS: LazyLock<Regex> = LazyLock::new(|| re(r"(\w)\[[^\]\s]{1,200}\]"));
static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(gpu|node|rank|device|cuda|hip|tp|dp|pp|ep|shard|worker|gw|local_rank)([\s:_\-=]*)#?\d+\b")
});
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| re(r"[.!?]\s+[A-Z(]"));

/// The text a cause is identified by: the triage normalisation (times,
/// hex, paths, numbers inside identifiers), then log prefixes, test
/// parametrisation, device/shard indices and everything after the first
/// sentence removed (a message's later sentences carry run-specific
/// detail: "Tried to allocate 2.00 GiB. GPU 0 has …").
pub fn cause_text(message: &str) -> String {
    let trimmed = PREFIXES.replace(message.trim(), "");
    let mut s = ci_triage::normalise(&trimmed);
    s = PARAMS.replace_all(&s, "$1").into_owned();
    s = DEVICE.replace_all(&s, "$1$2#").into_owned();
    if let Some(m) = SENTENCE_END.find(&s) {
        s.truncate(m.start() + 1);
    }
    s.chars().take(300).collect::<String>().trim().to_string()
}

/// `v2:` + hex(sha256(text)).
pub fn cause_id(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(3 + 64);
    out.push_str(CAUSE_VERSION);
    out.push(':');
    for b in d.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The stored form of a cause id where only "seen before?" is asked (the
/// summary state): version + 16 hex digits, a quarter of the full id.
pub fn short_id(id: &str) -> String {
    id.chars().take(CAUSE_VERSION.len() + 1 + 16).collect()
}

/// Whether a stored cluster id is a cause id of this version.
pub fn is_current(id: &str) -> bool {
    id.starts_with(CAUSE_VERSION) && id[CAUSE_VERSION.len()..].starts_with(':')
}

/// One cause of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCause {
    /// `v2:` cause id (the cluster key).
    pub id: String,
    /// The line that names it (raw; escaped when rendered).
    pub title: String,
    /// Set when a job-level fault explains the whole job.
    pub fault: Option<JobFault>,
    /// Indices into the job's `failures` that are this cause's symptoms.
    pub failures: Vec<usize>,
}

impl JobReport {
    /// The causes of this job, the one that explains the job first.
    pub fn causes(&self) -> Vec<JobCause> {
        let tests_known = self.failures.iter().any(|f| f.test_id().is_some());
        let kept: Vec<usize> =
            (0..self.failures.len()).filter(|&i| !is_summary_line(&self.failures[i].message, tests_known)).collect();
        // A job-level fault explains every other line of the job.
        let fault = kept
            .iter()
            .filter_map(|&i| job_fault(&self.failures[i].message).map(|f| (f, i)))
            .min()
            .map(|(f, i)| (f, self.failures[i].message.clone()))
            .or_else(|| {
                let h = self.headline.as_deref()?;
                job_fault(h).map(|f| (f, h.to_string()))
            });
        if let Some((fault, line)) = fault {
            let id = cause_id(&cause_text(&line));
            return vec![JobCause { id, title: cause_title(&line), fault: Some(fault), failures: kept }];
        }
        let mut out: Vec<JobCause> = Vec::new();
        let mut silent: Vec<usize> = Vec::new();
        for &i in &kept {
            let f = &self.failures[i];
            let msg = f.message.trim();
            if msg.is_empty() {
                silent.push(i);
                continue;
            }
            let id = cause_id(&cause_text(msg));
            match out.iter_mut().find(|c| c.id == id) {
                Some(c) => c.failures.push(i),
                None => out.push(JobCause { id, title: cause_title(msg), fault: None, failures: vec![i] }),
            }
        }
        // A test that failed without an error line of its own (or whose
        // line triage did not keep) is explained by the job's job-level
        // line, else by the one cause of the other tests of its file.
        let job_level = out.iter().position(|c| c.failures.iter().all(|&i| self.failures[i].test_id().is_none()));
        for i in silent {
            let file = self.failures[i].test_file.as_deref();
            let same_file: BTreeSet<usize> = (0..out.len())
                .filter(|&p| file.is_some() && out[p].failures.iter().any(|&j| self.failures[j].test_file.as_deref() == file))
                .collect();
            let sibling = (same_file.len() == 1).then(|| same_file.first().copied()).flatten();
            match job_level.or(sibling) {
                Some(p) => out[p].failures.push(i),
                None => {
                    let test = self.failures[i].test_id().unwrap_or_default();
                    let id = cause_id(&format!("test:{test}"));
                    match out.iter_mut().find(|c| c.id == id) {
                        Some(c) => c.failures.push(i),
                        None => out.push(JobCause { id, title: test, fault: None, failures: vec![i] }),
                    }
                }
            }
        }
        if out.is_empty() {
            // Nothing but summary lines, or nothing recognised: the job
            // itself is the cause, named by its headline.
            let Some(headline) = self
                .headline
                .clone()
                .filter(|h| !h.trim().is_empty())
                .or_else(|| self.failures.first().map(|f| f.message.clone()))
            else {
                return out;
            };
            let step = self.failed_steps.first().map(String::as_str).unwrap_or("");
            let key = match self.fingerprint.as_deref() {
                // Old blocks and unexplained jobs: keep the job-level identity.
                Some(fp) if self.failures.is_empty() => format!("job:{fp}"),
                _ => format!("job:{}\0{step}", cause_text(&headline)),
            };
            out.push(JobCause { id: cause_id(&key), title: headline, fault: None, failures: Vec::new() });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_oom_reads_as_one_cause_whatever_the_line() {
        let a = cause_text("torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 191.98 GiB of which 1.23 GiB is free.");
        let b = cause_text("E   torch.OutOfMemoryError: HIP out of memory. Tried to allocate 4.00 GiB. GPU 3 has a total capacity of 191.98 GiB of which 1.23 GiB is free. Of the allocated memory 186.42 GiB is allocated by PyTorch");
        assert_eq!(a, b);
        assert_eq!(a, "torch.OutOfMemoryError: HIP out of memory.");
    }

    #[test]
    fn device_shard_and_parametrisation_are_removed() {
        assert_eq!(
            cause_text("Memory access fault by GPU node-2 (Agent handle: 0x55d1c3a0b2c0) on address 0x7f3a2c000000."),
            cause_text("Memory access fault by GPU node-7 (Agent handle: 0x11aa) on address 0x7f00.")
        );
        assert_eq!(cause_text("test_x[bf16-tp2] failed on cuda:3"), cause_text("test_x[fp8-tp4] failed on cuda:0"));
        assert_ne!(cause_text("expected 3 got 4"), cause_text("expected 3 got 5"));
    }

    #[test]
    fn summary_lines_and_faults() {
        for s in [
            "[INFO] BUILD FAILURE",
            "##[error]Process completed with exit code 1.",
            "FAIL\tgithub.com/hashicorp/terraform/internal/cloud\t0.574s",
            "[ERROR] Tests run: 25, Failures: 0, Errors: 1, Skipped: 0",
        ] {
            assert!(is_summary_line(s, false), "{s}");
        }
        let goal = "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.0.0-M5:test (default-test) on project x: There are test failures.";
        assert!(is_summary_line(goal, true) && !is_summary_line(goal, false));
        assert!(!is_summary_line("AssertionError: assert 1 == 2", true));
        assert_eq!(job_fault("Memory access fault by GPU node-2 (Agent handle: 0x1)"), Some(JobFault::GpuMemoryFault));
        assert_eq!(
            job_fault("[rank3]:[E1121 03:12:45.1 ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4312)"),
            Some(JobFault::CollectiveWatchdog)
        );
        assert_eq!(job_fault("RuntimeError: Server process exited with code -6"), None);
    }

    #[test]
    fn titles_drop_rank_and_glog_prefixes_and_ids_do_not_move() {
        let watchdog = "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4312, OpType=ALLREDUCE) ran for 600000 milliseconds before timing out.";
        for raw in [
            format!("[rank3]:[E1121 09:14:02.123456 ProcessGroupNCCL.cpp:616] [Rank 3] {watchdog}"),
            format!("[rank12]:[E1121 09:14:02.123456382 77 ProcessGroupNCCL.cpp:616] [PG ID 0 PG GUID 0(default_pg) Rank 12] {watchdog}"),
            format!("E1121 09:14:02.123456 12345 ProcessGroupNCCL.cpp:616] {watchdog}"),
            format!("[W1121 09:14:02 x.cc:1] {watchdog}"),
            format!("  [rank0]: {watchdog}"),
        ] {
            assert_eq!(cause_title(&raw), watchdog, "{raw}");
        }
        // Not a prefix: left alone.
        for line in ["E   AssertionError: assert 1 == 2", "[rank3] is not a prefix without a colon", "Error: rank 3 failed", "[rank3]:"] {
            assert_eq!(cause_title(line), line.trim());
        }
        // The id is still that of the whole line's normalised text.
        let raw = format!("[rank3]:[E1121 09:14:02.123456 ProcessGroupNCCL.cpp:616] [Rank 3] {watchdog}");
        let job = JobReport {
            failures: vec![crate::model::FailureView { message: raw.clone(), ..Default::default() }],
            ..Default::default()
        };
        let causes = job.causes();
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].id, cause_id(&cause_text(&raw)));
        assert_eq!(causes[0].title, watchdog);
        assert_eq!(causes[0].fault, Some(JobFault::CollectiveWatchdog));
    }
}
