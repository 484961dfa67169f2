//! `ci-fleet`: a fleet of self-hosted GitHub Actions runner containers, and
//! the bot's long-running host container, managed through the Docker Engine
//! API (bollard, version negotiated with the engine).
//!
//! What it replaces: a shell script that passed an admin token into every
//! container's environment, removed and recreated everything on each run and
//! ran a dispatch loop with errors ignored. Here:
//!
//! - the admin token stays in the operator's process: it fetches one
//!   registration token per container and hands it over through
//!   `docker exec` stdin into a tmpfs file ([`spec::TOKEN_FILE`]), so it is
//!   never an environment variable, never on the host's disk, never in
//!   `docker inspect`, the process list or a log;
//! - [`Fleet::up`] converges: running it twice changes nothing; crashed,
//!   unregistered or drifted containers are reported and replaced; drifted
//!   ones one at a time with the replacement registered and online first, so
//!   the fleet never has fewer runners online than before (one that takes
//!   a job the moment it registers counts: it is working);
//! - a container name we need that belongs to something else is an error,
//!   never a deletion (labels say what is ours: [`spec::LABEL_FLEET`]).
//!
//! See the README section "Deploying a runner fleet and a host".

#![warn(missing_docs)]

pub mod engine;
mod fleet;
pub mod spec;

pub use engine::{Engine, ImageInfo, Member};
pub use fleet::{render_table, Event, Fleet, Outcome, StatusRow, Timing};
pub use spec::{FleetSpec, HostSpec, Limits, LogRotation, Role, HOST_CONFIG_PATH};

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a fleet operation can fail with; one line each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Docker engine refused or could not be reached.
    #[error("docker {op}: {message}")]
    Docker {
        /// What we were doing.
        op: String,
        /// The engine's answer.
        message: String,
    },
    /// A GitHub call failed.
    #[error(transparent)]
    GitHub(#[from] ci_github::Error),
    /// The image is not present locally.
    #[error("image {0} is not on this Docker engine; build or pull it first (the fleet never pulls on its own)")]
    ImageMissing(String),
    /// A container name we need is taken by something that is not ours.
    #[error("container {name} exists and belongs to {owner}; refusing to touch it (rename it or choose another --name)")]
    Clash {
        /// The container name.
        name: String,
        /// Who it belongs to.
        owner: String,
    },
    /// Bad flags or labels.
    #[error("{0}")]
    Config(String),
    /// Waited too long.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A runner kept running a job past the drain timeout.
    #[error("{0}")]
    Busy(String),
    /// No such fleet (or member).
    #[error("no fleet {0} on this Docker engine")]
    NoFleet(String),
}
