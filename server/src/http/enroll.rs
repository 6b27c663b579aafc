//! `POST /v1/enroll`: a device exchanges its one-time code for a secret.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use prestasi_core::sync::protocol::{ENROLL_PATH, EnrollRequest, EnrollResponse};

use crate::auth::{normalise_code, random_token, sha256_hex};
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::storage::DeviceRow;

pub fn router() -> Router<AppState> {
    Router::new().route(ENROLL_PATH, post(enroll))
}

async fn enroll(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, AppError> {
    let device_id: uuid::Uuid =
        req.device_id.parse().map_err(|_| AppError::bad_request("bad_device_id", "device_id must be a UUID"))?;
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
    };
    let code_hash = sha256_hex(&normalise_code(&req.code));
    let storage = state.storage.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let (registered, tenant) = state
        .blocking(move || {
            let d = storage.redeem_enrollment(&code_hash, &device, now)?;
            let t = storage.tenant(&d.tenant_id)?;
            Ok((d, t))
        })
        .await?;
    tracing::info!(device = %registered.id, tenant = %registered.tenant_id, role = ?registered.role, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: registered.id,
        secret,
        tenant_id: registered.tenant_id,
        tenant_name: tenant.map(|t| t.name).unwrap_or_default(),
        role: registered.role,
        user: registered.user_id,
        units: registered.units,
    }))
}
