//! `ci-bot demo`: the whole monitor on one machine, no network, no token.
//!
//! Starts the fake GitHub in-process with the bundled scenario (five
//! workflows, four days of runs, real log windows plus GPU failures), runs
//! the prepare → matrix → finalize graph once per day (with the clock pinned
//! to each day, so the trend chart and the trackers have history), and
//! writes every issue the bot produced as Markdown. `--bench` measures one
//! full tick and a second tick with nothing new.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use ci_github::{Client, GitHub, RepoRef};
use ci_monitor::config::Config;
use ci_monitor::tick::{tick, TickOutcome};
use ci_monitor::services::narration::LlmSetup;
use ci_monitor::{Ctx, Settings};
use fake_github::{FakeGitHub, Scenario};

const SCENARIO: &str = include_str!("../../../scenarios/demo/scenario.yaml");
const CONFIG: &str = include_str!("../../../scenarios/demo/ci-bot.yml");
/// Pull requests replayed through `ci-status`: one per verdict, one with
/// incomplete CI.
const PRS: &str = include_str!("../../../scenarios/demo/prs.yaml");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where to write the resulting issues as Markdown.
    #[arg(long, default_value = "ci-bot-demo-out")]
    out: PathBuf,
    /// Days of ticks to replay (the last one is today).
    #[arg(long, default_value_t = 4)]
    days: u32,
    /// Also measure one full tick and a second tick with nothing new.
    #[arg(long)]
    bench: bool,
    /// Keep the fake GitHub running after the demo (Ctrl-C to stop).
    #[arg(long)]
    serve: bool,
    /// Scenario file instead of the bundled one.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Narratives by a model: `fake` starts the scripted fake LLM in
    /// process (it answers from the facts in each prompt, over real HTTP)
    /// and the reports carry its checked narratives and the LLM footer.
    #[arg(long, value_enum)]
    llm: Option<DemoLlm>,
}

/// The model of `--llm`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoLlm {
    /// The scripted fake LLM (`fake_llm::reader`), in process.
    Fake,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run_async(args))
}

async fn client(url: &str, budget: u32) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .api_url(url)
        .token("demo-token")
        .configure(|c| {
            c.write_budget = budget;
            // The fake answers at once; GitHub needs the default settle delay.
            c.settle_delay = std::time::Duration::ZERO;
            c.backoff_base = std::time::Duration::from_millis(20);
        })
        .build()
        .await?)
}

