//! Every hidden marker the bot reads or writes, and strict finders for them.
//!
//! Three families live here:
//! - **Legacy markers** written by the old Python bot (seed spec §3). Their
//!   literals are a wire format: existing issues contain them, so we keep
//!   writing the ones the old readers need (`processed_job_ids`, part markers,
//!   the summary start/end pair, the tracker frame) byte-identical.
//! - **Our markers**, all prefixed `ci-bot:` and carrying `v=<n>`, so a later
//!   format change is a new version rather than a silent reinterpretation.
//! - **Our upsert keys** (`ci-bot:daily-issue`, `ci-bot:tracker-issue`,
//!   `ci-bot:analyze-target`): fixed strings the marker upsert finds an
//!   object by; unversioned, see [`DAILY_ISSUE_PREFIX`].
//!
//! Finders are line-anchored: a marker only counts when it is a whole line
//! (leading/trailing spaces ignored). Untrusted text is escaped by
//! [`crate::safe`] so it can never produce such a line.

use std::collections::BTreeSet;

use ci_model::{JobId, RunId};

// ---- legacy (old bot) markers, seed spec §3 ----

/// Prefix of the processed-job-id list that heads every per-workflow part.
pub const PROCESSED_JOB_IDS_PREFIX: &str = "<!-- processed_job_ids:";
/// Prefix of the part marker `<!-- ci-monitor-part: i/N -->`.
pub const PART_PREFIX: &str = "<!-- ci-monitor-part:";
/// Marker heading the old cross-run comment (`<!-- ci-monitor-cross-run-summary: W -->`).
pub const CROSS_RUN_PREFIX: &str = "<!-- ci-monitor-cross-run-summary:";
/// Start of the cross-workflow summary block in the daily issue body.
pub const SUMMARY_START: &str = "<!-- daily-cross-workflow-summary:start -->";
/// End of the cross-workflow summary block in the daily issue body.
pub const SUMMARY_END: &str = "<!-- daily-cross-workflow-summary:end -->";
/// Content marker on the first line inside the summary block.
pub const SUMMARY_CONTENT: &str = "<!-- daily-cross-workflow-summary -->";
/// Legacy start marker of the summary block (read, then rewritten as [`SUMMARY_START`]).
pub const LEGACY_BOARD_START: &str = "<!-- ci-monitor-daily-status-board:start -->";
/// Legacy end marker of the summary block.
pub const LEGACY_BOARD_END: &str = "<!-- ci-monitor-daily-status-board:end -->";
/// Legacy summary-comment marker; comments carrying it are obsolete and may be deleted.
pub const LEGACY_BOARD_COMMENT: &str = "<!-- ci-monitor-daily-status-board -->";
/// Separates a re-seeded daily body from an old body that had no summary block.
pub const LEGACY_BODY_PRESERVED: &str = "<!-- legacy issue body preserved below -->";
/// Frame start of the bot-owned tracker body.
pub const TRACKER_START: &str = "<!-- ci-failure-tracker:start -->";
/// Frame end of the bot-owned tracker body.
pub const TRACKER_END: &str = "<!-- ci-failure-tracker:end -->";
/// Legacy tracker state prefix (JSON follows on the next line, ends at `-->`).
pub const LEGACY_TRACKER_STATE_PREFIX: &str = "<!-- ci-failure-tracker-state:";
/// Older legacy tracker state prefix (upstream #27937), read-only.
pub const LEGACY_PR_TEST_AMD_STATE_PREFIX: &str = "<!-- pr-test-amd-tracker-state:";
/// Agent data block the old tracker parsed (read-only, never written by us).
pub const TRACKER_DATA_START: &str = "<!-- ci-failure-tracker-data:start -->";
/// End of [`TRACKER_DATA_START`].
pub const TRACKER_DATA_END: &str = "<!-- ci-failure-tracker-data:end -->";

// ---- our markers (versioned) ----

