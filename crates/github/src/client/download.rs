//! Log downloads: the API answers with a redirect to a short-lived blob
//! URL, fetched without credentials and streamed into the caller's sink.

use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, LOCATION};
use http::Method;
use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;
use octocrab::Octocrab;

use super::transport::{rate_limit_wait, status_error, transport, JSON};
use super::Client;
use crate::{Error, Result};

impl Client {
    /// GET `path` on the API without following redirects; a 3xx `Location` is
    /// fetched by the credential-less client. Streams the body to `sink`.
    pub(super) async fn download(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        let deadline = self.inner.cfg.download_timeout;
        match tokio::time::timeout(deadline, self.download_inner(op, path, sink)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                op: op.into(),
                after: deadline,
            }),
        }
    }

    pub(super) async fn download_inner(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
    ) -> Result<u64> {
        let timeout = self.inner.cfg.timeout;
        let mut attempt = 0u32;
        let mut limit_attempt = 0u32;
        loop {
            let mut written = 0u64;
            let mut limit_wait = None;
            let result = self
                .download_once(op, path, sink, &mut written, &mut limit_wait)
                .await;
            match result {
                Ok(()) => return Ok(written),
                // Refused by a rate limit before anything was sent to us.
                Err(e @ Error::RateLimited { .. }) => {
                    let waited = match limit_wait {
                        Some(wait) => self.wait_out_rate_limit(op, wait, &mut limit_attempt).await,
                        None => false,
                    };
                    if !waited {
                        return Err(e);
                    }
                }
                // Resend only if the sink is untouched: a half-written sink
                // cannot be rewound here.
                Err(e)
                    if e.is_transient()
                        && written == 0
                        && attempt < self.inner.cfg.max_read_retries =>
                {
                    attempt += 1;
                    self.bump(|s| &mut s.retries, op);
                    tracing::debug!(op, attempt, error = %e, timeout_ms = timeout.as_millis() as u64, "retrying download");
                    tokio::time::sleep(self.backoff(attempt - 1)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub(super) async fn download_once(
        &self,
        op: &'static str,
        path: &str,
        sink: &mut (dyn Write + Send),
        written: &mut u64,
        limit_wait: &mut Option<Duration>,
    ) -> Result<()> {
        let timeout = self.inner.cfg.timeout;
        self.wait_for_gate(op, path).await?;
        self.bump(|s| &mut s.requests, op);
        let api_request = http::Request::builder().method(Method::GET).uri(path).header(ACCEPT, JSON);
        let resp = send(&self.inner.api, op, api_request, timeout).await?;
        self.note_rate_headers(resp.headers());
        let status = resp.status();
        let resp = if status.is_redirection() {
            let location = resp
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| Error::Decode {
                    op: op.into(),
                    message: format!("HTTP {status} without Location"),
                })?
                .to_string();
            let location = if location.starts_with('/') {
                format!("{}{location}", self.inner.origin)
            } else {
                location
            };
            let blob_op = blob_op(op);
            self.bump(|s| &mut s.requests, blob_op);
            let blob_request = http::Request::builder().method(Method::GET).uri(location.as_str());
            let r = send(&self.inner.blob, blob_op, blob_request, timeout).await?;
            if !r.status().is_success() {
                let st = r.status();
                return Err(status_error(blob_op, st, &error_body(r, timeout).await));
            }
            r
        } else if status.is_success() {
            resp
        } else {
            let headers = resp.headers().clone();
            let body = error_body(resp, timeout).await;
            if let Some((wait, reset)) = rate_limit_wait(status, &headers, &body) {
                *limit_wait = Some(wait);
                return Err(Error::RateLimited {
                    op: op.into(),
                    reset,
                });
            }
            return Err(status_error(op, status, &body));
        };
        let mut body = resp.into_body();
        loop {
            let frame = tokio::time::timeout(timeout, body.frame())
                .await
                .map_err(|_| Error::Timeout {
                    op: op.into(),
                    after: timeout,
                })?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| transport(op, &e))?;
            if let Ok(data) = frame.into_data() {
                sink.write_all(&data).map_err(|source| Error::Io {
                    op: op.into(),
                    source,
                })?;
                *written += data.len() as u64;
            }
        }
        sink.flush().map_err(|source| Error::Io {
            op: op.into(),
            source,
        })?;
        Ok(())
    }
}

/// What octocrab answers with.
type RawResponse = http::Response<BoxBody<Bytes, octocrab::Error>>;

/// One request through `client`, its headers within `timeout`.
async fn send(client: &Octocrab, op: &str, request: http::request::Builder, timeout: Duration) -> Result<RawResponse> {
    let request = client.build_request(request, None::<&()>).map_err(|e| transport(op, &e))?;
    tokio::time::timeout(timeout, client.execute(request))
        .await
        .map_err(|_| Error::Timeout { op: op.into(), after: timeout })?
        .map_err(|e| transport(op, &e))
}

/// The body of a refusal, for its message (empty if it does not come in time).
async fn error_body(response: RawResponse, timeout: Duration) -> Bytes {
    tokio::time::timeout(timeout, response.into_body().collect())
        .await
        .ok()
        .and_then(|b| b.ok())
        .map(|b| b.to_bytes())
        .unwrap_or_default()
}

fn blob_op(op: &'static str) -> &'static str {
    match op {
        "download_job_log" => "download_job_log.blob",
        "download_run_logs_zip" => "download_run_logs_zip.blob",
        _ => "download.blob",
    }
}
