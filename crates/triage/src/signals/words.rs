//! Error vocabulary of many ecosystems, as literals for the one trigger
//! search per line (`triggers.rs`). Matched as written, in lower case, UPPER
//! CASE and Capitalised, like rule triggers.
//!
//! Only words that make a line worth a second look are here; the words that
//! take the alarm back (`warning`, `0 errors`, `passed`) are checked later,
//! on the few lines these flag (`shape.rs`), so lines full of `INFO` do not
//! all leave the fast path.

/// What a vocabulary hit says about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    /// The line says something failed: `error`, `FAIL`, `panic`, `✖`.
    Err,
    /// The line says something is wrong without the word error:
    /// `cannot`, `not found`, `denied`, `expected`, `timed out`.
    Weak,
    /// The line may report how a process or build ended: `exit code`,
    /// `make: ***`, `ELIFECYCLE`. `shape.rs` decides.
    Exit,
}

impl Word {
    /// Bit of the class in a line's word mask.
    pub(crate) const fn bit(self) -> u8 {
        match self {
            Word::Err => 1,
            Word::Weak => 2,
            Word::Exit => 4,
        }
    }
}

/// The vocabulary. Kept free of two-byte literals (they cost a `memmem`
/// per line, `literals.rs`) and of words common in passing output.
pub(crate) const WORDS: &[(&str, Word)] = &[
    // The failure words of compilers, test runners, shells and runtimes.
    ("error", Word::Err),
    ("fail", Word::Err),
    ("fatal", Word::Err),
    ("panic", Word::Err),
    ("exception", Word::Err),
    ("abort", Word::Err),
    ("fault", Word::Err),
    ("traceback", Word::Err),
    ("segmentation fault", Word::Err),
    ("core dumped", Word::Err),
    ("killed", Word::Err),
    ("uncaught", Word::Err),
    ("unhandled", Word::Err),
    ("not ok ", Word::Err),
    ("✖", Word::Err),
    ("✗", Word::Err),
    ("✘", Word::Err),
    ("❌", Word::Err),
    // Saying what is wrong without the word error (Travis logs of many
    // languages: `No Rakefile found`, `flag provided but not defined`,
    // `Line longer than 80 characters`).
    ("cannot", Word::Weak),
    ("can't", Word::Weak),
    ("could not", Word::Weak),
    ("couldn't", Word::Weak),
    ("unable to", Word::Weak),
    ("not found", Word::Weak),
    ("no such", Word::Weak),
    ("does not exist", Word::Weak),
    ("doesn't exist", Word::Weak),
    ("denied", Word::Weak),
    ("refused", Word::Weak),
    ("timed out", Word::Weak),
    ("timeout", Word::Weak),
    ("invalid", Word::Weak),
    ("unexpected", Word::Weak),
    ("missing", Word::Weak),
    ("mismatch", Word::Weak),
    ("expected", Word::Weak),
    ("undefined", Word::Weak),
    ("not defined", Word::Weak),
    ("violation", Word::Weak),
    ("forbidden", Word::Weak),
    ("illegal", Word::Weak),
    ("unresolved", Word::Weak),
    ("incompatible", Word::Weak),
    ("conflict", Word::Weak),
    ("wrong", Word::Weak),
    ("assert", Word::Weak),
    ("rejected", Word::Weak),
    ("unsupported", Word::Weak),
    ("not supported", Word::Weak),
    ("not allowed", Word::Weak),
    ("unrecogni", Word::Weak),
    ("no matching", Word::Weak),
    ("crash", Word::Weak),
    ("terminated", Word::Weak),
    ("deadlock", Word::Weak),
    ("overflow", Word::Weak),
    ("corrupt", Word::Weak),
    ("longer than", Word::Weak),
    ("too long", Word::Weak),
    ("unknown", Word::Weak),
    ("did not", Word::Weak),
    ("didn't", Word::Weak),
    ("must be", Word::Weak),
    ("out of memory", Word::Weak),
    ("permission", Word::Weak),
    ("unreachable", Word::Weak),
    ("vulnerab", Word::Weak),
    ("problem", Word::Weak),
    // How processes, scripts and builds end.
    ("exit code", Word::Exit),
    ("exit status", Word::Exit),
    ("exited with", Word::Exit),
    ("exit value", Word::Exit),
    ("non-zero", Word::Exit),
    ("nonzero", Word::Exit),
    ("make: ***", Word::Exit),
    ("]: ***", Word::Exit),
    ("ELIFECYCLE", Word::Exit),
    ("returned exit", Word::Exit),
    ("build stopped", Word::Exit),
];

