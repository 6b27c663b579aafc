//! The one error type of the HTTP layer: it *is* the response. Internal
//! details are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prestasi_core::sync::protocol::ErrorBody;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { message: String },
    /// 403 with a code of its own, for a refusal the client acts on (e.g.
    /// `password_change_required`).
    #[error("{message}")]
    ForbiddenCode { code: &'static str, message: String },
    #[error("{message}")]
    NotFound { message: String },
    /// 409: the request does not fit the state it acts on (e.g. an upload
    /// part at another offset than the server holds).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 408: the request body did not arrive in time.
    #[error("{message}")]
    RequestTimeout { code: &'static str, message: String },
    /// 429: try again once the request in flight has been answered.
    #[error("{message}")]
    TooManyRequests { code: &'static str, message: String },
    /// 503: the server cannot serve now (e.g. `GET /ready` while the
    /// database does not answer).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    /// The stable code it answers with (`code` of the error body).
    pub fn code(&self) -> &str {
        self.parts().1
    }

    fn parts(&self) -> (StatusCode, &str) {
        match self {
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            Self::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            Self::ForbiddenCode { code, .. } => (StatusCode::FORBIDDEN, code),
            Self::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::TooLarge { code, .. } => (StatusCode::PAYLOAD_TOO_LARGE, code),
            Self::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            Self::RequestTimeout { code, .. } => (StatusCode::REQUEST_TIMEOUT, code),
            Self::TooManyRequests { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            Self::Unavailable { code, .. } => (StatusCode::SERVICE_UNAVAILABLE, code),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => {
                Self::NotFound { message: format!("Tidak ditemukan: {}.", in_indonesian(&what)) }
            }
            StorageError::Conflict(what) => {
                Self::Unprocessable { code: "exists", message: format!("Sudah ada: {}.", in_indonesian(&what)) }
            }
            StorageError::EnrollmentInvalid => Self::Unauthorized {
                code: "enrollment_invalid",
                message: "Kode pendaftaran tidak dikenal, sudah dipakai, atau kedaluwarsa.".into(),
            },
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The storage layer names what it misses in English (`document <id>`):
/// people read the noun in Bahasa Indonesia; the id stays as it is.
fn in_indonesian(what: &str) -> String {
    const NOUNS: [(&str, &str); 8] = [
        ("programme", "program"),
        ("document", "dokumen"),
        ("device", "perangkat"),
        ("tenant", "instansi"),
        ("upload", "unggahan"),
        ("key", "kunci"),
        ("user", "pengguna"),
        ("employee", "pegawai"),
    ];
    let (noun, rest) = what.split_once(' ').unwrap_or((what, ""));
    match NOUNS.iter().find(|(en, _)| *en == noun) {
        Some((_, id)) if rest.is_empty() => (*id).to_string(),
        Some((_, id)) => format!("{id} {rest}"),
        None => what.to_string(),
    }
}

/// Bad input by a person: 422 with the Indonesian explanation.
impl From<prestasi_core::ValidationError> for AppError {
    fn from(e: prestasi_core::ValidationError) -> Self {
        Self::Unprocessable { code: "invalid", message: e.user_message() }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(format!("worker failed: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Terjadi kesalahan pada server.".to_string()
            }
            other => other.to_string(),
        };
        let mut res = (status, Json(ErrorBody { code: code.to_string(), message })).into_response();
        // For the metrics (never sent): which error a request came to.
        res.extensions_mut().insert(crate::metrics::ErrorCode(code.to_string()));
        res
    }
}
