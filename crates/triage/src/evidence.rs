//! Category from evidence, format-independent (issue #13, cat14).
//!
//! When the best line says only *that* something failed (a generic
//! candidate, an `unknown` rule), the verdict reads, on the few best-ranked
//! lines and the lines around them (never on every line of the log):
//!
//! 1. **statements of what failed** any build tool or CI prints in some
//!    shape (`Failed to execute goal …maven-checkstyle-plugin…`, `The
//!    command "pyflakes src" exited with 1`, `Execution failed for task
//!    ':javadoc'`, `make: *** [lint]`, `error: command 'gcc' failed`):
//!    the tool they name is looked up in `[[tool_kind]]`;
//! 2. **vocabulary classes** of the key lines and their neighbours: words
//!    and shapes that say what kind of failure a line reports in any
//!    language (`cannot find symbol`, `was not declared in this scope` →
//!    compilation; `AssertionError`, `expected … but was` → test failure;
//!    `Could not resolve dependencies`, `No matching distribution` →
//!    dependency; `Connection refused`, `Temporary failure in name
//!    resolution` → infra; `Killed`, `MemoryError`, `std::bad_alloc` →
//!    oom; `timed out`, `exceeded the maximum execution time` → timeout;
//!    `file:line:col: E501 …` → lint).
//!
//! Each class has a weight; a match on a key line counts more than one on
//! a neighbour, and the best-ranked line more than the fifth. The class
//! with the most weight is the evidence, and the phrase that weighed most
//! is reported (`Verdict::evidence`) so a reader sees why.

use crate::analysis::Category;
use crate::candidate::Candidate;
use crate::rules::RuleSet;
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Ranked lines read (the best first).
const TOP: usize = 5;
/// Weight of the i-th best line.
const RANK_WEIGHT: [f32; TOP] = [5.0, 3.0, 2.0, 1.5, 1.0];
/// A match on the key line itself counts this many times one on a neighbour.
const KEY_LINE: f32 = 3.0;

/// What the words of the best lines say.
#[derive(Debug, Clone)]
pub(crate) struct Evidence {
    pub category: Category,
    /// Total weight of `category`'s matches.
    pub score: f32,
    /// Total weight of the runner-up category.
    pub runner_up: f32,
    /// The phrase that weighed most, and its line.
    pub phrase: String,
    pub line: u32,
    /// The best line's own words decided over what its neighbours say.
    pub decisive: bool,
}

impl Evidence {
    /// Clearly more than any other class says, and more than a stray
    /// word on a neighbour.
    pub fn strong(&self) -> bool {
        self.score >= 9.0 && self.score >= 1.5 * self.runner_up
    }

    /// An outside cause (the tool could not run) needs only to weigh as
    /// much as any other class: what failed inside could not be reached.
    pub fn strong_outside(&self) -> bool {
        self.decisive || self.score >= 9.0 && self.score >= self.runner_up
    }

    pub fn describe(&self) -> String {
        format!("line {}: `{}`", self.line, self.phrase)
    }
}

/// A class of words: the category it implies and how much one match weighs.
struct Class {
    category: Category,
    weight: f32,
    re: regex_automata::meta::Regex,
    /// Matched on the text as printed; the others on its ASCII lower case.
    cased: bool,
}

fn class(category: Category, weight: f32, pattern: &str) -> Class {
    // Matched on lower-cased text rather than with `(?i)`: the case
    // variants of these long word lists made compiling them cost ~30 ms,
    // more than a small log's whole analysis.
    Class { category, weight, re: words(pattern), cased: false }
}

fn class_cased(category: Category, weight: f32, pattern: &str) -> Class {
    Class { category, weight, re: words(pattern), cased: true }
}

/// A word list searched on a few short lines: no literal prefilter, whose
/// construction (the case variants of hundreds of words) cost more than
/// the searches it would speed up.
fn words(pattern: &str) -> regex_automata::meta::Regex {
    use regex_automata::{meta, util::syntax};
    meta::Regex::builder()
        .configure(meta::Config::new().auto_prefilter(false).utf8_empty(false).onepass(false).backtrack(false).which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit))
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .expect("static vocabulary regex")
}

