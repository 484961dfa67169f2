//! Secret redaction for every byte the bot writes.
//!
//! A [`Redactor`] is built once per run (from the configured token, the
//! secret-looking environment variables and the repository's `redact:`
//! section) and shared (`Send + Sync`, cheap to clone). It replaces secrets
//! with `{REDACTED:<kind>}`:
//!
//! - **known values**: the token(s) and secrets the caller hands in, every
//!   value of a `::add-mask::` command (learned from the logs with
//!   [`LearnedSecrets`] and merged with [`Redactor::learn`]), and their
//!   URL-encoded, runner-escaped and base64 forms (git's
//!   `AUTHORIZATION: basic base64(x-access-token:…)`);
//! - **patterns**: GitHub, GitLab, npm, PyPI, Docker Hub, Hugging Face,
//!   OpenAI, Anthropic, Slack tokens, AWS/GCP/Azure keys, webhook URLs, JWTs,
//!   private key blocks, URL passwords, `Authorization:` headers and
//!   high-entropy values assigned to secret-looking names.
//!
//! Matching is line by line, behind a two-stage gate: SIMD searches
//! (Teddy over the rules' literal anchors, `memchr` for escapes and `@`)
//! find the few lines worth a look, then one Aho-Corasick pass over such a
//! line says which rules to run on it. A clean line costs its share of the
//! SIMD scans and nothing else. Every regex is a finite-automaton `regex`
//! crate regex, so the whole pass is linear in the input, and the only state
//! carried between lines is one flag (inside a private key block).
//!
//! Matching sees through the escapes of the report's own Markdown layer
//! (`ghp\_…`, zero-width characters after `@`), so redacting the final body
//! of a comment is enough; redacting text *before* it is truncated for
//! display is still better, since half a token no longer matches anything.
//!
//! ```
//! use ci_redact::Redactor;
//!
//! let r = Redactor::builder().secret("github-token", "s3cr3t-configured-value").build().unwrap();
//! let body = "clone https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r\n\
//!             token=s3cr3t-configured-value";
//! assert_eq!(
//!     r.redact(body),
//!     "clone https://x-access-token:{REDACTED:github-token}@github.com/o/r\n\
//!      token={REDACTED:github-token}"
//! );
//! ```

#![warn(missing_docs)]

mod config;
mod entropy;
mod gate;
mod kind;
mod known;
mod masks;
mod pem;
mod rules;
mod secret;
mod skeleton;
mod stream;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

pub use config::{ConfigError, PatternConfig, RedactConfig};
pub use kind::{SecretKind, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};
pub use known::MIN_SECRET_LEN;
pub use masks::LearnedSecrets;
pub use secret::Secret;
pub use stream::{LearningReader, LineRedactor, RedactingWriter};

use gate::{Fired, Gate};
use known::KnownSet;
use rules::Rule;
use skeleton::Skeleton;

/// One secret found in a text: its kind and its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it was.
    pub kind: SecretKind,
    /// Byte offset of its first byte in the text searched.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

/// Replaces secrets in text. See the [crate documentation](crate).
#[derive(Clone)]
pub struct Redactor {
    rules: Arc<Vec<Rule>>,
    /// Rules with no anchor, run on every line.
    always: Arc<Vec<usize>>,
    known: Arc<KnownSet>,
    allow: Arc<HashSet<String>>,
    gate: Arc<Gate>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the values.
        f.debug_struct("Redactor")
            .field("rules", &self.rules.len())
            .field("known_forms", &self.known.forms.len())
            .finish()
    }
}

/// Builds a [`Redactor`].
#[derive(Debug, Default, Clone)]
pub struct RedactorBuilder {
    secrets: Vec<(SecretKind, String)>,
    env: Vec<(String, String)>,
    config: RedactConfig,
}

