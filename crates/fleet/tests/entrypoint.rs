//! The runner entrypoint the README documents (`examples/runner/entrypoint.sh`)
//! keeps its side of the fleet's contract: `receive-token` stores the token
//! 0600; the first start configures with it (never in argv), deletes it and
//! runs; a restart runs without a token; no token at all is a clear failure.
//! GitHub's `config.sh`/`run.sh` are stubs that record what they were given.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/runner/entrypoint.sh")
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("entrypoint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("secrets")).unwrap();
    std::fs::create_dir_all(d.join("home")).unwrap();
    for (stub, body) in [
        ("config.sh", "#!/bin/sh\nprintf '%s\\n' \"$@\" > args.txt\nprintf '%s' \"${ACTIONS_RUNNER_INPUT_TOKEN:-}\" > token-seen.txt\ntouch .runner\n"),
        ("run.sh", "#!/bin/sh\nenv > run-env.txt\necho Listening for Jobs\n"),
    ] {
        let p = d.join("home").join(stub);
        std::fs::write(&p, body).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    d
}

fn entrypoint(dir: &Path, args: &[&str], stdin: &str, wait_secs: &str) -> Output {
    let mut child = Command::new("sh")
        .arg(script())
        .args(args)
        .env("CI_BOT_RUNNER_TOKEN_FILE", dir.join("secrets/registration-token"))
        .env("CI_BOT_RUNNER_TOKEN_WAIT_SECS", wait_secs)
        .env("RUNNER_HOME", dir.join("home"))
        .env("CI_BOT_RUNNER_URL", "https://github.com/acme/bot")
        .env("CI_BOT_RUNNER_NAME", "ci-bot-runner-1-abc123")
        .env("CI_BOT_RUNNER_LABELS", "ci-bot,gpu")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_documented_entrypoint_keeps_the_fleets_contract() {
    if Command::new("sh").arg("-c").arg("true").status().is_err() {
        eprintln!("SKIP: no sh");
        return;
    }
    let d = scratch("contract");
    let token_file = d.join("secrets/registration-token");

    let got = entrypoint(&d, &["receive-token"], "AARTOKEN123\n", "5");
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    assert_eq!(read(token_file.clone()), "AARTOKEN123");
    assert_eq!(std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777, 0o600);

    let first = entrypoint(&d, &[], "", "5");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(read(d.join("home/token-seen.txt")), "AARTOKEN123", "config.sh got the token");
    let args = read(d.join("home/args.txt"));
    assert!(!args.contains("AARTOKEN123"), "the token is not in argv: {args}");
    assert!(args.contains("--replace") && args.contains("ci-bot-runner-1-abc123") && args.contains("ci-bot,gpu"), "{args}");
    assert!(!token_file.exists(), "used once, then deleted");
    assert!(!read(d.join("home/run-env.txt")).contains("AARTOKEN123"), "run.sh (and every job) never sees it");
    let all: String = [&first.stdout[..], &first.stderr[..]].concat().iter().map(|&b| b as char).collect();
    assert!(!all.contains("AARTOKEN123"), "not in the log");

    // A restart of the same container: configured already, no token needed.
    std::fs::remove_file(d.join("home/run-env.txt")).unwrap();
    let again = entrypoint(&d, &[], "", "1");
    assert!(again.status.success());
    assert!(d.join("home/run-env.txt").exists());

    // A fresh container that never gets a token: a clear failure, not a hang.
    let d2 = scratch("no-token");
    let starved = entrypoint(&d2, &[], "", "1");
    assert!(!starved.status.success());
    assert!(String::from_utf8_lossy(&starved.stderr).contains("no registration token"));
    let empty = entrypoint(&d2, &["receive-token"], "\n", "1");
    assert!(!empty.status.success(), "an empty token is refused");
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&d2);
}
