//! Which of a thousand short literals occur in a line, at a gigabyte a
//! second.
//!
//! The engine's triggers are ~1,100 literals, many three or four bytes long
//! (`ssl`, `429`, `FAIL`). An Aho-Corasick DFA over them walks one dependent
//! table load per byte, and no SIMD prefilter fits a set this large: a Teddy
//! cover needs 345 short literals where Teddy takes 128, and the shortest
//! triggers leave Wu-Manber or Boyer-Moore nothing to skip.
//!
//! So each literal is represented by its rarest three-byte window (rarity
//! from byte-triple counts of real CI logs, `src/rarity/`). A scan
//! hashes the window at every position of the line into a 32 KiB bitset
//! that stays in L1. The positions are independent of each other, so the
//! CPU overlaps them, where a DFA must finish one byte before the next. A
//! set bit sends the position to a second stage (the byte after the
//! window, looked up in two small bitsets) and from there to
//! verification: the literals whose window is there are compared in
//! place. A literal occurs at `s` exactly when its window occurs at
//! `s + offset` and the compare succeeds, so every
//! occurrence is reported once and nothing else is: the set an overlapping
//! Aho-Corasick search reports (the tests check this against the
//! `aho-corasick` crate, and the engine's JSON was byte-identical on every
//! dataset log when this replaced it).
//!
//! A two-byte literal (TAP's `# `) is represented by all 256 windows that
//! end with it (any byte, then its two), and checked once more at the
//! start of the line; one-byte literals are searched with `memmem`.

use memchr::memmem;

const WINDOW: usize = 3;
/// 2^18 bits: 32 KiB, an L1 data cache. Each distinct window sets one bit;
/// the built-in triggers have ~935 distinct windows (679, and the 256 of
/// the two-byte `# `), which set 0.36 % of the bits, so about that share
/// of positions goes to verification for nothing (1.04 % with 2^16 bits
/// and the 679: more than one per 100-byte line).
const FILTER_BITS: u32 = 18;
const EMPTY: u32 = u32::MAX;
/// The second stage's two bitsets: 2^16 bits, 8 KiB each.
const SECOND_BITS: u32 = 16;

