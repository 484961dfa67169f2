//! Marker upserts: the only way the bot creates objects on GitHub.
//!
//! GitHub has no conditional writes (no `If-Match` on issues or comments) and
//! no unique keys, so idempotency is built from reads:
//!
//! 1. **Look**: list the objects carrying the hidden marker (by our author),
//!    oldest first. The oldest is canonical; every writer picks the same one.
//! 2. **Act**: if none, create; if the canonical one differs from
//!    `merge(current)`, update it; delete (comments) or close and unmark
//!    (issues) every younger duplicate a race produced.
//! 3. **Verify**: go back to 1 until `merge(current) == current`. After our
//!    last write we wait [`GitHub::settle_delay`] and look once more.
//!
//! Writes are never resent blindly: a failed or timed-out write is followed
//! by a fresh look, which finds the object if the write did land.
//!
//! # Guarantee
//! - At most one marked object survives: racers converge on the oldest.
//! - No lost update, provided `merge` is idempotent and commutes with other
//!   writers' merges (e.g. "ensure my line is present"), and no other
//!   writer's update lands later than `settle_delay` after it read. A
//!   clobbering write must have read before our write landed, so it lands
//!   before our settled re-read and we re-apply our merge on top of it.
//!   Across runs on GitHub that bound is the request timeout; workflows
//!   should still use a `concurrency:` group for the same tracker.
//! - Bounded cost: at most [`MAX_ROUNDS`] look/act rounds; every write goes
//!   through the client's write budget.

use std::time::{Duration, Instant};

use crate::types::{Issue, IssueComment, IssueFilter, IssueNumber, IssueUpdate, NewIssue, RepoRef, StateFilter};
use crate::{Error, GitHub, Result};

/// Look/act rounds before an upsert gives up with [`Error::Conflict`].
pub const MAX_ROUNDS: u32 = 24;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertAction {
    /// Nothing to do: the canonical object already held the desired content.
    Unchanged,
    /// We created the canonical object.
    Created,
    /// We updated the canonical object.
    Updated,
}

/// Result of an upsert: the canonical object as last read.
#[derive(Debug, Clone)]
pub struct Upserted<T> {
    pub object: T,
    pub action: UpsertAction,
    /// Younger duplicates this call removed (comments deleted, issues closed).
    pub duplicates_removed: u32,
    /// Look/act rounds it took (1 = nothing to do).
    pub rounds: u32,
}

/// `body` carrying `marker` (appended after a blank line when missing).
pub fn with_marker(body: String, marker: &str) -> String {
    if body.contains(marker) {
        body
    } else if body.is_empty() {
        marker.to_string()
    } else {
        format!("{body}\n\n{marker}")
    }
}

fn authored_by(user: Option<&crate::types::User>, author: Option<&str>) -> bool {
    match author {
        None => true,
        Some(a) => user.is_some_and(|u| u.login.eq_ignore_ascii_case(a)),
    }
}

/// Marked comments by our author, oldest first.
pub(crate) async fn marked_comments<G: GitHub + ?Sized>(
    gh: &G,
    repo: &RepoRef,
    issue: IssueNumber,
    marker: &str,
) -> Result<Vec<IssueComment>> {
    let mut found: Vec<IssueComment> = gh
        .list_comments(repo, issue, None)
        .await?
        .into_iter()
        .filter(|c| c.body.contains(marker) && authored_by(c.user.as_ref(), gh.marker_author()))
        .collect();
    found.sort_by_key(|c| (c.created_at, c.id));
    Ok(found)
}

/// Marked issues with all `labels` by our author (open or closed), oldest first.
pub(crate) async fn marked_issues<G: GitHub + ?Sized>(
    gh: &G,
    repo: &RepoRef,
    marker: &str,
    labels: &[String],
) -> Result<Vec<Issue>> {
    let filter = IssueFilter {
        labels: labels.to_vec(),
        state: StateFilter::All,
        since: None,
    };
    let mut found: Vec<Issue> = gh
        .list_issues(repo, &filter)
        .await?
        .into_iter()
        .filter(|i| i.body.contains(marker) && authored_by(i.user.as_ref(), gh.marker_author()))
        .collect();
    found.sort_by_key(|i| (i.created_at, i.number));
    Ok(found)
}

/// Tracks one upsert's progress across rounds.
struct Round {
    marker: String,
    rounds: u32,
    last_write: Option<Instant>,
    action: UpsertAction,
    duplicates_removed: u32,
    last_error: Option<String>,
}

impl Round {
    fn finish<T>(self, object: T) -> Upserted<T> {
        Upserted {
            object,
            action: self.action,
            duplicates_removed: self.duplicates_removed,
            rounds: self.rounds,
        }
    }
}

enum Next {
    Done,
    Sleep(Duration),
}

impl Round {
    fn new(marker: &str) -> Self {
        Round {
            marker: marker.to_string(),
            rounds: 0,
            last_write: None,
            action: UpsertAction::Unchanged,
            duplicates_removed: 0,
            last_error: None,
        }
    }

    /// Called when the canonical object already matches: done unless our
    /// last write is younger than the settle delay.
    fn settled(&self, settle: Duration) -> Next {
        match self.last_write {
            Some(at) if at.elapsed() < settle => Next::Sleep(settle - at.elapsed()),
            _ => Next::Done,
        }
    }

