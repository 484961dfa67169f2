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
    /// Which of the parser's `triggers()` `text` holds: bit k for the k-th
    /// (bit 63 for any from the 64th on), as the engine's one trigger
    /// search found them, so a parser need not search for them again. Zero
    /// on a line fed only because the parser wants every line.
    pub hits: u64,
}

impl Line<'_> {
    /// Whether the line holds the parser's `k`-th trigger.
    #[inline]
    pub fn has(&self, k: usize) -> bool {
        self.hits & (1 << k.min(63)) != 0
    }
}

/// [`Line::hits`] computed by searching `text` for each trigger, for
/// callers that feed parsers without the engine's search.
pub fn hits_of(triggers: &[&str], text: &str) -> u64 {
    triggers.iter().enumerate().filter(|(_, t)| !t.is_empty() && text.contains(*t)).fold(0, |h, (k, _)| h | 1 << k.min(63))
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
use crate::first_bytes::FirstBytes;

/// What all parsers found in one log.
#[derive(Debug, Clone, Default)]
pub struct RunnerReport {
    pub failures: Vec<TestFailure>,
    pub counts: Option<Counts>,
    /// Lines holding the runner's summary (e.g. `=== 1 failed, 3 passed ===`,
    /// `Tests run: 5, Failures: 1`), useful as fallback key lines.
    pub summary_lines: Vec<u32>,
    /// What the build tools said failed (a Maven goal, a Gradle task, a
    /// make target, a CI command), in log order.
    pub tools: Vec<ToolFailure>,
    /// Tests that failed and then passed when retried in this log
    /// (pytest-rerunfailures' `RERUN` then `PASSED`, nextest's `TRY 2 PASS`
    /// and `FLAKY`, PyTorch's rerun in a new process): flaky by the
    /// runner's own account, and not among `failures`.
    pub flaky_tests: Vec<String>,
    /// Line ranges (inclusive) that report a failure of one of
    /// `flaky_tests`: its `____ C.test ____` section and its `FAILED` line.
    /// What a retry went on to pass is not what failed the job.
    pub flaky_lines: Vec<(u32, u32)>,
}

/// A build tool's or CI system's own statement of what failed: the unit of
/// work, not the error (`Failed to execute goal …maven-checkstyle-plugin…`,
/// `Execution failed for task ':app:javadoc'`, `make: *** [lint] Error 1`).
/// The verdict reads the names to tell a Checkstyle finding from a compiler
/// error that looks the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFailure {
    /// 1-based raw line of the statement.
    pub line: u32,
    pub level: ToolLevel,
    /// Names to look up, most specific first: a Maven plugin's artifactId
    /// then its goal, a make target, a command line.
    pub names: Vec<String>,
    /// Who said it: `maven`, `gradle`, `make`, `npm`, `tox`, `nox`,
    /// `docker`, `travis`, …
    pub source: &'static str,
}

/// How directly a [`ToolFailure`] names the tool that failed; deeper
/// levels are nested inside shallower ones (a Maven goal inside a make
/// target inside a CI command), and the deepest statement is the most
/// specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ToolLevel {
    /// A command a CI system ran (`The command "mvn install" exited with 1`).
    Command,
    /// A unit of work named by the project: a make target, an npm script,
    /// a tox environment, a nox session, a Dockerfile `RUN` command.
    Script,
    /// A build tool's own unit of work: a Maven plugin goal, a Gradle task,
    /// a pre-commit hook. Its name says what the tool is.
    Task,
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
mod automake;
mod build_tools;
mod busted;
mod cargo;
mod catch2;
mod ctest;
mod erlang;
mod exunit;
mod gotest;
mod gradle;
mod gtest;
mod haskell;
mod jest;
mod junitcore;
mod maven;
mod minitest;
mod mocha;
mod node_test;
mod nunit;
mod phpunit;
mod pytest;
mod pytorch;
mod sbt;
mod spec;
mod tap;
mod testng;
mod tcltest;
mod testthat;
mod textunits;
mod unittest;
mod xctest;

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
        Box::new(node_test::NodeTest::default()),
        Box::new(cargo::Cargo::default()),
        Box::new(gotest::GoTest::default()),
        Box::new(ctest::Ctest::default()),
        Box::new(sbt::Sbt::default()),
        Box::new(tap::Tap::default()),
        Box::new(spec::Spec::default()),
        Box::new(minitest::Minitest::default()),
        Box::new(phpunit::Phpunit::default()),
        Box::new(junitcore::JunitCore::default()),
        Box::new(testng::TestNg::default()),
        Box::new(exunit::ExUnit::default()),
        Box::new(erlang::Erlang::default()),
        Box::new(haskell::Haskell::default()),
        Box::new(xctest::XcTest::default()),
        Box::new(busted::Busted::default()),
        Box::new(nunit::Nunit::default()),
        Box::new(tcltest::Tcltest::default()),
        Box::new(testthat::Testthat::default()),
        Box::new(textunits::Aunit::default()),
        Box::new(textunits::Fpcunit::default()),
        Box::new(textunits::Plunit::default()),
        Box::new(gtest::Gtest::default()),
        Box::new(catch2::Catch2::default()),
        Box::new(automake::Automake::default()),
        Box::new(pytorch::PyTorch::default()),
        Box::new(build_tools::BuildTools::default()),
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

