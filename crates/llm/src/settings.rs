//! Choosing and configuring the provider: the `llm:` section of
//! `.github/ci-bot.yml` ([`LlmConfig`]), overridden by `CI_BOT_LLM_*`
//! environment variables (typed with `envy`), with secrets taken only from
//! the environment.
//!
//! ```yaml
//! llm:
//!   provider: anthropic          # none | anthropic | openai | agent
//!   base_url: https://gateway.example.com/anthropic
//!   model: claude-sonnet-4-5
//!   header_env: { Ocp-Apim-Subscription-Key: GATEWAY_KEY }   # value from $GATEWAY_KEY
//!   timeout_secs: 60
//!   daily_token_budget: 300000
//! ```
//!
//! Environment: `CI_BOT_LLM_PROVIDER`, `CI_BOT_LLM_BASE_URL`,
//! `CI_BOT_LLM_MODEL`, `CI_BOT_LLM_MAX_TOKENS`, `CI_BOT_LLM_TIMEOUT_SECS`,
//! `CI_BOT_LLM_RETRIES`, `CI_BOT_LLM_STREAM`, `CI_BOT_LLM_DAILY_TOKEN_BUDGET`,
//! `CI_BOT_LLM_API_KEY` (else `ANTHROPIC_API_KEY` / `OPENAI_API_KEY`), and
//! `CI_BOT_LLM_HEADERS` (`Name: value` lines, like Claude Code's
//! `ANTHROPIC_CUSTOM_HEADERS`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::anthropic::AnthropicClient;
use crate::openai::OpenAiClient;
use crate::provider::{Llm, LlmError};
use crate::tokens::Price;

/// Which provider the configuration asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderChoice {
    /// No LLM: the deterministic output, labelled as such.
    #[default]
    None,
    /// Anthropic Messages API (or a gateway speaking it).
    Anthropic,
    /// OpenAI-compatible chat completions (vLLM, llama.cpp, Ollama).
    #[serde(alias = "openai-compatible")]
    OpenAi,
    /// Claude Code CLI in a sandbox container; API mode when no Docker.
    Agent,
}

/// The `llm:` section of `.github/ci-bot.yml`. No secrets here: keys and
/// secret header values are named by environment variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Which provider.
    pub provider: ProviderChoice,
    /// Endpoint base URL (`https://api.anthropic.com` by default for
    /// Anthropic and agent mode; required for `openai`).
    pub base_url: Option<String>,
    /// Model name (required for `openai`).
    pub model: Option<String>,
    /// Upper bound on output tokens for any task.
    pub max_tokens: u32,
    /// Deadline for one call, all retries included.
    pub timeout_secs: u64,
    /// Retries on 429/529/overloaded/5xx/transport errors.
    pub retries: u32,
    /// Use SSE streaming (set false for gateways that do not stream).
    pub stream: bool,
    /// Answers longer than this many chars are cut (and then fail to parse,
    /// so the deterministic result stands).
    pub max_output_chars: usize,
    /// `anthropic-version` header (gateways may want their own).
    pub anthropic_version: String,
    /// Environment variable that holds the API key (default
    /// `ANTHROPIC_API_KEY` or `OPENAI_API_KEY`).
    pub api_key_env: Option<String>,
    /// Extra non-secret headers.
    pub headers: BTreeMap<String, String>,
    /// Extra headers whose values are secret: header name → environment
    /// variable holding the value.
    pub header_env: BTreeMap<String, String>,
    /// Tokens (in + out) one repository may spend per UTC day.
    pub daily_token_budget: u64,
    /// Prices in USD per million tokens; default from the model name.
    pub price: Option<Price>,
    /// Agent mode's sandbox.
    pub agent: AgentSettings,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            provider: ProviderChoice::None,
            base_url: None,
            model: None,
            max_tokens: 1024,
            timeout_secs: 60,
            retries: 3,
            stream: true,
            max_output_chars: 16_000,
            anthropic_version: "2023-06-01".into(),
            api_key_env: None,
            headers: BTreeMap::new(),
            header_env: BTreeMap::new(),
            daily_token_budget: 300_000,
            price: None,
            agent: AgentSettings::default(),
        }
    }
}

