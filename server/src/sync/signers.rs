//! Binding the person keys a device sends, before its changes are checked.
//!
//! A key is bound to (tenant, person, device) once, by a one-time person
//! code BKPSDM issued for that person, together with proof that the device
//! holds the private key. Every later sync reports each key's standing, so a
//! revocation reaches the tablet at its next sync.

use prestasi_core::model::Role;
use prestasi_core::signing::{PUBLIC_KEY_LEN, verify_binding};
use prestasi_core::sync::protocol::{ByteBuf, KeyStatus, SignerBinding, SignerState};

use crate::auth::{normalise_code, sha256_hex};
use crate::storage::{DeviceRow, SignerRow, Storage, StorageError};

/// Keys one request may carry (a shared unit tablet has a handful of people).
pub const MAX_SIGNERS_PER_REQUEST: usize = 64;

/// Bind the keys in `bindings` that bring a valid person code (all in one
/// write transaction), and say where each stands: first the request's keys,
/// in order, then every other key bound on this device — so a revocation
/// reaches the tablet at its next sync without it resending bound keys.
pub fn bind_all(
    storage: &dyn Storage,
    device: &DeviceRow,
    bindings: &[SignerBinding],
    now: i64,
) -> Result<Vec<SignerState>, StorageError> {
    let mine = storage.device_signers(&device.id)?;
    let mut states = Vec::with_capacity(bindings.len() + mine.len());
    let mut to_bind = Vec::new();
    for (i, b) in bindings.iter().enumerate() {
        let found = match mine.iter().find(|k| k.public_key == b.key.as_slice()) {
            Some(k) => Some(k.clone()),
            None => {
                let mut elsewhere = None;
                storage.read(&mut |l| {
                    elsewhere = l.signer(&b.key)?;
                    Ok(())
                })?;
                elsewhere
            }
        };
        match check_one(device, b, found.as_ref(), now) {
            Ok(row) => {
                to_bind.push((i, row));
                states.push(state(b, KeyStatus::Refused, None)); // until bound below
            }
            Err(s) => states.push(s),
        }
    }
    if !to_bind.is_empty() {
        let mut bound = Vec::with_capacity(to_bind.len());
        storage.write(&mut |tx| {
            bound.clear();
            for (i, row) in &to_bind {
                let code = bindings.get(*i).and_then(|b| b.code.as_deref()).unwrap_or_default();
                bound.push(tx.bind_signer(&sha256_hex(&normalise_code(code)), row, now)?);
            }
            Ok(())
        })?;
        for ((i, row), ok) in to_bind.iter().zip(bound) {
            let Some(b) = bindings.get(*i) else { continue };
            let s = if ok {
                tracing::info!(device = %device.id, person = %row.person, "person key bound");
                state(b, KeyStatus::Bound, None)
            } else {
                let m = "Kode verifikasi tidak dikenal, sudah dipakai, kedaluwarsa, atau untuk orang lain.";
                state(b, KeyStatus::Refused, Some(m.into()))
            };
            if let Some(slot) = states.get_mut(*i) {
                *slot = s;
            }
        }
    }
    for k in mine.iter().filter(|k| !bindings.iter().any(|b| b.key.as_slice() == k.public_key)) {
        states.push(standing(k.public_key.clone(), k));
    }
    Ok(states)
}

fn state(b: &SignerBinding, status: KeyStatus, message: Option<String>) -> SignerState {
    SignerState { key: b.key.clone(), status, message }
}

fn standing(key: Vec<u8>, k: &SignerRow) -> SignerState {
    match &k.revoked_at {
        Some(_) => SignerState {
            key: ByteBuf::from(key),
            status: KeyStatus::Revoked,
            message: Some(revoked_message(k.revoked_reason.as_deref())),
        },
        None => SignerState { key: ByteBuf::from(key), status: KeyStatus::Bound, message: None },
    }
}

/// What to bind for `b` (`Ok`), or its standing as it is (`Err`).
fn check_one(
    device: &DeviceRow,
    b: &SignerBinding,
    found: Option<&SignerRow>,
    now: i64,
) -> Result<SignerRow, SignerState> {
    let refused = |m: &str| Err(state(b, KeyStatus::Refused, Some(m.to_string())));
    if b.key.len() != PUBLIC_KEY_LEN {
        return refused("Kunci tanda tangan tidak sah (harus 32 byte).");
    }
    if let Some(k) = found {
        if k.server || k.tenant_id != device.tenant_id || k.device_id != device.id || k.person != b.person {
            return refused("Kunci ini terdaftar untuk orang atau perangkat lain.");
        }
        return Err(standing(b.key.to_vec(), k));
    }
    if b.code.is_none() {
        return Err(state(b, KeyStatus::Pending, None));
    }
    if device.role != Role::Supervisor && b.person != device.user_id {
        return refused("Perangkat ini hanya untuk pengguna yang didaftarkan.");
    }
    let proof_ok = b.proof.as_ref().is_some_and(|p| verify_binding(&device.id, &b.person, &b.key, p).is_ok());
    if !proof_ok {
        return refused("Bukti kepemilikan kunci tidak sah.");
    }
    Ok(SignerRow {
        public_key: b.key.to_vec(),
        tenant_id: device.tenant_id.clone(),
        person: b.person.clone(),
        device_id: device.id.clone(),
        server: false,
        bound_at: now,
        revoked_at: None,
        revoked_reason: None,
    })
}

pub fn revoked_message(reason: Option<&str>) -> String {
    match reason.filter(|r| !r.is_empty()) {
        Some(r) => format!("Kunci tanda tangan dicabut oleh BKPSDM: {r}"),
        None => "Kunci tanda tangan dicabut oleh BKPSDM.".into(),
    }
}
