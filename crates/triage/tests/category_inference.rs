//! Category from evidence (issue #13, cat14): when the best line says only
//! *that* something failed, the verdict reads what failed (a build tool's
//! statement, the failing step or command) and the vocabulary of the best
//! lines and their neighbours. Checked on real tool output from the tune
//! parts of `eval/realtools` (jvm, native, scripting, pytorch, gitlab_rust;
//! `misc` and `fresh` are held out), mostly with `--ruleset generic`, where
//! no rule knows the format and only this reasoning decides.

use ci_triage::{analyze, Analysis, RuleSet};

fn case(part: &str, id: &str, rules: &RuleSet) -> Analysis {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/realtools").join(part).join("cases").join(format!("{id}.log"));
    let log = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    analyze(&log[..], rules)
}

fn generic(part: &str, id: &str) -> Analysis {
    case(part, id, &RuleSet::generic())
}

/// `(category, basis, evidence)`.
fn why(a: &Analysis) -> (&str, Option<&str>, Option<&str>) {
    (a.verdict.category.as_str(), a.verdict.basis.as_deref(), a.verdict.evidence.as_deref())
}

#[test]
fn compiler_words_decide_a_log_without_steps() {
    // Travis, Maven, no rule: `[ERROR] …/Ledger.java:[46,9] cannot find symbol`.
    let a = generic("jvm", "mvn-compile-cannot-find-symbol");
    assert_eq!(why(&a), ("compilation", Some("key_line_words"), Some("line 179: `cannot find symbol`")));
    assert_eq!(a.verdict.flaky, Some(false));
}

#[test]
fn a_test_step_whose_code_does_not_compile_is_compilation() {
    // The step is `Run mvn -B test`, but the tests never ran: javac refused them.
    let a = generic("jvm", "mvn-compile-incompatible-types");
    assert_eq!(a.failing_step.as_deref(), Some("Run mvn -B test"));
    assert_eq!(why(&a), ("compilation", Some("key_line_words"), Some("line 57: `incompatible types`")));
}

#[test]
fn a_test_that_ran_out_of_memory_is_oom() {
    // `mvn test` failed; the test's error is `java.lang.OutOfMemoryError: Java heap space`.
    let a = generic("jvm", "mvn-surefire-oom");
    assert_eq!(why(&a), ("oom", Some("key_line_words"), Some("line 92: `OutOfMemoryError`")));
}

#[test]
fn outside_causes_beat_the_step_name() {
    // A GitLab `cargo test` job whose pod was evicted: the runner failed, not the tests.
    let a = generic("gitlab_rust", "sys-pod-disrupted");
    assert_eq!(why(&a), ("infra", Some("key_line_words"), Some("line 46: `system failure`")));
    // A network or runner failure read from the words is intermittent.
    assert_eq!(a.verdict.flaky, Some(true));
    // Cargo refusing to update a lock file under `--locked` in a build step.
    let a = generic("gitlab_rust", "t3-stale-lockfile");
    assert_eq!(why(&a), ("dependency", Some("key_line_words"), Some("line 32: `cannot update the lock file`")));
}

#[test]
fn lint_config_dependency_and_test_vocabulary() {
    assert_eq!(why(&generic("jvm", "checkstyle-cli-javadoc")), ("lint", Some("key_line_words"), Some("line 34: `Missing a Javadoc`")));
    assert_eq!(why(&generic("jvm", "mvn-enforcer-java")), ("config", Some("key_line_words"), Some("line 29: `RequireJavaVersion`")));
    assert_eq!(why(&generic("native", "make_missing_separator")).0, "config");
    assert_eq!(
        why(&generic("scripting", "r-missing-package")),
        ("dependency", Some("key_line_words"), Some("line 52: `there is no package called`"))
    );
    assert_eq!(why(&generic("pytorch", "assert-close-float")), ("test_failure", Some("key_line_words"), Some("line 376: `AssertionError`")));
}

#[test]
fn a_build_tools_statement_names_the_tool() {
    // Gradle's `Execution failed for task ':javadoc'.`
    let a = generic("jvm", "gradle-javadoc");
    assert_eq!(why(&a), ("docs", Some("failing_tool"), Some("line 71: `:javadoc` failed")));
    assert_eq!(a.verdict.tool.as_deref(), Some(":javadoc"));
}

#[test]
fn a_test_steps_own_words_keep_it_a_test_failure() {
    // prove's `Parse errors: No plan found in TAP output` is TAP's, not a compiler's.
    let a = generic("scripting", "perl-die");
    assert_eq!(why(&a), ("test_failure", Some("failing_step"), Some("`Test`")));
}

#[test]
fn the_full_ruleset_uses_it_only_where_rules_say_nothing() {
    let full = RuleSet::builtin();
    // A rule knows it: the rule decides, no words are reported.
    let a = case("jvm", "mvn-compile-cannot-find-symbol", &full);
    assert_eq!(a.verdict.category.as_str(), "compilation");
    assert_eq!(a.verdict.evidence, None);
    // No rule knows make's `*** missing separator.  Stop.`: it was read as
    // the `Run make` step's compilation; the words say the Makefile is wrong.
    let a = case("native", "make_missing_separator", &full);
    assert_eq!(why(&a), ("config", Some("key_line_words"), Some("line 56: `missing separator`")));
    // Ant's `[java] Exception in thread "main"`: the program the job ran crashed.
    let a = case("jvm", "t4-ant-java-exception", &full);
    assert_eq!(why(&a).0, "test_failure");
}