/// A set of literals, searched all at once.
#[derive(Debug)]
pub struct LiteralSet {
    /// Bit `h` is set when some literal's window hashes to `h`.
    filter: Box<[u64; 1 << (FILTER_BITS - 6)]>,
    /// The second stage, asked only where `filter` passes (~2 % of
    /// positions): bit `fourth_hash(w)` is set when some literal has the
    /// window followed by the byte after it (the four bytes `w`), and bit
    /// `open_hash(window)` when some literal ends with the window (or is two
    /// bytes long), so that any byte may follow. Half the positions the
    /// filter passed on 200 MB of CI logs had no literal with their fourth
    /// byte; each one cost a `verify` call (~80 instructions).
    fourth: Box<[u64; 1 << (SECOND_BITS - 6)]>,
    open: Box<[u64; 1 << (SECOND_BITS - 6)]>,
    /// Open addressing from a window to its run of `entries`.
    slots: Box<[Slot]>,
    slot_shift: u32,
    /// Grouped by window.
    entries: Box<[Entry]>,
    /// All literals, back to back (`Entry::at`).
    bytes: Box<[u8]>,
    /// One-byte literals: (literal id, finder).
    short: Vec<(u32, memmem::Finder<'static>)>,
    /// Two-byte literals, (literal id, bytes): a window finds each
    /// occurrence but one at the very start of the line.
    pairs: Vec<(u32, [u8; 2])>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// `EMPTY`, or a window (24 bits, never `EMPTY`).
    window: u32,
    start: u32,
    end: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The literal's first eight bytes (zero past its end) and the mask of
    /// those it has: one masked compare of a load settles a literal of up
    /// to eight bytes, and rejects most longer candidates.
    head: u64,
    mask: u64,
    /// A longer literal's last eight bytes (it has at least nine).
    tail: u64,
    /// The window's offset in the literal, plus one (0: the window starts
    /// one byte before the literal, as a two-byte literal's do).
    back: u32,
    /// The literal's bytes are `bytes[at..at + len]`.
    at: u32,
    len: u32,
    literal: u32,
}

impl Entry {
    fn new(lit: &[u8], back: usize, at: usize, literal: usize) -> Entry {
        let word = |b: &[u8]| {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        let n = lit.len().min(8);
        let mask = if n == 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
        let tail = if lit.len() > 8 { word(&lit[lit.len() - 8..]) } else { 0 };
        Entry { head: word(&lit[..n]), mask, tail, back: back as u32, at: at as u32, len: lit.len() as u32, literal: literal as u32 }
    }
}

impl LiteralSet {
    /// Literal ids are indexes into `literals`. Empty literals never match.
    pub fn new<S: AsRef<[u8]>>(literals: &[S]) -> LiteralSet {
        let mut bytes = Vec::new();
        let mut short = Vec::new();
        let mut pairs = Vec::new();
        let mut windowed: Vec<(u32, Entry)> = Vec::new();
        for (id, lit) in literals.iter().map(AsRef::as_ref).enumerate() {
            let entry = |back: usize, at: usize| Entry::new(lit, back, at, id);
            match lit.len() {
                0 => {}
                1 => short.push((id as u32, memmem::Finder::new(lit).into_owned())),
                2 => {
                    // A memmem search per line cost ~100 instructions, 3 % of the
                    // engine on the logsage logs; 256 more windows set 0.1 % more
                    // of the filter's bits. The windows end with the pair, so
                    // their first bytes, which pick the filter bit, take all
                    // 256 values: windows that started with `# ` all set bit
                    // 35 (`#`'s low six bits), in 256 of the 4,096 words, and
                    // every window starting with `c` (`com`, `con`, …) shares
                    // that bit: 50 k of 100 k filter false positives on the
                    // 16 MiB logsage slice.
                    for first in 0..=255u8 {
                        windowed.push((trigram(&[first, lit[0], lit[1]]), entry(0, bytes.len())));
                    }
                    pairs.push((id as u32, [lit[0], lit[1]]));
                    bytes.extend_from_slice(lit);
                }
                n => {
                    let offset = (0..=n - WINDOW).max_by_key(|&o| (rarity(&lit[o..o + WINDOW]), std::cmp::Reverse(o))).expect("n >= WINDOW");
                    windowed.push((trigram(&lit[offset..]), entry(offset + 1, bytes.len())));
                    bytes.extend_from_slice(lit);
                }
            }
        }
        windowed.sort_by_key(|&(w, e)| (w, e.literal));
        let mut filter = Box::new([0u64; 1 << (FILTER_BITS - 6)]);
        let distinct = windowed.windows(2).filter(|p| p[0].0 != p[1].0).count() + 1;
        // Four slots per window, not two: windows that share a filter word
        // share a run of slots, and so do the filter's false positives; at
        // half load, 1.4 M of 3.9 M calls probed past the first slot
        // (3.7 M probes) on 200 MB of CI logs.
        let slot_bits = (4 * distinct).next_power_of_two().trailing_zeros().max(4);
        let mut slots = vec![Slot { window: EMPTY, start: 0, end: 0 }; 1 << slot_bits].into_boxed_slice();
        let slot_shift = 32 - slot_bits;
        let mut start = 0;
        while start < windowed.len() {
            let window = windowed[start].0;
            let end = start + windowed[start..].iter().take_while(|(w, _)| *w == window).count();
            let x = mix(key(window));
            let (word, bit) = filter_place(key(window), x);
            filter[word] |= 1 << bit;
            let mut s = (x >> slot_shift) as usize;
            while slots[s].window != EMPTY {
                s = (s + 1) & (slots.len() - 1);
            }
            slots[s] = Slot { window, start: start as u32, end: end as u32 };
            start = end;
        }
        let mut fourth = Box::new([0u64; 1 << (SECOND_BITS - 6)]);
        let mut open = Box::new([0u64; 1 << (SECOND_BITS - 6)]);
        for &(window, e) in &windowed {
            // The window starts at `back - 1` in the literal (-1: a
            // two-byte literal's window starts a byte before it).
            let after = e.back as usize + WINDOW - 1;
            if after < e.len as usize {
                set_bit(&mut fourth[..], fourth_hash(window | u32::from(bytes[e.at as usize + after]) << 24));
            } else {
                set_bit(&mut open[..], open_hash(window));
            }
        }
        let entries = windowed.into_iter().map(|(_, e)| e).collect();
        LiteralSet { filter, fourth, open, slots, slot_shift, entries, bytes: bytes.into_boxed_slice(), short, pairs }
    }

