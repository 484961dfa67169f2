//! `ci-llm`: the LLM layer. The bot is fully useful without it; with it, a
//! model *describes* what the deterministic engine found, and code checks
//! what it says.
//!
//! ```text
//! facts (engine) ──► prompt (agent/ templates) ──► Scrubber::seal (redaction)
//!     ──► Llm (Anthropic | OpenAI-compatible | sandboxed Claude Code)
//!     ──► Scrubber::scrub ──► parse ──► verify against the log ──► Narrative
//! ```
//!
//! - [`provider`]: the one trait, [`Llm`]; [`anthropic`] and [`openai`] are
//!   its HTTP clients (retries with backoff on 429/529/overloaded, one
//!   deadline per call, SSE streaming, output cap); agent mode lives in
//!   `ci-sandbox`.
//! - [`settings`]: the `llm:` config section and `CI_BOT_LLM_*` overrides.
//! - [`engine`]: the one conversion of the engine's analysis into
//!   [`facts`] (key lines with context, candidates, the checked log).
//! - [`templates`] and [`prompt`]: `agent/` templates filled with
//!   [`facts`], never the whole log.
//! - [`secrets`]: the single redaction call site.
//! - [`verify`] and [`pick`]: quotes must exist in the log, hypotheses carry
//!   a confidence label and disconfirming evidence, steps are not orders; a
//!   model's pick of the line to read first must be a shown candidate.
//! - [`budget`], [`cache`], [`tokens`]: daily token budget, fingerprint
//!   cache (a repeat failure costs zero tokens), the footer's numbers.
//! - [`narrate`]: the one path through all of the above; every failure is a
//!   [`narrate::Deterministic`] reason and the deterministic result stands.
//! - [`render`]: Markdown fragments through `ci-report`'s `safe` escaping.
//! - [`legacy`]: the old bot's API-mode prompt size, for the cost ratio.

#![warn(missing_docs)]

pub mod anthropic;
pub mod budget;
pub mod cache;
pub mod engine;
pub mod facts;
mod http;
pub mod legacy;
pub mod narrate;
pub mod openai;
pub mod pick;
pub mod prompt;
pub mod provider;
pub mod render;
pub mod secrets;
pub mod settings;
pub mod templates;
pub mod tokens;
pub mod verify;

pub use narrate::{Deterministic, Narrator, Source, Told};
pub use provider::{BoxFuture, Completion, Llm, LlmError, Mode, ProviderInfo, Usage};
pub use secrets::{Scrubber, SealedPrompt};
pub use settings::{AgentSettings, ApiConfig, LlmConfig, ProviderChoice, Resolved};
pub use templates::{Task, Templates};
