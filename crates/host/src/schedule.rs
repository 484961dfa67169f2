//! When a periodic task runs: fixed slots on the wall clock, a
//! deterministic jitter inside each slot, exponential backoff after errors,
//! and a circuit breaker after too many of them in a row.
//!
//! Slots are what make a restart safe: slot `k` covers
//! `[k * interval, (k + 1) * interval)` since the Unix epoch and runs at most
//! once; the state file remembers the last slot done, so a host restarted
//! five minutes after a dispatch waits for the next slot instead of
//! dispatching again.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// How often, and how to behave when it fails.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// Slot length.
    pub interval: Duration,
    /// Each slot's run is delayed by a fixed-per-slot amount in `[0, jitter)`,
    /// so many bots (or many tasks) do not hit GitHub at the same second.
    pub jitter: Duration,
    /// First retry after a failure; doubles per consecutive failure.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Consecutive failures that open the breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker stays open before one trial tick.
    pub breaker_cooldown: Duration,
    /// Seeds the jitter (e.g. a hash of the repo).
    pub seed: u64,
}

impl Schedule {
    /// Every `interval`, jitter up to `jitter`, the remaining knobs at their defaults.
    pub fn every(interval: Duration, jitter: Duration) -> Self {
        Schedule {
            interval,
            jitter,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(900),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(3600),
            seed: 0,
        }
    }

    fn interval_secs(&self) -> i64 {
        self.interval.as_secs().max(1) as i64
    }

    /// The slot `t` falls in.
    pub fn slot_at(&self, t: DateTime<Utc>) -> i64 {
        t.timestamp().div_euclid(self.interval_secs())
    }

    /// Start of slot `slot`.
    pub fn slot_start(&self, slot: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(slot * self.interval_secs(), 0).single().unwrap_or_default()
    }

    /// When slot `slot` is due: its start plus its jitter.
    pub fn due(&self, slot: i64, task: &str) -> DateTime<Utc> {
        let jitter_ms = self.jitter.as_millis() as u64;
        let offset = if jitter_ms == 0 {
            0
        } else {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (self.seed, task, slot).hash(&mut h);
            h.finish() % jitter_ms
        };
        self.slot_start(slot) + chrono::Duration::milliseconds(offset as i64)
    }

    /// Delay before retry number `failures` (1-based): base · 2^(n-1), capped.
    pub fn backoff(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        self.backoff_base.saturating_mul(1u32 << exp).min(self.backoff_max)
    }
}

/// What the host remembers about one task across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskState {
    /// The last slot whose tick completed.
    pub last_done_slot: Option<i64>,
    /// When that tick completed.
    pub last_success: Option<DateTime<Utc>>,
    /// The last tick that ended (either way).
    pub last_attempt: Option<DateTime<Utc>>,
    /// What the last successful tick did, one line (for `/healthz`).
    pub last_result: Option<String>,
    /// The last failure, one line.
    pub last_error: Option<String>,
    /// Failed ticks since the last success.
    pub consecutive_failures: u32,
    /// While set and in the future, no tick runs.
    pub breaker_open_until: Option<DateTime<Utc>>,
    /// The task's own notes (e.g. a dispatch in flight); see `TickContext::journal`.
    #[serde(default)]
    pub journal: serde_json::Value,
}

/// The next tick of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// When to run.
    pub at: DateTime<Utc>,
    /// Which slot it runs for.
    pub slot: i64,
}

