//! How often a "same failure" match between two real, unrelated CI logs
//! rests on a generic capture, and what the generic filter leaves.
//!
//! Measurement, not a gate: `cargo test --release -p ci-pr-status --test
//! real_logs -- --ignored --nocapture` over `../shared/datasets` (the 737
//! labelled logs). Two logs of different projects can share a failure only
//! by accident, so a fingerprint found in several projects is a false match
//! waiting to become a wrong FLAKY verdict (Dr. CI's #5063).

use std::collections::{BTreeMap, BTreeSet};

use ci_pr_status::signals::is_generic;

fn project(dataset: &str, id: &str) -> String {
    let p = match dataset {
        "logsage_gha" => id.split("__").next().unwrap_or(id),
        "cidiff_breakages" => id.rsplit_once('_').map_or(id, |(p, _)| p),
        "bugswarm_dissection_dev" => id.rsplit_once('-').map_or(id, |(p, _)| p),
        _ => id,
    };
    format!("{dataset}/{p}")
}

#[test]
#[ignore = "measurement over ../shared/datasets; run with --ignored --nocapture"]
fn generic_fingerprints_on_real_logs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets");
    let Ok(labels) = std::fs::read_to_string(format!("{root}/labels.jsonl")) else {
        eprintln!("notice: {root} absent; skipped");
        return;
    };
    let rules = ci_triage::RuleSet::builtin();
    let (mut logs, mut no_specific, mut failures, mut generic_failures) = (0, 0, 0, 0);
    // fingerprint -> (generic?, projects)
    let mut seen: BTreeMap<String, (bool, BTreeSet<String>)> = BTreeMap::new();
    let mut message_of: BTreeMap<String, String> = BTreeMap::new();
    for line in labels.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(log) = row["log"].as_str() else { continue };
        let Ok(file) = std::fs::File::open(format!("{root}/{log}")) else { continue };
        let a = ci_triage::analyze(std::io::BufReader::new(file), &rules);
        logs += 1;
        let proj = project(row["dataset"].as_str().unwrap_or(""), row["id"].as_str().unwrap_or(""));
        // What the monitor stores: each failure, or a job-level headline.
        let mut pairs: Vec<(String, String)> = a.failures.iter().map(|f| (f.message.clone(), f.fingerprint.clone())).collect();
        if pairs.is_empty() {
            let head = a
                .excerpts
                .first()
                .and_then(|e| e.context.iter().find(|l| l.no == e.line))
                .map(|l| l.text.clone())
                .unwrap_or_else(|| "no failure line recognised".into());
            let step = a.failing_step.clone().unwrap_or_default();
            pairs.push((head.clone(), ci_triage::fingerprint(&head, "unrecognised", Some(&step))));
        }
        let mut specific = 0;
        for (msg, fp) in pairs {
            failures += 1;
            let generic = is_generic(&msg);
            generic_failures += usize::from(generic);
            specific += usize::from(!generic);
            message_of.entry(fp.clone()).or_insert_with(|| msg.chars().take(100).collect());
            seen.entry(fp).or_insert((generic, BTreeSet::new())).1.insert(proj.clone());
        }
        no_specific += usize::from(specific == 0);
    }
    let shared = |generic: bool| {
        let fps: Vec<&(bool, BTreeSet<String>)> = seen.values().filter(|(g, p)| *g == generic && p.len() > 1).collect();
        let pairs: usize = fps.iter().map(|(_, p)| p.len() * (p.len() - 1) / 2).sum();
        (fps.len(), pairs)
    };
    let (g_fps, g_pairs) = shared(true);
    let (s_fps, s_pairs) = shared(false);
    eprintln!("logs {logs}; failures {failures}, generic {generic_failures}; logs with no specific failure {no_specific}");
    eprintln!("fingerprints shared across projects: generic {g_fps} ({g_pairs} project pairs), specific {s_fps} ({s_pairs} project pairs)");
    if std::env::var_os("SHOW_SHARED").is_some() {
        let mut top: Vec<(&String, &(bool, BTreeSet<String>))> = seen.iter().filter(|(_, (_, p))| p.len() > 1).collect();
        top.sort_by_key(|(_, (_, p))| std::cmp::Reverse(p.len()));
        for (fp, (g, p)) in top.iter().take(40) {
            eprintln!("{:>4} {} {}", p.len(), if *g { "generic " } else { "specific" }, message_of[*fp]);
        }
    }
    assert!(logs > 0);
}
