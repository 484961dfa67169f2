//! Runs the runner parsers over the labelled `bugswarm_analyzer` logs and
//! writes one `ci-triage/v1`-shaped JSON object per log, so the shared
//! scorer's test metrics can be computed without the rest of the engine:
//!
//! ```sh
//! CI_TRIAGE_DATASETS=/work/shared/datasets RUNNERS_EVAL_OUT=/tmp/runners_eval.json \
//!     cargo test -p ci-triage --release --test runners_dataset -- --ignored
//! ```
//!
//! Ignored by default: it needs the dataset, which is not in the repo.

mod runners_common;

use std::io::BufRead;

#[test]
#[ignore = "needs CI_TRIAGE_DATASETS (the shared labelled logs)"]
fn dump_runner_reports_for_scoring() {
    let root = std::path::PathBuf::from(std::env::var("CI_TRIAGE_DATASETS").expect("CI_TRIAGE_DATASETS"));
    let out_path = std::env::var("RUNNERS_EVAL_OUT").unwrap_or_else(|_| "/tmp/runners_eval.json".into());
    let labels = std::fs::File::open(root.join("labels.jsonl")).expect("labels.jsonl");
    let mut all = serde_json::Map::new();
    for l in std::io::BufReader::new(labels).lines() {
        let l = l.expect("line");
        let row: serde_json::Value = serde_json::from_str(&l).expect("json");
        // `RUNNERS_EVAL_ALL=1`: every labelled log, to eyeball precision
        // on logs whose labels do not name tests.
        if row["dataset"] != "bugswarm_analyzer" && std::env::var_os("RUNNERS_EVAL_ALL").is_none() {
            continue;
        }
        let log = row["log"].as_str().expect("log");
        let bytes = std::fs::read(root.join(log)).expect("read log");
        let r = runners_common::run_parsers(&bytes);
        let failures: Vec<serde_json::Value> = r
            .failures
            .iter()
            .map(|f| {
                serde_json::json!({
                    "test": {"id": f.id, "file": f.file, "name": f.name},
                    "message": f.message, "line": f.line, "framework": f.framework,
                })
            })
            .collect();
        let counts = r.counts.as_ref().map(|c| serde_json::json!({"run": c.run, "passed": c.passed, "failed": c.failed, "skipped": c.skipped}));
        all.insert(
            log.to_string(),
            serde_json::json!({"schema": "ci-triage/v1", "failures": failures, "counts": counts, "key_lines": r.summary_lines}),
        );
    }
    std::fs::write(&out_path, serde_json::to_vec_pretty(&all).expect("json")).expect("write");
}
