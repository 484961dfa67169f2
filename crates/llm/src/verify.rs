//! Trust but verify: the model's answer is parsed leniently, then checked
//! by code before anyone sees it.
//!
//! - Every quoted evidence line must exist in the log (or the diff, for a
//!   review): quotes not found are dropped and counted.
//! - Every hypothesis carries one of FACT/HIGH/MEDIUM/LOW/SPECULATION
//!   (missing or unknown → LOW; FACT with no verified quote → LOW) and its
//!   disconfirming evidence (a hypothesis without it is dropped).
//! - Recommendations are triage steps: a step that gives an order (revert,
//!   pin, merge, disable, post, ping, …) is dropped; so is any talk of priority or
//!   severity, which is not the model's to assign.
//! - Fields the format does not have (a cluster name, a verdict, a
//!   priority) are ignored: identity, dedup and verdicts are the engine's.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most evidence quotes kept.
pub const MAX_EVIDENCE: usize = 6;
/// Most hypotheses kept.
pub const MAX_HYPOTHESES: usize = 4;
/// Most triage steps kept.
pub const MAX_STEPS: usize = 5;
/// A quote needs this many non-space chars: "Error" is in every log.
pub const MIN_QUOTE_CHARS: usize = 8;

/// A quote as the model gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteIn {
    /// The line it claims (may be wrong or missing).
    pub line: Option<u32>,
    /// The quoted text.
    pub quote: String,
}

/// A hypothesis as the model gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HypothesisIn {
    /// Confidence label as written.
    pub label: String,
    /// The hypothesis.
    pub statement: String,
    /// What would show it wrong.
    pub disconfirming: String,
    /// How to check it.
    pub verify: String,
}

/// The model's answer, parsed but not checked. This is what the cache
/// stores: it is checked again against every log it is shown with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Summary prose.
    pub summary: String,
    /// Quoted evidence.
    pub evidence: Vec<QuoteIn>,
    /// Hypotheses.
    pub hypotheses: Vec<HypothesisIn>,
    /// Suggested triage steps.
    pub triage_steps: Vec<String>,
}

/// The JSON object in `text`: models wrap it in fences or prose despite
/// being told not to, so take the outermost `{ … }`.
pub fn json_object(text: &str) -> Result<Value, String> {
    let start = text.find('{').ok_or("no JSON object in the answer")?;
    let end = text.rfind('}').ok_or("no JSON object in the answer")?;
    if end < start {
        return Err("no JSON object in the answer".into());
    }
    let v: Value = serde_json::from_str(&text[start..=end]).map_err(|e| format!("answer is not valid JSON: {e}"))?;
    if !v.is_object() {
        return Err("answer is not a JSON object".into());
    }
    Ok(v)
}

fn str_of(v: Option<&Value>, max: usize) -> String {
    let s = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    s.chars().take(max).collect::<String>().trim().to_string()
}

fn line_of(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().trim_start_matches(['L', 'l']).parse().ok(),
        _ => None,
    }
}

/// Parse a narrative answer. Lenient about shape (strings or numbers for
/// line numbers, `confidence` for `label`, quotes as bare strings); strict
/// about size (everything capped).
pub fn parse_answer(text: &str) -> Result<Answer, String> {
    let v = json_object(text)?;
    let arr = |k: &str| v.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let evidence = arr("evidence")
        .iter()
        .take(MAX_EVIDENCE * 2)
        .map(|e| match e {
            Value::String(s) => QuoteIn { line: None, quote: s.chars().take(600).collect() },
            o => QuoteIn { line: line_of(o.get("line")), quote: str_of(o.get("quote").or(o.get("text")), 600) },
        })
        .collect();
    let hypotheses = arr("hypotheses")
        .iter()
        .take(MAX_HYPOTHESES * 2)
        .map(|h| HypothesisIn {
            label: str_of(h.get("label").or(h.get("confidence")), 30),
            statement: str_of(h.get("statement").or(h.get("hypothesis")), 600),
            disconfirming: str_of(h.get("disconfirming").or(h.get("disconfirming_evidence")), 400),
            verify: str_of(h.get("verify").or(h.get("how_to_verify")), 400),
        })
        .collect();
    let triage_steps = arr("triage_steps").iter().take(MAX_STEPS * 2).map(|s| str_of(Some(s), 300)).collect();
    let a = Answer { summary: str_of(v.get("summary"), 1200), evidence, hypotheses, triage_steps };
    if a.summary.is_empty() && a.hypotheses.is_empty() && a.triage_steps.is_empty() {
        return Err("answer has no summary, hypotheses or triage steps".into());
    }
    Ok(a)
}

