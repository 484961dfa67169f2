//! The streaming pass: one line at a time through a bounded buffer, one
//! trigger search per line (`literals.rs`), regexes only on candidate lines, a small
//! ring buffer for context. Memory stays bounded whatever the log size.

use crate::analysis::{Analysis, Category, Excerpt, ExcerptLine, Failure, TestRef, SCHEMA};
use crate::baseline::Baseline;
use crate::candidate::Candidate;
use crate::clean::{clean_line, clean_line_red, clean_line_red_if, plain_line_if, read_line_capped, MAX_LINE, MAX_UNBROKEN};
use crate::fingerprint::{fingerprint, normalise};
use crate::rank;
use crate::rules::{RuleCaptures, RuleSet};
use crate::steps::Steps;
use crate::runners::{self, Line, RunnerParser, RunnerReport};
use crate::signals::norm::line_hash;
use crate::signals::shape::{classify, is_command_echo, is_trace_line, looks_like_app_logger, starts_like_log_record};
use crate::signals::words::{standalone, Word};
use crate::signals::{self, flag, scorer, Failing, FastHash, Sig, Tracker, N_FEATURES, TAIL};
use crate::triggers::{Gate, Pat, Triggers};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};

/// Context kept around each key line.
pub const CONTEXT_BEFORE: usize = 3;
pub const CONTEXT_AFTER: usize = 3;
/// Text kept per context line.
const EXCERPT_CHARS: usize = 400;
/// Bound on candidate lines held at once (see `compact`).
const MAX_CANDIDATES: usize = 4096;

/// Analyse one log. Never fails: unreadable input ends the analysis early
/// (an I/O error is treated as end of input) and yields a best-effort result.
pub fn analyze<R: Read>(reader: R, rules: &RuleSet) -> Analysis {
    analyze_against(reader, rules, None)
}

/// [`analyze`], with the lines a passing run of the same job printed
/// ranked below the ones it did not (`Baseline`: build it once per job
/// name from the newest successful run's log, then reuse it).
///
/// ```
/// let pass = "$ make test\nconnecting to db\nok 12 tests\n";
/// let fail = "$ make test\nconnecting to db\nerror: schema mismatch in users\nconnecting to db failed\nmake: *** [test] Error 1\n";
/// let baseline = ci_triage::Baseline::from_reader(pass.as_bytes());
/// let a = ci_triage::analyze_against(fail.as_bytes(), &ci_triage::RuleSet::generic(), Some(&baseline));
/// assert_eq!(a.key_lines[0], 3);
/// ```
pub fn analyze_against<R: Read>(reader: R, rules: &RuleSet, baseline: Option<&Baseline>) -> Analysis {
    run(reader, rules, baseline, None, None)
}

/// Literals whose lines [`analyze_watching`] hands to its watcher: GitHub's
/// command that declares a value secret (`::add-mask::`, the legacy
/// `##[add-mask]`) in the spellings runners accept. The one trigger search
/// finds them at no cost, where the redactor's learner read every byte of
/// the log again for them (3 % of a run).
pub const WATCHED: [&str; 2] = ["add-mask", "ADD-MASK"];

/// [`analyze_against`], handing `watch` the raw bytes (without the `\n`,
/// capped at [`MAX_LINE`](crate::MAX_LINE)) of every line that may hold one
/// of [`WATCHED`]: each line that does, and some that do not (a line with
/// a `\r` is handed over whatever its text, since a redraw can hide the
/// command from the cleaned text). The watcher looks for itself.
pub fn analyze_watching<R: Read>(reader: R, rules: &RuleSet, baseline: Option<&Baseline>, watch: &mut dyn FnMut(&[u8])) -> Analysis {
    run(reader, rules, baseline, None, Some(watch))
}

/// Sees each generic candidate's line and feature vector (`generic_features`).
type FeatureSink<'a> = &'a mut dyn FnMut(u32, &[f32; N_FEATURES]);
/// See [`analyze_watching`].
type LineWatch<'a> = &'a mut (dyn FnMut(&[u8]) + 'a);

fn run<'a, R: Read>(reader: R, rules: &'a RuleSet, baseline: Option<&'a Baseline>, features: Option<FeatureSink<'_>>, watch: Option<LineWatch<'a>>) -> Analysis {
    let parsers = if rules.runners { runners::all_parsers() } else { Vec::new() };
    // The trigger search is cached per rule set, for the built-in parsers'
    // triggers (a generic set has none).
    let parser_triggers: Vec<&[&str]> = parsers.iter().map(|p| p.triggers()).collect();
    let m = rules.triggers(&parser_triggers);
    let mut scan = Scan::new(rules, m, parsers);
    scan.baseline = baseline;
    scan.watch = watch;
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
                scan.line(&raw, &[], true, true);
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
    match features {
        Some(f) => scan.finish_with_features(f),
        None => scan.finish(),
    }
}

