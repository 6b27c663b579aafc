//! A revoked device wipes itself (a lost tablet that comes online).
//!
//! When the server answers a sync with 401 `device_revoked`, the device
//!
//! 1. writes everything the server has not acknowledged into push bundles
//!    (the same file as sync by file, [`SyncClient::export_bundle`]) beside
//!    its store, for HR to import (`prestasi-server bundle import
//!    --from-revoked`);
//! 2. deletes its store ([`crate::store::Store::wipe`]): data, keys,
//!    credentials;
//! 3. tells the server it wiped (`POST /v1/device/wiped` with the
//!    credentials it still holds in memory), so HR sees the device as wiped.
//!    Best-effort: if the link drops here the device is wiped all the same
//!    and the server keeps showing it as revoked only.
//!
//! If a bundle cannot be written (a full disk) nothing is deleted and the
//! next sync tries again: unsynced appraisals are not thrown away for a
//! wipe that can wait (the store is encrypted meanwhile).

use std::path::{Path, PathBuf};
use std::sync::MutexGuard;

use serde::Serialize;

use super::client::MAX_PUSH_PER_REQUEST;
use super::protocol::{WIPED_PATH, WipedNotice};
use super::{SyncClient, SyncError, SyncReport};
use crate::store::StoreError;

/// What a revoked device did with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wipe {
    /// Push bundles holding every document the server had not acknowledged
    /// (one per 2,000 documents; none when nothing was waiting). Copy them
    /// for HR; they are sealed with the device's key, not encrypted.
    pub bundles: Vec<PathBuf>,
    /// Documents in those bundles.
    pub documents: usize,
    /// The server recorded the wipe (the device shows as wiped to HR).
    pub server_told: bool,
}

impl SyncClient {
    /// Push everything not yet on the server, pull what changed in scope
    /// (see `sync_rounds` in `client.rs`). A device the server says is
    /// revoked is wiped ([`SyncClient::wipe_after_revocation`], bundles
    /// beside the store) and the error says what was done; after the wipe
    /// every call is [`StoreError::Wiped`].
    pub fn sync_now(&self) -> Result<SyncReport, SyncError> {
        if self.store.is_wiped() {
            return Err(StoreError::Wiped.into());
        }
        match self.sync_rounds() {
            Err(SyncError::Revoked { message, .. }) => {
                let wipe = match self.wipe_after_revocation(&self.wipe_dir()) {
                    Ok(w) => Some(w),
                    Err(e) => {
                        tracing::error!(error = %e, "device revoked but not wiped; trying again at the next sync");
                        None
                    }
                };
                Err(SyncError::Revoked { message, wipe })
            }
            other => other,
        }
    }

    /// Where a wipe leaves its bundles: the store's own directory (the
    /// app's private storage on Android), or the temporary directory for an
    /// in-memory store.
    pub fn wipe_dir(&self) -> PathBuf {
        let path = self.store.path();
        match path.parent() {
            _ if path == Path::new(":memory:") => std::env::temp_dir(),
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    /// Export everything unsynced into push bundles in `dir`, delete the
    /// store, tell the server (best-effort). Done once: a second call
    /// returns the first one's result.
    pub fn wipe_after_revocation(&self, dir: &Path) -> Result<Wipe, SyncError> {
        let mut done = self.lock_wiped();
        if let Some(w) = done.as_ref() {
            return Ok(w.clone());
        }
        let pending = self.store.pending()?;
        let (mut bundles, mut ids) = (Vec::new(), Vec::new());
        for (n, docs) in pending.chunks(MAX_PUSH_PER_REQUEST).enumerate() {
            let (env, file, _) = self.push_bundle(docs, &[])?;
            let path = dir.join(format!("prestasi-dicabut-{}-{}.prst", self.creds.device_id, n + 1));
            super::offline::write_whole(&path, &file)?;
            bundles.push(path);
            ids.push(env.id);
        }
        self.store.wipe()?;
        let notice = WipedNotice { documents: pending.len(), bundles: ids };
        let server_told = self.tell_wiped(&notice);
        tracing::warn!(documents = notice.documents, bundles = bundles.len(), server_told, "revoked device wiped");
        let wipe = Wipe { bundles, documents: pending.len(), server_told };
        *done = Some(wipe.clone());
        Ok(wipe)
    }

    /// What [`SyncClient::wipe_after_revocation`] did, if it ran.
    pub fn wipe(&self) -> Option<Wipe> {
        self.lock_wiped().clone()
    }

    fn lock_wiped(&self) -> MutexGuard<'_, Option<Wipe>> {
        self.wiped.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `POST /v1/device/wiped`; whether the server recorded it.
    fn tell_wiped(&self, notice: &WipedNotice) -> bool {
        let Ok(body) = serde_json::to_vec(notice) else { return false };
        let sent = self
            .authed(self.http.post(format!("{}{WIPED_PATH}", self.creds.server_url)))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send();
        match sent {
            Ok(r) if r.status().is_success() => true,
            Ok(r) => {
                tracing::warn!(status = %r.status(), "the server did not record the wipe");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not tell the server about the wipe");
                false
            }
        }
    }
}
