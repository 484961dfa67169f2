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

/// `(log, (rule, category))` with the log's first line as its only failure line.
fn cases(v: &[(&str, (&'static str, &'static str))]) -> Vec<(String, (&'static str, &'static str))> {
    v.iter().map(|(l, w)| (format!("{l}\n"), *w)).collect()
}

#[test]
fn build_systems_name_what_is_missing() {
    assert_first_rules(&cases(&[
        ("CMake Error at CMakeLists.txt:12 (find_package):", ("cmake-find-failed", "dependency")),
        ("  Could NOT find ZLIB (missing: ZLIB_LIBRARY ZLIB_INCLUDE_DIR)", ("cmake-find-failed", "dependency")),
        ("CMake Error at src/CMakeLists.txt:40 (add_executable):", ("cmake-error", "compilation")),
        ("configure: error: Package requirements (glib-2.0 >= 2.50) were not met:", ("configure-missing", "dependency")),
        ("configure: error: C compiler cannot create executables", ("configure-error", "compilation")),
        ("meson.build:14:0: ERROR: Dependency \"libpng\" not found, tried pkgconfig and cmake", ("configure-missing", "dependency")),
        ("ninja: error: 'src/gen.c', needed by 'obj/gen.o', missing and no known rule to make it", ("ninja-error", "compilation")),
        ("make: *** No rule to make target 'src/parser.c', needed by 'parser.o'.  Stop.", ("make-no-rule", "compilation")),
        ("! LaTeX Error: File `tikz-cd.sty' not found.", ("latex-missing-file", "dependency")),
        ("! Undefined control sequence.", ("latex-error", "docs")),
        ("./chapters/intro.tex:42: Missing $ inserted.", ("latex-error", "docs")),
        ("* checking Rd cross-references ... ERROR", ("r-cmd-check-docs", "docs")),
    ]));
    // Logback's `Could NOT find resource [logback.xml]` is not CMake.
    let a = analyze("15:22:10,863 |-INFO in ch.qos.logback.classic.LoggerContext[default] - Could NOT find resource [logback.xml]\n".as_bytes(), &RuleSet::builtin());
    assert!(a.failures.is_empty(), "{:?}", a.failures);
}

#[test]
fn machines_registries_and_clouds_that_fail_are_flaky() {
    let flaky = |log: &str| analyze(log.as_bytes(), &RuleSet::builtin()).verdict.flaky;
    for (line, rule, category) in [
        ("ERROR: Job failed (system failure): prepare environment: Error response from daemon: container create failed", "gitlab-system-failure", "infra"),
        ("Error: pod failed to come online with error: Error: Pod acme-runner-x7k2-workflow is unhealthy with phase status Failed", "k8s-pod-lost", "infra"),
        ("upload failed: test/test-reports/a.xml to s3://gha-artifacts/a.xml An error occurred (SlowDown) when calling the PutObject operation (reached max retries: 4): Please reduce your request rate.", "s3-transient", "infra"),
        ("error An unexpected error occurred: \"https://registry.yarnpkg.com/react/-/react-18.2.0.tgz: ESOCKETTIMEDOUT\".", "registry-network", "infra"),
        ("E: Failed to fetch http://archive.ubuntu.com/ubuntu/pool/main/c/curl/curl_7.81.0-1ubuntu1.15_amd64.deb  404  Not Found [IP: 91.189.91.82 80]", "registry-network", "infra"),
        ("[ 1234.567890] Out of memory: Killed process 4321 (rustc) total-vm:81234567kB", "oom-kernel-kill", "oom"),
        ("error: failed to download from `https://static.crates.io/crates/serde/1.0.200/download`", "cargo-download", "dependency"),
    ] {
        let log = format!("{line}\n");
        assert_eq!(first_failure(&log).1, rule, "{line}");
        assert_eq!(first_failure(&log).2, category, "{line}");
        assert_eq!(flaky(&log), Some(true), "{line}");
    }
    for (line, rule) in [
        ("An error occurred (AccessDenied) when calling the PutObject operation: Access Denied", "s3-access"),
        ("ERROR: Job failed: execution took longer than 1h0m0s seconds", "gitlab-job-timeout"),
    ] {
        let log = format!("{line}\n");
        assert_eq!(first_failure(&log).1, rule, "{line}");
        assert_ne!(flaky(&log), Some(true), "{line}");
    }
}

