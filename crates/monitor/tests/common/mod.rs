//! A bors-style test context: verbs that change what the fake GitHub holds
//! (`fail_job`, `advance`), verbs that run the bot (`tick`, `analyze`,
//! `publish`), and verbs that read what GitHub holds afterwards
//! (`daily_issue`, `comments_on`). Every call goes over HTTP through the
//! real client to the real fake.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ci_github::Client;
use ci_model::{JobId, RunId};
use ci_monitor::config::Config;
use ci_monitor::tick::TickOutcome;
use ci_monitor::action::{AnalyzeWorkflowOutputs, PublishSummaryOutputs};
use ci_monitor::{Ctx, Outcome, Settings};
use fake_github::state::{Job, Run, Step};
use fake_github::{FakeGitHub, Scenario};

pub const TARGET: &str = "acme/app";
pub const BOT: &str = "acme/bot";

/// Real log window: BugSwarm `python/2267219366-orig.log` (BSD-3), the
/// pytest failure of `tests/integration/test_mongodb.py::TestMongoCache::test_ttl`,
/// trimmed to the summary.
pub const PYTEST_LOG: &str = "2022-05-04T01:09:40.1Z ##[group]Run pytest tests/integration
2022-05-04T01:09:40.1Z pytest tests/integration
2022-05-04T01:09:40.1Z ##[endgroup]
2022-05-04T01:10:12.2Z =================================== FAILURES ===================================
2022-05-04T01:10:12.2Z ____________________________ TestMongoCache.test_ttl ____________________________
2022-05-04T01:10:12.2Z >       assert response.from_cache is False
2022-05-04T01:10:12.2Z E       AssertionError: assert True is False
2022-05-04T01:10:12.2Z tests/integration/test_mongodb.py:61: AssertionError
2022-05-04T01:10:12.3Z =========================== short test summary info ============================
2022-05-04T01:10:12.3Z FAILED tests/integration/test_mongodb.py::TestMongoCache::test_ttl - AssertionError: assert True is False
2022-05-04T01:10:12.3Z ============ 1 failed, 211 passed, 12 skipped in 31.70s ============
2022-05-04T01:10:12.4Z ##[error]Process completed with exit code 1.";

/// GPU out-of-memory in the format PyTorch on ROCm prints.
pub const OOM_LOG: &str = "2026-01-01T03:00:00.0Z ##[group]Run python3 -m pytest test/srt/test_moe_eval.py
2026-01-01T03:00:00.0Z ##[endgroup]
2026-01-01T03:30:00.0Z E   torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 191.98 GiB of which 1.23 GiB is free.
2026-01-01T03:30:00.0Z FAILED test/srt/test_moe_eval.py::TestMoEEval::test_mmlu - torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB.
2026-01-01T03:30:00.0Z ========= 1 failed, 2 passed in 1843.27s =========
2026-01-01T03:30:01.0Z ##[error]Process completed with exit code 1.";

pub struct TestCtx {
    pub server: FakeGitHub,
    pub config: Config,
    /// The bot's clock; the fake's runs are placed relative to it.
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    pub write_budget: u32,
    next_run: u64,
    pub last_client: Option<Client>,
}

pub const WORKFLOWS: &[&str] = &["ci.yml", "nightly.yml", "gpu.yml", "docs.yml", "lint.yml", "e2e.yml", "release.yml"];

impl TestCtx {
    /// Target repo with seven workflows, an empty bot repo, and a config
    /// that monitors all of them and tracks `nightly.yml`.
    pub async fn new() -> Self {
        Self::with_scenario(Scenario::with_repo(TARGET), "").await
    }

    pub async fn with_scenario(mut scenario: Scenario, extra_config: &str) -> Self {
        let yaml = format!(
            "repos:\n  - name: {BOT}\n    labels: [{{name: ci-monitor}}]\n  - name: {TARGET}\n    workflows:\n{}",
            WORKFLOWS
                .iter()
                .enumerate()
                .map(|(i, w)| format!("      - {{id: {}, name: {w}, path: .github/workflows/{w}}}\n", i + 1))
                .collect::<String>()
        );
        let base = Scenario::from_yaml_str(&yaml).expect("scenario");
        let mut repos = base.repos;
        for extra in scenario.repos.drain(..) {
            match repos.iter_mut().find(|r| r.name == extra.name) {
                Some(r) => {
                    r.issues.extend(extra.issues);
                    r.labels.extend(extra.labels);
                    r.pulls.extend(extra.pulls);
                    r.collaborators.extend(extra.collaborators);
                    r.commits.extend(extra.commits);
                    r.files.extend(extra.files);
                }
                None => repos.push(extra),
            }
        }
        scenario.repos = repos;
        scenario.settings.search_delay_ms = 0;
        let server = FakeGitHub::start(scenario).await.expect("fake starts");
        let config_text = format!(
            "workflows: [{}]\ntrackers:\n  - workflow: nightly.yml\n    display: Nightly\nbot-name: test-bot\n{extra_config}",
            WORKFLOWS.join(", ")
        );
        let (config, warnings) = Config::parse(&config_text);
        assert!(warnings.is_empty(), "{warnings:?}");
        TestCtx {
            server,
            config,
            now: Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap(),
            dry_run: false,
            write_budget: 100,
            next_run: 1000,
            last_client: None,
        }
    }

