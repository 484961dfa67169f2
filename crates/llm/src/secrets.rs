//! Secrets never leave the machine: every prompt is scrubbed before a
//! provider may send it, and every answer is scrubbed before anyone may post
//! it.
//!
//! [`Scrubber::scrub`] is the **single redaction call site** of the LLM
//! layer, and it is one call to `ci_redact`'s [`Redactor`]: the same
//! patterns (GitHub, cloud, registry and chat tokens, JWTs, private keys,
//! URL passwords, `Authorization:` headers, secret-looking assignments),
//! known values and encodings that every report and comment goes through.
//! The layer used to hold its own four token shapes; a prompt then carried
//! AWS keys or URL passwords that the report itself would have hidden.

use std::sync::{Arc, RwLock};

use ci_redact::Redactor;

use crate::templates::Task;
use crate::tokens;

/// Redacts secrets from text going to and coming from a model. Cheap to
/// clone (the redactor's tables are shared).
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    redactor: Redactor,
    /// The run's own redactor (the repository's `redact:` patterns and
    /// names, the token, masks learned from logs), applied first: shared
    /// with the run, so a mask learned from a later log applies to the
    /// prompts after it.
    run: Option<Arc<RwLock<Redactor>>>,
}

/// The kind shown for a value handed in by the caller.
const CONFIGURED: &str = "configured-secret";

impl Scrubber {
    /// A scrubber that knows these secret values (the GitHub token, the LLM
    /// key, gateway header values, repository secrets) besides the built-in
    /// patterns. Values shorter than [`ci_redact::MIN_SECRET_LEN`] are not
    /// treated as secrets: replacing every `abc` would destroy the text and
    /// protect nothing.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Scrubber::knowing(Redactor::builder(), secrets)
    }

    fn knowing<I, S>(builder: ci_redact::RedactorBuilder, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let builder = secrets.into_iter().fold(builder, |b, v| b.secret(CONFIGURED, v.into().trim()));
        // Only a repository pattern can fail to build, and none is given.
        Scrubber { redactor: builder.build().unwrap_or_default(), run: None }
    }

    /// The values of the environment variables that hold credentials (as
    /// [`ci_redact::is_secret_env_name`] picks them), besides the built-in
    /// patterns.
    pub fn from_vars<I>(vars: I) -> Self
    where
        I: IntoIterator<Item = (String, String)>,
    {
        Scrubber { redactor: Redactor::builder().env(vars).build().unwrap_or_default(), run: None }
    }

    /// What a run scrubs with: these values and those of this process's
    /// credential variables (the action's token, the model's key), so a
    /// prompt is held to what the run's reports are held to.
    pub fn for_run<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Scrubber::knowing(Redactor::builder().process_env(), secrets)
    }

    /// Also scrub with the run's redactor, which knows what only the
    /// repository's configuration says is secret (its `redact:` patterns
    /// and variable names) and the values masked in logs, as it is at each
    /// call (the run keeps learning masks as it reads logs).
    pub fn following(mut self, run: Arc<RwLock<Redactor>>) -> Self {
        self.run = Some(run);
        self
    }

    /// The single redaction call site (see the module docs).
    pub fn scrub(&self, text: &str) -> String {
        match &self.run {
            Some(run) => {
                let first = run.read().unwrap_or_else(|p| p.into_inner()).redact(text).into_owned();
                self.redactor.redact(&first).into_owned()
            }
            None => self.redactor.redact(text).into_owned(),
        }
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
        assert!(out.contains("{REDACTED:configured-secret}"), "{out}");
        assert!(out.contains("{REDACTED:github-token}"), "{out}");
        assert_eq!(s.scrub(&out), out, "idempotent");
    }

    #[test]
    fn private_key_blocks_go_whole() {
        let out = Scrubber::default().scrub("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----\nb");
        assert!(!out.contains("MIIE") && !out.contains("abc"), "{out}");
        assert!(out.starts_with("a\n") && out.ends_with("\nb") && out.contains("{REDACTED:"), "{out}");
    }

    #[test]
    fn what_the_reports_hide_the_prompts_hide() {
        // Shapes the old four-pattern stopgap let through to a provider.
        let text = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
                    git clone https://deploy:hunter2hunter2@git.example.com/o/r\n\
                    curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwx0123' https://x\n\
                    xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
        let out = Scrubber::default().scrub(text);
        for secret in ["wJalrXUtnFEMI", "hunter2hunter2", "abcdefghijklmnopqrstuvwx0123", "AbCdEfGhIjKlMnOpQrStUvWx"] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert_eq!(out, ci_redact::Redactor::new().redact(text), "one redaction, the reports' own");
    }

    #[test]
    fn the_runs_own_secrets_are_scrubbed_too() {
        let config: ci_redact::RedactConfig = serde_json::from_value(serde_json::json!({
            "patterns": [{"name": "corp-token", "regex": "corp_[a-z0-9]{12}"}]
        }))
        .unwrap();
        let run = ci_redact::Redactor::builder().config(&config).build().unwrap();
        let text = "deploy with corp_abcdef123456";
        assert_eq!(Scrubber::default().scrub(text), text, "no built-in pattern knows it");
        let out = Scrubber::default().following(Arc::new(RwLock::new(run))).scrub(text);
        assert_eq!(out, "deploy with {REDACTED:corp-token}");
    }

    #[test]
    fn a_mask_the_run_learns_later_is_scrubbed_too() {
        let run = Arc::new(RwLock::new(ci_redact::Redactor::default()));
        let scrubber = Scrubber::default().following(run.clone());
        let text = "connect with hunter2-but-long-enough";
        assert_eq!(scrubber.scrub(text), text);
        // A later log masks it: the next prompt must not carry it.
        let mut learned = ci_redact::LearnedSecrets::new();
        learned.observe("::add-mask::hunter2-but-long-enough");
        run.write().unwrap().learn(&learned);
        assert!(!scrubber.scrub(text).contains("hunter2"), "{}", scrubber.scrub(text));
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