/// Current version of every `ci-bot:` marker we write.
pub const VERSION: u32 = 2;
/// Identifies a per-workflow comment part strictly:
/// `<!-- ci-bot:workflow-report v=2 workflow=<percent-encoded> -->`.
pub const WORKFLOW_REPORT_PREFIX: &str = "<!-- ci-bot:workflow-report ";
/// Structured metadata inside a per-job `<details>` block:
/// `<!-- ci-bot:job v=2 {json} -->` (JSON with `<`, `>`, `&` escaped).
pub const JOB_META_PREFIX: &str = "<!-- ci-bot:job ";
/// Prefix of one job's entry in a digest report (`<!-- ci-bot:job-digest v=2 {json} -->`).
pub const JOB_DIGEST_PREFIX: &str = "<!-- ci-bot:job-digest ";
/// Start of the free-form analysis region inside a per-job block.
pub const ANALYSIS_START: &str = "<!-- ci-bot:analysis:start -->";
/// End of the free-form analysis region inside a per-job block.
pub const ANALYSIS_END: &str = "<!-- ci-bot:analysis:end -->";
/// Summary state (history + fingerprints) inside the summary block:
/// `<!-- ci-bot:summary-state v=2 {json} -->`.
pub const SUMMARY_STATE_PREFIX: &str = "<!-- ci-bot:summary-state ";
/// Tracker state in the tracker body:
/// `<!-- ci-bot:tracker-state v=2 {json} -->`.
pub const TRACKER_STATE_PREFIX: &str = "<!-- ci-bot:tracker-state ";
/// Tracker archive comment (spilled quiet entries):
/// `<!-- ci-bot:tracker-archive v=2 part=i/N workflow=<enc> -->` then a state line.
pub const TRACKER_ARCHIVE_PREFIX: &str = "<!-- ci-bot:tracker-archive ";
/// Marks the `[Analyze]` issue body written by us.
pub const ANALYZE_PREFIX: &str = "<!-- ci-bot:analyze ";
/// The facts line at the end of part 1 of a workflow's comment:
/// `<!-- ci-bot:workflow-facts v=2 {json} -->` (see [`crate::facts`]).
pub const WORKFLOW_FACTS_PREFIX: &str = "<!-- ci-bot:workflow-facts ";
/// The LLM layer's memory (token budget, answer cache) at the end of part 1
/// of a workflow's comment: `<!-- ci-bot:llm-memory v=2 {json} -->` (see
/// [`crate::llm_memory`]).
pub const LLM_MEMORY_PREFIX: &str = "<!-- ci-bot:llm-memory ";
/// The daily issue's one comment that counts the tokens the model used
/// for the commands outside the workflow reports (ci-status, pr-review,
/// analyze-url): `<!-- ci-bot:llm-spend v=2 -->` (see
/// [`crate::llm_memory::spend_comment`]).
pub const LLM_SPEND_PREFIX: &str = "<!-- ci-bot:llm-spend ";
/// In the spend comment: each command's own count, by an id it drew
/// (`<!-- ci-bot:llm-spend-receipts v=2 {json} -->`, see
/// [`crate::llm_memory::SpendReceipts`]).
pub const LLM_SPEND_RECEIPTS_PREFIX: &str = "<!-- ci-bot:llm-spend-receipts ";

/// The one `ci-status` comment on a pull request:
/// `<!-- ci-bot:ci-status v=2 pr=<n> -->` (see [`crate::pr_status`]).
pub const CI_STATUS_PREFIX: &str = "<!-- ci-bot:ci-status ";
/// A `pr-review` comment, one per pull request head:
/// `<!-- ci-bot:pr-review v=2 pr=<n> head=<sha> -->`.
pub const PR_REVIEW_PREFIX: &str = "<!-- ci-bot:pr-review ";
/// The bot's reply to one command comment (help, unknown command, closed
/// pull request): `<!-- ci-bot:command-reply v=2 comment=<id> -->`.
pub const COMMAND_REPLY_PREFIX: &str = "<!-- ci-bot:command-reply ";

// ---- our upsert keys (unversioned) ----
//
// These identify an object for the marker upsert, which finds it by an exact
// substring of its body. They were written without `v=`; a versioned
// spelling would no longer find the issues that already carry them (and the
// upsert would open a second one), so they keep their shape. Their content
// is fixed (dates, ids, encoded names): there is nothing to version.

/// Prefix of the daily issue's upsert key.
pub const DAILY_ISSUE_PREFIX: &str = "<!-- ci-bot:daily-issue ";
/// Prefix of a tracker issue's upsert key.
pub const TRACKER_ISSUE_PREFIX: &str = "<!-- ci-bot:tracker-issue ";
/// Prefix of an `[Analyze]` issue's upsert key (one issue per run or job).
pub const ANALYZE_TARGET_PREFIX: &str = "<!-- ci-bot:analyze-target ";

