//! What HR does to an appraisal: settle a conflict by choosing one of the
//! concurrent values, lock it, reopen it. Each is a normal, checked change
//! to the document (see `admin::edit_as_hr`), so tablets receive it on
//! their next sync and the conflict disappears on every copy.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::edit_as_hr;
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;

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

fn doc_id(id: &str) -> Result<DocId, AppError> {
    id.parse().map_err(|_| AppError::bad_request("bad_id", "not a document id"))
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
            edit_as_hr::<Appraisal>(st.storage.as_ref(), st.server_device, &hr.tenant_id, &hr.username, id, &|d, a| {
                d.resolve_conflict(&r.path, r.pick, a, Utc::now()).map(|_| ())
            })
        })
        .await?;
    Ok(Json(json!({ "appraisal": value, "predikat": value.predikat() })))
}

async fn set_status(s: AppState, hr: HrAuth, id: &str, status: AppraisalStatus) -> Result<Json<Value>, AppError> {
    let id = doc_id(id)?;
    let st = s.clone();
    let value = s
        .blocking(move || {
            edit_as_hr::<Appraisal>(st.storage.as_ref(), st.server_device, &hr.tenant_id, &hr.username, id, &|d, a| {
                d.edit(a, Utc::now(), |v| {
                    v.status = status;
                    Ok(())
                })
                .map(|_| ())
            })
        })
        .await?;
    Ok(Json(json!({ "appraisal": value })))
}

async fn lock(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    set_status(s, hr, &id, AppraisalStatus::Locked).await
}

/// Reopening returns the appraisal to its appraiser as a draft: they
/// correct it, submit it again, and it goes through review and locking.
async fn reopen(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    set_status(s, hr, &id, AppraisalStatus::Draft).await
}
