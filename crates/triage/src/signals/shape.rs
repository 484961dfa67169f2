//! Line shapes that mean the same in every ecosystem: a source location, a
//! stack frame or the head of a trace, an exception's message, a command
//! echo, a summary of a failure printed after it, an application logger's
//! prefix. Run only on the lines the vocabulary flags and on the last lines
//! before a process exits, never on every line.

use memchr::memmem::Finder;
use regex::bytes::Regex;
use regex_automata::meta;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::Span;
use std::sync::LazyLock;

// ASCII semantics (`(?-u)`: `\w`, `\b`, `\s`, `(?i)` on ASCII only) over
// bytes: the lazy DFA then runs every pattern to the end, where Unicode
// word boundaries send a line with one non-ASCII byte to the slow engines.
macro_rules! re_np {
    ($name:ident, $src_name:ident, $src:expr) => {
        // The source, for the tests.
        #[cfg(test)]
        const $src_name: &str = $src;
        static $name: LazyLock<meta::Regex> = LazyLock::new(|| {
            // The settings `regex::bytes` uses, less the prefilter.
            meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().utf8(false))
                .configure(meta::Config::new().utf8_empty(false).auto_prefilter(false))
                .build(concat!("(?-u)", $src))
                .expect("static regex")
        });
    };
}
macro_rules! re {
    ($name:ident, $src:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new(concat!("(?-u)", $src)).expect("static regex"));
    };
}

