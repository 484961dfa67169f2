//! `claude -p PROMPT --output-format json …`, faked for the sandbox tests.
//!
//! It looks around the sandbox it runs in, then does what the real CLI does
//! in print mode: one Messages API call to `$ANTHROPIC_BASE_URL` (with
//! `$ANTHROPIC_API_KEY` and `$ANTHROPIC_CUSTOM_HEADERS`), then one JSON
//! result object on stdout. What it saw travels to the fake LLM server as a
//! `SANDBOX-CHECKS {json}` line appended to the user message, so the test
//! asserts on what really crossed the proxy.
//!
//! Checks: environment variable names (and whether any value looks like a
//! GitHub token), the read-only checkout at /workspace, the read-only root
//! filesystem, the user id, TCP connects to every `PROBE ip:port` in the
//! prompt and to the default gateway, and a DNS query for an outside
//! name through Docker's embedded resolver.
//!
//! A prompt line `SLEEP n` makes it sleep n seconds first (timeout tests).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut prompt = String::new();
    let mut system = String::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-p" | "--print" if i + 1 < args.len() => {
                prompt = args[i + 1].clone();
                i += 1;
            }
            "--append-system-prompt" | "--system-prompt" if i + 1 < args.len() => {
                system = args[i + 1].clone();
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(n) = prompt.lines().find_map(|l| l.strip_prefix("SLEEP ")).and_then(|n| n.trim().parse().ok()) {
        std::thread::sleep(Duration::from_secs(n));
    }
    let checks = checks(&prompt);
    eprintln!("fake-claude checks: {checks}");
    let base = std::env::var("ANTHROPIC_BASE_URL").unwrap_or_default();
    let user = format!("{prompt}\nSANDBOX-CHECKS {checks}");
    match call(&base, &system, &user) {
        Ok((text, input, output)) => println!(
            "{{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"num_turns\":1,\"result\":{},\"session_id\":\"fake\",\"total_cost_usd\":0.0042,\"usage\":{{\"input_tokens\":{input},\"cache_read_input_tokens\":0,\"output_tokens\":{output}}}}}",
            json_str(&text)
        ),
        Err(e) => {
            eprintln!("fake-claude: API call failed: {e}");
            println!(
                "{{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,\"result\":{}}}",
                json_str(&e)
            );
            std::process::exit(1);
        }
    }
}

fn checks(prompt: &str) -> String {
    let mut env_names: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    env_names.sort();
    let token_like = std::env::vars()
        .filter(|(_, v)| ["ghp_", "ghs_", "gho_", "ghu_", "ghr_", "github_pat_"].iter().any(|p| v.contains(p)))
        .count();
    let readme = std::fs::read_to_string("/workspace/README.md").map(|s| s.lines().next().unwrap_or("").to_string());
    let ws_write = std::fs::write("/workspace/probe.txt", "x");
    let root_write = std::fs::write("/probe.txt", "x");
    let tmp_write = std::fs::write("/tmp/probe.txt", "x");
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string()))
        .unwrap_or_default();
    let mut targets: Vec<String> = prompt
        .split("PROBE ")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|s| s.to_string())
        .collect();
    if let Some(gw) = default_gateway() {
        let port = std::env::var("ANTHROPIC_BASE_URL").ok().and_then(|u| port_of(&u)).unwrap_or(80);
        targets.push(format!("{gw}:{port}"));
        targets.push(format!("{gw}:22"));
    }
    targets.push("1.1.1.1:443".into());
    let probes: Vec<String> = targets
        .iter()
        .map(|t| {
            let r = match t.parse::<SocketAddr>() {
                Ok(a) => match TcpStream::connect_timeout(&a, Duration::from_secs(2)) {
                    Ok(_) => "connected".to_string(),
                    Err(e) => format!("refused: {e}"),
                },
                Err(_) => "bad address".to_string(),
            };
            format!("{}:{}", json_str(t), json_str(&r))
        })
        .collect();
    let res = |r: Result<(), std::io::Error>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("error: {e}"),
    };
    format!(
        "{{\"env_names\":[{}],\"token_like_values\":{token_like},\"workspace_readme\":{},\"workspace_write\":{},\"root_write\":{},\"tmp_write\":{},\"uid\":{},\"probes\":{{{}}},\"dns\":{}}}",
        env_names.iter().map(|n| json_str(n)).collect::<Vec<_>>().join(","),
        json_str(&readme.unwrap_or_else(|e| format!("error: {e}"))),
        json_str(&res(ws_write)),
        json_str(&res(root_write)),
        json_str(&res(tmp_write)),
        json_str(&uid),
        probes.join(","),
        json_str(&dns_probe()),
    )
}

