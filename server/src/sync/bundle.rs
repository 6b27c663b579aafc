//! Bundle files on the server (format: [`prestasi_core::sync::bundle`]):
//! a tablet's push bundle goes through exactly the checks and writes of a
//! sync ([`super::sync`]) and is answered with a receipt bundle; HR can
//! write a scope bundle for a tablet that has not synced yet.
//!
//! A bundle is authenticated by its device's key and refused, with nothing
//! stored, when it is altered, truncated, of an unknown or revoked device,
//! of another tenant than the HR officer importing it, or not a push.
//! Importing the same bundle twice stores nothing twice (a push is
//! idempotent) and answers with an equivalent receipt.
//!
//! A revoked device's bundles — what a revoked tablet left for HR when it
//! wiped itself (core `sync/wipe.rs`) — come in only by
//! [`import_from_revoked`]: asked for by name (`bundle import
//! --from-revoked`, `POST /v1/hr/bundles?from_revoked=true`), through the
//! same checks, and written into the device's audit trail with who did it.

use prestasi_core::sync::bundle::{self, BundleError, BundleKind, Envelope};
use prestasi_core::sync::protocol::{self, PROTOCOL_VERSION, SyncRequest, SyncResponse};

use crate::config::Limits;
use crate::error::AppError;
use crate::storage::{DeviceRow, Storage};

/// A receipt or scope bundle carries at most this many bytes of pulled
/// changes (a sync's answer, 1 MiB): a new tablet's whole scope fits, and
/// what does not comes with the next bundle or sync (`more`).
pub const MAX_BUNDLE_PULL_BYTES: usize = 32 << 20;

/// What importing a push bundle did.
#[derive(Debug)]
pub struct Imported {
    pub device: DeviceRow,
    pub bundle_id: String,
    pub accepted: usize,
    pub rejected: usize,
    /// The receipt bundle to carry back to the tablet.
    pub receipt: Vec<u8>,
}

fn refused(e: &BundleError) -> AppError {
    AppError::Unprocessable { code: e.code(), message: e.user_message() }
}

/// The device a bundle claims to be from, checked: its MAC holds, it is
/// enrolled, not revoked, and of `tenant` when one is given (an HR
/// officer's import).
fn authenticate(storage: &dyn Storage, file: &[u8], tenant: Option<&str>) -> Result<(DeviceRow, Envelope), AppError> {
    let (device, env) = authenticate_any(storage, file, tenant)?;
    if device.revoked_at.is_some() {
        let reason = device.revoked_reason.clone().unwrap_or_default();
        return Err(AppError::Unprocessable {
            code: "device_revoked",
            message: format!(
                "Perangkat ini telah dicabut: {reason}. Paketnya tidak diterima, kecuali diimpor sebagai paket \
                 perangkat yang dicabut."
            ),
        });
    }
    Ok((device, env))
}

/// [`authenticate`], revoked devices included.
fn authenticate_any(
    storage: &dyn Storage,
    file: &[u8],
    tenant: Option<&str>,
) -> Result<(DeviceRow, Envelope), AppError> {
    let unverified = bundle::open(file).map_err(|e| refused(&e))?;
    let claimed = unverified.envelope.device_id.clone();
    let device = storage.device(&claimed)?.ok_or_else(|| AppError::Unprocessable {
        code: "bundle_unknown_device",
        message: format!("Perangkat {claimed} tidak terdaftar di server ini."),
    })?;
    let env = unverified.verify(&bundle::key_from_hash(&device.secret_hash)).map_err(|e| refused(&e))?;
    if env.tenant_id != device.tenant_id {
        return Err(refused(&BundleError::Tampered));
    }
    if let Some(tenant) = tenant
        && tenant != device.tenant_id
    {
        return Err(refused(&BundleError::WrongTenant { expected: tenant.into(), found: device.tenant_id }));
    }
    Ok((device, env))
}

/// Import a tablet's push bundle as HR of `tenant` (`None`: the server's
/// administrator, any tenant).
pub fn import(storage: &dyn Storage, limits: &Limits, file: &[u8], tenant: Option<&str>) -> Result<Imported, AppError> {
    let (device, env) = authenticate(storage, file, tenant)?;
    import_push(storage, limits, device, env)
}

/// Import the push bundle a revoked device left when it wiped itself, as
/// `officer` (an HR user's name, or `cli` for the operator) of `tenant`
/// (`None`: any). Only for a revoked device (others go through
/// [`import`]); the same checks as that device's sync; the import is added
/// to the device's audit trail (`revoked_bundle_imported`).
pub fn import_from_revoked(
    storage: &dyn Storage,
    limits: &Limits,
    file: &[u8],
    tenant: Option<&str>,
    officer: &str,
) -> Result<Imported, AppError> {
    let (device, env) = authenticate_any(storage, file, tenant)?;
    if device.revoked_at.is_none() {
        return Err(AppError::Unprocessable {
            code: "device_not_revoked",
            message: "Perangkat ini tidak dicabut: impor paketnya seperti biasa.".into(),
        });
    }
    let done = import_push(storage, limits, device, env)?;
    let detail = serde_json::json!({ "bundle": done.bundle_id, "accepted": done.accepted, "rejected": done.rejected });
    storage.log_device_event(&crate::storage::DeviceEventRow {
        device_id: done.device.id.clone(),
        at: chrono::Utc::now().timestamp_millis(),
        event: "revoked_bundle_imported".into(),
        actor: officer.into(),
        detail: detail.to_string(),
    })?;
    tracing::warn!(
        device = %done.device.id, bundle = %done.bundle_id, officer, accepted = done.accepted, rejected = done.rejected,
        "bundle of a revoked device imported"
    );
    Ok(done)
}