// `file.ext:12`, `file.ext:12:5`, `File.java:[21,8]`, `file.cs(12,5)`,
// `File "x.py", line 12`, `file.rb:12:in`, `at line 12`.
re!(LOCATION, r"(?:[\w.\-/\\@~+]+\.[A-Za-z][A-Za-z0-9]{0,7}(?::\d+|\(\d+|:\[\d+|, line \d+| line \d+)|\bline \d+\b)");
// Frames of Java/JS/C# (`at …`), Python (`File "…", line N`), Ruby
// (`from x.rb:12:in`, a bare `x.rb:12:in `m'` as rake prints it, not
// the first line that carries the message), Go (`\t/x.go:12 +0x1f`), gdb/Rust/C++ (`#3 0x… in`,
// `  12: module::fn`), Java's `... 12 more`, Perl/Elixir `(file.ex:12)`.
re!(FRAME, r#"^(?:\s+at |\s*at [\w$.<>\[\]/@:-]+ ?\(|\s+File "[^"]*", line \d+|\s+from \S+:\d+|\s*\S+\.go:\d+(?: \+0x[0-9a-f]+)?$|\s*#\d+ +(?:0x[0-9a-fA-F]+ in )?\S|\s+\d+: +(?:0x[0-9a-f]+ - )?[\w:<>$]|\s*\.\.\. \d+ more|\s+[\w$.]+\([\w$.\-]*:\d+\)|\s+\S+:\d+:in |\S+:\d+:in [`'][^`']*'$)"#);
// Where a trace starts: words anywhere in the line, or a line opening
// so. In two, because one alternative tied to the line's start kept the
// search from skipping to the words: the one regex read every byte of a
// line (~19 ms on 11 MB of error lines), the two ~3 ms.
re!(TRACE_HEAD, r"Traceback \(most recent call last\)|Exception in thread|panicked at|stack backtrace:|Stack trace:|Call stack:|most recent call first");
re!(TRACE_HEAD_START, r"^(?:goroutine \d+ \[|\s*panic: |\s*Caused by:|\s*Backtrace|\s*Stack:$)");
// An exception's own line: `ValueError: x`, `java.lang.IllegalStateException: x`,
// `E   AssertionError`, `Uncaught TypeError: x`, `thread 'x' panicked at`,
// a namespaced type before its message (Ruby `PG::ConnectionBad: x`,
// `Foo::Bar: x`), Elixir's `** (CompileError) x`, Erlang's `** exception
// error: x`, PHP's `PHP Fatal error:  x`.
re!(EXCEPTION, r"^\s*(?:E\s+|Uncaught |Unhandled |\[\w+\]\s+)?(?:[\w$]+\.)*[A-Z]\w*(?:Error|Exception|Failure|Fault|Panic|Abort)\b(?::|$| \[)|^\s*\w*(?:Error|Exception): |^\s*(?:[A-Z]\w*::)+[A-Z]\w*: |^\s*\*\* \((?:[A-Z]\w*\.)*[A-Z]\w*\)|^\s*\*\* exception (?:error|exit|throw):|^\s*(?:PHP )?(?:Fatal|Parse) error: ");
// A process, script or job that ended badly (not `exit code 0`).
// In two: the case-blind words run on the lower-cased line (as SUMMARY).
re!(EXIT, r"(?:exit(?:ed)?(?: with)?(?: exit)?(?: code| status| value)?[ :='\x22]*-?[1-9]\d*\b|returned (?:a )?non-?zero|non-?zero (?:exit|status|return)|\belifecycle\b)");
re!(EXIT_CASED, r"ERROR: Job failed|Finished: FAILURE|make(?:\[\d+\])?: \*\*\* |ninja: build stopped|marked build as failure|script returned exit code [1-9]");
// The SUMMARY_* regexes, NEGATION and EXIT's case-blind half run on the line in ASCII lower case, not under
// `(?i)`: their letters are all lower case and their classes closed under
// ASCII case, so a lower-cased line matches exactly where `(?i)` would,
// and without `(?i)` the two compile in 6.3 M instructions instead of
// 11.9 M (case-folded literal sets for the prefilter) — a tenth of a
// small log's run. A unit test holds the letters to lower case.
// Lines that summarise a failure printed elsewhere: build results,
// counts, pointers to details.
// In three, each run only on lines holding its words: the one regex
// read every flagged line and built lazy DFA states for most of them (its
// ~35 alternatives are in every state): 54 M instructions on the 200 MB
// bench's 7,720 lines. Its `\bsee .{0,80} for (?:details|more|the full)`
// is matched by hand (`see_for_details`): the counted `.` kept up to 80
// positions alive in the DFA (8 M of the 54 M).
// The alternatives that hold `fail`:
re!(SUMMARY_FAIL, r"(?:build fail|\b(?:failures|failed|failing):\s*[1-9]|\bfailed to execute goal|execution failed for task|\b\d+ (?:failed|failures?|failing)\b|\btests? failed|\bfailed \(|command failed|\d+ (?:of|out of) \d+ (?:tests? )?failed|there (?:was|were) \d+ failures?|\bfailed!$|npm err! failed at)");
// Those that hold `error`:
re!(SUMMARY_ERROR, r"(?:\berrors:\s*[1-9]|\b\d+ errors?\b|error: recipe|\berrored after\b|found \d+ errors?|there (?:was|were) \d+ errors?|^\s*error: .*(?:failed|exit))");
// The rest, each holding one of `REST_WORDS` (parts of its words that
// rarely open other words: Teddy stops at each line position that opens
// like one of them, and `co`ntinue, `res`ume, `for` are everywhere; with
// the words whole the pass cost 8.5 M on the bench, with these 6.9 M):
re!(SUMMARY_REST, r"(?:after correcting the problems|resume the build|what went wrong|\b\d+ (?:problems?|broken)\b|test result:|some tests|could not compile|aborting due to|rake aborted|^\s*aborting\b|\bgiving up\b|\b(?:cannot|can't|unable to) continue\b|\bfor more (?:details|information)|run with --|re-run|\[help \d+\]|full stack trace|found \d+ (?:problems?|vulnerabilit)|\bbuild step\b|^\s*-+> |npm err! (?:code|errno|a complete log|this is probably|exit status|\s*$))");
const REST_WORDS: &[&str] = &[
    "oblem", "sume the build", "went wrong", "roken", "sult:", "some tests", "uld not compile", "borting", "ake aborted", "iving up", "ntinue",
    "more details", "more information", "with --", "e-run", "[help ", "ack trace", "vulnerabilit", "uild step", "-> ", "npm err! ",
];
// Words that take the alarm back. Without the prefilter: its literals
// (`ok`, `info`, `✓`, …) are short and common, so Teddy stopped on almost
// every line to hand over to the DFA, which then read the line anyway
// (36.5 M instructions on the bench's 7,971 lines with it, 20.7 M without).
re_np!(NEGATION, NEGATION_SRC, r"(?:\bwarn(?:ing)?s?\b|deprecat|\bdebug\b|\binfo\b|\bpass(?:ed|es)?\b|\bok\b|\bsuccess|\bsucceeded|\bskip(?:ped|ping)?\b|\bignor(?:e|ed|ing)\b|\bretry|\bretrying|\b0 (?:errors?|failures?|failed|problems?)\b|-werror|--\w*fail|allow[_-]fail|continue-on-error|\|\| true|unable to find image '[^']*' locally|\bif .*error|\bcatch\b|\bexpected_|_error\b|\berror_)|✓|✔");
// NEGATION's zero count (`errors: 0`, `Failures = 0`), apart: its
// `[^0-9\n]{0,30}` in the same automaton multiplied the lazy DFA's
// states by seven (676 KB of them on 11 MB of error lines, 93 KB without).
re!(NEGATION_ZERO, r"\b(?:errors?|failures?|failed|failing)\b[^0-9\n]{0,30}[:=] ?0\b");
// A line that says the work just done failed and is tried again: `download
// failed, retrying in 1s`, `Retrying (attempt 2 of 3)`, `fetching (attempt
// 2)`, cargo's `spurious network error (2 tries remaining)`, pip's
// `Retrying (Retry(total=4)…)`, `Retry 2/5`, `will retry`. Not a count of
// zero retries or a flag (`--retry 3` is on a command's echo, never asked).
re_np!(RETRY, RETRY_SRC, r"(?i)\bretrying\b|\bretry\s*(?:#?\d+\s*(?:/|of)\s*\d+|\(|attempt|in \d)|\bwill retry\b|\b(?:attempt|try)\s*#?[2-9]\d*\s*(?:/|of)\s*\d+|\(attempt #?[2-9]\d*\b|\b[1-9]\d* (?:tries|try|retries|retry|attempts|attempt) (?:remaining|left)\b|\btry(?:ing)? again\b");

/// Whether the line says the work just done failed and is tried again.
/// Most lines hold none of `RETRY`'s words, told by a search of the
/// lower-cased line; the regex (~4 M instructions to build with its
/// literal prefilter, and only once a log has such a line without it)
/// reads the others.
pub(crate) fn announces_retry(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    let has = |w: &[u8]| memchr::memmem::find(&lower, w).is_some();
    (has(b"retr") || has(b"attempt") || has(b"tries") || has(b"try ") || has(b"trying again"))
        && !is_command_echo(text)
        && RETRY.is_match(text)
}

// An application's own logger (a program under test logs errors all the
// time; the runner's verdict matters more).
// A failure word opening the line, after an optional `[ERROR]`, `##[error]`
// or bullet.
re!(STARTS_ERR, r"^\s*(?:##\[error\]|\[\w+\]\s*|(?:[*>-]|•)\s+)?(?:(?i:error|fatal|fail(?:ed|ure)?|panic|abort(?:ed)?|exception)\b|E\s{2,}|✖|✗|✘|❌)");
// A source location opening the line.
re!(STARTS_LOCATION, r"^\s*(?:##\[error\])?(?:\[\w+\]\s*)?[\w.\-/\\@~+]+\.[A-Za-z][A-Za-z0-9]{0,7}(?::\d+|\(\d+|:\[\d+)");
re!(LOGGER, concat!(
    r"^(?:",
    r"\[\d+:\d+/\d+\.\d+:[A-Z]+:",                        // chromium [pid:tid/time:LEVEL:
    r"|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}",            // syslog-ish `Apr 12 14:46:55`
    r"|[EWIF]\d{4} \d{2}:\d{2}:\d{2}\.\d+",                // glog
    r"|\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}[.,]?\d*\S*\s+(?:\[[^\]]*\]\s*)*(?:-\s*)?(?:ERROR|WARN|WARNING|INFO|DEBUG|CRITICAL|FATAL)", // python/java loggers
    r"|\[main\] (?:INFO|WARN|ERROR|DEBUG)",               // slf4j simple
    r"|(?:ERROR|WARN|INFO|DEBUG) [\w.-]+: \S+\.go:\d+",     // Go `LEVEL component: file.go:N`
    r")",
));

/// Bits of [`classify`]'s result (`LineSig::flags`).
pub(crate) mod flag {
    pub const ERR: u32 = 1 << 0;
    pub const WEAK: u32 = 1 << 1;
    pub const RED: u32 = 1 << 2;
    pub const NEGATED: u32 = 1 << 3;
    pub const EXIT: u32 = 1 << 4;
    pub const SUMMARY: u32 = 1 << 5;
    pub const LOCATION: u32 = 1 << 6;
    pub const FRAME: u32 = 1 << 7;
    pub const TRACE_HEAD: u32 = 1 << 8;
    pub const EXCEPTION: u32 = 1 << 9;
    pub const ECHO: u32 = 1 << 10;
    pub const LOGGER: u32 = 1 << 11;
    pub const ANNOTATION: u32 = 1 << 12;
    pub const INDENTED: u32 = 1 << 13;
    pub const SHORT: u32 = 1 << 14;
    pub const BRACKET_LEVEL: u32 = 1 << 15;
    /// Set once the log is read: the passing run printed this line too.
    pub const IN_BASELINE: u32 = 1 << 16;
    /// The line opens with a failure word (`error:`, `FAIL`, `fatal:`,
    /// `E   `, `✖`), after an optional level bracket or annotation.
    pub const STARTS_ERR: u32 = 1 << 17;
    /// The line opens with a source location (`src/x.c:12:5: …`): the
    /// shape of compiler and linter findings.
    pub const STARTS_LOCATION: u32 = 1 << 18;
    /// Set once the log is read: the first error-like line of the failing
    /// step or command.
    pub const FIRST_IN_FAILING: u32 = 1 << 19;
    /// Set once the log is read: among the first two error-like lines of
    /// the failing step or command.
    pub const FIRST_2_IN_FAILING: u32 = 1 << 20;
    /// Set once the log is read: among its first ten.
    pub const FIRST_10_IN_FAILING: u32 = 1 << 21;
}

/// The shape bits of a flagged line. `words` is the line's vocabulary mask
/// (`Word::bit`), `red` whether the terminal showed it in red.
pub(crate) fn classify(text: &str, words: u8, red: bool) -> u32 {
    use super::words::Word;
    let mut f = 0;
    let trimmed = text.trim();
    if words & Word::Err.bit() != 0 {
        f |= flag::ERR;
    }
    if words & Word::Weak.bit() != 0 {
        f |= flag::WEAK;
    }
    if red {
        f |= flag::RED;
    }
    if words & (Word::Err.bit() | Word::Weak.bit() | Word::Exit.bit()) != 0 || red {
        let lower = text.to_ascii_lowercase();
        let l = lower.as_bytes();
        if NEGATION.is_match(l) || (may_count_zero(l) && NEGATION_ZERO.is_match(l)) {
            f |= flag::NEGATED;
        }
        if (may_exit(l) && EXIT.is_match(l)) || EXIT_CASED.is_match(text.as_bytes()) {
            f |= flag::EXIT | flag::SUMMARY;
        } else if summarises(l) {
            f |= flag::SUMMARY;
        }
        if EXCEPTION.is_match(text.as_bytes()) {
            f |= flag::EXCEPTION;
        }
        if TRACE_HEAD.is_match(text.as_bytes()) || TRACE_HEAD_START.is_match(text.as_bytes()) {
            f |= flag::TRACE_HEAD;
        }
    }
    if may_locate(text.as_bytes()) && LOCATION.is_match(text.as_bytes()) {
        f |= flag::LOCATION;
        if STARTS_LOCATION.is_match(text.as_bytes()) {
            f |= flag::STARTS_LOCATION;
        }
    }
    if words & Word::Err.bit() != 0 && STARTS_ERR.is_match(text.as_bytes()) {
        f |= flag::STARTS_ERR;
    }
    if text.starts_with([' ', '\t']) {
        f |= flag::INDENTED;
        if FRAME.is_match(text.as_bytes()) {
            f |= flag::FRAME;
        }
    } else if FRAME.is_match(text.as_bytes()) {
        f |= flag::FRAME;
    }
    if is_command_echo(text.as_bytes()) {
        f |= flag::ECHO;
    }
    if LOGGER.is_match(text.as_bytes()) {
        f |= flag::LOGGER;
    }
    if text.starts_with("##[error]") || text.starts_with("::error") {
        f |= flag::ANNOTATION;
    }
    // Short lines say little, except a header whose message follows
    // (`Error:`, `Caused by:`).
    if trimmed.len() < 12 && !trimmed.ends_with(':') {
        f |= flag::SHORT;
    }
    if trimmed.starts_with("[ERROR]") || trimmed.starts_with("[error]") || trimmed.starts_with("ERROR:") || trimmed.starts_with("[FATAL]") {
        f |= flag::BRACKET_LEVEL;
    }
    f
}

// Literal pre-checks: each is true on every line its regex can match (a
// unit test holds them to it on real lines), and false on most of the
// flagged lines, where the regex would read the whole line and build lazy
// DFA states for it for nothing.

/// NEGATION_ZERO needs `[:=] ?0` (166 of the bench's 7,720 lines).
fn may_count_zero(l: &[u8]) -> bool {
    memchr::memchr2_iter(b':', b'=', l).any(|i| match l.get(i + 1) {
        Some(b'0') => true,
        Some(b' ') => l.get(i + 2) == Some(&b'0'),
        _ => false,
    })
}

/// EXIT's lower-case half needs `exit`, `zero` (`non-zero`) or `elifecycle`.
fn may_exit(l: &[u8]) -> bool {
    memchr::memchr3_iter(b'x', b'z', b'y', l).any(|i| match l[i] {
        b'x' => i > 0 && l[i - 1..].starts_with(b"exit"),
        b'z' => l[i..].starts_with(b"zero"),
        _ => i >= 6 && l[i - 6..].starts_with(b"elifecycle"),
    })
}

/// LOCATION needs `:` or `(` before a digit, `:[` before one, or `line `
/// before one.
fn may_locate(t: &[u8]) -> bool {
    static LINE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"line "));
    memchr::memchr2_iter(b':', b'(', t).any(|i| match t.get(i + 1) {
        Some(d) if d.is_ascii_digit() => true,
        Some(b'[') => t[i] == b':' && t.get(i + 2).is_some_and(u8::is_ascii_digit),
        _ => false,
    }) || LINE.find_iter(t).any(|i| t.get(i + 5).is_some_and(u8::is_ascii_digit))
}

