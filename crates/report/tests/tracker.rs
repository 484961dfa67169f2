//! Failure Tracker: merge semantics, hysteresis, legacy migration, state
//! safety and the size plan for hundreds of tests.

mod common;

use ci_model::JobId;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use ci_report::safe::char_len;
use ci_report::tracker::*;
use ci_report::SAFE_BODY_CHARS;
use common::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn cfg() -> TrackerConfig {
    let mut c = TrackerConfig::new("pr-test-amd.yml", "PR Test (AMD)", "ci-bot");
    c.daily_issue_url = Some("https://github.com/acme/ci-bot/issues/77".into());
    c
}

fn obs(file: &str, func: &str, error: &str) -> TrackerObservation {
    TrackerObservation {
        test_file: file.into(),
        test_function: func.into(),
        cluster: "accuracy regression".into(),
        error: error.into(),
        status: "recurring".into(),
        job_url: format!("{RUN}/job/61000000001#step:5:1834"),
        job_id: Some(JobId(61000000001)),
        detail_url: "https://github.com/acme/ci-bot/issues/77#job-61000000001".into(),
        run_started_at: "2026-11-21T04:00:12Z".into(),
        fingerprint: "a1b2c3d4".into(),
        job_name: "unit-test-backend-1-gpu".into(),
    }
}

#[test]
fn titles_and_legacy_titles() {
    assert_eq!(tracker_title("PR Test (AMD)"), "[Failure Tracker] PR Test (AMD)");
    assert!(is_legacy_tracker_title("[CI Tracker] PR Test (AMD) — Persistent Failure Ledger", "PR Test (AMD)"));
    assert!(!is_legacy_tracker_title("[CI Tracker] Nightly — Persistent Failure Ledger", "PR Test (AMD)"));
    assert!(!is_legacy_tracker_title("[Failure Tracker] PR Test (AMD)", "PR Test (AMD)"));
}

#[test]
fn first_seen_is_never_redated_and_quiet_tests_keep_history() {
    let c = cfg();
    let mut s = TrackerState::default();
    let o = obs("test/srt/test_a.py", "TestA::test_x", "AssertionError: 1 != 2");
    let out = merge(&mut s, std::slice::from_ref(&o), day(1), &c);
    assert_eq!(out.new, vec!["test/srt/test_a.py::TestA::test_x"]);
    // Same day again: idempotent.
    let before = s.clone();
    merge(&mut s, std::slice::from_ref(&o), day(1), &c);
    assert_eq!(s, before);
    // Next day: still failing, no recurrence.
    merge(&mut s, std::slice::from_ref(&o), day(2), &c);
    let e = &s.entries["test/srt/test_a.py::TestA::test_x"];
    assert_eq!((e.first_seen, e.last_seen, e.days_seen, e.recurrences), (day(1), day(2), 2, 0));
    // Quiet for a week, then fails again: history kept, recurrence counted.
    assert!(!is_failing(e, day(9), &c));
    let out = merge(&mut s, &[o], day(9), &c);
    assert_eq!(out.recurred.len(), 1);
    let e = &s.entries["test/srt/test_a.py::TestA::test_x"];
    assert_eq!((e.first_seen, e.last_seen, e.days_seen, e.recurrences), (day(1), day(9), 3, 1));
    assert!(is_failing(e, day(10), &c), "no flip to quiet at midnight");
}

#[test]
fn entries_are_dropped_only_after_the_retention_period() {
    let c = cfg();
    let mut s = TrackerState::default();
    merge(&mut s, &[obs("test/a.py", "t", "e")], day(1), &c);
    let later = day(1) + Duration::days(30);
    assert_eq!(merge(&mut s, &[], later, &c).pruned, 0);
    assert_eq!(merge(&mut s, &[], later + Duration::days(1), &c).pruned, 1);
    assert!(s.entries.is_empty());
    assert_eq!(s.dropped_total, 1);
}

