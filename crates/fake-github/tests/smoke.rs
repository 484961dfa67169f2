//! Smoke tests: the fake starts, serves the basic resources and the admin routes.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn serves_the_fixture_scenario() {
    let c = Ctx::new().await;
    let r = c.get("/repos/acme/widgets/issues/1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["title"], "[CI] Daily report 2026-01-01");
    let r = c.post("/repos/acme/widgets/issues", json!({"title": "new", "labels": ["x"]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["number"], 8);
    assert_eq!(c.server.state().issues(REPO).len(), 3);
    let r = c.get("/repos/acme/widgets/actions/runs").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["total_count"], 3);
}
