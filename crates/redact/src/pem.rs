//! Private key blocks, which span lines.
//!
//! `-----BEGIN … PRIVATE KEY-----` opens a block; every following line that
//! is key material (base64, or a `Proc-Type:`/`DEK-Info:` header, possibly
//! after a GitHub timestamp, indentation or a short `name |` prefix) is
//! redacted until `-----END … PRIVATE KEY-----`. The first line that is not
//! key material also ends the block, so a truncated key never swallows the
//! rest of a log. A block written on one line (JSON with `\n` escapes) is
//! redacted from BEGIN to END on that line, or to the end of the line. The
//! state is one flag: memory stays constant whatever the input.

use std::sync::LazyLock;

use regex::Regex;

static BEGIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("valid"));
static END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("valid"));
/// Key material after an optional short prefix (`web_1  | `, `> `).
static BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info|Comment|Version):.*|.{0,40}?[\s|>:]\s*[A-Za-z0-9+/]{40,}={0,2})\s*$")
        .expect("valid")
});

/// The part of a line that is key material.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PemLine {
    /// Not inside a block and no block starts here.
    Outside,
    /// Redact `start..end`; the block goes on after this line.
    Open { start: usize, end: usize },
    /// Redact `start..end`; the block is closed.
    Closed { start: usize, end: usize },
}

/// Classifies `line` given whether a block is open before it.
pub(crate) fn classify(line: &str, open: bool) -> PemLine {
    let text = line.trim_end_matches(['\r', '\n']);
    if open {
        let start = content_start(text);
        if let Some(end) = END.find(text) {
            return PemLine::Closed { start: start.min(end.start()), end: end.end() };
        }
        let content = &text[start..];
        if content.trim().is_empty() {
            return PemLine::Open { start, end: start };
        }
        if BODY.is_match(content) {
            return PemLine::Open { start, end: text.len() };
        }
        return PemLine::Outside;
    }
    let Some(begin) = BEGIN.find(text) else { return PemLine::Outside };
    match END.find_at(text, begin.end()) {
        Some(end) => PemLine::Closed { start: begin.start(), end: end.end() },
        None => PemLine::Open { start: begin.start(), end: text.len() },
    }
}

/// Where a line's own text starts: after a GitHub timestamp and indentation.
fn content_start(line: &str) -> usize {
    let rest = strip_timestamp(line);
    let rest = rest.trim_start();
    line.len() - rest.len()
}

/// `2024-01-02T03:04:05.1234567Z text` → `text` (GitHub Actions log lines).
pub(crate) fn strip_timestamp(line: &str) -> &str {
    let b = line.as_bytes();
    let shape = b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return line;
    }
    match b[19..].iter().position(|&c| c == b'Z') {
        Some(z) if b[19..19 + z].iter().all(|c| c.is_ascii_digit() || *c == b'.') => {
            let rest = &line[19 + z + 1..];
            rest.strip_prefix(' ').unwrap_or(rest)
        }
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_followed_line_by_line() {
        let ts = "2024-01-02T03:04:05.1234567Z ";
        let begin = format!("{ts}-----BEGIN RSA PRIVATE KEY-----");
        assert_eq!(classify(&begin, false), PemLine::Open { start: ts.len(), end: begin.len() });
        let body = format!("{ts}MIIEowIBAAKCAQEA7bq3");
        assert_eq!(classify(&body, true), PemLine::Open { start: ts.len(), end: body.len() });
        assert_eq!(classify("  Proc-Type: 4,ENCRYPTED", true), PemLine::Open { start: 2, end: 24 });
        assert_eq!(classify("", true), PemLine::Open { start: 0, end: 0 });
        let end = format!("{ts}Ab==-----END RSA PRIVATE KEY-----\r");
        assert_eq!(classify(&end, true), PemLine::Closed { start: ts.len(), end: end.len() - 1 });
        assert_eq!(classify("error: tests failed", true), PemLine::Outside);
        assert_eq!(classify("web_1  | MIIEowIBAAKCAQEA7bq3MIIEowIBAAKCAQEA7bq3MIIEowIBAAKCAQEA7bq3", true).is_open(), true);
    }

    #[test]
    fn one_line_blocks_and_public_material() {
        let json = r#"{"key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","x":1}"#;
        let PemLine::Closed { start, end } = classify(json, false) else { panic!() };
        assert_eq!(&json[..start], r#"{"key":""#);
        assert_eq!(&json[end..], r#"\n","x":1}"#);
        assert_eq!(classify("-----BEGIN CERTIFICATE-----", false), PemLine::Outside);
        assert_eq!(classify("-----BEGIN PUBLIC KEY-----", false), PemLine::Outside);
        assert!(classify("-----BEGIN OPENSSH PRIVATE KEY-----", false).is_open());
        assert!(classify("-----BEGIN PGP PRIVATE KEY BLOCK-----", false).is_open());
        assert!(classify("-----BEGIN ENCRYPTED PRIVATE KEY-----", false).is_open());
    }

    #[test]
    fn timestamps() {
        assert_eq!(strip_timestamp("2024-01-02T03:04:05.1234567Z ::add-mask::x"), "::add-mask::x");
        assert_eq!(strip_timestamp("2024-01-02T03:04:05Z x"), "x");
        assert_eq!(strip_timestamp("not a timestamp at all, no"), "not a timestamp at all, no");
        assert_eq!(strip_timestamp("2024-01-02T03:04:05.12x4567Z x"), "2024-01-02T03:04:05.12x4567Z x");
    }

    impl PemLine {
        fn is_open(&self) -> bool {
            matches!(self, PemLine::Open { .. })
        }
    }
}
