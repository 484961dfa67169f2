//! Anthropic Messages API client (`POST {base}/v1/messages`), also for
//! gateways that speak it with their own headers (e.g. a subscription-key
//! header) and API version.

use serde_json::{json, Value};

use crate::http::{classify, snippet, Partial, SseEvent, Step, Transport, WireFormat};
use crate::provider::{BoxFuture, Completion, Llm, LlmError, Mode, ProviderInfo};
use crate::secrets::SealedPrompt;
use crate::settings::ApiConfig;

/// The Anthropic Messages API behind [`Llm`].
pub struct AnthropicClient {
    wire: AnthropicWire,
    transport: Transport,
    info: ProviderInfo,
}

struct AnthropicWire {
    url: String,
    headers: Vec<(String, String)>,
    model: String,
    max_tokens: u32,
}

impl AnthropicClient {
    /// A client for `cfg`. `x-api-key` is sent when a key is configured and
    /// no extra header already carries credentials (`authorization`).
    pub fn new(cfg: &ApiConfig) -> Result<Self, LlmError> {
        let base = cfg.base_url.trim_end_matches('/');
        let url = if base.ends_with("/v1") { format!("{base}/messages") } else { format!("{base}/v1/messages") };
        let mut headers = vec![("anthropic-version".to_string(), cfg.anthropic_version.clone())];
        let has_auth = cfg.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        if let (Some(key), false) = (&cfg.api_key, has_auth) {
            headers.push(("x-api-key".to_string(), key.clone()));
        }
        headers.extend(cfg.headers.iter().cloned());
        Ok(AnthropicClient {
            wire: AnthropicWire { url, headers, model: cfg.model.clone(), max_tokens: cfg.max_tokens },
            transport: Transport::new(cfg.timeout, cfg.retries, cfg.stream, cfg.max_output_chars)?,
            info: ProviderInfo { mode: Mode::Anthropic, model: cfg.model.clone(), host: cfg.host(), note: None },
        })
    }

    /// Replace the note shown in the report (e.g. why API mode is used).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.info.note = Some(note.into());
        self
    }
}

impl Llm for AnthropicClient {
    fn info(&self) -> ProviderInfo {
        self.info.clone()
    }

    fn complete<'a>(&'a self, prompt: &'a SealedPrompt) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(self.transport.call(&self.wire, prompt))
    }
}

impl WireFormat for AnthropicWire {
    fn url(&self) -> &str {
        &self.url
    }

    fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    fn body(&self, p: &SealedPrompt, stream: bool) -> Value {
        json!({
            "model": self.model,
            "max_tokens": p.max_tokens().min(self.max_tokens),
            "system": p.system(),
            "messages": [{"role": "user", "content": p.user()}],
            "stream": stream,
        })
    }

    fn parse_full(&self, v: &Value) -> Result<Partial, LlmError> {
        let blocks = v
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| LlmError::Malformed("no `content` array in the Messages answer".into()))?;
        let text = blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("");
        let usage = v.get("usage");
        Ok(Partial {
            text,
            input_tokens: usage.and_then(|u| u.get("input_tokens")).and_then(Value::as_u64),
            output_tokens: usage.and_then(|u| u.get("output_tokens")).and_then(Value::as_u64),
            stop_reason: v.get("stop_reason").and_then(Value::as_str).map(str::to_string),
        })
    }

    fn on_event(&self, ev: &SseEvent, acc: &mut Partial) -> Result<Step, LlmError> {
        let v: Value = serde_json::from_str(&ev.data)
            .map_err(|e| LlmError::Malformed(format!("stream event is not JSON: {e}")))?;
        let kind = v.get("type").and_then(Value::as_str).or(ev.event.as_deref()).unwrap_or("");
        match kind {
            "message_start" => {
                let usage = v.pointer("/message/usage");
                acc.input_tokens = usage.and_then(|u| u.get("input_tokens")).and_then(Value::as_u64);
            }
            "content_block_delta" => {
                if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                    acc.text.push_str(t);
                }
            }
            "message_delta" => {
                if let Some(o) = v.pointer("/usage/output_tokens").and_then(Value::as_u64) {
                    acc.output_tokens = Some(o);
                }
                if let Some(s) = v.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    acc.stop_reason = Some(s.to_string());
                }
            }
            "message_stop" => return Ok(Step::Done),
            "error" => {
                let etype = v.pointer("/error/type").and_then(Value::as_str).unwrap_or("");
                let msg = v.pointer("/error/message").and_then(Value::as_str).unwrap_or("").to_string();
                return Err(match etype {
                    "overloaded_error" => LlmError::Overloaded { status: 529, attempts: 1 },
                    "rate_limit_error" => LlmError::RateLimited { attempts: 1 },
                    _ => LlmError::Http { status: 500, message: snippet(&format!("{etype}: {msg}")) },
                });
            }
            _ => {}
        }
        Ok(Step::More)
    }

    fn error_for(&self, status: u16, body: &str) -> LlmError {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let etype = v.pointer("/error/type").and_then(Value::as_str).unwrap_or("");
        let msg = v.pointer("/error/message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| snippet(body));
        classify(status, snippet(&format!("{etype} {msg}")), etype == "overloaded_error")
    }
}
