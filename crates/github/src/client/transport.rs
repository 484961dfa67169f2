//! One logical request: timeout (body included), read retries with
//! backoff, rate-limit waits, ETag cache, pagination, and GitHub's errors
//! as one-line [`Error`]s.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use http::header::{HeaderMap, ACCEPT, ETAG, IF_NONE_MATCH};
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Client, Response, MAX_ETAG_ENTRIES};
use crate::{Error, Result};

/// The media type of JSON requests.
pub(super) const JSON: &str = "application/vnd.github+json";

impl Client {
    /// Sleeps while the primary rate limit of the resource `path` uses is
    /// known to be exhausted (search has its own, much smaller, limit).
    pub(super) async fn wait_for_gate(&self, op: &str, path: &str) -> Result<()> {
        let gate = self
            .inner
            .gate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(resource_of(path))
            .copied();
        if let Some((until, reset)) = gate {
            let now = Instant::now();
            if until > now {
                if until - now > self.inner.cfg.max_rate_limit_wait {
                    return Err(Error::RateLimited {
                        op: op.into(),
                        reset,
                    });
                }
                tokio::time::sleep(until - now).await;
            }
        }
        Ok(())
    }

    pub(super) fn note_rate_headers(&self, headers: &HeaderMap) {
        let resource = headers.get("x-ratelimit-resource").and_then(|v| v.to_str().ok()).unwrap_or("core");
        if let (Some(left), "core") = (header_u64(headers, "x-ratelimit-remaining"), resource) {
            self.inner.core_remaining.store(left, std::sync::atomic::Ordering::Relaxed);
        }
        if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
            if let Some(reset) = header_u64(headers, "x-ratelimit-reset") {
                let wait = reset_wait(reset);
                let when = Utc.timestamp_opt(reset as i64, 0).single();
                let resource = headers
                    .get("x-ratelimit-resource")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("core")
                    .to_string();
                self.inner
                    .gate
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(resource, (Instant::now() + wait, when));
            }
        }
    }

    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.inner.cfg;
        let exp = cfg.backoff_base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(cfg.max_backoff);
        // Full jitter in [50%, 100%]: concurrent runs must not retry in lockstep.
        capped.mul_f64(rand::random_range(0.5..=1.0))
    }

    /// Sleeps out a rate-limit refusal if this request may still wait
    /// (`attempt` counts its waits so far); `false` when it may not, and the
    /// refusal is the answer. GitHub did not process a refused request, so
    /// sending it again is not a blind resend.
    pub(super) async fn wait_out_rate_limit(&self, op: &str, wait: Duration, attempt: &mut u32) -> bool {
        let cfg = &self.inner.cfg;
        if *attempt >= cfg.max_rate_limit_retries || wait > cfg.max_rate_limit_wait {
            return false;
        }
        *attempt += 1;
        self.bump(|s| &mut s.retries, op);
        tracing::warn!(op, wait_ms = wait.as_millis() as u64, "rate limited; waiting");
        tokio::time::sleep(wait).await;
        true
    }

    /// Sends one logical request (with the retries allowed for its method).
    pub(super) async fn call(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: &str,
    ) -> Result<Response> {
        let is_read = method == Method::GET;
        if !is_read {
            self.inner.budget.spend(op)?;
        }
        let cache_key = format!("{accept} {path}");
        let mut read_attempt = 0u32;
        let mut limit_attempt = 0u32;
        loop {
            self.wait_for_gate(op, path).await?;
            self.bump(|s| &mut s.requests, op);
            let etag = if is_read {
                self.inner
                    .etags
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&cache_key)
                    .map(|(e, _)| e.clone())
            } else {
                None
            };
            let mut rb = http::Request::builder()
                .method(method.clone())
                .uri(path)
                .header(ACCEPT, accept);
            if let Some(etag) = &etag {
                rb = rb.header(IF_NONE_MATCH, etag.clone());
            }
            let api = &self.inner.api;
            let fut = async {
                let req = api.build_request(rb, body).map_err(|e| transport(op, &e))?;
                let resp = api.execute(req).await.map_err(|e| transport(op, &e))?;
                let (parts, b) = resp.into_parts();
                let bytes = b.collect().await.map_err(|e| transport(op, &e))?.to_bytes();
                Ok::<_, Error>((parts, bytes))
            };
            let timeout = self.inner.cfg.timeout;
            let err = match tokio::time::timeout(timeout, fut).await {
                Err(_) => Error::Timeout {
                    op: op.into(),
                    after: timeout,
                },
                Ok(Err(e)) => e,
                Ok(Ok((parts, bytes))) => {
                    self.note_rate_headers(&parts.headers);
                    let status = parts.status;
                    if status == StatusCode::NOT_MODIFIED {
                        let cached = self
                            .inner
                            .etags
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get(&cache_key)
                            .cloned();
                        if let Some((_, body)) = cached {
                            self.bump(|s| &mut s.conditional_hits, op);
                            return Ok(Response {
                                status: StatusCode::OK,
                                headers: parts.headers,
                                body,
                            });
                        }
                    }
                    if let Some((wait, reset)) = rate_limit_wait(status, &parts.headers, &bytes) {
                        // GitHub refused without processing: resending is safe for writes too.
                        if self.wait_out_rate_limit(op, wait, &mut limit_attempt).await {
                            continue;
                        }
                        return Err(Error::RateLimited {
                            op: op.into(),
                            reset,
                        });
                    }
                    if status.is_success() {
                        if is_read {
                            if let Some(tag) = parts.headers.get(ETAG) {
                                let mut cache =
                                    self.inner.etags.lock().unwrap_or_else(|p| p.into_inner());
                                if cache.len() >= MAX_ETAG_ENTRIES {
                                    cache.clear();
                                }
                                cache.insert(cache_key.clone(), (tag.clone(), bytes.clone()));
                            }
                        }
                        return Ok(Response {
                            status,
                            headers: parts.headers,
                            body: bytes,
                        });
                    }
                    let err = status_error(op, status, &bytes);
                    if !status.is_server_error() {
                        return Err(err);
                    }
                    err
                }
            };
            // Only idempotent reads are resent; a write that timed out may
            // have landed, and only the caller can look before acting again.
            if !is_read || read_attempt >= self.inner.cfg.max_read_retries {
                return Err(err);
            }
            read_attempt += 1;
            self.bump(|s| &mut s.retries, op);
            tracing::debug!(op, attempt = read_attempt, error = %err, "retrying read");
            tokio::time::sleep(self.backoff(read_attempt - 1)).await;
        }
    }

    pub(super) async fn get_json<T: DeserializeOwned>(&self, op: &'static str, path: &str) -> Result<T> {
        let resp = self.call(op, Method::GET, path, None, JSON).await?;
        decode(op, &resp.body)
    }

    pub(super) async fn send_json<T: DeserializeOwned>(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<T> {
        let resp = self.call(op, method, path, Some(body), JSON).await?;
        decode(op, &resp.body)
    }

    /// Follows `Link: rel="next"` from `first`. `key` selects the array in
    /// wrapped responses (`{"total_count":..,"jobs":[..]}`).
    pub(super) async fn get_pages<T: DeserializeOwned>(
        &self,
        op: &'static str,
        first: String,
        key: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            let resp = self.call(op, Method::GET, &path, None, JSON).await?;
            let v: Value = decode(op, &resp.body)?;
            let items = match key {
                Some(k) => v.get(k).cloned().ok_or_else(|| Error::Decode {
                    op: op.into(),
                    message: format!("no {k:?} array"),
                })?,
                None => v,
            };
            let items: Vec<T> = serde_json::from_value(items).map_err(|e| Error::Decode {
                op: op.into(),
                message: e.to_string(),
            })?;
            let got = items.len();
            let empty = got == 0;
            out.extend(items);
            if limit.is_some_and(|l| out.len() >= l) {
                out.truncate(limit.unwrap_or(usize::MAX));
                break;
            }
            if empty || pages >= self.inner.cfg.max_pages {
                break;
            }
            next = next_link(&resp.headers)
                .map(|url| self.relative(&url))
                .transpose()?;
            // A 304 has no `Link`, and the ETag covers the body, not the
            // header: a first page that has not changed says nothing of a
            // page added since. So a full page with no `next` is followed
            // anyway (every list asks for `per_page`).
            if next.is_none() && per_page_of(&path).is_some_and(|n| got == n) {
                next = Some(with_page(&path, page_of(&path) + 1));
            }
        }
        Ok(out)
    }

    /// Turns an absolute API URL from a `Link` header into a path relative to
    /// the base, so the request goes through the authenticated base only.
    pub(super) fn relative(&self, url: &str) -> Result<String> {
        let bad = || Error::Decode {
            op: "pagination".into(),
            message: format!("next link {url:?} is not under the API base"),
        };
        let full_base = format!("{}{}", self.inner.origin, self.inner.base_path);
        let rest = if let Some(rest) = url.strip_prefix(&full_base) {
            rest.to_string()
        } else if url.starts_with('/') {
            url.strip_prefix(self.inner.base_path.as_str())
                .ok_or_else(bad)?
                .to_string()
        } else {
            // Same API under another host spelling (localhost vs 127.0.0.1): keep the path.
            let uri: http::Uri = url.parse().map_err(|_| bad())?;
            let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            pq.strip_prefix(self.inner.base_path.as_str())
                .ok_or_else(bad)?
                .to_string()
        };
        if rest.starts_with('/') {
            Ok(rest)
        } else {
            Err(bad())
        }
    }

    pub(super) async fn write_no_content(&self, op: &'static str, path: &str, body: &Value) -> Result<()> {
        self.call(op, Method::POST, path, Some(body), JSON)
            .await
            .map(|_| ())
    }
}

