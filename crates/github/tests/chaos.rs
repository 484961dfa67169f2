//! Chaos: N independent clients (as N concurrent action runs) read-modify-
//! write the same marked issue and the same marked comment while the fake
//! injects faults into ~10% of requests (5xx before processing, connection
//! resets, requests slower than the client's timeout, 429s).
//!
//! Expected: exactly one marked issue and one marked comment survive, and
//! each holds every writer's line (no lost update).
//!
//! Run with the numbers shown:
//! `cargo test -p ci-github --test chaos -- --nocapture`
//! Knobs: `CHAOS_WRITERS` (default 8), `CHAOS_SEED` (default 7).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ci_github::{GitHub, Stats};
use common::*;
use fake_github::{FaultKind, FaultRule};

const ISSUE_MARKER: &str = "<!-- ci-bot:chaos-issue -->";
const COMMENT_MARKER: &str = "<!-- ci-bot:chaos-comment -->";

/// Idempotent, commutative merge: make sure `line` is in the list.
fn ensure_line(current: Option<&str>, marker: &str, line: &str) -> String {
    let mut lines: Vec<String> = current
        .unwrap_or("")
        .lines()
        .filter(|l| l.starts_with("- "))
        .map(str::to_string)
        .collect();
    let entry = format!("- {line}");
    if !lines.contains(&entry) {
        lines.push(entry);
    }
    lines.sort();
    format!("{marker}\n{}", lines.join("\n"))
}

struct WriterReport {
    issue_rounds: u32,
    comment_rounds: u32,
    duplicates_removed: u32,
    stats: Stats,
    elapsed: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_under_faults_converge_without_losing_updates() {
    let writers: usize = std::env::var("CHAOS_WRITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let c = Ctx::new(EMPTY).await;
    let faults = c.server.faults();
    faults.seed(seed);
    // Probabilities per request; rules are tried in order, so ~9.7% overall.
    faults.add(FaultRule::any("/repos/*", FaultKind::Status { status: 502 }).probability(0.04));
    faults.add(FaultRule::any("/repos/*", FaultKind::Reset).probability(0.03));
    // Longer than the client's 1 s timeout: the client gives up on it.
    faults.add(FaultRule::any("/repos/*", FaultKind::Delay { ms: 1200 }).probability(0.02));
    faults.add(
        FaultRule::any(
            "/repos/*",
            FaultKind::TooManyRequests {
                retry_after_secs: 1,
            },
        )
        .probability(0.01),
    );

    let labels = vec!["ci-chaos".to_string()];
    let barrier = Arc::new(tokio::sync::Barrier::new(writers));
    let mut tasks = Vec::new();
    for w in 0..writers {
        // Settle > timeout + the slowest delayed write: see `ci_github::upsert`.
        let gh = c
            .another_client(|b| b.configure(|cfg| cfg.settle_delay = Duration::from_millis(2500)))
            .await;
        let repo = c.repo.clone();
        let labels = labels.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let t = Instant::now();
            let me = format!("writer {w:02}");
            let issue = gh
                .update_issue_by_marker(&repo, ISSUE_MARKER, "Chaos tracker", &labels, |cur| {
                    ensure_line(cur, ISSUE_MARKER, &me)
                })
                .await
                .map_err(|e| format!("{me} issue: {e}"))?;
            let comment = gh
                .update_comment_by_marker(&repo, issue.object.number, COMMENT_MARKER, |cur| {
                    ensure_line(cur, COMMENT_MARKER, &me)
                })
                .await
                .map_err(|e| format!("{me} comment: {e}"))?;
            Ok::<_, String>(WriterReport {
                issue_rounds: issue.rounds,
                comment_rounds: comment.rounds,
                duplicates_removed: issue.duplicates_removed + comment.duplicates_removed,
                stats: gh.stats(),
                elapsed: t.elapsed(),
            })
        }));
    }
    let mut reports = Vec::new();
    for t in tasks {
        reports.push(t.await.expect("writer task").expect("writer finished"));
    }

    // What GitHub now holds.
    let issues = c.issues();
    let marked: Vec<_> = issues
        .iter()
        .filter(|i| i.body.as_deref().unwrap_or("").contains(ISSUE_MARKER))
        .collect();
    let closed_dups = issues
        .iter()
        .filter(|i| i.state == "closed" && i.title == "Chaos tracker")
        .count();
    assert_eq!(marked.len(), 1, "exactly one marked issue: {marked:#?}");
    let issue = marked[0];
    let comments = c.comments(issue.number);
    let marked_comments: Vec<_> = comments
        .iter()
        .filter(|c| c.body.contains(COMMENT_MARKER))
        .collect();
    assert_eq!(
        marked_comments.len(),
        1,
        "exactly one marked comment: {marked_comments:#?}"
    );

    let issue_body = issue.body.clone().unwrap_or_default();
    let missing_issue: Vec<usize> = (0..writers)
        .filter(|w| !issue_body.contains(&format!("- writer {w:02}")))
        .collect();
    let missing_comment: Vec<usize> = (0..writers)
        .filter(|w| {
            !marked_comments[0]
                .body
                .contains(&format!("- writer {w:02}"))
        })
        .collect();

    let requests = c.server.state().requests();
    let faulted = requests.iter().filter(|r| r.fault.is_some()).count();
    let writes: u32 = reports.iter().map(|r| r.stats.writes).sum();
    let client_requests: u64 = reports.iter().map(|r| r.stats.total_requests()).sum();
    let hits: u64 = reports
        .iter()
        .map(|r| r.stats.total_conditional_hits())
        .sum();
    let dups: u32 = reports.iter().map(|r| r.duplicates_removed).sum();
    let max_rounds = reports
        .iter()
        .map(|r| r.issue_rounds.max(r.comment_rounds))
        .max()
        .unwrap_or(0);
    let slowest = reports.iter().map(|r| r.elapsed).max().unwrap_or_default();
    println!("chaos: writers={writers} seed={seed}");
    println!(
        "chaos: fake saw {} requests, {} faulted ({:.1}%)",
        requests.len(),
        faulted,
        100.0 * faulted as f64 / requests.len().max(1) as f64
    );
    println!("chaos: clients sent {client_requests} requests ({hits} answered 304), {writes} writes, removed {dups} duplicates");
    println!("chaos: max rounds per upsert {max_rounds}, slowest writer {slowest:?}, closed duplicate issues {closed_dups}");
    println!(
        "chaos: surviving issue #{} has {}/{writers} lines, comment {} has {}/{writers} lines",
        issue.number,
        writers - missing_issue.len(),
        marked_comments[0].id,
        writers - missing_comment.len()
    );
    assert!(
        missing_issue.is_empty(),
        "lost updates in the issue: writers {missing_issue:?}\n{issue_body}"
    );
    assert!(
        missing_comment.is_empty(),
        "lost updates in the comment: writers {missing_comment:?}"
    );
    assert!(faulted > 0, "the chaos test must actually inject faults");
}
