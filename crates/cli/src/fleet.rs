//! `ci-bot fleet`: self-hosted runner containers (and the host container)
//! through the Docker API. The logic lives in `ci-fleet`; this is flags and
//! printing.
//!
//! The admin token (GitHub "Administration: write" on the repo) is read from
//! `--admin-token-file` or `GITHUB_TOKEN` and never leaves this process:
//! containers get one registration token each, through a tmpfs file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use ci_fleet::{Engine, Fleet, FleetSpec, HostSpec, Limits, LogRotation, Outcome, Timing};
use ci_github::Client;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create and start runners until there are --count, registered and idle.
    Up(Box<UpArgs>),
    /// Containers, their state and what GitHub says about their runners.
    Status(StatusArgs),
    /// Print the log of runner N (or `host`).
    Logs(LogsArgs),
    /// Deregister every runner on GitHub, then remove the containers.
    Down(DownArgs),
    /// Replace runners one at a time with a new image, never leaving no idle runner.
    Roll(RollArgs),
}

#[derive(clap::Args)]
struct FleetName {
    /// Fleet name: container-name prefix and label value.
    #[arg(long, default_value = "ci-bot-runner")]
    name: String,
}

#[derive(clap::Args)]
struct Access {
    /// File holding the admin token (else GITHUB_TOKEN). Needs admin rights
    /// on the repo (registration tokens, removing runners).
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// Seconds a new runner gets to register and go online.
    #[arg(long, default_value_t = 300)]
    registration_timeout: u64,
    /// Seconds to wait for a busy runner to finish its job before giving up.
    #[arg(long, default_value_t = 3600)]
    drain_timeout: u64,
}

#[derive(clap::Args)]
struct UpArgs {
    #[command(flatten)]
    fleet: FleetName,
    #[command(flatten)]
    access: Access,
    /// owner/repo the runners serve.
    #[arg(long)]
    repo: String,
    /// Runner image (see the README for its Dockerfile).
    #[arg(long)]
    image: String,
    /// Number of runners.
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// Custom runner labels, comma-separated.
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// CPUs per runner.
    #[arg(long, default_value_t = 2.0)]
    cpus: f64,
    /// Memory per runner (e.g. 4g, 512m).
    #[arg(long, default_value = "4g")]
    memory: String,
    /// Process limit per runner.
    #[arg(long, default_value_t = 4096)]
    pids: i64,
    /// Log rotation: size of one file.
    #[arg(long, default_value = "50m")]
    log_max_size: String,
    /// Log rotation: files kept.
    #[arg(long, default_value_t = 5)]
    log_max_file: u32,
    /// Where the per-runner tool-cache volume is mounted.
    #[arg(long, default_value = "/opt/hostedtoolcache")]
    tool_cache: String,
    /// GitHub web URL (GHES: your server).
    #[arg(long, default_value = "https://github.com")]
    server_url: String,
    /// REST API URL as seen from inside the containers (default: GITHUB_API_URL or api.github.com).
    #[arg(long)]
    runner_api_url: Option<String>,
    /// Docker network for the containers (default: the bridge).
    #[arg(long)]
    network: Option<String>,
    /// Extra non-secret environment for runners, KEY=VALUE (repeatable).
    #[arg(long = "env")]
    env: Vec<String>,
    /// Command that receives the registration token on stdin inside a
    /// runner (default: the image's entrypoint plus `receive-token`).
    #[arg(long)]
    token_receiver: Option<String>,
    /// Also run the host (`ci-bot host`) as a container.
    #[arg(long)]
    with_host: bool,
    /// Image of the host (the bot's image).
    #[arg(long, default_value = "ghcr.io/bingxche/sglang-ci-bot:v1")]
    host_image: String,
    /// File with the host's GitHub token (absolute path; mounted read-only).
    #[arg(long)]
    host_token_file: Option<PathBuf>,
    /// The bot's config file for the host's comment watcher (mounted
    /// read-only); with `--host-env CI_BOT_HOST_WATCH_REPO=owner/app`.
    #[arg(long)]
    host_config: Option<PathBuf>,
    /// Non-secret host settings, e.g. CI_BOT_HOST_INTERVAL_SECS=1800 (repeatable).
    #[arg(long = "host-env")]
    host_env: Vec<String>,
    /// Port of the host's /healthz inside its container.
    #[arg(long, default_value_t = 8080)]
    host_health_port: u16,
}

