//! The actions as types: which ones exist ([`ActionKind`], the one list the
//! CLI's subcommands and the `actions/<name>/action.yml` files follow), one
//! ready to run with its own inputs ([`Action`]), and what each hands back
//! ([`Outcome`] with typed [`Outputs`]).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use ci_github::{GitHub, IssueNumber};

use crate::actions;
use crate::ctx::{Ctx, PlannedWrite};
use crate::inputs::RawInputs;

/// The monitor's actions. [`ActionKind::name`] is the CLI subcommand, the
/// directory under `actions/` and the `args:` of its `action.yml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    /// Find or create today's daily report issue.
    EnsureDailyIssue,
    /// Triage failed jobs of one workflow and update its daily comment.
    AnalyzeWorkflow,
    /// Rebuild the cross-workflow summary in the daily issue body.
    PublishSummary,
    /// Update the long-lived per-workflow failure tracker issues.
    UpdateTrackers,
    /// Analyse one run or job URL into an issue or stdout.
    AnalyzeUrl,
    /// `@bot` commands on pull requests: claim, reply, dispatch or run.
    WatchComments,
    /// "Can I merge?": the verdict comment of a pull request.
    CiStatus,
    /// The deterministic review checklist of a pull request.
    PrReview,
}

impl ActionKind {
    /// Every action, in the order of a monitor tick.
    pub const ALL: [ActionKind; 8] = [
        ActionKind::EnsureDailyIssue,
        ActionKind::AnalyzeWorkflow,
        ActionKind::PublishSummary,
        ActionKind::UpdateTrackers,
        ActionKind::AnalyzeUrl,
        ActionKind::WatchComments,
        ActionKind::CiStatus,
        ActionKind::PrReview,
    ];

    /// The inputs its `action.yml` declares (a test checks they agree); the
    /// CLI shows only these flags in the subcommand's `--help`.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            ActionKind::EnsureDailyIssue => &["workflows", "date", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
            ActionKind::AnalyzeWorkflow => {
                &["workflow", "lookback-hours", "date", "repo", "bot-repo", "token", "config", "dry-run", "api-url"]
            }
            ActionKind::PublishSummary => {
                &["workflows", "lookback-hours", "date", "repo", "bot-repo", "token", "config", "dry-run", "api-url"]
            }
            ActionKind::UpdateTrackers => &["workflows", "date", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
            ActionKind::AnalyzeUrl => &["url", "output", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
            ActionKind::WatchComments => &["lookback-hours", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
            ActionKind::CiStatus => &["pr", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
            ActionKind::PrReview => &["pr", "focus", "repo", "bot-repo", "token", "config", "dry-run", "api-url"],
        }
    }

    /// Whether it reads a webhook delivery (`event-name`, `event-path`,
    /// defaulting to the runner's `GITHUB_EVENT_NAME`/`GITHUB_EVENT_PATH`).
    pub fn reads_event(self) -> bool {
        matches!(self, ActionKind::WatchComments | ActionKind::CiStatus | ActionKind::PrReview)
    }

    /// `ensure-daily-issue`, `analyze-workflow`, ...
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::EnsureDailyIssue => "ensure-daily-issue",
            ActionKind::AnalyzeWorkflow => "analyze-workflow",
            ActionKind::PublishSummary => "publish-summary",
            ActionKind::UpdateTrackers => "update-trackers",
            ActionKind::AnalyzeUrl => "analyze-url",
            ActionKind::WatchComments => "watch-comments",
            ActionKind::CiStatus => "ci-status",
            ActionKind::PrReview => "pr-review",
        }
    }

    /// One line for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            ActionKind::EnsureDailyIssue => "Find or create today's daily report issue.",
            ActionKind::AnalyzeWorkflow => "Triage failed jobs of one workflow and update its daily comment.",
            ActionKind::PublishSummary => "Rebuild the cross-workflow summary in the daily issue body.",
            ActionKind::UpdateTrackers => "Update the long-lived per-workflow failure tracker issues.",
            ActionKind::AnalyzeUrl => "Analyse one run or job URL into an issue or stdout.",
            ActionKind::WatchComments => "Act on @bot commands in pull request comments, exactly once.",
            ActionKind::CiStatus => "Post or refresh a pull request's ci-status comment (verdicts with evidence).",
            ActionKind::PrReview => "Post the review checklist of a pull request.",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ActionKind {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        ActionKind::ALL.into_iter().find(|a| a.name() == s).ok_or_else(|| anyhow::anyhow!("unknown action {s:?}"))
    }
}

