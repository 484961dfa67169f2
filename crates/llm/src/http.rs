//! The HTTP transport shared by the Anthropic and OpenAI-compatible
//! clients: one deadline over all attempts, retries with backoff on
//! 429/529/overloaded, `retry-after`, SSE streaming with an idle timeout, and
//! a cap on answer length.
//!
//! Why one deadline for the whole call and not per attempt: a slow local
//! model or a gateway that keeps answering 529 must never stall the
//! pipeline; when the deadline passes the deterministic result stands.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::provider::{Completion, LlmError, Usage};
use crate::secrets::SealedPrompt;
use crate::tokens;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

/// Splits a byte stream into SSE events (blank-line separated; `event:` and
/// `data:` fields; other fields and comments ignored).
#[derive(Default)]
pub(crate) struct SseDecoder {
    buf: Vec<u8>,
}

impl SseDecoder {
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.buf.extend(chunk.iter().copied().filter(|&b| b != b'\r'));
        let mut out = Vec::new();
        while let Some(end) = memchr::memmem::find(&self.buf, b"\n\n") {
            let block: Vec<u8> = self.buf.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let mut ev = SseEvent { event: None, data: String::new() };
            let mut any = false;
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    ev.event = Some(v.trim().to_string());
                    any = true;
                } else if let Some(v) = line.strip_prefix("data:") {
                    if !ev.data.is_empty() {
                        ev.data.push('\n');
                    }
                    ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    any = true;
                }
            }
            if any {
                out.push(ev);
            }
        }
        out
    }
}

/// An answer being assembled.
#[derive(Debug, Default)]
pub(crate) struct Partial {
    pub text: String,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub stop_reason: Option<String>,
}

/// What a streamed event means for the driver.
pub(crate) enum Step {
    More,
    Done,
}

/// The parts that differ between wire formats.
pub(crate) trait WireFormat: Send + Sync {
    fn url(&self) -> &str;
    fn headers(&self) -> &[(String, String)];
    fn body(&self, prompt: &SealedPrompt, stream: bool) -> Value;
    fn parse_full(&self, v: &Value) -> Result<Partial, LlmError>;
    fn on_event(&self, ev: &SseEvent, acc: &mut Partial) -> Result<Step, LlmError>;
    fn error_for(&self, status: u16, body: &str) -> LlmError;
}

