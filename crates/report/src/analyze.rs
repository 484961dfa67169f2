//! The on-demand `[Analyze]` issue (seed spec §3.6). The action's step
//! summary is [`crate::step_summary::analyze_url`].
//!
//! The issue is one body, [`render_analyze_body`], bounded by
//! [`SAFE_BODY_CHARS`] and promising nothing else: the jobs whose blocks do
//! not fit are listed by cause, each linked to its log, and any that do not
//! fit even so are counted ("… and N more job(s) not listed").

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::cluster::{cluster, short_fp};
use crate::markers::{self, ANALYZE_PREFIX};
use crate::model::{display_time, short_sha, ClusterFacts, JobReport};
use crate::safe::{self, char_len};
use crate::workflow_comment::{digest_link, jobs_by_cause, render_job_block};
use crate::SAFE_BODY_CHARS;
use ci_model::{JobId, RunId};

/// Label of `[Analyze]` issues.
pub const ANALYZE_LABEL: &str = "analyze";
/// Appended to the title when the run had no failed job.
pub const NO_FAILURES_SUFFIX: &str = " -- no failures found";
/// Rows of the job table.
const JOB_TABLE_ROWS: usize = 50;
/// GitHub's title limit is 256 chars; stay below.
const TITLE_CHARS: usize = 180;

fn title_text(s: &str) -> String {
    let one = safe::clean(s).split_whitespace().collect::<Vec<_>>().join(" ");
    safe::neutralize(&safe::truncate_chars(&one, TITLE_CHARS))
}

/// `[Analyze] <workflow file> run #<n> (<sha7>)` (the old bot's shape; the
/// workflow name is neutralised, `#<n>` is ours).
pub fn analyze_title_for_run(workflow_file: &str, run_number: u64, head_sha: &str) -> String {
    format!("[Analyze] {} run #{run_number} ({})", title_text(workflow_file), short_sha(head_sha))
}

/// `[Analyze] <job name> (job <id>)`.
pub fn analyze_title_for_job(job_name: &str, job_id: JobId) -> String {
    format!("[Analyze] {} (job {job_id})", title_text(job_name))
}

/// Everything the `[Analyze]` issue shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalyzeReport {
    /// Repository `owner/name` of the run (any repo).
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Workflow file name (or name).
    pub workflow: String,
    /// Run id.
    pub run_id: RunId,
    /// Run number.
    pub run_number: u64,
    /// Run html url.
    pub run_url: String,
    /// Head commit.
    pub head_sha: String,
    /// Triggering event.
    pub event: String,
    /// When the analysis finished.
    pub analyzed_at: DateTime<Utc>,
    /// Jobs to analyse / analysed.
    pub jobs: Vec<JobReport>,
    /// Optional cross-job summary Markdown (untrusted).
    pub summary: Option<String>,
    /// Bot display name.
    pub bot_name: String,
    /// How the analysis was produced.
    pub method: String,
    /// The LLM footer line and the memory line the issue keeps (the job
    /// narratives are in the jobs); empty without a model.
    pub llm: crate::llm_memory::LlmPart,
}

fn run_facts(r: &AnalyzeReport) -> String {
    let base = format!("{}/{}", r.server_url.trim_end_matches('/'), r.repo);
    format!(
        "**Run**: {}\n**Commit**: {} {}\n**Event**: {}\n",
        safe::link(&format!("{} #{}", r.workflow, r.run_number), &r.run_url, 200),
        safe::inline(&r.repo, 100),
        safe::code_link(&short_sha(&r.head_sha), &format!("{base}/commit/{}", r.head_sha), 10, false),
        safe::code_span(&r.event, 40, false)
    )
}

fn marker(r: &AnalyzeReport) -> String {
    format!("{ANALYZE_PREFIX}v={} run={} -->", markers::VERSION, r.run_id)
}

/// What `analyze-url --output stdout` prints: the title as a heading, then
/// the body.
pub fn render_analyze_stdout(title: &str, body: &str) -> String {
    format!("# {title}\n\n{body}\n")
}

/// Body of an `[Analyze]` issue when the run had no failed job.
pub fn render_analyze_no_failures(r: &AnalyzeReport) -> String {
    format!("{}\n{}\nNo failed jobs were found in this run.\n", marker(r), run_facts(r))
}

