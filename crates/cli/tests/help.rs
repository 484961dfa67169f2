//! Each action subcommand's `--help` lists the flags its action reads, not
//! the union of every action's inputs.

use std::process::Command;

fn help(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ci-bot")).args([sub, "--help"]).output().unwrap();
    assert!(out.status.success(), "{sub} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_action_help_shows_only_its_own_flags() {
    let daily = help("ensure-daily-issue");
    for own in ["--workflows", "--date", "--repo", "--dry-run"] {
        assert!(daily.contains(own), "ensure-daily-issue lacks {own}:\n{daily}");
    }
    for other in ["--url", "--pr", "--focus", "--event-path", "--lookback-hours"] {
        assert!(!daily.contains(other), "ensure-daily-issue shows {other}:\n{daily}");
    }
    let url = help("analyze-url");
    assert!(url.contains("--url") && url.contains("--output") && !url.contains("--workflows"), "{url}");
    let status = help("ci-status");
    assert!(status.contains("--pr") && status.contains("--event-path") && !status.contains("--date"), "{status}");
}

#[test]
fn a_hidden_flag_still_parses() {
    // Hidden from help, not removed: a workflow passing an extra input keeps working.
    let out = Command::new(env!("CARGO_BIN_EXE_ci-bot"))
        .args(["ensure-daily-issue", "--url", "x", "--repo", "not a repo", "--dry-run"])
        .env_clear()
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("unexpected argument"), "{err}");
}