/// Timeouts, retries and caps for one client.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
    pub timeout: Duration,
    pub idle: Duration,
    pub retries: u32,
    pub stream: bool,
    pub max_output_chars: usize,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Transport {
    pub fn new(timeout: Duration, retries: u32, stream: bool, max_output_chars: usize) -> Result<Self, LlmError> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("sglang-ci-bot/", env!("CARGO_PKG_VERSION")))
            // A redirect would resend the prompt, and the key in headers
            // reqwest does not strip (`x-api-key`, a gateway's), to wherever
            // the answer points: an endpoint that moves is a config change.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| LlmError::Unavailable(format!("building the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            timeout,
            idle: timeout.min(Duration::from_secs(30)),
            retries,
            stream,
            max_output_chars,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
        })
    }

    /// One call: attempts until success, a non-retryable error, the retry
    /// limit, or the deadline.
    pub async fn call<W: WireFormat>(&self, wire: &W, prompt: &SealedPrompt) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(LlmError::Timeout(self.timeout));
            }
            let (err, retry_after) = match tokio::time::timeout(remaining, self.attempt(wire, prompt)).await {
                Err(_) => return Err(LlmError::Timeout(self.timeout)),
                Ok(Ok(mut c)) => {
                    c.attempts = attempt;
                    return Ok(c);
                }
                Ok(Err(e)) => e,
            };
            if Instant::now() >= deadline {
                // Whatever failed last (a stalled stream, say), the limit
                // that ended the call is the deadline.
                return Err(LlmError::Timeout(self.timeout));
            }
            let err = with_attempts(err, attempt);
            if !err.retryable() || attempt > self.retries {
                return Err(err);
            }
            let wait = retry_after.unwrap_or_else(|| self.backoff(attempt)).min(self.max_backoff);
            if Instant::now() + wait >= deadline {
                // Sleeping would end past the deadline: give up now, the
                // deterministic result stands.
                return Err(err);
            }
            tracing::debug!(attempt, ?wait, %err, "LLM call failed, retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Exponential backoff with jitter in [0.5, 1.0) of the step.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self.base_backoff.saturating_mul(1 << attempt.min(10).saturating_sub(1));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = 0.5 + f64::from(nanos % 1000) / 2000.0;
        step.mul_f64(jitter)
    }

    async fn attempt<W: WireFormat>(
        &self,
        wire: &W,
        prompt: &SealedPrompt,
    ) -> Result<Completion, (LlmError, Option<Duration>)> {
        let mut req = self.client.post(wire.url()).json(&wire.body(prompt, self.stream));
        for (k, v) in wire.headers() {
            req = req.header(k.as_str(), v.as_str());
        }
        let mut resp = req.send().await.map_err(|e| (LlmError::Transport(one_line(e)), None))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = self.read_capped(&mut resp, 4096).await.unwrap_or_default();
            return Err((wire.error_for(status, &body), retry_after));
        }
        let is_sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut partial = if is_sse {
            self.read_stream(wire, &mut resp).await.map_err(|e| (e, None))?
        } else {
            let cap = self.max_output_chars.saturating_mul(6) + 64 * 1024;
            let body = self.read_capped(&mut resp, cap).await.map_err(|e| (e, None))?;
            if body.len() >= cap {
                return Err((LlmError::Malformed(format!("answer body longer than {cap} bytes")), None));
            }
            let v: Value = serde_json::from_str(&body)
                .map_err(|e| (LlmError::Malformed(format!("not JSON: {e}")), None))?;
            wire.parse_full(&v).map_err(|e| (e, None))?
        };
        let truncated = cap_chars(&mut partial.text, self.max_output_chars);
        let (input, output, estimated) = match (partial.input_tokens, partial.output_tokens) {
            (Some(i), Some(o)) => (i, o, false),
            (i, o) => (
                i.unwrap_or_else(|| prompt.estimated_input_tokens()),
                o.unwrap_or_else(|| tokens::estimate(&partial.text)),
                true,
            ),
        };
        Ok(Completion {
            text: partial.text,
            usage: Usage { input_tokens: input, output_tokens: output, estimated },
            truncated,
            stop_reason: partial.stop_reason,
            reported_cost_usd: None,
            attempts: 1,
        })
    }

    async fn read_capped(&self, resp: &mut reqwest::Response, cap: usize) -> Result<String, LlmError> {
        let mut buf = Vec::new();
        while buf.len() < cap {
            match tokio::time::timeout(self.idle, resp.chunk()).await {
                Err(_) => return Err(LlmError::Transport(format!("no data for {:?}", self.idle))),
                Ok(Err(e)) => return Err(LlmError::Transport(one_line(e))),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(c))) => buf.extend_from_slice(&c),
            }
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    async fn read_stream<W: WireFormat>(&self, wire: &W, resp: &mut reqwest::Response) -> Result<Partial, LlmError> {
        let mut dec = SseDecoder::default();
        let mut acc = Partial::default();
        loop {
            let chunk = match tokio::time::timeout(self.idle, resp.chunk()).await {
                Err(_) => return Err(LlmError::Transport(format!("stream stalled for {:?}", self.idle))),
                Ok(Err(e)) => return Err(LlmError::Transport(one_line(e))),
                Ok(Ok(None)) => return Err(LlmError::Transport("stream ended before the answer was complete".into())),
                Ok(Ok(Some(c))) => c,
            };
            for ev in dec.push(&chunk) {
                if let Step::Done = wire.on_event(&ev, &mut acc)? {
                    return Ok(acc);
                }
            }
            if acc.text.chars().count() > self.max_output_chars {
                // Over-long: stop reading; dropping the response closes it.
                acc.stop_reason = Some("output cap".into());
                return Ok(acc);
            }
        }
    }
}

/// Cut `text` to `max` chars; true if it was longer.
fn cap_chars(text: &mut String, max: usize) -> bool {
    match text.char_indices().nth(max) {
        Some((i, _)) => {
            text.truncate(i);
            true
        }
        None => false,
    }
}

fn with_attempts(err: LlmError, n: u32) -> LlmError {
    match err {
        LlmError::RateLimited { .. } => LlmError::RateLimited { attempts: n },
        LlmError::Overloaded { status, .. } => LlmError::Overloaded { status, attempts: n },
        other => other,
    }
}

/// A reqwest error as one line, without the URL's query (it has none of
/// ours, but a proxy URL could).
fn one_line(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s.replace('\n', " ")
}

/// First 200 chars of an error body, on one line.
pub(crate) fn snippet(body: &str) -> String {
    let one: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    one.chars().take(200).collect()
}

/// The status-based classification both wire formats share.
pub(crate) fn classify(status: u16, message: String, overloaded_hint: bool) -> LlmError {
    match status {
        429 => LlmError::RateLimited { attempts: 1 },
        529 | 503 => LlmError::Overloaded { status, attempts: 1 },
        _ if overloaded_hint => LlmError::Overloaded { status, attempts: 1 },
        _ => LlmError::Http { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_split_across_chunks_and_crlf() {
        let mut d = SseDecoder::default();
        assert!(d.push(b"event: a\r\ndata: {\"x\"").is_empty());
        let evs = d.push(b":1}\r\n\r\ndata: [DONE]\n\n: comment\n\n");
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].event.as_deref(), Some("a"));
        assert_eq!(evs[0].data, "{\"x\":1}");
        assert_eq!(evs[1].data, "[DONE]");
    }

    #[test]
    fn cap_counts_chars() {
        let mut s = "héllo".to_string();
        assert!(cap_chars(&mut s, 2));
        assert_eq!(s, "hé");
        assert!(!cap_chars(&mut s, 5));
    }
}
