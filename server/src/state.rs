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
    /// Blocking jobs (SQLite, merges) running at once. Requests beyond wait
    /// cheaply as futures: this bounds threads and memory however many
    /// tablets come online together.
    pub blocking_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, limits: Limits) -> Result<Self, StorageError> {
        let server_device = server_device(storage.as_ref())?;
        let blocking_slots = Arc::new(tokio::sync::Semaphore::new(limits.blocking_jobs));
        Ok(Self { storage, limits, server_device, blocking_slots })
    }

    /// Run blocking work (SQLite, CPU-heavy merges) off the async workers,
    /// at most `limits.blocking_jobs` at a time.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, crate::error::AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, crate::error::AppError> + Send + 'static,
    {
        let _slot = self
            .blocking_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| crate::error::AppError::Internal("blocking slots closed".into()))?;
        tokio::task::spawn_blocking(f).await?
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
