//! Size is a budget (issue #14): the demo scenario at ten times its volume
//! (every failed job of the demo cloned nine times, each clone with its own
//! test names and error messages, so tests and clusters grow tenfold too)
//! is replayed for four days, and every body the bot wrote — daily issue
//! bodies, summary, workflow comments, trackers and their archive comments
//! — is measured against the bot's own cap of 60,000 chars
//! (`SAFE_BODY_CHARS`, well under GitHub's 65,536): hidden lines appended
//! after packing (workflow facts, LLM memory) included. The sizes are
//! printed (`cargo test -p ci-monitor --test size_budget -- --nocapture`).

use ci_monitor::config::Config;
use ci_report::{GITHUB_BODY_LIMIT, SAFE_BODY_CHARS};
use fake_github::{FakeGitHub, Scenario};
use serde_yaml_ng::Value;

mod common;

const SCENARIO: &str = include_str!("../../../scenarios/demo/scenario.yaml");
const CONFIG: &str = include_str!("../../../scenarios/demo/ci-bot.yml");
/// Volume of the scaled scenario relative to the demo.
const SCALE: u64 = 10;

/// Letters only: the cause of a message ignores numbers inside identifiers.
fn tag(k: u64) -> String {
    ["", "Ka", "Kb", "Kc", "Kd", "Ke", "Kf", "Kg", "Kh", "Ki"][k as usize % 10].to_string()
}

/// The demo scenario with every failed job of the target repo cloned
/// `SCALE - 1` times in its run.
fn scaled_scenario() -> Scenario {
    // Parsing resolves the log anchors (`*oom`) into plain strings.
    let mut root: Value = serde_yaml_ng::from_str(SCENARIO).expect("demo scenario");
    let repos = root.get_mut("repos").and_then(Value::as_sequence_mut).expect("repos");
    let target = repos.iter_mut().find(|r| r.get("name").and_then(Value::as_str) == Some("demo-org/gpu-ml")).expect("target repo");
    let runs = target.get_mut("runs").and_then(Value::as_sequence_mut).expect("runs");
    for run in runs.iter_mut() {
        let jobs = run.get_mut("jobs").and_then(Value::as_sequence_mut).expect("jobs");
        let mut clones = Vec::new();
        for job in jobs.iter() {
            let Some(log) = job.get("log").and_then(Value::as_str) else { continue };
            let name = job.get("name").and_then(Value::as_str).unwrap_or_default();
            if name == "finish" {
                continue;
            }
            let id = job.get("id").and_then(Value::as_u64).expect("job id");
            for k in 1..SCALE {
                let mut c = job.clone();
                c["id"] = Value::from(id * SCALE + k);
                c["name"] = Value::from(format!("{name} (clone {})", tag(k)));
                let log = log
                    .replace("test_", &format!("test_{}_", tag(k).to_lowercase()))
                    .replace("Test", &format!("Test{}", tag(k)))
                    .replace("Error", &format!("Error{}", tag(k)))
                    .replace("fault", &format!("fault{}", tag(k).to_lowercase()));
                c["log"] = Value::from(log);
                clones.push(c);
            }
        }
        jobs.extend(clones);
    }
    let text = serde_yaml_ng::to_string(&root).expect("yaml");
    Scenario::from_yaml_str(&text).expect("scaled scenario")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_stays_under_the_limit_at_ten_times_the_demo() {
    let (mut config, warnings) = Config::parse(CONFIG);
    assert!(warnings.is_empty(), "{warnings:?}");
    // Ten times the jobs means more comment parts and tracker archives.
    config.write_budget = 1_000;
    let server = FakeGitHub::start(scaled_scenario()).await.unwrap();
    let ticks = common::replay_demo_days(&server, &config, 4).await;
    for (wf, r) in ticks.iter().flat_map(|t| &t.workflows) {
        assert!(r.is_ok(), "{wf}: {r:?}");
    }
    let failed_jobs = ticks.last().map_or(0, |t| t.failures());
    println!("scaled demo ({SCALE}x): {failed_jobs} failed job(s) in the last tick's window");

    let mut sizes: Vec<(String, usize)> = Vec::new();
    for repo in ["demo-org/ci-bot", "demo-org/gpu-ml"] {
        for issue in server.state().issues(repo) {
            let mine = issue.title.starts_with("[CI Monitor]") || issue.title.starts_with("[Failure Tracker]");
            if !mine {
                continue;
            }
            let (body_kind, comment_kind) =
                if repo == "demo-org/ci-bot" { ("daily issue body", "workflow comment") } else { ("tracker body", "tracker archive comment") };
            sizes.push((format!("{body_kind} {repo}#{}", issue.number), issue.body.unwrap_or_default().chars().count()));
            for c in server.state().comments(repo, issue.number) {
                sizes.push((format!("{comment_kind} {repo}#{} ({})", issue.number, c.id), c.body.chars().count()));
            }
        }
    }
    sizes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (what, n) in &sizes {
        println!("{n:>6} chars  {what}");
    }
    let mut largest_per_kind: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (what, n) in &sizes {
        let kind = what.split(" demo-org/").next().unwrap_or(what);
        let e = largest_per_kind.entry(kind).or_default();
        *e = (e.0.max(*n), e.1 + 1);
    }
    for (kind, (max, count)) in &largest_per_kind {
        println!("{kind}: {count} bodies, largest {max} chars");
    }
    let (largest, max) = sizes.first().cloned().expect("the bot wrote something");
    println!("{} bodies; largest {max} chars ({largest}); GitHub's limit {GITHUB_BODY_LIMIT}", sizes.len());
    assert!(max < GITHUB_BODY_LIMIT, "{largest} is {max} chars");
    let over: Vec<&(String, usize)> = sizes.iter().filter(|(_, n)| *n > SAFE_BODY_CHARS).collect();
    assert!(over.is_empty(), "over the {SAFE_BODY_CHARS}-char cap: {over:?}");
}
