//! The configuration example in `docs/pr.md` is what the types accept.

use ci_commands::IntakeConfig;
use ci_pr_review::ReviewConfig;
use ci_pr_status::StatusConfig;

#[test]
fn the_documented_configuration_parses() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/pr.md")).unwrap();
    let section = doc.split("## Configuration").nth(1).expect("a Configuration section");
    let yaml = section.split("```yaml\n").nth(1).and_then(|s| s.split("```").next()).expect("a yaml block");
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let commands: IntakeConfig = serde_yaml_ng::from_value(v["commands"].clone()).unwrap();
    assert_eq!(commands.mention, "amd-bot");
    assert_eq!(commands.allow.teams, vec!["sgl-project/amd-ci".to_string()]);
    assert_eq!(commands.dispatch_to.as_deref(), Some("sgl-project/ci-bot"));
    let status: StatusConfig = serde_yaml_ng::from_value(v["ci-status"].clone()).unwrap();
    assert!(status.coverage.validate().is_ok());
    assert!(status.on_workflow_run);
    assert_eq!(status.coverage.mappings.len(), 1);
    let review: ReviewConfig = serde_yaml_ng::from_value(v["pr-review"].clone()).unwrap();
    assert!(review.validate().is_ok());
    assert_eq!(review.areas[0].name, "attention");
    // A typo is an error, not a silent default.
    assert!(serde_yaml_ng::from_str::<IntakeConfig>("alow: {}").is_err());
}
