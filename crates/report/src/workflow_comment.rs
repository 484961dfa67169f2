//! The per-workflow report on the daily issue: rendering, packing into
//! comment parts, and strict parse-back (seed spec §3.2, §3.3, §4.8).
//!
//! Every part starts with the old bot's `processed_job_ids` and part markers
//! (so the old reader still deduplicates) and our versioned workflow marker
//! (so we identify our comments strictly rather than by a heading substring).
//! Per-job blocks keep the old `<details data-job-id=… data-run-url=…
//! data-started-at=…>` tag byte-for-byte; structured data rides in a
//! `<!-- ci-bot:job v=2 {json} -->` line inside the block, free-form analysis
//! between `ci-bot:analysis` start/end lines. Untrusted text is escaped by
//! [`crate::safe`], so none of it can form one of these lines.

use std::collections::{BTreeMap, BTreeSet};

use ci_model::{CommentId, FailureStatus, JobId};

use crate::cluster::{cluster, short_fp, ClusterView};
use crate::markers::{self, ANALYSIS_END, ANALYSIS_START, JOB_META_PREFIX};
use crate::model::{display_minute, display_time, short_sha, ClusterFacts, JobOutcome, JobReport, WorkflowReport};
use crate::safe::{self, char_len};
use crate::state_json;
use crate::SAFE_BODY_CHARS;

/// Most comment parts one workflow report may use (circuit breaker against
/// the old bot's 815-part incident). Blocks that do not fit are summarised.
pub const MAX_PARTS: usize = 12;
/// Cap for the part-1 header (summary, tables) so blocks always have room.
pub const HEADER_BUDGET: usize = 24_000;
/// Cap for the free-form analysis of one job.
pub const ANALYSIS_CHARS: usize = 20_000;
/// Key lines kept per failure: enough to recognise the symptom, small
/// enough that forty jobs fit in a few comments.
pub const EXCERPT_LINES: usize = 8;
/// Chars per key line.
pub const EXCERPT_LINE_CHARS: usize = 240;
/// Chars of a one-line error message.
pub const MESSAGE_CHARS: usize = 200;
/// Above this, the processed-id list is spread over the parts instead of
/// repeated in each (see [`render_workflow_comments`]).
pub const IDS_LINE_MAX: usize = 15_000;


const DETAILS_CLOSE: &str = "</details>";

// ------------------------------------------------------------------ render

