//! The CI steps of a log, as the CI system marks them, seen one line at a
//! time: which step each line belongs to and which step failed the job.
//! Ranking favours lines of the failing step, and the verdict reads what
//! failed inside it.
//!
//! GitHub Actions: a step starts at `##[group]Run …` (and at `Post job
//! cleanup.`); GitHub wraps only the command echo in the group, the step's
//! output follows `##[endgroup]` and belongs to the same step until the
//! next step starts. The failing step is the first one ending in
//! `##[error]Process completed with exit code N` (N ≠ 0); JavaScript and
//! Docker actions fail with an annotation only, so otherwise it is the
//! first non-cleanup step with any `##[error]` line.
//!
//! Azure Pipelines (same `##[` commands and timestamp prefix): a task
//! starts at `##[section]Starting: <name>`; a script task fails with
//! `##[error]Bash exited with code 'N'.` (PowerShell, cmd.exe, or
//! `Script failed with exit code: N`). `Finalize Job` and `Post-job: …`
//! tasks are aftermath.
//!
//! Buildkite (recognised by the agent's own `~~~ Running global … hook`
//! or `~~~ Preparing working directory` group): each `~~~ `, `--- ` or
//! `+++ ` line opens a group (not go test's `--- FAIL:` nor a diff's
//! `--- a/…`); the agent ends a failed job with `🚨 Error: The command
//! exited with status N`, so the failing step is the last group before it.
//!
//! GitLab CI: `section_start:<unix time>:<name>[options]` and
//! `section_end:<unix time>:<name>` markers (each behind `ESC[0K` and hidden
//! by a `\r`), nested for the project's own collapsible sections. GitLab
//! never says which section failed, only `ERROR: Job failed: exit code N`
//! at the end: the failing step is the last section that ran before it and
//! is not the runner's own clean-up (`after_script`, artifact and cache
//! uploads, `cleanup_file_variables`), which run whatever happened.
//!
//! Jenkins Pipeline: `[Pipeline] { (Stage name)` opens a stage,
//! `[Pipeline] // stage` closes it. The failing stage is the one where
//! `ERROR: script returned exit code N` appears, else the one before the
//! first `Stage "X" skipped due to earlier failure(s)`, else, at
//! `Finished: FAILURE`, the last stage that ran (`Declarative: Post Actions`
//! excepted).
//!
//! Travis CI: each command runs between `travis_time:start:<id>` (the same
//! raw line ends in the `$ command` echo, behind `\r ESC[0K`) and
//! `travis_time:end:<id>:…`; a script command that failed says so behind
//! its end marker (`The command "make check" exited with 2.`, or `…
//! failed and exited with 1 during .` in the install phases). Each command
//! is a step named by its echo; what Travis prints between commands
//! (environment exports, cache set-up and upload, `Done. Your build exited
//! with 1.`) belongs to a between-commands step, its own aftermath. The
//! failing step is the first command whose end says it failed: Travis runs
//! the later script commands too, and a retried download or an advisory
//! check that printed errors in a command that passed is noise.
//!
//! `gh run view --log`: every line is `job<TAB>step<TAB>timestamp text`.
//! The step column names the steps; [`Steps::content`] hands the rest of
//! the line to the engine, so rules and parsers read the same text as in
//! a log downloaded from the web UI, and line numbers stay the raw file's.
//!
//! This is the one place that knows step markers: a CI system's markers are
//! added in [`Steps::observe`], never in the engine.

use crate::analysis::Step;

/// Which CI system's markers the log has shown.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum System {
    #[default]
    Unknown,
    GitHub,
    GitLab,
    Jenkins,
    /// `gh run view --log`: tab-separated job and step columns.
    GhRunView,
    /// Buildkite: `~~~`/`---`/`+++` group headers.
    Buildkite,
    /// Travis CI: `travis_time:start:`/`travis_time:end:` around each command.
    Travis,
}

