//! The `GitHub` port: exactly the calls the bot makes, nothing more.
//!
//! Methods return `impl Future + Send` (rather than plain `async fn`) so callers
//! generic over `G: GitHub` can still `tokio::spawn` the futures.
//!
//! Writes come in two kinds:
//! - primitives (`create_comment`, `update_issue`, ...): one request each,
//!   counted against the write budget, never retried;
//! - marker upserts (`upsert_*_by_marker`, `update_*_by_marker`): the only
//!   way the bot should create objects. They are default methods written on
//!   top of the primitives, so every implementation gets the same semantics;
//!   see [`crate::upsert`] for the algorithm and its guarantee.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::types::*;
use crate::upsert::{self, Upserted};
use crate::Result;

/// What the bot needs from GitHub.
pub trait GitHub: Send + Sync {
    // ----- Actions -------------------------------------------------------

    /// Workflow runs, newest first, following every page (up to `filter.limit`).
    fn list_workflow_runs(
        &self,
        repo: &RepoRef,
        filter: &RunFilter,
    ) -> impl Future<Output = Result<Vec<WorkflowRun>>> + Send;

    /// One workflow run.
    fn get_workflow_run(
        &self,
        repo: &RepoRef,
        run_id: RunId,
    ) -> impl Future<Output = Result<WorkflowRun>> + Send;

    /// Jobs of the latest attempt of a run (`filter=latest`), all pages.
    fn list_jobs(
        &self,
        repo: &RepoRef,
        run_id: RunId,
    ) -> impl Future<Output = Result<Vec<Job>>> + Send;