const CLOSE: &str = " -->";

/// Whether `body` holds anything a reader of ours would take as the bot's
/// state or as an upsert key: one of our markers (any family) or a job block.
/// Used to report such text in a body the bot did not write, where it is
/// ignored: only the bot's own comments and issues are read for state.
pub fn carries_bot_state(body: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "<!-- ci-bot:",
        PROCESSED_JOB_IDS_PREFIX,
        PART_PREFIX,
        CROSS_RUN_PREFIX,
        "<!-- daily-cross-workflow-summary",
        "<!-- ci-monitor-daily-status-board",
        "<!-- ci-failure-tracker",
        LEGACY_PR_TEST_AMD_STATE_PREFIX,
        "data-job-id=",
    ];
    NEEDLES.iter().any(|n| body.contains(n))
}

/// Iterate the lines of `body` trimmed of surrounding whitespace (and `\r`).
fn trimmed_lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines().map(str::trim)
}

/// `<!-- processed_job_ids: 1,2,3 -->` for a set of ids (ascending).
/// An empty set renders `<!-- processed_job_ids:  -->`, which the old reader
/// ignores (it requires a digit) and ours reads as empty.
pub fn processed_job_ids_line(ids: &BTreeSet<JobId>) -> String {
    let list: Vec<String> = ids.iter().map(JobId::to_string).collect();
    format!("{PROCESSED_JOB_IDS_PREFIX} {} -->", list.join(","))
}

/// Parse one `processed_job_ids` line. Strict: whole line, digits and commas
/// (spaces tolerated) only; anything else is not our marker.
pub fn parse_processed_job_ids_line(line: &str) -> Option<BTreeSet<JobId>> {
    let inner = line.trim().strip_prefix(PROCESSED_JOB_IDS_PREFIX)?.strip_suffix("-->")?;
    let mut ids = BTreeSet::new();
    for item in inner.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if !item.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id: u64 = item.parse().ok()?;
        if id != 0 {
            ids.insert(JobId(id));
        }
    }
    Some(ids)
}

/// All processed job ids in one comment body: the union of every
/// `processed_job_ids` line (normally there is exactly one, on line 1).
pub fn find_processed_job_ids(body: &str) -> BTreeSet<JobId> {
    trimmed_lines(body).filter_map(parse_processed_job_ids_line).flatten().collect()
}

/// `<!-- ci-monitor-part: i/N -->`.
pub fn part_line(index: usize, total: usize) -> String {
    format!("{PART_PREFIX} {index}/{total} -->")
}

/// The first part marker of a body as `(index, total)`; strict whole line,
/// `1 <= index <= total`.
pub fn find_part(body: &str) -> Option<(usize, usize)> {
    trimmed_lines(body).find_map(|line| {
        let inner = line.strip_prefix(PART_PREFIX)?.strip_suffix("-->")?.trim();
        let (i, n) = inner.split_once('/')?;
        let (i, n): (usize, usize) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (i >= 1 && i <= n).then_some((i, n))
    })
}

