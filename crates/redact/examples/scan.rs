//! Runs the built-in redactor over every `*.log` under a directory and
//! reports what it would replace, by kind, with each finding in context
//! (the secret itself shortened), so false positives can be reviewed.
//!
//! ```sh
//! cargo run --release -p ci-redact --example scan -- ../shared/datasets [--all]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn logs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            logs(&p, out);
        } else if p.extension().is_some_and(|e| e == "log") {
            out.push(p);
        }
    }
}

/// The first and last 4 characters of a finding, so the report does not
/// reprint a secret.
fn shorten(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 12 {
        return "…".repeat(chars.len().min(3));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}({})", chars.len())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets"));
    let show_all = args.iter().any(|a| a == "--all");
    let mut files = Vec::new();
    logs(&root, &mut files);
    let redactor = ci_redact::Redactor::new();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut bytes = 0usize;
    let mut samples: Vec<String> = Vec::new();
    let start = std::time::Instant::now();
    for f in &files {
        let Ok(raw) = std::fs::read(f) else { continue };
        bytes += raw.len();
        let text = String::from_utf8_lossy(&raw);
        let found = redactor.find(&text);
        let mut kinds_here: BTreeMap<String, usize> = BTreeMap::new();
        for hit in &found {
            *kinds_here.entry(hit.kind.to_string()).or_default() += 1;
            let ls = text[..hit.start].rfind('\n').map_or(0, |i| i + 1);
            let le = text[hit.end..]
                .find('\n')
                .map_or(text.len(), |i| hit.end + i);
            let before: String = text[ls..hit.start]
                .chars()
                .rev()
                .take(60)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let after: String = text[hit.end..le].chars().take(40).collect();
            samples.push(format!(
                "{:<18} {}:{}  {}[[{}]]{}",
                hit.kind,
                f.strip_prefix(&root).unwrap_or(f).display(),
                text[..hit.start].matches('\n').count() + 1,
                before,
                shorten(&text[hit.start..hit.end]),
                after
            ));
        }
        for (k, n) in kinds_here {
            let e = by_kind.entry(k).or_default();
            e.0 += n;
            e.1 += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} logs, {:.1} MB, {:.2} s ({:.0} MB/s incl. reading)",
        files.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
    println!("kind               replacements  logs");
    for (k, (n, logs)) in &by_kind {
        println!("{k:<18} {n:>12} {logs:>5}");
    }
    let total: usize = by_kind.values().map(|v| v.0).sum();
    println!("total              {total:>12}");
    samples.sort();
    samples.dedup();
    let shown = if show_all {
        samples.len()
    } else {
        samples.len().min(400)
    };
    for s in &samples[..shown] {
        println!("{s}");
    }
}