/// The issue body: facts, summary, clusters, job table, per-job blocks (as
/// many as fit), then the other jobs by cause.
pub fn render_analyze_body(r: &AnalyzeReport) -> String {
    let mut out = format!("{}\n{}## Analysis: {} — {} failure(s)\n\n", marker(r), r.llm.memory_md(), safe::code_span(&r.workflow, 200, false), r.jobs.len());
    out.push_str(&run_facts(r));
    out.push_str(&format!("**Analyzed**: {}\n", display_time(&r.analyzed_at)));
    if let Some(s) = r.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push_str("\n### Summary\n\n");
        out.push_str(&safe::markdown(s, 6_000));
        out.push('\n');
    }
    let clusters = cluster(r.jobs.iter().map(|j| (r.workflow.as_str(), j)), &BTreeMap::<String, ClusterFacts>::new());
    if !clusters.is_empty() {
        out.push_str("\n### Symptom clusters\n\n| Cluster | Jobs | Tests |\n|---|---|---|\n");
        for c in clusters.iter().take(50) {
            out.push_str(&format!(
                "| {} {} | {} | {} |\n",
                safe::code_span(&c.title, 120, true),
                short_fp(&c.fingerprint),
                c.job_count(),
                c.tests().len()
            ));
        }
    }
    out.push_str("\n| Job | Failed Steps | Top failure |\n|---|---|---|\n");
    for j in r.jobs.iter().take(JOB_TABLE_ROWS) {
        let steps = if j.failed_steps.is_empty() {
            "N/A".to_string()
        } else {
            j.failed_steps.iter().map(|s| safe::inline(s, 80)).collect::<Vec<_>>().join(", ")
        };
        let top = j
            .failures
            .first()
            .map(|f| f.message.clone())
            .or_else(|| j.headline.clone())
            .map_or_else(
                || match &j.outcome {
                    crate::model::JobOutcome::Incomplete { .. } => "⚠️ analysis incomplete".to_string(),
                    crate::model::JobOutcome::Analyzed => "—".to_string(),
                },
                |m| safe::code_span(&m, 120, true),
            );
        out.push_str(&format!("| {} | {steps} | {top} |\n", safe::code_link(&j.name, &j.job_page_url(), 120, true)));
    }
    if r.jobs.len() > JOB_TABLE_ROWS {
        out.push_str(&format!("| _… and {} more job(s)_ | | |\n", r.jobs.len() - JOB_TABLE_ROWS));
    }
    out.push_str("\n### Per-Job Analysis\n");
    let footer = format!(
        "\n---\n*Generated by {} using {} ({})*\n{}",
        safe::inline(&r.bot_name, 60),
        safe::inline(&r.method, 60),
        display_time(&r.analyzed_at),
        r.llm.footer_md(),
    );
    let mut used = char_len(&out) + char_len(&footer) + 300;
    // Blocks leave room for listing every job by cause (headings included),
    // so that many blocks never crowd the jobs out of the body.
    let listing: usize = r.jobs.iter().map(|j| char_len(&digest_link(j)) + 2).sum::<usize>() + 3_000;
    let listing = if r.jobs.len() > 1 { listing.min(SAFE_BODY_CHARS / 2) } else { 0 };
    let mut shown = 0;
    for j in &r.jobs {
        let block = render_job_block(j);
        if used + listing + char_len(&block) > SAFE_BODY_CHARS {
            break;
        }
        used += char_len(&block);
        out.push_str(&block);
        shown += 1;
    }
    if shown < r.jobs.len() {
        let rest = &r.jobs[shown..];
        out.push_str(&format!(
            "\n### The other {} job(s), by cause\n\n_No room for their blocks in one issue (size limit): each is listed under its cause, linked to its log._\n",
            rest.len()
        ));
        let clusters = cluster(rest.iter().map(|j| (r.workflow.as_str(), j)), &BTreeMap::<String, ClusterFacts>::new());
        let mut listed = vec![false; rest.len()];
        used = char_len(&out) + char_len(&footer) + 300;
        'groups: for (heading, members) in jobs_by_cause(rest, &clusters) {
            let mut line = String::new();
            for i in members {
                let link = digest_link(&rest[i]);
                let cost = char_len(&link) + 2 + if line.is_empty() { char_len(&heading) + 4 } else { 0 };
                if used + cost > SAFE_BODY_CHARS {
                    if !line.is_empty() {
                        out.push_str(&line);
                        out.push('\n');
                    }
                    break 'groups;
                }
                if line.is_empty() {
                    line = format!("\n{heading}\n\n");
                } else {
                    line.push_str(", ");
                }
                line.push_str(&link);
                listed[i] = true;
                used += cost;
            }
            out.push_str(&line);
            out.push('\n');
        }
        // Jobs neither listed here nor in the job table appear nowhere else.
        let unlisted = (0..rest.len()).filter(|&i| !listed[i] && shown + i >= JOB_TABLE_ROWS).count();
        if unlisted > 0 {
            out.push_str(&format!("\n_… and {unlisted} more job(s) not listed (size limit; {} failed jobs in all)._\n", r.jobs.len()));
        }
    }
    out.push_str(&footer);
    out
}
