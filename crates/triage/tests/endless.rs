//! `analyze-log /dev/zero` ends: an input with no newline for hundreds of
//! MiB stops being read, and what came before it is still analysed.

use std::io::Read;

use ci_triage::{analyze, RuleSet};

#[test]
fn an_endless_line_ends_with_a_best_effort_result() {
    let head = "##[group]Run pytest\nFAILED tests/test_a.py::test_x - AssertionError: 1 != 2\n##[error]Process completed with exit code 1.\n";
    let input = head.as_bytes().chain(std::io::repeat(0));
    let a = analyze(input, &RuleSet::builtin());
    assert!(a.total_bytes > head.len() as u64, "it read past the head");
    assert!(a.total_bytes < 1 << 30, "and stopped");
    assert!(!a.key_lines.is_empty(), "the failure before the endless line is found");
}
