//! Repository contents and repository dispatch.

use http::Method;
use serde_json::{json, Value};

use crate::client::paths::{enc, query, repo_path};
use crate::client::Client;
use crate::types::*;
use crate::{Error, Result};


pub(in crate::client) async fn get_file(c: &Client, repo: &RepoRef, path: &str, git_ref: Option<&str>) -> Result<Option<Vec<u8>>> {
    let op = "get_file";
    let encoded: Vec<String> = path.trim_matches('/').split('/').map(enc).collect();
    let url = format!(
        "{}/contents/{}?{}",
        repo_path(repo),
        encoded.join("/"),
        query(&[("ref", git_ref)])
    );
    let v: Value = match c.get_json(op, &url).await {
        Ok(v) => v,
        Err(Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    if v.is_array()
        || v.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "file")
    {
        return Err(Error::Decode {
            op: op.into(),
            message: format!("{path} is not a file"),
        });
    }
    match (
        v.get("encoding").and_then(Value::as_str),
        v.get("content").and_then(Value::as_str),
    ) {
        (Some("base64"), Some(content)) => {
            use base64::Engine as _;
            let clean: String = content
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map(Some)
                .map_err(|e| Error::Decode {
                    op: op.into(),
                    message: format!("content of {path}: {e}"),
                })
        }
        // Files over 1 MB come without inline content: ask for the raw media type.
        _ => {
            let resp = c
                .call(op, Method::GET, &url, None, "application/vnd.github.raw")
                .await?;
            Ok(Some(resp.body.to_vec()))
        }
    }
}

pub(in crate::client) async fn repository_dispatch(c: &Client, repo: &RepoRef, event_type: &str, client_payload: &Value) -> Result<()> {
    let body = json!({ "event_type": event_type, "client_payload": client_payload });
    c.write_no_content(
        "repository_dispatch",
        &format!("{}/dispatches", repo_path(repo)),
        &body,
    )
    .await
}