/// Where `analyze-url` puts its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlOutput {
    /// An `[Analyze]` issue in the bot repo.
    Issue,
    /// Markdown on stdout; nothing is written to GitHub.
    Stdout,
}

/// The webhook delivery the action runs on (`GITHUB_EVENT_NAME`, the
/// content of `GITHUB_EVENT_PATH`), when it runs event-driven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// `issue_comment`, `workflow_run`, `repository_dispatch`, `schedule`, ...
    pub name: String,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// Largest event payload read (GitHub caps webhook payloads at 25 MB).
const MAX_EVENT_BYTES: u64 = 25 * 1024 * 1024;

impl WebhookEvent {
    /// The event of `raw` (`event-name`, `event-path`), if both are given;
    /// an unreadable file is a one-line error.
    pub fn from_inputs(raw: &RawInputs) -> anyhow::Result<Option<WebhookEvent>> {
        let (Some(name), Some(path)) = (raw.event_name.as_deref(), raw.event_path.as_deref()) else { return Ok(None) };
        let meta = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("event payload {path}: {e}"))?;
        if meta.len() > MAX_EVENT_BYTES {
            anyhow::bail!("event payload {path}: {} bytes is more than a webhook can carry", meta.len());
        }
        let payload = std::fs::read(path).map_err(|e| anyhow::anyhow!("event payload {path}: {e}"))?;
        Ok(Some(WebhookEvent { name: name.trim().to_string(), payload }))
    }

    /// `client_payload` of a `repository_dispatch` delivery.
    pub fn client_payload(&self) -> Option<serde_json::Value> {
        if self.name != "repository_dispatch" {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&self.payload).ok()?;
        v.get("client_payload").cloned()
    }
}

/// One action with the inputs only it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// See [`ActionKind::EnsureDailyIssue`].
    EnsureDailyIssue,
    /// See [`ActionKind::AnalyzeWorkflow`].
    AnalyzeWorkflow {
        /// Workflow file name.
        workflow: String,
    },
    /// See [`ActionKind::PublishSummary`].
    PublishSummary,
    /// See [`ActionKind::UpdateTrackers`].
    UpdateTrackers,
    /// See [`ActionKind::AnalyzeUrl`].
    AnalyzeUrl {
        /// Run or job URL.
        url: String,
        /// Where the report goes.
        output: UrlOutput,
    },
    /// See [`ActionKind::WatchComments`].
    WatchComments {
        /// An `issue_comment` delivery; otherwise comments are polled.
        event: Option<WebhookEvent>,
    },
    /// See [`ActionKind::CiStatus`].
    CiStatus {
        /// The pull request (input `pr`), else from the event.
        pr: Option<u64>,
        /// `repository_dispatch` or `workflow_run` delivery.
        event: Option<WebhookEvent>,
    },
    /// See [`ActionKind::PrReview`].
    PrReview {
        /// The pull request (input `pr`), else from the event.
        pr: Option<u64>,
        /// `review-focus` areas (input `focus`).
        focus: Vec<String>,
        /// `repository_dispatch` delivery.
        event: Option<WebhookEvent>,
    },
}

fn pr_input(raw: &RawInputs) -> anyhow::Result<Option<u64>> {
    match raw.pr.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .trim_start_matches('#')
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("input `pr`: {s:?} is not a pull request number")),
    }
}

