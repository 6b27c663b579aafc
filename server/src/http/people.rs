//! HR's API for people's signing keys: person codes that bind a key on a
//! tablet, the keys a person holds, revoking them, and the audit bundle of
//! an appraisal's signatures.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use prestasi_core::model::DocId;
use serde_json::{Value, json};

use super::hr::Revoke;
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::people;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/people/{nip}/code", post(issue_code))
        .route("/v1/hr/people/{nip}/keys", get(keys))
        .route("/v1/hr/people/{nip}/revoke-keys", post(revoke_keys))
        .route("/v1/hr/appraisals/{id}/audit", get(audit))
}

async fn issue_code(State(s): State<AppState>, hr: HrAuth, Path(nip): Path<String>) -> Result<Json<Value>, AppError> {
    let (code, person) = s
        .clone()
        .blocking(move || {
            // A NIP that is no employee of the tenant names nothing: 404, as
            // recording attendance answers (the pages show the message).
            people::check_employee(s.storage.as_ref(), &hr.tenant_id, &nip).map_err(|e| match e {
                AppError::Unprocessable { code: "unknown_employee", message } => AppError::NotFound { message },
                other => other,
            })?;
            Ok((people::issue_code(s.storage.as_ref(), &hr.tenant_id, &nip, None, &hr.username)?, nip))
        })
        .await?;
    Ok(Json(json!({ "code": code, "person": person, "valid_days": people::PERSON_CODE_TTL_DAYS })))
}

async fn keys(State(s): State<AppState>, hr: HrAuth, Path(nip): Path<String>) -> Result<Json<Value>, AppError> {
    let rows = s.clone().blocking(move || people::keys(s.storage.as_ref(), &hr.tenant_id, Some(&nip))).await?;
    Ok(Json(json!({ "keys": rows })))
}

async fn revoke_keys(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(nip): Path<String>,
    JsonBody(r): JsonBody<Revoke>,
) -> Result<Json<Value>, AppError> {
    let n = s.clone().blocking(move || people::revoke_all(s.storage.as_ref(), &hr.tenant_id, &nip, &r.reason)).await?;
    Ok(Json(json!({ "revoked": n })))
}

/// The appraisal's whole document, every signature and the keys that made
/// them: `prestasi-server audit verify FILE` checks it with no server.
async fn audit(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let id: DocId = id.parse().map_err(|_| AppError::bad_request("bad_id", "Id dokumen tidak sah."))?;
    let bundle = s
        .clone()
        .blocking(move || {
            crate::signatures::audit_bundle(s.storage.as_ref(), &hr.tenant_id, id)?
                .ok_or_else(|| AppError::NotFound { message: format!("Penilaian {id} tidak ditemukan.") })
        })
        .await?;
    Ok(Json(serde_json::to_value(bundle).map_err(|e| AppError::Internal(e.to_string()))?))
}