fn query_param<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    let (_, q) = path.split_once('?')?;
    q.split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

fn per_page_of(path: &str) -> Option<usize> {
    query_param(path, "per_page")?.parse().ok()
}

fn page_of(path: &str) -> usize {
    query_param(path, "page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// `path` asking for page `n`.
fn with_page(path: &str, n: usize) -> String {
    let (base, q) = path.split_once('?').unwrap_or((path, ""));
    let mut kept: Vec<String> = q.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("page=")).map(str::to_string).collect();
    kept.push(format!("page={n}"));
    format!("{base}?{}", kept.join("&"))
}

/// The `rel="next"` URL of a `Link` header.
pub(super) fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// The rate-limit resource a request path draws from.
pub(super) fn resource_of(path: &str) -> &'static str {
    if path.starts_with("/search/") {
        "search"
    } else {
        "core"
    }
}

pub(super) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

pub(super) fn reset_wait(reset_epoch: u64) -> Duration {
    let now = Utc::now().timestamp();
    // One second of slack: reset is whole seconds and clocks drift.
    Duration::from_secs((reset_epoch as i64 - now).max(0) as u64 + 1)
}

/// If the response is a rate-limit refusal: how long to wait, and the reset time.
pub(super) fn rate_limit_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<(Duration, Option<DateTime<Utc>>)> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let reset = header_u64(headers, "x-ratelimit-reset");
    let reset_at = reset.and_then(|r| Utc.timestamp_opt(r as i64, 0).single());
    if let Some(secs) = header_u64(headers, "retry-after") {
        return Some((Duration::from_secs(secs), reset_at));
    }
    if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
        return Some((
            reset.map(reset_wait).unwrap_or(Duration::from_secs(60)),
            reset_at,
        ));
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    if status == StatusCode::TOO_MANY_REQUESTS
        || text.contains("secondary rate limit")
        || text.contains("abuse detection")
    {
        // GitHub's advice without headers: wait at least a minute.
        return Some((Duration::from_secs(60), reset_at));
    }
    None
}

