//! Facts a repository asks to pull out of its failing jobs' logs (the
//! config's `facts:` list), e.g. sglang's `[CI-AITER-CHECK]` line naming the
//! AITER commit a GPU job ran with. Each pattern has exactly one capture
//! group; the first line that matches gives the job's value. The daily
//! summary shows the values next to the cluster the job is in.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// Longest value kept (a commit, a version, a node name: short things).
pub const MAX_FACT_CHARS: usize = 120;
/// Longest line looked at; the rest of a longer line is not matched.
const MAX_LINE_BYTES: usize = 16 * 1024;

/// One configured pattern.
#[derive(Debug, Clone)]
pub struct LogFactPattern {
    /// What the value is called in the report, e.g. `AITER commit`.
    pub name: String,
    /// The pattern; its one capture group is the value.
    pub regex: Regex,
}

impl LogFactPattern {
    /// A pattern from the config; an error says why it cannot be used.
    pub fn new(name: &str, pattern: &str) -> Result<Self, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("a fact needs a `name`".into());
        }
        let regex = Regex::new(pattern).map_err(|e| format!("fact `{name}`: invalid pattern: {e}"))?;
        if regex.captures_len() != 2 {
            return Err(format!(
                "fact `{name}`: the pattern needs exactly one capture group (it has {})",
                regex.captures_len() - 1
            ));
        }
        Ok(Self { name: name.to_string(), regex })
    }
}

/// GitHub prefixes every line of a job log with its timestamp; patterns
/// are written against the line as the job printed it.
static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ").expect("static regex"));

/// Applies the patterns to a log as it streams by, line by line, holding
/// at most one line.
#[derive(Debug, Default)]
pub struct LogFactScanner {
    patterns: Vec<LogFactPattern>,
    found: BTreeMap<String, String>,
    line: Vec<u8>,
}

impl LogFactScanner {
    /// A scanner for `patterns`.
    pub fn new(patterns: Vec<LogFactPattern>) -> Self {
        Self { patterns, found: BTreeMap::new(), line: Vec::new() }
    }

    fn done(&self) -> bool {
        self.found.len() == self.patterns.len()
    }

    /// The next bytes of the log.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !self.done() && !bytes.is_empty() {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    self.push(&bytes[..end]);
                    self.end_line();
                    bytes = &bytes[end + 1..];
                }
                None => {
                    self.push(bytes);
                    return;
                }
            }
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.line.len());
        self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_line(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let text = text.trim_end_matches('\r');
        let text = TIMESTAMP.find(text).map_or(text, |m| &text[m.end()..]);
        for p in &self.patterns {
            if self.found.contains_key(&p.name) {
                continue;
            }
            let value = p.regex.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str().trim()).filter(|v| !v.is_empty());
            if let Some(v) = value {
                self.found.insert(p.name.clone(), v.chars().take(MAX_FACT_CHARS).collect());
            }
        }
        self.line.clear();
    }

    /// The values found (name → value), the last line included.
    pub fn finish(mut self) -> BTreeMap<String, String> {
        if !self.line.is_empty() && !self.done() {
            self.end_line();
        }
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_match_of_each_pattern_across_chunk_boundaries() {
        let aiter = LogFactPattern::new("AITER commit", r"\[CI-AITER-CHECK\].*\b([0-9a-f]{7,40})\b").unwrap();
        let node = LogFactPattern::new("runner", r"^Runner name: '([^']+)'").unwrap();
        let mut s = LogFactScanner::new(vec![aiter, node]);
        let log = "2026-01-01T03:00:00.0000000Z Runner name: 'mi325-7'\n\
                   2026-01-01T03:00:01.0000000Z [CI-AITER-CHECK] AITER commit: 9f3c2a1e5b7d\n\
                   [CI-AITER-CHECK] AITER commit: 0000000\n";
        for chunk in log.as_bytes().chunks(7) {
            s.feed(chunk);
        }
        let found = s.finish();
        assert_eq!(found.get("AITER commit").map(String::as_str), Some("9f3c2a1e5b7d"));
        assert_eq!(found.get("runner").map(String::as_str), Some("mi325-7"));
    }

    #[test]
    fn a_pattern_needs_one_group_and_a_name() {
        assert!(LogFactPattern::new("x", "no group").unwrap_err().contains("exactly one capture group"));
        assert!(LogFactPattern::new("x", "(a)(b)").is_err());
        assert!(LogFactPattern::new(" ", "(a)").is_err());
        assert!(LogFactPattern::new("x", "(").unwrap_err().contains("invalid pattern"));
        let mut s = LogFactScanner::new(vec![LogFactPattern::new("x", "v=(\\w+)").unwrap()]);
        s.feed(b"no newline at the end v=42");
        assert_eq!(s.finish().get("x").map(String::as_str), Some("42"));
    }
}
