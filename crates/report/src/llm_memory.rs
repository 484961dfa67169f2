//! The LLM layer's memory (its daily token budget and the answers it cached
//! by failure fingerprint) as one hidden line in a body the bot wrote, so
//! stateless actions keep it between runs and a repeat failure costs no
//! LLM call.
//!
//! `<!-- ci-bot:llm-memory v=2 {json} -->`, at the end of part 1 of a
//! workflow's comment (see [`with_memory`]). The value's shape is the LLM
//! layer's (`ci_llm::cache::LlmMemory`, versioned on its own); where it
//! lives and how it is written is this module's. The JSON is
//! [`state_json::to_opaque_string`]: besides `<`, `>` and `&` (so no `-->`,
//! no tag), `@` and `#` are escaped, so text a log or a model put in a
//! cached answer can neither end the comment nor mention anyone nor link
//! an issue, even where the line is shown.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::markers::{self, LLM_MEMORY_PREFIX, LLM_SPEND_RECEIPTS_PREFIX};
use crate::safe::char_len;
use crate::state_json;

/// Longest memory line kept; the caller prunes its cache to fit.
pub const MAX_MEMORY_CHARS: usize = 24_000;

/// The memory as its hidden line.
pub fn memory_line<T: Serialize>(memory: &T) -> String {
    markers::json_marker_line(LLM_MEMORY_PREFIX, &state_json::to_opaque_string(memory))
}

/// The memory in `body`, if it has a readable line of the current version.
pub fn parse_memory<T: DeserializeOwned>(body: &str) -> Option<T> {
    let (v, json) = markers::find_json_marker(body, LLM_MEMORY_PREFIX)?;
    (v == markers::VERSION).then(|| state_json::from_str(json).ok()).flatten()
}

/// Chars a memory line may take at the end of part 1 of `parts`: what is
/// left of the bot's own cap ([`crate::SAFE_BODY_CHARS`]), so part 1 with
/// the line is still within it.
pub fn room(parts: &[String]) -> usize {
    let used = parts.first().map_or(0, |p| char_len(p));
    crate::SAFE_BODY_CHARS.saturating_sub(used + 1).min(MAX_MEMORY_CHARS)
}

/// `parts` with `line` at the end of part 1, when it fits [`room`] (the
/// memory saves tokens, never correctness: without it the next run asks
/// again).
pub fn with_memory(mut parts: Vec<String>, line: &str) -> Vec<String> {
    if char_len(line) <= room(&parts) {
        if let Some(first) = parts.first_mut() {
            first.push_str(line);
            first.push('\n');
        }
    }
    parts
}

/// Receipts kept before the oldest-drawn are folded into `base`.
pub const MAX_RECEIPTS: usize = 1_000;

/// What the commands outside the workflow reports spent on one day, one
/// receipt per command run under an id it drew once. Adding a receipt is
/// idempotent and commutes with other commands' receipts, so the spend
/// comment is a read-modify-write that a concurrent command cannot undo
/// (a running total read at a command's start and written at its end lost
/// every count recorded in between).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendReceipts {
    /// The UTC day counted.
    pub day: NaiveDate,
    /// Tokens in and out of receipts folded away (and, on a comment
    /// written before receipts, its running total).
    #[serde(default)]
    pub base: [u64; 2],
    /// Tokens in and out per receipt id.
    #[serde(rename = "r", default)]
    pub receipts: BTreeMap<String, [u64; 2]>,
}

impl SpendReceipts {
    /// No spend yet on `day`.
    pub fn new(day: NaiveDate) -> Self {
        SpendReceipts { day, ..SpendReceipts::default() }
    }

    /// Records receipt `id` unless it is there already.
    pub fn add(&mut self, id: &str, tokens_in: u64, tokens_out: u64) {
        if self.receipts.contains_key(id) {
            return;
        }
        self.receipts.insert(id.to_string(), [tokens_in, tokens_out]);
        while self.receipts.len() > MAX_RECEIPTS {
            let Some((_, [i, o])) = self.receipts.pop_first() else { break };
            self.base = [self.base[0].saturating_add(i), self.base[1].saturating_add(o)];
        }
    }

    /// Tokens in and out, all receipts together.
    pub fn total(&self) -> [u64; 2] {
        self.receipts.values().fold(self.base, |[a, b], [i, o]| [a.saturating_add(*i), b.saturating_add(*o)])
    }
}

