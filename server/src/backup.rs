//! `prestasi-server backup` and `restore`: copies of the embedded database,
//! and a restore that tells every device its acknowledgements since the
//! backup are gone (a new storage epoch, see [`crate::sync::epoch`]), so
//! the devices send again what they hold and nothing they hold is lost.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, or base backups
//! with WAL archiving for point-in-time recovery; docs/DEPLOY.md); after
//! restoring it, `prestasi-server renew-epoch` does what `restore` does here.

use std::path::{Path, PathBuf};

use crate::storage::sqlite::backup::{self as files, BackupInfo};
use crate::storage::{Storage, StorageError};

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub info: BackupInfo,
    /// The new storage epoch.
    pub epoch: String,
    /// Where the database it replaced went.
    pub aside: PathBuf,
}

/// An online backup of the database under `dir` into `to`.
pub fn backup(dir: &Path, to: &Path) -> Result<BackupInfo, StorageError> {
    let info = files::backup(dir, to)?;
    tracing::info!(file = %to.display(), bytes = info.bytes, schema = info.schema, "backup written");
    Ok(info)
}

/// Replace the database under `dir` with the backup `from`. The server
/// must be stopped (its lock on `dir` is taken here). The restored
/// database gets a new epoch before it is put in place, so no server ever
/// answers from it under the epoch devices already saw.
pub fn restore(dir: &Path, from: &Path) -> Result<Restored, StorageError> {
    let lock = files::lock_dir(dir)?;
    let staging = files::stage_restore(dir, from, &lock)?;
    let (info, epoch) = {
        // Opening migrates a backup from an older version.
        let staged = crate::storage::sqlite::SqliteStorage::open(&staging)?;
        let epoch = crate::sync::epoch::renew(&staged)?;
        (files::inspect(&staging.join("prestasi.db"))?, epoch)
    };
    let aside = files::finish_restore(dir, &staging, &lock)?;
    tracing::warn!(from = %from.display(), %epoch, aside = %aside.display(), "database restored");
    Ok(Restored { info, epoch, aside })
}

/// After restoring PostgreSQL by hand (or to force every device to send
/// everything again): a new epoch.
pub fn renew_epoch(storage: &dyn Storage) -> Result<String, StorageError> {
    crate::sync::epoch::renew(storage)
}