    /// Calls `found(id, start)` once per occurrence of each literal in `hay`
    /// (`start`: its first byte)
    /// (overlapping occurrences included), in no particular order.
    #[inline]
    pub fn for_each_match(&self, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        self.scan(hay, &mut found);
        if hay.len() >= 2 {
            for (id, pair) in &self.pairs {
                if hay[..2] == pair[..] {
                    found(*id as usize, 0);
                }
            }
        }
        for (id, finder) in &self.short {
            // `find_iter` skips overlapping occurrences (`==` twice in `===`).
            let mut at = 0;
            while let Some(p) = finder.find(&hay[at..]) {
                found(*id as usize, at + p);
                at += p + 1;
            }
        }
    }

    /// Every window of `hay`. Not inlined: inside the engine's line
    /// function the loop can lose a register to its caller (it reloaded
    /// `hay` from the stack at every position once `pairs` was added). 6.6
    /// instructions per position (by objdump: load, multiply, shift, load,
    /// bit test, branch, and the loop's 5 per 8 positions); the unrolled
    /// loop's condition is its bounds check, or the compiler keeps both.
    #[inline(never)]
    fn scan(&self, hay: &[u8], found: &mut impl FnMut(usize, usize)) {
        // Four-byte loads while a fourth byte remains. The shift drops the
        // fourth byte: one instruction, where a mask needed its constant
        // in a register or reloaded. Eight positions per loop turn, from
        // one eleven-byte slice: the loop's own instructions were 5 of the
        // 17 that two positions cost.
        let mut i = 0;
        while i + 11 <= hay.len() {
            let run: &[u8; 11] = hay[i..i + 11].try_into().expect("eleven bytes");
            for k in 0..8 {
                let key = u32::from_le_bytes(run[k..k + 4].try_into().expect("four bytes")) << 8;
                self.probe(hay, i + k, key, found);
            }
            i += 8;
        }
        // At most seven positions are left with a fourth byte: four, two
        // and one unrolled, where a loop paid its counter and condition
        // per position, and lines are short.
        if i + 7 <= hay.len() {
            let run: &[u8; 7] = hay[i..i + 7].try_into().expect("seven bytes");
            for k in 0..4 {
                let key = u32::from_le_bytes(run[k..k + 4].try_into().expect("four bytes")) << 8;
                self.probe(hay, i + k, key, found);
            }
            i += 4;
        }
        if i + 5 <= hay.len() {
            let run: &[u8; 5] = hay[i..i + 5].try_into().expect("five bytes");
            for k in 0..2 {
                let key = u32::from_le_bytes(run[k..k + 4].try_into().expect("four bytes")) << 8;
                self.probe(hay, i + k, key, found);
            }
            i += 2;
        }
        if i + 4 <= hay.len() {
            let key = u32::from_le_bytes(hay[i..i + 4].try_into().expect("four bytes")) << 8;
            self.probe(hay, i, key, found);
        }
        // The last window: the line's last four bytes with the first
        // dropped, not three single-byte loads.
        if hay.len() >= 4 {
            let last = u32::from_le_bytes(hay[hay.len() - 4..].try_into().expect("four bytes")) & !0xff;
            self.probe(hay, hay.len() - WINDOW, last, found);
        } else if hay.len() == WINDOW {
            self.probe(hay, 0, key(trigram(hay)), found);
        }
    }

