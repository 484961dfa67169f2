//! GitHub Actions runtime contract.