/// Normalise a job to what its block can hold, so render → parse returns
/// exactly this value: caps on message, excerpt and analysis lengths.
pub fn normalize_job(job: &JobReport) -> JobReport {
    let mut j = job.clone();
    for f in &mut j.failures {
        f.message = safe::truncate_chars(&one_line(&f.message), MESSAGE_CHARS).into_owned();
        f.excerpt.truncate(EXCERPT_LINES);
        for l in &mut f.excerpt {
            // Keep indentation (tracebacks); only line breaks are removed.
            let flat = l.replace(['\n', '\r'], " ");
            *l = safe::truncate_chars(flat.trim_end(), EXCERPT_LINE_CHARS).into_owned();
        }
    }
    if let Some(h) = &mut j.headline {
        *h = safe::truncate_chars(&one_line(h), MESSAGE_CHARS).into_owned();
    }
    if let Some(p) = &mut j.model_pick {
        p.text = safe::truncate_chars(&one_line(&p.text), EXCERPT_LINE_CHARS).into_owned();
        p.why = safe::truncate_chars(&one_line(&p.why), MESSAGE_CHARS).into_owned();
    }
    j.analysis = j
        .analysis
        .as_deref()
        .map(|a| safe::markdown(a, ANALYSIS_CHARS))
        .filter(|a| !a.trim().is_empty());
    j
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Web base of the repository a run url belongs to:
/// `https://github.com/o/r/actions/runs/1` → `https://github.com/o/r`.
fn repo_web(run_url: &str) -> Option<&str> {
    run_url.find("/actions/runs/").map(|i| &run_url[..i])
}

/// Render one per-job block (old tag shape + our metadata). The input is
/// normalised first, see [`normalize_job`].
pub fn render_job_block(job: &JobReport) -> String {
    let job = normalize_job(job);
    let mut out = String::new();
    let started = job.started_at.as_deref().unwrap_or("");
    out.push_str(&format!("\n<a id=\"job-{}\"></a>\n", job.job_id));
    out.push_str(&format!(
        "<details data-job-id=\"{}\" data-run-url=\"{}\" data-started-at=\"{}\">\n",
        job.job_id,
        safe::attr(&job.run_url),
        safe::attr(started)
    ));
    let steps = if job.failed_steps.is_empty() {
        "N/A".to_string()
    } else {
        job.failed_steps.iter().map(|s| safe::inline(s, 120)).collect::<Vec<_>>().join(", ")
    };
    let stub = matches!(job.outcome, JobOutcome::Incomplete { .. });
    out.push_str(&format!(
        "<summary><b>{}</b> — failed step(s): {}{}</summary>\n",
        safe::inline(&job.name, 200),
        steps,
        if stub { " — ⚠️ analysis failed" } else { "" }
    ));
    out.push_str(&markers::json_marker_line(JOB_META_PREFIX, &state_json::to_string(&job)));
    out.push_str("\n\n");
    out.push_str(&job_body(&job));
    out.push_str(DETAILS_CLOSE);
    out.push('\n');
    out
}

/// The Markdown body of a job (facts line, failures, key lines, analysis),
/// as used inside its block and in `[Analyze]` comments. `job` must be
/// normalised ([`normalize_job`]).
pub fn job_body(job: &JobReport) -> String {
    let mut out = String::new();
    let job_url = job.job_page_url();
    let mut facts = vec![safe::link("job log", &job_url, 20)];
    if let Some(c) = &job.conclusion {
        facts.push(format!("**Conclusion**: {}", safe::code_span(c.as_str(), 40, false)));
    }
    if let Some(c) = &job.category {
        facts.push(format!("**Category**: {}", safe::code_span(c.as_str(), 40, false)));
    }
    if let Some(sha) = &job.head_sha {
        let text = format!("`{}`", short_sha(sha));
        match repo_web(&job.run_url).and_then(|w| safe::url(&format!("{w}/commit/{}", short_sha_full(sha)))) {
            Some(u) => facts.push(format!("**Commit**: [{text}]({u})")),
            None => facts.push(format!("**Commit**: {text}")),
        }
    }
    if let Some(s) = &job.started_at {
        facts.push(format!("**Started**: {} UTC", safe::inline(&display_minute(s), 20)));
    }
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n");
    if let Some(p) = &job.model_pick {
        let at = match p.anchor {
            Some(a) => safe::link(&format!("L{}", p.line), &a.url(&job_url), 20),
            None => format!("L{}", p.line),
        };
        out.push_str(&format!(
            "**Line to read first (the model's pick among the engine's candidates):** {at} {}",
            safe::code_span(&p.text, EXCERPT_LINE_CHARS, false)
        ));
        if !p.why.is_empty() {
            out.push_str(&format!(" — {}", safe::inline(&p.why, MESSAGE_CHARS)));
        }
        out.push_str("\n\n");
    }

    if let JobOutcome::Incomplete { reason } = &job.outcome {
        out.push_str(&format!(
            "**Analysis did not complete:** {}. Manual triage required.\n\n",
            safe::inline(reason, 300)
        ));
    }
    if job.failures.is_empty() {
        if let Some(h) = &job.headline {
            out.push_str(&format!("**Error**: {}\n\n", safe::code_span(h, MESSAGE_CHARS, false)));
        }
    } else {
        out.push_str("| Test | Error | Log |\n|---|---|---|\n");
        for f in &job.failures {
            let test = f.test_id().map_or("—".to_string(), |t| safe::code_span(&t, 200, true));
            let log = match f.anchor {
                Some(a) => safe::link(&format!("step {} line {}", a.step, a.line), &a.url(&job_url), 40),
                None => safe::link("log", &job_url, 10),
            };
            out.push_str(&format!(
                "| {test} | {} | {log} |\n",
                safe::code_span(&f.message, MESSAGE_CHARS, true)
            ));
        }
        let all = job.failure_count();
        if all > job.failures.len() {
            out.push_str(&format!(
                "| _+{} more failing test(s) ({} in all)_ | | |\n",
                thousands(all - job.failures.len()),
                thousands(all)
            ));
        }
        out.push('\n');
        for f in job.failures.iter().filter(|f| !f.excerpt.is_empty()) {
            let label = f.test_id().unwrap_or_else(|| short_fp(&f.fingerprint));
            out.push_str(&format!("Key lines — {}:\n\n", safe::code_span(&label, 200, false)));
            out.push_str(&safe::code_block(&f.excerpt.join("\n"), "text", EXCERPT_LINES, EXCERPT_LINE_CHARS));
            out.push_str("\n\n");
        }
    }
    if let Some(a) = &job.analysis {
        out.push_str(ANALYSIS_START);
        out.push('\n');
        out.push_str(a);
        out.push('\n');
        out.push_str(ANALYSIS_END);
        out.push_str("\n\n");
    }
    if job.truncated {
        out.push_str("_… this block was shortened to fit GitHub's comment size limit._\n\n");
    }
    out
}

/// `49960` → `49,960`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn short_sha_full(sha: &str) -> String {
    sha.chars().filter(char::is_ascii_hexdigit).take(40).collect()
}

