//! Opening the database: pragmas and numbered migrations.

use std::path::Path;

use rusqlite::{Connection, ErrorCode};

use super::StoreError;

/// `PRAGMA application_id` of a Prestasi store ("PRST").
pub(super) const APPLICATION_ID: i64 = 0x5052_5354;

/// Migration N brings `user_version` from N-1 to N. Never edit one that has
/// shipped; add the next.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_wanted.sql"),
    include_str!("migrations/0003_signatures.sql"),
];

pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// WAL with one writer; `synchronous = FULL` so a commit survives power loss
/// on a tablet, not only a crash of the app.
pub(crate) fn configure(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let corrupt = |e: rusqlite::Error| classify(e, path);
    // Every statement a sync applies stays prepared (the default keeps 16).
    conn.set_prepared_statement_cache_capacity(64);
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(corrupt)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(corrupt)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(corrupt)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(corrupt)?;
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| classify(e, path))?;
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| classify(e, path))?;
    let has_tables: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_master", [], |r| r.get(0)).map_err(|e| classify(e, path))?;
    if has_tables && app_id != APPLICATION_ID {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: "a SQLite database of another application".into(),
        });
    }
    if version > latest() {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found: version, supported: latest() });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}

pub(super) fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_owned(), detail: e.to_string() }
        }
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            StoreError::Open { path: path.to_owned(), source: e }
        }
        _ => StoreError::Sqlite(e),
    }
}
