//! The streaming pass: one line at a time through a bounded buffer, one
//! trigger search per line (`literals.rs`), regexes only on candidate lines, a small
//! ring buffer for context. Memory stays bounded whatever the log size.

use crate::analysis::{Analysis, Category, Excerpt, ExcerptLine, Failure, Step, TestRef, SCHEMA};
use crate::clean::{clean_line, plain_line};
use crate::fingerprint::{fingerprint, normalise};
use crate::rank;
use crate::rules::RuleSet;
use crate::runners::{self, Line, RunnerParser, RunnerReport};
use crate::literals::LiteralSet;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};

/// Lines longer than this are cut for matching (still counted as one line).
pub const MAX_LINE: usize = 64 * 1024;
/// Context kept around each key line.
pub const CONTEXT_BEFORE: usize = 3;
pub const CONTEXT_AFTER: usize = 3;
/// Text kept per context line.
const EXCERPT_CHARS: usize = 400;
/// Bound on candidate lines held at once (see `compact`).
const MAX_CANDIDATES: usize = 4096;

/// A line some rule (or runner) matched, with what ranking needs.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub line: u32,
    /// Index into `RuleSet::rules`, or `None` for a runner-reported failure.
    pub rule: Option<usize>,
    pub priority: i32,
    /// Index into the step list (0 when the log has no steps).
    pub step: usize,
    pub message: String,
    pub group: String,
    /// Context lines, `\n`-separated (cleaned text never holds `\n`),
    /// the first being line `context_first`. One allocation per candidate:
    /// error-dense logs have millions of candidates.
    pub context: String,
    pub context_first: u32,
    /// Context lines still to collect after the line.
    pub after_missing: usize,
}

/// A rule trigger as written, in lower case, UPPER CASE and Capitalised:
/// the spellings tools actually print (`error:`, `Error:`, `ERROR:`).
fn case_variants(t: &str) -> Vec<String> {
    let lower = t.to_ascii_lowercase();
    let mut cap = lower.clone();
    if let Some(first) = cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let mut v = vec![t.to_string(), lower, t.to_ascii_uppercase(), cap];
    v.sort();
    v.dedup();
    v
}

impl Candidate {
    pub(crate) fn excerpt_lines(&self) -> Vec<ExcerptLine> {
        if self.context.is_empty() {
            return Vec::new();
        }
        self.context
            .split('\n')
            .enumerate()
            .map(|(i, t)| ExcerptLine { no: self.context_first + i as u32, text: t.to_string() })
            .collect()
    }
}

#[derive(Debug, PartialEq)]
enum Pat {
    Rule(usize),
    /// Parser index.
    Runner(usize),
}

/// What the trigger search needs per rule set; built once per `analyze` call
/// (cheap next to reading a log) so callers only pass a `RuleSet`.
#[derive(Debug)]
pub(crate) struct Matcher {
    triggers: LiteralSet,
    /// Per literal of `triggers` (one per distinct spelling): who wants it.
    pats: Vec<Vec<Pat>>,
    /// Per rule: its position when rules are sorted by priority, highest
    /// first, file order breaking ties.
    order: Vec<u32>,
    /// Some trigger holds U+FFFD (a repository's own rule can), so invalid
    /// UTF-8 must become its lossy text before matching.
    match_lossy: bool,
}

impl Matcher {
    fn new(rules: &RuleSet, parsers: &[Box<dyn RunnerParser>]) -> Matcher {
        // Distinct triggers only: each is verified once per window hit.
        let mut lits: Vec<String> = Vec::new();
        let mut pats: Vec<Vec<Pat>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut add = |lit: String, who: Pat| {
            let i = *index.entry(lit.clone()).or_insert_with(|| {
                lits.push(lit);
                pats.push(Vec::new());
                lits.len() - 1
            });
            if !pats[i].contains(&who) {
                pats[i].push(who);
            }
        };
        // Matching is case-sensitive (case-insensitive would find `ok`
        // inside every `token` for a runner's `OK` trigger); rule triggers
        // are expanded to the spellings logs use.
        for (i, r) in rules.rules.iter().enumerate() {
            for t in &r.triggers {
                for v in case_variants(t) {
                    add(v, Pat::Rule(i));
                }
            }
        }
        for (p, parser) in parsers.iter().enumerate() {
            for t in parser.triggers() {
                if !t.is_empty() {
                    add(t.to_string(), Pat::Runner(p));
                }
            }
        }
        let triggers = LiteralSet::new(&lits);
        let mut by_priority: Vec<usize> = (0..rules.rules.len()).collect();
        by_priority.sort_by_key(|&i| (std::cmp::Reverse(rules.rules[i].priority), i));
        let mut order = vec![0u32; rules.rules.len()];
        for (pos, &i) in by_priority.iter().enumerate() {
            order[i] = pos as u32;
        }
        let match_lossy = lits.iter().any(|l| l.contains('\u{FFFD}'));
        Matcher { triggers, pats, order, match_lossy }
    }
}


