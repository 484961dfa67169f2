//! The built-in secret patterns.
//!
//! Each rule is a regex run on one line, gated by literal anchors: a line is
//! only searched by a rule when one of the rule's anchors occurs in it
//! (ASCII case-insensitively), so clean lines cost one Aho-Corasick pass for
//! all rules together. A capture group named `secret` marks the part to
//! replace (the rest is context that stays readable, like `AWS_SECRET_KEY=`
//! or `https://hooks.slack.com/`); without it the whole match is replaced. A
//! check then rejects near-misses the regex cannot express (a boundary
//! before the match, entropy, the name in an assignment).
//!
//! Every regex is a `regex` crate regex: finite automata, linear in the line
//! length, no backtracking blow-up whatever the input.

use std::sync::OnceLock;

use regex::Regex;

use crate::entropy::{classes, is_camel_words, is_placeholder, looks_random, shannon};
use crate::kind::SecretKind;

/// What decides a candidate `(line, secret_start, secret_end)`.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Keep the candidate or drop it.
    Keep(fn(&str, usize, usize) -> bool),
    /// Drop it (`None`) or return the span to replace.
    Narrow(fn(&str, usize, usize) -> Option<(usize, usize)>),
}

pub(crate) struct Rule {
    pub kind: SecretKind,
    /// Case-sensitive literals, one of which every match contains.
    pub anchors: Vec<String>,
    /// A byte every match contains, checked before the regex runs (`@` for
    /// URL userinfo: most lines with `://` have none).
    pub requires: Option<u8>,
    /// The regex and the index of its `secret` capture group, if it has
    /// one. A built-in rule's is compiled on first use, when the gate
    /// first sends a line to it: compiling all of them cost 18.6 M
    /// instructions (~4 ms) per process, most of `ci-bot analyze-log`'s
    /// time on a small log, and most runs never need most of them.
    compiled: OnceLock<(Regex, Option<usize>)>,
    /// A built-in rule's pattern (checked by a unit test).
    pattern: &'static str,
    pub check: Option<Check>,
}

impl Rule {
    pub(crate) fn new(
        kind: SecretKind,
        anchors: Vec<String>,
        pattern: &'static str,
        check: Option<Check>,
    ) -> Rule {
        Rule { kind, anchors, requires: None, compiled: OnceLock::new(), pattern, check }
    }

    fn requiring(mut self, byte: u8) -> Rule {
        self.requires = Some(byte);
        self
    }

    pub(crate) fn compiled(
        kind: SecretKind,
        anchors: Vec<String>,
        regex: Regex,
        check: Option<Check>,
    ) -> Rule {
        let group = secret_group(&regex);
        Rule {
            kind,
            anchors,
            requires: None,
            compiled: OnceLock::from((regex, group)),
            pattern: "",
            check,
        }
    }

    /// The regex and its `secret` group.
    fn regex(&self) -> &(Regex, Option<usize>) {
        self.compiled.get_or_init(|| {
            let regex = Regex::new(self.pattern).unwrap_or_else(|e| panic!("built-in rule {}: {e}", self.kind));
            let group = secret_group(&regex);
            (regex, group)
        })
    }

