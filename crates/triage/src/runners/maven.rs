//! Maven Surefire / Failsafe (JUnit and TestNG through Maven).
//!
//! Failing tests come from the per-test lines printed under each class
//! (`method(pkg.Class)  Time elapsed: 0.1 s  <<< FAILURE!`, or in newer
//! versions `pkg.Class.method -- Time elapsed: ... <<< ERROR!`) and from the
//! `Results` section (`Failed tests:` / `Tests in error:` in old versions,
//! `[ERROR] Failures:` / `[ERROR] Errors:` in new ones), which names tests as
//! `Class.method:42 message` with the short class name.
//!
//! Ids use Surefire's own `method(pkg.Class)` form (what its reports and
//! older consoles print). A `Results` entry that names a test already seen
//! in a per-test line (same simple class, same method, parameters aside) is
//! the same failure and is not added again; reruns of one test are one
//! failure. Entries under `Flakes:` / `Flaky tests:` passed on rerun and are
//! not failures.
//!
//! Counts: `failed` is Failures + Errors, as Surefire's own verdict counts
//! both. Each module prints its own `Results` totals line; the log's count
//! is the sum of those totals. Per-class lines are only used for modules
//! that never reached their totals line (a forked VM crash), so a test is
//! never counted twice.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "junit";

#[derive(Default)]
pub struct Maven {
    failures: FailureSet,
    /// Class named by the last `Running X` / `... - in X` line.
    class: Option<String>,
    section: Section,
    /// Line number of the `Results` header, to bound the section.
    results_at: u32,
    /// Sum of the `Results` totals lines.
    totals: Counts,
    have_totals: bool,
    /// Per-class counts since the last totals line.
    pending: Counts,
    summary_lines: Vec<u32>,
    /// `Results` entries not yet matched against per-test lines.
    listed: Vec<Listed>,
}

#[derive(Default, PartialEq, Eq, Clone, Copy)]
enum Section {
    #[default]
    None,
    /// After `Results :`, before a sub-list header.
    Results,
    Failed,
    Flaky,
}

struct Listed {
    /// Simple class name as listed (`Outer$Inner` kept).
    class: String,
    method: String,
    /// The full id when the entry gave one (`method(pkg.Class)` or
    /// `pkg.Class.method`).
    full: Option<String>,
    message: String,
    line: u32,
}

static COUNTS: TwinRegex = TwinRegex::new(r"^Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)(?:, Flakes: \d+)?(.*)$");
static PER_TEST: TwinRegex = TwinRegex::new(r"^(.+?)(?:\s+--)?\s+Time elapsed: [\d.,]+ ?s(?:ec)?\s+<<< (FAILURE|ERROR)!\s*$");
/// `method(pkg.Class)`; the method part may hold spaces and brackets.
static METHOD_CLASS: TwinRegex = TwinRegex::new(r"^(.+)\(([\w.$\[\]-]+)\)$");
/// A `Results` entry: `Class.method:42 msg`, `Class.method:42->Other.x:9 » Exc`,
/// `Class.method » Exc msg`, `method(pkg.Class): msg`.
static ENTRY_DOTTED: TwinRegex = TwinRegex::new(r"^([\w$]+(?:\.[\w$]+)*)\.([\w$]+(?:\[[^\]]*\])?)(?::\d+)?(?:->\S+)*(?:\s+(.*))?$");
static ENTRY_PAREN: TwinRegex = TwinRegex::new(r"^([^\s(:]+)\(([\w.$\[\]-]+)\)(?:\([^)]*\))?(?::\s*(.*))?$");

/// Strip Maven's `[INFO] ` / `[ERROR] ` level prefix.
fn body(t: &str) -> (&str, bool) {
    for p in ["[ERROR] ", "[INFO] ", "[WARNING] ", "[WARN] ", "[DEBUG] "] {
        if let Some(r) = t.strip_prefix(p) {
            return (r, true);
        }
    }
    if t == "[ERROR]" || t == "[INFO]" || t == "[WARNING]" {
        return ("", true);
    }
    (t, false)
}

