//! Pure triage engine: a CI log in, an [`Analysis`] out.
//!
//! No network, no async, no filesystem beyond the `Read` it is handed. The
//! CLI, the actions and the benchmark all call this crate.
//!
//! ```
//! let rules = ci_triage::RuleSet::builtin();
//! let log = "2025-01-01T00:00:00.0Z ##[group]Run cargo build\n\
//!            2025-01-01T00:00:00.0Z ##[endgroup]\n\
//!            2025-01-01T00:00:01.0Z error[E0308]: mismatched types\n\
//!            2025-01-01T00:00:02.0Z ##[error]Process completed with exit code 101.\n";
//! let a = ci_triage::analyze(log.as_bytes(), &rules);
//! assert_eq!(a.key_lines[0], 3);
//! assert_eq!(a.verdict.category, ci_triage::Category::Compilation);
//! ```

pub mod analysis;
mod baseline;
mod candidate;
pub mod clean;
mod engine;
mod evidence;
mod first_bytes;
mod literals;
pub mod fingerprint;
mod rank;
pub mod rules;
pub mod runners;
mod signals;
mod triggers;
mod steps;
#[cfg(test)]
mod testdata;
pub mod zip;

pub use analysis::{Analysis, Category, Counts, Excerpt, ExcerptLine, Failure, Step, TestRef, Verdict, SCHEMA};
pub use baseline::Baseline;
pub use clean::MAX_LINE;
pub use engine::{analyze, analyze_against, analyze_watching, WATCHED};
#[doc(hidden)]
pub use engine::generic_features;

/// Names of the generic scorer's features, in the order
/// `generic_features` reports them. Not a stable API.
#[doc(hidden)]
pub fn generic_feature_names() -> &'static [&'static str] {
    signals::FEATURES
}
pub use fingerprint::{fingerprint, normalise, FINGERPRINT_VERSION};
pub use analysis::UnknownCategory;
pub use rules::{Rule, RuleError, RuleSet};
pub use zip::{analyze_zip, is_zip, ZipError};

/// A few KB of real CI log lines (GitHub Actions pytest and Maven logs, a
/// Travis cargo log) for building large benchmark inputs; the sources are
/// named in the `#!` header lines, which callers should skip.
pub const BENCH_CORPUS: &str = include_str!("../benches/corpus.log");
