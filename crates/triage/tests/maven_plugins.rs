//! The category of a Maven build from the plugin whose goal failed
//! (`[ERROR] Failed to execute goal group:artifact:version:goal (id) on
//! project p: …`), with each plugin's own lines above it as the plugins
//! print them (jvm12, issue #13: BugSwarm's Maven projects fail in many
//! plugins besides the compiler and Surefire). The `[[tool_kind]]` table
//! in rules/default.toml decides; these pin it per plugin.

use ci_triage::{analyze, RuleSet};

/// A Travis job running `mvn verify` whose output ends with `own` (the
/// plugin's lines) and Maven's `Failed to execute goal` report.
fn maven_job(own: &str, coordinates: &str, execution: &str, message: &str, exception: &str) -> String {
    let mut log = String::from(
        "travis_fold:start:install\r\x1b[0K$ mvn install -DskipTests=true -B -V\n[INFO] BUILD SUCCESS\ntravis_fold:end:install\r\x1b[0K\n\
         $ mvn verify -B\n[INFO] Scanning for projects...\n[INFO] \n[INFO] -----------------------< com.acme:ledger >------------------------\n\
         [INFO] Building ledger 1.4.0-SNAPSHOT\n[INFO] --------------------------------[ jar ]---------------------------------\n",
    );
    let artifact = coordinates.split(':').nth(1).unwrap_or("");
    let goal = coordinates.rsplit(':').next().unwrap_or("");
    let version = coordinates.split(':').nth(2).unwrap_or("");
    log += &format!("[INFO] \n[INFO] --- {artifact}:{version}:{goal} ({execution}) @ ledger ---\n");
    for l in own.lines() {
        log += l;
        log += "\n";
    }
    log += "[INFO] ------------------------------------------------------------------------\n[INFO] BUILD FAILURE\n\
            [INFO] ------------------------------------------------------------------------\n[INFO] Total time:  4.210 s\n\
            [INFO] Finished at: 2017-03-02T10:11:12Z\n[INFO] ------------------------------------------------------------------------\n";
    log += &format!("[ERROR] Failed to execute goal {coordinates} ({execution}) on project ledger: {message} -> [Help 1]\n");
    log += &format!(
        "[ERROR] \n[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.\n[ERROR] Re-run Maven using the -X switch to enable full debug logging.\n\
         [ERROR] \n[ERROR] For more information about the errors and possible solutions, please read the following articles:\n\
         [ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/{exception}\n\n\nThe command \"mvn verify -B\" exited with 1.\n\nDone. Your build exited with 1.\n"
    );
    log
}

fn category(log: &str) -> String {
    analyze(log.as_bytes(), &RuleSet::builtin()).verdict.category.to_string()
}

const FAILURE: &str = "MojoFailureException";
const EXECUTION: &str = "MojoExecutionException";

