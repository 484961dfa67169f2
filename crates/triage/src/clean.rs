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
    let Some(first_esc) = memchr(0x1b, s) else {
        push_lossy(s, out);
        return (ts, false);
    };
    // Stripped into `out`'s own bytes: no buffer per line, one copy.
    let mut buf = std::mem::take(out).into_bytes();
    buf.reserve(s.len());
    let mut red = false;
    let mut i = 0;
    let mut esc = Some(first_esc);
    while let Some(p) = esc {
        buf.extend_from_slice(&s[i..i + p]);
        let end = skip_escape(s, i + p);
        red |= is_red_sgr(&s[i + p..end]);
        i = end;
        esc = next_esc(&s[i..]);
    }
    buf.extend_from_slice(&s[i..]);
    // A timestamp can hide behind a colour reset in some wrappers.
    let ts2 = timestamp_prefix_len(&buf);
    buf.drain(..ts2);
    *out = match String::from_utf8(buf) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    (ts, red)
}

/// The first ESC in `s`. Escapes come in runs (`ESC[1mESC[31m`) and
/// close together: the first 16 bytes are looked at eight at a time in a
/// register, which is cheaper than a `memchr` call for such short gaps
/// (and than looking at them one by one: that loop was a quarter of the
/// time spent cleaning coloured lines).
#[inline]
fn next_esc(s: &[u8]) -> Option<usize> {
    const NEAR: usize = 16;
    let mut at = 0;
    while at < NEAR {
        let Some(word) = s.get(at..at + 8) else {
            return s[at..].iter().position(|&b| b == 0x1b).map(|p| at + p);
        };
        if let Some(p) = esc_in(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
            return Some(at + p);
        }
        at += 8;
    }
    memchr(0x1b, &s[NEAR..]).map(|p| p + NEAR)
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
pub(crate) fn plain_line_if(raw: &[u8], may_hold_cr_or_esc: bool) -> Option<(&[u8], usize)> {
    if raw.starts_with(b"\xEF\xBB\xBF") || may_hold_cr_or_esc && memchr::memchr2(b'\r', 0x1b, raw).is_some() {
        return None;
    }
    let ts = timestamp_prefix_len(raw);
    Some((&raw[ts..], ts))
}

fn push_lossy(s: &[u8], out: &mut String) {
    match std::str::from_utf8(s) {
        Ok(t) => out.push_str(t),
        Err(_) => out.push_str(&String::from_utf8_lossy(s)),
    }
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

/// Lines of real CI logs for equivalence tests: the crate's fixtures,
/// and up to `max_shared` bytes of `/work/shared/datasets` where that
/// exists (it does on the development machine, not in CI).
#[cfg(test)]
pub(crate) fn real_log_lines(max_shared: usize) -> Vec<Vec<u8>> {
    fn walk(dir: &std::path::Path, budget: &mut usize, lines: &mut Vec<Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if *budget == 0 {
                return;
            }
            if path.is_dir() {
                walk(&path, budget, lines);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let bytes = &bytes[..bytes.len().min(*budget)];
                *budget -= bytes.len();
                lines.extend(bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec));
            }
        }
    }
    let mut lines = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"), &mut { usize::MAX }, &mut lines);
    walk(std::path::Path::new("/work/shared/datasets"), &mut { max_shared }, &mut lines);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_esc_finds_the_first_escape_at_any_offset() {
        for len in 0..40 {
            for esc in [None, Some(0), Some(1), Some(7), Some(8), Some(15), Some(16), Some(17), Some(31)] {
                for fill in [b'a', 0x1a, 0x1c, 0x9b, 0x00, 0xff] {
                    let mut s = vec![fill; len];
                    if let Some(e) = esc.filter(|&e| e < len) {
                        s[e] = 0x1b;
                        if e + 1 < len {
                            s[e + 1] = 0x1b;
                        }
                    }
                    assert_eq!(next_esc(&s), s.iter().position(|&b| b == 0x1b), "{s:?}");
                }
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
