//! Scenario files: the initial state of the fake, in YAML or JSON.
//!
//! The format is documented for users in `docs/scenario.md`. Times may be
//! relative to the moment the scenario is loaded (`-2d3h`, `now`) so a
//! bundled scenario never goes stale, or absolute ISO-8601.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A whole scenario: global settings plus one entry per repository.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub repos: Vec<RepoSpec>,
    /// Organisation teams and their members (`GET /orgs/{org}/teams/{team}/memberships/{user}`).
    #[serde(default)]
    pub teams: Vec<TeamSpec>,
    /// Directory that relative `log_file`/`content_file` paths resolve
    /// against. Set by [`Scenario::from_file`].
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// How long a newly created issue stays invisible to search, in ms.
    pub search_delay_ms: u64,
    /// Primary rate limit per hour for the `core` resource.
    pub rate_limit: u64,
    /// Primary rate limit per minute for the `search` resource.
    pub search_rate_limit: u64,
    /// The login `GET /user` returns and new issues/comments are authored by.
    pub login: String,
    /// How long a log download URL (the `Location` of a 302) stays valid, in s.
    pub blob_ttl_secs: u64,
    /// Seed for probabilistic fault injection.
    pub seed: u64,
    /// Tokens that act as another user (token → login), e.g. to play a
    /// non-collaborator commenting. Other tokens act as `login`.
    pub tokens: std::collections::BTreeMap<String, String>,
    /// The GitHub App installation id `GET /repos/{o}/{r}/installation` returns.
    pub installation_id: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            search_delay_ms: 2000,
            rate_limit: 5000,
            search_rate_limit: 30,
            login: "ci-bot".into(),
            blob_ttl_secs: 60,
            seed: 0x5eed,
            tokens: Default::default(),
            installation_id: 1,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSpec {
    /// `owner/name`.
    pub name: String,
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub workflows: Vec<WorkflowSpec>,
    #[serde(default)]
    pub runs: Vec<RunSpec>,
    #[serde(default)]
    pub labels: Vec<LabelSpec>,
    #[serde(default)]
    pub issues: Vec<IssueSpec>,
    #[serde(default)]
    pub pulls: Vec<PullSpec>,
    #[serde(default)]
    pub collaborators: Vec<CollaboratorSpec>,
    #[serde(default)]
    pub files: Vec<FileSpec>,
    /// Commits the compare API describes (dates, messages); any other sha
    /// is served with defaults.
    #[serde(default)]
    pub commits: Vec<CommitSpec>,
}

/// A team of an organisation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    /// Organisation login.
    pub org: String,
    /// Team slug.
    pub slug: String,
    /// Active members.
    #[serde(default)]
    pub members: Vec<String>,
    /// Active maintainers (members with the `maintainer` role).
    #[serde(default)]
    pub maintainers: Vec<String>,
    /// Invited, not yet accepted (`state: pending`).
    #[serde(default)]
    pub pending: Vec<String>,
}

/// A commit, for the compare API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitSpec {
    pub sha: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// Commit date.
    #[serde(default)]
    pub date: Option<TimeSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    pub id: u64,
    pub name: String,
    /// `.github/workflows/x.yml`
    pub path: String,
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "active".into()
}

