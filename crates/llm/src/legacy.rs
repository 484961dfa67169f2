//! What the old bot's API mode sent for one failed job, to measure our
//! prompts against (issue 16: at most 1/20 of its tokens on the demo).
//!
//! The old per-job prompt was the `focused-job-analysis` template filled
//! with the error previews and the whole raw job log; above 150,000 chars
//! the log went through a keyword prefilter (seed spec §4.16). We count only
//! the log part: leaving out the template and the previews makes the old
//! bot look cheaper than it was, so the ratio we report is conservative.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;

use crate::tokens;

/// The old bot's log limit per job, in chars.
pub const OLD_LOG_LIMIT: usize = 150_000;

fn keywords() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"(?i)ERROR|FAIL|Exception|Traceback|assert.*(?:error|fail)|exit code [1-9]|TIMEOUT|\bOOM\b|out of memory|killed|segmentation fault|segfault|FATAL|panic|cannot find|No such file|Permission denied|ModuleNotFoundError|ImportError|RuntimeError|ConnectionError|FileNotFoundError",
        )
        .unwrap()
    })
}

/// The log as the old bot put it into the prompt.
pub fn old_filtered_log(log: &str) -> String {
    if log.chars().count() <= OLD_LOG_LIMIT {
        return log.to_string();
    }
    let lines: Vec<&str> = log.lines().collect();
    let n = lines.len();
    let mut keep: BTreeSet<usize> = (0..n.min(100)).chain(n.saturating_sub(200)..n).collect();
    for (i, l) in lines.iter().enumerate() {
        if keywords().is_match(l) {
            keep.extend(i.saturating_sub(30)..(i + 11).min(n));
        }
    }
    let mut out = String::new();
    let mut prev: Option<usize> = None;
    for &i in &keep {
        let gap = match prev {
            None => i,
            Some(p) => i - p - 1,
        };
        if gap > 0 {
            out.push_str(&format!("... [{gap} lines omitted] ...\n"));
        }
        out.push_str(lines[i]);
        out.push('\n');
        prev = Some(i);
    }
    if let Some(p) = prev {
        if p + 1 < n {
            out.push_str(&format!("... [{} lines omitted] ...\n", n - p - 1));
        }
    }
    if out.chars().count() > OLD_LOG_LIMIT {
        let quarter = OLD_LOG_LIMIT / 4;
        let tail_len = OLD_LOG_LIMIT - quarter - 100;
        let chars: Vec<char> = out.chars().collect();
        let head: String = chars[..quarter].iter().collect();
        let tail: String = chars[chars.len() - tail_len..].iter().collect();
        out = format!("{head}\n... [FINAL TRUNCATION — log extremely large] ...\n{tail}");
    }
    out
}

/// Estimated tokens of the log part of the old bot's per-job prompt.
pub fn old_job_prompt_tokens(log: &str) -> u64 {
    tokens::estimate(&old_filtered_log(log))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_logs_go_whole_big_ones_are_filtered_and_capped() {
        assert_eq!(old_filtered_log("a\nb"), "a\nb");
        let mut big = String::new();
        for i in 0..20_000 {
            big.push_str(&format!("line {i} some ordinary build output here\n"));
        }
        big.push_str("RuntimeError: boom\n");
        for i in 0..20_000 {
            big.push_str(&format!("after {i} more ordinary output\n"));
        }
        let f = old_filtered_log(&big);
        assert!(f.contains("RuntimeError: boom"));
        assert!(f.contains("lines omitted"));
        assert!(f.chars().count() <= OLD_LOG_LIMIT);
        let huge = "FAILED x\n".repeat(40_000);
        let f = old_filtered_log(&huge);
        assert!(f.contains("FINAL TRUNCATION"));
        assert!(f.chars().count() <= OLD_LOG_LIMIT);
    }
}
