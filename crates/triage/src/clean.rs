//! Turning one raw log line into the text a person (and a rule) would read.
//!
//! Cheap on purpose: this runs on every line of gigabyte logs. The common
//! case (no ANSI escape, no `\r`) costs one `memchr` for ESC and one for `\r`
//! over the line and no allocation.

use memchr::memchr;
use std::io::BufRead;

/// Lines longer than this are cut for matching (still counted as one line).
pub const MAX_LINE: usize = 64 * 1024;

/// Length of a GitHub Actions timestamp prefix (`2025-03-24T03:21:36.9037457Z `)
/// at the start of `line`, or 0 when there is none.
///
/// Only the shape is checked (digits and separators), not the date: the
/// prefix is metadata, never part of a message.
pub fn timestamp_prefix_len(line: &[u8]) -> usize {
    // Shortest accepted: `2025-03-24T03:21:36Z ` (21 bytes).
    if line.len() < 21 {
        return 0;
    }
    // Eight bytes at a time: this runs on every line. Each word is XORed
    // with the prefix it should hold (`0` for a digit), the bytes that are
    // not checked masked off: the separators must then be 0 and the digits
    // at most 9.
    let b = line;
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    // `DDDD-..-`: bytes 0-3 digits, 4 and 7 `-` (5 and 6 are not checked).
    let head = (word(0) ^ u64::from_le_bytes(*b"0000-00-")) & 0xff00_00ff_ffff_ffff;
    // `..T..:..`: byte 10 `T`, byte 13 `:`.
    let mid = (word(8) ^ u64::from_le_bytes(*b"00T00:00")) & 0x0000_ff00_00ff_0000;
    if !(small_digits(head) && head & 0xff00_00ff_0000_0000 == 0 && mid == 0 && b[16] == b':') {
        return 0;
    }
    // Fractional seconds, then `Z` and one space.
    let mut i = 19;
    if i < b.len() && b[i] == b'.' {
        // GitHub's seven digits and `Z`, in one word.
        if b.len() >= 28 {
            let frac = word(20) ^ u64::from_le_bytes(*b"0000000Z");
            if small_digits(frac) && frac >> 56 == 0 {
                return if b.len() > 28 && b[28] == b' ' { 29 } else { 28 };
            }
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && b[i] == b'Z' {
        i += 1;
        if i < b.len() && b[i] == b' ' {
            i += 1;
        }
        return i;
    }
    0
}

/// Every byte of `t` (a word XORed with ASCII `0`s) is at most 9: it was
/// a digit there. A byte of 0x80 or more fails by its own top bit; below
/// that, adding 0x76 sets the top bit exactly from 0x0a on and never
/// carries into the next byte.
#[inline(always)]
fn small_digits(t: u64) -> bool {
    (t.wrapping_add(0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080 == 0
}

/// Keep only what the terminal would finally show for a line that uses `\r`
/// to redraw itself: the last non-empty `\r`-separated segment. A trailing
/// `\r` (CRLF files) is just dropped.
fn last_cr_segment(line: &[u8]) -> &[u8] {
    let mut s = line;
    while let Some((&b'\r', rest)) = s.split_last() {
        s = rest;
    }
    match memchr::memrchr(b'\r', s) {
        None => s,
        Some(_) => {
            // Walk segments from the end, keep the last one that shows text
            // once escapes are gone (Travis puts `\r\x1b[0K` before messages).
            let mut end = s.len();
            loop {
                let start = memchr::memrchr(b'\r', &s[..end]).map_or(0, |p| p + 1);
                let seg = &s[start..end];
                if has_visible_text(seg) || start == 0 {
                    return seg;
                }
                // `\r\x1b[0K` with nothing after it erases the line: Travis
                // ends its `travis_time:end:…` markers so, and the terminal
                // shows an empty line, not the marker.
                if seg.starts_with(b"\x1b[0K") || seg.starts_with(b"\x1b[K") || seg.starts_with(b"\x1b[2K") {
                    return &seg[..0];
                }
                end = start - 1;
            }
        }
    }
}

fn has_visible_text(seg: &[u8]) -> bool {
    let mut i = 0;
    while i < seg.len() {
        if seg[i] == 0x1b {
            i = skip_escape(seg, i);
        } else if seg[i].is_ascii_whitespace() {
            i += 1;
        } else {
            return true;
        }
    }
    false
}

/// Index just past the escape sequence starting at `i` (which holds ESC).
fn skip_escape(s: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if j >= s.len() {
        return j;
    }
    match s[j] {
        b'[' => {
            // CSI: parameters and intermediates, then one final byte 0x40..=0x7e.
            j += 1;
            while j < s.len() && !(0x40..=0x7e).contains(&s[j]) {
                j += 1;
            }
            j + 1
        }
        b']' => {
            // OSC: up to BEL or ESC \.
            j += 1;
            while j < s.len() {
                if s[j] == 0x07 {
                    return j + 1;
                }
                if s[j] == 0x1b && j + 1 < s.len() && s[j + 1] == b'\\' {
                    return j + 2;
                }
                j += 1;
            }
            j
        }
        _ => j + 1,
    }
    .min(s.len())
}

/// Clean one raw line (without its `\n`) into `out`: GitHub timestamp
/// prefix, `\r` redraws and ANSI escapes removed; invalid UTF-8 replaced.
/// Returns the byte offset into `raw` where the message started (after the
/// timestamp) so callers can tell whether the line had a prefix.
pub fn clean_line(raw: &[u8], out: &mut String) -> usize {
    clean_line_red(raw, out).0
}

/// [`clean_line`], and whether the terminal showed some of the line in red
/// (an SGR escape setting a red foreground or background): the colour is
/// gone from the text, the bit is a signal (`signals`).
pub(crate) fn clean_line_red(raw: &[u8], out: &mut String) -> (usize, bool) {
    clean_line_red_if(raw, out, true)
}

/// [`clean_line_red`], told by the caller whether the line may hold `\r`
/// at all (the engine knows where the block's next one is: most coloured
/// lines then skip a `memchr` over the whole line).
pub(crate) fn clean_line_red_if(raw: &[u8], out: &mut String, may_hold_cr: bool) -> (usize, bool) {
    out.clear();
    let mut s = raw;
    // UTF-8 BOM on the first line of files written on Windows.
    if s.starts_with(b"\xEF\xBB\xBF") {
        s = &s[3..];
    }
    let ts = timestamp_prefix_len(s);
    s = &s[ts..];
    if may_hold_cr && memchr(b'\r', s).is_some() {
        s = last_cr_segment(s);
    }
    // Stripped into `out`'s own bytes: no buffer per line, one copy.
    let mut buf = std::mem::take(out).into_bytes();
    let (red, escaped) = strip_escapes(s, &mut buf);
    if escaped {
        // A timestamp can hide behind a colour reset in some wrappers.
        let ts2 = timestamp_prefix_len(&buf);
        buf.drain(..ts2);
    }
    *out = match String::from_utf8(buf) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    (ts, red)
}

/// Append `s` without its escape sequences to `buf`; whether one of them
/// set red ([`escape_len`]) and whether there was any.
///
/// One pass, eight bytes at a time: each word is appended whole (a
/// fixed-size copy, no `memcpy` call) and, when it holds an ESC, the
/// bytes from it on are taken back. Escapes are parsed where they start,
/// their SGR parameters read for red on the way ([`Csi`]). The loop it
/// replaced (a `memchr`, then per escape a `memcpy` call for the text
/// before it, `skip_escape`, a split iterator over the parameters and a
/// search for the next ESC) cost ~1,300 instructions per coloured line
/// of the bench log.
fn strip_escapes(s: &[u8], buf: &mut Vec<u8>) -> (bool, bool) {
    // Written through a shrinking slice, not pushed: the `Vec`'s length
    // and capacity stay out of the loop (pushing 8 bytes at a time cost
    // ~22 instructions per word, mostly the `Vec` kept in memory around a
    // reserve call; indexing by position ~27, most of them bounds and
    // overflow checks).
    buf.clear();
    buf.resize(s.len(), 0);
    let mut dst: &mut [u8] = &mut buf[..];
    let mut rest = s;
    let mut red = false;
    let mut escaped = false;
    loop {
        // The text up to the next ESC. The output is never longer than
        // the input read: `dst` has room for what `rest` holds.
        let mut at_esc = false;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            let Some((out, _)) = dst.split_first_chunk_mut::<8>() else { break };
            *out = *chunk;
            if let Some(k) = esc_in(u64::from_le_bytes(*chunk)) {
                rest = &rest[k..];
                dst = &mut std::mem::take(&mut dst)[k..];
                at_esc = true;
                break;
            }
            rest = tail;
            dst = &mut std::mem::take(&mut dst)[8..];
        }
        if !at_esc {
            while let Some((&b, tail)) = rest.split_first() {
                if b == 0x1b {
                    break;
                }
                let Some((out, more)) = std::mem::take(&mut dst).split_first_mut() else { break };
                *out = b;
                dst = more;
                rest = tail;
            }
            if rest.is_empty() {
                break;
            }
        }
        escaped = true;
        // The escape's first eight bytes in a word; near the line's end,
        // the line's last eight moved down, zeros past its end.
        let word = match (rest.first_chunk::<8>(), s.last_chunk::<8>()) {
            (Some(chunk), _) => u64::from_le_bytes(*chunk),
            (None, Some(last)) => u64::from_le_bytes(*last) >> (8 * (8 - rest.len())),
            (None, None) => 0,
        };
        let (len, r) = escape_len(rest, word);
        red |= r;
        rest = &rest[len..];
    }
    let w = s.len() - dst.len();
    buf.truncate(w);
    (red, escaped)
}

/// The index of the first ESC byte among the eight of `word` (little
/// endian). A byte equal to ESC becomes zero after the xor, and the
/// classic has-zero-byte test flags it; the test can also flag bytes
/// above a real zero (a borrow), never below one, so the lowest flag is
/// exact.
#[inline(always)]
fn esc_in(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = word ^ (0x1b * ONES);
    let zero = x.wrapping_sub(ONES) & !x & (0x80 * ONES);
    (zero != 0).then(|| zero.trailing_zeros() as usize / 8)
}

/// The length of the escape `s` starts with (`s[0]` is ESC), as
/// [`skip_escape`] measures it, and whether it sets red as `is_red_sgr`
/// (in the tests) tells: an SGR escape with 31/91 or 41/101, or a
/// 256-colour red `38;5;N`/`48;5;N` with N 1, 9, 160 or 196. `word`
/// holds the first eight bytes of `s` (little endian), zeros past its
/// end, or 0.
#[inline]
fn escape_len(s: &[u8], word: u64) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Most escapes are short SGRs (`ESC[0m`, `ESC[39m`, `ESC[32;1m`): the
    // final byte is then in the first word, and the parameters before it
    // are read from the register.
    if word & 0xffff == 0x5b1b {
        // `ESC[Nm` and `ESC[NNm` with digits, three escapes in four:
        // a few compares.
        let digit = |at: u32| ((word >> at) as u8).wrapping_sub(b'0') < 10;
        if digit(16) {
            if (word >> 24) as u8 == b'm' {
                return (4, false);
            }
            if digit(24) && (word >> 32) as u8 == b'm' {
                return (5, matches!((word >> 16) as u16, 0x3133 | 0x3139 | 0x3134));
            }
        }
        // Bytes 0x40..=0x7e past `ESC[`: at least 0x40 and below 0x7f,
        // top bit clear. On the low seven bits the sums cannot carry into
        // the next byte. The zeros past the end are no final byte.
        let low = word & (0x7f * ONES);
        let finals = low.wrapping_add(0x40 * ONES) & !low.wrapping_add(ONES) & !word & (0x80 * ONES) & !0xffff;
        if finals != 0 {
            let k = finals.trailing_zeros() as usize / 8;
            if (word >> (8 * k)) as u8 != b'm' {
                return (k + 1, false);
            }
            if k <= 4 {
                // Two parameter bytes hold at most one field that can be
                // red (`31`, `91`, `41`); fewer hold none.
                return (k + 1, k == 4 && matches!((word >> 16) as u16, 0x3133 | 0x3139 | 0x3134));
            }
            let mut csi = Csi::new();
            for j in 2..k {
                csi.byte((word >> (8 * j)) as u8);
            }
            return (k + 1, csi.end());
        }
    }
    if s.get(1) != Some(&b'[') {
        return (skip_escape(s, 0), false);
    }
    // CSI: parameters and intermediates, then one final byte 0x40..=0x7e.
    let mut csi = Csi::new();
    let mut j = 2;
    while j < s.len() {
        let b = s[j];
        if (0x40..=0x7e).contains(&b) {
            return (j + 1, b == b'm' && csi.end());
        }
        csi.byte(b);
        j += 1;
    }
    // Unterminated: no final `m`, not red.
    (s.len(), false)
}

/// The SGR parameters of one escape read for red as `is_red_sgr` (in the tests)
/// splits them: each `;`-separated field packed into an integer (a 1 bit,
/// then its bytes; past three bytes it can match nothing), and where a
/// `38`/`48` was seen, how many of its `5;N` fields follow.
struct Csi {
    key: u32,
    /// 0 at a plain field, 1 after `38`/`48`, 2 after `38;5`/`48;5`.
    state: u8,
    red: bool,
}

impl Csi {
    const TOO_LONG: u32 = u32::MAX;

    #[inline(always)]
    fn new() -> Csi {
        Csi { key: 1, state: 0, red: false }
    }

    /// One parameter byte.
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        if b == b';' {
            self.field_end();
        } else {
            self.key = if self.key < 1 << 24 { self.key << 8 | b as u32 } else { Csi::TOO_LONG };
        }
    }

    #[inline(always)]
    fn field_end(&mut self) {
        const fn key(f: &[u8]) -> u32 {
            let mut k = 1;
            let mut i = 0;
            while i < f.len() {
                k = k << 8 | f[i] as u32;
                i += 1;
            }
            k
        }
        const K31: u32 = key(b"31");
        const K91: u32 = key(b"91");
        const K41: u32 = key(b"41");
        const K101: u32 = key(b"101");
        const K38: u32 = key(b"38");
        const K48: u32 = key(b"48");
        const K5: u32 = key(b"5");
        const K1: u32 = key(b"1");
        const K9: u32 = key(b"9");
        const K160: u32 = key(b"160");
        const K196: u32 = key(b"196");
        let k = self.key;
        self.key = 1;
        self.state = match self.state {
            0 => {
                self.red |= matches!(k, K31 | K91 | K41 | K101);
                (k == K38 || k == K48) as u8
            }
            1 => 2 * (k == K5) as u8,
            _ => {
                self.red |= matches!(k, K1 | K9 | K160 | K196);
                0
            }
        };
    }

    /// The last field ended: whether a field set red.
    #[inline(always)]
    fn end(&mut self) -> bool {
        self.field_end();
        self.red
    }
}

/// The common line needs no cleaning but its timestamp cut: no BOM, no
/// ESC, no `\r`. For such a line, the message bytes (borrowed, not yet
/// checked for UTF-8) and the timestamp length; `None` for the others,
/// which go through [`clean_line`]. Where the bytes are UTF-8 they are
/// exactly what `clean_line` would write.
pub fn plain_line(raw: &[u8]) -> Option<(&[u8], usize)> {
    plain_line_if(raw, true)
}

/// [`plain_line`], told by the caller whether the line may hold `\r` or
/// ESC at all: the engine searches a block for the next one once, instead
/// of every line for it (a `memchr2` call per line was ~90 instructions).
/// Inlined by hand: asked of every line, and whether LLVM inlined it on
/// its own changed with unrelated edits to the crate (112 M instructions
/// out of line on 200 MB of logs, speed16).
#[inline]
pub(crate) fn plain_line_if(raw: &[u8], may_hold_cr_or_esc: bool) -> Option<(&[u8], usize)> {
    if raw.starts_with(b"\xEF\xBB\xBF") || may_hold_cr_or_esc && memchr::memchr2(b'\r', 0x1b, raw).is_some() {
        return None;
    }
    let ts = timestamp_prefix_len(raw);
    Some((&raw[ts..], ts))
}

/// Bytes without a newline after which reading stops (`/dev/zero`, a binary
/// piped in by mistake): the engine ends with what it has read.
pub(crate) const MAX_UNBROKEN: usize = 256 << 20;

/// `read_until` with a cap: bytes past `MAX_LINE` are consumed and counted
/// but not kept, so one 10 MB line costs 64 KiB of memory; it returns after
/// [`MAX_UNBROKEN`] bytes even without a newline.
pub(crate) fn read_line_capped<R: BufRead>(rd: &mut R, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let (done, used) = {
            let buf = match rd.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(total);
            }
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    let room = MAX_LINE.saturating_sub(out.len());
                    out.extend_from_slice(&buf[..(i + 1).min(room)]);
                    (true, i + 1)
                }
                None => {
                    let room = MAX_LINE.saturating_sub(out.len());
                    out.extend_from_slice(&buf[..buf.len().min(room)]);
                    (false, buf.len())
                }
            }
        };
        rd.consume(used);
        total += used;
        if done || total >= MAX_UNBROKEN {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `clean_line_red` before escapes were stripped eight bytes at a
    /// time (speed16): a `memchr` for the first ESC, then per escape a
    /// copy of the text before it, [`skip_escape`] and [`is_red_sgr`].
    fn reference_clean_line_red(raw: &[u8], out: &mut String) -> (usize, bool) {
        out.clear();
        let mut s = raw;
        if s.starts_with(b"\xEF\xBB\xBF") {
            s = &s[3..];
        }
        let ts = timestamp_prefix_len(s);
        s = &s[ts..];
        if memchr(b'\r', s).is_some() {
            s = last_cr_segment(s);
        }
        let Some(first_esc) = memchr(0x1b, s) else {
            out.push_str(&String::from_utf8_lossy(s));
            return (ts, false);
        };
        let mut buf = Vec::new();
        let mut red = false;
        let mut i = 0;
        let mut esc = Some(first_esc);
        while let Some(p) = esc {
            buf.extend_from_slice(&s[i..i + p]);
            let end = skip_escape(s, i + p);
            red |= is_red_sgr(&s[i + p..end]);
            i = end;
            esc = memchr(0x1b, &s[i..]);
        }
        buf.extend_from_slice(&s[i..]);
        let ts2 = timestamp_prefix_len(&buf);
        buf.drain(..ts2);
        out.push_str(&String::from_utf8_lossy(&buf));
        (ts, red)
    }

    /// `ESC [ … m` setting red: 31/91 (foreground), 41/101 (background), or
    /// the 256-colour reds 1, 9, 160, 196 (`38;5;N`).
    fn is_red_sgr(esc: &[u8]) -> bool {
        let Some(params) = esc.strip_prefix(b"\x1b[").and_then(|p| p.strip_suffix(b"m")) else { return false };
        let mut it = params.split(|&b| b == b';');
        while let Some(p) = it.next() {
            match p {
                b"31" | b"91" | b"41" | b"101" => return true,
                b"38" | b"48" => {
                    if it.next() == Some(b"5") && matches!(it.next(), Some(b"1" | b"9" | b"160" | b"196")) {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn same_as_reference(raw: &[u8]) -> Result<(), String> {
        let (mut ours, mut theirs) = (String::from("stale"), String::new());
        let want = reference_clean_line_red(raw, &mut theirs);
        for may_hold_cr in [true, memchr(b'\r', raw).is_some()] {
            let got = clean_line_red_if(raw, &mut ours, may_hold_cr);
            if got != want || ours != theirs {
                return Err(format!("{:?}: {got:?} {ours:?} != {want:?} {theirs:?}", String::from_utf8_lossy(raw)));
            }
        }
        Ok(())
    }

    #[test]
    fn cleans_real_lines_as_the_reference_does() {
        let lines = crate::testdata::real_log_lines(64 << 20);
        let coloured = lines.iter().filter(|l| l.contains(&0x1b)).count();
        assert!(coloured > 100, "{coloured} coloured lines");
        for line in &lines {
            same_as_reference(line).unwrap();
        }
    }

    #[test]
    fn cleans_escapes_at_every_offset_as_the_reference_does() {
        let escapes: &[&[u8]] = &[
            b"\x1b[31m", b"\x1b[0m", b"\x1b[m", b"\x1b[1m", b"\x1b[91m", b"\x1b[101m", b"\x1b[1;31m", b"\x1b[31;1m", b"\x1b[38;5;196m",
            b"\x1b[48;5;9m", b"\x1b[38;31m", b"\x1b[38;5;31m", b"\x1b[31K", b"\x1b[3\xff1m", b"\x1b[;31m", b"\x1b[31;m", b"\x1b[031m",
            b"\x1b[0;101m", b"\x1b[\x001m", b"\x1b[2K", b"\x1b]0;t\x07", b"\x1b]8;;u\x1b\\", b"\x1b(B", b"\x1b", b"\x1b[", b"\x1b[3",
            b"\x1b[31", b"\x1b\xc3\xa9", b"\x1b[41m", b"\x1b[4", b"\x1b[?25l",
        ];
        for esc in escapes {
            for before in 0..20 {
                for after in [0, 1, 3, 7, 8, 9, 17] {
                    let mut raw = vec![b'a'; before];
                    raw.extend_from_slice(esc);
                    raw.extend(std::iter::repeat_n(b'z', after));
                    same_as_reference(&raw).unwrap();
                    let mut twice = raw.clone();
                    twice.extend_from_slice(esc);
                    same_as_reference(&twice).unwrap();
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn cleans_random_bytes_as_the_reference_does(raw in proptest::collection::vec(proptest::sample::select(&b"\x1b\x1b\x1b[[;;0135689m]\x07\\\rK aZ\xc3\xa9\xff"[..]), 0..70)) {
            if let Err(e) = same_as_reference(&raw) {
                return Err(proptest::test_runner::TestCaseError::fail(e));
            }
        }
    }

    fn c(raw: &[u8]) -> String {
        let mut s = String::new();
        clean_line(raw, &mut s);
        s
    }

    /// The byte-by-byte check the word-wise one replaced.
    fn bytewise_timestamp_prefix_len(line: &[u8]) -> usize {
        // Shortest accepted: `2025-03-24T03:21:36Z ` (21 bytes).
        if line.len() < 21 {
            return 0;
        }
        let b = line;
        let digit = |i: usize| b[i].is_ascii_digit();
        if !(digit(0) && digit(1) && digit(2) && digit(3) && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':') {
            return 0;
        }
        // Fractional seconds, then `Z` and one space.
        let mut i = 19;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i < b.len() && b[i] == b'Z' {
            i += 1;
            if i < b.len() && b[i] == b' ' {
                i += 1;
            }
            return i;
        }
        0
    }

    #[test]
    fn timestamp_words_agree_with_bytes() {
        let mut cases: Vec<Vec<u8>> = [
            "2025-03-24T03:21:37.4374164Z x", "2025-03-24T03:21:37.4374164Z", "2025-03-24T03:21:37.4374164", "2025-03-24T03:21:37.437Z ",
            "2025-03-24T03:21:36Z ", "2025-03-24T03:21:36Z", "2025-03-24T03:21:37.43741645Z x", "2025-03-24T03:21:37.437416xZ x",
            "2025-03-24T03:21:37.4374164Y x", "2025/03-24T03:21:37.4374164Z x", "2025-03-24 03:21:37.4374164Z x", "202a-03-24T03:21:37.4374164Z x",
            "2025-03-24T03:21:37:4374164Z x", "short", "",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        // Every byte of a GitHub prefix replaced by a few others.
        let base = b"2025-03-24T03:21:37.4374164Z msg".to_vec();
        for i in 0..base.len() {
            for x in [b'0', b'9', b'/', b':', b'-', b'Z', b' ', b'.', 0x3a, 0x2f, 0xb0, 0x39 + 0x80] {
                let mut v = base.clone();
                v[i] = x;
                cases.push(v.clone());
                v.truncate(i + 1);
                cases.push(v);
            }
        }
        for c in &cases {
            assert_eq!(timestamp_prefix_len(c), bytewise_timestamp_prefix_len(c), "{:?}", String::from_utf8_lossy(c));
        }
    }

    #[test]
    fn strips_gha_timestamp_and_colour() {
        assert_eq!(c(b"2025-03-24T03:21:37.4374164Z \x1b[36;1mnpm ci\x1b[0m"), "npm ci");
        assert_eq!(c(b"2022-06-16T13:41:36.0263458Z \r"), "");
        assert_eq!(c(b"2022-06-16T13:41:36Z x"), "x");
    }

    #[test]
    fn keeps_last_redraw_segment() {
        // logchunks_travis/logs/564632044: Travis fold end then the message.
        let raw = b"travis_time:end:03a60174:start=1564322472547722987,finish=1564322494220147521,duration=21672424534\r\x1b[0K\x1b[31;1mThe command \"ci/script.sh\" exited with 101.\x1b[0m\r";
        assert_eq!(c(raw), "The command \"ci/script.sh\" exited with 101.");
        assert_eq!(c(b"10%\r50%\r100%"), "100%");
        // A timer marker the terminal erases right after printing it.
        assert_eq!(c(b"travis_time:end:057a1580:start=1461566035163360371,finish=1461566074682430332,duration=39519069961\r\x1b[0K\r"), "");
    }

    #[test]
    fn plain_lines_read_as_clean_line_writes_them() {
        let cases: &[&[u8]] = &[
            b"2025-03-24T03:21:37.4374164Z plain text",
            b"plain",
            b"\xEF\xBB\xBFbom",
            b"10%\r100%",
            b"2022-06-16T13:41:36Z \x1b[31mred\x1b[0m",
            b"\xff\xfebad",
            b"",
        ];
        let mut plain = 0;
        for raw in cases {
            let mut copy = String::new();
            let ts = clean_line(raw, &mut copy);
            if let Some((bytes, pts)) = plain_line(raw) {
                plain += 1;
                assert_eq!(pts, ts, "{raw:?}");
                assert_eq!(String::from_utf8_lossy(bytes), copy, "{raw:?}");
            }
        }
        assert_eq!(plain, 4, "BOM, \\r and ESC lines are not plain");
    }

    #[test]
    fn red_is_kept_as_a_bit() {
        let red = |raw: &[u8]| clean_line_red(raw, &mut String::new()).1;
        assert!(red(b"\x1b[31;1mThe command \"x\" exited with 1.\x1b[0m"));
        assert!(red(b"\x1b[1;91merror\x1b[0m: x"));
        assert!(red(b"\x1b[38;5;196mE\x1b[0m"));
        assert!(!red(b"\x1b[32mok\x1b[0m 31 tests"));
        assert!(!red(b"\x1b[0K\x1b[33;1mwarning\x1b[0m"));
        assert!(!red(b"plain 31"));
    }

    #[test]
    fn survives_garbage() {
        assert_eq!(c(b"\xff\xfeab\x1b"), "\u{fffd}\u{fffd}ab");
        assert_eq!(c(b"\x1b[31"), "");
        assert_eq!(c(b"\x1b]0;title"), "");
        assert_eq!(c(b""), "");
    }
}
