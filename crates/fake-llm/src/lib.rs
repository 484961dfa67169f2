//! A scripted fake LLM server over real HTTP, for tests, the demo and the
//! scorer's plumbing proof.
//!
//! It speaks the two wire formats the bot's clients speak:
//! - Anthropic Messages: `POST /v1/messages` (JSON or `stream: true` SSE);
//! - OpenAI-compatible chat completions (vLLM, llama.cpp server, Ollama):
//!   `POST /v1/chat/completions` (JSON or SSE with `data: [DONE]`).
//!
//! Every request is recorded ([`FakeLlm::requests`]) so a test can assert
//! on what left the bot (redaction, prompt size, call counts). Replies come
//! from a queue of scripted [`Reply`]s, then from a default [`Responder`]:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fake_llm::{FakeLlm, Reply};
//! let llm = FakeLlm::start().await?;
//! llm.push(Reply::status(429).retry_after(1));   // first call: rate limited
//! llm.push(Reply::text("{\"summary\": \"…\"}"));  // second call: an answer
//! // point the client at llm.url(), then:
//! assert_eq!(llm.requests().len(), 2);
//! # Ok(()) }
//! ```
//!
//! Faults are real HTTP behaviour, not flags the client could peek at:
//! 429 with `retry-after`, 529 `overloaded_error`, 5xx, a stall before the
//! first byte or in the middle of a stream, an error event mid-stream,
//! malformed bodies and over-long output.

#![warn(missing_docs)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub mod oracle;
pub mod reader;

/// Which wire format a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `POST /v1/messages`.
    Anthropic,
    /// `POST /v1/chat/completions`.
    OpenAi,
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The wire format (from the path).
    pub wire: Wire,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body as JSON (`Value::Null` if it was not JSON).
    pub body: Value,
    /// The body as received.
    pub raw: String,
}

impl Recorded {
    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// Did the client ask for a stream?
    pub fn stream(&self) -> bool {
        self.body.get("stream").and_then(Value::as_bool).unwrap_or(false)
    }

    /// The system prompt (Anthropic `system`, or OpenAI's `system` message).
    pub fn system(&self) -> String {
        match self.wire {
            Wire::Anthropic => text_of(self.body.get("system")),
            Wire::OpenAi => self.messages_of("system"),
        }
    }

    /// All user message text, concatenated.
    pub fn user(&self) -> String {
        self.messages_of("user")
    }

    /// `max_tokens` as sent.
    pub fn max_tokens(&self) -> Option<u64> {
        self.body.get("max_tokens").and_then(Value::as_u64)
    }

