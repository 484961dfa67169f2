//! Error formats that no log in the shared datasets shows, written as the
//! tools document them. A rule is only tried on lines holding one of its
//! triggers, so each case also fails when the triggers miss the format.

use ci_triage::{analyze, RuleSet};

fn first_failure(log: &str) -> (u32, String, String) {
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    let f = a.failures.first().unwrap_or_else(|| panic!("no failure in {log:?}"));
    (a.key_lines[0], f.rule.clone(), f.category.clone())
}

#[test]
fn nvcc_and_hipcc_errors_name_the_source_line() {
    for (file, line) in [("kernels/attention.cu", 118), ("csrc/moe.cuh", 7), ("csrc/rocm/gemm.hip", 42)] {
        let log = format!(
            "-- Configuring done\n[ 12%] Building CUDA object CMakeFiles/ops.dir/{file}.o\n{file}({line}): error: identifier \"half2\" is undefined\n1 error detected in the compilation of \"{file}\".\n"
        );
        assert_eq!(first_failure(&log), (3, "nvcc-error".to_string(), "compilation".to_string()), "{file}");
    }
}
