//! Issues, labels, comments, reactions, and issue search.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{created, json_response, no_content, ok, parse_body, parse_num, ApiError, ApiResult, Ctx, BODY_LIMIT};
use crate::json;
use crate::state::{Comment, Issue, Label, Reaction, Repo};

type RepoPath = Path<(String, String)>;
type RepoIdPath = Path<(String, String, String)>;

fn parse_since(ctx: &Ctx) -> Result<Option<DateTime<Utc>>, ApiError> {
    ctx.param("since")
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::validation("Issue", "since", "invalid", "since must be an ISO 8601 timestamp"))
        })
        .transpose()
}

fn too_long(s: &str) -> bool {
    // Cheap check first: fewer bytes than the limit cannot be more chars.
    s.len() > BODY_LIMIT && s.chars().count() > BODY_LIMIT
}

/// Labels in a request body may be names or `{ "name": ... }` objects.
fn label_names(v: &Value) -> Result<Vec<String>, ApiError> {
    let arr = match v {
        Value::Array(a) => a.clone(),
        Value::Object(m) => match m.get("labels") {
            Some(Value::Array(a)) => a.clone(),
            _ => return Err(ApiError::validation("Label", "labels", "invalid", "labels must be an array")),
        },
        Value::Null => Vec::new(),
        _ => return Err(ApiError::validation("Label", "labels", "invalid", "labels must be an array")),
    };
    arr.iter()
        .map(|l| match l {
            Value::String(s) => Ok(s.clone()),
            Value::Object(m) => m
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ApiError::validation("Label", "name", "missing_field", "")),
            _ => Err(ApiError::validation("Label", "labels", "invalid", "label must be a string")),
        })
        .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
        .collect()
}

