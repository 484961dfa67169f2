//! Escaping for text we did not write (logs, test names, PR titles, LLM
//! output) before it enters Markdown.
//!
//! One rule set, applied in every context ([`neutralize`]):
//! - `@name` gets a zero-width joiner after `@`: no mention, no notification;
//! - `#123` gets a zero-width joiner after `#`: no autolink/back-reference;
//! - `<` followed by a letter, `/`, `!` or `?` gets a zero-width space after
//!   it: no HTML tag, no `<!--` comment opener, no `</details>`, no fake
//!   `<details data-job-id=…>` block — so nothing a log prints can open,
//!   close or imitate one of our hidden markers or blocks;
//! - `-->` becomes `--​>` (zero-width space) for the same reason;
//! - in prose (not in code, which GitHub never links), `GH-123` gets a
//!   zero-width joiner after `GH`, and an `http(s)://` URL of a GitHub host
//!   or of an issue, pull request, discussion or commit path a zero-width
//!   space after its `:`: no autolink, so no cross-reference ("mentioned
//!   this") on another issue;
//! - control characters, ANSI escapes and bidi overrides are removed.
//!
//! The zero-width characters are invisible when rendered and inside code, so
//! readers see the original text. Context-specific helpers add what their
//! context needs: [`inline`] (one line, Markdown punctuation escaped, table
//! safe), [`code_span`], [`code_block`] and [`preformatted`] (fence longer
//! than any backtick run),
//! [`markdown`] (keeps formatting, balances fences) and [`url`].
//!
//! All lengths are in `char`s (Unicode scalar values), like GitHub's limits.

use std::borrow::Cow;

/// Zero-width joiner, inserted after `@` and `#`.
pub const ZWJ: char = '\u{200D}';
/// Zero-width space, inserted after `<` and inside `-->`.
pub const ZWSP: char = '\u{200B}';
/// Appended to text cut by a length cap.
pub const ELLIPSIS: char = '…';

/// Cut `s` to at most `max` chars (the ellipsis counts), at a char boundary.
pub fn truncate_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) if max == 0 => Cow::Borrowed(""),
        Some(_) => {
            let cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}{ELLIPSIS}", &s[..cut]))
        }
    }
}

/// Cut `s` so that its [`char_len`] (ellipsis included) is at most `max`.
pub fn truncate_units(s: &str, max: usize) -> Cow<'_, str> {
    if char_len(s) <= max {
        return Cow::Borrowed(s);
    }
    let mut used = 1; // the ellipsis
    let mut cut = 0;
    for (i, c) in s.char_indices() {
        if used + c.len_utf16() > max {
            break;
        }
        used += c.len_utf16();
        cut = i + c.len_utf8();
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("{}{ELLIPSIS}", &s[..cut]))
}

/// Size of `s` as GitHub may count it against its body limit: UTF-16 code
/// units. That equals the number of chars except for astral characters
/// (emoji), which count twice — so budgets computed with this are safe
/// whichever of the two GitHub uses.
pub fn char_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Remove ANSI escape sequences, `\r`, bidi overrides and control characters
/// other than `\n` and `\t`.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte(0x40..=0x7E); other escapes: drop ESC + next.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&d) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
            continue;
        }
        if (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// The context-free rules (see module docs): mentions, issue autolinks, HTML
/// openers and comment closers. Idempotent.
pub fn neutralize(s: &str) -> String {
    neutralize_in(s, true)
}

/// [`neutralize`] for code spans and blocks, where GitHub links no URL and
/// no `GH-123`: those are left as written, so a URL copied out of a quoted
/// log line still works.
fn neutralize_code(s: &str) -> String {
    neutralize_in(s, false)
}

fn neutralize_in(s: &str, prose: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        match (c, next) {
            ('@', Some(n)) if n.is_alphanumeric() || n == '_' || n == '-' => out.push(ZWJ),
            ('#', Some(n)) if n.is_ascii_digit() => out.push(ZWJ),
            ('<', Some(n)) if n.is_alphabetic() || matches!(n, '/' | '!' | '?') => out.push(ZWSP),
            ('-', Some('>')) if i >= 1 && chars[i - 1] == '-' => out.push(ZWSP),
            ('H' | 'h', Some('-')) if prose && gh_reference(&chars, i) => out.push(ZWJ),
            (':', Some('/')) if prose && github_url(&chars, i) => out.push(ZWSP),
            _ => {}
        }
    }
    out
}

