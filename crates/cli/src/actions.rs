//! The five monitor actions. Inputs come from `INPUT_*` (as the runner sets
//! them from `action.yml`) or from the equivalent flags for local use; a
//! flag wins. Outputs go to `GITHUB_OUTPUT`, a summary to
//! `GITHUB_STEP_SUMMARY`. Names: `docs/monitor.md`.

use actions_kit::{commands, Inputs, Outputs, StepSummary};
use ci_github::Client;
use ci_monitor::inputs::{resolve, EnvDefaults, RawInputs};
use ci_monitor::{Ctx, Outcome};

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Target repository `owner/name` (input `repo`).
    #[arg(long)]
    repo: Option<String>,
    /// Repository holding the daily issues and the config (input `bot-repo`).
    #[arg(long)]
    bot_repo: Option<String>,
    /// GitHub token (input `token`; default `GITHUB_TOKEN`).
    #[arg(long)]
    token: Option<String>,
    /// One workflow file (analyze-workflow; input `workflow`).
    #[arg(long)]
    workflow: Option<String>,
    /// Workflow files, comma/newline separated (input `workflows`).
    #[arg(long)]
    workflows: Option<String>,
    /// Hours of runs to consider (input `lookback-hours`).
    #[arg(long)]
    lookback_hours: Option<String>,
    /// Render everything, write nothing, print what would be written.
    #[arg(long)]
    dry_run: bool,
    /// Config file (input `config`; default `.github/ci-bot.yml`).
    #[arg(long)]
    config: Option<String>,
    /// REST API base URL (input `api-url`; default `GITHUB_API_URL`).
    #[arg(long)]
    api_url: Option<String>,
    /// Day of the daily issue, YYYY-MM-DD (input `date`; default today UTC).
    #[arg(long)]
    date: Option<String>,
    /// Run or job URL (analyze-url; input `url`).
    #[arg(long)]
    url: Option<String>,
    /// analyze-url: `issue` (default) or `stdout` (input `output`).
    #[arg(long)]
    output: Option<String>,
}

fn raw_inputs(args: Args, inputs: &Inputs) -> anyhow::Result<RawInputs> {
    let pick = |flag: Option<String>, name: &str| flag.filter(|s| !s.trim().is_empty()).or_else(|| inputs.get(name));
    let dry_run = if args.dry_run { Some(true) } else { inputs.get_bool("dry-run")? };
    Ok(RawInputs {
        repo: pick(args.repo, "repo"),
        bot_repo: pick(args.bot_repo, "bot-repo"),
        token: pick(args.token, "token"),
        workflow: pick(args.workflow, "workflow"),
        workflows: pick(args.workflows, "workflows"),
        lookback_hours: pick(args.lookback_hours, "lookback-hours"),
        dry_run,
        config: pick(args.config, "config"),
        api_url: pick(args.api_url, "api-url"),
        date: pick(args.date, "date"),
        url: pick(args.url, "url"),
        output: pick(args.output, "output"),
    })
}

pub fn run(action: &str, args: Args) -> anyhow::Result<i32> {
    let raw = raw_inputs(args, &Inputs::from_env())?;
    if let Some(t) = &raw.token {
        commands::mask_secret(t);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = rt.block_on(run_action(action, &raw))?;
    report(&outcome)?;
    if raw.dry_run == Some(true) && outcome.planned.is_empty() {
        print!("{}", outcome.render_planned());
    }
    Ok(0)
}

/// Builds the client and the context, runs one action. Shared with `demo`.
pub async fn run_action(action: &str, raw: &RawInputs) -> anyhow::Result<Outcome> {
    let resolved = resolve(raw, &EnvDefaults::from_env(), chrono::Utc::now())?;
    let mut builder = Client::builder_from_env(raw.token.clone())?;
    if let Some(url) = &raw.api_url {
        builder = builder.api_url(url.clone());
    }
    let budget = resolved.config.write_budget;
    let client = builder.configure(|c| c.write_budget = budget).build().await?;
    let ctx = Ctx::new(client.clone(), resolved.settings, resolved.config, resolved.warnings);
    let mut outcome = dispatch(action, &ctx, raw).await?;
    outcome.warnings.extend(ctx.warnings.iter().map(|w| format!("config: {w}")));
    outcome.planned = ctx.planned_writes();
    let stats = client.stats();
    outcome.output("requests", stats.total_requests());
    Ok(outcome)
}

pub async fn dispatch<G: ci_github::GitHub + Clone + 'static>(
    action: &str,
    ctx: &Ctx<G>,
    raw: &RawInputs,
) -> anyhow::Result<Outcome> {
    match action {
        "ensure-daily-issue" => ci_monitor::daily::run(ctx).await,
        "analyze-workflow" => {
            let wf = raw
                .workflow
                .clone()
                .ok_or_else(|| anyhow::anyhow!("input `workflow` is required for analyze-workflow"))?;
            ci_monitor::analyze_workflow::run(ctx, &wf).await
        }
        "publish-summary" => ci_monitor::publish_summary::run(ctx).await,
        "update-trackers" => ci_monitor::update_trackers::run(ctx).await,
        "analyze-url" => {
            let url = raw.url.clone().ok_or_else(|| anyhow::anyhow!("input `url` is required for analyze-url"))?;
            let to_stdout = match raw.output.as_deref().unwrap_or("issue") {
                "issue" => false,
                "stdout" => true,
                other => anyhow::bail!("input `output`: {other:?} is not `issue` or `stdout`"),
            };
            ci_monitor::analyze_url::run(ctx, &url, to_stdout).await
        }
        other => anyhow::bail!("unknown action {other:?}"),
    }
}

fn report(outcome: &Outcome) -> anyhow::Result<()> {
    for w in &outcome.warnings {
        commands::issue(&commands::warning(w, &actions_kit::Annotation::default()));
    }
    if !outcome.stdout.is_empty() {
        print!("{}", outcome.stdout);
    }
    // Outside Actions (no GITHUB_OUTPUT) outputs go to stderr, so stdout
    // stays clean for `analyze-url --output stdout > report.md`.
    let on_actions = std::env::var_os("GITHUB_OUTPUT").is_some();
    let outputs = Outputs::from_env();
    for (name, value) in &outcome.outputs {
        if on_actions {
            outputs.set(name, value)?;
        } else {
            eprintln!("{name}={value}");
        }
    }
    if !outcome.summary.is_empty() {
        StepSummary::from_env().append(&outcome.summary)?;
    }
    if !outcome.planned.is_empty() {
        print!("{}", outcome.render_planned());
    }
    Ok(())
}
