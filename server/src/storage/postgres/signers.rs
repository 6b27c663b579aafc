//! Person codes, bound keys and the signatures of stored changes.

use postgres::{GenericClient, Row, Transaction};
use prestasi_core::model::DocId;

use super::db::Sql;
use super::{constraint, get};
use crate::storage::{PersonCodeRow, SignerRow, StorageError, StoredSig};

const SIGNER_COLUMNS: &str = "public_key, tenant_id, person, device_id, server, bound_at, revoked_at, revoked_reason";

fn signer_row(r: &Row) -> Result<SignerRow, StorageError> {
    Ok(SignerRow {
        public_key: get(r, 0)?,
        tenant_id: get(r, 1)?,
        person: get(r, 2)?,
        device_id: get(r, 3)?,
        server: get(r, 4)?,
        bound_at: get(r, 5)?,
        revoked_at: get(r, 6)?,
        revoked_reason: get(r, 7)?,
    })
}

pub(super) fn create_person_code(c: &mut impl GenericClient, p: &PersonCodeRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO person_codes (code_hash, tenant_id, person, device_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&p.code_hash, &p.tenant_id, &p.person, &p.device_id, &p.created_by, &p.created_at, &p.expires_at],
    )?;
    Ok(())
}

/// Spend the code and bind the key, or (`false`) change nothing. Inside a
/// savepoint: a key bound meanwhile by another transaction undoes the
/// code's use, and the caller's transaction goes on.
pub(super) fn bind_signer(
    tx: &mut Transaction<'_>,
    code_hash: &str,
    key: &SignerRow,
    now: i64,
) -> Result<bool, StorageError> {
    let sql = format!("SELECT {SIGNER_COLUMNS} FROM signer_keys WHERE public_key = $1");
    if tx.query_opt(&sql, &[&key.public_key])?.is_some() {
        return Ok(false);
    }
    let mut sp = tx.savepoint("bind_signer")?;
    let used = sp.execute(
        "UPDATE person_codes SET used_at = $2, used_key = $6
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 AND tenant_id = $3 AND person = $4
           AND (device_id IS NULL OR device_id = $5)",
        &[&code_hash, &now, &key.tenant_id, &key.person, &key.device_id, &key.public_key],
    )?;
    if used == 0 {
        return Ok(false);
    }
    if insert_key(&mut sp, key, true)? == 0 {
        return Ok(false); // rolls the savepoint back
    }
    sp.commit()?;
    Ok(true)
}

pub(super) fn device_signers(c: &mut impl GenericClient, device_id: &str) -> Result<Vec<SignerRow>, StorageError> {
    let sql = format!("SELECT {SIGNER_COLUMNS} FROM signer_keys WHERE device_id = $1 ORDER BY bound_at, public_key");
    c.query(&sql, &[&device_id])?.iter().map(signer_row).collect()
}

/// Insert a key binding; rows inserted (0: already bound, if `or_ignore`).
fn insert_key(c: &mut impl GenericClient, k: &SignerRow, or_ignore: bool) -> Result<u64, StorageError> {
    let on_conflict = if or_ignore { "ON CONFLICT DO NOTHING" } else { "" };
    c.execute(
        &format!(
            "INSERT INTO signer_keys (public_key, tenant_id, person, device_id, server, bound_at)
             VALUES ($1, $2, $3, $4, $5, $6) {on_conflict}"
        ),
        &[&k.public_key, &k.tenant_id, &k.person, &k.device_id, &k.server, &k.bound_at],
    )
    .map_err(|e| constraint(e, || StorageError::Conflict("key already bound".into())))
}

pub(super) fn insert_signer(c: &mut impl GenericClient, key: &SignerRow) -> Result<(), StorageError> {
    insert_key(c, key, true).map(|_| ())
}

pub(super) fn signer(c: &mut impl Sql, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
    let sql = format!("SELECT {SIGNER_COLUMNS} FROM signer_keys WHERE public_key = $1");
    c.query_opt(&sql, &[&key])?.as_ref().map(signer_row).transpose()
}

pub(super) fn signers(
    c: &mut impl GenericClient,
    tenant: &str,
    person: Option<&str>,
) -> Result<Vec<SignerRow>, StorageError> {
    let rows = match person {
        Some(p) => c.query(
            &format!(
                "SELECT {SIGNER_COLUMNS} FROM signer_keys
                 WHERE (tenant_id = $1 OR server) AND person = $2 ORDER BY bound_at DESC, public_key"
            ),
            &[&tenant, &p],
        )?,
        None => c.query(
            &format!(
                "SELECT {SIGNER_COLUMNS} FROM signer_keys
                 WHERE tenant_id = $1 OR server ORDER BY bound_at DESC, public_key"
            ),
            &[&tenant],
        )?,
    };
    rows.iter().map(signer_row).collect()
}

pub(super) fn revoke_signer(
    c: &mut impl GenericClient,
    tenant: &str,
    key: &[u8],
    reason: &str,
    now: i64,
) -> Result<(), StorageError> {
    let n = c.execute(
        "UPDATE signer_keys SET revoked_at = COALESCE(revoked_at, $3), revoked_reason = COALESCE(revoked_reason, $4)
         WHERE tenant_id = $1 AND public_key = $2 AND NOT server",
        &[&tenant, &key, &now, &reason],
    )?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("key {}", prestasi_core::signing::hex(key))));
    }
    Ok(())
}

/// Every signature of a chunk, in one statement; one already stored stays.
pub(super) fn insert_sigs(c: &mut impl Sql, tenant: &str, doc: &str, sigs: &[StoredSig]) -> Result<(), StorageError> {
    if sigs.is_empty() {
        return Ok(());
    }
    let hashes: Vec<&[u8]> = sigs.iter().map(|s| s.hash.as_slice()).collect();
    let signed: Vec<Option<&[u8]>> = sigs.iter().map(|s| (s.signed != s.hash).then_some(s.signed.as_slice())).collect();
    let keys: Vec<&[u8]> = sigs.iter().map(|s| s.key.as_slice()).collect();
    let values: Vec<&[u8]> = sigs.iter().map(|s| s.sig.as_slice()).collect();
    c.execute(
        "INSERT INTO change_sigs (tenant_id, doc_id, hash, signed_hash, public_key, sig)
         SELECT $1, $2, hash, signed_hash, public_key, sig
         FROM unnest($3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[]) AS x (hash, signed_hash, public_key, sig)
         ON CONFLICT DO NOTHING",
        &[&tenant, &doc, &hashes, &signed, &keys, &values],
    )?;
    Ok(())
}

pub(super) fn signatures(c: &mut impl GenericClient, tenant: &str, doc: DocId) -> Result<Vec<StoredSig>, StorageError> {
    let rows = c.query(
        "SELECT hash, COALESCE(signed_hash, hash), public_key, sig FROM change_sigs
         WHERE tenant_id = $1 AND doc_id = $2 ORDER BY hash",
        &[&tenant, &doc.to_string()],
    )?;
    rows.iter()
        .map(|r| Ok(StoredSig { hash: get(r, 0)?, signed: get(r, 1)?, key: get(r, 2)?, sig: get(r, 3)? }))
        .collect()
}