#[test]
fn pytorch_conventions() {
    assert_first_rules(&cases(&[
        ("RuntimeError: test_nn 1/1 failed!", ("pytorch-test-file-failed", "test_failure")),
        ("Process 2 exited with error code 10 and exception:", ("pytorch-distributed-process", "test_failure")),
        ("RuntimeError: Timed out initializing process group in store based barrier on rank 3, for key: store_based_barrier_key:1", ("distributed-setup-timeout", "timeout")),
        ("  Error (MYPY) [attr-defined]", ("lintrunner-issue", "lint")),
        ("Command took >30min, returning 124", ("pytorch-run-test-timeout", "timeout")),
        ("test_cuda.py::TestCuda::test_from_blob Fatal Python error: Segmentation fault", ("pytest-test-crashed", "test_failure")),
        ("botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://s3.amazonaws.com/gha-artifacts/x.zip\"", ("botocore-endpoint-unreachable", "infra")),
        // torch9: what pytest prints inside a failing test (`E` prefix)
        ("E           cc1plus: error: bad value ‘skylake-avx1024’ for ‘-march=’ switch", ("inductor-cpp-compile-output", "compilation")),
        ("E           /tmp/torchinductor_jenkins/ab/cabc.cpp:12:5: error: ‘vec’ was not declared in this scope", ("inductor-cpp-compile-output", "compilation")),
        ("E       torch._inductor.exc.InductorError: InvalidCxxCompiler: No working C++ compiler found in torch._inductor.config.cpp.cxx: ('g++-13',)", ("inductor-invalid-cxx-compiler", "compilation")),
        ("E   MemoryError", ("pytest-torch-out-of-memory", "oom")),
        ("E       RuntimeError: [enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 68719476736 bytes. Error code 12 (Cannot allocate memory)", ("pytest-torch-out-of-memory", "oom")),
        ("E       torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 22.05 GiB of which 1.06 GiB is free.", ("pytest-torch-gpu-out-of-memory", "oom")),
        ("E           RuntimeError: [/__w/pytorch/pytorch/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:78] Timed out waiting 3000ms for recv operation to complete", ("torch-distributed-timeout", "timeout")),
        ("torch.distributed.DistBackendError: [../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete", ("torch-distributed-timeout", "timeout")),
        ("E       RuntimeError: CUDA error: device-side assert triggered", ("pytest-cuda-fault", "infra")),
        ("E       torch.AcceleratorError: CUDA error: an illegal memory access was encountered", ("pytest-cuda-fault", "infra")),
        ("E           RuntimeError: Process 1 exited with error code 10 and exception:", ("pytorch-distributed-process-pytest", "test_failure")),
    ]));
    // A test class named after the process group is not NCCL's own message.
    let log = "FAILED distributed/test_c10d_nccl.py::ProcessGroupNCCLTest::test_barrier - AssertionError: timed out\n";
    assert_ne!(first_failure(log).1, "nccl-hang");
}

#[test]
fn wrappers_rank_below_what_they_wrap() {
    let log = "\
E       torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:
E       CppCompileError: C++ compile error
";
    assert_eq!(first_failure(log).0, 2);
    // GitLab's last line is its exit code, as weak as GitHub's.
    let log = "\x1b[0Ksection_start:1:step_script\r\x1b[0K\nmake: *** [Makefile:3: all] Error 2\n\x1b[0Ksection_end:2:step_script\r\x1b[0K\nERROR: Job failed: exit code 2\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.key_lines[0], 2);
    assert_eq!(a.excerpts.iter().find(|e| e.line == 4).map(|e| e.rule.as_str()), Some("gitlab-job-failed"));
}