/// The five confidence labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Confidence {
    /// Directly observable in the log.
    Fact,
    /// Several independent evidence chains converge.
    High,
    /// One concrete chain plus timing.
    Medium,
    /// Timing or correlation only.
    Low,
    /// Pattern association.
    Speculation,
}

impl Confidence {
    /// `FACT`, `HIGH`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Fact => "FACT",
            Confidence::High => "HIGH",
            Confidence::Medium => "MEDIUM",
            Confidence::Low => "LOW",
            Confidence::Speculation => "SPECULATION",
        }
    }

    /// Parse `[MEDIUM]`, `` `low` ``, `Speculative`; `None` otherwise.
    pub fn parse(s: &str) -> Option<Self> {
        let t: String = s.chars().filter(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase();
        Some(match t.as_str() {
            "FACT" => Confidence::Fact,
            "HIGH" => Confidence::High,
            "MEDIUM" => Confidence::Medium,
            "LOW" => Confidence::Low,
            "SPECULATION" | "SPECULATIVE" => Confidence::Speculation,
            _ => return None,
        })
    }
}

/// A quote found in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// 1-based line in the log where it was found.
    pub line: u32,
    /// The quoted text (verbatim log text).
    pub quote: String,
}

/// A checked hypothesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hypothesis {
    /// Confidence.
    pub label: Confidence,
    /// The hypothesis.
    pub statement: String,
    /// What would show it wrong.
    pub disconfirming: String,
    /// How to check it (may be empty).
    pub verify: String,
}

/// What the checks did, for the report and the tally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    /// Quotes found in the log.
    pub quotes_verified: u32,
    /// Quotes not found (or too short to mean anything), dropped.
    pub quotes_dropped: u32,
    /// Labels missing, unknown, or FACT without a verified quote: set to LOW.
    pub labels_fixed: u32,
    /// Hypotheses without a statement or disconfirming evidence, dropped.
    pub hypotheses_dropped: u32,
    /// Steps that gave orders or assigned priority, dropped.
    pub steps_dropped: u32,
    /// Summary sentences that assigned priority, removed.
    pub sentences_removed: u32,
}

/// A checked answer, ready to render (through `ci-report`'s escaping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    /// Summary prose.
    pub summary: String,
    /// Quotes found in the log, with the line they are on.
    pub evidence: Vec<Evidence>,
    /// Labelled hypotheses.
    pub hypotheses: Vec<Hypothesis>,
    /// Triage steps.
    pub triage_steps: Vec<String>,
    /// What the checks did.
    pub checks: Checks,
}

fn order_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"(?i)^\s*(?:[-*•]\s*|\d+[.)]\s*)?(?:please\s+|you\s+(?:must|should)\s+)?(?:revert|pin|merge|disable|delete|remove|close|force[- ]?push|push|approve|skip|quarantine|roll\s?back|rollback|downgrade|post|publish|send|share|comment|mention|ping|notify|escalate|assign)\b",
        )
        .unwrap()
    })
}

fn priority_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)\b(?:p[0-4]|sev[0-4]|priority|severity|blocker)\b").unwrap())
}

fn prefix_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\s*L\d+\|\s?").unwrap())
}

