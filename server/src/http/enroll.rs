//! `POST /v1/enroll`: a device exchanges its one-time code for a secret.
//! `POST /v1/device/wiped`: the last word of a revoked device, which wiped
//! its store (core `sync/wipe.rs`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use prestasi_core::sync::protocol::{ENROLL_PATH, EnrollRequest, EnrollResponse, WIPED_PATH, WipedNotice};

use crate::auth::{RevokedDeviceAuth, normalise_code, random_token, sha256_hex};
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::storage::{DeviceRow, StorageError};

pub fn router() -> Router<AppState> {
    Router::new().route(ENROLL_PATH, post(enroll)).route(WIPED_PATH, post(wiped))
}

/// A revoked device deleted its store: HR sees it as wiped, with the ids of
/// the bundles it left for them. Only a revoked device may say so (a live
/// one gets 409 `device_not_revoked`); saying it twice keeps the first time.
async fn wiped(
    State(state): State<AppState>,
    RevokedDeviceAuth(device): RevokedDeviceAuth,
    JsonBody(notice): JsonBody<WipedNotice>,
) -> Result<Json<serde_json::Value>, AppError> {
    let detail = serde_json::to_string(&notice).map_err(|e| AppError::Internal(e.to_string()))?;
    let storage = state.storage.clone();
    let id = device.id.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let recorded = state.blocking(move || Ok(storage.record_wipe(&id, &detail, now)?)).await?;
    tracing::warn!(
        device = %device.id, tenant = %device.tenant_id, documents = notice.documents, bundles = ?notice.bundles,
        recorded, "revoked device reports it wiped its store"
    );
    Ok(Json(serde_json::json!({ "wiped": recorded })))
}

async fn enroll(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<([(axum::http::HeaderName, String); 1], Json<EnrollResponse>), AppError> {
    let device_id: uuid::Uuid =
        req.device_id.parse().map_err(|_| AppError::bad_request("bad_device_id", "device_id harus berupa UUID."))?;
    if device_id.is_nil() {
        return Err(AppError::bad_request("bad_device_id", "device_id tidak boleh UUID nol."));
    }
    // A device id in use — a registered device's, revoked or not, or the
    // server's own actor — is refused exactly like a bad code (same status,
    // code and message), so nobody can probe which ids exist. The code stays
    // unused: the refusal happens before (server id) or inside the rolled
    // back transaction (registered id) that would have spent it, so the
    // person HR gave it to can still enroll with a fresh id; burning it would
    // let anyone who learnt a code and a device id waste it.
    if device_id.as_bytes() == state.server.device.as_bytes() {
        return Err(StorageError::EnrollmentInvalid.into());
    }
    let storage = state.storage.clone();
    let code = req.code.clone();
    let started = std::time::Instant::now();
    let answer = state.blocking_public(move || redeem(storage.as_ref(), &code, device_id)).await?;
    Ok(([super::sync::server_timing(started)], Json(answer)))
}

/// Spend enrollment `code` for device `device_id`: the device is registered
/// with a fresh secret (only its hash is kept) and its person's code. The
/// one path of `POST /v1/enroll` and of an enrollment bundle. Blocking.
pub(crate) fn redeem(
    storage: &dyn crate::storage::Storage,
    code: &str,
    device_id: uuid::Uuid,
) -> Result<EnrollResponse, AppError> {
    let secret = random_token()?;
    let device = DeviceRow {
        id: device_id.to_string(),
        tenant_id: String::new(),
        role: prestasi_core::model::Role::Kiosk,
        user_id: String::new(),
        units: Vec::new(),
        secret_hash: sha256_hex(&secret),
        enrolled_at: 0,
        revoked_at: None,
        revoked_reason: None,
        wiped_at: None,
    };
    let code_hash = sha256_hex(&normalise_code(code));
    let now = chrono::Utc::now().timestamp_millis();
    let registered = storage.redeem_enrollment(&code_hash, &device, now).map_err(|e| match e {
        StorageError::Conflict(_) => StorageError::EnrollmentInvalid,
        other => other,
    })?;
    let tenant = storage.tenant(&registered.tenant_id)?;
    // The enrollment code already vouched for its person on this device:
    // their first key here is bound by this code.
    let person_code = crate::people::issue_code(
        storage,
        &registered.tenant_id,
        &registered.user_id,
        Some(&registered.id),
        "enrollment",
    )?;
    tracing::info!(device = %registered.id, tenant = %registered.tenant_id, role = ?registered.role, "device enrolled");
    Ok(EnrollResponse {
        device_id: registered.id,
        secret,
        tenant_id: registered.tenant_id,
        tenant_name: tenant.map(|t| t.name).unwrap_or_default(),
        role: registered.role,
        user: registered.user_id,
        units: registered.units,
        person_code: Some(person_code),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use prestasi_core::model::{DeviceId, Role};
    use prestasi_core::sync::protocol::ENROLL_PATH;
    use tower::ServiceExt;

    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    fn state() -> AppState {
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
        AppState::new(storage, Limits::default()).unwrap()
    }

    fn code(s: &AppState) -> String {
        crate::admin::issue_enrollment(s.storage.as_ref(), "uji", Role::Kiosk, "Kios", &["u1".into()]).unwrap()
    }

    /// The status and the body, byte for byte.
    async fn enroll(s: &AppState, code: &str, device_id: &str) -> (StatusCode, Vec<u8>) {
        let body = serde_json::json!({ "code": code, "device_id": device_id }).to_string();
        let req = Request::post(ENROLL_PATH).header(header::CONTENT_TYPE, "application/json").body(Body::from(body));
        let res = crate::http::router(s.clone()).oneshot(req.unwrap()).await.unwrap();
        let status = res.status();
        (status, axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec())
    }

    #[tokio::test]
    async fn an_id_in_use_answers_like_a_bad_code_and_the_code_stays_usable() {
        let s = state();
        let taken = DeviceId::random().to_string();
        assert_eq!(enroll(&s, &code(&s), &taken).await.0, StatusCode::OK);
        let bad_code = enroll(&s, "AAAA-BBBB-CCCC", &DeviceId::random().to_string()).await;
        assert_eq!(bad_code.0, StatusCode::UNAUTHORIZED);
        assert!(String::from_utf8_lossy(&bad_code.1).contains("enrollment_invalid"));

        let good = code(&s);
        let server = s.server.device.to_string();
        for id in [taken.clone(), taken.to_uppercase(), format!("{{{taken}}}"), server.clone(), server.to_uppercase()] {
            assert_eq!(enroll(&s, &good, &id).await, bad_code, "{id}");
        }
        // The nil UUID is no device id.
        let (status, body) = enroll(&s, &good, "00000000-0000-0000-0000-000000000000").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(String::from_utf8_lossy(&body).contains("bad_device_id"));
        // None of the refusals spent the code.
        assert_eq!(enroll(&s, &good, &DeviceId::random().to_string()).await.0, StatusCode::OK);
        assert_eq!(enroll(&s, &good, &DeviceId::random().to_string()).await, bad_code, "now it is spent");
    }
}