/// real7's native-toolchain rules on the spellings the real corpus
/// (eval/realtools/native) does not show: GHC's span form, dash's
/// `not found`, make's `Killed`, and Travis' own `job_stages` noise.
#[test]
fn native_toolchains_name_the_cause_before_the_exit_code() {
    assert_first_rules(&cases(&[
        ("[2 of 3] Compiling Lib\nsrc/Lib.hs:(12,1)-(14,20): error:\n    • Non-exhaustive patterns\ncabal: Failed to build lib\n", ("ghc-error", "compilation")),
        ("gen/proto.sh\n/bin/sh: 1: protoc: not found\nmake: *** [Makefile:12: gen] Error 127\n", ("shell-command-not-found", "dependency")),
        ("./run_tests --all\nmake: *** [Makefile:30: check] Killed\n", ("shell-job-killed", "oom")),
        ("./ci.sh\n./ci.sh: line 4: API_TOKEN: unbound variable\n", ("bash-unbound-variable", "config")),
        ("timeout -v 600 ./bench\ntimeout: sending signal KILL to command './bench'\n", ("coreutils-timeout", "timeout")),
    ]));
    let travis = "/Users/travis/.travis/job_stages: line 476: yarn: command not found\n$ npm test\n";
    let a = analyze(travis.as_bytes(), &RuleSet::builtin());
    assert!(a.failures.iter().all(|f| f.rule != "shell-command-not-found"), "{:?}", a.failures);
}

/// jvm10's JVM-tool rules, one real line each (eval/realtools/jvm shows
/// them in context), plus the spellings that must not match.
#[test]
fn jvm_tools_name_the_cause() {
    assert_first_rules(&cases(&[
        ("error: warnings found and -Werror specified", ("javac-werror", "compilation")),
        ("[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java: warnings found and -Werror specified", ("javac-werror", "compilation")),
        ("src/main/java/com/acme/ledger/Ledger.java:36: error: unknown tag: null", ("javadoc-doclint-error", "docs")),
        ("[ERROR] /builds/acme/ledger/src/main/java/com/acme/ledger/Account.java:52: error: reference not found", ("javadoc-doclint-error", "docs")),
        ("<error line=\"12\" column=\"26\" severity=\"error\" message=\"Name &apos;Currency_Code&apos; must match pattern.\" source=\"com.puppycrawl.tools.checkstyle.checks.naming.MemberNameCheck\"/>", ("checkstyle-xml-error", "lint")),
        ("[ERROR] The forked VM terminated without properly saying goodbye. VM crash or System.exit called?", ("surefire-fork-crash", "test_failure")),
        ("[ERROR] Rule 0: org.apache.maven.plugins.enforcer.RequireJavaVersion failed with message:", ("maven-enforcer-rule", "config")),
        ("[WARNING] Rule 0: org.apache.maven.plugins.enforcer.DependencyConvergence failed with message:", ("maven-enforcer-dependency-rule", "dependency")),
        ("[FATAL] Non-parseable POM /home/circleci/project/pom.xml: expected > to finsh end tag not < from line 10 @ line 11, column 4", ("maven-pom-invalid", "config")),
        ("[ERROR] 'dependencies.dependency.version' for junit:junit:jar is missing. @ line 22, column 17", ("maven-pom-invalid", "config")),
        ("Exception in thread \"main\" java.lang.NoClassDefFoundError: com/google/gson/Gson", ("java-noclassdef", "dependency")),
        ("Error occurred during initialization of VM", ("jvm-launch-error", "config")),
        ("Unrecognized VM option 'UseConcMarkSweepGC'", ("jvm-launch-error", "config")),
    ]));
    // javac's own errors stay compilation; a model problem Maven only warns about is no failure.
    assert_first_rules(&cases(&[("src/main/java/com/acme/Ledger.java:51: error: cannot find symbol", ("gcc-clang-error", "compilation"))]));
    for line in [
        "[WARNING] 'build.plugins.plugin.version' for org.apache.maven.plugins:maven-jar-plugin is missing. @ line 40, column 15",
        "java.lang.NoClassDefFoundError: Could not initialize class com.acme.Config",
    ] {
        let a = analyze(format!("{line}\n").as_bytes(), &RuleSet::builtin());
        assert!(a.failures.iter().all(|f| f.rule != "maven-pom-invalid" && f.rule != "java-noclassdef"), "{line}: {:?}", a.failures);
    }
}

