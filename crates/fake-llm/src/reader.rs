//! A scripted model that reads the prompt it is sent: the demo's and the
//! monitor tests' stand-in for a real model. Its answers are built only
//! from the facts in the prompt, so they pass the checks a real answer must
//! pass (quotes from the lines shown, labelled hypotheses with
//! disconfirming evidence, triage steps that are not orders).
//!
//! - A job-failure prompt: quotes the engine's first key line as shown.
//! - A pick-the-first-line prompt: the first candidate that reads like an
//!   error, else the first candidate.
//! - Anything else (summaries, ci-status): a short narrative quoting nothing.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::json;

use crate::{Recorded, Reply};

fn shown_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?m)^L(\d+)\| (.*)$").unwrap())
}

fn first_key_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"key lines in order: L(\d+)").unwrap())
}

/// The answer to one request (a [`crate::Responder`]).
pub fn answer(req: &Recorded) -> Reply {
    let user = req.user();
    let shown: Vec<(u32, String)> = shown_line()
        .captures_iter(&user)
        .filter_map(|c| Some((c[1].parse().ok()?, c[2].trim().trim_end_matches('…').trim().to_string())))
        .collect();
    if user.contains("pick the line to read first") {
        let pick = shown
            .iter()
            .find(|(_, t)| t.contains("Error") || t.contains("error:") || t.contains("FAILED"))
            .or(shown.first())
            .map_or(0, |(n, _)| *n);
        return Reply::Text(json!({"line": pick, "why": "It is the first candidate that states an error."}).to_string());
    }
    let key = first_key_line().captures(&user).and_then(|c| c[1].parse::<u32>().ok());
    let Some((line, text)) = shown.iter().find(|(n, _)| Some(*n) == key).or(shown.first()).cloned() else {
        return Reply::Text(
            json!({
                "summary": "The engine's facts above are all there is to go on; no log line was shown.",
                "evidence": [],
                "hypotheses": [],
                "triage_steps": ["Read the engine's key lines for each job first."]
            })
            .to_string(),
        );
    };
    let quote: String = text.chars().take(100).collect();
    Reply::Text(
        json!({
            "summary": format!("The job stopped at line {line}: the engine's first key line states the failure, and the lines around it are its context."),
            "evidence": [{"line": line, "quote": quote.trim()}],
            "hypotheses": [{
                "label": "MEDIUM",
                "statement": "The failure is the one this line states, not a consequence of an earlier error in the same step.",
                "disconfirming": "An earlier error in the same step's log would make this line a symptom.",
                "verify": format!("Read the step's log above line {line}.")
            }],
            "triage_steps": [format!("Open the job log at line {line} and read the lines above it.")]
        })
        .to_string(),
    )
}
