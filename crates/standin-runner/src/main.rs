//! `ci-fleet-standin`: a stand-in for GitHub's self-hosted runner, so the
//! fleet can be tested against a real Docker engine without GitHub.
//!
//! It follows the same contract as the runner image documented in the README
//! (section "Deploying a runner fleet and a host"):
//!
//! - `ci-fleet-standin receive-token`: reads one line from stdin (the
//!   registration token) and stores it, mode 0600, at `CI_BOT_RUNNER_TOKEN_FILE`
//!   on the tmpfs the fleet mounts. `ci-bot fleet` runs this through
//!   `docker exec` with the token on stdin: never in argv, env or a log.
//! - no argument: the runner. Unless already configured (credentials from an
//!   earlier start of this container), wait for the token file, read and
//!   delete it, register (`POST /actions/runner-registration` on the fake,
//!   standing for `config.sh --unattended --replace`), then heartbeat (standing
//!   for `run.sh`'s session). Exits 1 when GitHub says the registration is gone,
//!   as the real runner does.
//!
//! Only `http://` API URLs (the fake). std only: see Cargo.toml.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const DEFAULT_TOKEN_FILE: &str = "/run/ci-bot/registration-token";
const CREDENTIALS: &str = "/runner/.credentials";
const MAX_TOKEN_LEN: usize = 4096;

fn main() -> ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        Some("receive-token") => receive_token(),
        Some(other) => Err(format!("unknown argument {other:?} (expected none or receive-token)")),
        None => run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("standin-runner: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env(key: &str) -> Result<String, String> {
    std::env::var(key).ok().filter(|v| !v.is_empty()).ok_or_else(|| format!("{key} is not set"))
}

fn token_file() -> PathBuf {
    PathBuf::from(std::env::var("CI_BOT_RUNNER_TOKEN_FILE").unwrap_or_else(|_| DEFAULT_TOKEN_FILE.into()))
}

fn receive_token() -> Result<(), String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_TOKEN_LEN as u64)
        .read_line(&mut line)
        .map_err(|e| format!("reading the token from stdin: {e}"))?;
    let token = line.trim();
    if token.is_empty() {
        return Err("no token on stdin".into());
    }
    let path = token_file();
    let dir = path.parent().ok_or("token file has no directory")?;
    if !dir.is_dir() {
        return Err(format!("{} does not exist (the fleet mounts a tmpfs there)", dir.display()));
    }
    let tmp = path.with_extension("tmp");
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| format!("creating {}: {e}", tmp.display()))?;
        f.write_all(token.as_bytes()).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    }
    // A reader sees no file or the whole token, never half of it.
    std::fs::rename(&tmp, &path).map_err(|e| format!("renaming into {}: {e}", path.display()))?;
    eprintln!("standin-runner: registration token received");
    Ok(())
}

struct Settings {
    api: String,
    url: String,
    name: String,
    labels: Vec<String>,
    heartbeat: Duration,
    token_wait: Duration,
}

