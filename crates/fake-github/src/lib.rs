//! Stateful fake GitHub.
