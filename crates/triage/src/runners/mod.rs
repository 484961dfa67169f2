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

/// The runner's own summary. Fields are `None` when the log does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub run: Option<u64>,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub skipped: Option<u64>,
}

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

/// Every built-in parser, in a fixed order.
pub fn all_parsers() -> Vec<Box<dyn RunnerParser>> {
    Vec::new()
}
