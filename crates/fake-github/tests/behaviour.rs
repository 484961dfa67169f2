//! GitHub behaviour a bot can trip on, one test each, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use fake_github::{FaultKind, FaultRule, Scenario};
use serde_json::{json, Value};

async fn create_issues(c: &Ctx, n: usize) {
    for i in 0..n {
        let r = c.post("/repos/acme/widgets/issues", json!({"title": format!("issue {i}")})).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

#[tokio::test]
async fn pagination_uses_absolute_link_headers_and_caps_per_page() {
    let c = Ctx::with(Scenario::with_repo("acme/widgets")).await;
    create_issues(&c, 7).await;

    let r = c.get("/repos/acme/widgets/issues?per_page=3").await;
    assert_eq!(r.json().as_array().unwrap().len(), 3);
    let link = r.header("link").unwrap();
    let base = c.server.url();
    assert_eq!(
        link,
        format!(
            "<{base}/repos/acme/widgets/issues?per_page=3&page=2>; rel=\"next\", \
             <{base}/repos/acme/widgets/issues?per_page=3&page=3>; rel=\"last\""
        )
    );

    // Follow `next` verbatim until it disappears: every issue exactly once.
    let mut url = format!("{base}/repos/acme/widgets/issues?per_page=3");
    let mut seen = Vec::new();
    loop {
        let r = c.get(&url).await;
        seen.extend(r.json().as_array().unwrap().iter().map(|i| i["number"].as_u64().unwrap()));
        let Some(link) = r.header("link") else { break };
        if page_of(&link, "prev").is_some() {
            assert!(page_of(&link, "first").is_some());
        }
        match page_of(&link, "next") {
            Some(next) => url = next,
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, vec![1, 2, 3, 4, 5, 6, 7]);

    // per_page above 100 is capped, not rejected; default is 30.
    create_issues(&c, 101 - 7 + 30).await;
    assert_eq!(c.get("/repos/acme/widgets/issues?per_page=500").await.json().as_array().unwrap().len(), 100);
    assert_eq!(c.get("/repos/acme/widgets/issues").await.json().as_array().unwrap().len(), 30);
    // A page past the end is empty, not an error.
    assert_eq!(c.get("/repos/acme/widgets/issues?page=99").await.json(), json!([]));
}

fn page_of(link: &str, rel: &str) -> Option<String> {
    link.split(", ").find(|p| p.ends_with(&format!("rel=\"{rel}\""))).map(|p| {
        p.split(';').next().unwrap().trim_matches(|c| c == '<' || c == '>').to_string()
    })
}

#[tokio::test]
async fn comments_since_filters_on_updated_at() {
    let c = Ctx::new().await;
    let all = c.get("/repos/acme/widgets/issues/1/comments").await.json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    // The fixture's comments are a day old; one created now is newer.
    let cut = (chrono::Utc::now() - chrono::Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let new = c.post("/repos/acme/widgets/issues/1/comments", json!({"body": "fresh"})).await.json();
    let recent = c.get(&format!("/repos/acme/widgets/issues/1/comments?since={cut}")).await.json();
    assert_eq!(recent.as_array().unwrap().len(), 1);
    assert_eq!(recent[0]["id"], new["id"]);
    // Editing an old comment bumps its updated_at into the window.
    let old_id = all[0]["id"].as_u64().unwrap();
    c.patch(&format!("/repos/acme/widgets/issues/comments/{old_id}"), json!({"body": "edited"})).await;
    let recent = c.get(&format!("/repos/acme/widgets/issues/1/comments?since={cut}")).await.json();
    assert_eq!(recent.as_array().unwrap().len(), 2);
    assert_eq!(c.get("/repos/acme/widgets/issues/1/comments?since=yesterday").await.status, 422);
}

#[tokio::test]
async fn bodies_over_65536_characters_are_rejected_with_githubs_422() {
    let c = Ctx::new().await;
    // The limit is in characters: 65 536 multi-byte characters are fine.
    let ok = "é".repeat(65_536);
    let r = c.post("/repos/acme/widgets/issues/1/comments", json!({"body": ok})).await;
    assert_eq!(r.status, 201);
    let r = c.post("/repos/acme/widgets/issues/1/comments", json!({"body": "x".repeat(65_537)})).await;
    assert_eq!(r.status, 422);
    let body = r.json();
    assert_eq!(body["message"], "Validation Failed");
    assert_eq!(body["errors"][0]["resource"], "IssueComment");
    assert_eq!(body["errors"][0]["field"], "body");
    assert_eq!(body["errors"][0]["code"], "custom");
    let r = c.patch("/repos/acme/widgets/issues/1", json!({"body": "x".repeat(65_537)})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["resource"], "Issue");
    // Nothing was written by the rejected requests.
    assert_eq!(c.server.state().comments(REPO, 1).len(), 3);
}

#[tokio::test]
async fn search_is_eventually_consistent() {
    let c = Ctx::new().await;
    c.server.state().set_search_delay(Duration::from_millis(300));
    c.post("/repos/acme/widgets/issues", json!({"title": "[CI] Daily report 2026-02-02", "labels": ["ci-failure"]})).await;
    let q = "/search/issues?q=repo:acme/widgets+is:issue+is:open+label:ci-failure+in:title+%22Daily+report+2026-02-02%22";
    assert_eq!(c.get(q).await.json()["total_count"], 0, "not indexed yet");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = c.get(q).await.json();
    assert_eq!(r["total_count"], 1);
    assert_eq!(r["items"][0]["title"], "[CI] Daily report 2026-02-02");
    assert_eq!(r["incomplete_results"], false);

    // Qualifiers: pulls are excluded by is:issue, closed by is:open, the
    // phrase must match in the title only.
    let hits = |q: &str| {
        let q = q.to_string();
        let c = &c;
        async move { c.get(&format!("/search/issues?q={q}")).await.json()["total_count"].as_u64().unwrap() }
    };
    assert_eq!(hits("repo:acme/widgets+is:pr").await, 1);
    assert_eq!(hits("repo:acme/widgets+is:issue+is:closed").await, 1);
    assert_eq!(hits("repo:acme/widgets+in:title+%22old+report%22").await, 0);
    assert_eq!(hits("repo:acme/widgets+in:body+%22old+report%22").await, 1);
    assert_eq!(hits("repo:other/repo+Daily").await, 0);
    // Search has its own, smaller rate limit.
    let r = c.get("/search/issues?q=x").await;
    assert_eq!(r.header("x-ratelimit-resource").as_deref(), Some("search"));
    assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("30"));
}

#[tokio::test]
async fn etag_304_is_free_and_rate_headers_are_present() {
    let c = Ctx::new().await;
    let r = c.get("/repos/acme/widgets/issues/1").await;
    let etag = r.header("etag").unwrap();
    let remaining: u64 = r.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("5000"));
    assert!(r.header("x-ratelimit-reset").is_some());

    let r = c.send(reqwest::Method::GET, "/repos/acme/widgets/issues/1", None, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, 304);
    assert_eq!(r.text, "");
    assert_eq!(r.header("x-ratelimit-remaining").unwrap().parse::<u64>().unwrap(), remaining, "304 is free");

    // A change makes the old ETag stale.
    c.patch("/repos/acme/widgets/issues/1", json!({"title": "changed"})).await;
    let r = c.send(reqwest::Method::GET, "/repos/acme/widgets/issues/1", None, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("etag").unwrap(), etag);

    // At zero remaining GitHub answers 403 with remaining 0.
    c.server.state().set_rate_limit_remaining(0);
    let r = c.get("/repos/acme/widgets/issues/1").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("0"));
    assert!(r.json()["message"].as_str().unwrap().contains("rate limit"));
    // /rate_limit itself is not charged.
    let rl = c.get("/rate_limit").await;
    assert_eq!(rl.status, 200);
    assert_eq!(rl.json()["resources"]["core"]["remaining"], 0);
}

#[tokio::test]
async fn auth_is_required_and_tokens_are_recorded() {
    let mut c = Ctx::new().await;
    c.token = None;
    let r = c.get("/repos/acme/widgets/issues").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "Requires authentication");
    let r = c.send(reqwest::Method::GET, "/user", None, &[("authorization", "Bearer abc")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["login"], "ci-bot");
    let log = c.server.state().requests();
    assert_eq!(log[0].token, None);
    assert_eq!(log[0].status, 401);
    assert_eq!(log[1].token.as_deref(), Some("abc"));
    assert_eq!(c.server.state().request_count("GET", "/user"), 1);

    // A token mapped to another login acts as that user.
    c.server.state().set_token_login("mallory-token", "mallory");
    let r = c
        .send(reqwest::Method::POST, "/repos/acme/widgets/issues/1/comments", Some(json!({"body": "hi"})), &[("authorization", "token mallory-token")])
        .await;
    assert_eq!(r.json()["user"]["login"], "mallory");
    assert_eq!(r.json()["author_association"], "NONE");
}

#[tokio::test]
async fn job_logs_redirect_to_a_blob_origin_that_never_sees_the_token() {
    let c = Ctx::new().await;
    // A normal client follows the redirect itself; since the blob lives on
    // another origin, it must drop Authorization on the way.
    let follow = reqwest::Client::new();
    let r = follow
        .get(format!("{}/repos/acme/widgets/actions/jobs/70002/logs", c.server.url()))
        .header("authorization", "token sekret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.url().as_str().starts_with(c.server.blob_url()));
    assert!(r.text().await.unwrap().contains("test tests::flaky ... FAILED"));
    let log = c.server.state().requests();
    let blob: Vec<_> = log.iter().filter(|r| r.path.starts_with("/_blob/")).collect();
    assert_eq!(blob.len(), 1);
    assert_eq!(blob[0].token, None, "the token leaked to the blob host");

    // The raw 302, then expiry → 410.
    let r = c.get("/repos/acme/widgets/actions/jobs/70002/logs").await;
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap();
    assert_eq!(reqwest::get(&location).await.unwrap().status(), 200);
    c.server.state().expire_log_urls();
    assert_eq!(reqwest::get(&location).await.unwrap().status(), 410);
    // A job without a log (in progress) has none to download.
    assert_eq!(c.get("/repos/acme/widgets/actions/jobs/70004/logs").await.status, 404);
}

#[tokio::test]
async fn run_logs_are_a_zip_with_one_file_per_job_and_step() {
    let c = Ctx::new().await;
    let loc = c.get("/repos/acme/widgets/actions/runs/9001/logs").await.header("location").unwrap();
    let bytes = reqwest::get(&loc).await.unwrap().bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "0_build (ubuntu).txt",
            "1_test (ubuntu).txt",
            "build (ubuntu)/1_Set up job.txt",
            "build (ubuntu)/2_Build.txt",
            "test (ubuntu)/1_Set up job.txt",
            "test (ubuntu)/2_Run tests.txt",
        ]
    );
    let mut failed_step = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("test (ubuntu)/2_Run tests.txt").unwrap(), &mut failed_step).unwrap();
    assert!(failed_step.contains("FAILED"));
}

