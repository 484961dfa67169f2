//! Long, noisy Travis logs (`eval/realtools/noise`): windows of real tool
//! output, trimmed, with the line to read first marked `>> `. Travis runs
//! each command between `travis_time:start:<id>` (+ the `$ command` echo)
//! and `travis_time:end:<id>` (+ `The command "…" exited with N.` for a
//! script command that failed): the commands are steps, and a connection
//! error printed by a download that was retried and then succeeded in an
//! install command is noise beside the failing command's own output.

use ci_triage::{analyze, Analysis, RuleSet};

/// The log of `lines` (the marked one without its marker) and the marked
/// line's number.
fn window(lines: &[&str]) -> (Vec<u8>, u32) {
    let mut log = Vec::new();
    let mut want = 0;
    for (i, l) in lines.iter().enumerate() {
        let l = match l.strip_prefix(">> ") {
            Some(rest) => {
                want = i as u32 + 1;
                rest
            }
            None => l,
        };
        log.extend_from_slice(l.as_bytes());
        log.push(b'\n');
    }
    assert!(want > 0, "no line marked");
    (log, want)
}

fn run(lines: &[&str]) -> (Analysis, u32) {
    let (log, want) = window(lines);
    (analyze(&log[..], &RuleSet::builtin()), want)
}

/// rspec in a Travis script command after an install command whose first
/// download attempt was refused (nothing listened yet) and whose retry
/// passed (realtools/noise rb-rspec-fail).
const TRAVIS_RSPEC_AFTER_RETRIED_DOWNLOAD: &[&str] = &[
        "travis_fold:start:install.3\r\x1b[0Ktravis_time:start:015d3e49\r\x1b[0K$ mkdir -p /tmp/fx-$$ && echo '{\"fixtures\": 42}' > /tmp/fx-$$/fixtures.json",
        "for attempt in 1 2 3; do",
        "  echo \"fetching fixtures (attempt $attempt)\"",
        "  if curl -fsS --max-time 5 -o fixtures.json http://127.0.0.1:8931/fixtures.json; then echo \"fixtures ok\"; break; fi",
        "  echo \"download failed, retrying in 1s\"",
        "  if [ $attempt = 1 ]; then python3 -m http.server 8931 --bind 127.0.0.1 --directory /tmp/fx-$$ >/dev/null 2>&1 & srv=$!; fi",
        "  sleep 1",
        "done",
        "kill $srv",
        "test -s fixtures.json",
        "fetching fixtures (attempt 1)",
        "curl: (7) Failed to connect to 127.0.0.1 port 8931 after 0 ms: Couldn't connect to server",
        "download failed, retrying in 1s",
        "fetching fixtures (attempt 2)",
        "fixtures ok",
        "travis_time:end:015d3e49:start=1796370381000000000,finish=1796370384000000000,duration=3000000000,event=install\r\x1b[0K",
        "travis_fold:end:install.3\r\x1b[0K",
        "travis_time:start:22a87678\r\x1b[0K$ rspec --format documentation",
        "",
        "Ledger",
        "  batch 0",
        "    raises Ledger::ParseError on an empty line (case 0)",
        "    handles errors in the memo (case 1)",
        "    does not fail on unicode memos (case 2)",
        "    reports an error count of zero (case 3)",
        "    rescues Exception from a bad amount (case 4)",
        "    reports an error count of zero (case 157)",
        "    rescues Exception from a bad amount (case 158)",
        "    parses amount 159 (case 159)",
        "    totals rows without failure (case 160)",
        "    raises Ledger::ParseError on an empty line (case 161)",
        "    handles errors in the memo (case 162)",
        "    does not fail on unicode memos (case 163)",
        "    reports an error count of zero (case 164)",
        "    rescues Exception from a bad amount (case 165)",
        "    parses amount 166 (case 166)",
        "    totals rows without failure (case 167)",
        "",
        "Failures:",
        "",
        ">>   1) Ledger batch 10 parses amount 145 (case 145)",
        "     Failure/Error: expect(Ledger.total([Ledger.parse('2024-01-01,10,a'), Ledger.parse('2024-01-02,5,b')])).to eq(16)",
        "",
        "       expected: 16",
        "            got: 15",
        "",
        "       (compared using ==)",
        "     # ./spec/ledger_10_spec.rb:26:in `block (3 levels) in <top (required)>'",
        "",
        "Finished in 0.14189 seconds (files took 0.50709 seconds to load)",
        "168 examples, 1 failure",
        "",
        "Failed examples:",
        "",
        "rspec ./spec/ledger_10_spec.rb:25 # Ledger batch 10 parses amount 145 (case 145)",
        "",
        "travis_time:end:22a87678:start=1796370385000000000,finish=1796370388000000000,duration=3000000000,event=script\r\x1b[0K\x1b[31;1mThe command \"rspec --format documentation\" exited with 1.\x1b[0m",
        "",
        "travis_fold:start:cache.2\r\x1b[0Kstore build cache",
        "travis_time:start:341dcd50\r\x1b[0K",
        "travis_time:end:341dcd50:start=1796284900000000000,finish=1796284900020000000,duration=20000000,event=cache\r\x1b[0K",
        "travis_time:start:41dcd502\r\x1b[0Kchange detected (content changed, file is created, or file is deleted):",
        "/home/travis/.cache/ruby/index",
        "/home/travis/.cache/ruby/objects/pack/pack-1f2e3d.idx",
        "",
        "changes detected, packing new archive",
        "uploading main/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--ruby.tgz",
        "cache uploaded",
        "travis_time:end:41dcd502:start=1796284900030000000,finish=1796284904530000000,duration=4500000000,event=cache\r\x1b[0K",
        "travis_fold:end:cache.2\r\x1b[0K",
        "",
        "Done. Your build exited with 1.",
];

