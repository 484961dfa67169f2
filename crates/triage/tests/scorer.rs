//! End to end: the shared scorer runs our binary on a few real dataset logs
//! and must get every one of them right at loc@5 with no errors.
//!
//! Needs `../shared` next to the repository (the development machine's
//! datasets and `score.py`) and `python3`; a user's clone has neither, so the
//! test prints a notice and passes without checking anything.

use std::path::PathBuf;
use std::process::Command;

/// A few logs of different CI systems and formats (ids from labels.jsonl).
const IDS: &[&str] = &[
    "commander.js__pair_2",          // GHA npm ci failure
    "ColossalAI__pair_4",            // GHA pytest + CUDA OOM
    "breakages__google_auto_693",    // GHA maven javac error
    "breakages__cidiff_75",          // GHA gradle checkstyle
    "564632044",                     // Travis cargo + SSL error
];

#[test]
fn scorer_runs_our_binary_on_dataset_logs() {
    // `CI_TRIAGE_SHARED` overrides the location (e.g. a copy of the repo elsewhere).
    let shared = std::env::var_os("CI_TRIAGE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let score = shared.join("eval/score.py");
    let labels = shared.join("datasets/labels.jsonl");
    if !score.exists() || !labels.exists() {
        eprintln!("NOTICE: {} not found; skipping the end-to-end scorer test", shared.display());
        return;
    }
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("NOTICE: python3 not found; skipping the end-to-end scorer test");
        return;
    }
    let rows: Vec<String> = std::fs::read_to_string(&labels)
        .unwrap()
        .lines()
        .filter(|l| IDS.iter().any(|id| l.contains(&format!("\"id\": \"{id}\""))))
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), IDS.len(), "dataset ids moved");
    let dir = std::env::temp_dir().join(format!("ci-triage-scorer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let subset = dir.join("labels.jsonl");
    std::fs::write(&subset, rows.join("\n") + "\n").unwrap();
    let out_json = dir.join("score.json");
    let cmd = format!("{} analyze-log --format json {{log}}", env!("CARGO_BIN_EXE_ci-triage"));
    let out = Command::new("python3")
        .arg(&score)
        .arg("--labels")
        .arg(&subset)
        .arg("--root")
        .arg(shared.join("datasets"))
        .arg("--cmd")
        .arg(&cmd)
        .arg("--json")
        .arg(&out_json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "score.py failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    println!("{stdout}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(v["summary"]["errors"], 0, "{stdout}");
    assert_eq!(v["summary"]["loc_hit5"], 1.0, "{stdout}");
}