/// Travis has no steps: the command it says failed after a `timeout` kill
/// tells a service that never came up (setup, flaky) from a test run.
#[test]
fn jvm_build_reports_name_the_cause() {
    assert_first_rules(&cases(&[
        ("            > nexus.build.acme.invalid: Name or service not known", ("gradle-cause-network", "infra")),
        ("      > Could not GET 'https://jcenter.bintray.com/com/x/y/1.0/y-1.0.pom'. Received status code 502 from server: Bad Gateway", ("gradle-cause-network", "infra")),
        ("         > Read timed out", ("gradle-cause-network", "infra")),
        ("  build file '/home/travis/build/acme/ledger/build.gradle': 15: expecting '}', found '' @ line 15, column 1.", ("gradle-build-file-error", "config")),
        ("> Could not get unknown property 'libs' for object of type org.gradle.api.internal.artifacts.dsl.dependencies.DefaultDependencyHandler.", ("gradle-script-evaluation-error", "config")),
        ("A problem occurred evaluating root project 'ledger'.", ("gradle-script-evaluation-header", "config")),
        ("src/Report.groovy: 7: unable to resolve class Balance ", ("groovy-compile-error", "compilation")),
        ("Caught: java.lang.AssertionError: totals do not add up. Expression: (totals.values().sum() == 15.0)", ("groovy-script-caught", "test_failure")),
        ("    [javac] /var/lib/buildkite-agent/builds/acme/ledger/src/main/java/com/acme/ledger/Account.java:79: error: incompatible types: int cannot be converted to List<Money>", ("ant-javac-error", "compilation")),
        ("/home/runner/work/ledger/ledger/build.xml:14: Compile failed; see the compiler error output for details.", ("ant-compile-failed", "compilation")),
        ("/home/runner/work/ledger/ledger/build.xml:23: Problem: failed to create task or type antlib:org.jacoco.ant:coverage", ("ant-antlib-missing", "dependency")),
        ("/home/runner/work/ledger/ledger/build.xml:23: Problem: failed to create task or type jacoco:coverage", ("ant-task-undefined", "config")),
    ]));
}

#[test]
fn travis_timeout_waiting_for_a_service_is_flaky() {
    let log = "travis_time:start:1a2b\r\x1b[0K$ timeout --verbose 5 sh scripts/wait-for-db.sh\nwaiting for postgres at 127.0.0.1:5432\ntimeout: sending signal TERM to command 'sh'\ntravis_time:end:1a2b:start=1,finish=2,duration=1,event=script\r\x1b[0K\x1b[31;1mThe command \"timeout --verbose 5 sh scripts/wait-for-db.sh\" exited with 124.\x1b[0m\n\nDone. Your build exited with 1.\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.verdict.category.to_string(), a.verdict.flaky), ("timeout".to_string(), Some(true)));
    let log = log.replace("sh scripts/wait-for-db.sh", "./gradlew test");
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_ne!(a.verdict.flaky, Some(true));
}

