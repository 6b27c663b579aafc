//! `/hr/perangkat/paket`: sync by file at the BKPSDM desk. HR uploads a
//! tablet's push bundle (brought on a USB stick), which goes through exactly
//! the checks of a sync ([`crate::sync::bundle`]); the page says what was
//! accepted and offers the receipt to carry back. `/hr/perangkat/{id}/paket`
//! downloads a tablet's scope bundle for a tablet that has not synced.
//!
//! The receipt is offered as a `data:` link in the answer itself: nothing is
//! kept on the server between the upload and the download, so any instance
//! behind the load balancer answers either.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use prestasi_core::sync::bundle::MAX_FILE_BYTES;

use super::render;
use super::session::WebHr;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/perangkat/paket", post(import).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024)))
        .route("/hr/perangkat/{id}/paket", get(export))
        .route("/hr/perangkat/paket-pendaftaran", post(enrollment))
}

#[derive(Debug, serde::Deserialize)]
struct EnrollmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// The enrollment bundle of a code just issued, for a tablet that has never
/// been online (the code spent here; the supervisor types it to open the file).
async fn enrollment(State(s): State<AppState>, hr: WebHr, axum::Form(f): axum::Form<EnrollmentForm>) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return super::fail(e);
    }
    let storage = s.storage.clone();
    let (limits, tenant, url) = (s.limits, hr.tenant_id.clone(), s.public.origin().to_string());
    let made = s
        .blocking(move || {
            let (file, device) = crate::sync::bundle::enrollment_bundle(storage.as_ref(), &limits, &f.code, &url)?;
            // Only a code of this officer's tenant: another tenant's code
            // (which they could only have guessed) is spent on a device that
            // is revoked at once, and nothing of that tenant is handed out.
            if device.tenant_id != tenant {
                crate::admin::revoke_device(storage.as_ref(), &device.id, "kode instansi lain")?;
                return Err(AppError::NotFound { message: "Kode pendaftaran tidak ditemukan.".into() });
            }
            Ok((file, device))
        })
        .await;
    match made {
        Ok((file, device)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file_name("pendaftaran", &device.id)),
                ),
            ],
            file,
        )
            .into_response(),
        Err(e) => super::fail(e),
    }
}

#[derive(Template)]
#[template(path = "paket.html")]
struct ReceiptPage {
    hr: WebHr,
    device: String,
    user: String,
    accepted: usize,
    rejected: usize,
    /// `data:` URL of the receipt bundle.
    receipt_href: String,
    receipt_name: String,
}

/// The file name a tablet's bundle is saved under: the first part of its id.
fn file_name(what: &str, device: &str) -> String {
    let short: String = device.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    format!("{what}-{short}.prst")
}

/// Read the form: the CSRF token first (it comes first in the form), then
/// the file. Anything else is ignored.
async fn read_form(mut form: Multipart, hr: &WebHr) -> Result<Vec<u8>, AppError> {
    let unreadable = |_| AppError::bad_request("malformed_body", "Formulir unggahan tidak dapat dibaca.");
    let mut checked = false;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => {
                hr.check(&field.text().await.map_err(unreadable)?)?;
                checked = true;
            }
            Some("paket") if checked => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                if bytes.is_empty() {
                    break;
                }
                return Ok(bytes.to_vec());
            }
            // A file before the token: the form was not ours.
            Some("paket") => return Err(hr.check("").err().unwrap_or(AppError::Internal("empty CSRF token".into()))),
            _ => {}
        }
    }
    Err(AppError::Unprocessable { code: "bundle_missing", message: "Pilih berkas paket dari tablet.".into() })
}

/// A refusal a person can act on, on the devices page; anything else, the error page.
async fn refuse(s: &AppState, hr: WebHr, e: AppError) -> Response {
    let status = e.status();
    let message = match &e {
        AppError::Unprocessable { code: "bundle_wrong_kind", .. } => {
            "Berkas ini bukan paket dari tablet (mungkin tanda terima atau paket data unit). Unggah berkas yang \
             disimpan tablet lewat Sinkronisasi → Simpan ke berkas."
                .to_string()
        }
        AppError::Unprocessable { message, .. } => message.clone(),
        _ => return super::fail(e),
    };
    super::devices::show_refusal(s, hr, status, message).await
}

async fn import(State(s): State<AppState>, hr: WebHr, form: Multipart) -> Response {
    let file = match read_form(form, &hr).await {
        Ok(f) => f,
        Err(e) => return refuse(&s, hr, e).await,
    };
    let storage = s.storage.clone();
    let (limits, tenant) = (s.limits, hr.tenant_id.clone());
    match s.blocking(move || crate::sync::bundle::import(storage.as_ref(), &limits, &file, Some(&tenant))).await {
        Ok(done) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&done.receipt);
            render(&ReceiptPage {
                receipt_name: file_name("tanda-terima", &done.device.id),
                receipt_href: format!("data:application/octet-stream;base64,{encoded}"),
                device: done.device.id,
                user: done.device.user_id,
                accepted: done.accepted,
                rejected: done.rejected,
                hr,
            })
        }
        Err(e) => refuse(&s, hr, e).await,
    }
}

async fn export(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>) -> Response {
    let storage = s.storage.clone();
    let (limits, tenant, device) = (s.limits, hr.tenant_id.clone(), id.clone());
    match s.blocking(move || crate::sync::bundle::export_scope(storage.as_ref(), &limits, &device, Some(&tenant))).await
    {
        Ok(file) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file_name("paket", &id))),
            ],
            file,
        )
            .into_response(),
        Err(e) => super::fail(e),
    }
}