/// Per-line GitHub Actions structure.
#[derive(Default)]
struct Steps {
    list: Vec<Step>,
    gha: bool,
    /// First step (not a post/cleanup step) with any `##[error]` line: the
    /// failing step when no `Process completed with exit code` says so
    /// (JavaScript and Docker actions fail with an annotation only).
    first_error_step: Option<usize>,
    /// First step whose exit code says it failed; kept here because every
    /// candidate asks and step flags change only on exit-code lines.
    first_failed: Option<usize>,
}

impl Steps {
    fn current(&self) -> usize {
        self.list.len().saturating_sub(1)
    }

    /// `text` is the cleaned line, not yet checked to be UTF-8.
    fn observe(&mut self, no: u32, text: &[u8], had_ts: bool) {
        if no == 1 && had_ts {
            self.gha = true;
        }
        let name = |b: &[u8]| String::from_utf8_lossy(b).trim_end().to_string();
        let start_name = if let Some(rest) = text.strip_prefix(b"##[group]") {
            rest.starts_with(b"Run ").then(|| name(rest))
        } else if self.gha && (text.starts_with(b"Post job cleanup.") || text.starts_with(b"Cleaning up orphan processes")) {
            Some(name(text))
        } else {
            None
        };
        if let Some(name) = start_name {
            self.gha = true;
            if self.list.is_empty() && no > 1 {
                self.list.push(Step { name: "Set up job".into(), start: 1, end: no - 1, failed: false, exit_code: None });
            }
            if let Some(last) = self.list.last_mut() {
                last.end = no - 1;
            }
            self.list.push(Step { name, start: no, end: no, failed: false, exit_code: None });
            return;
        }
        if text.starts_with(b"##[error]") && self.first_error_step.is_none() {
            let cur = self.current();
            let post = self.list.get(cur).is_some_and(|s| s.name.starts_with("Post ") || s.name.starts_with("Cleaning up"));
            if !post {
                self.first_error_step = Some(cur);
            }
        }
        if let Some(rest) = text.strip_prefix(b"##[error]Process completed with exit code ") {
            let code = std::str::from_utf8(rest).ok().and_then(|r| r.trim_end_matches(['.', ' ']).parse::<i32>().ok());
            if self.list.is_empty() {
                self.list.push(Step { name: "Set up job".into(), start: 1, end: no, failed: false, exit_code: None });
            }
            let s = self.list.last_mut().expect("non-empty");
            s.exit_code = code;
            s.failed = code != Some(0);
            self.first_failed = self.list.iter().position(|s| s.failed);
        }
    }
}

/// Analyse one log. Never fails: unreadable input ends the analysis early
/// (an I/O error is treated as end of input) and yields a best-effort result.
pub fn analyze<R: Read>(reader: R, rules: &RuleSet) -> Analysis {
    let parsers = runners::all_parsers();
    let m = rules.matcher.get_or_init(|| std::sync::Arc::new(Matcher::new(rules, &parsers))).clone();
    let mut scan = Scan::new(rules, &m, parsers);
    let mut rd = BufReader::with_capacity(BLOCK, reader);
    let mut raw: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let buf = match rd.fill_buf() {
            Ok([]) => break,
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        if let Some(last) = memchr::memrchr(b'\n', buf) {
            let n = last + 1;
            scan.block(&buf[..n]);
            rd.consume(n);
            continue;
        }
        // No complete line in the buffer: the tail of a block, a final line
        // without `\n`, or a line longer than the buffer.
        raw.clear();
        match read_line_capped(&mut rd, &mut raw) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                scan.bytes += n as u64;
                let unbroken = raw.last() != Some(&b'\n') && n >= MAX_UNBROKEN;
                if raw.last() == Some(&b'\n') {
                    raw.pop();
                }
                scan.line(&raw, &[]);
                scan.text.clear();
                clean_line(&raw, &mut scan.text);
                scan.remember(scan.no);
                // No log has hundreds of MiB without a newline (`/dev/zero`,
                // a binary piped in by mistake): stop with what was read.
                if unbroken {
                    break;
                }
            }
        }
    }
    scan.finish()
}

