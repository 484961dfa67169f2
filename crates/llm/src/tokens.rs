//! Token estimates, prices and the per-report tally behind the footer
//! ("tokens in/out and estimated cost").
//!
//! The estimate is one character in four. Why not a real tokenizer: each
//! provider has its own, none is available offline for every model, and
//! the numbers that matter here are budgets and ratios. The same estimate is
//! used for our prompts and for the old bot's (see [`crate::legacy`]), so
//! the comparison is fair; provider-reported usage replaces the estimate
//! whenever the provider reports it.

use serde::{Deserialize, Serialize};

use crate::provider::{ProviderInfo, Usage};

/// Estimated tokens in `text`: chars / 4, rounded up.
pub fn estimate(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Input (prompt) tokens.
    pub input_per_mtok: f64,
    /// Output (completion) tokens.
    pub output_per_mtok: f64,
}

impl Price {
    /// Cost of `usage` in USD.
    pub fn cost(&self, usage: &Usage) -> f64 {
        (usage.input_tokens as f64 * self.input_per_mtok + usage.output_tokens as f64 * self.output_per_mtok) / 1e6
    }
}

/// List prices by model family (USD per million tokens, public list prices
/// when this table was written). A configured `price` wins; unknown models
/// (local ones) cost nothing in the estimate and the footer says "n/a".
pub fn list_price(model: &str) -> Option<Price> {
    let m = model.to_ascii_lowercase();
    let p = |i, o| Some(Price { input_per_mtok: i, output_per_mtok: o });
    if m.contains("opus-4-5") || m.contains("opus-4.5") || m.contains("opus-4-6") {
        p(5.0, 25.0)
    } else if m.contains("opus") {
        p(15.0, 75.0)
    } else if m.contains("sonnet") {
        p(3.0, 15.0)
    } else if m.contains("haiku-4") || m.contains("haiku-4-5") {
        p(1.0, 5.0)
    } else if m.contains("haiku") {
        p(0.8, 4.0)
    } else {
        None
    }
}

/// What one report's LLM use cost: the footer's numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Calls that reached the provider.
    pub calls: u32,
    /// Answers served from the cache (zero tokens).
    pub cache_hits: u32,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Some usage was estimated rather than reported.
    pub estimated: bool,
    /// Estimated cost in USD, when a price is known.
    pub cost_usd: Option<f64>,
    /// Calls that failed (timeout, HTTP error, malformed answer): the
    /// deterministic result stood.
    pub failures: u32,
    /// Calls skipped because the daily budget was spent.
    pub skipped_for_budget: u32,
    /// Quoted lines checked and found in the log.
    pub quotes_verified: u32,
    /// Quoted lines not found in the log, dropped.
    pub quotes_dropped: u32,
}

impl Tally {
    /// Count one call's usage at `price`.
    pub fn add_call(&mut self, usage: &Usage, price: Option<Price>, reported_cost: Option<f64>) {
        self.calls += 1;
        self.input_tokens += usage.input_tokens;
        self.output_tokens += usage.output_tokens;
        self.estimated |= usage.estimated;
        let cost = reported_cost.or_else(|| price.map(|p| p.cost(usage)));
        if let Some(c) = cost {
            self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + c);
        }
    }

    /// Add another report's tally (a tick sums its workflows).
    pub fn merge(&mut self, o: &Tally) {
        self.calls += o.calls;
        self.cache_hits += o.cache_hits;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.estimated |= o.estimated;
        self.cost_usd = match (self.cost_usd, o.cost_usd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        self.failures += o.failures;
        self.skipped_for_budget += o.skipped_for_budget;
        self.quotes_verified += o.quotes_verified;
        self.quotes_dropped += o.quotes_dropped;
    }

    /// One plain-text footer line, e.g. `LLM: claude-sonnet-4-5 via the
    /// Anthropic API (api.anthropic.com) · 3 calls · 4,210 tokens in / 812
    /// out · est. $0.025 · 2 cached (0 tokens) · quotes 9 verified, 1 dropped`.
    /// `None` provider: the deterministic label.
    pub fn footer(&self, provider: Option<&ProviderInfo>) -> String {
        let Some(p) = provider else {
            return "LLM: none configured; deterministic triage only.".to_string();
        };
        let mut parts = vec![format!("LLM: {}", p.label())];
        parts.push(format!("{} call{}", self.calls, if self.calls == 1 { "" } else { "s" }));
        let est = if self.estimated { " (estimated)" } else { "" };
        parts.push(format!(
            "{} tokens in / {} out{est}",
            thousands(self.input_tokens),
            thousands(self.output_tokens)
        ));
        parts.push(match self.cost_usd {
            Some(c) => format!("est. ${c:.3}"),
            None => "cost n/a".to_string(),
        });
        if self.cache_hits > 0 {
            parts.push(format!("{} cached (0 tokens)", self.cache_hits));
        }
        if self.quotes_verified + self.quotes_dropped > 0 {
            parts.push(format!("quotes {} verified, {} dropped", self.quotes_verified, self.quotes_dropped));
        }
        if self.failures > 0 {
            parts.push(format!("{} failed (deterministic result kept)", self.failures));
        }
        if self.skipped_for_budget > 0 {
            parts.push(format!("{} skipped: daily token budget spent", self.skipped_for_budget));
        }
        parts.join(" · ")
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string().into_bytes();
    let groups: Vec<&[u8]> = digits.rchunks(3).rev().collect();
    groups.iter().map(|g| String::from_utf8_lossy(g)).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Mode;

    #[test]
    fn estimate_and_price() {
        assert_eq!(estimate(""), 0);
        assert_eq!(estimate("abcde"), 2);
        let u = Usage { input_tokens: 1_000_000, output_tokens: 100_000, estimated: false };
        assert!((list_price("claude-sonnet-4-5").unwrap().cost(&u) - 4.5).abs() < 1e-9);
        assert!(list_price("qwen2.5-coder-7b").is_none());
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn footer_says_everything() {
        let mut t = Tally::default();
        t.add_call(&Usage { input_tokens: 4210, output_tokens: 812, estimated: false }, list_price("claude-sonnet-4-5"), None);
        t.cache_hits = 2;
        t.quotes_verified = 9;
        t.quotes_dropped = 1;
        let info = ProviderInfo { mode: Mode::Anthropic, model: "claude-sonnet-4-5".into(), host: "api.anthropic.com".into(), note: None };
        assert_eq!(
            t.footer(Some(&info)),
            "LLM: claude-sonnet-4-5 via the Anthropic API (api.anthropic.com) · 1 call · 4,210 tokens in / 812 out · est. $0.025 · 2 cached (0 tokens) · quotes 9 verified, 1 dropped"
        );
        assert_eq!(t.footer(None), "LLM: none configured; deterministic triage only.");
    }
}