#[tokio::test]
async fn runs_filter_and_rerun_failed_jobs_changes_state() {
    let c = Ctx::new().await;
    let n = |v: Value| v["total_count"].as_u64().unwrap();
    assert_eq!(n(c.get("/repos/acme/widgets/actions/runs").await.json()), 3);
    assert_eq!(n(c.get("/repos/acme/widgets/actions/workflows/ci.yml/runs").await.json()), 2);
    assert_eq!(n(c.get("/repos/acme/widgets/actions/runs?branch=main&status=failure").await.json()), 1);
    assert_eq!(n(c.get("/repos/acme/widgets/actions/runs?status=in_progress").await.json()), 1);
    assert_eq!(n(c.get("/repos/acme/widgets/actions/runs?event=pull_request").await.json()), 1);
    let since = (chrono::Utc::now() - chrono::Duration::hours(5)).format("%Y-%m-%dT%H:%M:%SZ");
    assert_eq!(n(c.get(&format!("/repos/acme/widgets/actions/runs?created=%3E%3D{since}")).await.json()), 2);
    let runs = c.get("/repos/acme/widgets/actions/runs").await.json();
    assert_eq!(runs["workflow_runs"][0]["id"], 9003, "newest first");

    let r = c.post("/repos/acme/widgets/actions/runs/9001/rerun-failed-jobs", json!({})).await;
    assert_eq!(r.status, 201);
    let run = c.get("/repos/acme/widgets/actions/runs/9001").await.json();
    assert_eq!(run["run_attempt"], 2);
    assert_eq!(run["status"], "queued");
    let latest = c.get("/repos/acme/widgets/actions/runs/9001/jobs").await.json();
    let all = c.get("/repos/acme/widgets/actions/runs/9001/jobs?filter=all").await.json();
    assert_eq!(n(latest.clone()), 2);
    assert_eq!(n(all), 3);
    let rerun = latest["jobs"].as_array().unwrap().iter().find(|j| j["name"] == "test (ubuntu)").unwrap();
    assert_eq!(rerun["status"], "queued");
    assert_eq!(rerun["run_attempt"], 2);
    // Not completed → cannot rerun again.
    assert_eq!(c.post("/repos/acme/widgets/actions/runs/9001/rerun-failed-jobs", json!({})).await.status, 403);
    c.server.state().complete_run(REPO, 9001, "success").unwrap();
    assert_eq!(c.get("/repos/acme/widgets/actions/runs/9001").await.json()["conclusion"], "success");
}