/// Shrink a job until its block fits `max` chars: shorter analysis, then
/// fewer key lines, then fewer failures. Always returns a valid block.
fn fit_block(job: &JobReport, max: usize) -> String {
    let block = render_job_block(job);
    if char_len(&block) <= max {
        return block;
    }
    let mut j = normalize_job(job);
    j.truncated = true;
    let mut analysis_cap = ANALYSIS_CHARS;
    let mut stage = 0;
    loop {
        let block = render_job_block(&j);
        if char_len(&block) <= max {
            return block;
        }
        match stage {
            // Halve the analysis a few times, then drop it.
            0 if j.analysis.is_some() && analysis_cap > 1_000 => {
                analysis_cap /= 2;
                j.analysis = j.analysis.as_deref().map(|a| safe::markdown(a, analysis_cap));
            }
            0 => {
                j.analysis = None;
                stage = 1;
            }
            1 => {
                j.failures.iter_mut().for_each(|f| f.excerpt.clear());
                stage = 2;
            }
            2 if j.failures.len() > 1 => {
                // Failures dropped to fit are still counted ("+N more … (M in all)").
                j.failures_total = u32::try_from(job.failure_count()).unwrap_or(u32::MAX);
                let keep = j.failures.len() / 2;
                j.failures.truncate(keep);
            }
            _ => {
                // Only absurdly long names or step lists are left.
                j.name = safe::truncate_chars(&j.name, 200).into_owned();
                j.failed_steps.truncate(3);
                for f in &mut j.failures {
                    f.message = safe::truncate_chars(&f.message, 40).into_owned();
                }
                return render_job_block(&j);
            }
        }
    }
}

fn earliest_start(jobs: &[JobReport]) -> Option<String> {
    jobs.iter().filter_map(|j| j.started_at.clone()).filter(|s| !s.is_empty()).min()
}

/// Clusters of one workflow report, with the report's facts attached.
pub fn workflow_clusters(report: &WorkflowReport) -> Vec<ClusterView> {
    cluster(report.jobs.iter().map(|j| (report.workflow.as_str(), j)), &report.cluster_facts)
}

/// Push table rows while they fit `budget` chars; then a "… and N more" row.
fn push_rows(out: &mut String, rows: Vec<String>, budget: usize, columns: usize) {
    let total = rows.len();
    let mut used = 0;
    for (i, row) in rows.into_iter().enumerate() {
        let len = char_len(&row) + 1;
        if used + len > budget {
            let mut filler = vec![""; columns.saturating_sub(1)];
            let note = format!("_… and {} more row(s) not shown (size limit)_", total - i);
            filler.insert(0, &note);
            out.push_str(&format!("| {} |\n", filler.join(" | ")));
            return;
        }
        out.push_str(&row);
        out.push('\n');
        used += len;
    }
}

