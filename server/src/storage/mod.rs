//! Durable storage behind a small trait, so the sync and HR code never
//! touch SQL. [`sqlite::SqliteStorage`] is the embedded default; a
//! PostgreSQL backend implements the same traits and must pass the same
//! [`conformance`] suite.
//!
//! The contract, for a backend's author: values cross the trait typed
//! (statuses, ratings and scopes are Rust values, never strings or JSON);
//! what HR reads is the [`View`] the caller computed, stored as it is;
//! [`Storage::pull`] pages in commit order (see its documentation).

mod auth;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod page;
pub mod postgres;
mod reports;
pub mod sqlite;
mod types;
mod uploads;
mod view;

pub use auth::*;
pub use reports::*;
pub use types::*;
pub use uploads::*;
pub use view::*;

use prestasi_core::model::DocId;

/// Open the server's storage: PostgreSQL when a `postgres://` URL is given,
/// else the embedded SQLite database under `data_dir`.
pub fn open(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(std::sync::Arc::new(postgres::PostgresStorage::open(url)?))
        }
        Some(other) => Err(StorageError::Backend(format!(
            "unsupported database URL {:?}: give postgres://user@host:port/database",
            other.split('@').next_back().unwrap_or_default()
        ))),
        None => Ok(std::sync::Arc::new(sqlite::SqliteStorage::open(data_dir)?)),
    }
}

