//! One error type for every GitHub call. Messages are one line and name the
//! operation, so a failed action log says what broke without a backtrace.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Result alias used by the whole crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a GitHub call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request (or a read of its body) took longer than the configured timeout.
    #[error("GitHub {op}: timed out after {}ms", after.as_millis())]
    Timeout {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// The timeout that expired.
        after: Duration,
    },

    /// The primary or secondary rate limit is exhausted and waiting for the
    /// reset would exceed the configured maximum wait.
    #[error("GitHub {op}: rate limited{}", reset.map(|r| format!(" until {}", r.to_rfc3339())).unwrap_or_default())]
    RateLimited {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// When the limit resets, if GitHub said.
        reset: Option<DateTime<Utc>>,
    },

    /// 404 (or 410): the object does not exist or the token cannot see it.
    #[error("GitHub {op}: not found")]
    NotFound {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
    },

    /// 422: GitHub understood the request and refused it.
    #[error("GitHub {op}: rejected (422): {message}")]
    Validation {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// GitHub's message, one line.
        message: String,
    },

    /// The per-run write budget (circuit breaker) is spent; nothing was sent.
    #[error(
        "GitHub {op}: write budget exhausted ({limit} writes per run); refusing to write more"
    )]
    BudgetExhausted {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// Writes allowed per run.
        limit: u32,
    },

    /// Any other non-success status.
    #[error("GitHub {op}: HTTP {status}: {message}")]
    Http {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// The HTTP status.
        status: u16,
        /// GitHub's message, one line.
        message: String,
    },

    /// Connection refused/reset, TLS, DNS: the request may or may not have arrived.
    #[error("GitHub {op}: transport error: {message}")]
    Transport {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// What failed, one line.
        message: String,
    },

    /// A 2xx response whose body is not what the API documents.
    #[error("GitHub {op}: unexpected response: {message}")]
    Decode {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// What did not decode.
        message: String,
    },

    /// Writing a downloaded body to the caller's sink failed.
    #[error("GitHub {op}: writing the download failed: {source}")]
    Io {
        /// The operation (`list_comments`, `update_issue`, ...).
        op: String,
        /// The sink's error.
        #[source]
        source: std::io::Error,
    },

    /// A marker upsert kept racing with other writers and gave up.
    #[error("GitHub upsert of {marker}: did not converge after {attempts} attempts: {last}")]
    Conflict {
        /// The marker of the object.
        marker: String,
        /// Look/act rounds tried.
        attempts: u32,
        /// The last error, or why no round settled.
        last: String,
    },

    /// Bad configuration (missing token, unparsable URL or key).
    #[error("GitHub client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Failures worth another look-and-act cycle (not a blind resend): the
    /// server may recover, and the caller re-reads state before acting again.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 409,
            _ => false,
        }
    }

    /// True for 404/410.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}
