//! Stable identity for a failure: the same failure on another day, runner,
//! shard or machine must get the same fingerprint.
//!
//! `v1:` + hex(sha256(normalised message, rule name, test id)). The version
//! prefix lets a future normalisation change coexist with stored ids instead
//! of silently splitting every group.

use regex_automata::meta;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const FINGERPRINT_VERSION: &str = "v1";

/// One normalisation, compiled on first use in the form the message
/// needs: compiling all twenty Unicode patterns was ~29 M instructions
/// (~5 ms), most of what `analyze-log` spends on a small log after its
/// scan, and messages are almost always ASCII. On ASCII text the `(?-u)`
/// twin over bytes matches and replaces exactly as the Unicode pattern
/// does (`\d`, `\s`, `\b`, `(?i)` and negated classes differ only on
/// non-ASCII characters), and every replacement is ASCII, so an ASCII
/// message stays ASCII through the chain.
///
/// Both are meta regexes without lazy DFAs, one-pass DFA or prefilter:
/// messages are short (clipped to 300 bytes), where the backtracker is
/// as quick, and those engines (and the reverse NFA the DFAs need) were
/// most of a compile: the 80 fingerprints of 200 MB of logs cost 44.6 M
/// instructions, ~40 M of them compiling (21 M for the 13 Unicode
/// patterns that 8 CJK messages needed). They run as `regex`'s
/// `replace_all` does (same iterator, same `$1` expansion).
struct Norm {
    src: &'static str,
    re: std::sync::OnceLock<meta::Regex>,
    /// `None`: `(?-u)` rejects the pattern; the Unicode one serves.
    ascii: std::sync::OnceLock<Option<meta::Regex>>,
    with: &'static str,
    /// Every match holds an ASCII digit (on ASCII text): a message
    /// without one skips the pattern, and no replacement adds a digit
    /// (`$1` of the port rule only re-inserts what it matched).
    digit: bool,
    /// Every match holds one of these bytes (empty: no such byte): an
    /// ASCII message without any skips the pattern, and its compile.
    need: &'static [u8],
}

/// `src` as `regex::Regex::new` (`unicode`) or `regex::bytes::Regex::new`
/// of `(?-u)src` would match, without the engines short texts do not need.
fn lean(src: &str, unicode: bool) -> Option<meta::Regex> {
    use regex_automata::util::syntax;
    let config = meta::Config::new().hybrid(false).dfa(false).onepass(false).auto_prefilter(false);
    let (config, syntax) = if unicode {
        (config.utf8_empty(true), syntax::Config::new().utf8(true))
    } else {
        (config.utf8_empty(false), syntax::Config::new().unicode(false).utf8(false))
    };
    meta::Builder::new().configure(config).syntax(syntax).build(src).ok()
}

/// `regex`'s `replace_all(hay, with)`: every match replaced, `$name`
/// expanded when `with` holds a `$`. `None` when nothing matched.
fn replace_all(re: &meta::Regex, hay: &[u8], with: &str) -> Option<Vec<u8>> {
    let (mut out, mut last, mut matched) = (Vec::new(), 0, false);
    if !with.contains('$') {
        for m in re.find_iter(hay) {
            out.extend_from_slice(&hay[last..m.start()]);
            out.extend_from_slice(with.as_bytes());
            (last, matched) = (m.end(), true);
        }
    } else {
        for caps in re.captures_iter(hay) {
            let Some(m) = caps.get_match() else { continue };
            out.extend_from_slice(&hay[last..m.start()]);
            caps.interpolate_bytes_into(hay, with.as_bytes(), &mut out);
            (last, matched) = (m.end(), true);
        }
    }
    out.extend_from_slice(&hay[last..]);
    matched.then_some(out)
}

impl Norm {
    fn unicode(&self) -> &meta::Regex {
        self.re.get_or_init(|| lean(self.src, true).expect("static regex"))
    }

