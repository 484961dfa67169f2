//! `ci-github`: the GitHub port used by every action, and its octocrab
//! implementation.
//!
//! - [`GitHub`] is the trait: exactly the calls the bot makes, plus marker
//!   upserts (the only way the bot creates objects) as default methods.
//! - [`Client`] implements it over HTTP with timeouts, read retries,
//!   rate-limit handling, ETags, a per-run [`WriteBudget`] and per-operation
//!   request counters ([`Client::stats`]).
//!
//! See `docs/github-client.md` for the design and its trade-offs.

mod client;
mod error;
mod port;
pub mod types;
pub mod upsert;

pub use client::{env, Auth, Client, ClientBuilder, Config, Stats, WriteBudget};
pub use error::{Error, Result};
pub use port::GitHub;
pub use types::*;
pub use upsert::{UpsertAction, Upserted};