impl RunnerParser for Maven {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["Tests run:", "<<< FAILURE!", "<<< ERROR!", "Running ", "Results", "Failed tests:", "Tests in error:"]
    }

    fn wants_every_line(&self) -> bool {
        self.section != Section::None
    }

    fn feed(&mut self, line: Line<'_>) {
        let raw = super::payload(line.text).trim_end();
        if raw.contains("[junit]") {
            return;
        }
        let (t, _) = body(raw);
        if self.section != Section::None && self.section_line(t, raw, line.no) {
            return;
        }
        if let Some(rest) = t.strip_prefix("Running ") {
            if !rest.contains(' ') && rest.contains('.') {
                self.class = Some(rest.to_string());
            }
            return;
        }
        // Old Surefire's lists are unambiguous even when the `Results :`
        // header was lost among interleaved stderr.
        if matches!(t.trim(), "Failed tests:" | "Tests in error:") {
            self.section = Section::Failed;
            self.results_at = line.no;
            return;
        }
        if t == "Results :" || t == "Results:" {
            self.section = Section::Results;
            self.results_at = line.no;
            return;
        }
        if t.starts_with("Tests run:") {
            if let Some(c) = COUNTS.captures(t) {
                let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
                let (run, f, e, s) = (n(1).unwrap_or(0), n(2).unwrap_or(0), n(3).unwrap_or(0), n(4));
                let k = Counts {
                    run: Some(run),
                    failed: Some(f + e),
                    skipped: Some(s.unwrap_or(0)),
                    passed: Some(run.saturating_sub(f + e + s.unwrap_or(0))),
                };
                let tail = c.get(5).map_or("", |m| m.as_str());
                if tail.contains("Time elapsed") {
                    if let Some(p) = tail.find(" in ") {
                        let class = tail[p + 4..].trim();
                        if !class.is_empty() && !class.contains(' ') {
                            self.class = Some(class.to_string());
                        }
                    }
                    self.pending.add(&k);
                } else if run == 0 && self.pending.run.unwrap_or(0) > 0 {
                    // A crashed fork reports an empty `Results` although
                    // classes ran: their own lines are the better count.
                    self.totals.add(&self.pending.clone());
                    self.have_totals = true;
                    self.pending = Counts::default();
                    self.summary_lines.push(line.no);
                } else {
                    self.totals.add(&k);
                    self.have_totals = true;
                    self.pending = Counts::default();
                    self.summary_lines.push(line.no);
                }
            }
            return;
        }
        if t.contains("<<< ") {
            if let Some(c) = PER_TEST.captures(t) {
                self.per_test(c[1].trim(), line.no);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        // Results entries: keep those no per-test line already reported.
        let listed = std::mem::take(&mut self.listed);
        let known: Vec<(String, String)> = self.failures.iter().map(|f| split_id(&f.id)).collect();
        let mut used = vec![false; known.len()];
        for l in listed {
            if let Some(full) = &l.full {
                if self.failures.contains(full) {
                    continue;
                }
            }
            let base = strip_params(&l.method);
            let hit = known.iter().enumerate().position(|(i, (m, c))| {
                !used[i] && (strip_params(m) == base || m.starts_with(&format!("{base} "))) && (simple(c) == l.class || simple(c) == simple(&l.class) || c.ends_with(&l.class))
            });
            if let Some(i) = hit {
                used[i] = true;
                continue;
            }
            // An entry repeated for a second parameterisation we never saw
            // per test collapses into one id, which is the best we can name.
            let id = l.full.clone().unwrap_or_else(|| format!("{}({})", l.method, l.class));
            self.failures.add(failure(NAME, id, l.method.clone(), None, &l.message, l.line));
        }
        self.failures.drain_into(out);
        let mut c = self.totals.clone();
        if !self.pending.is_empty() {
            c.add(&self.pending);
        }
        if self.have_totals || !c.is_empty() {
            super::add_counts(out, &c);
        }
        out.summary_lines.append(&mut self.summary_lines);
    }
}

impl Maven {
    /// One line inside `Results`. Returns true when the line was consumed.
    fn section_line(&mut self, t: &str, raw: &str, no: u32) -> bool {
        // The totals line closes the section (handled by the caller too).
        if t.starts_with("Tests run:") || no > self.results_at + 2000 || raw.starts_with("[INFO] ---") || raw.starts_with("[INFO] BUILD") {
            self.section = Section::None;
            return false;
        }
        let trimmed = t.trim();
        match trimmed {
            "Failed tests:" | "Tests in error:" | "Failures:" | "Errors:" | "Tests in error: " => {
                self.section = Section::Failed;
                return true;
            }
            "Flaky tests:" | "Flakes:" => {
                self.section = Section::Flaky;
                return true;
            }
            "" => return true,
            _ => {}
        }
        if self.section != Section::Failed {
            return true;
        }
        // Rerun details (`Run 1: ...`) and continuation lines of messages.
        if trimmed.starts_with("Run ") && trimmed.as_bytes().get(4).is_some_and(u8::is_ascii_digit) {
            return true;
        }
        // Entries are indented by two spaces (old) or follow `[ERROR]   `;
        // `[ERROR] pkg.Class.method` (no indent) heads a rerun group.
        let indented = t.starts_with("  ");
        let entry = trimmed;
        if !indented && !t.contains('.') {
            return true;
        }
        if !indented && t.contains(' ') {
            // A wrapped message line, not an entry.
            return true;
        }
        self.add_listed(entry, no);
        true
    }

    fn add_listed(&mut self, entry: &str, no: u32) {
        // JUnit 3 style: `testX on instance testX(pkg.Class)(pkg.Class)`.
        let entry = match entry.find(" on instance ") {
            Some(p) => &entry[p + " on instance ".len()..],
            None => entry,
        };
        if let Some(c) = ENTRY_PAREN.captures(entry) {
            let method = c[1].trim().to_string();
            {
                let class = c[2].to_string();
                let full = if class.contains('.') { Some(format!("{}({})", method, class)) } else { None };
                self.listed.push(Listed {
                    class: simple(&class).to_string(),
                    method,
                    full,
                    message: c.get(3).map_or("", |m| m.as_str()).to_string(),
                    line: no,
                });
                return;
            }
        }
        if let Some(c) = ENTRY_DOTTED.captures(entry) {
            let class = c[1].to_string();
            let method = c[2].to_string();
            // `pkg.Class.method` (fully qualified) vs `Class.method`.
            let full = if class.contains('.') { Some(format!("{}({})", method, class)) } else { None };
            let msg = c.get(3).map_or("", |m| m.as_str());
            let msg = msg.trim_start_matches('»').trim();
            self.listed.push(Listed { class: simple(&class).to_string(), method, full, message: msg.to_string(), line: no });
        }
    }

    fn per_test(&mut self, name: &str, no: u32) {
        let id = if let Some(c) = METHOD_CLASS.captures(name) {
            format!("{}({})", c[1].trim(), &c[2])
        } else if let Some(class) = self.class.as_deref().filter(|c| name == *c) {
            // A class-level failure (`@BeforeAll`, static init).
            class.to_string()
        } else if let Some(rest) = self.class.as_deref().and_then(|c| name.strip_prefix(c)).and_then(|r| r.strip_prefix('.')) {
            format!("{}({})", rest, self.class.as_deref().unwrap_or_default())
        } else if name.contains('.') && !name.contains(' ') {
            let cut = name.find(['(', '[']).unwrap_or(name.len());
            match name[..cut].rfind('.') {
                Some(p) => format!("{}({})", &name[p + 1..], &name[..p]),
                None => name.to_string(),
            }
        } else if let Some(class) = &self.class {
            format!("{}({})", name, class)
        } else {
            name.to_string()
        };
        let method = split_id(&id).0;
        self.failures.add(failure(NAME, id, method, None, "", no));
    }
}

/// `method(pkg.Class)` -> (`method`, `pkg.Class`); a bare class -> ("", class).
fn split_id(id: &str) -> (String, String) {
    match METHOD_CLASS.captures(id) {
        Some(c) => (c[1].to_string(), c[2].to_string()),
        None => (String::new(), id.to_string()),
    }
}

fn simple(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// `doTest[1]` -> `doTest`, `run[5: x](...)` -> `run`.
fn strip_params(m: &str) -> &str {
    let cut = m.find(['[', '(', '{']).unwrap_or(m.len());
    m[..cut].trim()
}
