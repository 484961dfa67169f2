//! The write budget (the per-run circuit breaker) and the request counters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

use crate::{Error, Result};

/// The per-run circuit breaker for writes. Exhaustion is an error, never a
/// silent skip, so a runaway loop fails the run loudly after `limit` writes.
#[derive(Debug)]
pub struct WriteBudget {
    limit: u32,
    used: AtomicU32,
}

impl WriteBudget {
    /// A budget of `limit` writes.
    pub fn new(limit: u32) -> Self {
        WriteBudget {
            limit,
            used: AtomicU32::new(0),
        }
    }

    /// Writes allowed.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Writes spent.
    pub fn used(&self) -> u32 {
        self.used.load(Ordering::SeqCst).min(self.limit)
    }

    /// Writes left.
    pub fn remaining(&self) -> u32 {
        self.limit - self.used()
    }

    /// Takes one write token or fails with `BudgetExhausted`.
    pub fn spend(&self, op: &str) -> Result<()> {
        let taken = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |u| {
                (u < self.limit).then_some(u + 1)
            });
        taken.map(|_| ()).map_err(|_| Error::BudgetExhausted {
            op: op.to_string(),
            limit: self.limit,
        })
    }
}

/// Request counters, by operation name (e.g. `list_comments`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// HTTP requests sent, including retries and extra pages.
    pub requests: BTreeMap<String, u64>,
    /// 304 Not Modified answers served from the ETag cache (no rate-limit cost).
    pub conditional_hits: BTreeMap<String, u64>,
    /// Resends (read retries and rate-limit waits).
    pub retries: BTreeMap<String, u64>,
    /// Write-budget tokens used.
    pub writes: u32,
}

impl Stats {
    /// Requests sent, every operation.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// 304 answers served from the cache, every operation.
    pub fn total_conditional_hits(&self) -> u64 {
        self.conditional_hits.values().sum()
    }

    /// Requests sent for `op` (e.g. `list_comments`).
    pub fn requests_for(&self, op: &str) -> u64 {
        self.requests.get(op).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_a_hard_stop() {
        let b = WriteBudget::new(2);
        assert!(b.spend("a").is_ok());
        assert!(b.spend("a").is_ok());
        let e = b.spend("create_comment").unwrap_err();
        assert!(matches!(e, Error::BudgetExhausted { limit: 2, .. }));
        assert_eq!(b.remaining(), 0);
    }
}
