//! Every endpoint the fake serves answers with a status GitHub documents for
//! that operation and, for JSON, a body that validates against the
//! operation's response schema in GitHub's own OpenAPI description.
//!
//! The schemas are vendored (trimmed) in `openapi/subset.json` so this runs
//! in any clone; `openapi/trim.py` regenerates it from the full description.
//! OpenAPI 3.0 `nullable` is translated to JSON Schema before validating.

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/subset.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    nullable_to_json_schema(&mut v);
    v
}

/// `nullable: true` (OpenAPI 3.0) → a `null` alternative (JSON Schema).
fn nullable_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for x in m.values_mut() {
                nullable_to_json_schema(x);
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                match m.get("type").cloned() {
                    Some(Value::String(t)) => {
                        m.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(e)) = m.get_mut("enum") {
                            e.push(Value::Null);
                        }
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(m));
                        m.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(nullable_to_json_schema),
        _ => {}
    }
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#')).expect("ref resolves"),
        None => v,
    }
}

struct Checker {
    spec: Value,
    failures: Vec<String>,
    covered: BTreeSet<(String, String)>,
}

impl Checker {
    /// Validate one exchange against `method template`'s documented responses.
    fn check(&mut self, method: &Method, template: &str, reply: &Reply) {
        self.covered.insert((method.to_string(), template.to_string()));
        let key = format!("{method} {template}");
        let Some(op) = self.spec["paths"][template].get(method.as_str().to_lowercase()) else {
            self.failures.push(format!("{key}: not in the spec"));
            return;
        };
        let status = reply.status.as_u16().to_string();
        let Some(resp) = op["responses"].get(&status) else {
            self.failures.push(format!("{key}: status {status} not documented ({})", reply.text));
            return;
        };
        let resp = resolve(&self.spec, resp);
        let Some(schema) = resp.pointer("/content/application~1json/schema") else {
            return; // 204, 302, 304: nothing to validate
        };
        let body: Value = match serde_json::from_str(&reply.text) {
            Ok(b) => b,
            Err(e) => {
                self.failures.push(format!("{key}: body is not JSON: {e}"));
                return;
            }
        };
        let mut root = schema.clone();
        if let Value::Object(m) = &mut root {
            m.insert("components".into(), self.spec["components"].clone());
        } else {
            root = json!({"allOf": [schema], "components": self.spec["components"]});
        }
        let validator = match jsonschema::validator_for(&root) {
            Ok(v) => v,
            Err(e) => {
                self.failures.push(format!("{key}: schema does not compile: {e}"));
                return;
            }
        };
        let errs: Vec<String> =
            validator.iter_errors(&body).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if !errs.is_empty() {
            self.failures.push(format!("{key} ({status}):\n    {}", errs.join("\n    ")));
        }
    }
}