#[tokio::test]
async fn dispatches_are_recorded() {
    let c = Ctx::new().await;
    let r = c.post("/repos/acme/widgets/actions/workflows/nightly.yml/dispatches", json!({"ref": "main", "inputs": {"x": "1"}})).await;
    assert_eq!(r.status, 204);
    assert_eq!(c.post("/repos/acme/widgets/actions/workflows/nope.yml/dispatches", json!({"ref": "main"})).await.status, 404);
    assert_eq!(c.post("/repos/acme/widgets/actions/workflows/101/dispatches", json!({})).await.status, 422);
    let r = c.post("/repos/acme/widgets/dispatches", json!({"event_type": "ci-report", "client_payload": {"run": 1}})).await;
    assert_eq!(r.status, 204);
    let d = serde_json::to_value(c.server.state().dispatches()).unwrap();
    assert_eq!(d[0]["kind"], "workflow");
    assert_eq!(d[0]["workflow_id"], 102);
    assert_eq!(d[0]["inputs"]["x"], "1");
    assert_eq!(d[1]["event_type"], "ci-report");
}

#[tokio::test]
async fn issues_labels_and_reactions_behave_like_github() {
    let c = Ctx::new().await;
    // Labels named on create are auto-created.
    let r = c.post("/repos/acme/widgets/issues", json!({"title": "t", "labels": ["brand-new", {"name": "ci-failure"}]})).await;
    assert_eq!(r.status, 201);
    assert!(r.header("location").unwrap().ends_with("/repos/acme/widgets/issues/8"));
    let names: Vec<_> = r.json()["labels"].as_array().unwrap().iter().map(|l| l["name"].clone()).collect();
    assert_eq!(names, vec![json!("brand-new"), json!("ci-failure")]);
    assert_eq!(c.get("/repos/acme/widgets/labels/brand-new").await.status, 200);
    assert_eq!(c.post("/repos/acme/widgets/issues", json!({"body": "no title"})).await.status, 422);

    // List filters: labels (all must match), state.
    let open_ci = c.get("/repos/acme/widgets/issues?labels=ci-failure").await.json();
    assert_eq!(open_ci.as_array().unwrap().len(), 2);
    assert_eq!(c.get("/repos/acme/widgets/issues?labels=ci-failure,brand-new").await.json().as_array().unwrap().len(), 1);
    let closed = c.get("/repos/acme/widgets/issues?state=closed").await.json();
    assert_eq!(closed[0]["number"], 2);

    // Close and reopen.
    let r = c.patch("/repos/acme/widgets/issues/8", json!({"state": "closed"})).await.json();
    assert_eq!(r["state"], "closed");
    assert!(r["closed_at"].is_string());

    // Reactions: 201 the first time, 200 with the same reaction after.
    let cid = c.server.state().comments(REPO, 1)[0].id;
    let path = format!("/repos/acme/widgets/issues/comments/{cid}/reactions");
    let first = c.post(&path, json!({"content": "rocket"})).await;
    assert_eq!(first.status, 201);
    let again = c.post(&path, json!({"content": "rocket"})).await;
    assert_eq!(again.status, 200);
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(c.post(&path, json!({"content": "party"})).await.status, 422);
    assert_eq!(c.get(&format!("{path}?content=rocket")).await.json().as_array().unwrap().len(), 1);
    let comment = c.get(&format!("/repos/acme/widgets/issues/comments/{cid}")).await.json();
    assert_eq!(comment["reactions"]["rocket"], 1);

    assert_eq!(c.delete(&format!("/repos/acme/widgets/issues/comments/{cid}")).await.status, 204);
    assert_eq!(c.get(&format!("/repos/acme/widgets/issues/comments/{cid}")).await.status, 404);
}

