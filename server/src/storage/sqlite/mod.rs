//! The embedded default backend: one SQLite file in WAL mode.
//!
//! One writer connection behind a mutex (every write transaction is
//! serialised, as SQLite requires) and a small pool of reader connections
//! that pull and HR queries use concurrently. `synchronous = FULL`: a commit
//! is on disk before the server acknowledges it (see ARCHITECTURE.md).

mod admin;
mod auth;
pub mod backup;
mod checkpoint;
mod docs;
mod inputs;
mod merged;
mod report_store;
mod reports;
mod signers;
mod uploads;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

use super::{StorageError, WriteTx};

const MIGRATIONS: &[&str] = &[
    include_str!("0001_init.sql"),
    include_str!("0002_scope_indexes.sql"),
    include_str!("0003_reports.sql"),
    include_str!("0004_appraisal_summary.sql"),
    include_str!("0005_appraisal_report_index.sql"),
    include_str!("0006_feedback_officer_in_time_index.sql"),
    include_str!("0007_signatures.sql"),
    include_str!("0008_neutral_view.sql"),
    include_str!("0009_rate_windows.sql"),
    include_str!("0010_uploads.sql"),
    include_str!("0011_device_wipes.sql"),
    include_str!("0012_unit_services.sql"),
    include_str!("0013_tenant_positions.sql"),
    include_str!("0014_logins.sql"),
];
const READERS: usize = 4;

/// Write transactions between two WAL restarts (see [`SqliteStorage::write`]).
const RESTART_EVERY: u64 = 64;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Backend(e.to_string())
    }
}

#[derive(Debug)]
pub struct SqliteStorage {
    writer: Mutex<Connection>,
    commits: std::sync::atomic::AtomicU64,
    readers: Mutex<Vec<Connection>>,
    path: Option<std::path::PathBuf>,
    /// Checkpoints the WAL off the write lock (files only).
    checkpointer: Option<checkpoint::Checkpointer>,
}