/// A prefix every line of the log carries before the CI system's own text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    #[default]
    None,
    /// `gh run view --log`: `job<TAB>step<TAB>`.
    GhColumns,
    /// GitLab's timestamped job logs: `2024-05-14T12:20:13.520404Z 00O `
    /// (timestamp, stream number, `O`ut or `E`rr, `+` for a continued line).
    GitLabStream,
}

/// Steps seen so far, with what ranking asks on every candidate.
#[derive(Default)]
pub(crate) struct Steps {
    pub(crate) list: Vec<Step>,
    gha: bool,
    /// First step (not a post/cleanup step) with any `##[error]` line: the
    /// failing step when no `Process completed with exit code` says so
    /// (JavaScript and Docker actions fail with an annotation only).
    first_error_step: Option<usize>,
    /// First step whose exit code says it failed; kept here because every
    /// candidate asks and step flags change only on exit-code lines.
    pub(crate) first_failed: Option<usize>,
    system: System,
    prefix: Prefix,
    /// GitLab: names of the open sections, innermost last.
    open: Vec<String>,
    /// Jenkins: a stage already known to have failed the build.
    jenkins_failed: bool,
    /// Inside the current step's header: GitHub echoes the script (and its
    /// `shell:` and `env:`) between `##[group]Run` and `##[endgroup]`.
    pub(crate) in_header: bool,
    /// First line of the current step's own output (after its header).
    pub(crate) output_start: u32,
    /// Travis: the last line was a command's end marker; the next line
    /// starts the between-commands step.
    travis_between: bool,
}

/// GitLab's own sections that run after a failure too: never the failing step.
/// Steps kept apart; real jobs have tens to a few hundred.
const MAX_STEPS: usize = 2048;
/// Name of the last slot once a log has more steps than that.
const MERGED_STEPS: &str = "(later steps, merged: more than 2048 in this log)";

/// The Buildkite agent's own first groups (`~~~ Running global environment
/// hook`, `~~~ Preparing working directory`): a log that has one is a
/// Buildkite job log, and its `---`/`+++`/`~~~` lines are groups.
const BUILDKITE_AGENT: &[&str] = &["Running global ", "Preparing working directory", "Running commands", "Running plugin ", "Running agent ", "Running local "];

/// Name of the lines Travis prints between two commands (after a
/// `travis_time:end:` marker, before the next command's start).
pub(crate) const TRAVIS_BETWEEN: &str = "(Travis, between commands)";

const GITLAB_AFTERMATH: &[&str] = &["after_script", "upload_artifacts_on_failure", "upload_artifacts_on_success", "archive_cache", "archive_cache_on_failure", "cleanup_file_variables"];

impl Steps {
    /// Index of the step the last observed line belongs to (0 when the log
    /// has no steps).
    pub(crate) fn current(&self) -> usize {
        self.list.len().saturating_sub(1)
    }

    /// The last step that is not post-job cleanup: where a job that
    /// failed without saying which step failed (an action that died
    /// without an annotation) most likely stopped.
    pub(crate) fn last_run(&self) -> Option<usize> {
        (0..self.list.len()).rev().find(|&i| !self.is_aftermath(i) && self.list[i].name != "Set up job")
    }

    /// Whether step `index` is the CI system's own aftermath, which runs
    /// whatever happened before it and never causes the failure: GitHub's
    /// `Post …` and `Cleaning up orphan processes`, GitLab's after_script,
    /// artifact and cache uploads and variable clean-up, Jenkins'
    /// `Declarative: Post Actions`.
    pub(crate) fn is_aftermath(&self, index: usize) -> bool {
        self.list.get(index).is_some_and(|s| {
            let n = s.name.as_str();
            n.starts_with("Post ") || n.starts_with("Cleaning up") || n.starts_with("Declarative: Post") || GITLAB_AFTERMATH.contains(&n)
                || n.starts_with("Post-job: ") || n == "Finalize Job"
                || n.ends_with("pre-exit hook") || n.ends_with("post-command hook") || n == TRAVIS_BETWEEN
        })
    }