#[tokio::test]
async fn pulls_diff_contents_and_permissions() {
    let c = Ctx::new().await;
    let pr = c.get("/repos/acme/widgets/pulls/7").await.json();
    assert_eq!(pr["head"]["ref"], "feature/x");
    assert_eq!(pr["additions"], 1);
    let diff = c
        .send(reqwest::Method::GET, "/repos/acme/widgets/pulls/7", None, &[("accept", "application/vnd.github.diff")])
        .await;
    assert!(diff.header("content-type").unwrap().starts_with("text/x-diff"));
    assert!(diff.text.starts_with("diff --git a/src/lib.rs b/src/lib.rs\n"));
    assert_eq!(c.get("/repos/acme/widgets/pulls/7/files").await.json()[0]["filename"], "src/lib.rs");
    assert_eq!(c.get("/repos/acme/widgets/pulls/1").await.status, 404, "issue 1 is not a pull");

    let f = c.get("/repos/acme/widgets/contents/.github/ci-bot.yml?ref=main").await.json();
    let b64: String = f["content"].as_str().unwrap().split('\n').collect();
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    assert_eq!(String::from_utf8(raw).unwrap(), "monitor:\n  workflows: [CI]\n");
    assert_eq!(c.get("/repos/acme/widgets/contents/missing.yml").await.status, 404);

    let perm = |u: &str| {
        let u = u.to_string();
        let c = &c;
        async move { c.get(&format!("/repos/acme/widgets/collaborators/{u}/permission")).await.json()["permission"].clone() }
    };
    assert_eq!(perm("alice").await, "write");
    assert_eq!(perm("bob").await, "read");
    assert_eq!(perm("acme").await, "admin");
    assert_eq!(perm("mallory").await, "none");
}

