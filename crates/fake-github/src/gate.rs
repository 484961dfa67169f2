//! The door every request walks through: request log, fault injection,
//! auth, rate limits, ETags. Plus the listener that lets a fault drop a
//! connection for real.

use std::hash::{Hash, Hasher};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use chrono::Utc;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::api::{ApiError, AppState};
use crate::faults::FaultKind;
use crate::state::RequestRecord;

fn is_admin(path: &str) -> bool {
    path.starts_with("/_fake/") || path == "/_fake"
}

fn is_blob(path: &str) -> bool {
    path.starts_with("/_blob/")
}

/// The credential in `Authorization: token X` / `Bearer X`, if any.
fn token_of(req: &Request) -> Option<String> {
    let h = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, value) = h.split_once(' ')?;
    let value = value.trim();
    (["token", "bearer"].contains(&scheme.to_ascii_lowercase().as_str()) && !value.is_empty())
        .then(|| value.to_string())
}

pub(crate) async fn gate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let token = token_of(&req);
    let conn = req.extensions().get::<ConnectInfo<ConnHandle>>().map(|c| c.0.clone());

    let seq = {
        let mut w = app.state.lock();
        let seq = w.requests.last().map_or(1, |r| r.seq + 1);
        if !is_admin(&path) {
            w.requests.push(RequestRecord {
                seq,
                method: method.to_string(),
                path: path.clone(),
                query,
                status: 0,
                token: token.clone(),
                fault: None,
                at: Utc::now(),
            });
        }
        seq
    };
    let (resp, fault) = handle(&app, seq, req, next, &method, &path, token.as_deref(), conn).await;
    if !is_admin(&path) {
        let mut w = app.state.lock();
        if let Some(r) = w.requests.iter_mut().rev().find(|r| r.seq == seq) {
            r.status = resp.status().as_u16();
            r.fault = fault;
        }
    }
    resp
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    app: &AppState,
    seq: u64,
    req: Request,
    next: Next,
    method: &Method,
    path: &str,
    token: Option<&str>,
    conn: Option<ConnHandle>,
) -> (Response, Option<String>) {
    let mut fault_name = None;
    let mut after = None;
    if !is_admin(path) {
        if let Some(kind) = app.faults.check(method.as_str(), path) {
            fault_name = Some(format!("{kind:?}"));
            // Logged now: a client that times out on a delay drops this
            // future, and the log must still say what happened.
            if let Some(r) = app.state.lock().requests.iter_mut().rev().find(|r| r.seq == seq) {
                r.fault = fault_name.clone();
            }
            match kind {
                FaultKind::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
                FaultKind::StatusAfterWrite { .. } | FaultKind::ResetAfterWrite => after = Some(kind),
                other => return (fault_response(other, conn), fault_name),
            }
        }
    }
    let resp = serve(app, req, next, method, path, token).await;
    // The request took effect; only the answer is lost or replaced.
    let resp = match after {
        Some(FaultKind::StatusAfterWrite { status }) => fault_response(FaultKind::Status { status }, None),
        Some(FaultKind::ResetAfterWrite) => fault_response(FaultKind::Reset, conn),
        _ => resp,
    };
    (resp, fault_name)
}

