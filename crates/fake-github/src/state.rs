//! The fake's world: everything GitHub would hold, in memory.
//!
//! Fields are public so tests can assert on exactly what "GitHub now holds"
//! and poke state (finish a run, expire a log URL) between steps. All access
//! goes through [`FakeState`], a cheap clonable handle around one mutex: the
//! fake is a test double, not a database, so one lock keeps it obviously
//! consistent under concurrent writers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::scenario::{CommentSpec, ReactionSpec, Scenario, WorkflowRef};

#[derive(Debug, Serialize)]
pub struct World {
    pub login: String,
    /// token → login for tokens that act as someone else.
    pub tokens: BTreeMap<String, String>,
    pub repos: BTreeMap<String, Repo>,
    pub dispatches: Vec<Dispatch>,
    pub requests: Vec<RequestRecord>,
    #[serde(skip)]
    pub search_delay: Duration,
    pub rate: RateLimits,
    #[serde(skip)]
    pub blobs: HashMap<String, Blob>,
    #[serde(skip)]
    pub blob_ttl: Duration,
    pub next_id: u64,
    pub installation_tokens: Vec<String>,
    pub installation_id: u64,
    pub runners: crate::runners::RunnerRegistry,
    /// `org/slug` (lower case) → team.
    pub teams: BTreeMap<String, Team>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub org: String,
    pub slug: String,
    /// Lower-cased login → (`member` | `maintainer`, `active` | `pending`).
    pub members: BTreeMap<String, (String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    pub sha: String,
    pub message: String,
    pub author: String,
    pub date: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimits {
    pub core: RateWindow,
    pub search: RateWindow,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateWindow {
    pub limit: u64,
    pub used: u64,
    pub reset: DateTime<Utc>,
    #[serde(skip)]
    pub period: chrono::Duration,
}

impl RateWindow {
    fn new(limit: u64, period: chrono::Duration) -> Self {
        RateWindow {
            limit,
            used: 0,
            reset: Utc::now() + period,
            period,
        }
    }

    pub fn roll(&mut self) {
        let now = Utc::now();
        if now >= self.reset {
            self.used = 0;
            self.reset = now + self.period;
        }
    }

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub private: bool,
    pub default_branch: String,
    pub created_at: DateTime<Utc>,
    pub workflows: Vec<Workflow>,
    pub runs: BTreeMap<u64, Run>,
    pub jobs: BTreeMap<u64, Job>,
    pub labels: BTreeMap<String, Label>,
    /// Issues and pull requests share one number space, as on GitHub.
    pub issues: BTreeMap<u64, Issue>,
    pub comments: BTreeMap<u64, Comment>,
    pub collaborators: BTreeMap<String, String>,
    pub files: Vec<RepoFile>,
    /// Commits described by the scenario, by sha.
    pub commits: BTreeMap<String, Commit>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn workflow(&self, key: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| {
            w.id.to_string() == key
                || w.path == key
                || w.path.rsplit('/').next() == Some(key)
                || w.name == key
        })
    }

    pub fn label_for(&mut self, name: &str, now: DateTime<Utc>, next_id: &mut u64) -> Label {
        self.labels
            .entry(name.to_lowercase())
            .or_insert_with(|| {
                *next_id += 1;
                Label {
                    id: *next_id,
                    name: name.to_string(),
                    color: "ededed".into(),
                    description: None,
                    default: false,
                    created_at: now,
                }
            })
            .clone()
    }

    pub fn next_issue_number(&self) -> u64 {
        self.issues.keys().next_back().copied().unwrap_or(0) + 1
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    pub id: u64,
    pub name: String,
    pub path: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: u64,
    pub workflow_id: u64,
    pub name: String,
    pub path: String,
    pub head_sha: String,
    pub head_branch: String,
    pub event: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub display_title: String,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub run_started_at: DateTime<Utc>,
    pub run_number: u64,
    pub run_attempt: u64,
    pub pull_requests: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: u64,
    pub run_id: u64,
    pub run_attempt: u64,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub runner_name: Option<String>,
    pub labels: Vec<String>,
    pub steps: Vec<Step>,
    pub log: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub number: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub log: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
    pub default: bool,
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    pub user: String,
    /// Lower-cased label keys into `Repo::labels`.
    pub labels: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reactions: Vec<Reaction>,
    /// When search starts seeing this issue (eventual consistency).
    #[serde(skip)]
    pub searchable_at: Option<Instant>,
    pub pull: Option<Pull>,
}

impl Issue {
    pub fn is_searchable(&self) -> bool {
        self.searchable_at.is_none_or(|t| Instant::now() >= t)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Pull {
    pub draft: bool,
    pub merged: bool,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    pub base_sha: String,
    pub merge_base_sha: String,
    /// `owner/name` of the fork holding the head; `None` = this repo.
    pub head_repo: Option<String>,
    pub head_repo_deleted: bool,
    pub files: Vec<PullFile>,
    pub diff: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PullFile {
    pub filename: String,
    pub status: String,
    pub additions: u64,
    pub deletions: u64,
    pub patch: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: u64,
    pub issue_number: u64,
    pub user: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reactions: Vec<Reaction>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reaction {
    pub id: u64,
    pub user: String,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepoFile {
    pub path: String,
    pub git_ref: Option<String>,
    pub content: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dispatch {
    Workflow {
        repo: String,
        workflow_id: u64,
        git_ref: String,
        inputs: serde_json::Value,
        at: DateTime<Utc>,
    },
    Repository {
        repo: String,
        event_type: String,
        client_payload: serde_json::Value,
        at: DateTime<Utc>,
    },
}

/// One request the fake saw. `token` is the credential presented, so tests
/// can prove e.g. that the token never reached the blob host.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub token: Option<String>,
    pub fault: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Blob {
    pub expires: Instant,
    pub kind: BlobKind,
}

#[derive(Debug, Clone)]
pub enum BlobKind {
    JobLog { repo: String, job_id: u64 },
    RunLogs { repo: String, run_id: u64 },
}

/// Clonable handle to the fake's state.
#[derive(Clone)]
pub struct FakeState {
    inner: Arc<Mutex<World>>,
}

impl FakeState {
    pub(crate) fn new(world: World) -> Self {
        FakeState {
            inner: Arc::new(Mutex::new(world)),
        }
    }

    /// Lock the world. A panic in another test thread must not cascade, so
    /// a poisoned lock is simply taken over.
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn with<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.lock())
    }

    pub fn with_mut<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.lock())
    }

    pub fn with_repo<R>(&self, full_name: &str, f: impl FnOnce(&mut Repo) -> R) -> Result<R> {
        let mut w = self.lock();
        let repo = w
            .repos
            .get_mut(&full_name.to_lowercase())
            .ok_or_else(|| anyhow!("no repo {full_name} in the fake"))?;
        Ok(f(repo))
    }

    /// All issues (not pull requests) in a repo, by number.
    pub fn issues(&self, repo: &str) -> Vec<Issue> {
        self.with_repo(repo, |r| {
            r.issues.values().filter(|i| i.pull.is_none()).cloned().collect()
        })
        .unwrap_or_default()
    }

    pub fn issue(&self, repo: &str, number: u64) -> Option<Issue> {
        self.with_repo(repo, |r| r.issues.get(&number).cloned()).ok().flatten()
    }

    /// Comments on one issue or pull request, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<Comment> {
        self.with_repo(repo, |r| {
            r.comments.values().filter(|c| c.issue_number == number).cloned().collect()
        })
        .unwrap_or_default()
    }

    pub fn run(&self, repo: &str, run_id: u64) -> Option<Run> {
        self.with_repo(repo, |r| r.runs.get(&run_id).cloned()).ok().flatten()
    }

    pub fn jobs(&self, repo: &str, run_id: u64) -> Vec<Job> {
        self.with_repo(repo, |r| {
            r.jobs.values().filter(|j| j.run_id == run_id).cloned().collect()
        })
        .unwrap_or_default()
    }

    pub fn dispatches(&self) -> Vec<Dispatch> {
        self.lock().dispatches.clone()
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// Requests whose method matches and whose path contains `path_part`.
    pub fn request_count(&self, method: &str, path_part: &str) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path_part))
            .count()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Requests with `token` act as `login` from now on.
    pub fn set_token_login(&self, token: &str, login: &str) {
        self.lock().tokens.insert(token.to_string(), login.to_string());
    }

    /// How long new issues stay invisible to `GET /search/issues`.
    pub fn set_search_delay(&self, delay: Duration) {
        self.lock().search_delay = delay;
    }

    /// Make every issue visible to search now.
    pub fn reindex_search(&self) {
        for repo in self.lock().repos.values_mut() {
            for issue in repo.issues.values_mut() {
                issue.searchable_at = None;
            }
        }
    }

    /// Make every log URL handed out so far answer 410 Gone.
    pub fn expire_log_urls(&self) {
        let past = Instant::now();
        for blob in self.lock().blobs.values_mut() {
            blob.expires = past;
        }
    }

    pub fn set_log_url_ttl(&self, ttl: Duration) {
        self.lock().blob_ttl = ttl;
    }

    /// Remaining `core` requests before the primary rate limit trips.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        let mut w = self.lock();
        w.rate.core.used = w.rate.core.limit.saturating_sub(remaining);
    }

    pub fn set_job_log(&self, repo: &str, job_id: u64, log: &str) -> Result<()> {
        self.with_repo(repo, |r| match r.jobs.get_mut(&job_id) {
            Some(j) => {
                j.log = Some(log.to_string());
                Ok(())
            }
            None => bail!("no job {job_id}"),
        })?
    }

    /// Finish every unfinished job of a run (and the run) with `conclusion`.
    pub fn complete_run(&self, repo: &str, run_id: u64, conclusion: &str) -> Result<()> {
        let now = Utc::now();
        self.with_repo(repo, |r| {
            let run = r.runs.get_mut(&run_id).ok_or_else(|| anyhow!("no run {run_id}"))?;
            run.status = "completed".into();
            run.conclusion = Some(conclusion.to_string());
            run.updated_at = now;
            for job in r.jobs.values_mut().filter(|j| j.run_id == run_id) {
                if job.status != "completed" {
                    job.status = "completed".into();
                    job.conclusion = Some(conclusion.to_string());
                    job.completed_at = Some(now);
                    for s in &mut job.steps {
                        if s.status != "completed" {
                            s.status = "completed".into();
                            s.conclusion = Some(conclusion.to_string());
                            s.completed_at = Some(now);
                        }
                    }
                }
            }
            Ok(())
        })?
    }

    /// The whole world as JSON (what `GET /_fake/state` returns).
    pub fn snapshot_json(&self) -> serde_json::Value {
        serde_json::to_value(&*self.lock()).unwrap_or(serde_json::Value::Null)
    }
}

/// GitHub lowercases nothing but matches case-insensitively; so do we.
pub fn repo_key(owner: &str, repo: &str) -> String {
    format!("{owner}/{repo}").to_lowercase()
}

fn fake_sha(seed: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut out = String::new();
    for i in 0..3u8 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (seed, i).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(40);
    out
}

pub(crate) fn sha_of(content: &str) -> String {
    fake_sha(content)
}

impl World {
    pub fn from_scenario(sc: &Scenario) -> Result<World> {
        let now = Utc::now();
        let t = |spec: &Option<crate::scenario::TimeSpec>, default: DateTime<Utc>| {
            spec.as_ref().map(|s| s.resolve(now)).transpose().map(|o| o.unwrap_or(default))
        };
        let s = &sc.settings;
        let mut world = World {
            login: s.login.clone(),
            tokens: s.tokens.clone(),
            repos: BTreeMap::new(),
            dispatches: Vec::new(),
            requests: Vec::new(),
            search_delay: Duration::from_millis(s.search_delay_ms),
            rate: RateLimits {
                core: RateWindow::new(s.rate_limit, chrono::Duration::hours(1)),
                search: RateWindow::new(s.search_rate_limit, chrono::Duration::minutes(1)),
            },
            blobs: HashMap::new(),
            blob_ttl: Duration::from_secs(s.blob_ttl_secs),
            next_id: 90_000_000,
            installation_tokens: Vec::new(),
            installation_id: s.installation_id,
            runners: Default::default(),
            teams: BTreeMap::new(),
        };
        for t in &sc.teams {
            let mut members = BTreeMap::new();
            for (logins, role, state) in
                [(&t.members, "member", "active"), (&t.maintainers, "maintainer", "active"), (&t.pending, "member", "pending")]
            {
                for l in logins {
                    members.insert(l.to_lowercase(), (role.to_string(), state.to_string()));
                }
            }
            let key = format!("{}/{}", t.org, t.slug).to_lowercase();
            world.teams.insert(key, Team { org: t.org.clone(), slug: t.slug.clone(), members });
        }
        let mut next_id = world.next_id;
        for (ri, spec) in sc.repos.iter().enumerate() {
            let (owner, name) = spec
                .name
                .split_once('/')
                .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
                .ok_or_else(|| anyhow!("repo name {:?} must be owner/name", spec.name))?;
            let mut repo = Repo {
                id: spec.id.unwrap_or(1_000 + ri as u64),
                owner: owner.to_string(),
                name: name.to_string(),
                private: spec.private,
                default_branch: spec.default_branch.clone().unwrap_or_else(|| "main".into()),
                created_at: now - chrono::Duration::days(365),
                workflows: Vec::new(),
                runs: BTreeMap::new(),
                jobs: BTreeMap::new(),
                labels: BTreeMap::new(),
                issues: BTreeMap::new(),
                comments: BTreeMap::new(),
                collaborators: BTreeMap::new(),
                files: Vec::new(),
                commits: BTreeMap::new(),
            };
            for c in &spec.commits {
                let date = t(&c.date, now - chrono::Duration::days(1))?;
                repo.commits.insert(
                    c.sha.clone(),
                    Commit {
                        sha: c.sha.clone(),
                        message: c.message.clone().unwrap_or_else(|| format!("commit {}", &c.sha[..c.sha.len().min(7)])),
                        author: c.author.clone().unwrap_or_else(|| "octocat".into()),
                        date,
                    },
                );
            }
            for w in &spec.workflows {
                repo.workflows.push(Workflow {
                    id: w.id,
                    name: w.name.clone(),
                    path: w.path.clone(),
                    state: w.state.clone(),
                    created_at: now - chrono::Duration::days(300),
                    updated_at: now - chrono::Duration::days(30),
                });
            }
            for l in &spec.labels {
                next_id += 1;
                repo.labels.insert(
                    l.name.to_lowercase(),
                    Label {
                        id: next_id,
                        name: l.name.clone(),
                        color: l.color.clone().unwrap_or_else(|| "ededed".into()),
                        description: l.description.clone(),
                        default: false,
                        created_at: now,
                    },
                );
            }
            for c in &spec.collaborators {
                repo.collaborators.insert(c.login.to_lowercase(), c.permission.clone());
            }
            for f in &spec.files {
                let content = match (&f.content, &f.content_file) {
                    (Some(c), _) => c.clone(),
                    (None, Some(p)) => sc.read_relative(p)?,
                    (None, None) => bail!("file {}: needs content or content_file", f.path),
                };
                repo.files.push(RepoFile {
                    path: f.path.trim_start_matches('/').to_string(),
                    git_ref: f.git_ref.clone(),
                    content,
                });
            }
            for (i, r) in spec.runs.iter().enumerate() {
                let wf = match &r.workflow {
                    WorkflowRef::Id(id) => repo.workflow(&id.to_string()),
                    WorkflowRef::Name(n) => repo.workflow(n),
                }
                .ok_or_else(|| anyhow!("run {}: unknown workflow {:?}", r.id, r.workflow))?
                .clone();
                let created_at = r.created_at.resolve(now)?;
                let run_started_at = t(&r.run_started_at, created_at)?;
                let status = r.status.clone().unwrap_or_else(|| "completed".into());
                let conclusion = if status == "completed" {
                    Some(r.conclusion.clone().unwrap_or_else(|| "success".into()))
                } else {
                    r.conclusion.clone()
                };
                let run_attempt = r.run_attempt.unwrap_or(1);
                let mut last = run_started_at;
                for j in &r.jobs {
                    let started = t(&j.started_at, run_started_at)?;
                    let jstatus = j.status.clone().unwrap_or_else(|| status.clone());
                    let jconclusion = if jstatus == "completed" {
                        Some(
                            j.conclusion
                                .clone()
                                .or_else(|| conclusion.clone())
                                .unwrap_or_else(|| "success".into()),
                        )
                    } else {
                        j.conclusion.clone()
                    };
                    let completed = match &j.completed_at {
                        Some(c) => Some(c.resolve(now)?),
                        None if jstatus == "completed" => Some(started + chrono::Duration::minutes(10)),
                        None => None,
                    };
                    if let Some(c) = completed {
                        last = last.max(c);
                    }
                    let mut steps = Vec::new();
                    for (si, st) in j.steps.iter().enumerate() {
                        let sstatus = st.status.clone().unwrap_or_else(|| jstatus.clone());
                        steps.push(Step {
                            name: st.name.clone(),
                            conclusion: if sstatus == "completed" {
                                Some(st.conclusion.clone().unwrap_or_else(|| "success".into()))
                            } else {
                                st.conclusion.clone()
                            },
                            status: sstatus,
                            number: st.number.unwrap_or(si as u64 + 1),
                            started_at: Some(t(&st.started_at, started)?),
                            completed_at: match &st.completed_at {
                                Some(c) => Some(c.resolve(now)?),
                                None => completed,
                            },
                            log: st.log.clone(),
                        });
                    }
                    let log = match (&j.log, &j.log_file) {
                        (Some(l), _) => Some(l.clone()),
                        (None, Some(p)) => Some(sc.read_relative(p)?),
                        (None, None) => None,
                    };
                    if repo.jobs.contains_key(&j.id) {
                        bail!("job id {} used twice in {}", j.id, spec.name);
                    }
                    repo.jobs.insert(
                        j.id,
                        Job {
                            id: j.id,
                            run_id: r.id,
                            run_attempt: j.run_attempt.unwrap_or(run_attempt),
                            name: j.name.clone(),
                            status: jstatus,
                            conclusion: jconclusion,
                            created_at: started,
                            started_at: started,
                            completed_at: completed,
                            runner_name: j.runner_name.clone(),
                            labels: if j.labels.is_empty() {
                                vec!["ubuntu-latest".into()]
                            } else {
                                j.labels.clone()
                            },
                            steps,
                            log,
                        },
                    );
                }
                if repo.runs.contains_key(&r.id) {
                    bail!("run id {} used twice in {}", r.id, spec.name);
                }
                let head_branch = r.head_branch.clone().unwrap_or_else(|| repo.default_branch.clone());
                repo.runs.insert(
                    r.id,
                    Run {
                        id: r.id,
                        workflow_id: wf.id,
                        name: wf.name.clone(),
                        path: wf.path.clone(),
                        head_sha: r.head_sha.clone().unwrap_or_else(|| fake_sha(&format!("run{}", r.id))),
                        display_title: r.display_title.clone().unwrap_or_else(|| format!("{} #{}", wf.name, r.id)),
                        head_branch,
                        event: r.event.clone().unwrap_or_else(|| "push".into()),
                        status,
                        conclusion,
                        actor: r.actor.clone().unwrap_or_else(|| "octocat".into()),
                        created_at,
                        updated_at: t(&r.updated_at, last)?,
                        run_started_at,
                        run_number: r.run_number.unwrap_or(i as u64 + 1),
                        run_attempt,
                        pull_requests: r.pull_requests.clone(),
                    },
                );
            }
            let add_comments = |repo: &mut Repo, number: u64, specs: &[CommentSpec], issue_created: DateTime<Utc>, next_id: &mut u64| -> Result<()> {
                for c in specs {
                    *next_id += 1;
                    let id = c.id.unwrap_or(*next_id);
                    let created_at = t(&c.created_at, issue_created)?;
                    let reactions = reactions_from(&c.reactions, &world_login(sc), created_at, next_id);
                    repo.comments.insert(
                        id,
                        Comment {
                            id,
                            issue_number: number,
                            user: c.user.clone().unwrap_or_else(|| sc.settings.login.clone()),
                            body: c.body.clone(),
                            created_at,
                            updated_at: t(&c.updated_at, created_at)?,
                            reactions,
                        },
                    );
                }
                Ok(())
            };
            for is in &spec.issues {
                let created_at = t(&is.created_at, now - chrono::Duration::hours(1))?;
                let mut labels = Vec::new();
                for l in &is.labels {
                    labels.push(repo.label_for(l, now, &mut next_id).name.to_lowercase());
                }
                let state = is.state.clone().unwrap_or_else(|| "open".into());
                next_id += 1;
                let issue = Issue {
                    id: next_id,
                    number: is.number,
                    title: is.title.clone(),
                    body: is.body.clone(),
                    closed_at: match &is.closed_at {
                        Some(c) => Some(c.resolve(now)?),
                        None if state == "closed" => Some(created_at),
                        None => None,
                    },
                    state_reason: (state == "closed").then(|| "completed".to_string()),
                    state,
                    user: is.user.clone().unwrap_or_else(|| sc.settings.login.clone()),
                    labels,
                    created_at,
                    updated_at: t(&is.updated_at, created_at)?,
                    reactions: reactions_from(&is.reactions, &world_login(sc), created_at, &mut next_id),
                    searchable_at: None,
                    pull: None,
                };
                if repo.issues.insert(is.number, issue).is_some() {
                    bail!("issue number {} used twice in {}", is.number, spec.name);
                }
                add_comments(&mut repo, is.number, &is.comments, created_at, &mut next_id)?;
            }
            for p in &spec.pulls {
                let created_at = t(&p.created_at, now - chrono::Duration::hours(2))?;
                let mut labels = Vec::new();
                for l in &p.labels {
                    labels.push(repo.label_for(l, now, &mut next_id).name.to_lowercase());
                }
                let files: Vec<PullFile> = p
                    .files
                    .iter()
                    .map(|f| {
                        let (adds, dels) = f.patch.as_deref().map(count_patch).unwrap_or((0, 0));
                        PullFile {
                            filename: f.filename.clone(),
                            status: f.status.clone().unwrap_or_else(|| "modified".into()),
                            additions: f.additions.unwrap_or(adds),
                            deletions: f.deletions.unwrap_or(dels),
                            patch: f.patch.clone(),
                        }
                    })
                    .collect();
                let diff = p.diff.clone().unwrap_or_else(|| diff_from_files(&files));
                let state = p.state.clone().unwrap_or_else(|| "open".into());
                next_id += 1;
                let issue = Issue {
                    id: next_id,
                    number: p.number,
                    title: p.title.clone(),
                    body: p.body.clone(),
                    closed_at: (state == "closed").then_some(created_at),
                    state_reason: None,
                    state,
                    user: p.user.clone().unwrap_or_else(|| "octocat".into()),
                    labels,
                    created_at,
                    updated_at: t(&p.updated_at, created_at)?,
                    reactions: Vec::new(),
                    searchable_at: None,
                    pull: Some(Pull {
                        draft: p.draft,
                        merged: p.merged,
                        head_ref: p.head_ref.clone().unwrap_or_else(|| format!("pr-{}", p.number)),
                        head_sha: p.head_sha.clone().unwrap_or_else(|| fake_sha(&format!("head{}", p.number))),
                        base_ref: p.base_ref.clone().unwrap_or_else(|| repo.default_branch.clone()),
                        base_sha: p.base_sha.clone().unwrap_or_else(|| fake_sha(&format!("base{}", p.number))),
                        merge_base_sha: p
                            .merge_base_sha
                            .clone()
                            .or_else(|| p.base_sha.clone())
                            .unwrap_or_else(|| fake_sha(&format!("base{}", p.number))),
                        head_repo: p.head_repo.clone(),
                        head_repo_deleted: p.head_repo_deleted,
                        files,
                        diff,
                    }),
                };
                if repo.issues.insert(p.number, issue).is_some() {
                    bail!("number {} used by an issue and a pull in {}", p.number, spec.name);
                }
                add_comments(&mut repo, p.number, &p.comments, created_at, &mut next_id)?;
            }
            let key = repo_key(&repo.owner, &repo.name);
            if world.repos.insert(key, repo).is_some() {
                bail!("repo {} listed twice", spec.name);
            }
        }
        world.next_id = next_id;
        Ok(world)
    }

    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

fn world_login(sc: &Scenario) -> String {
    sc.settings.login.clone()
}

fn reactions_from(specs: &[ReactionSpec], login: &str, at: DateTime<Utc>, next_id: &mut u64) -> Vec<Reaction> {
    specs
        .iter()
        .map(|r| {
            *next_id += 1;
            Reaction {
                id: *next_id,
                user: r.user.clone().unwrap_or_else(|| login.to_string()),
                content: r.content.clone(),
                created_at: at,
            }
        })
        .collect()
}

fn count_patch(patch: &str) -> (u64, u64) {
    let mut a = 0;
    let mut d = 0;
    for line in patch.lines() {
        if line.starts_with('+') && !line.starts_with("+++") {
            a += 1;
        } else if line.starts_with('-') && !line.starts_with("---") {
            d += 1;
        }
    }
    (a, d)
}

fn diff_from_files(files: &[PullFile]) -> String {
    let mut out = String::new();
    for f in files {
        let name = &f.filename;
        out.push_str(&format!("diff --git a/{name} b/{name}\n"));
        out.push_str(&format!("--- a/{name}\n+++ b/{name}\n"));
        if let Some(p) = &f.patch {
            out.push_str(p);
            if !p.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}