/// misc11's rules (eval/realtools/misc, tune split: C#/mono, Objective-C
/// with GNUstep, Tcl) on real lines of those tools, plus spellings the
/// corpus does not show (msbuild's project suffix, .NET Core's
/// `Unhandled exception.`, Apple Foundation's uncaught exception).
#[test]
fn misc11_csharp_objc_tcl_formats() {
    assert_first_rules(&cases(&[
        ("mcs -out:bin/app.exe src/Invoice.cs\nsrc/Invoice.cs(14,13): error CS0103: The name `line' does not exist in the current context\nCompilation failed: 1 error(s), 0 warnings", ("csharp-compiler-error", "compilation")),
        ("  Program.cs(10,25): error CS0266: Cannot implicitly convert type 'decimal' to 'int' [/src/App/App.csproj]\nBuild FAILED.", ("csharp-compiler-error", "compilation")),
        ("cached segment 4\n\nUnhandled Exception:\nSystem.OutOfMemoryException: Insufficient memory to continue the execution of the program.\n  at Program.Main (System.String[] args) [0x0001f] in <d55b>:0", ("dotnet-out-of-memory", "oom")),
        ("Unhandled exception. System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()", ("dotnet-unhandled-exception", "test_failure")),
        ("Mono JIT compiler version 6.8.0.105\n\tTLS:           __thread\n\tSIGSEGV:       altstack\n\tGC:            sgen\nsrc/A.cs(3,1): error CS1525: Unexpected symbol `}'", ("csharp-compiler-error", "compilation")),
        ("./build/inventory\n: Uncaught exception NSRangeException, reason: Index 2 is out of range 2 (in 'objectAtIndex:')", ("objc-uncaught-exception", "test_failure")),
        ("2026-12-01 10:00:00.123 App[123:456] *** Terminating app due to uncaught exception 'NSInvalidArgumentException', reason: '-[Foo bar]: unrecognized selector sent to instance 0x600'", ("objc-uncaught-exception", "test_failure")),
        ("cached block 4\n: Uncaught exception NSMallocException, reason: Default zone has run out of memory", ("objc-malloc-exception", "oom")),
        ("$ tclsh tests/strutil.test\nmissing close-brace\n    while executing\n\"proc strutil::wrap {s width} {\"", ("tcl-syntax-error", "compilation")),
        ("can't find package json::write 1.0\n    while executing\n\"package require json::write 1.0\"", ("tcl-package-missing", "dependency")),
        ("can't read \"count\": no such variable\n    while executing\n\"puts \"written $count pages\"\"", ("tcl-runtime-error", "test_failure")),
        ("invalid command name \"strutil::slugify\"\n    while executing\n\"strutil::slugify $title\"", ("tcl-runtime-error", "test_failure")),
    ]));
    // tcltest's block: the runner names the test, the rule the verdict.
    let log = "==== slug-1.1 drops punctuation at the ends FAILED\n==== Contents of test case:\n---- Result was:\ntcl-tk-8-6-\n==== slug-1.1 FAILED\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.key_lines[0], a.verdict.rule.as_deref()), (1, Some("tcltest-failed")), "{:?}", a.verdict);
}