async fn serve(app: &AppState, req: Request, next: Next, method: &Method, path: &str, token: Option<&str>) -> Response {
    if is_admin(path) || is_blob(path) {
        return next.run(req).await;
    }
    if token.is_none() {
        return ApiError::new(StatusCode::UNAUTHORIZED, "Requires authentication").into_response();
    }

    let search = path.starts_with("/search/");
    let counted = path != "/rate_limit";
    {
        let mut w = app.state.lock();
        let win = if search { &mut w.rate.search } else { &mut w.rate.core };
        win.roll();
        if counted && win.remaining() == 0 {
            let mut r = ApiError::new(
                StatusCode::FORBIDDEN,
                "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
            )
            .into_response();
            rate_headers(&mut r, win, search);
            return r;
        }
    }

    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut resp = next.run(req).await;

    // ETag every successful GET; a matching If-None-Match gets 304, which
    // GitHub does not charge against the rate limit.
    let mut not_modified = false;
    if *method == Method::GET && resp.status() == StatusCode::OK {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        let etag = format!("W/\"{:016x}\"", h.finish());
        not_modified = if_none_match
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
            }));
        resp = if not_modified {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            for k in [header::CACHE_CONTROL, header::VARY] {
                if let Some(v) = parts.headers.get(&k) {
                    r.headers_mut().insert(k, v.clone());
                }
            }
            r
        } else {
            Response::from_parts(parts, axum::body::Body::from(bytes))
        };
        if let Ok(v) = HeaderValue::from_str(&etag) {
            resp.headers_mut().insert(header::ETAG, v);
        }
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60, s-maxage=60"));
    }
    {
        let mut w = app.state.lock();
        let win = if search { &mut w.rate.search } else { &mut w.rate.core };
        if counted && !not_modified {
            win.used += 1;
        }
        rate_headers(&mut resp, win, search);
    }
    resp.headers_mut()
        .insert("x-github-api-version-selected", HeaderValue::from_static("2022-11-28"));
    resp
}

fn rate_headers(r: &mut Response, win: &crate::state::RateWindow, search: bool) {
    let h = r.headers_mut();
    let num = |n: u64| HeaderValue::from_str(&n.to_string()).expect("digits");
    h.insert("x-ratelimit-limit", num(win.limit));
    h.insert("x-ratelimit-remaining", num(win.remaining()));
    h.insert("x-ratelimit-used", num(win.used));
    h.insert("x-ratelimit-reset", num(win.reset.timestamp().max(0) as u64));
    h.insert(
        "x-ratelimit-resource",
        HeaderValue::from_static(if search { "search" } else { "core" }),
    );
}

fn fault_response(kind: FaultKind, conn: Option<ConnHandle>) -> Response {
    let retry = |mut r: Response, secs: u64| {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_str(&secs.to_string()).expect("digits"));
        r
    };
    match kind {
        FaultKind::Status { status } => {
            let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let msg = match status {
                502 => "Server Error",
                503 => "Service Unavailable",
                _ => s.canonical_reason().unwrap_or("Server Error"),
            };
            ApiError::new(s, msg).into_response()
        }
        FaultKind::SecondaryRateLimit { retry_after_secs } => {
            let mut e = ApiError::new(
                StatusCode::FORBIDDEN,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
            );
            e.body["documentation_url"] = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits".into();
            retry(e.into_response(), retry_after_secs)
        }
        FaultKind::TooManyRequests { retry_after_secs } => {
            retry(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(), retry_after_secs)
        }
        FaultKind::Gone => {
            ApiError::new(StatusCode::GONE, "This log URL has expired; request a new one from the API.").into_response()
        }
        FaultKind::Reset => {
            if let Some(c) = conn {
                c.kill();
            }
            // Never delivered: the connection is torn down when hyper
            // tries to write it.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        FaultKind::Delay { .. } | FaultKind::StatusAfterWrite { .. } | FaultKind::ResetAfterWrite => {
            unreachable!("handled by the caller")
        }
    }
}

/// Lets a request ask for its own connection to be reset.
#[derive(Clone)]
pub(crate) struct ConnHandle(Arc<AtomicBool>);

impl ConnHandle {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        ConnHandle(stream.io().kill.clone())
    }
}

pub(crate) struct KillableListener(pub TcpListener);

impl axum::serve::Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((s, a)) => {
                    let _ = s.set_nodelay(true);
                    return (KillableStream { inner: s, kill: Arc::new(AtomicBool::new(false)) }, a);
                }
                // e.g. EMFILE under a chaos test: back off, keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails all I/O once killed; with SO_LINGER 0 the drop
/// that follows sends an RST, which is what a client sees on a real reset.
pub(crate) struct KillableStream {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableStream {
    fn check(&self) -> io::Result<()> {
        if self.kill.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "fault: connection reset"));
        }
        Ok(())
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