#[tokio::test]
async fn app_installation_tokens_need_a_jwt() {
    let mut c = Ctx::new().await;
    c.token = None;
    let r = c.send(reqwest::Method::POST, "/app/installations/9/access_tokens", None, &[("authorization", "Bearer not-a-jwt")]).await;
    assert_eq!(r.status, 401);
    let r = c
        .send(reqwest::Method::POST, "/app/installations/9/access_tokens", None, &[("authorization", "Bearer aaa.bbb.ccc")])
        .await;
    assert_eq!(r.status, 201);
    assert!(r.json()["token"].as_str().unwrap().starts_with("ghs_"));
}

#[tokio::test]
async fn scripted_faults_fire_exactly_as_told() {
    let c = Ctx::new().await;
    let f = c.server.faults();
    f.fail_next("GET", "/repos/*/issues/1", 502, 2);
    assert_eq!(c.get("/repos/acme/widgets/issues/1").await.status, 502);
    assert_eq!(c.get("/repos/acme/widgets/issues/1").await.status, 502);
    assert_eq!(c.get("/repos/acme/widgets/issues/1").await.status, 200);

    f.add(FaultRule::new("POST", "/repos/*/issues/*/comments", FaultKind::SecondaryRateLimit { retry_after_secs: 7 }).times(1));
    let r = c.post("/repos/acme/widgets/issues/1/comments", json!({"body": "x"})).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert!(r.json()["message"].as_str().unwrap().contains("secondary rate limit"));
    assert_eq!(c.server.state().comments(REPO, 1).len(), 2, "a rejected write writes nothing");

    f.add(FaultRule::any("/repos/*/labels", FaultKind::TooManyRequests { retry_after_secs: 1 }).times(1));
    let r = c.get("/repos/acme/widgets/labels").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));

    f.add(FaultRule::any("/_blob/*", FaultKind::Gone).times(1));
    let loc = c.get("/repos/acme/widgets/actions/jobs/70002/logs").await.header("location").unwrap();
    assert_eq!(reqwest::get(&loc).await.unwrap().status(), 410);

    // Slow: a client with a short timeout gives up.
    f.add(FaultRule::any("/user", FaultKind::Delay { ms: 2_000 }).times(1));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let e = impatient.get(format!("{}/user", c.server.url())).header("authorization", "token t").send().await.unwrap_err();
    assert!(e.is_timeout(), "{e}");

    // Reset: the connection dies before any response byte.
    f.add(FaultRule::any("/repos/*/issues/2", FaultKind::Reset).times(1));
    let e = reqwest::Client::new()
        .get(format!("{}/repos/acme/widgets/issues/2", c.server.url()))
        .header("authorization", "token t")
        .send()
        .await
        .unwrap_err();
    assert!(!e.is_timeout() && e.status().is_none(), "{e}");
    assert_eq!(c.get("/repos/acme/widgets/issues/2").await.status, 200, "the next request is fine");

    let log = c.server.state().requests();
    assert!(log.iter().filter(|r| r.fault.is_some()).count() >= 7);
    assert!(f.rules().is_empty(), "spent one-shot rules are gone");
}

