//! uniffi bindings of `prestasi-core` for Kotlin (Android) and Swift (iOS).
//!
//! A thin wrapper: records and enums mirrored with `From`, errors flattened
//! into [`MobileError`] whose message is the core's human-readable reason.
//! No business logic lives here.

uniffi::setup_scaffolding!();

mod error;
mod nip;

pub use error::MobileError;
pub use nip::{NipInfo, validate_nip};