    /// Every secret span of this rule in `line`.
    ///
    /// When the check rejects a candidate, the search resumes inside it (at
    /// the secret, or one character into a whole-match candidate), so a
    /// rejected near-miss cannot hide a real secret it overlaps; a second
    /// pass over redacted text then finds nothing new. Resuming inside is
    /// limited to candidates of at most [`RESCAN_LIMIT`] bytes, which keeps
    /// the search linear.
    pub(crate) fn find(&self, line: &str, out: &mut impl FnMut(usize, usize)) {
        if self
            .requires
            .is_some_and(|b| memchr::memchr(b, line.as_bytes()).is_none())
        {
            return;
        }
        let (regex, group) = self.regex();
        let mut locs = regex.capture_locations();
        let mut pos = 0;
        while pos <= line.len() {
            let (whole, secret) = match *group {
                None => match regex.find_at(line, pos) {
                    Some(m) => (m.range(), m.range()),
                    None => break,
                },
                Some(g) => {
                    let Some(m) = regex.captures_read_at(&mut locs, line, pos) else {
                        break;
                    };
                    match locs.get(g) {
                        Some((s, e)) => (m.range(), s..e),
                        None => {
                            pos = next_pos(line, m.start(), m.end());
                            continue;
                        }
                    }
                }
            };
            let span = match self.check {
                _ if secret.is_empty() => None,
                None => Some((secret.start, secret.end)),
                Some(Check::Keep(keep)) => {
                    keep(line, secret.start, secret.end).then_some((secret.start, secret.end))
                }
                Some(Check::Narrow(narrow)) => narrow(line, secret.start, secret.end),
            };
            match span.filter(|(s, e)| s < e) {
                Some((s, e)) => {
                    out(s, e);
                    pos = next_pos(line, whole.start, whole.end);
                }
                None if secret.len() <= RESCAN_LIMIT => {
                    // At the secret (after the name that led to it), or one
                    // character into a whole-match candidate: either way
                    // past the candidate's start, so the search advances.
                    pos = if secret.start > whole.start {
                        secret.start
                    } else {
                        next_pos(line, whole.start, whole.start)
                    };
                }
                None => pos = next_pos(line, whole.start, whole.end),
            }
        }
    }
}

/// Longest rejected candidate searched again from inside.
pub(crate) const RESCAN_LIMIT: usize = 1024;

/// Where the next search starts: after `end`, and at least one character
/// after `start` (so an empty or rejected match always makes progress).
fn next_pos(line: &str, start: usize, end: usize) -> usize {
    if end > start {
        return end;
    }
    let mut p = start + 1;
    while p < line.len() && !line.is_char_boundary(p) {
        p += 1;
    }
    p
}

/// The byte before a match, for boundary checks. A placeholder counts as a
/// letter: it replaced a secret whose last character was looked at the
/// first time, so a second pass must not see a new boundary there.
fn byte_before(line: &str, start: usize) -> Option<u8> {
    if crate::ends_with_placeholder(&line[..start]) {
        return Some(b'a');
    }
    start.checked_sub(1).map(|i| line.as_bytes()[i])
}

fn byte_after(line: &str, end: usize) -> Option<u8> {
    if line[end..].starts_with(crate::PLACEHOLDER_OPEN) {
        return Some(b'a');
    }
    line.as_bytes().get(end).copied()
}

fn is_alnum(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric())
}

fn is_word(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_ident(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Distinct-prefix tokens (`ghp_`, `glpat-`): only require that the prefix
/// is not the tail of a longer word (`xghp_…`).
fn not_after_alnum(line: &str, s: usize, _e: usize) -> bool {
    !is_alnum(byte_before(line, s))
}

/// Fixed-length ids: a whole word, not a slice of a longer one.
fn whole_alnum(line: &str, s: usize, e: usize) -> bool {
    !is_alnum(byte_before(line, s)) && !is_alnum(byte_after(line, e))
}

fn not_after_ident(line: &str, s: usize, _e: usize) -> bool {
    !is_ident(byte_before(line, s))
}

/// `npm_` + 36 random characters, not `npm_config_cache` or `npm_and_yarn`.
fn npm_token(line: &str, s: usize, e: usize) -> bool {
    let body = &line[s + 4..e];
    let c = classes(body);
    !is_ident(byte_before(line, s))
        && !is_word(byte_after(line, e))
        && c.digit > 0
        && c.lower + c.upper > 0
}

/// `hf_` + 34 mixed-case letters, not `hf_shared` or `hf_codegen_utils_…`.
fn hf_token(line: &str, s: usize, e: usize) -> bool {
    let body = &line[s + 3..e];
    let c = classes(body);
    !is_ident(byte_before(line, s)) && !is_word(byte_after(line, e)) && c.upper > 1 && c.lower > 1
}

/// `sk-` + a long random body, not `sk-docs`, `task-…` or `sk-learn`.
fn openai_key(line: &str, s: usize, e: usize) -> bool {
    let key = &line[s..e];
    let body = ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-", "sk-"]
        .iter()
        .find_map(|p| key.strip_prefix(p))
        .unwrap_or(key);
    let c = classes(body);
    !is_ident(byte_before(line, s))
        && c.upper > 0
        && c.lower > 0
        && c.digit > 0
        && shannon(body) >= 3.5
}

/// Exactly 40 base64 characters, not the start of a longer string.
fn aws_secret(line: &str, s: usize, e: usize) -> bool {
    e - s == 40
        && !byte_after(line, e)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'='))
}

