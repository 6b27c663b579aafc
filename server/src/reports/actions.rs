//! What HR does to an appraisal: settle a conflict by choosing one of the
//! concurrent values, lock it, reopen it. Each is a normal, checked change
//! to the document (see `admin::edit_as_hr`), so tablets receive it on
//! their next sync and the conflict disappears on every copy.

use crate::state::ServerIdentity;
use std::cell::Cell;

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use prestasi_core::doc::{DocError, Document};
use prestasi_core::model::{Appraisal, AppraisalStatus, Author, DocId};
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
    id.parse().map_err(|_| AppError::bad_request("bad_id", "Id dokumen tidak sah."))
}

/// Why an HR action on an appraisal is refused.
enum Refusal {
    /// By the document or the rules (their message).
    Doc(DocError),
    /// By this module, with its message for people (code `refused`, as
    /// every document-level refusal).
    Said(&'static str),
}

impl From<DocError> for Refusal {
    fn from(e: DocError) -> Self {
        Self::Doc(e)
    }
}

/// Change appraisal `id` as `officer` through `edit_as_hr`; a refusal said
/// here comes back as a 422 `refused` with its message.
/// A change to an appraisal that may be refused before it is written.
type AppraisalChange<'a> = dyn Fn(&mut Document<Appraisal>, &Author) -> Result<(), Refusal> + 'a;

fn edit_appraisal(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    id: DocId,
    change: &AppraisalChange<'_>,
) -> Result<Appraisal, AppError> {
    let said: Cell<Option<&'static str>> = Cell::new(None);
    let outcome = edit_as_hr::<Appraisal>(storage, server, tenant, officer, id, &|d, a| {
        said.set(None);
        change(d, a).map_err(|r| match r {
            Refusal::Doc(e) => e,
            Refusal::Said(message) => {
                said.set(Some(message));
                DocError::Malformed(message.into())
            }
        })
    });
    match (outcome, said.take()) {
        (Err(_), Some(message)) => Err(AppError::Unprocessable { code: "refused", message: message.into() }),
        (outcome, _) => outcome,
    }
}

fn status_of(d: &Document<Appraisal>) -> Result<AppraisalStatus, Refusal> {
    Ok(d.value()?.status)
}

/// Settle the conflict at `path` of appraisal `id` with value number
/// `pick`, as `officer`: the API's and the web page's one code path. A
/// locked appraisal must be reopened first.
pub(crate) fn resolve_conflict(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    id: DocId,
    path: &str,
    pick: usize,
) -> Result<Appraisal, AppError> {
    edit_appraisal(storage, server, tenant, officer, id, &|d, a| {
        if status_of(d)? == AppraisalStatus::Locked {
            return Err(Refusal::Said("Penilaian ini terkunci; buka kembali dulu, lalu selesaikan konfliknya."));
        }
        match d.resolve_conflict(path, pick, a, Utc::now()) {
            Ok(_) => Ok(()),
            Err(DocError::NoSuchConflict { .. }) => Err(Refusal::Said(
                "Konflik ini sudah diselesaikan atau nilai yang dipilih tidak ada; muat ulang halaman.",
            )),
            Err(e) => Err(e.into()),
        }
    })
}

/// Move appraisal `id` to `status` as `officer` (lock, or reopen as a
/// draft). Locking waits until every conflict is settled: the lock is a
/// change of the whole record, which would silently keep the value each
/// conflict happens to show.
pub(crate) fn set_status(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    id: DocId,
    status: AppraisalStatus,
) -> Result<Appraisal, AppError> {
    edit_appraisal(storage, server, tenant, officer, id, &|d, a| {
        if status == AppraisalStatus::Locked && !d.conflicts().is_empty() {
            return Err(Refusal::Said("Masih ada konflik terbuka; selesaikan dulu sebelum mengunci penilaian."));
        }
        d.edit(a, Utc::now(), |v| {
            v.status = status;
            Ok(())
        })?;
        Ok(())
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
            resolve_conflict(st.storage.as_ref(), &st.server, &hr.tenant_id, &hr.username, id, &r.path, r.pick)
        })
        .await?;
    Ok(Json(json!({ "appraisal": value, "predikat": value.predikat() })))
}

async fn set_status_as(s: AppState, hr: HrAuth, id: &str, status: AppraisalStatus) -> Result<Json<Value>, AppError> {
    let id = doc_id(id)?;
    let st = s.clone();
    let value = s
        .blocking(move || set_status(st.storage.as_ref(), &st.server, &hr.tenant_id, &hr.username, id, status))
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
