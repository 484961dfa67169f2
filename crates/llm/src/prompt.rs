//! The harness: fills a task's template with the engine's facts, compactly.
//!
//! Small prompts are the cost story (the old bot sent up to 150,000
//! characters of log per job): at most three key lines with two lines of
//! context each, ten failing tests, eight commits, five related items,
//! every line cut at 240 characters. Untrusted text (log lines, test names,
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
/// Context lines shown on each side of a key line.
pub const CONTEXT: u32 = 2;
/// Failing tests shown.
pub const MAX_TESTS: usize = 10;
/// Commits shown.
pub const MAX_COMMITS: usize = 8;
/// Related PRs/issues shown.
pub const MAX_RELATED: usize = 5;
/// Candidate lines shown to the pick task.
pub const MAX_CANDIDATES: usize = 20;
/// Chars per shown line.
pub const LINE_CHARS: usize = 240;
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
/// removed, whitespace collapsed, data fences defanged, cut at `max` chars.
pub fn field(s: &str, max: usize) -> String {
    let cleaned = ci_report::safe::clean(s);
    let one = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    defang(&ci_report::safe::truncate_chars(&one, max))
}

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

/// The top key lines with ±[`CONTEXT`] lines, windows merged, in log order.
fn key_lines(lines: &[KeyLine]) -> String {
    let top: Vec<&KeyLine> = lines.iter().take(MAX_KEY_LINES).collect();
    if top.is_empty() {
        return String::new();
    }
    let mut shown: BTreeMap<u32, &str> = BTreeMap::new();
    for k in &top {
        for l in &k.context {
            if l.no + CONTEXT >= k.line && l.no <= k.line + CONTEXT {
                shown.insert(l.no, &l.text);
            }
        }
    }
    let mut out = String::new();
    let order: Vec<String> = top.iter().map(|k| format!("L{} ({})", k.line, field(&k.rule, 40))).collect();
    let _ = writeln!(out, "key lines in order: {}", order.join(", "));
    let mut prev: Option<u32> = None;
    for (no, text) in shown {
        if prev.is_some_and(|p| no > p + 1) {
            out.push_str("...\n");
        }
        let _ = writeln!(out, "{}", log_line(&LogLine { no, text: text.to_string() }));
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
    for t in f.failing_tests.iter().take(MAX_TESTS) {
        let msg = if t.message.is_empty() { String::new() } else { format!(": {}", field(&t.message, 200)) };
        let _ = writeln!(tests, "- {} (L{}){msg}", field(&t.id, 200), t.line);
    }
    if f.failing_tests.len() > MAX_TESTS {
        let _ = writeln!(tests, "- ... and {} more", f.failing_tests.len() - MAX_TESTS);
    }
    v.insert("failing_tests", tests.trim_end().to_string());
    v.insert("key_lines", key_lines(&f.key_lines));
    if let Some(r) = &f.suspects {
        let mut s = format!("{}..{} ({} commit(s)", field(&r.from, 12), field(&r.to, 12), r.total);
        if (r.total as usize) > r.commits.len().min(MAX_COMMITS) {
            let _ = write!(s, "; newest {} shown", r.commits.len().min(MAX_COMMITS));
        }
        s.push_str(")\n");
        for c in r.commits.iter().take(MAX_COMMITS) {
            let sha: String = c.sha.chars().take(10).collect();
            let _ = writeln!(s, "- {} {}", field(&sha, 10), field(&c.title, 120));
        }
        v.insert("suspect_commits", s.trim_end().to_string());
    }
    let mut rel = String::new();
    for r in f.related.iter().take(MAX_RELATED) {
        let kind = if r.kind == "pr" { "PR" } else { "issue" };
        let opened = r.opened.as_deref().map(|d| format!(" (opened {})", field(d, 10))).unwrap_or_default();
        let _ = writeln!(rel, "- {kind} {}{opened}: {}", r.number, field(&r.title, 160));
    }
    v.insert("related", rel.trim_end().to_string());
    build(t, Task::JobFailure, v)
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
    }

    #[test]
    fn key_line_windows_merge() {
        let ctx = |from: u32, to: u32| (from..=to).map(|n| LogLine { no: n, text: format!("line {n}") }).collect();
        let k = vec![
            KeyLine { line: 10, rule: "r1".into(), context: ctx(5, 15) },
            KeyLine { line: 13, rule: "r2".into(), context: ctx(8, 18) },
            KeyLine { line: 40, rule: "r3".into(), context: ctx(38, 42) },
            KeyLine { line: 90, rule: "r4".into(), context: ctx(88, 92) },
        ];
        let s = key_lines(&k);
        assert_eq!(
            s,
            "key lines in order: L10 (r1), L13 (r2), L40 (r3)\nL8| line 8\nL9| line 9\nL10| line 10\nL11| line 11\nL12| line 12\nL13| line 13\nL14| line 14\nL15| line 15\n...\nL38| line 38\nL39| line 39\nL40| line 40\nL41| line 41\nL42| line 42"
        );
    }
}
