//! Values a log declares secret with `::add-mask::VALUE`.
//!
//! The runner hides such a value in the lines it prints *after* the command,
//! but a log still carries it where the command was echoed (`set -x` prints
//! `+ echo ::add-mask::s3cr3t`), printed before the mask, or in text the
//! runner never saw (an artifact, a test report). Learning the values while
//! the log streams through triage and merging them into the run's
//! [`crate::Redactor`] removes them from everything the bot writes later.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::entropy::is_placeholder;
use crate::known::{Admission, MIN_SECRET_LEN};

static LOWER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("add-mask"));
static UPPER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("ADD-MASK"));
/// Both spellings in one Teddy searcher (`None` on a CPU without SSSE3).
static BOTH: LazyLock<Option<aho_corasick::packed::Searcher>> =
    LazyLock::new(|| aho_corasick::packed::Config::new().builder().add("add-mask").add("ADD-MASK").build());

/// Longest command value looked at. A longer one is not a credential a
/// log would print, and the cap keeps a line of many commands linear.
pub(crate) const MAX_MASK_VALUE: usize = 4096;

/// Every `::add-mask::` / `##[add-mask]` command in `text` (the second is
/// the runner's legacy spelling; lower or upper case), in order, as the
/// byte range of the command. Found with two SIMD substring searches: an
/// automaton over the commands would stop at every `:` of every timestamp.
pub(crate) fn commands(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut lower = LOWER.find_iter(b).peekable();
    let mut upper = UPPER.find_iter(b).peekable();
    std::iter::from_fn(move || match (lower.peek(), upper.peek()) {
        (Some(l), Some(u)) if l < u => lower.next(),
        (Some(_), None) => lower.next(),
        _ => upper.next(),
    })
    .filter_map(move |i| {
        let (open, close) = (b.get(i.checked_sub(2)?..i)?, b.get(i + 8..i + 10)?);
        if open == b"::" && close == b"::" {
            Some((i - 2, i + 10))
        } else if i >= 3 && &b[i - 3..i] == b"##[" && close[0] == b']' {
            Some((i - 3, i + 9))
        } else {
            None
        }
    })
}

/// The rest of the line after a command ending at `end`, or `None` when it
/// is longer than [`MAX_MASK_VALUE`].
pub(crate) fn value_region(text: &str, end: usize) -> Option<&str> {
    let b = text.as_bytes();
    let limit = (end + MAX_MASK_VALUE + 1).min(b.len());
    let stop = memchr::memchr(b'\n', &b[end..limit]).map_or(limit, |i| end + i);
    if stop - end > MAX_MASK_VALUE {
        return None;
    }
    Some(&text[end..stop])
}

/// Whether only a GitHub timestamp and blanks precede the command starting
/// at `start` on its line (looking back a bounded distance).
pub(crate) fn at_line_start(text: &str, start: usize) -> bool {
    // The same answer whether `text` is the line alone or a block holding
    // it (`observe_bytes` hands over lines, a redactor whole texts): the
    // line's start is looked for up to `MAX_PREFIX` bytes back.
    const MAX_PREFIX: usize = 64;
    let b = text.as_bytes();
    let from = start.saturating_sub(MAX_PREFIX + 1);
    let line_start = match memchr::memrchr(b'\n', &b[from..start]) {
        Some(i) => from + i + 1,
        None if start <= MAX_PREFIX => 0,
        None => return false,
    };
    is_command_position(&text[line_start..start])
}

/// Secret values learned from `::add-mask::` commands in a log.
///
/// Cheap to feed every line of a log: a line without the command costs one
/// substring search. Bounded: at most 16,384 values and 4 MiB; values past
/// the cap are counted in [`LearnedSecrets::dropped`].
#[derive(Debug, Default, Clone)]
pub struct LearnedSecrets {
    values: Vec<String>,
    admitted: Admission,
}

