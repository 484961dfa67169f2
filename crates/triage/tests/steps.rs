//! CI step markers: the steps each system's log shows and the step that
//! failed, on the fixtures written from each format (`tests/fixtures`,
//! where the `#=SOURCE=#` header says where the format comes from).

use ci_triage::{analyze, Analysis, RuleSet};

/// A fixture without its header lines and `#=MATCH=# ` marker.
fn fixture(name: &str) -> Analysis {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let raw = std::fs::read(&path).unwrap();
    let mut log = Vec::new();
    for line in raw.split(|&b| b == b'\n') {
        if line.starts_with(b"#=SOURCE=#") || line.starts_with(b"#=CATEGORY=#") {
            continue;
        }
        log.extend_from_slice(line.strip_prefix(b"#=MATCH=# ").unwrap_or(line));
        log.push(b'\n');
    }
    log.pop();
    analyze(&log[..], &RuleSet::builtin())
}

fn names(a: &Analysis) -> Vec<&str> {
    a.steps.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn gitlab_sections_are_steps_and_the_script_failed() {
    let a = fixture("gitlab_cargo_test_sections.log");
    assert_eq!(
        names(&a),
        ["Job setup", "prepare_executor", "prepare_script", "get_sources", "step_script", "$ cargo test --locked", "upload_artifacts_on_failure", "cleanup_file_variables"]
    );
    // The runner's green `$ cmd` echo inside `step_script` starts a step
    // named by the command (the shell stops at the first that fails).
    assert_eq!(a.failing_step.as_deref(), Some("$ cargo test --locked"));
    let failed = a.steps.iter().find(|s| s.failed).unwrap();
    assert_eq!(failed.exit_code, Some(101));
    // The artifact upload's own `ERROR:` after the failure is not the reason.
    assert_eq!(a.excerpts[0].step.as_deref(), Some("$ cargo test --locked"));
    assert_eq!(a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect::<Vec<_>>(), ["grammar::tests::nested_blocks"]);
}

#[test]
fn nested_gitlab_sections_return_to_the_outer_one() {
    let log = "\x1b[0Ksection_start:1:step_script\r\x1b[0KExecuting\n\
               \x1b[0Ksection_start:2:unit_tests[collapsed=true]\r\x1b[0KUnit tests\n\
               ok\n\
               \x1b[0Ksection_end:3:unit_tests\r\x1b[0K\n\
               error: could not compile `app` (lib) due to 1 previous error\n\
               \x1b[0Ksection_end:4:step_script\r\x1b[0K\n\
               ERROR: Job failed: exit code 1\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(names(&a), ["step_script", "unit_tests", "step_script"]);
    assert_eq!((a.steps[2].start, a.failing_step.as_deref()), (5, Some("step_script")));
}

#[test]
fn jenkins_stages_are_steps_and_the_one_before_the_skipped_failed() {
    let a = fixture("jenkins_pipeline_stage_make.log");
    assert_eq!(names(&a), ["Start of Pipeline", "Checkout", "Build", "Test", "Declarative: Post Actions"]);
    assert_eq!(a.failing_step.as_deref(), Some("Build"));
    assert_eq!(a.excerpts[0].step.as_deref(), Some("Build"));
}

#[test]
fn gh_run_view_columns_name_the_steps_and_the_rules_read_the_text() {
    let a = fixture("gh_run_view_eslint.log");
    assert_eq!(names(&a), ["Set up job", "Run actions/checkout@v4", "Lint", "Post Run actions/checkout@v4", "Complete job"]);
    assert_eq!(a.failing_step.as_deref(), Some("Lint"));
    // Line numbers are the raw file's.
    assert_eq!(a.key_lines[0], 11);
    assert_eq!(a.failures[0].rule, "eslint-stylish");
}

#[test]
fn gitlab_timestamped_logs_lose_their_stream_prefix() {
    let log = "2024-05-14T12:20:13.520404Z 00O Running with gitlab-runner 17.0.0\n\
               2024-05-14T12:20:14.000000Z 00O \x1b[0Ksection_start:1715689214:step_script\r\x1b[0K\x1b[0KExecuting \"step_script\" stage\n\
               2024-05-14T12:20:15.000000Z 01E error[E0425]: cannot find value `x` in this scope\n\
               2024-05-14T12:20:16.000000Z 00O \x1b[0Ksection_end:1715689216:step_script\r\x1b[0K\n\
               2024-05-14T12:20:16.100000Z 00O ERROR: Job failed: exit code 1\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.failing_step.as_deref(), Some("step_script"));
    assert_eq!((a.key_lines[0], a.failures[0].rule.as_str()), (3, "rustc-error"));
}

#[test]
fn a_failed_lookup_step_before_the_failing_tests_is_not_the_failing_step() {
    // A continue-on-error step fails first (a rate-limited API lookup); the
    // job goes on and the test step fails with a failing test.
    let log = "\
##[group]Run get-workflow-job-id
##[endgroup]
Error: Unable to fetch the job id: HTTP Error 403: API rate limit exceeded
##[error]Process completed with exit code 1.
##[group]Run python -m pytest -v
##[endgroup]
tests/test_a.py::test_ok PASSED
tests/test_a.py::test_bad FAILED
=========================== short test summary info ============================
FAILED tests/test_a.py::test_bad - AssertionError: assert 1 == 2
========================= 1 failed, 1 passed in 0.10s ==========================
##[error]Process completed with exit code 1.
##[group]Run teardown
##[endgroup]
Error response from daemon: a prune operation is already running
##[error]Process completed with exit code 1.
";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.failing_step.as_deref(), Some("Run python -m pytest -v"), "{:?}", names(&a));
    assert_eq!(a.key_lines[0], 10, "{:?}", a.key_lines);
}
