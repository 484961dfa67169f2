//! Redacting a stream: a log one line at a time, or anything written to an
//! `io::Write`.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use crate::known::KnownSet;
use crate::{merge, replace, LearnedSecrets, Redactor, SecretKind};

/// Redacts a log line by line, carrying what a line-at-a-time view needs:
/// whether a private key block is open, and the `::add-mask::` values seen
/// so far (removed from every later line). Memory is bounded by the learned
/// values' cap.
///
/// A value masked by a command is only removed from the lines *after* it; to
/// clean earlier lines too, learn the whole log first ([`LearnedSecrets`],
/// [`Redactor::learn`]) or use [`Redactor::redact`] on the whole text.
pub struct LineRedactor {
    redactor: Redactor,
    pem_open: bool,
    learned: LearnedSecrets,
    extra: KnownSet,
}

impl LineRedactor {
    pub(crate) fn new(redactor: Redactor) -> Self {
        LineRedactor {
            redactor,
            pem_open: false,
            learned: LearnedSecrets::new(),
            extra: KnownSet::default(),
        }
    }

    /// Redacts one line. The line may end in `\n` or `\r\n` (kept as is);
    /// a `\n` anywhere else splits it into lines, each redacted in turn.
    pub fn redact_line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if body.contains('\n') {
            let mut out = String::with_capacity(line.len());
            let mut changed = false;
            for part in line.split_inclusive('\n') {
                let r = self.redact_line(part);
                changed |= matches!(r, Cow::Owned(_));
                out.push_str(&r);
            }
            return if changed {
                Cow::Owned(out)
            } else {
                Cow::Borrowed(line)
            };
        }
        let extra = (!self.extra.is_empty()).then_some(&self.extra);
        let clean = !self.pem_open
            && self.redactor.always.is_empty()
            && !self.redactor.gate.is_dirty(body)
            && !self.redactor.known.is_match(body)
            && !extra.is_some_and(|x| x.is_match(body));
        if clean {
            return Cow::Borrowed(line);
        }
        let (spans, fired) = self
            .redactor
            .scan_line_settled(body, &mut self.pem_open, extra);
        let findings = merge(spans);
        if fired.add_mask {
            let before = self.learned.len();
            self.learned.observe(body);
            if self.learned.len() > before {
                for v in self.learned.values().skip(before) {
                    self.extra.add(&SecretKind::MASKED, v);
                }
                self.extra.seal();
            }
        }
        if findings.is_empty() {
            Cow::Borrowed(line)
        } else {
            Cow::Owned(replace(line, &findings))
        }
    }

    /// The `::add-mask::` values seen so far (to merge into the run's
    /// redactor with [`Redactor::learn`]).
    pub fn learned(&self) -> &LearnedSecrets {
        &self.learned
    }
}

/// Longest line held back waiting for its `\n`; a longer one is redacted
/// and written in pieces of this size (a secret cut by a piece boundary can
/// escape, which is why the cap is large).
pub const MAX_BUFFERED_LINE: usize = 1 << 20;

/// An `io::Write` that redacts whole lines before passing them on: wrap
/// stdout, a step summary or an output file, and every byte written is
/// redacted. A partial last line is held until its `\n`, [`finish`] or drop.
///
/// Bytes that are not UTF-8 are written as U+FFFD.
///
/// [`finish`]: RedactingWriter::finish
pub struct RedactingWriter<W: Write> {
    lines: LineRedactor,
    inner: Option<W>,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps `inner`.
    pub fn new(redactor: &Redactor, inner: W) -> Self {
        RedactingWriter {
            lines: redactor.lines(),
            inner: Some(inner),
            pending: Vec::new(),
        }
    }