/// What a line is to a failure waiting for its message.
pub(crate) enum Read<'a> {
    /// The message (or the text to take it from).
    Message(&'a str),
    /// A blank or a location line (`test/Main.hs:20:`): keep waiting.
    Skip,
    /// Something else: stop waiting, let the parser read the line.
    Other,
}

/// A failure reported on one line whose message comes on a later one
/// (`### Failure in: x`, then `expected: 1`): most runners print the
/// header first. Blank and location lines in between are skipped for up to
/// `within` lines.
#[derive(Default)]
pub(crate) struct MessageNext {
    pending: Option<(String, u32)>,
}

impl MessageNext {
    pub(crate) fn wait(&mut self, id: String, at: u32) {
        self.pending = Some((id, at));
    }

    pub(crate) fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// Offer line `no`; true when it was the message (the parser is done
    /// with the line).
    pub(crate) fn offer(&mut self, failures: &mut FailureSet, no: u32, read: Read<'_>, within: u32) -> bool {
        let Some((id, at)) = self.pending.take() else { return false };
        match read {
            Read::Message(m) => {
                if let Some(f) = failures.get_mut(&id) {
                    f.message = clip_message(m);
                }
                true
            }
            Read::Skip => {
                if no.saturating_sub(at) < within {
                    self.pending = Some((id, at));
                }
                true
            }
            Read::Other => false,
        }
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
    let toks: Vec<&str> = s.split([',', ' ', ';']).filter(|t| !t.is_empty()).collect();
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
    // Every parser asks this of every line it is fed: a `memmem::find`
    // built a searcher per call. Only a separator in the first 65 bytes
    // can count (`p > 64` below), so only those are looked at.
    let bytes = text.as_bytes();
    let Some(p) = memchr::memchr_iter(b'|', &bytes[..bytes.len().min(66)]).find(|&i| bytes.get(i + 1) == Some(&b' ')) else { return text };
    let head = &text[..p];
    let name = head.trim_end();
    if p > 64 || name.is_empty() || name.len() == head.len() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
        return text;
    }
    &text[p + 2..]
}

/// Counts of the two summary lines many harnesses print: "F out of R tests
/// failed" (groups 1 and 2) or "all N tests passed" (group 3).
pub(crate) fn failed_of_run_or_all(c: &TwinCaptures<'_>) -> crate::analysis::Counts {
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
    let (failed, run) = match n(3) {
        Some(all) => (0, all),
        None => (n(1).unwrap_or(0), n(2).unwrap_or(0)),
    };
    crate::analysis::Counts::of_run(run, failed, None)
}

/// A parser's regex in two forms, each compiled on first use: the
/// pattern as written (Unicode classes) for lines with a non-ASCII byte,
/// and its `(?-u)` twin over bytes for ASCII lines, where Unicode `\w`,
/// `\d`, `\s`, `\b`, `.` and `(?i)` match exactly what the ASCII ones do,
/// so both find the same spans, and the ASCII automaton is smaller to
/// build and faster to capture with (what `Rule` does for rules).
pub(crate) struct TwinRegex {
    src: &'static str,
    unicode: std::sync::OnceLock<regex::Regex>,
    ascii: std::sync::OnceLock<Option<regex::bytes::Regex>>,
    /// Calls on ASCII lines and on the others so far, up to
    /// [`FIRST_BYTES_AFTER`] each.
    calls: [std::sync::atomic::AtomicU32; 2],
    /// See [`first_bytes`]: of the `(?-u)` twin for ASCII lines, of the
    /// pattern for the others.
    first: [std::sync::OnceLock<Option<FirstBytes>>; 2],
}

