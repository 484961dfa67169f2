//! The harness: fills a task's template with the engine's facts, compactly.
//!
//! Small prompts are the cost story (the old bot sent up to 150,000
//! characters of log per job): at most three key lines, the first with two
//! lines of context on each side, five failing tests (a message only when
//! no shown line already says it), eight commits, five related items, every
//! line cut at 200 characters. Untrusted text (log lines, test names,
//! commit titles, PR text) is cleaned of control characters, kept on one
//! line where it is a field, and cannot close the `BEGIN DATA`/`END DATA`
//! fence: those words are defanged inside values, and the fence carries a
//! nonce derived from the facts themselves.

use std::collections::BTreeMap;
use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::facts::{JobFacts, KeyLine, LogLine, PickFacts, PrFacts, SummaryFacts};
use crate::templates::{Task, Templates};

/// Key lines shown.
pub const MAX_KEY_LINES: usize = 3;
/// Context lines shown on each side of the first key line (the others are
/// shown alone: the first is the one to read, the others corroborate).
pub const CONTEXT: u32 = 2;
/// Failing tests shown.
pub const MAX_TESTS: usize = 5;
/// Commits shown.
pub const MAX_COMMITS: usize = 8;
/// Related PRs/issues shown.
pub const MAX_RELATED: usize = 5;
/// Candidate lines shown to the pick task.
pub const MAX_CANDIDATES: usize = 20;
/// Chars per shown line.
pub const LINE_CHARS: usize = 200;
/// Chars of a key line shown outside the first key line's window.
pub const OTHER_LINE_CHARS: usize = 120;
/// Diff lines shown to the review task.
pub const MAX_DIFF_LINES: usize = 400;

/// A filled prompt, not yet sealed (see [`crate::secrets::Scrubber::seal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The task.
    pub task: Task,
    /// Ground rules.
    pub system: String,
    /// The task with its facts.
    pub user: String,
    /// Output cap.
    pub max_tokens: u32,
    /// Digest of the templates used (cache key part).
    pub digest: String,
}

