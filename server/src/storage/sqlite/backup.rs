//! Files of the embedded database: an online backup while the server
//! serves, the steps of a restore, and the lock `serve` holds on its data
//! directory. What a restore means for the devices (a new storage epoch) is
//! decided above, in `crate::backup`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::MIGRATIONS;
use crate::storage::StorageError;

const DB_FILE: &str = "prestasi.db";
const LOCK_FILE: &str = "prestasi.lock";
/// Where a restore prepares the database it puts in place. Its presence at
/// start means a restore was interrupted: the server refuses to start.
pub(crate) const RESTORING_DIR: &str = "restoring";

fn err(path: &Path, e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(format!("{}: {e}", path.display()))
}

/// What a backup file holds.
#[derive(Debug, Clone)]
pub struct BackupInfo {
    pub bytes: u64,
    /// Migrations applied (`user_version`).
    pub schema: i64,
}

/// The exclusive lock of a data directory, held while `serve` runs there
/// (and while a restore replaces its database).
#[derive(Debug)]
pub struct DirLock(#[allow(dead_code)] File);

pub fn lock_dir(dir: &Path) -> Result<DirLock, StorageError> {
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
    let path = dir.join(LOCK_FILE);
    let file = File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| err(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(StorageError::Conflict(format!(
            "{}: a server is running on this data directory; stop it first",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(err(&path, e)),
    }
}

/// Refuse to open a data directory a restore left half done.
pub(super) fn check_not_restoring(dir: &Path) -> Result<(), StorageError> {
    if dir.join(RESTORING_DIR).exists() {
        return Err(StorageError::Backend(format!(
            "{}: a restore was interrupted; run `prestasi-server restore` again (the directory `{RESTORING_DIR}` holds its work)",
            dir.display()
        )));
    }
    Ok(())
}

/// Copy the database under `dir` to `to`, consistently, while the server
/// keeps serving: SQLite's online backup in one step, i.e. one read
/// transaction (in WAL mode writers go on meanwhile). The copy is checked
/// (`quick_check`) and only then renamed into place.
pub fn backup(dir: &Path, to: &Path) -> Result<BackupInfo, StorageError> {
    let src_path = dir.join(DB_FILE);
    if !src_path.exists() {
        return Err(StorageError::NotFound(format!("{}: no database", src_path.display())));
    }
    let src = Connection::open_with_flags(&src_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    src.busy_timeout(Duration::from_secs(10))?;
    let partial = partial_path(to);
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial).map_err(|e| err(&partial, e))?;
        {
            let copy = Backup::new(&src, &mut dst)?;
            loop {
                match copy.step(-1)? {
                    StepResult::Done => break,
                    // Another connection holds a lock the copy needs: wait.
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        // One self-contained file, not a WAL pair.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        check(&dst, &partial)?;
    }
    File::open(&partial).and_then(|f| f.sync_all()).map_err(|e| err(&partial, e))?;
    std::fs::rename(&partial, to).map_err(|e| err(to, e))?;
    sync_parent(to);
    inspect(to)
}

/// Check a backup file: SQLite, intact, a Prestasi database this server
/// can run (not from a newer version).
pub fn inspect(file: &Path) -> Result<BackupInfo, StorageError> {
    let bytes = std::fs::metadata(file).map_err(|e| err(file, e))?.len();
    let c = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| err(file, e))?;
    check(&c, file)?;
    let schema: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| err(file, e))?;
    let supported = MIGRATIONS.len() as i64;
    if schema > supported {
        return Err(StorageError::NewerSchema { found: schema, supported });
    }
    let has_meta: bool = c
        .query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'", [], |r| r.get(0))
        .map_err(|e| err(file, e))?;
    if schema == 0 || !has_meta {
        return Err(err(file, "not a Prestasi database"));
    }
    Ok(BackupInfo { bytes, schema })
}

fn check(c: &Connection, path: &Path) -> Result<(), StorageError> {
    let verdict: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| err(path, e))?;
    if verdict != "ok" {
        return Err(err(path, format!("damaged database: {verdict}")));
    }
    Ok(())
}

/// Step one of a restore: copy `from` into `dir/restoring/` (a directory
/// [`crate::storage::sqlite::SqliteStorage::open`] can open), so its epoch
/// is renewed before it replaces anything. Needs the directory's lock.
pub fn stage_restore(dir: &Path, from: &Path, _lock: &DirLock) -> Result<PathBuf, StorageError> {
    inspect(from)?;
    let staging = dir.join(RESTORING_DIR);
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| err(&staging, e))?;
    let target = staging.join(DB_FILE);
    std::fs::copy(from, &target).map_err(|e| err(&target, e))?;
    Ok(staging)
}

/// Step two: put the staged database in place. The one in use moves to
/// `dir/before-restore-<time>/` (with its WAL, first folded into it when it
/// still opens), then the staged file is renamed over it.
pub fn finish_restore(dir: &Path, staging: &Path, _lock: &DirLock) -> Result<PathBuf, StorageError> {
    let staged = staging.join(DB_FILE);
    {
        // Everything in the one file, nothing left in a WAL beside it.
        let c = Connection::open(&staged).map_err(|e| err(&staged, e))?;
        c.pragma_update(None, "journal_mode", "DELETE").map_err(|e| err(&staged, e))?;
        check(&c, &staged)?;
    }
    File::open(&staged).and_then(|f| f.sync_all()).map_err(|e| err(&staged, e))?;
    let current = dir.join(DB_FILE);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = dir.join(format!("before-restore-{stamp}"));
    if current.exists() {
        if let Ok(c) = Connection::open(&current) {
            let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        }
        std::fs::create_dir_all(&aside).map_err(|e| err(&aside, e))?;
        for suffix in ["", "-wal", "-shm"] {
            let f = dir.join(format!("{DB_FILE}{suffix}"));
            if f.exists() {
                std::fs::rename(&f, aside.join(format!("{DB_FILE}{suffix}"))).map_err(|e| err(&f, e))?;
            }
        }
    }
    std::fs::rename(&staged, &current).map_err(|e| err(&current, e))?;
    sync_parent(&current);
    std::fs::remove_dir_all(staging).map_err(|e| err(staging, e))?;
    sync_parent(&current);
    Ok(aside)
}

fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    to.with_file_name(name)
}

/// Renames are durable once the directory is synced.
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(parent).and_then(|d| d.sync_all());
    }
}
