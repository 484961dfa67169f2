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
