//! The ruleset: ordered, documented recognisers loaded from TOML.
//!
//! Rules are data (`rules/default.toml`, compiled in) so a repository can add
//! its own and override or disable built-in ones by name without a release.
//! Every rule declares literal `triggers`; one literal search (`literals.rs`) over
//! all triggers picks the candidate lines and a rule's regex only runs on the
//! lines that contain one of its triggers. That is what keeps the engine fast.

use crate::signals::words::WORDS;
use crate::first_bytes::{FirstBytes, Leading};
use crate::triggers::Triggers;
use crate::analysis::Category;
use regex::Regex;
use serde::Deserialize;

/// One compiled recogniser.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub category: Category,
    /// Higher is more explanatory: a compiler error beats the generic
    /// `##[error]Process completed with exit code 1` that follows it.
    pub priority: i32,
    /// Literal substrings, matched as written, lower case, UPPER CASE and
    /// Capitalised (`error:`/`Error:`/`ERROR:`); the regex only
    /// runs on lines containing one of them.
    pub triggers: Vec<String>,
    /// The regexes as written; [`Rule::pattern`] and [`Rule::unless`]
    /// compile them.
    pattern_source: String,
    unless_source: Option<String>,
    /// Compiled on first use: compiling all the built-in patterns was 172 M
    /// of the 184 M instructions (~30 ms) `analyze-log` spent on an empty
    /// file, and most logs hit a few rules' triggers only. A repository's
    /// own rules are compiled (and so checked) when loaded; the built-in
    /// ones by a unit test.
    pattern: std::sync::OnceLock<Regex>,
    unless: std::sync::OnceLock<Option<Regex>>,
    /// The pattern with ASCII classes (`(?-u)`), over bytes, for the
    /// captures of ASCII lines (most lines): Unicode `\w`, `\d`, `\s`,
    /// `\b`, `.` and `(?i)` differ from ASCII ones only on non-ASCII
    /// characters, so on an ASCII line both capture the same spans, and
    /// the ASCII automaton is a fraction of the Unicode one to compile and
    /// to run (a winning line's captures cost ~46,000 instructions with
    /// Unicode classes). Built without lazy DFAs or a prefilter: it only
    /// ever runs on one line the filter already matched, where the
    /// backtracker finds the groups at once, and those engines were most
    /// of its compile. `None`: a pattern `(?-u)` rejects (non-ASCII in a
    /// class); the Unicode one then serves every line.
    ascii: std::sync::OnceLock<Option<Capturer>>,
    /// The same with Unicode classes, for the other lines.
    unicode_captures: std::sync::OnceLock<Capturer>,
    /// For a pattern written `^`, repeated classes and a literal: where
    /// that literal may stand (`Leading`), read once the engine asks
    /// (`triggers::Gate`).
    leading: std::sync::OnceLock<Option<Leading>>,
    /// For ASCII lines: the ASCII pattern as a forward-only lazy DFA with
    /// no capture groups, which answers "does it match" exactly. Most
    /// trigger hits are not matches; building this costs a fraction of
    /// the full regex (no reverse automaton, no captures, no one-pass or
    /// backtracking engines, no prefilter). A winning line's captures are
    /// taken by `ascii` or `unicode_captures`; the full regexes serve only
    /// where a filter cannot answer.
    filter: std::sync::OnceLock<Option<Filter>>,
    /// The same for the other lines, with Unicode classes (a Unicode word
    /// boundary makes it give up on non-ASCII bytes: the regex decides).
    filter_unicode: std::sync::OnceLock<Option<Filter>>,
    /// The same two for `unless`.
    unless_filter: std::sync::OnceLock<Option<Filter>>,
    unless_filter_unicode: std::sync::OnceLock<Option<Filter>>,
    /// Capture group names whose (normalised) values form the group key.
    /// Empty: the normalised message is the key.
    pub group: Vec<String>,
    /// `Some(true)`: this signature is known to be intermittent.
    pub flaky: Option<bool>,
    /// The job or its machine failed (runner lost, job timeout, memory
    /// kill, full disk), not the code under test. Such a rule keeps its
    /// category as the verdict when tests failed too; any other rule's
    /// match is then taken for why a test failed (a refused connection or a
    /// syntax error inside a test is a test failure).
    pub job_level: bool,
    /// An `unknown` rule that still ranks at its own priority instead of
    /// where the generic signals place it: a line that says only *that*
    /// something failed but is known to be the cause's own line (the `>`
    /// cause of Gradle's report, above its headline).
    pub keep_priority: bool,
    /// Why the rule exists (shown by `--explain` style tooling and docs).
    pub why: String,
}

/// See [`Rule`]'s `filter`.
struct Filter {
    dfa: regex_automata::hybrid::dfa::DFA,
    cache: std::sync::Mutex<regex_automata::hybrid::dfa::Cache>,
    /// For a pattern every match of which starts at the line's start, the
    /// bytes a match can start with. Most lines a trigger sends to such a
    /// rule fail on their first byte, and a DFA search costs ~35 ns before
    /// its first byte (`   > Cause` of Gradle's report: its trigger `> `
    /// is on 250,000 lines of 200 MB of logs).
    first: Option<FirstBytes>,
}