/// Slack tokens carry numeric ids: `xoxb-1234…-…`.
fn slack_token(line: &str, s: usize, e: usize) -> bool {
    !is_alnum(byte_before(line, s)) && line[s..e].bytes().any(|b| b.is_ascii_digit())
}

fn url_password(line: &str, s: usize, e: usize) -> bool {
    let v = &line[s..e];
    !is_placeholder(v) && v != "x-oauth-basic"
}

/// A token used as the whole userinfo (`https://<token>@host`).
fn url_token(line: &str, s: usize, e: usize) -> bool {
    looks_random(&line[s..e])
}

/// A credential after `Authorization:` or `Bearer`, not the word `token`.
fn credential(line: &str, s: usize, e: usize) -> bool {
    let v = &line[s..e];
    let c = classes(v);
    !is_placeholder(v)
        && (c.digit > 0 || (c.upper > 0 && c.lower > 0))
        && !is_camel_words(v)
        && v.len() >= 8
        && shannon(v) >= 2.8
}

/// Names whose value is a secret: `*_TOKEN`, `*_SECRET`, `*_KEY`/`fooKey`,
/// `*PASSWORD`, `passwd`, `*_PWD`, `*_PASS`, `auth`/`*_AUTH`, `credentials`.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let name = name.trim_matches(|c| matches!(c, '"' | '\'' | '-' | '_' | '.' | '$'));
    let lower = name.to_ascii_lowercase();
    const NOT_SECRET: &[&str] = &[
        "public_key",
        "public-key",
        "publickey",
        "pubkey",
        "cache_key",
        "cache-key",
        "cachekey",
        "primary_key",
        "primary-key",
        "foreign_key",
        "sort_key",
        "sort-key",
        "partition_key",
        "idempotency_key",
        "dedup_key",
        "group_key",
        "lookup_key",
        "hash_key",
        "routing_key",
        "content_key",
        "analysis_key",
        "_key_id",
        "next_token",
        "page_token",
        "nexttoken",
        "pagetoken",
        "continuation_token",
        "cancellation_token",
        "pad_token",
        "eos_token",
        "bos_token",
        "unk_token",
        "sep_token",
        "cls_token",
        "mask_token",
    ];
    if NOT_SECRET.iter().any(|n| lower.ends_with(n)) {
        return false;
    }
    if lower.ends_with("token")
        || lower.ends_with("secret")
        || lower.ends_with("password")
        || lower.ends_with("passwd")
        || lower.ends_with("credentials")
        || lower.ends_with("credential")
    {
        return true;
    }
    let sep_suffix = |suffix: &str| {
        lower.len() > suffix.len() + 1
            && lower.ends_with(suffix)
            && matches!(
                lower.as_bytes()[lower.len() - suffix.len() - 1],
                b'_' | b'-' | b'.'
            )
    };
    if sep_suffix("pwd") || sep_suffix("pass") || sep_suffix("auth") || lower == "auth" {
        return true;
    }
    if lower.ends_with("key") && lower.len() > 3 {
        let b = name.as_bytes();
        let before = b[b.len() - 4];
        let camel = b[b.len() - 3] == b'K' && before.is_ascii_lowercase();
        return sep_suffix("key")
            || camel
            || [
                "apikey",
                "privatekey",
                "secretkey",
                "accesskey",
                "signingkey",
                "masterkey",
            ]
            .iter()
            .any(|k| lower.ends_with(k));
    }
    false
}

/// An assignment `NAME = value`: the name must be secret-like and the value
/// random-looking (see [`looks_random`]).
fn assigned(line: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let name = assigned_name(line, s)?;
    let e = s + trim_closers(&line[s..e]).len();
    (is_secret_name(name) && looks_random(&line[s..e])).then_some((s, e))
}

