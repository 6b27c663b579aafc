//! The HR officer of a web page: the session cookie, checked like the
//! API's bearer token; without one the page sends the browser to `/masuk`.
//! Every form carries the session's CSRF token and every POST checks it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::{SESSION_COOKIE, cookie, csrf_token, sha256_hex};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct WebHr {
    pub tenant_id: String,
    pub username: String,
    /// `hr` or `admin` (admins see the login audit log).
    pub role: prestasi_core::model::Role,
    /// Put in every form as `csrf`.
    pub csrf: String,
}

impl WebHr {
    /// Whether this is an admin (the login audit log, `/hr/log-masuk`).
    pub fn is_admin(&self) -> bool {
        self.role == prestasi_core::model::Role::Admin
    }

    /// Refuse a form whose CSRF token is not this session's.
    pub fn check(&self, token: &str) -> Result<(), AppError> {
        if token.len() == self.csrf.len() && token == self.csrf {
            Ok(())
        } else {
            Err(AppError::Forbidden { message: "Formulir kedaluwarsa; muat ulang halaman.".into() })
        }
    }
}

impl FromRequestParts<AppState> for WebHr {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/masuk").into_response();
        // A form post must come from a page of this site, beside its CSRF
        // token (see `web::origin`).
        if !matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD)
            && let Some(refused) = super::origin::refusal(&parts.headers, state.public.origin())
        {
            return Err(refused);
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else { return Err(to_login()) };
        let storage = state.storage.clone();
        let hash = sha256_hex(&token);
        let now = chrono::Utc::now().timestamp_millis();
        let session = tokio::task::spawn_blocking(move || storage.session(&hash, now))
            .await
            .map_err(|e| AppError::from(e).into_response())?
            .map_err(|e| AppError::from(e).into_response())?;
        match session {
            Some(s) if s.role.is_hr() => {
                Ok(Self { tenant_id: s.tenant_id, username: s.username, role: s.role, csrf: csrf_token(&token) })
            }
            _ => Err(to_login()),
        }
    }
}

/// `Set-Cookie` for a session: not readable by scripts, sent only to this
/// site and, when the server is reached over HTTPS (`secure`, see
/// [`crate::public_url::PublicUrl::secure`]), only over HTTPS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=36000{secure}")
}

pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}