/// The receipts of a spend comment, if it has a readable line.
pub fn parse_spend_receipts(body: &str) -> Option<SpendReceipts> {
    let (v, json) = markers::find_json_marker(body, LLM_SPEND_RECEIPTS_PREFIX)?;
    (v == markers::VERSION).then(|| state_json::from_str(json).ok()).flatten()
}

/// The body of the daily issue's spend comment
/// ([`markers::llm_spend_marker`]): the tokens the commands outside the
/// workflow reports used today, said once for people, kept as a memory
/// line (budget only, no answers, its counts the receipts' total) that
/// every reader of today's memory lines counts against the repository's
/// daily budget, and the receipts it is the total of.
pub fn spend_comment(memory_line: &str, receipts: &SpendReceipts) -> String {
    let [tokens_in, tokens_out] = receipts.total();
    format!(
        "{}\n{memory_line}\n{}\n_LLM tokens used today by pull-request and analyze-url commands: {tokens_in} in / {tokens_out} out. \
         The repository's daily token budget counts them with the workflow reports'._\n",
        markers::llm_spend_marker(),
        markers::json_marker_line(LLM_SPEND_RECEIPTS_PREFIX, &state_json::to_string(receipts))
    )
}

/// What a model added to a report the bot writes (the daily summary, a
/// PR's ci-status comment): its narrative, already rendered through
/// [`crate::safe`] and marked as the model's by `ci_llm::render` (or the
/// label saying why there is none), the LLM footer line, and the memory
/// line the report keeps. All `None` without a model: the report is then
/// exactly the deterministic one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LlmPart {
    /// The narrative block (Markdown, escaped), or the deterministic label.
    pub narrative: Option<String>,
    /// The footer line (plain text, escaped when rendered).
    pub footer: Option<String>,
    /// [`memory_line`] of the memory this report keeps.
    pub memory_line: Option<String>,
}

impl LlmPart {
    /// The narrative and a blank line, or nothing.
    pub fn narrative_md(&self) -> String {
        self.narrative.as_deref().map(|n| format!("{}\n\n", n.trim_end())).unwrap_or_default()
    }

    /// [`Self::narrative_md`] in at most `max` chars: whole lines only (each
    /// line of a rendered narrative is complete Markdown, so a cut between
    /// lines leaves no code span or emphasis open), and a note when cut.
    pub fn narrative_within(&self, max: usize) -> String {
        let full = self.narrative_md();
        if char_len(&full) <= max {
            return full;
        }
        const CUT: &str = "_… the rest of the model's reading is cut to fit the comment._\n\n";
        let mut out = String::new();
        for line in full.lines() {
            if char_len(&out) + char_len(line) + 1 + char_len(CUT) > max {
                break;
            }
            out.push_str(line);
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
            out.push_str(CUT);
        }
        out
    }

    /// The footer as an italic line, or nothing.
    pub fn footer_md(&self) -> String {
        self.footer.as_deref().map(|l| format!("*{}*\n", crate::safe::inline(l, 400))).unwrap_or_default()
    }

    /// The memory line and a newline, or nothing (only a well-formed line:
    /// one line, our marker).
    pub fn memory_md(&self) -> String {
        self.memory_line
            .as_deref()
            .filter(|l| l.starts_with(LLM_MEMORY_PREFIX) && !l.contains('\n'))
            .map(|l| format!("{l}\n"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_escape_the_line_and_round_trips() {
        let v = serde_json::json!({"v": 1, "a": "--> <!-- @maintainers #1 </details> `x` \u{2028}"});
        let line = memory_line(&v);
        assert!(line.starts_with("<!-- ci-bot:llm-memory v=2 {") && line.ends_with("} -->"), "{line}");
        assert_eq!((line.matches("-->").count(), line.matches("<!--").count()), (1, 1), "{line}");
        assert!(!line.contains('@') && !line.contains('#') && line.matches('<').count() == 1 && !line.contains('\n'));
        let body = format!("text\n{line}\nmore");
        assert_eq!(parse_memory::<serde_json::Value>(&body), Some(v));
        assert_eq!(parse_memory::<serde_json::Value>("no memory here"), None);
    }

    #[test]
    fn a_line_that_does_not_fit_is_left_out() {
        let parts = vec!["x".repeat(crate::GITHUB_BODY_LIMIT - 500)];
        assert_eq!(room(&parts), 0);
        assert_eq!(with_memory(parts.clone(), "<!-- ci-bot:llm-memory v=2 {} -->"), parts);
        let small = with_memory(vec!["part 1\n".into(), "part 2".into()], "L");
        assert_eq!(small, vec!["part 1\nL\n".to_string(), "part 2".to_string()]);
    }
}
