//! Scripted fault injection.
//!
//! A rule matches by method and path pattern and fires either for the next
//! N matching requests, with a probability (from a seeded RNG, so a chaos
//! test replays identically), or both (N firings, each with probability p).
//! Rules are checked in insertion order; the first that fires wins.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// What a firing rule does to the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status (500, 502, 503, ...) and GitHub's error body.
    Status { status: u16 },
    /// 403 "You have exceeded a secondary rate limit" with `Retry-After`.
    SecondaryRateLimit {
        #[serde(default = "one")]
        retry_after_secs: u64,
    },
    /// 429 Too Many Requests with `Retry-After`.
    TooManyRequests {
        #[serde(default = "one")]
        retry_after_secs: u64,
    },
    /// Sleep this long, then serve normally (to trip client timeouts).
    Delay { ms: u64 },
    /// Drop the TCP connection (RST) without answering.
    Reset,
    /// 410 Gone, as an expired log download URL answers.
    Gone,
    /// Serve the request (a write takes effect), then answer with this
    /// status instead: the client cannot tell whether it happened.
    StatusAfterWrite { status: u16 },
    /// Serve the request (a write takes effect), then drop the connection.
    ResetAfterWrite,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method; absent or `*` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern; `*` matches any run of characters (including `/`).
    /// The query string is not part of the path.
    pub path: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire at most this many times; absent = unlimited.
    #[serde(default)]
    pub times: Option<u32>,
    /// Fire with this probability per matching request; absent = always.
    #[serde(default)]
    pub probability: Option<f64>,
}

impl FaultRule {
    pub fn new(method: &str, path: &str, kind: FaultKind) -> Self {
        FaultRule {
            method: Some(method.to_string()),
            path: path.to_string(),
            kind,
            times: None,
            probability: None,
        }
    }

    /// Any method.
    pub fn any(path: &str, kind: FaultKind) -> Self {
        FaultRule {
            method: None,
            ..FaultRule::new("*", path, kind)
        }
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok && glob(&self.path, path)
    }
}

/// A rule plus how often it has fired.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveRule {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    pub fired: u64,
}

#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    rules: Vec<ActiveRule>,
    next_id: u64,
    rng: SplitMix64,
    fired_total: u64,
}

/// Clonable handle to the fault script.
#[derive(Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultBook>>,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        let f = Faults::default();
        f.seed(seed);
        f
    }

    fn lock(&self) -> MutexGuard<'_, FaultBook> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add a rule; returns its id (for [`Faults::remove`]).
    pub fn add(&self, rule: FaultRule) -> u64 {
        let mut b = self.lock();
        b.next_id += 1;
        let id = b.next_id;
        b.rules.push(ActiveRule { id, rule, fired: 0 });
        id
    }

    pub fn remove(&self, id: u64) {
        self.lock().rules.retain(|r| r.id != id);
    }

    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Re-seed the RNG used by probabilistic rules.
    pub fn seed(&self, seed: u64) {
        self.lock().rng = SplitMix64(seed);
    }

    pub fn rules(&self) -> Vec<ActiveRule> {
        self.lock().rules.clone()
    }

    /// How many faults have fired in total.
    pub fn fired(&self) -> u64 {
        self.lock().fired_total
    }

    // Shorthands for the common scripts.

    /// The next `n` requests matching `method path` get `status`.
    pub fn fail_next(&self, method: &str, path: &str, status: u16, n: u32) -> u64 {
        self.add(FaultRule::new(method, path, FaultKind::Status { status }).times(n))
    }

    /// Every matching request fails with `status` with probability `p`.
    pub fn fail_randomly(&self, method: &str, path: &str, status: u16, p: f64) -> u64 {
        self.add(FaultRule::new(method, path, FaultKind::Status { status }).probability(p))
    }

    /// Decide what happens to one request; `None` = serve it normally.
    pub(crate) fn check(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut b = self.lock();
        let b = &mut *b;
        let mut fired = None;
        for rule in b.rules.iter_mut() {
            if !rule.rule.matches(method, path) {
                continue;
            }
            if rule.rule.times.is_some_and(|t| rule.fired >= u64::from(t)) {
                continue;
            }
            if let Some(p) = rule.rule.probability {
                if b.rng.next_f64() >= p {
                    continue;
                }
            }
            rule.fired += 1;
            fired = Some(rule.rule.kind.clone());
            break;
        }
        // Spent one-shot rules vanish so `rules()` shows what is still armed.
        b.rules
            .retain(|r| r.rule.times.is_none_or(|t| r.fired < u64::from(t)));
        if fired.is_some() {
            b.fired_total += 1;
        }
        fired
    }
}

/// `*` matches any (possibly empty) run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// A tiny deterministic PRNG: reproducible chaos without a dependency.
#[derive(Debug, Default)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches() {
        assert!(glob("/repos/*/issues", "/repos/o/r/issues"));
        assert!(glob("*", "/anything"));
        assert!(glob("/repos/*/issues/*/comments", "/repos/o/r/issues/3/comments"));
        assert!(!glob("/repos/*/issues", "/repos/o/r/issues/3"));
        assert!(glob("/_blob/*", "/_blob/abc"));
    }

    #[test]
    fn times_and_probability_are_deterministic() {
        let f = Faults::new(42);
        f.fail_next("GET", "/x", 500, 2);
        assert!(f.check("GET", "/x").is_some());
        assert!(f.check("POST", "/x").is_none());
        assert!(f.check("GET", "/x").is_some());
        assert!(f.check("GET", "/x").is_none());
        assert!(f.rules().is_empty());

        let run = |seed| {
            let f = Faults::new(seed);
            f.fail_randomly("*", "*", 503, 0.1);
            (0..1000).map(|_| f.check("GET", "/a").is_some()).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        let n = a.iter().filter(|x| **x).count();
        assert!((60..140).contains(&n), "{n}");
    }
}
