//! The `pr-review` comment: the deterministic checklist, plus the LLM
//! layer's narrative when one is configured.
//!
//! One comment per pull request head, keyed by
//! `<!-- ci-bot:pr-review v=2 pr=<n> head=<sha> -->`: asking again on the
//! same head updates it, a new push gets a new one (older reviews stay
//! readable as history). Without an LLM the checklist is the review; with
//! one, the model's reading ([`Checklist::llm`], escaped once, by
//! `ci_llm::render` through [`crate::safe`]) is inserted above it, cut at a
//! line to fit, with the LLM footer line and the comment's memory line.

use std::fmt::Write;

use crate::markers::{self, PR_REVIEW_PREFIX};
use crate::model::{display_time, short_sha};
use crate::pr_model::{Checklist, Risk, RiskKind};
use crate::safe::{self, char_len};
use crate::SAFE_BODY_CHARS;

/// `<!-- ci-bot:pr-review v=2 pr=<n> head=<sha> -->` (sha: hex only).
pub fn pr_review_marker(pr: u64, head_sha: &str) -> String {
    let sha: String = head_sha.chars().filter(char::is_ascii_hexdigit).take(40).collect();
    format!("{PR_REVIEW_PREFIX}v={} pr={pr} head={sha} -->", markers::VERSION)
}

fn risk_title(kind: RiskKind) -> &'static str {
    match kind {
        RiskKind::Workflow => "Workflow",
        RiskKind::Lockfile => "Lockfile",
        RiskKind::Secrets => "Secrets",
        RiskKind::LargeDeletion => "Large deletion",
        RiskKind::BuildConfig => "Build config",
    }
}

fn risk_why(kind: RiskKind) -> &'static str {
    match kind {
        RiskKind::Workflow => "runs with the repository's token and secrets: check its triggers, permissions and pinned actions",
        RiskKind::Lockfile => "resolved dependency versions change: check they match the manifest change",
        RiskKind::Secrets => "a changed line handles secrets or credentials",
        RiskKind::LargeDeletion => "a lot of code goes away: check nothing still needs it",
        RiskKind::BuildConfig => "changes how the project is built or packaged",
    }
}

