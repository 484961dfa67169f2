//! The demo scenario against its ground truth (issue #14): the generator
//! records which cause it injected into which job
//! (`scenarios/demo/truth.json`); the four days of the demo are replayed
//! against the fake GitHub and, per daily report, this measures
//! - clusters per injected cause (target exactly 1),
//! - causes per cluster (target exactly 1),
//! - that each job's top line names its cause.

use std::collections::{BTreeMap, BTreeSet};

use ci_monitor::config::Config;
use ci_report::workflow_comment::parse_workflow_comments;
use ci_report::JobReport;
use fake_github::{FakeGitHub, Scenario};
use regex::Regex;

mod common;

const SCENARIO: &str = include_str!("../../../scenarios/demo/scenario.yaml");
const CONFIG: &str = include_str!("../../../scenarios/demo/ci-bot.yml");
const TRUTH: &str = include_str!("../../../scenarios/demo/truth.json");

#[derive(serde::Deserialize)]
struct Truth {
    causes: BTreeMap<String, CauseTruth>,
    jobs: BTreeMap<u64, JobTruth>,
}

#[derive(serde::Deserialize)]
struct CauseTruth {
    top_line: String,
}

#[derive(serde::Deserialize)]
struct JobTruth {
    cause: String,
}

async fn replay_demo() -> (FakeGitHub, Vec<(String, BTreeMap<String, Vec<JobReport>>)>) {
    let (config, _) = Config::parse(CONFIG);
    let server = FakeGitHub::start(Scenario::from_yaml_str(SCENARIO).unwrap()).await.unwrap();
    common::replay_demo_days(&server, &config, 4).await;
    let mut days = Vec::new();
    let mut issues: Vec<_> = server
        .state()
        .issues("demo-org/ci-bot")
        .into_iter()
        .filter(|i| i.title.starts_with("[CI Monitor] Daily Report"))
        .collect();
    issues.sort_by(|a, b| a.title.cmp(&b.title));
    for issue in issues {
        let bodies: Vec<String> =
            server.state().comments("demo-org/ci-bot", issue.number).into_iter().map(|c| c.body).collect();
        let mut per_wf = BTreeMap::new();
        for wf in &config.workflows {
            let rec = parse_workflow_comments(&wf.file, bodies.iter().map(String::as_str));
            per_wf.insert(wf.file.clone(), rec.jobs);
        }
        days.push((issue.title.clone(), per_wf));
    }
    (server, days)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_clusters_match_the_injected_causes() {
    let truth: Truth = serde_json::from_str(TRUTH).unwrap();
    let (_server, days) = replay_demo().await;
    assert_eq!(days.len(), 4, "one daily report per demo day");
    let mut problems = Vec::new();
    let mut analysed = 0;
    for (title, per_wf) in &days {
        let jobs: Vec<(&str, &JobReport)> =
            per_wf.iter().flat_map(|(wf, jobs)| jobs.iter().map(move |j| (wf.as_str(), j))).collect();
        let clusters = ci_report::cluster::cluster(jobs.iter().copied(), &BTreeMap::new());
        let mut clusters_per_cause: BTreeMap<&str, usize> = BTreeMap::new();
        let mut titles: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut worst_causes_per_cluster = 0;
        for c in &clusters {
            let causes: BTreeSet<&str> = c
                .occurrences
                .iter()
                .filter_map(|o| truth.jobs.get(&o.job_id.0).map(|t| t.cause.as_str()))
                .collect();
            worst_causes_per_cluster = worst_causes_per_cluster.max(causes.len());
            if causes.len() > 1 {
                problems.push(format!("{title}: cluster `{}` mixes causes {causes:?}", c.title));
            }
            for cause in causes {
                *clusters_per_cause.entry(cause).or_default() += 1;
                titles.entry(cause).or_default().push(format!("`{}` ({:?})", c.title, c.tests()));
            }
        }
        for (cause, n) in &clusters_per_cause {
            if *n != 1 {
                problems.push(format!("{title}: cause `{cause}` is {n} clusters: {}", titles[cause].join("; ")));
            }
        }
        let mut top_ok = 0;
        let mut top_total = 0;
        for (_, job) in &jobs {
            let Some(t) = truth.jobs.get(&job.job_id.0) else { continue };
            analysed += 1;
            top_total += 1;
            let want = Regex::new(&truth.causes[&t.cause].top_line).unwrap();
            let top = job.top_line().unwrap_or_default();
            if want.is_match(&top) {
                top_ok += 1;
            } else {
                problems.push(format!("{title}: job {} ({}) top line `{top}` does not name `{}`", job.job_id, job.name, t.cause));
            }
        }
        println!(
            "{title}: {} cluster(s) for {} cause(s); clusters per cause max {}; causes per cluster max {}; top line right {top_ok}/{top_total}",
            clusters.len(),
            clusters_per_cause.len(),
            clusters_per_cause.values().max().copied().unwrap_or(0),
            worst_causes_per_cluster,
        );
    }
    assert!(analysed > 0, "the demo analysed no job of the ground truth");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