/// `GH-123` at `chars[i - 1..]` (`chars[i]` is its `H`): GitHub links it to
/// issue 123 of the repository and notes the mention there.
fn gh_reference(chars: &[char], i: usize) -> bool {
    let starts_word = i < 2 || !chars[i - 2].is_alphanumeric();
    starts_word && i >= 1 && chars[i - 1].eq_ignore_ascii_case(&'G') && chars.get(i + 2).is_some_and(char::is_ascii_digit)
}

/// An `http(s)://` URL whose `:` is `chars[i]` and which GitHub would turn
/// into a cross-reference: its host names GitHub, or its path is an issue,
/// pull request or discussion. A zero-width space after the `:` keeps it
/// from being autolinked (the text reads the same).
fn github_url(chars: &[char], i: usize) -> bool {
    let before = &chars[i.saturating_sub(5)..i];
    let is = |word: &str, at: &[char]| at.len() == word.len() && at.iter().zip(word.chars()).all(|(c, w)| c.eq_ignore_ascii_case(&w));
    let http = is("https", before) || is("http", &before[before.len().saturating_sub(4)..]);
    if !http || chars.get(i + 2) != Some(&'/') {
        return false;
    }
    // Host and path are read from at most 256 characters: a text of
    // `http://http://…` stays linear.
    let rest: String = chars[i + 3..].iter().take(256).take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | '\'' | '`' | ')' | ']')).collect::<String>().to_ascii_lowercase();
    let host = rest.split('/').next().unwrap_or("");
    host.contains("github") || ["/issues/", "/pull/", "/pulls/", "/discussions/", "/commit/"].iter().any(|p| rest.contains(p))
}