pub(super) fn status_error(op: &str, status: StatusCode, body: &[u8]) -> Error {
    let message = api_message(body);
    match status.as_u16() {
        404 | 410 => Error::NotFound { op: op.into() },
        422 => Error::Validation {
            op: op.into(),
            message,
        },
        s => Error::Http {
            op: op.into(),
            status: s,
            message,
        },
    }
}

/// GitHub's `{"message": ..., "errors": [...]}` as one short line.
pub(super) fn api_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => {
            let mut m = v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(errs) = v.get("errors").and_then(Value::as_array) {
                let details: Vec<String> = errs
                    .iter()
                    .map(|e| {
                        e.get("message")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| e.to_string())
                    })
                    .collect();
                if !details.is_empty() {
                    m = format!("{m} ({})", details.join("; "));
                }
            }
            m
        }
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "(no message)".into()
    } else {
        line.chars().take(300).collect()
    }
}

pub(super) fn decode<T: DeserializeOwned>(op: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        op: op.into(),
        message: e.to_string(),
    })
}

pub(super) fn transport(op: &str, e: &dyn std::error::Error) -> Error {
    Error::Transport {
        op: op.into(),
        message: one_line(e),
    }
}

/// An error and its sources on one line.
pub(super) fn one_line(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderValue;

    #[test]
    fn parses_next_link() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::LINK,
            HeaderValue::from_static(
                "<https://api.github.com/repos/o/r/issues?page=3>; rel=\"last\", <https://api.github.com/repos/o/r/issues?page=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/repos/o/r/issues?page=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn secondary_rate_limit_is_detected_without_headers() {
        let body = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        let w = rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new(), body);
        assert_eq!(w.map(|w| w.0), Some(Duration::from_secs(60)));
        // A plain 403 is a permission problem, not a reason to wait.
        assert!(rate_limit_wait(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            br#"{"message":"Resource not accessible by integration"}"#
        )
        .is_none());
    }

    #[test]
    fn retry_after_wins() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &h, b"").map(|w| w.0),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn error_messages_are_one_line() {
        let e = status_error("create_comment", StatusCode::UNPROCESSABLE_ENTITY, br#"{"message":"Validation Failed","errors":[{"message":"body is too long\n(maximum is 65536 characters)"}]}"#);
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
        assert!(
            s.contains("body is too long (maximum is 65536 characters)"),
            "{s}"
        );
    }
}
