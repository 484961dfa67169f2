//! "What changed since the last green run": the lines a passing run of the
//! same job printed, as a compact set, so the failing run's lines it also
//! printed rank below the ones it did not.
//!
//! The set holds normalised line hashes (`signals::norm`: numbers, hashes,
//! durations, timestamps, ports and temp paths taken out) in a Bloom
//! filter of fixed size, so memory stays bounded whatever the passing log's
//! size: 2 MiB, three probes per line. With the 10^5 distinct lines of a
//! large job log a line is falsely "seen" about once in 10^5; with 10^6
//! (a gigabyte of log) about once in 300, and the signal only weakens.

use crate::clean::{clean_line, read_line_capped};
use crate::signals::norm::line_hash;
use std::io::{BufReader, Read};

const BITS: u32 = 24;
const PROBES: u32 = 3;

/// The lines of a passing run of the same job (see the module docs).
///
/// ```
/// let pass = "2025-01-01T00:00:00.0Z Ran 12 tests in 3.4s\n2025-01-01T00:00:00.0Z OK\n";
/// let baseline = ci_triage::Baseline::from_reader(pass.as_bytes());
/// assert!(baseline.contains("Ran 13 tests in 0.9s"));
/// assert!(!baseline.contains("FAILED (failures=1)"));
/// ```
#[derive(Debug, Clone)]
pub struct Baseline {
    bits: Box<[u64]>,
    lines: u64,
}

impl Baseline {
    /// Read a passing log (any `Read`; an I/O error ends it early, like
    /// [`crate::analyze`]). Lines are cleaned as the engine cleans them
    /// (timestamps, ANSI escapes, `\r` redraws) and cut at
    /// [`crate::MAX_LINE`] bytes.
    pub fn from_reader<R: Read>(reader: R) -> Baseline {
        let mut b = Baseline { bits: vec![0u64; 1 << (BITS - 6)].into_boxed_slice(), lines: 0 };
        let mut rd = BufReader::with_capacity(256 * 1024, reader);
        let mut raw = Vec::with_capacity(1024);
        let mut text = String::with_capacity(1024);
        loop {
            raw.clear();
            match read_line_capped(&mut rd, &mut raw) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if raw.last() == Some(&b'\n') {
                raw.pop();
            }
            clean_line(&raw, &mut text);
            if text.trim().is_empty() {
                continue;
            }
            b.insert(line_hash(text.as_bytes()));
            b.lines += 1;
        }
        b
    }

    /// Non-empty lines read from the passing log.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Whether the passing run printed a line that normalises like
    /// `text` (a cleaned line). False positives are possible, rare and
    /// bounded (see the module docs); false negatives are not.
    pub fn contains(&self, text: &str) -> bool {
        self.contains_hash(line_hash(text.as_bytes()))
    }

    pub(crate) fn contains_hash(&self, h: u64) -> bool {
        probes(h).all(|bit| self.bits[(bit >> 6) as usize] & (1 << (bit & 63)) != 0)
    }

    fn insert(&mut self, h: u64) {
        for bit in probes(h) {
            self.bits[(bit >> 6) as usize] |= 1 << (bit & 63);
        }
    }
}

/// Double hashing: probe `i` is `h1 + i * h2`, both from the one 64-bit hash.
fn probes(h: u64) -> impl Iterator<Item = u32> {
    let h1 = (h as u32) >> (32 - BITS);
    let h2 = ((h >> 32) as u32 >> (32 - BITS)) | 1;
    (0..PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & ((1 << BITS) - 1))
}
