//! `ci-bot demo` as a process also replays the pull requests of
//! `scenarios/demo/prs.yaml` through `ci-status`: one of each verdict and
//! one whose CI did not finish, each comment written beside the daily
//! reports and listed in the index.

#![cfg(feature = "demo")]

use std::process::Command;

#[test]
fn the_demo_replays_one_pull_request_per_verdict_and_writes_their_comments() {
    let out = std::env::temp_dir().join(format!("ci-bot-demo-prs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(env!("CARGO_BIN_EXE_ci-bot"))
        .args(["demo", "--days", "1", "--out"])
        .arg(&out)
        .output()
        .expect("ci-bot demo starts");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("pull requests replayed through ci-status (6)"), "{stdout}");

    let mut bodies = Vec::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("-pr-") && name.ends_with("-ci-status.md") {
            bodies.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    bodies.sort();
    assert_eq!(bodies.len(), 6, "{:?}", bodies.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for (name, body) in &bodies {
        assert!(body.contains("<!-- ci-bot:ci-status v="), "{name} is a ci-status comment");
    }
    let all: String = bodies.iter().map(|(_, b)| b.as_str()).collect();
    for verdict in ["NEW", "BROKEN ON BASE", "INFRA", "FLAKY", "UNCLASSIFIED"] {
        assert!(all.contains(verdict), "no pull request shows {verdict}");
    }
    assert!(all.contains("Not tested"), "the incomplete one lists what CI did not test");
    let index = std::fs::read_to_string(out.join("README.md")).unwrap();
    for (name, _) in &bodies {
        assert!(index.contains(name.as_str()), "README.md links {name}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
