//! The daily issue: title, initial body, and replacing the summary block
//! (seed spec §3.1, §2.5 step 6).

use chrono::NaiveDate;

use crate::markers::{
    self, LEGACY_BOARD_END, LEGACY_BOARD_START, LEGACY_BODY_PRESERVED, SUMMARY_END, SUMMARY_START,
};
use crate::safe;

/// Label of daily issues.
pub const DAILY_LABEL: &str = "ci-monitor";
const TITLE_PREFIX: &str = "[CI Monitor] Daily Report - ";

/// `[CI Monitor] Daily Report - YYYY-MM-DD` (ASCII hyphen, UTC date).
pub fn daily_title(date: NaiveDate) -> String {
    format!("{TITLE_PREFIX}{}", date.format("%Y-%m-%d"))
}

/// The date of a daily issue title, if `title` is exactly one.
pub fn parse_daily_title(title: &str) -> Option<NaiveDate> {
    let d = title.strip_prefix(TITLE_PREFIX)?;
    if d.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// What the initial daily body lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DailyIssueContext {
    /// Monitored repository `owner/name`.
    pub repo: String,
    /// Web base url, normally `https://github.com`.
    pub server_url: String,
    /// Monitored workflow files.
    pub workflows: Vec<String>,
}

/// Placeholder sentence inside a fresh summary block.
pub const PLACEHOLDER: &str =
    "_The Daily Cross-Workflow Summary will appear here after the first scan (typically within 30 minutes)._";

/// Initial body of the daily issue for `date`.
pub fn daily_initial_body(date: NaiveDate, ctx: &DailyIssueContext) -> String {
    let mut out = format!("{SUMMARY_START}\n{PLACEHOLDER}\n{SUMMARY_END}\n\n---\n");
    out.push_str(&format!("## CI Monitor — {}\n\n", date.format("%Y-%m-%d")));
    let repo_url = format!("{}/{}", ctx.server_url.trim_end_matches('/'), ctx.repo);
    out.push_str(&format!("**Repo**: {}\n\n", safe::link(&ctx.repo, &repo_url, 200)));
    out.push_str("**Monitored Workflows**:\n");
    for wf in &ctx.workflows {
        out.push_str(&format!("- {}\n", safe::code_span(wf, 200, false)));
    }
    out.push_str(
        "\n_Per-workflow reports are appended below as comments; the cross-workflow summary is rendered above._\n",
    );
    out
}

/// The daily issue's body at creation: [`daily_initial_body`] with the
/// day's upsert key ([`markers::daily_issue_marker`]) as its last line.
pub fn daily_issue_body(date: NaiveDate, ctx: &DailyIssueContext) -> String {
    markers::with_marker_line(&daily_initial_body(date, ctx), &markers::daily_issue_marker(date))
}

/// The summary block's inner text (between the start/end markers, new or
/// legacy pair), if the body has one.
pub fn extract_summary_block(body: &str) -> Option<&str> {
    find_block(body).map(|(_, inner)| &body[inner])
}

/// Whether the summary block still holds the untouched placeholder (so it is
/// not "yesterday's summary", §7.3.17).
pub fn is_placeholder_block(inner: &str) -> bool {
    let t = inner.trim();
    t.is_empty() || t == PLACEHOLDER || !t.contains(markers::SUMMARY_CONTENT) && t.starts_with("_The Daily")
}

/// Outer and inner ranges of the first summary block: start of either pair …
/// end of either pair (the old replacement regex accepted mixed pairs).
fn find_block(body: &str) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut offset = 0;
    let mut start: Option<(usize, usize)> = None;
    for line in body.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let t = line.trim();
        match start {
            None if t == SUMMARY_START || t == LEGACY_BOARD_START => start = Some((here, offset)),
            Some((outer, inner)) if t == SUMMARY_END || t == LEGACY_BOARD_END => {
                return Some((outer..offset, inner..here));
            }
            _ => {}
        }
    }
    None
}

/// Replace the summary block of `body` with `inner` (always written with the
/// new marker pair), keeping everything else byte-identical. A body without
/// a block is re-seeded from `initial` with the old body preserved below a
/// marker. Returns the new body.
pub fn replace_summary_block(body: &str, inner: &str, initial: &str) -> String {
    let inner = inner.trim_end_matches('\n');
    match find_block(body) {
        Some((outer, _)) => {
            let mut out = String::with_capacity(body.len() + inner.len());
            out.push_str(&body[..outer.start]);
            out.push_str(&format!("{SUMMARY_START}\n{inner}\n{SUMMARY_END}\n"));
            out.push_str(&body[outer.end..]);
            out
        }
        None => {
            if find_block(initial).is_none() {
                // Defensive: an initial body without a block; prepend one.
                return format!("{SUMMARY_START}\n{inner}\n{SUMMARY_END}\n\n{body}");
            }
            let seeded = replace_summary_block(initial, inner, "");
            if body.trim().is_empty() {
                seeded
            } else {
                format!("{seeded}\n{LEGACY_BODY_PRESERVED}\n{body}")
            }
        }
    }
}

/// Whether a comment is an obsolete legacy summary comment (safe to delete).
pub fn is_legacy_summary_comment(body: &str) -> bool {
    body.lines().any(|l| l.trim() == markers::LEGACY_BOARD_COMMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> DailyIssueContext {
        DailyIssueContext {
            repo: "acme/widgets".into(),
            server_url: "https://github.com".into(),
            workflows: vec!["nightly.yml".into(), "pr-test.yml".into()],
        }
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn title_round_trip() {
        assert_eq!(daily_title(date()), "[CI Monitor] Daily Report - 2026-11-21");
        assert_eq!(parse_daily_title(&daily_title(date())), Some(date()));
        assert_eq!(parse_daily_title("[CI Monitor] Daily Report - 2026-11-21 x"), None);
    }

    #[test]
    fn initial_body_snapshot() {
        insta::assert_snapshot!(daily_initial_body(date(), &ctx()));
    }

    #[test]
    fn replace_keeps_rest_and_is_idempotent() {
        let body = daily_initial_body(date(), &ctx());
        let once = replace_summary_block(&body, "NEW\nTEXT", &body);
        let twice = replace_summary_block(&once, "NEW\nTEXT", &body);
        assert_eq!(once, twice);
        assert_eq!(extract_summary_block(&once), Some("NEW\nTEXT\n"));
        assert!(once.ends_with(&body[body.find("\n---\n").unwrap()..]));
    }

    #[test]
    fn legacy_pair_is_migrated() {
        let body = format!("{LEGACY_BOARD_START}\nold board\n{LEGACY_BOARD_END}\n\n---\ntail\n");
        let out = replace_summary_block(&body, "S", "");
        assert_eq!(out, format!("{SUMMARY_START}\nS\n{SUMMARY_END}\n\n---\ntail\n"));
    }

    #[test]
    fn body_without_block_is_reseeded_and_preserved() {
        let initial = daily_initial_body(date(), &ctx());
        let out = replace_summary_block("hand written", "S", &initial);
        assert!(out.starts_with(&format!("{SUMMARY_START}\nS\n{SUMMARY_END}\n")));
        assert!(out.ends_with(&format!("{LEGACY_BODY_PRESERVED}\nhand written")));
    }

    #[test]
    fn placeholder_detection() {
        let body = daily_initial_body(date(), &ctx());
        assert!(is_placeholder_block(extract_summary_block(&body).unwrap()));
        assert!(!is_placeholder_block("<!-- daily-cross-workflow-summary -->\n# Daily"));
    }
}