/// A summary of a failure printed elsewhere (`SUMMARY_FAIL`, …), on the
/// lower-cased line.
fn summarises(l: &[u8]) -> bool {
    static FAIL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"fail"));
    static ERROR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"error"));
    // One Teddy pass for the twenty words (a `memmem` each cost ~1,500
    // instructions a line).
    static REST: LazyLock<Option<Prefilter>> = LazyLock::new(|| Prefilter::new(regex_automata::MatchKind::LeftmostFirst, REST_WORDS));
    (FAIL.find_iter(l).any(|p| may_summarise_fail(l, p)) && SUMMARY_FAIL.is_match(l))
        || (ERROR.find_iter(l).any(|p| may_summarise_error(l, p)) && SUMMARY_ERROR.is_match(l))
        || (REST.as_ref().is_none_or(|p| p.find(l, Span::from(0..l.len())).is_some()) && SUMMARY_REST.is_match(l))
        || see_for_details(l)
}

/// Could SUMMARY_FAIL match around the `fail` at `p`? Each of its
/// alternatives needs one of these there. (It ran on 1,034 of the bench's
/// lines and cost ~9 M instructions there.)
fn may_summarise_fail(l: &[u8], p: usize) -> bool {
    let (before, after) = l.split_at(p);
    [&b"failures:"[..], b"failed:", b"failing:", b"failed to execute goal", b"failed (", b"failed!"].iter().any(|w| after.starts_with(w))
        || [&b"build "[..], b"execution ", b"test ", b"tests ", b"command ", b"npm err! "].iter().any(|w| before.ends_with(w))
        // `3 failed`, `2 of 5 failed`, `there were 2 failures`.
        || (p >= 2 && l[p - 1] == b' ' && l[p - 2].is_ascii_digit())
}