/// The fake LLM and the setup that points at it (Anthropic wire format, a
/// placeholder key: the fake checks none).
async fn fake_llm() -> anyhow::Result<(fake_llm::FakeLlm, Arc<LlmSetup>)> {
    let server = fake_llm::FakeLlm::start_on(([127, 0, 0, 1], 0).into(), Arc::new(fake_llm::reader::answer)).await?;
    let config = ci_llm::LlmConfig {
        provider: ci_llm::ProviderChoice::Anthropic,
        base_url: Some(server.url().to_string()),
        model: Some("claude-sonnet-4-5".into()),
        timeout_secs: 10,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let env = [("ANTHROPIC_API_KEY".to_string(), "demo-key-not-a-secret".to_string())];
    let setup = crate::llm::setup(&config, env, None, &mut warnings).await;
    anyhow::ensure!(warnings.is_empty(), "demo LLM: {}", warnings.join("; "));
    Ok((server, Arc::new(setup)))
}

fn context(gh: Client, config: &Config, now: chrono::DateTime<Utc>) -> Ctx<Client> {
    let settings = Settings {
        repo: "demo-org/gpu-ml".parse().expect("valid"),
        bot_repo: "demo-org/ci-bot".parse().expect("valid"),
        lookback_hours: config.lookback_hours,
        dry_run: false,
        date: now.date_naive(),
        now,
        server_url: "https://github.com".into(),
        workflows: config.workflows.iter().map(|w| w.file.clone()).collect(),
    };
    Ctx::new(gh, settings, config.clone(), Vec::new())
}

async fn run_async(args: Args) -> anyhow::Result<i32> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::from_file(p)?,
        None => Scenario::from_yaml_str(SCENARIO)?,
    };
    let (config, warnings) = Config::parse(CONFIG);
    for w in warnings {
        eprintln!("demo config: {w}");
    }
    let server = FakeGitHub::start(scenario).await?;
    println!("fake GitHub serving the demo scenario at {}", server.url());
    let llm = match args.llm {
        Some(DemoLlm::Fake) => {
            let (s, setup) = fake_llm().await?;
            println!("fake LLM serving at {} (scripted: it answers from the facts in each prompt)", s.url());
            Some((s, setup))
        }
        None => None,
    };
    let now = Utc::now();
    let days = args.days.max(1);
    let mut last = TickOutcome::default();
    let total = Instant::now();
    let mut ticks: Vec<chrono::DateTime<Utc>> = (0..days).rev().map(|d| now - Duration::days(d as i64)).collect();
    if llm.is_some() {
        // Today once more: nothing new, so no LLM call (memory in the comments).
        ticks.push(now);
    }
    for at in ticks {
        let gh = client(server.url(), config.write_budget).await?;
        let mut ctx = context(gh.clone(), &config, at);
        if let Some((_, setup)) = &llm {
            ctx = ctx.with_llm(setup.clone());
        }
        let calls_before = llm.as_ref().map_or(0, |(s, _)| s.requests().len());
        let t = Instant::now();
        last = tick(&ctx).await?;
        let stats = gh.stats();
        let calls = llm.as_ref().map(|(s, _)| format!(", {} LLM call(s)", s.requests().len() - calls_before)).unwrap_or_default();
        println!(
            "tick {}: {} failed job(s) in window, {} newly analysed, {} GitHub requests, {} writes{calls}, {:.2}s",
            at.format("%Y-%m-%d %H:%M"),
            last.failures(),
            last.new_failures(),
            stats.total_requests(),
            stats.writes,
            t.elapsed().as_secs_f64()
        );
        for (wf, r) in &last.workflows {
            if let Err(e) = r {
                println!("  {wf}: error: {e}");
            }
        }
    }
    if let Some((s, _)) = &llm {
        let requests = s.requests();
        let cost = |r: &fake_llm::Recorded| ci_llm::tokens::estimate(&r.system()) + ci_llm::tokens::estimate(&r.user());
        let tokens: u64 = requests.iter().map(cost).sum();
        println!(
            "fake LLM: {} call(s) in all, ~{} prompt tokens (chars/4); narratives and the LLM footer are in the comments",
            requests.len(),
            ci_llm::tokens::thousands(tokens)
        );
        let summaries: u64 = requests.iter().filter(|r| r.user().contains("Task: daily summary")).map(cost).sum();
        let (jobs, old) = old_api_mode_tokens(&server, &config);
        let ratio = |ours: u64| old as f64 / ours.max(1) as f64;
        println!(
            "the old bot's API mode, same {jobs} jobs: ~{} tokens (the log part of its per-job prompts only); \
             these job prompts 1/{:.1} of it, with the daily summaries 1/{:.1}",
            ci_llm::tokens::thousands(old),
            ratio(tokens - summaries),
            ratio(tokens)
        );
    }
    let written = write_markdown(&server, &args.out).await?;
    println!("\ndone in {:.2}s. The bot wrote {} issue(s); Markdown copies:", total.elapsed().as_secs_f64(), written.len());
    for p in &written {
        println!("  {}", p.display());
    }
    let prs = replay_prs(&config, now, &args.out).await?;
    println!("\npull requests replayed through ci-status ({}):", prs.len());
    for (n, heading, path) in &prs {
        println!("  #{n}: {heading}  ({})", path.display());
    }
    if let Some(url) = last.prepare.outputs.issue.as_ref().map(|i| &i.url) {
        println!("today's daily report: {url} (in the fake), {}", args.out.join("README.md").display());
    }

    if args.bench {
        bench(&server, &config, now).await?;
    }
    if args.serve {
        println!("\nfake GitHub still serving at {} — try: curl {}/repos/demo-org/ci-bot/issues", server.url(), server.url());
        tokio::signal::ctrl_c().await?;
    }
    Ok(0)
}

