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
use crate::markers::{self, ANALYSIS_END, ANALYSIS_START, JOB_DIGEST_PREFIX, JOB_META_PREFIX};
use crate::model::{display_minute, display_time, short_sha, ClusterFacts, JobOutcome, JobReport, WorkflowReport};
use crate::safe::{self, char_len};
use crate::state_json;
use crate::summary::{history_status, status_label};
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
/// Room kept at the end of part 1 for the hidden lines appended after
/// packing (the workflow facts line, [`crate::facts::with_facts`]), so part
/// 1 with them is still within [`SAFE_BODY_CHARS`]. Anything else appended
/// later (the LLM memory) is pruned to what is left under the same cap.
pub const PART1_TRAILER_RESERVE: usize = crate::facts::MAX_FACTS_CHARS + 1;


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
    if let Some(u) = &job.baseline {
        // Says the key lines are "what this run printed and the green one did not".
        facts.push(format!("**Compared with**: {}", safe::link("last green run of this job", u, 40)));
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
/// and the job table (`job_table`; a digest lists every job itself).
fn render_header(report: &WorkflowReport, clusters: &[ClusterView], job_table: bool) -> String {
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

    if !clusters.is_empty() {
        out.push_str(&format!(
            "\n### Symptom clusters ({})\n\n| Cluster | Jobs | Tests | Status |\n|---|---|---|---|\n",
            clusters.len()
        ));
        let rows = clusters
            .iter()
            .map(|c| {
                // The TL;DR's status words (one renderer), then the history.
                let facts = c.facts.as_ref();
                let label = status_label(history_status(facts), facts, false);
                let status = facts.map_or(label.clone(), |f| format!("{label} · {}", f.sentence()));
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

    if !job_table {
        out.push_str("\n### Jobs by cause\n");
        return out;
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
/// most [`SAFE_BODY_CHARS`] chars. While every job's block fits in
/// [`MAX_PARTS`] comments, each job has its block (never split; a block too
/// big for a part on its own is shortened with a note). Beyond that the
/// report is a digest ([`render_digest`]): jobs grouped by cause, each listed
/// by name and link, each job's analysis stored with it in a hidden line, so
/// every job stays counted, findable and re-readable at any volume.
pub fn render_workflow_comments(report: &WorkflowReport) -> Vec<String> {
    let all_ids = all_processed_ids(report);
    let full_ids_line = markers::processed_job_ids_line(&all_ids);
    // Normally every part repeats the full id list (old bot's shape). A list
    // too long for that is spread: each part lists its own jobs' ids plus a
    // chunk of the rest; readers take the union, so nothing is lost.
    let spread = char_len(&full_ids_line) > IDS_LINE_MAX;
    let ids_reserve = if spread { IDS_LINE_MAX } else { char_len(&full_ids_line) };
    let clusters = workflow_clusters(report);
    let pending = pending_block(report);
    let foot = footer(report);
    // Worst-case fixed cost of a part (4-digit part numbers).
    let fixed_rest = ids_reserve
        + char_len(&prefix("", &report.workflow, 9999, 9999))
        + char_len(&continued_heading(&report.workflow, 9999, 9999))
        + char_len(&pending)
        + char_len(&foot)
        + 200; // room for a closing note
    let rest_capacity = SAFE_BODY_CHARS.saturating_sub(fixed_rest);

    let header = render_header(report, &clusters, true);
    let first_capacity = SAFE_BODY_CHARS.saturating_sub(fixed_rest + PART1_TRAILER_RESERVE + char_len(&header));
    let block_cap = rest_capacity.max(2_000);
    let blocks: Vec<String> = report.jobs.iter().map(|j| fit_block(j, block_cap)).collect();
    // Greedy in order: minimal number of parts for ordered, unsplittable blocks.
    let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (i, b) in blocks.iter().enumerate() {
        let len = char_len(b);
        let capacity = if parts.len() == 1 { first_capacity } else { rest_capacity };
        if used + len > capacity && !(parts.len() > 1 && parts.last().is_some_and(Vec::is_empty)) {
            if parts.len() == MAX_PARTS {
                let header = render_header(report, &clusters, false);
                let first_capacity =
                    SAFE_BODY_CHARS.saturating_sub(fixed_rest + PART1_TRAILER_RESERVE + char_len(&header));
                let digest = render_digest(report, &clusters, first_capacity, rest_capacity);
                let ids_lines = ids_lines(&all_ids, &full_ids_line, spread, &digest.members, report);
                return assemble(report, &header, &digest.bodies, &ids_lines, &pending, &foot);
            }
            parts.push(Vec::new());
            used = 0;
        }
        parts.last_mut().expect("non-empty").push(i);
        used += len;
    }
    let ids_lines = ids_lines(&all_ids, &full_ids_line, spread, &parts, report);
    let bodies: Vec<String> = parts.iter().map(|members| members.iter().map(|&i| blocks[i].as_str()).collect()).collect();
    assemble(report, &header, &bodies, &ids_lines, &pending, &foot)
}

/// The processed-id line of each part: the full list in every part, or
/// (`spread`) each part's own jobs plus a chunk of the others, with ids-only
/// parts added (as empty `members`) when the chunks need more parts.
fn ids_lines(
    all_ids: &BTreeSet<JobId>,
    full_ids_line: &str,
    spread: bool,
    members: &[Vec<usize>],
    report: &WorkflowReport,
) -> Vec<String> {
    if !spread {
        return vec![full_ids_line.to_string(); members.len()];
    }
    let in_parts: BTreeSet<JobId> = members.iter().flatten().map(|&i| report.jobs[i].job_id).collect();
    let extra: Vec<JobId> = all_ids.difference(&in_parts).copied().collect();
    // Chunks leave ~5 000 chars of the reserve for the part's own ids.
    let width = all_ids.last().map_or(2, |m| m.to_string().len() + 1);
    let per_chunk = ((IDS_LINE_MAX - 5_000) / width).max(1);
    let chunks: Vec<&[JobId]> = extra.chunks(per_chunk).collect();
    (0..members.len().max(chunks.len()))
        .map(|p| {
            let mut ids: BTreeSet<JobId> =
                members.get(p).map(|m| m.iter().map(|&i| report.jobs[i].job_id).collect()).unwrap_or_default();
            ids.extend(chunks.get(p).copied().unwrap_or_default());
            markers::processed_job_ids_line(&ids)
        })
        .collect()
}

/// Whole comment bodies: each part's prefix, part 1's header or the
/// continued heading, its content, the in-flight note on the last part, the
/// footer. One part per id line: `ids_lines` may be longer than `contents`
/// (ids-only parts).
fn assemble(report: &WorkflowReport, header: &str, contents: &[String], ids_lines: &[String], pending: &str, foot: &str) -> Vec<String> {
    let total = ids_lines.len();
    (0..total)
        .map(|p| {
            let index = p + 1;
            let mut body = prefix(&ids_lines[p], &report.workflow, index, total);
            if index == 1 {
                body.push_str(header);
                if report.jobs.is_empty() {
                    body.push_str("\n_(no per-job analyses yet)_\n");
                }
            } else {
                body.push_str(&continued_heading(&report.workflow, index, total));
            }
            body.push_str(contents.get(p).map_or("", String::as_str));
            if index == total {
                body.push_str(pending);
            }
            body.push_str(foot);
            body
        })
        .collect()
}

// ------------------------------------------------------------------ digest

/// Failures a digest entry keeps, tried in order until the entry fits its
/// share of the report (the count of all stays in `failures_total`).
const DIGEST_FAILURE_CAPS: [usize; 4] = [usize::MAX, 10, 3, 1];
/// Chars of a failure message in a shrunk digest entry.
const DIGEST_MESSAGE_CHARS: usize = 120;
/// Chars of a job name and most failed steps a digest entry keeps.
const DIGEST_NAME_CHARS: usize = 200;
const DIGEST_STEPS: usize = 10;
/// A digest entry may always use this much, however many jobs there are.
const DIGEST_ENTRY_MIN: usize = 600;
/// What one job's link costs in the visible digest, for the entry budget.
const DIGEST_LINK_ESTIMATE: usize = 160;

/// One job as the digest stores it: the job's analysis ([`digest_job`]) with
/// the identity a block carries in its `<details>` tag.
#[derive(serde::Serialize, serde::Deserialize)]
struct DigestEntry {
    id: JobId,
    run: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started: Option<String>,
    #[serde(flatten)]
    job: JobReport,
}

/// A job reduced to what a digest entry stores: no key lines or free-form
/// analysis (the digest shows neither), at most `keep` failures (their
/// number stays exact in `failures_total`), shorter messages when shrunk.
pub fn digest_job(job: &JobReport, keep: usize) -> JobReport {
    let mut j = normalize_job(job);
    j.analysis = None;
    j.failures.iter_mut().for_each(|f| f.excerpt.clear());
    j.name = safe::truncate_chars(&j.name, DIGEST_NAME_CHARS).into_owned();
    j.failed_steps.truncate(DIGEST_STEPS);
    if j.failures.len() > keep {
        // The tests of the failures cut, by cause: the trackers' rows.
        for cause in job.causes() {
            for &i in cause.failures.iter().filter(|&&i| i >= keep) {
                let f = &job.failures[i];
                if f.test_file.is_none() && f.test_function.is_none() {
                    continue;
                }
                let funcs = j
                    .more_tests
                    .entry(crate::cause::short_id(&cause.id))
                    .or_default()
                    .entry(f.test_file.clone().unwrap_or_default())
                    .or_default();
                funcs.push(f.test_function.clone().unwrap_or_default());
            }
        }
        j.more_tests.values_mut().flat_map(|files| files.values_mut()).for_each(|funcs| {
            funcs.sort();
            funcs.dedup();
        });
        j.failures_total = u32::try_from(job.failure_count()).unwrap_or(u32::MAX);
        j.failures.truncate(keep);
        for f in &mut j.failures {
            f.message = safe::truncate_chars(&f.message, DIGEST_MESSAGE_CHARS).into_owned();
        }
        j.truncated = true;
    }
    // The usual job url is derived from the run url: not stored twice.
    j.job_url = String::new();
    if job.job_page_url() != j.job_page_url() {
        j.job_url = job.job_url.clone();
    }
    j
}

fn digest_line(job: &JobReport) -> String {
    let entry = DigestEntry { id: job.job_id, run: job.run_url.clone(), started: job.started_at.clone(), job: job.clone() };
    markers::json_marker_line(JOB_DIGEST_PREFIX, &state_json::to_string(&entry))
}

/// The jobs stored in the digest lines of one body (see [`render_digest`]).
pub fn parse_job_digest(body: &str) -> Vec<JobReport> {
    body.lines()
        .filter_map(|l| markers::parse_json_marker(l, JOB_DIGEST_PREFIX))
        .filter(|(v, _)| *v == markers::VERSION)
        .filter_map(|(_, json)| state_json::from_str::<DigestEntry>(json).ok())
        .filter(|e| e.id != JobId(0))
        .map(|e| JobReport { job_id: e.id, run_url: e.run, started_at: e.started, legacy: false, ..e.job })
        .collect()
}

/// Jobs grouped by cause for a digest: per cluster (in [`cluster`]'s order)
/// its heading and the indexes of its jobs; then the jobs with no cause.
/// A job with several causes is in each of their groups.
pub fn jobs_by_cause(jobs: &[JobReport], clusters: &[ClusterView]) -> Vec<(String, Vec<usize>)> {
    let index: BTreeMap<JobId, usize> = jobs.iter().enumerate().rev().map(|(i, j)| (j.job_id, i)).collect();
    let mut placed = vec![false; jobs.len()];
    let mut groups = Vec::new();
    for c in clusters {
        let mut members: Vec<usize> = Vec::new();
        for o in &c.occurrences {
            let Some(&i) = index.get(&o.job_id) else { continue };
            if members.last() != Some(&i) {
                members.push(i);
                placed[i] = true;
            }
        }
        let status = c.facts.as_ref().map_or(String::new(), |f| format!(" · {}", f.sentence()));
        let tests = c.tests().len();
        let tests = if tests > 0 { format!(", {} test(s)", thousands(tests)) } else { String::new() };
        let heading = format!(
            "#### {} {} — {} job(s){tests}{status}",
            safe::code_span(&c.title, 160, false),
            short_fp(&c.fingerprint),
            thousands(members.len())
        );
        groups.push((heading, members));
    }
    let rest: Vec<usize> = (0..jobs.len()).filter(|&i| !placed[i]).collect();
    if !rest.is_empty() {
        groups.push((format!("#### No failure line recognised — {} job(s)", thousands(rest.len())), rest));
    }
    groups
}

/// A job as the digest lists it: its name linked to its log.
pub fn digest_link(job: &JobReport) -> String {
    let stub = if matches!(job.outcome, JobOutcome::Incomplete { .. }) { " (⚠️ analysis failed)" } else { "" };
    format!("{}{stub}", safe::link(&job.name, &job.job_page_url(), 80))
}

/// What [`render_digest`] makes: the content of each part and the jobs whose
/// entries each part stores.
struct Digest {
    bodies: Vec<String>,
    members: Vec<Vec<usize>>,
}

/// The report as a digest: one group per cause with every job of it as a
/// link (a group runs on into the next part when it must), and each job's
/// entry (a hidden `ci-bot:job-digest` line) once, in the part that first
/// lists it. Entries shrink (fewer failures kept) so that the report stays
/// near [`MAX_PARTS`] comments; nothing is dropped, so a volume whose
/// smallest entries do not fit takes more parts.
fn render_digest(report: &WorkflowReport, clusters: &[ClusterView], first_capacity: usize, rest_capacity: usize) -> Digest {
    let jobs = &report.jobs;
    let budget = (MAX_PARTS * rest_capacity) / jobs.len().max(1);
    let entry_budget = budget.saturating_sub(DIGEST_LINK_ESTIMATE).max(DIGEST_ENTRY_MIN);
    let entries: Vec<String> = jobs
        .iter()
        .map(|j| {
            let mut line = digest_line(&digest_job(j, DIGEST_FAILURE_CAPS[0]));
            for keep in DIGEST_FAILURE_CAPS.into_iter().skip(1) {
                if char_len(&line) <= entry_budget {
                    break;
                }
                if j.failures.len() > keep {
                    line = digest_line(&digest_job(j, keep));
                }
            }
            line
        })
        .collect();

    let intro = format!(
        "_{} failed jobs: too many for a block each, so they are grouped by cause; every job is listed with a link to its log._\n",
        thousands(jobs.len())
    );
    let mut out = Digest { bodies: vec![intro.clone()], members: vec![Vec::new()] };
    let mut hidden = String::new();
    let mut used = char_len(&intro);
    let mut capacity = first_capacity;
    let mut stored = vec![false; jobs.len()];
    for (heading, members) in jobs_by_cause(jobs, clusters) {
        let mut started = false;
        let mut line_open = false;
        for i in members {
            let link = digest_link(&jobs[i]);
            let entry = (!stored[i]).then_some(entries[i].as_str());
            let item = char_len(&link) + 2 + entry.map_or(0, |e| char_len(e) + 1);
            // A group that opens in this part costs its heading too.
            let heading_len = char_len(&heading) + 20;
            if used + item + if line_open { 0 } else { heading_len } > capacity && used > 0 {
                let body = out.bodies.last_mut().expect("a part");
                if line_open {
                    body.push('\n');
                }
                body.push('\n');
                body.push_str(&hidden);
                hidden.clear();
                out.bodies.push(String::new());
                out.members.push(Vec::new());
                used = 0;
                capacity = rest_capacity;
                line_open = false;
            }
            let body = out.bodies.last_mut().expect("a part");
            if line_open {
                body.push_str(", ");
            } else {
                let more = if started { " (continued)" } else { "" };
                body.push_str(&format!("\n{heading}{more}\n\n"));
                started = true;
                line_open = true;
                used += heading_len;
            }
            body.push_str(&link);
            if let Some(e) = entry {
                hidden.push_str(e);
                hidden.push('\n');
                stored[i] = true;
                out.members.last_mut().expect("a part").push(i);
            }
            used += item;
        }
        if line_open {
            out.bodies.last_mut().expect("a part").push('\n');
        }
    }
    let body = out.bodies.last_mut().expect("a part");
    body.push('\n');
    body.push_str(&hidden);
    out
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
        for job in parse_job_blocks(body).into_iter().chain(parse_job_digest(body)) {
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
    // Each job's causes once (they are the costly part), gathered by
    // fingerprint: linear in the jobs, not jobs × fingerprints. The headline
    // of a fingerprint is its title in its first job.
    let mut members: BTreeMap<String, (String, Vec<&JobReport>)> = BTreeMap::new();
    for job in jobs {
        for cause in job.causes() {
            if !statuses.contains_key(&cause.id) {
                continue;
            }
            let entry = members.entry(cause.id).or_insert_with(|| {
                let title = Some(cause.title.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .or_else(|| job.headline.clone())
                    .unwrap_or_else(|| "(no failure line recognised)".into());
                (title, Vec::new())
            });
            if !entry.1.last().is_some_and(|last| std::ptr::eq(*last, job)) {
                entry.1.push(job);
            }
        }
    }
    let mut rows: Vec<(u8, String, String)> = Vec::new();
    for (fp, status) in statuses {
        let Some((headline, members)) = members.get(fp) else { continue };
        let headline = headline.clone();
        let rank = match status {
            FailureStatus::New => 0,
            FailureStatus::Persistent => 1,
            FailureStatus::Flaky => 2,
            FailureStatus::NoHistory => 3,
        };
        let label = status_label((*status).into(), facts.get(fp), false);
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