#[test]
fn jvm12_gradle_causes_ant_reasons_testng_configuration() {
    assert_first_rules(&cases(&[
        ("* What went wrong:\nA problem occurred evaluating root project 'ledger'.\n> Plugin with id 'com.acme.codestyle' not found.", ("gradle-report-cause", "unknown")),
        ("* What went wrong:\nA problem occurred configuring root project 'ledger'.\n> Failed to apply plugin [id 'com.acme.lint']\n   > Could not create an instance of type com.acme.gradle.LintExtension.", ("gradle-report-cause-nested", "unknown")),
        ("Task 'integrationTest' not found in root project 'ledger'. Some candidates are: 'integTest'.", ("gradle-task-not-found", "config")),
        ("Target \"integration-test\" does not exist in the project \"ledger\". ", ("ant-target-missing", "config")),
        ("/home/travis/build/acme/ledger/build.xml:23: Test com.acme.ledger.AccountTest failed", ("ant-test-failed", "test_failure")),
        ("/home/travis/build/acme/ledger/build.xml:31: Java returned: 1", ("ant-java-returned", "unknown")),
        ("/home/travis/build/acme/ledger/build.xml:27: Property db.url must be set", ("ant-build-failed-reason", "unknown")),
        ("FAILED CONFIGURATION: @BeforeClass setUp\njava.lang.NullPointerException", ("testng-configuration-failed", "test_failure")),
        ("[ERROR] Failed to execute goal org.apache.maven.plugins:maven-deploy-plugin:2.8.2:deploy (default-deploy) on project ledger: Failed to deploy artifacts: Could not transfer artifact com.acme:ledger:jar:1.4.0 from/to ossrh (https://oss.sonatype.org/content/repositories/releases): Return code is: 401, ReasonPhrase: Unauthorized. -> [Help 1]", ("maven-deploy-unauthorized", "config")),
    ]));
    // The deepest cause of Gradle's report is the key line; its headline
    // says the kind of failure.
    let log = "FAILURE: Build failed with an exception.\n\n* Where:\nBuild file '/home/travis/build/acme/ledger/build.gradle' line: 2\n\n* What went wrong:\nA problem occurred evaluating root project 'ledger'.\n> Plugin with id 'com.acme.codestyle' not found.\n\n* Try:\nRun with --stacktrace option to get the stack trace.\n\nBUILD FAILED in 1s\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.key_lines[0], a.verdict.category.to_string()), (8, "config".to_string()), "{:?}", a.verdict);
    // TestNG's runner names the configuration method as the failure.
    let log = "===============================================\n    Command line test\n    Tests run: 0, Failures: 0, Skips: 0\n    Configuration Failures: 1, Skips: 0\n===============================================\nFAILED CONFIGURATION: @BeforeClass loadRates\njava.lang.NullPointerException: Cannot invoke \"String.trim()\" because the return value of \"java.lang.System.getProperty(String)\" is null\n\tat com.acme.ledger.MoneyNgTest.loadRates(MoneyNgTest.java:18)\nSKIPPED: negative\n\n===============================================\nCommand line suite\nTotal tests run: 5, Failures: 0, Skips: 5\nConfiguration Failures: 1, Skips: 0\n===============================================\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!(a.verdict.category.to_string(), "test_failure");
    let tests: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect();
    assert_eq!(tests, ["loadRates"]);
}

