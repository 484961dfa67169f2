//! The format-independent path (`RuleSet::generic`, `analyze_against`):
//! what it finds in logs no rule knows, the passing-run baseline, and that
//! streaming through 256 KiB buffers changes nothing.

use ci_triage::{analyze, analyze_against, Baseline, RuleSet};

fn key_lines(log: &str, rules: &RuleSet) -> Vec<u32> {
    analyze(log.as_bytes(), rules).key_lines
}

#[test]
fn a_summary_ranks_below_the_lines_it_summarises() {
    // Travis, a language no rule knows: the command's own last lines come
    // before `The command … exited with 1.` and `make: ***`.
    let log = "$ make check\n\
               building\n\
               checking README.md\n\
               README.md:2186: Line longer than 80 characters.\n\
               make: *** [check] Error 1\n\
               The command \"make check\" exited with 2.\n\
               Done. Your build exited with 1.\n";
    for rules in [RuleSet::generic(), RuleSet::builtin()] {
        let k = key_lines(log, &rules);
        assert_eq!(k[0], 4, "{k:?}");
        let pos = |l: u32| k.iter().position(|&x| x == l).unwrap_or(usize::MAX);
        assert!(pos(4) < pos(5) && pos(4) < pos(6), "{k:?}");
    }
}

#[test]
fn the_last_lines_of_the_failing_command_without_any_error_word() {
    // `No Rakefile found` holds no error word: it is found as the line the
    // command printed last before exiting.
    let log = "$ bundle install\n\
               Using rake 12.3.3\n\
               Bundle complete!\n\
               $ rake\n\
               No Rakefile found (looking for: rakefile, Rakefile)\n\
               The command \"rake\" exited with 1.\n";
    assert_eq!(key_lines(log, &RuleSet::generic())[0], 5);
}

#[test]
fn red_text_is_a_signal_even_without_words() {
    let plain = "$ npm test\nsuite one\n  1) renders the page\nsuite two\n";
    let red = "$ npm test\nsuite one\n\x1b[31m  1) renders the page\x1b[0m\nsuite two\n";
    assert!(key_lines(plain, &RuleSet::generic()).is_empty());
    assert_eq!(key_lines(red, &RuleSet::generic()), vec![3]);
}

#[test]
fn words_inside_names_are_not_errors() {
    let log = "Compiling error-chain v0.7.2\nDownloaded quick-error v1.2.2\nerror: failed to load manifest for workspace member `x`\n";
    assert_eq!(key_lines(log, &RuleSet::generic())[0], 3);
}

#[test]
fn lines_the_passing_run_printed_rank_below_new_ones() {
    // The same job, green: its noise differs only in numbers, ids, times
    // and temp paths.
    let pass = "2025-01-02T10:00:00.0000000Z ##[group]Run ./ci.sh\n\
                2025-01-02T10:00:00.0000000Z ##[endgroup]\n\
                2025-01-02T10:00:01.0000000Z ERROR cache: could not reach 10.0.0.7:41230 after 3 tries (1.2s)\n\
                2025-01-02T10:00:02.0000000Z wrote /tmp/tmp8a9sd/report.xml\n\
                2025-01-02T10:00:03.0000000Z all 212 checks passed\n";
    let fail = "2025-01-03T11:00:00.0000000Z ##[group]Run ./ci.sh\n\
                2025-01-03T11:00:00.0000000Z ##[endgroup]\n\
                2025-01-03T11:00:01.0000000Z ERROR cache: could not reach 10.0.0.9:8080 after 3 tries (0.7s)\n\
                2025-01-03T11:00:02.0000000Z wrote /tmp/tmpq1w2e3/report.xml\n\
                2025-01-03T11:00:03.0000000Z ERROR schema: column users.email is missing\n\
                2025-01-03T11:00:03.0000000Z ##[error]Process completed with exit code 1.\n";
    let baseline = Baseline::from_reader(pass.as_bytes());
    assert_eq!(baseline.lines(), 5);
    for rules in [RuleSet::generic(), RuleSet::builtin()] {
        let without = analyze(fail.as_bytes(), &rules);
        let with = analyze_against(fail.as_bytes(), &rules, Some(&baseline));
        // Without a baseline both errors are key lines (the one just
        // before the exit first, since the learned scorer); with it, the
        // line the green run printed too ranks below every new one.
        assert!(without.key_lines.contains(&3) && without.key_lines.contains(&5), "{:?}", without.key_lines);
        assert_eq!(with.key_lines[0], 5, "the green run printed line 3 too");
        let pos = |k: &[u32], l: u32| k.iter().position(|&x| x == l).unwrap_or(usize::MAX);
        assert!(pos(&with.key_lines, 3) >= pos(&without.key_lines, 3), "{:?} {:?}", without.key_lines, with.key_lines);
    }
}

