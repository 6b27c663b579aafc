//! People's signing keys on devices: the one-time person codes that bind
//! them, listing and revoking them. Shared by the enrollment endpoint, the
//! HR API, the devices page and the CLI.

use chrono::Utc;

use crate::auth::{enrollment_code, normalise_code, sha256_hex};
use crate::error::AppError;
use crate::storage::{PersonCodeRow, SignerRow, Storage};

/// How long a person code stays valid.
pub const PERSON_CODE_TTL_DAYS: i64 = 7;
const PERSON_CODE_TTL_MS: i64 = PERSON_CODE_TTL_DAYS * 24 * 60 * 60 * 1000;

/// Issue a one-time code that binds one key of `person` (on `device` only,
/// if given). Returns the code to hand to the person; only its hash is kept.
pub fn issue_code(
    storage: &dyn Storage,
    tenant: &str,
    person: &str,
    device: Option<&str>,
    issued_by: &str,
) -> Result<String, AppError> {
    let code = enrollment_code()?;
    let now = Utc::now().timestamp_millis();
    storage.create_person_code(&PersonCodeRow {
        code_hash: sha256_hex(&normalise_code(&code)),
        tenant_id: tenant.to_string(),
        person: person.to_string(),
        device_id: device.map(str::to_string),
        created_by: issued_by.to_string(),
        created_at: now,
        expires_at: now + PERSON_CODE_TTL_MS,
    })?;
    tracing::info!(%tenant, %person, by = %issued_by, "person code issued");
    Ok(code)
}

/// Check that `nip` is an employee of the tenant, before HR issues a code.
pub fn check_employee(storage: &dyn Storage, tenant: &str, nip: &str) -> Result<(), AppError> {
    prestasi_core::rules::nip::Nip::parse(nip).map_err(|e| AppError::Unprocessable {
        code: "bad_nip",
        message: format!("NIP tidak sah: {}.", e.user_message()),
    })?;
    let mut found = false;
    storage.read(&mut |l| {
        found = l.employee(tenant, nip)?.is_some();
        Ok(())
    })?;
    if found {
        Ok(())
    } else {
        Err(AppError::Unprocessable {
            code: "unknown_employee",
            message: format!("Pegawai dengan NIP {nip} tidak terdaftar di BKPSDM."),
        })
    }
}

/// Every key of `person` in the tenant (all people's if `None`).
pub fn keys(storage: &dyn Storage, tenant: &str, person: Option<&str>) -> Result<Vec<SignerRow>, AppError> {
    Ok(storage.signers(tenant, person)?.into_iter().filter(|k| !k.server).collect())
}

/// Revoke every unrevoked key of `person` (staff left, PIN disclosed).
/// Returns how many were revoked; takes effect at each device's next sync.
pub fn revoke_all(storage: &dyn Storage, tenant: &str, person: &str, reason: &str) -> Result<usize, AppError> {
    let now = Utc::now().timestamp_millis();
    let mut n = 0;
    for k in keys(storage, tenant, Some(person))?.into_iter().filter(|k| k.revoked_at.is_none()) {
        storage.revoke_signer(tenant, &k.public_key, reason, now)?;
        n += 1;
    }
    tracing::info!(%tenant, %person, revoked = n, "person keys revoked");
    Ok(n)
}