    pub fn advance(&mut self, hours: i64) {
        self.now += Duration::hours(hours);
    }

    /// Sets the clock to `HH:MM` of the current day.
    pub fn at(&mut self, hour: u32, minute: u32) {
        self.now = self.now.date_naive().and_hms_opt(hour, minute, 0).unwrap().and_utc();
    }

    /// A completed run of `workflow` with the given `(job name, log)` jobs:
    /// `Some(log)` fails, `None` passes. Created 20 minutes before `now`.
    pub fn run(&mut self, workflow: &str, sha: &str, jobs: &[(&str, Option<&str>)]) -> (RunId, Vec<JobId>) {
        self.next_run += 1;
        let run_id = self.next_run;
        let created = self.now - Duration::minutes(20);
        let red = jobs.iter().any(|(_, l)| l.is_some());
        let wf_id = WORKFLOWS.iter().position(|w| *w == workflow).expect("known workflow") as u64 + 1;
        let mut ids = Vec::new();
        self.server
            .state()
            .with_repo(TARGET, |repo| {
                repo.runs.insert(
                    run_id,
                    Run {
                        id: run_id,
                        workflow_id: wf_id,
                        name: workflow.into(),
                        path: format!(".github/workflows/{workflow}"),
                        head_sha: format!("{sha:0<40}"),
                        head_branch: "main".into(),
                        event: "schedule".into(),
                        status: "completed".into(),
                        conclusion: Some(if red { "failure" } else { "success" }.into()),
                        display_title: workflow.into(),
                        actor: "octocat".into(),
                        created_at: created,
                        updated_at: created + Duration::minutes(10),
                        run_started_at: created,
                        run_number: run_id,
                        run_attempt: 1,
                        pull_requests: vec![],
                    },
                );
                for (i, (name, log)) in jobs.iter().enumerate() {
                    let id = run_id * 100 + i as u64;
                    ids.push(JobId(id));
                    let concl = if log.is_some() { "failure" } else { "success" };
                    repo.jobs.insert(
                        id,
                        Job {
                            id,
                            run_id,
                            run_attempt: 1,
                            name: name.to_string(),
                            status: "completed".into(),
                            conclusion: Some(concl.into()),
                            created_at: created,
                            started_at: created,
                            completed_at: Some(created + Duration::minutes(10)),
                            runner_name: None,
                            labels: vec![],
                            steps: vec![
                                step(1, "Set up job", "success"),
                                step(2, "Run tests", concl),
                                step(3, "Complete job", "success"),
                            ],
                            log: Some(log.unwrap_or("all green").to_string()),
                        },
                    );
                }
            })
            .expect("target repo");
        (RunId(run_id), ids)
    }

    /// Marks a run as still running: its jobs after the first are in progress.
    pub fn set_in_flight(&self, run_id: RunId) {
        let run_id = run_id.get();
        self.server
            .state()
            .with_repo(TARGET, |repo| {
                if let Some(run) = repo.runs.get_mut(&run_id) {
                    run.status = "in_progress".into();
                    run.conclusion = None;
                }
                for job in repo.jobs.values_mut().filter(|j| j.run_id == run_id).skip(1) {
                    job.status = "in_progress".into();
                    job.conclusion = None;
                    job.completed_at = None;
                }
            })
            .expect("target repo");
    }

    /// One run of `workflow` in which job `name` fails with `log`.
    pub fn fail_job(&mut self, workflow: &str, name: &str, log: &str) -> JobId {
        let sha = format!("{:x}", 0xabc000 + self.next_run);
        let (_, ids) = self.run(workflow, &sha, &[(name, Some(log)), ("lint", None)]);
        ids[0]
    }

    pub fn settings(&self) -> Settings {
        Settings {
            repo: TARGET.parse().unwrap(),
            bot_repo: BOT.parse().unwrap(),
            lookback_hours: self.config.lookback_hours,
            dry_run: self.dry_run,
            date: self.now.date_naive(),
            now: self.now,
            server_url: "https://github.com".into(),
            workflows: self.config.workflows.iter().map(|w| w.file.clone()).collect(),
        }
    }

