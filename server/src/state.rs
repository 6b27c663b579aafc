//! The one `Clone` state every handler receives.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use prestasi_core::model::DeviceId;
use prestasi_core::signing::PersonKey;
use tokio::sync::Semaphore;

use crate::config::Limits;
use crate::error::AppError;
use crate::storage::{SignerRow, Storage, StorageError};

#[derive(Debug, Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub limits: Limits,
    /// The server's own automerge actor and signing key, for changes it
    /// writes itself (imports, HR decisions, the citizen form).
    pub server: ServerIdentity,
    /// Blocking jobs (storage, merges) running at once. Requests beyond wait
    /// cheaply as futures: this bounds threads and memory however many
    /// tablets come online together.
    pub blocking_slots: Arc<Semaphore>,
    /// The same for anonymous work (login, enrollment, the citizen form):
    /// a pool of its own, so nobody without credentials can hold the slots
    /// tablet sync and HR's reports need.
    pub public_slots: Arc<Semaphore>,
    /// Ids of the devices with a sync request in flight: at most one each, so one
    /// device cannot hold every blocking slot.
    syncing: Arc<Mutex<HashSet<String>>>,
    /// Sync requests admitted to read their body (`Limits::admitted_syncs`).
    pub admitted_syncs: Arc<Semaphore>,
    /// Jobs waiting for a slot, per pool (for `/metrics`).
    waiting: Arc<Waiting>,
    /// The public base URL links are built from, HTTPS or not, and the
    /// trusted reverse proxies (`serve --public-url`, `--trusted-proxy`).
    pub public: crate::public_url::PublicUrl,
    /// The units' service lists the citizens' form shows (see
    /// [`crate::services::Cache`]).
    pub services: Arc<crate::services::Cache>,
}

#[derive(Debug, Default)]
struct Waiting {
    blocking: AtomicUsize,
    public: AtomicUsize,
}

/// A blocking pool as it is now (see [`AppState::pools`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `blocking` (devices, HR) or `public` (anonymous work).
    pub name: &'static str,
    pub slots: usize,
    /// Jobs holding a slot.
    pub running: usize,
    /// Jobs waiting for one.
    pub waiting: usize,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, limits: Limits) -> Result<Self, StorageError> {
        let server = server_identity(storage.as_ref())?;
        crate::sync::reproject::reproject_if_stale(storage.as_ref())?;
        let blocking_slots = Arc::new(Semaphore::new(limits.blocking_jobs));
        let public_slots = Arc::new(Semaphore::new(limits.public_jobs));
        let admitted_syncs = Arc::new(Semaphore::new(limits.admitted_syncs));
        Ok(Self {
            storage,
            limits,
            server,
            blocking_slots,
            public_slots,
            syncing: Arc::default(),
            admitted_syncs,
            waiting: Arc::default(),
            public: crate::public_url::PublicUrl::default(),
            services: Arc::default(),
        })
    }

    /// The same state with links built from `public` (see [`crate::public_url`]).
    pub fn with_public(mut self, public: crate::public_url::PublicUrl) -> Self {
        self.public = public;
        self
    }

    /// Both blocking pools: slots, jobs running and jobs waiting.
    pub fn pools(&self) -> [PoolStats; 2] {
        let stats = |name, slots: usize, sem: &Semaphore, waiting: &AtomicUsize| PoolStats {
            name,
            slots,
            running: slots.saturating_sub(sem.available_permits()),
            waiting: waiting.load(Ordering::Relaxed),
        };
        [
            stats("blocking", self.limits.blocking_jobs, &self.blocking_slots, &self.waiting.blocking),
            stats("public", self.limits.public_jobs, &self.public_slots, &self.waiting.public),
        ]
    }

    /// Run blocking work (storage, CPU-heavy merges) off the async workers,
    /// at most `limits.blocking_jobs` at a time.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, AppError> + Send + 'static,
    {
        run_bounded(&self.blocking_slots, ("blocking", &self.waiting.blocking), f).await
    }

    /// Run anonymous blocking work (password checks, enrollment, the
    /// citizen form) at most `limits.public_jobs` at a time, on slots of
    /// its own: a flood of it waits for itself only.
    pub async fn blocking_public<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, AppError> + Send + 'static,
    {
        run_bounded(&self.public_slots, ("public", &self.waiting.public), f).await
    }

    /// Mark a sync request of `device` as in flight until the guard is
    /// dropped; `None` while another one of the same device is.
    pub fn begin_sync(&self, device: &str) -> Option<SyncGuard> {
        let mut syncing = self.syncing.lock().unwrap_or_else(PoisonError::into_inner);
        syncing
            .insert(device.to_string())
            .then(|| SyncGuard { syncing: self.syncing.clone(), device: device.to_string() })
    }
}

