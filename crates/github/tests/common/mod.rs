//! Test context: a fake GitHub over real HTTP and a client pointed at it,
//! with timeouts and backoffs short enough for a fast suite.
#![allow(dead_code)]

use std::time::Duration;

use ci_github::{Client, ClientBuilder, RepoRef};
use fake_github::{FakeGitHub, Scenario};

pub const REPO: &str = "acme/widgets";

pub struct Ctx {
    pub server: FakeGitHub,
    pub gh: Client,
    pub repo: RepoRef,
}

/// Client settings for tests: 1 s per request (roomy on a loaded 2-core CI
/// box, short enough for injected delays), 10 ms first backoff.
pub fn fast(builder: ClientBuilder) -> ClientBuilder {
    builder.configure(|c| {
        c.timeout = Duration::from_millis(1000);
        c.download_timeout = Duration::from_secs(10);
        c.backoff_base = Duration::from_millis(10);
        c.max_backoff = Duration::from_millis(80);
        c.max_rate_limit_wait = Duration::from_secs(3);
        c.settle_delay = Duration::from_millis(0);
    })
}

impl Ctx {
    pub async fn new(yaml: &str) -> Ctx {
        Self::with(yaml, |b| b).await
    }

    pub async fn with(yaml: &str, tweak: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Ctx {
        let scenario = Scenario::from_yaml_str(yaml).expect("scenario");
        let server = FakeGitHub::start(scenario).await.expect("fake starts");
        let gh = tweak(fast(
            Client::builder()
                .api_url(server.url())
                .token("ghp_test_token"),
        ))
        .build()
        .await
        .expect("client");
        Ctx {
            server,
            gh,
            repo: REPO.parse().unwrap(),
        }
    }

    /// Another independent client (own budget, caches, counters): a second run.
    pub async fn another_client(
        &self,
        tweak: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Client {
        tweak(fast(
            Client::builder()
                .api_url(self.server.url())
                .token("ghp_test_token"),
        ))
        .build()
        .await
        .expect("client")
    }

    pub fn comments(&self, issue: u64) -> Vec<fake_github::state::Comment> {
        self.server.state().comments(REPO, issue)
    }

    pub fn issues(&self) -> Vec<fake_github::state::Issue> {
        self.server.state().issues(REPO)
    }

    /// Requests the fake saw whose path contains `part` and whose method is `method`.
    pub fn seen(&self, method: &str, part: &str) -> usize {
        self.server.state().request_count(method, part)
    }
}

pub const EMPTY: &str = r#"
repos:
  - name: acme/widgets
    labels:
      - { name: ci-failure }
    issues:
      - { number: 1, title: "Tracker", body: "tracking", labels: [ci-failure], created_at: -3d }
"#;
