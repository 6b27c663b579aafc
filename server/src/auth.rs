//! Authentication: devices with their own secret, HR users with a password.
//!
//! Device secrets and session tokens are 256-bit random values, so a plain
//! SHA-256 of them is what the database keeps; passwords are low-entropy and
//! get argon2. Both arrive as `Authorization: Bearer …`: a device sends
//! `<device id>.<secret>`, an HR session its token.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use prestasi_core::model::Role;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{DeviceRow, SessionRow};

/// 32 random bytes as 64 lowercase hex characters.
pub fn random_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&b))
}

/// A one-time enrollment code people can type: 12 characters from an
/// alphabet without look-alikes (about 60 bits), shown in groups of four.
pub fn enrollment_code() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let chars: String =
        b.iter().map(|x| char::from(ALPHABET.get(usize::from(*x) % ALPHABET.len()).copied().unwrap_or(b'A'))).collect();
    Ok(format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12]))
}

/// Codes are compared without dashes, spaces or case.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
thread_local! {
    /// Argon2 verifications run on this thread (tests: every login path
    /// runs exactly one, whether the user exists or not).
    pub static VERIFICATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    #[cfg(test)]
    VERIFICATIONS.with(|n| n.set(n.get() + 1));
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn bearer(parts: &Parts) -> Result<&str, AppError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized {
            code: "unauthenticated",
            message: "Header Authorization: Bearer … tidak ada.".into(),
        })
}

/// An enrolled, not revoked device.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceRow);

/// The device the bearer token names, its secret checked; revoked or not.
async fn enrolled_device(parts: &Parts, state: &AppState) -> Result<DeviceRow, AppError> {
    let token = bearer(parts)?;
    let bad = || AppError::Unauthorized {
        code: "bad_credentials",
        message: "Perangkat tidak dikenal atau rahasianya salah.".into(),
    };
    let (id, secret) = token.split_once('.').ok_or_else(bad)?;
    let (id, secret_hash) = (id.to_string(), sha256_hex(secret));
    let storage = state.storage.clone();
    let device = state.blocking(move || Ok(storage.device(&id)?)).await?.ok_or_else(bad)?;
    if !constant_time_eq(&device.secret_hash, &secret_hash) {
        return Err(bad());
    }
    Ok(device)
}

/// A revoked device, with its own credentials: accepted by one route only,
/// its last request, which says it wiped its store (`POST /v1/device/wiped`).
#[derive(Debug, Clone)]
pub struct RevokedDeviceAuth(pub DeviceRow);

impl FromRequestParts<AppState> for RevokedDeviceAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let device = enrolled_device(parts, state).await?;
        if device.revoked_at.is_none() {
            return Err(AppError::Conflict {
                code: "device_not_revoked",
                message: "Perangkat ini tidak dicabut; datanya tidak perlu dihapus.".into(),
            });
        }
        Ok(Self(device))
    }
}

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let device = enrolled_device(parts, state).await?;
        if device.revoked_at.is_some() {
            let reason = device.revoked_reason.clone().unwrap_or_default();
            return Err(AppError::Unauthorized {
                code: "device_revoked",
                message: format!("Perangkat ini telah dicabut: {reason}"),
            });
        }
        Ok(Self(device))
    }
}

/// The cookie that carries an HR session in the web pages.
pub const SESSION_COOKIE: &str = "prestasi_sesi";

/// Check an HR officer's password and open an API login ([`crate::login`]:
/// throttled and logged like `POST /v1/login`, from the in-process client
/// address `local`): the access token to hand out (only its hash is
/// stored) and its session.
pub fn open_session(
    storage: &dyn crate::storage::Storage,
    tenant: &str,
    username: &str,
    password: &str,
) -> Result<(String, SessionRow), AppError> {
    let attempt =
        crate::login::Attempt { tenant, username, password, client: "local", via: crate::storage::LoginVia::Api };
    let issued = crate::login::login(storage, &attempt, crate::login::now_ms()).map_err(|r| r.error)?;
    let session = SessionRow {
        token_hash: sha256_hex(&issued.token),
        tenant_id: issued.tenant,
        username: issued.username,
        role: issued.role,
        expires_at: issued.expires_at,
    };
    Ok((issued.token, session))
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The CSRF token of a session: forms carry it, POSTs must return it. It
/// is derived from the session token, which the page's scripts never see
/// (the cookie is HttpOnly), so another site cannot forge it.
pub fn csrf_token(session_token: &str) -> String {
    sha256_hex(&format!("csrf:{session_token}"))
}

/// A logged-in HR officer or admin.
#[derive(Debug, Clone)]
pub struct HrAuth {
    pub tenant_id: String,
    pub username: String,
    pub role: Role,
}

impl FromRequestParts<AppState> for HrAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The web pages' session cookie also opens the API, for reads only
        // (downloads linked from the pages); changes need the bearer token
        // or go through the pages' CSRF-checked forms.
        let from_cookie = (parts.method == axum::http::Method::GET)
            .then(|| cookie(&parts.headers, SESSION_COOKIE))
            .flatten()
            .filter(|_| !parts.headers.contains_key(axum::http::header::AUTHORIZATION));
        let hash = sha256_hex(match from_cookie {
            Some(token) => token,
            None => bearer(parts)?,
        });
        let storage = state.storage.clone();
        let now = chrono::Utc::now().timestamp_millis();
        let session =
            tokio::task::spawn_blocking(move || storage.session(&hash, now)).await??.ok_or(AppError::Unauthorized {
                code: "session_invalid",
                message: "Belum masuk, atau sesi sudah berakhir; silakan masuk lagi.".into(),
            })?;
        if !session.role.is_hr() {
            return Err(AppError::Forbidden { message: "Hanya untuk petugas BKPSDM.".into() });
        }
        Ok(Self { tenant_id: session.tenant_id, username: session.username, role: session.role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_codes() {
        let h = hash_password("rahasia-bkpsdm").unwrap();
        assert!(verify_password("rahasia-bkpsdm", &h));
        assert!(!verify_password("salah", &h));
        assert!(!verify_password("x", "not a hash"));
        let code = enrollment_code().unwrap();
        assert_eq!(code.len(), 14);
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), code.replace('-', ""));
        assert_ne!(random_token().unwrap(), random_token().unwrap());
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd") && !constant_time_eq("a", "ab"));
    }
}