    fn ascii(&self) -> Option<&meta::Regex> {
        self.ascii.get_or_init(|| lean(&format!("(?-u){}", self.src), false)).as_ref()
    }

    fn apply_unicode(&self, s: String) -> String {
        // Matches of a UTF-8 regex on valid UTF-8 fall on char
        // boundaries, and replacements are UTF-8: the output is too.
        match replace_all(self.unicode(), s.as_bytes(), self.with) {
            Some(out) => String::from_utf8(out).unwrap_or_default(),
            None => s,
        }
    }
}

static NORMS: LazyLock<Vec<Norm>> = LazyLock::new(|| {
    let norm = |src: &'static str, with: &'static str, digit: bool, need: &'static [u8]| Norm {
        src,
        re: std::sync::OnceLock::new(),
        ascii: std::sync::OnceLock::new(),
        with,
        digit,
        need,
    };
    // `d`: a pattern none of whose matches lacks an ASCII `\d` or `0`;
    // `n`: one that can match without a digit (a UUID of letters, a path).
    // The last argument: the bytes one of which every match holds.
    let d = |src, with, need| norm(src, with, true, need);
    let n = |src, with, need| norm(src, with, false, need);
    vec![
        // Dates and times (ISO, `HH:MM:SS`, with fractions and zones).
        d(r"\d{4}-\d{2}-\d{2}[T _]\d{2}[:_]\d{2}[:_]\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?", "<ts>", b"-"),
        d(r"\b\d{4}-\d{2}-\d{2}\b", "<date>", b"-"),
        d(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>", b":"),
        // UUIDs, then hex: `0x...`, and long hex runs with a digit (commit
        // shas, container ids, object addresses).
        n(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>", b"-"),
        d(r"(?i)\b0x[0-9a-f]+\b", "<hex>", b"xX"),
        d(r"(?i)\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*\b", "<hexid>", b""),
        // Temporary and per-runner paths.
        n(r#"(?:/tmp|/var/folders|/private/var/folders|/dev/shm)/[^\s'":,)\]]*"#, "<tmp>", b"/"),
        n(r#"(?i)[A-Z]:\\(?:Users\\[^\\\s]+\\AppData\\Local\\)?Temp\\[^\s'":,)\]]*"#, "<tmp>", b"\\"),
        n(r"/home/runner/work/[^/\s]+/[^/\s]+/", "", b"/"),
        n(r"/__w/[^/\s]+/[^/\s]+/", "", b"/"),
        n(r"(?i)\b[A-Z]:\\a\\[^\\\s]+\\[^\\\s]+\\", "", b"\\"),
        n(r"/home/travis/build/[^/\s]+/[^/\s]+/", "", b"/"),
        // IPs and ports.
        d(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", "<ip>", b"."),
        d(r"(?i)\b(localhost|<ip>|\[::1?\]|0\.0\.0\.0)(?::\d{1,5})\b", "$1:<port>", b":"),
        d(r"(?i)\bport\s*[:=]?\s*\d{2,5}\b", "port <port>", b"pP"),
        // Durations and sizes that change run to run.
        d(r"(?i)\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|mins?|minutes?|h|hours?)\b", "<dur>", b""),
        d(r"(?i)\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes)\b", "<size>", b""),
        // Numbers inside identifiers (`worker-3`, `pytest-12`, `shard_2`, `file.py:123`),
        // and long standalone numbers (pids, run ids). Short standalone numbers
        // (exit codes, asserted values) stay: they distinguish failures.
        d(r"([A-Za-z_\-./:#\[])\d+", "$1#", b""),
        d(r"\d+([A-Za-z_\-./:\]])", "#$1", b""),
        d(r"\b\d{4,}\b", "#", b""),
    ]
});

/// Remove everything from a failure message that differs between two runs
/// of the same failure.
pub fn normalise(message: &str) -> String {
    let mut s = message.trim().to_string();
    if s.is_ascii() {
        let mut digits = s.bytes().any(|b| b.is_ascii_digit());
        for n in NORMS.iter() {
            if n.digit && !digits || !n.need.is_empty() && !s.bytes().any(|b| n.need.contains(&b)) {
                continue;
            }
            match n.ascii() {
                Some(re) => match replace_all(re, s.as_bytes(), n.with) {
                    // ASCII in, ASCII replacements out.
                    Some(out) => s = String::from_utf8(out).unwrap_or_default(),
                    None => continue,
                },
                None => s = n.apply_unicode(s),
            }
            digits = s.bytes().any(|b| b.is_ascii_digit());
        }
    } else {
        // The same skips with Unicode classes: the needed bytes are ASCII
        // literals either way, and `char::is_numeric` holds for every
        // character `\d` matches (and more).
        let mut digits = s.chars().any(char::is_numeric);
        for n in NORMS.iter() {
            if n.digit && !digits || !n.need.is_empty() && !s.bytes().any(|b| n.need.contains(&b)) {
                continue;
            }
            s = n.apply_unicode(s);
            digits = s.chars().any(char::is_numeric);
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
    fn every_pattern_has_an_ascii_twin() {
        for n in NORMS.iter() {
            assert!(n.ascii().is_some(), "{}", n.src);
        }
    }

    #[test]
    fn ascii_twins_normalise_like_the_unicode_patterns() {
        // Messages of the fixture logs' kinds, with and without digits.
        let msgs = [
            "2025-03-24T03:21:39Z ConnectionError: HTTPConnectionPool(host='localhost', port=31337): Max retries (pid 48213) after 12.5s",
            "FAILED tests/test_x.py::test_a - AssertionError: assert 3 == 4",
            "error[E0308]: mismatched types at src/lib.rs:12:5 in 0x7ffde0 deadbeef-dead-beef-dead-beefdeadbeef",
            "Could not connect to 127.0.0.1:5432 or [::1]:80 or localhost:8080 (took 1.5 minutes, 12 MiB)",
            "ModuleNotFoundError: No module named 'foo' in /tmp/pip-build/x and /home/runner/work/a/b/c.py",
            "C:\\Users\\runneradmin\\AppData\\Local\\Temp\\x y D:\\a\\uv\\uv\\crates",
            "worker-3 shard_2 file.py:123 0.0.0.0:9000 done in 10ms 3h",
            "plain words only, no digits at all",
            "Überprüfung fehlgeschlagen: ２ Fehler in /tmp/x/été.py:١٢ nach 3.5 s, ０x1f, Port ８０８０",
            "ошибка без цифр и путей",
            "ERROR: \"js-lint\" exited with 2.",
            "Error: Process completed with exit code 1; Port 8080 in use by 0x1f at C:\\a\\b\\c\\d",
        ];
        for m in msgs {
            let mut u = m.trim().to_string();
            for n in NORMS.iter() {
                u = n.apply_unicode(u);
            }
            let u = u.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalise(m), u, "{m}");
        }
    }

    #[test]
    fn lean_regexes_normalise_like_the_regex_crate() {
        // Every line of the fixture logs (~11,700, 146 non-ASCII):
        // `normalise` equals the chain of
        // `regex::Regex::replace_all` with the Unicode patterns, run on
        // every pattern without skips.
        let full: Vec<(regex::Regex, &str)> = NORMS.iter().map(|n| (regex::Regex::new(n.src).unwrap(), n.with)).collect();
        let (mut lines, mut wide) = (0, 0);
        for text in crate::testdata::fixture_texts() {
            for line in text.lines() {
                let mut want = line.trim().to_string();
                for (re, with) in &full {
                    want = re.replace_all(&want, *with).into_owned();
                }
                let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(normalise(line), want, "{line:?}");
                lines += 1;
                wide += usize::from(!line.is_ascii());
            }
        }
        assert!(lines > 10_000 && wide > 100, "lines {lines}, non-ASCII {wide}");
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