/// The default route's gateway from /proc/net/route (little-endian hex).
fn default_gateway() -> Option<String> {
    let routes = std::fs::read_to_string("/proc/net/route").ok()?;
    for l in routes.lines().skip(1) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() > 2 && f[1] == "00000000" {
            let g = u32::from_str_radix(f[2], 16).ok()?.to_le_bytes();
            return Some(format!("{}.{}.{}.{}", g[0], g[1], g[2], g[3]));
        }
    }
    None
}

/// Ask Docker's embedded resolver for an outside name.
fn dns_probe() -> String {
    let sock = match UdpSocket::bind("0.0.0.0:0") {
        Ok(s) => s,
        Err(e) => return format!("no socket: {e}"),
    };
    let _ = sock.set_read_timeout(Some(Duration::from_secs(3)));
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in "example.com".split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    if let Err(e) = sock.send_to(&q, "127.0.0.11:53") {
        return format!("no answer: {e}");
    }
    let mut buf = [0u8; 512];
    match sock.recv(&mut buf) {
        Ok(n) if n >= 12 => {
            let rcode = buf[3] & 0x0f;
            let answers = u16::from_be_bytes([buf[6], buf[7]]);
            if rcode == 0 && answers > 0 { format!("resolved ({answers} answers)") } else { format!("no answer (rcode {rcode})") }
        }
        Ok(_) => "no answer (short reply)".into(),
        Err(e) => format!("no answer: {e}"),
    }
}

fn port_of(url: &str) -> Option<u16> {
    let rest = url.split_once("://")?.1;
    let hostport = rest.split('/').next()?;
    match hostport.rsplit_once(':') {
        Some((_, p)) => p.parse().ok(),
        None => Some(if url.starts_with("https") { 443 } else { 80 }),
    }
}

/// One non-streaming Messages call over plain HTTP/1.1.
fn call(base: &str, system: &str, user: &str) -> Result<(String, u64, u64), String> {
    let rest = base.strip_prefix("http://").ok_or_else(|| format!("only http:// in the fake, got {base:?}"))?;
    let (hostport, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, String::new()));
    let (host, port) = hostport.rsplit_once(':').map(|(h, p)| (h, p.parse().unwrap_or(80))).unwrap_or((hostport, 80));
    let ip = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip,
        Err(_) => hosts_file(host).ok_or_else(|| format!("{host} is not in /etc/hosts"))?,
    };
    let path = format!("{}/v1/messages", path.trim_end_matches('/'));
    let model = std::env::var("ANTHROPIC_MODEL").unwrap_or_else(|_| "claude".into());
    let body = format!(
        "{{\"model\":{},\"max_tokens\":1024,\"system\":{},\"messages\":[{{\"role\":\"user\",\"content\":{}}}]}}",
        json_str(&model),
        json_str(system),
        json_str(user)
    );
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\nanthropic-version: 2023-06-01\r\n",
        body.len()
    );
    if let Ok(k) = std::env::var("ANTHROPIC_API_KEY") {
        req.push_str(&format!("x-api-key: {k}\r\n"));
    }
    for h in std::env::var("ANTHROPIC_CUSTOM_HEADERS").unwrap_or_default().lines().filter(|l| l.contains(':')) {
        req.push_str(h.trim());
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    req.push_str(&body);
    let mut s = TcpStream::connect_timeout(&SocketAddr::new(ip, port), Duration::from_secs(5)).map_err(|e| format!("connect {ip}:{port}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(|e| e.to_string())?;
    let resp = String::from_utf8_lossy(&resp);
    let status = resp.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(format!("HTTP {status}"));
    }
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let text = json_field_str(body, "\"text\":").ok_or("no text in the answer")?;
    let num = |k: &str| {
        body.split(k).nth(1).map(|r| r.trim_start_matches([':', ' ']).chars().take_while(char::is_ascii_digit).collect::<String>()).and_then(|d| d.parse().ok()).unwrap_or(0)
    };
    Ok((text, num("\"input_tokens\""), num("\"output_tokens\"")))
}

fn hosts_file(host: &str) -> Option<std::net::IpAddr> {
    let hosts = std::fs::read_to_string("/etc/hosts").ok()?;
    hosts.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        let ip = f.next()?;
        f.any(|n| n == host).then(|| ip.parse().ok()).flatten()
    })
}

/// The JSON string value after `key` (first occurrence), unescaped.
fn json_field_str(body: &str, key: &str) -> Option<String> {
    let rest = body.split_once(key)?.1.trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