/// A checked push bundle through the checks and writes of a sync.
fn import_push(storage: &dyn Storage, limits: &Limits, device: DeviceRow, env: Envelope) -> Result<Imported, AppError> {
    if env.kind != BundleKind::Push {
        return Err(refused(&BundleError::WrongKind { expected: BundleKind::Push, found: env.kind }));
    }
    let message = env.message().map_err(|e| refused(&e))?;
    let req: SyncRequest =
        protocol::decode(&message).map_err(|e| refused(&BundleError::Body(format!("not a sync request: {e}"))))?;
    crate::http::sync::check(&req, limits)?;
    let resp = sync_with_room(storage, limits, &device, req)?;
    let accepted = resp.results.iter().filter(|r| matches!(r.outcome, protocol::PushOutcome::Accepted { .. })).count();
    let rejected = resp.results.len() - accepted;
    tracing::info!(device = %device.id, bundle = %env.id, accepted, rejected, "push bundle imported");
    let mut reply = Envelope::new(BundleKind::Receipt, &device.tenant_id, &device.id, protocol::encode(&resp));
    reply.in_reply_to = Some(env.id.clone());
    let receipt = bundle::seal(&reply, &bundle::key_from_hash(&device.secret_hash));
    Ok(Imported { device, bundle_id: env.id, accepted, rejected, receipt })
}

/// A scope bundle for device `device_id`: everything in its scope (roster,
/// HR's decisions, resolved conflicts), as its first sync would pull.
pub fn export_scope(
    storage: &dyn Storage,
    limits: &Limits,
    device_id: &str,
    tenant: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    let device = storage
        .device(device_id)?
        .filter(|d| tenant.is_none_or(|t| t == d.tenant_id))
        .ok_or_else(|| AppError::NotFound { message: format!("Perangkat {device_id} tidak ditemukan.") })?;
    if device.revoked_at.is_some() {
        return Err(AppError::Unprocessable {
            code: "device_revoked",
            message: "Perangkat ini telah dicabut; paket tidak dibuat.".into(),
        });
    }
    let req = SyncRequest { v: PROTOCOL_VERSION, ..SyncRequest::default() };
    let resp = sync_with_room(storage, limits, &device, req)?;
    let env = Envelope::new(BundleKind::Scope, &device.tenant_id, &device.id, protocol::encode(&resp));
    Ok(bundle::seal(&env, &bundle::key_from_hash(&device.secret_hash)))
}

/// An enrollment bundle for a tablet that has never been online: spends
/// enrollment `code` for a device id chosen here, and seals the device's
/// credentials and its scope under the code (the supervisor types it on
/// the tablet to open the file). `server_url` is where the tablet syncs
/// once it has a network.
pub fn enrollment_bundle(
    storage: &dyn Storage,
    limits: &Limits,
    code: &str,
    server_url: &str,
) -> Result<(Vec<u8>, DeviceRow), AppError> {
    let enroll = crate::http::enroll::redeem(storage, code, uuid::Uuid::new_v4())?;
    let device = storage
        .device(&enroll.device_id)?
        .ok_or_else(|| AppError::Internal(format!("device {} just enrolled is gone", enroll.device_id)))?;
    let req = SyncRequest { v: PROTOCOL_VERSION, ..SyncRequest::default() };
    let scope = sync_with_room(storage, limits, &device, req)?;
    let payload = bundle::EnrollmentPayload { enroll, server_url: server_url.into(), scope };
    let file = bundle::seal_enrollment(&payload, code).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((file, device))
}

/// A sync whose answer may carry [`MAX_BUNDLE_PULL_BYTES`]: a file has no
/// next round trip soon.
fn sync_with_room(
    storage: &dyn Storage,
    limits: &Limits,
    device: &DeviceRow,
    req: SyncRequest,
) -> Result<SyncResponse, AppError> {
    let roomy = Limits { max_pull_bytes: MAX_BUNDLE_PULL_BYTES.max(limits.max_pull_bytes), ..*limits };
    // A push bundle made under an older epoch is imported all the same: its
    // receipt carries the new epoch, and the tablet forgets what the old
    // database acknowledged when it reads it.
    let epoch = super::epoch::current(storage)?;
    let mut req = req;
    if super::epoch::standing(storage, req.epoch.as_deref(), req.cursor, &epoch)? == super::epoch::Standing::Renumbered
    {
        // Its cursor is of the numbering before per-tenant positions.
        req.cursor = 0;
    }
    Ok(super::sync(storage, &roomy, device, req, epoch)?)
}