impl Action {
    /// The action `kind` with its inputs taken from `raw`; a missing or bad
    /// input is a one-line error.
    pub fn from_inputs(kind: ActionKind, raw: &RawInputs) -> anyhow::Result<Action> {
        Ok(match kind {
            ActionKind::EnsureDailyIssue => Action::EnsureDailyIssue,
            ActionKind::AnalyzeWorkflow => Action::AnalyzeWorkflow {
                workflow: raw
                    .workflow
                    .clone()
                    .ok_or_else(|| anyhow::anyhow!("input `workflow` is required for analyze-workflow"))?,
            },
            ActionKind::PublishSummary => Action::PublishSummary,
            ActionKind::UpdateTrackers => Action::UpdateTrackers,
            ActionKind::AnalyzeUrl => Action::AnalyzeUrl {
                url: raw.url.clone().ok_or_else(|| anyhow::anyhow!("input `url` is required for analyze-url"))?,
                output: match raw.output.as_deref().unwrap_or("issue") {
                    "issue" => UrlOutput::Issue,
                    "stdout" => UrlOutput::Stdout,
                    other => anyhow::bail!("input `output`: {other:?} is not `issue` or `stdout`"),
                },
            },
            ActionKind::WatchComments => Action::WatchComments { event: WebhookEvent::from_inputs(raw)? },
            ActionKind::CiStatus => Action::CiStatus { pr: pr_input(raw)?, event: WebhookEvent::from_inputs(raw)? },
            ActionKind::PrReview => Action::PrReview {
                pr: pr_input(raw)?,
                focus: raw.focus.as_deref().map(crate::config::split_list).unwrap_or_default()
                    .iter()
                    .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                    .collect(),
                event: WebhookEvent::from_inputs(raw)?,
            },
        })
    }

    /// Which action this is.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::EnsureDailyIssue => ActionKind::EnsureDailyIssue,
            Action::AnalyzeWorkflow { .. } => ActionKind::AnalyzeWorkflow,
            Action::PublishSummary => ActionKind::PublishSummary,
            Action::UpdateTrackers => ActionKind::UpdateTrackers,
            Action::AnalyzeUrl { .. } => ActionKind::AnalyzeUrl,
            Action::WatchComments { .. } => ActionKind::WatchComments,
            Action::CiStatus { .. } => ActionKind::CiStatus,
            Action::PrReview { .. } => ActionKind::PrReview,
        }
    }

    /// Runs the action in its room (`crate::actions::<name>`).
    pub async fn run<G: GitHub + Clone + 'static>(&self, ctx: &Ctx<G>) -> anyhow::Result<Outcome<Outputs>> {
        Ok(match self {
            Action::EnsureDailyIssue => actions::ensure_daily_issue::run(ctx).await?.map(Outputs::EnsureDailyIssue),
            Action::AnalyzeWorkflow { workflow } => {
                actions::analyze_workflow::run(ctx, workflow).await?.map(Outputs::AnalyzeWorkflow)
            }
            Action::PublishSummary => actions::publish_summary::run(ctx).await?.map(Outputs::PublishSummary),
            Action::UpdateTrackers => actions::update_trackers::run(ctx).await?.map(Outputs::UpdateTrackers),
            Action::AnalyzeUrl { url, output } => {
                actions::analyze_url::run(ctx, url, *output).await?.map(Outputs::AnalyzeUrl)
            }
            Action::WatchComments { event } => {
                actions::watch_comments::run(ctx, event.as_ref()).await?.map(Outputs::WatchComments)
            }
            Action::CiStatus { pr, event } => {
                actions::ci_status::run(ctx, *pr, event.as_ref()).await?.map(Outputs::CiStatus)
            }
            Action::PrReview { pr, focus, event } => {
                actions::pr_review::run(ctx, *pr, focus, event.as_ref()).await?.map(Outputs::PrReview)
            }
        })
    }
}

/// What an action hands back to the CLI: typed outputs (for
/// `GITHUB_OUTPUT`), a Markdown job summary, text for stdout, and (dry-run)
/// the writes it did not do.
#[derive(Debug, Clone, Default)]
pub struct Outcome<O> {
    /// The action's outputs.
    pub outputs: O,
    /// Markdown for `GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// Printed to stdout (analyze-url with `output: stdout`).
    pub stdout: String,
    /// Writes dry-run did not do (filled in by the caller from the `Ctx`).
    pub planned: Vec<PlannedWrite>,
    /// Warnings to print as `::warning::` (config problems, partial results).
    pub warnings: Vec<String>,
}