impl LearnedSecrets {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns the values of every `::add-mask::` command in `text` (one line
    /// or many).
    pub fn observe(&mut self, text: &str) {
        for (start, end) in commands(text) {
            let Some(raw) = value_region(text, end) else {
                continue;
            };
            if let Some(value) = mask_value(raw, at_line_start(text, start)) {
                self.insert(value);
            }
        }
    }

    /// What `observe(&String::from_utf8_lossy(bytes))` learns, without
    /// decoding the bytes: only the lines that spell the command are
    /// decoded (a log streamed through [`crate::LearningReader`] holds a
    /// handful among millions, and decoding every byte was a sixth of a
    /// triage run). `bytes` should hold whole lines.
    pub fn observe_bytes(&mut self, bytes: &[u8]) {
        let mut lines: Vec<(usize, usize)> = Vec::new();
        // A line of many commands is looked up once, not once per hit.
        let mut line_of = |hit: usize, line_end: &mut usize| {
            if hit >= *line_end {
                let start = memchr::memrchr(b'\n', &bytes[..hit]).map_or(0, |i| i + 1);
                *line_end = memchr::memchr(b'\n', &bytes[hit..]).map_or(bytes.len(), |i| hit + i);
                lines.push((start, *line_end));
            }
        };
        match &*BOTH {
            // One SIMD pass finds both spellings.
            Some(both) => {
                let mut line_end = 0;
                for m in both.find_iter(bytes) {
                    line_of(m.start(), &mut line_end);
                }
            }
            None => {
                for finder in [&*LOWER, &*UPPER] {
                    let mut line_end = 0;
                    for hit in finder.find_iter(bytes) {
                        line_of(hit, &mut line_end);
                    }
                }
            }
        }
        // In order, once each: values are kept in the order first seen.
        lines.sort_unstable();
        lines.dedup();
        for (start, end) in lines {
            self.observe(&String::from_utf8_lossy(&bytes[start..end]));
        }
    }

    fn insert(&mut self, value: String) {
        if self.admitted.admit(&value) {
            self.values.push(value);
        }
    }

    /// The values learned so far, in the order first seen.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// How many values were learned.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when nothing was learned.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many values were not kept because the set was full.
    pub fn dropped(&self) -> usize {
        self.admitted.dropped
    }

    /// Adds everything `other` learned (logs analysed in parallel).
    pub fn extend(&mut self, other: &LearnedSecrets) {
        for v in &other.values {
            self.insert(v.clone());
        }
        self.admitted.dropped += other.admitted.dropped;
    }
}

/// Where the command is at the start of the line (after a GitHub timestamp),
/// the rest of the line is the value; elsewhere (`+ echo '::add-mask::x'`)
/// the shell's closing quote is not.
fn is_command_position(before: &str) -> bool {
    let rest = crate::pem::strip_timestamp(before);
    rest.trim().is_empty()
}

/// The value of one command as written in the line (still escaped).
pub(crate) fn written_value(raw: &str, at_line_start: bool) -> &str {
    let v = raw.trim();
    if at_line_start {
        v
    } else {
        v.trim_end_matches(['\'', '"', '`', ')', ';']).trim()
    }
}

/// The value of one command, unescaped; `None` for short values and for
/// references like `$TOKEN` (the log shows the command, not the secret).
pub(crate) fn mask_value(raw: &str, at_line_start: bool) -> Option<String> {
    let v = written_value(raw, at_line_start);
    if v.len() < MIN_SECRET_LEN || is_placeholder(v) {
        return None;
    }
    let value = v
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%");
    (value.trim().len() >= MIN_SECRET_LEN).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::known::MAX_VALUES;

    fn learn(text: &str) -> Vec<String> {
        let mut l = LearnedSecrets::new();
        l.observe(text);
        l.values().map(String::from).collect()
    }

    #[test]
    fn values_are_learned_from_commands() {
        assert_eq!(
            learn("2024-01-02T03:04:05.1234567Z ::add-mask::s3cr3t-value\r"),
            vec!["s3cr3t-value"]
        );
        assert_eq!(
            learn("::ADD-MASK::Abc%25def%0Aline2xyz"),
            vec!["Abc%def\nline2xyz"]
        );
        assert!(
            learn("::Add-Mask::mixed-case-value").is_empty(),
            "only the usual spellings"
        );
        assert!(learn("add-mask::not-a-command-x").is_empty());
        assert!(learn("#[add-mask]not-a-command-y").is_empty());
        assert_eq!(
            learn("+ echo '::add-mask::hunter2hunter2'"),
            vec!["hunter2hunter2"]
        );
        assert_eq!(
            learn("##[add-mask]legacy-value-1\nnext line"),
            vec!["legacy-value-1"]
        );
        assert_eq!(
            learn("a\n::add-mask::first-one\nb ::add-mask::second-one\n"),
            vec!["first-one", "second-one"]
        );
    }

    #[test]
    fn references_and_short_values_are_skipped() {
        assert!(learn("echo \"::add-mask::$TOKEN\"").is_empty());
        assert!(learn("::add-mask::${{ secrets.X }}").is_empty());
        assert!(learn("::add-mask::***").is_empty());
        assert!(learn("::add-mask::short").is_empty());
        assert!(learn("::add-mask::").is_empty());
    }

    #[test]
    fn long_values_and_crowded_lines_stay_cheap() {
        assert!(learn(&format!("::add-mask::{}", "x".repeat(MAX_MASK_VALUE + 1))).is_empty());
        assert_eq!(
            learn(&format!("::add-mask::{}", "y1".repeat(MAX_MASK_VALUE / 2))).len(),
            1
        );
        // Thousands of commands on one line: each looks at a bounded window.
        let line = "::add-mask::abcdefgh ".repeat(5000);
        // Only the commands within MAX_MASK_VALUE of the line's end have a
        // value short enough to learn (the rest of the line).
        let learned = learn(&line);
        assert!(
            learned.len() <= MAX_MASK_VALUE / 21 + 1,
            "{}",
            learned.len()
        );
        assert_eq!(
            learn(&format!("{}\n::add-mask::final-value", "z ".repeat(100))),
            vec!["final-value"]
        );
    }

    #[test]
    fn learning_is_bounded_and_deduplicated() {
        let mut l = LearnedSecrets::new();
        l.observe("::add-mask::same-value-1\n::add-mask::same-value-1");
        assert_eq!(l.len(), 1);
        let mut many = String::new();
        for i in 0..(MAX_VALUES + 5) {
            many.push_str(&format!("::add-mask::value-{i:08}\n"));
        }
        let mut l = LearnedSecrets::new();
        l.observe(&many);
        assert_eq!(l.len(), MAX_VALUES);
        assert_eq!(l.dropped(), 5);
    }
}

#[cfg(test)]
mod speed {
    /// `CI_REDACT_MASK_FILE=… cargo test --release -p ci-redact --lib
    /// mask_search_speed -- --ignored --nocapture`: one Teddy pass for
    /// both spellings against two memmem passes (minimum of 7 runs).
    #[test]
    #[ignore]
    fn mask_search_speed() {
        let Ok(path) = std::env::var("CI_REDACT_MASK_FILE") else { return };
        let data = std::fs::read(path).unwrap();
        let both = super::BOTH.as_ref().expect("Teddy available");
        let (mut one, mut two) = (f64::MAX, f64::MAX);
        for _ in 0..7 {
            let t = std::time::Instant::now();
            let a = both.find_iter(&data).count();
            one = one.min(t.elapsed().as_secs_f64());
            let t = std::time::Instant::now();
            let b = super::LOWER.find_iter(&data).count() + super::UPPER.find_iter(&data).count();
            two = two.min(t.elapsed().as_secs_f64());
            assert_eq!(a, b);
        }
        eprintln!("mask search: teddy {one:.4} s, two memmem {two:.4} s");
    }
}
