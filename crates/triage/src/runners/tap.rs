//! TAP, the Test Anything Protocol: tape, node-tap, bats, Perl's Test::More
//! under `prove -v`, pgTAP, mocha's and karma's TAP reporters.
//!
//! ```text
//! TAP version 13
//! # passes a good component
//! ok 5 no warnings
//! not ok 6 no errors
//!   ---
//!     operator: notOk
//!     expected: false
//!     actual:   1
//!   ...
//! 1..11
//! # tests 11
//! # pass  7
//! # fail  4
//! ```
//!
//! A `not ok` line is a failure unless its directive says `# TODO` (an
//! expected failure) or `# SKIP`. The id is the description, after the test's
//! name when the producer prints one (tape's `# name` comment, node-tap's
//! `# Subtest: name`), joined with ` › ` as jest does. `# text` is a shell
//! comment anywhere else, so tape's names are only read inside a stream that
//! announced itself with `TAP version`.
//!
//! The line reported is the first line of the YAML diagnostic block when one
//! follows, else the `not ok` line; the message is the block's `message:`,
//! else what was expected against what came.
//! Counts are the producer's own footer: tape's `# tests/# pass/# fail`, or
//! node-tap's `# failed N of M tests`.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "tap";

/// `not ok 6 - description # TODO reason`: the number is required (it is what
/// tells a TAP line from prose saying "not ok").
static NOT_OK: TwinRegex = TwinRegex::new(r"^( *)not ok \d+(?: *-)?(?: +(.*?))?\s*$");
static FOOTER: TwinRegex = TwinRegex::new(r"^# (tests|pass|fail|skip|todo) +(\d+)$");
static NODE_TAP_FAILED: TwinRegex = TwinRegex::new(r"^# failed (\d+) of (\d+) tests?$");

#[derive(Default)]
pub struct Tap {
    failures: FailureSet,
    /// Inside a stream that began with `TAP version`: `# name` lines are test names.
    in_stream: bool,
    /// The current tape test name (`# name` at the top level).
    heading: Option<String>,
    /// node-tap subtest names by indentation of their `# Subtest:` line.
    subtests: Vec<(usize, String)>,
    saw_subtest: bool,
    /// The failure whose YAML block may start on the next line(s).
    pending: Option<Pending>,
    /// The current stream's footer so far (tape prints it last).
    footer: Counts,
    counts: Counts,
    summary_lines: Vec<u32>,
}

struct Pending {
    id: String,
    /// Indentation of the `not ok` line: the block is indented deeper.
    indent: usize,
    /// True once the `---` opening the block was seen.
    opened: bool,
    lines: u32,
    /// The key whose block scalar starts on the next line.
    block_key: Option<Slot>,
    message: Option<String>,
    expected: Option<String>,
    actual: Option<String>,
}

/// The diagnostic keys a message is made of.
#[derive(Clone, Copy)]
enum Slot {
    Message,
    Expected,
    Actual,
}

impl Slot {
    fn of(key: &str) -> Option<Slot> {
        match key {
            "message" => Some(Slot::Message),
            "expected" | "wanted" => Some(Slot::Expected),
            "actual" | "found" => Some(Slot::Actual),
            _ => None,
        }
    }
}

/// Diagnostic blocks are short; a stream that never closes one must not keep
/// the parser reading every line.
const MAX_BLOCK_LINES: u32 = 40;

impl Tap {
    fn name_for(&self, indent: usize, description: &str) -> String {
        // A subtest announced at this depth or one level up (producers differ).
        let subtest = self.subtests.iter().rev().find(|(at, _)| *at <= indent && indent > 0).map(|(_, n)| n.as_str());
        let prefix = subtest.or(if indent == 0 { self.heading.as_deref() } else { None });
        match prefix {
            Some(p) if !description.is_empty() => format!("{p} › {description}"),
            Some(p) => p.to_string(),
            None => description.to_string(),
        }
    }

    fn end_stream(&mut self) {
        self.close_block();
        self.counts.add(&std::mem::take(&mut self.footer));
        self.heading = None;
        self.subtests.clear();
        self.saw_subtest = false;
    }

    /// The failure's message from its block: `message:`, else expected
    /// against actual (tape) or wanted against found (node-tap).
    fn close_block(&mut self) {
        let Some(p) = self.pending.take() else { return };
        let message = p.message.or(match (p.expected, p.actual) {
            (Some(e), Some(a)) => Some(format!("expected {e}, actual {a}")),
            _ => None,
        });
        if let (Some(m), Some(f)) = (message, self.failures.get_mut(&p.id)) {
            f.message = super::clip_message(&m);
        }
    }

