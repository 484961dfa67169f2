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
//! - Bounded cost: at most [`MAX_ROUNDS`] look/act rounds, none started
//!   after [`GitHub::upsert_deadline`]; every write goes through the
//!   client's write budget.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::types::{Issue, IssueComment, IssueFilter, IssueNumber, IssueUpdate, NewIssue, RepoRef, User};
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
    /// The canonical object as last read.
    pub object: T,
    /// What the upsert did to it.
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
        .filter(|c| c.body.contains(marker) && gh.is_own(c.user.as_ref()))
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
    // A label someone removed must not hide the issue (a second one with
    // empty state would follow); the update puts the label back.
    let filter = IssueFilter::own(gh.marker_author(), labels, None);
    let mut found: Vec<Issue> = gh
        .list_issues(repo, &filter)
        .await?
        .into_iter()
        .filter(|i| i.body.contains(marker) && gh.is_own(i.user.as_ref()))
        .collect();
    found.sort_by_key(|i| (i.created_at, i.number));
    Ok(found)
}

/// Full jitter over an exponential window (25 ms doubling, capped at 2 s):
/// `n` writers overwriting each other spread out within a few rounds.
fn contention_backoff(n: u32) -> Duration {
    let cap = Duration::from_millis(25).saturating_mul(1 << n.min(7)).min(Duration::from_secs(2));
    cap.mul_f64(rand::random_range(0.0..=1.0))
}

/// Tracks one upsert's progress across rounds.
struct Round {
    marker: String,
    rounds: u32,
    /// Times our write was found overwritten by another writer.
    contended: u32,
    /// We backed off since our last write: the next mismatch is acted on.
    backed_off: bool,
    last_write: Option<Instant>,
    action: UpsertAction,
    duplicates_removed: u32,
    last_error: Option<String>,
    started: Instant,
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
            contended: 0,
            backed_off: false,
            last_write: None,
            action: UpsertAction::Unchanged,
            duplicates_removed: 0,
            last_error: None,
            started: Instant::now(),
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

    fn give_up(&self, deadline: Duration) -> Error {
        let last = self
            .last_error
            .clone()
            .unwrap_or_else(|| format!("other writers overwrote it {} times; this run's version was not kept", self.contended));
        let elapsed = self.started.elapsed();
        Error::Conflict {
            marker: self.marker.clone(),
            attempts: self.rounds,
            last: if elapsed >= deadline { format!("{last}; stopped after {} s", elapsed.as_secs()) } else { last },
        }
    }
}

/// GitHub recorded our new object under another login than the one our
/// lookups trust, so no lookup would ever find it: every round (and every
/// run) would create another. An Actions-style `ghs_` token that is a
/// GitHub App's installation token does this (it cannot read `/user`, so
/// the login was taken for `github-actions[bot]`). Stop after the one.
fn wrong_author(marker: &str, wrote_as: &str, looks_for: Option<&str>) -> Error {
    Error::Config(format!(
        "the bot wrote {marker} as @{wrote_as} but trusts only objects by @{}; set {}={wrote_as} (a GitHub App installation token writes as <app-slug>[bot])",
        looks_for.unwrap_or("?"),
        crate::env::MARKER_AUTHOR
    ))
}

/// One kind of marked object (comments on an issue, issues of a repo): what
/// the look/act/verify loop of [`upsert`] asks of it.
trait Marked<G: GitHub + ?Sized>: Sync {
    /// The object on GitHub.
    type Object: Clone + Send + Sync;
    /// What one update sends.
    type Update: Send;

    /// The marked objects by our author, oldest first.
    fn look(&self, gh: &G) -> impl Future<Output = Result<Vec<Self::Object>>> + Send;
    /// Create the object with `body` (the marker included); its author as
    /// GitHub recorded it.
    fn create(&self, gh: &G, body: String) -> impl Future<Output = Result<Option<User>>> + Send;
    /// Remove `dup`, a younger duplicate of `canonical` a race produced.
    fn retire(&self, gh: &G, canonical: &Self::Object, dup: &Self::Object) -> impl Future<Output = Result<()>> + Send;
    /// The object's body.
    fn body(object: &Self::Object) -> &str;
    /// What makes `object` hold `want` (and anything else the kind keeps in
    /// step); `None` when it already does.
    fn update_for(&self, object: &Self::Object, want: String) -> Option<Self::Update>;
    /// Send `update` to `object`.
    fn update(&self, gh: &G, object: &Self::Object, update: Self::Update) -> impl Future<Output = Result<()>> + Send;
}