    /// One line: `raw` as read (without `\n`), `text` the cleaned line
    /// (timestamp cut, ANSI and `\r` redraws removed), not yet checked to
    /// be UTF-8. `had_ts` says the raw line began with a GitHub timestamp.
    #[inline]
    pub(crate) fn observe(&mut self, no: u32, raw: &[u8], text: &[u8], had_ts: bool) {
        if self.travis_between {
            self.travis_between = false;
            self.start(no, TRAVIS_BETWEEN.into());
        }
        // Every marker of every system starts with one of these bytes
        // (`##[`, `Post`, `Cleaning`, `[Pipeline]`, `ERROR:`, `Stage`,
        // `Finished:`; GitLab's behind ESC, `\r` or at `section_`): most lines
        // are rejected by their first byte.
        let marker_start = matches!(text.first(), Some(b'#' | b'P' | b'C' | b'[' | b'E' | b'S' | b'F' | b'~'))
            || matches!(raw.first(), Some(0x1b | b'\r' | b's'))
            || (self.system == System::Buildkite && matches!(text.first(), Some(b'-' | b'+' | 0xF0)))
            || (raw.first() == Some(&b't') && raw.starts_with(b"travis_"))
            || (self.system == System::Travis && text.first() == Some(&b'T'));
        if !marker_start {
            if no == 1 && had_ts {
                self.gha = true;
            }
            return;
        }
        match self.system {
            System::GitLab => return self.gitlab(no, raw, text),
            System::Jenkins => return self.jenkins(no, text),
            System::GhRunView => return self.github(no, text),
            System::Buildkite => return self.buildkite(no, text),
            System::Travis => return self.travis(no, raw, text),
            System::Unknown | System::GitHub => {}
        }
        if raw.starts_with(b"travis_time:") || raw.starts_with(b"travis_fold:") {
            self.system = System::Travis;
            return self.travis(no, raw, text);
        }
        if raw.first() == Some(&b't') {
            return;
        }
        if text.strip_prefix(b"~~~ ").is_some_and(|r| BUILDKITE_AGENT.iter().any(|p| r.starts_with(p.as_bytes()))) {
            self.system = System::Buildkite;
            return self.buildkite(no, text);
        }
        if (raw.first() == Some(&0x1b) || raw.starts_with(b"section_")) && sections(raw).next().is_some() {
            self.system = System::GitLab;
            return self.gitlab(no, raw, text);
        }
        if text.starts_with(b"[Pipeline] ") {
            self.system = System::Jenkins;
            return self.jenkins(no, text);
        }
        if no == 1 && had_ts {
            self.gha = true;
        }
        self.github(no, text);
    }

