//! Properties over generated text: redaction is idempotent, removes every
//! known value, agrees between the whole-text and streaming APIs, and never
//! panics.

use ci_redact::{LearnedSecrets, Redactor};
use proptest::prelude::*;

/// Pieces that exercise every path: anchors, separators, escapes, URL
/// parts, key block lines, commands, placeholders, multi-byte characters.
const PIECES: &[&str] = &[
    "token",
    "TOKEN",
    "Token=",
    "secret: ",
    "password=",
    "_KEY=",
    "apiKey",
    "auth",
    "Authorization: Bearer ",
    "Bearer ",
    "credential",
    "--api-key ",
    "ghp_",
    "ghs_",
    "github_pat_",
    "sk-",
    "sk-ant-api03-",
    "hf_",
    "npm_",
    "pypi-Ag",
    "dckr_pat_",
    "glpat-",
    "AKIA",
    "ASIA",
    "AIza",
    "xoxb-",
    "eyJ",
    ".eyJ",
    "sig=",
    "AccountKey=",
    "https://",
    "://",
    "@",
    ":",
    "/",
    "?",
    "&",
    "=",
    "\"",
    "'",
    "`",
    ",",
    ";",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\\_",
    "\\\\",
    "\\\"",
    "\u{200D}",
    "\u{200B}",
    "\u{FEFF}",
    "é",
    "…",
    "✓",
    "𝕏",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "MIIEowIBAAKCAQEA7bq3",
    "::add-mask::",
    "##[add-mask]",
    "+ echo '::add-mask::",
    "{REDACTED:jwt}",
    "{REDACTED:",
    "2025-01-02T03:04:05.0000000Z ",
    "hooks.slack.com/services/",
    "discord.com/api/webhooks/",
    "webhook.office.com/webhookb2/",
    "X-Amz-Signature=",
    "***",
    "${{ secrets.X }}",
    "$TOKEN",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(String::from),
        3 => "[A-Za-z0-9]{1,48}",
        1 => "[A-Za-z0-9+/=_.-]{8,40}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
}

/// A configured secret: 8 to 32 characters, punctuation and backslashes
/// included (they must survive URL encoding, base64 and escaping).
fn secret_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9!#%+_.~\\\\-]{7,31}"
}

/// 256 cases per property by default; `PROPTEST_CASES=20000` for a long
/// hunt.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn redacting_twice_is_redacting_once(t in text()) {
        let r = Redactor::new();
        let once = r.redact(&t).into_owned();
        let twice = r.redact(&once).into_owned();
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn no_known_value_survives(
        values in prop::collection::vec(secret_value(), 1..4),
        pieces in prop::collection::vec(piece(), 0..24),
        slots in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let r = values.iter().fold(Redactor::builder(), |b, v| b.secret("configured", v)).build().unwrap();
        // Put the values among the pieces, in random places and contexts.
        let mut parts = pieces.clone();
        for (k, slot) in slots.iter().enumerate() {
            let at = slot.index(parts.len() + 1);
            parts.insert(at, values[k % values.len()].clone());
        }
        let t = parts.concat();
        let out = r.redact(&t);
        for v in &values {
            prop_assert!(!out.contains(v.as_str()), "{:?} survived in {:?}", v, out);
        }
        let twice = r.redact(&out).into_owned();
        prop_assert_eq!(twice, out.into_owned());
    }

    #[test]
    fn streaming_agrees_with_the_whole_text(t in text()) {
        let mut r = Redactor::new();
        let mut learned = LearnedSecrets::new();
        learned.observe(&t);
        r.learn(&learned);
        let whole = r.redact(&t).into_owned();
        let mut lines = r.lines();
        let streamed: String = t.split_inclusive('\n').map(|l| lines.redact_line(l).into_owned()).collect();
        prop_assert_eq!(streamed, whole);
    }

    #[test]
    fn any_input_is_handled(t in any::<String>()) {
        let r = Redactor::builder().secret("configured", "configured-value-1").build().unwrap();
        let out = r.redact(&t);
        let findings = r.find(&t);
        prop_assert_eq!(findings.is_empty(), matches!(out, std::borrow::Cow::Borrowed(_)));
        for f in &findings {
            prop_assert!(f.start < f.end && t.is_char_boundary(f.start) && t.is_char_boundary(f.end));
        }
        let mut lines = r.lines();
        for l in t.split_inclusive('\n') {
            let _ = lines.redact_line(l);
        }
        let mut json = serde_json::json!({ "k": t, t.clone(): [t.clone(), 1] });
        let _ = r.redact_json(&mut json);
    }
}
