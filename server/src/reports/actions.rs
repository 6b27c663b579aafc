//! What HR does to an appraisal: settle a conflict by choosing one of the
//! concurrent values, lock it, reopen it. Each is a normal, checked change
//! to the document (see `admin::edit_as_hr`), so tablets receive it on
//! their next sync and the conflict disappears on every copy.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use prestasi_core::ValidationError;
use prestasi_core::doc::DocError;
use prestasi_core::model::{Appraisal, AppraisalStatus, DeviceId, DocId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::edit_as_hr;
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::storage::Storage;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/appraisals/{id}/resolve", post(resolve))
        .route("/v1/hr/appraisals/{id}/lock", post(lock))
        .route("/v1/hr/appraisals/{id}/reopen", post(reopen))
}

#[derive(Debug, Deserialize)]
struct Resolve {
    /// The conflict's path, as listed by the appraisal's page.
    path: String,
    /// Index into the conflict's `values`.
    pick: usize,
}

pub(crate) fn doc_id(id: &str) -> Result<DocId, AppError> {
    id.parse().map_err(|_| AppError::bad_request("bad_id", "not a document id"))
}

/// Settle the conflict at `path` of appraisal `id` with value number
/// `pick`, as `officer`: the API's and the web page's one code path.
pub(crate) fn resolve_conflict(
    storage: &dyn Storage,
    server: DeviceId,
    tenant: &str,
    officer: &str,
    id: DocId,
    path: &str,
    pick: usize,
) -> Result<Appraisal, AppError> {
    edit_as_hr::<Appraisal>(storage, server, tenant, officer, id, &|d, a| {
        d.resolve_conflict(path, pick, a, Utc::now()).map(|_| ()).map_err(|e| match e {
            DocError::NoSuchConflict { .. } => DocError::Validation(ValidationError::rule(
                "path",
                "Konflik ini sudah diselesaikan atau nilai yang dipilih tidak ada; muat ulang halaman.",
            )),
            other => other,
        })
    })
}

/// Move appraisal `id` to `status` as `officer` (lock, or reopen as a
/// draft); the workflow rules refuse any other step.
pub(crate) fn set_status(
    storage: &dyn Storage,
    server: DeviceId,
    tenant: &str,
    officer: &str,
    id: DocId,
    status: AppraisalStatus,
) -> Result<Appraisal, AppError> {
    edit_as_hr::<Appraisal>(storage, server, tenant, officer, id, &|d, a| {
        d.edit(a, Utc::now(), |v| {
            v.status = status;
            Ok(())
        })
        .map(|_| ())
    })
}

async fn resolve(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Resolve>,
) -> Result<Json<Value>, AppError> {
    let id = doc_id(&id)?;
    let st = s.clone();
    let value = s
        .blocking(move || {
            resolve_conflict(st.storage.as_ref(), st.server_device, &hr.tenant_id, &hr.username, id, &r.path, r.pick)
        })
        .await?;
    Ok(Json(json!({ "appraisal": value, "predikat": value.predikat() })))
}

async fn set_status_as(s: AppState, hr: HrAuth, id: &str, status: AppraisalStatus) -> Result<Json<Value>, AppError> {
    let id = doc_id(id)?;
    let st = s.clone();
    let value = s
        .blocking(move || set_status(st.storage.as_ref(), st.server_device, &hr.tenant_id, &hr.username, id, status))
        .await?;
    Ok(Json(json!({ "appraisal": value })))
}

async fn lock(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    set_status_as(s, hr, &id, AppraisalStatus::Locked).await
}

/// Reopening returns the appraisal to its appraiser as a draft: they
/// correct it, submit it again, and it goes through review and locking.
async fn reopen(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    set_status_as(s, hr, &id, AppraisalStatus::Draft).await
}