    /// The CI system's text of a raw line: without the job and step
    /// columns of `gh run view --log` (a new step starts when the step
    /// column changes) or the stream prefix of GitLab's timestamped logs;
    /// the whole line otherwise. Both formats are recognised on line 1.
    #[inline]
    pub(crate) fn content<'a>(&mut self, no: u32, raw: &'a [u8]) -> &'a [u8] {
        if no == 1 {
            if gh_columns(raw).is_some_and(|(_, _, rest)| crate::clean::timestamp_prefix_len(rest) > 0) {
                self.prefix = Prefix::GhColumns;
                self.system = System::GhRunView;
                self.gha = true;
            } else if gitlab_stream_prefix(raw) > 0 {
                self.prefix = Prefix::GitLabStream;
            }
        }
        match self.prefix {
            Prefix::None => raw,
            Prefix::GitLabStream => &raw[gitlab_stream_prefix(raw)..],
            Prefix::GhColumns => {
                let Some((_, step, rest)) = gh_columns(raw) else { return raw };
                let step = step.trim_ascii();
                if self.list.last().is_none_or(|s| s.name.as_bytes() != step) {
                    self.start(no, String::from_utf8_lossy(step).into_owned());
                }
                rest
            }
        }
    }

    /// Adds a step, up to [`MAX_STEPS`]; past that the last slot holds every
    /// later step. A log that repeats itself (a retry loop, a concatenation)
    /// can start a step per repetition, and each step also keys the
    /// engine's per-step counters: memory would grow with the log.
    fn push(&mut self, step: Step) {
        if self.list.len() < MAX_STEPS {
            self.list.push(step);
            return;
        }
        let last = self.list.last_mut().expect("MAX_STEPS > 0");
        if last.name != MERGED_STEPS {
            last.name = MERGED_STEPS.into();
        }
        last.end = last.end.max(step.end);
        last.failed |= step.failed;
        if step.exit_code.is_some() {
            last.exit_code = step.exit_code;
        }
    }

    fn start(&mut self, no: u32, name: String) {
        if let Some(last) = self.list.last_mut() {
            last.end = no.saturating_sub(1).max(last.start);
        }
        self.push(Step { name, start: no, end: no, failed: false, exit_code: None });
        self.in_header = false;
        self.output_start = no + 1;
    }

    fn github(&mut self, no: u32, text: &[u8]) {
        let name = |b: &[u8]| String::from_utf8_lossy(b).trim_end().to_string();
        let start_name = if self.system == System::GhRunView {
            None
        } else if let Some(rest) = text.strip_prefix(b"##[group]") {
            rest.starts_with(b"Run ").then(|| name(rest))
        } else if self.gha && (text.starts_with(b"Post job cleanup.") || text.starts_with(b"Cleaning up orphan processes")) {
            Some(name(text))
        } else {
            // Azure Pipelines: each task opens with `##[section]Starting: <display name>`.
            text.strip_prefix(b"##[section]Starting: ").map(name)
        };
        if let Some(name) = start_name {
            self.gha = true;
            self.system = System::GitHub;
            if self.list.is_empty() && no > 1 {
                self.push(Step { name: "Set up job".into(), start: 1, end: no - 1, failed: false, exit_code: None });
            }
            if let Some(last) = self.list.last_mut() {
                last.end = no - 1;
            }
            self.push(Step { name, start: no, end: no, failed: false, exit_code: None });
            self.in_header = text.starts_with(b"##[group]");
            self.output_start = if self.in_header { u32::MAX } else { no + 1 };
            return;
        }
        if self.system == System::GhRunView && text.starts_with(b"##[group]Run ") {
            // The step column started the step; its header is the same.
            self.in_header = true;
            self.output_start = u32::MAX;
        }
        if self.in_header && text.starts_with(b"##[endgroup]") {
            self.in_header = false;
            self.output_start = no + 1;
        }
        if text.starts_with(b"##[error]") && self.first_error_step.is_none() {
            let cur = self.current();
            if !self.is_aftermath(cur) {
                self.first_error_step = Some(cur);
            }
        }
        if let Some(rest) = text.strip_prefix(b"##[error]Process completed with exit code ").or_else(|| azure_exit(text)) {
            let code = std::str::from_utf8(rest).ok().and_then(|r| r.trim_end_matches(['.', ' ', '\'']).parse::<i32>().ok());
            if self.list.is_empty() {
                self.push(Step { name: "Set up job".into(), start: 1, end: no, failed: false, exit_code: None });
            }
            let s = self.list.last_mut().expect("non-empty");
            s.exit_code = code;
            s.failed = code != Some(0);
            self.first_failed = self.list.iter().position(|s| s.failed);
        }
    }

    fn fail(&mut self, index: usize, code: Option<i32>) {
        if let Some(s) = self.list.get_mut(index) {
            s.failed = true;
            s.exit_code = code.or(s.exit_code);
            self.first_failed = Some(self.first_failed.map_or(index, |f| f.min(index)));
        }
    }

    fn gitlab(&mut self, no: u32, raw: &[u8], text: &[u8]) {
        // `section_end:…:a\r ESC[0K section_start:…:b` share one line.
        for (kind, name) in sections(raw) {
            let name = String::from_utf8_lossy(name).into_owned();
            match kind {
                Section::Start => {
                    if self.list.is_empty() && no > 1 {
                        self.start(1, "Job setup".into());
                    }
                    self.open.push(name.clone());
                    self.start(no, name);
                }
                Section::End => {
                    if let Some(i) = self.open.iter().rposition(|n| *n == name) {
                        self.open.truncate(i);
                    }
                    // Lines after a nested section belong to the one around it.
                    if let Some(outer) = self.open.last().cloned() {
                        self.start(no + 1, outer);
                    }
                }
            }
        }
        // GitLab runs the whole job script in one `step_script` section and
        // echoes each command in green (`ESC[32;1m$ cargo fetch ESC[0;m`);
        // the shell stops at the first command that fails, so each echo
        // starts a step named by its command: a timeout that kills `cargo
        // fetch` is then the job's setup, one that kills `cargo test` is not.
        if raw.starts_with(b"\x1b[32;1m$ ") && self.open.last().is_some_and(|n| n == "step_script" || n == "build_script") {
            if let Some(cmd) = text.strip_prefix(b"$ ") {
                let cmd = String::from_utf8_lossy(cmd).trim_end().to_string();
                if !cmd.is_empty() {
                    self.start(no, format!("$ {cmd}"));
                }
            }
            return;
        }
        // The runner prints its verdict behind the last `section_end` on
        // the same line (`section_end:…:cleanup_file_variables\r ESC[0K
        // ESC[31;1mERROR: Job failed: exit code 1`): `text` is what follows
        // the markers.
        if let Some(rest) = text.strip_prefix(b"ERROR: Job failed") {
            let code = std::str::from_utf8(rest)
                .ok()
                .and_then(|r| r.split("exit code ").nth(1))
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<i32>().ok());
            if self.list.is_empty() {
                self.start(1, "Job setup".into());
            }
            // The runner names its uploads by the script's outcome: after a
            // script that passed it runs `upload_artifacts_on_success`, so a
            // job that failed after one failed in that upload.
            let culprit = self
                .list
                .iter()
                .rposition(|s| s.name == "upload_artifacts_on_success")
                .or_else(|| (0..self.list.len()).rev().find(|&i| !self.is_aftermath(i)))
                .unwrap_or(0);
            self.fail(culprit, code);
        }
    }

    fn jenkins(&mut self, no: u32, text: &[u8]) {
        if let Some(rest) = text.strip_prefix(b"[Pipeline] { (") {
            let name = String::from_utf8_lossy(rest.strip_suffix(b")").unwrap_or(rest)).into_owned();
            if self.list.is_empty() && no > 1 {
                self.start(1, "Start of Pipeline".into());
            }
            self.start(no, name);
            return;
        }
        if self.jenkins_failed {
            return;
        }
        let ran = |s: &Step| !s.name.starts_with("Declarative: ");
        if let Some(rest) = text.strip_prefix(b"ERROR: script returned exit code ") {
            let code = std::str::from_utf8(rest).ok().and_then(|r| r.trim().parse::<i32>().ok());
            if let Some(i) = self.list.iter().rposition(ran) {
                self.fail(i, code);
                self.jenkins_failed = true;
            }
        } else if text.starts_with(b"Stage \"") && memchr::memmem::find(text, b"skipped due to earlier failure").is_some() {
            // The stage that was running before the first skipped one.
            let skipped = self.current();
            if let Some(i) = self.list[..skipped].iter().rposition(ran) {
                self.fail(i, None);
                self.jenkins_failed = true;
            }
        } else if text.starts_with(b"Finished: FAILURE") {
            if let Some(i) = self.list.iter().rposition(ran) {
                self.fail(i, None);
                self.jenkins_failed = true;
            }
        }
    }

    fn buildkite(&mut self, no: u32, text: &[u8]) {
        if let Some(name) = [&b"--- "[..], b"+++ ", b"~~~ "].iter().find_map(|p| text.strip_prefix(*p)) {
            let name = name.trim_ascii();
            // go test's `--- FAIL: TestX` and a diff's `--- a/x` / `+++ b/x`
            // share the prefix but are not groups.
            let not_group = name.is_empty()
                || [&b"FAIL:"[..], b"PASS:", b"SKIP:", b"a/", b"b/", b"/"].iter().any(|p| name.starts_with(p))
                || name.contains(&b'\t');
            if !not_group {
                if self.list.is_empty() && no > 1 {
                    self.start(1, "Job setup".into());
                }
                self.start(no, String::from_utf8_lossy(name).into_owned());
            }
            return;
        }
        if let Some(rest) = text.strip_prefix("🚨 Error: The command exited with status ".as_bytes()) {
            let code = std::str::from_utf8(rest).ok().and_then(|r| r.trim().parse::<i32>().ok());
            if self.list.is_empty() {
                self.start(1, "Job setup".into());
            }
            let culprit = (0..self.list.len()).rev().find(|&i| !self.is_aftermath(i)).unwrap_or(0);
            self.fail(culprit, code);
        }
    }

    fn travis(&mut self, no: u32, raw: &[u8], text: &[u8]) {
        // A command's start marker may follow the previous one's end and
        // fold markers on the same raw line; the echo is what is left of
        // it. Timers without an echo (Travis' own set-up) start no step.
        if let Some(cmd) = text.strip_prefix(b"$ ") {
            if raw.starts_with(b"travis_time:start:") || memchr::memmem::find(raw, b"\x1b[0Ktravis_time:start:").is_some() {
                let cmd = String::from_utf8_lossy(cmd).trim_end().to_string();
                if !cmd.is_empty() {
                    if self.list.is_empty() && no > 1 {
                        self.start(1, TRAVIS_BETWEEN.into());
                    }
                    self.start(no, format!("$ {cmd}"));
                }
                return;
            }
        }
        if raw.starts_with(b"travis_time:start:") || raw.starts_with(b"travis_fold:start:") {
            return;
        }
        if let Some(rest) = text.strip_prefix(b"The command \"") {
            // `…" exited with 2.` or `…" failed and exited with 1 during .`
            let code = memchr::memmem::rfind(rest, b"exited with ")
                .and_then(|i| std::str::from_utf8(&rest[i + 12..]).ok())
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<i32>().ok());
            let cur = self.current();
            if code.is_some_and(|c| c != 0) && !self.list.is_empty() && !self.is_aftermath(cur) && self.first_failed.is_none() {
                self.fail(cur, code);
            }
        }
        // The end marker's line (with its `The command …` verdict) is the
        // command's; what follows is Travis' own until the next command.
        if raw.starts_with(b"travis_time:end:") && !self.list.is_empty() && !self.is_aftermath(self.current()) {
            self.travis_between = true;
        }
    }

    /// Whether the steps are Travis' commands.
    pub(crate) fn is_travis(&self) -> bool {
        self.system == System::Travis
    }

    /// End of input after line `last_no`: the last step ends there.
    pub(crate) fn finish(&mut self, last_no: u32) {
        if let Some(last) = self.list.last_mut() {
            last.end = last_no;
        }
    }

    /// The step that failed the job, if the log says.
    pub(crate) fn failing(&self) -> Option<usize> {
        self.first_failed.or(if self.list.is_empty() { None } else { self.first_error_step })
    }

    /// [`Steps::failing`], unless that step shows no failing work (a test,
    /// a compiler error, `test_lines`) while a later step that also failed
    /// (not the CI system's aftermath) does:
    /// a `continue-on-error` setup step (a job-id lookup that hit a rate
    /// limit, an optional cache restore) fails first and the job goes on,
    /// so the step whose tests failed is where the job really failed.
    pub(crate) fn failing_with_tests(&self, test_lines: &[u32]) -> Option<usize> {
        let first = self.failing()?;
        let has_test = |i: usize| {
            let s = &self.list[i];
            test_lines.iter().any(|&l| s.start <= l && l <= s.end)
        };
        if test_lines.is_empty() || has_test(first) {
            return Some(first);
        }
        Some((first + 1..self.list.len()).find(|&i| self.list[i].failed && !self.is_aftermath(i) && has_test(i)).unwrap_or(first))
    }
}