    fn wrote(&mut self, action: UpsertAction) {
        self.last_write = Some(Instant::now());
        // Creating then merging into someone else's object is an update of theirs.
        self.action = match (self.action, action) {
            (UpsertAction::Created, UpsertAction::Updated) => UpsertAction::Created,
            (_, a) => a,
        };
    }

    /// Transient errors and 404s (an object deleted under us) lead to another
    /// look; anything else ends the upsert.
    fn absorb(&mut self, err: Error) -> Result<()> {
        if err.is_transient() || err.is_not_found() {
            self.last_error = Some(err.to_string());
            Ok(())
        } else {
            Err(err)
        }
    }

    fn give_up(&self) -> Error {
        Error::Conflict {
            marker: self.marker.clone(),
            attempts: self.rounds,
            last: self
                .last_error
                .clone()
                .unwrap_or_else(|| "other writers kept changing it".into()),
        }
    }
}

pub(crate) async fn comment<G, F>(
    gh: &G,
    repo: &RepoRef,
    issue: IssueNumber,
    marker: &str,
    merge: F,
) -> Result<Upserted<IssueComment>>
where
    G: GitHub + ?Sized,
    F: Fn(Option<&str>) -> String + Send + Sync,
{
    let mut st = Round::new(marker);
    while st.rounds < MAX_ROUNDS {
        st.rounds += 1;
        let found = match marked_comments(gh, repo, issue, marker).await {
            Ok(f) => f,
            Err(e) => {
                st.absorb(e)?;
                continue;
            }
        };
        let Some(canonical) = found.first().cloned() else {
            let body = with_marker(merge(None), marker);
            match gh.create_comment(repo, issue, &body).await {
                Ok(_) => st.wrote(UpsertAction::Created),
                Err(e) => st.absorb(e)?,
            }
            continue;
        };
        for dup in &found[1..] {
            match gh.delete_comment(repo, dup.id).await {
                Ok(()) => st.duplicates_removed += 1,
                Err(e) => st.absorb(e)?,
            }
        }
        let want = with_marker(merge(Some(&canonical.body)), marker);
        if want == canonical.body {
            match st.settled(gh.settle_delay()) {
                Next::Done => {
                    return Ok(st.finish(canonical))
                }
                Next::Sleep(d) => tokio::time::sleep(d).await,
            }
            continue;
        }
        match gh.update_comment(repo, canonical.id, &want).await {
            Ok(_) => st.wrote(UpsertAction::Updated),
            Err(e) => st.absorb(e)?,
        }
    }
    Err(st.give_up())
}

pub(crate) async fn issue<G, F>(
    gh: &G,
    repo: &RepoRef,
    marker: &str,
    title: &str,
    labels: &[String],
    merge: F,
) -> Result<Upserted<Issue>>
where
    G: GitHub + ?Sized,
    F: Fn(Option<&str>) -> String + Send + Sync,
{
    let mut st = Round::new(marker);
    while st.rounds < MAX_ROUNDS {
        st.rounds += 1;
        let found = match marked_issues(gh, repo, marker, labels).await {
            Ok(f) => f,
            Err(e) => {
                st.absorb(e)?;
                continue;
            }
        };
        let Some(canonical) = found.first().cloned() else {
            let new = NewIssue {
                title: title.to_string(),
                body: with_marker(merge(None), marker),
                labels: labels.to_vec(),
            };
            match gh.create_issue(repo, &new).await {
                Ok(_) => st.wrote(UpsertAction::Created),
                Err(e) => st.absorb(e)?,
            }
            continue;
        };
        for dup in &found[1..] {
            let close = IssueUpdate {
                body: Some(format!(
                    "Duplicate of #{} (created by a concurrent run of the bot; closed automatically).",
                    canonical.number
                )),
                state: Some("closed".into()),
                state_reason: Some("not_planned".into()),
                ..IssueUpdate::default()
            };
            match gh.update_issue(repo, dup.number, &close).await {
                Ok(_) => st.duplicates_removed += 1,
                Err(e) => st.absorb(e)?,
            }
        }
        let want_body = with_marker(merge(Some(&canonical.body)), marker);
        let missing_labels = labels.iter().any(|l| !canonical.has_label(l));
        if want_body == canonical.body && canonical.title == title && !missing_labels {
            match st.settled(gh.settle_delay()) {
                Next::Done => {
                    return Ok(st.finish(canonical))
                }
                Next::Sleep(d) => tokio::time::sleep(d).await,
            }
            continue;
        }
        let mut update = IssueUpdate::default();
        if want_body != canonical.body {
            update.body = Some(want_body);
        }
        if canonical.title != title {
            update.title = Some(title.to_string());
        }
        if missing_labels {
            let mut all: Vec<String> = canonical.labels.iter().map(|l| l.name.clone()).collect();
            all.extend(labels.iter().filter(|l| !canonical.has_label(l)).cloned());
            update.labels = Some(all);
        }
        match gh.update_issue(repo, canonical.number, &update).await {
            Ok(_) => st.wrote(UpsertAction::Updated),
            Err(e) => st.absorb(e)?,
        }
    }
    Err(st.give_up())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_appended_once() {
        let m = "<!-- ci-bot:x -->";
        assert_eq!(with_marker("hi".into(), m), "hi\n\n<!-- ci-bot:x -->");
        assert_eq!(with_marker(format!("a {m} b"), m), format!("a {m} b"));
        assert_eq!(with_marker(String::new(), m), m);
    }
}
