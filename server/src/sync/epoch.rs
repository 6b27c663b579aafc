//! The storage epoch: which copy of the database a device's
//! acknowledgements belong to.
//!
//! A device trusts the server to keep what it acknowledged. A restore from
//! a backup breaks that promise for everything acknowledged after the
//! backup was taken, and the devices cannot tell on their own: their
//! cursors and acknowledged heads point past what the restored database
//! holds. So the database carries a random epoch, answered with every sync
//! and renewed by every restore (`prestasi-server restore`, or
//! `prestasi-server renew-epoch` after restoring PostgreSQL by hand). A
//! request made under another epoch is refused before anything is read or
//! written (409 `epoch_changed`); the device then forgets what the server
//! acknowledged, sends everything it wrote again and pulls its scope from
//! the start (docs/PROTOCOL.md, "After a restore").

use crate::storage::{Storage, StorageError};

/// The `meta` key the epoch is kept under.
pub const EPOCH_KEY: &str = "storage.epoch";

/// This database's epoch, made on first use.
pub fn current(storage: &dyn Storage) -> Result<String, StorageError> {
    match storage.meta(EPOCH_KEY)? {
        Some(e) => Ok(e),
        None => storage.init_meta(EPOCH_KEY, &uuid::Uuid::new_v4().to_string()),
    }
}

/// The `meta` key of the epoch devices held when the database's pull
/// positions were renumbered per tenant (SQLite schema 13; PostgreSQL always
/// had them): their cursors are of the old, global numbering. Present only
/// in a database that had chunks then; empty when it had no epoch yet.
pub const BEFORE_TENANT_POSITIONS_KEY: &str = "storage.epoch.before_tenant_positions";

/// What a request's epoch and cursor mean to this database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The cursor is of this database's numbering.
    Current,
    /// Nothing the device was told is lost, but its cursor is of the
    /// numbering before positions were per tenant: pull from 0 (the device
    /// gets its scope once more, and skips nothing). Made under the epoch
    /// [`BEFORE_TENANT_POSITIONS_KEY`] names, or under none with a cursor.
    Renumbered,
    /// Made under another epoch: the database was restored from a backup
    /// since (409 `epoch_changed` online).
    Restored,
}

/// How to take a request made under `theirs` (its `epoch`) with `cursor`,
/// against the database's `current` epoch.
pub fn standing(
    storage: &dyn Storage,
    theirs: Option<&str>,
    cursor: u64,
    current: &str,
) -> Result<Standing, StorageError> {
    if theirs == Some(current) || (theirs.is_none() && cursor == 0) {
        return Ok(Standing::Current);
    }
    Ok(match (storage.meta(BEFORE_TENANT_POSITIONS_KEY)?, theirs) {
        (Some(_), None) => Standing::Renumbered,
        (Some(before), Some(theirs)) if !before.is_empty() && before == theirs => Standing::Renumbered,
        // A device that never got an epoch, on a database never renumbered.
        (None, None) => Standing::Current,
        (_, Some(_)) => Standing::Restored,
    })
}

/// Give the database a new epoch (after a restore): every device's next
/// sync sends again what it wrote and pulls its scope anew.
pub fn renew(storage: &dyn Storage) -> Result<String, StorageError> {
    let epoch = uuid::Uuid::new_v4().to_string();
    storage.set_meta(EPOCH_KEY, &epoch)?;
    // A device still under the epoch of before the renumbering may have
    // been told of writes the backup does not hold: from now on it is
    // restored like any other (epoch-less cursors still pull from 0).
    if storage.meta(BEFORE_TENANT_POSITIONS_KEY)?.is_some() {
        storage.set_meta(BEFORE_TENANT_POSITIONS_KEY, "")?;
    }
    tracing::warn!(%epoch, "storage epoch renewed: devices will send again what they hold");
    Ok(epoch)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::storage::sqlite::SqliteStorage;

    #[test]
    fn cursors_of_before_the_renumbering_pull_from_zero_until_a_restore() {
        let s = SqliteStorage::in_memory().unwrap();
        let now = current(&s).unwrap();
        let at = |theirs: Option<&str>, cursor| standing(&s, theirs, cursor, &now).unwrap();
        assert_eq!(at(Some(&now), 9), Standing::Current);
        assert_eq!(at(None, 0), Standing::Current, "a first sync");
        assert_eq!(at(None, 9), Standing::Current, "never renumbered: an epoch-less cursor is current");
        assert_eq!(at(Some("older"), 9), Standing::Restored);
        s.set_meta(BEFORE_TENANT_POSITIONS_KEY, "older").unwrap();
        assert_eq!(at(Some("older"), 9), Standing::Renumbered, "the epoch held before the renumbering");
        assert_eq!(at(None, 9), Standing::Renumbered, "no epoch, but a cursor: of the old numbering");
        assert_eq!(at(Some("another"), 9), Standing::Restored);
        assert_eq!(at(Some(&now), 9), Standing::Current);
        let renewed = renew(&s).unwrap();
        let at = |theirs: Option<&str>, cursor| standing(&s, theirs, cursor, &renewed).unwrap();
        assert_eq!(at(Some("older"), 9), Standing::Restored, "after a restore the old epoch is restored like others");
        assert_eq!(at(Some(&now), 9), Standing::Restored);
        assert_eq!(at(None, 9), Standing::Renumbered, "an epoch-less cursor still pulls from 0");
    }

    #[test]
    fn the_epoch_is_stable_until_renewed() {
        let s = SqliteStorage::in_memory().unwrap();
        let first = current(&s).unwrap();
        assert_eq!(current(&s).unwrap(), first);
        let renewed = renew(&s).unwrap();
        assert_ne!(renewed, first);
        assert_eq!(current(&s).unwrap(), renewed);
    }
}
