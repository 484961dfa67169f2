//! The bytes a match of a start-anchored pattern can begin with.
//!
//! Most lines a trigger sends to a start-anchored pattern (a rule's `^> `,
//! a parser's `^(\d+) (passing|failing)`) fail on their first byte, and a
//! regex search costs tens of nanoseconds before it reads one. One set of
//! 256 bits rejects them for a load and a bit test. Rules and runner
//! parsers both ask it; this is where it is computed.

use regex_automata::nfa::thompson::{State, NFA};

/// Bit `b` is set when a match can start with byte `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FirstBytes([u64; 4]);

impl FirstBytes {
    /// For an NFA every match of which starts at the text's start and
    /// which cannot match the empty text: the bytes of the transitions its
    /// anchored start reaches without consuming one. Look-arounds are
    /// stepped over as if they held, so the set can only be too large,
    /// never too small. `None` for other NFAs.
    pub(crate) fn of(nfa: &NFA) -> Option<FirstBytes> {
        if !nfa.is_always_start_anchored() {
            return None;
        }
        let mut set = [0u64; 4];
        let mut add = |lo: u8, hi: u8| {
            for b in lo..=hi {
                set[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        };
        let mut seen = vec![false; nfa.states().len()];
        let mut todo = vec![nfa.start_anchored()];
        while let Some(id) = todo.pop() {
            if std::mem::replace(&mut seen[id.as_usize()], true) {
                continue;
            }
            match nfa.state(id) {
                State::ByteRange { trans } => add(trans.start, trans.end),
                State::Sparse(s) => s.transitions.iter().for_each(|t| add(t.start, t.end)),
                State::Dense(_) => add(0, 255),
                State::Look { next, .. } | State::Capture { next, .. } => todo.push(*next),
                State::Union { alternates } => todo.extend(alternates.iter().copied()),
                State::BinaryUnion { alt1, alt2 } => todo.extend([*alt1, *alt2]),
                State::Fail => {}
                // Matches the empty text.
                State::Match { .. } => return None,
            }
        }
        Some(FirstBytes(set))
    }

    /// Whether a match can start `text`: false for the empty text, which
    /// no such pattern matches.
    #[inline]
    pub(crate) fn may_start(&self, text: &[u8]) -> bool {
        text.first().is_some_and(|&b| self.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::FirstBytes;
    use regex_automata::nfa::thompson::NFA;

    fn starts(pattern: &str) -> Option<Vec<u8>> {
        let set = FirstBytes::of(&NFA::new(pattern).unwrap())?;
        Some((0..=255u8).filter(|&b| set.may_start(&[b])).collect())
    }

    #[test]
    fn the_bytes_a_match_can_start_with() {
        assert_eq!(starts(r"^> (?P<msg>[A-Z].*)").as_deref(), Some(&b">"[..]));
        assert_eq!(starts(r"^\s*x").unwrap(), b"\t\n\x0b\x0c\r x\xc2\xe1\xe2\xe3".to_vec(), "Unicode spaces start with these lead bytes");
        assert_eq!(starts(r"^(?:FAIL|ERROR) ").as_deref(), Some(&b"EF"[..]));
        assert_eq!(starts(r"^\bfoo").as_deref(), Some(&b"f"[..]), "a look-around is stepped over");
        assert_eq!(starts(r"FAIL"), None, "not anchored");
        assert_eq!(starts(r"^x?"), None, "matches the empty text");
        assert_eq!(starts(r"^$"), None);
        let set = FirstBytes::of(&NFA::new("^a").unwrap()).unwrap();
        assert!(!set.may_start(b"") && set.may_start(b"ab") && !set.may_start(b"ba"));
    }
}