/// The header of part 1: heading, facts, summary, failing tests, clusters,
/// job table.
fn render_header(report: &WorkflowReport) -> String {
    let mut out = format!("## {} — {} failure(s)\n", safe::code_span(&report.workflow, 200, false), report.jobs.len());
    let started = earliest_start(&report.jobs).map_or("N/A".to_string(), |s| format!("{} UTC", display_minute(&s)));
    out.push_str(&format!("**Run started (UTC)**: {}\n", safe::inline(&started, 40)));
    out.push_str(&format!("**Last scanned (UTC)**: {}\n", display_time(&report.scanned_at)));
    let base = format!("{}/{}", report.server_url.trim_end_matches('/'), report.repo);
    let shas: BTreeSet<String> = report.jobs.iter().filter_map(|j| j.head_sha.clone()).collect();
    if !shas.is_empty() {
        let links: Vec<String> = shas
            .iter()
            .map(|s| safe::code_link(&short_sha(s), &format!("{base}/commit/{}", short_sha_full(s)), 10, false))
            .collect();
        out.push_str(&format!("**Commits**: {} {}\n", safe::inline(&report.repo, 100), links.join(", ")));
    }
    if let Some(r) = &report.suspected_range {
        let text = format!("{}..{}", short_sha(&r.good), short_sha(&r.bad));
        let url = format!("{base}/compare/{}...{}", short_sha_full(&r.good), short_sha_full(&r.bad));
        let count = r.commits.map_or(String::new(), |n| format!(" — {n} commit(s)"));
        out.push_str(&format!(
            "**Suspected range**: {}{count} (last green → first red)\n",
            safe::code_link(&text, &url, 40, false)
        ));
    }
    if let Some(summary) = report.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push_str("\n### Summary\n\n");
        out.push_str(&safe::markdown(summary, 6_000));
        out.push_str("\n\n---\n");
    }

    // Failing tests at file/function granularity, across jobs.
    let mut tests: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for job in &report.jobs {
        let job_url = job.job_page_url();
        for f in &job.failures {
            let Some(id) = f.test_id() else { continue };
            let link = f.anchor.map_or_else(|| job_url.clone(), |a| a.url(&job_url));
            let e = tests.entry(id).or_insert_with(|| (f.message.clone(), Vec::new()));
            e.1.push(safe::link(&job.name, &link, 80));
        }
    }
    if !tests.is_empty() {
        out.push_str(&format!("\n### Failing tests ({})\n\n| Test | Error | Jobs (log line) |\n|---|---|---|\n", tests.len()));
        let rows = tests
            .iter()
            .map(|(id, (msg, jobs))| {
                format!(
                    "| {} | {} | {} |",
                    safe::code_span(id, 200, true),
                    safe::code_span(msg, 160, true),
                    jobs.join(", ")
                )
            })
            .collect();
        push_rows(&mut out, rows, HEADER_BUDGET / 3, 3);
    }

    let clusters = workflow_clusters(report);
    if !clusters.is_empty() {
        out.push_str(&format!(
            "\n### Symptom clusters ({})\n\n| Cluster | Jobs | Tests | Status |\n|---|---|---|---|\n",
            clusters.len()
        ));
        let rows = clusters
            .iter()
            .map(|c| {
                let status = c.facts.as_ref().map_or("—".to_string(), |f| f.sentence());
                format!(
                    "| {} {} | {} | {} | {} |",
                    safe::code_span(&c.title, 120, true),
                    short_fp(&c.fingerprint),
                    c.job_count(),
                    c.tests().len(),
                    status
                )
            })
            .collect();
        push_rows(&mut out, rows, HEADER_BUDGET / 4, 4);
    }

    out.push_str("\n| Job | Failed Steps | Started |\n|---|---|---|\n");
    let rows = report
        .jobs
        .iter()
        .map(|j| {
            let steps = if j.failed_steps.is_empty() {
                "N/A".to_string()
            } else {
                j.failed_steps.iter().map(|s| safe::inline(s, 80)).collect::<Vec<_>>().join(", ")
            };
            let started: String = j.started_at.as_deref().map_or("N/A".into(), |s| s.chars().take(16).collect());
            format!(
                "| {} | {} | {} |",
                safe::code_link(&j.name, &j.job_page_url(), 120, true),
                steps,
                safe::inline(&started, 20)
            )
        })
        .collect();
    push_rows(&mut out, rows, HEADER_BUDGET / 3, 3);
    out.push_str("\n### Per-Job Analysis\n");
    out
}

fn pending_block(report: &WorkflowReport) -> String {
    if report.in_flight.is_empty() {
        return String::new();
    }
    let pending: u32 = report.in_flight.iter().map(|r| r.pending_jobs).sum();
    let links: Vec<String> = report
        .in_flight
        .iter()
        .map(|r| {
            let extra = if r.failed_jobs > 0 { format!(" · {} failed so far", r.failed_jobs) } else { String::new() };
            format!("{}{extra}", safe::link("run", &r.run_url, 10))
        })
        .collect();
    format!(
        "\n---\n⏳ **{pending} job(s) still running** ({}) — will update when complete. In-flight runs are not counted as evidence.\n",
        links.join(", ")
    )
}