    /// Streams the plain-text log of one job into `sink`; returns bytes written.
    /// GitHub answers with a 302 to a short-lived blob URL: the token is sent
    /// to the API only, never to the blob host.
    fn download_job_log(
        &self,
        repo: &RepoRef,
        job_id: JobId,
        sink: &mut (dyn Write + Send),
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Streams the zip of every log of a run into `sink`; returns bytes written.
    fn download_run_logs_zip(
        &self,
        repo: &RepoRef,
        run_id: RunId,
        sink: &mut (dyn Write + Send),
    ) -> impl Future<Output = Result<u64>> + Send;

    /// `POST .../actions/runs/{id}/rerun-failed-jobs` (a write).
    fn rerun_failed_jobs(
        &self,
        repo: &RepoRef,
        run_id: RunId,
    ) -> impl Future<Output = Result<()>> + Send;

    // ----- Self-hosted runners (repo administration) ---------------------

    /// `POST .../actions/runners/registration-token` (a write): a token that
    /// registers one runner. Needs a token with admin rights on the repo.
    fn create_runner_registration_token(
        &self,
        repo: &RepoRef,
    ) -> impl Future<Output = Result<RegistrationToken>> + Send;

    /// Self-hosted runners of the repo, all pages.
    fn list_runners(
        &self,
        repo: &RepoRef,
    ) -> impl Future<Output = Result<Vec<SelfHostedRunner>>> + Send;

    /// `DELETE .../actions/runners/{id}` (a write); an already-removed runner
    /// is success. A busy runner is refused (422, [`crate::Error::Validation`]).
    fn delete_runner(
        &self,
        repo: &RepoRef,
        runner_id: RunnerId,
    ) -> impl Future<Output = Result<()>> + Send;

    // ----- Issues --------------------------------------------------------

    /// Creates an issue. Prefer [`GitHub::upsert_issue_by_marker`]: a bare
    /// create is not idempotent.
    fn create_issue(
        &self,
        repo: &RepoRef,
        issue: &NewIssue,
    ) -> impl Future<Output = Result<Issue>> + Send;

    /// One issue (or pull request) by number.
    fn get_issue(&self, repo: &RepoRef, number: IssueNumber) -> impl Future<Output = Result<Issue>> + Send;

    /// Changes the `Some` fields of `update` on an issue.
    fn update_issue(
        &self,
        repo: &RepoRef,
        number: IssueNumber,
        update: &IssueUpdate,
    ) -> impl Future<Output = Result<Issue>> + Send;

    /// Issues (pull requests excluded), oldest first, all pages. Uses
    /// conditional requests: an unchanged page costs no rate limit.
    fn list_issues(
        &self,
        repo: &RepoRef,
        filter: &IssueFilter,
    ) -> impl Future<Output = Result<Vec<Issue>>> + Send;

    /// `GET /search/issues?q=...`, up to `limit` results. Search is eventually
    /// consistent (new issues appear after seconds to minutes): never use it to
    /// decide whether to create something.
    fn search_issues(
        &self,
        query: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Issue>>> + Send;

    // ----- Issue comments ------------------------------------------------

    /// Comments of an issue or PR, oldest first, all pages; `since` keeps
    /// only comments updated at or after it.
    fn list_comments(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<IssueComment>>> + Send;

    /// Creates a comment. Prefer [`GitHub::upsert_comment_by_marker`].
    fn create_comment(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        body: &str,
    ) -> impl Future<Output = Result<IssueComment>> + Send;

    /// Replaces a comment's body.
    fn update_comment(
        &self,
        repo: &RepoRef,
        comment_id: CommentId,
        body: &str,
    ) -> impl Future<Output = Result<IssueComment>> + Send;

    /// Deletes a comment; an already-deleted comment is success.
    fn delete_comment(
        &self,
        repo: &RepoRef,
        comment_id: CommentId,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Comments on every issue and pull request of `repo` updated at or
    /// after `since`, oldest update first, all pages (a command watcher's poll).
    fn list_repo_comments(
        &self,
        repo: &RepoRef,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<IssueComment>>> + Send;

    // ----- Reactions (idempotent on GitHub: an existing reaction is returned) --

    /// Adds a reaction to a comment: [`ReactionOutcome::Created`] (201) when
    /// this call made it, `AlreadyExisted` (200) when this user had it
    /// already. The command claim is exactly that answer.
    fn react_to_comment(
        &self,
        repo: &RepoRef,
        comment_id: CommentId,
        reaction: Reaction,
    ) -> impl Future<Output = Result<ReactionOutcome>> + Send;

    /// The reactions of kind `reaction` on a comment, with who gave each.
    fn list_comment_reactions(
        &self,
        repo: &RepoRef,
        comment_id: CommentId,
        reaction: Reaction,
    ) -> impl Future<Output = Result<Vec<GivenReaction>>> + Send;

    /// Adds a reaction to an issue or pull request.
    fn react_to_issue(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        reaction: Reaction,
    ) -> impl Future<Output = Result<()>> + Send;

    // ----- Who may do what -------------------------------------------------

    /// `state` of `login`'s membership of team `org/team` (`active`,
    /// `pending`); `None` when not a member (or the team is invisible).
    fn team_membership(
        &self,
        org: &str,
        team: &str,
        login: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;

    /// `login`'s role on `repo`: `admin`, `maintain`, `write`, `triage`,
    /// `read` or `none`.
    fn permission(&self, repo: &RepoRef, login: &str) -> impl Future<Output = Result<String>> + Send;

    // ----- Pull requests ---------------------------------------------------

    /// `compare/{base}...{head}`: the merge base and the distance.
    fn compare(
        &self,
        repo: &RepoRef,
        base: &str,
        head: &str,
    ) -> impl Future<Output = Result<Comparison>> + Send;

    /// Pull requests whose head commit is `sha`.
    fn pull_requests_of_commit(
        &self,
        repo: &RepoRef,
        sha: &str,
    ) -> impl Future<Output = Result<Vec<PullRequest>>> + Send;

    /// One pull request.
    fn get_pull_request(
        &self,
        repo: &RepoRef,
        number: IssueNumber,
    ) -> impl Future<Output = Result<PullRequest>> + Send;

    /// Changed files, all pages (GitHub stops at 3000 files).
    fn list_pull_request_files(
        &self,
        repo: &RepoRef,
        number: IssueNumber,
    ) -> impl Future<Output = Result<Vec<PrFile>>> + Send;

    /// Unified diff (`Accept: application/vnd.github.diff`).
    fn get_pull_request_diff(
        &self,
        repo: &RepoRef,
        number: IssueNumber,
    ) -> impl Future<Output = Result<String>> + Send;

    // ----- Contents and dispatch -----------------------------------------

    /// File bytes at `git_ref` (default branch when `None`); `Ok(None)` if absent.
    fn get_file(
        &self,
        repo: &RepoRef,
        path: &str,
        git_ref: Option<&str>,
    ) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;

    /// `POST /repos/{o}/{r}/dispatches` (a write).
    fn repository_dispatch(
        &self,
        repo: &RepoRef,
        event_type: &str,
        client_payload: &serde_json::Value,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `POST .../actions/workflows/{workflow}/dispatches` (a write); `workflow` is a file name or id.
    fn workflow_dispatch(
        &self,
        repo: &RepoRef,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Value,
    ) -> impl Future<Output = Result<()>> + Send;

    // ----- Marker upserts (default methods; see `crate::upsert`) ----------

    /// The bot's own login: only objects it authored count as carrying a
    /// marker or state, so a user pasting our marker cannot hijack (or get
    /// deleted by) an upsert. [`crate::Client`] resolves it once, when built
    /// (`CI_BOT_MARKER_AUTHOR`, else the App's `<slug>[bot]`, else `GET
    /// /user`). `None` (an anonymous client, which cannot write) trusts any
    /// author.
    fn marker_author(&self) -> Option<&str> {
        None
    }

    /// Whether an object by `user` is the bot's own (see
    /// [`GitHub::marker_author`]). Logins compare case-insensitively, as on GitHub.
    fn is_own(&self, user: Option<&User>) -> bool {
        match self.marker_author() {
            None => true,
            Some(a) => user.is_some_and(|u| u.login.eq_ignore_ascii_case(a)),
        }
    }

    /// Requests left in the `core` rate-limit window, as GitHub's last
    /// answer said (`x-ratelimit-remaining`); `None` before any answer, or
    /// where there is no limit. Bulk reads (one log per failed job) stop
    /// short of it so the run keeps enough to write what it read.
    fn rate_remaining(&self) -> Option<u64> {
        None
    }

    /// How long after its last write a read-modify-write re-reads once more
    /// before declaring success. It must exceed the time another writer can
    /// take between its read and its write landing (the request timeout) for
    /// the no-lost-update guarantee to hold across processes.
    fn settle_delay(&self) -> Duration {
        Duration::ZERO
    }

    /// Longest one marker upsert keeps going (its look/act rounds, their
    /// reads' own retries, its settle waits) before it gives up with
    /// [`Error::Conflict`](crate::Error::Conflict): a GitHub that answers
    /// every list with a 502 must end the run in minutes, not after 24
    /// rounds of retried 30-second timeouts (about an hour).
    fn upsert_deadline(&self) -> Duration {
        Duration::from_secs(180)
    }

    /// The canonical (oldest) comment on `issue` whose body contains `marker`.
    fn find_comment_by_marker(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
    ) -> impl Future<Output = Result<Option<IssueComment>>> + Send
    where
        Self: Sized,
    {
        async move {
            Ok(upsert::marked_comments(self, repo, issue, marker)
                .await?
                .into_iter()
                .next())
        }
    }

    /// The canonical (oldest) issue with all `labels` whose body contains `marker`
    /// (open or closed). Found by listing, not by search (search lags).
    fn find_issue_by_marker(
        &self,
        repo: &RepoRef,
        marker: &str,
        labels: &[String],
    ) -> impl Future<Output = Result<Option<Issue>>> + Send
    where
        Self: Sized,
    {
        async move {
            Ok(upsert::marked_issues(self, repo, marker, labels)
                .await?
                .into_iter()
                .next())
        }
    }

    /// Makes the comment marked `marker` on `issue` have exactly `body`
    /// (the marker is appended if `body` lacks it): create if absent, update
    /// if different, nothing if equal; duplicates from a race are deleted.
    fn upsert_comment_by_marker(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
        body: &str,
    ) -> impl Future<Output = Result<Upserted<IssueComment>>> + Send
    where
        Self: Sized,
    {
        upsert::comment(self, repo, issue, marker, move |_: Option<&str>| {
            body.to_string()
        })
    }

    /// Read-modify-write of the comment marked `marker`: `merge` gets the
    /// current body (`None` if there is no such comment) and returns the new
    /// one. `merge` must be idempotent (`merge(merge(x)) == merge(x)`); it is
    /// re-applied to whatever is current until the result sticks, so a
    /// concurrent writer's change is merged, not overwritten.
    fn update_comment_by_marker<F>(
        &self,
        repo: &RepoRef,
        issue: IssueNumber,
        marker: &str,
        merge: F,
    ) -> impl Future<Output = Result<Upserted<IssueComment>>> + Send
    where
        Self: Sized,
        F: Fn(Option<&str>) -> String + Send + Sync,
    {
        upsert::comment(self, repo, issue, marker, merge)
    }

    /// Makes the issue marked `marker` (looked up among issues carrying all
    /// `labels`) have `title`, `body` and at least `labels`. Duplicates from a
    /// race are closed and their marker removed (REST cannot delete issues).
    fn upsert_issue_by_marker(
        &self,
        repo: &RepoRef,
        marker: &str,
        title: &str,
        body: &str,
        labels: &[String],
    ) -> impl Future<Output = Result<Upserted<Issue>>> + Send
    where
        Self: Sized,
    {
        upsert::issue(self, repo, marker, title, labels, move |_: Option<&str>| {
            body.to_string()
        })
    }

    /// Read-modify-write of the body of the issue marked `marker`; same
    /// contract as [`GitHub::update_comment_by_marker`].
    fn update_issue_by_marker<F>(
        &self,
        repo: &RepoRef,
        marker: &str,
        title: &str,
        labels: &[String],
        merge: F,
    ) -> impl Future<Output = Result<Upserted<Issue>>> + Send
    where
        Self: Sized,
        F: Fn(Option<&str>) -> String + Send + Sync,
    {
        upsert::issue(self, repo, marker, title, labels, merge)
    }
}
