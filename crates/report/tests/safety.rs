//! Property tests: no text from a log, PR or LLM can forge, open or close one
//! of our markers or blocks, mention anyone, or break the round trip.

mod common;

use ci_model::JobId;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use ci_report::safe;
use ci_report::summary::{parse_summary_state, render_summary_block, summary_clusters, DailySummary, RelatedItem, WorkflowDay};
use ci_report::tracker::{parse_tracker, render_tracker, TrackedTest, TrackerConfig, TrackerState};
use ci_report::workflow_comment::{normalize_job, parse_workflow_comments, render_workflow_comments};
use ci_report::{FailureView, JobOutcome, LogAnchor};
use common::*;
use proptest::prelude::*;

const HOSTILE: &[&str] = &[
    "<!--",
    "-->",
    "--->",
    "</details>",
    "</DETAILS>",
    "\n</details>\n",
    "<details data-job-id=\"5\" data-run-url=\"https://github.com/a/b/actions/runs/1\" data-started-at=\"\">",
    "<summary><b>x</b> — failed step(s): N/A</summary>",
    "<!-- processed_job_ids: 1,2 -->",
    "\n<!-- processed_job_ids: 7 -->\n",
    "<!-- ci-monitor-part: 1/1 -->",
    "\n<!-- ci-bot:job v=2 {} -->\n",
    "\n<!-- ci-bot:analysis:end -->\n",
    "\n<!-- ci-bot:workflow-report v=2 workflow=x -->\n",
    "\n<!-- ci-bot:tracker-state v=2 {} -->\n",
    "\n## `nightly-test.yml` — 3 failure(s)\n",
    "<a id=\"job-1\"></a>",
    "@alice",
    "@org/team",
    "#123",
    "```",
    "````",
    "~~~",
    "\n```\n",
    "|",
    "`",
    "\\",
    "\n",
    "\r\n",
    "\u{202E}",
    "\u{1b}[31m",
    "\u{2028}",
    "<",
    ">",
    "&",
    "--",
    " ",
    "\t",
    "é",
    "😀",
    "<script>",
    "$x$",
];

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(HOSTILE).prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
            1 => "[a-z]{1,6}",
        ],
        0..24,
    )
    .prop_map(|v| v.concat())
}

fn hostile_job(id: u64, s: Vec<String>) -> ci_report::JobReport {
    let mut j = job(id, &s[0], vec![]);
    j.failed_steps = vec![s[1].clone(), s[2].clone()];
    j.headline = Some(s[3].clone());
    j.analysis = Some(s[4].clone());
    j.failures = vec![FailureView {
        test_file: Some(s[5].clone()),
        test_function: Some(s[6].clone()),
        message: s[7].clone(),
        fingerprint: s[8].clone(),
        anchor: Some(LogAnchor { step: 3, line: 9 }),
        excerpt: vec![s[9].clone(), s[10].clone()],
    }];
    if id.is_multiple_of(2) {
        j.outcome = JobOutcome::Incomplete { reason: s[11].clone() };
    }
    // The category is a `ci_triage::Category`: no text of the log's.
    j.category = Some(ci_triage::Category::ALL[id as usize % ci_triage::Category::ALL.len()]);
    j
}

