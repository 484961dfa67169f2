//! Every config file shipped in the repo parses without a warning, and its
//! extra triage rules compile.

use ci_monitor::config::Config;

fn check(name: &str, text: &str) {
    let (cfg, warnings) = Config::parse(text);
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    assert!(!cfg.workflows.is_empty(), "{name}: no workflows");
    if let Some(rules) = &cfg.triage_rules {
        ci_triage::RuleSet::with_overrides(rules).unwrap_or_else(|e| panic!("{name}: triage rules: {e}"));
    }
}

#[test]
fn shipped_configs_are_valid() {
    check("examples/sglang", include_str!("../../../examples/sglang/ci-bot.yml"));
    check("examples/minimal", include_str!("../../../examples/minimal/ci-bot.yml"));
    check(".github/ci-bot.yml", include_str!("../../../.github/ci-bot.yml"));
    check("scenarios/demo", include_str!("../../../scenarios/demo/ci-bot.yml"));
}