fn footer(report: &WorkflowReport) -> String {
    let llm = report.llm_footer.as_deref().map(|l| format!("*{}*\n", safe::inline(l, 400))).unwrap_or_default();
    format!(
        "\n---\n*Generated by {} using {} (last updated: {})*\n{llm}",
        safe::inline(&report.bot_name, 60),
        safe::inline(&report.method, 60),
        display_time(&report.scanned_at)
    )
}

/// All processed ids of a report: its explicit set plus every rendered job.
pub fn all_processed_ids(report: &WorkflowReport) -> BTreeSet<JobId> {
    let mut ids = report.processed_job_ids.clone();
    ids.extend(report.jobs.iter().map(|j| j.job_id));
    ids.remove(&JobId(0));
    ids
}

fn prefix(ids_line: &str, workflow: &str, index: usize, total: usize) -> String {
    format!(
        "{ids_line}\n{}\n{}\n",
        markers::part_line(index, total),
        markers::workflow_report_line(workflow)
    )
}

fn continued_heading(workflow: &str, index: usize, total: usize) -> String {
    format!("## {} — Per-Job Analysis (continued {index}/{total})\n", safe::code_span(workflow, 200, false))
}

/// Render the whole report as comment bodies (part 1 first). Each body is at
/// most [`SAFE_BODY_CHARS`] chars; blocks are never split; a block too big
/// for a part on its own is shortened with a note; beyond [`MAX_PARTS`] the
/// remaining blocks are listed as omitted (their ids stay processed).
pub fn render_workflow_comments(report: &WorkflowReport) -> Vec<String> {
    let all_ids = all_processed_ids(report);
    let full_ids_line = markers::processed_job_ids_line(&all_ids);
    // Normally every part repeats the full id list (old bot's shape). A list
    // too long for that is spread: each part lists its own blocks' ids plus a
    // chunk of the rest; readers take the union, so nothing is lost.
    let spread = char_len(&full_ids_line) > IDS_LINE_MAX;
    let ids_reserve = if spread { IDS_LINE_MAX } else { char_len(&full_ids_line) };
    let header = render_header(report);
    let pending = pending_block(report);
    let foot = footer(report);
    // Worst-case fixed cost of a part (4-digit part numbers).
    let fixed_rest = ids_reserve
        + char_len(&prefix("", &report.workflow, 9999, 9999))
        + char_len(&continued_heading(&report.workflow, 9999, 9999))
        + char_len(&pending)
        + char_len(&foot)
        + 200; // room for the "omitted" note
    let first_capacity = SAFE_BODY_CHARS.saturating_sub(fixed_rest + char_len(&header));
    let rest_capacity = SAFE_BODY_CHARS.saturating_sub(fixed_rest);
    let block_cap = rest_capacity.max(2_000);

    let blocks: Vec<String> = report.jobs.iter().map(|j| fit_block(j, block_cap)).collect();
    // Greedy in order: minimal number of parts for ordered, unsplittable blocks.
    let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    let mut omitted = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let len = char_len(b);
        let capacity = if parts.len() == 1 { first_capacity } else { rest_capacity };
        if used + len > capacity && !(parts.len() > 1 && parts.last().is_some_and(Vec::is_empty)) {
            if parts.len() == MAX_PARTS {
                omitted.push(i);
                continue;
            }
            parts.push(Vec::new());
            used = 0;
        }
        parts.last_mut().expect("non-empty").push(i);
        used += len;
    }
    let ids_lines: Vec<String> = if spread {
        let in_blocks: BTreeSet<JobId> = parts.iter().flatten().map(|&i| report.jobs[i].job_id).collect();
        let extra: Vec<JobId> = all_ids.difference(&in_blocks).copied().collect();
        // Chunks leave ~5 000 chars of the reserve for the part's own ids.
        let width = all_ids.last().map_or(2, |m| m.to_string().len() + 1);
        let per_chunk = ((IDS_LINE_MAX - 5_000) / width).max(1);
        let chunks: Vec<&[JobId]> = extra.chunks(per_chunk).collect();
        while parts.len() < chunks.len() {
            parts.push(Vec::new()); // an ids-only part
        }
        parts
            .iter()
            .enumerate()
            .map(|(p, members)| {
                let mut ids: BTreeSet<JobId> = members.iter().map(|&i| report.jobs[i].job_id).collect();
                ids.extend(chunks.get(p).copied().unwrap_or_default());
                markers::processed_job_ids_line(&ids)
            })
            .collect()
    } else {
        vec![full_ids_line; parts.len()]
    };
    let total = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(p, members)| {
            let index = p + 1;
            let mut body = prefix(&ids_lines[p], &report.workflow, index, total);
            if index == 1 {
                body.push_str(&header);
                if report.jobs.is_empty() {
                    body.push_str("\n_(no per-job analyses yet)_\n");
                }
            } else {
                body.push_str(&continued_heading(&report.workflow, index, total));
            }
            for &i in members {
                body.push_str(&blocks[i]);
            }
            if index == total {
                if !omitted.is_empty() {
                    let names: Vec<String> =
                        omitted.iter().take(20).map(|&i| safe::inline(&report.jobs[i].name, 60)).collect();
                    body.push_str(&format!(
                        "\n_{} more job analysis block(s) omitted (limit of {MAX_PARTS} comments): {}{}_\n",
                        omitted.len(),
                        names.join(", "),
                        if omitted.len() > 20 { ", …" } else { "" }
                    ));
                }
                body.push_str(&pending);
            }
            body.push_str(&foot);
            body
        })
        .collect()
}

