//! The fake's REST objects carry every field that GitHub's webhook payload
//! examples carry for the same object (and that the REST schema documents),
//! with the same JSON type. Bots often share one model between webhook
//! events and REST reads; this keeps the fake from drifting from either.
//!
//! Reads `../shared/reference/webhooks/examples.json.gz` next to the
//! workspace; skips with a notice when it is absent (e.g. in a user's clone).

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[tokio::test]
async fn rest_objects_match_webhook_payload_examples() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/webhooks/examples.json.gz");
    let Ok(file) = std::fs::File::open(path) else {
        eprintln!("notice: {path} absent; webhook example check skipped");
        return;
    };
    let events: Vec<Value> = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/subset.json")).unwrap(),
    )
    .unwrap();

    let c = Ctx::new().await;
    let comment_id = c.server.state().comments(REPO, 1)[0].id;
    let cases = [
        ("issues", "issue", "issue", "/repos/acme/widgets/issues/1".to_string()),
        ("issue_comment", "comment", "issue-comment", format!("/repos/acme/widgets/issues/comments/{comment_id}")),
        ("workflow_run", "workflow_run", "workflow-run", "/repos/acme/widgets/actions/runs/9001".to_string()),
        ("workflow_job", "workflow_job", "job", "/repos/acme/widgets/actions/jobs/70002".to_string()),
    ];
    let mut problems = Vec::new();
    for (event, key, schema, rest_path) in cases {
        let ours = c.get(&rest_path).await.json();
        // Issue events on pull requests carry `pull_request`/`draft`, as
        // the REST issue of a pull request does (ours: #7).
        let ours_pr = c.get("/repos/acme/widgets/issues/7").await.json();
        let documented: BTreeSet<&str> = spec["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let examples: Vec<&Value> = events
            .iter()
            .filter(|e| e["name"] == event)
            .flat_map(|e| e["examples"].as_array().into_iter().flatten())
            .filter_map(|ex| ex.get(key))
            .collect();
        assert!(!examples.is_empty(), "no {event} examples");
        for ex in examples {
            let ours = if key == "issue" && ex.get("pull_request").is_some() { &ours_pr } else { &ours };
            for (field, value) in ex.as_object().unwrap() {
                if !documented.contains(field.as_str()) {
                    continue; // webhook-only field
                }
                // The fake sets `draft` only on pull-request issues.
                if key == "issue" && field == "draft" && ex.get("pull_request").is_none() {
                    continue;
                }
                match ours.get(field) {
                    None => problems.push(format!("{event}.{key}: missing {field}")),
                    Some(mine) if !value.is_null() && !mine.is_null() && kind(mine) != kind(value) => problems.push(
                        format!("{event}.{key}.{field}: ours is {}, webhook has {}", kind(mine), kind(value)),
                    ),
                    Some(_) => {}
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
