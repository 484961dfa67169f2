//! Test context: a fake server plus a plain HTTP client with verbs.
#![allow(dead_code)]

use fake_github::{FakeGitHub, Scenario};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

pub const REPO: &str = "acme/widgets";

pub struct Ctx {
    pub server: FakeGitHub,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, k: &str) -> Option<String> {
        self.headers.get(k).map(|v| v.to_str().unwrap().to_string())
    }
}

pub fn day() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/day.yml");
    Scenario::from_file(path).expect("fixture scenario loads")
}

/// `day()` plus a pull request from a fork (#8, `fixtures/fork_pull.yml`).
pub fn day_with_fork() -> Scenario {
    let mut sc = day();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fork_pull.yml");
    let pulls: Vec<fake_github::scenario::PullSpec> =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).expect("fork pull parses");
    sc.repos[0].pulls.extend(pulls);
    sc
}

impl Ctx {
    pub async fn new() -> Ctx {
        Self::with(day()).await
    }

    pub async fn with(scenario: Scenario) -> Ctx {
        let server = FakeGitHub::start(scenario).await.expect("fake starts");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Ctx { server, http, token: Some("test-token".into()) }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.server.url(), path)
        }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = &self.token {
            rb = rb.header("authorization", format!("token {t}"));
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request is answered");
        Reply { status: resp.status(), headers: resp.headers().clone(), text: resp.text().await.unwrap_or_default() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body), &[]).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, Some(body), &[]).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PUT, path, Some(body), &[]).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None, &[]).await
    }
}
