//! Cost on the demo scenario: every failed (non-gate) job of
//! `scenarios/demo/`, as the old bot's API mode would have sent it (the log
//! part of its per-job prompt only, see `ci_llm::legacy`) against what this
//! layer sends (one sealed prompt per new fingerprint set, nothing for a
//! repeat), with the same token estimate for both.
//!
//! `cargo test -p ci-llm --test cost -- --nocapture` prints the numbers;
//! with `CI_LLM_SHOW_PROMPTS=1` also every prompt.

mod common;

use std::collections::BTreeSet;

use ci_llm::facts::{ClusterFact, CommitFact, HistoryFact, JobFacts, RelatedFact, SuspectRange};
use ci_llm::{cache, legacy, prompt, tokens, Scrubber, Task, Templates};

/// The facts the monitor adds beyond the log (history, cluster, commit
/// range, search hits), at a typical size, so the measure is not flattered
/// by their absence.
fn with_monitor_facts(f: &mut JobFacts) {
    f.history = Some(HistoryFact {
        red: 3,
        runs: 5,
        last_green_sha: Some("000dcd640001".into()),
        summary: Some("red in 3 of the last 5 runs since 000dcd64".into()),
    });
    f.cluster = Some(ClusterFact { id: "C-3f2a91".into(), jobs: 2, workflows: 1, first_seen: Some("2026-11-19".into()) });
    f.suspects = Some(SuspectRange {
        from: "000dcd640001".into(),
        to: "000c344b0000".into(),
        total: 3,
        commits: (0..3)
            .map(|i| CommitFact { sha: format!("{i}a2b3c4d5e6f"), title: "moe: fuse the expert gather into one kernel (#812)".into() })
            .collect(),
    });
    f.related = vec![RelatedFact {
        kind: "pr".into(),
        number: 815,
        title: "Fix OOM in test_moe_eval on 8-GPU runners".into(),
        opened: Some("2026-11-20".into()),
    }];
}

#[test]
fn demo_scenario_prompts_stay_far_below_the_old_api_mode() {
    let templates = Templates::builtin();
    let scrubber = Scrubber::default();
    let (mut old, mut ours, mut jobs, mut calls, mut max_prompt) = (0u64, 0u64, 0u32, 0u32, 0u64);
    let mut seen = BTreeSet::new();
    for job in common::demo_jobs() {
        // Gate jobs fail only because another job failed; neither bot
        // analyses them.
        if job.job == "finish" {
            continue;
        }
        jobs += 1;
        old += legacy::old_job_prompt_tokens(&job.log);
        let a = common::analyze(&job.log);
        let mut facts = common::job_facts("demo-org/gpu-ml", &job.workflow, &job.job, &a);
        with_monitor_facts(&mut facts);
        let p = prompt::job_failure(&templates, &facts);
        let key = cache::key(Task::JobFailure, &p.digest, &facts.fingerprints);
        if seen.insert(key) {
            let sealed = scrubber.seal(p.task, &p.system, &p.user, p.max_tokens);
            let t = sealed.estimated_input_tokens();
            max_prompt = max_prompt.max(t);
            if std::env::var("CI_LLM_SHOW_PROMPTS").is_ok() { eprintln!("----- {} {}\n{}", job.job, t, p.user); }
            ours += t;
            calls += 1;
        }
    }
    let ratio = ours as f64 / old as f64;
    println!(
        "demo scenario: {jobs} failed jobs; old API mode {} tokens (log part only); ours {} tokens in {calls} calls \
         (largest prompt {max_prompt}); ratio 1/{:.1}",
        tokens::thousands(old),
        tokens::thousands(ours),
        1.0 / ratio
    );
    // Issue #16's target, 1/20, is asserted where it is decided: on the
    // prompts the monitor actually sends (`crates/monitor/tests/llm.rs`,
    // `the_demo_costs_at_most_a_twentieth_of_the_old_api_mode`, measured
    // 1/21.3). This library-level estimate uses the same conversion of the
    // analysis (`ci_llm::engine`) but keys its calls by triage fingerprints,
    // finer than the monitor's cause ids (measured 1/20.7): it keeps a looser
    // bound that still catches a real regression.
    assert!(ratio <= 1.0 / 15.0, "ours {ours} vs old {old}: ratio {ratio:.3} > 1/15");
}
