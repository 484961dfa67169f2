//! Pure triage engine.