impl RedactorBuilder {
    /// A secret value to remove wherever it appears (with its encodings),
    /// shown as `{REDACTED:<kind>}`. Values shorter than
    /// [`MIN_SECRET_LEN`] are ignored (see there why).
    pub fn secret(mut self, kind: &str, value: &str) -> Self {
        self.secrets
            .push((SecretKind::new(kind), value.to_string()));
        self
    }

    /// Environment variables to pick secrets from: those named by
    /// [`is_secret_env_name`] and those listed in the config's `env`.
    pub fn env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// [`RedactorBuilder::env`] with this process's environment.
    pub fn process_env(self) -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        self.env(vars)
    }

    /// The repository's `redact:` settings.
    pub fn config(mut self, config: &RedactConfig) -> Self {
        self.config = config.clone();
        self
    }

    /// Compiles everything; fails only on a bad repository pattern.
    pub fn build(self) -> Result<Redactor, ConfigError> {
        // The repository's patterns come first: where they overlap a
        // built-in rule, their name is the more specific one.
        let mut rules = self
            .config
            .patterns
            .iter()
            .map(PatternConfig::compile)
            .collect::<Result<Vec<_>, _>>()?;
        rules.extend(rules::builtin());
        let mut known = KnownSet::default();
        for (kind, value) in &self.secrets {
            known.add(kind, value);
        }
        let extra: HashSet<&str> = self.config.env.iter().map(String::as_str).collect();
        for (name, value) in &self.env {
            if is_secret_env_name(name) || extra.contains(name.as_str()) {
                known.add(&env_kind(name), value);
            }
        }
        known.seal();
        Ok(Redactor::assemble(
            rules,
            known,
            self.config.allow.iter().cloned().collect(),
        ))
    }
}

/// Whether an environment variable's value is treated as a secret:
/// `INPUT_TOKEN`, `GITHUB_TOKEN`, `GH_TOKEN`, and names ending in `_TOKEN`,
/// `_SECRET`, `_KEY`, `PASSWORD`, `PASSWD`, `_PAT` or `_CREDENTIALS`
/// (ASCII case-insensitively, `-` read as `_`: the runner keeps the dashes
/// of action inputs, `INPUT_LLM-API-KEY`), except public or cache keys.
pub fn is_secret_env_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase().replace('-', "_");
    if ["PUBLIC_KEY", "CACHE_KEY", "PUBKEY"]
        .iter()
        .any(|s| n.ends_with(s))
    {
        return false;
    }
    matches!(
        n.as_str(),
        "TOKEN" | "GH_TOKEN" | "GITHUB_TOKEN" | "INPUT_TOKEN"
    ) || [
        "_TOKEN",
        "_SECRET",
        "_KEY",
        "PASSWORD",
        "PASSWD",
        "_PAT",
        "_CREDENTIALS",
    ]
    .iter()
    .any(|s| n.ends_with(s))
}

/// `GITHUB_TOKEN`, `GH_TOKEN`, `INPUT_TOKEN` → `github-token`;
/// `INPUT_NPM_TOKEN` → `npm-token`; `DB_PASSWORD` → `db-password`.
fn env_kind(name: &str) -> SecretKind {
    let upper = name.to_ascii_uppercase();
    match upper.as_str() {
        "GITHUB_TOKEN" | "GH_TOKEN" | "INPUT_TOKEN" => SecretKind::GITHUB_TOKEN,
        _ => SecretKind::new(upper.strip_prefix("INPUT_").unwrap_or(&upper)),
    }
}

/// A candidate span inside one line, before merging.
#[derive(Clone, Copy)]
struct Span<'a> {
    start: usize,
    end: usize,
    /// Lower wins the kind when spans overlap.
    rank: usize,
    kind: &'a SecretKind,
}

/// Lines per stage-1 block in the whole-text search, in bytes.
const BLOCK: usize = 64 << 10;

/// Ranks: a private key block, then an `::add-mask::` value, then the rules
/// in order, with known values just before the first generic rule.
const RANK_PEM: usize = 0;
const RANK_ADD_MASK: usize = 1;