/// Percent-encode anything that is not `[A-Za-z0-9._/-]`, so free text
/// (workflow names) can live inside a marker without ever closing it.
pub fn encode_token(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Inverse of [`encode_token`]; `None` on malformed escapes or bytes that
/// [`encode_token`] would have escaped.
pub fn decode_token(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-') => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

/// `<!-- ci-bot:workflow-report v=2 workflow=<enc> -->`.
pub fn workflow_report_line(workflow: &str) -> String {
    format!("{WORKFLOW_REPORT_PREFIX}v={VERSION} workflow={}{CLOSE}", encode_token(workflow))
}

/// Workflow named by our strict per-workflow marker, if the body has one.
/// Returns `(version, workflow)`.
pub fn find_workflow_report(body: &str) -> Option<(u32, String)> {
    trimmed_lines(body).find_map(|line| {
        let inner = line.strip_prefix(WORKFLOW_REPORT_PREFIX)?.strip_suffix(CLOSE)?;
        let mut version = None;
        let mut workflow = None;
        for field in inner.split(' ') {
            if let Some(v) = field.strip_prefix("v=") {
                version = v.parse().ok();
            } else if let Some(w) = field.strip_prefix("workflow=") {
                workflow = decode_token(w);
            }
        }
        Some((version?, workflow?))
    })
}

/// `<!-- ci-bot:llm-spend v=2 -->`.
pub fn llm_spend_marker() -> String {
    format!("{LLM_SPEND_PREFIX}v={VERSION}{CLOSE}")
}

/// A line `<!-- <prefix>v=<n> <json> -->` holding a JSON payload. The JSON
/// must come from [`crate::state_json`], which escapes `<`, `>` and `&`, so
/// the payload can never contain `-->`.
pub fn json_marker_line(prefix: &str, json: &str) -> String {
    format!("{prefix}v={VERSION} {json}{CLOSE}")
}

/// Find the first whole line `<prefix>v=<n> <json> -->`; returns `(n, json)`.
pub fn find_json_marker<'a>(body: &'a str, prefix: &str) -> Option<(u32, &'a str)> {
    trimmed_lines(body).find_map(|line| parse_json_marker(line, prefix))
}

/// Parse one line as `<prefix>v=<n> <json> -->`.
pub fn parse_json_marker<'a>(line: &'a str, prefix: &str) -> Option<(u32, &'a str)> {
    let inner = line.trim().strip_prefix(prefix)?.strip_suffix(CLOSE)?;
    let rest = inner.strip_prefix("v=")?;
    let (v, json) = rest.split_once(' ')?;
    Some((v.parse().ok()?, json))
}

/// `<!-- ci-bot:daily-issue YYYY-MM-DD -->`: makes creation of day D's
/// issue an idempotent upsert.
pub fn daily_issue_marker(date: chrono::NaiveDate) -> String {
    format!("{DAILY_ISSUE_PREFIX}{}{CLOSE}", date.format("%Y-%m-%d"))
}

/// `<!-- ci-bot:tracker-issue workflow=<enc> -->`: identifies the tracker
/// issue of a workflow (created ones carry it; a found legacy issue gets it
/// on the first write).
pub fn tracker_issue_marker(workflow: &str) -> String {
    format!("{TRACKER_ISSUE_PREFIX}workflow={}{CLOSE}", encode_token(workflow))
}

/// `<!-- ci-bot:analyze-target <owner>/<repo> run=<id>[ job=<id>] -->`:
/// re-analysing the same run or job updates its issue instead of opening
/// another.
pub fn analyze_target_marker(repo: &str, run: RunId, job: Option<JobId>) -> String {
    match job {
        Some(job) => format!("{ANALYZE_TARGET_PREFIX}{repo} run={run} job={job}{CLOSE}"),
        None => format!("{ANALYZE_TARGET_PREFIX}{repo} run={run}{CLOSE}"),
    }
}

/// The key of part `index` of `total` of a workflow's comment: its part line
/// and its workflow line, which together name one part, so a create that
/// raced (or was retried by a re-run) converges.
pub fn workflow_part_marker(index: usize, total: usize, workflow: &str) -> String {
    format!("{}\n{}", part_line(index, total), workflow_report_line(workflow))
}

/// `body` with `marker` as its last line (the shape of every issue body we
/// own: the marker is how the next run finds it).
pub fn with_marker_line(body: &str, marker: &str) -> String {
    format!("{}\n{marker}\n", body.trim_end())
}

/// When the content of a comment that several runs may write (a pull
/// request's ci-status, a head's review) was computed:
/// `<!-- ci-bot:computed-at 2026-12-06T13:34:07Z -->`.
pub const COMPUTED_AT_PREFIX: &str = "<!-- ci-bot:computed-at ";

/// `body` stamped with when it was computed ([`newer_computation`]).
pub fn with_computed_at(body: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}\n{COMPUTED_AT_PREFIX}{} -->\n", body.trim_end(), at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The stamp of [`with_computed_at`], if `body` has one.
pub fn computed_at(body: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    body.lines().rev().find_map(|l| {
        let at = l.trim().strip_prefix(COMPUTED_AT_PREFIX)?.strip_suffix(" -->")?;
        chrono::DateTime::parse_from_rfc3339(at).ok().map(|d| d.with_timezone(&chrono::Utc))
    })
}

