//! The secret corpus (`tests/fixtures/corpus.txt`): every marked secret is
//! replaced by its placeholder and every other byte stays, through the
//! whole-text API, the streaming API, and after the report's Markdown
//! escaping; redacting twice changes nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ci_redact::{LearnedSecrets, Redactor};

const FIXTURE: &str = include_str!("fixtures/corpus.txt");

/// A deterministic generator (xorshift64*), so the corpus is the same on
/// every run without a single token stored in the repository.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    /// `n` characters of `alphabet`, with the given characters forced in at
    /// spread-out positions so every class the shape needs is present.
    fn shaped(&mut self, alphabet: &[u8], n: usize, forced: &[&[u8]]) -> String {
        let mut s: Vec<u8> = self.pick(alphabet, n).into_bytes();
        for (k, class) in forced.iter().enumerate() {
            let pos = (k * 2 + 1) * n / (forced.len() * 2 + 1);
            s[pos] = class[(self.next() % class.len() as u64) as usize];
        }
        String::from_utf8(s).expect("ascii")
    }
}

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGIT: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const SYMBOL: &[u8] = b"!#%^*+?~_-";

fn alphabet(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Expands one `${…}` template; `None` if it is not one of ours (so
/// `${{ secrets.X }}` and `${HF_TOKEN}` stay literal).
fn generate(g: &mut Gen, spec: &str, values: &[(String, String)]) -> Option<String> {
    if let Some(reference) = spec.strip_prefix('=') {
        let (name, encoding) = reference.split_once('|').unwrap_or((reference, ""));
        let value = &values
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no value {name}"))
            .1;
        return Some(match encoding {
            "" => value.clone(),
            "url" => value
                .bytes()
                .map(
                    |b| match b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        true => (b as char).to_string(),
                        false => format!("%{b:02X}"),
                    },
                )
                .collect(),
            "git" => STANDARD.encode(format!("x-access-token:{value}")),
            "basic" => STANDARD.encode(format!("ci-bot:{value}")),
            other => panic!("unknown encoding {other}"),
        });
    }
    if spec == "uuid" {
        let h = g.pick(HEX, 32);
        return Some(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        ));
    }
    let (class, len) = spec.split_once(':')?;
    let n: usize = len.parse().ok()?;
    let alnum = alphabet(&[UPPER, LOWER, DIGIT]);
    Some(match class {
        "alnum" => g.shaped(&alnum, n, &[UPPER, LOWER, DIGIT]),
        "alnumdash" => g.shaped(
            &alphabet(&[UPPER, LOWER, DIGIT, b"_-"]),
            n,
            &[UPPER, LOWER, DIGIT, b"-"],
        ),
        "letters" => g.shaped(&alphabet(&[UPPER, LOWER]), n, &[UPPER, LOWER, UPPER, LOWER]),
        "hex" => g.shaped(HEX, n, &[b"abcdef", DIGIT]),
        "updig" => g.shaped(&alphabet(&[UPPER, DIGIT]), n, &[UPPER, DIGIT]),
        "digits" => g.pick(DIGIT, n),
        "b64" => g.shaped(
            &alphabet(&[UPPER, LOWER, DIGIT, b"+/"]),
            n,
            &[UPPER, LOWER, DIGIT],
        ),
        "b64url" => g.shaped(
            &alphabet(&[UPPER, LOWER, DIGIT, b"_-"]),
            n,
            &[UPPER, LOWER, DIGIT],
        ),
        "sym" => {
            let body = g.shaped(
                &alphabet(&[UPPER, LOWER, DIGIT, SYMBOL]),
                n - 1,
                &[UPPER, LOWER, DIGIT, SYMBOL],
            );
            format!("{}{body}", g.pick(&alnum, 1))
        }
        _ => return None,
    })
}

