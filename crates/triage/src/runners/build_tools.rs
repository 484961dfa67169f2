//! What the build tools and CI systems say failed: not the error, the unit
//! of work that failed, which the verdict reads to decide the category
//! (`docs/triage.md`, Verdict). Each format as its tool documents or
//! prints it:
//!
//! ```text
//! [ERROR] Failed to execute goal org.apache.maven.plugins:maven-checkstyle-plugin:2.17:check (default) on project x: …
//! Execution failed for task ':app:checkstyleMain'.                     (Gradle)
//! > Task :app:javadoc FAILED                                           (Gradle console)
//! make[1]: *** [Makefile:12: lint] Error 1                             (GNU make 4; 3.x: `*** [lint] Error 1`)
//! npm ERR! pkg@1.0.0 lint: `eslint .`                                   (npm ≤ 6)
//! npm ERR! Lifecycle script `lint` failed with error:                   (npm 7+; npm 10: `npm error …`)
//!  ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  pkg@1.0.0 lint: `eslint .`        (pnpm)
//! ERROR:   lint: commands failed                                        (tox 3)
//! ERROR: InvocationError for command /p/.tox/lint/bin/flake8 src (exited with code 1)
//!   lint: FAIL code 1 (3.21=setup[2.10]+cmd[1.11] seconds)              (tox 4)
//! nox > Session lint failed.                                            (nox)
//! ERROR: failed to solve: process "/bin/sh -c pip install -r r.txt" did not complete successfully: exit code: 1
//! The command '/bin/sh -c make' returned a non-zero code: 2             (docker build, classic builder)
//! - hook id: mypy                                                       (pre-commit)
//! * checking Rd files ... ERROR                                         (R CMD check)
//! The command "mvn install -DskipTests" exited with 1.                  (Travis CI)
//! ```
//!
//! No failing tests or counts come from here; only [`ToolFailure`]s.

use std::sync::LazyLock;

use memchr::memmem;

use super::{TwinRegex, Line, RunnerParser, RunnerReport, ToolFailure, ToolLevel};