static CLASSES: LazyLock<Vec<Class>> = LazyLock::new(|| {
    use Category::*;
    vec![
        // Out of memory: the kernel, the runtime or the allocator said so.
        class(Oom, 3.0, r"out of memory|outofmemoryerror|\bmemoryerror\b|std::bad_alloc|cannot allocate memory|can't allocate memory|failed to allocate|oom[- ]?kill|\boom\b|killed process \d+|java heap space|gc overhead limit exceeded|heap out of memory|memory exhausted|virtual memory exhausted|\benomem\b|exit code 137|signal:? 9\b|memory allocation of \d+ bytes failed|sigkill|^\s*killed\s*$|\b\d+ killed\s|cannot allocate (?:vector|\d+ bytes)|memory .*exhausted|\bkilled\b.*\b(?:signal|memory)\b"),
        // Out of time.
        class(Timeout, 2.5, r"timed out|\btimeout\b|timeoutexpired|time ?limit|deadline exceeded|exceeded the maximum execution time|took longer than|no output has been received|took too long|\bexit(?:ed)?(?: with)?(?: code| status)? 124\b|sending signal term|watchdog"),
        // The machine, the network or a service failed.
        class(Infra, 3.0, r"connection refused|connection reset|econnrefused|econnreset|etimedout|eai_again|could not resolve host|dial tcp|no such host|system failure|pod \S+ (?:is disrupted|status is)|\bevict(?:ed|ion)\b|container not found|file size limit exceeded|nxdomain|couldn.t resolve host|failed_connect|temporary failure in name resolution|name or service not known|unknown host|no route to host|network is unreachable|getaddrinfo|tls handshake|ssl: |\b50[234]\b (?:service unavailable|bad gateway|gateway time)|service unavailable|bad gateway|rate limit|lost communication|runner has received a shutdown|no space left on device|error response from daemon|could not connect|failed to connect|unable to connect|connecterror|cuda error|nvidia driver|device-side assert|broken pipe"),
        // A dependency could not be had.
        class(Dependency, 3.0, r"could not resolve dependenc|failed to collect dependencies|could not find artifact|could not transfer artifact|dependencyresolutionexception|pluginresolutionexception|could not be resolved|no matching distribution|could not find a version that satisfies|resolutionimpossible|unable to resolve dependency|eresolve|version solving failed|no matching package|not found in (?:the )?registry|\b404\b.*not found|not found.*\b404\b|\be404\b|unable to locate package|has no installation candidate|failed to fetch|failed to download|could not download|command not found|cannot update the lock file|lock ?file .*(?:out of date|needs to be updated|not up to date)|cannot find module|module_not_found|no module named|modulenotfounderror|can.t locate \S+ in @inc|there is no package called|module \S+ not found|dependency is not available|unchecked dependencies|vendor/autoload|failed to fetch .*\bdep|could not find gem|missingspec|^loaderror|configure: error: .*(?:required|cannot find|not found|install|missing)|compiler cannot create executables|failed to create task or type|did not find one|could not find a package configuration|find_package|conflicting dependencies|unsatisfiable|failed to select a version|no solution found|requires.*which is not installed|cannot find package|could not find module|failed to load package"),
        // The code did not compile.
        class(Compilation, 3.0, r"compilation (?:error|failed|terminated)|compile error|compiler error|could not compile|failed to compile|cannot find symbol|was not declared in this scope|undeclared identifier|use of undeclared|undeclared \(first use|undefined reference to|ld returned \d+ exit status|linker command failed|fatal error: [^ ]+: no such file|\.h: no such file|'[^' ]{1,12}' expected|expected ';'|unexpected (?:symbol|token|end of|'[^']+')|incompatible types|cannot be converted to|package [\w.]+ does not exist|\bsyntax error\b|syntaxerror|unexpected token|error\[e\d{4}\]|error ts\d{3,}|error cs\d{4}|error c\d{4}|mismatched types|cannot convert|too (?:many|few) arguments to function|no matching function|has no member named|is not a member of|does not name a type|incompatible types|unresolved (?:external|reference|import)|not found: (?:value|type)|ninja: build stopped|failed to run custom build command|cppcompileerror|error building extension|-werror|might not have been initialized|cannot infer type|method does not override|is not abstract and does not override|non-static .* cannot be referenced|duplicate class|unreachable statement|missing return statement|cannot resolve symbol|no member named|implicit declaration of function|conflicting types for|redefinition of|undefined symbol|unknown type name|unable to resolve class|multiplecompilationerrorsexception|couldn.t match (?:expected )?type|unbound (?:value|module|constructor)|no rule to make target|failed to build|not declared"),
        // Class loading failed: a missing jar, or noise a JVM prints anyway.
        class(Dependency, 1.0, r"classnotfoundexception|noclassdeffounderror"),
        // A program crashed at run time: usually the tests' program.
        class(TestFailure, 1.0, r#"exception in thread "main"|segmentation fault|core dumped|uncaught exception|stackoverflowerror|traceback \(most recent call last\)|^e\s{2,}\S"#),
        // A compiler's `file:line:col: error:` shape.
        class(Compilation, 1.5, r"^\S+:\d+:\d+: (?:fatal )?error:"),
        // A test ran and failed.
        class(TestFailure, 2.5, r"assertionerror|assertion ?failed|assertionfailederror|comparisonfailure|assert(?:ion)? .*(?:failed|!=|==)|expected:? ?<.*> but was|\bexpected\b.*\b(?:but (?:was|got)|got|actual)\b|<<< (?:failure|error)!|tests? (?:failed|failures)|\btests run:.*(?:failures|errors): [1-9]|\bfailed\b.*::|^failed |--- fail:|^not ok \d+|\bfailures?:\s*[1-9]|panicked at|\bfailing tests?\b|test failed|\btest_\w+\b.*\b(?:failed|error)\b|\bfail(?:ed)?\s+\S*test|\bfail!|test .* \.\.\. (?:fail|error)|spec failed|expect\(|to equal\b|should (?:be|equal|have)|unexpected exception|^(?:error|fail|failed): test|failure/error|\?assert\w*|expected .* to be|^\s*\d+\) failure|error running tests|testtimedoutexception|test timed out|addresssanitizer|undefinedbehaviorsanitizer|runtime error: |leaksanitizer|assert_failure|^fail: \S|# fail:\s+[1-9]|\w+(?:error|exception) at \w*tests?\.java:\d+"),
        // A linter, formatter or static checker refused the code.
        class(Lint, 3.0, r"\b(?:lint(?:er|ing)?|checkstyle|flake8|pyflakes|pylint|pycodestyle|eslint|rubocop|clippy|ruff|mypy|pyright|black|prettier|gofmt|golangci|staticcheck|shellcheck|ktlint|detekt|spotless|scalafmt|rustfmt)\b|would reformat|reformatted|imported but unused|unused import|line too long|trailing whitespace|missing (?:a )?javadoc|(?:unused|expected) @(?:param|return|throws)|\bgo vet\b|\bvet:|reads arg #\d|\bstyle\b.*\b(?:error|violation|issue)|violations? (?:found|detected)|code style|incorrectly formatted|not formatted|formatting (?:issues|check)|wrong (?:order|indentation)"),
        // Checkstyle's `(javadoc) JavadocType: …` and `… [MissingSwitchDefault]`,
        // a linter's `file:12:5: E501 …` code, ShellCheck's `SC2086`.
        class_cased(Lint, 3.0, r"\([a-z]+\) [A-Z][a-z]\w+: |\[[A-Z][a-z]+[A-Z][a-zA-Z]+\]\s*$|:\d+:\d+: [A-Z]{1,3}\d{2,4}\b|\bSC\d{4}\b"),
        // Building or checking documentation failed.
        class(Docs, 3.0, r"sphinx|javadoc (?:error|failed|generation)|generating javadoc|javadoc: error|doclint|latex error|\.sty\W* not found|no output pdf|docstring|doxygen|mkdocs|rustdoc|\.rst:\d+|unknown document|undefined label|unknown target name|autodoc|broken (?:link|reference)|build-html|\bdocs?\b.*\b(?:failed|error|build)\b|unknown tag: |no @param|no @return|@param .* not found|rd files|vignette|codoc mismatch|documentation object"),
        // The job's configuration or setup is wrong.
        class(Config, 2.5, r"non-parseable pom|problems were encountered while processing the poms|enforcer rules have failed|requirejavaversion|requiremavenversion|invalid target release|unsupported class file major version|release version \d+ not supported|invalid (?:configuration|workflow|yaml)|yaml(?:error| syntax)|mapping values are not allowed|unknown (?:configuration|config) (?:key|option)|unrecognized (?:option|argument|arguments)|no such option|missing required (?:property|argument|environment)|not set in the environment|is not defined in the environment|environment variable .* (?:not set|missing)|permission denied \(publickey\)|secret .* not (?:found|set)|could not find (?:a )?(?:jdk|java|toolchain)|toolchain .* not (?:found|installed)|no such file or directory.*(?:\.ya?ml|\.toml|\.cfg|\.ini|config)|a problem occurred (?:evaluating|configuring)|could not get unknown property|plugin with id .* not found|could not find method|no such property|task .* not found in|target .* does not exist in the project|must be set|missing separator|unknown cmake command|configuring incomplete|cannot find source file|unbound variable|could not create the java virtual machine|unrecognized vm option|too small maximum heap|invalid (?:maximum|initial) heap|could not read script|build file .*: \d+: expecting|no \w+file found"),
    ]
});

/// Whether `c`'s line (or context) talks about the job's own machine:
/// a refused connection to `localhost` is the code under test's, not the network's.
fn own_machine(text: &str) -> bool {
    static LOCAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i-u)\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0)\b|\[::1\]").expect("static regex"));
    LOCAL.is_match(text.as_bytes())
}

