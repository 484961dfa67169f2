//! The streaming core cuts lines out of 256 KiB buffers and prunes
//! candidates that cannot reach the output; neither may change a result.

use ci_triage::{analyze, RuleSet};

/// Filler lines of varying length, so buffer edges fall everywhere.
fn filler(n: usize, seed: usize) -> Vec<String> {
    (0..n).map(|i| format!("step output {} {}", i, "x".repeat((i * 7 + seed) % 90))).collect()
}

#[test]
fn context_is_right_on_both_sides_of_a_buffer_edge() {
    let rules = RuleSet::builtin();
    for seed in 0..24 {
        let mut lines = filler(6000, seed);
        // Put a compiler error on every line around the first buffer edge.
        let mut bytes = 0;
        let edge = lines.iter().position(|l| {
            bytes += l.len() + 1;
            bytes > 256 * 1024
        });
        let edge = edge.expect("log longer than one buffer");
        let at = edge + seed % 5 - 2;
        lines[at] = format!("error[E0308]: mismatched types {seed}");
        let log = lines.join("\n") + "\n";
        let a = analyze(log.as_bytes(), &rules);
        assert_eq!(a.key_lines[0] as usize, at + 1, "seed {seed}");
        let ex = &a.excerpts[0];
        assert_eq!(ex.context.len(), 7, "3 before, the line, 3 after (seed {seed})");
        for c in &ex.context {
            assert_eq!(c.text, lines[c.no as usize - 1], "seed {seed} line {}", c.no);
        }
        assert_eq!(ex.context[0].no as usize, at - 2);
        assert_eq!(a.total_lines, 6000);
    }
}

#[test]
fn error_dense_logs_keep_the_first_lines_of_each_kind() {
    // 5,000 `[ERROR]` lines of one priority: the first twenty are the key
    // lines, in order, whatever is pruned after them.
    let mut log = String::new();
    for i in 0..5000 {
        log.push_str(&format!("[ERROR] something broke in module {i}\n"));
    }
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.key_lines, (1..=20).collect::<Vec<u32>>());
    assert_eq!(a.total_lines, 5000);
}

#[test]
fn a_line_longer_than_the_buffer_is_one_line() {
    let mut log = "first\n".to_string();
    log.push_str(&"y".repeat(600 * 1024));
    log.push_str("\nerror: after the long line\nlast");
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.total_lines, 4);
    assert_eq!(a.key_lines[0], 3);
}
