//! The GitHub Actions runtime contract, written out (no third-party helper):
//!
//! - [`Inputs`]: `INPUT_*` variables, named like the runner names them.
//! - [`files`]: `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH` (heredoc form with
//!   a random delimiter that cannot occur in the value) and
//!   `GITHUB_STEP_SUMMARY` (capped at GitHub's 1 MiB).
//! - [`commands`]: workflow commands (`::error file=..::`, `::group::`,
//!   `::add-mask::`, `::stop-commands::`) with the runner's escaping.
//! - [`fail`]: report an error the way the runner shows it and pick the exit code.

pub mod commands;
pub mod files;
mod inputs;

pub use commands::{mask_secret, Annotation};
pub use files::{Env, Outputs, StepSummary, SUMMARY_LIMIT};
pub use inputs::Inputs;

/// Errors of the runtime contract. One line each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required input is empty or absent.
    #[error("input {0:?} is required and was not supplied")]
    MissingInput(String),
    /// A boolean input is not one of YAML 1.2's spellings.
    #[error("input {name:?} must be a YAML 1.2 boolean (true|True|TRUE|false|False|FALSE), got {value:?}")]
    InvalidBool {
        /// The input.
        name: String,
        /// What it held.
        value: String,
    },
    /// An input's value is not acceptable.
    #[error("input {name:?}: {message}")]
    InvalidInput {
        /// The input.
        name: String,
        /// Why.
        message: String,
    },
    /// A name that cannot be an output or environment variable.
    #[error("invalid name {0:?} for an output or environment variable")]
    InvalidName(String),
    /// Writing one of the runner's files failed.
    #[error("writing {what}: {source}")]
    Io {
        /// Which file.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// Result of the runtime calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Prints `::error::{message}` (escaped) and returns the failure exit code,
/// for `fn main() -> ExitCode`. The runner shows the annotation on the run.
pub fn fail(message: &str) -> std::process::ExitCode {
    commands::issue(&commands::error(message, &Annotation::default()));
    std::process::ExitCode::FAILURE
}