/// Bytes read at once: lines are cut out of the buffer in place.
const BLOCK: usize = 256 * 1024;

/// A pruned candidate can never reach the output: see `Scan::candidate`.
const BUCKET_KEEP: u32 = 20;

/// The state of one pass over a log.
struct Scan<'r> {
    rules: &'r RuleSet,
    m: &'r Matcher,
    parsers: Vec<Box<dyn RunnerParser>>,
    text: String,
    ring: VecDeque<ExcerptLine>,
    pending: VecDeque<Candidate>,
    done: Vec<Candidate>,
    steps: Steps,
    rule_hit: Vec<bool>,
    rule_hits: Vec<usize>,
    runner_hit: Vec<bool>,
    /// Per parser: it asked for every line after its last feed.
    wants: Vec<bool>,
    /// How many parsers want every line.
    wanting: usize,
    /// Candidates kept per (step, effective priority).
    buckets: std::collections::HashMap<(usize, i32), u32>,
    no: u32,
    bytes: u64,
    lines: u64,
}

impl<'r> Scan<'r> {
    fn new(rules: &'r RuleSet, m: &'r Matcher, parsers: Vec<Box<dyn RunnerParser>>) -> Self {
        let n_parsers = parsers.len();
        let wants: Vec<bool> = parsers.iter().map(|p| p.wants_every_line()).collect();
        let wanting = wants.iter().filter(|&&w| w).count();
        Scan {
            rules,
            m,
            parsers,
            text: String::with_capacity(1024),
            ring: VecDeque::with_capacity(CONTEXT_BEFORE + 1),
            pending: VecDeque::new(),
            done: Vec::new(),
            steps: Steps::default(),
            rule_hit: vec![false; rules.rules.len()],
            rule_hits: Vec::new(),
            runner_hit: vec![false; n_parsers],
            wants,
            wanting,
            buckets: Default::default(),
            no: 0,
            bytes: 0,
            lines: 0,
        }
    }

    /// Complete lines (`block` ends with `\n`).
    ///
    /// Every line takes the full path. Skipping lines without a trigger
    /// (one trigger search over the whole block, then only the lines it
    /// hits) was measured and lost: in failed logs a third of the lines hold
    /// a trigger, carry colour codes or are wanted by a parser, and a search
    /// over the block costs what the per-line pass costs (docs/quality.md).
    fn block(&mut self, block: &[u8]) {
        self.bytes += block.len() as u64;
        let mut pos = 0;
        while pos < block.len() {
            let end = pos + memchr::memchr(b'\n', &block[pos..]).expect("a block ends with a newline");
            self.line(&block[pos..end.min(pos + MAX_LINE)], &block[..pos]);
            pos = end + 1;
        }
        // The block is about to be consumed: keep its last lines as context
        // for a candidate at the start of the next one.
        let tail = last_lines(block);
        for (k, line) in tail.iter().enumerate() {
            clean_line(line, &mut self.text);
            self.remember(self.no + 1 + k as u32 - tail.len() as u32);
        }
    }

    /// Push the line in `self.text` into the context ring.
    fn remember(&mut self, no: u32) {
        if CONTEXT_BEFORE == 0 {
            return;
        }
        if self.ring.len() == CONTEXT_BEFORE {
            if let Some(mut old) = self.ring.pop_front() {
                old.no = no;
                old.text.clear();
                old.text.push_str(clip_str(&self.text));
                self.ring.push_back(old);
            }
        } else {
            self.ring.push_back(ExcerptLine { no, text: clip(&self.text) });
        }
    }