#[test]
fn renders_snapshot() {
    let c = cfg();
    let mut s = TrackerState::default();
    merge(&mut s, &[obs("test/srt/test_old.py", "TestOld::test_y", "RuntimeError: HIP error --> bad")], day(3), &c);
    merge(&mut s, &[obs("test/srt/test_a.py", "TestA::test_x", "AssertionError: 0.58 < 0.6 | @alice #123")], day(10), &c);
    merge(&mut s, &[obs("test/srt/test_a.py", "TestA::test_x", "AssertionError: 0.58 < 0.6 | @alice #123"), obs("test/srt/test_new.py", "test_z", "")], day(21), &c);
    let doc = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 21, 12, 30, 0).unwrap());
    assert!(doc.archive.is_empty());
    insta::assert_snapshot!(doc.body);
    let back = parse_tracker(&doc.body, [], &c.workflow).unwrap();
    assert_eq!(back.source, StateSource::Current);
    assert_eq!(back.state, s);
}

#[test]
fn placeholder_parses_as_empty_state() {
    let body = tracker_placeholder_body(&cfg());
    let t = parse_tracker(&body, [], "pr-test-amd.yml").unwrap();
    assert!(t.state.entries.is_empty());
}

/// The old bot's body (seed spec §3.8): `indent=0` JSON, display-escaped
/// errors, and an error string containing `-->` which cut the old blob short.
const LEGACY_BODY: &str = "<!-- ci-failure-tracker:start -->
<!-- ci-failure-tracker-state:
{
\"test/srt/test_a.py::TestA::test_x\": {
\"test_file\": \"test/srt/test_a.py\",
\"test_function\": \"TestA::test_x\",
\"cluster\": \"accuracy regression\",
\"error\": \"AssertionError: a \\\\| b --> c\",
\"status\": \"recurring\",
\"job_url\": \"https://github.com/sgl-project/sglang/actions/runs/1/job/2\",
\"job_id\": 2,
\"detail_url\": \"\",
\"run_started_at\": \"2026-04-20T10:00:00Z\",
\"last_seen\": \"2026-04-22\",
\"first_seen\": \"2026-04-01\"
},
\"setup::N/A\": {
\"test_file\": \"setup\",
\"test_function\": \"N/A\",
\"cluster\": \"—\",
\"error\": \"—\",
\"status\": \"infra\",
\"job_url\": \"\",
\"job_id\": null,
\"detail_url\": \"\",
\"run_started_at\": \"\",
\"last_seen\": \"2026-04-10\",
\"first_seen\": \"2026-04-09\"
}
}
-->
# PR Test (AMD) — Failure Tracker
<!-- ci-failure-tracker:end -->
";

#[test]
fn legacy_state_is_recovered_even_when_cut_by_an_arrow_and_migrated() {
    let t = parse_tracker(LEGACY_BODY, [], "pr-test-amd.yml").unwrap();
    assert_eq!(t.source, StateSource::Legacy);
    assert_eq!(t.state.entries.len(), 2);
    let e = &t.state.entries["test/srt/test_a.py::TestA::test_x"];
    assert_eq!(e.error, "AssertionError: a | b --> c");
    assert_eq!((e.first_seen, e.last_seen, e.job_id), (NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 4, 22).unwrap(), Some(JobId(2))));
    assert_eq!(t.state.entries["setup::N/A"].cluster, "");
    // Migrated: next render writes our versioned line and reads back the same.
    let c = cfg();
    let doc = render_tracker(&t.state, &c, Utc.with_ymd_and_hms(2026, 4, 23, 0, 0, 0).unwrap());
    assert!(!doc.body.contains("ci-failure-tracker-state:"));
    let back = parse_tracker(&doc.body, [], &c.workflow).unwrap();
    assert_eq!(back.source, StateSource::Current);
    assert_eq!(back.state, t.state);

    let oldest = LEGACY_BODY.replace("ci-failure-tracker-state:", "pr-test-amd-tracker-state:");
    assert_eq!(parse_tracker(&oldest, [], "pr-test-amd.yml").unwrap().source, StateSource::LegacyPrTestAmd);
}

