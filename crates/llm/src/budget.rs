//! The daily token budget of one repository.
//!
//! Checked before a call with an estimate (prompt tokens plus the task's
//! output cap, so a call that is allowed cannot overshoot by more than the
//! estimate's error), charged after it with what the provider reported. The
//! day is the UTC date the caller passes in; a new day starts from zero.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::provider::Usage;

/// Tokens spent today against a limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// UTC day the counters belong to.
    pub day: NaiveDate,
    /// Tokens (in + out) allowed per day.
    pub limit: u64,
    /// Input tokens spent on `day`.
    pub used_in: u64,
    /// Output tokens spent on `day`.
    pub used_out: u64,
}

impl Budget {
    /// A fresh budget for `today`.
    pub fn new(limit: u64, today: NaiveDate) -> Self {
        Budget { day: today, limit, used_in: 0, used_out: 0 }
    }

    /// Tokens spent on `today` (zero if the stored day is another day).
    pub fn used(&self, today: NaiveDate) -> u64 {
        if self.day == today { self.used_in + self.used_out } else { 0 }
    }

    /// May a call estimated at `tokens` run on `today`?
    pub fn allows(&self, tokens: u64, today: NaiveDate) -> bool {
        self.used(today).saturating_add(tokens) <= self.limit
    }

    /// Record a call's usage on `today`.
    pub fn charge(&mut self, usage: &Usage, today: NaiveDate) {
        if self.day != today {
            *self = Budget::new(self.limit, today);
        }
        self.used_in += usage.input_tokens;
        self.used_out += usage.output_tokens;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_daily_and_refuses_over_limit() {
        let d1 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let d2 = d1.succ_opt().unwrap();
        let mut b = Budget::new(1000, d1);
        assert!(b.allows(1000, d1));
        b.charge(&Usage { input_tokens: 700, output_tokens: 200, estimated: false }, d1);
        assert!(!b.allows(101, d1));
        assert!(b.allows(100, d1));
        assert!(b.allows(1000, d2), "a new day starts from zero");
        b.charge(&Usage { input_tokens: 10, output_tokens: 0, estimated: false }, d2);
        assert_eq!((b.day, b.used(d2)), (d2, 10));
    }
}