/// A [`TwinRegex`] builds a [`first_bytes`] (an NFA compile: ~1/4 of the
/// regex's for the ASCII twin, ~730,000 instructions for a Unicode one)
/// on this many calls on lines of its kind: most parsers' regexes see a
/// few lines of a log, a few see most of one. Mocha's `^(\d+)
/// (passing|…)` is asked about 54,525 lines of 200 MB of logs, 53,617 of
/// them non-ASCII (`✔ works`), all but 436 rejected by their first byte
/// for ~40 instructions instead of ~570.
const FIRST_BYTES_AFTER: u32 = 1024;

/// For a pattern every match of which starts at the text's start, and
/// which cannot match the empty text: the bytes a match can start with,
/// from its NFA (`unicode`: as written, else its `(?-u)` twin's over
/// bytes). `None` for other patterns.
fn first_bytes(src: &str, unicode: bool) -> Option<FirstBytes> {
    use regex_automata::nfa::thompson::{self, WhichCaptures};
    use regex_automata::util::syntax;
    let config = thompson::Config::new().which_captures(WhichCaptures::None);
    let nfa = if unicode {
        thompson::Compiler::new().configure(config).build(src)
    } else {
        thompson::Compiler::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(config.utf8(false))
            .build(&format!("(?-u){src}"))
    }
    .ok()?;
    FirstBytes::of(&nfa)
}

/// The groups of a [`TwinRegex`] match, as `&str` either way.
pub(crate) enum TwinCaptures<'t> {
    Unicode(&'t str, regex::Captures<'t>),
    Ascii(&'t str, regex::bytes::Captures<'t>),
}

impl TwinRegex {
    pub(crate) const fn new(src: &'static str) -> Self {
        TwinRegex {
            src,
            unicode: std::sync::OnceLock::new(),
            ascii: std::sync::OnceLock::new(),
            calls: [std::sync::atomic::AtomicU32::new(0), std::sync::atomic::AtomicU32::new(0)],
            first: [std::sync::OnceLock::new(), std::sync::OnceLock::new()],
        }
    }

    /// `text` cannot match: its first byte cannot start a match (see
    /// [`first_bytes`]).
    fn rejects(&self, text: &str, ascii: bool) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let wide = usize::from(!ascii);
        if self.calls[wide].load(Relaxed) < FIRST_BYTES_AFTER {
            self.calls[wide].fetch_add(1, Relaxed);
            return false;
        }
        let Some(first) = self.first[wide].get_or_init(|| first_bytes(self.src, wide == 1)) else { return false };
        !first.may_start(text.as_bytes())
    }

    fn unicode(&self) -> &regex::Regex {
        self.unicode.get_or_init(|| regex::Regex::new(self.src).expect("static regex"))
    }

    fn ascii_for(&self, ascii: bool) -> Option<&regex::bytes::Regex> {
        if !ascii {
            return None;
        }
        self.ascii.get_or_init(|| regex::bytes::Regex::new(&format!("(?-u){}", self.src)).ok()).as_ref()
    }

    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<TwinCaptures<'t>> {
        let ascii = text.is_ascii();
        if self.rejects(text, ascii) {
            return None;
        }
        match self.ascii_for(ascii) {
            Some(a) => a.captures(text.as_bytes()).map(|c| TwinCaptures::Ascii(text, c)),
            None => self.unicode().captures(text).map(|c| TwinCaptures::Unicode(text, c)),
        }
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        let ascii = text.is_ascii();
        if self.rejects(text, ascii) {
            return false;
        }
        match self.ascii_for(ascii) {
            Some(a) => a.is_match(text.as_bytes()),
            None => self.unicode().is_match(text),
        }
    }
}

/// One group of a [`TwinCaptures`]: what `regex::Match` offers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TwinMatch<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> TwinMatch<'t> {
    pub(crate) fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
    #[allow(dead_code)]
    pub(crate) fn start(&self) -> usize {
        self.start
    }
    #[allow(dead_code)]
    pub(crate) fn end(&self) -> usize {
        self.end
    }
}

