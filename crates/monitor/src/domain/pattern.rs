//! Name patterns used in the config: a glob (`wait-for-*`) or, between
//! slashes, a regex (`/^gate(-\d+)?$/`). Both match the WHOLE name,
//! case-insensitively: the old bot matched substrings, so any job whose name
//! merely contained "finish" was skipped as a gate.

use regex::Regex;

/// A job or step name pattern (see the module docs).
#[derive(Debug, Clone)]
pub struct NamePattern {
    source: String,
    regex: Regex,
}

impl NamePattern {
    /// A glob, or a regex between slashes; an error names the bad pattern.
    pub fn parse(source: &str) -> Result<Self, String> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err("empty pattern".into());
        }
        let body = if trimmed.len() >= 2 && trimmed.starts_with('/') && trimmed.ends_with('/') {
            format!("(?i){}", &trimmed[1..trimmed.len() - 1])
        } else {
            format!("(?i)^{}$", glob_to_regex(trimmed))
        };
        let regex = Regex::new(&body).map_err(|e| format!("invalid pattern `{trimmed}`: {e}"))?;
        Ok(Self { source: trimmed.to_string(), regex })
    }

    /// Whether the whole (trimmed) `name` matches, case-insensitively.
    pub fn matches(&self, name: &str) -> bool {
        self.regex.is_match(name.trim())
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

fn glob_to_regex(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len() * 2);
    for c in glob.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out
}

/// Whether any of `patterns` matches `name`.
pub fn any_matches(patterns: &[NamePattern], name: &str) -> bool {
    patterns.iter().any(|p| p.matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_whole_name_case_insensitively() {
        let p = NamePattern::parse("wait-for-*").unwrap();
        assert!(p.matches("wait-for-stage-a"));
        assert!(p.matches("Wait-For-everything"));
        assert!(!p.matches("please-wait-for-me"));
        let finish = NamePattern::parse("finish").unwrap();
        assert!(finish.matches("finish"));
        assert!(!finish.matches("test-finish-line"), "substring must not match");
    }

    #[test]
    fn slashes_make_a_regex() {
        let p = NamePattern::parse(r"/^gate(-\d+)?$/").unwrap();
        assert!(p.matches("gate-3"));
        assert!(!p.matches("gatekeeper"));
        assert!(NamePattern::parse("/(unclosed/").is_err());
    }

    #[test]
    fn glob_metacharacters_are_literal() {
        let p = NamePattern::parse("test (1, 2)").unwrap();
        assert!(p.matches("test (1, 2)"));
        assert!(!p.matches("test 1, 2"));
    }
}