fn build(t: &Templates, task: Task, mut values: BTreeMap<&'static str, String>) -> Prompt {
    let mut h = Sha256::new();
    for (k, v) in &values {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    let nonce: String = h.finalize().iter().take(4).map(|b| format!("{b:02x}")).collect();
    values.insert("nonce", nonce);
    let (system, user) = t.fill(task, &values);
    Prompt { task, system, user, max_tokens: task.max_tokens(), digest: t.digest(task) }
}

/// Untrusted text for one field: control characters and ANSI codes
/// removed, whitespace collapsed, rules of repeated punctuation shortened,
/// data fences defanged, cut at `max` chars.
pub fn field(s: &str, max: usize) -> String {
    let cleaned = ci_report::safe::clean(s);
    let one = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    defang(&ci_report::safe::truncate_chars(&shorten_rules(&one), max))
}

/// Runs of more than [`RULE_RUN`] identical punctuation characters (`=====`
/// banners, `_____` test headers) cut to [`RULE_RUN`]: they cost tokens and
/// say nothing, and a quote of the shortened line is still a substring of
/// the original, so it still verifies.
fn shorten_rules(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    let mut prev = None;
    for c in s.chars() {
        if Some(c) == prev && c.is_ascii_punctuation() {
            run += 1;
        } else {
            run = 1;
        }
        prev = Some(c);
        if run <= RULE_RUN {
            out.push(c);
        }
    }
    out
}

/// See [`shorten_rules`].
const RULE_RUN: usize = 10;

/// `BEGIN DATA` / `END DATA` inside a value cannot read as our fence.
fn defang(s: &str) -> String {
    if !s.to_ascii_uppercase().contains(" DATA") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let upper = s.to_ascii_uppercase();
    let mut i = 0;
    while i < s.len() {
        let rest = &upper[i..];
        let hit = ["BEGIN DATA", "END DATA"].iter().find(|m| rest.starts_with(**m));
        match hit {
            Some(m) => {
                out.push_str(&s[i..i + m.len()].replace(' ', "_"));
                i += m.len();
            }
            None => {
                let c = s[i..].chars().next().unwrap();
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

fn log_line(l: &LogLine) -> String {
    format!("L{}| {}", l.no, field(&l.text, LINE_CHARS))
}

/// The lines shown for the top key lines: the first with ±[`CONTEXT`]
/// lines, the others alone unless they are in `listed` (a failing test's
/// own line, already in the test list); in log order.
fn shown_lines<'a>(lines: &'a [KeyLine], listed: &[u32]) -> BTreeMap<u32, &'a str> {
    let mut shown: BTreeMap<u32, &str> = BTreeMap::new();
    for (i, k) in lines.iter().take(MAX_KEY_LINES).enumerate() {
        if i > 0 && listed.contains(&k.line) {
            continue;
        }
        let ctx = if i == 0 { CONTEXT } else { 0 };
        for l in &k.context {
            if l.no + ctx >= k.line && l.no <= k.line + ctx {
                shown.insert(l.no, &l.text);
            }
        }
    }
    shown
}

/// The top key lines (see [`shown_lines`]), gaps marked; lines outside the
/// first key line's window are cut shorter.
fn key_lines(lines: &[KeyLine], listed: &[u32]) -> String {
    let top: Vec<&KeyLine> = lines.iter().take(MAX_KEY_LINES).collect();
    if top.is_empty() {
        return String::new();
    }
    let shown = shown_lines(lines, listed);
    let first = top[0].line;
    let mut out = String::new();
    let order: Vec<String> = top.iter().map(|k| format!("L{} ({})", k.line, field(&k.rule, 40))).collect();
    let _ = writeln!(out, "key lines in order: {}", order.join(", "));
    let mut prev: Option<u32> = None;
    for (no, text) in shown {
        if prev.is_some_and(|p| no > p + 1) {
            out.push_str("...\n");
        }
        let max = if no + CONTEXT >= first && no <= first + CONTEXT { LINE_CHARS } else { OTHER_LINE_CHARS };
        let _ = writeln!(out, "L{no}| {}", field(text, max));
        prev = Some(no);
    }
    out.trim_end().to_string()
}

fn opt(s: &Option<String>, max: usize) -> String {
    s.as_deref().map(|v| field(v, max)).unwrap_or_default()
}

/// Job failure analysis.
pub fn job_failure(t: &Templates, f: &JobFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("repo", field(&f.repo, 100));
    v.insert("workflow", field(&f.workflow, 120));
    v.insert("job", field(&f.job, 160));
    v.insert("head_sha", opt(&f.head_sha, 40));
    v.insert("failing_step", opt(&f.failing_step, 160));
    let flaky = match f.flaky {
        Some(true) => "likely flaky",
        Some(false) => "deterministic",
        None => "flakiness unknown",
    };
    let rule = f.rule.as_deref().map(|r| format!(", rule {}", field(r, 60))).unwrap_or_default();
    v.insert("verdict", format!("{}, {flaky}{rule}", field(&f.category, 30)));
    if let Some(c) = &f.counts {
        let n = |x: Option<u64>| x.map_or("?".to_string(), |x| x.to_string());
        v.insert("counts", format!("{} run, {} passed, {} failed, {} skipped", n(c.run), n(c.passed), n(c.failed), n(c.skipped)));
    }
    if let Some(h) = &f.history {
        let mut s = h.summary.as_deref().map(|s| field(s, 200)).unwrap_or_else(|| format!("red in {} of the last {} runs", h.red, h.runs));
        if let Some(g) = &h.last_green_sha {
            let _ = write!(s, "; last green {}", field(g, 40));
        }
        v.insert("history", s);
    }
    if let Some(c) = &f.cluster {
        let first = c.first_seen.as_deref().map(|d| format!(", first seen {}", field(d, 10))).unwrap_or_default();
        v.insert("cluster", format!("{}: {} job(s) in {} workflow(s){first}", field(&c.id, 40), c.jobs, c.workflows));
    }
    let mut tests = String::new();
    let listed: Vec<u32> = f.failing_tests.iter().take(MAX_TESTS).map(|t| t.line).collect();
    let shown: Vec<String> = shown_lines(&f.key_lines, &listed).values().map(|t| field(t, LINE_CHARS)).collect();
    let ids: Vec<String> = f.failing_tests.iter().take(MAX_TESTS).map(|t| field(&t.id, 200)).collect();
    let prefix = common_prefix(&ids);
    if !prefix.is_empty() {
        let _ = writeln!(tests, "(ids below start with {prefix})");
    }
    for (t, id) in f.failing_tests.iter().zip(&ids) {
        let m = field(&t.message, 160);
        let said = m.is_empty() || shown.iter().any(|l| l.contains(m.trim_end_matches('…')));
        let msg = if said { String::new() } else { format!(": {m}") };
        let _ = writeln!(tests, "- {} (L{}){msg}", &id[prefix.len()..], t.line);
    }
    if f.failing_tests.len() > MAX_TESTS {
        let _ = writeln!(tests, "- ... and {} more", f.failing_tests.len() - MAX_TESTS);
    }
    v.insert("failing_tests", tests.trim_end().to_string());
    v.insert("key_lines", key_lines(&f.key_lines, &listed));
    if let Some(r) = f.suspects.as_ref().filter(|r| r.total == 0 && r.commits.is_empty()) {
        v.insert("suspect_commits", format!("{}..{} (commits not listed)", field(&r.from, 12), field(&r.to, 12)));
    } else if let Some(r) = &f.suspects {
        let mut s = format!("{}..{} ({} commit(s)", field(&r.from, 12), field(&r.to, 12), r.total);
        if (r.total as usize) > r.commits.len().min(MAX_COMMITS) {
            let _ = write!(s, "; newest {} shown", r.commits.len().min(MAX_COMMITS));
        }
        s.push_str(")\n");
        for c in r.commits.iter().take(MAX_COMMITS) {
            let sha: String = c.sha.chars().take(8).collect();
            let _ = writeln!(s, "- {} {}", field(&sha, 8), field(&c.title, 120));
        }
        v.insert("suspect_commits", s.trim_end().to_string());
    }
    let mut rel = String::new();
    for r in f.related.iter().take(MAX_RELATED) {
        let kind = if r.kind == "pr" { "PR" } else { "issue" };
        let opened = r.opened.as_deref().map(|d| format!(" (opened {})", field(d, 10))).unwrap_or_default();
        let _ = writeln!(rel, "- {kind} {}{opened}: {}", r.number, field(&r.title, 160));
    }
    if rel.is_empty() {
        rel.push_str(if f.related_searched { "none found" } else { "not searched" });
    }
    v.insert("related", rel.trim_end().to_string());
    build(t, Task::JobFailure, v)
}

/// The longest prefix of all `ids` (at least two) that ends at a path or
/// name separator and is worth factoring out (20+ chars); empty otherwise.
fn common_prefix(ids: &[String]) -> String {
    if ids.len() < 2 {
        return String::new();
    }
    let first = &ids[0];
    let mut n = first.len();
    for id in &ids[1..] {
        n = n.min(first.bytes().zip(id.bytes()).take_while(|(a, b)| a == b).count());
    }
    let cut = first[..n].rfind(['/', ':', '.']).map_or(0, |i| i + 1);
    if cut >= 20 && ids.iter().all(|id| id.len() > cut) { first[..cut].to_string() } else { String::new() }
}

/// Pick the line to read first.
pub fn pick_line(t: &Templates, f: &PickFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("job", field(&f.job, 300));
    v.insert("failing_step", opt(&f.failing_step, 160));
    v.insert("category", field(&f.category, 30));
    let c: Vec<String> = f.candidates.iter().take(MAX_CANDIDATES).map(log_line).collect();
    v.insert("candidates", c.join("\n"));
    build(t, Task::PickLine, v)
}

fn clusters(f: &SummaryFacts) -> String {
    let mut s = String::new();
    for c in f.clusters.iter().take(20) {
        let new = if c.new { " NEW" } else { "" };
        let since = c.first_seen.as_deref().map(|d| format!(", since {}", field(d, 10))).unwrap_or_default();
        let wfs: Vec<String> = c.workflows.iter().take(5).map(|w| field(w, 60)).collect();
        let _ = write!(s, "- {}{new}: {} job(s) in {}{since}: {}", field(&c.id, 40), c.jobs, wfs.join(", "), field(&c.headline, 200));
        if !c.tests.is_empty() {
            let tests: Vec<String> = c.tests.iter().take(5).map(|t| field(t, 120)).collect();
            let _ = write!(s, "; tests: {}", tests.join(", "));
        }
        s.push('\n');
    }
    if f.clusters.len() > 20 {
        let _ = writeln!(s, "- ... and {} more", f.clusters.len() - 20);
    }
    s.trim_end().to_string()
}

/// Cross-job summary of one workflow.
pub fn cross_job(t: &Templates, f: &SummaryFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("repo", field(&f.repo, 100));
    v.insert("workflow", opt(&f.workflow, 120));
    v.insert("date", field(&f.date, 10));
    v.insert("clusters", clusters(f));
    build(t, Task::CrossJob, v)
}

/// The daily summary's prose.
pub fn daily_summary(t: &Templates, f: &SummaryFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("repo", field(&f.repo, 100));
    v.insert("date", field(&f.date, 10));
    let mut w = String::new();
    for wf in f.workflows.iter().take(30) {
        let trend: Vec<String> = wf.trend.iter().map(u32::to_string).collect();
        let _ = writeln!(w, "- {}: {} run(s), {} failed job(s); trend {}", field(&wf.name, 80), wf.runs, wf.failed_jobs, trend.join("·"));
    }
    v.insert("workflows", w.trim_end().to_string());
    v.insert("clusters", clusters(f));
    build(t, Task::DailySummary, v)
}

fn files(f: &PrFacts) -> String {
    let mut s = String::new();
    for c in f.files.iter().take(50) {
        let _ = writeln!(s, "- {} (+{}/-{})", field(&c.path, 200), c.additions, c.deletions);
    }
    if f.files.len() > 50 {
        let _ = writeln!(s, "- ... and {} more files", f.files.len() - 50);
    }
    s.trim_end().to_string()
}

/// Explain a PR's CI status.
pub fn ci_status(t: &Templates, f: &PrFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("repo", field(&f.repo, 100));
    v.insert("pr", f.number.to_string());
    v.insert("title", field(&f.title, 200));
    v.insert("changed_files", files(f));
    let mut s = String::new();
    for x in f.failures.iter().take(30) {
        let _ = writeln!(s, "- {}: {} ({})", field(&x.job, 160), field(&x.what, 200), field(&x.verdict, 60));
    }
    v.insert("failures", s.trim_end().to_string());
    build(t, Task::CiStatus, v)
}

/// The diff as numbered lines (`L<n>| `), as quotes are checked against it.
pub fn numbered_diff(diff: &str) -> String {
    let mut s = String::new();
    let total = diff.lines().count();
    for (i, l) in diff.lines().take(MAX_DIFF_LINES).enumerate() {
        let text = ci_report::safe::truncate_chars(&ci_report::safe::clean(l), LINE_CHARS).into_owned();
        let _ = writeln!(s, "L{}| {}", i + 1, defang(&text));
    }
    if total > MAX_DIFF_LINES {
        let _ = writeln!(s, "... {} more diff lines not shown", total - MAX_DIFF_LINES);
    }
    s.trim_end().to_string()
}

/// Review a PR's diff.
pub fn pr_review(t: &Templates, f: &PrFacts) -> Prompt {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("repo", field(&f.repo, 100));
    v.insert("pr", f.number.to_string());
    v.insert("title", field(&f.title, 200));
    let body: Vec<String> = f.body.lines().take(40).map(|l| field(l, LINE_CHARS)).collect();
    v.insert("body", body.join("\n"));
    v.insert("changed_files", files(f));
    v.insert("diff", numbered_diff(&f.diff));
    v.insert("focus", opt(&f.focus, 300));
    build(t, Task::PrReview, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_one_line_and_cannot_close_the_fence() {
        assert_eq!(field("a\n\tb\u{1b}[31m c", 100), "a b c");
        assert_eq!(field("x END DATA 1234 end data", 100), "x END_DATA 1234 end_data");
        assert_eq!(field("abcdef", 3), "ab…");
        assert_eq!(field(&format!("{} 1 failed {}", "=".repeat(30), "=".repeat(30)), 100), "========== 1 failed ==========");
        assert_eq!(field("a--b ...", 100), "a--b ...");
    }

    #[test]
    fn long_shared_test_prefixes_are_said_once() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&ids(&["github.com/org/repo/pkg/TestA/x", "github.com/org/repo/pkg/TestB"])), "github.com/org/repo/pkg/");
        assert_eq!(common_prefix(&ids(&["tests/a.py::t1", "tests/a.py::t2"])), "");
        assert_eq!(common_prefix(&ids(&["only/one/very/long/test/id/here"])), "");
    }

    #[test]
    fn key_line_windows_merge() {
        let ctx = |from: u32, to: u32| (from..=to).map(|n| LogLine { no: n, text: format!("line {n}") }).collect();
        let k = vec![
            KeyLine { line: 10, rule: "r1".into(), context: ctx(5, 15) },
            KeyLine { line: 11, rule: "r2".into(), context: ctx(8, 18) },
            KeyLine { line: 40, rule: "r3".into(), context: ctx(38, 42) },
            KeyLine { line: 90, rule: "r4".into(), context: ctx(88, 92) },
        ];
        let s = key_lines(&k, &[]);
        assert_eq!(
            s,
            "key lines in order: L10 (r1), L11 (r2), L40 (r3)\nL8| line 8\nL9| line 9\nL10| line 10\nL11| line 11\nL12| line 12\n...\nL40| line 40"
        );
    }
}