/// Everything the server keeps.
pub trait Storage: ReportStore + UploadStore + AuthStore + Send + Sync + std::fmt::Debug {
    /// Run `f` in one write transaction: everything it wrote is committed
    /// (durably, before this returns) or nothing is.
    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<(), StorageError>) -> Result<(), StorageError>;
    /// Run `f` over one consistent read snapshot, concurrently with other
    /// readers and with the writer.
    fn read(&self, f: &mut dyn FnMut(&mut dyn Lookup) -> Result<(), StorageError>) -> Result<(), StorageError>;

    /// Changes in `q.scope` after `q.cursor` by anyone but `q.exclude_origin`.
    ///
    /// The cursor is the backend's position in the tenant's commit order:
    /// a change committed after a page was read must have a position after
    /// that page's cursor, so a reader paging with its cursor never skips a
    /// change or sees one twice, however many writers commit meanwhile.
    fn pull(&self, q: &PullQuery<'_>) -> Result<PullPage, StorageError>;
    /// Whole documents, if they exist in the tenant and in scope.
    fn fetch(&self, tenant: &str, ids: &[DocId], scope: &Scope) -> Result<Vec<PulledBytes>, StorageError>;

    fn create_tenant(&self, id: &str, name: &str) -> Result<(), StorageError>;
    fn tenant(&self, id: &str) -> Result<Option<TenantRow>, StorageError>;
    fn create_user(&self, user: &UserRow) -> Result<(), StorageError>;
    fn user(&self, tenant: &str, username: &str) -> Result<Option<UserRow>, StorageError>;
    fn create_session(&self, s: &SessionRow) -> Result<(), StorageError>;
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>, StorageError>;
    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError>;

    fn create_enrollment(&self, e: &EnrollmentRow) -> Result<(), StorageError>;
    /// Use an enrollment code once: check it is unused and unexpired, mark
    /// it used and register the device, atomically.
    fn redeem_enrollment(&self, code_hash: &str, device: &DeviceRow, now: i64) -> Result<DeviceRow, StorageError>;
    fn device(&self, id: &str) -> Result<Option<DeviceRow>, StorageError>;
    fn devices(&self, tenant: &str) -> Result<Vec<DeviceRow>, StorageError>;
    fn revoke_device(&self, id: &str, reason: &str, now: i64) -> Result<(), StorageError>;
    /// A revoked device reported that it wiped its store: set `wiped_at`
    /// (the first report's time stays) and log a `wiped` event with
    /// `detail`, atomically. `false`, with nothing written, when the device
    /// is unknown or not revoked.
    fn record_wipe(&self, id: &str, detail: &str, now: i64) -> Result<bool, StorageError>;
    /// Append to a device's audit trail.
    fn log_device_event(&self, e: &DeviceEventRow) -> Result<(), StorageError>;
    /// A device's audit trail, oldest first.
    fn device_events(&self, device_id: &str) -> Result<Vec<DeviceEventRow>, StorageError>;

    /// The services HR lists for a unit's public form, in HR's order.
    fn unit_services(&self, tenant: &str, unit: &str) -> Result<Vec<String>, StorageError>;
    /// Replace a unit's service list, atomically (the caller checked it).
    fn set_unit_services(&self, tenant: &str, unit: &str, services: &[String]) -> Result<(), StorageError>;

    /// A value kept by the server itself (e.g. its own device id).
    fn meta(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StorageError>;
    /// Keep `value` under `key` unless a value is there already, and return
    /// the one kept: server instances starting together agree on one secret.
    fn init_meta(&self, key: &str, value: &str) -> Result<String, StorageError>;
    /// Count one event of `key` in its current fixed window (`window_ms`
    /// long from the window's first event; an ended window starts again).
    /// Shared by every server instance of the database. Returns the events
    /// in the window, this one included, and when the window ends (ms).
    /// Ended windows are forgotten.
    fn count_event(&self, key: &str, window_ms: i64, now_ms: i64) -> Result<(u32, i64), StorageError>;

    /// The merged view, for HR.
    fn appraisals(&self, tenant: &str, filter: &AppraisalFilter) -> Result<Vec<AppraisalRow>, StorageError>;
    fn appraisal_targets(&self, tenant: &str, doc_id: DocId) -> Result<Vec<TargetRow>, StorageError>;
    fn employees(&self, tenant: &str, unit: Option<&str>) -> Result<Vec<EmployeeRow>, StorageError>;
    fn feedback_count(&self, tenant: &str, unit: Option<&str>) -> Result<u64, StorageError>;
    fn conflicts(&self, tenant: &str) -> Result<Vec<ConflictRow>, StorageError>;
    /// Every tenant.
    fn tenants(&self) -> Result<Vec<TenantRow>, StorageError>;
    /// Up to `limit` document ids of the tenant after `after`, in id order
    /// (for rebuilding the merged view).
    fn doc_ids(&self, tenant: &str, after: Option<DocId>, limit: usize) -> Result<Vec<DocId>, StorageError>;
    /// A whole document, for the server's own reads and edits.
    fn document(&self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError>;

    fn create_person_code(&self, code: &PersonCodeRow) -> Result<(), StorageError>;
    /// Every key bound on one device (a handful), revoked ones included.
    fn device_signers(&self, device_id: &str) -> Result<Vec<SignerRow>, StorageError>;
    /// Add a key binding directly, if it is not there (idempotent): the
    /// server's own key at start, and keys in unit tests.
    fn insert_signer(&self, key: &SignerRow) -> Result<(), StorageError>;
    /// A tenant's keys, of one person or all, newest first.
    fn signers(&self, tenant: &str, person: Option<&str>) -> Result<Vec<SignerRow>, StorageError>;
    /// Revoke a key of the tenant; its later signatures are refused.
    fn revoke_signer(&self, tenant: &str, key: &[u8], reason: &str, now: i64) -> Result<(), StorageError>;
    /// The stored signatures of a document's changes.
    fn signatures(&self, tenant: &str, id: DocId) -> Result<Vec<StoredSig>, StorageError>;

    /// Answer a trivial query on the database as it is now (a fresh look,
    /// not a cached answer): `Err` if it cannot be reached or is not
    /// migrated to this build's schema (`GET /ready`).
    fn ping(&self) -> Result<(), StorageError>;
    /// The space the server's data takes on disk, in bytes: SQLite's file
    /// and WAL, PostgreSQL's tables, indexes and TOAST in the server's
    /// schema (for `/metrics`).
    fn database_bytes(&self) -> Result<u64, StorageError>;
}

/// What the sync checks read: documents and the roster.
pub trait Lookup {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError>;
    /// The merged-view employee, for scope checks.
    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError>;
    /// The binding of a public key, in any tenant.
    fn signer(&mut self, key: &[u8]) -> Result<Option<SignerRow>, StorageError>;
}

/// What the sync code may do inside a write transaction.
pub trait WriteTx: Lookup {
    /// The document's current heads (as stored in [`StoredDoc::heads`]),
    /// to see whether it changed since a check made outside the lock.
    fn heads(&mut self, tenant: &str, id: DocId) -> Result<Option<String>, StorageError>;
    /// Append accepted changes and rewrite the merged view. The chunk's
    /// position in the pull order is assigned by commit, in the order of
    /// the appends (a backend may assign it last, so that a tenant's
    /// writers wait for each other only while committing).
    fn append(&mut self, w: &DocWrite) -> Result<(), StorageError>;
    /// Rewrite the merged view of a stored document (after the view's
    /// definition changed), leaving its chunks alone.
    /// `received_at` is the time the view rows carry (the document's
    /// [`StoredDoc::updated_at`]).
    fn reproject(
        &mut self,
        tenant: &str,
        id: DocId,
        kind: prestasi_core::doc::DocKind,
        received_at: i64,
        p: &Projection,
    ) -> Result<(), StorageError>;
    /// Use a person code once to bind `key`: the code must be unused,
    /// unexpired, for `key.person` in `key.tenant_id` (and `key.device_id`,
    /// if the code names a device), and the key not bound yet. `false`
    /// (nothing written) otherwise. All of a request's bindings share one
    /// transaction.
    fn bind_signer(&mut self, code_hash: &str, key: &SignerRow, now: i64) -> Result<bool, StorageError>;
}
