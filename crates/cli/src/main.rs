//! `ci-bot`: one binary, one subcommand per action. Each subcommand lives in
//! its own module so the front end stays a table of contents.

use clap::{ArgMatches, Args as _, FromArgMatches, Parser, Subcommand};
use ci_monitor::ActionKind;

mod actions;
mod analyze_log;
mod bench;
#[cfg(feature = "demo")]
mod demo;
mod fleet;
mod host;
mod llm;

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
    /// Run the whole monitor against an embedded fake GitHub and scenario.
    #[cfg(feature = "demo")]
    Demo(demo::Args),
    /// Poll pull request comments for `@bot` commands, forever (a host's
    /// loop over one `watch-comments` pass).
    Watch(WatchArgs),
    /// Self-hosted runner containers through the Docker API: up, status, logs, roll, down.
    Fleet(fleet::Args),
    /// The long-running host: monitor dispatch schedule (+ comment watcher), /healthz.
    Host(host::Args),
    /// The monitor's actions, one subcommand each (`ActionKind::ALL`).
    #[command(flatten)]
    Action(ActionCommand),
}

#[derive(clap::Args)]
struct WatchArgs {
    /// Seconds between passes.
    #[arg(long, default_value_t = 30)]
    every: u64,
    /// Stop after this many passes (tests, one-shot hosts).
    #[arg(long)]
    passes: Option<u64>,
    #[command(flatten)]
    action: actions::Args,
}

/// `ci-bot <action> [flags]`: the subcommands come from
/// [`ActionKind::ALL`], so the action list lives in one place.
struct ActionCommand {
    kind: ActionKind,
    // Boxed: the flags are far larger than the other subcommands' arguments.
    args: Box<actions::Args>,
}

impl FromArgMatches for ActionCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        let kind = name.parse().map_err(|_| clap::Error::new(clap::error::ErrorKind::InvalidSubcommand))?;
        Ok(ActionCommand { kind, args: Box::new(actions::Args::from_arg_matches(sub)?) })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = ActionCommand::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for ActionCommand {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        ActionKind::ALL.into_iter().fold(cmd, |cmd, kind| {
            let sub = actions::Args::augment_args(clap::Command::new(kind.name()).about(kind.about()));
            // One flag set parses every action, but each `--help` lists only
            // the flags its action reads (its action.yml inputs).
            let hidden: Vec<String> = sub
                .get_arguments()
                .map(|a| a.get_id().as_str().to_string())
                .filter(|id| {
                    let input = id.replace('_', "-");
                    let event = matches!(input.as_str(), "event-name" | "event-path") && kind.reads_event();
                    !event && !kind.inputs().contains(&input.as_str())
                })
                .collect();
            cmd.subcommand(hidden.iter().fold(sub, |sub, id| sub.mut_arg(id.as_str(), |a| a.hide(true))))
        })
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        ActionCommand::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        name.parse::<ActionKind>().is_ok()
    }
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::AnalyzeLog(a) => analyze_log::run(a),
        Command::Bench(a) => bench::run(a),
        #[cfg(feature = "demo")]
        Command::Demo(a) => demo::run(a),
        Command::Watch(w) => actions::watch(w.action, std::time::Duration::from_secs(w.every.max(1)), w.passes),
        Command::Fleet(a) => fleet::run(a),
        Command::Host(a) => host::run(a),
        Command::Action(a) => actions::run(a.kind, *a.args),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line, never a panic: the runner shows stderr verbatim.
            let redactor = ci_redact::Redactor::builder().process_env().build().unwrap_or_default();
            eprintln!("ci-bot: error: {}", redactor.redact(&format!("{e:#}")));
            std::process::exit(2);
        }
    }
}