/// The literals `feed` looks for, each searcher built once: `str::contains`
/// built one per call (a tenth of a percent of the engine each, on the
/// logsage logs).
struct Literals {
    maven: memmem::Finder<'static>,
    gradle: [memmem::Finder<'static>; 2],
    make: memmem::Finder<'static>,
    pnpm: memmem::Finder<'static>,
    tox: [memmem::Finder<'static>; 3],
    docker: [memmem::Finder<'static>; 3],
}

static LITERALS: LazyLock<Literals> = LazyLock::new(|| {
    let f = |s: &str| memmem::Finder::new(s.as_bytes()).into_owned();
    Literals {
        maven: f(MAVEN_GOAL),
        gradle: [f("Execution failed for task"), f("> Task :")],
        make: f("*** ["),
        pnpm: f("ERR_PNPM_"),
        tox: [f("commands failed"), f(": FAIL "), f("InvocationError")],
        docker: [f("did not complete successfully"), f("executor failed running"), f("returned a non-zero code")],
    }
});

const MAVEN_GOAL: &str = "Failed to execute goal ";

const TRIGGERS: &[&str] = &[
    MAVEN_GOAL,
    "Execution failed for task",
    "> Task :",
    "*** [",
    "npm ERR! ",
    "npm error Lifecycle script",
    "ERR_PNPM_",
    "commands failed",
    ": FAIL ",
    "InvocationError for command",
    "nox > Session",
    "did not complete successfully",
    "executor failed running",
    "returned a non-zero code",
    "- hook id: ",
    " ... ERROR",
    " ...ERROR",
    "The command \"",
];
// Indices into TRIGGERS of the literals `feed` needs to know about (a test
// holds them to the list).
const T_MAVEN: usize = 0;
const T_GRADLE_FAILED: usize = 1;
const T_GRADLE_TASK: usize = 2;
const T_MAKE: usize = 3;
const T_PNPM: usize = 6;
const T_TOX: [usize; 3] = [7, 8, 9];
const T_DOCKER: [usize; 3] = [11, 12, 13];

#[derive(Default)]
pub struct BuildTools {
    found: Vec<ToolFailure>,
}

static GRADLE: TwinRegex = TwinRegex::new(r"(?:^|\s)(?:Execution failed for task '(?P<task>[^']+)'|> Task (?P<task2>:\S+) FAILED\s*$)");
static MAKE: TwinRegex = TwinRegex::new(r"^(?:\S*/)?(?:g?make|mingw32-make)(?:\.exe)?(?:\[\d+\])?: \*\*\* \[(?P<target>[^\]]+)\] (?:Error|Interrupt)");
static NPM: TwinRegex = TwinRegex::new(concat!(
        r"^npm ERR! \S+@\S+ (?P<script>\S+): `(?P<cmd>.*)`\s*$",
        r"|^npm (?:ERR!|error) Lifecycle script `(?P<script2>[^`]+)` failed",
        r"|ERR_PNPM_\w+\s+\S+ (?P<script3>\S+): `(?P<cmd3>.*)`",
    ));
static TOX: TwinRegex = TwinRegex::new(concat!(
        r"^ERROR:\s+(?P<env>[\w.-]+): commands failed",
        r"|^\s*(?P<env2>[\w.-]+): FAIL (?:code \d+|✖)",
        r"|^ERROR: InvocationError for command (?P<cmd>.+?)(?: \(exited with code \d+\))?$",
    ));
static NOX: TwinRegex = TwinRegex::new(r"^nox > Session (?P<session>\S+) (?:failed|aborted)");
static DOCKER: TwinRegex = TwinRegex::new(concat!(
        r#"process "(?:/bin/(?:ba)?sh -c )?(?P<cmd>.*)" did not complete successfully"#,
        r"|executor failed running \[(?:/bin/(?:ba)?sh -c )?(?P<cmd2>.*)\]: ",
        r"|^The command '(?:/bin/(?:ba)?sh -c )?(?P<cmd3>.*)' returned a non-zero code",
    ));
static R_CHECK: TwinRegex = TwinRegex::new(r"^\* checking (.+?) \.\.\. ?ERROR");
static TRAVIS: TwinRegex = TwinRegex::new(r#"^The command "(?P<cmd>.*)" (?:exited with (?P<code>\d+)|failed(?: and exited with (?P<code2>\d+))?)"#);

impl BuildTools {
    fn add(&mut self, line: u32, level: ToolLevel, source: &'static str, names: Vec<String>) {
        let names: Vec<String> = names.into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        if !names.is_empty() {
            self.found.push(ToolFailure { line, level, names, source });
        }
    }
}

/// `org.apache.maven.plugins:maven-checkstyle-plugin:2.17:check` →
/// `["maven-checkstyle-plugin", "check"]` (artifactId, then goal).
fn maven_goal(coordinates: &str) -> Vec<String> {
    let parts: Vec<&str> = coordinates.split(':').collect();
    let goal = parts.last().copied().unwrap_or("");
    let artifact = match parts.len() {
        4.. => parts[parts.len() - 3],
        // `groupId:artifactId:goal` or `artifactId:version:goal`.
        3 if parts[1].starts_with(|c: char| c.is_ascii_digit()) => parts[0],
        3 => parts[1],
        _ => return Vec::new(),
    };
    vec![artifact.to_string(), goal.to_string()]
}

/// A tox environment's names: itself, and `tests` when one of its factors
/// is a Python interpreter (`py311`, `pypy3-django42`): tox's convention
/// for the environments that run the test suite.
fn tox_env(env: &str) -> Vec<String> {
    let mut names = vec![env.to_string()];
    let interpreter = |f: &str| {
        let v = f.strip_prefix("pypy").or_else(|| f.strip_prefix("py"));
        v.is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
    };
    if env.split('-').any(interpreter) {
        names.push("tests".to_string());
    }
    names
}

/// A command line with its program's directory dropped
/// (`/p/.tox/lint/bin/flake8 src` → `flake8 src`).
fn command(cmd: &str) -> String {
    let cmd = cmd.trim();
    let (program, rest) = cmd.split_once(' ').unwrap_or((cmd, ""));
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    format!("{program} {rest}")
}

impl RunnerParser for BuildTools {
    fn name(&self) -> &'static str {
        "build-tools"
    }

    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim_end();
        let no = line.no;
        // Each format's regex runs only on lines holding its own literal.
        // The engine says which of the triggers the whole line holds: a
        // literal it did not find is not in `t` either, so only the found
        // ones are searched for again (most lines fed here are Gradle's
        // `> Task :x` lines, which ran eleven searches before).
        let lits = &*LITERALS;
        let has = |k: usize, f: &memmem::Finder| line.has(k) && f.find(t.as_bytes()).is_some();
        let any = |ks: [usize; 3], fs: &[memmem::Finder; 3]| (0..3).any(|i| has(ks[i], &fs[i]));
        // `> Task :x FAILED` must end `t` (trimmed: `\s*$` has nothing
        // left to match), so other task lines skip the capture.
        let gradle = has(T_GRADLE_FAILED, &lits.gradle[0]) || t.ends_with("FAILED") && has(T_GRADLE_TASK, &lits.gradle[1]);
        if let Some(rest) = line.has(T_MAVEN).then(|| lits.maven.find(t.as_bytes())).flatten().map(|p| &t[p + MAVEN_GOAL.len()..]) {
            let coordinates = rest.split(' ').next().unwrap_or("");
            self.add(no, ToolLevel::Task, "maven", maven_goal(coordinates));
        } else if let Some(c) = gradle.then(|| GRADLE.captures(t)).flatten() {
            let task = c.name("task").or_else(|| c.name("task2")).map_or("", |m| m.as_str());
            let name = task.rsplit(':').next().unwrap_or(task);
            self.add(no, ToolLevel::Task, "gradle", vec![name.to_string()]);
        } else if let Some(c) = has(T_MAKE, &lits.make).then(|| MAKE.captures(t)).flatten() {
            // `Makefile:12: lint` (GNU make 4 names the recipe's place).
            let target = c["target"].rsplit(": ").next().unwrap_or("");
            self.add(no, ToolLevel::Script, "make", vec![target.to_string()]);
        } else if let Some(c) = (t.starts_with("npm ") || has(T_PNPM, &lits.pnpm)).then(|| NPM.captures(t)).flatten() {
            let script = ["script", "script2", "script3"].iter().find_map(|g| c.name(g)).map_or("", |m| m.as_str());
            let cmd = c.name("cmd").or_else(|| c.name("cmd3")).map_or("", |m| m.as_str());
            // `test:unit`, `lint:css`: by convention the part before the
            // first colon is the kind of script, the rest its variant.
            let mut names = Vec::new();
            if let Some((kind, _)) = script.split_once(':') {
                names.push(kind.to_string());
            }
            names.extend([script.to_string(), cmd.to_string()]);
            self.add(no, ToolLevel::Script, "npm", names);
        } else if let Some(c) = any(T_TOX, &lits.tox).then(|| TOX.captures(t)).flatten() {
            match c.name("env").or_else(|| c.name("env2")) {
                Some(env) => self.add(no, ToolLevel::Script, "tox", tox_env(env.as_str())),
                None => self.add(no, ToolLevel::Script, "tox", vec![command(&c["cmd"])]),
            }
        } else if let Some(c) = t.starts_with("nox > ").then(|| NOX.captures(t)).flatten() {
            self.add(no, ToolLevel::Script, "nox", vec![c["session"].to_string()]);
        } else if let Some(c) = any(T_DOCKER, &lits.docker).then(|| DOCKER.captures(t)).flatten() {
            let cmd = ["cmd", "cmd2", "cmd3"].iter().find_map(|g| c.name(g)).map_or("", |m| m.as_str());
            self.add(no, ToolLevel::Script, "docker", vec![cmd.to_string()]);
        } else if let Some(id) = t.trim_start().strip_prefix("- hook id: ") {
            // pre-commit runs linters and formatters, whatever a hook is
            // called (`make-rst`, `pip-compile`).
            self.add(no, ToolLevel::Script, "pre-commit", vec![format!("pre-commit hook {id}")]);
        } else if let Some(c) = t.starts_with("* checking ").then(|| R_CHECK.captures(t)).flatten() {
            // `* checking tests ... ERROR`, `* checking Rd files ... ERROR`.
            self.add(no, ToolLevel::Script, "R CMD check", vec![c[1].to_string()]);
        } else if let Some(c) = t.starts_with("The command \"").then(|| TRAVIS.captures(t)).flatten() {
            let code = c.name("code").or_else(|| c.name("code2")).map(|m| m.as_str());
            if code != Some("0") {
                self.add(no, ToolLevel::Command, "travis", vec![c["cmd"].to_string()]);
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        out.tools.append(&mut self.found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_indices_name_the_literals_feed_looks_for() {
        assert_eq!(TRIGGERS[T_MAVEN], MAVEN_GOAL);
        assert_eq!(TRIGGERS[T_GRADLE_FAILED], "Execution failed for task");
        assert_eq!(TRIGGERS[T_GRADLE_TASK], "> Task :");
        assert_eq!(TRIGGERS[T_MAKE], "*** [");
        assert_eq!(TRIGGERS[T_PNPM], "ERR_PNPM_");
        assert_eq!(T_TOX.map(|k| TRIGGERS[k]), ["commands failed", ": FAIL ", "InvocationError for command"]);
        assert_eq!(T_DOCKER.map(|k| TRIGGERS[k]), ["did not complete successfully", "executor failed running", "returned a non-zero code"]);
    }

    fn tools(log: &str) -> Vec<(ToolLevel, &'static str, Vec<String>)> {
        let mut p = BuildTools::default();
        for (i, text) in log.lines().enumerate() {
            let hits = super::super::hits_of(p.triggers(), text);
            if hits != 0 {
                p.feed(Line { no: i as u32 + 1, text, hits });
            }
        }
        let mut out = RunnerReport::default();
        p.finish(&mut out);
        out.tools.into_iter().map(|t| (t.level, t.source, t.names)).collect()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_tool_names_what_failed() {
        use ToolLevel::*;
        let log = "\
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-checkstyle-plugin:2.17:check (default) on project x: You have 1 Checkstyle violation. -> [Help 1]
[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project a:b:jar:1.0
Execution failed for task ':app:compileTestJava'.
> Task :lib:javadoc FAILED
make[1]: *** [Makefile:12: lint] Error 1
make: *** [test] Error 2
npm ERR! pkg@1.0.0 lint:js: `eslint .`
npm error Lifecycle script `docs` failed with error:
 ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  @scope/pkg@0.1.0 typecheck: `tsc --noEmit`
ERROR:   py38-django32: commands failed
  mypy: FAIL code 1 (3.21=setup[2.10]+cmd[1.11] seconds)
ERROR: InvocationError for command /home/u/p/.tox/lint/bin/flake8 src tests (exited with code 1)
nox > Session docs-3.11 failed.
#8 ERROR: process \"/bin/sh -c pip install -r requirements.txt\" did not complete successfully: exit code: 1
The command '/bin/sh -c make all' returned a non-zero code: 2
- hook id: black
The command \"mvn install -Dmaven.javadoc.skip=true\" exited with 1.
The command \"pip install .\" exited with 0.
The command \"pytest\" failed and exited with 2 during .
";
        assert_eq!(
            tools(log),
            vec![
                (Task, "maven", names(&["maven-checkstyle-plugin", "check"])),
                (Task, "gradle", names(&["compileTestJava"])),
                (Task, "gradle", names(&["javadoc"])),
                (Script, "make", names(&["lint"])),
                (Script, "make", names(&["test"])),
                (Script, "npm", names(&["lint", "lint:js", "eslint ."])),
                (Script, "npm", names(&["docs"])),
                (Script, "npm", names(&["typecheck", "tsc --noEmit"])),
                (Script, "tox", names(&["py38-django32", "tests"])),
                (Script, "tox", names(&["mypy"])),
                (Script, "tox", names(&["flake8 src tests"])),
                (Script, "nox", names(&["docs-3.11"])),
                (Script, "docker", names(&["pip install -r requirements.txt"])),
                (Script, "docker", names(&["make all"])),
                (Script, "pre-commit", names(&["pre-commit hook black"])),
                (Command, "travis", names(&["mvn install -Dmaven.javadoc.skip=true"])),
                (Command, "travis", names(&["pytest"])),
            ]
        );
    }

    #[test]
    fn lines_that_only_mention_a_failure_are_not_statements() {
        let log = "\
make: *** No rule to make target 'html'.  Stop.
> Task :app:compileJava
> Task :app:test UP-TO-DATE
npm ERR! code ELIFECYCLE
tox: FAIL is printed in prose here
";
        assert!(tools(log).is_empty(), "{:?}", tools(log));
    }
}
