//! The one provider trait every model sits behind, and what a call returns.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secrets::SealedPrompt;

/// A boxed, sendable future: the trait must be object safe, because the
/// provider is chosen at run time from config and environment.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the model is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Anthropic Messages API (or a gateway speaking it).
    Anthropic,
    /// OpenAI-compatible chat completions (vLLM, llama.cpp server, Ollama).
    #[serde(rename = "openai")]
    OpenAi,
    /// The Claude Code CLI in a sandbox container.
    Agent,
}

/// What the report says about the model that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// How the model is reached.
    pub mode: Mode,
    /// Model name as configured.
    pub model: String,
    /// Host of the endpoint (never a key or a full URL with credentials).
    pub host: String,
    /// Why this provider rather than the configured one, e.g. "agent mode
    /// unavailable (no Docker engine reachable): API mode used".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ProviderInfo {
    /// `claude-sonnet-4-5 via the Anthropic API (api.anthropic.com)`.
    pub fn label(&self) -> String {
        let how = match self.mode {
            Mode::Anthropic => "the Anthropic API",
            Mode::OpenAi => "an OpenAI-compatible API",
            Mode::Agent => "Claude Code in a sandbox container",
        };
        let mut s = format!("{} via {how} ({})", self.model, self.host);
        if let Some(n) = &self.note {
            s.push_str("; ");
            s.push_str(n);
        }
        s
    }
}

/// Tokens a call consumed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// The provider did not report usage; these are [`crate::tokens::estimate`]s.
    #[serde(default)]
    pub estimated: bool,
}

/// A model's answer to one prompt.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The answer text (not yet checked: see [`crate::verify`]).
    pub text: String,
    /// Tokens in and out.
    pub usage: Usage,
    /// The answer was cut at the configured output cap.
    pub truncated: bool,
    /// `end_turn`, `max_tokens`, `stop`, `length`…, as the provider said.
    pub stop_reason: Option<String>,
    /// Cost as reported by the provider itself (the Claude Code CLI does).
    pub reported_cost_usd: Option<f64>,
    /// HTTP attempts made (1 = no retry).
    pub attempts: u32,
}

/// Why a call produced no answer. Every variant means "the deterministic
/// result stands"; none is fatal to a run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The whole call (all retries) took longer than the configured timeout.
    #[error("LLM call timed out after {0:?}")]
    Timeout(Duration),
    /// HTTP 429 after the last retry.
    #[error("LLM rate limited (HTTP 429) after {attempts} attempt(s)")]
    RateLimited {
        /// Attempts made.
        attempts: u32,
    },
    /// HTTP 529/503 or an `overloaded_error` after the last retry.
    #[error("LLM overloaded (HTTP {status}) after {attempts} attempt(s)")]
    Overloaded {
        /// Last status seen (529 also stands for a mid-stream overload).
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// Another HTTP error status.
    #[error("LLM endpoint answered HTTP {status}: {message}")]
    Http {
        /// Status code.
        status: u16,
        /// First part of the error body.
        message: String,
    },
    /// Could not connect, or the connection broke.
    #[error("LLM transport error: {0}")]
    Transport(String),
    /// The endpoint answered something that is not the wire format.
    #[error("LLM answer malformed: {0}")]
    Malformed(String),
    /// The provider cannot run here (e.g. no Docker engine for agent mode).
    #[error("LLM unavailable: {0}")]
    Unavailable(String),
    /// The model worked and spent these tokens, but gave no answer (an
    /// agent that ran out of turns): they count against the budget all the
    /// same.
    #[error("LLM gave no answer: {why}")]
    Spent {
        /// What the provider said.
        why: String,
        /// What it spent.
        usage: Usage,
    },
}

impl LlmError {
    /// Worth another attempt (after a backoff)?
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { .. } | LlmError::Overloaded { .. } | LlmError::Transport(_)
        ) || matches!(self, LlmError::Http { status, .. } if matches!(status, 408 | 500 | 502 | 504))
    }
}

/// A model behind one interface: the Anthropic and OpenAI-compatible HTTP
/// clients in this crate, the sandboxed Claude Code CLI in `ci-sandbox`.
///
/// Implementations never see an unredacted prompt: [`SealedPrompt`] can only
/// be made by [`crate::secrets::Scrubber::seal`].
pub trait Llm: Send + Sync {
    /// Model, mode and endpoint host, for the report.
    fn info(&self) -> ProviderInfo;

    /// One prompt, one answer. Must return within the provider's configured
    /// timeout, whatever the endpoint does.
    fn complete<'a>(&'a self, prompt: &'a SealedPrompt) -> BoxFuture<'a, Result<Completion, LlmError>>;
}
