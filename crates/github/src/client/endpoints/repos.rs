//! Repository contents, repository dispatch, compare, and who may do what
//! (team membership, permission).

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

/// `state` (`active`, `pending`) of `login` in `org/team`; `None` when not a member.
pub(in crate::client) async fn team_membership(c: &Client, org: &str, team: &str, login: &str) -> Result<Option<String>> {
    let path = format!("/orgs/{}/teams/{}/memberships/{}", enc(org), enc(team), enc(login));
    match c.get_json::<Value>("team_membership", &path).await {
        Ok(v) => Ok(Some(v.get("state").and_then(Value::as_str).unwrap_or("").to_string())),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `login`'s role on `repo` (`admin`, `maintain`, `write`, `triage`, `read`, `none`).
pub(in crate::client) async fn permission(c: &Client, repo: &RepoRef, login: &str) -> Result<String> {
    let path = format!("{}/collaborators/{}/permission", repo_path(repo), enc(login));
    match c.get_json::<Value>("permission", &path).await {
        Ok(v) => Ok(v
            .get("role_name")
            .or_else(|| v.get("permission"))
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_string()),
        Err(Error::NotFound { .. }) => Ok("none".into()),
        Err(e) => Err(e),
    }
}

/// `compare/{base}...{head}`: the merge base and how far apart they are.
pub(in crate::client) async fn compare(c: &Client, repo: &RepoRef, base: &str, head: &str) -> Result<Comparison> {
    let op = "compare";
    // Only the merge base is read: one commit per page keeps a big
    // comparison cheap.
    let path = format!("{}/compare/{}...{}?per_page=1", repo_path(repo), enc(base), enc(head));
    let v: Value = c.get_json(op, &path).await?;
    let mb = v.get("merge_base_commit").ok_or_else(|| Error::Decode { op: op.into(), message: "no merge_base_commit".into() })?;
    let merge_base_sha = mb.get("sha").and_then(Value::as_str).unwrap_or("").to_string();
    if merge_base_sha.is_empty() {
        return Err(Error::Decode { op: op.into(), message: "merge_base_commit has no sha".into() });
    }
    let merge_base_at = ["committer", "author"]
        .iter()
        .find_map(|k| mb.pointer(&format!("/commit/{k}/date")).and_then(Value::as_str))
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc));
    Ok(Comparison {
        status: v.get("status").and_then(Value::as_str).unwrap_or("").to_string(),
        merge_base_sha,
        merge_base_at,
        ahead_by: v.get("ahead_by").and_then(Value::as_u64).unwrap_or(0),
        behind_by: v.get("behind_by").and_then(Value::as_u64).unwrap_or(0),
    })
}
