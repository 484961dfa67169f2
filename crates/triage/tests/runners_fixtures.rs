//! Runner parsers against real log windows.
//!
//! Each `tests/fixtures/runners/NAME.log` is a window cut from a log in the
//! shared datasets (its first line cites the file and line ranges) and
//! `NAME.toml` says what the runner itself reported there:
//!
//! ```toml
//! failures = ["method(pkg.Class)"]    # exact ids, in report order
//! [counts]                           # only the fields listed are checked
//! failed = 1
//! ```
//!
//! `RUNNERS_FIXTURE_PRINT=1` prints what the parsers found, to write a new
//! sidecar (check it against the log by eye before committing it).

mod runners_common;

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runners");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_fixture_matches_its_sidecar() {
    let print = std::env::var_os("RUNNERS_FIXTURE_PRINT").is_some();
    let mut failures = Vec::new();
    let all = fixtures();
    assert!(all.len() >= 20, "fixtures missing: {}", all.len());
    for log in all {
        let name = log.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let report = runners_common::run_parsers(&runners_common::load_fixture(&log));
        let ids: Vec<String> = report.failures.iter().map(|f| f.id.clone()).collect();
        if print {
            println!("== {name}\nfailures = {ids:?}\ncounts = {:?}", report.counts);
            for f in &report.failures {
                println!("   {} line {} [{}] {:?}", f.framework, f.line, f.name, f.message);
            }
        }
        let side = log.with_extension("toml");
        let Ok(text) = std::fs::read_to_string(&side) else {
            failures.push(format!("{name}: no sidecar {}", side.display()));
            continue;
        };
        let want: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}.toml: {e}"));
        let want_ids: Vec<String> = want
            .get("failures")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if ids != want_ids {
            failures.push(format!("{name}: failures\n  got  {ids:?}\n  want {want_ids:?}"));
        }
        if let Some(wc) = want.get("counts").and_then(|v| v.as_table()) {
            let got = report.counts.clone().unwrap_or_default();
            for (k, v) in wc {
                let g = match k.as_str() {
                    "run" => got.run,
                    "passed" => got.passed,
                    "failed" => got.failed,
                    "skipped" => got.skipped,
                    other => panic!("{name}.toml: unknown count {other}"),
                };
                if g != v.as_integer().map(|i| i as u64) {
                    failures.push(format!("{name}: counts.{k} got {g:?} want {v}"));
                }
            }
        } else if want.get("no_counts").and_then(|v| v.as_bool()) == Some(true) && report.counts.is_some() {
            failures.push(format!("{name}: expected no counts, got {:?}", report.counts));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
