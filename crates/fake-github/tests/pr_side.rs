//! What the pull-request side of the bot reads: team membership, the merge
//! base, pull requests of a commit, forks and deleted forks, and the claim
//! reaction's 201-then-200.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn team_membership_is_active_pending_or_absent() {
    let c = Ctx::new().await;
    let m = |u: &str| format!("/orgs/acme/teams/ci-admins/memberships/{u}");
    let carol = c.get(&m("carol")).await;
    assert_eq!(carol.status, 200);
    assert_eq!((carol.json()["role"].clone(), carol.json()["state"].clone()), (json!("member"), json!("active")));
    assert_eq!(c.get(&m("DAVE")).await.json()["role"], "maintainer", "logins are case-insensitive");
    assert_eq!(c.get(&m("erin")).await.json()["state"], "pending");
    assert_eq!(c.get(&m("mallory")).await.status, 404);
    assert_eq!(c.get("/orgs/acme/teams/nobody/memberships/carol").await.status, 404);
}

#[tokio::test]
async fn compare_gives_a_pull_requests_merge_base_with_its_date() {
    let c = Ctx::with(day_with_fork()).await;
    let head = "8888888888888888888888888888888888888888";
    let cmp = c.get(&format!("/repos/acme/widgets/compare/main...{head}")).await.json();
    assert_eq!(cmp["merge_base_commit"]["sha"], "1111111111111111111111111111111111111111");
    assert_eq!(cmp["merge_base_commit"]["commit"]["message"], "Fix widgets");
    assert!(cmp["merge_base_commit"]["commit"]["committer"]["date"].is_string());
    assert_eq!(cmp["status"], "diverged");
    assert_eq!(c.get("/repos/acme/widgets/compare/nodots").await.status, 404);
    let same = c.get("/repos/acme/widgets/compare/abc...abc").await.json();
    assert_eq!(same["status"], "identical");
}

#[tokio::test]
async fn forks_and_the_pull_requests_of_a_commit() {
    let c = Ctx::with(day_with_fork()).await;
    let pr = c.get("/repos/acme/widgets/pulls/8").await.json();
    assert_eq!(pr["head"]["repo"]["full_name"], "mallory/widgets");
    assert_eq!(pr["head"]["repo"]["fork"], true);
    assert_eq!(pr["head"]["label"], "mallory:fast");
    assert_eq!(pr["base"]["repo"]["full_name"], "acme/widgets");
    let own = c.get("/repos/acme/widgets/pulls/7").await.json();
    assert_eq!(own["head"]["repo"]["full_name"], "acme/widgets");

    let pulls = c.get("/repos/acme/widgets/commits/8888888888888888888888888888888888888888/pulls").await.json();
    assert_eq!(pulls.as_array().unwrap().len(), 1);
    assert_eq!(pulls[0]["number"], 8);
    assert_eq!(c.get("/repos/acme/widgets/commits/0000/pulls").await.json(), json!([]));
}

#[tokio::test]
async fn a_deleted_fork_is_a_null_head_repo() {
    let mut sc = day_with_fork();
    sc.repos[0].pulls.last_mut().unwrap().head_repo_deleted = true;
    let c = Ctx::with(sc).await;
    let pr = c.get("/repos/acme/widgets/pulls/8").await.json();
    assert!(pr["head"]["repo"].is_null(), "{}", pr["head"]);
    assert_eq!(pr["head"]["sha"], "8888888888888888888888888888888888888888");
}

#[tokio::test]
async fn the_claim_reaction_is_201_once_then_200_for_the_same_user_only() {
    let c = Ctx::new().await;
    c.server.state().set_token_login("other-token", "someone-else");
    let cid = c.server.state().comments(REPO, 1)[0].id;
    let path = format!("/repos/acme/widgets/issues/comments/{cid}/reactions");
    let (a, b) = tokio::join!(c.post(&path, json!({"content": "rocket"})), c.post(&path, json!({"content": "rocket"})));
    let mut codes = [a.status.as_u16(), b.status.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 201], "two concurrent claims: exactly one wins");
    let r = c
        .http
        .post(c.url(&path))
        .header("authorization", "token other-token")
        .json(&json!({"content": "rocket"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "another user's rocket is a new reaction");
}
