//! `ci-bot demo --llm fake` as a process shows issue #16's cost claims:
//! the job prompts stay under a twentieth of what the old bot's API mode
//! would have sent for the same jobs, and today's tick once more (nothing
//! new) makes no LLM call.

#![cfg(feature = "demo")]

use std::process::Command;

#[test]
fn the_demo_with_the_fake_model_costs_a_twentieth_and_nothing_on_a_quiet_tick() {
    let out = std::env::temp_dir().join(format!("ci-bot-demo-llm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(env!("CARGO_BIN_EXE_ci-bot")).args(["demo", "--llm", "fake", "--out"]).arg(&out).output().expect("ci-bot demo starts");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));

    let ticks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("tick ")).collect();
    assert_eq!(ticks.len(), 5, "four days and today once more: {stdout}");
    assert!(ticks[4].contains(", 0 newly analysed,") && ticks[4].contains(", 0 LLM call(s),"), "{}", ticks[4]);

    let cost = stdout.lines().find(|l| l.starts_with("the old bot's API mode, same ")).unwrap_or_else(|| panic!("no cost line: {stdout}"));
    let ratio: f64 = cost
        .split("these job prompts 1/")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no ratio in {cost}"));
    assert!(ratio >= 20.0, "job prompts cost 1/{ratio} of the old API mode: {cost}");
    let _ = std::fs::remove_dir_all(&out);
}
