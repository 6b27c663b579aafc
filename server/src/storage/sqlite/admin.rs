//! Tenants, HR users, sessions, enrollment codes and devices.

use prestasi_core::model::Role;
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{DeviceRow, EnrollmentRow, SessionRow, StorageError, TenantRow, UserRow};

pub(crate) fn role_from(s: &str) -> Result<Role, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StorageError::Backend(format!("unknown role {s:?} in database")))
}

pub(super) fn unique(e: rusqlite::Error, what: String) -> StorageError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::Conflict(what),
        _ => e.into(),
    }
}

pub(super) fn create_tenant(c: &Connection, id: &str, name: &str) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    c.execute("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)", params![id, name, now])
        .map_err(|e| unique(e, format!("tenant {id}")))?;
    Ok(())
}

pub(super) fn tenant(c: &Connection, id: &str) -> Result<Option<TenantRow>, StorageError> {
    Ok(c.query_row("SELECT id, name FROM tenants WHERE id = ?1", [id], |r| {
        Ok(TenantRow { id: r.get(0)?, name: r.get(1)? })
    })
    .optional()?)
}

pub(super) fn tenants(c: &Connection) -> Result<Vec<TenantRow>, StorageError> {
    super::reports::all_rows(c, "SELECT id, name FROM tenants ORDER BY id", [], |r| {
        Ok(TenantRow { id: r.get(0)?, name: r.get(1)? })
    })
}

pub(super) fn create_user(c: &Connection, u: &UserRow) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    c.execute(
        "INSERT INTO users (tenant_id, username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![u.tenant_id, u.username, u.password_hash, u.role.as_str(), now],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) if e.to_string().contains("FOREIGN KEY") => {
            StorageError::NotFound(format!("tenant {}", u.tenant_id))
        }
        _ => unique(e, format!("user {}", u.username)),
    })?;
    Ok(())
}

pub(super) fn user(c: &Connection, tenant: &str, username: &str) -> Result<Option<UserRow>, StorageError> {
    let row = c
        .query_row(
            "SELECT password_hash, role FROM users WHERE tenant_id = ?1 AND username = ?2",
            params![tenant, username],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    row.map(|(password_hash, role)| {
        Ok(UserRow { tenant_id: tenant.into(), username: username.into(), password_hash, role: role_from(&role)? })
    })
    .transpose()
}

pub(super) fn create_session(c: &Connection, s: &SessionRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO sessions (token_hash, tenant_id, username, role, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![s.token_hash, s.tenant_id, s.username, s.role.as_str(), s.expires_at],
    )?;
    Ok(())
}

pub(super) fn session(c: &Connection, token_hash: &str, now: i64) -> Result<Option<SessionRow>, StorageError> {
    let row = c
        .query_row(
            "SELECT tenant_id, username, role, expires_at FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
            params![token_hash, now],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)),
        )
        .optional()?;
    row.map(|(tenant_id, username, role, expires_at)| {
        Ok(SessionRow { token_hash: token_hash.into(), tenant_id, username, role: role_from(&role)?, expires_at })
    })
    .transpose()
}

pub(super) fn delete_session(c: &Connection, token_hash: &str) -> Result<(), StorageError> {
    c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

pub(super) fn create_enrollment(c: &Connection, e: &EnrollmentRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO enrollments (code_hash, tenant_id, role, user_id, units, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.code_hash,
            e.tenant_id,
            e.role.as_str(),
            e.user_id,
            super::units_json(&e.units),
            e.created_at,
            e.expires_at
        ],
    )
    .map_err(|err| match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::NotFound(format!("tenant {}", e.tenant_id)),
        _ => err.into(),
    })?;
    Ok(())
}

pub(super) fn redeem_enrollment(
    c: &mut Connection,
    code_hash: &str,
    device: &DeviceRow,
    now: i64,
) -> Result<DeviceRow, StorageError> {
    let tx = c.transaction()?;
    let row = tx
        .query_row(
            "SELECT tenant_id, role, user_id, units FROM enrollments
             WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            params![code_hash, now],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)),
        )
        .optional()?;
    let (tenant_id, role, user_id, units) = row.ok_or(StorageError::EnrollmentInvalid)?;
    let units: Vec<String> = serde_json::from_str(&units).unwrap_or_default();
    let registered =
        DeviceRow { tenant_id, role: role_from(&role)?, user_id, units, enrolled_at: now, ..device.clone() };
    tx.execute(
        "INSERT INTO devices (id, tenant_id, role, user_id, units, secret_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            registered.id,
            registered.tenant_id,
            registered.role.as_str(),
            registered.user_id,
            super::units_json(&registered.units),
            registered.secret_hash,
            now
        ],
    )
    .map_err(|e| unique(e, format!("device {}", registered.id)))?;
    tx.execute(
        "UPDATE enrollments SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
        params![code_hash, now, registered.id],
    )?;
    tx.commit()?;
    Ok(registered)
}

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(DeviceRow, String)> {
    let units: String = r.get(4)?;
    let role: String = r.get(2)?;
    Ok((
        DeviceRow {
            id: r.get(0)?,
            tenant_id: r.get(1)?,
            role: Role::Kiosk, // replaced below from `role`
            user_id: r.get(3)?,
            units: serde_json::from_str(&units).unwrap_or_default(),
            secret_hash: r.get(5)?,
            enrolled_at: r.get(6)?,
            revoked_at: r.get(7)?,
            revoked_reason: r.get(8)?,
            wiped_at: r.get(9)?,
        },
        role,
    ))
}

