//! The `::add-mask::` values a run learns from a log: the engine hands the
//! learner the lines that may hold a command (`ci_triage::analyze_watching`)
//! instead of the learner reading every byte again (`ci_redact::LearningReader`).
//! Both must learn the same values, whatever the lines look like.

use ci_redact::{LearnedSecrets, LearningReader};
use std::io::Read;

/// Values learned by reading the whole log through the learning reader.
fn by_reader(log: &[u8]) -> Vec<String> {
    let mut r = LearningReader::new(log);
    let mut sink = Vec::new();
    r.read_to_end(&mut sink).expect("reads from memory");
    r.into_learned().values().map(str::to_string).collect()
}

/// Values learned from the lines the engine hands over.
fn by_engine(log: &[u8]) -> Vec<String> {
    let mut learned = LearnedSecrets::new();
    ci_triage::analyze_watching(log, &ci_triage::RuleSet::builtin(), None, &mut |line| learned.observe_bytes(line));
    learned.values().map(str::to_string).collect()
}

#[test]
fn the_engine_hands_over_every_line_a_learner_learns_from() {
    let cases: &[&[u8]] = &[
        b"2026-01-01T00:00:00.1234567Z ::add-mask::s3cret-value-1\nnext\n",
        b"\xef\xbb\xbf::add-mask::s3cret-value-bom\n",
        b"2026-01-01T00:00:00.1234567Z ::add-mask::s3cret-value-crlf\r\n",
        b"::add-mask::s3cret-value-before-redraw\rprogress 50%\n",
        b"progress 50%\r::add-mask::s3cret-value-after-redraw\n",
        b"\x1b[0m::add-mask::s3cret-value-colour\x1b[0m\n",
        b"  ##[add-mask]s3cret-value-legacy\n",
        b"+ echo '::ADD-MASK::s3cret-value-upper'\n",
        b"build\tRun tests\t2026-01-01T00:00:00.1234567Z ::add-mask::s3cret-value-columns\n",
        b"no newline at the end ::add-mask::not-at-line-start\n::add-mask::s3cret-value-last",
    ];
    for log in cases {
        assert_eq!(by_engine(log), by_reader(log), "{}", String::from_utf8_lossy(log));
    }
    // A command past the engine's line cap is no command: its value would
    // be longer than a mask value can be.
    let mut long = b"::add-mask::".to_vec();
    long.extend(std::iter::repeat_n(b'x', ci_triage::MAX_LINE + 10));
    long.push(b'\n');
    assert_eq!(by_engine(&long), by_reader(&long));
}

#[test]
fn the_engine_learns_what_the_reader_learns_from_a_real_log() {
    // The one dataset log spelling `add-mask`: inside a 65 KB line of
    // minified JavaScript (the `@actions/core` bundle), which declares
    // nothing, so neither route may learn anything from it.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets/logsage_gha/logs/pixijs__pair_2.fail.log");
    let Ok(log) = std::fs::read(path) else {
        eprintln!("SKIP: {path} not found");
        return;
    };
    let want = by_reader(&log);
    assert_eq!(by_engine(&log), want);
    assert!(want.is_empty(), "{want:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
    /// Any mix of commands, timestamps, colours, redraws, byte-order marks
    /// and invalid UTF-8: both routes learn the same values.
    #[test]
    fn both_routes_learn_the_same_values(parts in proptest::collection::vec(0usize..17, 0..60)) {
        const PARTS: [&[u8]; 17] = [
            b"2026-01-01T00:00:00.1234567Z ",
            b"::add-mask::",
            b"##[add-mask]",
            b"::ADD-MASK::",
            b"s3cret-value-",
            b"\n",
            b"\r\n",
            b"\xff\xfe",
            b"+ echo '",
            b"' ",
            b"                                ",
            b"caf\xc3\xa9",
            b"\x1b[31m",
            b"\x1b[0m",
            b"\r",
            b"\x1b",
            b"\xef\xbb\xbf",
        ];
        let log: Vec<u8> = parts.iter().enumerate().flat_map(|(k, &p)| {
            let mut v = PARTS[p].to_vec();
            if p == 4 {
                v.extend_from_slice(k.to_string().as_bytes());
            }
            v
        }).collect();
        proptest::prop_assert_eq!(by_engine(&log), by_reader(&log));
    }
}