impl<O> Outcome<O> {
    /// An outcome with these outputs and nothing else yet.
    pub fn new(outputs: O) -> Self {
        Outcome { outputs, summary: String::new(), stdout: String::new(), planned: Vec::new(), warnings: Vec::new() }
    }

    /// The same outcome with its outputs wrapped (e.g. into [`Outputs`]).
    pub fn map<P>(self, f: impl FnOnce(O) -> P) -> Outcome<P> {
        Outcome {
            outputs: f(self.outputs),
            summary: self.summary,
            stdout: self.stdout,
            planned: self.planned,
            warnings: self.warnings,
        }
    }

    /// The dry-run report: every write that would have happened.
    pub fn render_planned(&self) -> String {
        let mut s = String::new();
        if self.planned.is_empty() {
            s.push_str("dry-run: nothing would be written\n");
        }
        for p in &self.planned {
            s.push_str(&format!("===== dry-run: would write {} in {} =====\n{}\n", p.target, p.repo, p.body));
        }
        s
    }
}

/// An issue an action found or wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueLink {
    /// Its number.
    pub number: IssueNumber,
    /// Its web URL.
    pub url: String,
}

impl IssueLink {
    fn of(issue: &ci_github::Issue) -> IssueLink {
        IssueLink { number: issue.number, url: issue.html_url.clone() }
    }

    /// The link to `issue`, if there is one.
    pub fn from_issue(issue: Option<&ci_github::Issue>) -> Option<IssueLink> {
        issue.map(IssueLink::of)
    }

    fn push(link: &Option<IssueLink>, out: &mut Vec<(&'static str, String)>) {
        if let Some(i) = link {
            out.push(("issue-number", i.number.to_string()));
            out.push(("issue-url", i.url.clone()));
        }
    }
}

/// `ensure-daily-issue`'s outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyIssueOutputs {
    /// The day (pass it to the matrix so jobs after midnight keep the day).
    pub date: NaiveDate,
    /// The workflows to analyse (the matrix).
    pub workflows: Vec<String>,
    /// Today's issue (`None` only in dry-run before it exists).
    pub issue: Option<IssueLink>,
}

/// `analyze-workflow`'s outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyzeWorkflowOutputs {
    /// The daily issue written to.
    pub issue: Option<IssueLink>,
    /// Failed jobs in the window (new or already known).
    pub failure_count: usize,
    /// Of those, analysed in this run.
    pub new_failure_count: usize,
}

/// `publish-summary`'s outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishSummaryOutputs {
    /// The daily issue.
    pub issue: Option<IssueLink>,
    /// Red jobs in the summary.
    pub failure_count: usize,
}

/// `update-trackers`' outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateTrackersOutputs {
    /// Tracker issues written.
    pub tracker_urls: Vec<String>,
    /// Tests failing over all trackers; `None` when no tracker is configured.
    pub failing_tests: Option<usize>,
}

/// `analyze-url`'s outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyzeUrlOutputs {
    /// Failed jobs analysed.
    pub failure_count: usize,
    /// The `[Analyze]` issue (`None` with `output: stdout` and in dry-run).
    pub issue: Option<IssueLink>,
}

/// `watch-comments`' outputs: what happened to the comments it saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchOutputs {
    /// Comments looked at.
    pub seen: usize,
    /// Claimed by this run (it acted on them).
    pub claimed: usize,
    /// Claimed first by another watcher.
    pub lost: usize,
    /// Jobs sent as `repository_dispatch`.
    pub dispatched: usize,
    /// Jobs run inline.
    pub ran: usize,
    /// Replies posted (help, unknown command, closed, fork, could not start).
    pub replied: usize,
    /// The oldest update time of a comment left for a later pass (its
    /// lookups failed): a poller's next window must still reach back to it.
    pub retry_from: Option<chrono::DateTime<chrono::Utc>>,
}

