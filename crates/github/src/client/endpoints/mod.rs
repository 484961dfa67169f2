//! The REST endpoints by API area; `Client`'s `GitHub` impl calls these.

pub(super) mod actions;
pub(super) mod issues;
pub(super) mod pulls;
pub(super) mod repos;
pub(super) mod runners;
