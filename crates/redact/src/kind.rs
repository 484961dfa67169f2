//! What a redacted secret was, and the placeholder that replaces it.

use std::borrow::Cow;
use std::fmt;

/// The kind of a secret, shown in its placeholder: `{REDACTED:github-token}`.
///
/// A kind is always `[a-z0-9-]`, 1 to [`SecretKind::MAX_LEN`] characters, with
/// no leading, trailing or doubled `-`: whatever name a caller or a
/// repository's configuration supplies is normalised to that, so no kind can
/// carry Markdown, HTML, `-->` or a JSON quote into a placeholder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretKind(Cow<'static, str>);

impl SecretKind {
    /// Longest kind name; longer names are cut.
    pub const MAX_LEN: usize = 40;

    /// A kind from any name (an environment variable, a configured pattern):
    /// lowercased, every run of other characters turned into one `-`.
    /// `GITHUB_TOKEN` becomes `github-token`; an empty result becomes `secret`.
    pub fn new(name: &str) -> Self {
        let mut out = String::with_capacity(name.len().min(Self::MAX_LEN));
        for c in name.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                if out.len() == Self::MAX_LEN {
                    break;
                }
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') && out.len() < Self::MAX_LEN {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        if out.is_empty() {
            return Self::SECRET;
        }
        Self(Cow::Owned(out))
    }

    const fn builtin(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// The kind's name, e.g. `github-token`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text that replaces a secret of this kind: `{REDACTED:<kind>}`.
    pub fn placeholder(&self) -> String {
        format!("{PLACEHOLDER_OPEN}{}{PLACEHOLDER_CLOSE}", self.0)
    }

    /// A value handed in by the caller with no better name.
    pub const SECRET: Self = Self::builtin("secret");
    /// A value the log declared secret with `::add-mask::`.
    pub const MASKED: Self = Self::builtin("masked");
    /// GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
    pub const GITHUB_TOKEN: Self = Self::builtin("github-token");
    /// The password (or token) in a URL's userinfo.
    pub const URL_PASSWORD: Self = Self::builtin("url-password");
    /// AWS access key ids (`AKIA…`, `ASIA…`).
    pub const AWS_ACCESS_KEY_ID: Self = Self::builtin("aws-access-key-id");
    /// AWS secret access keys in an assignment.
    pub const AWS_SECRET_KEY: Self = Self::builtin("aws-secret-key");
    /// Google Cloud API keys (`AIza…`).
    pub const GCP_API_KEY: Self = Self::builtin("gcp-api-key");
    /// Azure storage account / Service Bus keys in a connection string.
    pub const AZURE_KEY: Self = Self::builtin("azure-key");
    /// Azure SAS signatures (`sig=` in a URL or connection string).
    pub const AZURE_SAS: Self = Self::builtin("azure-sas");
    /// The signature of an AWS or Google Cloud pre-signed URL.
    pub const URL_SIGNATURE: Self = Self::builtin("url-signature");
    /// Slack API tokens (`xoxb-…`, `xapp-…`).
    pub const SLACK_TOKEN: Self = Self::builtin("slack-token");
    /// Slack incoming-webhook URLs.
    pub const SLACK_WEBHOOK: Self = Self::builtin("slack-webhook");
    /// Discord webhook URLs.
    pub const DISCORD_WEBHOOK: Self = Self::builtin("discord-webhook");
    /// Microsoft Teams webhook URLs.
    pub const TEAMS_WEBHOOK: Self = Self::builtin("teams-webhook");
    /// JSON Web Tokens.
    pub const JWT: Self = Self::builtin("jwt");
    /// PEM / OpenSSH / PGP private key blocks.
    pub const PRIVATE_KEY: Self = Self::builtin("private-key");
    /// npm access tokens (`npm_…`).
    pub const NPM_TOKEN: Self = Self::builtin("npm-token");
    /// PyPI API tokens (`pypi-Ag…`).
    pub const PYPI_TOKEN: Self = Self::builtin("pypi-token");
    /// Docker Hub access tokens (`dckr_pat_…`).
    pub const DOCKERHUB_TOKEN: Self = Self::builtin("dockerhub-token");
    /// Hugging Face tokens (`hf_…`).
    pub const HUGGINGFACE_TOKEN: Self = Self::builtin("huggingface-token");
    /// OpenAI API keys (`sk-…`, `sk-proj-…`).
    pub const OPENAI_KEY: Self = Self::builtin("openai-key");
    /// Anthropic API keys (`sk-ant-…`).
    pub const ANTHROPIC_KEY: Self = Self::builtin("anthropic-key");
    /// GitLab tokens (`glpat-…` and friends).
    pub const GITLAB_TOKEN: Self = Self::builtin("gitlab-token");
    /// The credentials of an `Authorization:` header or a `Bearer` token.
    pub const AUTH_HEADER: Self = Self::builtin("auth-header");
    /// A high-entropy value assigned to a secret-looking name
    /// (`*_TOKEN=`, `password:`, `--api-key …`).
    pub const ASSIGNED_SECRET: Self = Self::builtin("assigned-secret");
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Opening of every placeholder. Braces, letters and `:` only: no Markdown
/// (a `[…]` would become a link when the log text after the secret happens
/// to start with `(`), no HTML, no autolink (`<scheme:…>` needs angle
/// brackets), nothing a JSON string, table cell or HTML comment must escape.
pub const PLACEHOLDER_OPEN: &str = "{REDACTED:";
/// Closing of every placeholder.
pub const PLACEHOLDER_CLOSE: &str = "}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_to_inert_kinds() {
        assert_eq!(SecretKind::new("GITHUB_TOKEN").as_str(), "github-token");
        assert_eq!(SecretKind::new("--My  Secret__").as_str(), "my-secret");
        assert_eq!(SecretKind::new("a-->b").as_str(), "a-b");
        assert_eq!(SecretKind::new("<script>").as_str(), "script");
        assert_eq!(SecretKind::new("__").as_str(), "secret");
        assert_eq!(SecretKind::new("Ünïcode").as_str(), "n-code");
        let long = SecretKind::new(&"ab_".repeat(40));
        assert!(long.as_str().len() <= SecretKind::MAX_LEN && !long.as_str().ends_with('-'));
        assert_eq!(SecretKind::JWT.placeholder(), "{REDACTED:jwt}");
    }

    #[test]
    fn placeholders_are_inert_text() {
        // Letters, digits, `-`, `:` and braces only: nothing Markdown, HTML,
        // an HTML comment, a table or a JSON string gives meaning to.
        for name in [
            "GITHUB_TOKEN",
            "a-->b",
            "[x](y)",
            "@team",
            "#1",
            "<!--",
            "`code`",
            "\"q\"",
            "a|b",
            "_x_",
            "*",
        ] {
            let p = SecretKind::new(name).placeholder();
            assert!(
                p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "{}:-".contains(c)),
                "{p}"
            );
            assert!(!p.contains("--"), "{p}");
        }
    }
}
