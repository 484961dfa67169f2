//! Any bytes in, an analysis out: no panic, key lines inside the input,
//! JSON that parses back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RULES: LazyLock<ci_triage::RuleSet> = LazyLock::new(ci_triage::RuleSet::builtin);

fuzz_target!(|data: &[u8]| {
    let a = ci_triage::analyze(data, &RULES);
    assert!(a.key_lines.len() <= 20);
    assert!(a.key_lines.iter().all(|&l| l >= 1 && u64::from(l) <= a.total_lines));
    let json = serde_json::to_string(&a).unwrap();
    let back: ci_triage::Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    let _ = a.render_text();
    let _ = a.render_markdown();
});