/// The merge of a run that computed `mine` into the comment as it is
/// (`current`): a computation later than ours stays; otherwise ours is
/// written (a comment without a stamp counts as older). Two runs writing
/// one pull request's comment at once then agree after one look, where
/// writing one's own body each time made them overwrite each other until
/// both gave up, and an older status could be the one left. Idempotent;
/// only runs stamped with the same instant still take turns.
pub fn newer_computation(current: Option<&str>, mine: &str) -> String {
    match current {
        Some(cur) if computed_at(cur) > computed_at(mine) => cur.to_string(),
        _ => mine.to_string(),
    }
}

/// Whether `line` (trimmed) is exactly `marker`.
pub fn is_marker_line(line: &str, marker: &str) -> bool {
    line.trim() == marker
}

/// Byte range of the text strictly between a `start` line and the next `end`
/// line (both whole lines). `None` when either is missing.
pub fn block_between(body: &str, start: &str, end: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    let mut inner_start = None;
    for line in body.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        match inner_start {
            None if is_marker_line(line, start) => inner_start = Some(offset),
            Some(s) if is_marker_line(line, end) => return Some(s..here),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processed_ids_round_trip_and_strictness() {
        let ids: BTreeSet<JobId> = [JobId(3), JobId(1), JobId(2)].into();
        let line = processed_job_ids_line(&ids);
        assert_eq!(line, "<!-- processed_job_ids: 1,2,3 -->");
        assert_eq!(parse_processed_job_ids_line(&line), Some(ids));
        // Old bot wrote it without spaces after commas; also accepted.
        assert_eq!(
            parse_processed_job_ids_line("<!-- processed_job_ids: 5,6 -->").unwrap().len(),
            2
        );
        assert_eq!(parse_processed_job_ids_line("<!-- processed_job_ids: 5,x -->"), None);
        assert_eq!(parse_processed_job_ids_line("text <!-- processed_job_ids: 5 -->"), None);
    }

    #[test]
    fn union_over_lines() {
        let body = "<!-- processed_job_ids: 1,2 -->\nx\n<!-- processed_job_ids: 2,3 -->\n";
        assert_eq!(find_processed_job_ids(body), [JobId(1), JobId(2), JobId(3)].into());
    }

    #[test]
    fn part_marker() {
        assert_eq!(part_line(2, 3), "<!-- ci-monitor-part: 2/3 -->");
        assert_eq!(find_part("a\n<!-- ci-monitor-part: 2/3 -->\n"), Some((2, 3)));
        assert_eq!(find_part("<!-- ci-monitor-part: 4/3 -->"), None);
        assert_eq!(find_part("<!-- ci-monitor-part: 0/3 -->"), None);
    }

    #[test]
    fn token_encoding_round_trips() {
        for s in ["pr-test-amd.yml", "a b-->c", "ünï/code", ""] {
            let e = encode_token(s);
            assert!(!e.contains("-->") && !e.contains(' '));
            assert_eq!(decode_token(&e).as_deref(), Some(s));
        }
        assert_eq!(decode_token("a b"), None);
        assert_eq!(decode_token("%G1"), None);
    }

    #[test]
    fn workflow_marker() {
        let line = workflow_report_line("nightly test.yml");
        assert_eq!(line, "<!-- ci-bot:workflow-report v=2 workflow=nightly%20test.yml -->");
        assert_eq!(find_workflow_report(&line), Some((2, "nightly test.yml".into())));
    }

    #[test]
    fn upsert_keys() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(daily_issue_marker(date), "<!-- ci-bot:daily-issue 2026-11-21 -->");
        assert_eq!(tracker_issue_marker("pr test.yml"), "<!-- ci-bot:tracker-issue workflow=pr%20test.yml -->");
        assert_eq!(analyze_target_marker("o/r", RunId(9), None), "<!-- ci-bot:analyze-target o/r run=9 -->");
        assert_eq!(
            analyze_target_marker("o/r", RunId(9), Some(JobId(8))),
            "<!-- ci-bot:analyze-target o/r run=9 job=8 -->"
        );
        assert_eq!(with_marker_line("body\n\n", "<!-- m -->"), "body\n<!-- m -->\n");
    }

    #[test]
    fn block_between_markers() {
        let body = format!("a\n{SUMMARY_START}\nX\nY\n{SUMMARY_END}\nb");
        let r = block_between(&body, SUMMARY_START, SUMMARY_END).unwrap();
        assert_eq!(&body[r], "X\nY\n");
        assert!(block_between("no markers", SUMMARY_START, SUMMARY_END).is_none());
    }
}
