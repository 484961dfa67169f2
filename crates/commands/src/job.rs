//! A claimed command, ready to run here or in the bot repository.
//!
//! With a bot repository configured, the watcher sends a
//! `repository_dispatch` (`event_type` `ci-status` or `pr-review`) whose
//! `client_payload` values are all strings, as the old bot's workflows
//! expect; the receiving action reads it back with
//! [`Job::from_client_payload`], which checks it as strictly as a comment
//! (the payload is input too). Without one, the watcher runs the job inline.

use serde_json::{json, Map, Value};

use crate::parse::{Command, MAX_ARGS, MAX_ARG_CHARS};

/// What to run, for which pull request, asked by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The command (never `help`: help is a reply).
    pub command: Command,
    /// Repository of the pull request, `owner/name`.
    pub repo: String,
    /// Pull request number.
    pub pr: u64,
    /// The command comment (0 when not started by a comment).
    pub comment_id: u64,
    /// Who asked.
    pub requested_by: String,
    /// Head commit when the command was accepted.
    pub head_sha: String,
    /// The head is in a fork: never check it out with secrets around.
    pub fork: bool,
}

/// A dispatch payload that is not a job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("repository_dispatch payload: {0}")]
pub struct PayloadError(pub String);

impl Job {
    /// `ci-status` or `pr-review`: the `repository_dispatch` event type
    /// (and the workflow that listens to it).
    pub fn event_type(&self) -> &'static str {
        match self.command {
            Command::CiStatus => "ci-status",
            Command::Review | Command::ReviewFocus(_) | Command::Help => "pr-review",
        }
    }

    /// Focus areas, space-separated (empty for a full review).
    pub fn focus(&self) -> String {
        match &self.command {
            Command::ReviewFocus(a) => a.join(" "),
            _ => String::new(),
        }
    }

    /// `client_payload`: every value a string.
    pub fn client_payload(&self) -> Value {
        json!({
            "repo": self.repo,
            "pr_number": self.pr.to_string(),
            "comment_id": self.comment_id.to_string(),
            "comment_author": self.requested_by,
            "command": self.command.name(),
            "focus": self.focus(),
            "head_sha": self.head_sha,
            "fork": self.fork.to_string(),
        })
    }

    /// Read a job back from `client_payload` (strings, or numbers from a
    /// hand-made dispatch).
    pub fn from_client_payload(payload: &Value) -> Result<Job, PayloadError> {
        let map: &Map<String, Value> =
            payload.as_object().ok_or_else(|| PayloadError("not a JSON object".into()))?;
        let text = |k: &str| -> Option<String> {
            match map.get(k) {
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::Bool(b)) => Some(b.to_string()),
                _ => None,
            }
        };
        let num = |k: &str, required: bool| -> Result<u64, PayloadError> {
            match text(k).filter(|s| !s.is_empty()) {
                Some(s) => s.parse().map_err(|_| PayloadError(format!("`{k}` is not a number: {s:?}"))),
                None if required => Err(PayloadError(format!("`{k}` is missing"))),
                None => Ok(0),
            }
        };
        let repo = text("repo").unwrap_or_default();
        let valid_repo = repo.split_once('/').is_some_and(|(o, n)| {
            let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            ok(o) && ok(n)
        });
        if !valid_repo {
            return Err(PayloadError(format!("`repo` must be owner/name, got {repo:?}")));
        }
        let pr = num("pr_number", true)?;
        if pr == 0 {
            return Err(PayloadError("`pr_number` must be positive".into()));
        }
        let focus: Vec<String> = text("focus").unwrap_or_default().split_whitespace().map(str::to_string).collect();
        if focus.len() > MAX_ARGS || focus.iter().any(|f| f.chars().count() > MAX_ARG_CHARS) {
            return Err(PayloadError(format!("`focus` allows {MAX_ARGS} areas of {MAX_ARG_CHARS} characters")));
        }
        let command = match text("command").as_deref() {
            Some("ci-status") => Command::CiStatus,
            Some("review") | None if focus.is_empty() => Command::Review,
            Some("review-focus") if focus.is_empty() => return Err(PayloadError("`review-focus` needs `focus`".into())),
            Some("review") | Some("review-focus") | None => Command::ReviewFocus(focus),
            Some(other) => return Err(PayloadError(format!("unknown `command` {other:?}"))),
        };
        let head_sha = text("head_sha").unwrap_or_default();
        if !head_sha.chars().all(|c| c.is_ascii_hexdigit()) || head_sha.len() > 64 {
            return Err(PayloadError("`head_sha` must be hex".into()));
        }
        Ok(Job {
            command,
            repo,
            pr,
            comment_id: num("comment_id", false)?,
            requested_by: text("comment_author").unwrap_or_default(),
            head_sha,
            // A payload that does not say is treated as a fork: the safe side.
            fork: text("fork").as_deref() != Some("false"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(command: Command) -> Job {
        Job {
            command,
            repo: "acme/widgets".into(),
            pr: 7,
            comment_id: 99,
            requested_by: "alice".into(),
            head_sha: "abc123".into(),
            fork: false,
        }
    }

    #[test]
    fn payload_values_are_strings_and_round_trip() {
        for c in [Command::CiStatus, Command::Review, Command::ReviewFocus(vec!["a".into(), "b/c".into()])] {
            let j = job(c);
            let p = j.client_payload();
            assert!(p.as_object().unwrap().values().all(Value::is_string), "{p}");
            assert_eq!(Job::from_client_payload(&p).unwrap(), j);
        }
        assert_eq!(job(Command::CiStatus).event_type(), "ci-status");
        assert_eq!(job(Command::Review).event_type(), "pr-review");
    }

    #[test]
    fn bad_payloads_are_one_line_errors() {
        let bad = [
            json!([]),
            json!({"repo": "x", "pr_number": "1"}),
            json!({"repo": "a/b"}),
            json!({"repo": "a/b", "pr_number": "seven"}),
            json!({"repo": "a/b", "pr_number": "1", "command": "rm -rf"}),
            json!({"repo": "a/b", "pr_number": "1", "head_sha": "$(id)"}),
            json!({"repo": "a/b", "pr_number": "1", "focus": "a ".repeat(10_000)}),
            json!({"repo": "a/b", "pr_number": "1", "command": "review-focus"}),
        ];
        for p in bad {
            let e = Job::from_client_payload(&p).unwrap_err().to_string();
            assert!(!e.contains('\n'), "{e}");
        }
        let minimal = Job::from_client_payload(&json!({"repo": "a/b", "pr_number": 3})).unwrap();
        assert!(minimal.fork, "unknown provenance is treated as a fork");
    }
}
