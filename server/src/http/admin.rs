//! What only a tenant's admins may do on the JSON API: read the login
//! audit log, revoke a user's logins, give a user a temporary password.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use prestasi_core::model::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/audit", get(audit))
        .route("/v1/admin/users/{username}/revoke-sessions", post(revoke_sessions))
        .route("/v1/admin/users/{username}/reset-password", post(reset_password))
}

/// The rows of the audit log one request reads at most.
pub const AUDIT_PAGE_MAX: u32 = 1000;

/// Refuse anyone but an admin (HR officers get 403).
pub fn admin_only(role: Role) -> Result<(), AppError> {
    if role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden { message: "Hanya untuk admin.".into() }) }
}

/// An admin acts on other users' logins and passwords; for their own
/// there are `POST /v1/logout` and `POST /v1/password` (and the test
/// session of `scripts/api-test.sh` cannot end itself).
fn not_self(hr: &HrAuth, username: &str) -> Result<(), AppError> {
    if hr.username == username {
        return Err(AppError::Conflict {
            code: "own_account",
            message: "Untuk akun Anda sendiri gunakan POST /v1/logout (keluar) atau POST /v1/password (ganti kata \
                      sandi)."
                .into(),
        });
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
    before: Option<u64>,
}

async fn audit(State(s): State<AppState>, hr: HrAuth, Query(q): Query<AuditQuery>) -> Result<Json<Value>, AppError> {
    admin_only(hr.role)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
        return Err(AppError::bad_request("bad_query", "limit: antara 1 dan 1000."));
    }
    if q.before.is_some_and(|b| b == 0 || i64::try_from(b).is_err()) {
        return Err(AppError::bad_request("bad_query", "before: antara 1 dan 9223372036854775807."));
    }
    let storage = s.storage.clone();
    let events = s.blocking(move || Ok(storage.login_events(&hr.tenant_id, q.before, limit)?)).await?;
    Ok(Json(json!({ "events": events })))
}

async fn revoke_sessions(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(username): Path<String>,
) -> Result<Json<Value>, AppError> {
    admin_only(hr.role)?;
    not_self(&hr, &username)?;
    let storage = s.storage.clone();
    let n = s.blocking(move || crate::login::revoke_sessions(storage.as_ref(), &hr.tenant_id, &username)).await?;
    Ok(Json(json!({ "revoked": n })))
}

#[derive(Debug, Deserialize)]
struct Reset {
    temporary_password: String,
}

async fn reset_password(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(username): Path<String>,
    JsonBody(r): JsonBody<Reset>,
) -> Result<Json<Value>, AppError> {
    admin_only(hr.role)?;
    not_self(&hr, &username)?;
    let storage = s.storage.clone();
    let n = s
        .blocking(move || {
            crate::login::reset_password(storage.as_ref(), &hr.tenant_id, &username, &r.temporary_password)
        })
        .await?;
    Ok(Json(json!({ "must_change_password": true, "revoked": n })))
}
