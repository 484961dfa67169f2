//! Self-hosted runners on the fake: a registration token, a runner that
//! registers and heartbeats with it, and what the REST API then reports.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

impl Ctx {
    async fn registration_token(&self) -> String {
        let reply = self.post("/repos/acme/widgets/actions/runners/registration-token", json!({})).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["token"].as_str().unwrap().to_string()
    }

    /// What the stand-in runner does: register with the token as bearer.
    async fn register(&self, token: &str, name: &str, replace: bool) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url("/actions/runner-registration"))
            .bearer_auth(token)
            .json(&json!({"url": "https://github.com/acme/widgets", "name": name, "labels": ["gpu"], "replace": replace}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn heartbeat(&self, credential: &str) -> u16 {
        self.http
            .post(self.url("/actions/runner-heartbeat"))
            .bearer_auth(credential)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn runners(&self) -> Vec<Value> {
        self.get("/repos/acme/widgets/actions/runners").await.json()["runners"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn a_runner_registers_goes_online_and_is_removed() {
    let c = Ctx::new().await;
    let token = c.registration_token().await;
    let (status, reg) = c.register(&token, "runner-1", false).await;
    assert_eq!(status, 201);
    let credential = reg["credential"].as_str().unwrap().to_string();

    let listed = c.runners().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "runner-1");
    assert_eq!(listed[0]["status"], "offline", "no heartbeat yet");
    let labels: Vec<&str> = listed[0]["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(labels, ["self-hosted", "Linux", "X64", "gpu"]);

    assert_eq!(c.heartbeat(&credential).await, 200);
    assert_eq!(c.runners().await[0]["status"], "online");
    c.server.state().set_runner_offline_after(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(c.runners().await[0]["status"], "offline", "heartbeats stopped");

    let id = reg["id"].as_u64().unwrap();
    c.server.state().set_runner_busy("acme/widgets", "runner-1", true).unwrap();
    let refused = c.delete(&format!("/repos/acme/widgets/actions/runners/{id}")).await;
    assert_eq!(refused.status, 422, "a busy runner cannot be removed");
    c.server.state().set_runner_busy("acme/widgets", "runner-1", false).unwrap();
    let removed = c.delete(&format!("/repos/acme/widgets/actions/runners/{id}")).await;
    assert_eq!(removed.status, 204);
    assert!(c.runners().await.is_empty());
    assert_eq!(c.heartbeat(&credential).await, 401, "a deleted runner's credential is dead");
}

#[tokio::test]
async fn registration_needs_a_valid_token_for_the_same_repo_and_a_free_name() {
    let c = Ctx::new().await;
    assert_eq!(c.register("not-a-token", "r", false).await.0, 401);
    let token = c.registration_token().await;
    let wrong_repo = c
        .http
        .post(c.url("/actions/runner-registration"))
        .bearer_auth(&token)
        .json(&json!({"url": "https://github.com/acme/other", "name": "r"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_repo.status(), 404);

    let (_, first) = c.register(&token, "r", false).await;
    assert_eq!(c.register(&token, "r", false).await.0, 422, "name taken without --replace");
    let (status, second) = c.register(&token, "r", true).await;
    assert_eq!(status, 201, "--replace takes the name over");
    assert_ne!(first["id"], second["id"]);
    assert_eq!(c.runners().await.len(), 1);
    assert_eq!(c.heartbeat(first["credential"].as_str().unwrap()).await, 401, "the replaced runner is gone");

    // Tokens are secrets: the runner registry in the state dump shows how
    // many, never which (the request log, like GitHub's, saw the bearer).
    let registry = c.get("/_fake/state").await.json()["runners"].clone();
    assert!(!registry.to_string().contains(&token));
    assert_eq!(registry["registration_tokens_issued"], 1);
}