impl Filter {
    /// `src` with Unicode classes, or as the ASCII twin is built (`(?-u)`
    /// put before it, over bytes). `None` when it cannot be built so.
    fn new(src: &str, unicode: bool) -> Option<Filter> {
        use regex_automata::{hybrid::dfa::DFA, nfa::thompson, util::syntax};
        let (hir, utf8) = if unicode {
            (syntax::parse(src).ok()?, true)
        } else {
            (syntax::parse_with(&format!("(?-u){src}"), &syntax::Config::new().unicode(false).utf8(false)).ok()?, false)
        };
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().utf8(utf8).which_captures(thompson::WhichCaptures::None))
            .build_from_hir(&hir)
            .ok()?;
        let first = FirstBytes::of(&nfa);
        // No prefilter: skipping to where a literal of the pattern starts
        // saved time on long lines but cost more on the short ones most
        // lines are (and 40 M instructions to build on 200 MB of logs).
        let dfa = DFA::builder().configure(DFA::config().unicode_word_boundary(unicode)).build_from_nfa(nfa).ok()?;
        let cache = dfa.create_cache();
        Some(Filter { dfa, cache: std::sync::Mutex::new(cache), first })
    }

    /// `Some(true)`/`Some(false)`: the pattern matches / does not;
    /// `None`: the DFA could not say (the full regex decides).
    fn is_match(&self, text: &[u8]) -> Option<bool> {
        if self.first.is_some_and(|first| !first.may_start(text)) {
            return Some(false);
        }
        let mut cache = self.cache.lock().ok()?;
        let input = regex_automata::Input::new(text).earliest(true);
        self.dfa.try_search_fwd(&mut cache, &input).ok().map(|m| m.is_some())
    }
}

impl Clone for Filter {
    fn clone(&self) -> Self {
        Filter { dfa: self.dfa.clone(), cache: std::sync::Mutex::new(self.dfa.create_cache()), first: self.first }
    }
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter")
    }
}

/// A rule's pattern compiled for captures (see [`captures_only`]), with
/// its last `.*` left out when [`tail_dot_star`] finds one.
#[derive(Debug, Clone)]
struct Capturer {
    re: regex_automata::meta::Regex,
    /// The pattern's own group count (with group 0): the marker group
    /// comes after these.
    groups: usize,
    tail: Option<Tail>,
}

/// A pattern's last `.*` replaced by an empty marker group. That `.*`
/// ends every match that reaches it, so it takes the rest of the line
/// (up to a `\n`: lines have none) and changes no choice made before
/// it: the match without it takes the same path, and the groups open
/// there (and the whole match) then end at the line's end instead of at
/// the marker. The backtracker walked that `.*` a byte at a time with
/// two states a byte: ~90 % of `generic-error-prefix`'s captures (9.8 M
/// -> 0.6 M instructions for its 743 lines on 200 MB of logs).
#[derive(Debug, Clone)]
struct Tail {
    marker: usize,
    /// The groups that close right after the `.*`, and group 0.
    extend: Box<[usize]>,
}

impl Capturer {
    fn new(src: &str, unicode: bool) -> Option<Capturer> {
        let plain = |re: regex_automata::meta::Regex| Capturer { groups: re.captures_len(), re, tail: None };
        let Some(tail) = tail_dot_star(src) else { return captures_only(src, unicode).map(plain) };
        let Some(re) = captures_only(&tail.pattern, unicode) else { return captures_only(src, unicode).map(plain) };
        // The marker is the last group, and the others are named as the
        // scan in `tail_dot_star` numbered them (a check of that scan).
        let groups = tail.names.len() + 1;
        let info = re.group_info();
        let same = re.captures_len() == groups + 1
            && tail.names.iter().enumerate().all(|(g, name)| info.to_name(regex_automata::PatternID::ZERO, g + 1) == name.as_deref())
            && info.to_name(regex_automata::PatternID::ZERO, groups).is_none();
        if !same {
            return captures_only(src, unicode).map(plain);
        }
        let extend = std::iter::once(0).chain(tail.enclosing).collect();
        Some(Capturer { re, groups, tail: Some(Tail { marker: groups, extend }) })
    }
}

/// The capture groups of a rule's match on one line.
pub(crate) struct RuleCaptures<'t> {
    text: &'t str,
    caps: regex_automata::util::captures::Captures,
}

impl<'t> RuleCaptures<'t> {
    pub(crate) fn name(&self, name: &str) -> Option<&'t str> {
        // Both regexes match UTF-8 text on char boundaries (the ASCII one
        // only ever reads ASCII lines).
        self.caps.get_group_by_name(name).map(|m| &self.text[m.range()])
    }
}