#[test]
fn unreadable_or_newer_state_is_an_error_not_an_empty_tracker() {
    let corrupt = "<!-- ci-bot:tracker-state v=2 {\"wf\": broken -->";
    assert!(matches!(parse_tracker(corrupt, [], "x"), Err(TrackerError::Corrupt(_))));
    let newer = "<!-- ci-bot:tracker-state v=3 {} -->";
    assert_eq!(parse_tracker(newer, [], "x"), Err(TrackerError::UnsupportedVersion(3)));
    let legacy_broken = "<!-- ci-failure-tracker-state:\n{\"a\": \n-->";
    assert!(matches!(parse_tracker(legacy_broken, [], "x"), Err(TrackerError::Corrupt(_))));
}

#[test]
fn five_hundred_tests_fit_with_an_archive_and_round_trip() {
    let c = cfg();
    let mut s = TrackerState::default();
    // 500 tests over 25 days; 120 still failing today.
    for i in 0..500u32 {
        let seen = day(1) + Duration::days(i64::from(i % 20));
        let o = obs(
            &format!("test/srt/models/test_generation_models_{:03}.py", i),
            &format!("TestGenerationModels::test_model_{i}_with_a_realistically_long_name"),
            &format!("AssertionError: Not all ROUGE-L scores are greater than rouge_l_tolerance={i}: [0.81, 0.92] --> see log"),
        );
        merge(&mut s, &[o], seen, &c);
    }
    let today = day(21);
    let failing: Vec<TrackerObservation> = (0..120u32)
        .map(|i| {
            obs(
                &format!("test/srt/models/test_generation_models_{:03}.py", i),
                &format!("TestGenerationModels::test_model_{i}_with_a_realistically_long_name"),
                "RuntimeError: HIP error: an illegal memory access was encountered",
            )
        })
        .collect();
    merge(&mut s, &failing, today, &c);
    assert_eq!(s.entries.len(), 500);
    let doc = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap());
    assert!(char_len(&doc.body) <= SAFE_BODY_CHARS, "body {} chars", char_len(&doc.body));
    assert!(!doc.archive.is_empty(), "500 entries cannot all live in the body");
    for (i, a) in doc.archive.iter().enumerate() {
        assert!(char_len(a) <= SAFE_BODY_CHARS);
        let m = parse_archive_marker(a).unwrap();
        assert_eq!((m.part, m.total, m.workflow.as_str()), (i + 1, doc.archive.len(), "pr-test-amd.yml"));
    }
    assert_eq!(doc.dropped, 0);
    assert!(doc.body.contains("older entr(y/ies) are stored in"));
    let mut comments: Vec<&str> = doc.archive.iter().map(String::as_str).collect();
    comments.push("an unrelated human comment");
    let back = parse_tracker(&doc.body, comments, &c.workflow).unwrap();
    assert_eq!(back.state, s);
    // The body's own state line holds the most relevant entries: failing first.
    let body_only = parse_tracker(&doc.body, [], &c.workflow).unwrap();
    let in_body = body_only.state.entries.len();
    let failing_now = s.entries.values().filter(|e| is_failing(e, today, &c)).count();
    assert!(in_body >= 40, "{in_body} entries in the body");
    assert!(body_only.state.entries.values().take(failing_now).all(|e| is_failing(e, today, &c)) || in_body > failing_now);
    let failing_in_body = body_only.state.entries.values().filter(|e| is_failing(e, today, &c)).count();
    assert_eq!(failing_in_body, in_body.min(failing_now));
    // Every failing test has a row in the body table.
    assert!(doc.body.contains(&format!("## 🔴 Currently failing ({failing_now})")));
}