    #[inline(always)]
    fn probe(&self, hay: &[u8], i: usize, key: u32, found: &mut impl FnMut(usize, usize)) {
        let x = mix(key);
        let (word, bit) = filter_place(key, x);
        if (self.filter[word] >> bit) & 1 != 0 {
            self.second(hay, i, key, found);
        }
    }

    /// The second stage: the byte after the window (see `fourth`). Its
    /// own function, not in `verify`: that one saves registers first.
    #[inline(never)]
    fn second(&self, hay: &[u8], i: usize, key: u32, found: &mut impl FnMut(usize, usize)) {
        let window = key >> 8;
        if let Some(&next) = hay.get(i + WINDOW) {
            if !has_bit(&self.fourth, fourth_hash(window | u32::from(next) << 24)) && !has_bit(&self.open, open_hash(window)) {
                return;
            }
        }
        self.verify(hay, i, key, found);
    }

    #[inline(never)]
    fn verify(&self, hay: &[u8], i: usize, key: u32, found: &mut impl FnMut(usize, usize)) {
        // The hash is recomputed here, not passed: a value the scan loop
        // must keep for the rare call costs it a register copy per position.
        let x = mix(key);
        let window = key >> 8;
        let mask = self.slots.len() - 1;
        let mut s = (x >> self.slot_shift) as usize;
        let slot = loop {
            let slot = self.slots[s];
            if slot.window == window {
                break slot;
            }
            if slot.window == EMPTY {
                return;
            }
            s = (s + 1) & mask;
        };
        for e in &self.entries[slot.start as usize..slot.end as usize] {
            let Some(start) = (i + 1).checked_sub(e.back as usize) else { continue };
            let end = start + e.len as usize;
            if end > hay.len() {
                continue;
            }
            if (head(hay, start) ^ e.head) & e.mask != 0 {
                continue;
            }
            if e.len > 8 {
                if word(hay, end - 8) != e.tail {
                    continue;
                }
                if e.len > 16 && hay[start + 8..end - 8] != self.bytes[(e.at + 8) as usize..(e.at + e.len - 8) as usize] {
                    continue;
                }
            }
            found(e.literal as usize, start);
        }
    }
}

#[cfg(test)]
impl LiteralSet {
    /// Per window the filter passes on `lines`: (window, hits, hits with no
    /// literal there, its literals), most misses first; and the positions
    /// that pass the filter with no window at all. For `engine`'s ignored
    /// census test, which says which triggers send the scan to `verify`
    /// for nothing.
    pub(crate) fn window_census(&self, lines: &[&[u8]]) -> (Vec<([u8; 3], u64, u64, Vec<String>)>, u64) {
        let mut per: std::collections::HashMap<u32, (u64, u64)> = Default::default();
        let mut filter_only = 0u64;
        for hay in lines.iter().filter(|h| h.len() >= WINDOW) {
            for i in 0..=hay.len() - WINDOW {
                let window = trigram(&hay[i..]);
                let (k, x) = (key(window), mix(key(window)));
                let (word, bit) = filter_place(k, x);
                if (self.filter[word] >> bit) & 1 == 0 {
                    continue;
                }
                let Some(slot) = self.slots.iter().find(|s| s.window == window) else {
                    filter_only += 1;
                    continue;
                };
                let found = self.entries[slot.start as usize..slot.end as usize].iter().any(|e| {
                    let Some(start) = (i + 1).checked_sub(e.back as usize) else { return false };
                    hay.get(start..start + e.len as usize) == Some(&self.bytes[e.at as usize..(e.at + e.len) as usize])
                });
                let c = per.entry(window).or_default();
                c.0 += 1;
                c.1 += u64::from(!found);
            }
        }
        let mut out: Vec<_> = per
            .into_iter()
            .map(|(w, (hits, misses))| {
                let slot = self.slots.iter().find(|s| s.window == w).expect("counted windows have slots");
                let lits = self.entries[slot.start as usize..slot.end as usize].iter().map(|e| String::from_utf8_lossy(&self.bytes[e.at as usize..(e.at + e.len) as usize]).into_owned()).collect();
                let b = w.to_le_bytes();
                ([b[0], b[1], b[2]], hits, misses, lits)
            })
            .collect();
        out.sort_by_key(|c| (std::cmp::Reverse(c.2), c.0));
        (out, filter_only)
    }
}

/// The eight bytes at `at` (which has eight bytes after it).
#[inline(always)]
fn word(hay: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(hay[at..at + 8].try_into().expect("eight bytes"))
}

/// The bytes from `at` on, as many as fit in eight, low byte first; the
/// rest zero. Near the end of `hay` the load is the last eight bytes,
/// shifted down, not a copy (3 % of the compares on 200 MB of CI logs).
#[inline(always)]
fn head(hay: &[u8], at: usize) -> u64 {
    if at + 8 <= hay.len() {
        word(hay, at)
    } else if hay.len() >= 8 {
        word(hay, hay.len() - 8) >> (8 * (at + 8 - hay.len()))
    } else {
        let mut w = [0u8; 8];
        w[..hay.len() - at].copy_from_slice(&hay[at..]);
        u64::from_le_bytes(w)
    }
}

fn set_bit(bits: &mut [u64], at: u32) {
    bits[(at >> 6) as usize] |= 1 << (at & 63);
}

#[inline(always)]
fn has_bit(bits: &[u64; 1 << (SECOND_BITS - 6)], at: u32) -> bool {
    (bits[(at >> 6) as usize] >> (at & 63)) & 1 != 0
}

/// Four bytes (a window and the byte after it), hashed to `SECOND_BITS`.
#[inline(always)]
fn fourth_hash(four: u32) -> u32 {
    four.wrapping_mul(0x85EB_CA6B) >> (32 - SECOND_BITS)
}

/// A window, hashed to `SECOND_BITS` (unlike `mix`'s top bits, which
/// would repeat the filter's own word index).
#[inline(always)]
fn open_hash(window: u32) -> u32 {
    window.wrapping_mul(0xC2B2_AE35) >> (32 - SECOND_BITS)
}

/// The window's bytes as a number (`WINDOW` is three).
fn trigram(b: &[u8]) -> u32 {
    const _: () = assert!(WINDOW == 3, "trigram(), the scan's masks and the rarity tables read three bytes");
    u32::from_le_bytes([b[0], b[1], b[2], 0])
}

/// What the scan hashes: the window in the top three bytes.
#[inline(always)]
fn key(window: u32) -> u32 {
    window << 8
}

/// The filter word and bit of a window (`key`, hashed: `x`): the word
/// from the hash's top bits, the bit from the low six bits of the window's
/// first byte. That byte is already in a register at every position and
/// `bt` takes its bit index modulo 64, so the bit costs no instruction (a
/// second shift of the hash cost two per position).
#[inline(always)]
fn filter_place(key: u32, x: u32) -> (usize, u32) {
    ((x >> (32 - (FILTER_BITS - 6))) as usize, (key >> 8) & 63)
}

/// Multiplicative hashing: the top bits of the product index the filter
/// and the slots. The key's low byte is zero, so this is the product of
/// the window and the constant modulo 2^24, shifted up: still a
/// multiplicative hash, with the constant an immediate operand.
#[inline(always)]
fn mix(key: u32) -> u32 {
    key.wrapping_mul(0x9E37_79B1)
}

/// How rare the three bytes `w` are in CI logs, in eighths of a bit
/// (`-8 log2 share`). The most frequent triples are counted
/// (`TRIGRAM_RARITY`); any other is rarer than all of those, and is ranked
/// among the others by a Markov chain over byte pairs (`-log p(w0 w1) -
/// log p(w2 | w1)`). Counting matters: the chain alone takes `.py` and
/// `doc` for rare, and they are among the commonest triples in logs.
fn rarity(w: &[u8]) -> i32 {
    let key = trigram(w);
    let table = trigram_table();
    match table.entries.binary_search_by_key(&key, |e| e & 0x00ff_ffff) {
        Ok(i) => (table.entries[i] >> 24) as i32,
        Err(_) => markov_rarity(w).max(table.rarest + 1),
    }
}

fn markov_rarity(w: &[u8]) -> i32 {
    let pair = |a: u8, b: u8| BIGRAM_RARITY[a as usize * 256 + b as usize] as i32;
    pair(w[0], w[1]) + pair(w[1], w[2]) - BYTE_RARITY[w[1] as usize] as i32
}

struct TrigramTable {
    /// `a | b << 8 | c << 16 | rarity << 24`, sorted by the triple.
    entries: Vec<u32>,
    /// The largest rarity listed.
    rarest: i32,
}

fn trigram_table() -> &'static TrigramTable {
    static TABLE: std::sync::OnceLock<TrigramTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let entries: Vec<u32> = TRIGRAM_RARITY.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let rarest = entries.iter().map(|e| (e >> 24) as i32).max().unwrap_or(0);
        TrigramTable { entries, rarest }
    })
}