/// Rescans of a line after replacing its findings (see
/// [`Redactor::scan_line_settled`]); one is what the known cases need.
const SETTLE_ROUNDS: usize = 3;

// Statics, not consts: spans borrow their kind for the whole scan.
static PRIVATE_KEY: SecretKind = SecretKind::PRIVATE_KEY;
static MASKED: SecretKind = SecretKind::MASKED;

impl Redactor {
    /// The built-in patterns only.
    pub fn new() -> Redactor {
        Self::assemble(rules::builtin(), KnownSet::default(), HashSet::new())
    }

    /// Configures a redactor with known values and repository settings.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    fn assemble(rules: Vec<Rule>, known: KnownSet, allow: HashSet<String>) -> Redactor {
        let always = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.anchors.is_empty())
            .map(|(i, _)| i)
            .collect();
        let gate = Gate::build(&rules);
        Redactor {
            rules: Arc::new(rules),
            always: Arc::new(always),
            known: Arc::new(known),
            allow: Arc::new(allow),
            gate: Arc::new(gate),
        }
    }

    /// Adds values learned from `::add-mask::` commands (see
    /// [`LearnedSecrets`]); they are removed from everything redacted after.
    pub fn learn(&mut self, learned: &LearnedSecrets) {
        if learned.is_empty() {
            return;
        }
        let known = Arc::make_mut(&mut self.known);
        for v in learned.values() {
            known.add(&SecretKind::MASKED, v);
        }
        known.seal();
    }

    /// How many searchable forms of known values (values × encodings) the
    /// redactor holds.
    pub fn known_forms(&self) -> usize {
        self.known.forms.len()
    }

    /// How many forms of known values were not kept because the set was
    /// full (16,384 forms or 4 MiB); worth a warning in the run's log.
    pub fn known_dropped(&self) -> usize {
        self.known.admitted.dropped
    }

    /// A streaming redactor for a log, one line at a time. It holds its
    /// own (cheap) clone of this redactor, so it can live anywhere.
    pub fn lines(&self) -> LineRedactor {
        LineRedactor::new(self.clone())
    }

    /// Replaces every secret in `text` (any number of lines) by its
    /// placeholder. Borrowed when there was nothing to replace.
    ///
    /// Values of `::add-mask::` commands inside `text` are removed from all
    /// of `text`, before and after the command.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let findings = self.find(text);
        if findings.is_empty() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(replace(text, &findings))
        }
    }

    /// The secrets in `text`, in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut learned = LearnedSecrets::new();
        learned.observe(text);
        if learned.is_empty() {
            return self.find_with(text, None);
        }
        let mut extra = KnownSet::default();
        for v in learned.values() {
            extra.add(&SecretKind::MASKED, v);
        }
        extra.seal();
        self.find_with(text, Some(&extra))
    }

    fn find_with(&self, text: &str, extra: Option<&KnownSet>) -> Vec<Finding> {
        let bytes = text.as_bytes();
        let mut spans: Vec<Span<'_>> = Vec::new();
        let mut pem_open = false;
        let mut marks: Vec<usize> = Vec::new();
        let mut block_start = 0;
        // Blocks of whole lines bound the memory the marks take.
        while block_start < text.len() {
            let block_end = match text.len() - block_start > BLOCK {
                false => text.len(),
                true => memchr::memchr(b'\n', &bytes[block_start + BLOCK..])
                    .map_or(text.len(), |i| block_start + BLOCK + i + 1),
            };
            let block = &text[block_start..block_end];
            marks.clear();
            if self.always.is_empty() {
                self.gate.marks(block, &mut marks);
                self.known.starts(block, &mut marks);
                if let Some(extra) = extra {
                    extra.starts(block, &mut marks);
                }
                marks.sort_unstable();
            } else {
                // A repository pattern with no literal: every line.
                marks.push(0);
                marks.extend(memchr::memchr_iter(b'\n', block.as_bytes()).map(|i| i + 1));
            }
            let b = block.as_bytes();
            let line_end_from =
                |i: usize| memchr::memchr(b'\n', &b[i..]).map_or(block.len(), |j| i + j);
            let mut next = marks.iter().copied().peekable();
            let mut pos = 0;
            while pos < block.len() {
                let (start, end) = if pem_open {
                    (pos, line_end_from(pos))
                } else {
                    let Some(m) = next.by_ref().find(|&m| m >= pos) else {
                        break;
                    };
                    let start = memchr::memrchr(b'\n', &b[pos..m]).map_or(pos, |i| pos + i + 1);
                    (start, line_end_from(m))
                };
                let offset = block_start + start;
                let (line_spans, _) = self.scan_line_settled(&block[start..end], &mut pem_open, extra);
                spans.extend(line_spans.into_iter().map(|mut s| {
                    s.start += offset;
                    s.end += offset;
                    s
                }));
                pos = end + 1;
            }
            block_start = block_end;
        }
        merge(spans)
    }

    /// The spans of one line such that the line with them replaced holds
    /// no further secret. Replacing changes a match's neighbours (a
    /// placeholder is a word boundary where the secret was letters, a
    /// replaced BEGIN line no longer shelters what followed it), so the
    /// replaced line is scanned again, with the same key-block state, and
    /// what that finds is mapped back onto the original line. Only lines
    /// with findings pay for it, and the rounds are bounded.
    fn scan_line_settled<'s>(
        &'s self,
        line: &str,
        pem_open: &mut bool,
        extra: Option<&'s KnownSet>,
    ) -> (Vec<Span<'s>>, Fired) {
        let pem_before = *pem_open;
        let mut spans: Vec<Span<'s>> = Vec::new();
        let fired = self.scan_line(line, pem_open, extra, &mut |s| spans.push(s));
        for _ in 0..SETTLE_ROUNDS {
            let current = merge(spans.clone());
            if current.is_empty() {
                break;
            }
            let replaced = replace(line, &current);
            let mut more: Vec<Span<'s>> = Vec::new();
            self.scan_line(&replaced, &mut pem_before.clone(), extra, &mut |s| more.push(s));
            if more.is_empty() {
                break;
            }
            // Offsets of each placeholder: (original start, end; new start, end).
            let mut shift: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(current.len());
            let mut delta: isize = 0;
            for f in &current {
                let new_start = (f.start as isize + delta) as usize;
                let new_len = PLACEHOLDER_OPEN.len() + f.kind.as_str().len() + PLACEHOLDER_CLOSE.len();
                shift.push((f.start, f.end, new_start, new_start + new_len));
                delta += new_len as isize - (f.end - f.start) as isize;
            }
            let back = |p: usize, is_end: bool| {
                let i = shift.partition_point(|&(_, _, ns, _)| if is_end { ns < p } else { ns <= p });
                match i.checked_sub(1).map(|i| shift[i]) {
                    None => p,
                    Some((os, oe, _, ne)) if p < ne || (is_end && p == ne) => {
                        if is_end { oe } else { os }
                    }
                    Some((_, oe, _, ne)) => oe + (p - ne),
                }
            };
            spans.extend(more.into_iter().map(|mut s| {
                s.start = back(s.start, false);
                s.end = back(s.end, true);
                s
            }));
        }
        (spans, fired)
    }

    /// Every candidate span of one line (no `\n` inside): stage 2 of the
    /// gate says which rules to run. Returns what the gate found.
    fn scan_line<'s>(
        &'s self,
        line: &str,
        pem_open: &mut bool,
        extra: Option<&'s KnownSet>,
        out: &mut dyn FnMut(Span<'s>),
    ) -> Fired {
        let fired = self.gate.fire(line);
        // A match that overlaps a placeholder is our own output seen again
        // (`https://{REDACTED:github-token}@host` looks like userinfo):
        // redacting it twice would nest placeholders.
        let placeholders = placeholder_spans(line);
        let out = &mut |s: Span<'s>| {
            if !placeholders.iter().any(|&(a, b)| s.start < b && a < s.end) {
                out(s);
            }
        };
        if *pem_open || fired.pem {
            *pem_open = pem::scan(line, *pem_open, &mut |start, end| {
                out(Span {
                    start,
                    end,
                    rank: RANK_PEM,
                    kind: &PRIVATE_KEY,
                });
            });
        }
        let skeleton = if fired.escape {
            Skeleton::of(line)
        } else {
            None
        };
        let (work, fired_work) = match &skeleton {
            Some(sk) => (sk.text.as_str(), Some(self.gate.fire(&sk.text))),
            None => (line, None),
        };
        let f = fired_work.as_ref().unwrap_or(&fired);
        let map = |s: usize, e: usize| match &skeleton {
            Some(sk) => sk.original(s, e),
            None => (s, e),
        };
        let known_rank = self.known_rank();
        if f.any_rule || !self.always.is_empty() {
            for (i, rule) in self.rules.iter().enumerate() {
                if !(f.rules.get(i).copied().unwrap_or(false) || rule.anchors.is_empty()) {
                    continue;
                }
                rule.find(work, &mut |s, e| {
                    if self.allow.is_empty() || !self.allow.contains(&work[s..e]) {
                        let (s, e) = map(s, e);
                        out(Span {
                            start: s,
                            end: e,
                            rank: 2 + i,
                            kind: &rule.kind,
                        });
                    }
                });
            }
        }
        // Known values are looked for in the line as written and, when it
        // has escapes, in its skeleton too (a value may itself hold `\_`).
        for set in std::iter::once(&*self.known)
            .chain(extra)
            .filter(|k| !k.is_empty())
        {
            set.find(line, &mut |s, e, kind| {
                out(Span {
                    start: s,
                    end: e,
                    rank: known_rank,
                    kind,
                })
            });
            if skeleton.is_some() {
                set.find(work, &mut |s, e, kind| {
                    let (s, e) = map(s, e);
                    out(Span {
                        start: s,
                        end: e,
                        rank: known_rank,
                        kind,
                    });
                });
            }
        }
        if f.add_mask {
            add_mask_spans(work, &mut |s, e| {
                let (s, e) = map(s, e);
                out(Span {
                    start: s,
                    end: e,
                    rank: RANK_ADD_MASK,
                    kind: &MASKED,
                });
            });
        }
        Fired {
            add_mask: fired.add_mask || f.add_mask,
            ..fired
        }
    }

    /// Known values name the kind over generic rules (a URL password that is
    /// the configured token shows as that token), not over token families.
    fn known_rank(&self) -> usize {
        let first_generic = self
            .rules
            .iter()
            .position(|r| r.kind == SecretKind::URL_PASSWORD)
            .unwrap_or(self.rules.len());
        2 + first_generic
    }

    /// Redacts every string (and object key) in a JSON value, in place.
    /// Returns how many secrets were replaced.
    pub fn redact_json(&self, value: &mut serde_json::Value) -> usize {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let found = self.find(s);
                if !found.is_empty() {
                    *s = replace(s, &found);
                }
                found.len()
            }
            Value::Array(items) => items.iter_mut().map(|v| self.redact_json(v)).sum(),
            Value::Object(map) => {
                let mut n = 0;
                let renamed: Vec<(String, String)> = map
                    .keys()
                    .filter_map(|k| {
                        let found = self.find(k);
                        n += found.len();
                        (!found.is_empty()).then(|| (k.clone(), replace(k, &found)))
                    })
                    .collect();
                for (old, new) in renamed {
                    if let Some(v) = map.remove(&old) {
                        map.insert(new, v);
                    }
                }
                n + map.values_mut().map(|v| self.redact_json(v)).sum::<usize>()
            }
            _ => 0,
        }
    }
}

