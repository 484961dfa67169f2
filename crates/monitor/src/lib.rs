//! Monitor actions.
