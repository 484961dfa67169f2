//! What a failure line is worth as evidence.
//!
//! - **Generic** lines say only *that* something failed ("Process completed
//!   with exit code 1", "The operation was canceled", `make: *** Error 2`).
//!   Two jobs that both print one are not "the same failure": Dr. CI
//!   matched such captures and called PR-caused build failures flaky
//!   (pytorch/test-infra#5063, #4741). Here they never justify FLAKY or
//!   BROKEN ON BASE.
//! - **Machine-level** lines (runner lost, network, runner killed for
//!   memory, registry down) make a job INFRA. Crashes inside the process
//!   (segfault, GPU fault, a CUDA/HIP out-of-memory) are not on that list:
//!   a change can cause them, so they go through the base comparison like
//!   any failure.
//! - **Job names** are compared without shard indices, so `test (3, 8)` on
//!   the head and `test (5, 8)` on the base are the same job.

use std::sync::LazyLock;

use regex::Regex;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// Phrases that only say a step or job failed or stopped.
static GENERIC: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)process completed with exit code -?\d+\.?",
        r"(?i)\b(?:command|script|process|step)s? (?:failed|returned|exited)(?: with)?(?: exit)? (?:code|status)[: ]*-?\d+\.?",
        r"(?i)\b(?:exited|exit|failed)(?: with)?(?: exit)? (?:code|status)[: ]*-?\d+\.?",
        r#"(?i)"[^"]*" exited with -?\d+\.?"#,
        r"(?i)\bthe (?:operation|job|run) was cancell?ed\.?",
        r"(?i)\bcancell?ing since a higher priority waiting request.*",
        r"(?i)\bcancell?ed\b\.?",
        r"(?i)make(?:\[\d+\])?: \*\*\* .*error \d+\.?",
        r"(?i)\bnpm err! code elifecycle",
        r"(?i)\belifecycle\b",
        r"(?i)\bbuild failure\b",
        r"(?i)failed step `[^`]*` \(no failure line recognised\)",
        // Build-tool summaries: the cause is above them, not in them.
        r"(?i)failure: build failed with an exception\.?",
        r"(?i)\bbuild failed(?: with an exception)?\.?",
        r"(?i)\bexecution failed for task '[^']*'\.?",
        r"(?i)\bcompilation (?:error|failure)s?\b\s*:?",
        r"(?i)\bcould not compile\b.*",
        r"(?i)\baborting due to (?:\d+ )?previous errors?\b.*",
        r"(?i)\bcannot find symbol\b",
        r"(?i)\btests? failed\b\.?",
        r"(?i)^\s*\d+ (?:failing|failed|failures?|errors?)\b\.?",
        r"(?i)\bthere (?:were|was) (?:\d+ )?(?:test )?failures?\b.*",
        r"(?i)\bfiles were modified by this hook\b",
        r"(?i)\bno failure line recognised\b",
        r"(?i)\b(?:the )?updater encountered one or more errors\.?",
        // Log levels and list markers around the phrase.
        r"(?i)\[(?:info|error|err|warn(?:ing)?|debug|fatal|fail(?:ed|ure)?)\]",
        r"^\s*(?:\d+\)|[-*•])\s*",
        r"(?i)^##\[error\]",
        r"(?i)^\s*(?:error|fatal|failed|failure|info|warn(?:ing)?)\b[:!.]?",
    ]
    .iter()
    .map(|s| re(s))
    .collect()
});

/// True when `message` names no cause: once the generic phrases are
/// removed, fewer than four letters are left.
pub fn is_generic(message: &str) -> bool {
    let mut rest = message.to_string();
    for r in GENERIC.iter() {
        rest = r.replace_all(&rest, " ").into_owned();
    }
    rest.chars().filter(|c| c.is_alphabetic()).count() < 4
}

/// Crashes of the process under test: a change can cause them.
static CODE_CRASH: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)segmentation fault|sigsegv|core dumped|fatal python error|sigabrt|\baborted\b|bus error|illegal memory access|memory access fault|misaligned address|device-side assert|unspecified launch failure|outofmemoryerror|cuda out of memory|(?:cuda|hip|rocm) error: out of memory|cuda_error_out_of_memory|hiperroroutofmemory|std::bad_alloc|memoryerror|heap out of memory|memory allocation of")
});

