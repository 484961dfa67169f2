//! The bytes a match of a start-anchored pattern can begin with.
//!
//! Most lines a trigger sends to a start-anchored pattern (a rule's `^> `,
//! a parser's `^(\d+) (passing|failing)`) fail on their first byte, and a
//! regex search costs tens of nanoseconds before it reads one. One set of
//! 256 bits rejects them for a load and a bit test. Rules and runner
//! parsers both ask it; this is where it is computed.
//!
//! [`Leading`] says more of a rule's pattern written `^`, runs of some
//! characters (`\s*`, ` {2,}`) and a literal: where in a line that literal
//! may stand. The engine then counts a trigger that begins the literal
//! only there (`triggers::Gate`: Gradle's `^\s{2,}> ` has the trigger `> `,
//! which is on one line in eight of 200 MB of logs, in `=> ` and `-> `).

use regex_automata::nfa::thompson::{State, NFA};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

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

/// Bytes before a literal that [`Leading::may_stand_at`] reads.
const LEAD_CHECKED: usize = 256;

/// What every match of a pattern written `^`, zero or more repeated
/// single characters or classes, and a literal starts with: the literal,
/// after bytes all of which are in `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leading {
    /// Every byte a character of the repeated classes can hold: their
    /// ASCII members, and every byte from 0x80 when one has a non-ASCII
    /// member (the check then passes any UTF-8 sequence, too much but
    /// never too little).
    before: FirstBytes,
    pub(crate) literal: Box<[u8]>,
}

impl Leading {
    /// `None` for any other pattern (an alternation at the top, `(?m)`'s
    /// line starts, a case-blind literal, which is a class).
    pub(crate) fn of(pattern: &str) -> Option<Leading> {
        if !pattern.starts_with('^') {
            return None;
        }
        // Parsed with ASCII classes: a rule's Unicode `\w`, `\d` and case
        // folding cost ~180,000 instructions a rule to translate, twice
        // what analysing an empty log costs in all. A class has the same
        // ASCII members either way, and every byte from 0x80 is let
        // through as if it held one of its other members.
        let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).ok()?;
        let mut before = [0u64; 4];
        let literal = walk(&hir, &mut before, true)?.ok()?;
        Some(Leading { before: FirstBytes(before), literal })
    }

    /// Whether the literal can start at `at` of `line`: everything
    /// before it is bytes the repeated classes can hold. Necessary for a
    /// match there, not sufficient. Past [`LEAD_CHECKED`] bytes it says
    /// yes unread: a line of spaces and then thousands of `> ` would
    /// otherwise read its spaces once per `> `.
    #[inline]
    pub(crate) fn may_stand_at(&self, line: &[u8], at: usize) -> bool {
        at > LEAD_CHECKED || line[..at].iter().all(|&b| self.before.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1)
    }
}

/// The parts of `hir` in order (capture groups stepped into): the start
/// of the text first when `at_start`, then repeated classes, whose ASCII
/// members go into `before`, then a literal. `Some(Ok(literal))`: found;
/// `Some(Err(()))`: only the start and repeated classes so far, go on;
/// `None`: another shape.
fn walk(hir: &Hir, before: &mut [u64; 4], at_start: bool) -> Option<Result<Box<[u8]>, ()>> {
    let mut set = |lo: u8, hi: u8| {
        for b in lo..=hi {
            before[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    };
    match hir.kind() {
        HirKind::Concat(parts) => {
            let rest = if at_start {
                let (first, rest) = parts.split_first()?;
                (first.kind() == &HirKind::Look(Look::Start)).then_some(rest)?
            } else {
                &parts[..]
            };
            for part in rest {
                if let Ok(literal) = walk(part, before, false)? {
                    return Some(Ok(literal));
                }
            }
            Some(Err(()))
        }
        _ if at_start => None,
        HirKind::Literal(lit) => Some(Ok(lit.0.clone())),
        HirKind::Capture(group) => walk(&group.sub, before, false),
        HirKind::Repetition(rep) => {
            // Parsed as ASCII: a class may have had non-ASCII members, and a
            // non-ASCII character (or `\xFF`, U+00FF in the real pattern) is
            // bytes from 0x80 here; every byte from 0x80 is let through.
            match rep.sub.kind() {
                HirKind::Class(Class::Bytes(c)) => {
                    c.iter().for_each(|r| set(r.start(), r.end()));
                    set(0x80, 0xff);
                }
                HirKind::Literal(lit) if lit.0.len() == 1 || std::str::from_utf8(&lit.0).is_ok_and(|t| t.chars().count() == 1) => {
                    lit.0.iter().for_each(|&b| if b < 0x80 { set(b, b) } else { set(0x80, 0xff) })
                }
                // A group, several characters; with ASCII classes there
                // are no Unicode ones.
                _ => return None,
            }
            Some(Err(()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{FirstBytes, Leading};
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

    #[test]
    fn where_a_leading_literal_must_stand() {
        let of = |p: &str| Leading::of(p).map(|l| String::from_utf8(l.literal.into_vec()).unwrap());
        assert_eq!(of(r"^\s{2,}> (?P<msg>[A-Z].*)").as_deref(), Some("> "));
        assert_eq!(of(r"^> (?P<msg>[A-Z].*)").as_deref(), Some("> "));
        assert_eq!(of(r"^In (?P<file>\S+) line").as_deref(), Some("In "));
        assert_eq!(of(r"^ {2}(?:└─ )?x"), None, "an optional group before any literal");
        assert_eq!(of(r"^errors? found").as_deref(), Some("error"));
        assert_eq!(of(r"^(?P<msg>rake aborted!.*)").as_deref(), Some("rake aborted!"), "capture groups are stepped into");
        assert_eq!(of(r"^\s*(?P<a>\d*(?P<b>x))").as_deref(), Some("x"));
        assert_eq!(of(r"^\s*\d+\) x").as_deref(), Some(") x"), "two runs of classes");
        for p in [r"^(?:FAIL|ERROR) x", r"^FAIL: x|^ERROR: y", r"(?m)^In x", r"In x", r"^(?i)error", r"^$", r"^\s*(?P<msg>x|y)"] {
            assert_eq!(of(p), None, "{p}");
        }
        let nested = Leading::of(r"^\s{2,}> x").unwrap();
        assert!(nested.may_stand_at(b"   > x", 3));
        assert!(nested.may_stand_at(b"\t\x0b> x", 2), "\\s holds the vertical tab");
        assert!(nested.may_stand_at("\u{a0}\u{a0}> x".as_bytes(), 4), "and no-break spaces");
        assert!(!nested.may_stand_at(b" => x", 2));
        let top = Leading::of(r"^> x").unwrap();
        assert!(top.may_stand_at(b"> x", 0) && !top.may_stand_at(b" > x", 1));
        assert!(nested.may_stand_at(b"> x", 0), "too much, never too little: `{{2,}}` is not counted");
        let far = [b' '; 300];
        assert!(nested.may_stand_at(&[&far[..], b"x> y"].concat(), 301), "past LEAD_CHECKED bytes: yes, unread");
        let digits = Leading::of(r"^\s*\d+\) x").unwrap();
        assert!(digits.may_stand_at(b"  12) x", 4) && !digits.may_stand_at(b"a 12) x", 4));
    }
}
