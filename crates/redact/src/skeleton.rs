//! Matching through the escapes our own output layer adds.
//!
//! Redaction runs on the final bytes of a comment or summary, after the
//! report's escaping: `ghp_…` in a table cell arrives as `ghp\_…`, a URL's
//! `@` is followed by a zero-width joiner, a JSON-quoted header has `\"`.
//! A line that holds such escapes is matched on its *skeleton* (the line
//! without backslashes before ASCII punctuation and without zero-width
//! characters), and every span found is mapped back onto the original
//! bytes, so the escaped secret is replaced whole.

/// A line without escapes, and where each of its bytes came from.
pub(crate) struct Skeleton {
    pub text: String,
    /// `(skeleton offset, original offset)` at the start of each run of
    /// bytes copied unchanged, in order.
    runs: Vec<(usize, usize)>,
}

/// Byte length of the escape at `i`: a backslash before ASCII punctuation,
/// or a zero-width character.
pub(crate) fn escape_len(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => 1,
        0xE2 if matches!(
            b.get(i + 1..i + 3),
            Some([0x80, 0x8B..=0x8D] | [0x81, 0xA0])
        ) =>
        {
            3
        }
        0xEF if b.get(i + 1..i + 3) == Some(&[0xBB, 0xBF]) => 3,
        _ => 0,
    }
}

impl Skeleton {
    /// `None` when the line has nothing to drop.
    pub(crate) fn of(line: &str) -> Option<Skeleton> {
        let b = line.as_bytes();
        let mut text: Vec<u8> = Vec::with_capacity(b.len());
        let mut runs = Vec::new();
        let mut copied = 0;
        let mut search = 0;
        while let Some(j) = memchr::memchr3(b'\\', 0xE2, 0xEF, &b[search..]) {
            let i = search + j;
            let n = escape_len(b, i);
            if n == 0 {
                search = i + 1;
                continue;
            }
            runs.push((text.len(), copied));
            text.extend_from_slice(&b[copied..i]);
            copied = i + n;
            // The next character is looked at too: a backslash before a
            // backslash goes as well, so text escaped twice (`ghp\\\_…`)
            // is matched like text escaped once.
            search = i + n;
        }
        if runs.is_empty() {
            return None;
        }
        runs.push((text.len(), copied));
        text.extend_from_slice(&b[copied..]);
        // Only whole characters were dropped (an ASCII backslash or a whole
        // zero-width character), so the rest is still UTF-8.
        let text = String::from_utf8(text).ok()?;
        Some(Skeleton { text, runs })
    }

    fn origin(&self, i: usize) -> usize {
        let k = self.runs.partition_point(|&(s, _)| s <= i) - 1;
        self.runs[k].1 + (i - self.runs[k].0)
    }

    /// The original span of skeleton span `start..end` (`start < end`).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin(start), self.origin(end - 1) + 1)
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
        assert!(Skeleton::of("plain C:\\Users\\x …").is_none());
        let sk = Skeleton::of("\u{200B}\\_").unwrap();
        assert_eq!(sk.text, "_");
        assert_eq!(sk.original(0, 1), (4, 5));
        assert_eq!(Skeleton::of("ghp\\\\\\_x").unwrap().text, "ghp_x");
    }
}