/// The search for the next line end, called once per line: `memchr`
/// goes through its CPU-feature dispatch at every call (~110 instructions
/// per call on ~100-byte lines), where a searcher built once per block
/// calls its AVX2 routine directly.
struct Newline {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl Newline {
    fn new() -> Newline {
        Newline {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }

    #[inline(always)]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = &self.avx2 {
            return one.find(hay);
        }
        memchr::memchr(b'\n', hay)
    }
}

/// Bytes read at once: lines are cut out of the buffer in place.
const BLOCK: usize = 256 * 1024;

/// A pruned candidate can never reach the output: see `Scan::candidate`.
const BUCKET_KEEP: u32 = 20;
/// Distinct generic candidates kept per (step, command, vocabulary class):
/// the earliest, since the first error is usually the cause.
const GENERIC_KEEP: u32 = 24;
/// Classes of generic lines: three vocabulary bits, red, log record, indented.
const GENERIC_CLASSES: usize = 1 << 6;
/// Lines kept for context and for the tail before a failing exit across
/// a read-buffer edge.
const RING: usize = TAIL as usize;

/// The state of one pass over a log.
struct Scan<'r> {
    rules: &'r RuleSet,
    /// See [`analyze_watching`].
    watch: Option<LineWatch<'r>>,
    m: &'r Triggers,
    parsers: Vec<Box<dyn RunnerParser>>,
    text: String,
    ring: VecDeque<ExcerptLine>,
    pending: VecDeque<Candidate>,
    done: Vec<Candidate>,
    steps: Steps,
    rule_hit: Vec<bool>,
    rule_hits: Vec<usize>,
    /// Per rule: which trigger hits count (`Gate`).
    gates: Vec<Gate<'r>>,
    /// Per parser: which of its triggers the line holds (`Line::hits`).
    runner_hit: Vec<u64>,
    /// Bit p: parser p asked for every line after its last feed.
    wants: u64,
    /// Candidates kept per (step, effective priority).
    buckets: std::collections::HashMap<(usize, i32), u32>,
    /// Generic candidates kept per class (`generic`'s six bits) in the
    /// current (step, command segment). Both only grow, so a bucket of an
    /// earlier pair is never asked again: only the current pair's counters
    /// are kept. (A map keyed by all three grew with every command echo,
    /// which is what made the memory of a log that repeats itself grow.)
    generic_at: (usize, u32),
    generic_kept: [u32; GENERIC_CLASSES],
    /// Normalised hashes of the generic candidates (one per distinct line).
    generic_seen: std::collections::HashSet<u64, FastHash>,
    tracker: Tracker,
    baseline: Option<&'r Baseline>,
    /// The header line (`error: …`, `error[E0308]: …`, `warning: …` at
    /// column 0) of the rustc/clippy/rustdoc diagnostic whose body
    /// (` --> `, `|` gutters, `= note:`, `note:`/`help:`) the current line
    /// continues, if any (`rustc_diag_next`).
    rustc_diag: Option<u32>,
    no: u32,
    bytes: u64,
    lines: u64,
}