fn settings() -> Result<Settings, String> {
    let num = |key: &str, default: u64| -> Result<u64, String> {
        match std::env::var(key) {
            Ok(v) => v.parse().map_err(|_| format!("{key}={v:?} is not a number")),
            Err(_) => Ok(default),
        }
    };
    Ok(Settings {
        api: env("CI_BOT_RUNNER_API_URL")?.trim_end_matches('/').to_string(),
        url: env("CI_BOT_RUNNER_URL")?,
        name: env("CI_BOT_RUNNER_NAME")?,
        labels: std::env::var("CI_BOT_RUNNER_LABELS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        heartbeat: Duration::from_millis(num("CI_BOT_STANDIN_HEARTBEAT_MS", 1000)?),
        token_wait: Duration::from_secs(num("CI_BOT_RUNNER_TOKEN_WAIT_SECS", 300)?),
    })
}

fn run() -> Result<(), String> {
    let s = settings()?;
    println!("standin-runner {}: starting", s.name);
    let (id, credential) = match std::fs::read_to_string(CREDENTIALS) {
        Ok(saved) => {
            let mut lines = saved.lines();
            let id = lines.next().unwrap_or_default().to_string();
            let cred = lines.next().ok_or("corrupt credentials file")?.to_string();
            println!("standin-runner {}: already configured as runner {id}", s.name);
            (id, cred)
        }
        Err(_) => {
            let token = wait_for_token(&token_file(), s.token_wait)?;
            let (id, cred) = register(&s, &token)?;
            drop(token);
            std::fs::create_dir_all(Path::new(CREDENTIALS).parent().unwrap_or(Path::new("/")))
                .map_err(|e| format!("creating the runner directory: {e}"))?;
            std::fs::write(CREDENTIALS, format!("{id}\n{cred}\n")).map_err(|e| format!("saving credentials: {e}"))?;
            println!("standin-runner {}: registered as runner {id}", s.name);
            (id, cred)
        }
    };
    println!("standin-runner {}: Listening for Jobs", s.name);
    let mut unreachable_since: Option<Instant> = None;
    loop {
        match post(&s.api, "/actions/runner-heartbeat", &credential, "{}") {
            Ok((200, _)) => {
                if unreachable_since.take().is_some() {
                    println!("standin-runner {}: GitHub reachable again", s.name);
                }
            }
            Ok((401 | 404, _)) => {
                return Err(format!("runner {id}: the registration was deleted on GitHub; exiting"));
            }
            Ok((status, _)) | Err((status, _)) => {
                if unreachable_since.is_none() {
                    println!("standin-runner {}: heartbeat failed (HTTP {status}); retrying", s.name);
                    unreachable_since = Some(Instant::now());
                }
            }
        }
        std::thread::sleep(s.heartbeat);
    }
}

fn wait_for_token(path: &Path, wait: Duration) -> Result<String, String> {
    let start = Instant::now();
    loop {
        if let Ok(token) = std::fs::read_to_string(path) {
            // Used once: nothing inside the container keeps it afterwards.
            let _ = std::fs::remove_file(path);
            let token = token.trim().to_string();
            if !token.is_empty() {
                return Ok(token);
            }
        }
        if start.elapsed() > wait {
            return Err(format!("no registration token at {} after {}s", path.display(), wait.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn register(s: &Settings, token: &str) -> Result<(String, String), String> {
    let labels: Vec<String> = s.labels.iter().map(|l| json_string(l)).collect();
    let body = format!(
        "{{\"url\":{},\"name\":{},\"labels\":[{}],\"replace\":true}}",
        json_string(&s.url),
        json_string(&s.name),
        labels.join(",")
    );
    let (status, reply) = post(&s.api, "/actions/runner-registration", token, &body)
        .map_err(|(_, e)| format!("registering: {e}"))?;
    if status != 201 {
        return Err(format!("registering: HTTP {status}"));
    }
    let id = json_field(&reply, "id").ok_or("registration reply without id")?;
    let cred = json_field(&reply, "credential").ok_or("registration reply without credential")?;
    Ok((id, cred))
}

/// `POST {api}{path}` with a bearer; `(status, body)`. Errors carry 0 as status.
fn post(api: &str, path: &str, bearer: &str, body: &str) -> Result<(u16, String), (u16, String)> {
    let fail = |e: String| (0u16, e);
    let hostport = api.strip_prefix("http://").ok_or_else(|| fail(format!("{api}: only http:// is supported")))?;
    let hostport = hostport.split('/').next().unwrap_or(hostport);
    let mut stream = TcpStream::connect(hostport).map_err(|e| fail(format!("connecting to {hostport}: {e}")))?;
    let timeout = Some(Duration::from_secs(10));
    stream.set_read_timeout(timeout).and_then(|_| stream.set_write_timeout(timeout)).map_err(|e| fail(e.to_string()))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {bearer}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nUser-Agent: ci-fleet-standin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| fail(format!("sending: {e}")))?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).map_err(|e| fail(format!("reading: {e}")))?;
    let reply = String::from_utf8_lossy(&reply);
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail("no HTTP status line".into()))?;
    let body = reply.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value of a top-level string or number field in a flat JSON object
/// (the registration reply); enough for a stand-in, not a JSON parser.
fn json_field(body: &str, key: &str) -> Option<String> {
    let start = body.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = body[start..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        Some(s[..s.find('"')?].to_string())
    } else {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        (end > 0).then(|| rest[..end].to_string())
    }
}