impl SqliteStorage {
    /// Open (creating if needed) `dir/prestasi.db`.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir).map_err(|e| StorageError::Backend(format!("{}: {e}", dir.display())))?;
        backup::check_not_restoring(dir)?;
        let path = dir.join("prestasi.db");
        let mut writer = Connection::open(&path)?;
        configure(&writer)?;
        // The checkpoint thread copies the WAL back; commits never do.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        migrate(&mut writer)?;
        let checkpointer = Some(checkpoint::Checkpointer::start(&path)?);
        Ok(Self {
            writer: Mutex::new(writer),
            commits: 0.into(),
            readers: Mutex::new(Vec::new()),
            path: Some(path),
            checkpointer,
        })
    }

    /// A private in-memory database (tests); its one connection serves
    /// reads too.
    pub fn in_memory() -> Result<Self, StorageError> {
        let mut writer = Connection::open_in_memory()?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut writer)?;
        Ok(Self {
            writer: Mutex::new(writer),
            commits: 0.into(),
            readers: Mutex::new(Vec::new()),
            path: None,
            checkpointer: None,
        })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` on a reader connection (the writer for in-memory databases).
    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StorageError>) -> Result<T, StorageError> {
        let Some(path) = &self.path else { return f(&self.writer()) };
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c.pragma_update(None, "cache_size", -4096)?;
                c
            }
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        result
    }
}

/// Unit ids as stored: a JSON array.
fn units_json(units: &[String]) -> String {
    serde_json::to_string(units).unwrap_or_else(|_| "[]".into())
}

/// Execute through the statement cache: the write path runs the same few
/// statements for every document.
fn exec(c: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(params)
}

fn configure(conn: &Connection) -> Result<(), StorageError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // After a restart the WAL file is cut back to this size.
    conn.pragma_update(None, "journal_size_limit", 32 << 20)?;
    // Bounded page cache (4 MiB a connection): memory stays flat however
    // many documents the database holds.
    conn.pragma_update(None, "cache_size", -4096)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(StorageError::NewerSchema { found: version, supported });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

impl super::Storage for SqliteStorage {
    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<(), StorageError>) -> Result<(), StorageError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let mut wtx = docs::SqliteWriteTx { tx: &tx };
        f(&mut wtx)?;
        tx.commit()?;
        let n = self.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        // Under constant reads passive checkpoints never get to restart the
        // WAL, which then grows without bound. Now and then, wait for the
        // (short) read transactions to move on and restart it — here, on the
        // writer, never from another connection (see `checkpoint`). RESTART,
        // not TRUNCATE: the next commits overwrite the WAL file's blocks in
        // place, where writing into a freshly truncated file made the kernel
        // allocate and zero every block (9 % of the server's CPU in the D =
        // 200 profile, docs/PERFORMANCE.md); `journal_size_limit` still cuts
        // it back to 32 MiB.
        if n.is_multiple_of(RESTART_EVERY) && self.path.is_some() {
            let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get(0))?;
            if busy != 0 {
                tracing::debug!("WAL restart deferred: readers still active");
            }
        }
        drop(conn);
        if let Some(c) = &self.checkpointer {
            c.committed(n);
        }
        Ok(())
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn super::Lookup) -> Result<(), StorageError>) -> Result<(), StorageError> {
        self.with_reader(|c| {
            let tx = c.unchecked_transaction()?;
            f(&mut docs::SqliteReadTx { conn: &tx })
        })
    }

    fn pull(&self, q: &super::PullQuery<'_>) -> Result<super::PullPage, StorageError> {
        self.with_reader(|c| docs::pull(c, q))
    }

    fn fetch(
        &self,
        tenant: &str,
        ids: &[prestasi_core::model::DocId],
        scope: &super::Scope,
    ) -> Result<Vec<super::PulledBytes>, StorageError> {
        // One snapshot: a compaction between reading a document's row and
        // its chunks would otherwise lose the changes it folded.
        self.with_reader(|c| {
            let tx = c.unchecked_transaction()?;
            docs::fetch(&tx, tenant, ids, scope)
        })
    }

    fn create_tenant(&self, id: &str, name: &str) -> Result<(), StorageError> {
        admin::create_tenant(&self.writer(), id, name)
    }
    fn tenant(&self, id: &str) -> Result<Option<super::TenantRow>, StorageError> {
        self.with_reader(|c| admin::tenant(c, id))
    }
    fn create_user(&self, user: &super::UserRow) -> Result<(), StorageError> {
        admin::create_user(&self.writer(), user)
    }
    fn user(&self, tenant: &str, username: &str) -> Result<Option<super::UserRow>, StorageError> {
        self.with_reader(|c| admin::user(c, tenant, username))
    }
    fn create_session(&self, s: &super::SessionRow) -> Result<(), StorageError> {
        admin::create_session(&self.writer(), s)
    }
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<super::SessionRow>, StorageError> {
        self.with_reader(|c| admin::session(c, token_hash, now))
    }
    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        admin::delete_session(&self.writer(), token_hash)
    }
    fn create_enrollment(&self, e: &super::EnrollmentRow) -> Result<(), StorageError> {
        admin::create_enrollment(&self.writer(), e)
    }
    fn redeem_enrollment(
        &self,
        code_hash: &str,
        device: &super::DeviceRow,
        now: i64,
    ) -> Result<super::DeviceRow, StorageError> {
        admin::redeem_enrollment(&mut self.writer(), code_hash, device, now)
    }
    fn device(&self, id: &str) -> Result<Option<super::DeviceRow>, StorageError> {
        self.with_reader(|c| admin::device(c, id))
    }
    fn devices(&self, tenant: &str) -> Result<Vec<super::DeviceRow>, StorageError> {
        self.with_reader(|c| admin::devices(c, tenant))
    }
    fn revoke_device(&self, id: &str, reason: &str, now: i64) -> Result<(), StorageError> {
        admin::revoke_device(&self.writer(), id, reason, now)
    }
    fn record_wipe(&self, id: &str, detail: &str, now: i64) -> Result<bool, StorageError> {
        admin::record_wipe(&mut self.writer(), id, detail, now)
    }
    fn log_device_event(&self, e: &super::DeviceEventRow) -> Result<(), StorageError> {
        admin::log_device_event(&self.writer(), e)
    }
    fn device_events(&self, device_id: &str) -> Result<Vec<super::DeviceEventRow>, StorageError> {
        self.with_reader(|c| admin::device_events(c, device_id))
    }
    fn unit_services(&self, tenant: &str, unit: &str) -> Result<Vec<String>, StorageError> {
        self.with_reader(|c| admin::unit_services(c, tenant, unit))
    }
    fn set_unit_services(&self, tenant: &str, unit: &str, services: &[String]) -> Result<(), StorageError> {
        admin::set_unit_services(&mut self.writer(), tenant, unit, services)
    }
    fn meta(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.with_reader(|c| admin::meta(c, key))
    }
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StorageError> {
        admin::set_meta(&self.writer(), key, value)
    }
    fn init_meta(&self, key: &str, value: &str) -> Result<String, StorageError> {
        admin::init_meta(&self.writer(), key, value)
    }
    fn count_event(&self, key: &str, window_ms: i64, now_ms: i64) -> Result<(u32, i64), StorageError> {
        admin::count_event(&self.writer(), key, window_ms, now_ms)
    }
    fn appraisals(
        &self,
        tenant: &str,
        filter: &super::AppraisalFilter,
    ) -> Result<Vec<super::AppraisalRow>, StorageError> {
        self.with_reader(|c| merged::appraisals(c, tenant, filter))
    }
    fn appraisal_targets(
        &self,
        tenant: &str,
        doc_id: prestasi_core::model::DocId,
    ) -> Result<Vec<super::TargetRow>, StorageError> {
        self.with_reader(|c| merged::appraisal_targets(c, tenant, doc_id))
    }
    fn employees(&self, tenant: &str, unit: Option<&str>) -> Result<Vec<super::EmployeeRow>, StorageError> {
        self.with_reader(|c| merged::employees(c, tenant, unit))
    }
    fn feedback_count(&self, tenant: &str, unit: Option<&str>) -> Result<u64, StorageError> {
        self.with_reader(|c| merged::feedback_count(c, tenant, unit))
    }
    fn conflicts(&self, tenant: &str) -> Result<Vec<super::ConflictRow>, StorageError> {
        self.with_reader(|c| merged::conflicts(c, tenant))
    }
    fn tenants(&self) -> Result<Vec<super::TenantRow>, StorageError> {
        self.with_reader(admin::tenants)
    }
    fn doc_ids(
        &self,
        tenant: &str,
        after: Option<prestasi_core::model::DocId>,
        limit: usize,
    ) -> Result<Vec<prestasi_core::model::DocId>, StorageError> {
        self.with_reader(|c| docs::doc_ids(c, tenant, after, limit))
    }
    fn document(
        &self,
        tenant: &str,
        id: prestasi_core::model::DocId,
    ) -> Result<Option<super::StoredDoc>, StorageError> {
        self.with_reader(|c| {
            let tx = c.unchecked_transaction()?;
            docs::load(&tx, tenant, id)
        })
    }
    fn create_person_code(&self, code: &super::PersonCodeRow) -> Result<(), StorageError> {
        signers::create_person_code(&self.writer(), code)
    }
    fn device_signers(&self, device_id: &str) -> Result<Vec<super::SignerRow>, StorageError> {
        self.with_reader(|c| signers::device_signers(c, device_id))
    }
    fn insert_signer(&self, key: &super::SignerRow) -> Result<(), StorageError> {
        signers::insert_signer(&self.writer(), key)
    }
    fn signers(&self, tenant: &str, person: Option<&str>) -> Result<Vec<super::SignerRow>, StorageError> {
        self.with_reader(|c| signers::signers(c, tenant, person))
    }
    fn revoke_signer(&self, tenant: &str, key: &[u8], reason: &str, now: i64) -> Result<(), StorageError> {
        signers::revoke_signer(&self.writer(), tenant, key, reason, now)
    }
    fn signatures(&self, tenant: &str, id: prestasi_core::model::DocId) -> Result<Vec<super::StoredSig>, StorageError> {
        self.with_reader(|c| signers::signatures(c, tenant, id))
    }
    fn ping(&self) -> Result<(), StorageError> {
        // A new connection, not a pooled one: an open file stays readable
        // after it was deleted or its volume went away; opening it does not.
        let version: i64 = match &self.path {
            Some(path) => {
                let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                c.busy_timeout(std::time::Duration::from_secs(1))?;
                c.pragma_query_value(None, "user_version", |r| r.get(0))?
            }
            None => self.writer().pragma_query_value(None, "user_version", |r| r.get(0))?,
        };
        if version < MIGRATIONS.len() as i64 {
            return Err(StorageError::Backend(format!("schema {version}, this build needs {}", MIGRATIONS.len())));
        }
        Ok(())
    }
    fn database_bytes(&self) -> Result<u64, StorageError> {
        let pages = |c: &Connection| -> Result<u64, StorageError> {
            let count: i64 = c.pragma_query_value(None, "page_count", |r| r.get(0))?;
            let size: i64 = c.pragma_query_value(None, "page_size", |r| r.get(0))?;
            Ok(u64::try_from(count.saturating_mul(size)).unwrap_or(0))
        };
        let Some(path) = &self.path else { return pages(&self.writer()) };
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let wal = std::fs::metadata(&wal).map_or(0, |m| m.len());
        Ok(self.with_reader(pages)? + wal)
    }
}

#[cfg(test)]
mod renumber_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance_in_memory() {
        crate::storage::conformance::run_all(&|| Box::new(SqliteStorage::in_memory().unwrap()));
    }

    #[test]
    fn conformance_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let n = std::sync::atomic::AtomicUsize::new(0);
        crate::storage::conformance::run_all(&|| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Box::new(SqliteStorage::open(&dir.path().join(i.to_string())).unwrap())
        });
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStorage::open(dir.path()).unwrap());
        Connection::open(dir.path().join("prestasi.db")).unwrap().pragma_update(None, "user_version", 42).unwrap();
        assert!(matches!(SqliteStorage::open(dir.path()), Err(StorageError::NewerSchema { found: 42, .. })));
    }
}