    /// The full path for one line (without its `\n`). `before` is the block
    /// up to this line (its last lines are the context of a candidate here);
    /// lines before the block are in `self.ring`.
    fn line(&mut self, raw: &[u8], before: &[u8]) {
        let rules = self.rules;
        let m = self.m;
        self.lines += 1;
        self.no = self.no.saturating_add(1);
        let no = self.no;
        let mut scratch = std::mem::take(&mut self.text);
        // Most lines need no cleaning but the timestamp cut, and no text:
        // they hold no trigger and nobody waits for them. Those are matched
        // as bytes and never checked for UTF-8. (Triggers are UTF-8 without
        // U+FFFD, so a line holds one exactly when its lossy text does.)
        let plain = plain_line(raw).filter(|_| !m.match_lossy || std::str::from_utf8(raw).is_ok());
        let cleaned = plain.is_none();
        let (bytes, ts) = match plain {
            Some(p) => p,
            None => {
                let ts = clean_line(raw, &mut scratch);
                (scratch.as_bytes(), ts)
            }
        };
        self.steps.observe(no, bytes, ts > 0);

        // One pass collects every trigger occurrence.
        let mut any_runner_hit = false;
        let (rule_hit, rule_hits, runner_hit) = (&mut self.rule_hit, &mut self.rule_hits, &mut self.runner_hit);
        m.triggers.for_each_match(bytes, |lit| {
            for who in &m.pats[lit] {
                match *who {
                    Pat::Rule(i) => {
                        if !rule_hit[i] {
                            rule_hit[i] = true;
                            rule_hits.push(i);
                        }
                    }
                    Pat::Runner(p) => {
                        runner_hit[p] = true;
                        any_runner_hit = true;
                    }
                }
            }
        });
        if !any_runner_hit && self.wanting == 0 && self.pending.is_empty() && self.rule_hits.is_empty() {
            self.text = scratch;
            return;
        }
        let text: &str = if cleaned {
            &scratch
        } else {
            match std::str::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    clean_line(raw, &mut scratch);
                    &scratch
                }
            }
        };

        // Parsers are asked whether they want every line only after they
        // were fed (only a fed line can change that): most lines skip them.
        let mut fed = false;
        if any_runner_hit || self.wanting > 0 {
            self.wanting = 0;
            for (p, parser) in self.parsers.iter_mut().enumerate() {
                if self.runner_hit[p] || self.wants[p] {
                    parser.feed(Line { no, text });
                    fed = true;
                    self.wants[p] = parser.wants_every_line();
                }
                self.wanting += self.wants[p] as usize;
                self.runner_hit[p] = false;
            }
        }

        // Context after earlier candidates.
        if !self.pending.is_empty() {
            for c in self.pending.iter_mut() {
                c.context.push('\n');
                c.context.push_str(clip_str(&text));
                c.after_missing -= 1;
            }
            while self.pending.front().is_some_and(|c| c.after_missing == 0) {
                self.done.push(self.pending.pop_front().expect("front exists"));
            }
        }

        if !self.rule_hits.is_empty() {
            // The highest-priority matching rule wins the line; file order
            // breaks ties. Trying rules in that order means the first match
            // is the winner and no other regex runs.
            let order = &m.order;
            self.rule_hits.sort_unstable_by_key(|&i| order[i]);
            let mut best = None;
            for &i in &self.rule_hits {
                self.rule_hit[i] = false;
                if best.is_some() {
                    continue;
                }
                let r = &rules.rules[i];
                // `is_match` runs the lazy DFA; captures need the slower
                // engines, so only the winning line pays for them.
                if r.pattern().is_match(&text) && !r.unless().is_some_and(|u| u.is_match(&text)) {
                    best = Some(i);
                }
            }
            self.rule_hits.clear();
            if let Some(i) = best {
                self.candidate(i, no, &text, before, fed);
            }
        }

        self.text = scratch;
    }

    fn candidate(&mut self, i: usize, no: u32, text: &str, before: &[u8], fed: bool) {
        let r = &self.rules.rules[i];
        let mut priority = r.priority;
        if priority < LOGGER_EXEMPT_PRIORITY && looks_like_app_logger(text) {
            priority -= LOGGER_PENALTY;
        }
        // Ranking orders by (score, line). A candidate's score is its
        // priority plus a bonus for its step, plus one when a runner reports
        // a failing test on its line (rank::RUNNER_CONFIRMED). A runner can
        // only report a line it was fed, so the candidates of one (step,
        // priority) bucket on lines no runner saw all get the same score and
        // the first BUCKET_KEEP of them (distinct lines) rank above all the
        // later ones: those could only be key line 21 or worse. Skipping
        // them keeps error-dense logs (every Maven `[ERROR]` line) cheap.
        let step = self.steps.current();
        // Once a step has failed, it is the failing step for good, and every
        // later step gets the same "after the failing step" score: one bucket.
        let bucket_step = match self.steps.first_failed {
            Some(f) if f < step => usize::MAX,
            _ => step,
        };
        let kept = self.buckets.entry((bucket_step, priority)).or_insert(0);
        if !fed {
            if *kept >= BUCKET_KEEP {
                return;
            }
            *kept += 1;
        }
        let caps = if r.pattern().captures_len() > 1 { r.pattern().captures(text) } else { None };
        let message = caps.as_ref().and_then(|c| c.name("msg")).map_or(text.trim(), |m| m.as_str().trim());
        let message = clip_str(message).to_string();
        let group = group_key(&r.name, &r.group, caps.as_ref(), &message);
        // Up to CONTEXT_BEFORE earlier lines: from the block, then the ring.
        let from_block = last_lines(before);
        let first_in_block = no - from_block.len() as u32;
        let need = CONTEXT_BEFORE - from_block.len();
        let earlier: Vec<&ExcerptLine> = self.ring.iter().filter(|l| l.no < first_in_block).collect();
        let earlier = &earlier[earlier.len().saturating_sub(need)..];
        let context_first = earlier.first().map_or(first_in_block, |l| l.no);
        let mut context = String::with_capacity(512);
        for l in earlier {
            context.push_str(&l.text);
            context.push('\n');
        }
        let mut cleaned = String::new();
        for line in &from_block {
            clean_line(line, &mut cleaned);
            context.push_str(clip_str(&cleaned));
            context.push('\n');
        }
        context.push_str(clip_str(text));
        self.pending.push_back(Candidate {
            line: no,
            rule: Some(i),
            priority,
            step,
            message,
            group,
            context,
            context_first,
            after_missing: CONTEXT_AFTER,
        });
        if self.done.len() + self.pending.len() > MAX_CANDIDATES {
            rank::compact(&mut self.done, step, MAX_CANDIDATES / 2);
        }
    }

    fn finish(mut self) -> Analysis {
        self.done.extend(self.pending.drain(..));
        if let Some(last) = self.steps.list.last_mut() {
            last.end = self.no;
        }
        let mut report = RunnerReport::default();
        for p in self.parsers.iter_mut() {
            p.finish(&mut report);
        }
        build(self.done, report, self.steps, self.rules, self.lines, self.bytes)
    }
}