fn risk_line(r: &Risk) -> String {
    let loc = match r.line {
        Some(l) => format!("{}:{l}", r.path),
        None => r.path.clone(),
    };
    let detail = r.detail.as_deref().map(|d| format!(" — {}", safe::code_span(d, 160, false))).unwrap_or_default();
    format!("- **{}** {}{detail}: {}\n", risk_title(r.kind), safe::code_span(&loc, 200, false), risk_why(r.kind))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn code_list(items: &[String], max: usize) -> String {
    let mut s: Vec<String> = items.iter().take(max).map(|i| safe::code_span(i, 200, false)).collect();
    if items.len() > max {
        s.push(format!("… and {} more", items.len() - max));
    }
    s.join(", ")
}

/// The comment body, at most [`SAFE_BODY_CHARS`].
pub fn render_checklist(c: &Checklist) -> String {
    let commit = format!("{}/{}/commit/{}", c.server_url.trim_end_matches('/'), c.repo, c.head_sha);
    let mut out = format!("{}\n", pr_review_marker(c.pr, &c.head_sha));
    out.push_str(&c.llm.memory_md());
    let _ = writeln!(out, "## Review of #{} at {}\n", c.pr, safe::code_link(&short_sha(&c.head_sha), &commit, 12, false));

    let footer = format!(
        "\n---\n<sub>Checklist by {}: deterministic, from the diff only{}. {}.</sub>\n{}",
        safe::inline(&c.bot_name, 60),
        if c.llm.footer.is_some() { "; the model's reading above it only describes the diff" } else { "" },
        display_time(&c.generated_at),
        c.llm.footer_md(),
    );

    let mut summary = String::new();
    if !c.focus.is_empty() {
        let in_scope: usize = c.areas.iter().map(|a| a.files.len()).sum();
        let _ = write!(
            summary,
            "**Focus:** {} — {} of {} files.",
            code_list(&c.focus, 20),
            in_scope,
            c.files_total
        );
        if !c.unmatched_focus.is_empty() {
            let _ = write!(summary, " No changed file matched {}.", code_list(&c.unmatched_focus, 20));
        }
        summary.push_str("\n\n");
    }
    let files: usize = c.areas.iter().map(|a| a.files.len()).sum();
    let adds: u64 = c.areas.iter().map(|a| a.additions).sum();
    let dels: u64 = c.areas.iter().map(|a| a.deletions).sum();
    let areas: Vec<String> = c
        .areas
        .iter()
        .take(8)
        .map(|a| format!("{} ({})", safe::code_span(&a.name, 100, false), a.files.len()))
        .collect();
    let more_areas = if c.areas.len() > 8 { format!(" and {} more", c.areas.len() - 8) } else { String::new() };
    let _ = writeln!(
        summary,
        "- **Files:** {} changed (+{adds} / −{dels}) in {}: {}{more_areas}{}",
        files,
        plural(c.areas.len(), "area", "areas"),
        areas.join(", "),
        if c.files_truncated { ". GitHub lists only the first 3000 files; the rest are not checked" } else { "" }
    );
    if !c.test_files.is_empty() {
        let _ = writeln!(
            summary,
            "- **Tests:** ✅ {} changed: {}",
            plural(c.test_files.len(), "test file", "test files"),
            code_list(&c.test_files, 10)
        );
    } else if c.source_files > 0 {
        let _ = writeln!(
            summary,
            "- **Tests:** ⚠️ no test file changed, although {} did",
            plural(c.source_files as usize, "source file", "source files")
        );
    } else {
        let _ = writeln!(summary, "- **Tests:** no source or test file changed");
    }
    match &c.ci_status {
        // The header line is ours (rendered by `pr_status::header_line`).
        Some(h) => {
            let _ = writeln!(summary, "- **CI:** {h}");
        }
        None => {
            let _ = writeln!(summary, "- **CI:** not known yet");
        }
    }
    if c.risks.is_empty() {
        let _ = writeln!(summary, "- **Risky changes:** none of the patterns checked (workflows, lockfiles, secrets, large deletions, build config)");
    } else {
        let _ = writeln!(summary, "- **Risky changes:** {} (below)", c.risks.len());
    }
    summary.push('\n');

    let mut budget = SAFE_BODY_CHARS.saturating_sub(char_len(&out) + char_len(&summary) + char_len(&footer) + 600);

    // The model's reading (or why there is none) above the checklist.
    let room = (budget / 2).max(1_000).min(budget);
    let narrative = c.llm.narrative_within(room);
    if narrative.is_empty() {
        out.push_str("_No narrative review is configured; this is the deterministic checklist._\n\n");
    } else {
        out.push_str(&narrative);
        out.push_str("### Checklist\n\n");
        budget = budget.saturating_sub(char_len(&narrative) + 20);
    }
    out.push_str(&summary);

    if !c.risks.is_empty() {
        let mut section = String::from("### Risky changes\n\n");
        for (i, r) in c.risks.iter().enumerate() {
            let line = risk_line(r);
            if char_len(&section) + char_len(&line) + 100 > budget {
                let _ = writeln!(section, "- _… and {} more._", c.risks.len() - i);
                break;
            }
            section.push_str(&line);
        }
        section.push('\n');
        budget = budget.saturating_sub(char_len(&section));
        out.push_str(&section);
    }

    if !c.changed_symbols.is_empty() {
        let mut section = format!("<details><summary>Changed functions and classes ({})</summary>\n\n", c.changed_symbols.len());
        for (i, s) in c.changed_symbols.iter().enumerate() {
            let line = format!("- {} in {}\n", safe::code_span(&s.name, 120, false), safe::code_span(&s.path, 200, false));
            if char_len(&section) + char_len(&line) + 150 > budget {
                let _ = writeln!(section, "- _… and {} more._", c.changed_symbols.len() - i);
                break;
            }
            section.push_str(&line);
        }
        section.push_str("\n</details>\n\n");
        if char_len(&section) <= budget {
            budget -= char_len(&section);
            out.push_str(&section);
        }
    }

    if !c.areas.is_empty() {
        let mut section = String::from("<details><summary>Files by area</summary>\n\n");
        'areas: for a in &c.areas {
            let head = format!("**{}** (+{} / −{})\n", safe::inline(&a.name, 100), a.additions, a.deletions);
            if char_len(&section) + char_len(&head) + 150 > budget {
                section.push_str("_… more areas not shown._\n");
                break;
            }
            section.push_str(&head);
            for (i, f) in a.files.iter().enumerate() {
                let line = format!("- {}\n", safe::code_span(f, 200, false));
                if char_len(&section) + char_len(&line) + 150 > budget {
                    let _ = writeln!(section, "- _… and {} more._", a.files.len() - i);
                    break 'areas;
                }
                section.push_str(&line);
            }
            section.push('\n');
        }
        section.push_str("</details>\n");
        if char_len(&section) <= budget {
            out.push_str(&section);
        }
    }
    out.push_str(&footer);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_per_head() {
        assert_eq!(
            pr_review_marker(7, "abcdef0123456789abcdef0123456789abcdef01"),
            "<!-- ci-bot:pr-review v=2 pr=7 head=abcdef0123456789abcdef0123456789abcdef01 -->"
        );
        assert_eq!(pr_review_marker(7, "x -->y"), "<!-- ci-bot:pr-review v=2 pr=7 head= -->");
    }
}
