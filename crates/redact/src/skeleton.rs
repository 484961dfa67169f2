//! Matching through the escapes our own output layer adds.
//!
//! Redaction runs on the final bytes of a comment or summary, after the
//! report's escaping: `ghp_…` in a table cell arrives as `ghp\_…`, a URL's
//! `@` is followed by a zero-width joiner, a JSON-quoted header has `\"`.
//! A line that holds such escapes is matched on its *skeleton* (the line
//! without backslashes before ASCII punctuation and without zero-width
//! characters), and every span found is mapped back onto the original
//! bytes, so the escaped secret is replaced whole.

/// Characters that are dropped from the skeleton: zero-width space,
/// non-joiner, joiner, word joiner and BOM.
const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Literals whose presence sends a line through the skeleton.
pub(crate) fn anchors() -> Vec<String> {
    let mut a: Vec<String> = (0u8..128)
        .filter(u8::is_ascii_punctuation)
        .map(|c| format!("\\{}", c as char))
        .collect();
    a.extend(ZERO_WIDTH.iter().map(|c| c.to_string()));
    a
}

/// A line without escapes, and where each of its bytes came from.
pub(crate) struct Skeleton {
    pub text: String,
    /// `origin[i]` is the offset in the original line of skeleton byte `i`.
    origin: Vec<usize>,
}

impl Skeleton {
    /// `None` when the line has nothing to drop.
    pub(crate) fn of(line: &str) -> Option<Skeleton> {
        let mut text = String::with_capacity(line.len());
        let mut origin = Vec::with_capacity(line.len());
        let mut chars = line.char_indices().peekable();
        let mut dropped = false;
        while let Some((i, c)) = chars.next() {
            let escape = c == '\\' && chars.peek().is_some_and(|&(_, n)| n.is_ascii_punctuation());
            if escape || ZERO_WIDTH.contains(&c) {
                dropped = true;
                if escape {
                    // Keep the escaped character even if it is a backslash.
                    let (j, n) = chars.next().expect("peeked");
                    text.push(n);
                    origin.push(j);
                }
                continue;
            }
            text.push(c);
            origin.extend(i..i + c.len_utf8());
        }
        dropped.then_some(Skeleton { text, origin })
    }

    /// The original span of skeleton span `start..end` (`start < end`).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin[start], self.origin[end - 1] + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_dropped_and_spans_mapped_back() {
        let line = "| `ghp\\_abc` | u@\u{200D}x \\\\ \\n";
        let sk = Skeleton::of(line).unwrap();
        assert_eq!(sk.text, "| `ghp_abc` | u@x \\ \\n");
        let s = sk.text.find("ghp_abc").unwrap();
        let (a, b) = sk.original(s, s + "ghp_abc".len());
        assert_eq!(&line[a..b], "ghp\\_abc");
        assert!(Skeleton::of("plain C:\\Users\\x").is_none());
    }
}
