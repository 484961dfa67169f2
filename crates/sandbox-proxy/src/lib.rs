//! A TCP forwarder from one listening address to one upstream address:
//! the agent sandbox's only way out.
//!
//! The sandbox container sits on an internal Docker network with no route
//! anywhere (not even to the host); this proxy runs in a second container
//! attached to that network and to a normal one, and forwards every
//! connection to the LLM endpoint and nowhere else. It is layer 4, so TLS
//! stays end to end between the CLI and the endpoint (the sandbox resolves
//! the endpoint's host name to this proxy through `/etc/hosts`).
//!
//! The upstream is an IP address, resolved by the caller: a `FROM scratch`
//! image has no resolver, and resolving outside the sandbox means the
//! sandbox cannot steer where its traffic goes.
//!
//! Why std only: the test image is built `FROM scratch` from static
//! binaries on a machine with no registry, and a dependency-free crate links
//! statically in seconds.

#![warn(missing_docs)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// What to forward, and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen (`0.0.0.0:8080` in the proxy container).
    pub listen: SocketAddr,
    /// The one upstream (IP and port).
    pub upstream: SocketAddr,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed.
    pub idle: Duration,
}

impl Config {
    /// Parse `--listen ADDR --upstream IP:PORT [--max-connections N]
    /// [--idle-secs S]`.
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Self, String> {
        let mut listen = None;
        let mut upstream = None;
        let mut max_connections = 32;
        let mut idle = Duration::from_secs(300);
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            let mut val = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
            match a.as_str() {
                "--listen" => listen = Some(val("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?),
                "--upstream" => {
                    let v = val("--upstream")?;
                    upstream = Some(v.parse().map_err(|_| format!("--upstream must be IP:PORT (no host names), got {v:?}"))?)
                }
                "--max-connections" => {
                    max_connections = val("--max-connections")?.parse().map_err(|e| format!("--max-connections: {e}"))?
                }
                "--idle-secs" => {
                    idle = Duration::from_secs(val("--idle-secs")?.parse().map_err(|e| format!("--idle-secs: {e}"))?)
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Config {
            listen: listen.ok_or("--listen is required")?,
            upstream: upstream.ok_or("--upstream is required")?,
            max_connections: max_connections.max(1),
            idle,
        })
    }
}

/// Bind and serve forever. Prints one `sandbox-proxy listening …` line on
/// stdout once bound (the sandbox runner waits for it).
pub fn run(cfg: &Config) -> io::Result<()> {
    let listener = TcpListener::bind(cfg.listen)?;
    println!("sandbox-proxy listening on {} -> {}", listener.local_addr()?, cfg.upstream);
    io::stdout().flush()?;
    serve(listener, cfg)
}

/// Serve connections from `listener` (for tests: bind port 0 first).
pub fn serve(listener: TcpListener, cfg: &Config) -> io::Result<()> {
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let Ok(client) = conn else { continue };
        while active.load(Ordering::SeqCst) >= cfg.max_connections {
            thread::sleep(Duration::from_millis(20));
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (upstream, idle, active) = (cfg.upstream, cfg.idle, active.clone());
        thread::spawn(move || {
            let _ = forward(client, upstream, idle);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

fn forward(client: TcpStream, upstream: SocketAddr, idle: Duration) -> io::Result<()> {
    let server = TcpStream::connect_timeout(&upstream, Duration::from_secs(10))?;
    for s in [&client, &server] {
        s.set_read_timeout(Some(idle))?;
        s.set_nodelay(true)?;
    }
    let (c2, s2) = (client.try_clone()?, server.try_clone()?);
    let up = thread::spawn(move || pump(c2, s2));
    let _ = pump(server, client);
    let _ = up.join();
    Ok(())
}

/// Copy `from` → `to` until EOF, error or idle timeout, then half-close.
fn pump(mut from: TcpStream, mut to: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    let result = loop {
        match from.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                if let Err(e) = to.write_all(&buf[..n]) {
                    break Err(e);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        }
    };
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_both_ways_to_the_one_upstream() {
        let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
        let up_addr = upstream.local_addr().unwrap();
        thread::spawn(move || {
            for c in upstream.incoming() {
                let mut c = c.unwrap();
                let mut b = [0u8; 5];
                c.read_exact(&mut b).unwrap();
                c.write_all(&b.to_ascii_uppercase()).unwrap();
            }
        });
        let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        let cfg = Config { listen: proxy_addr, upstream: up_addr, max_connections: 2, idle: Duration::from_secs(5) };
        thread::spawn(move || serve(proxy, &cfg));
        for _ in 0..3 {
            let mut c = TcpStream::connect(proxy_addr).unwrap();
            c.write_all(b"hello").unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).unwrap();
            assert_eq!(out, "HELLO");
        }
    }

    #[test]
    fn args_are_checked() {
        let a = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let c = Config::from_args(a("--listen 0.0.0.0:8080 --upstream 10.0.0.2:443 --idle-secs 9")).unwrap();
        assert_eq!(c.upstream, "10.0.0.2:443".parse().unwrap());
        assert_eq!(c.idle, Duration::from_secs(9));
        assert!(Config::from_args(a("--listen 0.0.0.0:1 --upstream api.anthropic.com:443")).unwrap_err().contains("no host names"));
        assert_eq!(Config::from_args(a("--listen 0.0.0.0:1")).unwrap_err(), "--upstream is required");
    }
}
