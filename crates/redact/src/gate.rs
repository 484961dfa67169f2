//! Which lines are worth searching, and for what.
//!
//! Two stages. Stage 1 finds the lines that hold any rule's anchor, a
//! private key header, an `::add-mask::` command or an escape, scanning the
//! whole text with SIMD: Teddy (`aho_corasick::packed`) over the anchors,
//! reduced to the ones that contain no other anchor, and `memchr3` for
//! backslashes and zero-width characters. Clean lines end there. Stage 2
//! runs on each of those lines only: one overlapping Aho-Corasick pass tells
//! which rules have an anchor in the line, and only those rules' regexes run.
//!
//! Anchors are case-sensitive (a name matched case-insensitively lists its
//! usual spellings, see `rules::cased`): a case-insensitive automaton cannot
//! use the SIMD prefilters and was 3x slower on real logs.

use std::sync::LazyLock;

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem::Finder;

use crate::rules::Rule;

/// Why a line needs a closer look.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Trigger {
    Rule(usize),
    Pem,
    AddMask,
}

/// What stage 2 found in one line.
#[derive(Default)]
pub(crate) struct Fired {
    pub rules: Vec<bool>,
    pub any_rule: bool,
    pub pem: bool,
    pub add_mask: bool,
    pub escape: bool,
}

pub(crate) struct Gate {
    /// Stage 1: empty when Teddy is not available on this CPU (or an anchor
    /// is too short for it); the automaton below then does stage 1.
    fast: Vec<packed::Searcher>,
    /// Stage 2 (and the fallback stage 1): every anchor, overlapping.
    ac: AhoCorasick,
    triggers: Vec<Vec<Trigger>>,
    rules: usize,
}

const PEM_ANCHOR: &str = "-----BEGIN";
/// Every URL holds it, so stage 1 does not look for it: a URL can only
/// carry credentials before an `@`, and stage 1 looks for `@` instead (in
/// one log line in 70, against one in 12 for `://`).
const URL_ANCHOR: &str = "://";
static URL_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(URL_ANCHOR));
const ADD_MASK_ANCHORS: [&str; 2] = ["add-mask", "ADD-MASK"];
/// Most patterns one Teddy searcher takes; more anchors use more searchers.
const TEDDY_MAX: usize = 64;
/// Teddy needs fingerprints of 3 bytes to stay fast.
const MIN_FAST_ANCHOR: usize = 3;

impl Gate {
    pub(crate) fn build(rules: &[Rule]) -> Gate {
        let mut literals: Vec<String> = Vec::new();
        let mut triggers: Vec<Vec<Trigger>> = Vec::new();
        let mut add = |lit: &str, t: Trigger| {
            if lit.is_empty() || lit.contains('\n') {
                return;
            }
            let i = literals.iter().position(|l| l == lit).unwrap_or_else(|| {
                literals.push(lit.to_string());
                triggers.push(Vec::new());
                literals.len() - 1
            });
            if !triggers[i].contains(&t) {
                triggers[i].push(t);
            }
        };
        for (i, r) in rules.iter().enumerate() {
            for a in &r.anchors {
                add(a, Trigger::Rule(i));
            }
        }
        add(PEM_ANCHOR, Trigger::Pem);
        for a in ADD_MASK_ANCHORS {
            add(a, Trigger::AddMask);
        }
        let ac = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .expect("a few hundred literals at most");
        let stage1: Vec<String> = literals
            .iter()
            .filter(|l| *l != URL_ANCHOR)
            .cloned()
            .collect();
        Gate {
            fast: fast_searchers(&stage1),
            ac,
            triggers,
            rules: rules.len(),
        }
    }

    /// Stage 1 over a block of lines: pushes the offset of every hit.
    pub(crate) fn marks(&self, block: &str, out: &mut Vec<usize>) {
        if self.fast.is_empty() {
            out.extend(self.ac.find_iter(block).map(|m| m.start()));
        }
        for fast in &self.fast {
            out.extend(fast.find_iter(block).map(|m| m.start()));
        }
        let bytes = block.as_bytes();
        out.extend(memchr::memchr3_iter(b'\\', 0xE2, 0xEF, bytes).filter(|&i| escape_at(bytes, i)));
        let mut line_end = 0;
        for at in memchr::memchr_iter(b'@', bytes) {
            if at < line_end {
                continue;
            }
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            if URL_FINDER.find(&bytes[start..at]).is_some() {
                out.push(at);
            }
        }
    }

    /// Stage 1 for one line.
    pub(crate) fn is_dirty(&self, line: &str) -> bool {
        // Teddy falls back to Rabin-Karp below its minimum haystack length;
        // the automaton is faster on such short lines.
        let short = self.fast.iter().any(|f| line.len() < f.minimum_len());
        let hit = match self.fast.is_empty() || short {
            true => self.ac.is_match(line),
            false => self.fast.iter().any(|f| f.find(line).is_some()),
        };
        hit || has_escape(line) || url_with_userinfo(line)
    }