impl Rule {
    /// The rule matches `text`: its pattern does and its `unless` does not.
    pub fn matches(&self, text: &str) -> bool {
        let unicode = !text.is_ascii();
        let filter = if unicode { &self.filter_unicode } else { &self.filter };
        let filter = filter.get_or_init(|| Filter::new(&self.pattern_source, unicode));
        match filter.as_ref().and_then(|f| f.is_match(text.as_bytes())) {
            Some(false) => return false,
            // The filter's answer is exact: only `unless` is left, and the
            // full regex (its compile and its own lazy DFA's states) waits
            // for a line whose captures are wanted.
            Some(true) => return !self.unless_matches(text, unicode),
            None => {}
        }
        // Only where a filter could not be built or gave up: the full
        // regexes, which on an ASCII line match as the ASCII ones would.
        self.pattern().is_match(text) && !self.unless().is_some_and(|u| u.is_match(text))
    }

    /// Whether `unless` matches `text` (`unicode`: the text is not ASCII),
    /// by its own forward DFA where one can answer.
    fn unless_matches(&self, text: &str, unicode: bool) -> bool {
        let Some(src) = &self.unless_source else { return false };
        let filter = if unicode { &self.unless_filter_unicode } else { &self.unless_filter };
        if let Some(answer) = filter.get_or_init(|| Filter::new(src, unicode)).as_ref().and_then(|f| f.is_match(text.as_bytes())) {
            return answer;
        }
        self.unless().is_some_and(|u| u.is_match(text))
    }

    /// The pattern's capture groups on `text`, when it has any besides
    /// the whole match and matches.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<RuleCaptures<'t>> {
        let c = match self.ascii_for(text) {
            Some(a) => a,
            None => self.unicode_captures.get_or_init(|| Capturer::new(&self.pattern_source, true).expect(CHECKED)),
        };
        if c.groups <= 1 {
            return None;
        }
        let mut caps = c.re.create_captures();
        c.re.captures(text.as_bytes(), &mut caps);
        if !caps.is_match() {
            return None;
        }
        if let Some(tail) = &c.tail {
            if let Some(at) = caps.get_group(tail.marker) {
                let rest = &text.as_bytes()[at.end..];
                let end = at.end + memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                let end = regex_automata::util::primitives::NonMaxUsize::new(end);
                let slots = caps.slots_mut();
                for &g in tail.extend.iter() {
                    slots[2 * g + 1] = end;
                }
            }
        }
        Some(RuleCaptures { text, caps })
    }

    /// Whether the engine reads any of the pattern's groups: `msg` or one
    /// named in `group`. A rule with groups for neither (`segfault`'s
    /// `what`, `git-fetch`'s unnamed one) needs no captures on its winning
    /// lines; their search is the costly part of a match.
    pub(crate) fn captures_used(&self) -> bool {
        let named = |n: &str| self.pattern_source.contains(&format!("(?P<{n}>")) || self.pattern_source.contains(&format!("(?<{n}>"));
        named("msg") || self.group.iter().any(|g| named(g))
    }

    fn ascii_for(&self, text: &str) -> Option<&Capturer> {
        if !text.is_ascii() {
            return None;
        }
        self.ascii.get_or_init(|| Capturer::new(&self.pattern_source, false)).as_ref()
    }

    /// See the `leading` field.
    pub(crate) fn leading(&self) -> Option<&Leading> {
        self.leading.get_or_init(|| Leading::of(&self.pattern_source)).as_ref()
    }

    pub fn pattern(&self) -> &Regex {
        self.pattern.get_or_init(|| Regex::new(&self.pattern_source).expect(CHECKED))
    }

    /// A line matching `unless` is not matched by this rule (Rust regexes
    /// have no look-around; this is the escape hatch).
    pub fn unless(&self) -> Option<&Regex> {
        self.unless.get_or_init(|| self.unless_source.as_deref().map(|u| Regex::new(u).expect(CHECKED))).as_ref()
    }
}

/// `src` compiled for captures on one line a filter already matched:
/// without lazy DFAs or a prefilter, which were most of a compile and
/// which such a line does not need (the backtracker finds the groups at
/// once). With Unicode classes, or ASCII ones over bytes (`None` if
/// `(?-u)` rejects the pattern).
fn captures_only(src: &str, unicode: bool) -> Option<regex_automata::meta::Regex> {
    use regex_automata::{meta, util::syntax};
    let config = meta::Config::new().hybrid(false).dfa(false).auto_prefilter(false);
    let (config, syntax, src) = if unicode {
        (config, syntax::Config::new(), src.to_string())
    } else {
        (config.utf8_empty(false), syntax::Config::new().unicode(false).utf8(false), format!("(?-u){src}"))
    };
    meta::Builder::new().configure(config).syntax(syntax).build(&src).ok()
}