    fn messages_of(&self, role: &str) -> String {
        let Some(msgs) = self.body.get("messages").and_then(Value::as_array) else {
            return String::new();
        };
        msgs.iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some(role))
            .map(|m| text_of(m.get("content")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `content` may be a string or an array of `{type: text, text}` blocks.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// What the fake does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer with this text, in the request's wire format, streamed when
    /// the request asked for a stream.
    Text(String),
    /// An HTTP error with the wire format's error body. `retry_after` sets
    /// the `retry-after` header (seconds).
    Status {
        /// HTTP status (429, 529, 500, …).
        code: u16,
        /// Seconds for `retry-after`, if any.
        retry_after: Option<u64>,
    },
    /// Wait, then reply: a slow model or a stalled gateway.
    Delay(Duration, Box<Reply>),
    /// `200 OK` with this raw body (not valid for the wire format).
    Malformed(String),
    /// Stream `text`, then an `overloaded_error` event (Anthropic) or a
    /// truncated stream with no terminator (OpenAI).
    BreakMidStream(String),
    /// Stream `text`, then stall for the duration before finishing.
    StallMidStream(String, Duration),
    /// `307 Temporary Redirect` to this URL (a gateway that moved, or one
    /// that tries to send the request elsewhere).
    Redirect(String),
}

impl Reply {
    /// [`Reply::Text`].
    pub fn text(s: impl Into<String>) -> Self {
        Reply::Text(s.into())
    }
    /// [`Reply::Status`] without `retry-after`.
    pub fn status(code: u16) -> Self {
        Reply::Status { code, retry_after: None }
    }
    /// Add `retry-after: secs` to a [`Reply::Status`].
    pub fn retry_after(self, secs: u64) -> Self {
        match self {
            Reply::Status { code, .. } => Reply::Status { code, retry_after: Some(secs) },
            other => other,
        }
    }
    /// [`Reply::Delay`].
    pub fn after(self, d: Duration) -> Self {
        Reply::Delay(d, Box::new(self))
    }
}

/// Answers requests when no scripted [`Reply`] is queued.
pub type Responder = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    queue: VecDeque<Reply>,
    responder: Responder,
    requests: Vec<Recorded>,
}

/// A running fake LLM server. Dropping it stops serving.
pub struct FakeLlm {
    url: String,
    addr: SocketAddr,
    shared: Shared,
    task: JoinHandle<()>,
}

/// The default responder: a fixed, valid narrative answer.
pub fn canned_answer() -> String {
    json!({
        "summary": "The job failed; the engine's key line is the place to start.",
        "evidence": [],
        "hypotheses": [],
        "triage_steps": ["Read the key line and its context first."]
    })
    .to_string()
}

impl FakeLlm {
    /// Serve on an ephemeral port of 127.0.0.1 with the [`canned_answer`].
    pub async fn start() -> Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), Arc::new(|_| Reply::Text(canned_answer()))).await
    }

    /// Serve on `addr` with `responder` for unscripted requests.
    pub async fn start_on(addr: SocketAddr, responder: Responder) -> Result<Self> {
        let listener = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        let addr = listener.local_addr()?;
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner { queue: VecDeque::new(), responder, requests: Vec::new() })),
        };
        let app = Router::new()
            .route("/v1/messages", post(anthropic))
            .route("/v1/chat/completions", post(openai))
            .route("/_fake/requests", get(count))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let ip = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
        Ok(FakeLlm { url: format!("http://{ip}:{}", addr.port()), addr, shared, task })
    }

    /// Base URL, e.g. `http://127.0.0.1:PORT` (clients add `/v1/...`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queue a reply for the next unanswered request.
    pub fn push(&self, reply: Reply) {
        self.shared.inner.lock().unwrap().queue.push_back(reply);
    }

    /// Replace the default responder.
    pub fn respond_with(&self, responder: Responder) {
        self.shared.inner.lock().unwrap().responder = responder;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.inner.lock().unwrap().requests.clone()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn count(State(s): State<Shared>) -> impl IntoResponse {
    let n = s.inner.lock().unwrap().requests.len();
    axum::Json(json!({ "requests": n }))
}

async fn anthropic(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    handle(s, Wire::Anthropic, headers, body).await
}

async fn openai(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    handle(s, Wire::OpenAi, headers, body).await
}

async fn handle(s: Shared, wire: Wire, headers: HeaderMap, body: Bytes) -> Response {
    let raw = String::from_utf8_lossy(&body).into_owned();
    let rec = Recorded {
        wire,
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
    };
    let reply = {
        let mut inner = s.inner.lock().unwrap();
        inner.requests.push(rec.clone());
        match inner.queue.pop_front() {
            Some(r) => r,
            None => (inner.responder)(&rec),
        }
    };
    respond(&rec, reply).await
}

/// Rough token count for the fake's `usage` fields (4 chars a token).
fn tokens(s: &str) -> u64 {
    (s.chars().count() as u64).div_ceil(4)
}

async fn respond(rec: &Recorded, reply: Reply) -> Response {
    let mut reply = reply;
    while let Reply::Delay(d, next) = reply {
        tokio::time::sleep(d).await;
        reply = *next;
    }
    let input = tokens(&rec.system()) + tokens(&rec.user());
    let model = rec.body.get("model").and_then(Value::as_str).unwrap_or("fake-model").to_string();
    match reply {
        Reply::Delay(..) => unreachable!("unwrapped above"),
        Reply::Status { code, retry_after } => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = match rec.wire {
                Wire::Anthropic => {
                    let kind = match code {
                        429 => "rate_limit_error",
                        529 => "overloaded_error",
                        400 => "invalid_request_error",
                        401 => "authentication_error",
                        _ => "api_error",
                    };
                    json!({"type": "error", "error": {"type": kind, "message": format!("fake {code}")}})
                }
                Wire::OpenAi => json!({"error": {"message": format!("fake {code}"), "type": "server_error", "code": code}}),
            };
            let mut resp = (status, axum::Json(body)).into_response();
            if let Some(secs) = retry_after {
                resp.headers_mut().insert("retry-after", secs.to_string().parse().unwrap());
            }
            resp
        }
        Reply::Redirect(to) => (StatusCode::TEMPORARY_REDIRECT, [("location", to)]).into_response(),
        Reply::Malformed(body) => {
            ([("content-type", if rec.stream() { "text/event-stream" } else { "application/json" })], body)
                .into_response()
        }
        Reply::Text(text) => {
            if rec.stream() {
                sse(stream_events(rec.wire, &model, &text, input, End::Normal), None)
            } else {
                let out = tokens(&text);
                let body = match rec.wire {
                    Wire::Anthropic => json!({
                        "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": "end_turn", "stop_sequence": null,
                        "usage": {"input_tokens": input, "output_tokens": out}
                    }),
                    Wire::OpenAi => json!({
                        "id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": input, "completion_tokens": out, "total_tokens": input + out}
                    }),
                };
                axum::Json(body).into_response()
            }
        }
        Reply::BreakMidStream(text) => sse(stream_events(rec.wire, &model, &text, input, End::Break), None),
        Reply::StallMidStream(text, d) => {
            let events = stream_events(rec.wire, &model, &text, input, End::Normal);
            sse(events, Some(d))
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum End {
    Normal,
    Break,
}

/// The SSE frames of one streamed answer, text cut into small deltas.
fn stream_events(wire: Wire, model: &str, text: &str, input: u64, end: End) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = chars.chunks(24).map(|c| c.iter().collect()).collect();
    let mut ev = Vec::new();
    match wire {
        Wire::Anthropic => {
            let frame = |name: &str, v: Value| format!("event: {name}\ndata: {v}\n\n");
            ev.push(frame(
                "message_start",
                json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant",
                    "model": model, "content": [], "stop_reason": null, "usage": {"input_tokens": input, "output_tokens": 1}}}),
            ));
            ev.push(frame(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ));
            ev.push(frame("ping", json!({"type": "ping"})));
            for p in &pieces {
                ev.push(frame(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}),
                ));
            }
            if end == End::Break {
                ev.push(frame(
                    "error",
                    json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
                ));
                return ev;
            }
            ev.push(frame("content_block_stop", json!({"type": "content_block_stop", "index": 0})));
            ev.push(frame(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                    "usage": {"output_tokens": tokens(text)}}),
            ));
            ev.push(frame("message_stop", json!({"type": "message_stop"})));
        }
        Wire::OpenAi => {
            let frame = |v: Value| format!("data: {v}\n\n");
            for (i, p) in pieces.iter().enumerate() {
                let delta = if i == 0 { json!({"role": "assistant", "content": p}) } else { json!({"content": p}) };
                ev.push(frame(json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})));
            }
            if end == End::Break {
                return ev;
            }
            ev.push(frame(json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})));
            ev.push(frame(json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model, "choices": [],
                "usage": {"prompt_tokens": input, "completion_tokens": tokens(text), "total_tokens": input + tokens(text)}})));
            ev.push("data: [DONE]\n\n".to_string());
        }
    }
    ev
}

/// An SSE response; with `stall`, the stream pauses that long halfway.
fn sse(events: Vec<String>, stall: Option<Duration>) -> Response {
    let half = events.len() / 2;
    let items: Vec<(Option<Duration>, String)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (if i == half { stall } else { None }, e))
        .collect();
    let stream = futures_util::stream::unfold(items.into_iter(), |mut it| async move {
        let (pause, frame) = it.next()?;
        if let Some(d) = pause {
            tokio::time::sleep(d).await;
        }
        Some((Ok::<_, std::convert::Infallible>(Bytes::from(frame)), it))
    });
    Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .unwrap()
}
