//! Tenants, HR users, sessions, enrollment codes and devices.

use postgres::{GenericClient, Row, Transaction};
use prestasi_core::model::Role;

use super::{constraint, get};
use crate::storage::{DeviceEventRow, DeviceRow, EnrollmentRow, SessionRow, StorageError, TenantRow, UserRow};

fn role_from(s: &str) -> Result<Role, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StorageError::Backend(format!("unknown role {s:?} in database")))
}

/// The tenant and its clock, together.
pub(super) fn create_tenant(tx: &mut Transaction<'_>, id: &str, name: &str) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    tx.execute("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", &[&id, &name, &now])
        .map_err(|e| constraint(e, || StorageError::Conflict(format!("tenant {id}"))))?;
    tx.execute("INSERT INTO tenant_clock (tenant_id, seq) VALUES ($1, 0)", &[&id])?;
    Ok(())
}

fn tenant_row(r: &Row) -> Result<TenantRow, StorageError> {
    Ok(TenantRow { id: get(r, 0)?, name: get(r, 1)? })
}

pub(super) fn tenant(c: &mut impl GenericClient, id: &str) -> Result<Option<TenantRow>, StorageError> {
    c.query_opt("SELECT id, name FROM tenants WHERE id = $1", &[&id])?.as_ref().map(tenant_row).transpose()
}

pub(super) fn tenants(c: &mut postgres::Client) -> Result<Vec<TenantRow>, StorageError> {
    c.query("SELECT id, name FROM tenants ORDER BY id", &[])?.iter().map(tenant_row).collect()
}

pub(super) fn create_user(c: &mut impl GenericClient, u: &UserRow) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    c.execute(
        "INSERT INTO users (tenant_id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&u.tenant_id, &u.username, &u.password_hash, &u.role.as_str(), &now],
    )
    .map_err(|e| {
        if e.code() == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION) {
            StorageError::NotFound(format!("tenant {}", u.tenant_id))
        } else {
            constraint(e, || StorageError::Conflict(format!("user {}", u.username)))
        }
    })?;
    Ok(())
}

pub(super) fn user(c: &mut impl GenericClient, tenant: &str, username: &str) -> Result<Option<UserRow>, StorageError> {
    let Some(r) = c.query_opt(
        "SELECT password_hash, role FROM users WHERE tenant_id = $1 AND username = $2",
        &[&tenant, &username],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(UserRow {
        tenant_id: tenant.into(),
        username: username.into(),
        password_hash: get(&r, 0)?,
        role: role_from(get(&r, 1)?)?,
    }))
}

pub(super) fn create_session(c: &mut impl GenericClient, s: &SessionRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO sessions (token_hash, tenant_id, username, role, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[&s.token_hash, &s.tenant_id, &s.username, &s.role.as_str(), &s.expires_at],
    )?;
    Ok(())
}

pub(super) fn session(
    c: &mut impl GenericClient,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>, StorageError> {
    let Some(r) = c.query_opt(
        "SELECT tenant_id, username, role, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        &[&token_hash, &now],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(SessionRow {
        token_hash: token_hash.into(),
        tenant_id: get(&r, 0)?,
        username: get(&r, 1)?,
        role: role_from(get(&r, 2)?)?,
        expires_at: get(&r, 3)?,
    }))
}

pub(super) fn delete_session(c: &mut impl GenericClient, token_hash: &str) -> Result<(), StorageError> {
    c.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
    Ok(())
}

pub(super) fn create_enrollment(c: &mut impl GenericClient, e: &EnrollmentRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO enrollments (code_hash, tenant_id, role, user_id, units, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&e.code_hash, &e.tenant_id, &e.role.as_str(), &e.user_id, &e.units, &e.created_at, &e.expires_at],
    )
    .map_err(|err| constraint(err, || StorageError::NotFound(format!("tenant {}", e.tenant_id))))?;
    Ok(())
}

/// Claim the code (unused, unexpired) and register the device in one
/// transaction: of two redemptions of one code, the second finds it used.
pub(super) fn redeem_enrollment(
    tx: &mut Transaction<'_>,
    code_hash: &str,
    device: &DeviceRow,
    now: i64,
) -> Result<DeviceRow, StorageError> {
    let claimed = tx.query_opt(
        "UPDATE enrollments SET used_at = $2, device_id = $3
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING tenant_id, role, user_id, units",
        &[&code_hash, &now, &device.id],
    )?;
    let r = claimed.ok_or(StorageError::EnrollmentInvalid)?;
    let registered = DeviceRow {
        tenant_id: get(&r, 0)?,
        role: role_from(get(&r, 1)?)?,
        user_id: get(&r, 2)?,
        units: get(&r, 3)?,
        enrolled_at: now,
        ..device.clone()
    };
    tx.execute(
        "INSERT INTO devices (id, tenant_id, role, user_id, units, secret_hash, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &registered.id,
            &registered.tenant_id,
            &registered.role.as_str(),
            &registered.user_id,
            &registered.units,
            &registered.secret_hash,
            &now,
        ],
    )
    .map_err(|e| constraint(e, || StorageError::Conflict(format!("device {}", registered.id))))?;
    Ok(registered)
}

const DEVICE_COLUMNS: &str =
    "id, tenant_id, role, user_id, units, secret_hash, enrolled_at, revoked_at, revoked_reason, wiped_at";