/// bats (TAP) in a Travis script command after the same retried download
/// (realtools/noise sh-bats-fail).
const TRAVIS_BATS_AFTER_RETRIED_DOWNLOAD: &[&str] = &[
        "travis_fold:start:install.3\r\x1b[0Ktravis_time:start:ca091c1e\r\x1b[0K$ mkdir -p /tmp/fx-$$ && echo '{\"fixtures\": 42}' > /tmp/fx-$$/fixtures.json",
        "for attempt in 1 2 3; do",
        "  echo \"fetching fixtures (attempt $attempt)\"",
        "  if curl -fsS --max-time 5 -o fixtures.json http://127.0.0.1:8931/fixtures.json; then echo \"fixtures ok\"; break; fi",
        "  echo \"download failed, retrying in 1s\"",
        "  if [ $attempt = 1 ]; then python3 -m http.server 8931 --bind 127.0.0.1 --directory /tmp/fx-$$ >/dev/null 2>&1 & srv=$!; fi",
        "  sleep 1",
        "done",
        "kill $srv",
        "test -s fixtures.json",
        "fetching fixtures (attempt 1)",
        "curl: (7) Failed to connect to 127.0.0.1 port 8931 after 0 ms: Couldn't connect to server",
        "download failed, retrying in 1s",
        "fetching fixtures (attempt 2)",
        "fixtures ok",
        "travis_time:end:ca091c1e:start=1796334479000000000,finish=1796334482000000000,duration=3000000000,event=install\r\x1b[0K",
        "travis_fold:end:install.3\r\x1b[0K",
        "travis_time:start:5f983d40\r\x1b[0K$ bats --tap test",
        "1..240",
        "ok 1 error handling 0",
        "ok 2 fails on empty input 1",
        "ok 3 raises error on bad input 2",
        "ok 4 exception is rethrown 3",
        "ok 5 failure count is zero 4",
        "ok 6 error message format 5",
        "ok 7 no errors when valid 6",
        "ok 225 timeout is respected 224",
        "ok 226 retry after failure 225",
        "ok 227 panic free parse 226",
        "ok 228 aborts on missing file 227",
        "ok 229 error handling 228",
        "ok 230 fails on empty input 229",
        "ok 231 raises error on bad input 230",
        "ok 232 exception is rethrown 231",
        ">> not ok 233 failure count is zero 232",
        "# (in test file test/release.bats, line 1399)",
        "#   `[ \"$output\" = \"1.10.0\" ]' failed",
        "ok 234 error message format 233",
        "ok 235 no errors when valid 234",
        "ok 236 fatal flag parsing 235",
        "ok 237 timeout is respected 236",
        "ok 238 retry after failure 237",
        "ok 239 panic free parse 238",
        "ok 240 aborts on missing file 239",
        "travis_time:end:5f983d40:start=1796334483000000000,finish=1796334486000000000,duration=3000000000,event=script\r\x1b[0K\x1b[31;1mThe command \"bats --tap test\" exited with 1.\x1b[0m",
        "",
        "travis_fold:start:cache.2\r\x1b[0Kstore build cache",
        "travis_time:start:2028852f\r\x1b[0K",
        "travis_time:end:2028852f:start=1796284900000000000,finish=1796284900020000000,duration=20000000,event=cache\r\x1b[0K",
        "travis_time:start:028852fa\r\x1b[0Kchange detected (content changed, file is created, or file is deleted):",
        "/home/travis/.cache/shell/index",
        "/home/travis/.cache/shell/objects/pack/pack-1f2e3d.idx",
        "",
        "changes detected, packing new archive",
        "uploading main/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--shell.tgz",
        "cache uploaded",
        "travis_time:end:028852fa:start=1796284900030000000,finish=1796284904530000000,duration=4500000000,event=cache\r\x1b[0K",
        "travis_fold:end:cache.2\r\x1b[0K",
        "",
        "Done. Your build exited with 1.",
];