/// The vocabulary evidence of the best `TOP` lines of `ranked` (the
/// failing step's only, when it is known).
pub(crate) fn vocabulary(ranked: &[Candidate], failing_step: Option<usize>) -> Option<Evidence> {
    let mut score = [0f32; Category::ALL.len()];
    let mut best_phrase: [(f32, String, u32); Category::ALL.len()] = Default::default();
    let lines = ranked.iter().filter(|c| failing_step.is_none_or(|s| c.step == s)).take(TOP);
    let mut top_line: Option<(Category, f32, String)> = None;
    let mut seen: std::collections::HashMap<u32, Vec<(usize, String)>> = std::collections::HashMap::new();
    let mut top_says_test = false;
    for (rank, c) in lines.enumerate() {
        let rw = RANK_WEIGHT[rank];
        let first = c.context_first;
        let context: Vec<(u32, &str)> = if c.context.is_empty() {
            vec![(c.line, c.message.as_str())]
        } else {
            c.context.split('\n').enumerate().map(|(i, t)| (first + i as u32, t)).collect()
        };
        let near_own_machine = own_machine(&c.context);
        for (no, text) in context {
            let here = if no == c.line { KEY_LINE } else { 1.0 };
            // Neighbouring candidates share most of their context: each
            // line is read once.
            let found = seen.entry(no).or_insert_with(|| classes_of(text));
            for &(k, ref m) in found.iter() {
                let cl = &CLASSES[k];
                if cl.category == Category::Infra && near_own_machine {
                    continue;
                }
                let w = rw * here * cl.weight;
                if rank == 0 && no == c.line && cl.weight >= 2.5 {
                    // A test that ran out of memory failed for want of memory.
                    if cl.category == Category::TestFailure && !matches!(top_line, Some((Category::Oom, _, _))) {
                        top_says_test = true;
                    } else if top_line.as_ref().is_none_or(|(_, tw, _)| cl.weight > *tw) {
                        top_line = Some((cl.category, cl.weight, String::new()));
                    }
                }
                let i = index(cl.category);
                score[i] += w;
                if w > best_phrase[i].0 {
                    best_phrase[i] = (w, m.clone(), no);
                }
            }
        }
    }
    // The best line's own words, when they name a specific kind (out of
    // memory, a compiler's error) and not a test's, say what failed inside
    // a test run: a test that ran out of memory is an out-of-memory failure.
    let decisive = top_line.filter(|(cat, _, _)| !top_says_test || *cat == Category::Oom);
    let mut order: Vec<usize> = (0..score.len()).filter(|&i| score[i] > 0.0).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let &first = order.first()?;
    let best = match &decisive {
        Some((cat, _, _)) if Category::ALL[first] == Category::TestFailure => index(*cat),
        _ => first,
    };
    let runner_up = order.iter().filter(|&&i| i != best).map(|&i| score[i]).fold(0.0, f32::max);
    let (_, phrase, line) = best_phrase[best].clone();
    Some(Evidence { category: Category::ALL[best], score: score[best], runner_up, phrase, line, decisive: best != first })
}

