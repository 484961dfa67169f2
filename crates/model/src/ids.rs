//! Typed ids. Each wraps the `u64` GitHub uses and serialises as that bare
//! number, so JSON (GitHub's and our persisted state) is unchanged.

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The number GitHub uses.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<u64> for $name {
            fn from(n: u64) -> Self {
                $name(n)
            }
        }

        /// Comparing with a bare number is harmless (no id kind is lost),
        /// and keeps tests and literals readable.
        impl PartialEq<u64> for $name {
            fn eq(&self, other: &u64) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }
    };
}

id! {
    /// A workflow run (`/actions/runs/{id}`).
    RunId
}
id! {
    /// A job of a workflow run (`/actions/jobs/{id}`).
    JobId
}
id! {
    /// An issue's (or pull request's) number within its repository.
    IssueNumber
}
id! {
    /// An issue comment (`/issues/comments/{id}`).
    CommentId
}
id! {
    /// A self-hosted runner registered on a repository (`/actions/runners/{id}`).
    RunnerId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bare_numbers_in_json_and_text() {
        assert_eq!(serde_json::to_string(&JobId(42)).unwrap(), "42");
        assert_eq!(serde_json::from_str::<RunId>("7").unwrap(), RunId(7));
        assert_eq!(IssueNumber(12).to_string(), "12");
        assert_eq!("99".parse::<CommentId>().unwrap(), CommentId(99));
        assert!("x".parse::<CommentId>().is_err());
    }
}