/// What the old bot's API mode would have sent for the jobs this demo
/// analysed (read back from the bot's own workflow comments): the log part
/// of its per-job prompt, by the same token estimate as ours
/// (`ci_llm::legacy`). Its instructions and its daily summary are left
/// out, so the comparison favours the old bot.
fn old_api_mode_tokens(server: &FakeGitHub, config: &Config) -> (usize, u64) {
    let state = server.state();
    let mut jobs = std::collections::BTreeSet::new();
    for issue in state.issues("demo-org/ci-bot").into_iter().filter(|i| i.title.starts_with("[CI Monitor] Daily Report")) {
        let bodies: Vec<String> = state.comments("demo-org/ci-bot", issue.number).into_iter().map(|c| c.body).collect();
        for wf in &config.workflows {
            for j in ci_report::workflow_comment::parse_workflow_comments(&wf.file, bodies.iter().map(String::as_str)).jobs {
                if let Some(run) = j.run_id() {
                    jobs.insert((run.0, j.job_id.0));
                }
            }
        }
    }
    let old = jobs
        .iter()
        .filter_map(|(run, job)| state.jobs("demo-org/gpu-ml", *run).into_iter().find(|j| j.id == *job).and_then(|j| j.log))
        .map(|log| ci_llm::legacy::old_job_prompt_tokens(&log))
        .sum();
    (jobs.len(), old)
}

/// Every pull request of the PR scenario through the `ci-status` action,
/// on its own fake; each comment is written beside the daily reports and
/// listed in the index.
async fn replay_prs(config: &Config, now: chrono::DateTime<Utc>, out: &Path) -> anyhow::Result<Vec<(u64, String, PathBuf)>> {
    let scenario = Scenario::from_yaml_str(PRS)?;
    let numbers: Vec<u64> = scenario.repos.iter().flat_map(|r| r.pulls.iter().map(|p| p.number)).collect();
    let server = FakeGitHub::start(scenario).await?;
    let gh = client(server.url(), config.write_budget).await?;
    let ctx = context(gh.clone(), config, now);
    let repo = ctx.settings.repo.clone();
    let mut index = String::from("\nPull requests (`ci-status` comments, from `scenarios/demo/prs.yaml`):\n\n");
    let mut written = Vec::new();
    for n in numbers {
        let o = ci_monitor::actions::ci_status::run(&ctx, Some(n), None).await?;
        let marker = ci_report::pr_status::ci_status_marker(n);
        let comments = gh.list_comments(&repo, ci_github::IssueNumber(n), None).await?;
        let body = comments.into_iter().find(|c| c.body.contains(&marker)).map(|c| c.body).unwrap_or_default();
        let name = format!("{}-pr-{n}-ci-status.md", repo.to_string().replace('/', "_"));
        std::fs::write(out.join(&name), &body)?;
        index.push_str(&format!("- [#{n}: {}]({name})\n", o.outputs.heading));
        written.push((n, o.outputs.heading, out.join(name)));
    }
    let readme = out.join("README.md");
    let mut text = std::fs::read_to_string(&readme).unwrap_or_default();
    text.push_str(&index);
    std::fs::write(readme, text)?;
    Ok(written)
}