/// True when a failure of a job triaged as `category` with this message is
/// the machine's fault, not the code's.
pub fn is_machine_level(category: Option<&str>, message: &str) -> bool {
    matches!(category, Some("infra") | Some("oom")) && !CODE_CRASH.is_match(message)
}

static SHARD: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+(?:\s*/\s*\d+)?$"));

/// A job's identity across commits: lower case, shard numbers dropped from
/// the matrix values in parentheses.
pub fn job_key(workflow: &str, name: &str) -> String {
    let name = name.trim();
    let normalised = match (name.rfind(" ("), name.ends_with(')')) {
        (Some(open), true) => {
            let inner = &name[open + 2..name.len() - 1];
            let kept: Vec<&str> = inner.split(',').map(str::trim).filter(|p| !SHARD.is_match(p)).collect();
            if kept.is_empty() {
                name[..open].to_string()
            } else {
                format!("{} ({})", &name[..open], kept.join(", "))
            }
        }
        _ => name.to_string(),
    };
    format!("{}\u{1f}{}", workflow.trim().to_lowercase(), normalised.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_captures() {
        for g in [
            "Process completed with exit code 1.",
            "##[error]Process completed with exit code 137.",
            "Error: Process completed with exit code 2",
            "The operation was canceled.",
            "make: *** [Makefile:12: test] Error 2",
            "npm ERR! code ELIFECYCLE",
            "failed step `Run tests` (no failure line recognised)",
            "error: command failed with exit code 1",
            "[INFO] BUILD FAILURE",
            "FAILURE: Build failed with an exception.",
            "[ERROR] COMPILATION ERROR :",
            "Execution failed for task ':test'.",
            "error: build failed",
            "1 failing",
            "1)",
            "error: aborting due to previous error",
            "no failure line recognised",
            "ERROR: \"test:curriculum\" exited with 1.",
            "",
        ] {
            assert!(is_generic(g), "{g:?} should be generic");
        }
        for s in [
            "AssertionError: expected 0.6 got 0.58",
            "FAILED test/srt/test_eval.py::TestEval::test_mmlu - assert 0.58 >= 0.6",
            "error[E0308]: mismatched types",
            "ModuleNotFoundError: No module named 'flash_attn'",
            "CUDA out of memory. Tried to allocate 2.00 GiB",
            "class file has wrong version 55.0, should be 52.0",
            "PackagesNotFoundError: The following packages are not available from current channels:",
            "[ERROR] /src/main/java/Foo.java:[12,8] cannot find symbol: class Bar",
            "1) window namespace tests issue #25801 - default column when opening a file:",
        ] {
            assert!(!is_generic(s), "{s:?} is specific");
        }
    }

    #[test]
    fn machine_level_excludes_crashes_a_change_can_cause() {
        assert!(is_machine_level(Some("infra"), "The runner has received a shutdown signal."));
        assert!(is_machine_level(Some("infra"), "Could not resolve host: github.com"));
        assert!(is_machine_level(Some("oom"), "Killed process 1234 (python) total-vm:..."));
        assert!(!is_machine_level(Some("infra"), "Segmentation fault (core dumped)"));
        assert!(!is_machine_level(Some("infra"), "Memory access fault by GPU node-2"));
        assert!(!is_machine_level(Some("oom"), "torch.OutOfMemoryError: CUDA out of memory."));
        assert!(!is_machine_level(Some("test_failure"), "Connection refused"));
    }

    #[test]
    fn shard_numbers_do_not_make_another_job() {
        assert_eq!(job_key("CI", "test (3, 8)"), job_key("ci", "test (5, 8)"));
        assert_eq!(job_key("CI", "unit (linux-mi325-gpu-1, 0)"), job_key("CI", "unit (linux-mi325-gpu-1, 2)"));
        assert_ne!(job_key("CI", "unit (linux-mi325-gpu-1)"), job_key("CI", "unit (linux-mi300-gpu-1)"));
        assert_eq!(job_key("CI", "stage-a 1/4"), job_key("CI", "stage-a 1/4"));
        assert_ne!(job_key("CI", "build"), job_key("Nightly", "build"));
    }
}