/// `round(-8 * log2(share))` of each byte and each byte pair in the 149 MB
/// of real CI logs in `shared/datasets`, 255 when unseen, and of the 16,384
/// most frequent byte triples there; rebuilt by `tools/ngram_rarity.py`.
static BYTE_RARITY: &[u8; 256] = include_bytes!("rarity/bytes.bin");
static BIGRAM_RARITY: &[u8; 65536] = include_bytes!("rarity/bigrams.bin");
static TRIGRAM_RARITY: &[u8] = include_bytes!("rarity/trigrams.bin");

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// Every (literal, start) found, sorted.
    fn ours(lits: &[&str], hay: &str) -> Vec<(usize, usize)> {
        let set = LiteralSet::new(lits);
        let mut found = Vec::new();
        set.for_each_match(hay.as_bytes(), |id, start| found.push((id, start)));
        found.sort();
        found
    }

    fn reference(lits: &[&str], hay: &str) -> Vec<(usize, usize)> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(lits)
            .unwrap();
        let mut found: Vec<(usize, usize)> = ac.find_overlapping_iter(hay).map(|m| (m.pattern().as_usize(), m.start())).collect();
        found.sort();
        found
    }

    #[test]
    fn agrees_with_overlapping_aho_corasick() {
        let lits = [
            "error", "Error", "ERROR", "rro", "OK", "ok", "x", "FAIL", "FAILED", "ssl", "✖", "== ",
            "=====", "aaa",
        ];
        for hay in [
            "",
            "e",
            "OK",
            "ok!",
            "error: ssl handshake failed",
            "FAILED tests/test_x.py - OK",
            "✖ 3 failing ===== ====== aaaaa",
            "xerrorERRORErrorrrorro",
            "ERRO",
            "rr",
        ] {
            assert_eq!(ours(&lits, hay), reference(&lits, hay), "{hay:?}");
        }
    }

    #[test]
    fn counted_triples_outrank_the_byte_pair_estimate() {
        let table = trigram_table();
        assert!(table.entries.len() > 10_000, "trigrams.bin is the 16,384 commonest triples");
        assert!(table.entries.windows(2).all(|p| p[0] & 0x00ff_ffff < p[1] & 0x00ff_ffff), "sorted for binary search");
        // The pair chain alone rates `.py` and `doc` rarer than they are.
        assert!(rarity(b".py") < rarity(b"py:"));
        assert!(rarity(b"doc") < rarity(b"vad"), "`javadoc` is not represented by `doc`");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        #[test]
        fn agrees_on_random_text(hay in "[a-cA-C =✖]{0,40}", lits in proptest::collection::vec("[a-cA-C =✖]{1,5}", 1..12)) {
            let lits: Vec<&str> = lits.iter().map(|s| s.as_str()).collect();
            proptest::prop_assert_eq!(ours(&lits, &hay), reference(&lits, &hay));
        }
    }
}

