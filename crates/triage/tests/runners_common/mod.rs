//! Feeds a log to the runner parsers the way the engine does: each line
//! cleaned by `ci_triage::clean::clean_line`, handed to a parser only when it
//! contains one of the parser's triggers or while the parser asks for every
//! line. Kept independent of the engine so parser tests do not depend on
//! rule or ranking changes.

#![allow(dead_code)]

use ci_triage::runners::{all_parsers, hits_of, Line, RunnerReport};

pub fn run_parsers(log: &[u8]) -> RunnerReport {
    let mut parsers = all_parsers();
    let triggers: Vec<&'static [&'static str]> = parsers.iter().map(|p| p.triggers()).collect();
    let mut text = String::new();
    for (i, raw) in log.split(|&b| b == b'\n').enumerate() {
        ci_triage::clean::clean_line(raw, &mut text);
        for (p, parser) in parsers.iter_mut().enumerate() {
            let hits = hits_of(triggers[p], &text);
            if parser.wants_every_line() || hits != 0 {
                parser.feed(Line { no: (i + 1) as u32, text: &text, hits });
            }
        }
    }
    let mut out = RunnerReport::default();
    for p in parsers.iter_mut() {
        p.finish(&mut out);
    }
    out
}

/// Fixture files start with `# source: ...` comment lines citing the
/// dataset file they were cut from; those lines are blanked (not removed)
/// so line numbers stay those of the fixture file.
pub fn load_fixture(path: &std::path::Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::with_capacity(raw.len());
    let mut header = true;
    for (i, l) in raw.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if header && l.starts_with(b"# ") {
            continue;
        }
        header = false;
        out.extend_from_slice(l);
    }
    out
}
