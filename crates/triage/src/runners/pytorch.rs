//! PyTorch's test driver (`test/run_test.py`) reruns failed tests in a new
//! process and says which failed only once:
//!
//! ```text
//! The following tests failed and then succeeded when run in a new process['test_nn.py::TestNN::test_conv']
//! The following tests failed consistently: ['test_nn.py::TestNN::test_pool']
//! ```
//!
//! The first list names flaky tests (`RunnerReport::flaky_tests`); the
//! tests that failed consistently are read by the pytest parser from
//! pytest's own output.
//!
//! A test that builds a C++ extension (`torch.utils.cpp_extension.load`,
//! PyTorch's `test_cpp_extensions_*`) fails with
//! `RuntimeError: Error building extension 'name'` after ninja's compiler
//! errors: that is a build tool's failed unit of work (a
//! [`ToolFailure`]), so the job reads as a compilation failure although
//! pytest counts a failed test.

use super::{Line, RunnerParser, RunnerReport, ToolFailure, ToolLevel};

#[derive(Default)]
pub struct PyTorch {
    flaky: Vec<String>,
    extension_build: Option<u32>,
}

/// `['a', "b"]` → `a`, `b`.
fn python_list(s: &str) -> impl Iterator<Item = &str> {
    let inner = s.trim().trim_start_matches('[').trim_end_matches(']');
    inner.split(", ").map(|x| x.trim().trim_matches(|c| c == '\'' || c == '"')).filter(|x| !x.is_empty())
}

impl RunnerParser for PyTorch {
    fn name(&self) -> &'static str {
        "pytorch"
    }

    fn triggers(&self) -> &'static [&'static str] {
        &["failed and then succeeded when run in a new process", "RuntimeError: Error building extension '"]
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text);
        if self.extension_build.is_none() && t.contains("RuntimeError: Error building extension '") {
            self.extension_build = Some(line.no);
        }
        if let Some((_, list)) = t.split_once("failed and then succeeded when run in a new process") {
            for id in python_list(list.trim_start_matches(':')) {
                if !self.flaky.iter().any(|f| f == id) {
                    self.flaky.push(id.to_string());
                }
            }
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        out.flaky_tests.append(&mut self.flaky);
        if let Some(line) = self.extension_build.take() {
            // ninja runs the compiler for cpp_extension; the `[[tool_kind]]`
            // words make it a compilation failure.
            out.tools.push(ToolFailure { line, level: ToolLevel::Task, names: vec!["ninja".to_string()], source: "pytorch" });
        }
    }
}