/// `f(api_key=Abc123…)`: the closing punctuation is not part of the value.
fn trim_closers(v: &str) -> &str {
    v.trim_end_matches(['.', ')', ']', '}', '>', '\\'])
}

/// The name before the separator that precedes the value at `s`, or `None`
/// when the text is not an assignment: a bare `name:value` (no space, no
/// quote) is a Gradle task, a Maven coordinate, an image tag or a logger
/// name far more often than a secret, and `name::x` is a Rust/C++ path.
fn assigned_name(line: &str, s: usize) -> Option<&str> {
    let head = &line[..s];
    let quoted_value = head.ends_with(['"', '\'']);
    let head = head.trim_end_matches(['"', '\'', ' ', '\t']);
    let spaced = head.len() + usize::from(quoted_value) < s;
    let (head, colon) = if let Some(h) = head.strip_suffix("=>").or_else(|| head.strip_suffix(":="))
    {
        (h, false)
    } else if let Some(h) = head.strip_suffix('=') {
        (h, false)
    } else if let Some(h) = head.strip_suffix(':') {
        (h, true)
    } else {
        (head, false)
    };
    if head.ends_with(':') {
        return None;
    }
    let quoted_name = head.ends_with(['"', '\'']);
    if colon && !spaced && !quoted_value && !quoted_name {
        return None;
    }
    let head = head.trim_end_matches(['"', '\'', ' ', '\t']);
    let start = head
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')))
        .map_or(0, |i| i + 1);
    if head[..start].ends_with("://") {
        // `https://x-access-token:…@host` is userinfo: the URL rules own it.
        return None;
    }
    Some(&head[start..]).filter(|n| !n.is_empty())
}

