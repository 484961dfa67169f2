//! Known secret values (configured tokens, secret environment variables,
//! `::add-mask::` values) and the encodings they travel in.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::kind::SecretKind;

/// Values shorter than this (after trimming) are not redacted. A short value
/// is weak whatever we do (it can be guessed), and matching it would blank
/// ordinary text all over a report: a secret set to `true`, `main` or `1234`
/// would turn every such word into a placeholder. GitHub's runner masks any
/// length; we only promise to remove values long enough to be credentials.
pub const MIN_SECRET_LEN: usize = 8;

/// At most this many distinct values (all encodings included) are kept, so a
/// hostile log full of `::add-mask::` lines cannot grow the matcher without
/// bound. Values past the cap are counted in [`KnownSet::dropped`].
pub(crate) const MAX_VALUES: usize = 16_384;
/// At most this many bytes of values in all.
pub(crate) const MAX_BYTES: usize = 4 << 20;

/// Admits distinct strings up to [`MAX_VALUES`] of them and [`MAX_BYTES`]
/// in all, counting the ones turned away.
#[derive(Debug, Clone, Default)]
pub(crate) struct Admission {
    seen: HashSet<String>,
    bytes: usize,
    pub(crate) dropped: usize,
}

impl Admission {
    /// True when `s` is new and fits (and is now recorded).
    pub(crate) fn admit(&mut self, s: &str) -> bool {
        if self.seen.contains(s) {
            return false;
        }
        if self.seen.len() >= MAX_VALUES || self.bytes + s.len() > MAX_BYTES {
            self.dropped += 1;
            return false;
        }
        self.bytes += s.len();
        self.seen.insert(s.to_string());
        true
    }
}

/// The values, each with its kind, and a matcher over them.
#[derive(Clone, Default)]
pub(crate) struct KnownSet {
    /// Every searchable form of every value, with the kind of the value.
    pub(crate) forms: Vec<(String, SecretKind)>,
    pub(crate) admitted: Admission,
    matcher: Option<AhoCorasick>,
}

impl KnownSet {
    /// Adds a value and its encodings. Multi-line values are also added line
    /// by line (text is matched one line at a time, and a PEM key printed by
    /// `cat` shows up as separate lines).
    pub(crate) fn add(&mut self, kind: &SecretKind, value: &str) {
        let trimmed = value.trim();
        if trimmed.contains(['\n', '\r']) {
            for line in trimmed.split(['\n', '\r']) {
                self.add_line(kind, line.trim());
            }
        } else {
            self.add_line(kind, trimmed);
        }
    }

    fn add_line(&mut self, kind: &SecretKind, value: &str) {
        if value.len() < MIN_SECRET_LEN {
            return;
        }
        for form in encodings(value) {
            self.push(kind, form);
        }
    }