/// Could SUMMARY_ERROR match around the `error` at `p`? Each of its
/// alternatives needs one of these there. (It ran on 2,725 of the bench's
/// lines, most holding `error` nowhere near a count or at the start.)
fn may_summarise_error(l: &[u8], p: usize) -> bool {
    let after = &l[p..];
    // `\s` without Unicode: vertical tab included.
    let space = |b: &u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    after.starts_with(b"errors:")
        || after.starts_with(b"error: recipe")
        || after.starts_with(b"errored after")
        // `12 errors`, `found 3 errors`, `there were 2 errors`.
        || (p >= 2 && l[p - 1] == b' ' && l[p - 2].is_ascii_digit())
        // `^\s*error: .*(?:failed|exit)`.
        || (after.starts_with(b"error: ")
            && l[..p].iter().all(space)
            && (memchr::memmem::find(&after[7..], b"failed").is_some() || memchr::memmem::find(&after[7..], b"exit").is_some()))
}

/// SUMMARY's `\bsee .{0,80} for (?:details|more|the full)` on the
/// lower-cased line, by hand (see SUMMARY).
fn see_for_details(l: &[u8]) -> bool {
    static SEE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"see "));
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    SEE.find_iter(l).any(|i| {
        if i > 0 && word(l[i - 1]) {
            return false;
        }
        // ` for ` may start right after `see ` or up to 80 bytes (none a
        // newline) later.
        let from = i + 4;
        for j in from..=(from + 80).min(l.len()) {
            let rest = &l[j..];
            if rest.starts_with(b" for ") && [&b"details"[..], b"more", b"the full"].iter().any(|w| rest[5..].starts_with(w)) {
                return true;
            }
            if rest.first() == Some(&b'\n') {
                break;
            }
        }
        false
    })
}

