//! Real log text for the unit tests that hold a fast path to a reference:
//! the crate's fixtures (always there) and `shared/datasets` beside the
//! checkout (on the development machine and in CI; tests that need it say
//! so when it is absent).

use std::path::{Path, PathBuf};

/// Every file under `dir`, sorted by path (none if `dir` is absent).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `shared/datasets` beside the repository.
pub(crate) fn datasets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets")
}

/// The text of every fixture file (invalid UTF-8 replaced).
pub(crate) fn fixture_texts() -> Vec<String> {
    files_under(&fixtures_dir()).iter().filter_map(|p| std::fs::read(p).ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).collect()
}

/// Every line of the fixtures as is, trimmed and indented.
pub(crate) fn fixture_lines() -> Vec<String> {
    fixture_texts().iter().flat_map(|t| t.lines().flat_map(|l| [l.to_string(), l.trim().to_string(), format!("  {l}")]).collect::<Vec<_>>()).collect()
}

/// Every `*.log` under `shared/datasets`, sorted.
pub(crate) fn dataset_logs() -> Vec<PathBuf> {
    files_under(&datasets_dir()).into_iter().filter(|p| p.extension().is_some_and(|x| x == "log")).collect()
}

/// Raw lines of the fixtures, then of `shared/datasets` files in path
/// order up to `max_shared` bytes.
pub(crate) fn real_log_lines(max_shared: usize) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut read = |files: Vec<PathBuf>, mut budget: usize| {
        for path in files {
            if budget == 0 {
                return;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                let bytes = &bytes[..bytes.len().min(budget)];
                budget -= bytes.len();
                lines.extend(bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec));
            }
        }
    };
    read(files_under(&fixtures_dir()), usize::MAX);
    read(files_under(&datasets_dir()), max_shared);
    lines
}
