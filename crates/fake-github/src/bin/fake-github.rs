//! `fake-github`: serve the stateful fake GitHub API until killed. Its own
//! binary, so the production `ci-bot` (and its image) never links the fake.
//!
//! Prints one line with the base URL (what to set `GITHUB_API_URL` to), so
//! scripts can read it; with `--dump-state` writes the final world as JSON
//! on SIGTERM/SIGINT (the same JSON as `GET /_fake/state`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use fake_github::{FakeGitHub, Scenario};

#[derive(Parser)]
#[command(name = "fake-github", version, about = "Serve the stateful fake GitHub REST API (tests, demos, replays)")]
struct Args {
    /// Scenario file (YAML, or JSON if it ends in .json); see docs/scenario.md.
    /// Without it the fake starts with one empty repo, `owner/repo`.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Write the final state as JSON here on SIGTERM/SIGINT.
    #[arg(long)]
    dump_state: Option<PathBuf>,
    /// Override the scenario's search indexing delay (ms).
    #[arg(long)]
    search_delay_ms: Option<u64>,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        // One line, never a panic.
        eprintln!("fake-github: error: {e:#}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<()> {
    let mut scenario = match &args.scenario {
        Some(p) => Scenario::from_file(p)?,
        None => Scenario::with_repo("owner/repo"),
    };
    if let Some(ms) = args.search_delay_ms {
        scenario.settings.search_delay_ms = ms;
    }
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async move {
        let server = FakeGitHub::start_on(args.addr, scenario).await?;
        println!("fake-github listening on {} (blob host {})", server.url(), server.blob_url());
        wait_for_shutdown().await?;
        if let Some(path) = &args.dump_state {
            let json = serde_json::to_string_pretty(&server.state().snapshot_json())?;
            std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("fake-github: state written to {}", path.display());
        }
        Ok(())
    })
}

async fn wait_for_shutdown() -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
        tokio::select! {
            _ = term.recv() => {}
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    Ok(())
}
