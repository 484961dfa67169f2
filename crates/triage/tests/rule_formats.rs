//! Error formats that no log in the shared datasets shows, written as the
//! tools document them. A rule is only tried on lines holding one of its
//! triggers, so each case also fails when the triggers miss the format.

use ci_triage::{analyze, RuleSet};

fn first_failure(log: &str) -> (u32, String, String) {
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    let f = a.failures.first().unwrap_or_else(|| panic!("no failure in {log:?}"));
    (a.key_lines[0], f.rule.clone(), f.category.to_string())
}

/// Each log's first failure comes from rule `want.0`, category `want.1`.
fn assert_first_rules(cases: &[(String, (&str, &str))]) {
    for (log, want) in cases {
        let (_, rule, category) = first_failure(log);
        assert_eq!((rule.as_str(), category.as_str()), *want, "{log}");
    }
}

#[test]
fn nvcc_and_hipcc_errors_name_the_source_line() {
    for (file, line) in [("kernels/attention.cu", 118), ("csrc/moe.cuh", 7), ("csrc/rocm/gemm.hip", 42)] {
        let log = format!(
            "-- Configuring done\n[ 12%] Building CUDA object CMakeFiles/ops.dir/{file}.o\n{file}({line}): error: identifier \"half2\" is undefined\n1 error detected in the compilation of \"{file}\".\n"
        );
        assert_eq!(first_failure(&log), (3, "nvcc-error".to_string(), "compilation".to_string()), "{file}");
    }
}

#[test]
fn zero_counts_are_passing_audits_not_lint_failures() {
    for line in [
        "✖ 3 problems (0 errors, 3 warnings)",
        "[INFO] You have 0 Checkstyle violations.",
        "[INFO] There are 0 errors reported by Checkstyle 8.29 with sun_checks.xml ruleset.",
    ] {
        let a = analyze(format!("Running checks\n{line}\nDone\n").as_bytes(), &RuleSet::builtin());
        assert!(a.failures.is_empty(), "{line}: {:?}", a.failures);
    }
    let (line, rule, _) = first_failure("✖ 3 problems (0 errors, 3 warnings)\nESLint found too many warnings (maximum: 0).\n");
    assert_eq!((line, rule.as_str()), (2, "eslint-summary"));
    let (line, rule, _) = first_failure("✖ 4 problems (1 error, 3 warnings)\n");
    assert_eq!((line, rule.as_str()), (1, "eslint-summary"));
}

#[test]
fn go_linters_split_findings_from_code_that_does_not_compile() {
    // golangci-lint and staticcheck, as printed and as `##[error]` annotations.
    assert_first_rules(&[
        ("pkg/rpc/tls.go:347:24: unchecked error (errcheck)", ("golangci-lint-issue", "lint")),
        ("##[error]internal/lang/functions.go:176:17: func (*Scope).experimentalFunction is unused (unused)", ("golangci-lint-issue", "lint")),
        ("##[error]internal/command/credentials_test.go:89:4: undeclared name: os (typecheck)", ("go-typecheck-error", "compilation")),
        ("internal/backend_test.go:564:24: cannot use \"remote\" as bool value in struct literal (compile)", ("go-typecheck-error", "compilation")),
        ("main.go:12:3: undefined: x", ("go-build-error", "compilation")),
    ].map(|(line, want)| (format!("{line}\n"), want)));
}

#[test]
fn node_reports_a_missing_package_not_typescript() {
    assert_first_rules(&[
        (
            "node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '@typescript-eslint/parser'\nRequire stack:\n".to_string(),
            ("node-module-not-found", "dependency"),
        ),
        ("src/a.ts(4,26): error TS2307: Cannot find module 'victory' or its corresponding type declarations.\n".to_string(), ("tsc-error", "compilation")),
    ]);
}

#[test]
fn jest_and_vitest_matchers_are_the_assertion_that_failed() {
    // Alone, as Playwright prints them under its own headers.
    assert_first_rules(&[
        "    expect(received).toBe(expected) // Object.is equality",
        "    Error: expect(locator).toBeVisible()",
        "    expect(jest.fn()).not.toHaveBeenCalled()",
        "    expect(promise).rejects.toThrow()",
    ].map(|line| (format!("{line}\n"), ("js-expect-failure", "test_failure"))));
}

#[test]
fn git_refusing_a_checkout_is_the_workflow_or_the_ref_not_the_code() {
    assert_first_rules(&[
        ("fatal: unsafe repository ('/github/workspace' is owned by someone else)", ("git-unsafe-repository", "config")),
        ("fatal: detected dubious ownership in repository at '/__w/repo/repo'", ("git-unsafe-repository", "config")),
        ("fatal: Remote branch feature/readme not found in upstream origin", ("git-fetch", "infra")),
    ].map(|(line, want)| (format!("$ git clone --depth=50 --branch=x https://github.com/o/r.git o/r\n{line}\n"), want)));
}
