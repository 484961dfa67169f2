//! The monitor actions (`ci_monitor::ActionKind`), one subcommand each.
//! Inputs come from `INPUT_*` (as the runner sets them from `action.yml`)
//! or from the equivalent flags for local use; a flag wins. Outputs go to `GITHUB_OUTPUT`, a summary to
//! `GITHUB_STEP_SUMMARY`. Names: `docs/monitor.md`.

use actions_kit::{commands, Inputs, StepSummary};
use ci_github::Client;
use ci_monitor::inputs::{resolve, EnvDefaults, RawInputs};
use ci_monitor::{Action, ActionKind, Ctx, Outcome, Outputs};
use ci_redact::Redactor;

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
    token: Option<ci_redact::Secret>,
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
    /// ci-status, pr-review: pull request number (input `pr`).
    #[arg(long)]
    pr: Option<String>,
    /// pr-review: focus areas (input `focus`).
    #[arg(long)]
    focus: Option<String>,
    /// Webhook event name (input `event-name`; default `GITHUB_EVENT_NAME`).
    #[arg(long)]
    event_name: Option<String>,
    /// Webhook payload file (input `event-path`; default `GITHUB_EVENT_PATH`).
    #[arg(long)]
    event_path: Option<String>,
}

fn raw_inputs(args: Args, inputs: &Inputs) -> anyhow::Result<RawInputs> {
    let pick = |flag: Option<String>, name: &str| flag.filter(|s| !s.trim().is_empty()).or_else(|| inputs.get(name));
    let dry_run = if args.dry_run { Some(true) } else { inputs.get_bool("dry-run")? };
    Ok(RawInputs {
        repo: pick(args.repo, "repo"),
        bot_repo: pick(args.bot_repo, "bot-repo"),
        token: args.token.filter(|t| !t.expose().trim().is_empty()).or_else(|| inputs.get("token").map(ci_redact::Secret::from)),
        workflow: pick(args.workflow, "workflow"),
        workflows: pick(args.workflows, "workflows"),
        lookback_hours: pick(args.lookback_hours, "lookback-hours"),
        dry_run,
        config: pick(args.config, "config"),
        api_url: pick(args.api_url, "api-url"),
        date: pick(args.date, "date"),
        url: pick(args.url, "url"),
        output: pick(args.output, "output"),
        pr: pick(args.pr, "pr"),
        focus: pick(args.focus, "focus"),
        event_name: pick(args.event_name, "event-name").or_else(|| env_var("GITHUB_EVENT_NAME")),
        event_path: pick(args.event_path, "event-path").or_else(|| env_var("GITHUB_EVENT_PATH")),
    })
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

/// `ci-bot watch`: `watch-comments` polled every `every`, for a host that
/// keeps one process running (a cron runs the action once instead). Each
/// pass reads from one interval before the previous pass that worked, so a
/// slow or failed pass misses nothing; the claims make overlap harmless.
pub fn watch(args: Args, every: std::time::Duration, passes: Option<u64>) -> anyhow::Result<i32> {
    ci_host::init_logging_with(ci_host::LogFormat::Text, "warn,ci_github=info");
    let mut raw = raw_inputs(args, &Inputs::from_env())?;
    // Polling: a webhook payload in the environment belongs to another run.
    raw.event_name = None;
    raw.event_path = None;
    if let Some(t) = raw.token.as_ref().map(ci_redact::Secret::expose) {
        commands::mask_secret(t);
    }
    // What the passes print goes through the same redaction as an action's
    // output: an error chain can quote a URL with credentials or a token.
    let mut redactor = Redactor::builder().process_env();
    if let Some(t) = raw.token.as_ref().map(ci_redact::Secret::expose) {
        redactor = redactor.secret("github-token", t);
    }
    let redactor = redactor.build().unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let interval = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::minutes(5));
    // Where the next window starts: one interval before the last pass that
    // worked (or before the oldest comment it left for later), so a slow or
    // failed pass widens the next one instead of leaving a gap; never more
    // than a day back.
    let mut read_from: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut n = 0u64;
    loop {
        let now = chrono::Utc::now();
        let since = read_from.unwrap_or(now - interval).max(now - chrono::Duration::hours(24)) - interval;
        match rt.block_on(watch_once(&raw, now, since)) {
            Ok(o) => {
                read_from = Some(o.outputs.retry_from.map_or(now, |r| now.min(r)));
                let line: Vec<String> = ci_monitor::Outputs::WatchComments(o.outputs).pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
                eprintln!("{}", redactor.redact(&line.join(" ")));
            }
            // One bad pass (GitHub down, a rate limit) is a line, not the end.
            Err(e) => eprintln!("ci-bot watch: pass failed: {}", redactor.redact(&format!("{e:#}"))),
        }
        n += 1;
        if passes.is_some_and(|p| n >= p) {
            return Ok(0);
        }
        std::thread::sleep(every);
    }
}

