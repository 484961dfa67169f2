//! `/_fake/...`: the admin surface for out-of-process users (demo, e2e).
//! Admin routes need no token, are not logged and ignore faults.

use std::time::Duration;

use axum::body::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{no_content, ok, parse_body, ApiResult, Ctx};
use crate::faults::FaultRule;

pub(crate) async fn health() -> ApiResult {
    ok(json!({"ok": true}))
}

pub(crate) async fn state(ctx: Ctx) -> ApiResult {
    ok(ctx.app.state.snapshot_json())
}

pub(crate) async fn list_faults(ctx: Ctx) -> ApiResult {
    ok(serde_json::to_value(ctx.app.faults.rules()).unwrap_or(Value::Null))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<FaultRule>),
    One(FaultRule),
}

/// Body: one rule or an array of rules (see docs/scenario.md). Returns ids.
pub(crate) async fn add_faults(ctx: Ctx, body: Bytes) -> ApiResult {
    let rules = match parse_body::<OneOrMany>(&body)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(r) => vec![r],
    };
    let ids: Vec<u64> = rules.into_iter().map(|r| ctx.app.faults.add(r)).collect();
    ok(json!({"ids": ids}))
}

pub(crate) async fn clear_faults(ctx: Ctx) -> ApiResult {
    ctx.app.faults.clear();
    no_content()
}

pub(crate) async fn requests(ctx: Ctx) -> ApiResult {
    ok(serde_json::to_value(ctx.app.state.requests()).unwrap_or(Value::Null))
}

pub(crate) async fn clear_requests(ctx: Ctx) -> ApiResult {
    ctx.app.state.clear_requests();
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    search_delay_ms: Option<u64>,
    rate_limit_remaining: Option<u64>,
    log_url_ttl_secs: Option<u64>,
    fault_seed: Option<u64>,
    #[serde(default)]
    reindex_search: bool,
}

pub(crate) async fn settings(ctx: Ctx, body: Bytes) -> ApiResult {
    let b: SettingsBody = parse_body(&body)?;
    let s = &ctx.app.state;
    if let Some(ms) = b.search_delay_ms {
        s.set_search_delay(Duration::from_millis(ms));
    }
    if let Some(n) = b.rate_limit_remaining {
        s.set_rate_limit_remaining(n);
    }
    if let Some(t) = b.log_url_ttl_secs {
        s.set_log_url_ttl(Duration::from_secs(t));
    }
    if let Some(seed) = b.fault_seed {
        ctx.app.faults.seed(seed);
    }
    if b.reindex_search {
        s.reindex_search();
    }
    no_content()
}

pub(crate) async fn expire_log_urls(ctx: Ctx) -> ApiResult {
    ctx.app.state.expire_log_urls();
    no_content()
}