    /// A fresh client per call: each action is its own process on Actions.
    pub async fn ctx(&self) -> Ctx<Client> {
        self.ctx_and_client().await.0
    }

    /// [`TestCtx::ctx`] and a handle on its client (for its counters).
    pub async fn ctx_and_client(&self) -> (Ctx<Client>, Client) {
        let budget = self.write_budget;
        let client = Client::builder()
            .api_url(self.server.url())
            .token("test-token")
            .configure(|c| {
                c.write_budget = budget;
                c.settle_delay = std::time::Duration::from_millis(20);
                c.backoff_base = std::time::Duration::from_millis(5);
            })
            .build()
            .await
            .expect("client");
        (Ctx::new(client.clone(), self.settings(), self.config.clone(), Vec::new()), client)
    }

    pub async fn tick(&mut self) -> TickOutcome {
        let (ctx, client) = self.ctx_and_client().await;
        let out = ci_monitor::tick::tick(&ctx).await.expect("tick");
        self.last_client = Some(client);
        out
    }

    pub async fn analyze(&self, workflow: &str) -> Outcome<AnalyzeWorkflowOutputs> {
        ci_monitor::actions::analyze_workflow::run(&self.ctx().await, workflow).await.expect("analyze-workflow")
    }

    pub async fn publish(&self) -> Outcome<PublishSummaryOutputs> {
        ci_monitor::actions::publish_summary::run(&self.ctx().await).await.expect("publish-summary")
    }

    // ----- what GitHub holds -------------------------------------------

    pub fn daily_issues(&self) -> Vec<fake_github::state::Issue> {
        self.server.state().issues(BOT).into_iter().filter(|i| i.title.starts_with("[CI Monitor] Daily Report")).collect()
    }

    /// Today's open daily issue; panics unless there is exactly one.
    pub fn daily_issue(&self) -> fake_github::state::Issue {
        let title = format!("[CI Monitor] Daily Report - {}", self.now.format("%Y-%m-%d"));
        let open: Vec<_> = self.daily_issues().into_iter().filter(|i| i.title == title && i.state == "open").collect();
        assert_eq!(open.len(), 1, "expected one open daily issue for {title}, got {}", open.len());
        open.into_iter().next().unwrap()
    }

    pub fn comments_on(&self, repo: &str, number: u64) -> Vec<String> {
        self.server.state().comments(repo, number).into_iter().map(|c| c.body).collect()
    }

    /// Writes the fake has seen (POST/PATCH/DELETE requests).
    pub fn write_requests(&self) -> usize {
        ["POST", "PATCH", "DELETE", "PUT"].iter().map(|m| self.server.state().request_count(m, "/")).sum()
    }
}

fn step(number: u64, name: &str, conclusion: &str) -> Step {
    Step {
        name: name.into(),
        status: "completed".into(),
        conclusion: Some(conclusion.into()),
        number,
        started_at: None,
        completed_at: None,
        log: None,
    }
}

/// The demo's day-by-day replay (`ci-bot demo` does the same): one full
/// tick per day for `days` days up to now, each with the clock pinned to
/// that day, against `server` (a demo-shaped scenario: target
/// `demo-org/gpu-ml`, bot repo `demo-org/ci-bot`). Returns each tick.
pub async fn replay_demo_days(server: &FakeGitHub, config: &Config, days: i64) -> Vec<TickOutcome> {
    let now = Utc::now();
    let mut ticks = Vec::new();
    for d in (0..days).rev() {
        let ctx = demo_ctx(server, config, now - Duration::days(d)).await;
        ticks.push(ci_monitor::tick::tick(&ctx).await.unwrap());
    }
    ticks
}

/// The context of one demo tick at `at` (target `demo-org/gpu-ml`, bot repo
/// `demo-org/ci-bot`), with the demo's token and no settle delay.
pub async fn demo_ctx(server: &FakeGitHub, config: &Config, at: DateTime<Utc>) -> Ctx<Client> {
    let gh = Client::builder()
        .api_url(server.url())
        .token("demo-token")
        .configure(|c| {
            c.write_budget = config.write_budget;
            c.settle_delay = std::time::Duration::ZERO;
            c.backoff_base = std::time::Duration::from_millis(5);
        })
        .build()
        .await
        .unwrap();
    let settings = Settings {
        repo: "demo-org/gpu-ml".parse().unwrap(),
        bot_repo: "demo-org/ci-bot".parse().unwrap(),
        lookback_hours: config.lookback_hours,
        dry_run: false,
        date: at.date_naive(),
        now: at,
        server_url: "https://github.com".into(),
        workflows: config.workflows.iter().map(|w| w.file.clone()).collect(),
    };
    Ctx::new(gh, settings, config.clone(), Vec::new())
}
