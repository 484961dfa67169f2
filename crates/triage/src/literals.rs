//! Which of a thousand short literals occur in a line, at a gigabyte a
//! second.
//!
//! The engine's triggers are ~1,100 literals, many three or four bytes long
//! (`ssl`, `429`, `FAIL`). An Aho-Corasick DFA over them walks one dependent
//! table load per byte (~360 MB/s here), and no SIMD prefilter fits a set
//! this large: a Teddy cover needs 345 short literals, Teddy takes 128, and
//! the shortest triggers leave Wu-Manber/Boyer-Moore nothing to skip.
//!
//! So each literal is represented by its rarest window: four bytes for
//! literals of four or more, three for three-byte literals (rarity from the
//! byte-pair frequencies of real CI logs, `src/rarity/`). A scan hashes the
//! window at every position of the line into 8 KiB bitsets that stay in L1.
//! The positions are independent of each other, so the CPU overlaps them,
//! where a DFA must finish one byte before the next. A set bit sends the
//! position to verification: the literals whose window is there are
//! compared in place. A literal occurs at `s` exactly when its window occurs
//! at `s + offset` and the compare succeeds, so every occurrence is reported
//! once and nothing else is: the set an overlapping Aho-Corasick search
//! reports (the tests check this against the `aho-corasick` crate).
//!
//! Literals of one or two bytes (`OK`) are searched with `memmem`.

use memchr::memmem;

const FILTER_BITS: u32 = 16;

/// A set of literals, searched all at once.
#[derive(Debug)]
pub struct LiteralSet {
    /// Literals of three bytes or more, by their rarest three-byte window.
    windows: Windows,
    literals: Vec<Box<[u8]>>,
    /// One- and two-byte literals: (literal id, finder).
    short: Vec<(u32, memmem::Finder<'static>)>,
}

/// Literals found by one window each: a bitset over window hashes, and the
/// literals per hash.
#[derive(Debug)]
struct Windows {
    filter: Box<[u64; 1 << (FILTER_BITS - 6)]>,
    /// `entries[heads[h]..heads[h + 1]]` are the literals whose window hashes to `h`.
    heads: Box<[u32]>,
    entries: Box<[Entry]>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    window: u32,
    offset: u32,
    literal: u32,
}

impl Windows {
    fn new(mut by_hash: Vec<(u32, Entry)>) -> Windows {
        by_hash.sort_by_key(|&(h, e)| (h, e.literal));
        let mut filter = Box::new([0u64; 1 << (FILTER_BITS - 6)]);
        let mut heads = vec![0u32; (1 << FILTER_BITS) + 1].into_boxed_slice();
        for &(h, _) in &by_hash {
            filter[(h >> 6) as usize] |= 1 << (h & 63);
            heads[h as usize + 1] += 1;
        }
        for h in 0..1usize << FILTER_BITS {
            heads[h + 1] += heads[h];
        }
        Windows {
            filter,
            heads,
            entries: by_hash.into_iter().map(|(_, e)| e).collect(),
        }
    }

    /// Is the window at `i` (`window`) some literal's, and which occur there?
    #[inline(always)]
    fn probe(
        &self,
        literals: &[Box<[u8]>],
        hay: &[u8],
        i: usize,
        window: u32,
        found: &mut impl FnMut(usize),
    ) {
        let h = hash(window);
        if self.filter[(h >> 6) as usize] & (1 << (h & 63)) != 0 {
            self.verify(literals, hay, i, h, window, found);
        }
    }

    #[inline(never)]
    fn verify(
        &self,
        literals: &[Box<[u8]>],
        hay: &[u8],
        i: usize,
        h: u32,
        window: u32,
        found: &mut impl FnMut(usize),
    ) {
        let (a, b) = (
            self.heads[h as usize] as usize,
            self.heads[h as usize + 1] as usize,
        );
        for e in &self.entries[a..b] {
            if e.window != window || (e.offset as usize) > i {
                continue;
            }
            let start = i - e.offset as usize;
            let lit = &literals[e.literal as usize];
            if hay
                .get(start..start + lit.len())
                .is_some_and(|s| same(s, lit))
            {
                found(e.literal as usize);
            }
        }
    }
}

/// `a == b` for two short slices of equal length, without a call to memcmp.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() >= 8 {
        let head = |s: &[u8]| u64::from_le_bytes(s[..8].try_into().expect("eight bytes"));
        if head(a) != head(b) {
            return false;
        }
    }
    a == b
}