    /// Feeds a line to the open diagnostic block; false when the line is not
    /// part of it (and must be read as an ordinary line).
    fn on_block_line(&mut self, raw: &str, t: &str, no: u32) -> bool {
        let Some(p) = self.pending.as_mut() else { return false };
        if !p.opened {
            if t == "---" {
                p.opened = true;
                return true;
            }
            self.close_block();
            return false;
        }
        let indent = indent_of(raw);
        if t == "..." {
            self.close_block();
            return true;
        }
        if (indent <= p.indent && !t.is_empty()) || p.lines >= MAX_BLOCK_LINES {
            self.close_block();
            return false;
        }
        p.lines += 1;
        if p.lines == 1 {
            if let Some(f) = self.failures.get_mut(&p.id) {
                f.line = no;
                f.message = super::clip_message(t);
            }
        }
        // A block scalar (`expected: |-`) holds its value on the next line.
        let (slot, value) = match p.block_key.take() {
            Some(slot) => (slot, t),
            None => match t.split_once(':').and_then(|(key, value)| Some((Slot::of(key)?, value.trim()))) {
                Some(found) => found,
                None => return true,
            },
        };
        if value.starts_with(['|', '>']) {
            p.block_key = Some(slot);
        } else if !value.is_empty() {
            let field = match slot {
                Slot::Message => &mut p.message,
                Slot::Expected => &mut p.expected,
                Slot::Actual => &mut p.actual,
            };
            field.get_or_insert_with(|| value.to_string());
        }
        true
    }
}

fn indent_of(raw: &str) -> usize {
    raw.len() - raw.trim_start_matches(' ').len()
}

impl RunnerParser for Tap {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["TAP version", "not ok ", "# "]
    }

    fn wants_every_line(&self) -> bool {
        self.pending.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text);
        let t = raw.trim();
        if self.pending.is_some() && self.on_block_line(raw, t, line.no) {
            return;
        }
        if t.starts_with("TAP version ") {
            self.end_stream();
            self.in_stream = true;
            return;
        }
        let indent = indent_of(raw);
        if let Some(c) = NOT_OK.captures(raw.trim_end()) {
            let text = c.get(2).map_or("", |m| m.as_str());
            let (description, directive) = match text.find(" # ").or_else(|| text.starts_with("# ").then_some(0)) {
                Some(i) => (text[..i].trim(), text[i..].trim_start_matches([' ', '#']).trim()),
                None => (text.trim(), ""),
            };
            let directive = directive.to_ascii_lowercase();
            if directive.starts_with("todo") || directive.starts_with("skip") {
                return;
            }
            let id = self.name_for(indent, description);
            if id.is_empty() {
                return;
            }
            // node-tap closes a subtest with `not ok N - <subtest>` one level
            // up. When failures inside it were recorded, it only aggregates them.
            if let Some(pos) = self.subtests.iter().position(|(at, n)| *at >= indent && n == description) {
                self.subtests.truncate(pos);
                let inner = format!("{description} › ");
                if self.failures.iter().any(|f| f.id.starts_with(&inner)) {
                    return;
                }
            }
            self.failures.add(failure(NAME, id.clone(), description.to_string(), None, t, line.no));
            self.pending = Some(Pending { id, indent, opened: false, lines: 0, block_key: None, message: None, expected: None, actual: None });
            return;
        }
        let Some(comment) = t.strip_prefix("# ") else { return };
        if let Some(name) = comment.strip_prefix("Subtest: ") {
            self.in_stream = true;
            self.saw_subtest = true;
            self.subtests.retain(|(at, _)| *at < indent);
            self.subtests.push((indent, name.trim().to_string()));
            return;
        }
        if indent > 0 {
            return;
        }
        if let Some(c) = NODE_TAP_FAILED.captures(t) {
            let failed: u64 = c[1].parse().unwrap_or(0);
            let run: u64 = c[2].parse().unwrap_or(0);
            self.counts.add(&Counts { run: Some(run), failed: Some(failed), passed: Some(run.saturating_sub(failed)), skipped: None });
            self.summary_lines.push(line.no);
            return;
        }
        if !self.in_stream {
            return;
        }
        if let Some(c) = FOOTER.captures(t) {
            let n: u64 = c[2].parse().unwrap_or(0);
            match &c[1] {
                "tests" => self.footer.run = Some(n),
                "pass" => self.footer.passed = Some(n),
                "fail" => {
                    self.footer.failed = Some(n);
                    self.summary_lines.push(line.no);
                }
                "skip" => self.footer.skipped = Some(n),
                _ => {}
            }
            return;
        }
        if t == "# ok" {
            self.footer.failed.get_or_insert(0);
            return;
        }
        // tape names its tests with bare comments; producers with subtests
        // use comments for other things (`# time=12ms`).
        if self.footer.is_empty() && !self.saw_subtest && !comment.trim().is_empty() {
            self.heading = Some(comment.trim().to_string());
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.end_stream();
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