/// The last CONTEXT_BEFORE (or fewer) complete lines of `s` (which is empty
/// or ends with `\n`), oldest first, without their `\n`, cut at MAX_LINE.
fn last_lines(s: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::with_capacity(CONTEXT_BEFORE);
    let mut rest = s;
    while lines.len() < CONTEXT_BEFORE {
        let Some((_, body)) = rest.split_last() else { break };
        let start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        let line = &body[start..];
        lines.push(&line[..line.len().min(MAX_LINE)]);
        rest = &rest[..start];
    }
    lines.reverse();
    lines
}

/// Application log lines (a program's own logger, interleaved with test
/// output) mention errors all the time; the runner's verdict matters more.
const LOGGER_PENALTY: i32 = 25;
/// Resource deaths (OOM kill, runner loss) count even in a logger line.
const LOGGER_EXEMPT_PRIORITY: i32 = 90;

static LOGGER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"^(?:",
        r"\[\d+:\d+/\d+\.\d+:[A-Z]+:",                        // chromium [pid:tid/time:LEVEL:
        r"|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}",            // syslog-ish `Apr 12 14:46:55`
        r"|[EWIF]\d{4} \d{2}:\d{2}:\d{2}\.\d+",                // glog
        r"|\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}[.,]?\d*\S*\s+(?:\[[^\]]*\]\s*)*(?:-\s*)?(?:ERROR|WARN|WARNING|INFO|DEBUG|CRITICAL|FATAL)", // python/java loggers
        r"|\[main\] (?:INFO|WARN|ERROR|DEBUG)",               // slf4j simple
        r"|(?:ERROR|WARN|INFO|DEBUG) [\w.-]+: \S+\.go:\d+",     // Go `LEVEL component: file.go:N`
        r")",
    ))
    .expect("static regex")
});

fn looks_like_app_logger(text: &str) -> bool {
    LOGGER.is_match(text)
}

/// Bytes without a newline after which reading stops: see [`analyze`].
const MAX_UNBROKEN: usize = 256 << 20;

