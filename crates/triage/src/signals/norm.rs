//! A line's identity across runs of the same job: its text with what
//! changes from run to run taken out (numbers, durations, timestamps, hex
//! ids and hashes, UUIDs, ports, temp paths), hashed to 64 bits. Rarity
//! within a log and the passing-run baseline both compare these hashes.
//!
//! A byte loop, not regexes: the baseline hashes every line of a passing
//! log. It is coarser than `fingerprint::normalise` on purpose (every
//! digit run is the same), since two lines that differ only in numbers are
//! the same line for "did the green run print this too".

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Fnv {
    fn byte(&mut self, b: u8) {
        self.0 ^= b as u64;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// Byte classes for [`line_hash`], one table load per byte instead of
/// range tests.
///
/// Not a word byte (alphanumeric or `_`). The top bit: a token's classes
/// are ORed together with its end's, and the sign of the sum is the test
/// for that end (one instruction per byte less than a separate test).
const NOT_WORD: u8 = 0x80;
const DIGIT: u8 = 2;
const HEX_LETTER: u8 = 4;
const SPACE: u8 = 8;
/// A word byte that is neither a digit nor a hex letter.
const OTHER: u8 = 16;
/// A byte a temporary path can start with (`is_temp_path`, quotes too).
const TEMP_START: u8 = 32;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if !(c.is_ascii_alphanumeric() || c == b'_') {
            t[b] |= NOT_WORD;
        }
        if c.is_ascii_digit() {
            t[b] |= DIGIT;
        }
        if matches!(c, b'a'..=b'f' | b'A'..=b'F') {
            t[b] |= HEX_LETTER;
        }
        if c.is_ascii_whitespace() {
            t[b] |= SPACE;
        }
        if t[b] & NOT_WORD == 0 && t[b] & (DIGIT | HEX_LETTER) == 0 {
            t[b] |= OTHER;
        }
        if matches!(c, b'/' | b'C' | b'D' | b'\'' | b'"') {
            t[b] |= TEMP_START;
        }
        b += 1;
    }
    t
};

/// The normalised hash of one cleaned line (see the module docs). Leading
/// and trailing whitespace and runs of it do not count.
///
/// Field by field rather than byte by byte with flags (pending space,
/// field start, started): a whitespace run is skipped in its own loop and
/// hashes one space when a field follows it, and only a field's first byte
/// asks whether a temporary path starts there. The values are those of
/// the flag loop it replaced and of `two_pass_reference` in the tests;
/// that loop cost ~2,350 instructions per line on the bench log (184 M
/// for 78,558 lines).
pub(crate) fn line_hash(text: &[u8]) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let n = text.len();
    let mut i = 0;
    while i < n && CLASS[text[i] as usize] & SPACE != 0 {
        i += 1;
    }
    // Here `i` is at a field's first byte, or at the end.
    while i < n {
        if CLASS[text[i] as usize] & TEMP_START != 0 && is_temp_path(&text[i..]) {
            // The whole field is a temporary path.
            while i < n && CLASS[text[i] as usize] & SPACE == 0 {
                i += 1;
            }
            h.byte(0xfe);
        } else {
            while i < n {
                let b = text[i];
                let c = CLASS[b as usize];
                if c & NOT_WORD == 0 {
                    i = word(text, i, c, &mut h);
                } else if c & SPACE != 0 {
                    break;
                } else {
                    h.byte(b);
                    i += 1;
                }
            }
        }
        while i < n && CLASS[text[i] as usize] & SPACE != 0 {
            i += 1;
        }
        if i < n {
            h.byte(b' ');
        }
    }
    h.0
}

/// Hash the word token starting at `start` (a word byte of class
/// `first`) into `h`; returns its end.
#[inline(always)]
fn word(text: &[u8], start: usize, first: u8, h: &mut Fnv) -> usize {
    let n = text.len();
    let mut i = start + 1;
    // One pass: the classes seen, and the token hashed as it is, which
    // is what it hashes to unless it holds a digit.
    let mut seen = first;
    let mut as_is = Fnv(h.0);
    as_is.byte(text[start]);
    // Eight bytes per bounds check while they last; the token's end is
    // handled where it is found (a shared exit cost ~10 instructions per
    // token to tell the two loops apart again).
    while let Some(chunk) = text.get(i..i + 8) {
        for (k, &b) in chunk.iter().enumerate() {
            seen |= CLASS[b as usize];
            if (seen as i8) < 0 {
                return token_end(text, start, i + k, seen, as_is, h);
            }
            as_is.byte(b);
        }
        i += 8;
    }
    while i < n {
        seen |= CLASS[text[i] as usize];
        if (seen as i8) < 0 {
            break;
        }
        as_is.byte(text[i]);
        i += 1;
    }
    token_end(text, start, i, seen, as_is, h)
}

/// The word token `text[start..end]` read (`seen`: its classes and maybe
/// its end's, which has no word byte's; `as_is`: `h` with its bytes
/// hashed as they are) goes into `h`; returns `end`.
#[inline(always)]
fn token_end(text: &[u8], start: usize, end: usize, seen: u8, as_is: Fnv, h: &mut Fnv) -> usize {
    if seen & DIGIT == 0 {
        *h = as_is;
        return end;
    }
    let token = &text[start..end];
    if seen & OTHER == 0 && seen & HEX_LETTER != 0 && token.len() >= 4 {
        h.byte(0xff); // a hex id, hash or UUID group
    } else {
        // Digit runs count as one digit: `worker-3`, `12.5s`, `:8080`.
        let mut in_digits = false;
        for &b in token {
            if b.is_ascii_digit() {
                if !in_digits {
                    h.byte(b'0');
                }
                in_digits = true;
            } else {
                h.byte(b);
                in_digits = false;
            }
        }
    }
    end
}

