//! Binding the person keys a device sends, before its changes are checked.
//!
//! A key is bound to (tenant, person, device) once, by a one-time person
//! code BKPSDM issued for that person, together with proof that the device
//! holds the private key. Every later sync reports each key's standing, so a
//! revocation reaches the tablet at its next sync.

use prestasi_core::model::Role;
use prestasi_core::signing::{PUBLIC_KEY_LEN, verify_binding};
use prestasi_core::sync::protocol::{KeyStatus, SignerBinding, SignerState};

use crate::auth::{normalise_code, sha256_hex};
use crate::storage::{DeviceRow, SignerRow, Storage, StorageError};

/// Keys one request may carry (a shared unit tablet has a handful of people).
pub const MAX_SIGNERS_PER_REQUEST: usize = 64;

/// The standing of every key in `bindings`, binding those that bring a
/// valid person code.
pub fn bind_all(
    storage: &dyn Storage,
    device: &DeviceRow,
    bindings: &[SignerBinding],
    now: i64,
) -> Result<Vec<SignerState>, StorageError> {
    bindings.iter().map(|b| bind_one(storage, device, b, now)).collect()
}

fn state(b: &SignerBinding, status: KeyStatus, message: Option<String>) -> SignerState {
    SignerState { key: b.key.clone(), status, message }
}

fn bind_one(
    storage: &dyn Storage,
    device: &DeviceRow,
    b: &SignerBinding,
    now: i64,
) -> Result<SignerState, StorageError> {
    let refused = |m: &str| Ok(state(b, KeyStatus::Refused, Some(m.to_string())));
    if b.key.len() != PUBLIC_KEY_LEN {
        return refused("Kunci tanda tangan tidak sah (harus 32 byte).");
    }
    let mut existing = None;
    storage.read(&mut |l| {
        existing = l.signer(&b.key)?;
        Ok(())
    })?;
    if let Some(k) = existing {
        if k.server || k.tenant_id != device.tenant_id || k.device_id != device.id || k.person != b.person {
            return refused("Kunci ini terdaftar untuk orang atau perangkat lain.");
        }
        return Ok(match (k.revoked_at, k.revoked_reason) {
            (Some(_), reason) => state(b, KeyStatus::Revoked, Some(revoked_message(reason.as_deref()))),
            (None, _) => state(b, KeyStatus::Bound, None),
        });
    }
    let Some(code) = &b.code else { return Ok(state(b, KeyStatus::Pending, None)) };
    if device.role != Role::Supervisor && b.person != device.user_id {
        return refused("Perangkat ini hanya untuk pengguna yang didaftarkan.");
    }
    let proof_ok = b.proof.as_ref().is_some_and(|p| verify_binding(&device.id, &b.person, &b.key, p).is_ok());
    if !proof_ok {
        return refused("Bukti kepemilikan kunci tidak sah.");
    }
    let row = SignerRow {
        public_key: b.key.to_vec(),
        tenant_id: device.tenant_id.clone(),
        person: b.person.clone(),
        device_id: device.id.clone(),
        server: false,
        bound_at: now,
        revoked_at: None,
        revoked_reason: None,
    };
    match storage.bind_signer(&sha256_hex(&normalise_code(code)), &row, now) {
        Ok(()) => {
            tracing::info!(device = %device.id, person = %b.person, "person key bound");
            Ok(state(b, KeyStatus::Bound, None))
        }
        Err(StorageError::PersonCodeInvalid | StorageError::Conflict(_)) => {
            refused("Kode verifikasi tidak dikenal, sudah dipakai, kedaluwarsa, atau untuk orang lain.")
        }
        Err(e) => Err(e),
    }
}

pub fn revoked_message(reason: Option<&str>) -> String {
    match reason.filter(|r| !r.is_empty()) {
        Some(r) => format!("Kunci tanda tangan dicabut oleh BKPSDM: {r}"),
        None => "Kunci tanda tangan dicabut oleh BKPSDM.".into(),
    }
}