    /// Redacts and writes `pending[start..end]` (one line or piece).
    fn emit_range(&mut self, start: usize, end: usize) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.pending[start..end]);
        let red = self.lines.redact_line(&text);
        match self.inner.as_mut() {
            Some(w) => w.write_all(red.as_bytes()),
            None => Ok(()),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        self.emit_range(0, upto)?;
        self.pending.drain(..upto);
        Ok(())
    }

    /// Writes the held partial line, flushes, and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            let n = self.pending.len();
            self.emit(n)?;
        }
        let mut w = self.inner.take().expect("present until finish");
        w.flush()?;
        Ok(w)
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let searched = self.pending.len();
        self.pending.extend_from_slice(buf);
        // Emit every complete line, then drop them from the buffer at once
        // (draining line by line would shift the rest each time).
        let mut done = 0;
        let mut from = searched;
        while let Some(i) = memchr::memchr(b'\n', &self.pending[from..]) {
            let end = from + i + 1;
            self.emit_range(done, end)?;
            done = end;
            from = end;
        }
        self.pending.drain(..done);
        while self.pending.len() >= MAX_BUFFERED_LINE {
            // Cut at a UTF-8 boundary so no character is split.
            let mut cut = MAX_BUFFERED_LINE;
            while cut > 0 && cut < self.pending.len() && (self.pending[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            self.emit(cut.max(1))?;
        }
        Ok(buf.len())
    }

    /// Flushes the inner writer; a partial line stays held (writing half a
    /// line could split a secret in two unmatched halves).
    fn flush(&mut self) -> io::Result<()> {
        match self.inner.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        if self.inner.is_some() && !self.pending.is_empty() {
            let n = self.pending.len();
            let _ = self.emit(n);
            if let Some(w) = self.inner.as_mut() {
                let _ = w.flush();
            }
        }
    }
}

/// An `io::Read` that learns the `::add-mask::` values of the text read
/// through it (whole lines; see [`LearnedSecrets::observe`]), so a log can
/// be streamed into triage and its masks still be known before rendering.
pub struct LearningReader<R: Read> {
    inner: R,
    learned: LearnedSecrets,
    /// The current partial line, capped: a mask command is a line's start.
    partial: Vec<u8>,
}

/// Bytes of a partial line kept for [`LearningReader`]: a mask value is at
/// most 4 KiB and its command starts near the line start.
const MAX_PARTIAL: usize = 8 * 1024;

impl<R: Read> LearningReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        LearningReader { inner, learned: LearnedSecrets::new(), partial: Vec::new() }
    }

    /// What was learned so far (a held partial line included).
    pub fn into_learned(mut self) -> LearnedSecrets {
        if !self.partial.is_empty() {
            let tail = std::mem::take(&mut self.partial);
            self.learned.observe_bytes(&tail);
        }
        self.learned
    }

    fn observe(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            None => {
                let room = MAX_PARTIAL.saturating_sub(self.partial.len());
                self.partial.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            Some(last) => {
                let (mut lines, rest) = bytes.split_at(last + 1);
                if !self.partial.is_empty() {
                    // Only the held line's end joins it; the lines after
                    // it are read where they are.
                    let first = memchr::memchr(b'\n', lines).map_or(lines.len(), |i| i + 1);
                    self.partial.extend_from_slice(&lines[..first]);
                    self.learned.observe_bytes(&self.partial);
                    self.partial.clear();
                    lines = &lines[first..];
                }
                self.learned.observe_bytes(lines);
                self.partial.extend_from_slice(&rest[..rest.len().min(MAX_PARTIAL)]);
            }
        }
    }
}

