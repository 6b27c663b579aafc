//! The one `Clone` state every handler receives.

use std::sync::Arc;

use prestasi_core::model::DeviceId;

use crate::config::Limits;
use crate::storage::{Storage, StorageError};

#[derive(Debug, Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub limits: Limits,
    /// The server's own automerge actor, for changes it writes itself
    /// (imports, HR decisions made in the web pages).
    pub server_device: DeviceId,
    /// Sync requests being decoded, merged or answered at once. Others wait
    /// (cheaply, as futures) with their compressed body: this bounds memory
    /// and blocking threads however many tablets come online together.
    pub sync_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, limits: Limits) -> Result<Self, StorageError> {
        let server_device = server_device(storage.as_ref())?;
        let sync_slots = Arc::new(tokio::sync::Semaphore::new(limits.concurrent_syncs));
        Ok(Self { storage, limits, server_device, sync_slots })
    }
}

/// Read, or on first start create, the server's own device id.
pub fn server_device(storage: &dyn Storage) -> Result<DeviceId, StorageError> {
    if let Some(id) = storage.meta("server_device_id")? {
        return id.parse().map_err(|e| StorageError::Backend(format!("server_device_id: {e}")));
    }
    let id = DeviceId::random();
    storage.set_meta("server_device_id", &id.to_string())?;
    Ok(id)
}
