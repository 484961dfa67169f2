//! Who may run commands.
//!
//! The old bot kept a hard-coded list of logins in its source (seed spec
//! §7.1.7): a change needed a commit and a restart, and someone who lost
//! access kept it. Here the list lives in `.github/ci-bot.yml`, and two
//! optional rules are checked live on every command: membership of named
//! teams, and write permission on the repository. Everyone else is ignored
//! without a reply (a reply would invite retries and tell an attacker what
//! to try next).

use serde::{Deserialize, Serialize};

use crate::port::{CommandPort, PortError};

/// The authorisation rules (`commands.allow` in the config file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AccessPolicy {
    /// Logins allowed to run commands (case-insensitive).
    pub users: Vec<String>,
    /// Teams as `org/team-slug`: their active members may run commands.
    pub teams: Vec<String>,
    /// Users with write (or maintain, admin) permission on the repository
    /// may run commands.
    pub write_permission: bool,
}

/// Why a user may run commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// Listed in `users`.
    Listed,
    /// Member of this team.
    Team(String),
    /// Has this permission on the repository.
    Permission(String),
}

/// The decision for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// May run commands.
    Allowed(Allowed),
    /// May not.
    Denied,
}

impl AccessPolicy {
    /// True when no rule can ever allow anyone (the bot then runs no
    /// command at all: closed by default).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.teams.is_empty() && !self.write_permission
    }

    /// Decide for `login` on `repo`: the list first (no request), then
    /// teams, then permission. A failed lookup is an error, not a yes: the
    /// comment stays unclaimed and the next poll decides again.
    pub async fn authorize<P: CommandPort>(&self, port: &P, repo: &str, login: &str) -> Result<Access, PortError> {
        let login = login.trim();
        if login.is_empty() {
            return Ok(Access::Denied);
        }
        if self.users.iter().any(|u| u.trim().trim_start_matches('@').eq_ignore_ascii_case(login)) {
            return Ok(Access::Allowed(Allowed::Listed));
        }
        for team in &self.teams {
            let Some((org, slug)) = team.trim().split_once('/') else { continue };
            if org.is_empty() || slug.is_empty() {
                continue;
            }
            if port.is_team_member(org, slug, login).await? {
                return Ok(Access::Allowed(Allowed::Team(team.clone())));
            }
        }
        if self.write_permission {
            let role = port.permission(repo, login).await?;
            if matches!(role.as_str(), "admin" | "maintain" | "write") {
                return Ok(Access::Allowed(Allowed::Permission(role)));
            }
        }
        Ok(Access::Denied)
    }
}
