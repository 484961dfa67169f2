//! pytest: node ids from the short test summary (`FAILED path::test - msg`,
//! `ERROR path`), verbose / xdist progress lines (`path::test FAILED`,
//! `[gw0] [ 50%] FAILED path::test`), the `FAILURES` / `ERRORS` section
//! headers (`____ TestX.test_y ____`, `____ ERROR at setup of test_y ____`,
//! `____ ERROR collecting path ____`) and the final `N failed, M passed in Xs`
//! line.
//!
//! Section headers only name `Class.test`, so at the end a header is folded
//! into a node id that ends with it; headers with no node id (no `-rf`
//! summary) stay as they are.



use super::{failure, number_words, Counts, FailureSet, Line, RunnerParser, RunnerReport, TwinRegex};

const NAME: &str = "pytest";

/// A `FAILURES` section longer than this is assumed to have lost its end
/// (a killed run); stop reading every line.
const MAX_SECTION_LINES: u32 = 50_000;

#[derive(Default)]
pub struct Pytest {
    /// From the short summary and progress lines: full node ids.
    nodes: FailureSet,
    /// From `FAILURES`/`ERRORS` section headers: `Class.test` or a path.
    headers: FailureSet,
    /// Ids seen with `RERUN` and later `PASSED`: not failures.
    rerun: Vec<String>,
    in_section: bool,
    section_at: u32,
    in_short_summary: bool,
    /// The last header, waiting for its `E   message` line.
    last_header: Option<String>,
    counts: Counts,
    summary_lines: Vec<u32>,
    /// Every `FAILURES` section header (`Class.test`) with its first and
    /// last line, and every `FAILED id` line: where a test that later
    /// passed on a retry was reported failing.
    sections: Vec<(String, u32, u32)>,
    failed_at: Vec<(String, u32)>,
    /// The last section still growing.
    open_section: bool,
    /// A driver said it retries failed tests (PyTorch's run_test.py:
    /// `Retrying single test...`) after a failure was seen: only then is a
    /// later pass of a failed test a retry. Without it the pass is another
    /// run of the suite (tox or nox environments, a matrix in one job) and
    /// the failure stands.
    retry_announced: bool,
}

// Asked of every line fed while sections are open (~100 k lines on
// 200 MB of logs): `str::contains` sets up a two-way searcher per call
// (~240 instructions each, 70 M in all), a prebuilt finder does not.
static RETRY: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> = std::sync::LazyLock::new(|| {
    ["Retrying single test", "Retrying failed test", "when run in a new process"].map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned())
});
static IN: std::sync::LazyLock<memchr::memmem::Finder<'static>> = std::sync::LazyLock::new(|| memchr::memmem::Finder::new(" in "));
/// The count words asked of a line with ` in ` before `FINAL` runs.
static COUNTED: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 4]> =
    std::sync::LazyLock::new(|| ["passed", "failed", "error", "skipped"].map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned()));
/// `triggers()` bits of `FAILED`, ` ERROR`, `RERUN` and `PASSED`: a line
/// `VERBOSE` matches holds one of them after a space. Asking for them
/// first spares most fed lines the search for `::` (a two-way searcher
/// set up per `str::contains` call, ~23 M instructions on 200 MB of logs).
const VERBOSE_WORDS: u64 = 1 << 0 | 1 << 1 | 1 << 4 | 1 << 5;

fn holds(t: &str, f: &memchr::memmem::Finder<'_>) -> bool {
    f.find(t.as_bytes()).is_some()
}

static BANNER: TwinRegex = TwinRegex::new(r"^=+ (.+?) =+$");
/// Long titles leave little room for the `_` fill: `_ title __`, ` title _`,
/// and past 80 columns just ` title `.
static HEADER: TwinRegex = TwinRegex::new(r"^_* (\S.*?) _*$");
/// What a header may name: a test (params may hold anything), a path.
static HEADER_NAME: TwinRegex = TwinRegex::new(r"^[\w.:/<>-]+(?:\[.*\])?$");
static XDIST: TwinRegex = TwinRegex::new(r"^\[gw\d+\] (?:\[\s*\d+%\] )?(FAILED|ERROR|RERUN|PASSED) (.+?)\s*$");
static VERBOSE: TwinRegex = TwinRegex::new(r"^(\S+::.+?) (FAILED|ERROR|RERUN|PASSED)(?:\s+\[\s*\d+%\])?\s*$");
/// The final tally, with or without `=` (quiet mode drops them).
static FINAL: TwinRegex = TwinRegex::new(
    r"^=*\s*((?:\d+ (?:failed|passed|skipped|deselected|xfailed|xpassed|errors?|warnings?|rerun|pytest-warnings?)(?:, )?)+)\s+in\s+[\d.]+\s*(?:s|sec|seconds)\b[^=]*=*$",
);

