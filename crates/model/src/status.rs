//! Status words: as GitHub spells them, and what they mean to the monitor.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A word this bot does not know (a newer GitHub), kept verbatim.
            Other(String),
        }

        impl $name {
            /// The word as GitHub writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Other(_) => $name::Other(s),
                    known => known,
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_string(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum! {
    /// Where a run or a job is in its life (`status`).
    RunStatus {
        /// Waiting for a runner.
        Queued = "queued",
        /// Running.
        InProgress = "in_progress",
        /// Finished; the conclusion says how.
        Completed = "completed",
        /// Waiting for an approval or a deployment gate.
        Waiting = "waiting",
        /// Created, not yet queued.
        Requested = "requested",
        /// Waiting for a concurrency group.
        Pending = "pending",
    }
}

word_enum! {
    /// How a completed run, job or step ended (`conclusion`).
    Conclusion {
        /// Passed.
        Success = "success",
        /// Failed.
        Failure = "failure",
        /// Cancelled by a person or a concurrency group.
        Cancelled = "cancelled",
        /// Not run (a condition was false).
        Skipped = "skipped",
        /// Killed by its time limit.
        TimedOut = "timed_out",
        /// Neither passed nor failed.
        Neutral = "neutral",
        /// Needs a person's action.
        ActionRequired = "action_required",
        /// Superseded.
        Stale = "stale",
        /// The run could not start (a broken workflow file).
        StartupFailure = "startup_failure",
    }
}

impl Conclusion {
    /// A failure the code under test may have caused: `failure` or `timed_out`.
    pub fn is_failure(&self) -> bool {
        matches!(self, Conclusion::Failure | Conclusion::TimedOut)
    }

    /// What this conclusion says about the code. Cancelled jobs are not
    /// failures (the old bot counted them): a cancel is a decision by a
    /// person or a concurrency group, not a verdict.
    pub fn signal(&self) -> Signal {
        match self {
            c if c.is_failure() => Signal::Red,
            Conclusion::Success => Signal::Green,
            _ => Signal::NoSignal,
        }
    }
}

/// What one job's conclusion means as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Signal {
    /// Failed.
    Red,
    /// Passed.
    Green,
    /// Cancelled, skipped, neutral, in flight: says nothing about the code.
    NoSignal,
}

/// How a failure relates to the recent runs of the same job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FailureStatus {
    /// Red now, green in the run before (or first failure in the window).
    New,
    /// Red in several consecutive runs up to now.
    Persistent,
    /// Red and green on the same commit, a re-run passed, or red/green alternating.
    Flaky,
    /// No completed earlier run of this job to compare with.
    NoHistory,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_unknown_ones_survive() {
        for w in ["success", "failure", "timed_out", "startup_failure", "brand_new_word"] {
            let c: Conclusion = serde_json::from_str(&format!("\"{w}\"")).unwrap();
            assert_eq!(c.as_str(), w);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{w}\""));
        }
        assert_eq!(Conclusion::from("timed_out"), Conclusion::TimedOut);
        assert_eq!(RunStatus::from("in_progress"), RunStatus::InProgress);
        assert_eq!(RunStatus::from("later"), RunStatus::Other("later".into()));
    }

    #[test]
    fn only_failures_are_red() {
        assert_eq!(Conclusion::Failure.signal(), Signal::Red);
        assert_eq!(Conclusion::TimedOut.signal(), Signal::Red);
        assert_eq!(Conclusion::Success.signal(), Signal::Green);
        assert_eq!(Conclusion::Cancelled.signal(), Signal::NoSignal);
    }
}
