//! "The line to read first", when the engine found only a generic line.
//!
//! The model is shown the engine's candidate lines and answers with one
//! line number. The pick is accepted only if it is one of the candidates and
//! that line of the log still reads as shown; the text is then taken from
//! the log, never from the model, and marked as the model's.

use serde::{Deserialize, Serialize};

use crate::facts::PickFacts;
use crate::verify::json_object;

/// Rules below this priority are generic in `ci-triage` (its
/// `FAILURE_MIN_PRIORITY`): `Process completed with exit code 1`, `make:
/// *** Error 2`, a bare traceback header.
pub const GENERIC_PRIORITY: i32 = 40;

/// What the engine's best line tells about whether to ask: the verdict's
/// `basis` (`failing_step`/`failed_command`/`key_line_words` mean the best
/// line was generic: the category came from elsewhere) or the best rule's
/// priority.
pub fn engine_line_is_generic(best_rule_priority: Option<i32>, basis: Option<&str>) -> bool {
    matches!(basis, Some("failing_step" | "failed_command" | "key_line_words"))
        || best_rule_priority.is_none_or(|p| p < GENERIC_PRIORITY)
}

/// An accepted pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelPick {
    /// 1-based log line.
    pub line: u32,
    /// The line's text as the engine showed it (from the log).
    pub text: String,
    /// The model's one-sentence reason (untrusted prose; escape to render).
    pub why: String,
    /// Always `"model"`: renderers mark the line as the model's pick.
    pub by: String,
}

/// Why a pick was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickRejected {
    /// Not the answer format.
    #[error("pick answer malformed: {0}")]
    Malformed(String),
    /// A line number the model was not shown.
    #[error("picked line {0} is not one of the candidates")]
    NotACandidate(u32),
    /// The line is not in the log as shown (log changed, or out of range).
    #[error("picked line {0} does not read as shown in the log")]
    NotInLog(u32),
}

/// Check the model's answer against the candidates and the log.
pub fn accept(answer: &str, facts: &PickFacts, log: &[u8]) -> Result<ModelPick, PickRejected> {
    let v = json_object(answer).map_err(PickRejected::Malformed)?;
    let line = match v.get("line") {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(serde_json::Value::String(s)) => s.trim().trim_start_matches(['L', 'l']).parse().ok(),
        _ => None,
    }
    .ok_or_else(|| PickRejected::Malformed("no line number".into()))?;
    let cand = facts.candidates.iter().find(|c| c.no == line).ok_or(PickRejected::NotACandidate(line))?;
    let raw = log.split(|&b| b == b'\n').nth(line.saturating_sub(1) as usize).filter(|_| line > 0);
    let reads_as_shown = raw.is_some_and(|r| {
        let text = ci_report::safe::clean(&String::from_utf8_lossy(r));
        let shown = cand.text.trim();
        !shown.is_empty() && text.contains(shown)
    });
    if !reads_as_shown {
        return Err(PickRejected::NotInLog(line));
    }
    let why = v.get("why").and_then(|w| w.as_str()).unwrap_or("").chars().take(300).collect();
    Ok(ModelPick { line, text: cand.text.clone(), why, by: "model".into() })
}

/// `key_lines` with the pick moved to the front (it is one of them).
pub fn reorder(key_lines: &[u32], pick: &ModelPick) -> Vec<u32> {
    let mut out = vec![pick.line];
    out.extend(key_lines.iter().copied().filter(|&l| l != pick.line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::LogLine;

    fn facts() -> PickFacts {
        PickFacts {
            job: "build".into(),
            candidates: vec![
                LogLine { no: 3, text: "##[error]Process completed with exit code 1.".into() },
                LogLine { no: 2, text: "fatal: could not read Username".into() },
            ],
            ..Default::default()
        }
    }

    const LOG: &[u8] = b"2026-01-01T00:00:00Z Run git fetch\n2026-01-01T00:00:01Z fatal: could not read Username\n##[error]Process completed with exit code 1.\n";

    #[test]
    fn accepts_only_shown_lines_that_read_as_shown() {
        let p = accept(r#"{"line": 2, "why": "the git error explains the exit"}"#, &facts(), LOG).unwrap();
        assert_eq!((p.line, p.by.as_str()), (2, "model"));
        assert_eq!(reorder(&[3, 2, 7], &p), [2, 3, 7]);
        assert_eq!(accept(r#"{"line": 1}"#, &facts(), LOG), Err(PickRejected::NotACandidate(1)));
        assert_eq!(accept(r#"{"line": 2}"#, &facts(), b"other\nlog\n"), Err(PickRejected::NotInLog(2)));
        assert!(matches!(accept("line 2", &facts(), LOG), Err(PickRejected::Malformed(_))));
    }

    #[test]
    fn generic_means_low_priority_or_a_step_basis() {
        assert!(engine_line_is_generic(Some(20), None));
        assert!(engine_line_is_generic(None, None));
        assert!(engine_line_is_generic(Some(87), Some("failing_step")));
        assert!(engine_line_is_generic(Some(87), Some("key_line_words")));
        assert!(!engine_line_is_generic(Some(87), Some("rule")));
    }
}