/// Inline prose (job names, test ids, one-line errors): cleaned, newlines and
/// runs of whitespace collapsed to one space, capped at `max` chars,
/// neutralised, and Markdown punctuation backslash-escaped — including `|`,
/// so the result is safe in a table cell.
pub fn inline(s: &str, max: usize) -> String {
    let cleaned = clean(s);
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let capped = truncate_chars(&collapsed, max);
    let mut out = String::with_capacity(capped.len() + 8);
    for c in neutralize(&capped).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '$' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Inline code for one line of untrusted text. `in_table` escapes `|` (GitHub
/// splits table cells before parsing code spans; `\|` then renders as `|`).
pub fn code_span(s: &str, max: usize, in_table: bool) -> String {
    let cleaned = clean(s);
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let capped = truncate_chars(&collapsed, max);
    let mut body = neutralize_code(&capped);
    if in_table {
        body = body.replace('|', "\\|");
    }
    if body.is_empty() {
        return "` `".to_string();
    }
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced code block of untrusted lines. The fence is longer than any
/// backtick run in the text, so no line can close it early; every line is
/// neutralised so no line can be read as one of our markers. At most
/// `max_lines` lines of at most `max_line_chars` chars each (trailing blanks
/// dropped).
pub fn code_block(s: &str, lang: &str, max_lines: usize, max_line_chars: usize) -> String {
    let cleaned = clean(s);
    let mut lines: Vec<String> =
        cleaned.lines().take(max_lines).map(|l| truncate_chars(l.trim_end(), max_line_chars).into_owned()).collect();
    let total = cleaned.lines().count();
    if total > max_lines {
        lines.push(format!("{ELLIPSIS} {} more line(s)", total - max_lines));
    }
    fenced(&lines, lang)
}

/// A fenced code block of lines already laid out by the caller (columns,
/// line numbers, trailing blanks kept): cleaned and neutralised like
/// [`code_block`], neither cut nor trimmed.
pub fn preformatted(s: &str, lang: &str) -> String {
    let cleaned = clean(s);
    let lines: Vec<&str> = cleaned.lines().collect();
    fenced(&lines, lang)
}

/// Neutralised `lines` in a fence longer than any backtick run among them.
fn fenced<L: AsRef<str>>(lines: &[L], lang: &str) -> String {
    let body = lines.iter().map(|l| neutralize_code(l.as_ref())).collect::<Vec<_>>().join("\n");
    let fence = "`".repeat((longest_run(&body, '`') + 1).max(3));
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{fence}{lang}\n{body}\n{fence}")
}

/// Free-form Markdown (an LLM analysis, a legacy block body): formatting is
/// kept, every line is neutralised, an unclosed code fence is closed, and the
/// text is cut at a line boundary to at most `max` chars with a note.
pub fn markdown(s: &str, max: usize) -> String {
    let cleaned = clean(s);
    let lines: Vec<String> = cleaned.lines().map(|l| neutralize(l.trim_end())).collect();
    let close = |fence: Option<(char, usize)>| fence.map(|(ch, n)| ch.to_string().repeat(n));

    // Fits whole: only balance fences. The result is its own fixed point.
    let mut fence = None;
    for l in &lines {
        fence = track_fence(fence, l);
    }
    let mut whole = lines.join("\n");
    if let Some(c) = close(fence) {
        whole.push('\n');
        whole.push_str(&c);
    }
    let whole = whole.trim_end_matches('\n').to_string();
    if char_len(&whole) <= max {
        return whole;
    }

    // Cut at a line boundary, leaving room for a closing fence and the note;
    // the result fits `max`, so a second pass returns it unchanged.
    let note = format!("\n\n_{ELLIPSIS} truncated to fit GitHub's size limit._");
    let budget = max.saturating_sub(char_len(&note));
    let mut out: Vec<&str> = Vec::new();
    let mut used = 0;
    let mut fence = None;
    let mut partial = None;
    for l in &lines {
        let next = track_fence(fence, l);
        let closing = close(next).map_or(0, |c| char_len(&c) + 1);
        let len = char_len(l) + usize::from(!out.is_empty());
        if used + len + closing > budget {
            // Keep the head of an over-long prose line rather than nothing.
            let left = budget.saturating_sub(used + 1 + close(fence).map_or(0, |c| char_len(&c) + 1));
            let t = l.trim_start();
            if left >= 200 && fence.is_none() && !t.starts_with("```") && !t.starts_with("~~~") {
                partial = Some(truncate_units(l, left).into_owned());
            }
            break;
        }
        out.push(l);
        used += len;
        fence = next;
    }
    let mut text = out.join("\n");
    if let Some(p) = partial {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&p);
    }
    if let Some(c) = close(fence) {
        text.push('\n');
        text.push_str(&c);
    }
    let mut text = text.trim_end_matches('\n').to_string();
    text.push_str(&note);
    text
}

/// CommonMark fence tracking: an opening fence is ≥3 backticks or tildes
/// after ≤3 spaces; it closes on a line of the same char, at least as long,
/// with nothing else.
fn track_fence(open: Option<(char, usize)>, line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return open;
    }
    let t = line.trim_start_matches(' ');
    let ch = match t.chars().next() {
        Some(c @ ('`' | '~')) => c,
        _ => return open,
    };
    let n = t.chars().take_while(|&c| c == ch).count();
    if n < 3 {
        return open;
    }
    match open {
        None => {
            if ch == '`' && t[n..].contains('`') {
                open // backtick info strings may not contain backticks
            } else {
                Some((ch, n))
            }
        }
        Some((oc, on)) if oc == ch && n >= on && t[n * ch.len_utf8()..].trim().is_empty() => None,
        other => other,
    }
}

/// A URL we are willing to link: `https://` only, with characters that could
/// end a Markdown link or an attribute percent-encoded. `None` otherwise.
pub fn url(s: &str) -> Option<String> {
    let s = s.trim();
    if !s.starts_with("https://") {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '`' => out.push_str("%60"),
            '|' => out.push_str("%7C"),
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Value for a double-quoted HTML attribute written in the old bot's block
/// shape: `"`, `<`, `>`, `&`, whitespace and controls percent-encoded.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '&' => out.push_str("%26"),
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// `[text](url)` with `text` escaped by [`inline`]; plain escaped text when
/// the URL is not acceptable.
pub fn link(text: &str, href: &str, max: usize) -> String {
    match url(href) {
        Some(u) => format!("[{}]({u})", inline(text, max)),
        None => inline(text, max),
    }
}

/// `[`code`](url)`: a code span as link text.
pub fn code_link(text: &str, href: &str, max: usize, in_table: bool) -> String {
    match url(href) {
        Some(u) => format!("[{}]({u})", code_span(text, max, in_table)),
        None => code_span(text, max, in_table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_chars() {
        assert_eq!(truncate_chars("héllo", 10), "héllo");
        assert_eq!(truncate_chars("héllo", 3), "hé…");
        assert_eq!(truncate_chars("😀😀😀😀", 2).chars().count(), 2);
        assert_eq!(char_len("a😀"), 3);
        assert_eq!(truncate_units("a😀😀", 4), "a😀…");
        assert!(char_len(&truncate_units(&"😀".repeat(50), 11)) <= 11);
        assert_eq!(truncate_chars("abc", 0), "");
    }

    #[test]
    fn neutralizes_mentions_links_html() {
        let s = neutralize("@alice see #123 <!-- x --> </details> a@b");
        assert!(!s.contains("@alice"));
        assert!(!s.contains("#123"));
        assert!(!s.contains("<!--"));
        assert!(!s.contains("-->"));
        assert!(!s.contains("</details>"));
        assert_eq!(s.replace([ZWJ, ZWSP], ""), "@alice see #123 <!-- x --> </details> a@b");
        assert_eq!(neutralize(&s), s, "idempotent");
    }

    #[test]
    fn neutralizes_cross_references() {
        // GitHub records a mention on issue 1 for each of these.
        for text in ["see https://github.com/o/r/issues/1 now", "(HTTP://GitHub.com/o/r/pull/2)", "https://ghe.corp/o/r/issues/3", "fixed in GH-4", "gh-5"] {
            let s = neutralize(text);
            assert_ne!(s, text, "{text}");
            assert_eq!(s.replace([ZWJ, ZWSP], ""), text);
            assert_eq!(neutralize(&s), s, "idempotent: {text}");
        }
        let many = "http://".repeat(20_000);
        assert_eq!(neutralize(&many).replace([ZWJ, ZWSP], ""), many, "each URL read from a bounded window");
        // Code is never linked: a URL copied out of a quoted log line works.
        assert_eq!(code_span("fatal: unable to access 'https://github.com/x/y/'", 200, false), "`fatal: unable to access 'https://github.com/x/y/'`");
        assert!(code_block("see https://github.com/o/r/issues/1 GH-2", "text", 10, 200).contains("https://github.com/o/r/issues/1 GH-2"));
        // Not references: left alone.
        for text in ["https://pypi.org/simple/torch/", "a HIGH-5 b", "sha-256", "file:///tmp/x", "GH-x"] {
            assert_eq!(neutralize(text), text);
        }
    }

    #[test]
    fn inline_is_one_table_safe_line() {
        let s = inline("a | b\n`c`  *d*", 100);
        assert_eq!(s, "a \\| b \\`c\\` \\*d\\*");
    }

    #[test]
    fn code_span_fences() {
        assert_eq!(code_span("a`b", 50, false), "``a`b``");
        assert_eq!(code_span("`x`", 50, false), "`` `x` ``");
        assert_eq!(code_span("a|b", 50, true), "`a\\|b`");
        assert_eq!(code_span("", 50, true), "` `");
    }

    #[test]
    fn code_block_fence_is_longer_than_content() {
        let b = code_block("x\n```\n````\ny", "text", 10, 100);
        assert!(b.starts_with("`````text\n"));
        assert!(b.ends_with("\n`````"));
    }

    #[test]
    fn markdown_closes_fences_and_caps() {
        assert_eq!(markdown("```\ncode", 1000), "```\ncode\n```");
        let long = "line\n".repeat(1000);
        let m = markdown(&long, 500);
        assert!(char_len(&m) <= 500);
        assert!(m.ends_with("_… truncated to fit GitHub's size limit._"));
    }

    #[test]
    fn clean_strips_ansi_and_bidi() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m\r\u{202E}x\u{7}"), "redx");
    }

    #[test]
    fn urls() {
        assert_eq!(url("javascript:alert(1)"), None);
        assert_eq!(url("https://x/a b(c)").unwrap(), "https://x/a%20b%28c%29");
    }
}