/// The sandbox container for agent mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// Image with the `claude` CLI on its `PATH` (built by the user; the
    /// bot never pulls).
    pub image: String,
    /// Image that runs the forwarding proxy; default: the bot's own image.
    pub proxy_image: Option<String>,
    /// Command in the proxy image; `--listen`/`--upstream` are appended.
    pub proxy_command: Vec<String>,
    /// CPU limit (cores).
    pub cpus: f64,
    /// Memory limit.
    pub memory_mb: u64,
    /// Process limit.
    pub pids: i64,
    /// Wall-clock limit for one run; the container is killed after it.
    pub timeout_secs: u64,
    /// `--max-turns` for the CLI.
    pub max_turns: u32,
}

impl AgentSettings {
    /// The limits a sandbox must have: Docker reads 0 (and a negative
    /// process count) as "no limit", so a typo here would run the agent
    /// unbounded.
    pub fn check(&self) -> Result<(), ConfigError> {
        if !(self.cpus.is_finite() && self.cpus > 0.0) {
            return Err(ConfigError(format!("agent.cpus must be above 0 (got {})", self.cpus)));
        }
        if self.memory_mb < 64 {
            return Err(ConfigError(format!("agent.memory_mb must be at least 64 (got {})", self.memory_mb)));
        }
        if self.pids < 16 {
            return Err(ConfigError(format!("agent.pids must be at least 16 (got {})", self.pids)));
        }
        Ok(())
    }
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            image: "ci-bot-agent:latest".into(),
            proxy_image: None,
            proxy_command: vec!["ci-bot".into(), "sandbox-proxy".into()],
            cpus: 1.0,
            memory_mb: 2048,
            pids: 256,
            timeout_secs: 300,
            max_turns: 20,
        }
    }
}

/// A bad configuration, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("llm config: {0}")]
pub struct ConfigError(pub String);

/// One HTTP provider's settings, secrets resolved. `Debug` hides them.
#[derive(Clone)]
pub struct ApiConfig {
    /// Endpoint base URL.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// API key, if any.
    pub api_key: Option<String>,
    /// Extra headers (gateway keys included).
    pub headers: Vec<(String, String)>,
    /// `anthropic-version`.
    pub anthropic_version: String,
    /// Output token cap.
    pub max_tokens: u32,
    /// Deadline per call, retries included.
    pub timeout: Duration,
    /// Retries.
    pub retries: u32,
    /// SSE streaming.
    pub stream: bool,
    /// Answer length cap in chars.
    pub max_output_chars: usize,
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("base_url", &self.host())
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("stream", &self.stream)
            .finish()
    }
}

impl ApiConfig {
    /// Minimal settings for `base_url` and `model` (tests, local servers).
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        let d = LlmConfig::default();
        ApiConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            headers: Vec::new(),
            anthropic_version: d.anthropic_version,
            max_tokens: d.max_tokens,
            timeout: Duration::from_secs(d.timeout_secs),
            retries: d.retries,
            stream: d.stream,
            max_output_chars: d.max_output_chars,
        }
    }

    /// The endpoint's host (and port), without scheme, credentials or path.
    pub fn host(&self) -> String {
        let rest = self.base_url.split_once("://").map_or(self.base_url.as_str(), |(_, r)| r);
        let hostport = rest.split(['/', '?', '#']).next().unwrap_or("");
        hostport.rsplit_once('@').map_or(hostport, |(_, h)| h).to_string()
    }
}

/// `CI_BOT_LLM_*` overrides.
#[derive(Debug, Default, Deserialize)]
struct EnvLayer {
    provider: Option<ProviderChoice>,
    base_url: Option<String>,
    model: Option<String>,
    max_tokens: Option<u32>,
    timeout_secs: Option<u64>,
    retries: Option<u32>,
    stream: Option<bool>,
    daily_token_budget: Option<u64>,
    api_key: Option<String>,
    headers: Option<String>,
}

/// The configuration with environment overrides and secrets applied.
/// `Debug` counts the secrets, never shows them.
#[derive(Clone)]
pub struct Resolved {
    /// The provider asked for.
    pub choice: ProviderChoice,
    /// HTTP settings (also agent mode's endpoint and its API fallback);
    /// `None` when `choice` is `None`.
    pub api: Option<ApiConfig>,
    /// Sandbox settings for agent mode.
    pub agent: AgentSettings,
    /// Daily token budget per repository.
    pub daily_token_budget: u64,
    /// Configured prices, if any.
    pub price: Option<Price>,
    /// Every secret value met (key, secret headers), for the scrubber.
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("choice", &self.choice)
            .field("api", &self.api)
            .field("agent", &self.agent)
            .field("daily_token_budget", &self.daily_token_budget)
            .field("price", &self.price)
            .field("secrets", &format_args!("[{} hidden]", self.secrets.len()))
            .finish()
    }
}

