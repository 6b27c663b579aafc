//! Sync: the client engine that brings a device's documents to the server
//! and the server's changes back, and the protocol messages it speaks.
//!
//! One [`SyncClient::sync_now`] is one round trip in the normal case on a
//! good link: it pushes every document with unacknowledged changes and
//! pulls what changed in the device's scope since its cursor. A second
//! round trip happens only when something must be fetched whole (missing
//! dependencies, discarded local changes) or the server has more to send.
//! On a slow or far link the push goes in batches sized to the link
//! ([`link`]), as resumable uploads, each batch's answer recorded as it
//! arrives. With no network at all, [`bundle`] files carry the same
//! requests and answers on a USB stick.

mod background;
pub mod bundle;
mod client;
mod error;
pub mod link;
mod offline;
pub mod protocol;
mod upload;
mod wipe;

pub use background::{BackgroundSync, SyncEvent, SyncObserver, backoff};
pub use client::{Credentials, LinkStatus, PERSON_CODE_KEY, SyncClient, SyncReport};
pub use error::SyncError;
pub use offline::{BundleExport, BundleImport};
pub use wipe::Wipe;