#[test]
fn a_baseline_is_bounded_and_survives_any_bytes() {
    // Twenty megabytes of distinct lines and binary junk: fixed memory, no
    // panic, every line counted.
    let mut pass = Vec::new();
    for i in 0..200_000u32 {
        pass.extend_from_slice(format!("line {i} of the green run {}\n", i.wrapping_mul(2654435761)).as_bytes());
    }
    pass.extend_from_slice(b"\xff\xfe\x00\x1b[31m\r\n");
    pass.extend_from_slice(&vec![b'y'; 200_000]);
    let b = Baseline::from_reader(&pass[..]);
    assert_eq!(b.lines(), 200_002);
    assert!(b.contains("line 17 of the green run 5"));
    assert!(!b.contains("error: the failing run's own line"));
}

#[test]
fn the_tail_is_right_on_both_sides_of_a_buffer_edge() {
    // The failing command's echo, its output and its exit straddle a
    // read-buffer edge at every offset: the result does not change.
    for shift in 0..12usize {
        let mut lines: Vec<String> = vec!["$ ./prepare".into()];
        let mut bytes = lines[0].len() + 1;
        let mut i = 0;
        while bytes < 256 * 1024 - 60 + shift * 9 {
            let l = format!("prepared {i} {}", "x".repeat(i % 50));
            bytes += l.len() + 1;
            lines.push(l);
            i += 1;
        }
        lines.push("$ ./run-checks".into());
        lines.push("checking the site".into());
        lines.push("No Rakefile found (looking for: rakefile)".into());
        let reason = lines.len() as u32;
        lines.push("The command \"./run-checks\" exited with 1.".into());
        let log = lines.join("\n") + "\n";
        let a = analyze(log.as_bytes(), &RuleSet::generic());
        // Both lines the command printed score the same (no words, just
        // before its exit): the earlier one first, then the reason.
        assert_eq!(a.key_lines[..2], [reason - 1, reason], "shift {shift}");
        let ex = &a.excerpts[1];
        for c in &ex.context {
            assert_eq!(c.text, lines[c.no as usize - 1], "shift {shift} line {}", c.no);
        }
        assert!(ex.context.iter().any(|c| c.no == reason + 1), "the exit line is context after (shift {shift})");
        assert!(ex.context.iter().any(|c| c.no == reason - 1), "context before (shift {shift})");
    }
}

#[test]
fn the_generic_ruleset_has_no_rules_and_no_runner_tests() {
    let log = "============================= test session starts ==============================\n\
               tests/test_a.py::test_x FAILED\n\
               =========================== short test summary info ============================\n\
               FAILED tests/test_a.py::test_x - AssertionError: assert 1 == 2\n\
               ========================= 1 failed in 0.12s =========================\n";
    let a = analyze(log.as_bytes(), &RuleSet::generic());
    assert!(a.failures.iter().all(|f| f.test.is_none()), "no runner parser ran");
    assert!(a.counts.is_none());
    assert!(!a.key_lines.is_empty());
    assert!(a.excerpts.iter().all(|e| e.rule == "generic"));
    let full = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(full.failures.iter().filter(|f| f.test.is_some()).count(), 1);
}
