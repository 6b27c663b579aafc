//! HR's JSON API over the merged view (login: `http::login`; every route
//! is scoped to the officer's tenant).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use prestasi_core::model::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin;
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;
use crate::storage::AppraisalFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/appraisals", get(appraisals))
        .route("/v1/hr/employees", get(employees))
        .route("/v1/hr/conflicts", get(conflicts))
        .route("/v1/hr/feedback/count", get(feedback_count))
        .route("/v1/hr/devices", get(devices).post(enroll_device))
        .route("/v1/hr/devices/{id}/revoke", post(revoke_device))
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
        .blocking(move || {
            admin::issue_enrollment_as(s.storage.as_ref(), hr.role, &hr.tenant_id, e.role, &e.user, &e.units)
        })
        .await?;
    Ok(Json(json!({ "code": code })))
}

/// The body of a revocation (of a device, or of a person's keys).
#[derive(Debug, Deserialize)]
pub(super) struct Revoke {
    pub(super) reason: String,
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
                return Err(AppError::NotFound { message: format!("Perangkat {id} tidak ditemukan.") });
            }
            admin::revoke_device(s.storage.as_ref(), &id, &r.reason)
        })
        .await?;
    Ok(Json(json!({ "revoked": true })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use prestasi_core::model::Role;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    async fn post(app: &axum::Router, uri: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let res = app.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn token(app: &axum::Router, username: &str) -> String {
        let login = json!({ "tenant": "uji", "username": username, "password": "kata-sandi-panjang" });
        let (status, body) = post(app, "/v1/login", None, login).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn only_an_admin_issues_codes_for_hr_and_admin_devices() {
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
        crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
        crate::admin::create_user(storage.as_ref(), "uji", "root", "kata-sandi-panjang", Role::Admin).unwrap();
        let app = crate::http::router(AppState::new(storage.clone(), Limits::default()).unwrap());
        let (hr, admin) = (token(&app, "siti").await, token(&app, "root").await);
        let device = |role: &str| json!({ "role": role, "user": "siti", "units": [] });

        for role in ["admin", "hr"] {
            let (status, body) = post(&app, "/v1/hr/devices", Some(&hr), device(role)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
            assert_eq!(body["code"], "forbidden");
            assert!(body["message"].as_str().unwrap().starts_with("Hanya admin"), "{body}");
        }
        let kiosk = json!({ "role": "kiosk", "user": "Kios", "units": ["u1"] });
        assert_eq!(post(&app, "/v1/hr/devices", Some(&hr), kiosk).await.0, StatusCode::OK, "HR enrols kiosks");
        for role in ["admin", "hr"] {
            let (status, body) = post(&app, "/v1/hr/devices", Some(&admin), device(role)).await;
            assert_eq!(status, StatusCode::OK, "{role}: {body}");
        }
    }
}