#[tokio::test]
async fn every_endpoint_matches_githubs_openapi_schema() {
    let c = Ctx::with(day_with_fork()).await;
    let mut ck = Checker { spec: spec(), failures: Vec::new(), covered: BTreeSet::new() };
    let (g, p, pa, pu, d) = (Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE);
    let r = "/repos/{owner}/{repo}";
    let base = "/repos/acme/widgets";

    macro_rules! call {
        ($m:expr, $tmpl:expr, $path:expr) => {
            call!($m, $tmpl, $path, None)
        };
        ($m:expr, $tmpl:expr, $path:expr, $body:expr) => {{
            let (tmpl, path) = (String::from($tmpl), String::from($path));
            let reply = c.send($m.clone(), &path, $body, &[]).await;
            ck.check(&$m, &tmpl, &reply);
            reply
        }};
    }

    // actions
    call!(g, r, base);
    call!(g, format!("{r}/actions/workflows"), format!("{base}/actions/workflows"));
    call!(g, format!("{r}/actions/workflows/{{workflow_id}}"), format!("{base}/actions/workflows/ci.yml"));
    call!(g, format!("{r}/actions/workflows/{{workflow_id}}/runs"), format!("{base}/actions/workflows/101/runs"));
    call!(g, format!("{r}/actions/runs"), format!("{base}/actions/runs?per_page=2"));
    call!(g, format!("{r}/actions/runs/{{run_id}}"), format!("{base}/actions/runs/9002"));
    call!(g, format!("{r}/actions/runs/{{run_id}}/jobs"), format!("{base}/actions/runs/9001/jobs"));
    call!(g, format!("{r}/actions/runs/{{run_id}}/jobs"), format!("{base}/actions/runs/9003/jobs"));
    call!(g, format!("{r}/actions/runs/{{run_id}}/attempts/{{attempt_number}}/jobs"), format!("{base}/actions/runs/9001/attempts/1/jobs"));
    call!(g, format!("{r}/actions/jobs/{{job_id}}"), format!("{base}/actions/jobs/70002"));
    call!(g, format!("{r}/actions/jobs/{{job_id}}/logs"), format!("{base}/actions/jobs/70002/logs"));
    call!(g, format!("{r}/actions/runs/{{run_id}}/logs"), format!("{base}/actions/runs/9001/logs"));
    call!(p, format!("{r}/actions/runs/{{run_id}}/rerun-failed-jobs"), format!("{base}/actions/runs/9001/rerun-failed-jobs"), Some(json!({})));
    call!(p, format!("{r}/actions/workflows/{{workflow_id}}/dispatches"), format!("{base}/actions/workflows/101/dispatches"), Some(json!({"ref": "main"})));
    call!(p, format!("{r}/dispatches"), format!("{base}/dispatches"), Some(json!({"event_type": "go"})));

    // self-hosted runners: a token, a runner registering with it (the runner
    // service is not part of the REST description), then list/get/delete
    let reg = call!(p, format!("{r}/actions/runners/registration-token"), format!("{base}/actions/runners/registration-token"));
    let token = reg.json()["token"].as_str().unwrap().to_string();
    let registered: Value = c
        .http
        .post(c.url("/actions/runner-registration"))
        .bearer_auth(&token)
        .json(&json!({"url": "https://github.com/acme/widgets", "name": "r-1", "labels": ["gpu"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let runner_id = registered["id"].as_u64().unwrap();
    call!(g, format!("{r}/actions/runners"), format!("{base}/actions/runners"));
    call!(g, format!("{r}/actions/runners"), format!("{base}/actions/runners?name=r-1"));
    call!(g, format!("{r}/actions/runners/{{runner_id}}"), format!("{base}/actions/runners/{runner_id}"));
    c.server.state().set_runner_busy("acme/widgets", "r-1", true).unwrap();
    let busy = call!(d, format!("{r}/actions/runners/{{runner_id}}"), format!("{base}/actions/runners/{runner_id}"));
    assert_eq!(busy.status, 422);
    c.server.state().set_runner_busy("acme/widgets", "r-1", false).unwrap();
    call!(d, format!("{r}/actions/runners/{{runner_id}}"), format!("{base}/actions/runners/{runner_id}"));

    // issues, labels
    call!(g, format!("{r}/issues"), format!("{base}/issues?state=all"));
    call!(p, format!("{r}/issues"), format!("{base}/issues"), Some(json!({"title": "t", "body": "b", "labels": ["new-label"]})));
    call!(p, format!("{r}/issues"), format!("{base}/issues"), Some(json!({"title": "t", "body": "x".repeat(65_537)})));
    call!(g, format!("{r}/issues/{{issue_number}}"), format!("{base}/issues/1"));
    call!(g, format!("{r}/issues/{{issue_number}}"), format!("{base}/issues/7"));
    call!(g, format!("{r}/issues/{{issue_number}}"), format!("{base}/issues/404"));
    call!(pa, format!("{r}/issues/{{issue_number}}"), format!("{base}/issues/1"), Some(json!({"state": "closed", "labels": ["a"]})));
    call!(g, format!("{r}/issues/{{issue_number}}/labels"), format!("{base}/issues/1/labels"));
    call!(p, format!("{r}/issues/{{issue_number}}/labels"), format!("{base}/issues/1/labels"), Some(json!({"labels": ["b"]})));
    call!(pu, format!("{r}/issues/{{issue_number}}/labels"), format!("{base}/issues/1/labels"), Some(json!({"labels": ["c", "d"]})));
    call!(d, format!("{r}/issues/{{issue_number}}/labels/{{name}}"), format!("{base}/issues/1/labels/c"));
    call!(g, format!("{r}/labels"), format!("{base}/labels"));
    call!(p, format!("{r}/labels"), format!("{base}/labels"), Some(json!({"name": "fresh", "color": "00ff00"})));
    call!(p, format!("{r}/labels"), format!("{base}/labels"), Some(json!({"name": "fresh"})));
    call!(g, format!("{r}/labels/{{name}}"), format!("{base}/labels/ci-failure"));
    call!(p, format!("{r}/issues/{{issue_number}}/reactions"), format!("{base}/issues/1/reactions"), Some(json!({"content": "heart"})));
    call!(g, format!("{r}/issues/{{issue_number}}/reactions"), format!("{base}/issues/1/reactions"));

    // comments, reactions
    call!(g, format!("{r}/issues/{{issue_number}}/comments"), format!("{base}/issues/1/comments"));
    let created = call!(p, format!("{r}/issues/{{issue_number}}/comments"), format!("{base}/issues/1/comments"), Some(json!({"body": "hi"})));
    let id = created.json()["id"].as_u64().unwrap();
    call!(p, format!("{r}/issues/{{issue_number}}/comments"), format!("{base}/issues/1/comments"), Some(json!({"body": "y".repeat(65_537)})));
    call!(g, format!("{r}/issues/comments"), format!("{base}/issues/comments"));
    call!(g, format!("{r}/issues/comments/{{comment_id}}"), format!("{base}/issues/comments/{id}"));
    call!(pa, format!("{r}/issues/comments/{{comment_id}}"), format!("{base}/issues/comments/{id}"), Some(json!({"body": "edited"})));
    call!(p, format!("{r}/issues/comments/{{comment_id}}/reactions"), format!("{base}/issues/comments/{id}/reactions"), Some(json!({"content": "+1"})));
    call!(p, format!("{r}/issues/comments/{{comment_id}}/reactions"), format!("{base}/issues/comments/{id}/reactions"), Some(json!({"content": "+1"})));
    call!(g, format!("{r}/issues/comments/{{comment_id}}/reactions"), format!("{base}/issues/comments/{id}/reactions"));
    call!(d, format!("{r}/issues/comments/{{comment_id}}"), format!("{base}/issues/comments/{id}"));
    call!(g, "/search/issues", "/search/issues?q=repo:acme/widgets+is:issue+Daily");

    // pulls, contents, misc
    call!(g, format!("{r}/pulls"), format!("{base}/pulls"));
    call!(g, format!("{r}/pulls/{{pull_number}}"), format!("{base}/pulls/7"));
    call!(g, format!("{r}/pulls/{{pull_number}}/files"), format!("{base}/pulls/7/files"));
    call!(g, format!("{r}/contents/{{path}}"), format!("{base}/contents/.github/ci-bot.yml?ref=main"));
    call!(g, format!("{r}/collaborators/{{username}}/permission"), format!("{base}/collaborators/alice/permission"));
    call!(g, format!("{r}/compare/{{basehead}}"), format!("{base}/compare/main...8888888888888888888888888888888888888888"));
    call!(g, format!("{r}/compare/{{basehead}}"), format!("{base}/compare/main...no-dots"));
    call!(g, format!("{r}/commits/{{commit_sha}}/pulls"), format!("{base}/commits/8888888888888888888888888888888888888888/pulls"));
    call!(g, format!("{r}/pulls/{{pull_number}}"), format!("{base}/pulls/8"));
    call!(g, "/orgs/{org}/teams/{team_slug}/memberships/{username}", "/orgs/acme/teams/ci-admins/memberships/carol");
    call!(g, "/orgs/{org}/teams/{team_slug}/memberships/{username}", "/orgs/acme/teams/ci-admins/memberships/mallory");
    call!(g, "/rate_limit", "/rate_limit");
    call!(g, "/user", "/user");

    let jwt = Ctx { token: None, ..Ctx::with(day()).await };
    for (m, tmpl, path) in [(g.clone(), "/app", "/app"), (g.clone(), "/repos/{owner}/{repo}/installation", "/repos/acme/widgets/installation"), (p.clone(), "/app/installations/{installation_id}/access_tokens", "/app/installations/5/access_tokens")] {
        let reply = jwt
            .send(m.clone(), path, Some(json!({})), &[("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln")])
            .await;
        ck.check(&m, tmpl, &reply);
    }

    // Every path in the vendored subset is exercised (the subset lists
    // exactly what the fake serves).
    let spec_paths: BTreeSet<String> = ck.spec["paths"].as_object().unwrap().keys().cloned().collect();
    let covered: BTreeSet<String> = ck.covered.iter().map(|(_, p)| p.clone()).collect();
    let missing: Vec<_> = spec_paths.difference(&covered).collect();
    assert!(missing.is_empty(), "spec paths not exercised: {missing:?}");
    assert!(ck.failures.is_empty(), "{} schema failures:\n  {}", ck.failures.len(), ck.failures.join("\n  "));
}

/// The vendored subset must stay a faithful cut of the full description
/// when that is available next to the workspace (`../shared/reference`).
#[test]
fn vendored_subset_matches_reference_when_present() {
    let full = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/api.github.com.json.gz");
    let Ok(file) = std::fs::File::open(full) else {
        eprintln!("notice: {full} absent; checked the vendored subset only");
        return;
    };
    let full: Value = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/subset.json");
    let sub: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (name, schema) in sub["components"]["schemas"].as_object().unwrap() {
        let theirs = &full["components"]["schemas"][name];
        assert_eq!(schema["required"], theirs["required"], "required fields of {name} drifted; re-run openapi/trim.py");
    }
}

/// The checker itself must catch drift, or the test above proves nothing.
#[test]
fn the_schema_check_rejects_a_drifted_shape() {
    let mut ck = Checker { spec: spec(), failures: Vec::new(), covered: BTreeSet::new() };
    let drifted = Reply {
        status: reqwest::StatusCode::OK,
        headers: Default::default(),
        // id as a string, user missing: both things octocrab would choke on.
        text: json!({"id": "1", "number": 1, "title": "t"}).to_string(),
    };
    ck.check(&Method::GET, "/repos/{owner}/{repo}/issues/{issue_number}", &drifted);
    assert_eq!(ck.failures.len(), 1);
    assert!(ck.failures[0].contains("is a required property"), "{}", ck.failures[0]);
    let undocumented = Reply { status: reqwest::StatusCode::IM_A_TEAPOT, headers: Default::default(), text: String::new() };
    ck.check(&Method::GET, "/repos/{owner}/{repo}/issues/{issue_number}", &undocumented);
    assert_eq!(ck.failures.len(), 2);
}