/// fresh13's rules (eval/realtools/fresh, tune split: Ada/GNAT, Free
/// Pascal, SWI-Prolog) on real lines of those tools, and the any-language
/// `file:line[:col]: error:` shape on an extension no rule lists.
#[test]
fn fresh13_gnat_fpc_swipl_formats() {
    assert_first_rules(&cases(&[
        ("Compile\n   [Ada]          main.adb\nmain.adb:7:22: error: invalid operand types for operator \"&\"\ngprbuild: *** compilation phase failed", ("source-compiler-error", "compilation")),
        ("ledger.adb:6:23: error: \"Item\" is undefined\nledger.adb:6:23: error: possible misspelling of \"Items\"", ("source-compiler-error", "compilation")),
        ("source/app.d:10:5: error: undefined identifier `letter`", ("source-compiler-error", "compilation")),
        // The GNU coding standards' ranges (valac, bison): above valac's
        // `Compilation failed` summary, which reads like Maven's headline.
        ("valac -o build/app src/text.vala src/main.vala\nsrc/text.vala:6.17-6.21: error: The name `count' does not exist in the context of `Acme.word_count'\n    6 |                 count++;\n      |                 ^~~~~   \nCompilation failed: 1 error(s), 0 warning(s)", ("source-compiler-error", "compilation")),
        ("parse.y:12.5: error: syntax error, unexpected identifier", ("source-compiler-error", "compilation")),
        ("terminate called without an active exception\nAborted (core dumped)", ("cpp-uncaught-exception", "test_failure")),
        ("src/app.vala:3.1-4.2: error: missing return statement", ("source-compiler-error", "compilation")),
        ("   [Ada]          ledger.adb\nledger.adb:8:17: (style) space not allowed\nledger.adb:13:19: (style) space required\ngprbuild: *** compilation phase failed", ("gnat-style-check", "lint")),
        ("cached block 4\n\nraised STORAGE_ERROR : System.Memory.Alloc: heap exhausted", ("gnat-storage-error-heap", "oom")),
        ("+ ./bin/main\ntotal 300\n\nraised CONSTRAINT_ERROR : main.adb:8 range check failed", ("gnat-unhandled-exception", "test_failure")),
        ("FAIL Ledger : Test_Average\n    average of 10, 20, 30\n    at ledger_tests.adb:16\n\nTotal Tests Run:   2\nSuccessful Tests:  1\nFailed Assertions: 1", ("runner:aunit", "test_failure")),
        ("Compiling src/stats.pas\nstats.pas(19,18) Error: Identifier not found \"X\"\nstats.pas(34) Fatal: There were 1 errors compiling module, stopping\nFatal: Compilation aborted\nError: /usr/bin/ppcx64 returned an error exitcode", ("fpc-compiler-error", "compilation")),
        ("report.lpr(5,23) Fatal: Can't find unit synacode used by Report\nFatal: Compilation aborted", ("fpc-unit-not-found", "dependency")),
        ("cached segment 3\nAn unhandled exception occurred at $0000000000418E77:\nEOutOfMemory: Out of memory\n  $0000000000418E77", ("fpc-out-of-memory", "oom")),
        ("    00.000  TestMeanOfThree\n    00.000  TestClampAbove  Failed: \"clamp above\" expected: <10> but was: <15>\n      Exception:   \"clamp above\" expected: <10> but was: <15>", ("fpcunit-test-failed", "test_failure")),
        ("ERROR: /builds/acme/pl-proj/route.pl:7:0: Syntax error: Operator expected\n% PL-Unit: route .", ("swipl-syntax-error", "compilation")),
        ("ERROR: /src/bin/export.pl:1:\nERROR:    source_sink `library(yaml_schema)' does not exist\nWarning: /src/bin/export.pl:1:", ("swipl-source-missing", "dependency")),
        ("a -> d costs 8 via [a,c,b,d]\nERROR: /src/bin/report.pl:2: user:main catch/3: Unknown procedure: print_route_table/1", ("swipl-unknown-procedure", "test_failure")),
        ("fetching https://index.example.invalid/packs/index.json\nERROR: /src/bin/fetch.pl:2: user:main Socket error: Host not found", ("swipl-socket-error", "infra")),
    ]));
    // ctest's verbose output (`57: ` before each line of the test's
    // own): the exception is read first, above ctest's line for the test
    // (which names the failing test).
    let log = "57: Test timeout computed to be: 10000000\n57: terminate called after throwing an instance of 'std::invalid_argument'\n57:   what():  negative extent in unit 8\n57/60 Test #57: test_extent ........Subprocess aborted***Exception:   0.01 sec\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.key_lines.first(), a.verdict.rule.as_deref()), (Some(&2), Some("cpp-uncaught-exception")));
    // Script and config files keep their own tools' reading.
    let a = analyze("app/models.py:12: error: Incompatible return value type (got \"int\", expected \"str\")\n".as_bytes(), &RuleSet::builtin());
    assert!(a.failures.iter().all(|f| f.rule != "source-compiler-error"), "{:?}", a.failures);
    // plunit: the `ERROR: file:line:` location, then the test; both tests named.
    let log = "% PL-Unit: route .\nERROR: /src/tests/test_route.pl:10:\n\ttest shortest_a_b: wrong answer (compared using =:=)\nERROR:     Expected: 3\nERROR:     Got:      4\nERROR: /src/tests/test_route.pl:13:\n\ttest shortest_path: wrong answer (compared using ==)\n**FAILED 0.040 sec\n% 2 tests failed\n% 1 tests passed\nERROR: -g run_tests: false\n";
    let a = analyze(log.as_bytes(), &RuleSet::builtin());
    assert_eq!((a.verdict.category.to_string(), a.verdict.rule.as_deref()), ("test_failure".to_string(), Some("plunit-test-failed")));
    let tests: Vec<&str> = a.failures.iter().filter_map(|f| f.test.as_ref()).map(|t| t.id.as_str()).collect();
    assert_eq!(tests, ["shortest_a_b", "shortest_path"]);
}