/// `ci-status`' and `pr-review`'s outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrCommentOutputs {
    /// Pull requests written to.
    pub prs: Vec<u64>,
    /// The last comment's heading.
    pub heading: String,
    /// The last comment's url (none in dry-run).
    pub comment_url: Option<String>,
}

/// Any action's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outputs {
    /// `ensure-daily-issue`
    EnsureDailyIssue(DailyIssueOutputs),
    /// `analyze-workflow`
    AnalyzeWorkflow(AnalyzeWorkflowOutputs),
    /// `publish-summary`
    PublishSummary(PublishSummaryOutputs),
    /// `update-trackers`
    UpdateTrackers(UpdateTrackersOutputs),
    /// `analyze-url`
    AnalyzeUrl(AnalyzeUrlOutputs),
    /// `watch-comments`
    WatchComments(WatchOutputs),
    /// `ci-status`
    CiStatus(PrCommentOutputs),
    /// `pr-review`
    PrReview(PrCommentOutputs),
}

impl Outputs {
    /// `(name, value)` pairs as the `action.yml` files declare them, in a
    /// stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let failures = |out: &mut Vec<(&'static str, String)>, n: usize| {
            out.push(("has_failures", (n > 0).to_string()));
            out.push(("failure_count", n.to_string()));
        };
        match self {
            Outputs::EnsureDailyIssue(o) => {
                out.push(("date", o.date.format("%Y-%m-%d").to_string()));
                out.push(("workflows", serde_json::to_string(&o.workflows).unwrap_or_else(|_| "[]".into())));
                IssueLink::push(&o.issue, &mut out);
            }
            Outputs::AnalyzeWorkflow(o) => {
                IssueLink::push(&o.issue, &mut out);
                failures(&mut out, o.failure_count);
                out.push(("new_failure_count", o.new_failure_count.to_string()));
            }
            Outputs::PublishSummary(o) => {
                IssueLink::push(&o.issue, &mut out);
                failures(&mut out, o.failure_count);
            }
            Outputs::UpdateTrackers(o) => {
                out.push(("tracker-urls", o.tracker_urls.join("\n")));
                if let Some(n) = o.failing_tests {
                    failures(&mut out, n);
                }
            }
            Outputs::AnalyzeUrl(o) => {
                failures(&mut out, o.failure_count);
                IssueLink::push(&o.issue, &mut out);
            }
            Outputs::WatchComments(o) => {
                for (k, v) in [
                    ("seen", o.seen),
                    ("claimed", o.claimed),
                    ("lost", o.lost),
                    ("dispatched", o.dispatched),
                    ("ran", o.ran),
                    ("replied", o.replied),
                ] {
                    out.push((k, v.to_string()));
                }
            }
            Outputs::CiStatus(o) | Outputs::PrReview(o) => {
                out.push(("prs", o.prs.iter().map(u64::to_string).collect::<Vec<_>>().join(",")));
                out.push(("heading", o.heading.clone()));
                if let Some(u) = &o.comment_url {
                    out.push(("comment-url", u.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in ActionKind::ALL {
            assert_eq!(a.name().parse::<ActionKind>().unwrap(), a);
        }
        assert!("analyse-url".parse::<ActionKind>().is_err());
    }

    #[test]
    fn outputs_keep_the_documented_names_and_order() {
        let issue = Some(IssueLink { number: IssueNumber(4), url: "https://x/4".into() });
        let o = Outputs::AnalyzeWorkflow(AnalyzeWorkflowOutputs { issue: issue.clone(), failure_count: 2, new_failure_count: 1 });
        let names: Vec<&str> = o.pairs().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["issue-number", "issue-url", "has_failures", "failure_count", "new_failure_count"]);
        let o = Outputs::AnalyzeUrl(AnalyzeUrlOutputs { failure_count: 0, issue });
        assert_eq!(o.pairs()[..2], [("has_failures", "false".to_string()), ("failure_count", "0".to_string())]);
        let o = Outputs::UpdateTrackers(UpdateTrackersOutputs::default());
        assert_eq!(o.pairs(), [("tracker-urls", String::new())]);
    }
}
