//! RSpec's progress and documentation formatters, and the formats that
//! copy them: Jasmine's console reporter (`N specs, M failures`, the
//! message under `Message:`), Haskell's hspec and rebar3's EUnit formatter.
//!
//! ```text
//! Failures:
//!
//!   1) User#name returns the full name
//!      Failure/Error: expect(user.name).to eq("John Smith")
//!
//!        expected: "John Smith"
//!             got: "John"
//!      # ./spec/models/user_spec.rb:12:in `block (3 levels) in <top (required)>'
//!
//! Finished in 0.5 seconds (files took 1.2 seconds to load)
//! 10 examples, 1 failure, 2 pending
//!
//! Failed examples:
//!
//! rspec ./spec/models/user_spec.rb:10 # User#name returns the full name
//! ```
//!
//! hspec prints `test/FooSpec.hs:12:5:` above `  1) Foo.bar returns 2` and the
//! message below it, without `Failure/Error:`; rebar3 names EUnit tests
//! `mod_tests:add_test/0: module 'mod_tests'` and counts `3 tests, 1
//! failures`. Ids are the example's full description (RSpec's and hspec's
//! own), or `module:function/arity` for EUnit. The message is the first line
//! after `Failure/Error:` (with the next one when it only names an
//! exception class, `NoMethodError:`), else the first line of the entry
//! that is not a location. `An error occurred while loading ./spec/x_spec.rb`
//! (an example file that does not load) is a failure named by the file.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

/// An entry longer than this stops being read line by line.
const MAX_ENTRY_LINES: u32 = 200;

#[derive(Default)]
pub struct Spec {
    failures: FailureSet,
    in_failures: bool,
    /// Where `Failures:` was: an entry must follow within a few lines.
    failures_at: u32,
    entry: Option<Entry>,
    /// hspec's `file.hs:12:5:` line, naming the next entry's file.
    hspec_file: Option<String>,
    /// `tests` summaries are rebar3's only after it announced EUnit (ExUnit
    /// prints the same words).
    eunit: bool,
    counts: Counts,
    summary_lines: Vec<u32>,
}

struct Entry {
    id: String,
    file: Option<String>,
    framework: &'static str,
    /// The header's line: where the failure is reported.
    at: u32,
    message: Option<String>,
    /// The message is complete.
    done: bool,
}

static HEADER: TwinRegex = TwinRegex::new(r"^\s*\d+\) (.+?)\s*$");
static SUMMARY: TwinRegex = TwinRegex::new(r"^(\d+) (examples?|specs?|tests?), (\d+) failures?(?:, (\d+) (?:pending|cancell?ed))?(?:, (\d+) errors? occurred outside of examples)?\s*$");
static RERUN: TwinRegex = TwinRegex::new(r"^rspec (\./\S+?)(?::\d+|\[[\d:,]+\])? # (.+)$");
static HSPEC_LOCATION: TwinRegex = TwinRegex::new(r"^\s*\S+\.l?hs:\d+:\d+:\s*$");
static EUNIT_ID: TwinRegex = TwinRegex::new(r"^(\w+:\w+/\d+)(?::|$)");

impl Spec {
    fn close(&mut self) {
        if let Some(e) = self.entry.take() {
            let name = e.id.rsplit(' ').next().unwrap_or(&e.id).to_string();
            self.failures.add(failure(e.framework, e.id, name, e.file, e.message.as_deref().unwrap_or(""), e.at));
        }
    }

    fn open(&mut self, id: String, file: Option<String>, framework: &'static str, at: u32) {
        self.close();
        self.entry = Some(Entry { id, file, framework, at, message: None, done: false });
    }

