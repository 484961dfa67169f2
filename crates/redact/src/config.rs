//! A repository's own redaction settings: the `redact:` section of
//! `.github/ci-bot.yml`.
//!
//! ```yaml
//! redact:
//!   env: [DEPLOY_HOOK, SENTRY_DSN]        # more variables whose values are secret
//!   patterns:
//!     - name: acme-token                  # the kind shown: {REDACTED:acme-token}
//!       regex: 'acme_[A-Za-z0-9]{32}'
//!     - name: sentry-dsn                  # replace only the `secret` group
//!       regex: 'https://(?P<secret>[0-9a-f]{32})@o[0-9]+\.ingest\.sentry\.io'
//!   allow: [AKIAIOSFODNN7EXAMPLE]         # matches that are known to be public
//! ```

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Deserialize;

use crate::kind::SecretKind;
use crate::rules::Rule;

/// The `redact:` section of `.github/ci-bot.yml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RedactConfig {
    /// Names of environment variables whose values are secrets, on top of
    /// the built-in choice (see [`crate::is_secret_env_name`]).
    pub env: Vec<String>,
    /// The repository's own secret shapes.
    pub patterns: Vec<PatternConfig>,
    /// Exact texts that a pattern matches but that are public (documentation
    /// example keys, a test fixture's fake token). Never applies to known
    /// values: a configured secret is always removed.
    pub allow: Vec<String>,
}

/// One repository pattern.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PatternConfig {
    /// Shown in the placeholder, normalised to `[a-z0-9-]`.
    pub name: String,
    /// A `regex` crate regex, matched against one line at a time. A group
    /// named `secret` marks the part to replace; otherwise the whole match.
    pub regex: String,
}

/// A repository pattern that cannot be used; the message is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The regex does not compile (or is too large).
    #[error("redact pattern `{name}`: {message}")]
    Regex {
        /// The pattern's `name`.
        name: String,
        /// Why, on one line.
        message: String,
    },
    /// The regex matches the empty string, so it would match every line.
    #[error("redact pattern `{name}` matches the empty string")]
    MatchesEmpty {
        /// The pattern's `name`.
        name: String,
    },
}

/// Compiled size limit for one repository regex (the default is 10 MiB; a
/// secret shape needs far less, and a huge automaton would slow every line).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Shortest literal worth gating on; shorter ones would fire on most lines.
const MIN_ANCHOR: usize = 3;
/// Most literals a pattern may contribute to the gate.
const MAX_ANCHORS: usize = 64;

impl PatternConfig {
    /// Compiles the pattern. Its literal prefixes (or suffixes) become its
    /// anchors; a pattern with none of 3+ characters runs on every line.
    pub(crate) fn compile(&self) -> Result<Rule, ConfigError> {
        let err = |message: String| ConfigError::Regex {
            name: self.name.clone(),
            message: message
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        };
        let regex: Regex = RegexBuilder::new(&self.regex)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| err(e.to_string()))?;
        if regex.is_match("") {
            return Err(ConfigError::MatchesEmpty {
                name: self.name.clone(),
            });
        }
        let anchors = anchors_of(&self.regex).unwrap_or_default();
        Ok(Rule::compiled(
            SecretKind::new(&self.name),
            anchors,
            regex,
            None,
        ))
    }
}

/// Literals one of which every match contains, if there is a small set of
/// long-enough ones.
fn anchors_of(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let seq = Extractor::new().kind(kind).extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty()
            || lits.len() > MAX_ANCHORS
            || lits.iter().any(|l| l.as_bytes().len() < MIN_ANCHOR)
        {
            continue;
        }
        let strings: Option<Vec<String>> = lits
            .iter()
            .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
            .collect();
        if let Some(s) = strings {
            return Some(s);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(name: &str, regex: &str) -> PatternConfig {
        PatternConfig {
            name: name.into(),
            regex: regex.into(),
        }
    }

    #[test]
    fn anchors_come_from_literals() {
        assert_eq!(
            anchors_of("acme_[A-Za-z0-9]{32}"),
            Some(vec!["acme_".to_string()])
        );
        assert_eq!(
            anchors_of("[0-9a-f]{32}@sentry\\.io"),
            Some(vec!["@sentry.io".to_string()])
        );
        assert_eq!(anchors_of("[A-Z]{3}-[0-9]{8}"), None);
        // Case-insensitive: every case variant (Unicode's Kelvin sign for `k`
        // too), all matched by the gate.
        let ci = anchors_of("(?i)tok_[a-z]+").unwrap();
        assert!(ci.iter().any(|a| a == "tok_") && ci.iter().any(|a| a == "TOK_"));
    }

    #[test]
    fn bad_patterns_are_one_line_errors() {
        let e = pattern("bad", "acme_[").compile().err().unwrap();
        assert!(matches!(e, ConfigError::Regex { .. }));
        assert!(!e.to_string().contains('\n'), "{e}");
        assert_eq!(
            pattern("empty", "x*").compile().err().unwrap().to_string(),
            "redact pattern `empty` matches the empty string"
        );
        let huge = pattern("huge", "[a-z]{1000}[A-Z]{1000}\\w{1000}")
            .compile()
            .err()
            .unwrap();
        assert!(
            huge.to_string().starts_with("redact pattern `huge`: "),
            "{huge}"
        );
    }

    #[test]
    fn the_section_reads_from_json_or_yaml_shaped_data() {
        let c: RedactConfig = serde_json::from_str(
            r#"{"env":["X_HOOK"],"patterns":[{"name":"Acme Token","regex":"acme_[a-z]{8}"}],"allow":["AKIAIOSFODNN7EXAMPLE"]}"#,
        )
        .unwrap();
        assert_eq!(c.patterns[0].compile().unwrap().kind.as_str(), "acme-token");
        assert!(serde_json::from_str::<RedactConfig>(r#"{"pattern":[]}"#).is_err());
    }
}