/// A shell or CI system echoing the command it is about to run: Travis and
/// GitLab `$ cmd`, `set -x`'s `+ cmd`, GitHub's `##[group]Run cmd` and
/// `[command]cmd`, npm's `> pkg@1.0 script`, Jenkins' ` > git …`, Docker's `Step 3/9 : RUN cmd`.
/// Cheap: called on every line, so inlined down to a look at the first two
/// bytes, which every echo fixes (`$ `, `+ `, `##`, `[c`, `> `, ` >`, `St`,
/// `se`); only the few lines that open so pay a call.
#[inline(always)]
pub(crate) fn is_command_echo(text: &[u8]) -> bool {
    match text {
        [a, b, ..] if ECHO_SECOND[*a as usize] == *b as u16 => echo_rest(text),
        _ => false,
    }
}

/// The second byte of an echo by its first; 256 (no byte) when none opens so.
static ECHO_SECOND: [u16; 256] = {
    let mut t = [256u16; 256];
    let pairs: [&[u8; 2]; 8] = [b"$ ", b"+ ", b"##", b"[c", b"> ", b" >", b"St", b"se"];
    let mut i = 0;
    while i < pairs.len() {
        t[pairs[i][0] as usize] = pairs[i][1] as u16;
        i += 1;
    }
    t
};

/// The rest of `is_command_echo`. The substring search stays out of line:
/// with it inlined the function saved five registers and set up a 352-byte
/// frame on every call (~26 instructions a line on the logsage file).
#[inline(never)]
fn echo_rest(text: &[u8]) -> bool {
    match text.first() {
        Some(b'$') => text.get(1) == Some(&b' '),
        Some(b'+') => text.get(1) == Some(&b' ') && text.len() > 2,
        Some(b'#') => text.starts_with(b"##[group]Run "),
        Some(b'[') => text.starts_with(b"[command]"),
        Some(b'>') => text.starts_with(b"> ") && text.len() > 3 && text[2] != b' ' && memchr::memchr(b'@', text).is_some(),
        // Jenkins' git client: ` > git fetch --tags … # timeout=10`.
        Some(b' ') => text.starts_with(b" > ") && text.get(3).is_some_and(u8::is_ascii_lowercase),
        Some(b'S') => text.starts_with(b"Step ") && holds(text, b" : "),
        Some(b's') => text.starts_with(b"section_start:"),
        _ => false,
    }
}

#[inline(never)]
fn holds(text: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(text, needle).is_some()
}

/// A cheap look at the first bytes: does the line start like an
/// application's log record (a date or time, a syslog month, a level word
/// followed by a space)? Only keeps such lines in their own pruning bucket
/// (`engine`), so a chatty logger cannot crowd out the runner's own lines.
pub(crate) fn starts_like_log_record(text: &[u8]) -> bool {
    let t = match text.iter().position(|&b| b != b' ' && b != b'[') {
        Some(i) => &text[i..],
        None => return false,
    };
    if t.len() >= 8 && t[0].is_ascii_digit() && t[1].is_ascii_digit() && (t[2] == b':' || (t[2].is_ascii_digit() && t[3].is_ascii_digit() && matches!(t[4], b'-' | b'/'))) {
        return true;
    }
    if t.len() >= 6 && t[0].is_ascii_uppercase() && t[1].is_ascii_lowercase() && t[2].is_ascii_lowercase() && t[3] == b' ' && (t[4].is_ascii_digit() || t[4] == b' ') {
        return true;
    }
    const LEVELS: &[&[u8]] = &[b"DEBUG ", b"INFO ", b"WARN ", b"WARNING ", b"ERROR ", b"TRACE ", b"FATAL ", b"CRITICAL "];
    LEVELS.iter().any(|l| t.starts_with(l))
}

/// A line the application under test logged (timestamped logger prefix).
pub(crate) fn looks_like_app_logger(text: &str) -> bool {
    LOGGER.is_match(text.as_bytes())
}

