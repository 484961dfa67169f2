//! Hostile zip archives: an error or analyses, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RULES: LazyLock<ci_triage::RuleSet> = LazyLock::new(ci_triage::RuleSet::builtin);

fuzz_target!(|data: &[u8]| {
    let _ = ci_triage::analyze_zip(std::io::Cursor::new(data), &RULES);
});