/// The values of the `::add-mask::` commands in a line, as spans.
fn add_mask_spans(line: &str, out: &mut impl FnMut(usize, usize)) {
    for (cmd_start, cmd_end) in masks::commands(line) {
        let Some(raw) = masks::value_region(line, cmd_end) else {
            continue;
        };
        let at_line_start = masks::at_line_start(line, cmd_start);
        if masks::mask_value(raw, at_line_start).is_some() {
            let written = masks::written_value(raw, at_line_start);
            let start = cmd_end + (written.as_ptr() as usize - raw.as_ptr() as usize);
            out(start, start + written.len());
        }
    }
}

/// A byte of a kind name (see [`SecretKind`]).
fn is_kind_byte(b: &u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-'
}

/// Whether `text` ends with a placeholder.
fn ends_with_placeholder(text: &str) -> bool {
    let Some(head) = text.strip_suffix(PLACEHOLDER_CLOSE) else {
        return false;
    };
    let kind_len = head.bytes().rev().take_while(is_kind_byte).count();
    kind_len > 0 && head[..head.len() - kind_len].ends_with(PLACEHOLDER_OPEN)
}

/// The placeholders already in a line.
fn placeholder_spans(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    memchr::memmem::find_iter(b, PLACEHOLDER_OPEN.as_bytes())
        .filter_map(|start| {
            let kind_start = start + PLACEHOLDER_OPEN.len();
            let len = b[kind_start..]
                .iter()
                .take_while(|c| is_kind_byte(c))
                .count();
            let end = kind_start + len + PLACEHOLDER_CLOSE.len();
            (len > 0 && b[kind_start + len..].starts_with(PLACEHOLDER_CLOSE.as_bytes()))
                .then_some((start, end))
        })
        .collect()
}