impl<'r> Scan<'r> {
    fn new(rules: &'r RuleSet, m: &'r Triggers, parsers: Vec<Box<dyn RunnerParser>>) -> Self {
        let n_parsers = parsers.len();
        assert!(n_parsers <= 64, "parsers are tracked in 64-bit masks");
        let wants = parsers.iter().enumerate().fold(0u64, |m, (p, parser)| m | (parser.wants_every_line() as u64) << p);
        Scan {
            rules,
            watch: None,
            m,
            parsers,
            text: String::with_capacity(1024),
            ring: VecDeque::with_capacity(RING + 1),
            pending: VecDeque::new(),
            done: Vec::new(),
            steps: Steps::default(),
            rule_hit: vec![false; rules.rules.len()],
            rule_hits: Vec::new(),
            gates: vec![Gate::Counting(0); rules.rules.len()],
            runner_hit: vec![0; n_parsers],
            wants,
            buckets: Default::default(),
            generic_at: (0, 0),
            generic_kept: [0; GENERIC_CLASSES],
            generic_seen: Default::default(),
            tracker: Tracker::default(),
            rustc_diag: None,
            baseline: None,
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
        // The next ESC and the next `\r` at or after `pos` (`block.len()`:
        // none): most lines have neither, and are then known to need no
        // cleaning; most coloured lines have no `\r`, which is rarer.
        let find = |byte: u8, from: usize| memchr::memchr(byte, &block[from..]).map_or(block.len(), |p| from + p);
        let mut next_esc = find(0x1b, 0);
        let mut next_cr = find(b'\r', 0);
        let newline = Newline::new();
        while pos < block.len() {
            let end = pos + newline.find(&block[pos..]).expect("a block ends with a newline");
            if next_esc < pos {
                next_esc = find(0x1b, pos);
            }
            if next_cr < pos {
                next_cr = find(b'\r', pos);
            }
            self.line(&block[pos..end.min(pos + MAX_LINE)], &block[..pos], next_esc < end || next_cr < end, next_cr < end);
            pos = end + 1;
        }
        // The block is about to be consumed: keep its last lines as context
        // for a candidate at the start of the next one.
        let tail = last_lines(block, RING);
        for (k, line) in tail.iter().enumerate() {
            clean_line(line, &mut self.text);
            self.remember(self.no + 1 + k as u32 - tail.len() as u32);
        }
    }

    /// Push the line in `self.text` into the context ring.
    fn remember(&mut self, no: u32) {
        if self.ring.len() == RING {
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
    /// lines before the block are in `self.ring`. `may_hold_cr_or_esc`:
    /// false when the line is known to hold neither; `may_hold_cr`: false
    /// when it is known to hold no `\r`.
    fn line(&mut self, raw: &[u8], before: &[u8], may_hold_cr_or_esc: bool, may_hold_cr: bool) {
        let rules = self.rules;
        let m = self.m;
        self.lines += 1;
        self.no = self.no.saturating_add(1);
        let no = self.no;
        let line = raw;
        let raw = self.steps.content(no, raw);
        let mut scratch = std::mem::take(&mut self.text);
        // Most lines need no cleaning but the timestamp cut, and no text:
        // they hold no trigger and nobody waits for them. Those are matched
        // as bytes and never checked for UTF-8. (Triggers are UTF-8 without
        // U+FFFD, so a line holds one exactly when its lossy text does.)
        let plain = plain_line_if(raw, may_hold_cr_or_esc).filter(|_| !m.match_lossy || std::str::from_utf8(raw).is_ok());
        let cleaned = plain.is_none();
        let (bytes, ts, red) = match plain {
            Some((b, ts)) => (b, ts, false),
            None => {
                let (ts, red) = clean_line_red_if(raw, &mut scratch, may_hold_cr);
                (scratch.as_bytes(), ts, red)
            }
        };
        self.steps.observe(no, raw, bytes, ts > 0);
        self.rustc_diag = rustc_diag_next(self.rustc_diag, no, bytes);
        if is_command_echo(bytes) {
            self.tracker.echo(no, bytes[0] == b'+');
        }

        // One pass collects every trigger occurrence.
        // Bit p: parser p's triggers are on the line.
        let mut hit_parsers = 0u64;
        let mut words = 0u8;
        let mut watched = false;
        let (rule_hit, rule_hits, runner_hit, gates) = (&mut self.rule_hit, &mut self.rule_hits, &mut self.runner_hit, &mut self.gates);
        m.literals.for_each_match(bytes, |lit, start| {
            for who in &m.pats[lit] {
                match *who {
                    Pat::Rule(i) => {
                        if !rule_hit[i] && gates[i].admits(lit, bytes, start, m, i, || rules.rules[i].leading()) {
                            rule_hit[i] = true;
                            rule_hits.push(i);
                        }
                    }
                    Pat::Runner(p, k) => {
                        runner_hit[p] |= 1 << k;
                        hit_parsers |= 1 << p;
                    }
                    Pat::Word(bit) => {
                        if standalone(bytes, start, start + m.texts[lit].len()) {
                            words |= bit;
                        }
                    }
                    Pat::Watch => watched = true,
                }
            }
        });
        // The cleaned text holds a command the raw line holds, but where a
        // `\r` redraw dropped what came before it (and on the first line,
        // which may start with a byte-order mark): those lines go to the
        // watcher whatever their text. Removing an escape never splits the
        // command: one inside it is no command to begin with.
        if watched || cleaned && (no == 1 || may_hold_cr && memchr::memchr(b'\r', line).is_some()) {
            if let Some(watch) = self.watch.as_mut() {
                watch(line);
            }
        }
        if hit_parsers == 0 && self.wants == 0 && self.pending.is_empty() && self.rule_hits.is_empty() && words == 0 && !red {
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

        let mut ruled = false;
        // Parsers are asked whether they want every line only after they
        // were fed (only a fed line can change that): most lines skip them.
        let mut fed = false;
        // Only the parsers hit or waiting, in order (a loop over all of
        // them cost ~60 M instructions on 200 MB of logs).
        let mut todo = hit_parsers | self.wants;
        while todo != 0 {
            let p = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            let parser = &mut self.parsers[p];
            parser.feed(Line { no, text, hits: self.runner_hit[p] });
            fed = true;
            if parser.wants_every_line() {
                self.wants |= 1 << p;
            } else {
                self.wants &= !(1 << p);
            }
            self.runner_hit[p] = 0;
        }

        // Context after earlier candidates.
        if !self.pending.is_empty() {
            for c in self.pending.iter_mut().filter(|c| c.after_missing > 0) {
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
                if r.matches(&text) {
                    best = Some(i);
                }
            }
            self.rule_hits.clear();
            if let Some(i) = best {
                self.candidate(i, no, &text, before, fed);
                ruled = true;
            }
        }
        if words != 0 || red {
            self.generic(no, &text, words, red, ruled, before);
        }

        self.text = scratch;
    }

    /// The generic signals of a line the vocabulary or the colour flagged:
    /// counted for rarity, an exit noted (and the lines before it kept as
    /// the failing command's tail), and a candidate made of it unless a rule
    /// already did or enough earlier lines of its kind were kept.
    fn generic(&mut self, no: u32, text: &str, words: u8, red: bool, ruled: bool, before: &[u8]) {
        let mut flags = None;
        if words & Word::Exit.bit() != 0 {
            let f = classify(text, words, red);
            flags = Some(f);
            if f & flag::EXIT != 0 && self.tracker.exit(no) {
                self.tail(no, text, before);
            }
        }
        if ruled {
            let (rules, baseline) = (self.rules, self.baseline.is_some());
            if let Some(c) = self.pending.back_mut().filter(|c| c.line == no) {
                // A rule that says only *that* something failed is ranked
                // by the generic signals, like a generic line (`rank`); a
                // specific rule's line needs its hash only for a baseline.
                let weak = c.ranked_by_signals(rules);
                if weak || baseline {
                    let hash = line_hash(text.as_bytes());
                    let flags = match flags {
                        Some(f) => f,
                        None if weak => classify(text, words, red),
                        None => 0,
                    };
                    c.sig = Some(Sig { flags, hash, tail: 0, score: 0.0 });
                    if weak {
                        self.tracker.count(hash);
                    }
                }
            }
            return;
        }
        let hash = line_hash(text.as_bytes());
        self.tracker.count(hash);
        if self.steps.in_header || is_command_echo(text.as_bytes()) {
            // The step's script as GitHub echoes it, or a shell's echo of the
            // command it runs next (GitLab's `$ timeout 9 cargo fetch`):
            // what was run, not what it printed.
            flags = Some(flags.unwrap_or_else(|| classify(text, words, red)) | flag::ECHO);
        }
        // The earliest lines of each kind are kept: a chatty logger or a long
        // trace fills its own bucket, not the one of the runner's lines.
        let record = starts_like_log_record(text.as_bytes());
        let indented = text.starts_with([' ', '\t']);
        let class = words | (red as u8) << 3 | (record as u8) << 4 | (indented as u8) << 5;
        let at = (self.steps.current(), self.tracker.segment);
        if at != self.generic_at {
            self.generic_at = at;
            self.generic_kept = [0; GENERIC_CLASSES];
        }
        let kept = &mut self.generic_kept[class as usize];
        if *kept >= GENERIC_KEEP || self.generic_seen.contains(&hash) {
            return;
        }
        *kept += 1;
        self.generic_seen.insert(hash);
        let flags = flags.unwrap_or_else(|| classify(text, words, red));
        let (context, context_first) = self.context_before(no, text, before);
        self.push_generic(no, text, Sig { flags, hash, tail: 0, score: 0.0 }, context, context_first, CONTEXT_AFTER);
    }

    /// A failing exit on line `no`: the lines its command printed last
    /// become candidates (or, when they already are, learn how close to
    /// the exit they are).
    fn tail(&mut self, no: u32, text: &str, before: &[u8]) {
        // The tail stays inside the failing step's or command's output.
        // GitLab prints its verdict (`ERROR: Job failed: exit code 124`)
        // after its own clean-up sections: the failing command's last lines
        // are then those of the step that failed, not the clean-up's.
        let current = self.steps.current();
        // Travis' commands are steps for ranking only: the generic signals
        // read its logs by command echo and exit line, as they were trained.
        let travis = self.steps.is_travis();
        let failed_earlier = self.steps.first_failed.filter(|&f| !travis && f < current && self.steps.is_aftermath(current));
        let tail_step = failed_earlier.unwrap_or(current);
        let (segment_start, end) = match (failed_earlier.map(|f| &self.steps.list[f]), self.steps.list.last().filter(|_| !travis)) {
            (Some(step), _) => (step.start, step.end + 1),
            (None, Some(_)) => (self.steps.output_start.saturating_sub(1), no),
            (None, None) => (0, no),
        };
        let echo = self.tracker.last_echo();
        let segment_start = if echo < end { segment_start.max(echo) } else { segment_start };
        let first = end.saturating_sub(TAIL).max(segment_start + 1);
        for c in self.pending.iter_mut().chain(self.done.iter_mut().rev().take(2 * RING)) {
            if c.line >= first && c.line < end {
                let sig = c.sig.get_or_insert_with(Sig::default);
                if sig.tail == 0 {
                    sig.tail = no - c.line;
                }
            }
        }
        // The ring keeps TAIL lines, whatever the read sizes: a clean-up
        // longer than that leaves the failed step's tail out of reach.
        let back = no.saturating_sub(first).min(TAIL) as usize;
        let mut recent = self.recent(before, back);
        recent.push((no, (text.to_string(), false)));
        for (k, (line_no, raw_or_text)) in recent.iter().enumerate().take(recent.len() - 1) {
            let line_no = *line_no;
            if line_no < first || line_no >= end || self.pending.iter().any(|c| c.line == line_no) || self.done.iter().rev().take(2 * RING).any(|c| c.line == line_no) {
                continue;
            }
            let (line_text, red) = raw_or_text;
            let text = line_text.as_str();
            if text.trim().is_empty() || is_command_echo(text.as_bytes()) {
                continue;
            }
            let hash = line_hash(text.as_bytes());
            if !self.generic_seen.insert(hash) {
                continue;
            }
            let mut words = 0u8;
            let m = self.m;
            m.literals.for_each_match(text.as_bytes(), |lit, start| {
                for who in &m.pats[lit] {
                    if let Pat::Word(bit) = *who {
                        if standalone(text.as_bytes(), start, start + m.texts[lit].len()) {
                            words |= bit;
                        }
                    }
                }
            });
            let flags = classify(text, words, *red);
            // Context: the lines around it that were already read.
            let lo = k.saturating_sub(CONTEXT_BEFORE);
            let hi = (k + CONTEXT_AFTER).min(recent.len() - 1);
            let mut context = String::with_capacity(512);
            for (j, (_, (t, _))) in recent[lo..=hi].iter().enumerate() {
                if j > 0 {
                    context.push('\n');
                }
                context.push_str(clip_str(t));
            }
            let after_missing = CONTEXT_AFTER - (hi - k);
            let sig = Sig { flags, hash, tail: no - line_no, score: 0.0 };
            let mut cand = self.generic_candidate(line_no, text, sig, context, recent[lo].0);
            cand.step = tail_step;
            if after_missing == 0 {
                self.done.push(cand);
            } else {
                let mut cand = cand;
                cand.after_missing = after_missing;
                self.pending.push_back(cand);
            }
        }
    }

    /// The up to `n` lines before the current one, oldest first, cleaned,
    /// with their red bit (lines of an earlier block come from the ring,
    /// without it).
    fn recent(&self, before: &[u8], n: usize) -> Vec<(u32, (String, bool))> {
        let from_block = last_lines(before, n);
        let first_in_block = self.no - from_block.len() as u32;
        let need = n - from_block.len();
        let earlier: Vec<&ExcerptLine> = self.ring.iter().filter(|l| l.no < first_in_block).collect();
        let earlier = &earlier[earlier.len().saturating_sub(need)..];
        let mut out: Vec<(u32, (String, bool))> = earlier.iter().map(|l| (l.no, (l.text.clone(), false))).collect();
        for (k, line) in from_block.iter().enumerate() {
            let mut t = String::new();
            let (_, red) = clean_line_red(line, &mut t);
            out.push((first_in_block + k as u32, (t, red)));
        }
        out
    }

    /// Context before line `no` (up to CONTEXT_BEFORE lines from the block,
    /// then the ring) followed by the line itself, and its first line number.
    fn context_before(&self, no: u32, text: &str, before: &[u8]) -> (String, u32) {
        let from_block = last_lines(before, CONTEXT_BEFORE);
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
        (context, context_first)
    }

    fn generic_candidate(&self, no: u32, text: &str, sig: Sig, context: String, context_first: u32) -> Candidate {
        let message = clip_str(text.trim()).to_string();
        Candidate {
            line: no,
            rule: None,
            generic: true,
            // Provisional, for `rank::compact` only: the scorer decides
            // once the log is read.
            priority: provisional_priority(&sig),
            step: self.steps.current(),
            group: format!("generic:{message}"),
            message,
            context,
            context_first,
            after_missing: 0,
            retried: false,
            sig: Some(sig),
        }
    }

    fn push_generic(&mut self, no: u32, text: &str, sig: Sig, context: String, context_first: u32, after_missing: usize) {
        let mut c = self.generic_candidate(no, text, sig, context, context_first);
        c.after_missing = after_missing;
        self.pending.push_back(c);
        if self.done.len() + self.pending.len() > MAX_CANDIDATES {
            rank::compact(&mut self.done, self.steps.current(), MAX_CANDIDATES / 2);
        }
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
        if self.hoist_to_rustc_header(i, no, priority, text) {
            return;
        }
        let kept = self.buckets.entry((bucket_step, priority)).or_insert(0);
        if !fed {
            if *kept >= BUCKET_KEEP {
                return;
            }
            *kept += 1;
        }
        let caps = if r.captures_used() { r.captures(text) } else { None };
        let message = caps.as_ref().and_then(|c| c.name("msg")).map_or(text.trim(), |m| m.trim());
        let message = clip_str(message).to_string();
        let group = group_key(&r.name, &r.group, caps.as_ref(), &message);
        let (context, context_first) = self.context_before(no, text, before);
        self.pending.push_back(Candidate {
            line: no,
            rule: Some(i),
            generic: false,
            sig: None,
            priority,
            step,
            message,
            group,
            context,
            context_first,
            after_missing: CONTEXT_AFTER,
            retried: false,
        });
        if self.done.len() + self.pending.len() > MAX_CANDIDATES {
            rank::compact(&mut self.done, step, MAX_CANDIDATES / 2);
        }
    }

    /// rustc, clippy and rustdoc name what a diagnostic is about in notes
    /// under its header (`= note: `-D clippy::len-zero` implied by `-D
    /// warnings``, `note: the lint level is defined here` over
    /// `#![deny(missing_docs)]`): a rule that knows such a note says what
    /// the diagnostic is, but the line to read is the header
    /// (`error: length comparison to zero`), which may have only a generic
    /// candidate. The rule's verdict moves to the header's candidate when
    /// that one is weaker, and the note makes none of its own.
    fn hoist_to_rustc_header(&mut self, i: usize, no: u32, priority: i32, text: &str) -> bool {
        let Some(h) = self.rustc_diag.filter(|&h| h < no) else { return false };
        let r = &self.rules.rules[i];
        // Lints only: a linker's or a compiler's note (`= note: rust-lld:
        // error: undefined symbol: …`) holds the cause itself, which the
        // header (`error: linking with `cc` failed`) does not.
        if !matches!(r.category, Category::Lint | Category::Docs) {
            return false;
        }
        let rules = self.rules;
        let Some(c) = self.pending.iter_mut().rev().chain(self.done.iter_mut().rev().take(RING)).find(|c| c.line == h) else {
            return false;
        };
        let weaker = c.ranked_by_signals(rules) || c.rule.is_none_or(|j| rules.rules[j].priority < priority);
        if !weaker || c.step != self.steps.current() {
            return false;
        }
        let caps = r.captures(text);
        let message = c.message.clone();
        c.group = group_key(&r.name, &r.group, caps.as_ref(), &message);
        c.rule = Some(i);
        c.generic = false;
        c.priority = priority;
        true
    }

    fn finish(self) -> Analysis {
        self.finish_with_features(&mut |_, _| {})
    }

    /// End of input: score the generic candidates (`features` sees each
    /// one's line and feature vector), then rank and build the analysis.
    fn finish_with_features(mut self, features: &mut dyn FnMut(u32, &[f32; N_FEATURES])) -> Analysis {
        self.done.extend(self.pending.drain(..));
        self.steps.finish(self.no);
        let mut report = RunnerReport::default();
        for p in self.parsers.iter_mut() {
            p.finish(&mut report);
        }
        // Lines that show work failing (a test, a build tool's unit, a
        // compiler, test or lint rule's match): what a step that failed
        // only with a lookup's `Error:` lacks.
        let rules_ = self.rules;
        let mut work_lines: Vec<u32> = report.failures.iter().map(|t| t.line).collect();
        work_lines.extend(report.tools.iter().map(|t| t.line));
        work_lines.extend(self.done.iter().filter(|c| {
            c.rule.is_some_and(|i| {
                let r = &rules_.rules[i];
                r.priority >= rank::FAILURE_MIN_PRIORITY
                    && matches!(r.category, Category::Compilation | Category::TestFailure | Category::Lint | Category::Docs)
            })
        }).map(|c| c.line));
        let failing_step = self.steps.failing_with_tests(&work_lines);
        let failing = match failing_step.or_else(|| self.steps.last_run()).filter(|_| !self.steps.is_travis()) {
            Some(step) => Failing::Step(step),
            None => match self.tracker.failing_command() {
                Some((echo, exit)) => Failing::Command { echo, exit },
                None => Failing::None,
            },
        };
        // The error-like generic lines of the failing step or command, in
        // log order: the first of them are usually the cause, the later
        // ones its consequences and summaries.
        let rules = self.rules;
        let weak = |c: &Candidate| c.ranked_by_signals(rules);
        let mut errors: Vec<u32> = self
            .done
            .iter()
            .filter(|c| weak(c) && c.sig.is_some_and(|s| signals::error_like(s.flags)) && failing.contains(c.line, c.step))
            .map(|c| c.line)
            .collect();
        errors.sort_unstable();
        errors.dedup();
        for c in self.done.iter_mut() {
            let is_weak = weak(c);
            let Some(sig) = c.sig.as_mut() else { continue };
            if is_weak {
                if let Ok(rank) = errors.binary_search(&c.line) {
                    sig.flags |= signals::rank_flags(rank);
                }
            }
            if self.baseline.is_some_and(|b| b.contains_hash(sig.hash)) {
                sig.flags |= flag::IN_BASELINE;
            }
            if !is_weak {
                continue;
            }
            let next = c.context.split('\n').nth((c.line - c.context_first + 1) as usize);
            let next_is_trace = next.is_some_and(is_trace_line);
            let aftermath = !self.steps.is_travis() && self.steps.is_aftermath(c.step);
            let x = signals::features(c.line, c.step, sig, self.tracker.occurrences(sig.hash), failing, next_is_trace, aftermath, errors.is_empty());
            sig.score = scorer::score(&x);
            features(c.line, &x);
        }
        mark_retried(&mut self.done, failing_step);
        build(self.done, report, self.steps, failing_step, self.rules, self.lines, self.bytes)
    }
}

/// Marks the candidates that were attempts tried again, and then passed
/// (`Candidate::retried`): one of the lines of context after one
/// announces a retry (`shape::announces_retry`), and its step came before
/// the failing one. Read from the context each candidate keeps anyway,
/// not by a search of every line: retry words are common enough in logs
/// that triggers for them cost 1 % of the run on 200 MB. (An attempt
/// repeated until the retries ran out is left alone: what a person reads
/// first there is the first attempt's error as often as the last one's,
/// and the realtools labels say both.)
fn mark_retried(cands: &mut [Candidate], failing_step: Option<usize>) {
    let Some(failing) = failing_step else { return };
    for c in cands.iter_mut().filter(|c| c.step < failing) {
        let own = c.line.saturating_sub(c.context_first) as usize;
        c.retried = c.context.split('\n').skip(own + 1).any(|l| signals::shape::announces_retry(l.as_bytes()));
    }
}

/// The generic scorer's features of every generic candidate of a log, as
/// `(line, features)` in no particular order, for `tools/train_scorer.py`
/// (`ci-triage --features`). Not a stable API.
#[doc(hidden)]
pub fn generic_features<R: Read>(reader: R, rules: &RuleSet, baseline: Option<&Baseline>) -> Vec<(u32, Vec<f32>)> {
    let mut out = Vec::new();
    run(reader, rules, baseline, Some(&mut |line: u32, x: &[f32; N_FEATURES]| out.push((line, x.to_vec()))), None);
    out
}

/// The last `n` (or fewer) complete lines of `s` (which is empty or ends
/// with `\n`), oldest first, without their `\n`, cut at MAX_LINE.
fn last_lines(s: &[u8], n: usize) -> Vec<&[u8]> {
    let mut lines = Vec::with_capacity(n);
    let mut rest = s;
    while lines.len() < n {
        let Some((_, body)) = rest.split_last() else { break };
        let start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        let line = &body[start..];
        lines.push(&line[..line.len().min(MAX_LINE)]);
        rest = &rest[..start];
    }
    lines.reverse();
    lines
}

/// Where a generic candidate stands before the scorer has seen the whole
/// log (only `rank::compact` reads it, when a log has more candidates than
/// memory allows): errors over weaker words over colour alone, and the
/// tail of a failing command above the rest.
fn provisional_priority(sig: &Sig) -> i32 {
    let f = sig.flags;
    let mut p = 20;
    if f & flag::ERR != 0 {
        p += 4;
    }
    if f & flag::WEAK != 0 {
        p += 2;
    }
    if f & flag::RED != 0 {
        p += 1;
    }
    if sig.tail > 0 {
        p += 3;
    }
    p
}

/// Application log lines (a program's own logger, interleaved with test
/// output) mention errors all the time; the runner's verdict matters more.
const LOGGER_PENALTY: i32 = 25;
/// Resource deaths (OOM kill, runner loss) count even in a logger line.
const LOGGER_EXEMPT_PRIORITY: i32 = 90;

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
fn group_key(rule: &str, group: &[String], caps: Option<&RuleCaptures>, message: &str) -> String {
    let mut key = rule.to_string();
    if group.is_empty() {
        key.push(':');
        key.push_str(message);
    } else {
        for g in group {
            key.push(':');
            key.push_str(caps.and_then(|c| c.name(g)).unwrap_or(""));
        }
    }
    key
}

fn build(cands: Vec<Candidate>, report: RunnerReport, steps: Steps, failing_step: Option<usize>, rules: &RuleSet, lines: u64, bytes: u64) -> Analysis {
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
    // A job-level fault (a GPU memory fault, an OOM kill, an NCCL watchdog,
    // a lost runner, a job timeout) is why the tests failed: it leads, so
    // it names the failure wherever the first one is read as the headline.
    failures.sort_by_key(|f| !rules.get(&f.rule).is_some_and(|r| r.job_level));

    let verdict = rank::verdict(&ranked, &report, rules, failing_step.and_then(|i| steps.list.get(i)));
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
        None if c.generic => "generic".into(),
        None => "runner".into(),
    }
}

/// The rustc diagnostic the line `no` belongs to (see `Scan::rustc_diag`):
/// a header at column 0 opens one, and it goes on while the lines are its
/// body: the ` --> file:line:col` pointer, `|` gutters (`12 |     code`),
/// `= note:`/`= help:` footnotes, `note:`/`help:` sub-diagnostics and
/// `::: ` pointers. A blank line or anything else closes it.
fn rustc_diag_next(open: Option<u32>, no: u32, line: &[u8]) -> Option<u32> {
    if line.starts_with(b"error:") || line.starts_with(b"error[") || line.starts_with(b"warning:") || line.starts_with(b"warning[") {
        return Some(no);
    }
    open?;
    if line.starts_with(b"note:") || line.starts_with(b"help:") {
        return open;
    }
    let body = line.trim_ascii_start();
    // `12 |     code` (from column 0 once the line number has two digits)
    // and `   |`: the diagnostic's source lines.
    let gutter = body[body.iter().take_while(|b| b.is_ascii_digit()).count()..].trim_ascii_start();
    if gutter.first() == Some(&b'|') && gutter.len() < line.len() {
        return open;
    }
    if body.len() == line.len() || body.is_empty() {
        return None;
    }
    let diag = body.starts_with(b"-->")
        || body.starts_with(b"::: ")
        || body.starts_with(b"= ")
        || body.starts_with(b"...");
    diag.then_some(open).flatten()
}

#[cfg(test)]
mod census {
    //! Cost censuses on the log named by `CENSUS_LOG`, not checks:
    //! `CENSUS_LOG=FILE cargo test --release -p ci-triage --lib census -- --ignored --nocapture`.
    use crate::rules::RuleSet;
    use crate::triggers::{Pat, Triggers};

    /// The built-in rules, their trigger search and the log, or `None`
    /// without `CENSUS_LOG`.
    fn setup(rules: &RuleSet) -> Option<(&Triggers, Vec<u8>)> {
        let path = std::env::var("CENSUS_LOG").ok()?;
        let parsers = crate::runners::all_parsers();
        let triggers: Vec<&[&str]> = parsers.iter().map(|p| p.triggers()).collect();
        Some((rules.triggers(&triggers), std::fs::read(path).expect("CENSUS_LOG readable")))
    }

    /// Which trigger windows send the scan to `verify` for nothing (speed13).
    #[test]
    #[ignore]
    fn windows() {
        let rules = RuleSet::builtin();
        let Some((m, data)) = setup(&rules) else { return };
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        let (windows, filter_only) = m.literals.window_census(&lines);
        let misses: u64 = windows.iter().map(|w| w.2).sum();
        eprintln!("filter bit set, no such window: {filter_only}; window hits with no literal: {misses}");
        for (w, hits, miss, lits) in windows.iter().take(40) {
            eprintln!("{:?} hits {hits} misses {miss} {lits:?}", String::from_utf8_lossy(w));
        }
    }

    /// Which rules' regexes the trigger hits send to `Rule::matches`, and
    /// how often they then match (speed14).
    #[test]
    #[ignore]
    fn rules() {
        let rules = RuleSet::builtin();
        let Some((m, data)) = setup(&rules) else { return };
        // Two passes: the first pays for compiling and for the lazy DFAs'
        // first states, the second is the steady cost per call.
        let mut calls = vec![(0u64, 0u64, 0u64, 0u64); rules.rules.len()];
        let mut text = String::new();
        for pass in 0..2 {
            for raw in data.split(|&b| b == b'\n') {
                crate::clean::clean_line(raw, &mut text);
                let mut hit = vec![];
                m.literals.for_each_match(text.as_bytes(), |lit, _| {
                    for who in &m.pats[lit] {
                        if let Pat::Rule(i) = who {
                            if !hit.contains(i) {
                                hit.push(*i);
                            }
                        }
                    }
                });
                for i in hit {
                    let t = std::time::Instant::now();
                    let ok = rules.rules[i].matches(&text);
                    let ns = t.elapsed().as_nanos() as u64;
                    if pass == 0 {
                        calls[i].3 += ns;
                        calls[i].0 += 1;
                        calls[i].1 += ok as u64;
                    } else {
                        calls[i].2 += ns;
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..calls.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(calls[i].2));
        for &i in order.iter().take(40) {
            let r = &rules.rules[i];
            let (n, ok, warm, cold) = calls[i];
            eprintln!("{n:>8} calls {ok:>7} match {:>6.1} ms warm {:>6.1} ms first pass  {}  {:?}", warm as f64 / 1e6, cold as f64 / 1e6, r.name, r.triggers);
        }
    }
}
