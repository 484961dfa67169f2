//! A pull request on the fake GitHub, people who comment on it, and a
//! watcher that talks HTTP to it.
//!
//! `HttpPort` is a minimal [`CommandPort`] over reqwest for these tests;
//! the bot itself uses `ci-github`'s client (wired in `ci-monitor`).
#![allow(dead_code)]

use ci_commands::{CommandPort, PortError, PullFacts, ReactionOutcome};
use fake_github::{FakeGitHub, Scenario};
use serde_json::{json, Value};

pub const REPO: &str = "acme/widgets";

pub const SCENARIO: &str = r#"
settings:
  login: ci-bot
  search_delay_ms: 0
  tokens:
    alice-token: alice
    mallory-token: mallory
    carol-token: carol
    erin-token: erin
    bot-token: ci-bot
teams:
  - { org: acme, slug: ci-admins, members: [carol], pending: [erin] }
repos:
  - name: acme/widgets
    collaborators:
      - { login: alice, permission: write }
      - { login: bob, permission: triage }
    issues:
      - { number: 1, title: "An issue, not a pull request" }
    pulls:
      - number: 7
        title: Add widget
        user: alice
        head_ref: feature/x
        head_sha: 7777777777777777777777777777777777777777
      - number: 8
        title: From a fork
        user: mallory
        head_ref: fast
        head_sha: 8888888888888888888888888888888888888888
        head_repo: mallory/widgets
      - number: 9
        title: Closed one
        state: closed
        head_sha: 9999999999999999999999999999999999999999
"#;

pub struct World {
    pub server: FakeGitHub,
    pub http: reqwest::Client,
}

impl World {
    pub async fn new() -> World {
        let server = FakeGitHub::start(Scenario::from_yaml_str(SCENARIO).unwrap()).await.unwrap();
        World { server, http: reqwest::Client::new() }
    }

    /// `login` comments `body` on `number`; returns the comment as the
    /// REST API lists it.
    pub async fn comment(&self, login: &str, number: u64, body: &str) -> Value {
        let token = format!("{login}-token");
        let r = self
            .http
            .post(format!("{}/repos/{REPO}/issues/{number}/comments", self.server.url()))
            .header("authorization", format!("token {token}"))
            .json(&json!({"body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "comment posted");
        r.json().await.unwrap()
    }

    /// A watcher acting as the bot.
    pub fn watcher(&self) -> HttpPort {
        HttpPort { http: self.http.clone(), base: self.server.url().to_string(), token: "bot-token".into() }
    }

    /// Reactions on a comment: (user, content).
    pub fn reactions(&self, comment_id: u64) -> Vec<(String, String)> {
        self.server.state().with_repo(REPO, |r| {
            r.comments.get(&comment_id).map(|c| c.reactions.iter().map(|x| (x.user.clone(), x.content.clone())).collect()).unwrap_or_default()
        }).unwrap()
    }
}

pub struct HttpPort {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl HttpPort {
    async fn get(&self, path: &str) -> Result<Option<Value>, PortError> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("token {}", self.token))
            .send()
            .await
            .map_err(|e| PortError::Failed(e.to_string()))?;
        match r.status().as_u16() {
            200 => Ok(Some(r.json().await.map_err(|e| PortError::Failed(e.to_string()))?)),
            404 => Ok(None),
            s => Err(PortError::Failed(format!("GET {path}: HTTP {s}"))),
        }
    }
}

impl CommandPort for HttpPort {
    async fn react(&self, repo: &str, comment_id: u64, content: &str) -> Result<ReactionOutcome, PortError> {
        let path = format!("/repos/{repo}/issues/comments/{comment_id}/reactions");
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("authorization", format!("token {}", self.token))
            .json(&json!({"content": content}))
            .send()
            .await
            .map_err(|e| PortError::Failed(e.to_string()))?;
        match r.status().as_u16() {
            201 => Ok(ReactionOutcome::Created),
            200 => Ok(ReactionOutcome::AlreadyExisted),
            404 => Err(PortError::NotFound(path)),
            s => Err(PortError::Failed(format!("POST {path}: HTTP {s}"))),
        }
    }

    async fn claimed(&self, repo: &str, comment_id: u64, content: &str) -> Result<bool, PortError> {
        let me = self.get("/user").await?.and_then(|v| v["login"].as_str().map(str::to_string)).unwrap_or_default();
        let list = self.get(&format!("/repos/{repo}/issues/comments/{comment_id}/reactions?content={content}")).await?;
        Ok(list.and_then(|v| v.as_array().cloned()).unwrap_or_default().iter().any(|r| r["user"]["login"] == me.as_str()))
    }

    async fn is_team_member(&self, org: &str, team: &str, login: &str) -> Result<bool, PortError> {
        let v = self.get(&format!("/orgs/{org}/teams/{team}/memberships/{login}")).await?;
        Ok(v.is_some_and(|v| v["state"] == "active"))
    }

    async fn permission(&self, repo: &str, login: &str) -> Result<String, PortError> {
        let v = self.get(&format!("/repos/{repo}/collaborators/{login}/permission")).await?;
        Ok(v.and_then(|v| v["role_name"].as_str().map(str::to_string)).unwrap_or_else(|| "none".into()))
    }

    async fn pull_request(&self, repo: &str, number: u64) -> Result<Option<PullFacts>, PortError> {
        let Some(p) = self.get(&format!("/repos/{repo}/pulls/{number}")).await? else { return Ok(None) };
        Ok(Some(PullFacts {
            state: p["state"].as_str().unwrap_or("open").into(),
            merged: p["merged"].as_bool().unwrap_or(false),
            head_sha: p["head"]["sha"].as_str().unwrap_or("").into(),
            head_ref: p["head"]["ref"].as_str().unwrap_or("").into(),
            head_repo: p["head"]["repo"]["full_name"].as_str().map(str::to_string),
            author: p["user"]["login"].as_str().unwrap_or("").into(),
        }))
    }
}