/// Sorts spans and merges overlapping ones; the lowest rank names the kind.
fn merge(mut spans: Vec<Span<'_>>) -> Vec<Finding> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by_key(|s| (s.start, s.rank));
    let mut out: Vec<(usize, usize, usize, &SecretKind)> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.1 => {
                last.1 = last.1.max(s.end);
                if s.rank < last.2 {
                    last.2 = s.rank;
                    last.3 = s.kind;
                }
            }
            _ => out.push((s.start, s.end, s.rank, s.kind)),
        }
    }
    out.into_iter()
        .map(|(start, end, _, kind)| Finding {
            kind: kind.clone(),
            start,
            end,
        })
        .collect()
}

/// `text` with each finding replaced by its placeholder.
fn replace(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in findings {
        out.push_str(&text[pos..f.start]);
        out.push_str(PLACEHOLDER_OPEN);
        out.push_str(f.kind.as_str());
        out.push_str(PLACEHOLDER_CLOSE);
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Redactor>();
    }

    #[test]
    fn clean_text_is_borrowed() {
        let r = Redactor::new();
        assert!(matches!(
            r.redact("all good\nnothing here\n"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(r.redact(""), Cow::Borrowed(_)));
    }

    #[test]
    fn env_secrets_are_picked_by_name() {
        let r = Redactor::builder()
            .env([
                ("GITHUB_TOKEN", "gh-configured-0001"),
                ("INPUT_NPM_TOKEN", "npm-configured-0002"),
                ("HOME", "/home/runner-0003"),
                ("DEPLOY_HOOK", "https://hooks.example/0004"),
                ("CACHE_KEY", "cache-key-value-0005"),
                ("INPUT_LLM-API-KEY", "llm-configured-0006"),
            ])
            .config(&RedactConfig {
                env: vec!["DEPLOY_HOOK".into()],
                ..Default::default()
            })
            .build()
            .unwrap();
        assert_eq!(
            r.redact("a gh-configured-0001 b npm-configured-0002 c /home/runner-0003 d https://hooks.example/0004 e cache-key-value-0005 f llm-configured-0006"),
            "a {REDACTED:github-token} b {REDACTED:npm-token} c /home/runner-0003 d {REDACTED:deploy-hook} e cache-key-value-0005 f {REDACTED:llm-api-key}"
        );
    }

    #[test]
    fn add_mask_values_are_removed_before_and_after_the_command() {
        let r = Redactor::new();
        let log = "printed early: hunter2hunter2\n2024-01-02T03:04:05.1Z ::add-mask::hunter2hunter2\nlater hunter2hunter2";
        assert_eq!(
            r.redact(log),
            "printed early: {REDACTED:masked}\n2024-01-02T03:04:05.1Z ::add-mask::{REDACTED:masked}\nlater {REDACTED:masked}"
        );
        let mut learned = LearnedSecrets::new();
        learned.observe(log);
        let mut r2 = r.clone();
        r2.learn(&learned);
        assert_eq!(
            r2.redact("elsewhere hunter2hunter2!"),
            "elsewhere {REDACTED:masked}!"
        );
        assert_eq!(
            r.redact("elsewhere hunter2hunter2!"),
            "elsewhere hunter2hunter2!"
        );
    }

    #[test]
    fn escaped_secrets_are_replaced_whole() {
        let r = Redactor::new();
        let t =
            "| `ghp\\_16C7e42F292c6912E7710c838347Ae178B4a` | https://u:p4ssw0rd@\u{200D}host |";
        assert_eq!(
            r.redact(t),
            "| `{REDACTED:github-token}` | https://u:{REDACTED:url-password}@\u{200D}host |"
        );
    }

    #[test]
    fn repository_patterns_and_allow_list() {
        let config = RedactConfig {
            patterns: vec![
                PatternConfig {
                    name: "Acme Token".into(),
                    regex: r"acme_[A-Za-z0-9]{16}".into(),
                },
                PatternConfig {
                    name: "sentry-dsn".into(),
                    regex: r"https://(?P<secret>[0-9a-f]{32})@o[0-9]+\.ingest\.sentry\.io".into(),
                },
                // No literal to gate on: runs on every line.
                PatternConfig {
                    name: "ticket".into(),
                    regex: r"[A-Z]{3}-[0-9]{6}-[A-Z]{3}".into(),
                },
            ],
            allow: vec!["AKIAIOSFODNN7EXAMPLE".into()],
            ..Default::default()
        };
        let r = Redactor::builder().config(&config).build().unwrap();
        let text = "a acme_0123456789abcdEF b\nx https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/2\n\
                    docs key AKIAIOSFODNN7EXAMPLE, real AKIAZ7QX3M2N8P4R6T1V, id ABC-123456-XYZ";
        assert_eq!(
            r.redact(text),
            "a {REDACTED:acme-token} b\nx https://{REDACTED:sentry-dsn}@o1.ingest.sentry.io/2\n\
             docs key AKIAIOSFODNN7EXAMPLE, real {REDACTED:aws-access-key-id}, id {REDACTED:ticket}"
        );
        let bad = RedactConfig {
            patterns: vec![PatternConfig {
                name: "x".into(),
                regex: "(".into(),
            }],
            ..Default::default()
        };
        assert!(Redactor::builder().config(&bad).build().is_err());
    }

    #[test]
    fn json_strings_and_keys_are_redacted() {
        let r = Redactor::builder()
            .secret("token", "configured-0123456")
            .build()
            .unwrap();
        let mut v =
            serde_json::json!({"a": ["x configured-0123456 y", 1], "configured-0123456": true});
        assert_eq!(r.redact_json(&mut v), 2);
        assert_eq!(
            v,
            serde_json::json!({"a": ["x {REDACTED:token} y", 1], "{REDACTED:token}": true})
        );
    }
}
