//! What an action hands back to the CLI: outputs for `GITHUB_OUTPUT`, a
//! Markdown job summary, text for stdout, and (dry-run) the writes it did
//! not do.

use crate::ctx::PlannedWrite;

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `(name, value)` pairs, in a stable order.
    pub outputs: Vec<(String, String)>,
    /// Markdown for `GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// Printed to stdout (analyze-url with `output: stdout`, dry-run plans).
    pub stdout: String,
    pub planned: Vec<PlannedWrite>,
    /// Warnings to print as `::warning::` (config problems, partial results).
    pub warnings: Vec<String>,
}

impl Outcome {
    pub fn output(&mut self, name: &str, value: impl ToString) {
        self.outputs.push((name.to_string(), value.to_string()));
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.outputs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The dry-run report: every write that would have happened.
    pub fn render_planned(&self) -> String {
        let mut s = String::new();
        if self.planned.is_empty() {
            s.push_str("dry-run: nothing would be written\n");
        }
        for p in &self.planned {
            s.push_str(&format!("===== dry-run: would write {} in {} =====\n{}\n", p.target, p.repo, p.body));
        }
        s
    }
}
