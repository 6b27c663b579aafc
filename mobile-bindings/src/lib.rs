//! uniffi bindings of `prestasi-core` for Kotlin (Android) and Swift (iOS).
//!
//! A thin wrapper over [`prestasi_core::session::Session`]: records and
//! enums mirrored with `From`, errors flattened into [`MobileError`] whose
//! message is the core's human-readable reason. No business logic lives here.

uniffi::setup_scaffolding!();

mod error;
mod nip;
mod session;
mod types;

pub use error::MobileError;
pub use nip::{NipInfo, validate_nip};
pub use session::{PrestasiSession, SyncStatusObserver};
pub use types::*;