/// Check `answer` against `source` (the raw log bytes, or the diff).
pub fn verify(answer: &Answer, source: &[u8]) -> Narrative {
    let mut checks = Checks::default();
    let mut evidence: Vec<Evidence> = Vec::new();
    for q in &answer.evidence {
        if evidence.len() >= MAX_EVIDENCE {
            break;
        }
        match find_quote(source, &q.quote, q.line) {
            Some((line, quote)) => {
                checks.quotes_verified += 1;
                if !evidence.iter().any(|e| e.line == line && e.quote == quote) {
                    evidence.push(Evidence { line, quote });
                }
            }
            None => checks.quotes_dropped += 1,
        }
    }
    let mut hypotheses = Vec::new();
    for h in &answer.hypotheses {
        if hypotheses.len() >= MAX_HYPOTHESES {
            break;
        }
        if h.statement.is_empty() || h.disconfirming.is_empty() {
            checks.hypotheses_dropped += 1;
            continue;
        }
        let mut label = match Confidence::parse(&h.label) {
            Some(l) => l,
            None => {
                checks.labels_fixed += 1;
                Confidence::Low
            }
        };
        if label == Confidence::Fact && evidence.is_empty() {
            checks.labels_fixed += 1;
            label = Confidence::Low;
        }
        hypotheses.push(Hypothesis {
            label,
            statement: h.statement.clone(),
            disconfirming: h.disconfirming.clone(),
            verify: h.verify.clone(),
        });
    }
    let mut triage_steps = Vec::new();
    for s in &answer.triage_steps {
        if s.is_empty() {
            continue;
        }
        if order_re().is_match(s) || priority_re().is_match(s) {
            checks.steps_dropped += 1;
            continue;
        }
        if triage_steps.len() < MAX_STEPS {
            triage_steps.push(s.clone());
        }
    }
    let mut summary = String::new();
    for sentence in split_sentences(&answer.summary) {
        if priority_re().is_match(sentence) {
            checks.sentences_removed += 1;
        } else {
            summary.push_str(sentence);
        }
    }
    Narrative { summary: summary.trim().to_string(), evidence, hypotheses, triage_steps, checks }
}

