//! The checklist a reviewer gets without a language model (engine +
//! renderer), narrowed by `review-focus`, and bounded.

use chrono::{TimeZone, Utc};
use ci_pr_review::{checklist, ReviewConfig, ReviewInput};
use ci_report::pr_model::{ChangedFile, RiskKind};
use ci_report::pr_review::render_checklist;
use ci_report::safe::char_len;
use ci_report::SAFE_BODY_CHARS;

fn file(path: &str, status: &str, add: u64, del: u64, patch: Option<&str>) -> ChangedFile {
    ChangedFile { path: path.into(), status: status.into(), additions: add, deletions: del, previous_path: None, patch: patch.map(str::to_string) }
}

fn pr_files() -> Vec<ChangedFile> {
    vec![
        file(
            "python/sglang/srt/layers/attention/aiter_backend.py",
            "modified",
            42,
            7,
            Some("@@ -120,6 +120,9 @@ class AiterAttnBackend(AttentionBackend):\n     def forward_extend(self, q, k, v):\n+        if self.use_mla:\n+            return self._mla(q, k, v)\n+    def _mla(self, q, k, v):\n"),
        ),
        file("python/sglang/srt/utils.py", "modified", 3, 1, Some("@@ -10,2 +10,3 @@ def get_device():\n+    token = os.environ.get(\"HF_TOKEN\")  # hf_secretvalue\n")),
        file(".github/workflows/pr-test-amd.yml", "modified", 5, 2, Some("@@ -1,3 +1,4 @@\n+on: pull_request_target\n")),
        file("python/uv.lock", "modified", 300, 280, None),
        file("python/sglang/srt/old_kernels.py", "removed", 0, 812, None),
        file("docs/backend/attention.md", "modified", 12, 0, None),
        file("@everyone <!-- x -->.md", "added", 1, 0, None),
    ]
}

fn input<'a>(files: &'a [ChangedFile], focus: &'a [String]) -> ReviewInput<'a> {
    ReviewInput {
        repo: "sgl-project/sglang",
        server_url: "https://github.com",
        pr: 4242,
        head_sha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        files,
        files_truncated: false,
        focus,
        ci_status: Some("✅ 1 failure, not caused by this PR: BROKEN ON BASE since `bbbbbbb`".into()),
        now: Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap(),
        bot_name: "amd-bot",
    }
}

#[test]
fn the_checklist_snapshot() {
    let files = pr_files();
    let c = checklist(&input(&files, &[]), &ReviewConfig::default());
    let kinds: Vec<RiskKind> = c.risks.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![RiskKind::Workflow, RiskKind::Lockfile, RiskKind::Secrets, RiskKind::LargeDeletion]
    );
    assert_eq!(c.risks[0].detail.as_deref(), Some("adds pull_request_target"));
    assert!(c.test_files.is_empty());
    let body = render_checklist(&c);
    assert!(!body.contains("hf_secretvalue"), "a changed line that handles a secret is named, not quoted");
    assert!(!body.contains("@everyone") && !body.contains("<!-- x"));
    insta::assert_snapshot!(body);
}

#[test]
fn review_focus_narrows_everything() {
    let files = pr_files();
    let focus = vec!["attention".to_string(), "quantization".to_string()];
    let c = checklist(&input(&files, &focus), &ReviewConfig::default());
    let in_scope: Vec<&str> = c.areas.iter().flat_map(|a| a.files.iter().map(String::as_str)).collect();
    assert_eq!(in_scope, vec!["python/sglang/srt/layers/attention/aiter_backend.py", "docs/backend/attention.md"]);
    assert!(c.risks.is_empty(), "the workflow change is out of focus");
    assert_eq!(c.unmatched_focus, vec!["quantization".to_string()]);
    let body = render_checklist(&c);
    assert!(body.contains("No changed file matched `quantization`"), "{body}");
}

/// The model's reading arrives rendered (escaped once, by `ci_llm::render`
/// through `ci_report::safe`; the escaping of model text is tested end to
/// end in the monitor's `tests/llm.rs`): it is shown as it is, above the
/// checklist, with the LLM footer and the memory line, and a reading too
/// long for the comment is cut between lines.
#[test]
fn the_models_reading_sits_above_the_checklist_and_is_cut_between_lines() {
    let files = pr_files();
    let mut c = checklist(&input(&files, &[]), &ReviewConfig::default());
    c.llm.narrative = Some("**The model's reading** (m). It describes.\n\nLooks fine: `a_b`.".into());
    c.llm.footer = Some("LLM: m · 1 call".into());
    c.llm.memory_line = Some("<!-- ci-bot:llm-memory v=2 {} -->".into());
    let body = render_checklist(&c);
    let (narrative, rest) = body.split_once("### Checklist").unwrap();
    assert!(narrative.contains("Looks fine: `a_b`."), "not escaped twice: {narrative}");
    assert!(narrative.lines().nth(1) == Some("<!-- ci-bot:llm-memory v=2 {} -->"), "{narrative}");
    assert!(rest.contains("**Risky changes:**"));
    assert!(body.contains("the model's reading above it only describes the diff"));
    assert!(body.trim_end().ends_with("*LLM: m · 1 call*"), "{body}");

    c.llm.narrative = Some((0..20_000).map(|i| format!("- step `{i}`\n")).collect());
    let body = render_checklist(&c);
    assert!(body.chars().count() <= ci_report::SAFE_BODY_CHARS, "{}", body.len());
    let (narrative, _) = body.split_once("### Checklist").unwrap();
    assert!(narrative.contains("cut to fit the comment"));
    assert!(narrative.lines().filter(|l| l.starts_with("- step")).all(|l| l.ends_with('`')), "whole lines only");
}

#[test]
fn three_thousand_files_fit() {
    let files: Vec<ChangedFile> = (0..3000)
        .map(|i| {
            file(
                &format!("python/sglang/module_{}/{}/file_{i}_{}.py", i % 40, "d".repeat(30), "x".repeat(60)),
                if i % 7 == 0 { "removed" } else { "modified" },
                i,
                if i % 3 == 0 { 400 } else { 1 },
                Some("@@ -1,1 +1,2 @@ def f():\n+    password = get_password()\n+def g():\n"),
            )
        })
        .collect();
    let mut inp = input(&files, &[]);
    inp.files_truncated = true;
    let started = std::time::Instant::now();
    let c = checklist(&inp, &ReviewConfig::default());
    let body = render_checklist(&c);
    assert!(char_len(&body) <= SAFE_BODY_CHARS, "{}", char_len(&body));
    assert!(body.contains("GitHub lists only the first 3000 files"));
    assert_eq!(body.matches("<details>").count(), body.matches("</details>").count());
    assert!(started.elapsed().as_secs() < 30, "one pass");
}