fn expand(g: &mut Gen, text: &str, values: &[(String, String)]) -> String {
    let text = text.replace("\\u200D", "\u{200D}");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after
            .find('}')
            .and_then(|j| generate(g, &after[..j], values).map(|s| (j, s)))
        {
            Some((j, s)) => {
                out.push_str(&s);
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

struct Corpus {
    input: String,
    expected: String,
    secrets: Vec<String>,
    known: Vec<(String, String)>,
}

fn corpus() -> Corpus {
    let mut g = Gen(0x5EC2_E75E_ED00_0001);
    let mut values: Vec<(String, String)> = Vec::new();
    let mut known: Vec<(String, String)> = Vec::new();
    let (mut input, mut expected, mut secrets) = (String::new(), String::new(), Vec::new());
    for line in FIXTURE.lines() {
        if line.starts_with("//") {
            continue;
        }
        if let Some(d) = line.strip_prefix("#! ") {
            let parts: Vec<&str> = d.splitn(4, ' ').collect();
            match parts[..] {
                ["known", kind, name, template] => {
                    let v = expand(&mut g, template, &values);
                    known.push((kind.to_string(), v.clone()));
                    values.push((name.to_string(), v));
                }
                ["value", name, ..] => {
                    let template = d.splitn(3, ' ').nth(2).expect("a template");
                    let v = expand(&mut g, template, &values);
                    values.push((name.to_string(), v));
                }
                _ => panic!("bad directive: {line}"),
            }
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find('«') {
            let plain = expand(&mut g, &rest[..i], &values);
            input.push_str(&plain);
            expected.push_str(&plain);
            let after = &rest[i + '«'.len_utf8()..];
            let j = after
                .find('»')
                .unwrap_or_else(|| panic!("unclosed marker: {line}"));
            let (kind, template) = after[..j]
                .split_once('|')
                .unwrap_or_else(|| panic!("marker without kind: {line}"));
            let secret = expand(&mut g, template, &values);
            input.push_str(&secret);
            expected.push_str(&format!("{{REDACTED:{kind}}}"));
            secrets.push(secret);
            rest = &after[j + '»'.len_utf8()..];
        }
        let plain = expand(&mut g, rest, &values);
        input.push_str(&plain);
        expected.push_str(&plain);
        input.push('\n');
        expected.push('\n');
    }
    Corpus {
        input,
        expected,
        secrets,
        known,
    }
}

fn redactor(c: &Corpus) -> Redactor {
    c.known
        .iter()
        .fold(Redactor::builder(), |b, (kind, v)| b.secret(kind, v))
        .build()
        .expect("no patterns")
}

/// Fails with the differing lines, not two walls of text.
fn assert_same(got: &str, want: &str, what: &str) {
    let diffs: Vec<String> = got
        .lines()
        .zip(want.lines())
        .enumerate()
        .filter(|(_, (g, w))| g != w)
        .map(|(i, (g, w))| format!("line {}:\n   got: {g}\n  want: {w}", i + 1))
        .collect();
    assert!(
        diffs.is_empty() && got.lines().count() == want.lines().count(),
        "{what}:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn every_secret_is_replaced_and_every_near_miss_stays() {
    let c = corpus();
    for kind in [
        "github-token",
        "url-password",
        "aws-access-key-id",
        "aws-secret-key",
        "url-signature",
        "gcp-api-key",
        "azure-key",
        "azure-sas",
        "slack-token",
        "slack-webhook",
        "discord-webhook",
        "teams-webhook",
        "jwt",
        "private-key",
        "npm-token",
        "pypi-token",
        "dockerhub-token",
        "huggingface-token",
        "openai-key",
        "anthropic-key",
        "gitlab-token",
        "assigned-secret",
        "auth-header",
        "deploy-key",
        "masked",
    ] {
        assert!(
            c.expected.contains(&format!("{{REDACTED:{kind}}}")),
            "the corpus has no {kind}"
        );
    }
    let r = redactor(&c);
    let out = r.redact(&c.input);
    assert_same(&out, &c.expected, "whole-text redaction");
    for s in &c.secrets {
        assert!(!out.contains(s.as_str()), "secret survived: {s}");
    }
}

#[test]
fn the_streaming_api_agrees_once_masks_are_learned() {
    let c = corpus();
    let mut r = redactor(&c);
    let mut learned = LearnedSecrets::new();
    for line in c.input.lines() {
        learned.observe(line);
    }
    assert_eq!(learned.len(), 2);
    r.learn(&learned);
    let mut lines = r.lines();
    let out: String = c
        .input
        .split_inclusive('\n')
        .map(|l| lines.redact_line(l).into_owned())
        .collect();
    assert_same(&out, &c.expected, "line-by-line redaction");
}

#[test]
fn redacting_twice_changes_nothing() {
    let c = corpus();
    let r = redactor(&c);
    let once = r.redact(&c.input).into_owned();
    assert_same(&r.redact(&once), &once, "second pass");
}

/// What the report's escaping layer (`ci_report::safe`) does to text it did
/// not write: a backslash before Markdown punctuation in inline contexts, a
/// zero-width joiner after `@` and `#`, a zero-width space after `<`.
fn markdown_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '$' | '>'
        ) {
            out.push('\\');
        }
        out.push(c);
        match c {
            '@' | '#' => out.push('\u{200D}'),
            '<' => out.push('\u{200B}'),
            _ => {}
        }
    }
    out
}

#[test]
fn secrets_are_found_through_the_reports_escaping() {
    let c = corpus();
    let r = redactor(&c);
    // Learn the masks first: the escaped log no longer holds `::add-mask::`
    // (its `::` and `-` are untouched, but the value may be).
    let mut learned = LearnedSecrets::new();
    learned.observe(&c.input);
    let mut r = r.clone();
    r.learn(&learned);
    let escaped = markdown_escaped(&c.input);
    let out = r.redact(&escaped);
    for s in &c.secrets {
        let e = markdown_escaped(s);
        assert!(
            !out.contains(s.as_str()) && !out.contains(e.as_str()),
            "escaped secret survived: {e}"
        );
    }
    // And the escaped near-misses stay.
    let expected_escaped_clean = markdown_escaped(&c.expected);
    let kept = out
        .lines()
        .zip(expected_escaped_clean.lines())
        .filter(|(o, e)| o == e)
        .count();
    assert!(
        kept * 10 >= c.expected.lines().count() * 6,
        "most lines come out as escaped: {kept}"
    );
}