impl<R: Read> Read for LearningReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.observe(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_learning_reader_learns_masks_split_across_reads() {
        let log = b"x\n2026-01-01T00:00:00Z ::add-mask::s3cretVALUE-123456\nmore\n";
        let mut r = LearningReader::new(&log[..]);
        let mut out = Vec::new();
        let mut chunk = [0u8; 7];
        loop {
            let n = r.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(out, log);
        let learned = r.into_learned();
        assert_eq!(learned.values().collect::<Vec<_>>(), vec!["s3cretVALUE-123456"]);
    }

    proptest::proptest! {
        /// Whatever the reads' sizes, the reader learns what decoding the
        /// whole log and observing it learns (it decodes only the lines
        /// that spell a command).
        #[test]
        fn a_learning_reader_learns_what_the_whole_text_holds(
            parts in proptest::collection::vec(0usize..12, 0..60),
            chunk in 1usize..97,
        ) {
            const PARTS: [&[u8]; 12] = [
                b"2026-01-01T00:00:00.1234567Z ",
                b"::add-mask::",
                b"##[add-mask]",
                b"::ADD-MASK::",
                b"s3cret-value-",
                b"\n",
                b"\r\n",
                b"\xff\xfe",
                b"+ echo '",
                b"' ",
                b"                                ",
                b"caf\xc3\xa9",
            ];
            let log: Vec<u8> = parts.iter().enumerate().flat_map(|(k, &p)| {
                let mut v = PARTS[p].to_vec();
                if p == 4 {
                    v.extend_from_slice(k.to_string().as_bytes());
                }
                v
            }).collect();
            let mut want = LearnedSecrets::new();
            want.observe(&String::from_utf8_lossy(&log));
            let mut r = LearningReader::new(&log[..]);
            let mut buf = vec![0u8; chunk];
            while r.read(&mut buf).unwrap() > 0 {}
            let got = r.into_learned();
            proptest::prop_assert_eq!(got.values().collect::<Vec<_>>(), want.values().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_key_block_is_followed_across_lines() {
        let r = Redactor::new();
        let mut lines = r.lines();
        let out: Vec<String> = [
            "2024-01-02T03:04:05.1Z -----BEGIN RSA PRIVATE KEY-----\n",
            "2024-01-02T03:04:05.1Z MIIEowIBAAKCAQEA7bq3fakefakefake\n",
            "2024-01-02T03:04:05.1Z -----END RSA PRIVATE KEY-----\n",
            "2024-01-02T03:04:05.1Z MIIEowIBAAKCAQEA7bq3fakefakefake\n",
        ]
        .iter()
        .map(|l| lines.redact_line(l).into_owned())
        .collect();
        assert_eq!(
            out,
            [
                "2024-01-02T03:04:05.1Z {REDACTED:private-key}\n",
                "2024-01-02T03:04:05.1Z {REDACTED:private-key}\n",
                "2024-01-02T03:04:05.1Z {REDACTED:private-key}\n",
                "2024-01-02T03:04:05.1Z MIIEowIBAAKCAQEA7bq3fakefakefake\n",
            ]
        );
    }

    #[test]
    fn masked_values_are_removed_from_later_lines() {
        let r = Redactor::new();
        let mut lines = r.lines();
        assert_eq!(
            lines.redact_line("before s3cr3t-value-x\r\n"),
            "before s3cr3t-value-x\r\n"
        );
        assert_eq!(
            lines.redact_line("::add-mask::s3cr3t-value-x\r\n"),
            "::add-mask::{REDACTED:masked}\r\n"
        );
        assert_eq!(
            lines.redact_line("after s3cr3t-value-x"),
            "after {REDACTED:masked}"
        );
        assert_eq!(lines.learned().len(), 1);
    }

    #[test]
    fn the_writer_redacts_whole_lines() {
        let r = Redactor::new();
        let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        let mut w = RedactingWriter::new(&r, Vec::new());
        // Split the token across writes: it must still be found.
        write!(w, "a {}", &token[..10]).unwrap();
        w.flush().unwrap();
        write!(w, "{} b\nc {token}", &token[10..]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "a {REDACTED:github-token} b\nc {REDACTED:github-token}"
        );
    }

    #[test]
    fn the_writer_bounds_a_line_without_newline() {
        let r = Redactor::new();
        let mut w = RedactingWriter::new(&r, Vec::new());
        let big = "é".repeat(MAX_BUFFERED_LINE);
        w.write_all(big.as_bytes()).unwrap();
        assert!(w.pending.len() < MAX_BUFFERED_LINE);
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, big);
    }
}