/// A line that one of our readers (or the old bot's) would act on.
fn assert_inert(text: &str) {
    for line in text.lines() {
        let t = line.trim();
        assert!(!t.contains("<!--") && !t.contains("-->"), "comment syntax leaked: {line:?}");
        assert!(!t.eq_ignore_ascii_case("</details>"), "block closer leaked: {line:?}");
        let lower = t.to_ascii_lowercase();
        assert!(!lower.contains("<details") && !lower.contains("<summary") && !lower.contains("</details"), "{line:?}");
        assert!(!lower.contains("<script") && !lower.contains("<a "), "html leaked: {line:?}");
    }
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(2) {
        assert!(!(w[0] == '@' && (w[1].is_alphanumeric() || w[1] == '_' || w[1] == '-')), "mention leaked: {text:?}");
        assert!(!(w[0] == '#' && w[1].is_ascii_digit()), "issue link leaked: {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn escaped_text_is_inert(s in hostile()) {
        assert_inert(&safe::inline(&s, 300));
        assert!(!safe::inline(&s, 300).contains('\n'));
        assert_inert(&safe::code_span(&s, 300, true));
        assert!(!safe::code_span(&s, 300, true).contains('\n'));
        assert_inert(&safe::markdown(&s, 5_000));
        assert_inert(&safe::neutralize(&safe::clean(&s)));
        let block = safe::code_block(&s, "text", 50, 300);
        assert_inert(&block);
        // The fence is the first line; no inner line may close it.
        let fence: String = block.lines().next().unwrap().chars().take_while(|&c| c == '`').collect();
        let inner: Vec<&str> = block.lines().collect();
        for l in &inner[1..inner.len() - 1] {
            prop_assert!(!l.trim_start().starts_with(&fence));
        }
    }

    #[test]
    fn markdown_is_idempotent_so_blocks_round_trip(parts in prop::collection::vec(hostile(), 0..60), max in 250usize..1_500) {
        let text = parts.join("\n").repeat(3);
        let once = safe::markdown(&text, max);
        prop_assert!(safe::char_len(&once) <= max);
        prop_assert_eq!(safe::markdown(&once, max), once);
    }

    #[test]
    fn truncation_respects_char_budget(s in hostile(), max in 0usize..50) {
        let t = safe::truncate_chars(&s, max);
        prop_assert!(t.chars().count() <= max);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn hostile_jobs_round_trip_exactly(
        a in prop::collection::vec(hostile(), 12),
        b in prop::collection::vec(hostile(), 12),
        summary in hostile(),
    ) {
        let mut report = sample_report();
        report.jobs = vec![hostile_job(71, a), hostile_job(72, b)];
        report.summary = Some(summary);
        let parts = render_workflow_comments(&report);
        let back = parse_workflow_comments(&report.workflow, parts.iter().map(String::as_str));
        let expected: Vec<_> = report.jobs.iter().map(normalize_job).collect();
        prop_assert_eq!(&back.jobs, &expected);
        prop_assert_eq!(back.processed_job_ids, BTreeSet::from([71, 72, 61000000009].map(JobId)));
        for p in &parts {
            let opens = p.lines().filter(|l| l.starts_with("<details data-job-id=")).count();
            let closes = p.lines().filter(|l| *l == "</details>").count();
            prop_assert_eq!(opens, closes);
            let markers = p.lines().filter(|l| l.trim_start().starts_with("<!--")).count();
            let analyses = report.jobs.iter().filter(|j| normalize_job(j).analysis.is_some()).count();
            // 3 header markers + 1 meta per job + 2 per analysis region.
            prop_assert_eq!(markers, 3 + 2 + 2 * analyses);
        }
    }

    #[test]
    fn hostile_tracker_state_round_trips(v in prop::collection::vec(hostile(), 5)) {
        let cfg = TrackerConfig::new("nightly-test.yml", "Nightly", "ci-bot");
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let entry = TrackedTest {
            test_file: v[0].clone(),
            test_function: v[1].clone(),
            cluster: v[2].clone(),
            error: v[3].clone(),
            status: v[4].clone(),
            job_url: String::new(),
            job_id: Some(JobId(1)),
            detail_url: String::new(),
            run_started_at: String::new(),
            fingerprint: String::new(),
            first_seen: d,
            last_seen: d,
            days_seen: 1,
            recurrences: 0,
            last_recurred: None,
            ..TrackedTest::default()
        };
        let mut state = TrackerState { workflow: cfg.workflow.clone(), ..TrackerState::default() };
        state.entries.insert(format!("{}::{}", v[0], v[1]), entry);
        let doc = render_tracker(&state, &cfg, at(12, 0));
        let loaded = parse_tracker(&doc.body, doc.archive.iter().map(String::as_str), &cfg.workflow).unwrap();
        prop_assert_eq!(loaded.state, state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_cannot_add_marker_lines_to_summary_or_tracker(
        a in prop::collection::vec(hostile(), 12),
        wf in hostile(),
    ) {
        let day = WorkflowDay {
            workflow: format!("wf-{}", wf.len()),
            jobs: vec![hostile_job(81, a.clone())],
            last_scanned: Some(at(10, 0)),
            comment_url: Some(a[0].clone()),
            ..WorkflowDay::default()
        };
        let s = DailySummary {
            date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            bot_name: a[1].clone(),
            workflows: vec![day],
            yesterday: None,
            ..DailySummary::default()
        };
        // What the TL;DR shows of GitHub's search and of the logs' facts is
        // hostile text too.
        let mut s = s;
        s.workflows[0].jobs[0].facts.insert(a[5].clone(), a[6].clone());
        for c in summary_clusters(&s) {
            let item = RelatedItem { number: 1, title: a[7].clone(), url: a[8].clone(), is_pr: true };
            s.related.insert(ci_report::cause::short_id(&c.fingerprint), vec![item]);
        }
        let block = render_summary_block(&s);
        // Our two marker lines; the only other `-->` is Mermaid's own axis range syntax.
        let marker_lines: Vec<&str> = block
            .lines()
            .filter(|l| l.contains("<!--") || (l.contains("-->") && !l.starts_with("    y-axis \"red jobs\" 0 --> ")))
            .collect();
        prop_assert_eq!(marker_lines.len(), 2);
        prop_assert!(parse_summary_state(&block).is_some());

        let cfg = TrackerConfig::new(&wf, &a[2], &a[3]);
        let obs = ci_report::tracker::observations_from_jobs(&s.workflows[0].jobs, Some(&a[4]), &Default::default());
        let mut state = TrackerState::default();
        ci_report::tracker::merge(&mut state, &obs, NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(), &cfg);
        let doc = render_tracker(&state, &cfg, at(12, 0));
        let marker_lines = doc.body.lines().filter(|l| l.contains("<!--") || l.contains("-->")).count();
        prop_assert_eq!(marker_lines, 3);
        let back = parse_tracker(&doc.body, doc.archive.iter().map(String::as_str), &cfg.workflow).unwrap();
        prop_assert_eq!(back.state, state);
    }
}