/// Anchors for a name matched case-insensitively: the spellings names
/// actually use (`token`, `Token`, `TOKEN`; camelCase `accessToken` holds
/// `Token`). The gate is case-sensitive, so `tOkEn` is not looked at.
fn cased(words: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for w in words {
        let mut cap = w.to_string();
        cap[..1].make_ascii_uppercase();
        for v in [w.to_string(), cap, w.to_ascii_uppercase()] {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

fn exact(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// The built-in rules, most specific first: where two rules overlap, the
/// earlier one names the kind.
fn secret_group(regex: &Regex) -> Option<usize> {
    regex.capture_names().position(|n| n == Some("secret"))
}

pub(crate) fn builtin() -> Vec<Rule> {
    use Check::{Keep, Narrow};
    use SecretKind as K;
    // `_pwd` and `-pass` are accepted names but not anchors: every anchor
    // slows the gate, and names ending in `_PASS` or holding `passw` cover
    // nearly all real ones.
    let names = [
        "token",
        "secret",
        "passw",
        "_pass",
        "key",
        "auth",
        "credential",
    ];
    vec![
        Rule::new(
            K::GITHUB_TOKEN,
            exact(&["hp_", "ho_", "hu_", "hs_", "hr_"]),
            r"gh[pousr]_[A-Za-z0-9]{36,255}",
            Some(Keep(not_after_alnum)),
        ),
        Rule::new(
            K::GITHUB_TOKEN,
            exact(&["github_pat_"]),
            r"github_pat_[A-Za-z0-9_]{30,255}",
            Some(Keep(not_after_alnum)),
        ),
        Rule::new(
            K::ANTHROPIC_KEY,
            exact(&["sk-ant-"]),
            r"sk-ant-[a-z]{2,10}[0-9]{0,3}-[A-Za-z0-9_\-]{20,}",
            Some(Keep(not_after_ident)),
        ),
        Rule::new(
            K::OPENAI_KEY,
            exact(&["sk-"]),
            r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}",
            Some(Keep(openai_key)),
        ),
        Rule::new(
            K::GITLAB_TOKEN,
            exact(&["glpat-", "gldt-", "glrt-", "glptt-"]),
            r"gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_\-]{20,}",
            Some(Keep(not_after_alnum)),
        ),
        Rule::new(
            K::NPM_TOKEN,
            exact(&["npm_"]),
            r"npm_[A-Za-z0-9]{36}",
            Some(Keep(npm_token)),
        ),
        Rule::new(
            K::PYPI_TOKEN,
            exact(&["pypi-Ag"]),
            r"pypi-Ag[A-Za-z0-9_\-]{50,}",
            Some(Keep(not_after_ident)),
        ),
        Rule::new(
            K::DOCKERHUB_TOKEN,
            exact(&["dckr_"]),
            r"dckr_(?:pat|oat)_[A-Za-z0-9_\-]{20,}",
            Some(Keep(not_after_alnum)),
        ),
        Rule::new(
            K::HUGGINGFACE_TOKEN,
            exact(&["hf_"]),
            r"hf_[A-Za-z0-9]{30,40}",
            Some(Keep(hf_token)),
        ),
        Rule::new(
            K::AWS_ACCESS_KEY_ID,
            exact(&["AKIA", "ASIA"]),
            r"(?:AKIA|ASIA)[A-Z0-9]{16}",
            Some(Keep(whole_alnum)),
        ),
        Rule::new(
            K::AWS_SECRET_KEY,
            cased(&["secret"]),
            r#"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*(?:=>|[:=])\s*["']?(?P<secret>[A-Za-z0-9/+]{40,41})"#,
            Some(Keep(aws_secret)),
        ),
        Rule::new(
            K::GCP_API_KEY,
            exact(&["AIza"]),
            r"AIza[0-9A-Za-z_\-]{35}",
            Some(Keep(not_after_alnum)),
        ),
        Rule::new(
            K::AZURE_KEY,
            exact(&["AccountKey=", "SharedAccessKey="]),
            r"(?:AccountKey|SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{20,}={0,2})",
            None,
        ),
        Rule::new(
            K::AZURE_SAS,
            exact(&["sig="]),
            r"[?&;]sig=(?P<secret>[A-Za-z0-9%+/=]{20,})",
            None,
        ),
        Rule::new(
            K::URL_SIGNATURE,
            exact(&["-Signature="]),
            r"X-(?:Amz|Goog)-Signature=(?P<secret>[0-9a-fA-F]{32,})",
            None,
        ),
        Rule::new(
            K::SLACK_WEBHOOK,
            exact(&["hooks"]),
            r"hooks\.slack\.com/(?P<secret>(?:services|workflows|triggers)/[A-Za-z0-9/_\-]{10,})",
            None,
        ),
        Rule::new(
            K::SLACK_TOKEN,
            exact(&["xox", "xapp-"]),
            r"(?:xox[abprs]|xoxe(?:\.xox[bp])?|xapp)-[0-9A-Za-z\-]{10,250}",
            Some(Keep(slack_token)),
        ),
        Rule::new(
            K::DISCORD_WEBHOOK,
            exact(&["hooks"]),
            r"discord(?:app)?\.com/api/webhooks/(?P<secret>[0-9]+/[A-Za-z0-9_\-]{20,})",
            None,
        ),
        Rule::new(
            K::TEAMS_WEBHOOK,
            exact(&["office.com/webhook"]),
            r#"(?:webhook\.office\.com|outlook\.office\.com)/(?P<secret>webhook(?:b2)?/[^\s"'<>`]+)"#,
            None,
        ),
        Rule::new(
            K::JWT,
            exact(&["eyJ"]),
            r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*",
            Some(Keep(not_after_ident)),
        ),
        Rule::new(
            K::URL_PASSWORD,
            exact(&["://"]),
            r#"[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s:/?#@\[\]"'<>`]*:(?P<secret>[^\s/?#@"'<>`]+)@"#,
            Some(Keep(url_password)),
        )
        .requiring(b'@'),
        Rule::new(
            K::URL_PASSWORD,
            exact(&["://"]),
            r"://(?P<secret>[^\s:/?#@]{20,}):x-oauth-basic@",
            None,
        )
        .requiring(b'@'),
        Rule::new(
            K::URL_PASSWORD,
            exact(&["://"]),
            r"://(?P<secret>[A-Za-z0-9_\-]{20,})@",
            Some(Keep(url_token)),
        )
        .requiring(b'@'),
        Rule::new(
            K::AUTH_HEADER,
            cased(&["authorization"]),
            r#"(?i:authorization)["']?\s*[:=]\s*["']?(?:(?i:bearer|token|basic|digest|bot|apikey|key)\s+)?(?P<secret>[A-Za-z0-9._~+/\-]{8,}=*)"#,
            Some(Keep(credential)),
        ),
        Rule::new(
            K::AUTH_HEADER,
            cased(&["bearer"]),
            r"(?i:bearer)\s+(?P<secret>[A-Za-z0-9._~+/\-]{16,}=*)",
            Some(Keep(credential)),
        ),
        Rule::new(
            K::ASSIGNED_SECRET,
            cased(&names),
            r#"[A-Za-z0-9_.$\-]*(?i:token|secret|password|passwd|pwd|pass|key|auth|credentials?)["']?\s*(?:=>|:=|[:=])\s*["']?(?P<secret>[^\s"'`,;&=]+=*)"#,
            Some(Narrow(assigned)),
        ),
        Rule::new(
            K::ASSIGNED_SECRET,
            exact(&["token", "secret", "passw", "key"]),
            r"--[a-z0-9\-]*(?:token|secret|password|passwd|api-key|apikey)\s+(?P<secret>[^\s'`,;&]+)",
            Some(Narrow(flag_value)),
        ),
    ]
}

/// `--password VALUE`, `--api-key VALUE` (not `--password-stdin`).
fn flag_value(line: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let e = s + trim_closers(&line[s..e]).len();
    looks_random(&line[s..e]).then_some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "GITHUB_TOKEN",
            "token",
            "accessToken",
            "x-auth-token",
            "client_secret",
            "SECRET",
            "DB_PASSWORD",
            "passwd",
            "DB_PWD",
            "MYSQL_PASS",
            "AWS_SECRET_ACCESS_KEY",
            "apiKey",
            "api_key",
            "x-api-key",
            "privateKey",
            "SIGNING_KEY",
            "_auth",
            "_authToken",
            "credentials",
            "\"api_key\"",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "key",
            "KEY",
            "monkey",
            "hotkey",
            "CACHE_KEY",
            "cache-key",
            "DEPENDENCY_CACHE_KEY",
            "public_key",
            "primary_key",
            "tokenizer",
            "max_tokens",
            "token_type",
            "pwd",
            "PWD",
            "OLDPWD",
            "bypass",
            "oauth",
            "next_page_token",
            "pad_token",
            "CODEQL_ACTION_ANALYSIS_KEY",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn bare_colons_are_not_assignments() {
        for (l, v) in [
            ("> Task :grpc-auth:checkstyleDeps", "checkstyleDeps"),
            (
                "Including org.apache.dubbo:dubbo-auth:jar:3.3.0-SNAPSHOT",
                "jar",
            ),
            (
                "Untagged: datawiredev/test-auth:3.0.0-ea2a9b8d4a",
                "3.0.0-ea2a9b8d4a",
            ),
            ("tenant_token::search_authorized", ":search_authorized"),
        ] {
            let s = l.rfind(v).unwrap();
            assert_eq!(assigned_name(l, s), None, "{l}");
        }
        for (l, v) in [
            ("  CODECOV_TOKEN: 56731c25", "56731c25"),
            ("{\"token\":\"abc\"}", "abc"),
            ("token:'abc'", "abc"),
            ("export READ_ONLY_TOKEN=abc", "abc"),
            ("api_key => abc", "abc"),
        ] {
            let s = l.rfind(v).unwrap();
            assert!(assigned_name(l, s).is_some(), "{l}");
        }
    }

    #[test]
    fn assignment_names_are_read_back() {
        let l = "  export MY_TOKEN=abc";
        assert_eq!(assigned_name(l, l.len() - 3), Some("MY_TOKEN"));
        let l = r#"{"api_key": "abc"}"#;
        assert_eq!(assigned_name(l, 13), Some("api_key"));
        let l = "tenant_token::search";
        assert_eq!(assigned_name(l, 14), None);
    }

    #[test]
    fn builtin_rules_compile() {
        let rules = builtin();
        for r in &rules {
            r.regex();
        }
        assert!(rules.iter().all(|r| !r.anchors.is_empty()));
        assert!(rules.iter().all(|r| r.anchors.iter().all(|a| a.len() >= 3)));
    }
}