/// `read_until` with a cap: bytes past `MAX_LINE` are consumed and counted
/// but not kept, so one 10 MB line costs 64 KiB of memory; it returns after
/// [`MAX_UNBROKEN`] bytes even without a newline.
fn read_line_capped<R: BufRead>(rd: &mut R, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let (done, used) = {
            let buf = match rd.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(total);
            }
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    let room = MAX_LINE.saturating_sub(out.len());
                    out.extend_from_slice(&buf[..(i + 1).min(room)]);
                    (true, i + 1)
                }
                None => {
                    let room = MAX_LINE.saturating_sub(out.len());
                    out.extend_from_slice(&buf[..buf.len().min(room)]);
                    (false, buf.len())
                }
            }
        };
        rd.consume(used);
        total += used;
        if done || total >= MAX_UNBROKEN {
            return Ok(total);
        }
    }
}

fn clip_str(s: &str) -> &str {
    if s.len() <= EXCERPT_CHARS {
        return s;
    }
    let mut end = EXCERPT_CHARS;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn clip(s: &str) -> String {
    clip_str(s).to_string()
}

/// The raw group key; [`normalise`] runs later, only on the few lines that
/// become failures (it is far too slow for every candidate).
fn group_key(rule: &str, group: &[String], caps: Option<&regex::Captures>, message: &str) -> String {
    let mut key = rule.to_string();
    if group.is_empty() {
        key.push(':');
        key.push_str(message);
    } else {
        for g in group {
            key.push(':');
            key.push_str(caps.and_then(|c| c.name(g)).map_or("", |m| m.as_str()));
        }
    }
    key
}

fn build(cands: Vec<Candidate>, report: RunnerReport, steps: Steps, rules: &RuleSet, lines: u64, bytes: u64) -> Analysis {
    let failing_step = steps.first_failed.or(if steps.list.is_empty() { None } else { steps.first_error_step });
    let step_name = |i: usize| -> Option<String> {
        if steps.list.is_empty() {
            None
        } else {
            steps.list.get(i).map(|s| s.name.clone())
        }
    };
    let step_of_line = |line: u32| -> usize {
        steps.list.iter().position(|s| s.start <= line && line <= s.end).unwrap_or(0)
    };

    let ranked = rank::rank(cands, &report, &steps.list, failing_step, rules, step_of_line);

    let key_lines: Vec<u32> = ranked.iter().map(|c| c.line).take(20).collect();
    let excerpts: Vec<Excerpt> = ranked
        .iter()
        .take(5)
        .map(|c| Excerpt {
            line: c.line,
            rule: rule_name(rules, c),
            step: step_name(c.step),
            context: c.excerpt_lines(),
        })
        .collect();

    let mut failures: Vec<Failure> = Vec::new();
    for t in &report.failures {
        let rule = format!("runner:{}", t.framework);
        failures.push(Failure {
            test: Some(TestRef { id: t.id.clone(), file: t.file.clone(), name: t.name.clone() }),
            message: t.message.clone(),
            line: t.line,
            category: Category::TestFailure,
            fingerprint: fingerprint(&t.message, &rule, Some(&t.id)),
            group_key: t.id.clone(),
            rule,
            step: step_name(step_of_line(t.line)),
        });
    }
    // Non-test failures: the strong rule matches among the top-ranked lines,
    // one per group key.
    let mut seen = std::collections::HashSet::new();
    for c in ranked.iter().take(20) {
        let Some(i) = c.rule else { continue };
        let r = &rules.rules[i];
        if r.priority < rank::FAILURE_MIN_PRIORITY || r.category == Category::TestFailure && !report.failures.is_empty() {
            continue;
        }
        if failing_step.is_some() && Some(c.step) != failing_step {
            continue;
        }
        let group = normalise(&c.group);
        if !seen.insert(group.clone()) || failures.len() >= 50 {
            continue;
        }
        failures.push(Failure {
            test: None,
            message: c.message.clone(),
            line: c.line,
            category: r.category,
            fingerprint: fingerprint(&c.message, &r.name, None),
            rule: r.name.clone(),
            group_key: group,
            step: step_name(c.step),
        });
    }

    let verdict = rank::verdict(&ranked, &report, rules, failing_step.and_then(|i| steps.list.get(i)).map(|s| s.name.as_str()));
    Analysis {
        schema: SCHEMA.into(),
        verdict,
        key_lines,
        failures,
        counts: report.counts,
        failing_step: failing_step.and_then(step_name),
        steps: steps.list,
        excerpts,
        total_lines: lines,
        total_bytes: bytes,
    }
}

fn rule_name(rules: &RuleSet, c: &Candidate) -> String {
    match c.rule {
        Some(i) => rules.rules[i].name.clone(),
        None => "runner".into(),
    }
}