impl LlmConfig {
    /// Apply `CI_BOT_LLM_*` from `env` and take secrets from it.
    pub fn resolve<I>(&self, env: I) -> Result<Resolved, ConfigError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let env: BTreeMap<String, String> = env.into_iter().collect();
        let layer: EnvLayer = envy::prefixed("CI_BOT_LLM_")
            .from_iter(env.iter().map(|(k, v)| (k.clone(), v.clone())))
            .map_err(|e| ConfigError(format!("environment: {e}")))?;
        let choice = layer.provider.unwrap_or(self.provider);
        let budget = layer.daily_token_budget.unwrap_or(self.daily_token_budget);
        let mut resolved =
            Resolved { choice, api: None, agent: self.agent.clone(), daily_token_budget: budget, price: self.price, secrets: Vec::new() };
        if choice == ProviderChoice::None {
            return Ok(resolved);
        }
        if choice == ProviderChoice::Agent {
            self.agent.check()?;
        }
        let anthropic_like = matches!(choice, ProviderChoice::Anthropic | ProviderChoice::Agent);
        let base_url = layer
            .base_url
            .or_else(|| self.base_url.clone())
            .or_else(|| anthropic_like.then(|| "https://api.anthropic.com".to_string()))
            .ok_or_else(|| ConfigError("base_url is required for provider openai (e.g. http://localhost:8000/v1)".into()))?;
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(ConfigError(format!("base_url must start with http:// or https:// (got {base_url:?})")));
        }
        let model = layer
            .model
            .or_else(|| self.model.clone())
            .or_else(|| anthropic_like.then(|| "claude-sonnet-4-5".to_string()))
            .ok_or_else(|| ConfigError("model is required for provider openai".into()))?;
        let key_env = self.api_key_env.clone().unwrap_or_else(|| {
            if anthropic_like { "ANTHROPIC_API_KEY" } else { "OPENAI_API_KEY" }.to_string()
        });
        let api_key = layer.api_key.or_else(|| env.get(&key_env).cloned()).filter(|k| !k.trim().is_empty());
        let mut headers: Vec<(String, String)> = self.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut secrets: Vec<String> = api_key.iter().cloned().collect();
        for (name, var) in &self.header_env {
            let v = env
                .get(var)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ConfigError(format!("header {name}: environment variable {var} is not set")))?;
            headers.push((name.clone(), v.clone()));
            secrets.push(v.clone());
        }
        for line in layer.headers.as_deref().unwrap_or("").lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| ConfigError(format!("CI_BOT_LLM_HEADERS: expected `Name: value`, got {:?}", first_word(line))))?;
            headers.push((k.trim().to_string(), v.trim().to_string()));
            secrets.push(v.trim().to_string());
        }
        if anthropic_like && api_key.is_none() && headers.is_empty() {
            return Err(ConfigError(format!("no credentials: set {key_env}, CI_BOT_LLM_API_KEY or a gateway header")));
        }
        resolved.api = Some(ApiConfig {
            base_url,
            model,
            api_key,
            headers,
            anthropic_version: self.anthropic_version.clone(),
            max_tokens: layer.max_tokens.unwrap_or(self.max_tokens),
            timeout: Duration::from_secs(layer.timeout_secs.unwrap_or(self.timeout_secs).max(1)),
            retries: layer.retries.unwrap_or(self.retries),
            stream: layer.stream.unwrap_or(self.stream),
            max_output_chars: self.max_output_chars,
        });
        resolved.secrets = secrets;
        Ok(resolved)
    }
}

fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").chars().take(20).collect()
}