/// Sentences with their trailing punctuation and space.
fn split_sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    for i in 0..b.len() {
        if matches!(b[i], b'.' | b'!' | b'?') && (i + 1 == b.len() || b[i + 1] == b' ') {
            let end = (i + 2).min(b.len());
            out.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Where `quote` is in `source`: the 1-based line of its first line and the
/// normalised quote. Multi-line quotes need every line, in order. `hint` is
/// preferred when the quote is on that line too. ANSI codes and `\r` in the
/// log are ignored, as are runs of whitespace.
pub fn find_quote(source: &[u8], quote: &str, hint: Option<u32>) -> Option<(u32, String)> {
    let parts: Vec<String> = quote
        .lines()
        .map(|l| prefix_re().replace(l, "").trim().trim_matches('`').trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if parts.is_empty() || parts.iter().map(|p| p.chars().filter(|c| !c.is_whitespace()).count()).sum::<usize>() < MIN_QUOTE_CHARS {
        return None;
    }
    let mut after = 0u32;
    let mut first = None;
    for (i, p) in parts.iter().enumerate() {
        let hint = if i == 0 { hint } else { None };
        let line = find_line(source, p, after, hint)?;
        first.get_or_insert(line);
        after = line;
    }
    Some((first?, parts.join("\n")))
}

/// The first line number > `after` containing `needle` (or `hint` if it
/// does).
fn find_line(source: &[u8], needle: &str, after: u32, hint: Option<u32>) -> Option<u32> {
    let squeezed = squeeze(needle);
    if let Some(h) = hint.filter(|&h| h > after) {
        if let Some(text) = nth_line(source, h) {
            if line_has(text, needle, &squeezed) {
                return Some(h);
            }
        }
    }
    // Fast path: a verbatim match anywhere, then its line number.
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    for pos in finder.find_iter(source) {
        let line = memchr::memchr_iter(b'\n', &source[..pos]).count() as u32 + 1;
        if line > after {
            return Some(line);
        }
    }
    // Slow path: lines with ANSI codes or odd spacing, prefiltered by the
    // quote's longest word.
    let word = needle.split_whitespace().max_by_key(|w| w.len()).unwrap_or(needle);
    let word_finder = memchr::memmem::Finder::new(word.as_bytes());
    let mut no = 0u32;
    for raw in source.split(|&b| b == b'\n') {
        no += 1;
        if no <= after {
            continue;
        }
        let has_word = word_finder.find(raw).is_some();
        if !has_word && !raw.contains(&0x1b) {
            continue;
        }
        if line_has(raw, needle, &squeezed) {
            return Some(no);
        }
    }
    None
}

fn nth_line(source: &[u8], n: u32) -> Option<&[u8]> {
    source.split(|&b| b == b'\n').nth(n.checked_sub(1)? as usize)
}

fn line_has(raw: &[u8], needle: &str, squeezed: &str) -> bool {
    let text = String::from_utf8_lossy(raw);
    if text.contains(needle) {
        return true;
    }
    let cleaned = ci_report::safe::clean(&text);
    cleaned.contains(needle) || squeeze(&cleaned).contains(squeezed)
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-01-01T00:00:00Z ##[group]Run pytest\n\
        collected 3 items\n\
        \u{1b}[31mFAILED\u{1b}[0m tests/test_a.py::test_x - AssertionError: assert 3 == 4\n\
        E   assert   3 == 4\n\
        ##[error]Process completed with exit code 1.\n";

    #[test]
    fn quotes_are_found_with_ansi_and_spacing_and_line_numbers_corrected() {
        let src = LOG.as_bytes();
        assert_eq!(find_quote(src, "collected 3 items", Some(9)), Some((2, "collected 3 items".into())));
        assert_eq!(find_quote(src, "FAILED tests/test_a.py::test_x", None).map(|q| q.0), Some(3));
        assert_eq!(find_quote(src, "E assert 3 == 4", None).map(|q| q.0), Some(4));
        assert_eq!(find_quote(src, "L3| FAILED tests/test_a.py::test_x", None).map(|q| q.0), Some(3));
        assert_eq!(find_quote(src, "collected 3 items\nProcess completed with exit code 1.", None).map(|q| q.0), Some(2));
        assert_eq!(find_quote(src, "Process completed with exit code 1.\ncollected 3 items", None), None, "order matters");
        assert_eq!(find_quote(src, "Segmentation fault (core dumped)", None), None);
        assert_eq!(find_quote(src, "exit", None), None, "too short to prove anything");
    }

    #[test]
    fn parse_is_lenient_about_shape() {
        let a = parse_answer("Sure! ```json\n{\"summary\": \"s\", \"evidence\": [\"collected 3 items\", {\"line\": \"L4\", \"text\": \"x\"}], \"hypotheses\": [{\"confidence\": \"[medium]\", \"hypothesis\": \"h\", \"disconfirming_evidence\": \"d\"}]}\n```").unwrap();
        assert_eq!(a.evidence[1].line, Some(4));
        assert_eq!(a.hypotheses[0].label, "[medium]");
        assert!(parse_answer("I cannot help with that.").is_err());
        assert!(parse_answer("{\"summary\": \"\"}").is_err());
        assert!(parse_answer("{\"summary\": \"cut mid-").is_err());
    }

    #[test]
    fn verification_drops_and_relabels() {
        let a = Answer {
            summary: "The test failed. This is a P0 blocker. Look at line 3.".into(),
            evidence: vec![
                QuoteIn { line: Some(3), quote: "AssertionError: assert 3 == 4".into() },
                QuoteIn { line: Some(9), quote: "Segmentation fault in libfoo.so".into() },
            ],
            hypotheses: vec![
                HypothesisIn { label: "FACT".into(), statement: "the assert failed".into(), disconfirming: "none found".into(), verify: String::new() },
                HypothesisIn { label: "CERTAIN".into(), statement: "x".into(), disconfirming: "y".into(), verify: String::new() },
                HypothesisIn { label: "HIGH".into(), statement: "no disconfirming".into(), disconfirming: String::new(), verify: String::new() },
            ],
            triage_steps: vec!["Revert abc123 now".into(), "Check whether test_x fails on main".into(), "Treat as P1".into()],
        };
        let n = verify(&a, LOG.as_bytes());
        assert_eq!(n.evidence, vec![Evidence { line: 3, quote: "AssertionError: assert 3 == 4".into() }]);
        assert_eq!(n.hypotheses.iter().map(|h| h.label).collect::<Vec<_>>(), [Confidence::Fact, Confidence::Low]);
        assert_eq!(n.triage_steps, ["Check whether test_x fails on main"]);
        assert_eq!(n.summary, "The test failed. Look at line 3.");
        assert_eq!(
            n.checks,
            Checks { quotes_verified: 1, quotes_dropped: 1, labels_fixed: 1, hypotheses_dropped: 1, steps_dropped: 2, sentences_removed: 1 }
        );
        // FACT needs a verified quote.
        let n = verify(&Answer { evidence: vec![], ..a }, LOG.as_bytes());
        assert_eq!(n.hypotheses[0].label, Confidence::Low);
    }
}
