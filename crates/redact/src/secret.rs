//! A value the process holds but must never print.

use std::fmt;
use std::str::FromStr;

/// A token or password: `Debug` shows `Secret(***)` and there is no
/// `Display`, so a `{:?}` of a struct holding one (inputs, an error, a
/// log line) cannot leak it; [`Secret::expose`] hands the value to the one
/// place that sends it. A type, not a hand-written `Debug` on each holder,
/// so a field added later is masked without anyone remembering to.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the request or redactor that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        assert_eq!(format!("{s:?} {:?}", Some(&s)), "Secret(***) Some(Secret(***))");
        assert_eq!(s.expose(), "ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    }
}