/// (plugin coordinates, execution id, the plugin's own lines, the message
/// after `on project ledger:`, Maven's exception page, the category).
const PLUGINS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("org.apache.maven.plugins:maven-surefire-plugin:2.22.2:test", "default-test",
     "[INFO] -------------------------------------------------------\n[INFO]  T E S T S\n[INFO] -------------------------------------------------------\n[INFO] Running com.acme.ledger.MoneyTest\n[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.05 s <<< FAILURE! - in com.acme.ledger.MoneyTest\n[ERROR] roundsHalfEven(com.acme.ledger.MoneyTest)  Time elapsed: 0.01 s  <<< FAILURE!\njava.lang.AssertionError: expected:<0.12 EUR> but was:<0.13 EUR>\n\tat com.acme.ledger.MoneyTest.roundsHalfEven(MoneyTest.java:21)\n\n[INFO] \n[INFO] Results:\n[INFO] \n[ERROR] Failures: \n[ERROR]   MoneyTest.roundsHalfEven:21 expected:<0.12 EUR> but was:<0.13 EUR>\n[INFO] \n[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0\n[INFO] ",
     "There are test failures.\n[ERROR] \n[ERROR] Please refer to /home/travis/build/acme/ledger/target/surefire-reports for the individual test results.", FAILURE, "test_failure"),
    ("org.apache.maven.plugins:maven-failsafe-plugin:2.22.2:verify", "default",
     "[INFO] \n[INFO] Results:\n[INFO] \n[ERROR] Errors: \n[ERROR]   LedgerIT.storesEntries:34 » Connect Connection refused (Connection refused)\n[INFO] \n[ERROR] Tests run: 3, Failures: 0, Errors: 1, Skipped: 0\n[INFO] ",
     "There are test failures.", FAILURE, "test_failure"),
    ("org.apache.maven.plugins:maven-compiler-plugin:3.8.1:compile", "default-compile",
     "[INFO] Changes detected - recompiling the module!\n[INFO] Compiling 12 source files to /home/travis/build/acme/ledger/target/classes\n[INFO] -------------------------------------------------------------\n[ERROR] COMPILATION ERROR : \n[INFO] -------------------------------------------------------------\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:[41,9] cannot find symbol\n  symbol:   variable history\n  location: class com.acme.ledger.Ledger\n[INFO] 1 error\n[INFO] -------------------------------------------------------------",
     "Compilation failure\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:[41,9] cannot find symbol\n[ERROR]   symbol:   variable history\n[ERROR]   location: class com.acme.ledger.Ledger", FAILURE, "compilation"),
    // Error Prone runs inside javac: its findings fail the compile goal.
    ("org.apache.maven.plugins:maven-compiler-plugin:3.8.1:compile", "default-compile",
     "[INFO] Compiling 12 source files to /home/travis/build/acme/ledger/target/classes\n[INFO] -------------------------------------------------------------\n[ERROR] COMPILATION ERROR : \n[INFO] -------------------------------------------------------------\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:[52,13] error: [DeadException] Exception created but not thrown\n    (see https://errorprone.info/bugpattern/DeadException)\n  Did you mean 'throw new IllegalStateException(\"closed\");'?\n[INFO] 1 error\n[INFO] -------------------------------------------------------------",
     "Compilation failure\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:[52,13] error: [DeadException] Exception created but not thrown", FAILURE, "compilation"),
    ("org.apache.maven.plugins:maven-checkstyle-plugin:3.1.2:check", "validate",
     "[INFO] Starting audit...\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:41:5: Missing a Javadoc comment. [JavadocMethod]\nAudit done.\n[INFO] There is 1 error reported by Checkstyle 8.29 with checkstyle.xml ruleset.",
     "You have 1 Checkstyle violation.", FAILURE, "lint"),
    ("org.apache.maven.plugins:maven-pmd-plugin:3.14.0:check", "default",
     "[INFO] PMD Failure: com.acme.ledger.Ledger:41 Rule:UnusedLocalVariable Priority:3 Avoid unused local variables such as 'total'..",
     "You have 1 PMD violation. For more details see: /home/travis/build/acme/ledger/target/pmd.xml", FAILURE, "lint"),
    ("org.apache.maven.plugins:maven-pmd-plugin:3.14.0:cpd-check", "default",
     "[ERROR] CPD Failure: Found 42 lines of duplicated code at locations:\n[ERROR]     /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java line 20\n[ERROR]     /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Account.java line 31",
     "You have 1 CPD duplication. For more details see: /home/travis/build/acme/ledger/target/cpd.xml", FAILURE, "lint"),
    ("com.github.spotbugs:spotbugs-maven-plugin:4.2.0:check", "default",
     "[INFO] BugInstance size is 1\n[INFO] Error size is 0\n[INFO] Total bugs: 1\n[ERROR] Medium: com.acme.ledger.Money.equals(Object) does not check for null argument [com.acme.ledger.Money] At Money.java:[line 88] NP_EQUALS_SHOULD_HANDLE_NULL_ARGUMENT",
     "failed with 1 bugs and 0 errors", FAILURE, "lint"),
    ("org.codehaus.mojo:findbugs-maven-plugin:3.0.5:check", "default",
     "[INFO] BugInstance size is 2\n[INFO] Error size is 0\n[INFO] Total bugs: 2\n[INFO] Comparison of String objects using == or != in com.acme.ledger.Account.matches(String) [com.acme.ledger.Account] At Account.java:[line 57] ES_COMPARING_STRINGS_WITH_EQ",
     "failed with 2 bugs and 0 errors", FAILURE, "lint"),
    ("org.jacoco:jacoco-maven-plugin:0.8.7:check", "default-check",
     "[INFO] Loading execution data file /home/travis/build/acme/ledger/target/jacoco.exec\n[INFO] Analyzed bundle 'ledger' with 12 classes\n[WARNING] Rule violated for bundle ledger: lines covered ratio is 0.62, but expected minimum is 0.80",
     "Coverage checks have not been met. See log for details.", EXECUTION, "test_failure"),
    ("org.apache.maven.plugins:maven-enforcer-plugin:3.0.0-M3:enforce", "enforce-versions",
     "[WARNING] Rule 0: org.apache.maven.plugins.enforcer.RequireJavaVersion failed with message:\nDetected JDK Version: 1.8.0-151 is not in the allowed range [11,).",
     "Some Enforcer rules have failed. Look above for specific messages explaining why the rule failed.", FAILURE, "config"),
    ("org.apache.maven.plugins:maven-enforcer-plugin:3.0.0-M3:enforce", "enforce",
     "[WARNING] \nDependency convergence error for com.google.guava:guava:20.0 paths to dependency are:\n+-com.acme:ledger:1.4.0-SNAPSHOT\n  +-com.google.guava:guava:20.0\nand\n+-com.acme:ledger:1.4.0-SNAPSHOT\n  +-org.reflections:reflections:0.9.11\n    +-com.google.guava:guava:25.1-jre\n\n[WARNING] Rule 0: org.apache.maven.plugins.enforcer.DependencyConvergence failed with message:\nFailed while enforcing releasability. See above detailed error message.",
     "Some Enforcer rules have failed. Look above for specific messages explaining why the rule failed.", FAILURE, "dependency"),
    ("com.mycila:license-maven-plugin:3.0:check", "default",
     "[INFO] Checking licenses...\n[WARNING] Missing header in: /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Audit.java",
     "Some files do not have the expected license header", FAILURE, "lint"),
    ("org.codehaus.mojo:license-maven-plugin:1.20:check-file-header", "default",
     "[WARNING] There are 1 file(s) with no header :\n[WARNING]  - /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Audit.java",
     "There are 1 file(s) with no header", FAILURE, "lint"),
    ("org.apache.rat:apache-rat-plugin:0.13:check", "default",
     "[INFO] Rat check: Summary over all files. Unapproved: 1, unknown: 1, generated: 0, approved: 40 licenses.",
     "Too many files with unapproved license: 1 See RAT report in: /home/travis/build/acme/ledger/target/rat.txt", EXECUTION, "lint"),
    ("org.apache.maven.plugins:maven-javadoc-plugin:3.2.0:jar", "attach-javadocs",
     "[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:45: error: unknown tag: returns",
     "MavenReportException: Error while generating Javadoc: \n[ERROR] Exit code: 1 - /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:45: error: unknown tag: returns", EXECUTION, "docs"),
    ("org.apache.maven.plugins:maven-source-plugin:3.2.1:jar", "attach-sources",
     "",
     "Presumably you have configured maven-source-plugn to execute twice times in your build. You have to configure a classifier for at least on of them.", EXECUTION, "config"),
    ("org.apache.maven.plugins:maven-gpg-plugin:1.6:sign", "sign-artifacts",
     "gpg: no default secret key: No secret key\ngpg: signing failed: No secret key",
     "Exit code: 2", EXECUTION, "config"),
    ("org.apache.maven.plugins:maven-deploy-plugin:2.8.2:deploy", "default-deploy",
     "Uploading to ossrh: https://oss.sonatype.org/content/repositories/snapshots/com/acme/ledger/1.4.0-SNAPSHOT/ledger-1.4.0-20170302.101112-1.jar",
     "Failed to deploy artifacts: Could not transfer artifact com.acme:ledger:jar:1.4.0-20170302.101112-1 from/to ossrh (https://oss.sonatype.org/content/repositories/snapshots): Failed to transfer file: https://oss.sonatype.org/content/repositories/snapshots/com/acme/ledger/1.4.0-SNAPSHOT/ledger-1.4.0-20170302.101112-1.jar. Return code is: 401, ReasonPhrase: Unauthorized.", EXECUTION, "config"),
    ("org.apache.maven.plugins:maven-dependency-plugin:3.1.2:analyze-only", "analyze",
     "[WARNING] Used undeclared dependencies found:\n[WARNING]    com.google.code.gson:gson:jar:2.8.6:compile\n[WARNING] Unused declared dependencies found:\n[WARNING]    commons-io:commons-io:jar:2.6:compile",
     "Dependency problems found", FAILURE, "dependency"),
    ("org.codehaus.mojo:animal-sniffer-maven-plugin:1.20:check", "check-java-1.7-compat",
     "[INFO] Checking unresolved references to org.codehaus.mojo.signature:java17:1.0\n[ERROR] /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java:63: Undefined reference: java.util.Optional",
     "Signature errors found. Verify them and ignore them with the proper annotation if needed.", FAILURE, "lint"),
    ("org.apache.felix:maven-bundle-plugin:5.1.1:bundle", "default-bundle",
     "[ERROR] Bundle com.acme:ledger:bundle:1.4.0-SNAPSHOT : Unresolved references to [com.acme.audit] by class(es) on the Bundle-Classpath[Jar:dot]: [com/acme/ledger/Ledger.class]\n[ERROR] Error(s) found in bundle configuration",
     "Error(s) found in bundle configuration", EXECUTION, "config"),
    ("org.apache.felix:maven-bundle-plugin:5.1.1:bundle", "default-bundle",
     "[ERROR] Bundle com.acme:ledger:bundle:1.4.0-SNAPSHOT : The default package '.' is not permitted by the Import-Package syntax.\n[ERROR] Error(s) found in bundle configuration",
     "Error(s) found in bundle configuration", EXECUTION, "config"),
    ("com.diffplug.spotless:spotless-maven-plugin:2.12.1:check", "default",
     "",
     "The following files had format violations:\n[ERROR]     src/main/java/com/acme/ledger/Ledger.java\n[ERROR]         @@ -41,7 +41,7 @@\n[ERROR]         -\u{a0}\u{a0}int\u{a0}total=0;\n[ERROR]         +\u{a0}\u{a0}int\u{a0}total\u{a0}=\u{a0}0;\n[ERROR] Run 'mvn spotless:apply' to fix these violations.", EXECUTION, "lint"),
    ("com.coveo:fmt-maven-plugin:2.9:check", "default",
     "[INFO] Processed 12 files (1 non-complying).\n[ERROR] Non complying file: /home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java",
     "Found 1 non-complying files, failing build", FAILURE, "lint"),
    ("net.revelc.code.formatter:formatter-maven-plugin:2.16.0:validate", "default",
     "[INFO] Using 'UTF-8' encoding to format source files.",
     "File '/home/travis/build/acme/ledger/src/main/java/com/acme/ledger/Ledger.java' has not been previously formatted. Please format file and commit before running validation!", FAILURE, "lint"),
    ("com.github.siom79.japicmp:japicmp-maven-plugin:0.15.3:cmp", "default",
     "[INFO] Written file '/home/travis/build/acme/ledger/target/japicmp/default.diff'.",
     "There is at least one incompatibility: com.acme.ledger.Ledger.transfer(java.lang.String,java.lang.String,com.acme.ledger.Money):METHOD_REMOVED", FAILURE, "lint"),
    ("org.revapi:revapi-maven-plugin:0.14.6:check", "default",
     "[ERROR] Failed API checks:\n[ERROR] java.method.removed: method void com.acme.ledger.Ledger::close(): Method was removed. [binary: breaking, source: breaking]",
     "The following API problems caused the build to fail:\njava.method.removed: method void com.acme.ledger.Ledger::close(): Method was removed.", FAILURE, "lint"),
    ("org.codehaus.mojo:clirr-maven-plugin:2.8:check", "default",
     "[INFO] Comparing to version: 1.3.0\n[ERROR] 7002: com.acme.ledger.Ledger: Method 'public void close()' has been removed",
     "There were 1 binary incompatibilities", FAILURE, "lint"),
    ("org.basepom.maven:duplicate-finder-maven-plugin:1.5.0:check", "default",
     "[WARNING] Found duplicate and different classes in [commons-logging:commons-logging:1.2, org.slf4j:jcl-over-slf4j:1.7.30]:\n[WARNING]   org.apache.commons.logging.Log\n[WARNING]   org.apache.commons.logging.LogFactory",
     "Found duplicate classes/resources!", FAILURE, "dependency"),
];

#[test]
fn the_failing_maven_plugin_decides_the_category() {
    let mut wrong = Vec::new();
    for (coordinates, execution, own, message, exception, want) in PLUGINS {
        let log = maven_job(own, coordinates, execution, message, exception);
        let got = category(&log);
        if got != *want {
            wrong.push(format!("{coordinates}: {got}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