impl TaskState {
    /// Breaker state for `/healthz`: `closed`, `open` or `half-open`.
    pub fn breaker(&self, now: DateTime<Utc>) -> &'static str {
        match self.breaker_open_until {
            Some(until) if until > now => "open",
            Some(_) => "half-open",
            None => "closed",
        }
    }

    /// When to tick next, given the schedule and now.
    pub fn plan(&self, s: &Schedule, task: &str, now: DateTime<Utc>) -> Plan {
        let current = s.slot_at(now);
        // The oldest slot still owed: the current one, or (right after a
        // slot boundary) nothing older than the current one. Missed slots
        // are never made up one by one; one tick covers them.
        let slot = match self.last_done_slot {
            Some(done) if done >= current => done + 1,
            _ => current,
        };
        let (mut slot, mut at) = (slot, s.due(slot, task));
        if self.consecutive_failures > 0 {
            if let Some(last) = self.last_attempt {
                let retry = last + chrono::Duration::from_std(s.backoff(self.consecutive_failures)).unwrap_or_default();
                // Retry within the owed slot; once the next slot is due, that one is owed instead.
                if retry < s.due(slot + 1, task) {
                    at = at.max(retry);
                } else {
                    slot += 1;
                    at = s.due(slot, task);
                }
            }
        }
        if let Some(until) = self.breaker_open_until {
            if until > at {
                at = until;
                slot = slot.max(s.slot_at(at));
            }
        }
        Plan { at, slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn half_hour() -> Schedule {
        Schedule::every(Duration::from_secs(1800), Duration::from_secs(120))
    }

    #[test]
    fn slots_follow_the_wall_clock_and_jitter_stays_inside() {
        let s = half_hour();
        let slot = s.slot_at(t("2026-01-01T10:14:00Z"));
        assert_eq!(s.slot_start(slot), t("2026-01-01T10:00:00Z"));
        for k in slot..slot + 50 {
            let d = s.due(k, "monitor-dispatch");
            assert!(d >= s.slot_start(k) && d < s.slot_start(k) + chrono::Duration::seconds(120));
            assert_eq!(d, s.due(k, "monitor-dispatch"), "deterministic");
        }
    }

    #[test]
    fn a_fresh_host_owes_the_current_slot_and_a_done_slot_waits_for_the_next() {
        let s = half_hour();
        let now = t("2026-01-01T10:14:00Z");
        let fresh = TaskState::default().plan(&s, "d", now);
        assert_eq!(fresh.slot, s.slot_at(now));
        assert!(fresh.at <= now, "overdue: runs right away");

        let done = TaskState { last_done_slot: Some(s.slot_at(now)), ..Default::default() };
        let next = done.plan(&s, "d", now);
        assert_eq!(next.slot, s.slot_at(now) + 1);
        assert!(next.at >= t("2026-01-01T10:30:00Z"));
    }

    #[test]
    fn failures_back_off_exponentially_within_the_slot() {
        let s = half_hour();
        assert_eq!(s.backoff(1), Duration::from_secs(30));
        assert_eq!(s.backoff(3), Duration::from_secs(120));
        assert_eq!(s.backoff(30), Duration::from_secs(900));
        let now = t("2026-01-01T10:14:00Z");
        let failing = TaskState { consecutive_failures: 2, last_attempt: Some(now), ..Default::default() };
        let p = failing.plan(&s, "d", now);
        assert_eq!(p.slot, s.slot_at(now));
        assert_eq!(p.at, now + chrono::Duration::seconds(60));
        // A retry that would land after the next slot is due moves to that slot.
        let late = TaskState { consecutive_failures: 9, last_attempt: Some(t("2026-01-01T10:25:00Z")), ..Default::default() };
        let p = late.plan(&s, "d", t("2026-01-01T10:25:00Z"));
        assert_eq!(p.slot, s.slot_at(now) + 1);
    }

    #[test]
    fn an_open_breaker_holds_every_tick_until_it_cools_down() {
        let s = half_hour();
        let now = t("2026-01-01T10:14:00Z");
        let until = t("2026-01-01T11:14:00Z");
        let open = TaskState { breaker_open_until: Some(until), consecutive_failures: 5, last_attempt: Some(now), ..Default::default() };
        assert_eq!(open.breaker(now), "open");
        let p = open.plan(&s, "d", now);
        assert!(p.at >= until);
        assert_eq!(open.breaker(until + chrono::Duration::seconds(1)), "half-open");
    }
}
