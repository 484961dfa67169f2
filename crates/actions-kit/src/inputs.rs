//! Action inputs. The runner exports input `foo bar` as `INPUT_FOO_BAR`
//! (spaces become `_`, upper-cased, dashes kept: `github-token` is
//! `INPUT_GITHUB-TOKEN`). Values are trimmed like
//! `@actions/core` does, and an empty value means "not supplied", because
//! the runner sets every declared input, using "" when there is no default.

use std::collections::HashMap;

use crate::{Error, Result};

/// A snapshot of the `INPUT_*` variables.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    vars: HashMap<String, String>,
}

impl Inputs {
    /// Snapshots the process environment (non-UTF-8 values are read lossily).
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))
    }

    /// From explicit `(VAR, value)` pairs, e.g. in tests; non-`INPUT_` pairs are ignored.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Inputs {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(k, _)| k.starts_with("INPUT_"))
                .collect(),
        }
    }

    /// The variable name the runner uses for input `name`.
    pub fn var_name(name: &str) -> String {
        format!("INPUT_{}", name.trim().replace(' ', "_").to_uppercase())
    }

    /// The trimmed value, or `None` when unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        self.vars
            .get(&Self::var_name(name))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// The value or an error naming the input.
    pub fn required(&self, name: &str) -> Result<String> {
        self.get(name)
            .ok_or_else(|| Error::MissingInput(name.to_string()))
    }

    /// The value or `default`.
    pub fn get_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_string())
    }

    /// A boolean in the spellings the runner's YAML 1.2 core schema accepts:
    /// `true|True|TRUE|false|False|FALSE`. Anything else (`yes`, `1`, `on`)
    /// is an error rather than a guess. `None` when unset.
    pub fn get_bool(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name).as_deref() {
            None => Ok(None),
            Some("true" | "True" | "TRUE") => Ok(Some(true)),
            Some("false" | "False" | "FALSE") => Ok(Some(false)),
            Some(other) => Err(Error::InvalidBool {
                name: name.to_string(),
                value: other.to_string(),
            }),
        }
    }

    /// `get_bool` with a default for unset.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool> {
        Ok(self.get_bool(name)?.unwrap_or(default))
    }

    /// A value parsed with `FromStr`; the error names the input.
    pub fn parse<T>(&self, name: &str) -> Result<Option<T>>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.get(name)
            .map(|v| {
                v.parse::<T>().map_err(|e| Error::InvalidInput {
                    name: name.to_string(),
                    message: format!("{v:?}: {e}"),
                })
            })
            .transpose()
    }

    /// Non-empty trimmed lines of a multi-line input.
    pub fn get_lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Reads a secret input and masks it (every line too) before returning it,
    /// so it can never be echoed in clear by a later step of this process.
    pub fn secret(&self, name: &str) -> Option<String> {
        let v = self.get(name)?;
        crate::commands::mask_secret(&v);
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        Inputs::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn names_are_normalised_like_the_runner() {
        let i = inputs(&[
            ("INPUT_GITHUB-TOKEN", "t"),
            ("INPUT_LOG_LINES", " 20 "),
            ("PATH", "/bin"),
        ]);
        assert_eq!(i.get("github-token").as_deref(), Some("t"));
        assert_eq!(i.get("log lines").as_deref(), Some("20"));
        assert_eq!(i.get("Log_Lines").as_deref(), Some("20"));
        assert_eq!(Inputs::var_name("dry run"), "INPUT_DRY_RUN");
        assert_eq!(
            i.parse::<u32>("log-lines").unwrap(),
            None,
            "dash and underscore are different inputs"
        );
        assert_eq!(i.parse::<u32>("log_lines").unwrap(), Some(20));
    }

    #[test]
    fn empty_means_unset() {
        let i = inputs(&[("INPUT_A", ""), ("INPUT_B", "   \n")]);
        assert_eq!(i.get("a"), None);
        assert_eq!(i.get("b"), None);
        assert!(matches!(i.required("a"), Err(Error::MissingInput(n)) if n == "a"));
        assert_eq!(i.get_or("a", "x"), "x");
    }

    #[test]
    fn booleans_accept_only_yaml_core_spellings() {
        for (v, want) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("False", false),
            ("FALSE", false),
        ] {
            assert_eq!(
                inputs(&[("INPUT_X", v)]).get_bool("x").unwrap(),
                Some(want),
                "{v}"
            );
        }
        for bad in ["yes", "1", "on", "tRUE", "y", "no"] {
            let err = inputs(&[("INPUT_X", bad)]).get_bool("x").unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert_eq!(inputs(&[]).get_bool("x").unwrap(), None);
        assert!(inputs(&[]).bool_or("x", true).unwrap());
    }

    #[test]
    fn parse_errors_name_the_input() {
        let e = inputs(&[("INPUT_N", "ten")])
            .parse::<u32>("n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"n\"") && e.contains("ten"), "{e}");
    }

    #[test]
    fn lines() {
        let i = inputs(&[("INPUT_L", "a\n\n  b \r\nc")]);
        assert_eq!(i.get_lines("l"), vec!["a", "b", "c"]);
    }
}
