//! Person codes, bound keys and the signatures of stored changes.

use prestasi_core::model::DocId;
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{PersonCodeRow, SignerRow, StorageError, StoredSig};

const SIGNER_COLUMNS: &str = "public_key, tenant_id, person, device_id, server, bound_at, revoked_at, revoked_reason";

fn signer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignerRow> {
    Ok(SignerRow {
        public_key: r.get(0)?,
        tenant_id: r.get(1)?,
        person: r.get(2)?,
        device_id: r.get(3)?,
        server: r.get(4)?,
        bound_at: r.get(5)?,
        revoked_at: r.get(6)?,
        revoked_reason: r.get(7)?,
    })
}

pub(super) fn create_person_code(c: &Connection, p: &PersonCodeRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO person_codes (code_hash, tenant_id, person, device_id, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![p.code_hash, p.tenant_id, p.person, p.device_id, p.created_by, p.created_at, p.expires_at],
    )?;
    Ok(())
}

pub(super) fn bind_signer(tx: &Connection, code_hash: &str, key: &SignerRow, now: i64) -> Result<bool, StorageError> {
    if signer(tx, &key.public_key)?.is_some() {
        return Ok(false);
    }
    let used = super::exec(
        tx,
        "UPDATE person_codes SET used_at = ?2, used_key = ?6
         WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 AND tenant_id = ?3 AND person = ?4
           AND (device_id IS NULL OR device_id = ?5)",
        params![code_hash, now, key.tenant_id, key.person, key.device_id, key.public_key],
    )?;
    if used == 0 {
        return Ok(false);
    }
    insert_key(tx, key, false)?;
    Ok(true)
}

pub(super) fn device_signers(c: &Connection, device_id: &str) -> Result<Vec<SignerRow>, StorageError> {
    let mut stmt = c.prepare_cached(&format!("SELECT {SIGNER_COLUMNS} FROM signer_keys WHERE device_id = ?1"))?;
    let rows = stmt.query_map([device_id], signer_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn insert_key(c: &Connection, k: &SignerRow, or_ignore: bool) -> Result<(), StorageError> {
    let verb = if or_ignore { "INSERT OR IGNORE" } else { "INSERT" };
    c.execute(
        &format!(
            "{verb} INTO signer_keys (public_key, tenant_id, person, device_id, server, bound_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        ),
        params![k.public_key, k.tenant_id, k.person, k.device_id, k.server, k.bound_at],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::Conflict("key already bound".into()),
        _ => e.into(),
    })?;
    Ok(())
}

pub(super) fn insert_signer(c: &Connection, key: &SignerRow) -> Result<(), StorageError> {
    insert_key(c, key, true)
}

pub(super) fn signer(c: &Connection, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
    Ok(c.prepare_cached(&format!("SELECT {SIGNER_COLUMNS} FROM signer_keys WHERE public_key = ?1"))?
        .query_row([key], signer_row)
        .optional()?)
}

pub(super) fn signers(c: &Connection, tenant: &str, person: Option<&str>) -> Result<Vec<SignerRow>, StorageError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {SIGNER_COLUMNS} FROM signer_keys
         WHERE (tenant_id = ?1 OR server = 1) AND (?2 IS NULL OR person = ?2) ORDER BY bound_at DESC"
    ))?;
    let rows = stmt.query_map(params![tenant, person], signer_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn revoke_signer(
    c: &Connection,
    tenant: &str,
    key: &[u8],
    reason: &str,
    now: i64,
) -> Result<(), StorageError> {
    let n = c.execute(
        "UPDATE signer_keys SET revoked_at = COALESCE(revoked_at, ?3), revoked_reason = COALESCE(revoked_reason, ?4)
         WHERE tenant_id = ?1 AND public_key = ?2 AND server = 0",
        params![tenant, key, now, reason],
    )?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("key {}", prestasi_core::signing::hex(key))));
    }
    Ok(())
}

pub(super) fn insert_sigs(c: &Connection, tenant: &str, doc: DocId, sigs: &[StoredSig]) -> Result<(), StorageError> {
    let mut stmt = c.prepare_cached(
        "INSERT OR IGNORE INTO change_sigs (tenant_id, doc_id, hash, signed_hash, public_key, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let id = doc.to_string();
    for s in sigs {
        let signed = (s.signed != s.hash).then_some(s.signed.as_slice());
        stmt.execute(params![tenant, id, s.hash, signed, s.key, s.sig])?;
    }
    Ok(())
}

pub(super) fn signatures(c: &Connection, tenant: &str, doc: DocId) -> Result<Vec<StoredSig>, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT hash, COALESCE(signed_hash, hash), public_key, sig FROM change_sigs WHERE tenant_id = ?1 AND doc_id = ?2",
    )?;
    let rows = stmt.query_map(params![tenant, doc.to_string()], |r| {
        Ok(StoredSig { hash: r.get(0)?, signed: r.get(1)?, key: r.get(2)?, sig: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