#[test]
fn archive_overflow_drops_oldest_quiet_entries_with_a_count() {
    let c = cfg();
    let mut s = TrackerState::default();
    for i in 0..5_000u32 {
        let o = obs(&format!("test/{i:05}_{}.py", "x".repeat(60)), &format!("test_{}", "y".repeat(60)), &"E".repeat(150));
        merge(&mut s, &[o], day(1) + Duration::days(i64::from(i % 20)), &c);
    }
    let doc = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap());
    assert_eq!(doc.archive.len(), MAX_ARCHIVE_PARTS);
    assert!(doc.dropped > 0);
    assert!(char_len(&doc.body) <= SAFE_BODY_CHARS);
    let back = parse_tracker(&doc.body, doc.archive.iter().map(String::as_str), &c.workflow).unwrap();
    assert_eq!(back.state.entries.len() + doc.dropped, 5_000);
    assert_eq!(back.state.dropped_total as usize, doc.dropped);
}

#[test]
fn observations_from_jobs_cover_tests_and_non_test_failures() {
    let o = observations_from_jobs(&sample_jobs(), Some("https://github.com/acme/ci-bot/issues/77"), &Default::default());
    let keys: Vec<String> = o.iter().filter_map(|o| entry_key(&o.test_file, &o.test_function)).collect();
    assert!(keys.contains(&"test/srt/test_moe.py::TestMoE::test_forward".to_string()));
    assert!(keys.contains(&"job: build-docker (rocm720)::N/A".to_string()));
    assert!(o.iter().all(|o| o.detail_url.starts_with("https://github.com/acme/ci-bot/issues/77#job-")));
    assert!(o[0].job_url.ends_with("#step:5:1834"));
}

#[test]
fn placeholder_snapshot() {
    insta::assert_snapshot!(tracker_placeholder_body(&cfg()));
}

#[test]
fn crlf_bodies_parse() {
    let c = cfg();
    let mut s = TrackerState::default();
    merge(&mut s, &[obs("test/a.py", "t", "e")], day(1), &c);
    let doc = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap());
    let back = parse_tracker(&doc.body.replace('\n', "\r\n"), [], &c.workflow).unwrap();
    assert_eq!(back.state, s);
}