impl<'t> TwinCaptures<'t> {
    /// Group `i`, when it took part in the match.
    pub(crate) fn get(&self, i: usize) -> Option<TwinMatch<'t>> {
        match self {
            TwinCaptures::Unicode(text, c) => c.get(i).map(|m| TwinMatch { text, start: m.start(), end: m.end() }),
            TwinCaptures::Ascii(text, c) => c.get(i).map(|m| TwinMatch { text, start: m.start(), end: m.end() }),
        }
    }

    /// The named group, when it took part in the match.
    pub(crate) fn name(&self, name: &str) -> Option<TwinMatch<'t>> {
        match self {
            TwinCaptures::Unicode(text, c) => c.name(name).map(|m| TwinMatch { text, start: m.start(), end: m.end() }),
            TwinCaptures::Ascii(text, c) => c.name(name).map(|m| TwinMatch { text, start: m.start(), end: m.end() }),
        }
    }
}

impl std::ops::Index<&str> for TwinCaptures<'_> {
    type Output = str;
    /// A named group; panics when it did not take part, as `regex::Captures` does.
    fn index(&self, name: &str) -> &str {
        match self {
            TwinCaptures::Unicode(_, c) => &c[name],
            TwinCaptures::Ascii(text, c) => &text[c.name(name).expect("no group with this name").range()],
        }
    }
}

impl std::ops::Index<usize> for TwinCaptures<'_> {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        match self {
            TwinCaptures::Unicode(_, c) => &c[i],
            // ASCII text: every byte offset is a char boundary. A group
            // that did not take part panics, as `regex::Captures` does.
            TwinCaptures::Ascii(text, c) => &text[c.get(i).expect("no group at this index").range()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parsers' patterns written as one raw string literal (118 of
    /// the 121), read from their sources.
    fn parser_patterns() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/runners");
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().ends_with("mod.rs") {
                continue;
            }
            let src = std::fs::read_to_string(e.path()).unwrap();
            for part in src.split("TwinRegex::new(r").skip(1) {
                let hashes = part.bytes().take_while(|&b| b == b'#').count();
                let close = format!("\"{}", "#".repeat(hashes));
                let body = &part[hashes + 1..];
                out.push(body[..body.find(&close).unwrap()].to_string());
            }
        }
        out
    }

    #[test]
    fn first_bytes_never_reject_a_match() {
        // Every line of the fixture logs, trimmed and indented, plus
        // non-ASCII ones: a line a pattern (or its twin) matches always
        // starts with one of its first bytes.
        let mut lines = vec!["✔ works".to_string(), "٣ passing".to_string(), "３ failing".to_string(), "✖ a (1ms)".to_string(), "ℹ pass 3".to_string()];
        for text in crate::testdata::fixture_texts() {
            for l in text.lines() {
                lines.extend([payload(l).to_string(), l.trim().to_string(), format!("  {l}")]);
            }
        }
        let patterns = parser_patterns();
        assert!(patterns.len() > 100, "patterns: {}", patterns.len());
        let (mut sets, mut matched, mut rejected) = (0, 0, 0);
        for src in &patterns {
            let unicode = regex::Regex::new(src).unwrap();
            let twin = regex::bytes::Regex::new(&format!("(?-u){src}")).ok();
            let first = [first_bytes(src, false), first_bytes(src, true)];
            sets += first.iter().flatten().count();
            for line in &lines {
                let ascii = line.is_ascii();
                let is_match = match (&twin, ascii) {
                    (Some(t), true) => t.is_match(line.as_bytes()),
                    _ => unicode.is_match(line),
                };
                let Some(set) = first[usize::from(!ascii)] else { continue };
                let ok = set.may_start(line.as_bytes());
                assert!(ok || !is_match, "{src} on {line:?}");
                matched += usize::from(is_match);
                rejected += usize::from(!ok);
            }
        }
        assert!(sets > 150 && matched > 1000 && rejected > 1_000_000, "sets {sets}, matched {matched}, rejected {rejected}");
    }

    #[test]
    fn captures_after_the_first_bytes_are_built() {
        // Past FIRST_BYTES_AFTER calls a regex rejects by first byte; the
        // answers stay the same.
        let re = TwinRegex::new(r"^(\d+) (passing|failing|pending)(?: \(.*\))?$");
        let lines = ["3 passing (2s)", "✔ works", "  12 failing", "12 failing", "٣ passing", "", "x 1 passing"];
        for round in 0..2 * FIRST_BYTES_AFTER {
            for l in lines {
                let want = regex::Regex::new(re.src).unwrap().captures(l).map(|c| c[1].to_string());
                assert_eq!(re.captures(l).map(|c| c[1].to_string()), want, "{l:?} in round {round}");
                assert_eq!(re.is_match(l), want.is_some());
            }
        }
    }
}