impl Resolved {
    /// The HTTP provider for `api` mode (Anthropic for `anthropic` and for
    /// agent mode's fallback, OpenAI-compatible for `openai`). `None` when no
    /// LLM is configured.
    pub fn api_provider(&self) -> Result<Option<Box<dyn Llm>>, LlmError> {
        let Some(api) = &self.api else { return Ok(None) };
        Ok(Some(match self.choice {
            ProviderChoice::None => return Ok(None),
            ProviderChoice::OpenAi => Box::new(OpenAiClient::new(api)?),
            ProviderChoice::Anthropic => Box::new(AnthropicClient::new(api)?),
            ProviderChoice::Agent => Box::new(AnthropicClient::new(api)?.with_note(
                "agent mode was not used: API mode (see the run log for why)",
            )),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn no_provider_means_no_llm() {
        let r = LlmConfig::default().resolve(env(&[("ANTHROPIC_API_KEY", "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx")])).unwrap();
        assert_eq!(r.choice, ProviderChoice::None);
        assert!(r.api_provider().unwrap().is_none());
    }

    #[test]
    fn an_agent_without_limits_is_refused() {
        let key = env(&[("ANTHROPIC_API_KEY", "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx")]);
        for (yaml, word) in [("cpus: 0", "cpus"), ("memory_mb: 0", "memory_mb"), ("pids: -1", "pids"), ("pids: 0", "pids")] {
            let cfg: LlmConfig = serde_yaml_ng::from_str(&format!("provider: agent\nagent: {{{yaml}}}\n")).unwrap();
            let e = cfg.resolve(key.clone()).unwrap_err();
            assert!(e.0.contains(word), "{yaml}: {e:?}");
        }
        let ok: LlmConfig = serde_yaml_ng::from_str("provider: agent\n").unwrap();
        assert!(ok.resolve(key).is_ok(), "the defaults are limits");
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let yaml = "provider: openai\nbase_url: http://vllm:8000\nmodel: qwen\nheader_env: {Ocp-Apim-Subscription-Key: GW_KEY}\n";
        let cfg: LlmConfig = serde_yaml_ng::from_str(yaml).unwrap();
        let r = cfg.resolve(env(&[("GW_KEY", "gateway-secret-value-123")])).unwrap();
        assert!(!r.secrets.is_empty());
        let shown = format!("{r:?} {r:#?}");
        assert!(!shown.contains("gateway-secret-value-123"), "{shown}");
        assert!(shown.contains("hidden"));
    }

    #[test]
    fn env_overrides_file_and_secret_headers_come_from_env() {
        let yaml = "provider: openai\nbase_url: http://vllm:8000\nmodel: qwen\nheader_env: {Ocp-Apim-Subscription-Key: GW_KEY}\n";
        let cfg: LlmConfig = serde_yaml_ng::from_str(yaml).unwrap();
        let r = cfg
            .resolve(env(&[
                ("GW_KEY", "gateway-secret-123"),
                ("CI_BOT_LLM_PROVIDER", "anthropic"),
                ("CI_BOT_LLM_TIMEOUT_SECS", "7"),
                ("CI_BOT_LLM_STREAM", "false"),
                ("CI_BOT_LLM_HEADERS", "X-Team: ci\nX-Other: two"),
            ]))
            .unwrap();
        assert_eq!(r.choice, ProviderChoice::Anthropic);
        let api = r.api.unwrap();
        assert_eq!(api.base_url, "http://vllm:8000");
        assert_eq!(api.timeout, Duration::from_secs(7));
        assert!(!api.stream);
        assert!(api.headers.contains(&("Ocp-Apim-Subscription-Key".into(), "gateway-secret-123".into())));
        assert!(api.headers.contains(&("X-Team".into(), "ci".into())));
        assert!(r.secrets.contains(&"gateway-secret-123".to_string()));
        assert!(!format!("{api:?}").contains("gateway-secret-123"), "Debug hides secrets");
    }

    #[test]
    fn clear_errors() {
        let cfg = LlmConfig { provider: ProviderChoice::OpenAi, ..Default::default() };
        let e = cfg.resolve(env(&[])).unwrap_err();
        assert_eq!(e.to_string(), "llm config: base_url is required for provider openai (e.g. http://localhost:8000/v1)");
        let cfg = LlmConfig { provider: ProviderChoice::Anthropic, ..Default::default() };
        assert!(cfg.resolve(env(&[])).unwrap_err().to_string().contains("no credentials"));
        let e = LlmConfig::default().resolve(env(&[("CI_BOT_LLM_PROVIDER", "gpt")])).unwrap_err();
        assert!(e.to_string().starts_with("llm config: environment:"), "{e}");
        let e = serde_yaml_ng::from_str::<LlmConfig>("providr: none").unwrap_err();
        assert!(e.to_string().contains("unknown field"));
    }

    #[test]
    fn host_drops_credentials_and_path() {
        assert_eq!(ApiConfig::new("https://u:p@gw.example.com:8443/anthropic/v1", "m").host(), "gw.example.com:8443");
    }
}