// ------------------------------------------------------------------- parse

/// Whether a comment body is (a part of) workflow `workflow`'s report.
///
/// Ours: the `ci-bot:workflow-report` marker names it. Legacy (old bot): the
/// first `## ` heading line starts with ``## `W` —`` and is not a cross-run
/// summary (the old bot could adopt its cross-run comment as main, §7.3.13).
pub fn belongs_to_workflow(body: &str, workflow: &str) -> bool {
    if let Some((_, wf)) = markers::find_workflow_report(body) {
        return wf == workflow;
    }
    if body.lines().next().is_some_and(|l| l.trim().starts_with(markers::CROSS_RUN_PREFIX)) {
        return false;
    }
    let Some(heading) = body.lines().map(str::trim).find(|l| l.starts_with("## ")) else {
        return false;
    };
    let legacy = format!("## `{workflow}` —");
    heading.starts_with(&legacy) && !heading.contains("Cross-Run Pattern Summary")
}

/// What the comments of one workflow hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecoveredWorkflow {
    /// Union of every `processed_job_ids` marker over all parts.
    pub processed_job_ids: BTreeSet<JobId>,
    /// Per-job blocks in part order, deduplicated by job id (first wins).
    pub jobs: Vec<JobReport>,
}

/// Parse every comment of `workflow` out of `bodies` (all comments of the
/// daily issue, any order). Non-matching comments are ignored.
pub fn parse_workflow_comments<'a>(workflow: &str, bodies: impl IntoIterator<Item = &'a str>) -> RecoveredWorkflow {
    let mut mine: Vec<(usize, usize, &str)> = bodies
        .into_iter()
        .enumerate()
        .filter(|(_, b)| belongs_to_workflow(b, workflow))
        .map(|(i, b)| (markers::find_part(b).map_or(1, |p| p.0), i, b))
        .collect();
    mine.sort();
    let mut out = RecoveredWorkflow::default();
    let mut seen = BTreeSet::new();
    for (_, _, body) in mine {
        out.processed_job_ids.extend(markers::find_processed_job_ids(body));
        for job in parse_job_blocks(body) {
            if seen.insert(job.job_id) {
                out.jobs.push(job);
            }
        }
    }
    out
}

/// Parse the strict per-job blocks of one body (old contract, §3.3): the tag
/// line with exactly the three attributes in order, a `<summary>` line, then
/// content up to the first line that is exactly `</details>`. Blocks with id
/// 0 or a repeated id are dropped.
pub fn parse_job_blocks(body: &str) -> Vec<JobReport> {
    let lines: Vec<&str> = body.lines().collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((job_id, run_url, started_at)) = parse_details_tag(lines[i]) else {
            i += 1;
            continue;
        };
        // Summary: the next non-blank line.
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        let Some(summary) = lines.get(j).and_then(|l| parse_summary(l)) else {
            i += 1;
            continue;
        };
        let Some(end) = (j + 1..lines.len()).find(|&k| lines[k].trim_end() == DETAILS_CLOSE) else {
            break;
        };
        let content = &lines[j + 1..end];
        i = end + 1;
        if job_id == 0 || !seen.insert(job_id) {
            continue;
        }
        out.push(build_job(job_id, run_url, started_at, summary, content));
    }
    out
}

