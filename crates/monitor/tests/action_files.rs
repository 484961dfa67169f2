//! The action names live in `ActionKind` only: every `actions/<name>/action.yml`
//! must run `ci-bot <name>` for an action that exists, and every action must
//! have its `action.yml`.

use std::path::Path;

use ci_monitor::ActionKind;

fn actions_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../actions")
}

#[test]
fn every_action_yml_runs_its_own_subcommand() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(actions_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let kind: ActionKind = name.parse().unwrap_or_else(|e| panic!("actions/{name}: {e}"));
        let yml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&std::fs::read_to_string(dir.join("action.yml")).unwrap()).unwrap();
        let args: Vec<&str> = yml["runs"]["args"].as_sequence().unwrap().iter().filter_map(|a| a.as_str()).collect();
        assert_eq!(args, [kind.name()], "actions/{name}/action.yml");
        let mut declared: Vec<&str> = yml["inputs"].as_mapping().unwrap().keys().filter_map(|k| k.as_str()).collect();
        let mut known = kind.inputs().to_vec();
        declared.sort();
        known.sort();
        assert_eq!(declared, known, "actions/{name}/action.yml inputs vs ActionKind::inputs");
        seen.push(kind);
    }
    seen.sort();
    assert_eq!(seen, ActionKind::ALL, "an action without its action.yml");
}