#[tokio::test]
async fn probabilistic_faults_are_reproducible_with_a_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let c = Ctx::new().await;
        c.server.faults().seed(seed);
        c.server.faults().fail_randomly("*", "/repos/*", 500, 0.3);
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(c.get("/repos/acme/widgets/issues/1").await.status.as_u16());
        }
        out
    }
    let a = pattern(11).await;
    assert_eq!(a, pattern(11).await);
    let fails = a.iter().filter(|s| **s == 500).count();
    assert!((4..=22).contains(&fails), "{fails} of 40");
}

#[tokio::test]
async fn admin_routes_script_the_fake_out_of_process() {
    let c = Ctx::new().await;
    let admin = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", c.server.url());
    let r = admin
        .post(url("/_fake/faults"))
        .json(&json!([{"method": "GET", "path": "/repos/*/issues", "kind": "status", "status": 503, "times": 1}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(c.get("/repos/acme/widgets/issues").await.status, 503);
    assert_eq!(c.get("/repos/acme/widgets/issues").await.status, 200);

    admin.post(url("/_fake/settings")).json(&json!({"search_delay_ms": 60000})).send().await.unwrap();
    c.post("/repos/acme/widgets/issues", json!({"title": "zebra"})).await;
    assert_eq!(c.get("/search/issues?q=zebra").await.json()["total_count"], 0);
    admin.post(url("/_fake/settings")).json(&json!({"reindex_search": true})).send().await.unwrap();
    assert_eq!(c.get("/search/issues?q=zebra").await.json()["total_count"], 1);

    let state: Value = admin.get(url("/_fake/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["repos"]["acme/widgets"]["issues"]["8"]["title"], "zebra");
    let reqs: Value = admin.get(url("/_fake/requests")).send().await.unwrap().json().await.unwrap();
    assert!(reqs.as_array().unwrap().iter().all(|r| !r["path"].as_str().unwrap().starts_with("/_fake")));
    assert_eq!(admin.delete(url("/_fake/faults")).send().await.unwrap().status(), 204);
    assert_eq!(admin.post(url("/_fake/faults")).body("{").send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn bad_scenarios_fail_with_a_clear_error() {
    let e = Scenario::from_yaml_str("repos: [{name: a/b, runs: [{id: 1, workflow: nope.yml, created_at: now}]}]")
        .and_then(|s| fake_github::World::from_scenario(&s).map(|_| ()))
        .unwrap_err();
    assert!(format!("{e:#}").contains("unknown workflow"), "{e:#}");
    let e = Scenario::from_yaml_str("repos: [{name: a/b, isues: []}]").unwrap_err();
    assert!(format!("{e:#}").contains("unknown field"), "{e:#}");
    let e = Scenario::from_yaml_str("repos: [{name: a/b, issues: [{number: 1, title: t, created_at: -3x}]}]")
        .and_then(|s| fake_github::World::from_scenario(&s).map(|_| ()))
        .unwrap_err();
    assert!(format!("{e:#}").contains("unknown unit"), "{e:#}");
    let json = Scenario::from_json_str(r#"{"repos":[{"name":"a/b"}]}"#).unwrap();
    assert_eq!(json.repos[0].name, "a/b");
}

/// Many concurrent writers under random faults: every 201 the clients saw
/// is exactly one comment in the fake, and nothing else was written.
#[tokio::test]
async fn concurrent_writers_under_faults_lose_and_duplicate_nothing() {
    let c = std::sync::Arc::new(Ctx::new().await);
    c.server.faults().seed(3);
    c.server.faults().fail_randomly("POST", "/repos/*/issues/*/comments", 502, 0.1);
    c.server.faults().add(FaultRule::new("POST", "/repos/*/issues/*/comments", FaultKind::Reset).probability(0.05));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for i in 0..10 {
                let req = c
                    .http
                    .post(c.url("/repos/acme/widgets/issues/1/comments"))
                    .header("authorization", "token t")
                    .json(&json!({"body": format!("w{w} i{i}")}))
                    .send()
                    .await;
                if let Ok(r) = req {
                    if r.status() == 201 {
                        ok += 1;
                    }
                }
            }
            ok
        }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.unwrap();
    }
    let comments = c.server.state().comments(REPO, 1);
    assert_eq!(comments.len(), 2 + created, "fixture comments + one per 201");
    assert!(created < 80, "some requests must have failed");
    let mut bodies: Vec<_> = comments.iter().map(|c| c.body.clone()).collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), comments.len(), "no duplicates");
}

/// The nastiest write failure: it took effect, but the answer was lost.
/// A client that retries blindly now holds a duplicate.
#[tokio::test]
async fn writes_can_succeed_while_the_answer_is_lost() {
    let c = Ctx::new().await;
    let f = c.server.faults();
    f.add(FaultRule::new("POST", "/repos/*/issues/*/comments", FaultKind::StatusAfterWrite { status: 502 }).times(1));
    let r = c.post("/repos/acme/widgets/issues/1/comments", json!({"body": "once"})).await;
    assert_eq!(r.status, 502);
    assert_eq!(c.server.state().comments(REPO, 1).len(), 3, "the comment exists despite the 502");

    f.add(FaultRule::new("POST", "/repos/*/issues", FaultKind::ResetAfterWrite).times(1));
    let e = c
        .http
        .post(c.url("/repos/acme/widgets/issues"))
        .header("authorization", "token t")
        .json(&json!({"title": "lost answer"}))
        .send()
        .await
        .unwrap_err();
    assert!(e.status().is_none(), "{e}");
    assert!(c.server.state().issues(REPO).iter().any(|i| i.title == "lost answer"));
}