fn is_temp_path(s: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[b"/tmp/", b"/var/folders/", b"/private/var/", b"/var/tmp/", b"C:\\Users\\", b"D:\\a\\_temp", b"/home/runner/work/_temp/"];
    let s = s.strip_prefix(b"'").or_else(|| s.strip_prefix(b"\"")).unwrap_or(s);
    // Asked at every field: most start with none of the prefixes' bytes.
    if !matches!(s.first(), Some(b'/' | b'C' | b'D')) {
        return false;
    }
    PREFIXES.iter().any(|p| s.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::line_hash;

    fn same(a: &str, b: &str) -> bool {
        line_hash(a.as_bytes()) == line_hash(b.as_bytes())
    }

    #[test]
    fn what_changes_between_runs_is_ignored() {
        assert!(same("Ran 12 tests in 3.402s", "Ran 13 tests in 0.9s"));
        assert!(same("commit 3f2a9c1e0b and 550e8400-e29b-41d4-a716-446655440000", "commit 9bd01c2f7a and 123e4567-e89b-12d3-a456-426614174000"));
        assert!(same("listening on 127.0.0.1:41230", "listening on 127.0.0.1:8080"));
        assert!(same("wrote /tmp/pytest-of-runner/pytest-3/x.txt", "wrote /tmp/tmpa8x9k2/x.txt"));
        assert!(same("  a   b ", "a b"));
    }

    /// `line_hash` before its tokens were read in one pass (speed7): the
    /// hashes must not change, since a baseline built by one build is
    /// compared with a log read by another only through them.
    fn two_pass_reference(text: &[u8]) -> u64 {
        let mut h = super::Fnv(0xcbf2_9ce4_8422_2325);
        let (mut i, n) = (0, text.len());
        let (mut pending_space, mut started, mut at_field_start) = (false, false, true);
        while i < n {
            let b = text[i];
            if b.is_ascii_whitespace() {
                pending_space = true;
                at_field_start = true;
                i += 1;
                continue;
            }
            if pending_space && started {
                h.byte(b' ');
            }
            pending_space = false;
            started = true;
            if at_field_start && super::is_temp_path(&text[i..]) {
                while i < n && !text[i].is_ascii_whitespace() {
                    i += 1;
                }
                h.byte(0xfe);
                continue;
            }
            at_field_start = false;
            let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
            if word(b) {
                let start = i;
                while i < n && word(text[i]) {
                    i += 1;
                }
                let token = &text[start..i];
                let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
                let hex = token.iter().filter(|c| matches!(c, b'a'..=b'f' | b'A'..=b'F')).count();
                if digits > 0 && digits + hex == token.len() && hex > 0 && token.len() >= 4 {
                    h.byte(0xff);
                } else if digits == 0 {
                    token.iter().for_each(|&b| h.byte(b));
                } else {
                    let mut in_digits = false;
                    for &b in token {
                        if b.is_ascii_digit() {
                            if !in_digits {
                                h.byte(b'0');
                            }
                            in_digits = true;
                        } else {
                            h.byte(b);
                            in_digits = false;
                        }
                    }
                }
                continue;
            }
            h.byte(b);
            i += 1;
        }
        h.0
    }

    #[test]
    fn one_pass_hashes_as_two_passes_did() {
        for line in [
            "Ran 12 tests in 3.402s",
            "commit 3f2a9c1e0b and 550e8400-e29b-41d4-a716-446655440000 deadbeef cafe 12ab",
            "wrote /tmp/pytest-of-runner/x.txt and '/var/tmp/y' ok_1 __init__ É x9_y",
            "  error[E0308]: mismatched types --> src/main.rs:4:5  ",
        ] {
            assert_eq!(line_hash(line.as_bytes()), two_pass_reference(line.as_bytes()), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_hashes_as_two_passes_did_on_random_text(line in "[a-hA-H0-9_ /.:'\t-]{0,60}") {
            proptest::prop_assert_eq!(line_hash(line.as_bytes()), two_pass_reference(line.as_bytes()));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Longer lines (the eight-byte chunks of a word) and every byte
        /// class: temp path prefixes, quotes, all whitespace, non-ASCII.
        #[test]
        fn hashes_as_two_passes_did_on_long_random_text(parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "Z", "_", "f", "F", "g", "0", "9", "1234", "deadbeef", "abcdefghijklmnop", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c",
            "/tmp/", "/var/tmp/", "C:\\Users\\", "D:\\a\\_temp", "'", "\"", "/", "C", "D", ".", "-", ":", "é", "✖",
        ]), 0..40)) {
            let line = parts.concat();
            proptest::prop_assert_eq!(line_hash(line.as_bytes()), two_pass_reference(line.as_bytes()));
        }
    }

    #[test]
    fn hashes_real_lines_as_two_passes_did() {
        let mut text = String::new();
        let lines = crate::testdata::real_log_lines(64 << 20);
        assert!(lines.len() > 1000);
        for raw in &lines {
            crate::clean::clean_line(raw, &mut text);
            assert_eq!(line_hash(text.as_bytes()), two_pass_reference(text.as_bytes()), "{text:?}");
            assert_eq!(line_hash(raw), two_pass_reference(raw), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn what_says_something_else_is_kept() {
        assert!(!same("test_a PASSED", "test_a FAILED"));
        assert!(!same("error: x", "warning: x"));
        assert!(!same("ab", "a b"));
    }
}
