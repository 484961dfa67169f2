//! `ci-bot host`: the long-running process (`ci-host`), usually as the
//! fleet's host container (`ci-bot fleet up --with-host`).
//!
//! Settings come from `CI_BOT_HOST_*` (see `ci_host::Settings`), the token
//! from `CI_BOT_HOST_TOKEN_FILE` (re-read every tick, so it can be rotated
//! in place) or `GITHUB_TOKEN`. SIGTERM/SIGINT: no new tick starts, the one
//! in flight finishes, the state is on disk, exit 0.

use anyhow::{Context, Result};
use ci_host::{LogFormat, Settings};

#[derive(clap::Args)]
pub struct Args {
    /// `text` or `json` (JSON lines).
    #[arg(long, default_value = "text")]
    log_format: LogFormat,
    /// Check this container's /healthz and exit 0 (healthy) or 1: the HEALTHCHECK.
    #[arg(long)]
    probe: bool,
}

pub fn run(args: Args) -> Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async move {
        if args.probe {
            let addr = std::env::var("CI_BOT_HOST_HEALTH_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
            return Ok(match ci_host::probe(&addr).await {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("ci-bot host: {e}");
                    1
                }
            });
        }
        ci_host::init_logging(args.log_format);
        let settings = Settings::from_env()?;
        ci_host::run_service(settings, |_host| Ok(())).await?;
        Ok(0)
    })
}
