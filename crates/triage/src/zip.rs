//! GitHub run-log zips: one text file per job (and, inside a folder per
//! job, one per step). Each job log is analysed on its own.

use crate::{analyze, Analysis, RuleSet};
use std::io::{Read, Seek};

/// Entries beyond this are ignored (a run has at most 256 jobs; this bounds
/// work on hostile archives).
const MAX_ENTRIES: usize = 2000;

#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("not a readable zip archive: {0}")]
    Archive(#[from] ::zip::result::ZipError),
}

/// True when `head` starts like a zip archive.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Analyse every job log in a run-log zip, in archive order.
///
/// GitHub serves `N_jobname.txt` at the top level (the whole job) plus a
/// folder per job with one file per step. When top-level `.txt` files exist
/// only they are analysed (the step files repeat them); otherwise every
/// `.txt` file is. An entry that fails to decompress midway still yields an
/// analysis of what was read.
pub fn analyze_zip<R: Read + Seek>(reader: R, rules: &RuleSet) -> Result<Vec<(String, Analysis)>, ZipError> {
    let mut archive = ::zip::ZipArchive::new(reader)?;
    let n = archive.len().min(MAX_ENTRIES);
    let mut names = Vec::new();
    for i in 0..n {
        let f = archive.by_index(i)?;
        if f.is_file() {
            names.push((i, String::from_utf8_lossy(f.name_raw()).into_owned()));
        }
    }
    let top: Vec<&(usize, String)> = names.iter().filter(|(_, n)| !n.contains('/') && n.ends_with(".txt")).collect();
    let chosen: Vec<(usize, String)> = if top.is_empty() {
        names.iter().filter(|(_, n)| n.ends_with(".txt")).cloned().collect()
    } else {
        top.into_iter().cloned().collect()
    };
    let mut out = Vec::new();
    for (i, name) in chosen {
        let f = archive.by_index(i)?;
        out.push((name, analyze(f, rules)));
    }
    Ok(out)
}
