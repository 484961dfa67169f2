//! Answers keyed by failure fingerprint, so a repeat failure costs zero
//! tokens, and the state value the caller stores between runs.
//!
//! The actions are stateless: the caller keeps [`LlmMemory`] (budget and
//! cache) in the bot's own issue state or the Actions cache, as one versioned
//! JSON value. What is cached is the model's parsed [`Answer`], not the
//! checked narrative: quotes are checked again against each new log, so a
//! cached answer can never carry a line the new log does not have.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::budget::Budget;
use crate::templates::Task;
use crate::verify::Answer;

/// Version of the stored [`LlmMemory`] shape.
pub const MEMORY_VERSION: u32 = 1;

/// One cached answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// The model's answer, parsed, before verification; `None` when the
    /// call or its answer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Why the call failed (served for the rest of the day it happened, so
    /// a failing call is not paid for on every tick).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Model that wrote it.
    pub model: String,
    /// Day it was written.
    pub created: NaiveDate,
    /// Day it was last served.
    pub last_used: NaiveDate,
    /// Times served from the cache.
    pub hits: u32,
    /// Tokens the original call cost.
    pub tokens: u64,
}

/// Fingerprint-keyed answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    /// Key → entry (a `BTreeMap` so the stored JSON is stable).
    pub entries: BTreeMap<String, CacheEntry>,
}

/// The key of an answer: the task, the prompt templates' digest (a changed
/// prompt asks again) and the engine's fingerprints, order-insensitive.
/// Model prose never enters a key: identity is the engine's.
pub fn key(task: Task, template_digest: &str, fingerprints: &[String]) -> String {
    let mut fps: Vec<&str> = fingerprints.iter().map(String::as_str).collect();
    fps.sort_unstable();
    fps.dedup();
    let mut h = Sha256::new();
    h.update(template_digest.as_bytes());
    for f in fps {
        h.update([0]);
        h.update(f.as_bytes());
    }
    let hex: String = h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{}:{hex}", task.name())
}

impl Cache {
    /// The answer for `key`, marking it used on `today`.
    pub fn get(&mut self, key: &str, today: NaiveDate) -> Option<&CacheEntry> {
        let e = self.entries.get_mut(key)?;
        e.hits += 1;
        e.last_used = today;
        Some(e)
    }

    /// Store an answer, or why there is none.
    pub fn put(&mut self, key: String, answer: Result<Answer, String>, model: &str, tokens: u64, today: NaiveDate) {
        let (answer, failure) = match answer {
            Ok(a) => (Some(a), None),
            Err(e) => (None, Some(e)),
        };
        self.entries.insert(
            key,
            CacheEntry { answer, failure, model: model.to_string(), created: today, last_used: today, hits: 0, tokens },
        );
    }

    /// Keep at most `max_entries` entries and at most `max_chars` of JSON,
    /// dropping the least recently used first (ties: the older key first).
    pub fn prune(&mut self, max_entries: usize, max_chars: usize) {
        let mut order: Vec<(NaiveDate, String)> =
            self.entries.iter().map(|(k, e)| (e.last_used, k.clone())).collect();
        order.sort();
        let mut i = 0;
        while (self.entries.len() > max_entries || self.json_len() > max_chars) && i < order.len() {
            self.entries.remove(&order[i].1);
            i += 1;
        }
    }

    fn json_len(&self) -> usize {
        serde_json::to_string(self).map(|s| s.chars().count()).unwrap_or(usize::MAX)
    }
}

/// Everything the LLM layer keeps between runs, for one repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmMemory {
    /// [`MEMORY_VERSION`].
    pub v: u32,
    /// Today's token budget.
    pub budget: Budget,
    /// Answers by fingerprint.
    pub cache: Cache,
}

impl LlmMemory {
    /// Fresh memory with a daily `limit`.
    pub fn new(limit: u64, today: NaiveDate) -> Self {
        LlmMemory { v: MEMORY_VERSION, budget: Budget::new(limit, today), cache: Cache::default() }
    }

    /// Read stored memory; anything unreadable or of another version starts
    /// fresh (losing a cache costs tokens, never correctness). The limit is
    /// always the configured one.
    pub fn restore(json: Option<&str>, limit: u64, today: NaiveDate) -> Self {
        let parsed = json
            .and_then(|j| serde_json::from_str::<LlmMemory>(j).ok())
            .filter(|m| m.v == MEMORY_VERSION);
        match parsed {
            Some(mut m) => {
                m.budget.limit = limit;
                m
            }
            None => LlmMemory::new(limit, today),
        }
    }

    /// The JSON to store (pruned by the caller to fit where it is stored).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("memory serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    #[test]
    fn key_ignores_order_and_duplicates_but_not_template() {
        let a = key(Task::JobFailure, "d1", &["v1:b".into(), "v1:a".into()]);
        assert_eq!(a, key(Task::JobFailure, "d1", &["v1:a".into(), "v1:b".into(), "v1:a".into()]));
        assert_ne!(a, key(Task::JobFailure, "d2", &["v1:a".into(), "v1:b".into()]));
        assert!(a.starts_with("job-failure-analysis:"));
    }

    #[test]
    fn prune_drops_least_recently_used() {
        let mut c = Cache::default();
        for (k, d) in [("a", 3), ("b", 1), ("c", 2)] {
            c.put(k.into(), Ok(Answer::default()), "m", 10, day(d));
        }
        c.prune(2, usize::MAX);
        assert_eq!(c.entries.keys().collect::<Vec<_>>(), ["a", "c"]);
        c.prune(10, 10);
        assert!(c.entries.is_empty());
    }

    #[test]
    fn restore_survives_garbage_and_versions() {
        let m = LlmMemory::restore(Some("{not json"), 5, day(1));
        assert_eq!(m, LlmMemory::new(5, day(1)));
        let mut old = LlmMemory::new(9, day(1));
        old.v = 0;
        assert_eq!(LlmMemory::restore(Some(&old.to_json()), 5, day(2)), LlmMemory::new(5, day(2)));
        let mut kept = LlmMemory::new(9, day(1));
        kept.cache.put("k".into(), Ok(Answer::default()), "m", 1, day(1));
        let back = LlmMemory::restore(Some(&kept.to_json()), 5, day(1));
        assert_eq!(back.budget.limit, 5);
        assert_eq!(back.cache, kept.cache);
    }
}