    /// Stage 2 for one line.
    pub(crate) fn fire(&self, line: &str) -> Fired {
        let mut f = Fired {
            escape: has_escape(line),
            ..Fired::default()
        };
        for m in self.ac.find_overlapping_iter(line) {
            for t in &self.triggers[m.pattern().as_usize()] {
                match *t {
                    Trigger::Rule(i) => {
                        if f.rules.is_empty() {
                            f.rules = vec![false; self.rules];
                        }
                        f.rules[i] = true;
                        f.any_rule = true;
                    }
                    Trigger::Pem => f.pem = true,
                    Trigger::AddMask => f.add_mask = true,
                }
            }
        }
        f
    }
}

/// The literals stage 1 looks for: `token` and `Token` share `oken`, and a
/// line holding `authorization` also holds `auth`, so only the literals
/// that contain no other one are kept. Fewer literals keep Teddy fast.
fn stage_one_literals(literals: &[String]) -> Vec<String> {
    let mut lits: Vec<String> = Vec::new();
    for l in literals {
        let tail = &l[l.char_indices().nth(1).map_or(l.len(), |(i, _)| i)..];
        let shares_tail = l.as_bytes()[0].is_ascii_alphabetic()
            && tail.len() >= MIN_FAST_ANCHOR
            && literals.iter().any(|o| {
                o != l
                    && o.len() == l.len()
                    && o.ends_with(tail)
                    && o.as_bytes()[0].eq_ignore_ascii_case(&l.as_bytes()[0])
            });
        let lit = if shares_tail {
            tail.to_string()
        } else {
            l.clone()
        };
        if !lits.contains(&lit) {
            lits.push(lit);
        }
    }
    let minimal: Vec<String> = lits
        .iter()
        .filter(|l| !lits.iter().any(|o| o != *l && l.contains(o.as_str())))
        .cloned()
        .collect();
    minimal
}

/// Teddy over the stage-1 literals, in groups of at most 64. Empty if
/// Teddy cannot be used.
fn fast_searchers(literals: &[String]) -> Vec<packed::Searcher> {
    let minimal = stage_one_literals(literals);
    if minimal.iter().any(|l| l.len() < MIN_FAST_ANCHOR) {
        return Vec::new();
    }
    // Teddy fingerprints min(4, shortest pattern) bytes: the few 3-byte
    // anchors (`sk-`, `hf_`, `key`) get their own searcher so the others
    // are matched on 4 bytes, with far fewer false candidates.
    let (short, long): (Vec<String>, Vec<String>) = minimal.into_iter().partition(|l| l.len() < 4);
    let searchers: Option<Vec<packed::Searcher>> = [short, long]
        .iter()
        .flat_map(|set| set.chunks(TEDDY_MAX))
        .map(|group| {
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(group)
                .build()
        })
        .collect();
    searchers.unwrap_or_default()
}

fn escape_at(bytes: &[u8], i: usize) -> bool {
    crate::skeleton::escape_len(bytes, i) > 0
}

/// `://` somewhere before an `@`.
fn url_with_userinfo(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memrchr(b'@', bytes).is_some_and(|at| URL_FINDER.find(&bytes[..at]).is_some())
}

fn has_escape(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr3_iter(b'\\', 0xE2, 0xEF, bytes).any(|i| escape_at(bytes, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_recognised() {
        assert!(has_escape("ghp\\_x"));
        assert!(has_escape("a@\u{200D}b"));
        assert!(has_escape("\u{FEFF}x"));
        assert!(!has_escape("C:\\Users\\x …✓—"));
        assert!(!has_escape("trailing \\"));
    }

    #[test]
    fn anchors_are_minimised_for_stage_one() {
        let lits: Vec<String> = [
            "auth",
            "Auth",
            "authorization",
            "Authorization",
            "sk-",
            "sk-ant-",
        ]
        .map(String::from)
        .to_vec();
        if let [fast] = &fast_searchers(&lits)[..] {
            assert!(fast.find("x-Authorization: y").is_some());
        }
        assert!(fast_searchers(&["ab".to_string()]).is_empty());
        let cased: Vec<String> = ["token", "Token", "TOKEN", "key", "Key", "KEY", "ghp_"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            stage_one_literals(&cased),
            ["oken", "TOKEN", "key", "Key", "KEY", "ghp_"]
        );
        let many: Vec<String> = (0..150).map(|i| format!("anchor{i:03}")).collect();
        let groups = fast_searchers(&many);
        assert!(groups.is_empty() || groups.len() == 3);
    }
}