/// A workflow named by numeric id, file name (`ci.yml`), path or name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WorkflowRef {
    Id(u64),
    Name(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    pub id: u64,
    pub workflow: WorkflowRef,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub display_title: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    pub created_at: TimeSpec,
    #[serde(default)]
    pub run_started_at: Option<TimeSpec>,
    #[serde(default)]
    pub updated_at: Option<TimeSpec>,
    #[serde(default)]
    pub run_number: Option<u64>,
    #[serde(default)]
    pub run_attempt: Option<u64>,
    /// Numbers of pull requests this run belongs to.
    #[serde(default)]
    pub pull_requests: Vec<u64>,
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub started_at: Option<TimeSpec>,
    #[serde(default)]
    pub completed_at: Option<TimeSpec>,
    #[serde(default)]
    pub run_attempt: Option<u64>,
    #[serde(default)]
    pub runner_name: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// The job log, inline.
    #[serde(default)]
    pub log: Option<String>,
    /// The job log, as a path relative to the scenario file.
    #[serde(default)]
    pub log_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub number: Option<u64>,
    #[serde(default)]
    pub started_at: Option<TimeSpec>,
    #[serde(default)]
    pub completed_at: Option<TimeSpec>,
    /// This step's part of the log in the run-logs zip. When no step has
    /// one, the whole job log goes to the first failed (else last) step.
    #[serde(default)]
    pub log: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueSpec {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub created_at: Option<TimeSpec>,
    #[serde(default)]
    pub updated_at: Option<TimeSpec>,
    #[serde(default)]
    pub closed_at: Option<TimeSpec>,
    #[serde(default)]
    pub comments: Vec<CommentSpec>,
    #[serde(default)]
    pub reactions: Vec<ReactionSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentSpec {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub user: Option<String>,
    pub body: String,
    #[serde(default)]
    pub created_at: Option<TimeSpec>,
    #[serde(default)]
    pub updated_at: Option<TimeSpec>,
    #[serde(default)]
    pub reactions: Vec<ReactionSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReactionSpec {
    pub content: String,
    #[serde(default)]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullSpec {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub merged: bool,
    #[serde(default)]
    pub head_ref: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub base_ref: Option<String>,
    #[serde(default)]
    pub base_sha: Option<String>,
    /// The merge base of head and base, for the compare API (default: `base_sha`).
    #[serde(default)]
    pub merge_base_sha: Option<String>,
    /// `owner/name` of a fork holding the head branch (default: this repo).
    #[serde(default)]
    pub head_repo: Option<String>,
    /// The head repository was deleted: `head.repo` is `null`, as GitHub
    /// serves it (its OpenAPI description says otherwise).
    #[serde(default)]
    pub head_repo_deleted: bool,
    #[serde(default)]
    pub created_at: Option<TimeSpec>,
    #[serde(default)]
    pub updated_at: Option<TimeSpec>,
    #[serde(default)]
    pub files: Vec<PullFileSpec>,
    /// The unified diff; built from the files' patches when absent.
    #[serde(default)]
    pub diff: Option<String>,
    #[serde(default)]
    pub comments: Vec<CommentSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullFileSpec {
    pub filename: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub additions: Option<u64>,
    #[serde(default)]
    pub deletions: Option<u64>,
    #[serde(default)]
    pub patch: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorSpec {
    pub login: String,
    /// admin | maintain | write | triage | read
    pub permission: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub path: String,
    /// Branch, tag or sha this content is served at; absent = every ref.
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    /// Content as a path relative to the scenario file.
    #[serde(default)]
    pub content_file: Option<String>,
}

/// A point in time: `now`, a relative offset such as `-2d3h` / `+15m`, or an
/// absolute RFC 3339 time such as `2026-01-01T00:00:00Z`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeSpec(pub String);

impl TimeSpec {
    pub fn resolve(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        parse_time(&self.0, now)
    }
}

impl From<&str> for TimeSpec {
    fn from(s: &str) -> Self {
        TimeSpec(s.to_string())
    }
}

/// Parse `now`, `-1w2d3h4m5s`, `+30s` or RFC 3339 / `YYYY-MM-DD`.
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('+')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let mut total = Duration::zero();
        let mut digits = String::new();
        for c in rest.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let n: i64 = digits
                .parse()
                .with_context(|| format!("time {s:?}: expected a number before {c:?}"))?;
            digits.clear();
            total += match c {
                'w' => Duration::weeks(n),
                'd' => Duration::days(n),
                'h' => Duration::hours(n),
                'm' => Duration::minutes(n),
                's' => Duration::seconds(n),
                _ => bail!("time {s:?}: unknown unit {c:?} (use w, d, h, m, s)"),
            };
        }
        if !digits.is_empty() {
            bail!("time {s:?}: number without a unit");
        }
        return Ok(now + total * sign);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    bail!("time {s:?}: expected `now`, a relative offset like `-2d3h`, or RFC 3339")
}

impl Scenario {
    pub fn from_yaml_str(s: &str) -> Result<Self> {
        serde_yaml_ng::from_str(s).context("parsing scenario YAML")
    }

    pub fn from_json_str(s: &str) -> Result<Self> {
        serde_json::from_str(s).context("parsing scenario JSON")
    }

    /// Load a `.json` or YAML file; relative log/content paths resolve
    /// against the file's directory.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading scenario {}", path.display()))?;
        let mut scenario = if path.extension().is_some_and(|e| e == "json") {
            Self::from_json_str(&text)
        } else {
            Self::from_yaml_str(&text)
        }
        .with_context(|| format!("in {}", path.display()))?;
        scenario.base_dir = path.parent().map(Path::to_path_buf);
        Ok(scenario)
    }

    /// A scenario with one empty repository, `owner/repo`.
    pub fn with_repo(full_name: &str) -> Self {
        Scenario {
            repos: vec![RepoSpec {
                name: full_name.to_string(),
                ..RepoSpec::default()
            }],
            ..Scenario::default()
        }
    }

    pub(crate) fn read_relative(&self, rel: &str) -> Result<String> {
        let path = match &self.base_dir {
            Some(dir) => dir.join(rel),
            None => PathBuf::from(rel),
        };
        let bytes =
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_times() {
        let now = DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = |s| parse_time(s, now).unwrap().to_rfc3339();
        assert_eq!(t("now"), "2026-03-10T12:00:00+00:00");
        assert_eq!(t("-2d3h"), "2026-03-08T09:00:00+00:00");
        assert_eq!(t("+1w30s"), "2026-03-17T12:00:30+00:00");
        assert_eq!(t("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00+00:00");
        assert_eq!(t("2026-01-02"), "2026-01-02T00:00:00+00:00");
        assert!(parse_time("-3", now).is_err());
        assert!(parse_time("-3y", now).is_err());
        assert!(parse_time("yesterday", now).is_err());
    }
}
