//! `ci-bot`: one binary, one subcommand per action. Each subcommand lives in
//! its own module so the front end stays a table of contents.

use clap::{Parser, Subcommand};

mod actions;
mod analyze_log;
mod bench;
mod demo;
mod fake;
mod fleet;
mod host;

#[derive(Parser)]
#[command(name = "ci-bot", version, about = "CI failure monitor and triage bot")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Triage one CI log (file, run-log zip, or `-` for stdin).
    AnalyzeLog(analyze_log::Args),
    /// Measure triage throughput and peak memory on a generated large log.
    Bench(bench::Args),
    /// Serve the stateful fake GitHub API (for tests, demos and replays).
    FakeGithub(fake::Args),
    /// Run the whole monitor against an embedded fake GitHub and scenario.
    Demo(demo::Args),
    /// Find or create today's daily report issue.
    EnsureDailyIssue(actions::Args),
    /// Triage failed jobs of one workflow and update its daily comment.
    AnalyzeWorkflow(actions::Args),
    /// Rebuild the cross-workflow summary in the daily issue body.
    PublishSummary(actions::Args),
    /// Update the long-lived per-workflow failure tracker issues.
    UpdateTrackers(actions::Args),
    /// Analyse one run or job URL into an issue or stdout.
    AnalyzeUrl(actions::Args),
    /// Self-hosted runner containers through the Docker API: up, status, logs, roll, down.
    Fleet(fleet::Args),
    /// The long-running host: monitor dispatch schedule (+ comment watcher), /healthz.
    Host(host::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::AnalyzeLog(a) => analyze_log::run(a),
        Command::Bench(a) => bench::run(a),
        Command::FakeGithub(a) => fake::run(a),
        Command::Demo(a) => demo::run(a),
        Command::EnsureDailyIssue(a) => actions::run("ensure-daily-issue", a),
        Command::AnalyzeWorkflow(a) => actions::run("analyze-workflow", a),
        Command::PublishSummary(a) => actions::run("publish-summary", a),
        Command::UpdateTrackers(a) => actions::run("update-trackers", a),
        Command::AnalyzeUrl(a) => actions::run("analyze-url", a),
        Command::Fleet(a) => fleet::run(a),
        Command::Host(a) => host::run(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line, never a panic: the runner shows stderr verbatim.
            eprintln!("ci-bot: error: {e:#}");
            std::process::exit(2);
        }
    }
}
