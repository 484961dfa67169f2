//! OpenAI-compatible chat completions client (`POST {base}/v1/chat/completions`):
//! vLLM, llama.cpp server, Ollama and hosted OpenAI-compatible endpoints.

use serde_json::{json, Value};

use crate::http::{classify, snippet, Partial, SseEvent, Step, Transport, WireFormat};
use crate::provider::{BoxFuture, Completion, Llm, LlmError, Mode, ProviderInfo};
use crate::secrets::SealedPrompt;
use crate::settings::ApiConfig;

/// An OpenAI-compatible chat completions endpoint behind [`Llm`].
pub struct OpenAiClient {
    wire: OpenAiWire,
    transport: Transport,
    info: ProviderInfo,
}

struct OpenAiWire {
    url: String,
    headers: Vec<(String, String)>,
    model: String,
    max_tokens: u32,
}

impl OpenAiClient {
    /// A client for `cfg`. The base URL may or may not end in `/v1`
    /// (`http://localhost:11434/v1` for Ollama, `http://vllm:8000`).
    pub fn new(cfg: &ApiConfig) -> Result<Self, LlmError> {
        let base = cfg.base_url.trim_end_matches('/');
        let url = if base.ends_with("/v1") {
            format!("{base}/chat/completions")
        } else {
            format!("{base}/v1/chat/completions")
        };
        let mut headers = Vec::new();
        let has_auth = cfg.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        if let (Some(key), false) = (&cfg.api_key, has_auth) {
            headers.push(("authorization".to_string(), format!("Bearer {key}")));
        }
        headers.extend(cfg.headers.iter().cloned());
        Ok(OpenAiClient {
            wire: OpenAiWire { url, headers, model: cfg.model.clone(), max_tokens: cfg.max_tokens },
            transport: Transport::new(cfg.timeout, cfg.retries, cfg.stream, cfg.max_output_chars)?,
            info: ProviderInfo { mode: Mode::OpenAi, model: cfg.model.clone(), host: cfg.host(), note: None },
        })
    }
}

impl Llm for OpenAiClient {
    fn info(&self) -> ProviderInfo {
        self.info.clone()
    }

    fn complete<'a>(&'a self, prompt: &'a SealedPrompt) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(self.transport.call(&self.wire, prompt))
    }
}

impl WireFormat for OpenAiWire {
    fn url(&self) -> &str {
        &self.url
    }

    fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    fn body(&self, p: &SealedPrompt, stream: bool) -> Value {
        let mut body = json!({
            "model": self.model,
            "max_tokens": p.max_tokens().min(self.max_tokens),
            "messages": [
                {"role": "system", "content": p.system()},
                {"role": "user", "content": p.user()},
            ],
            "temperature": 0,
            "stream": stream,
        });
        if stream {
            body["stream_options"] = json!({"include_usage": true});
        }
        body
    }

    fn parse_full(&self, v: &Value) -> Result<Partial, LlmError> {
        let choice = v
            .pointer("/choices/0")
            .ok_or_else(|| LlmError::Malformed("no `choices[0]` in the chat completion".into()))?;
        let text = choice.pointer("/message/content").and_then(Value::as_str).unwrap_or("").to_string();
        let usage = v.get("usage");
        Ok(Partial {
            text,
            input_tokens: usage.and_then(|u| u.get("prompt_tokens")).and_then(Value::as_u64),
            output_tokens: usage.and_then(|u| u.get("completion_tokens")).and_then(Value::as_u64),
            stop_reason: choice.get("finish_reason").and_then(Value::as_str).map(str::to_string),
        })
    }

    fn on_event(&self, ev: &SseEvent, acc: &mut Partial) -> Result<Step, LlmError> {
        if ev.data.trim() == "[DONE]" {
            return Ok(Step::Done);
        }
        let v: Value = serde_json::from_str(&ev.data)
            .map_err(|e| LlmError::Malformed(format!("stream chunk is not JSON: {e}")))?;
        if let Some(err) = v.get("error") {
            let msg = err.get("message").and_then(Value::as_str).unwrap_or("error event");
            return Err(LlmError::Http { status: 500, message: snippet(msg) });
        }
        if let Some(t) = v.pointer("/choices/0/delta/content").and_then(Value::as_str) {
            acc.text.push_str(t);
        }
        if let Some(r) = v.pointer("/choices/0/finish_reason").and_then(Value::as_str) {
            acc.stop_reason = Some(r.to_string());
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            acc.input_tokens = u.get("prompt_tokens").and_then(Value::as_u64);
            acc.output_tokens = u.get("completion_tokens").and_then(Value::as_u64);
        }
        Ok(Step::More)
    }

    fn error_for(&self, status: u16, body: &str) -> LlmError {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let msg = v.pointer("/error/message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| snippet(body));
        classify(status, snippet(&msg), false)
    }
}