#[test]
fn a_retried_download_in_a_passing_travis_command_ranks_under_the_failing_test() {
    for lines in [TRAVIS_RSPEC_AFTER_RETRIED_DOWNLOAD, TRAVIS_BATS_AFTER_RETRIED_DOWNLOAD] {
        let (a, want) = run(lines);
        assert_eq!(a.key_lines.first(), Some(&want), "key lines {:?}", &a.key_lines[..a.key_lines.len().min(5)]);
        assert_eq!(a.verdict.category.as_str(), "test_failure");
    }
}

#[test]
fn travis_commands_are_steps_and_the_failing_one_is_named() {
    let (a, _) = run(TRAVIS_RSPEC_AFTER_RETRIED_DOWNLOAD);
    assert_eq!(a.failing_step.as_deref(), Some("$ rspec --format documentation"));
    let (a, _) = run(TRAVIS_BATS_AFTER_RETRIED_DOWNLOAD);
    assert_eq!(a.failing_step.as_deref(), Some("$ bats --tap test"));
    // The install command that printed the refused connection passed.
    let install = a.steps.iter().find(|s| s.name.starts_with("$ mkdir -p /tmp/fx-")).expect("the install command is a step");
    assert!(!install.failed);
}

#[test]
fn a_travis_command_that_exited_with_0_is_not_the_failing_step() {
    let lines: &[&str] = &[
        "travis_time:start:0a1b2c3d\r\x1b[0K$ ./scripts/fetch-fixtures.sh",
        "curl: (7) Failed to connect to 127.0.0.1 port 8931 after 0 ms: Couldn't connect to server",
        "download failed, retrying in 1s",
        "fixtures ok",
        "travis_time:end:0a1b2c3d:start=1,finish=2,duration=1,event=script\r\x1b[0K\x1b[32;1mThe command \"./scripts/fetch-fixtures.sh\" exited with 0.\x1b[0m",
        "travis_time:start:1b2c3d4e\r\x1b[0K$ make check",
        "./build/test_main",
        "PASS: test_error_handling_0",
        ">> test_main: tests/test_main.c:345: test_checksum: Assertion `sum == 0x1f' failed.",
        "make: *** [Makefile:19: check] Aborted (core dumped)",
        "travis_time:end:1b2c3d4e:start=2,finish=3,duration=1,event=script\r\x1b[0K\x1b[31;1mThe command \"make check\" exited with 2.\x1b[0m",
        "",
        "Done. Your build exited with 1.",
    ];
    let (a, want) = run(lines);
    assert_eq!(a.failing_step.as_deref(), Some("$ make check"));
    assert_eq!(a.key_lines.first(), Some(&want), "key lines {:?}", a.key_lines);
}

/// Whole logs of `eval/realtools/noise` where a download refused by the
/// job's own machine, retried and then passed in a Travis install command
/// came before the failing command: (case, the labelled lines). A refused
/// local connection is a strong rule (`local-connection-refused`, 81):
/// only the retry announced after it, in a command that passed, says it is
/// not what failed.
const RETRIED_DOWNLOAD_CASES: &[(&str, std::ops::RangeInclusive<u32>)] = &[("php-phpunit-fail", 1054..=1056), ("pl-die", 453..=453)];

#[test]
fn a_download_retried_in_a_step_that_passed_is_not_what_failed() {
    let rules = RuleSet::builtin();
    for (id, want) in RETRIED_DOWNLOAD_CASES {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/realtools/noise/cases").join(format!("{id}.log"));
        let got = analyze(&std::fs::read(path).expect("case log")[..], &rules).key_lines.first().copied();
        assert!(got.is_some_and(|l| want.contains(&l)), "{id}: {got:?}, want {want:?}");
    }
}