    /// A line inside a failure entry: collect its message.
    fn entry_line(&mut self, t: &str, no: u32) {
        let Some(e) = self.entry.as_mut() else { return };
        if no.saturating_sub(e.at) > MAX_ENTRY_LINES {
            return self.close();
        }
        let s = t.trim();
        if s.is_empty() || s.starts_with("# ") || s.starts_with("%% ") || s.starts_with("To rerun use:") {
            return;
        }
        if s == "Message:" && e.message.is_none() {
            // Jasmine (which copies RSpec's report) labels the message.
            e.framework = "jasmine";
            return;
        }
        if s == "Stack:" {
            e.done = e.message.is_some();
            return;
        }
        if let Some(rest) = s.strip_prefix("Failure/Error:") {
            // RSpec's message follows the failing code; rebar3 puts the
            // failed assertion on this line.
            let rest = rest.trim();
            e.done = e.framework == "eunit" && !rest.is_empty();
            e.message = e.done.then(|| rest.to_string());
            return;
        }
        if e.done {
            return;
        }
        match e.message.as_mut() {
            None => {
                // `NoMethodError:` alone names the class; its text follows.
                e.done = !s.ends_with(':') || s.contains(' ');
                e.message = Some(s.to_string());
            }
            Some(m) => {
                m.push(' ');
                m.push_str(s);
                e.done = true;
            }
        }
    }
}

impl RunnerParser for Spec {
    fn name(&self) -> &'static str {
        "rspec"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["Failures:", " example, ", " examples, ", " test, ", " tests, ", "rspec ./", "error occurred while loading", "Performing EUnit tests"]
    }

    fn wants_every_line(&self) -> bool {
        self.in_failures
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        let s = t.trim_start();
        if s.starts_with("===> Performing EUnit tests") {
            self.eunit = true;
            return;
        }
        if let Some(c) = SUMMARY.captures(s) {
            let tests = c[2].starts_with("test");
            if tests && !self.eunit {
                return;
            }
            self.close();
            self.in_failures = false;
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
            let (run, failed, pending) = (n(1).unwrap_or(0), n(3).unwrap_or(0) + n(5).unwrap_or(0), n(4).unwrap_or(0));
            self.counts.add(&Counts {
                run: Some(run),
                failed: Some(failed),
                skipped: Some(pending),
                passed: Some(run.saturating_sub(failed.min(run) + pending)),
            });
            self.summary_lines.push(line.no);
            return;
        }
        if let Some(c) = RERUN.captures(s) {
            let (file, id) = (c[1].to_string(), c[2].to_string());
            if let Some(f) = self.failures.get_mut(&id) {
                f.file.get_or_insert(file);
            } else {
                let name = id.rsplit(' ').next().unwrap_or(&id).to_string();
                self.failures.add(failure("rspec", id, name, Some(file), "", line.no));
            }
            return;
        }
        if let Some(file) = s.strip_prefix("An error occurred while loading ").and_then(|r| r.strip_suffix('.')) {
            self.in_failures = true;
            self.open(file.to_string(), Some(file.to_string()), "rspec", line.no);
            return;
        }
        if s == "Failures:" {
            self.close();
            self.in_failures = true;
            self.failures_at = line.no;
            return;
        }
        if !self.in_failures {
            return;
        }
        if self.entry.is_none() && line.no > self.failures_at + 3 && self.failures.is_empty() {
            // `Failures:` of some other tool.
            self.in_failures = false;
            return;
        }
        if s.starts_with("Finished in ") || s == "Failed examples:" || s.starts_with("Randomized with seed") || s.starts_with("Top ") {
            self.close();
            self.in_failures = false;
            return;
        }
        if HSPEC_LOCATION.is_match(s) {
            self.close();
            let file = s.trim_end_matches(':');
            self.hspec_file = Some(file.rsplitn(3, ':').nth(2).unwrap_or(file).to_string());
            self.failures_at = line.no;
            return;
        }
        if let Some(c) = HEADER.captures(t) {
            let title = c[1].to_string();
            let file = self.hspec_file.take();
            let (id, framework) = match EUNIT_ID.captures(&title) {
                Some(e) => (e[1].to_string(), "eunit"),
                None if file.is_some() => (title, "hspec"),
                None => (title, if self.eunit { "eunit" } else { "rspec" }),
            };
            self.open(id, file, framework, line.no);
            return;
        }
        self.entry_line(t, line.no);
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close();
        super::report_into(out, &mut self.failures, &self.counts, &mut self.summary_lines);
    }
}
