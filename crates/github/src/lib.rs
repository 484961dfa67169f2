//! GitHub port.