/// For a pattern that ends with a greedy `.*` (outside classes, not
/// escaped, followed only by the `)` of the groups open there): the
/// pattern with that `.*` replaced by an empty group, and the capture
/// groups open at the `.*`, numbered as the regex numbers them (by their
/// `(`). `None` for any other pattern, and for one with a flag that
/// changes what `.`, `*` or a space means (`s`, `R`, `U`, `x`).
fn tail_dot_star(pattern: &str) -> Option<TailScan> {
    let b = pattern.as_bytes();
    // The groups open at each point: `Some(index)` for a capture group.
    let mut open: Vec<Option<usize>> = Vec::new();
    // Each capture group's name, in the order of their `(`.
    let mut names: Vec<Option<String>> = Vec::new();
    let mut i = 0;
    let mut tail = None;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    let rest = &b[i + 2..];
                    if rest.starts_with(b"P<") || rest.starts_with(b"<") {
                        let name = &pattern[i + 2 + rest.iter().position(|&c| c == b'<')? + 1..];
                        names.push(Some(name[..name.find('>')?].to_string()));
                        open.push(Some(names.len()));
                    } else {
                        // Flags, then `:` (a group) or `)` (no group).
                        let n = rest.iter().take_while(|&&c| c != b':' && c != b')').count();
                        if rest[..n].iter().any(|c| b"sRUx".contains(c)) || n == rest.len() {
                            return None;
                        }
                        if rest[n] == b')' {
                            i += 2 + n;
                        } else {
                            open.push(None);
                        }
                    }
                } else {
                    names.push(None);
                    open.push(Some(names.len()));
                }
            }
            b')' => {
                open.pop()?;
            }
            b'.' if b.get(i + 1) == Some(&b'*') && b[i + 2..].iter().all(|&c| c == b')') => {
                tail = Some((i, open.len(), open.iter().flatten().copied().collect::<Vec<_>>()));
            }
            b'[' => i = class_end(b, i),
            _ => {}
        }
        i += 1;
    }
    let (at, depth, enclosing) = tail?;
    // Every group open at the `.*` closes after it.
    if !open.is_empty() || b.len() - at - 2 != depth {
        return None;
    }
    Some(TailScan { pattern: format!("{}(){}", &pattern[..at], &pattern[at + 2..]), enclosing, names })
}

/// What [`tail_dot_star`] found.
struct TailScan {
    /// The pattern with its last `.*` replaced by `()`.
    pattern: String,
    /// The capture groups open at the `.*`.
    enclosing: Vec<usize>,
    /// The name of each capture group (1, 2, …) of the pattern.
    names: Vec<Option<String>>,
}

/// The index of the `]` that closes the class opening at `b[open]` (or
/// `b.len()`): a `]` first (after any `^`) is a member, nested classes and
/// escapes are skipped. For the scans of pattern text below.
fn class_end(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1;
    }
    let mut nest = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => nest += 1,
            b']' => {
                nest -= 1;
                if nest == 0 {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

const CHECKED: &str = "built-in patterns are compiled by a unit test, a repository's when it is loaded";

/// An ordered set of rules. Order only breaks priority ties.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// What the failing step's name or command says about the kind of
    /// failure, tried in order when the best line says only *that*
    /// something failed (`Process completed with exit code 1`).
    pub step_kinds: Vec<StepKind>,
    /// Whether the runner parsers read the log (`false` for
    /// [`RuleSet::generic`]).
    pub runners: bool,
    /// Tools whose failure is a kind of failure whatever their output
    /// looks like (`maven-checkstyle-plugin`, `mypy`, `javadoc`): a build
    /// tool's statement of what failed (a Maven goal, a Gradle task, a
    /// make target, a step's command) that names one decides the category
    /// before the text of any one line (`rank::verdict`).
    pub tool_kinds: Vec<StepKind>,
    /// What a build tool's own goal or task does, when its name is not a
    /// tool's (`test`, `integrationTest`): read only on Maven goals and
    /// Gradle tasks, never on names people give to scripts or steps.
    pub task_kinds: Vec<StepKind>,
    /// The trigger search, built on first use and shared by every
    /// `analyze` call with this set (building it costs more than a small log).
    triggers: std::sync::OnceLock<std::sync::Arc<Triggers>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rules TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("rule `{name}`: {problem}")]
    Invalid { name: String, problem: String },
}

/// `[[step_kind]]` and `[[tool_kind]]`: a failing step, command or tool
/// whose name contains one of `words` is a `category` failure. Words are
/// matched whole, in any case (`lint` is in `Run npm run lint:js` and
/// `golangci-lint-action`, not in `linter`), camelCase counts as separate
/// words (Gradle's `checkstyleMain`, `compileTestJava`), and options
/// (`--compile`, `-Dmaven.javadoc.skip=true`) are not read: they configure
/// a command, they do not say what it does.
#[derive(Debug, Clone)]
pub struct StepKind {
    pub category: Category,
    pub words: Vec<String>,
    regex: std::sync::OnceLock<Regex>,
    /// The same pattern with ASCII classes and case folding, for ASCII
    /// text (step names and commands nearly always are), where it matches
    /// exactly when the Unicode one does: compiling the Unicode form of a
    /// long `(?i)` word list was ~5 M instructions, 7 % of a small log.
    /// `None`: `(?-u)` rejects it (a non-ASCII word).
    ascii: std::sync::OnceLock<Option<regex::bytes::Regex>>,
}

impl StepKind {
    fn new(category: Category, words: Vec<String>) -> StepKind {
        StepKind { category, words, regex: std::sync::OnceLock::new(), ascii: std::sync::OnceLock::new() }
    }