fn parse_details_tag(line: &str) -> Option<(JobId, String, Option<String>)> {
    let rest = line.trim().strip_prefix("<details")?;
    let rest = rest.trim_start().strip_prefix("data-job-id=\"")?;
    let (id, rest) = rest.split_once('"')?;
    let rest = rest.trim_start().strip_prefix("data-run-url=\"")?;
    let (run_url, rest) = rest.split_once('"')?;
    let rest = rest.trim_start().strip_prefix("data-started-at=\"")?;
    let (started, rest) = rest.split_once('"')?;
    if rest.trim() != ">" || !id.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
        return None;
    }
    let started = (!started.is_empty()).then(|| started.to_string());
    Some((id.parse().ok()?, run_url.to_string(), started))
}

struct Summary {
    name: String,
    steps: Vec<String>,
    stub: bool,
}

fn parse_summary(line: &str) -> Option<Summary> {
    let inner = line.trim().strip_prefix("<summary>")?.strip_suffix("</summary>")?;
    let inner = inner.strip_prefix("<b>")?;
    let (name, rest) = inner.split_once("</b>")?;
    let rest = rest.trim_start().strip_prefix("— failed step(s):").unwrap_or(rest).trim();
    let (rest, stub) = match rest.strip_suffix("— ⚠️ analysis failed") {
        Some(r) => (r.trim_end(), true),
        None => (rest, false),
    };
    let steps = if rest == "N/A" || rest.is_empty() {
        Vec::new()
    } else {
        rest.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    };
    Some(Summary { name: name.to_string(), steps, stub })
}

fn build_job(job_id: JobId, run_url: String, started_at: Option<String>, summary: Summary, content: &[&str]) -> JobReport {
    // Strict: our metadata is the first line after `<summary>`, nowhere else.
    let meta = content
        .first()
        .and_then(|l| markers::parse_json_marker(l, JOB_META_PREFIX))
        .and_then(|(v, json)| (v == markers::VERSION).then_some(json))
        .and_then(|json| state_json::from_str::<JobReport>(json).ok());
    match meta {
        Some(mut job) => {
            job.job_id = job_id;
            job.run_url = run_url;
            job.started_at = started_at;
            job.legacy = false;
            let start = content.iter().position(|l| l.trim() == ANALYSIS_START);
            let end = content.iter().position(|l| l.trim() == ANALYSIS_END);
            job.analysis = match (start, end) {
                (Some(s), Some(e)) if s < e => Some(content[s + 1..e].join("\n")),
                _ => None,
            };
            job
        }
        None => {
            // Old bot's block: the analysis is the whole content.
            let text = content.join("\n");
            let text = text.trim_matches('\n').trim_end();
            JobReport {
                job_id,
                name: summary.name,
                run_url,
                started_at,
                failed_steps: summary.steps,
                outcome: if summary.stub {
                    JobOutcome::Incomplete { reason: "analysis failed (recorded by the previous bot)".into() }
                } else {
                    JobOutcome::Analyzed
                },
                analysis: (!text.is_empty()).then(|| text.to_string()),
                legacy: true,
                ..JobReport::default()
            }
        }
    }
}

/// Recovered jobs followed by new ones; a job id present in both takes the
/// new value (re-analysis) at the old position.
pub fn merge_jobs(recovered: Vec<JobReport>, new: Vec<JobReport>) -> Vec<JobReport> {
    let mut by_id: BTreeMap<JobId, JobReport> = new.iter().map(|j| (j.job_id, j.clone())).collect();
    let mut out: Vec<JobReport> = recovered
        .into_iter()
        .map(|j| by_id.remove(&j.job_id).unwrap_or(j))
        .collect();
    out.extend(new.into_iter().filter(|j| by_id.remove(&j.job_id).is_some()));
    out
}

// -------------------------------------------------------------- part plan