/// The exit code after an Azure Pipelines script task's failure line
/// (`##[error]Bash exited with code '1'.`, PowerShell, cmd.exe, or the
/// `script` shortcut's `Script failed with exit code: 1`).
fn azure_exit(text: &[u8]) -> Option<&[u8]> {
    let rest = text.strip_prefix(b"##[error]")?;
    ["Bash exited with code '", "PowerShell exited with code '", "Cmd.exe exited with code '", "Script failed with exit code: "]
        .iter()
        .find_map(|p| rest.strip_prefix(p.as_bytes()))
}

enum Section {
    Start,
    End,
}

/// The GitLab section markers of a line that starts with one (after an
/// optional `ESC[0K`), in order: `section_start:1700000000:name[collapsed=true]`,
/// `section_end:1700000003:name`, each ended by `\r ESC[0K`.
fn sections(raw: &[u8]) -> impl Iterator<Item = (Section, &[u8])> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        while let Some(r) = rest.strip_prefix(b"\x1b[0K").or_else(|| rest.strip_prefix(b"\r")) {
            rest = r;
        }
        let (kind, after) = if let Some(r) = rest.strip_prefix(b"section_start:") {
            (Section::Start, r)
        } else {
            (Section::End, rest.strip_prefix(b"section_end:")?)
        };
        let colon = memchr::memchr(b':', after)?;
        if colon == 0 || !after[..colon].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let name = &after[colon + 1..];
        let end = name.iter().position(|&b| matches!(b, b'[' | b'\r' | 0x1b | b' ')).unwrap_or(name.len());
        if end == 0 {
            return None;
        }
        // Past the options and up to the next marker, if any.
        let tail = &name[end..];
        rest = &tail[tail.iter().position(|&b| b == b'\r').unwrap_or(tail.len())..];
        Some((kind, &name[..end]))
    })
}

/// `job<TAB>step<TAB>rest`.
fn gh_columns(raw: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let a = memchr::memchr(b'\t', raw)?;
    let b = a + 1 + memchr::memchr(b'\t', &raw[a + 1..])?;
    Some((&raw[..a], &raw[a + 1..b], &raw[b + 1..]))
}

/// Length of `2024-05-14T12:20:13.520404Z 00O ` (or `01E+`) at the start of
/// a GitLab timestamped job log line; 0 when absent.
fn gitlab_stream_prefix(raw: &[u8]) -> usize {
    let ts = crate::clean::timestamp_prefix_len(raw);
    if ts == 0 {
        return 0;
    }
    let rest = &raw[ts..];
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if rest.len() < 3 || !hex(rest[0]) || !hex(rest[1]) || !matches!(rest[2], b'O' | b'E') {
        return 0;
    }
    let mut n = ts + 3;
    if raw.get(n) == Some(&b'+') {
        n += 1;
    }
    match raw.get(n) {
        Some(b' ') => n + 1,
        None => n,
        // `00O` glued to text is not the stream prefix.
        _ if raw.get(n) == Some(&0x1b) => n,
        _ => 0,
    }
}