fn issue_location(ctx: &Ctx, repo: &Repo, number: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("{}/repos/{}/issues/{number}", ctx.api, repo.full_name()))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(crate) async fn list(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let since = parse_since(&ctx)?;
    let state = ctx.param("state").unwrap_or("open").to_string();
    let want_labels: Vec<String> = ctx
        .param("labels")
        .map(|l| l.split(',').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let sort = ctx.param("sort").unwrap_or("created").to_string();
    let asc = ctx.param("direction") == Some("asc");
    let items = ctx.repo(&o, &r, |repo, _| {
        let mut issues: Vec<&Issue> = repo
            .issues
            .values()
            .filter(|i| state == "all" || i.state == state)
            .filter(|i| want_labels.iter().all(|l| i.labels.contains(l)))
            .filter(|i| since.is_none_or(|s| i.updated_at >= s))
            .filter(|i| ctx.param("creator").is_none_or(|c| i.user.eq_ignore_ascii_case(c)))
            .collect();
        let comments = |i: &Issue| repo.comments.values().filter(|c| c.issue_number == i.number).count();
        issues.sort_by(|a, b| {
            let ord = match sort.as_str() {
                "updated" => a.updated_at.cmp(&b.updated_at),
                "comments" => comments(a).cmp(&comments(b)),
                _ => a.created_at.cmp(&b.created_at),
            }
            .then(a.number.cmp(&b.number));
            if asc { ord } else { ord.reverse() }
        });
        issues.into_iter().map(|i| json::issue(&ctx.api, repo, i)).collect()
    })?;
    ctx.page_array(items)
}

pub(crate) async fn create(ctx: Ctx, Path((o, r)): RepoPath, body: Bytes) -> ApiResult {
    let b: Map<String, Value> = parse_body(&body)?;
    let title = match b.get("title") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(ApiError::missing_field("Issue", "title")),
    };
    let text = b.get("body").and_then(Value::as_str).map(str::to_string);
    if text.as_deref().is_some_and(too_long) {
        return Err(ApiError::body_too_long("Issue"));
    }
    let labels = b.get("labels").map(label_names).transpose()?.unwrap_or_default();
    let login = ctx.login();
    let delay = ctx.app.state.lock().search_delay;
    let now = Utc::now();
    let (v, loc) = ctx.repo_mut(&o, &r, |repo, next_id| {
        let keys: Vec<String> = labels.iter().map(|l| repo.label_for(l, now, next_id).name.to_lowercase()).collect();
        *next_id += 1;
        let number = repo.next_issue_number();
        let issue = Issue {
            id: *next_id,
            number,
            title,
            body: text,
            state: "open".into(),
            state_reason: None,
            user: login,
            labels: dedup(keys),
            created_at: now,
            updated_at: now,
            closed_at: None,
            reactions: Vec::new(),
            searchable_at: Some(Instant::now() + delay),
            pull: None,
        };
        let v = json::issue(&ctx.api, repo, &issue);
        repo.issues.insert(number, issue);
        (v, issue_location(&ctx, repo, number))
    })?;
    let mut resp = created(v)?;
    resp.headers_mut().insert(header::LOCATION, loc);
    Ok(resp)
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

pub(crate) async fn get(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let v = ctx.repo(&o, &r, |repo, _| repo.issues.get(&n).map(|i| json::issue(&ctx.api, repo, i)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn update(ctx: Ctx, Path((o, r, n)): RepoIdPath, body: Bytes) -> ApiResult {
    let n = parse_num(&n)?;
    let b: Map<String, Value> = parse_body(&body)?;
    if let Some(Value::String(t)) = b.get("body") {
        if too_long(t) {
            return Err(ApiError::body_too_long("Issue"));
        }
    }
    let labels = match b.get("labels") {
        Some(v) => Some(label_names(v)?),
        None => None,
    };
    let now = Utc::now();
    let v = ctx.repo_mut(&o, &r, |repo, next_id| -> Result<Value, ApiError> {
        let keys = labels.map(|ls| ls.iter().map(|l| repo.label_for(l, now, next_id).name.to_lowercase()).collect());
        let issue = repo.issues.get_mut(&n).ok_or_else(ApiError::not_found)?;
        match b.get("title") {
            Some(Value::String(t)) if !t.trim().is_empty() => issue.title = t.clone(),
            Some(Value::String(_)) | Some(Value::Null) => return Err(ApiError::missing_field("Issue", "title")),
            _ => {}
        }
        match b.get("body") {
            Some(Value::String(t)) => issue.body = Some(t.clone()),
            Some(Value::Null) => issue.body = None,
            _ => {}
        }
        if let Some(keys) = keys {
            issue.labels = dedup(keys);
        }
        match b.get("state").and_then(Value::as_str) {
            Some("closed") if issue.state != "closed" => {
                issue.state = "closed".into();
                issue.closed_at = Some(now);
                issue.state_reason = Some(
                    b.get("state_reason").and_then(Value::as_str).unwrap_or("completed").to_string(),
                );
            }
            Some("open") if issue.state != "open" => {
                issue.state = "open".into();
                issue.closed_at = None;
                issue.state_reason = Some("reopened".into());
            }
            Some("open" | "closed") | None => {}
            Some(_) => return Err(ApiError::validation("Issue", "state", "invalid", "state must be open or closed")),
        }
        issue.updated_at = now;
        let issue = issue.clone();
        Ok(json::issue(&ctx.api, repo, &issue))
    })??;
    ok(v)
}

// ---- labels ----

pub(crate) async fn list_labels(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let items = ctx.repo(&o, &r, |repo, _| {
        let mut ls: Vec<&Label> = repo.labels.values().collect();
        ls.sort_by_key(|l| l.id);
        ls.into_iter().map(|l| json::label(&ctx.api, repo, l)).collect()
    })?;
    ctx.page_array(items)
}

pub(crate) async fn get_label(ctx: Ctx, Path((o, r, name)): RepoIdPath) -> ApiResult {
    let v = ctx.repo(&o, &r, |repo, _| repo.labels.get(&name.to_lowercase()).map(|l| json::label(&ctx.api, repo, l)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn create_label(ctx: Ctx, Path((o, r)): RepoPath, body: Bytes) -> ApiResult {
    let b: Map<String, Value> = parse_body(&body)?;
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::missing_field("Label", "name"))?
        .to_string();
    let color = b.get("color").and_then(Value::as_str).unwrap_or("ededed").trim_start_matches('#').to_string();
    if color.len() != 6 || !color.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::validation("Label", "color", "invalid", ""));
    }
    let now = Utc::now();
    let v = ctx.repo_mut(&o, &r, |repo, next_id| -> Result<Value, ApiError> {
        if repo.labels.contains_key(&name.to_lowercase()) {
            return Err(ApiError::validation("Label", "name", "already_exists", ""));
        }
        let mut l = repo.label_for(&name, now, next_id);
        l.color = color;
        l.description = b.get("description").and_then(Value::as_str).map(str::to_string);
        repo.labels.insert(name.to_lowercase(), l.clone());
        Ok(json::label(&ctx.api, repo, &l))
    })??;
    created(v)
}

fn issue_labels_json(ctx: &Ctx, repo: &Repo, n: u64) -> Result<Value, ApiError> {
    let issue = repo.issues.get(&n).ok_or_else(ApiError::not_found)?;
    Ok(Value::Array(
        issue.labels.iter().filter_map(|k| repo.labels.get(k)).map(|l| json::label(&ctx.api, repo, l)).collect(),
    ))
}

pub(crate) async fn list_issue_labels(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let v = ctx.repo(&o, &r, |repo, _| issue_labels_json(&ctx, repo, n))??;
    ctx.page_array(v.as_array().cloned().unwrap_or_default())
}

async fn change_labels(ctx: Ctx, o: String, r: String, n: String, body: Bytes, replace: bool) -> ApiResult {
    let n = parse_num(&n)?;
    let v: Value = parse_body(&body)?;
    let names = label_names(&v)?;
    let now = Utc::now();
    let v = ctx.repo_mut(&o, &r, |repo, next_id| -> Result<Value, ApiError> {
        if !repo.issues.contains_key(&n) {
            return Err(ApiError::not_found());
        }
        let keys: Vec<String> = names.iter().map(|l| repo.label_for(l, now, next_id).name.to_lowercase()).collect();
        let issue = repo.issues.get_mut(&n).expect("checked");
        if replace {
            issue.labels = dedup(keys);
        } else {
            let mut all = issue.labels.clone();
            all.extend(keys);
            issue.labels = dedup(all);
        }
        issue.updated_at = now;
        issue_labels_json(&ctx, repo, n)
    })??;
    ok(v)
}

pub(crate) async fn add_labels(ctx: Ctx, Path((o, r, n)): RepoIdPath, body: Bytes) -> ApiResult {
    change_labels(ctx, o, r, n, body, false).await
}

pub(crate) async fn set_labels(ctx: Ctx, Path((o, r, n)): RepoIdPath, body: Bytes) -> ApiResult {
    change_labels(ctx, o, r, n, body, true).await
}

pub(crate) async fn remove_label(ctx: Ctx, Path((o, r, n, name)): Path<(String, String, String, String)>) -> ApiResult {
    let n = parse_num(&n)?;
    let key = name.to_lowercase();
    let v = ctx.repo_mut(&o, &r, |repo, _| -> Result<Value, ApiError> {
        let issue = repo.issues.get_mut(&n).ok_or_else(ApiError::not_found)?;
        let before = issue.labels.len();
        issue.labels.retain(|l| *l != key);
        if issue.labels.len() == before {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "Label does not exist"));
        }
        issue.updated_at = Utc::now();
        issue_labels_json(&ctx, repo, n)
    })??;
    ok(v)
}

// ---- comments ----

pub(crate) async fn list_comments(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let since = parse_since(&ctx)?;
    let items = ctx.repo(&o, &r, |repo, _| -> Result<Vec<Value>, ApiError> {
        if !repo.issues.contains_key(&n) {
            return Err(ApiError::not_found());
        }
        Ok(repo
            .comments
            .values()
            .filter(|c| c.issue_number == n)
            .filter(|c| since.is_none_or(|s| c.updated_at >= s))
            .map(|c| json::comment(&ctx.api, repo, c))
            .collect())
    })??;
    ctx.page_array(items)
}

pub(crate) async fn list_repo_comments(ctx: Ctx, Path((o, r)): RepoPath) -> ApiResult {
    let since = parse_since(&ctx)?;
    let desc = ctx.param("direction") == Some("desc");
    let items = ctx.repo(&o, &r, |repo, _| {
        let mut cs: Vec<&Comment> =
            repo.comments.values().filter(|c| since.is_none_or(|s| c.updated_at >= s)).collect();
        if ctx.param("sort") == Some("updated") {
            cs.sort_by_key(|c| (c.updated_at, c.id));
        }
        if desc {
            cs.reverse();
        }
        cs.into_iter().map(|c| json::comment(&ctx.api, repo, c)).collect()
    })?;
    ctx.page_array(items)
}

fn comment_body(b: &Map<String, Value>) -> Result<String, ApiError> {
    let text = match b.get("body") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(ApiError::missing_field("IssueComment", "body")),
    };
    if too_long(&text) {
        return Err(ApiError::body_too_long("IssueComment"));
    }
    Ok(text)
}

pub(crate) async fn create_comment(ctx: Ctx, Path((o, r, n)): RepoIdPath, body: Bytes) -> ApiResult {
    let n = parse_num(&n)?;
    let b: Map<String, Value> = parse_body(&body)?;
    let text = comment_body(&b)?;
    let login = ctx.login();
    let now = Utc::now();
    let (v, id) = ctx.repo_mut(&o, &r, |repo, next_id| -> Result<(Value, u64), ApiError> {
        let issue = repo.issues.get_mut(&n).ok_or_else(ApiError::not_found)?;
        issue.updated_at = now;
        *next_id += 1;
        let c = Comment {
            id: *next_id,
            issue_number: n,
            user: login,
            body: text,
            created_at: now,
            updated_at: now,
            reactions: Vec::new(),
        };
        let v = json::comment(&ctx.api, repo, &c);
        let id = c.id;
        repo.comments.insert(c.id, c);
        Ok((v, id))
    })??;
    let mut resp = created(v)?;
    if let Ok(loc) = HeaderValue::from_str(&format!("{}/repos/{o}/{r}/issues/comments/{id}", ctx.api)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

pub(crate) async fn get_comment(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let v = ctx.repo(&o, &r, |repo, _| repo.comments.get(&id).map(|c| json::comment(&ctx.api, repo, c)))?;
    ok(v.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn update_comment(ctx: Ctx, Path((o, r, id)): RepoIdPath, body: Bytes) -> ApiResult {
    let id = parse_num(&id)?;
    let b: Map<String, Value> = parse_body(&body)?;
    let text = comment_body(&b)?;
    let now = Utc::now();
    let v = ctx.repo_mut(&o, &r, |repo, _| -> Result<Value, ApiError> {
        let c = repo.comments.get_mut(&id).ok_or_else(ApiError::not_found)?;
        c.body = text;
        c.updated_at = now;
        let c = c.clone();
        if let Some(i) = repo.issues.get_mut(&c.issue_number) {
            i.updated_at = now;
        }
        Ok(json::comment(&ctx.api, repo, &c))
    })??;
    ok(v)
}

pub(crate) async fn delete_comment(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    ctx.repo_mut(&o, &r, |repo, _| repo.comments.remove(&id).map(|_| ()).ok_or_else(ApiError::not_found))??;
    no_content()
}

// ---- reactions ----

const REACTIONS: &[&str] = &["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];

fn reaction_content(body: &Bytes) -> Result<String, ApiError> {
    let b: Map<String, Value> = parse_body(body)?;
    let content = b
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_field("Reaction", "content"))?;
    if !REACTIONS.contains(&content) {
        return Err(ApiError::validation("Reaction", "content", "invalid", ""));
    }
    Ok(content.to_string())
}

/// 201 for a new reaction, 200 with the existing one if this user already
/// reacted with this content, as GitHub does.
// `login` is read before taking the repo lock: `ctx.login()` locks the
// world too, and the std mutex is not re-entrant.
fn add_reaction(ctx: &Ctx, login: String, list: &mut Vec<Reaction>, content: String, id: u64) -> ApiResult {
    if let Some(existing) = list.iter().find(|x| x.user.eq_ignore_ascii_case(&login) && x.content == content) {
        return Ok(json_response(StatusCode::OK, &json::reaction(&ctx.api, existing)));
    }
    let x = Reaction { id, user: login, content, created_at: Utc::now() };
    let v = json::reaction(&ctx.api, &x);
    list.push(x);
    created(v)
}

fn list_reactions(ctx: &Ctx, list: &[Reaction]) -> ApiResult {
    let items = list
        .iter()
        .filter(|x| ctx.param("content").is_none_or(|c| x.content == c))
        .map(|x| json::reaction(&ctx.api, x))
        .collect();
    ctx.page_array(items)
}

pub(crate) async fn create_comment_reaction(ctx: Ctx, Path((o, r, id)): RepoIdPath, body: Bytes) -> ApiResult {
    let id = parse_num(&id)?;
    let content = reaction_content(&body)?;
    let login = ctx.login();
    ctx.repo_mut(&o, &r, |repo, next_id| {
        let c = repo.comments.get_mut(&id).ok_or_else(ApiError::not_found)?;
        *next_id += 1;
        add_reaction(&ctx, login, &mut c.reactions, content, *next_id)
    })?
}

pub(crate) async fn list_comment_reactions(ctx: Ctx, Path((o, r, id)): RepoIdPath) -> ApiResult {
    let id = parse_num(&id)?;
    let list = ctx.repo(&o, &r, |repo, _| repo.comments.get(&id).map(|c| c.reactions.clone()))?;
    list_reactions(&ctx, &list.ok_or_else(ApiError::not_found)?)
}

pub(crate) async fn create_issue_reaction(ctx: Ctx, Path((o, r, n)): RepoIdPath, body: Bytes) -> ApiResult {
    let n = parse_num(&n)?;
    let content = reaction_content(&body)?;
    let login = ctx.login();
    ctx.repo_mut(&o, &r, |repo, next_id| {
        let i = repo.issues.get_mut(&n).ok_or_else(ApiError::not_found)?;
        *next_id += 1;
        add_reaction(&ctx, login, &mut i.reactions, content, *next_id)
    })?
}

pub(crate) async fn list_issue_reactions(ctx: Ctx, Path((o, r, n)): RepoIdPath) -> ApiResult {
    let n = parse_num(&n)?;
    let list = ctx.repo(&o, &r, |repo, _| repo.issues.get(&n).map(|i| i.reactions.clone()))?;
    list_reactions(&ctx, &list.ok_or_else(ApiError::not_found)?)
}

// ---- search ----

/// One search term: `key:value` qualifier (maybe negated) or free text.
#[derive(Debug, PartialEq)]
pub(crate) enum Term {
    Qualifier { key: String, value: String, negated: bool },
    Text(String),
}

/// Split a search query on whitespace outside double quotes; quotes are
/// removed from the value (`label:"a b"`, `"exact phrase"`).
pub(crate) fn parse_query(q: &str) -> Vec<Term> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut had_quote = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                had_quote = true;
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() || had_quote {
                    tokens.push(std::mem::take(&mut cur));
                }
                had_quote = false;
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() || had_quote {
        tokens.push(cur);
    }
    tokens
        .into_iter()
        .map(|t| {
            let (negated, body) = match t.strip_prefix('-') {
                Some(rest) if rest.contains(':') => (true, rest.to_string()),
                _ => (false, t.clone()),
            };
            match body.split_once(':') {
                Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => {
                    Term::Qualifier { key: k.to_lowercase(), value: v.to_string(), negated }
                }
                _ => Term::Text(t),
            }
        })
        .collect()
}

pub(crate) async fn search(ctx: Ctx) -> ApiResult {
    let q = ctx.param("q").ok_or_else(|| ApiError::missing_field("Search", "q"))?.to_string();
    let terms = parse_query(&q);
    let mut in_fields: Vec<String> = Vec::new();
    for t in &terms {
        if let Term::Qualifier { key, value, .. } = t {
            if key == "in" {
                in_fields.extend(value.split(',').map(|s| s.to_lowercase()));
            }
        }
    }
    if in_fields.is_empty() {
        in_fields = vec!["title".into(), "body".into()];
    }
    let w = ctx.app.state.lock();
    let mut hits: Vec<(&Repo, &Issue)> = Vec::new();
    for repo in w.repos.values() {
        'issue: for issue in repo.issues.values() {
            if !issue.is_searchable() {
                continue;
            }
            for t in &terms {
                let ok = match t {
                    Term::Text(s) => {
                        let s = s.to_lowercase();
                        (in_fields.iter().any(|f| f == "title") && issue.title.to_lowercase().contains(&s))
                            || (in_fields.iter().any(|f| f == "body")
                                && issue.body.as_deref().unwrap_or("").to_lowercase().contains(&s))
                            || (in_fields.iter().any(|f| f == "comments")
                                && repo.comments.values().any(|c| {
                                    c.issue_number == issue.number && c.body.to_lowercase().contains(&s)
                                }))
                    }
                    Term::Qualifier { key, value, negated } => {
                        let v = value.to_lowercase();
                        let m = match key.as_str() {
                            "repo" => repo.full_name().eq_ignore_ascii_case(value),
                            "is" | "type" | "state" => match v.as_str() {
                                "issue" => issue.pull.is_none(),
                                "pr" | "pull-request" => issue.pull.is_some(),
                                "open" => issue.state == "open",
                                "closed" => issue.state == "closed",
                                _ => true,
                            },
                            "label" => v.split(',').any(|l| issue.labels.contains(&l.to_string())),
                            "author" => issue.user.eq_ignore_ascii_case(value),
                            "in" => true,
                            _ => true,
                        };
                        m != *negated
                    }
                };
                if !ok {
                    continue 'issue;
                }
            }
            hits.push((repo, issue));
        }
    }
    let asc = ctx.param("order") == Some("asc");
    match ctx.param("sort") {
        Some("created") => hits.sort_by_key(|(_, i)| i.created_at),
        Some("updated") => hits.sort_by_key(|(_, i)| i.updated_at),
        _ => hits.sort_by_key(|(_, i)| i.number),
    }
    if !asc {
        hits.reverse();
    }
    let items: Vec<Value> = hits
        .into_iter()
        .map(|(repo, i)| {
            let mut v = json::issue(&ctx.api, repo, i);
            v["score"] = json!(1.0);
            v
        })
        .collect();
    drop(w);
    // GitHub's search never returns more than 1000 results.
    let items: Vec<Value> = items.into_iter().take(1000).collect();
    ctx.page_envelope("items", items, json!({"incomplete_results": false, "search_type": "lexical"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_terms() {
        let t = parse_query(r#"repo:o/r is:issue label:"ci failure" in:title "Daily CI report" -label:x"#);
        assert_eq!(
            t,
            vec![
                Term::Qualifier { key: "repo".into(), value: "o/r".into(), negated: false },
                Term::Qualifier { key: "is".into(), value: "issue".into(), negated: false },
                Term::Qualifier { key: "label".into(), value: "ci failure".into(), negated: false },
                Term::Qualifier { key: "in".into(), value: "title".into(), negated: false },
                Term::Text("Daily CI report".into()),
                Term::Qualifier { key: "label".into(), value: "x".into(), negated: true },
            ]
        );
    }
}