    fn source(&self) -> String {
        let alternatives: Vec<String> = self.words.iter().map(|w| regex::escape(w)).collect();
        format!("(?i)(?:^|[^a-z0-9])(?:{})(?:$|[^a-z0-9])", alternatives.join("|"))
    }

    pub fn matches(&self, text: &str) -> bool {
        let words = words_of(text);
        if words.is_ascii() {
            if let Some(re) = self.ascii.get_or_init(|| regex::bytes::Regex::new(&format!("(?-u){}", self.source())).ok()) {
                return re.is_match(words.as_bytes());
            }
        }
        // Escaped words only: this cannot fail to compile.
        self.regex.get_or_init(|| Regex::new(&self.source()).expect("escaped words")).is_match(&words)
    }
}

/// `text` as [`StepKind::matches`] reads it: `--long` options and
/// `-Dname=value` properties dropped, camelCase humps split
/// (`checkstyleMain` → `checkstyle Main`).
fn words_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, token) in text.split(' ').enumerate() {
        if token.starts_with("-D") || token.starts_with("--") {
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        let mut prev_lower = false;
        for c in token.chars() {
            if prev_lower && c.is_ascii_uppercase() {
                out.push(' ');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c);
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
    #[serde(default, rename = "step_kind")]
    step_kinds: Vec<RawStepKind>,
    #[serde(default, rename = "tool_kind")]
    tool_kinds: Vec<RawStepKind>,
    #[serde(default, rename = "task_kind")]
    task_kinds: Vec<RawStepKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStepKind {
    category: Category,
    words: Vec<String>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    category: Option<Category>,
    priority: Option<i32>,
    triggers: Option<Vec<String>>,
    pattern: Option<String>,
    unless: Option<String>,
    group: Option<Vec<String>>,
    flaky: Option<bool>,
    job_level: Option<bool>,
    keep_priority: Option<bool>,
    why: Option<String>,
    /// `false` disables a built-in rule of the same name.
    enabled: Option<bool>,
}

const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

impl RuleSet {
    /// The built-in ruleset (`crates/triage/rules/default.toml`).
    pub fn builtin() -> RuleSet {
        // The file is compiled in and checked by a unit test, so a failure
        // here is a build defect, not bad input.
        Self::from_raw(parse(DEFAULT_RULES).expect("default.toml parses"), &|_| false)
            .expect("default.toml is valid")
    }

    /// Only the format-independent part of the engine (`--ruleset
    /// generic`): no format rules and no runner parsers, so key lines come
    /// from the generic signals alone (`signals`), and the verdict from
    /// the failing step's or command's name (`[[step_kind]]`). Its score on
    /// the development logs estimates what users get on a log format
    /// nobody wrote a rule for.
    pub fn generic() -> RuleSet {
        let mut rs = Self::builtin();
        rs.rules.clear();
        rs.runners = false;
        rs
    }

    /// Whether this is [`RuleSet::generic`] (no rules, no runner parsers).
    pub fn is_generic(&self) -> bool {
        self.rules.is_empty() && !self.runners
    }

    /// The built-in rules with a repository's own TOML applied on top:
    /// a `[[rule]]` whose `name` matches a built-in rule overrides the fields
    /// it sets (`enabled = false` removes it); other names are appended.
    /// A repository's `[[step_kind]]` entries are tried before the built-in
    /// ones.
    pub fn with_overrides(toml_text: &str) -> Result<RuleSet, RuleError> {
        let mut raws = parse(DEFAULT_RULES)?;
        let mut touched = std::collections::HashSet::new();
        let theirs = parse(toml_text)?;
        raws.step_kinds.splice(0..0, theirs.step_kinds);
        raws.tool_kinds.splice(0..0, theirs.tool_kinds);
        raws.task_kinds.splice(0..0, theirs.task_kinds);
        for o in theirs.rules {
            touched.insert(o.name.clone());
            if let Some(base) = raws.rules.iter_mut().find(|r| r.name == o.name) {
                merge(base, o);
            } else {
                raws.rules.push(o);
            }
        }
        Self::from_raw(raws, &|name| touched.contains(name))
    }

    /// `compile_now(name)`: compile and check that rule's regexes here
    /// (a repository's rules: a bad one must be a load error, not a panic
    /// mid-log). The others are compiled on first use.
    fn from_raw(raws: RawFile, compile_now: &dyn Fn(&str) -> bool) -> Result<RuleSet, RuleError> {
        let step_kinds = kinds("step_kind", raws.step_kinds)?;
        let tool_kinds = kinds("tool_kind", raws.tool_kinds)?;
        let task_kinds = kinds("task_kind", raws.task_kinds)?;
        let mut rules = Vec::new();
        for r in raws.rules {
            if r.enabled == Some(false) {
                continue;
            }
            let bad = |problem: &str| RuleError::Invalid { name: r.name.clone(), problem: problem.to_string() };
            let category = r.category.ok_or_else(|| bad("missing `category`"))?;
            let pattern_source = r.pattern.clone().ok_or_else(|| bad("missing `pattern`"))?;
            let triggers = r.triggers.clone().unwrap_or_default();
            if triggers.is_empty() || triggers.iter().any(|t| t.is_empty()) {
                return Err(bad("needs at least one non-empty literal in `triggers`"));
            }
            let group = r.group.clone().unwrap_or_default();
            let (pattern, unless) = (std::sync::OnceLock::new(), std::sync::OnceLock::new());
            if compile_now(&r.name) {
                let compiled = Regex::new(&pattern_source).map_err(|e| bad(&format!("bad pattern: {e}")))?;
                for g in &group {
                    if !compiled.capture_names().any(|n| n == Some(g.as_str())) {
                        return Err(bad(&format!("`group` names capture `{g}` that the pattern lacks")));
                    }
                }
                let _ = pattern.set(compiled);
                let compiled = match r.unless.as_deref() {
                    Some(u) => Some(Regex::new(u).map_err(|e| bad(&format!("bad `unless`: {e}")))?),
                    None => None,
                };
                let _ = unless.set(compiled);
            }
            rules.push(Rule {
                name: r.name.clone(),
                category,
                priority: r.priority.unwrap_or(50),
                triggers,
                pattern_source,
                unless_source: r.unless.clone(),
                pattern,
                unless,
                ascii: std::sync::OnceLock::new(),
                unicode_captures: std::sync::OnceLock::new(),
                leading: std::sync::OnceLock::new(),
                filter: std::sync::OnceLock::new(),
                filter_unicode: std::sync::OnceLock::new(),
                unless_filter: std::sync::OnceLock::new(),
                unless_filter_unicode: std::sync::OnceLock::new(),
                group,
                flaky: r.flaky,
                job_level: r.job_level.unwrap_or(false),
                keep_priority: r.keep_priority.unwrap_or(false),
                why: r.why.clone().unwrap_or_default(),
            });
        }
        Ok(RuleSet { rules, step_kinds, tool_kinds, task_kinds, runners: true, triggers: Default::default() })
    }

    /// The trigger search over these rules and the runner parsers whose
    /// trigger lists are `parsers`, built on first use. The parsers are
    /// always the same built-in list, so the first call's are kept.
    pub(crate) fn triggers(&self, parsers: &[&[&str]]) -> &Triggers {
        self.triggers.get_or_init(|| {
            let rules: Vec<(&[String], i32)> = self.rules.iter().map(|r| (&r.triggers[..], r.priority)).collect();
            let words: Vec<(&str, u8)> = WORDS.iter().map(|&(w, class)| (w, class.bit())).collect();
            std::sync::Arc::new(Triggers::new(&rules, parsers, &words))
        })
    }

    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The category the failing step's name or command implies, if any.
    pub fn step_category(&self, step: &str) -> Option<Category> {
        self.step_kinds.iter().find(|k| k.matches(step)).map(|k| k.category)
    }

    /// The category of the tool `name` names, if it is a known one.
    pub fn tool_category(&self, name: &str) -> Option<Category> {
        self.tool_kinds.iter().find(|k| k.matches(name)).map(|k| k.category)
    }

    /// The category a build tool's goal or task name implies (`test`).
    pub fn task_category(&self, name: &str) -> Option<Category> {
        self.task_kinds.iter().find(|k| k.matches(name)).map(|k| k.category)
    }
}

fn kinds(table: &str, raws: Vec<RawStepKind>) -> Result<Vec<StepKind>, RuleError> {
    let mut out = Vec::new();
    for k in raws {
        if k.words.is_empty() || k.words.iter().any(|w| w.trim().is_empty()) {
            return Err(RuleError::Invalid {
                name: format!("{table} {}", k.category),
                problem: "needs at least one non-empty word in `words`".into(),
            });
        }
        out.push(StepKind::new(k.category, k.words));
    }
    Ok(out)
}

fn parse(text: &str) -> Result<RawFile, RuleError> {
    Ok(toml::from_str::<RawFile>(text)?)
}

fn merge(base: &mut RawRule, o: RawRule) {
    macro_rules! take {
        ($($f:ident),*) => { $( if o.$f.is_some() { base.$f = o.$f; } )* };
    }
    take!(category, priority, triggers, pattern, unless, group, flaky, job_level, keep_priority, why, enabled);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_are_valid_and_documented() {
        // Compiled and checked here, since `builtin()` compiles on first use.
        let rs = RuleSet::from_raw(parse(DEFAULT_RULES).unwrap(), &|_| true).expect("every built-in rule compiles");
        assert!(rs.rules.len() > 40);
        let mut names = std::collections::HashSet::new();
        for r in &rs.rules {
            assert!(names.insert(r.name.clone()), "duplicate rule {}", r.name);
            assert!(!r.why.trim().is_empty(), "rule {} must say why it exists", r.name);
        }
    }

    #[test]
    fn step_kinds_ascii_form_matches_like_the_unicode_one() {
        let rules = RuleSet::builtin();
        let kinds: Vec<&StepKind> = rules.step_kinds.iter().chain(&rules.tool_kinds).chain(&rules.task_kinds).collect();
        let words: Vec<&str> = kinds.iter().flat_map(|k| k.words.iter().map(String::as_str)).collect();
        let mut texts = vec!["Run npm test".to_string(), "./gradlew checkstyleMain".to_string(), "mvn -Dmaven.javadoc.skip=true verify".to_string()];
        for w in &words {
            texts.extend([w.to_string(), format!("run {w}"), format!("{w}-x"), format!("x{w}"), format!("{w}2 y"), w.to_uppercase(), format!("_{w}_")]);
        }
        for k in kinds {
            let unicode = Regex::new(&k.source()).unwrap();
            for t in texts.iter().filter(|t| t.is_ascii()) {
                assert_eq!(k.matches(t), unicode.is_match(&words_of(t)), "{:?} on {t:?}", k.words);
            }
        }
    }

    #[test]
    fn captures_used_agrees_with_the_compiled_group_names() {
        // The engine skips captures when this says no: it must say yes for
        // every rule whose compiled pattern has `msg` or a `group` name.
        let rs = RuleSet::builtin();
        let mut skipped = 0;
        for r in &rs.rules {
            let compiled = r.pattern().capture_names().flatten().any(|n| n == "msg" || r.group.iter().any(|g| g == n));
            assert_eq!(r.captures_used(), compiled, "rule {}", r.name);
            skipped += usize::from(!compiled);
        }
        assert!(skipped > 0 && skipped < rs.rules.len());
    }

    #[test]
    fn ascii_twins_match_and_capture_like_the_unicode_patterns_on_ascii_lines() {
        // Every ASCII line of the fixture logs that holds one of a rule's
        // triggers: same verdict, same capture spans.
        let rs = RuleSet::builtin();
        let lines: Vec<String> = crate::testdata::fixture_texts().iter().flat_map(|t| t.lines().filter(|l| l.is_ascii()).map(str::to_string).collect::<Vec<_>>()).collect();
        assert!(lines.len() > 1000, "fixtures read: {}", lines.len());
        let mut compared = 0;
        for r in &rs.rules {
            assert!(r.ascii_for("ascii").is_some(), "rule {} has no ASCII twin", r.name);
            for line in lines.iter().filter(|l| r.triggers.iter().any(|t| l.to_lowercase().contains(&t.to_lowercase()))) {
                let unicode = r.pattern().is_match(line) && !r.unless().is_some_and(|u| u.is_match(line));
                assert_eq!(r.matches(line), unicode, "rule {} on {line:?}", r.name);
                let names: Vec<&str> = r.pattern().capture_names().flatten().collect();
                let ours = r.captures(line);
                let ours: Vec<Option<&str>> = names.iter().map(|n| ours.as_ref().and_then(|c| c.name(n))).collect();
                let unicode = r.pattern().captures(line).filter(|_| !names.is_empty());
                let unicode: Vec<Option<&str>> = names.iter().map(|n| unicode.as_ref().and_then(|c| c.name(n)).map(|m| m.as_str())).collect();
                assert_eq!(ours, unicode, "rule {} on {line:?}", r.name);
                // Non-ASCII lines take the Unicode captures-only regex.
                let wide = format!("{line} é");
                let ours = r.captures(&wide);
                let ours: Vec<Option<&str>> = names.iter().map(|n| ours.as_ref().and_then(|c| c.name(n))).collect();
                let full = r.pattern().captures(&wide).filter(|_| !names.is_empty());
                let full: Vec<Option<&str>> = names.iter().map(|n| full.as_ref().and_then(|c| c.name(n)).map(|m| m.as_str())).collect();
                assert_eq!(ours, full, "rule {} on {wide:?}", r.name);
                compared += 1;
            }
        }
        assert!(compared > 500, "lines compared: {compared}");
    }

    #[test]
    fn a_leading_literal_never_rejects_a_line_the_pattern_matches() {
        // Every built-in rule, on every line of the fixture logs (non-ASCII
        // ones too) and on each line's trimmed and indented forms.
        let rs = RuleSet::builtin();
        let lines = crate::testdata::fixture_lines();
        let (mut leading, mut matched) = (0, 0);
        for r in &rs.rules {
            let Some(l) = r.leading() else { continue };
            leading += 1;
            for line in &lines {
                if r.pattern().is_match(line) {
                    matched += 1;
                    let at = (0..=line.len()).find(|&at| line.as_bytes()[at..].starts_with(&l.literal) && l.may_stand_at(line.as_bytes(), at));
                    assert!(at.is_some(), "rule {} on {line:?}: its literal stands nowhere it may", r.name);
                }
            }
        }
        assert!(leading > 30, "leading rules: {leading}");
        assert!(matched >= 20, "matches checked: {matched}");
    }

    #[test]
    fn tail_dot_star_finds_the_last_dot_star_only() {
        let tail = |p: &str| tail_dot_star(p).map(|t| (t.pattern, t.enclosing));
        assert_eq!(tail(r"^##\[error\](?P<msg>.*)"), Some((r"^##\[error\](?P<msg>())".to_string(), vec![1])));
        assert_eq!(tail(r"(?P<msg>.*error (?P<code>TS\d+): .*)"), Some((r"(?P<msg>.*error (?P<code>TS\d+): ())".to_string(), vec![1])));
        assert_eq!(tail(r"(a)|(?:b(c)(?i:d.*))"), Some((r"(a)|(?:b(c)(?i:d()))".to_string(), vec![])));
        assert_eq!(tail(r"(?i)(a)|(b(?-u:\b)(c).*)"), Some((r"(?i)(a)|(b(?-u:\b)(c)())".to_string(), vec![2])));
        for p in [r"a\.*", r"a[.*]", r"a[^]].*]", r"a.*?", r"(a.*)?", r"a.*b", r"(?s)a.*", r"(?x)a .*", r"(?U)a.*", r"(?R)a.*", r"a.+", r"a\\\.*"] {
            assert_eq!(tail(p), None, "{p}");
        }
        assert_eq!(tail(r"a\\.*"), Some((r"a\\()".to_string(), vec![])));
        // Groups are numbered by their `(` as the regex numbers them.
        let t = tail_dot_star(r"(?P<a>x)(y(?<b>z))(?:w)(?P<msg>.*)").unwrap();
        assert_eq!(t.names, [Some("a".to_string()), None, Some("b".to_string()), Some("msg".to_string())]);
        assert_eq!(t.enclosing, [4]);
        // Most built-in rules have one, and every rule's captures take it.
        let rs = RuleSet::builtin();
        let tails = rs.rules.iter().filter(|r| r.ascii_for("x").is_some_and(|c| c.tail.is_some())).count();
        assert!(tails > 40, "rules with a tail: {tails}");
    }

    #[test]
    fn dfa_filters_answer_like_the_patterns() {
        // Every built-in rule's filters (ASCII and Unicode) on every line
        // of the fixture logs and its trimmed and indented forms, plus
        // hand-made non-ASCII lines: `Some(answer)` is the full pattern's.
        let rs = RuleSet::builtin();
        let mut lines = vec!["  1) süite tïtle:".to_string(), "Error: café ünïcode failed".to_string(), "FAILED tests/x.py::tést - AssertionError".to_string()];
        lines.extend(crate::testdata::fixture_lines());
        let (mut answered, mut matched) = (0, 0);
        for r in &rs.rules {
            let (ascii, unicode) = (Filter::new(&r.pattern_source, false), Filter::new(&r.pattern_source, true));
            for line in &lines {
                let f = if line.is_ascii() { ascii.as_ref() } else { unicode.as_ref() };
                let Some(answer) = f.and_then(|f| f.is_match(line.as_bytes())) else { continue };
                answered += 1;
                let full = r.pattern().is_match(line);
                matched += usize::from(full);
                assert_eq!(answer, full, "rule {} on {line:?}", r.name);
                let unless = r.unless().is_some_and(|u| u.is_match(line));
                assert_eq!(r.matches(line), full && !unless, "rule {} on {line:?}", r.name);
            }
        }
        assert!(answered > 100_000, "filter answers: {answered}");
        assert!(matched >= 100, "matches checked: {matched}");
    }

    #[test]
    fn overrides_disable_change_and_add() {
        let first = RuleSet::builtin().rules[0].name.clone();
        let toml = format!(
            "[[rule]]\nname = \"{first}\"\nenabled = false\n\n[[rule]]\nname = \"gha-process-exit\"\npriority = 99\n\n[[rule]]\nname = \"my-flaky\"\ncategory = \"infra\"\npriority = 70\ntriggers = [\"BROKEN PIPE X\"]\npattern = 'BROKEN PIPE X (?P<what>\\w+)'\ngroup = [\"what\"]\nflaky = true\nwhy = \"our lab\"\n"
        );
        let rs = RuleSet::with_overrides(&toml).unwrap();
        assert!(rs.get(&first).is_none());
        assert_eq!(rs.get("gha-process-exit").unwrap().priority, 99);
        assert_eq!(rs.get("my-flaky").unwrap().flaky, Some(true));
    }

    #[test]
    fn bad_override_is_an_error_not_a_panic() {
        let unknown = RuleSet::with_overrides("[[rule]]\nname='x'\ncategory='nope'\npattern='a'\ntriggers=['a']").unwrap_err();
        assert!(unknown.to_string().contains("nope") && unknown.to_string().contains("test_failure"), "{unknown}");
        assert!(RuleSet::with_overrides("[[rule]]\nname='x'\ncategory='infra'\npattern='('\ntriggers=['a']").is_err());
        assert!(RuleSet::with_overrides("not toml [").is_err());
        // Rules a repository touches are compiled when loaded, so their
        // errors surface there even though built-in rules compile lazily.
        assert!(RuleSet::with_overrides("[[rule]]\nname='x'\ncategory='infra'\npattern='a'\nunless='['\ntriggers=['a']").is_err());
        assert!(RuleSet::with_overrides("[[rule]]\nname='gha-process-exit'\npattern='('").is_err());
        assert!(RuleSet::with_overrides("[[rule]]\nname='x'\ncategory='infra'\npattern='a'\ngroup=['nope']\ntriggers=['a']").is_err());
        assert!(RuleSet::with_overrides("[[rule]]\nname='x'\ncategory='infra'\npattern='a'").is_err());
    }
}