    fn push(&mut self, kind: &SecretKind, form: String) {
        if form.len() >= MIN_SECRET_LEN && self.admitted.admit(&form) {
            self.forms.push((form, kind.clone()));
            self.matcher = None;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// Builds the matcher; call after the last `add`.
    pub(crate) fn seal(&mut self) {
        if self.matcher.is_none() && !self.forms.is_empty() {
            // Leftmost-longest: of two values starting at one place, the
            // longer one (`x-access-token:` + token in base64, say) wins.
            self.matcher = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(self.forms.iter().map(|(f, _)| f.as_str()))
                .ok();
        }
    }

    /// The start of every occurrence of a value in `text`.
    pub(crate) fn starts(&self, text: &str, out: &mut Vec<usize>) {
        if let Some(m) = &self.matcher {
            out.extend(m.find_iter(text).map(|hit| hit.start()));
        }
    }

    /// Whether `line` holds any value.
    pub(crate) fn is_match(&self, line: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(line))
    }

    /// Every occurrence of a value in `line`, leftmost-longest.
    pub(crate) fn find<'a>(
        &'a self,
        line: &str,
        out: &mut impl FnMut(usize, usize, &'a SecretKind),
    ) {
        if let Some(m) = &self.matcher {
            for hit in m.find_iter(line) {
                out(
                    hit.start(),
                    hit.end(),
                    &self.forms[hit.pattern().as_usize()].1,
                );
            }
        }
    }
}

/// The forms a value is found in: itself, URL-encoded, escaped as a runner
/// command value (`%25`, `%0A`), and base64 (standard and URL-safe): whole,
/// as `x-access-token:VALUE` (git's `http.extraheader`), and as it appears
/// inside any longer base64 text (`user:VALUE` in a Basic header or a Docker
/// `config.json`), at each of the three byte alignments. Only the characters
/// that depend on the value alone are kept for the aligned forms, so they
/// match whatever precedes the value.
fn encodings(value: &str) -> Vec<String> {
    let mut out = vec![
        value.to_string(),
        url_encode(value, false),
        url_encode(value, true),
        runner_escape(value),
    ];
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        out.push(engine.encode(format!("x-access-token:{value}")));
        for pad in 0..3usize {
            let mut bytes = vec![0u8; pad];
            bytes.extend_from_slice(value.as_bytes());
            let encoded = engine.encode(&bytes);
            // Character j covers bits [6j, 6j+6); keep those inside the value.
            let first = (8 * pad).div_ceil(6);
            let last = (8 * bytes.len()) / 6; // exclusive
            if last > first {
                out.push(encoded[first..last].to_string());
            }
        }
    }
    out.dedup();
    out
}

fn url_encode(value: &str, lower_hex: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else if lower_hex {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How `::add-mask::` and other workflow commands escape their data.
fn runner_escape(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(set: &KnownSet, line: &str) -> Vec<String> {
        let mut v = Vec::new();
        set.find(line, &mut |s, e, _| v.push(line[s..e].to_string()));
        v
    }

    #[test]
    fn encodings_are_found() {
        let token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
        let mut set = KnownSet::default();
        set.add(&SecretKind::GITHUB_TOKEN, token);
        set.seal();
        let header = STANDARD_NO_PAD.encode(format!("x-access-token:{token}"));
        let line = format!("AUTHORIZATION: basic {header}=");
        assert_eq!(found(&set, &line), vec![header.clone()]);
        for user in ["u", "us", "use", "user"] {
            let basic = STANDARD_NO_PAD.encode(format!("{user}:{token}"));
            let hits = found(&set, &basic);
            assert_eq!(hits.len(), 1, "{user}: {basic}");
            assert!(hits[0].len() >= token.len() * 4 / 3 - 2);
        }
        let pw = "p@ss w/rd%1";
        set.add(&SecretKind::SECRET, pw);
        set.seal();
        assert_eq!(
            found(&set, "x=p%40ss%20w%2Frd%251&"),
            vec!["p%40ss%20w%2Frd%251"]
        );
        assert_eq!(
            found(&set, "::add-mask::p@ss w/rd%251"),
            vec!["p@ss w/rd%251"]
        );
    }

    #[test]
    fn short_values_and_lines_are_ignored() {
        let mut set = KnownSet::default();
        set.add(&SecretKind::SECRET, "  short \n");
        set.add(
            &SecretKind::SECRET,
            "-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\nab==\n-----END KEY-----",
        );
        set.seal();
        assert!(found(&set, "short").is_empty());
        assert_eq!(found(&set, "  MIIEowIBAAKCAQEA"), vec!["MIIEowIBAAKCAQEA"]);
        assert!(found(&set, "ab==").is_empty());
    }

    #[test]
    fn the_set_is_bounded() {
        let mut set = KnownSet::default();
        for i in 0..(MAX_VALUES + 10) {
            set.push(&SecretKind::MASKED, format!("value-{i:08}"));
        }
        assert_eq!(set.forms.len(), MAX_VALUES);
        assert_eq!(set.admitted.dropped, 10);
    }
}
