//! Issue #12's small rendering item: text from a log never becomes a link.


use chrono::{NaiveDate, TimeZone, Utc};
use ci_model::JobId;
use ci_report::tracker::*;

#[test]
fn a_bare_url_in_a_cluster_name_stays_in_code() {
    let cfg = TrackerConfig::new("nightly.yml", "Nightly", "ci-bot");
    let o = TrackerObservation {
        test_file: "test/a.py".into(),
        test_function: "test_x".into(),
        cluster: "connect to https://evil.example/login failed".into(),
        error: "ConnectionError".into(),
        status: "new".into(),
        job_url: "https://github.com/acme/app/actions/runs/1/job/2".into(),
        job_id: Some(JobId(2)),
        detail_url: String::new(),
        run_started_at: "2026-11-21T04:00:12Z".into(),
        fingerprint: "a1b2c3d4".into(),
        ..TrackerObservation::default()
    };
    let mut s = TrackerState::default();
    let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    merge(&mut s, &[o], day, &cfg);
    let body = render_tracker(&s, &cfg, Utc.with_ymd_and_hms(2026, 11, 21, 5, 0, 0).unwrap()).body;
    let row = body.lines().find(|l| l.starts_with('|') && l.contains("evil.example")).expect("the row");
    assert!(row.contains("`connect to https://evil.example/login failed`"), "{row}");
    let outside_code: String = row.split('`').step_by(2).collect();
    assert!(!outside_code.contains("https://evil"), "{row}");
}