/// The algorithm (see the module docs), for any kind of marked object.
async fn upsert<G, M, F>(gh: &G, kind: &M, marker: &str, merge: F) -> Result<Upserted<M::Object>>
where
    G: GitHub + ?Sized,
    M: Marked<G>,
    F: Fn(Option<&str>) -> String + Send + Sync,
{
    let mut st = Round::new(marker);
    let deadline = gh.upsert_deadline();
    while st.rounds < MAX_ROUNDS && st.started.elapsed() < deadline {
        st.rounds += 1;
        let found = match kind.look(gh).await {
            Ok(f) => f,
            Err(e) => {
                st.absorb(e)?;
                continue;
            }
        };
        let Some(canonical) = found.first().cloned() else {
            match kind.create(gh, with_marker(merge(None), marker)).await {
                Ok(Some(author)) if !gh.is_own(Some(&author)) => return Err(wrong_author(marker, &author.login, gh.marker_author())),
                Ok(_) => st.wrote(UpsertAction::Created),
                Err(e) => {
                    // A timeout or a 5xx may have landed: give GitHub's
                    // lists the settle delay to show it before the next
                    // look, or that look may miss it and create a second.
                    let ambiguous = e.is_transient();
                    st.absorb(e)?;
                    if ambiguous {
                        st.last_write = Some(Instant::now());
                        tokio::time::sleep(gh.settle_delay()).await;
                    }
                }
            }
            continue;
        };
        for dup in &found[1..] {
            match kind.retire(gh, &canonical, dup).await {
                Ok(()) => st.duplicates_removed += 1,
                Err(e) => st.absorb(e)?,
            }
        }
        let want = with_marker(merge(Some(M::body(&canonical))), marker);
        match kind.update_for(&canonical, want) {
            None => match st.settled(gh.settle_delay()) {
                Next::Done => return Ok(st.finish(canonical)),
                Next::Sleep(d) => {
                    // A pause with no word looks like a hang: say why.
                    tracing::info!(
                        wait_ms = d.as_millis() as u64,
                        "wrote {marker}; waiting for GitHub's lists to show it, then reading once more (a concurrent writer's update would be merged, not lost)"
                    );
                    tokio::time::sleep(d).await
                }
            },
            // Our last write was overwritten: several writers are at it.
            // Back off (with jitter, so they spread out) and look again,
            // rather than all rewriting in lockstep until the rounds run out.
            Some(_) if st.last_write.is_some() && !st.backed_off => {
                st.contended += 1;
                st.backed_off = true;
                tokio::time::sleep(contention_backoff(st.contended)).await;
            }
            Some(update) => match kind.update(gh, &canonical, update).await {
                Ok(()) => {
                    st.backed_off = false;
                    st.wrote(UpsertAction::Updated)
                }
                Err(e) => st.absorb(e)?,
            },
        }
    }
    Err(st.give_up(deadline))
}

/// The comments on one issue.
struct Comments<'a> {
    repo: &'a RepoRef,
    issue: IssueNumber,
    marker: &'a str,
}

impl<G: GitHub + ?Sized> Marked<G> for Comments<'_> {
    type Object = IssueComment;
    type Update = String;

    fn look(&self, gh: &G) -> impl Future<Output = Result<Vec<IssueComment>>> + Send {
        marked_comments(gh, self.repo, self.issue, self.marker)
    }

    async fn create(&self, gh: &G, body: String) -> Result<Option<User>> {
        gh.create_comment(self.repo, self.issue, &body).await.map(|c| c.user)
    }

    async fn retire(&self, gh: &G, _canonical: &IssueComment, dup: &IssueComment) -> Result<()> {
        gh.delete_comment(self.repo, dup.id).await
    }

    fn body(object: &IssueComment) -> &str {
        &object.body
    }

    fn update_for(&self, object: &IssueComment, want: String) -> Option<String> {
        (want != object.body).then_some(want)
    }

    async fn update(&self, gh: &G, object: &IssueComment, body: String) -> Result<()> {
        gh.update_comment(self.repo, object.id, &body).await.map(drop)
    }
}

/// The issues of one repository that carry all of `labels`; the canonical
/// one also gets `title` and at least `labels`.
struct Issues<'a> {
    repo: &'a RepoRef,
    marker: &'a str,
    title: &'a str,
    labels: &'a [String],
}

impl<G: GitHub + ?Sized> Marked<G> for Issues<'_> {
    type Object = Issue;
    type Update = IssueUpdate;

    fn look(&self, gh: &G) -> impl Future<Output = Result<Vec<Issue>>> + Send {
        marked_issues(gh, self.repo, self.marker, self.labels)
    }

    async fn create(&self, gh: &G, body: String) -> Result<Option<User>> {
        let new = NewIssue { title: self.title.to_string(), body, labels: self.labels.to_vec() };
        gh.create_issue(self.repo, &new).await.map(|i| i.user)
    }

    /// REST cannot delete issues: close the duplicate and drop its marker.
    async fn retire(&self, gh: &G, canonical: &Issue, dup: &Issue) -> Result<()> {
        let close = IssueUpdate {
            body: Some(format!(
                "Duplicate of #{} (created by a concurrent run of the bot; closed automatically).",
                canonical.number
            )),
            state: Some("closed".into()),
            state_reason: Some("not_planned".into()),
            ..IssueUpdate::default()
        };
        gh.update_issue(self.repo, dup.number, &close).await.map(drop)
    }

    fn body(object: &Issue) -> &str {
        &object.body
    }

    fn update_for(&self, object: &Issue, want: String) -> Option<IssueUpdate> {
        let missing_labels = self.labels.iter().any(|l| !object.has_label(l));
        if want == object.body && object.title == self.title && !missing_labels {
            return None;
        }
        let mut update = IssueUpdate::default();
        if want != object.body {
            update.body = Some(want);
        }
        if object.title != self.title {
            update.title = Some(self.title.to_string());
        }
        if missing_labels {
            let mut all: Vec<String> = object.labels.iter().map(|l| l.name.clone()).collect();
            all.extend(self.labels.iter().filter(|l| !object.has_label(l)).cloned());
            update.labels = Some(all);
        }
        Some(update)
    }

    async fn update(&self, gh: &G, object: &Issue, update: IssueUpdate) -> Result<()> {
        gh.update_issue(self.repo, object.number, &update).await.map(drop)
    }
}

/// Read-modify-write of the comment marked `marker` on `issue`.
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
    upsert(gh, &Comments { repo, issue, marker }, marker, merge).await
}

/// Read-modify-write of the issue marked `marker` (with `title` and `labels`).
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
    upsert(gh, &Issues { repo, marker, title, labels }, marker, merge).await
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