#[derive(clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    fleet: FleetName,
    #[command(flatten)]
    access: Access,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct LogsArgs {
    #[command(flatten)]
    fleet: FleetName,
    /// Runner slot number, or `host`.
    target: String,
    /// Keep streaming.
    #[arg(long, short)]
    follow: bool,
    /// Last N lines only.
    #[arg(long)]
    tail: Option<u32>,
}

#[derive(clap::Args)]
struct DownArgs {
    #[command(flatten)]
    fleet: FleetName,
    #[command(flatten)]
    access: Access,
    /// Also remove the named volumes (tool caches, host state).
    #[arg(long)]
    volumes: bool,
}

#[derive(clap::Args)]
struct RollArgs {
    #[command(flatten)]
    fleet: FleetName,
    #[command(flatten)]
    access: Access,
    /// The new runner image.
    #[arg(long)]
    image: String,
    /// Replace runners that already run this image too.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async move {
        let engine = Engine::connect().await?;
        match args.command {
            Command::Up(a) => {
                let spec = spec_of(&a)?;
                let gh = admin_client(&a.access, a.count).await?;
                let fleet = fleet(&engine, &gh, &a.access);
                let out = fleet.up(&spec, false).await?;
                Ok(finish(&spec.name, &out))
            }
            Command::Roll(a) => {
                let gh = admin_client(&a.access, 100).await?;
                let out = fleet(&engine, &gh, &a.access).roll(&a.fleet.name, &a.image, a.force).await?;
                Ok(finish(&a.fleet.name, &out))
            }
            Command::Down(a) => {
                let gh = admin_client(&a.access, 100).await?;
                let out = fleet(&engine, &gh, &a.access).down(&a.fleet.name, a.volumes).await?;
                Ok(finish(&a.fleet.name, &out))
            }
            Command::Status(a) => {
                let gh = admin_client(&a.access, 0).await?;
                let rows = fleet(&engine, &gh, &a.access).status(&a.fleet.name).await?;
                if a.json {
                    say(&serde_json::to_string_pretty(&rows)?);
                } else if rows.is_empty() {
                    say(&format!("no fleet {} on this Docker engine", a.fleet.name));
                } else {
                    say(ci_fleet::render_table(&rows).trim_end());
                }
                Ok(0)
            }
            Command::Logs(a) => logs(&engine, &a).await,
        }
    })
}

fn fleet<'a>(engine: &'a Engine, gh: &'a Client, access: &Access) -> Fleet<'a, Client> {
    Fleet::new(engine, gh)
        .timing(Timing {
            registration_timeout: Duration::from_secs(access.registration_timeout),
            drain_timeout: Duration::from_secs(access.drain_timeout),
            ..Timing::default()
        })
        .observe(|e| say(&e.to_string()))
}

fn finish(name: &str, out: &Outcome) -> i32 {
    if out.is_ok() {
        say(&format!("fleet {name}: done"));
        0
    } else {
        for e in &out.errors {
            eprintln!("ci-bot fleet: error: {e}");
        }
        1
    }
}

/// The admin client: the operator's token, a write budget sized to the job.
async fn admin_client(access: &Access, count: u32) -> Result<Client> {
    let token = match &access.admin_token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    let builder = Client::builder_from_env(token)?.configure(|c| c.write_budget = count.saturating_mul(4) + 50);
    Ok(builder.build().await?)
}

