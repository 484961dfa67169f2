//! Webhook deliveries and polled objects become the same work items.
//!
//! Uses GitHub's own payload examples (`../shared/reference/webhooks/`)
//! when present, else skips with a notice, like fake-github's test.

mod common;

use ci_commands::{from_webhook, CommentEvent, RunCompleted, Source, WorkItem};
use common::*;
use serde_json::{json, Value};

fn examples(event: &str) -> Option<Vec<Value>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/webhooks/examples.json.gz");
    let Ok(file) = std::fs::File::open(path) else {
        eprintln!("notice: {path} absent; webhook example check skipped");
        return None;
    };
    let all: Vec<Value> = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    Some(all.into_iter().filter(|e| e["name"] == event).flat_map(|e| e["examples"].as_array().cloned().unwrap_or_default()).collect())
}

#[test]
fn githubs_issue_comment_examples_parse() {
    let Some(examples) = examples("issue_comment") else { return };
    for ex in examples {
        let item = from_webhook("issue_comment", ex.to_string().as_bytes()).unwrap();
        match ex["action"].as_str().unwrap() {
            "created" | "edited" => {
                let Some(WorkItem::Comment(e)) = item else { panic!("{ex}") };
                assert_eq!(e.comment_id, ex["comment"]["id"].as_u64().unwrap());
                assert_eq!(e.issue, ex["issue"]["number"].as_u64().unwrap());
                assert!(!e.issue_facts.unwrap().is_pull_request, "GitHub's examples are on issues");
            }
            _ => assert_eq!(item, None, "deleted comments are not work"),
        }
    }
}

#[test]
fn githubs_workflow_run_examples_parse() {
    let Some(examples) = examples("workflow_run") else { return };
    let mut completed = 0;
    for ex in examples {
        match from_webhook("workflow_run", ex.to_string().as_bytes()).unwrap() {
            Some(WorkItem::RunCompleted(r)) => {
                completed += 1;
                assert_eq!(r.run_id, ex["workflow_run"]["id"].as_u64().unwrap());
                // One example lists a pull request of another repository
                // (Codertocat/Hello-World) on an octo-org run: not ours.
                assert!(r.pull_requests.is_empty(), "{r:?}");
            }
            None => {}
            Some(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(completed, 2, "the two completed-and-completed examples");
}

#[tokio::test]
async fn a_polled_comment_and_its_webhook_are_the_same_work() {
    let w = World::new().await;
    let c = w.comment("alice", 7, "@ci-bot ci-status").await;
    let polled = CommentEvent::from_rest(REPO, &c).unwrap();
    let issue: Value = w
        .http
        .get(format!("{}/repos/{REPO}/issues/7", w.server.url()))
        .header("authorization", "token alice-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let delivery = json!({"action": "created", "issue": issue, "comment": c, "repository": {"full_name": REPO}});
    let Some(WorkItem::Comment(hooked)) = from_webhook("issue_comment", delivery.to_string().as_bytes()).unwrap() else {
        panic!("not a comment")
    };
    assert_eq!(hooked.source, Source::Created);
    assert!(hooked.issue_facts.as_ref().unwrap().is_pull_request);
    assert_eq!(CommentEvent { source: Source::Poll, issue_facts: None, ..hooked }, polled);
}

#[test]
fn runs_from_the_api_and_from_webhooks_agree_and_filter_other_repos() {
    let run = json!({
        "id": 5, "name": "PR Test", "head_sha": "abc", "head_branch": "fast", "status": "completed",
        "conclusion": "failure", "run_attempt": 2,
        "head_repository": {"full_name": "mallory/widgets"},
        "pull_requests": [
            {"number": 8, "base": {"repo": {"url": "https://api.github.com/repos/acme/widgets"}}},
            {"number": 99, "base": {"repo": {"url": "https://api.github.com/repos/other/repo"}}}
        ]
    });
    let rest = RunCompleted::from_rest("acme/widgets", &run).unwrap().unwrap();
    assert_eq!(rest.pull_requests, vec![8]);
    assert_eq!((rest.attempt, rest.head_repo.as_deref()), (2, Some("mallory/widgets")));
    let delivery = json!({"action": "completed", "workflow_run": run, "repository": {"full_name": "acme/widgets"}});
    assert_eq!(from_webhook("workflow_run", delivery.to_string().as_bytes()).unwrap(), Some(WorkItem::RunCompleted(rest)));
    let running = json!({"id": 6, "status": "in_progress"});
    assert_eq!(RunCompleted::from_rest("acme/widgets", &running).unwrap(), None);
}

#[test]
fn bad_payloads_are_one_line_errors() {
    for (event, body) in [("issue_comment", "not json"), ("issue_comment", "{}"), ("workflow_run", "{\"action\": \"completed\"}")] {
        let e = from_webhook(event, body.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with(event) && !e.contains('\n'), "{e}");
    }
    assert_eq!(from_webhook("push", b"{}").unwrap(), None);
    let huge = format!("{{\"action\":\"created\",\"comment\":{{\"body\":\"{}\"}}}}", "x".repeat(1 << 20));
    assert!(from_webhook("issue_comment", huge.as_bytes()).is_err());
}
