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

static BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("valid")
});
static END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("valid")
});
/// Key material after an optional short prefix (`web_1  | `, `> `).
static BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info|Comment|Version):.*|.{0,40}?[\s|>:]\s*[A-Za-z0-9+/]{40,}={0,2})\s*$")
        .expect("valid")
});

/// Reports the key material in `line` (`out(start, end)`), given whether a
/// block is open before it; returns whether a block is open after it.
pub(crate) fn scan(line: &str, open: bool, out: &mut impl FnMut(usize, usize)) -> bool {
    let text = line.trim_end_matches(['\r', '\n']);
    let mut pos = 0;
    if open {
        let start = content_start(text);
        if let Some(end) = END.find(text) {
            out(start.min(end.start()), end.end());
            pos = end.end();
        } else if text[start..].trim().is_empty() {
            return true;
        } else if BODY.is_match(&text[start..]) {
            out(start, text.len());
            return true;
        }
        // Not key material: the block ended without its END line; this
        // line is ordinary text (which may open a new block).
    }
    while let Some(begin) = BEGIN.find_at(text, pos) {
        match END.find_at(text, begin.end()) {
            Some(end) => {
                out(begin.start(), end.end());
                pos = end.end();
            }
            None => {
                out(begin.start(), text.len());
                return true;
            }
        }
    }
    false
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
        Some(z)
            if b[19..19 + z]
                .iter()
                .all(|c| c.is_ascii_digit() || *c == b'.') =>
        {
            let rest = &line[19 + z + 1..];
            rest.strip_prefix(' ').unwrap_or(rest)
        }
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(line: &str, open: bool) -> (Vec<(usize, usize)>, bool) {
        let mut v = Vec::new();
        let after = scan(line, open, &mut |s, e| v.push((s, e)));
        (v, after)
    }

    #[test]
    fn a_block_is_followed_line_by_line() {
        let ts = "2024-01-02T03:04:05.1234567Z ";
        let begin = format!("{ts}-----BEGIN RSA PRIVATE KEY-----");
        assert_eq!(spans(&begin, false), (vec![(ts.len(), begin.len())], true));
        let body = format!("{ts}MIIEowIBAAKCAQEA7bq3");
        assert_eq!(spans(&body, true), (vec![(ts.len(), body.len())], true));
        assert_eq!(
            spans("  Proc-Type: 4,ENCRYPTED", true),
            (vec![(2, 24)], true)
        );
        assert_eq!(spans("", true), (vec![], true));
        let end = format!("{ts}Ab==-----END RSA PRIVATE KEY-----\r");
        assert_eq!(spans(&end, true), (vec![(ts.len(), end.len() - 1)], false));
        assert_eq!(spans("error: tests failed", true), (vec![], false));
        let prefixed = "web_1  | MIIEowIBAAKCAQEA7bq3MIIEowIBAAKCAQEA7bq3MIIEowIBAAKCAQEA7bq3";
        assert_eq!(spans(prefixed, true), (vec![(0, prefixed.len())], true));
    }

    #[test]
    fn one_line_blocks_and_public_material() {
        let json =
            r#"{"key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","x":1}"#;
        let (v, open) = spans(json, false);
        assert!(!open);
        assert_eq!(&json[..v[0].0], r#"{"key":""#);
        assert_eq!(&json[v[0].1..], r#"\n","x":1}"#);
        let two = "-----BEGIN EC PRIVATE KEY-----a-----END EC PRIVATE KEY----- and -----BEGIN EC PRIVATE KEY-----b";
        let (v, open) = spans(two, false);
        assert_eq!((v.len(), open), (2, true));
        assert_eq!(spans("-----BEGIN CERTIFICATE-----", false), (vec![], false));
        assert_eq!(spans("-----BEGIN PUBLIC KEY-----", false), (vec![], false));
        assert!(spans("-----BEGIN OPENSSH PRIVATE KEY-----", false).1);
        assert!(spans("-----BEGIN PGP PRIVATE KEY BLOCK-----", false).1);
        assert!(spans("-----BEGIN ENCRYPTED PRIVATE KEY-----", false).1);
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            strip_timestamp("2024-01-02T03:04:05.1234567Z ::add-mask::x"),
            "::add-mask::x"
        );
        assert_eq!(strip_timestamp("2024-01-02T03:04:05Z x"), "x");
        assert_eq!(
            strip_timestamp("not a timestamp at all, no"),
            "not a timestamp at all, no"
        );
        assert_eq!(
            strip_timestamp("2024-01-02T03:04:05.12x4567Z x"),
            "2024-01-02T03:04:05.12x4567Z x"
        );
    }
}
