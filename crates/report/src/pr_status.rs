//! The `ci-status` comment: one per pull request, updated in place under
//! `<!-- ci-bot:ci-status v=2 pr=<n> -->`.
//!
//! A reviewer reads the heading line and knows whether to merge (Dr. CI's
//! "✅ You can merge normally", with the verdict named); the table gives
//! each failed job its verdict and the evidence that justifies it, linked
//! to the matching job and log line; details and CI completeness sit in
//! collapsed sections. BROKEN ON BASE, FLAKY and INFRA look neutral, not
//! like "your PR is failing" (pytorch/test-infra#4067).
//!
//! The body never exceeds [`SAFE_BODY_CHARS`]: the table, then the details,
//! then the completeness lists are cut with "… and N more" when a pull
//! request has more than fits.

use std::fmt::Write;

use crate::markers::{self, CI_STATUS_PREFIX};
use crate::model::{display_time, short_sha};
use crate::pr_model::*;
use crate::safe::{self, char_len};
use crate::SAFE_BODY_CHARS;

/// Room kept for the footer and the "… and N more" lines.
const RESERVE: usize = 1_500;
/// Characters of a failure line shown in the table.
const TABLE_LINE_CHARS: usize = 120;
/// Characters of a failure line shown in the details.
const DETAIL_LINE_CHARS: usize = 500;

/// `<!-- ci-bot:ci-status v=2 pr=<n> -->`.
pub fn ci_status_marker(pr: u64) -> String {
    format!("{CI_STATUS_PREFIX}v={} pr={pr} -->", markers::VERSION)
}

