//! Workspace-level end-to-end tests live in `tests/tests/`. This crate holds
//! the helpers they share.
