//! The streaming core cuts lines out of 256 KiB buffers and prunes
//! candidates that cannot reach the output; neither may change a result.

use ci_triage::{analyze, RuleSet};

/// Filler lines of varying length, so buffer edges fall everywhere.
fn filler(n: usize, seed: usize) -> Vec<String> {
    (0..n).map(|i| format!("step output {} {}", i, "x".repeat((i * 7 + seed) % 90))).collect()
}

#[test]
fn context_is_right_on_both_sides_of_a_buffer_edge() {
    let rules = RuleSet::builtin();
    for seed in 0..24 {
        let mut lines = filler(6000, seed);
        // Put a compiler error on every line around the first buffer edge.
        let mut bytes = 0;
        let edge = lines.iter().position(|l| {
            bytes += l.len() + 1;
            bytes > 256 * 1024
        });
        let edge = edge.expect("log longer than one buffer");
        let at = edge + seed % 5 - 2;
        lines[at] = format!("error[E0308]: mismatched types {seed}");
        let log = lines.join("\n") + "\n";
        let a = analyze(log.as_bytes(), &rules);
        assert_eq!(a.key_lines[0] as usize, at + 1, "seed {seed}");
        let ex = &a.excerpts[0];
        assert_eq!(ex.context.len(), 7, "3 before, the line, 3 after (seed {seed})");
        for c in &ex.context {
            assert_eq!(c.text, lines[c.no as usize - 1], "seed {seed} line {}", c.no);
        }
        assert_eq!(ex.context[0].no as usize, at - 2);
        assert_eq!(a.total_lines, 6000);
    }
}

#[test]
fn error_dense_logs_keep_the_first_lines_of_each_kind() {
    // 5,000 `[ERROR]` lines of one priority: the first twenty are the key
    // lines, in order, whatever is pruned after them.
    let mut log = String::new();
    for i in 0..5000 {
        log.push_str(&format!("[ERROR] something broke in module {i}\n"));
    }
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.key_lines, (1..=20).collect::<Vec<u32>>());
    assert_eq!(a.total_lines, 5000);
}

#[test]
fn a_line_longer_than_the_buffer_is_one_line() {
    let mut log = "first\n".to_string();
    log.push_str(&"y".repeat(600 * 1024));
    log.push_str("\nerror: after the long line\nlast");
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.total_lines, 4);
    assert_eq!(a.key_lines[0], 3);
}

/// A reader that hands out at most a few bytes per call, as a pipe might.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
    calls: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.calls += 1;
        let n = (1 + (self.calls * 7919) % self.step).min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn short_reads_give_the_same_analysis_as_one_buffer() {
    let rules = RuleSet::builtin();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("log") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let whole = serde_json::to_string(&analyze(&data[..], &rules)).unwrap();
        for step in [3, 64, 5000] {
            let trickled = analyze(Trickle { data: &data, step, calls: 0 }, &rules);
            assert_eq!(serde_json::to_string(&trickled).unwrap(), whole, "{} in reads of up to {step} bytes", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 5, "fixtures found: {seen}");
}

#[test]
fn lines_matched_as_bytes_agree_with_their_lossy_text() {
    // Plain lines are matched as raw bytes and only checked for UTF-8 when a
    // trigger (or a parser) needs their text: an invalid byte before a
    // trigger, a trigger split by one, and a line with colour codes must
    // read as their lossy text does (the same JSON as the engine that
    // validated every line, checked by hand on this log).
    let log: &[u8] = b"2025-01-01T00:00:00.0Z plain output\n\
        2025-01-01T00:00:00.0Z err\xffor: not a trigger once split\n\
        2025-01-01T00:00:00.0Z \x1b[31merror\x1b[0m: cannot find value `x`\n\
        2025-01-01T00:00:00.0Z \xEF\xBB\xBFdone\n\
        2025-01-01T00:00:00.0Z \xff oops Error: disk quota exceeded\n";
    let a = analyze(log, &RuleSet::builtin());
    assert_eq!(a.total_lines, 5);
    assert_eq!(a.key_lines, vec![5, 3]);
    let line5 = a.excerpts[0].context.iter().find(|l| l.no == 5).expect("line 5 in its excerpt");
    assert_eq!(line5.text, "\u{fffd} oops Error: disk quota exceeded");
    let messages: Vec<&str> = a.failures.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["\u{fffd} oops Error: disk quota exceeded", "error: cannot find value `x`"]);
}

#[test]
fn a_repository_trigger_with_a_replacement_character_sees_lossy_text() {
    // Lines are matched as raw bytes only while no trigger holds U+FFFD:
    // a repository rule that looks for the replacement character (a binary
    // blob in the log) must still find it where invalid bytes were.
    let rules = RuleSet::with_overrides(
        "[[rule]]\nname = 'binary-output'\ncategory = 'config'\npriority = 95\npattern = '\u{FFFD}{2}'\ntriggers = ['\u{FFFD}\u{FFFD}']\n",
    )
    .expect("valid override");
    let log: &[u8] = b"plain output\nbinary \xff\xfe here\nmore output\n";
    let a = analyze(log, &rules);
    assert_eq!(a.key_lines.first(), Some(&2), "{:?}", a.key_lines);
}

/// A rule's trigger hits are counted where they are until there have
/// been hundreds, then only where its pattern's leading literal may stand
/// (`Gate`): a match is found the same before and after that switch.
#[test]
fn rules_match_the_same_after_their_triggers_are_gated() {
    let rules = RuleSet::builtin();
    let mut lines = Vec::new();
    // Different words, not numbers: numbers are normalised away, and two
    // failures that differ only there are one.
    let cause = |lines: &mut Vec<String>, k: &str| {
        lines.push("* What went wrong:".to_string());
        lines.push(format!("Execution failed for task ':module{k}:compileJava'."));
        lines.push(format!("> Could not resolve all files for configuration ':module{k}:compileClasspath'."));
        lines.push(format!("   > Could not find com.example:lib{k}:1.0."));
        lines.push(format!("In scripts/check_{k}.sh line 7:"));
        lines.push("  ^-- SC2086: Double quote to prevent globbing and word splitting.".to_string());
    };
    cause(&mut lines, "alpha");
    // Thousands of lines with Gradle's `> ` and shellcheck's `in ` where
    // those patterns cannot match.
    for i in 0..3000 {
        lines.push(format!("resolved dep{i} => 1.{i}.0 in the cache (step -> {i})"));
    }
    cause(&mut lines, "omega");
    let log = lines.join("\n") + "\n";
    let a = analyze(log.as_bytes(), &rules);
    let found = |text: &str| {
        let no = lines.iter().position(|l| l == text).expect("line in log") as u32 + 1;
        a.failures.iter().find(|f| f.line == no).map(|f| f.rule.clone())
    };
    for k in ["alpha", "omega"] {
        assert_eq!(found(&format!("   > Could not find com.example:lib{k}:1.0.")).as_deref(), Some("gradle-report-cause-nested"), "cause {k}");
        assert_eq!(found(&format!("In scripts/check_{k}.sh line 7:")).as_deref(), Some("shellcheck-tty"), "cause {k}");
    }
}
