//! HR's JSON API over the merged view (login with a password; every route
//! is scoped to the officer's tenant).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use prestasi_core::model::Role;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::admin;
use crate::auth::{HrAuth, open_session};
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;
use crate::storage::AppraisalFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/login", post(login))
        .route("/v1/hr/appraisals", get(appraisals))
        .route("/v1/hr/employees", get(employees))
        .route("/v1/hr/conflicts", get(conflicts))
        .route("/v1/hr/feedback/count", get(feedback_count))
        .route("/v1/hr/devices", get(devices).post(enroll_device))
        .route("/v1/hr/devices/{id}/revoke", post(revoke_device))
}

#[derive(Debug, Deserialize)]
struct Login {
    tenant: String,
    username: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct LoginOk {
    token: String,
    expires_at: i64,
    role: Role,
}

async fn login(State(state): State<AppState>, JsonBody(l): JsonBody<Login>) -> Result<Json<LoginOk>, AppError> {
    let storage = state.storage.clone();
    let (token, s) =
        state.blocking(move || open_session(storage.as_ref(), &l.tenant, &l.username, &l.password)).await?;
    Ok(Json(LoginOk { token, expires_at: s.expires_at, role: s.role }))
}

#[derive(Debug, Deserialize)]
struct AppraisalQuery {
    period: Option<String>,
    unit: Option<String>,
}

async fn appraisals(
    State(s): State<AppState>,
    hr: HrAuth,
    Query(q): Query<AppraisalQuery>,
) -> Result<Json<Value>, AppError> {
    let rows = s
        .clone()
        .blocking(move || {
            Ok(s.storage.appraisals(&hr.tenant_id, &AppraisalFilter { period: q.period, unit: q.unit })?)
        })
        .await?;
    Ok(Json(json!({ "appraisals": rows })))
}

#[derive(Debug, Deserialize)]
struct UnitQuery {
    unit: Option<String>,
}

async fn employees(State(s): State<AppState>, hr: HrAuth, Query(q): Query<UnitQuery>) -> Result<Json<Value>, AppError> {
    let rows = s.clone().blocking(move || Ok(s.storage.employees(&hr.tenant_id, q.unit.as_deref())?)).await?;
    Ok(Json(json!({ "employees": rows })))
}

async fn conflicts(State(s): State<AppState>, hr: HrAuth) -> Result<Json<Value>, AppError> {
    let rows = s.clone().blocking(move || Ok(s.storage.conflicts(&hr.tenant_id)?)).await?;
    Ok(Json(json!({ "conflicts": rows })))
}

async fn feedback_count(
    State(s): State<AppState>,
    hr: HrAuth,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Value>, AppError> {
    let n = s.clone().blocking(move || Ok(s.storage.feedback_count(&hr.tenant_id, q.unit.as_deref())?)).await?;
    Ok(Json(json!({ "count": n })))
}

async fn devices(State(s): State<AppState>, hr: HrAuth) -> Result<Json<Value>, AppError> {
    let rows = s.clone().blocking(move || Ok(s.storage.devices(&hr.tenant_id)?)).await?;
    Ok(Json(json!({ "devices": rows })))
}

#[derive(Debug, Deserialize)]
struct EnrollDevice {
    role: Role,
    user: String,
    #[serde(default)]
    units: Vec<String>,
}

async fn enroll_device(
    State(s): State<AppState>,
    hr: HrAuth,
    JsonBody(e): JsonBody<EnrollDevice>,
) -> Result<Json<Value>, AppError> {
    let code = s
        .clone()
        .blocking(move || admin::issue_enrollment(s.storage.as_ref(), &hr.tenant_id, e.role, &e.user, &e.units))
        .await?;
    Ok(Json(json!({ "code": code })))
}

#[derive(Debug, Deserialize)]
struct Revoke {
    reason: String,
}

async fn revoke_device(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Revoke>,
) -> Result<Json<Value>, AppError> {
    s.clone()
        .blocking(move || {
            let device = s.storage.device(&id)?.filter(|d| d.tenant_id == hr.tenant_id);
            if device.is_none() {
                return Err(AppError::NotFound { message: format!("device {id}") });
            }
            admin::revoke_device(s.storage.as_ref(), &id, &r.reason)
        })
        .await?;
    Ok(Json(json!({ "revoked": true })))
}