/// A stack frame or the head of a trace: what follows an exception's line.
pub(crate) fn is_trace_line(text: &str) -> bool {
    FRAME.is_match(text.as_bytes()) || TRACE_HEAD.is_match(text.as_bytes()) || TRACE_HEAD_START.is_match(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::words::Word;

    /// SUMMARY, NEGATION (both) and EXIT are run on the lower-cased line instead of
    /// under `(?i)`: that is exact only while every letter they hold is
    /// lower case (an upper-case one only as an escape: `\S`, `\W`, …).
    #[test]
    fn lower_cased_patterns_hold_no_upper_case_letter() {
        let negation = Regex::new(&format!("(?-u){NEGATION_SRC}")).unwrap();
        for re in [&*SUMMARY_FAIL, &*SUMMARY_ERROR, &*SUMMARY_REST, &negation, &*NEGATION_ZERO, &*EXIT] {
            let src = re.as_str().as_bytes();
            for (i, b) in src.iter().enumerate() {
                assert!(!b.is_ascii_uppercase() || (i > 0 && src[i - 1] == b'\\'), "{}: {}", i, re.as_str());
            }
            let folded = Regex::new(&format!("(?i){}", re.as_str())).unwrap();
            for line in [
                "BUILD FAILED in 12s",
                "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin",
                "Tests run: 5, Failures: 0, Errors: 0, Skipped: 1",
                "WARNING: Retrying (Retry(total=4)) after connection broken",
                "npm ERR! A complete log of this run can be found in:",
                "See 'docker run --help' FOR more information",
                "ERROR: 3 Tests Failed ✔",
                "Error: Process completed with exit code 1.",
                "Deprecated: Function create_function() is deprecated",
                "FAILURES: 2",
            ] {
                assert_eq!(folded.is_match(line.as_bytes()), re.is_match(line.to_ascii_lowercase().as_bytes()), "{line}");
            }
        }
    }


    fn has(text: &str, words: u8, bit: u32) -> bool {
        classify(text, words, false) & bit != 0
    }

    #[test]
    fn exits_and_summaries_of_several_tools() {
        let e = Word::Exit.bit() | Word::Err.bit();
        for t in [
            "##[error]Process completed with exit code 1.",
            "The command \"bundle exec rake\" exited with 1.",
            "make: *** [Makefile:12: all] Error 2",
            "make[1]: *** [sub] Error 1",
            "ERROR: Job failed: exit code 1",
            "npm ERR! code ELIFECYCLE",
            "Finished: FAILURE",
            "error Command failed with exit code 1.",
            "##[error]Bash exited with code '1'.",
            "🚨 Error: The command exited with status 2",
            "Exited with code exit status 1",
        ] {
            assert!(has(t, e, flag::EXIT), "{t}");
        }
        assert!(!has("##[error]Process completed with exit code 0.", e, flag::EXIT));
        for t in ["[INFO] BUILD FAILURE", "FAILURE: Build failed with an exception.", "Tests run: 3, Failures: 1", "=== 2 failed, 3 passed in 1.2s ===", "Aborting: could not prepare the test database", "fatal: giving up", "[10:02:11] 'test' errored after 2.1 s"] {
            assert!(has(t, e, flag::SUMMARY), "{t}");
        }
        assert!(!has("error[E0308]: mismatched types", e, flag::SUMMARY));
    }

    #[test]
    fn frames_heads_and_exceptions() {
        for t in ["    at com.x.Foo.bar(Foo.java:12)", "\tat org.junit.Assert.fail(Assert.java:88)", "  File \"/x/y.py\", line 3, in f", "    at Object.<anonymous> (src/a.test.js:5:11)", "\t/home/runner/go/x.go:749 +0x305", "  from /x/y.rb:12:in `foo'", "#3  0x00007f in main ()", "\t... 23 more", "/x/pg/connection.rb:693:in `async_connect'"] {
            assert!(has(t, 0, flag::FRAME), "{t}");
        }
        let err = Word::Err.bit();
        for t in ["Traceback (most recent call last):", "Exception in thread \"main\" java.lang.Error", "goroutine 21 [running]:", "thread 'main' panicked at 'x', src/main.rs:2:5"] {
            assert!(has(t, err, flag::TRACE_HEAD), "{t}");
        }
        for t in ["ValueError: bad value", "java.lang.IllegalStateException: x", "E   AssertionError: assert 1 == 2", "Uncaught TypeError: x is not a function", "PG::ConnectionBad: could not connect to server"] {
            assert!(has(t, err, flag::EXCEPTION), "{t}");
        }
        assert!(has("src/lib.rs:12:5: error: x", err, flag::LOCATION));
        assert!(has("README.md:2186: Line longer than 80 characters.", Word::Weak.bit(), flag::LOCATION));
        assert!(has("[ERROR] /x/Foo.java:[21,8] cannot find symbol", err, flag::LOCATION));
    }

    #[test]
    fn error_shapes_of_many_languages() {
        let err = Word::Err.bit();
        let starts_location = |t: &str| classify(t, err, false) & flag::STARTS_LOCATION != 0;
        // Compiler and linter findings open with their location.
        for t in [
            "src/main.c:12:5: error: expected ';' before '}' token",
            "src/Lib.hs:12:5: error:",
            "lib/foo.ex:3: undefined function bar/0",
            "[error] /x/src/main/scala/A.scala:12:5: type mismatch;",
            "Sources/App/main.swift:4:9: error: cannot find 'x' in scope",
            "src/app.ts(5,1): error TS2304: Cannot find name 'describe'.",
        ] {
            assert!(starts_location(t), "{t}");
        }
        // Exception lines of runtimes that do not name them `…Error:`.
        for t in [
            "** (CompileError) lib/foo.ex:3: undefined function bar/0",
            "** (ArgumentError) argument error",
            "** exception error: undefined function foo:bar/0",
            "PHP Fatal error:  Uncaught Exception: boom in /app/src/A.php:12",
            "Fatal error: Call to undefined function foo() in /x.php on line 3",
            "PG::ConnectionBad: could not connect to server",
        ] {
            assert!(has(t, err, flag::EXCEPTION), "{t}");
        }
        // Perl's `at FILE line N.` and Ruby's `Failure/Error:` are located or
        // open with a failure word.
        assert!(has("Can't locate Foo.pm in @INC (you may need to install the Foo module) at t/a.t line 3.", Word::Weak.bit(), flag::LOCATION));
        assert!(has("  Failure/Error: expect(x).to eq(1)", err, flag::STARTS_ERR));
    }

    #[test]
    fn command_echoes() {
        for t in ["$ bundle exec rake", "+ make test", "##[group]Run npm test", "[command]/usr/bin/git log", "> pkg@1.0.0 test /home/x", "Step 3/9 : RUN make", " > git fetch --tags --progress origin # timeout=10"] {
            assert!(is_command_echo(t.as_bytes()), "{t}");
        }
        for t in ["$", "+", "> Task :test", "Stepping", "plain", " > 12 | const x", "  > foo"] {
            assert!(!is_command_echo(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn log_records() {
        for t in ["Apr 12 14:50:02.603 - 0m2s DEBUG x", "2019-04-12 14:50:02 ERROR x", "[2026-01-01 03:41:07 TP2] Load", "ERROR flashlight: app.go:162 x", "14:50:02.603 INFO x"] {
            assert!(starts_like_log_record(t.as_bytes()), "{t}");
        }
        for t in ["--- FAIL: TestX (0.1s)", "error: x", "ERROR: x", "Error: x", "12 tests failed"] {
            assert!(!starts_like_log_record(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn negations() {
        let err = Word::Err.bit();
        for t in ["0 errors, 2 warnings", "Number of errors in tests: 0", "warning: unused variable `x`", "Failures: 0, Errors: 0", "test_error_path PASSED", "INFO error handler installed", "Unable to find image 'rust:1.70' locally"] {
            assert!(has(t, err, flag::NEGATED), "{t}");
        }
        assert!(!has("error: could not find `Cargo.toml`", err, flag::NEGATED));
    }

    /// The classify and is_command_echo of f9753fa, before the literal
    /// pre-checks, the hand-matched `see … for details` and NEGATION
    /// without prefilter: the reference the new ones are held to.
    mod before {
        use regex::bytes::Regex;
        use std::sync::LazyLock;
        macro_rules! re {
            ($name:ident, $src:expr) => {
                static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new(concat!("(?-u)", $src)).unwrap());
            };
        }
        re!(LOCATION, r"(?:[\w.\-/\\@~+]+\.[A-Za-z][A-Za-z0-9]{0,7}(?::\d+|\(\d+|:\[\d+|, line \d+| line \d+)|\bline \d+\b)");
        re!(FRAME, r#"^(?:\s+at |\s*at [\w$.<>\[\]/@:-]+ ?\(|\s+File "[^"]*", line \d+|\s+from \S+:\d+|\s*\S+\.go:\d+(?: \+0x[0-9a-f]+)?$|\s*#\d+ +(?:0x[0-9a-fA-F]+ in )?\S|\s+\d+: +(?:0x[0-9a-f]+ - )?[\w:<>$]|\s*\.\.\. \d+ more|\s+[\w$.]+\([\w$.\-]*:\d+\)|\s+\S+:\d+:in |\S+:\d+:in [`'][^`']*'$)"#);
        re!(TRACE_HEAD, r"Traceback \(most recent call last\)|Exception in thread|panicked at|stack backtrace:|Stack trace:|Call stack:|most recent call first");
        re!(TRACE_HEAD_START, r"^(?:goroutine \d+ \[|\s*panic: |\s*Caused by:|\s*Backtrace|\s*Stack:$)");
        re!(EXCEPTION, r"^\s*(?:E\s+|Uncaught |Unhandled |\[\w+\]\s+)?(?:[\w$]+\.)*[A-Z]\w*(?:Error|Exception|Failure|Fault|Panic|Abort)\b(?::|$| \[)|^\s*\w*(?:Error|Exception): |^\s*(?:[A-Z]\w*::)+[A-Z]\w*: |^\s*\*\* \((?:[A-Z]\w*\.)*[A-Z]\w*\)|^\s*\*\* exception (?:error|exit|throw):|^\s*(?:PHP )?(?:Fatal|Parse) error: ");
        re!(EXIT, r"(?:exit(?:ed)?(?: with)?(?: exit)?(?: code| status| value)?[ :='\x22]*-?[1-9]\d*\b|returned (?:a )?non-?zero|non-?zero (?:exit|status|return)|\belifecycle\b)");
        re!(EXIT_CASED, r"ERROR: Job failed|Finished: FAILURE|make(?:\[\d+\])?: \*\*\* |ninja: build stopped|marked build as failure|script returned exit code [1-9]");
        re!(SUMMARY, r"(?:build fail|after correcting the problems|resume the build|\b(?:failures|errors|failed|failing):\s*[1-9]|\bfailed to execute goal|execution failed for task|what went wrong|\b\d+ (?:failed|failures?|errors?|failing|problems?|broken)\b|\btests? failed|\bfailed \(|test result:|some tests|could not compile|aborting due to|error: recipe|rake aborted|\berrored after\b|^\s*aborting\b|\bgiving up\b|\b(?:cannot|can't|unable to) continue\b|\bfor more (?:details|information)|\bsee .{0,80} for (?:details|more|the full)|run with --|re-run|\[help \d+\]|full stack trace|command failed|found \d+ (?:errors?|problems?|vulnerabilit)|\d+ (?:of|out of) \d+ (?:tests? )?failed|there (?:was|were) \d+ (?:failures?|errors?)|\bfailed!$|\bbuild step\b|^\s*-+> |^\s*error: .*(?:failed|exit)|npm err! (?:code|errno|a complete log|failed at|this is probably|exit status|\s*$))");
        re!(NEGATION, r"(?:\bwarn(?:ing)?s?\b|deprecat|\bdebug\b|\binfo\b|\bpass(?:ed|es)?\b|\bok\b|\bsuccess|\bsucceeded|\bskip(?:ped|ping)?\b|\bignor(?:e|ed|ing)\b|\bretry|\bretrying|\b0 (?:errors?|failures?|failed|problems?)\b|-werror|--\w*fail|allow[_-]fail|continue-on-error|\|\| true|unable to find image '[^']*' locally|\bif .*error|\bcatch\b|\bexpected_|_error\b|\berror_)|✓|✔");
        re!(NEGATION_ZERO, r"\b(?:errors?|failures?|failed|failing)\b[^0-9\n]{0,30}[:=] ?0\b");
        re!(STARTS_ERR, r"^\s*(?:##\[error\]|\[\w+\]\s*|(?:[*>-]|•)\s+)?(?:(?i:error|fatal|fail(?:ed|ure)?|panic|abort(?:ed)?|exception)\b|E\s{2,}|✖|✗|✘|❌)");
        re!(STARTS_LOCATION, r"^\s*(?:##\[error\])?(?:\[\w+\]\s*)?[\w.\-/\\@~+]+\.[A-Za-z][A-Za-z0-9]{0,7}(?::\d+|\(\d+|:\[\d+)");

        pub(super) fn shape_bits(text: &str, group: bool, err: bool) -> u32 {
            use super::super::flag;
            let mut f = 0;
            if group {
                let lower = text.to_ascii_lowercase();
                if NEGATION.is_match(lower.as_bytes()) || NEGATION_ZERO.is_match(lower.as_bytes()) {
                    f |= flag::NEGATED;
                }
                if EXIT.is_match(lower.as_bytes()) || EXIT_CASED.is_match(text.as_bytes()) {
                    f |= flag::EXIT | flag::SUMMARY;
                } else if SUMMARY.is_match(lower.as_bytes()) {
                    f |= flag::SUMMARY;
                }
                if EXCEPTION.is_match(text.as_bytes()) {
                    f |= flag::EXCEPTION;
                }
                if TRACE_HEAD.is_match(text.as_bytes()) || TRACE_HEAD_START.is_match(text.as_bytes()) {
                    f |= flag::TRACE_HEAD;
                }
            }
            if LOCATION.is_match(text.as_bytes()) {
                f |= flag::LOCATION;
                if STARTS_LOCATION.is_match(text.as_bytes()) {
                    f |= flag::STARTS_LOCATION;
                }
            }
            if err && STARTS_ERR.is_match(text.as_bytes()) {
                f |= flag::STARTS_ERR;
            }
            if FRAME.is_match(text.as_bytes()) {
                f |= flag::FRAME;
            }
            f
        }

        pub(super) fn is_command_echo(text: &[u8]) -> bool {
            match text.first() {
                Some(b'$') => text.get(1) == Some(&b' '),
                Some(b'+') => text.get(1) == Some(&b' ') && text.len() > 2,
                Some(b'#') => text.starts_with(b"##[group]Run "),
                Some(b'[') => text.starts_with(b"[command]"),
                Some(b'>') => text.starts_with(b"> ") && text.len() > 3 && text[2] != b' ' && memchr::memchr(b'@', text).is_some(),
                Some(b' ') => text.starts_with(b" > ") && text.get(3).is_some_and(u8::is_ascii_lowercase),
                Some(b'S') => text.starts_with(b"Step ") && memchr::memmem::find(text, b" : ").is_some(),
                Some(b's') => text.starts_with(b"section_start:"),
                _ => false,
            }
        }
    }

    /// The classify bits the regexes decide, old and new, on every line of
    /// the real logs in `shared/datasets` that holds a vocabulary word
    /// (with the word mask set, and once without, so the regexes that run
    /// only on flagged lines are held too), and is_command_echo on every
    /// line. Skipped where the data sets are absent.
    #[test]
    fn same_bits_as_before_on_real_lines() {
        let logs = crate::testdata::dataset_logs();
        let shape = flag::NEGATED | flag::EXIT | flag::SUMMARY | flag::EXCEPTION | flag::TRACE_HEAD | flag::LOCATION | flag::STARTS_LOCATION | flag::STARTS_ERR | flag::FRAME;
        let vocabulary: Vec<String> = crate::signals::words::WORDS.iter().map(|(w, _)| w.to_lowercase()).collect();
        let (mut lines, mut hits) = (0, [0usize; 32]);
        // 1,038 logs, ~160,000 flagged lines: a few seconds in release.
        for log in &logs {
            let bytes = std::fs::read(log).unwrap();
            for raw in bytes.split(|&b| b == b'\n') {
                assert_eq!(is_command_echo(raw), before::is_command_echo(raw), "{}", String::from_utf8_lossy(raw));
                let text = String::from_utf8_lossy(raw);
                let lower = text.to_lowercase();
                if !vocabulary.iter().any(|w| lower.contains(w.as_str())) {
                    continue;
                }
                lines += 1;
                for (words, group, err) in [(Word::Err.bit() | Word::Weak.bit() | Word::Exit.bit(), true, true), (0, false, false)] {
                    let new = classify(&text, words, false) & shape;
                    assert_eq!(new, before::shape_bits(&text, group, err), "{text}");
                    for (b, h) in hits.iter_mut().enumerate() {
                        *h += (new >> b & 1) as usize;
                    }
                }
            }
        }
        // The lines must hit each shape, or the comparison says little.
        if !logs.is_empty() {
            assert!(lines > 100_000, "{lines}");
            for b in 0..22 {
                assert!(shape & 1 << b == 0 || hits[b] > 20, "bit {b}: {}", hits[b]);
            }
        }
    }
}

#[cfg(test)]
mod retry_tests {
    #[test]
    fn lines_that_announce_a_retry() {
        let yes = [
            "download failed, retrying in 1s",
            "fetching fixtures (attempt 2)",
            "Retrying (attempt 2 of 3)",
            "WARNING: Retrying (Retry(total=4, connect=None, read=None)) after connection broken",
            "warning: spurious network error (2 tries remaining): [7] Could not connect to server",
            "warning: spurious network error (1 try remaining): [7] Could not connect to server",
            "npm WARN retry will retry, error on last attempt: Error: getaddrinfo EAI_AGAIN",
            "Attempt 2/5 failed, sleeping",
            "Retry 3 of 5",
            "Connection lost, trying again in 10 seconds",
        ];
        let no = [
            "$ curl --retry 3 -fsSL https://example.com/x.sh",
            "+ pip install --retries 5 foo",
            "retry_count = 0",
            "0 retries left, giving up",
            "error: attempt to subtract with overflow",
            "test retry::backoff::doubles ... ok",
            "Attempt 1 of 3",
        ];
        for l in yes {
            assert!(super::announces_retry(l.as_bytes()), "{l}");
        }
        for l in no {
            assert!(!super::announces_retry(l.as_bytes()), "{l}");
        }
        // The words asked first are asked of the lower-cased line.
        assert!(super::RETRY_SRC.starts_with("(?i)"));
    }
}