impl RunnerParser for Pytest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        // The final tally is found by its count words, not by ` in `, which
        // is in half the prose of a log. `ERROR` only with a space beside
        // it: Maven's `[ERROR]` is on every line of a failed Java build.
        &["FAILED", " ERROR", "ERROR ", "FAIL ", "RERUN", "PASSED", "Retrying", "new process", "== ", " passed", " failed", " error", " skipped", " deselected", " xfailed", " xpassed", " warning"]
    }

    /// Inside `FAILURES` / `ERRORS`: headers and `E   ` lines carry no
    /// trigger. The section ends at the next `=== ... ===` banner.
    fn wants_every_line(&self) -> bool {
        self.in_section
    }

    fn feed(&mut self, line: Line<'_>) {
        let text = super::payload(line.text);
        let t = text.trim_end();
        if self.in_section && line.no > self.section_at + MAX_SECTION_LINES {
            self.in_section = false;
        }
        if !self.in_section {
            self.open_section = false;
        }
        if self.open_section {
            if let Some(s) = self.sections.last_mut() {
                s.2 = line.no;
            }
        }
        if !self.retry_announced
            && !self.nodes.is_empty()
            && (holds(t, &RETRY[0]) || holds(t, &RETRY[1]) || holds(t, &RETRY[2]))
        {
            self.retry_announced = true;
        }
        if t.starts_with('=') {
            self.open_section = false;
            if let Some(c) = BANNER.captures(t) {
                let title = c[1].trim();
                self.in_section = title == "FAILURES" || title == "ERRORS";
                self.section_at = line.no;
                self.in_short_summary = title.contains("short test summary");
                self.last_header = None;
            }
        }
        if holds(t, &IN) && COUNTED.iter().any(|f| holds(t, f)) {
            if let Some(c) = FINAL.captures(t) {
                self.add_final(&c[1], line.no);
                self.in_section = false;
                self.in_short_summary = false;
                return;
            }
        }
        if self.in_section && (text.starts_with('_') || text.starts_with(' ') && !text.starts_with("  ")) {
            if let Some(c) = HEADER.captures(text) {
                self.add_header(c[1].trim(), line.no);
                return;
            }
        }
        if let Some(h) = &self.last_header {
            if let Some(msg) = t.strip_prefix("E   ") {
                if let Some(f) = self.headers.get_mut(h) {
                    if f.message.is_empty() {
                        f.message = super::clip_message(msg);
                        f.line = line.no;
                    }
                }
                self.last_header = None;
                return;
            }
        }
        if let Some(rest) = t.strip_prefix("FAILED ").or_else(|| t.strip_prefix("ERROR ")).or_else(|| t.strip_prefix("FAIL ")) {
            self.short_summary(rest, line.no);
            return;
        }
        if t.starts_with("[gw") {
            if let Some(c) = XDIST.captures(t) {
                let id = c[2].to_string();
                self.outcome(&id, &c[1], line.no);
            }
            return;
        }
        if line.hits & VERBOSE_WORDS != 0 && t.contains("::") {
            if let Some(c) = VERBOSE.captures(t) {
                let id = c[1].to_string();
                self.outcome(&id, &c[2], line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        let mut retried = Vec::new();
        for id in std::mem::take(&mut self.rerun) {
            self.nodes.remove(&id);
            let d = dotted(&id);
            retried.push(d.clone());
            for (h, a, b) in &self.sections {
                let hd = dotted(h);
                if d == hd || d.ends_with(&format!(".{hd}")) {
                    out.flaky_lines.push((*a, *b));
                }
            }
            for (f, at) in &self.failed_at {
                if *f == id {
                    out.flaky_lines.push((*at, *at));
                }
            }
            out.flaky_tests.push(id);
        }
        // Fold each section header into the node id it names.
        let known: Vec<(String, String)> = self.nodes.iter().map(|f| (f.id.clone(), dotted(&f.id))).collect();
        let headers = std::mem::take(&mut self.headers);
        for h in headers.iter() {
            let hd = dotted(&h.id);
            // The section of a test that passed on a retry reports no failure.
            if retried.iter().any(|d| d == &hd || d.ends_with(&format!(".{hd}"))) {
                continue;
            }
            let owner = known.iter().find(|(_, d)| d == &hd || d.ends_with(&format!(".{hd}")));
            match owner {
                Some((id, _)) => {
                    if let Some(f) = self.nodes.get_mut(id) {
                        if f.message.is_empty() && !h.message.is_empty() {
                            f.message = h.message.clone();
                            f.line = h.line;
                        }
                    }
                }
                None => self.nodes.add(h.clone()),
            }
        }
        super::report_into(out, &mut self.nodes, &self.counts, &mut self.summary_lines);
    }
}

impl Pytest {
    fn add_final(&mut self, list: &str, no: u32) {
        let mut c = Counts::default();
        let (mut failed, mut passed, mut skipped, mut other) = (0, 0, 0, 0);
        for (n, w) in number_words(list) {
            match w.as_str() {
                "failed" | "error" | "errors" => failed += n,
                "passed" => passed += n,
                "skipped" => skipped += n,
                "xfailed" | "xpassed" => other += n,
                _ => {}
            }
        }
        c.failed = Some(failed);
        c.passed = Some(passed);
        c.skipped = Some(skipped);
        c.run = Some(failed + passed + other);
        self.counts.add(&c);
        self.summary_lines.push(no);
    }

    fn add_header(&mut self, title: &str, no: u32) {
        let (name, file) = if let Some(p) = title.strip_prefix("ERROR collecting ") {
            (p.trim().to_string(), Some(p.trim().to_string()))
        } else if let Some(p) = title.strip_prefix("ERROR at setup of ").or_else(|| title.strip_prefix("ERROR at teardown of ")) {
            (p.trim().to_string(), None)
        } else if let Some(p) = title.strip_prefix("[doctest] ") {
            (p.trim().to_string(), None)
        } else {
            (title.to_string(), None)
        };
        // A header is one name (spaces only inside `[params]`); prose
        // between underscores (`Captured stdout call`) is not.
        if name.is_empty() || file.is_none() && (has_space_outside_brackets(&name) || !HEADER_NAME.is_match(&name)) {
            return;
        }
        let leaf = name.rsplit(['.', '/']).next().unwrap_or(&name).to_string();
        self.last_header = Some(name.clone());
        if self.sections.len() < 10_000 {
            self.sections.push((name.clone(), no, no));
            self.open_section = true;
        }
        self.headers.add(failure(NAME, name, leaf, file, "", no));
    }

    /// `FAILED path::test - message` / `ERROR path - message`.
    fn short_summary(&mut self, rest: &str, no: u32) {
        let (id, msg) = split_node_id(rest);
        let path_like = id.contains("::") || id.ends_with(".py") || (self.in_short_summary && id.contains('/'));
        if !path_like || id.starts_with('(') {
            return;
        }
        // Bounded like `sections`: a log of a million FAILED lines must not grow it without end.
        if self.failed_at.len() < 10_000 {
            self.failed_at.push((id.to_string(), no));
        }
        self.add_node(id, msg, no);
    }

    fn outcome(&mut self, id: &str, what: &str, no: u32) {
        let (id, msg) = split_node_id(id);
        if !(id.contains("::") || id.ends_with(".py")) {
            return;
        }
        match what {
            "FAILED" | "ERROR" => {
                self.rerun.retain(|r| r != id);
                self.add_node(id, msg, no)
            }
            "RERUN" => {
                if !self.rerun.iter().any(|r| r == id) {
                    self.rerun.push(id.to_string());
                }
            }
            // A pass after reruns clears the earlier attempts; so does a
            // pass of a test that failed earlier in the log once a driver
            // announced retries (PyTorch's run_test.py retries a failed
            // test in a new process): it failed, then passed on a retry.
            _ => {
                if self.rerun.iter().any(|r| r == id) {
                    self.nodes.remove(id);
                } else if self.retry_announced && self.nodes.contains(id) {
                    self.rerun.push(id.to_string());
                }
            }
        }
    }

    fn add_node(&mut self, id: &str, msg: &str, no: u32) {
        let file = id.split("::").next().filter(|f| f.ends_with(".py") || f.contains('/')).map(str::to_string);
        let name = id.rsplit("::").next().unwrap_or(id).to_string();
        self.nodes.add(failure(NAME, id.to_string(), name, file, msg, no));
    }
}

/// Split `path::test[param with spaces] - message` into id and message. The
/// id ends at the first space outside `[...]`.
fn split_node_id(s: &str) -> (&str, &str) {
    let s = s.trim();
    let mut depth = 0i32;
    for (i, ch) in s.char_indices() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' if depth <= 0 => {
                let rest = s[i..].trim_start();
                let msg = rest.strip_prefix("- ").unwrap_or("");
                return (&s[..i], msg);
            }
            _ => {}
        }
    }
    (s, "")
}

/// `tests/a.py::TestX::test_y` -> `tests.a.TestX.test_y`, to compare with
/// section headers (`TestX.test_y`).
fn dotted(id: &str) -> String {
    let mut s = id.replace(".py::", "::");
    if s.ends_with(".py") {
        s.truncate(s.len() - 3);
    }
    s.replace("::", ".").replace('/', ".")
}

fn has_space_outside_brackets(s: &str) -> bool {
    let mut depth = 0i32;
    for ch in s.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c.is_whitespace() && depth <= 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_words_are_the_triggers_verbose_needs() {
        let triggers = Pytest::default().triggers();
        let bit = |w: &str| 1u64 << triggers.iter().position(|t| *t == w).expect("a trigger");
        assert_eq!(VERBOSE_WORDS, bit("FAILED") | bit(" ERROR") | bit("RERUN") | bit("PASSED"));
    }
}