fn verdict_icon(v: Verdict) -> &'static str {
    match v {
        Verdict::New => "🔴",
        Verdict::Unclassified => "❔",
        Verdict::Infra => "🔧",
        Verdict::Flaky => "🔁",
        Verdict::BrokenOnBase => "🧱",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one line a reviewer reads: can I merge, and why.
///
/// Markdown (a sha is a code span); safe to embed in a heading.
pub fn header_line(r: &CiStatusReport) -> String {
    let failed = r.verdicts.len();
    let count = |v: Verdict| r.verdicts.iter().filter(|j| j.verdict == v).count();
    let new = count(Verdict::New);
    let unclassified = count(Verdict::Unclassified);
    let unrelated = failed - new - unclassified;
    let pending = r.pending.len();
    let incomplete = !r.completeness.is_complete();

    let mut line = if failed == 0 {
        if pending > 0 {
            format!("⏳ No failures yet: {} passed, {} still running", r.passed, pending)
        } else if incomplete {
            format!("⚠️ No failures, but CI is incomplete ({} passed)", plural(r.passed as usize, "job", "jobs"))
        } else {
            format!("✅ All {} passed", plural(r.passed as usize, "job", "jobs"))
        }
    } else if new > 0 {
        let mut s = format!("❌ {} caused by this PR", plural(new, "new failure", "new failures"));
        if unclassified > 0 {
            let _ = write!(s, ", {unclassified} unclassified");
        }
        if unrelated > 0 {
            let _ = write!(s, ", {unrelated} not caused by it");
        }
        s
    } else if unclassified > 0 {
        let mut s = format!("⚠️ {} nobody can classify", plural(unclassified, "failure", "failures"));
        if unrelated > 0 {
            let _ = write!(s, ", {unrelated} not caused by this PR");
        }
        s
    } else {
        let icon = if incomplete { "⚠️" } else { "✅" };
        if failed == 1 {
            let j = &r.verdicts[0];
            let mut s = format!("{icon} 1 failure, not caused by this PR: {}", j.verdict.label());
            if let Some(since) = &j.since {
                let _ = write!(
                    s,
                    " since {}`{}`",
                    if since.exact { "" } else { "at least " },
                    short_sha(&since.sha)
                );
            }
            s
        } else {
            let parts: Vec<String> = r
                .counts()
                .into_iter()
                .map(|(v, n)| format!("{n} {}", v.label()))
                .collect();
            format!("{icon} {failed} failures, none caused by this PR: {}", parts.join(", "))
        }
    };
    if failed > 0 && pending > 0 {
        let _ = write!(line, " · ⏳ {pending} still running");
    }
    if failed > 0 && incomplete {
        line.push_str(" · ⚠️ CI incomplete");
    }
    line
}

fn commit_link(r: &CiStatusReport, sha: &str, in_table: bool) -> String {
    let url = format!("{}/{}/commit/{sha}", r.server_url.trim_end_matches('/'), r.repo);
    safe::code_link(&short_sha(sha), &url, 12, in_table)
}

fn job_link(j: &JobRef, in_table: bool) -> String {
    let name = if j.workflow.is_empty() { j.name.clone() } else { format!("{} / {}", j.workflow, j.name) };
    safe::code_link(&name, &j.url, 160, in_table)
}

fn line_link(line: &LogLine, max: usize, in_table: bool) -> String {
    safe::code_link(&line.text, &line.url(), max, in_table)
}

/// One evidence fact as a sentence (Markdown; links to the job and line).
pub fn evidence_sentence(r: &CiStatusReport, e: &Evidence, in_table: bool) -> String {
    let job = e.job.as_ref().map(|j| job_link(j, in_table));
    let at = e.job.as_ref().filter(|j| !j.sha.is_empty()).map(|j| format!(" at {}", commit_link(r, &j.sha, in_table)));
    let at = at.unwrap_or_default();
    let line = e.line.as_ref().map(|l| format!(": {}", line_link(l, TABLE_LINE_CHARS, in_table))).unwrap_or_default();
    let job_or = |fallback: &str| job.clone().unwrap_or_else(|| fallback.to_string());
    match &e.kind {
        EvidenceKind::SameFailureOnBase => format!("same failure on the base: {}{at}{line}", job_or("a base job")),
        EvidenceKind::PartlyOnBase { matched, total } => format!(
            "{matched} of {total} failures also fail on the base ({}{at}); the others do not",
            job_or("a base job")
        ),
        EvidenceKind::PassedOnBase => format!("passed on the base: {}{at}", job_or("the same job")),
        EvidenceKind::FailedDifferentlyOnBase => {
            format!("failed differently on the base: {}{at}{line}", job_or("the same job"))
        }
        EvidenceKind::FailedOnBaseUncomparable => format!(
            "also failed on the base ({}{at}), but neither log names a failure specific enough to compare",
            job_or("the same job")
        ),
        EvidenceKind::NotRunOnBase => match &r.merge_base {
            Some(mb) => format!("did not run on the base near {}", commit_link(r, mb, in_table)),
            None => "did not run on the base".to_string(),
        },
        EvidenceKind::PassedOnRetry => format!("passed at the same commit: {}", job_or("another attempt")),
        EvidenceKind::PassedOnRetryElsewhere => {
            format!("same failure passed on retry elsewhere: {}{at}{line}", job_or("a job"))
        }
        EvidenceKind::SameFailureElsewhere => {
            let branch = e
                .job
                .as_ref()
                .and_then(|j| j.branch.as_deref())
                .map(|b| format!(" on {}", safe::code_span(b, 80, in_table)))
                .unwrap_or_default();
            format!("same failure on an unrelated commit{branch}: {}{at}{line}", job_or("a job"))
        }
        EvidenceKind::InfraSignal => format!("machine-level failure{line}"),
        EvidenceKind::NoRunner => "failed before any step ran on a runner".to_string(),
        EvidenceKind::SameAsJobInPr => format!("same failure as {} in this PR", job_or("another job")),
        EvidenceKind::NoSpecificFailure => "the log names no specific failure (only an exit code)".to_string(),
        EvidenceKind::LogUnavailable { reason } => format!("log unavailable: {}", safe::inline(reason, 200)),
    }
}

fn not_tested_reason(reason: &NotTestedReason) -> String {
    match reason {
        NotTestedReason::Skipped { after: Some(a) } => {
            format!("skipped: {} failed first", safe::code_span(a, 120, false))
        }
        NotTestedReason::Skipped { after: None } => "skipped".into(),
        NotTestedReason::Cancelled => "cancelled".into(),
        NotTestedReason::AwaitingApproval => "waiting for approval to run".into(),
        NotTestedReason::StartupFailure => "the workflow failed to start".into(),
        NotTestedReason::Other { conclusion } => format!("ended {}", safe::code_span(conclusion, 40, false)),
    }
}

fn coverage_state(s: &CoverageState) -> String {
    match s {
        CoverageState::NeverRan => "never ran".into(),
        CoverageState::NotRun { reason } => format!("did not run ({})", not_tested_reason(reason)),
        CoverageState::Pending => "not finished yet".into(),
    }
}

/// Appends `piece` if it fits in `budget` (chars left), else returns false.
fn push_within(out: &mut String, piece: &str, budget: &mut usize) -> bool {
    let n = char_len(piece);
    if n > *budget {
        return false;
    }
    out.push_str(piece);
    *budget -= n;
    true
}

fn table_row(r: &CiStatusReport, j: &JobVerdict) -> String {
    let failure = j
        .failure
        .as_ref()
        .map(|l| line_link(l, TABLE_LINE_CHARS, true))
        .unwrap_or_else(|| "_no failure line recognised_".into());
    // The table shows the line once: evidence that points at the job's own
    // "read first" line keeps only its sentence.
    let evidence = j
        .evidence
        .first()
        .map(|e| {
            if e.line.is_some() && e.line == j.failure && e.job.is_none() {
                evidence_sentence(r, &Evidence { line: None, ..e.clone() }, true)
            } else {
                evidence_sentence(r, e, true)
            }
        })
        .unwrap_or_default();
    let more = if j.evidence.len() > 1 { format!(" (+{} more)", j.evidence.len() - 1) } else { String::new() };
    format!(
        "| {} {} | {} | {failure} | {evidence}{more} |\n",
        verdict_icon(j.verdict),
        j.verdict.label(),
        job_link(&j.job, true)
    )
}

fn details_block(r: &CiStatusReport, j: &JobVerdict) -> String {
    let mut s = format!("#### {} {}\n\n", verdict_icon(j.verdict), job_link(&j.job, false));
    let _ = writeln!(s, "- **Verdict:** {} (conclusion {})", j.verdict.label(), safe::code_span(&j.conclusion, 30, false));
    if let Some(l) = &j.failure {
        let _ = writeln!(s, "- **Read first:** {}", line_link(l, DETAIL_LINE_CHARS, false));
    }
    if !j.tests.is_empty() {
        let shown: Vec<String> = j.tests.iter().take(10).map(|t| safe::code_span(t, 200, false)).collect();
        let more = if j.tests.len() > 10 { format!(" … and {} more", j.tests.len() - 10) } else { String::new() };
        let _ = writeln!(s, "- **Failing tests:** {}{more}", shown.join(", "));
    }
    if let Some(since) = &j.since {
        let _ = writeln!(
            s,
            "- **Red on the base since:** {}{}",
            commit_link(r, &since.sha, false),
            if since.exact { "" } else { " (or earlier: the oldest run looked at was already red)" }
        );
    }
    for e in &j.evidence {
        let _ = writeln!(s, "- {}", evidence_sentence(r, e, false));
    }
    s.push('\n');
    s
}

fn banner(r: &CiStatusReport) -> Option<String> {
    let c = &r.completeness;
    if c.is_complete() {
        return None;
    }
    let mut parts = Vec::new();
    if !c.not_tested.is_empty() {
        parts.push(format!("{} did not test anything", plural(c.not_tested.len(), "job", "jobs")));
    }
    if !c.untested_changes.is_empty() {
        parts.push(format!(
            "{} whose suite did not run",
            plural(c.untested_changes.len(), "changed test file", "changed test files")
        ));
    }
    let never = c.untested_changes.iter().any(|u| u.state == CoverageState::NeverRan);
    let (kind, tail) = if never {
        ("CAUTION", "Changed code is untested: trigger or re-run that CI before merging.")
    } else {
        ("WARNING", "A green or \"not caused by this PR\" status does not cover them.")
    };
    Some(format!("> [!{kind}]\n> **CI is incomplete: {}.** {tail}\n\n", parts.join("; ")))
}

fn note_text(r: &CiStatusReport, n: &StatusNote) -> String {
    match n {
        StatusNote::HeadBranchDeleted => {
            "The head branch no longer exists; the verdicts are about the last commit CI ran on.".into()
        }
        StatusNote::FilesTruncated { listed } => format!(
            "GitHub lists only the first {listed} changed files; the rest were not mapped to CI jobs."
        ),
        StatusNote::NoMergeBase => format!(
            "No merge base with {} was found; the base comparison used its recent runs.",
            safe::code_span(&r.base_ref, 100, false)
        ),
        StatusNote::StaleBase { days } => format!(
            "The merge base is {days} days old: failures on other commits were not searched (a stale base matches too much). Rebasing gives sharper verdicts."
        ),
        StatusNote::LogsUnavailable { jobs } => {
            format!("{} could not be read.", plural(*jobs as usize, "job log", "job logs"))
        }
    }
}

/// The whole comment body, at most [`SAFE_BODY_CHARS`].
pub fn render_ci_status(r: &CiStatusReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", ci_status_marker(r.pr));
    out.push_str(&r.llm.memory_md());
    let _ = writeln!(out, "## CI status: {}\n", header_line(r));

    let total = r.passed as usize + r.verdicts.len() + r.pending.len() + r.completeness.not_tested.len();
    let mut facts = format!("Head {}", commit_link(r, &r.head_sha, false));
    if let Some(mb) = &r.merge_base {
        let _ = write!(facts, " · merge base {} on {}", commit_link(r, mb, false), safe::code_span(&r.base_ref, 100, false));
        if let Some(at) = r.merge_base_at {
            let days = (r.generated_at - at).num_days();
            if days >= 1 {
                let _ = write!(facts, " ({})", plural(days as usize, "day old", "days old"));
            }
        }
    }
    let _ = write!(facts, " · {}: {} passed", plural(total, "job", "jobs"), r.passed);
    if !r.verdicts.is_empty() {
        let _ = write!(facts, ", {} failed", r.verdicts.len());
    }
    if !r.pending.is_empty() {
        let _ = write!(facts, ", {} running", r.pending.len());
    }
    if !r.completeness.not_tested.is_empty() {
        let _ = write!(facts, ", {} not tested", r.completeness.not_tested.len());
    }
    let _ = writeln!(facts, "\n");
    out.push_str(&facts);
    if let Some(b) = banner(r) {
        out.push_str(&b);
    }
    out.push_str(&r.llm.narrative_md());

    let how = if r.llm.footer.is_some() { "deterministic; the model's reading only explains them" } else { "deterministic, no LLM" };
    let footer = format!(
        "\n---\n<sub>Verdicts by {} from ci-triage fingerprints: {how}. Updated {} for {}.</sub>\n{}",
        safe::inline(&r.bot_name, 60),
        display_time(&r.generated_at),
        commit_link(r, &r.head_sha, false),
        r.llm.footer_md(),
    );
    let mut budget = SAFE_BODY_CHARS.saturating_sub(char_len(&out) + char_len(&footer) + RESERVE);

    // The table: every failed job, verdict and strongest evidence.
    if !r.verdicts.is_empty() {
        let head = "| Verdict | Job | Read first | Evidence |\n|---|---|---|---|\n";
        push_within(&mut out, head, &mut budget);
        for (i, j) in r.verdicts.iter().enumerate() {
            if !push_within(&mut out, &table_row(r, j), &mut budget) {
                let _ = writeln!(out, "\n_… and {} more failed jobs (the comment is at GitHub's size limit)._", r.verdicts.len() - i);
                break;
            }
        }
        out.push('\n');
    }

    // Details, one collapsed section per verdict.
    for (v, n) in r.counts() {
        let open = format!("<details><summary>{} {} ({n}): evidence</summary>\n\n", verdict_icon(v), v.label());
        let close = "</details>\n\n";
        if char_len(&open) + char_len(close) + 200 > budget {
            break;
        }
        let mut section = open;
        let mut left = budget - char_len(&section) - char_len(close) - 100;
        let group: Vec<&JobVerdict> = r.verdicts.iter().filter(|j| j.verdict == v).collect();
        for (i, j) in group.iter().enumerate() {
            if !push_within(&mut section, &details_block(r, j), &mut left) {
                let _ = writeln!(section, "_… and {} more._\n", group.len() - i);
                break;
            }
        }
        section.push_str(close);
        push_within(&mut out, &section, &mut budget);
    }

    // CI completeness.
    let c = &r.completeness;
    if !c.is_complete() || !c.failed_gates.is_empty() {
        let items = c.not_tested.len() + c.untested_changes.len() + c.failed_gates.len();
        let mut section = format!("<details><summary>CI completeness: {} to look at</summary>\n\n", plural(items, "item", "items"));
        let close = "\n</details>\n";
        let mut left = budget.saturating_sub(char_len(&section) + char_len(close) + 100);
        let mut lines: Vec<String> = Vec::new();
        for u in &c.untested_changes {
            let stage = u.stage.as_deref().map(|s| format!(", {}", safe::inline(s, 40))).unwrap_or_default();
            lines.push(format!(
                "- Changed test {} → suite {}{stage}: {}\n",
                safe::code_span(&u.file, 200, false),
                safe::code_span(&u.suite, 120, false),
                coverage_state(&u.state)
            ));
        }
        for n in &c.not_tested {
            lines.push(format!("- Not tested: {} — {}\n", job_link(&n.job, false), not_tested_reason(&n.reason)));
        }
        for g in &c.failed_gates {
            lines.push(format!("- Gate failed (because another job did): {}\n", job_link(g, false)));
        }
        for (i, l) in lines.iter().enumerate() {
            if !push_within(&mut section, l, &mut left) {
                let _ = writeln!(section, "- _… and {} more._", lines.len() - i);
                break;
            }
        }
        section.push_str(close);
        push_within(&mut out, &section, &mut budget);
    }

    if !r.pending.is_empty() {
        let mut section = format!("<details><summary>Still running ({})</summary>\n\n", r.pending.len());
        let close = "\n</details>\n";
        let mut left = budget.saturating_sub(char_len(&section) + char_len(close) + 100);
        for (i, p) in r.pending.iter().enumerate() {
            if !push_within(&mut section, &format!("- {}\n", job_link(p, false)), &mut left) {
                let _ = writeln!(section, "- _… and {} more._", r.pending.len() - i);
                break;
            }
        }
        section.push_str(close);
        push_within(&mut out, &section, &mut budget);
    }

    if !r.notes.is_empty() {
        let mut notes = String::from("\n");
        for n in &r.notes {
            let _ = writeln!(notes, "> {}", note_text(r, n));
        }
        push_within(&mut out, &notes, &mut budget);
    }
    out.push_str(&footer);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_per_pull_request() {
        let m = ci_status_marker(123);
        assert_eq!(m, "<!-- ci-bot:ci-status v=2 pr=123 -->");
        // Upserts find comments by containment: #12's marker is not in #123's.
        assert!(!m.contains(&ci_status_marker(12)));
    }
}
