//! Bad input never panics: empty, binary, invalid UTF-8, huge lines,
//! broken zips. A short proptest keeps random input in the suite; the
//! longer fuzz run lives in `fuzz/` (`cargo +nightly fuzz run analyze`).

use ci_triage::{analyze, analyze_zip, is_zip, RuleSet};
use proptest::prelude::*;
use std::io::Write;

static RULES: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(RuleSet::builtin);

fn check_invariants(input: &[u8]) {
    let a = analyze(input, &RULES);
    assert_eq!(a.total_bytes, input.len() as u64);
    assert!(a.key_lines.len() <= 20);
    for &l in &a.key_lines {
        assert!(l >= 1 && u64::from(l) <= a.total_lines, "key line {l} of {}", a.total_lines);
    }
    assert_eq!(a.verdict.category.as_str().parse::<ci_triage::Category>(), Ok(a.verdict.category));
    let json = serde_json::to_string(&a).unwrap();
    let back: ci_triage::Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    let _ = a.render_text();
}

#[test]
fn empty_input() {
    let a = analyze(&b""[..], &RULES);
    assert_eq!(a.verdict.category, ci_triage::Category::Unknown);
    assert!(a.key_lines.is_empty() && a.failures.is_empty() && a.counts.is_none());
    assert_eq!(a.total_lines, 0);
}

#[test]
fn binary_garbage_and_invalid_utf8() {
    let mut junk = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        junk.push((x >> 16) as u8);
    }
    check_invariants(&junk);
    check_invariants(b"\xff\xfe\x00error: \xc3\x28 bad\n\x1b[31merror[E0308]: \xe2\x82\n");
}

#[test]
fn ten_megabyte_single_line_is_cut_for_matching_but_counted() {
    let mut big = vec![b'a'; 10 * 1024 * 1024];
    big.extend_from_slice(b" error: at the very end\nerror: second line\n");
    let a = analyze(&big[..], &RULES);
    assert_eq!(a.total_lines, 2);
    assert_eq!(a.total_bytes, big.len() as u64);
    // The tail of line 1 is past the 64 KiB cap; line 2 is still seen.
    assert_eq!(a.key_lines.first(), Some(&2));
}

#[test]
fn no_trailing_newline_and_crlf() {
    let a = analyze(&b"ok\r\nerror[E0308]: mismatched types\r\nend"[..], &RULES);
    assert_eq!(a.key_lines.first(), Some(&2));
    assert_eq!(a.total_lines, 3);
}

#[test]
fn truncated_zip_is_an_error_not_a_panic() {
    let zip = make_zip(&[("0_build.txt", b"error: boom\n"), ("build/1_Run tests.txt", b"error: boom\n")]);
    assert!(is_zip(&zip));
    let jobs = analyze_zip(std::io::Cursor::new(zip.clone()), &RULES).unwrap();
    // Only the top-level job log: the step files repeat it.
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].0, "0_build.txt");
    assert_eq!(jobs[0].1.key_lines, vec![1]);
    for cut in [4, 30, zip.len() / 2, zip.len() - 10] {
        let r = analyze_zip(std::io::Cursor::new(zip[..cut].to_vec()), &RULES);
        assert!(r.is_err(), "cut at {cut} should not parse");
    }
}

fn make_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check_invariants(&input);
    }

    #[test]
    fn random_log_like_lines_never_panic(lines in proptest::collection::vec(
        prop_oneof![
            Just("2025-01-01T00:00:00.0000000Z ##[group]Run x".to_string()),
            Just("##[endgroup]".to_string()),
            Just("##[error]Process completed with exit code 1.".to_string()),
            Just("\x1b[31merror\x1b[0m: failed".to_string()),
            Just("FAILED tests/a.py::test_b - AssertionError".to_string()),
            Just("Traceback (most recent call last):".to_string()),
            "[ -~\t\x1b\r]{0,120}",
        ], 0..60)) {
        check_invariants(lines.join("\n").as_bytes());
    }
}