/// Wait for a slot of `slots`, then run `f` on the blocking pool. The slot
/// goes with the job, not with the waiting future: a request whose client
/// went away still holds it until its job has finished. The wait is
/// measured (`pool` names the pool in the metrics, `waiting` counts the
/// jobs waiting), and the job runs in the request's tracing span.
async fn run_bounded<T, F>(
    slots: &Arc<Semaphore>,
    (pool, waiting): (&'static str, &AtomicUsize),
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
{
    let started = std::time::Instant::now();
    let slot = {
        // Counted down however the wait ends (a client that went away drops it).
        struct Waits<'a>(&'a AtomicUsize);
        impl Drop for Waits<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        waiting.fetch_add(1, Ordering::Relaxed);
        let _waits = Waits(waiting);
        slots.clone().acquire_owned().await.map_err(|_| AppError::Internal("blocking slots closed".into()))?
    };
    metrics::histogram!(crate::metrics::POOL_WAIT, "pool" => pool).record(started.elapsed());
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        span.in_scope(f)
    })
    .await?
}

/// A device's sync request in flight (see [`AppState::begin_sync`]).
#[derive(Debug)]
pub struct SyncGuard {
    syncing: Arc<Mutex<HashSet<String>>>,
    device: String,
}

impl Drop for SyncGuard {
    fn drop(&mut self) {
        self.syncing.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.device);
    }
}

/// Read, or on first start create, the server's own device id: one for
/// every instance on the database (`init_meta`: instances starting together
/// agree). Its changes stay in sequence because a tenant's writes run one
/// after another on every backend.
pub fn server_device(storage: &dyn Storage) -> Result<DeviceId, StorageError> {
    let id = match storage.meta("server_device_id")? {
        Some(id) => id,
        None => storage.init_meta("server_device_id", &DeviceId::random().to_string())?,
    };
    id.parse().map_err(|e| StorageError::Backend(format!("server_device_id: {e}")))
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;

/// The server's own actor and the Ed25519 key that signs what it writes,
/// in the name of the officer (or form) each change names.
#[derive(Debug, Clone)]
pub struct ServerIdentity {
    pub device: DeviceId,
    pub key: Arc<PersonKey>,
}

/// Read, or on first start create, the server's device id and signing key,
/// and make sure the key is registered as the server's.
pub fn server_identity(storage: &dyn Storage) -> Result<ServerIdentity, StorageError> {
    let device = server_device(storage)?;
    let hex = match storage.meta("server_signing_key")? {
        Some(hex) => hex,
        None => {
            let key = PersonKey::generate().map_err(|e| StorageError::Backend(format!("random: {e}")))?;
            storage.init_meta("server_signing_key", &prestasi_core::signing::hex(key.secret().as_ref()))?
        }
    };
    let bytes = prestasi_core::signing::unhex(&hex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| StorageError::Backend("server_signing_key is not 32 hex bytes".into()))?;
    let key = PersonKey::from_secret(&bytes);
    storage.insert_signer(&SignerRow {
        public_key: key.public().to_vec(),
        tenant_id: String::new(),
        person: "server".into(),
        device_id: device.to_string(),
        server: true,
        bound_at: chrono::Utc::now().timestamp_millis(),
        revoked_at: None,
        revoked_reason: None,
    })?;
    Ok(ServerIdentity { device, key: Arc::new(key) })
}