/// One full tick on a fresh copy of the scenario (cold: nothing analysed),
/// then a second tick with the same client (warm ETag cache, nothing new).
async fn bench(_previous: &FakeGitHub, config: &Config, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let server = FakeGitHub::start(Scenario::from_yaml_str(SCENARIO)?).await?;
    let gh = client(server.url(), 1_000).await?;
    let ctx = context(gh.clone(), config, now);
    let t = Instant::now();
    let first = tick(&ctx).await?;
    let wall1 = t.elapsed();
    let s1 = gh.stats();
    let writes1 = s1.writes;
    gh.reset_stats();
    let t = Instant::now();
    let second = tick(&ctx).await?;
    let wall2 = t.elapsed();
    let s2 = gh.stats();
    let writes2 = s2.writes - writes1;
    let new1 = first.new_failures().max(1);
    let logs = s1.requests_for("download_job_log");
    println!("\n## tick benchmark (bundled demo scenario, fake GitHub over HTTP)\n");
    println!("| measure | value |\n|---|---|");
    println!("| failed jobs in window (first tick) | {} |", first.failures());
    println!("| jobs analysed (first tick) | {} |", first.new_failures());
    println!("| wall time, first full tick | {:.3} s |", wall1.as_secs_f64());
    println!("| GitHub requests, first tick | {} ({} writes, {} log downloads) |", s1.total_requests(), s1.writes, logs);
    println!(
        "| requests per analysed job | {:.2} total; {:.2} excluding the per-tick constant |",
        s1.total_requests() as f64 / new1 as f64,
        (s1.total_requests() as f64 - (s2.total_requests() as f64)) / new1 as f64
    );
    println!("| wall time, second tick (nothing new) | {:.3} s |", wall2.as_secs_f64());
    println!(
        "| second tick: requests / 304 Not Modified / writes | {} / {} / {} (analysed {}) |",
        s2.total_requests(),
        s2.total_conditional_hits(),
        writes2,
        second.new_failures()
    );
    if let Some(kb) = peak_rss_kb() {
        println!("| peak RSS of the whole process (demo + bench) | {:.1} MiB |", kb as f64 / 1024.0);
    }
    // A third tick: the second one re-read what the first one wrote (new
    // ETags); from the third on, an idle monitor sees only its own reads.
    gh.reset_stats();
    let budget_before3 = gh.budget().used();
    let t = Instant::now();
    tick(&ctx).await?;
    let wall3 = t.elapsed();
    let s3 = gh.stats();
    println!(
        "| third tick: requests / 304 Not Modified / writes | {} / {} / {} ({:.3} s) |",
        s3.total_requests(),
        s3.total_conditional_hits(),
        gh.budget().used() - budget_before3,
        wall3.as_secs_f64()
    );
    println!("\nrequests by operation, first tick:");
    for (op, n) in &s1.requests {
        println!("  {op}: {n}");
    }
    println!("requests by operation, second tick (304s in brackets):");
    for (op, n) in &s2.requests {
        println!("  {op}: {n} [{}]", s2.conditional_hits.get(op).copied().unwrap_or(0));
    }
    Ok(())
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Every issue of both repos (with comments) as one Markdown file each.
async fn write_markdown(server: &FakeGitHub, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let gh = client(server.url(), 1).await?;
    let mut written = Vec::new();
    let mut index = String::from("# ci-bot demo output\n\nIssues the bot wrote into the fake GitHub:\n\n");
    for repo in ["demo-org/ci-bot", "demo-org/gpu-ml"] {
        let r: RepoRef = repo.parse()?;
        let filter = ci_github::IssueFilter { state: ci_github::StateFilter::All, ..Default::default() };
        for issue in gh.list_issues(&r, &filter).await? {
            // The scenario's own issues (what the summary's search finds) are not the bot's.
            if !gh.is_own(issue.user.as_ref()) {
                continue;
            }
            let comments = gh.list_comments(&r, issue.number, None).await?;
            let slug: String = issue
                .title
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                .collect::<String>()
                .split('-')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            let name = format!("{}-{}-{}.md", repo.replace('/', "_"), issue.number, slug);
            let mut md = format!("# {}\n\n_{} #{} · {} · {} comment(s)_\n\n{}\n", issue.title, repo, issue.number, issue.state, comments.len(), issue.body);
            for c in &comments {
                md.push_str(&format!("\n\n---\n<!-- comment {} -->\n\n{}\n", c.id, c.body));
            }
            std::fs::write(out.join(&name), md)?;
            index.push_str(&format!("- [{}]({name}) ({repo} #{})\n", issue.title, issue.number));
            written.push(out.join(name));
        }
    }
    std::fs::write(out.join("README.md"), index)?;
    Ok(written)
}