/// `text` with the directories of its paths dropped (`/home/ci/build/
/// checkstyle/checkstyle/src/Main.java:12` → `Main.java:12`): a
/// directory is named for a project or a tool, and says nothing about
/// the failure.
fn without_directories(text: &str) -> std::borrow::Cow<'_, str> {
    static DIRS: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?-u:[\w.~-])*/(?:(?-u:[\w.~-])*/)*").expect("static regex"));
    if !text.contains('/') {
        return text.into();
    }
    DIRS.replace_all(text, "")
}

/// The classes whose words `text` holds, with the words.
fn classes_of(text: &str) -> Vec<(usize, String)> {
    // Long lines are data (a JSON dump, a minified bundle), not words.
    let text = if text.len() > 600 { &text[..text.floor_char_boundary(600)] } else { text };
    let text = &*without_directories(text);
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for (k, cl) in CLASSES.iter().enumerate() {
        let hay = if cl.cased { text.as_bytes() } else { lower.as_bytes() };
        if let Some(m) = cl.re.find(hay) {
            out.push((k, String::from_utf8_lossy(&text.as_bytes()[m.range()]).trim().to_string()));
        }
    }
    out
}

fn index(c: Category) -> usize {
    Category::ALL.iter().position(|&x| x == c).unwrap_or(0)
}

