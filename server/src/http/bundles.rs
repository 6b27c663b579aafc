//! HR's API for sync by file (docs/PROTOCOL.md, "Bundle files"): import a
//! tablet's push bundle and get its receipt; write an enrolled tablet's
//! scope bundle. The same code as the devices page and the command line.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use prestasi_core::sync::bundle::MAX_FILE_BYTES;

use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{Query, RawBody};
use crate::state::AppState;

const OCTETS: &str = "application/octet-stream";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/bundles", post(import).layer(DefaultBodyLimit::max(MAX_FILE_BYTES)))
        .route("/v1/hr/devices/{id}/bundle", get(export))
}

/// `?from_revoked=true`: the bundle of a revoked device (what it left when
/// it wiped itself), imported on purpose and written into its audit trail.
#[derive(Debug, serde::Deserialize)]
struct ImportQuery {
    #[serde(default)]
    from_revoked: bool,
}

/// The body is the bundle file; the answer is the receipt file, with what
/// was accepted in headers (`Prestasi-Accepted`, `Prestasi-Rejected`).
async fn import(
    State(s): State<AppState>,
    hr: HrAuth,
    Query(q): Query<ImportQuery>,
    RawBody(body): RawBody,
) -> Result<Response, AppError> {
    let storage = s.storage.clone();
    let (limits, tenant, officer) = (s.limits, hr.tenant_id, hr.username);
    let done = s
        .blocking(move || {
            let storage = storage.as_ref();
            if q.from_revoked {
                crate::sync::bundle::import_from_revoked(storage, &limits, &body, Some(&tenant), &officer)
            } else {
                crate::sync::bundle::import(storage, &limits, &body, Some(&tenant))
            }
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, OCTETS.to_string()),
            (header::HeaderName::from_static("prestasi-accepted"), done.accepted.to_string()),
            (header::HeaderName::from_static("prestasi-rejected"), done.rejected.to_string()),
            (header::HeaderName::from_static("prestasi-device"), done.device.id.clone()),
        ],
        done.receipt,
    )
        .into_response())
}

async fn export(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let storage = s.storage.clone();
    let (limits, tenant) = (s.limits, hr.tenant_id);
    let file =
        s.blocking(move || crate::sync::bundle::export_scope(storage.as_ref(), &limits, &id, Some(&tenant))).await?;
    Ok(([(header::CONTENT_TYPE, OCTETS)], file).into_response())
}