const DEVICE_COLUMNS: &str =
    "id, tenant_id, role, user_id, units, secret_hash, enrolled_at, revoked_at, revoked_reason, wiped_at";

fn with_role((mut d, role): (DeviceRow, String)) -> Result<DeviceRow, StorageError> {
    d.role = role_from(&role)?;
    Ok(d)
}

pub(super) fn device(c: &Connection, id: &str) -> Result<Option<DeviceRow>, StorageError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1");
    c.query_row(&sql, [id], device_row).optional()?.map(with_role).transpose()
}

pub(super) fn devices(c: &Connection, tenant: &str) -> Result<Vec<DeviceRow>, StorageError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = ?1 ORDER BY enrolled_at, id");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map([tenant], device_row)?;
    rows.map(|r| with_role(r?)).collect()
}

pub(super) fn revoke_device(c: &Connection, id: &str, reason: &str, now: i64) -> Result<(), StorageError> {
    let n =
        c.execute("UPDATE devices SET revoked_at = ?2, revoked_reason = ?3 WHERE id = ?1", params![id, now, reason])?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("device {id}")));
    }
    Ok(())
}

pub(super) fn record_wipe(c: &mut Connection, id: &str, detail: &str, now: i64) -> Result<bool, StorageError> {
    let tx = c.transaction()?;
    let n = tx.execute(
        "UPDATE devices SET wiped_at = coalesce(wiped_at, ?2) WHERE id = ?1 AND revoked_at IS NOT NULL",
        params![id, now],
    )?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO device_events (device_id, at, event, actor, detail) VALUES (?1, ?2, 'wiped', ?1, ?3)",
        params![id, now, detail],
    )?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn log_device_event(c: &Connection, e: &crate::storage::DeviceEventRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO device_events (device_id, at, event, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![e.device_id, e.at, e.event, e.actor, e.detail],
    )
    .map_err(|err| match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::NotFound(format!("device {}", e.device_id)),
        _ => err.into(),
    })?;
    Ok(())
}

pub(super) fn device_events(
    c: &Connection,
    device_id: &str,
) -> Result<Vec<crate::storage::DeviceEventRow>, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT device_id, at, event, actor, detail FROM device_events WHERE device_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([device_id], |r| {
        Ok(crate::storage::DeviceEventRow {
            device_id: r.get(0)?,
            at: r.get(1)?,
            event: r.get(2)?,
            actor: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn unit_services(c: &Connection, tenant: &str, unit: &str) -> Result<Vec<String>, StorageError> {
    let mut stmt =
        c.prepare_cached("SELECT name FROM unit_services WHERE tenant_id = ?1 AND unit_id = ?2 ORDER BY position")?;
    let rows = stmt.query_map(params![tenant, unit], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn set_unit_services(
    c: &mut Connection,
    tenant: &str,
    unit: &str,
    services: &[String],
) -> Result<(), StorageError> {
    let tx = c.transaction()?;
    tx.execute("DELETE FROM unit_services WHERE tenant_id = ?1 AND unit_id = ?2", params![tenant, unit])?;
    for (i, name) in services.iter().enumerate() {
        tx.execute(
            "INSERT INTO unit_services (tenant_id, unit_id, position, name) VALUES (?1, ?2, ?3, ?4)",
            params![tenant, unit, i as i64, name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn meta(c: &Connection, key: &str) -> Result<Option<String>, StorageError> {
    Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(super) fn init_meta(c: &Connection, key: &str, value: &str) -> Result<String, StorageError> {
    c.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING", params![key, value])?;
    Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?)
}

pub(super) fn count_event(c: &Connection, key: &str, window_ms: i64, now: i64) -> Result<(u32, i64), StorageError> {
    super::exec(c, "DELETE FROM rate_windows WHERE until <= ?1", params![now])?;
    let (count, until): (i64, i64) = c
        .prepare_cached(
            "INSERT INTO rate_windows (key, until, count) VALUES (?1, ?2 + ?3, 1)
         ON CONFLICT (key) DO UPDATE SET count = count + 1
         RETURNING count, until",
        )?
        .query_row(params![key, now, window_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((u32::try_from(count).unwrap_or(u32::MAX), until))
}

pub(super) fn set_meta(c: &Connection, key: &str, value: &str) -> Result<(), StorageError> {
    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", params![key, value])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::storage::Storage;

    /// The devices' store is SQLCipher (core), and cargo builds one SQLite
    /// for the workspace: the server's is SQLCipher too, but never keyed, so
    /// its file stays a plain SQLite database that `sqlite3`, backups and
    /// operators' tools read as before.
    #[test]
    fn the_server_database_is_sqlcipher_built_but_never_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let storage = super::super::SqliteStorage::open(dir.path()).unwrap();
        storage.create_tenant("manokwari", "Kabupaten Manokwari").unwrap();
        drop(storage);
        let bytes = std::fs::read(dir.path().join("prestasi.db")).unwrap();
        assert_eq!(bytes.get(..16), Some(&b"SQLite format 3\0"[..]), "a plaintext SQLite file");
        let plain = rusqlite::Connection::open(dir.path().join("prestasi.db")).unwrap();
        let version: Option<String> =
            rusqlite::OptionalExtension::optional(plain.query_row("PRAGMA cipher_version", [], |r| r.get(0))).unwrap();
        assert!(version.is_some_and(|v| v.starts_with('4')), "SQLCipher is what is linked");
        let name: String = plain.query_row("SELECT name FROM tenants", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Kabupaten Manokwari", "read without any key");
    }
}