fn spec_of(a: &UpArgs) -> Result<FleetSpec> {
    let runner_api_url = a
        .runner_api_url
        .clone()
        .or_else(|| std::env::var("GITHUB_API_URL").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "https://api.github.com".into());
    let host = if a.with_host {
        let Some(token_file) = a.host_token_file.clone() else {
            bail!("--with-host needs --host-token-file (the host's GitHub token, mounted read-only)");
        };
        let token_file = std::fs::canonicalize(&token_file)
            .with_context(|| format!("--host-token-file {}", token_file.display()))?;
        let mut env = vec![format!("CI_BOT_HOST_REPO={}", a.repo), format!("GITHUB_API_URL={runner_api_url}")];
        env.extend(a.host_env.iter().cloned());
        let config_file = match &a.host_config {
            Some(c) => Some(std::fs::canonicalize(c).with_context(|| format!("--host-config {}", c.display()))?),
            None => None,
        };
        Some(HostSpec { image: a.host_image.clone(), token_file, env, health_port: a.host_health_port, config_file })
    } else {
        None
    };
    Ok(FleetSpec {
        name: a.fleet.name.clone(),
        repo: a.repo.clone(),
        image: a.image.clone(),
        count: a.count,
        labels: a.labels.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        limits: Limits { cpus: a.cpus, memory_bytes: parse_size(&a.memory)?, pids: a.pids },
        logs: LogRotation { max_size: a.log_max_size.clone(), max_file: a.log_max_file },
        tool_cache: a.tool_cache.clone(),
        server_url: a.server_url.clone(),
        runner_api_url,
        network: a.network.clone(),
        env: a.env.clone(),
        token_receiver: a.token_receiver.as_ref().map(|c| c.split_whitespace().map(str::to_string).collect()),
        host,
    })
}

/// `4g`, `512m`, `1048576`.
fn parse_size(s: &str) -> Result<i64> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let mult: i64 = match t[i..].trim_end_matches('b') {
                "" => 1,
                "k" => 1 << 10,
                "m" => 1 << 20,
                "g" => 1 << 30,
                _ => bail!("size {s:?}: use a number with k, m or g"),
            };
            (&t[..i], mult)
        }
        None => (t.as_str(), 1),
    };
    let n: f64 = num.trim().parse().with_context(|| format!("size {s:?}"))?;
    Ok((n * mult as f64) as i64)
}

async fn logs(engine: &Engine, a: &LogsArgs) -> Result<i32> {
    use futures_util::StreamExt;
    let slot = match a.target.as_str() {
        "host" => None,
        n => Some(n.parse::<u32>().with_context(|| format!("{n:?}: a runner number or `host`"))?),
    };
    let m = engine.member(&a.fleet.name, slot).await?;
    let mut stream = Box::pin(engine.logs(&m.id, a.follow, a.tail));
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        // The reader went away (`| head`): done, not an error.
        if stdout.write_all(chunk?.as_bytes()).and_then(|_| stdout.flush()).is_err() {
            break;
        }
    }
    Ok(0)
}

/// One line to stdout; a closed pipe (`| head`) is not worth a panic.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::{parse_size, spec_of, Command, UpArgs};
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Fleet {
        #[command(subcommand)]
        command: Command,
    }

    fn up(argv: &[&str]) -> UpArgs {
        let argv = ["fleet", "up", "--repo", "acme/bot", "--image", "my-runner:1"].iter().chain(argv);
        match Fleet::try_parse_from(argv).unwrap().command {
            Command::Up(a) => *a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn with_host_adds_the_host_container_its_token_a_file() {
        let dir = std::env::temp_dir().join(format!("ci-bot-fleet-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token = dir.join("bot.token");
        std::fs::write(&token, "ghp_x\n").unwrap();
        let a = up(&["--count", "3", "--with-host", "--host-token-file", token.to_str().unwrap(), "--host-env", "CI_BOT_HOST_REF=v1", "--runner-api-url", "http://gh.test"]);
        let spec = spec_of(&a).unwrap();
        spec.validate().unwrap();
        let host = spec.host.expect("--with-host manages the host");
        assert!(host.token_file.is_absolute());
        assert_eq!(host.env, ["CI_BOT_HOST_REPO=acme/bot", "GITHUB_API_URL=http://gh.test", "CI_BOT_HOST_REF=v1"]);
        assert!(spec_of(&up(&["--count", "3"])).unwrap().host.is_none(), "no host unless asked");

        let err = spec_of(&up(&["--with-host"])).unwrap_err().to_string();
        assert!(err.contains("--host-token-file"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4g").unwrap(), 4 << 30);
        assert_eq!(parse_size("512m").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5G").unwrap(), 3 << 29);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("4x").is_err());
    }
}
