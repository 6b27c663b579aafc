//! `/v1/uploads/{id}`: a sync request body sent in parts, for links that
//! cut (docs/PROTOCOL.md, "Resumable uploads"). Modelled on the tus
//! protocol's core: the device opens an upload with the body's length,
//! sends parts at the offset the server holds (asking for it after a cut),
//! and once the body is whole asks for it to be processed as `POST
//! /v1/sync` would. The answer is kept, so an answer cut on the way is
//! fetched again without sending or processing anything twice.
//!
//! Bounded: a body of at most `Limits::max_body_bytes`, parts of at most
//! [`MAX_PART_BYTES`], [`MAX_OPEN`] open uploads per device, and uploads
//! untouched for [`EXPIRY_MS`] are forgotten (swept when one is opened).

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use prestasi_core::sync::protocol::{CONTENT_TYPE, UploadState};

use crate::auth::DeviceAuth;
use crate::error::AppError;
use crate::extract::RawBody;
use crate::state::AppState;
use crate::storage::UploadRow;

/// The largest part one request may carry.
pub const MAX_PART_BYTES: usize = 1 << 20;
/// Open uploads per device at most.
pub const MAX_OPEN: u64 = 4;
/// An upload not touched for a day is forgotten.
pub const EXPIRY_MS: i64 = 24 * 60 * 60 * 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/uploads/{id}",
            put(open).get(state_of).patch(append).delete(forget).layer(DefaultBodyLimit::max(MAX_PART_BYTES)),
        )
        .route("/v1/uploads/{id}/sync", post(finish))
}

fn upload_id(id: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::bad_request("bad_upload_id", "Id unggahan harus UUID."))
}

fn header_u64(headers: &HeaderMap, name: &'static str) -> Result<u64, AppError> {
    headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
        AppError::bad_request("bad_upload_header", format!("Header {name} (bilangan bulat) diperlukan."))
    })
}

fn view(u: &UploadRow) -> UploadState {
    UploadState { length: u.length, offset: u.received, answered: u.answer.is_some() }
}

fn unknown() -> AppError {
    AppError::NotFound { message: "Unggahan tidak dikenal atau sudah kedaluwarsa; mulai unggahan baru.".into() }
}

/// `PUT`, header `Upload-Length`: open the upload, or find it as it is.
/// A body is the first part (tus' creation-with-upload): stored when the
/// upload holds nothing yet, ignored otherwise (the answer says the offset).
async fn open(
    State(s): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawBody(first): RawBody,
) -> Result<Json<UploadState>, AppError> {
    let id = upload_id(&id)?;
    let length = header_u64(&headers, "upload-length")?;
    let max = s.limits.max_body_bytes as u64;
    if length == 0 || length > max {
        return Err(AppError::TooLarge {
            code: "too_large",
            message: format!("Unggahan {length} byte; paling banyak {max} byte."),
        });
    }
    let storage = s.storage.clone();
    let row = s
        .blocking(move || {
            let now = chrono::Utc::now().timestamp_millis();
            storage.expire_uploads(now - EXPIRY_MS)?;
            if let Some(found) = storage.upload(&device.id, &id)? {
                if found.received == 0 && !first.is_empty() && first.len() as u64 <= found.length {
                    return Ok(storage.append_upload(&device.id, &id, 0, &first, now)?.unwrap_or(found));
                }
                return Ok(found);
            }
            // A device opens a new upload once it recorded the answer of
            // the last: its answered uploads can go.
            storage.forget_answered_uploads(&device.id)?;
            if storage.uploads_of(&device.id)? >= MAX_OPEN {
                return Err(AppError::TooManyRequests {
                    code: "too_many_uploads",
                    message: format!("Perangkat ini sudah punya {MAX_OPEN} unggahan terbuka; selesaikan dulu."),
                });
            }
            let opened = storage.open_upload(&device.id, &id, length, now)?;
            if first.is_empty() || first.len() as u64 > length {
                return Ok(opened);
            }
            Ok(storage.append_upload(&device.id, &id, 0, &first, now)?.unwrap_or(opened))
        })
        .await?;
    if row.length != length {
        return Err(AppError::Unprocessable {
            code: "upload_length",
            message: format!("Unggahan ini dibuka dengan panjang {} byte, bukan {length}.", row.length),
        });
    }
    Ok(Json(view(&row)))
}

/// `GET`: where the upload stands (after a cut, to continue from there).
async fn state_of(
    State(s): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
) -> Result<Json<UploadState>, AppError> {
    let id = upload_id(&id)?;
    let storage = s.storage.clone();
    let row = s.blocking(move || Ok(storage.upload(&device.id, &id)?)).await?.ok_or_else(unknown)?;
    Ok(Json(view(&row)))
}

/// `PATCH`, header `Upload-Offset`: one part, at the offset the server
/// holds. A part at another offset is refused with `409 upload_offset` and
/// the server's offset, changing nothing.
async fn append(
    State(s): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<UploadState>, AppError> {
    let id = upload_id(&id)?;
    let offset = header_u64(&headers, "upload-offset")?;
    let storage = s.storage.clone();
    let part = body.len() as u64;
    let row = s
        .blocking(move || {
            let Some(current) = storage.upload(&device.id, &id)? else { return Err(unknown()) };
            if offset.checked_add(part).is_none_or(|end| end > current.length) {
                return Err(AppError::Unprocessable {
                    code: "upload_length",
                    message: format!("Bagian melewati panjang unggahan ({} byte).", current.length),
                });
            }
            let now = chrono::Utc::now().timestamp_millis();
            storage.append_upload(&device.id, &id, offset, &body, now)?.ok_or_else(unknown)
        })
        .await?;
    if row.received != offset + part {
        return Err(AppError::Conflict {
            code: "upload_offset",
            message: format!("Server memegang {} byte unggahan ini; kirim dari sana.", row.received),
        });
    }
    Ok(Json(view(&row)))
}

/// `POST …/sync`: process the whole body as `POST /v1/sync` (it must be
/// zstd-compressed CBOR), or give the answer kept from doing so.
async fn finish(
    State(s): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = upload_id(&id)?;
    let Some(in_flight) = s.begin_sync(&device.id) else {
        return Err(AppError::TooManyRequests {
            code: "sync_in_progress",
            message: "Sinkronisasi sebelumnya dari perangkat ini masih berjalan. Coba lagi setelah selesai.".into(),
        });
    };
    let storage = s.storage.clone();
    let limits = s.limits;
    let started = std::time::Instant::now();
    let answer = s
        .blocking(move || {
            let _in_flight = in_flight;
            let upload = storage.upload(&device.id, &id)?.ok_or_else(unknown)?;
            if let Some(kept) = upload.answer {
                return Ok(kept);
            }
            if upload.received != upload.length {
                return Err(AppError::Conflict {
                    code: "upload_incomplete",
                    message: format!("Unggahan baru {} dari {} byte.", upload.received, upload.length),
                });
            }
            let body = storage.upload_body(&device.id, &id)?;
            let answer = super::sync::answer(storage.as_ref(), &limits, &device, "zstd", &body)?;
            storage.finish_upload(&device.id, &id, &answer, chrono::Utc::now().timestamp_millis())?;
            Ok(answer)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE.to_string()), super::sync::server_timing(started)], answer)
        .into_response())
}

/// `DELETE`: the device has recorded the answer.
async fn forget(
    State(s): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let id = upload_id(&id)?;
    let storage = s.storage.clone();
    s.blocking(move || Ok(storage.delete_upload(&device.id, &id)?)).await?;
    Ok(Json(serde_json::json!({ "deleted": true })))
}