/// An existing comment on the daily issue.
#[derive(Debug, Clone, Copy)]
pub struct ExistingComment<'a> {
    /// Comment id.
    pub id: CommentId,
    /// Comment body.
    pub body: &'a str,
}

/// Which comment each rendered part goes to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartPlan {
    /// `(part index 0-based, comment id)` to PATCH.
    pub update: Vec<(usize, CommentId)>,
    /// Part indexes (0-based) to POST as new comments, in order.
    pub create: Vec<usize>,
    /// Comments of this workflow no longer needed (extra parts, duplicates).
    /// Parse them (for processed ids) before deleting.
    pub delete: Vec<CommentId>,
}

/// Map `parts` new bodies onto the workflow's existing comments: part i goes
/// to the lowest-id comment already marked part i (a legacy comment without a
/// part marker counts as part 1); duplicates and surplus parts are deleted.
pub fn plan_parts(workflow: &str, existing: &[ExistingComment<'_>], parts: usize) -> PartPlan {
    let mut by_index: BTreeMap<usize, Vec<CommentId>> = BTreeMap::new();
    for c in existing.iter().filter(|c| belongs_to_workflow(c.body, workflow)) {
        let idx = markers::find_part(c.body).map_or(1, |p| p.0);
        by_index.entry(idx).or_default().push(c.id);
    }
    let mut plan = PartPlan::default();
    for ids in by_index.values_mut() {
        ids.sort_unstable();
    }
    for p in 0..parts {
        match by_index.get_mut(&(p + 1)).filter(|ids| !ids.is_empty()) {
            Some(ids) => plan.update.push((p, ids.remove(0))),
            None => plan.create.push(p),
        }
    }
    plan.delete = by_index.into_values().flatten().collect();
    plan.delete.sort_unstable();
    plan
}

// ---------------------------------------------------------- status summary

/// The cluster statuses as a short deterministic summary (the comment's
/// `### Summary` slot, [`WorkflowReport::summary`]): new first, then
/// persistent, flaky, unknown. `statuses` and `facts` are by fingerprint.
pub fn status_summary(
    jobs: &[JobReport],
    statuses: &BTreeMap<String, FailureStatus>,
    facts: &BTreeMap<String, ClusterFacts>,
) -> Option<String> {
    const MAX_LINES: usize = 12;
    let mut rows: Vec<(u8, String, String)> = Vec::new();
    for (fp, status) in statuses {
        let members: Vec<&JobReport> = jobs.iter().filter(|j| j.fingerprints().contains(fp)).collect();
        let Some(first) = members.first() else { continue };
        let headline = first
            .causes()
            .into_iter()
            .find(|c| &c.id == fp)
            .map(|c| c.title.trim().to_string())
            .filter(|t| !t.is_empty())
            .or_else(|| first.headline.clone())
            .unwrap_or_else(|| "(no failure line recognised)".into());
        let (rank, label) = match status {
            FailureStatus::New => (0, "🆕 **new**"),
            FailureStatus::Persistent => (1, "🟥 **persistent**"),
            FailureStatus::Flaky => (2, "🔁 **flaky**"),
            FailureStatus::NoHistory => (3, "❔ **no history**"),
        };
        let mut names: Vec<String> = members.iter().map(|j| j.name.clone()).collect();
        names.dedup();
        let shown: Vec<String> = names.iter().take(3).map(|n| safe::code_span(n, 60, false)).collect();
        let more = if names.len() > 3 { format!(" +{}", names.len() - 3) } else { String::new() };
        let fact = facts.get(fp).map(|f| format!(" · {}", f.sentence())).unwrap_or_default();
        let line = format!("- {label} {} — {}{more}{fact}", safe::code_span(&headline, 100, false), shown.join(", "));
        rows.push((rank, headline, line));
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort();
    // Several fingerprints can read the same (e.g. the `E` line and the
    // pytest summary line of one error): one line each is enough.
    rows.dedup_by(|a, b| a.2 == b.2);
    let total = rows.len();
    let mut out = String::from(
        "Status of each symptom, from completed runs only (flaky: red and green on one commit, a re-run passed, or alternating):\n\n",
    );
    for (_, _, line) in rows.iter().take(MAX_LINES) {
        out.push_str(line);
        out.push('\n');
    }
    if total > MAX_LINES {
        out.push_str(&format!("- … and {} more symptom(s) in the table below\n", total - MAX_LINES));
    }
    Some(out)
}
