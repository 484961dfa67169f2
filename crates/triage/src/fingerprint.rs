//! Stable identity for a failure: the same failure on another day, runner,
//! shard or machine must get the same fingerprint.
//!
//! `v1:` + hex(sha256(normalised message, rule name, test id)). The version
//! prefix lets a future normalisation change coexist with stored ids instead
//! of silently splitting every group.

use regex::Regex;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const FINGERPRINT_VERSION: &str = "v1";

struct Norm {
    re: Regex,
    with: &'static str,
}

static NORMS: LazyLock<Vec<Norm>> = LazyLock::new(|| {
    let n = |re: &str, with: &'static str| Norm { re: Regex::new(re).expect("static regex"), with };
    vec![
        // Dates and times (ISO, `HH:MM:SS`, with fractions and zones).
        n(r"\d{4}-\d{2}-\d{2}[T _]\d{2}[:_]\d{2}[:_]\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?", "<ts>"),
        n(r"\b\d{4}-\d{2}-\d{2}\b", "<date>"),
        n(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>"),
        // UUIDs, then hex: `0x...`, and long hex runs with a digit (commit
        // shas, container ids, object addresses).
        n(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>"),
        n(r"(?i)\b0x[0-9a-f]+\b", "<hex>"),
        n(r"(?i)\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*\b", "<hexid>"),
        // Temporary and per-runner paths.
        n(r#"(?:/tmp|/var/folders|/private/var/folders|/dev/shm)/[^\s'":,)\]]*"#, "<tmp>"),
        n(r#"(?i)[A-Z]:\\(?:Users\\[^\\\s]+\\AppData\\Local\\)?Temp\\[^\s'":,)\]]*"#, "<tmp>"),
        n(r"/home/runner/work/[^/\s]+/[^/\s]+/", ""),
        n(r"/__w/[^/\s]+/[^/\s]+/", ""),
        n(r"(?i)\b[A-Z]:\\a\\[^\\\s]+\\[^\\\s]+\\", ""),
        n(r"/home/travis/build/[^/\s]+/[^/\s]+/", ""),
        // IPs and ports.
        n(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", "<ip>"),
        n(r"(?i)\b(localhost|<ip>|\[::1?\]|0\.0\.0\.0)(?::\d{1,5})\b", "$1:<port>"),
        n(r"(?i)\bport\s*[:=]?\s*\d{2,5}\b", "port <port>"),
        // Durations and sizes that change run to run.
        n(r"(?i)\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|mins?|minutes?|h|hours?)\b", "<dur>"),
        n(r"(?i)\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes)\b", "<size>"),
        // Numbers inside identifiers (`worker-3`, `pytest-12`, `shard_2`, `file.py:123`),
        // and long standalone numbers (pids, run ids). Short standalone numbers
        // (exit codes, asserted values) stay: they distinguish failures.
        n(r"([A-Za-z_\-./:#\[])\d+", "$1#"),
        n(r"\d+([A-Za-z_\-./:\]])", "#$1"),
        n(r"\b\d{4,}\b", "#"),
    ]
});

/// Remove everything from a failure message that differs between two runs
/// of the same failure.
pub fn normalise(message: &str) -> String {
    let mut s = message.trim().to_string();
    for n in NORMS.iter() {
        if n.re.is_match(&s) {
            s = n.re.replace_all(&s, n.with).into_owned();
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of one failure.
pub fn fingerprint(message: &str, rule: &str, test_id: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(normalise(message).as_bytes());
    h.update([0]);
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(test_id.unwrap_or("").as_bytes());
    let d = h.finalize();
    let mut out = String::with_capacity(3 + 64);
    out.push_str(FINGERPRINT_VERSION);
    out.push(':');
    for b in d.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_failure_on_other_day_runner_and_shard_has_same_id() {
        let a = fingerprint(
            "2025-03-24T03:21:39Z ConnectionError: HTTPConnectionPool(host='localhost', port=31337): Max retries exceeded (pid 48213) after 12.5s in /tmp/pytest-of-runner/pytest-12/test_x0 on worker-3",
            "python-exception",
            Some("tests/test_server.py::test_start"),
        );
        let b = fingerprint(
            "2025-04-02T11:07:01Z ConnectionError: HTTPConnectionPool(host='localhost', port=40211): Max retries exceeded (pid 977112) after 3.1s in /tmp/pytest-of-runner/pytest-7/test_x1 on worker-11",
            "python-exception",
            Some("tests/test_server.py::test_start"),
        );
        assert_eq!(a, b);
        assert!(a.starts_with("v1:") && a.len() == 3 + 64);
    }

    #[test]
    fn runner_paths_hex_and_ids_are_normalised() {
        assert_eq!(
            normalise("/home/runner/work/sglang/sglang/python/x.py:123: error at 0x7f3a2b1c commit 9cd2dd0a1b"),
            normalise("/home/runner/work/sglang/sglang/python/x.py:140: error at 0x55aa00ff commit 1234abcd99")
        );
        assert_eq!(normalise("container 3f2a9c81b7e4 exited"), "container <hexid> exited");
        assert_eq!(normalise("D:\\a\\uv\\uv\\crates\\x.rs"), "crates\\x.rs");
    }

    #[test]
    fn different_failures_differ() {
        let t = Some("t::a");
        assert_ne!(fingerprint("exit code 1", "r", t), fingerprint("exit code 137", "r", t));
        assert_ne!(fingerprint("boom", "rule-a", t), fingerprint("boom", "rule-b", t));
        assert_ne!(fingerprint("boom", "r", Some("t::a")), fingerprint("boom", "r", Some("t::b")));
        assert_ne!(normalise("expected 3 got 4"), normalise("expected 3 got 5"));
    }
}