/// Whether a vocabulary hit at `hay[start..end]` is a word of the message,
/// not part of an identifier, a crate or a file name: `error-chain`,
/// `quick-error`, `is_error`, `src/error.rs`, `--maxfail`, the target
/// triple `x86_64-unknown-linux-gnu`. Suffixes (`errors`, `FAILED`) and
/// exception names (`TypeError`: a capital after a letter) count.
pub(crate) fn standalone(hay: &[u8], start: usize, end: usize) -> bool {
    if let Some(&b) = start.checked_sub(1).and_then(|i| hay.get(i)) {
        let first_is_upper = hay.get(start).is_some_and(|c| c.is_ascii_uppercase());
        if matches!(b, b'-' | b'_' | b'/' | b'\\') || ((b.is_ascii_alphanumeric() || b == b':') && !first_is_upper) {
            return false;
        }
        if b.is_ascii_alphanumeric() && names_a_test(hay, start, end) {
            return false;
        }
    }
    match hay.get(end) {
        Some(b'-' | b'_') => false,
        Some(b'.') => !hay.get(end + 1).is_some_and(|c| c.is_ascii_alphabetic()),
        _ => true,
    }
}

/// Whether the identifier around `hay[start..end]` (a capitalised word
/// inside it: `TestWriteFailure`) names a test: `test…`/`Test…`, or
/// `…Test`/`…Tests`/`…Spec` (JUnit, Go, XCTest, PHPUnit, ScalaTest). A
/// test named for the error it checks is printed when it runs and when it
/// passes; an exception's name (`TypeError`) is not a test's.
fn names_a_test(hay: &[u8], start: usize, end: usize) -> bool {
    let ident = |c: &u8| c.is_ascii_alphanumeric();
    let from = start - hay[..start].iter().rev().take_while(|c| ident(c)).count();
    let to = end + hay[end..].iter().take_while(|c| ident(c)).count();
    let name = &hay[from..to];
    name.len() > 4 && (name[..4].eq_ignore_ascii_case(b"test") || name.ends_with(b"Test") || name.ends_with(b"Tests") || name.ends_with(b"Spec"))
}

#[cfg(test)]
mod tests {
    use super::standalone;

    fn at(hay: &str, word: &str) -> bool {
        let start = hay.find(word).unwrap();
        standalone(hay.as_bytes(), start, start + word.len())
    }

    #[test]
    fn words_inside_names_do_not_count() {
        assert!(!at("Compiling error-chain v0.7.2", "error"));
        assert!(!at("Downloaded quick-error v1.2.2", "error"));
        assert!(!at("src/error.rs:12", "error"));
        assert!(!at("if is_error(x)", "error"));
        assert!(!at("target x86_64-unknown-linux-gnu", "unknown"));
        assert!(!at("pytest --maxfail=1", "fail"));
        assert!(!at("com.google.guava:failureaccess:1.0.1", "fail"));
        assert!(at("error: x", "error"));
        assert!(at("TypeError: x", "Error"));
        assert!(at("3 errors found", "error"));
        assert!(at("test x ... FAILED", "FAIL"));
        assert!(at("java.lang.Error: x", "Error"));
        assert!(at("ends with error.", "error"));
        assert!(!at("=== RUN   TestWriteFailure", "Fail"));
        assert!(!at("testParseError(com.x.ParserTest)", "Error"));
        assert!(!at("at com.x.ReaderErrorTest.run", "Error"));
        assert!(at("raise AssertionError", "Error"));
        assert!(at("java.lang.NoSuchMethodError: okio", "Error"));
    }
}
