//! Test-runner parsers: each one recognises one framework's output and
//! reports the failing tests (with the framework's own full id) and the
//! runner's own counts.
//!
//! Speed matters (the engine must stream >= 300 MB/s), so the engine does not
//! hand every line to every parser. Each parser declares literal `triggers`;
//! the engine runs one Aho-Corasick automaton over each line and feeds a
//! parser only the lines that contain one of its triggers, plus every line
//! while the parser says it is inside a block (`wants_every_line`).

/// One line as parsers see it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number in the raw input (split on `\n`).
    pub no: u32,
    /// The text with the GitHub timestamp prefix, ANSI escapes and `\r`
    /// progress overwrites removed. Never contains `\n`.
    pub text: &'a str,
}

/// A failing test as the runner reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    /// The framework's own full identifier: pytest node id
    /// (`tests/a.py::TestX::test_y[param]`), `Class.method` for JUnit,
    /// full title for jest/mocha, `module::path::test` for cargo,
    /// `Package/TestName` (or `TestName/subtest`) for go test.
    pub id: String,
    /// Source file when the runner names it.
    pub file: Option<String>,
    /// Short test name (function / method / title leaf).
    pub name: String,
    /// First line of the failure message, if the runner gives one.
    pub message: String,
    /// The line that best shows this failure (1-based, raw input).
    pub line: u32,
    /// Which parser found it (`pytest`, `junit`, `go`, ...).
    pub framework: &'static str,
}

pub use crate::analysis::Counts;

/// What all parsers found in one log.
#[derive(Debug, Clone, Default)]
pub struct RunnerReport {
    pub failures: Vec<TestFailure>,
    pub counts: Option<Counts>,
    /// Lines holding the runner's summary (e.g. `=== 1 failed, 3 passed ===`,
    /// `Tests run: 5, Failures: 1`), useful as fallback key lines.
    pub summary_lines: Vec<u32>,
}

pub trait RunnerParser: Send {
    /// Stable short name, e.g. `pytest`.
    fn name(&self) -> &'static str;
    /// Literal substrings; a line containing any of them is fed to `feed`.
    fn triggers(&self) -> &'static [&'static str];
    /// True while the parser is inside a multi-line block and needs every
    /// line, triggers or not.
    fn wants_every_line(&self) -> bool {
        false
    }
    fn feed(&mut self, line: Line<'_>);
    /// Called once at end of input: add failures and counts to `out`.
    /// Parsers must merge, not overwrite: several runners may run in one log.
    fn finish(&mut self, out: &mut RunnerReport);
}

mod ant;
mod cargo;
mod ctest;
mod gotest;
mod gradle;
mod jest;
mod maven;
mod mocha;
mod pytest;
mod sbt;
mod tap;
mod unittest;

/// Every built-in parser, in a fixed order.
///
/// Parsers are independent: each recognises its own format and they never
/// share a line's meaning. Their counts are summed in `finish` (see
/// [`add_counts`]) because one log can hold several runners (a Python
/// project running pytest and then a unittest-based doc check, a monorepo
/// running jest and mocha), and each runner only reports its own tests.
pub fn all_parsers() -> Vec<Box<dyn RunnerParser>> {
    vec![
        Box::new(pytest::Pytest::default()),
        Box::new(unittest::Unittest::default()),
        Box::new(maven::Maven::default()),
        Box::new(gradle::Gradle::default()),
        Box::new(ant::Ant::default()),
        Box::new(jest::Jest::default()),
        Box::new(mocha::Mocha::default()),
        Box::new(cargo::Cargo::default()),
        Box::new(gotest::GoTest::default()),
        Box::new(ctest::Ctest::default()),
        Box::new(sbt::Sbt::default()),
        Box::new(tap::Tap::default()),
    ]
}

/// Add one runner's counts to the report: field-wise sum, `None` only when
/// nobody said anything about that field.
pub fn add_counts(out: &mut RunnerReport, c: &Counts) {
    out.counts.get_or_insert_with(Counts::default).add(c);
}

/// Failures of one parser, deduplicated by id in first-seen order.
///
/// Runners print the same failure several times (a per-test line, a
/// traceback header, a summary list, one line per rerun). One entry per id
/// is kept; a later sighting only improves it: it brings a message when the
/// first had none (and then its line, which is the one that explains).
#[derive(Debug, Default)]
pub(crate) struct FailureSet {
    items: Vec<TestFailure>,
    index: std::collections::HashMap<String, usize>,
}

impl FailureSet {
    pub(crate) fn add(&mut self, f: TestFailure) {
        if f.id.is_empty() {
            return;
        }
        match self.index.get(&f.id) {
            Some(&i) => {
                let e = &mut self.items[i];
                if e.message.is_empty() && !f.message.is_empty() {
                    e.message = f.message;
                    e.line = f.line;
                }
                if e.file.is_none() {
                    e.file = f.file;
                }
            }
            None => {
                self.index.insert(f.id.clone(), self.items.len());
                self.items.push(f);
            }
        }
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut TestFailure> {
        self.index.get(id).map(|&i| &mut self.items[i])
    }

    pub(crate) fn remove(&mut self, id: &str) {
        if self.index.remove(id).is_some() {
            self.items.retain(|f| f.id != id);
            self.index = self.items.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &TestFailure> {
        self.items.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn drain_into(&mut self, out: &mut RunnerReport) {
        out.failures.append(&mut self.items);
        self.index.clear();
    }
}

/// The usual end of [`RunnerParser::finish`]: hand over the failures, the
/// runner's counts when it printed any, and its summary lines.
pub(crate) fn report_into(out: &mut RunnerReport, failures: &mut FailureSet, counts: &Counts, summary_lines: &mut Vec<u32>) {
    failures.drain_into(out);
    if !counts.is_empty() {
        add_counts(out, counts);
    }
    out.summary_lines.append(summary_lines);
}

/// A failure with the fields every parser fills the same way.
pub(crate) fn failure(framework: &'static str, id: String, name: String, file: Option<String>, message: &str, line: u32) -> TestFailure {
    TestFailure { id, file, name, message: clip_message(message), line, framework }
}

/// First line of a message, trimmed and bounded: messages are for people
/// and for fingerprints, not for storing whole dumps.
pub(crate) fn clip_message(m: &str) -> String {
    let m = m.trim();
    let m = m.lines().next().unwrap_or("");
    if m.len() <= 300 {
        return m.to_string();
    }
    let mut end = 300;
    while !m.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &m[..end])
}

/// Parse `"12 failed, 3 passed, 1 skipped"`-style lists: every `<n> <word>`
/// pair, in order. Words are returned lower-case and as printed (`errors`).
pub(crate) fn number_words(s: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let toks: Vec<&str> = s.split(|c: char| c == ',' || c == ' ' || c == ';').filter(|t| !t.is_empty()).collect();
    let mut i = 0;
    while i + 1 < toks.len() {
        if let Ok(n) = toks[i].parse::<u64>() {
            out.push((n, toks[i + 1].to_ascii_lowercase()));
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The runner's own text of a line: without the `service_1  | ` prefix that
/// `docker compose` puts before every line of a container's output, so the
/// line-anchored patterns still apply to tests run inside compose.
pub(crate) fn payload(text: &str) -> &str {
    let Some(p) = memchr::memmem::find(text.as_bytes(), b"| ") else { return text };
    let head = &text[..p];
    let name = head.trim_end();
    if p > 64 || name.is_empty() || name.len() == head.len() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
        return text;
    }
    &text[p + 2..]
}