async fn watch_once(
    raw: &RawInputs,
    now: chrono::DateTime<chrono::Utc>,
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Outcome<ci_monitor::action::WatchOutputs>> {
    let resolved = resolve(raw, &EnvDefaults::from_env(), now)?;
    let mut builder = Client::builder_from_env(raw.token.as_ref().map(|t| t.expose().to_string()))?;
    if let Some(url) = &raw.api_url {
        builder = builder.api_url(url.clone());
    }
    let budget = resolved.config.write_budget;
    let client = builder.configure(|c| c.write_budget = budget).build().await?;
    let mut ctx = Ctx::new(client, resolved.settings, resolved.config, resolved.warnings);
    if let Some(t) = raw.token.as_ref().map(ci_redact::Secret::expose) {
        ctx = ctx.with_token_secret(t);
    }
    ci_monitor::actions::watch_comments::once(&ctx, None, since).await
}

/// `ci-bot <action>`: resolve the inputs, run the action, report outputs,
/// summary and (dry-run) the plan the way the runner expects them.
pub fn run(kind: ActionKind, args: Args) -> anyhow::Result<i32> {
    // Warnings, and the client's waits (rate limits, settling after a write), on stderr.
    ci_host::init_logging_with(ci_host::LogFormat::Text, "warn,ci_github=info");
    let raw = raw_inputs(args, &Inputs::from_env())?;
    if let Some(t) = raw.token.as_ref().map(ci_redact::Secret::expose) {
        commands::mask_secret(t);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (outcome, requests, redactor) = rt.block_on(run_action(kind, &raw))?;
    report(&outcome, requests, &redactor)?;
    if raw.dry_run == Some(true) && outcome.planned.is_empty() {
        print!("{}", for_stdout(&outcome.render_planned(), under_runner()));
    }
    Ok(0)
}

/// Builds the client and the context, runs one action; also returns the
/// GitHub requests it made and the run's redactor (with what it learned).
/// Everything in the outcome is already redacted but the typed outputs.
pub async fn run_action(kind: ActionKind, raw: &RawInputs) -> anyhow::Result<(Outcome<Outputs>, u64, Redactor)> {
    let resolved = resolve(raw, &EnvDefaults::from_env(), chrono::Utc::now())?;
    let action = Action::from_inputs(kind, raw)?;
    let mut builder = Client::builder_from_env(raw.token.as_ref().map(|t| t.expose().to_string()))?;
    if let Some(url) = &raw.api_url {
        builder = builder.api_url(url.clone());
    }
    let budget = resolved.config.write_budget;
    let client = builder.configure(|c| c.write_budget = budget).build().await?;
    let mut llm_warnings = Vec::new();
    let config_path = std::path::PathBuf::from(raw.config.clone().unwrap_or_else(|| ci_monitor::config::DEFAULT_CONFIG_PATH.into()));
    let llm = crate::llm::setup(&resolved.config.llm, std::env::vars(), Some(&config_path), &mut llm_warnings).await;
    let mut ctx = Ctx::new(client.clone(), resolved.settings, resolved.config, resolved.warnings);
    if let Some(t) = raw.token.as_ref().map(ci_redact::Secret::expose) {
        ctx = ctx.with_token_secret(t);
    }
    let llm = llm.with_live_redactor(ctx.live_redactor());
    let ctx = ctx.with_llm(std::sync::Arc::new(llm));
    let mut outcome = action.run(&ctx).await.map_err(|e| anyhow::anyhow!("{}", ctx.redact(&format!("{e:#}"))))?;
    outcome.warnings.extend(ctx.warnings.iter().map(|w| format!("config: {w}")));
    outcome.warnings.extend(llm_warnings.iter().map(|w| format!("config: {w}")));
    outcome.warnings.extend(ctx.trust_warnings());
    outcome.planned = ctx.planned_writes();
    Ok((ctx.redact_outcome(outcome), client.stats().total_requests(), ctx.redactor()))
}

fn report(outcome: &Outcome<Outputs>, requests: u64, redactor: &Redactor) -> anyhow::Result<()> {
    for w in &outcome.warnings {
        commands::issue(&commands::warning(w, &actions_kit::Annotation::default()));
    }
    if !outcome.stdout.is_empty() {
        print!("{}", for_stdout(&outcome.stdout, under_runner()));
    }
    // Outside Actions (no GITHUB_OUTPUT) outputs go to stderr, so stdout
    // stays clean for `analyze-url --output stdout > report.md`.
    let on_actions = std::env::var_os("GITHUB_OUTPUT").is_some();
    let outputs = actions_kit::Outputs::from_env();
    let mut pairs = outcome.outputs.pairs();
    pairs.push(("requests", requests.to_string()));
    for (name, value) in &pairs {
        let value = redactor.redact(value);
        if on_actions {
            outputs.set(name, &value)?;
        } else {
            eprintln!("{name}={value}");
        }
    }
    if !outcome.summary.is_empty() {
        StepSummary::from_env().append(&outcome.summary)?;
    }
    if !outcome.planned.is_empty() {
        print!("{}", for_stdout(&outcome.render_planned(), under_runner()));
    }
    Ok(())
}

/// Whether stdout is read by an Actions runner, which executes
/// `::command::` lines printed there.
fn under_runner() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// A report or plan for stdout. They quote log lines at the start of a
/// line (inside code fences, which the runner does not know about), and a
/// log can hold `::add-mask::`, `::error::` or a forged `::set-output::`
/// that its own job printed and the runner ignored there: under a runner
/// the text is wrapped in `::stop-commands::` so it is only text.
fn for_stdout(text: &str, under_runner: bool) -> std::borrow::Cow<'_, str> {
    if under_runner {
        std::borrow::Cow::Owned(commands::untrusted(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::for_stdout;

    #[test]
    fn a_report_on_a_runner_cannot_issue_workflow_commands() {
        let report = "## Failed job\n```\n::set-output name=issue-url::https://evil\n::add-mask::x\n```\n";
        let wrapped = for_stdout(report, true);
        let lines: Vec<&str> = wrapped.lines().collect();
        let token = lines[0].strip_prefix("::stop-commands::").expect("opens with stop-commands");
        assert!(token.len() >= 32);
        assert_eq!(*lines.last().unwrap(), format!("::{token}::"), "resumes after the text");
        assert!(wrapped.contains(report), "the text itself is unchanged");
        assert_eq!(for_stdout(report, false), report, "off a runner stdout is the plain report");
    }
}