/// Rows are per (test, cause) (issue #14). A tracker written when rows were
/// per test (the same `v=2` state line, keyed `file::function`) still
/// parses; each entry is re-keyed from its own fields, an entry without a
/// current cause id is adopted by its test's first sighting, and a test
/// failing for a second cause gets a second row: nothing lost, nothing
/// doubled.
#[test]
fn a_tracker_written_per_test_migrates_to_rows_per_test_and_cause() {
    let c = cfg();
    let oom = format!("v2:{}", "1".repeat(16));
    let fault = format!("v2:{}", "2".repeat(16));
    let entry = |file: &str, func: &str, fp: &str, first: u32| TrackedTest {
        test_file: file.into(),
        test_function: func.into(),
        cluster: "HIP OOM".into(),
        error: "RuntimeError: HIP out of memory".into(),
        status: String::new(),
        job_url: String::new(),
        job_id: None,
        detail_url: String::new(),
        run_started_at: String::new(),
        fingerprint: fp.into(),
        first_seen: day(first),
        last_seen: day(first + 1),
        days_seen: 2,
        recurrences: 0,
        last_recurred: None,
        ..TrackedTest::default()
    };
    // The per-test state as the previous writer stored it.
    let mut old = TrackerState { workflow: c.workflow.clone(), ..Default::default() };
    old.entries.insert("test/a.py::test_x".into(), entry("test/a.py", "test_x", &oom, 1));
    old.entries.insert("test/b.py::test_y".into(), entry("test/b.py", "test_y", "a1b2c3d4", 2));
    old.entries.insert("job: setup::N/A".into(), entry("job: setup", "N/A", "", 3));
    let body = render_tracker(&old, &c, Utc.with_ymd_and_hms(2026, 11, 4, 0, 0, 0).unwrap()).body;
    assert!(body.contains(r#""tests":{"job: setup::N/A":"#), "per-test keys on disk: {body}");

    let loaded = parse_tracker(&body, [], &c.workflow).unwrap();
    assert_eq!(loaded.source, StateSource::Current);
    let mut keys: Vec<&str> = loaded.state.entries.keys().map(String::as_str).collect();
    keys.sort();
    let oom_key = format!("test/a.py::test_x @{}", ci_report::cause::short_id(&oom));
    assert_eq!(keys, ["job: setup::N/A", oom_key.as_str(), "test/b.py::test_y"]);

    // Today: test_x fails for the OOM and for a GPU fault; test_y (its old
    // row had an older id) for the fault.
    let mut state = loaded.state;
    let seen = |file: &str, func: &str, fp: &str| TrackerObservation { fingerprint: fp.into(), ..obs(file, func, "e") };
    let today = [seen("test/a.py", "test_x", &oom), seen("test/a.py", "test_x", &fault), seen("test/b.py", "test_y", &fault)];
    let out = merge(&mut state, &today, day(5), &c);
    assert_eq!(out.new, vec![format!("test/a.py::test_x @{}", ci_report::cause::short_id(&fault))]);
    assert_eq!(state.entries.len(), 4, "{:?}", state.entries.keys());
    let rows = |file: &str| state.entries.values().filter(|e| e.test_file == file).collect::<Vec<_>>();
    assert_eq!(rows("test/a.py").len(), 2, "one row per cause");
    let y = rows("test/b.py");
    assert_eq!(y.len(), 1, "the old row is adopted, not doubled");
    assert_eq!((y[0].first_seen, y[0].last_seen, y[0].days_seen), (day(2), day(5), 3));
    assert_eq!(rows("test/a.py").iter().map(|e| e.first_seen).min(), Some(day(1)), "history of the OOM row kept");

    // Written again and read back: the same rows.
    let doc = render_tracker(&state, &c, Utc.with_ymd_and_hms(2026, 11, 5, 12, 0, 0).unwrap());
    let back = parse_tracker(&doc.body, doc.archive.iter().map(String::as_str), &c.workflow).unwrap();
    assert_eq!(back.state, state);
}

/// A row is fixed only when its job was seen green after its last failure
/// (`observe_green`); silence is "quiet since". Failing again clears it.
#[test]
fn fixed_is_observed_on_the_rows_job_not_inferred_from_silence() {
    use std::collections::BTreeMap;
    let c = cfg();
    let mut s = TrackerState::default();
    let o = TrackerObservation { run_started_at: "2026-11-01T04:00:00Z".into(), ..obs("test/a.py", "test_x", "AssertionError") };
    merge(&mut s, std::slice::from_ref(&o), day(1), &c);
    let green_at = |job: &str, d: u32, h: u32| BTreeMap::from([(job.to_string(), Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap())]);
    // A week of silence: quiet, never fixed.
    let body = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 8, 0, 0, 0).unwrap()).body;
    assert!(body.contains("⚪ quiet since 2026-11-01") && !body.contains("✅ fixed 2026"), "{body}");
    // Another job green, or this job green before the failure: still quiet.
    assert_eq!(observe_green(&mut s, &green_at("other-job", 5, 0)), 0);
    assert_eq!(observe_green(&mut s, &green_at(&o.job_name, 1, 3)), 0, "the failing run started at 04:00");
    // This job green after the failure: fixed, and no longer failing.
    assert_eq!(observe_green(&mut s, &green_at(&o.job_name, 2, 6)), 1);
    let e = s.entries.values().next().unwrap().clone();
    assert_eq!(e.fixed_on, Some(day(2)));
    assert!(!is_failing(&e, day(2), &c));
    let body = render_tracker(&s, &c, Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()).body;
    assert!(body.contains("✅ fixed 2026-11-02"), "{body}");
    let back = parse_tracker(&body, [], &c.workflow).unwrap();
    assert_eq!(back.state, s);
    // It fails again: not fixed any more.
    merge(&mut s, std::slice::from_ref(&o), day(3), &c);
    assert_eq!(s.entries.values().next().unwrap().fixed_on, None);
}
