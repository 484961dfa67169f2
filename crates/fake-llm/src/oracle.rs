//! A scripted "model" that answers the pick-the-line-to-read-first task from
//! the human labels of the dataset (`labels.jsonl`).
//!
//! It is a plumbing proof, not a model: it shows that a pick travels from
//! the prompt, over HTTP, through verification, into `key_lines[0]` and is
//! scored by `score.py`. It reads only what a real model would see (the
//! `Job:` line and the `L<n>|` candidate lines of the prompt) plus the labels.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use regex::Regex;
use serde_json::Value;

use crate::{canned_answer, Recorded, Reply};

/// Labelled failure spans per log path.
pub struct LabelOracle {
    spans: HashMap<String, Vec<(u32, u32)>>,
    job: Regex,
    candidate: Regex,
}

impl LabelOracle {
    /// Read `labels.jsonl`: rows with `log` (a path) and `key_lines`
    /// (`[{start, end, kind}]`); like `score.py`, `kind: error` spans win
    /// when a row has any.
    pub fn load(labels: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(labels).with_context(|| format!("reading {}", labels.display()))?;
        let mut spans = HashMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).context("a labels.jsonl row is not JSON")?;
            let Some(log) = row.get("log").and_then(Value::as_str) else { continue };
            let all: Vec<&Value> = row.get("key_lines").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
            let errors: Vec<&Value> =
                all.iter().copied().filter(|s| s.get("kind").and_then(Value::as_str) == Some("error")).collect();
            let chosen = if errors.is_empty() { all } else { errors };
            let list: Vec<(u32, u32)> = chosen
                .iter()
                .filter_map(|s| Some((s.get("start")?.as_u64()? as u32, s.get("end")?.as_u64()? as u32)))
                .collect();
            if !list.is_empty() {
                spans.insert(log.to_string(), list);
            }
        }
        Ok(LabelOracle {
            spans,
            job: Regex::new(r"(?m)^Job: (.+)$").unwrap(),
            candidate: Regex::new(r"(?m)^L(\d+)\|").unwrap(),
        })
    }

    /// Number of labelled logs.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No labelled logs?
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The reply to one request: for a pick prompt, the first candidate
    /// inside a labelled span (else the first candidate); otherwise the
    /// canned narrative.
    pub fn answer(&self, req: &Recorded) -> Reply {
        let user = req.user();
        let candidates: Vec<u32> =
            self.candidate.captures_iter(&user).filter_map(|c| c[1].parse().ok()).collect();
        if candidates.is_empty() {
            return Reply::Text(canned_answer());
        }
        let job = self.job.captures(&user).map(|c| c[1].trim().to_string()).unwrap_or_default();
        let spans = self
            .spans
            .iter()
            .find(|(log, _)| job.ends_with(log.as_str()))
            .map(|(_, s)| s.as_slice())
            .unwrap_or(&[]);
        let inside = |l: u32| spans.iter().any(|&(a, b)| a <= l && l <= b);
        let pick = candidates.iter().copied().find(|&l| inside(l)).unwrap_or(candidates[0]);
        Reply::Text(serde_json::json!({"line": pick, "why": "labelled span (oracle)"}).to_string())
    }
}