impl LiteralSet {
    /// Literal ids are indexes into `literals`. Empty literals never match.
    pub fn new<S: AsRef<[u8]>>(literals: &[S]) -> LiteralSet {
        let literals: Vec<Box<[u8]>> = literals.iter().map(|l| Box::from(l.as_ref())).collect();
        let mut short = Vec::new();
        let mut windows = Vec::new();
        for (id, lit) in literals.iter().enumerate() {
            match lit.len() {
                0 => {}
                1 | 2 => short.push((id as u32, memmem::Finder::new(&lit[..]).into_owned())),
                n => {
                    let offset = (0..=n - 3)
                        .max_by_key(|&o| (rarity(&lit[o..o + 3]), std::cmp::Reverse(o)))
                        .expect("n >= 3");
                    let window = trigram(&lit[offset..]);
                    windows.push((
                        hash(window),
                        Entry {
                            window,
                            offset: offset as u32,
                            literal: id as u32,
                        },
                    ));
                }
            }
        }
        LiteralSet {
            windows: Windows::new(windows),
            literals,
            short,
        }
    }

    /// Calls `found(id)` once per occurrence of each literal in `hay`
    /// (overlapping occurrences included), in no particular order.
    #[inline]
    pub fn for_each_match(&self, hay: &[u8], mut found: impl FnMut(usize)) {
        let lits = &self.literals[..];
        if hay.len() >= 4 {
            for i in 0..hay.len() - 3 {
                let w =
                    u32::from_le_bytes(hay[i..i + 4].try_into().expect("four bytes")) & 0x00ff_ffff;
                self.windows.probe(lits, hay, i, w, &mut found);
            }
        }
        // The last window has no fourth byte after it.
        if hay.len() >= 3 {
            let last = hay.len() - 3;
            self.windows
                .probe(lits, hay, last, trigram(&hay[last..]), &mut found);
        }
        for (id, finder) in &self.short {
            // `find_iter` skips overlapping occurrences (`==` twice in `===`).
            let mut at = 0;
            while let Some(p) = finder.find(&hay[at..]) {
                found(*id as usize);
                at += p + 1;
            }
        }
    }
}

fn trigram(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], 0])
}

#[inline(always)]
fn hash(window: u32) -> u32 {
    window.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)
}

/// How rare `w` is in CI logs, as a Markov chain over byte pairs: the sum
/// of the pairs' rarities less the rarity of each byte shared by two pairs
/// (`-log p(w0 w1) - log p(w2 | w1) - ...`, in eighths of a bit).
fn rarity(w: &[u8]) -> i32 {
    let pair = |a: u8, b: u8| BIGRAM_RARITY[a as usize * 256 + b as usize] as i32;
    let mut r = pair(w[0], w[1]);
    for k in 1..w.len() - 1 {
        r += pair(w[k], w[k + 1]) - BYTE_RARITY[w[k] as usize] as i32;
    }
    r
}

/// `round(-8 * log2(share))` of each byte and each byte pair in the 149 MB
/// of real CI logs in `shared/datasets`, 255 when unseen; rebuilt by
/// `tools/ngram_rarity.py`.
static BYTE_RARITY: &[u8; 256] = include_bytes!("rarity/bytes.bin");
static BIGRAM_RARITY: &[u8; 65536] = include_bytes!("rarity/bigrams.bin");

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    fn ours(lits: &[&str], hay: &str) -> Vec<(usize, usize)> {
        let set = LiteralSet::new(lits);
        let mut counts = std::collections::BTreeMap::new();
        set.for_each_match(hay.as_bytes(), |id| *counts.entry(id).or_insert(0) += 1);
        counts.into_iter().collect()
    }

    fn reference(lits: &[&str], hay: &str) -> Vec<(usize, usize)> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(lits)
            .unwrap();
        let mut counts = std::collections::BTreeMap::new();
        for m in ac.find_overlapping_iter(hay) {
            *counts.entry(m.pattern().as_usize()).or_insert(0) += 1;
        }
        counts.into_iter().collect()
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        #[test]
        fn agrees_on_random_text(hay in "[a-cA-C =✖]{0,40}", lits in proptest::collection::vec("[a-cA-C =✖]{1,5}", 1..12)) {
            let lits: Vec<&str> = lits.iter().map(|s| s.as_str()).collect();
            proptest::prop_assert_eq!(ours(&lits, &hay), reference(&lits, &hay));
        }
    }
}
