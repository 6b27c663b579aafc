//! The on-device store: every document the tablet holds, in one SQLite file.
//!
//! - WAL journal, `synchronous = FULL`, one connection behind a mutex: one
//!   writer, and every call is one transaction.
//! - A document is an automerge snapshot plus the incremental chunks written
//!   since; after [`COMPACT_AFTER`] chunks they are folded into a new
//!   snapshot (history is kept: only the encoding is compacted).
//! - The "not yet on the server" marker, the heads the server acknowledged and
//!   the projection rows used by offline queries are written in the same
//!   transaction as the change they describe, so a crash can never leave a
//!   change without its marker.
//!
//! - The file is encrypted (SQLCipher) under a 32-byte [`StoreKey`] the app
//!   supplies ([`key`]); a revoked device deletes it ([`Store::wipe`]).
//!
//! ```
//! use prestasi_core::model::{Appraisal, Author, DocId, Role};
//! use prestasi_core::rules::nip::Nip;
//! use prestasi_core::store::Store;
//!
//! let store = Store::open_in_memory().unwrap();
//! let staff = Nip::parse("199307082019031090").unwrap();
//! let boss = Nip::parse("198802182010062056").unwrap();
//! // Every change is signed by its author's key, opened with their PIN.
//! store.sign_in(boss.as_str(), "246810", None).unwrap();
//! let me = Author::new(boss.as_str(), store.device_id(), Role::Supervisor);
//! let id = DocId::for_appraisal(&staff, "2026-Q3");
//! store.create(id, &Appraisal::new(staff, "2026-Q3", "unit-0001", boss).unwrap(), &me).unwrap();
//! store.update::<Appraisal>(id, &me, |a| { a.notes = "Baik".into(); Ok(()) }).unwrap();
//! assert_eq!(store.unsynced_count().unwrap(), 1);
//! ```

mod documents;
mod error;
mod key;
mod projection;
mod queries;
mod schema;
mod signers;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};

pub use documents::{DocStatus, Outgoing, RoundTrip, SyncState};
pub use error::StoreError;
pub use key::{STORE_KEY_LEN, StoreKey};
pub use projection::Stored;
pub use queries::{AppraisalSummary, FeedbackSummary, StaffMember};
pub use signers::{FREE_ATTEMPTS, MAX_PIN_ATTEMPTS, SignerInfo, SignerStatus};

use crate::model::DeviceId;

/// Incremental chunks kept before a document is re-snapshotted.
pub const COMPACT_AFTER: i64 = 32;

#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// Changes only once, when a fresh store adopts the id a server chose.
    device: Mutex<DeviceId>,
    path: PathBuf,
    /// Keys of the people signed in now (opened with their PIN); never
    /// written anywhere.
    unlocked: Mutex<HashMap<String, crate::signing::PersonKey>>,
    /// [`Store::wipe`] ran: the file is gone, an empty in-memory database
    /// stands in for it.
    wiped: AtomicBool,
}

impl Store {
    /// Open (or create) the store at `path`, encrypted under `key`.
    ///
    /// A wrong key ([`StoreError::WrongKey`], the file untouched), a
    /// plaintext store from before encryption ([`StoreError::Unencrypted`]:
    /// see [`Store::encrypt_existing`]), a file written by a newer schema, a
    /// file that is not a Prestasi store, and a path that cannot be opened
    /// are typed errors.
    pub fn open(path: impl AsRef<Path>, key: &StoreKey) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let conn = key::open_keyed(&path, key)?;
        Self::init(conn, path)
    }

    /// A throw-away store (not encrypted: nothing reaches a disk), for tests
    /// and examples.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, PathBuf::from(":memory:"))
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<Self, StoreError> {
        schema::configure(&conn, &path)?;
        schema::migrate(&mut conn, &path)?;
        let device = device_id(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            device: Mutex::new(device),
            path,
            unlocked: Mutex::new(HashMap::new()),
            wiped: AtomicBool::new(false),
        })
    }

    /// Delete everything this device holds (a revoked device, see
    /// `SyncClient::wipe_after_revocation`): the signed-in keys are closed,
    /// the database is closed and its file, WAL, shared-memory and journal
    /// files are deleted. From then on this `Store` holds an empty in-memory
    /// database and [`Store::is_wiped`] is true; the session and the sync
    /// client refuse every call with [`StoreError::Wiped`].
    ///
    /// The file was encrypted under the app's key: deleting that key too
    /// (docs/ANDROID.md) makes any copy of the old pages unreadable.
    pub fn wipe(&self) -> Result<(), StoreError> {
        self.unlocked.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let mut conn = self.lock();
        let mut empty = Connection::open_in_memory()?;
        schema::configure(&empty, Path::new(":memory:"))?;
        schema::migrate(&mut empty, Path::new(":memory:"))?;
        self.wiped.store(true, Ordering::SeqCst);
        let old = std::mem::replace(&mut *conn, empty);
        // Closing checkpoints the WAL into the file, which is deleted next.
        if let Err((old, e)) = old.close() {
            tracing::warn!(error = %e, "closing the store before the wipe");
            drop(old);
        }
        if self.path != Path::new(":memory:") {
            key::remove_files(&self.path)?;
        }
        tracing::warn!(path = %self.path.display(), "store wiped");
        Ok(())
    }

    /// [`Store::wipe`] ran.
    pub fn is_wiped(&self) -> bool {
        self.wiped.load(Ordering::SeqCst)
    }

    /// This install's device id: the automerge actor of its changes.
    pub fn device_id(&self) -> DeviceId {
        *self.device.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take the device id the server chose (an enrollment by file): only a
    /// store that holds nothing yet — no document, no key, no enrollment.
    /// Returns whether it was fresh.
    pub fn adopt_device_id(&self, id: DeviceId) -> Result<bool, StoreError> {
        let conn = self.lock();
        let held: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM signers)
                  + (SELECT count(*) FROM meta WHERE key = 'sync.credentials')",
            [],
            |r| r.get(0),
        )?;
        if held > 0 {
            return Ok(false);
        }
        conn.execute("UPDATE meta SET value = ?1 WHERE key = 'device_id'", [id.to_string()])?;
        *self.device.lock().unwrap_or_else(|p| p.into_inner()) = id;
        Ok(true)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A value kept with the data (e.g. the last successful sync time).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.lock().execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", [key, value])?;
        Ok(())
    }

    pub fn delete_meta(&self, key: &str) -> Result<(), StoreError> {
        self.lock().execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// `PRAGMA integrity_check` passes.
    pub fn check_integrity(&self) -> Result<bool, StoreError> {
        let r: String = self.lock().query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction
        // behind (rusqlite rolls back on drop), so a poisoned lock is usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Read, or on first open create, this install's device id.
fn device_id(conn: &Connection) -> Result<DeviceId, StoreError> {
    let existing: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
    if let Some(s) = existing {
        return Ok(s.parse()?);
    }
    let id = DeviceId::random();
    conn.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?1)", [id.to_string()])?;
    Ok(id)
}

#[cfg(test)]
mod tests;

/// Run one statement through the connection's statement cache: a pull
/// applies the same few statements to every document it brings, and parsing
/// them again each time showed in the sync profile (docs/PERFORMANCE.md).
pub(crate) fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}
