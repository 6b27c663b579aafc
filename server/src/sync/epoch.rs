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

/// Give the database a new epoch (after a restore): every device's next
/// sync sends again what it wrote and pulls its scope anew.
pub fn renew(storage: &dyn Storage) -> Result<String, StorageError> {
    let epoch = uuid::Uuid::new_v4().to_string();
    storage.set_meta(EPOCH_KEY, &epoch)?;
    tracing::warn!(%epoch, "storage epoch renewed: devices will send again what they hold");
    Ok(epoch)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::storage::sqlite::SqliteStorage;

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