/// A build tool's or CI's statement of what failed, in any of the shapes
/// they print it, with the name it gives.
static STATEMENT: LazyLock<Vec<regex_automata::meta::Regex>> = LazyLock::new(|| {
    [
        r#"The command "([^"]+)" (?:exited with [1-9]|failed)"#,
        r"Failed to execute goal (\S+)",
        r"Execution failed for task '([^']+)'",
        r"> Task (\S+) FAILED",
        r"make(?:\[\d+\])?: \*\*\* \[(?:[^\]\s]*/)?([^\]\s/]+)\]",
        r"error: command '([^']+)' failed",
        r"Command '\[?([^\]']+)",
        r"ERROR: InvocationError for command (.+)",
        r"(?i)^(?:error: )?(\S+(?: \S+)?) (?:exited|failed) with (?:exit )?(?:code|status) [1-9]",
        r"npm ERR! (?:Failed at the|code ELIFECYCLE).*?(\S+) script",
        r"\berror: (\S+) returned non-zero exit status",
    ]
    .iter()
    .map(|p| {
        use regex_automata::{meta, util::syntax};
        meta::Regex::builder()
            .configure(meta::Config::new().auto_prefilter(false).utf8_empty(false).onepass(false))
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build(p)
            .expect("static statement regex")
    })
    .collect()
});

/// What a statement of what failed named.
#[derive(Debug, Clone)]
pub(crate) struct Stated {
    pub category: Category,
    pub name: String,
    pub line: u32,
    /// A build tool's own goal, task or target (`maven-checkstyle-plugin`,
    /// `:javadoc`, `make lint`), not a command a person wrote for the CI
    /// (`The command "mvn install && ./lint.sh" exited with 1`), which
    /// often chains several and says less.
    pub by_build_tool: bool,
}

/// A word of every statement in `STATEMENT`.
const STATEMENT_WORDS: [&str; 12] = [
    "The command",
    "Failed to execute goal",
    "Execution failed",
    "> Task",
    "***",
    "error: command",
    "Command '",
    "InvocationError",
    "exited with",
    "failed with",
    "npm ERR!",
    "returned non-zero",
];

/// Statements whose name is a CI command rather than a build tool's unit.
const CI_COMMANDS: usize = 1;

/// A tool named by a statement of what failed among the best lines and
/// their neighbours, when `[[tool_kind]]` knows it.
pub(crate) fn stated_tool(ranked: &[Candidate], failing_step: Option<usize>, rules: &RuleSet) -> Option<Stated> {
    let lines = ranked.iter().filter(|c| failing_step.is_none_or(|s| c.step == s)).take(TOP);
    let mut found: Option<Stated> = None;
    for c in lines {
        let first = c.context_first;
        let context: Vec<(u32, &str)> = if c.context.is_empty() {
            vec![(c.line, c.message.as_str())]
        } else {
            c.context.split('\n').enumerate().map(|(i, t)| (first + i as u32, t)).collect()
        };
        for (no, text) in context {
            // The statements' regexes are compiled only for a log that
            // prints one of their words.
            if text.len() > 600 || !STATEMENT_WORDS.iter().any(|w| text.contains(w)) {
                continue;
            }
            for (k, re) in STATEMENT.iter().enumerate() {
                let mut caps = re.create_captures();
                re.captures(text.as_bytes(), &mut caps);
                let Some(span) = caps.get_group(1) else { continue };
                let name = String::from_utf8_lossy(&text.as_bytes()[span.range()]);
                // Options configure a command, they do not say what it does
                // (`-Pbuild-swagger-documentation`).
                let words: Vec<&str> = name.split(' ').filter(|w| !w.starts_with('-')).collect();
                let name = words.join(" ");
                let name = name.as_str();
                // A Maven goal `org.apache.maven.plugins:maven-checkstyle-plugin:3.1:check`:
                // the plugin is what failed.
                let name = name.split(':').find(|p| p.contains("plugin")).unwrap_or(name);
                if let Some(category) = rules.tool_category(name) {
                    // The earliest-ranked statement wins.
                    if found.is_none() {
                        found = Some(Stated { category, name: name.to_string(), line: no, by_build_tool: k >= CI_COMMANDS });
                    }
                }
            }
        }
        if found.is_some() {
            return found;
        }
    }
    found
}

/// Outside causes: the tool could not run or get what it needed.
pub(crate) fn outside(c: Category) -> bool {
    matches!(c, Category::Infra | Category::Timeout | Category::Oom | Category::Config | Category::Dependency)
}
