//! Secrets never leave the machine: every prompt is scrubbed before a
//! provider may send it, and every answer is scrubbed before anyone may post
//! it.
//!
//! [`Scrubber::scrub`] is the **single redaction call site** of the LLM
//! layer. Until `ci-redact` lands on main it holds a deliberately small
//! stopgap (the configured secret values plus the token shapes an injected
//! log is most likely to carry); when it lands, the body of `scrub` becomes
//! one call to `ci_redact`'s `Redactor` and nothing else changes.
//! TODO(ci-redact): replace the stopgap below.

use std::sync::OnceLock;

use regex::Regex;

use crate::templates::Task;
use crate::tokens;

/// Values shorter than this are not treated as secrets: replacing every
/// `abc` in a log would destroy it and protect nothing.
const MIN_SECRET_LEN: usize = 8;

/// Redacts secrets from text going to and coming from a model.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    known: Vec<String>,
}

fn patterns() -> &'static [(&'static str, Regex)] {
    static P: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            ("private-key", r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)"),
            ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b"),
            ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
            ("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
        ]
        .into_iter()
        .map(|(k, p)| (k, Regex::new(p).expect("static pattern")))
        .collect()
    })
}

impl Scrubber {
    /// A scrubber that knows these secret values (the GitHub token, the LLM
    /// key, gateway header values, repository secrets).
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut s = Scrubber::default();
        for v in secrets {
            s.add(v);
        }
        s
    }

    /// Values of the environment variables that hold credentials: names
    /// ending in `TOKEN`, `SECRET`, `KEY`, `PASSWORD`, plus `GITHUB_TOKEN`
    /// and the action's `INPUT_TOKEN`.
    pub fn from_vars<I>(vars: I) -> Self
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let secret_name = |n: &str| {
            let n = n.to_ascii_uppercase();
            ["TOKEN", "SECRET", "KEY", "PASSWORD"].iter().any(|s| n.ends_with(s))
        };
        Scrubber::new(vars.into_iter().filter(|(k, _)| secret_name(k)).map(|(_, v)| v))
    }

    /// Learn one more secret value.
    pub fn add(&mut self, secret: impl Into<String>) {
        let v = secret.into();
        let v = v.trim();
        if v.len() >= MIN_SECRET_LEN && !self.known.iter().any(|k| k == v) {
            self.known.push(v.to_string());
            // Longest first, so a secret that contains another is replaced whole.
            self.known.sort_by_key(|k| std::cmp::Reverse(k.len()));
        }
    }

    /// The single redaction call site (see the module docs).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for k in &self.known {
            if out.contains(k.as_str()) {
                out = out.replace(k.as_str(), "[REDACTED:configured-secret]");
            }
        }
        for (kind, re) in patterns() {
            if re.is_match(&out) {
                out = re.replace_all(&out, format!("[REDACTED:{kind}]").as_str()).into_owned();
            }
        }
        out
    }

    /// Scrub a prompt and seal it: the only way to make a [`SealedPrompt`],
    /// so no provider can be handed text that skipped redaction.
    pub fn seal(&self, task: Task, system: &str, user: &str, max_tokens: u32) -> SealedPrompt {
        SealedPrompt { task, system: self.scrub(system), user: self.scrub(user), max_tokens }
    }
}

/// A prompt that went through [`Scrubber::seal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPrompt {
    task: Task,
    system: String,
    user: String,
    max_tokens: u32,
}

impl SealedPrompt {
    /// Which task this prompt is for.
    pub fn task(&self) -> Task {
        self.task
    }
    /// The system prompt (ground rules and answer format).
    pub fn system(&self) -> &str {
        &self.system
    }
    /// The user message (the task with its facts).
    pub fn user(&self) -> &str {
        &self.user
    }
    /// Output cap for this task.
    pub fn max_tokens(&self) -> u32 {
        self.max_tokens
    }
    /// Estimated input tokens (system + user).
    pub fn estimated_input_tokens(&self) -> u64 {
        tokens::estimate(&self.system) + tokens::estimate(&self.user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_token_shapes_are_replaced() {
        let s = Scrubber::new(["hunter2hunter2", "short"]);
        let text = "pw=hunter2hunter2 short ghp_abcdefghijklmnopqrstuvwxyz0123456789AB \
                    eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let out = s.scrub(text);
        assert!(!out.contains("hunter2hunter2"));
        assert!(out.contains("short"), "values under 8 chars are not secrets");
        assert!(!out.contains("ghp_"));
        assert!(!out.contains("eyJhbGci"));
        assert!(out.contains("[REDACTED:configured-secret]"));
        assert!(out.contains("[REDACTED:github-token]"));
        assert_eq!(s.scrub(&out), out, "idempotent");
    }

    #[test]
    fn private_key_blocks_go_whole() {
        let out = Scrubber::default().scrub("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----\nb");
        assert_eq!(out, "a\n[REDACTED:private-key]\nb");
    }

    #[test]
    fn env_names_pick_credentials() {
        let s = Scrubber::from_vars([
            ("GITHUB_TOKEN".to_string(), "ghs_notreallyatokenbutlongenough".to_string()),
            ("HOME".to_string(), "/home/runner/work".to_string()),
        ]);
        assert!(s.scrub("x ghs_notreallyatokenbutlongenough").contains("REDACTED"));
        assert_eq!(s.scrub("/home/runner/work"), "/home/runner/work");
    }
}