fn device_row(r: &Row) -> Result<DeviceRow, StorageError> {
    Ok(DeviceRow {
        id: get(r, 0)?,
        tenant_id: get(r, 1)?,
        role: role_from(get(r, 2)?)?,
        user_id: get(r, 3)?,
        units: get(r, 4)?,
        secret_hash: get(r, 5)?,
        enrolled_at: get(r, 6)?,
        revoked_at: get(r, 7)?,
        revoked_reason: get(r, 8)?,
        wiped_at: get(r, 9)?,
    })
}

pub(super) fn device(c: &mut impl GenericClient, id: &str) -> Result<Option<DeviceRow>, StorageError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1");
    c.query_opt(&sql, &[&id])?.as_ref().map(device_row).transpose()
}

pub(super) fn devices(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<DeviceRow>, StorageError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = $1 ORDER BY enrolled_at, id");
    c.query(&sql, &[&tenant])?.iter().map(device_row).collect()
}

pub(super) fn revoke_device(c: &mut impl GenericClient, id: &str, reason: &str, now: i64) -> Result<(), StorageError> {
    let n =
        c.execute("UPDATE devices SET revoked_at = $2, revoked_reason = $3 WHERE id = $1", &[&id, &now, &reason])?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("device {id}")));
    }
    Ok(())
}

pub(super) fn unit_services(c: &mut impl GenericClient, tenant: &str, unit: &str) -> Result<Vec<String>, StorageError> {
    c.query(
        "SELECT name FROM unit_services WHERE tenant_id = $1 AND unit_id = $2 ORDER BY position",
        &[&tenant, &unit],
    )?
    .iter()
    .map(|r| get(r, 0))
    .collect()
}

pub(super) fn set_unit_services(
    tx: &mut Transaction<'_>,
    tenant: &str,
    unit: &str,
    services: &[String],
) -> Result<(), StorageError> {
    tx.execute("DELETE FROM unit_services WHERE tenant_id = $1 AND unit_id = $2", &[&tenant, &unit])?;
    for (i, name) in services.iter().enumerate() {
        let position = i32::try_from(i).map_err(|_| StorageError::Backend("too many services".into()))?;
        tx.execute(
            "INSERT INTO unit_services (tenant_id, unit_id, position, name) VALUES ($1, $2, $3, $4)",
            &[&tenant, &unit, &position, name],
        )?;
    }
    Ok(())
}

pub(super) fn meta(c: &mut impl GenericClient, key: &str) -> Result<Option<String>, StorageError> {
    c.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?.map(|r| get(&r, 0)).transpose()
}

pub(super) fn init_meta(c: &mut impl GenericClient, key: &str, value: &str) -> Result<String, StorageError> {
    c.execute("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", &[&key, &value])?;
    get(&c.query_one("SELECT value FROM meta WHERE key = $1", &[&key])?, 0)
}

pub(super) fn count_event(
    c: &mut impl GenericClient,
    key: &str,
    window_ms: i64,
    now: i64,
) -> Result<(u32, i64), StorageError> {
    c.execute("DELETE FROM rate_windows WHERE until <= $1", &[&now])?;
    // One statement: concurrent events of a key serialise on its row.
    let row = c.query_one(
        "INSERT INTO rate_windows (key, until, count) VALUES ($1, $2::bigint + $3::bigint, 1)
         ON CONFLICT (key) DO UPDATE SET count = rate_windows.count + 1
         RETURNING count, until",
        &[&key, &now, &window_ms],
    )?;
    let (count, until): (i32, i64) = (get(&row, 0)?, get(&row, 1)?);
    Ok((u32::try_from(count).unwrap_or(0), until))
}

pub(super) fn set_meta(c: &mut impl GenericClient, key: &str, value: &str) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )?;
    Ok(())
}

pub(super) fn record_wipe(tx: &mut Transaction<'_>, id: &str, detail: &str, now: i64) -> Result<bool, StorageError> {
    let n = tx.execute(
        "UPDATE devices SET wiped_at = coalesce(wiped_at, $2) WHERE id = $1 AND revoked_at IS NOT NULL",
        &[&id, &now],
    )?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO device_events (device_id, at, event, actor, detail) VALUES ($1, $2, 'wiped', $1, $3)",
        &[&id, &now, &detail],
    )?;
    Ok(true)
}

pub(super) fn log_device_event(c: &mut impl GenericClient, e: &DeviceEventRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO device_events (device_id, at, event, actor, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&e.device_id, &e.at, &e.event, &e.actor, &e.detail],
    )
    .map_err(|err| constraint(err, || StorageError::NotFound(format!("device {}", e.device_id))))?;
    Ok(())
}

pub(super) fn device_events(c: &mut impl GenericClient, device_id: &str) -> Result<Vec<DeviceEventRow>, StorageError> {
    c.query(
        "SELECT device_id, at, event, actor, detail FROM device_events WHERE device_id = $1 ORDER BY seq",
        &[&device_id],
    )?
    .iter()
    .map(|r| {
        Ok(DeviceEventRow {
            device_id: get(r, 0)?,
            at: get(r, 1)?,
            event: get(r, 2)?,
            actor: get(r, 3)?,
            detail: get(r, 4)?,
        })
    })
    .collect()
}
