//! HR logins (docs/SECURITY.md, "Logins, passwords and tokens"): the one
//! path `POST /v1/login`, `/masuk` and the password changes share.
//!
//! - **Throttle.** Failures are counted per account (tenant and user name
//!   as typed) and per client address in the database's rate windows
//!   ([`Storage::count_event`]), so every server instance on one database
//!   counts the same. [`ACCOUNT_FAILURES`] failures of an account within
//!   [`FAILURE_WINDOW_MS`] — or [`ADDRESS_FAILURES`] from one address,
//!   whatever the user names — lock it for [`LOCK_BASE_MS`], doubling with
//!   every further lockout within [`STRIKE_WINDOW_MS`] up to [`LOCK_MAX_MS`].
//!   While locked, every attempt is answered 429 with `Retry-After`, the
//!   right password as the wrong one, and no password is checked. A
//!   successful login forgets its account's failures and lockouts (not its
//!   address's: one good account must not wash an address clean).
//! - **The same work for everyone.** An unknown tenant or user runs the
//!   same Argon2 verification, against a fixed dummy hash, and the same
//!   counting and logging as a wrong password, and gets the same answer.
//! - **Tokens.** An API login gets an access token of [`ACCESS_TTL_MS`] and
//!   a refresh token that lasts the login, [`REFRESH_TTL_MS`]; each refresh
//!   hands out a new pair and uses the old refresh token up (presented
//!   again, it revokes the whole login). A web login gets one cookie token
//!   of [`WEB_SESSION_MS`]. Tokens are 256-bit random; only their SHA-256
//!   is stored. Logout, an admin's revocation and a password change delete
//!   a login's tokens in the database: every instance refuses them at once.
//! - **Audit.** Every attempt is a row of the login audit log
//!   ([`AuthStore::log_login`]); of the attempts refused during one
//!   lockout, the first [`AUDITED_PER_LOCK`] are (all are counted in
//!   `prestasi_logins_total`), so a flood cannot fill the disk.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use prestasi_core::model::Role;

use crate::auth::{hash_password, random_token, sha256_hex, verify_password};
use crate::error::AppError;
use crate::public_url::PublicUrl;
use crate::storage::{
    LoginEvent, LoginOutcome, LoginVia, NewLogin, RefreshRow, Refreshed, Rotation, SessionRow, Storage, StorageError,
    UserRow,
};

/// An API access token's life: short, so a leaked one is soon worthless.
pub const ACCESS_TTL_MS: i64 = 15 * 60 * 1000;
/// An API login's life (its refresh tokens'): a working day and a half.
pub const REFRESH_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// A web page login's life (its cookie's `Max-Age`): a working day.
pub const WEB_SESSION_MS: i64 = 10 * 60 * 60 * 1000;

/// Failures of one account (tenant and user name as typed) that lock it.
pub const ACCOUNT_FAILURES: u32 = 5;
/// Failures from one client address, any user names, that lock it.
pub const ADDRESS_FAILURES: u32 = 20;
/// Failures count within a window this long from the first one.
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// The first lockout; each further one within [`STRIKE_WINDOW_MS`] doubles.
pub const LOCK_BASE_MS: i64 = 60 * 1000;
/// The longest lockout.
pub const LOCK_MAX_MS: i64 = 30 * 60 * 1000;
/// Lockouts within this window make the next one longer.
pub const STRIKE_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// Attempts refused during one lockout that get an audit row each.
pub const AUDITED_PER_LOCK: u32 = 10;
/// Typed tenants and user names are kept to this many characters.
const TYPED_MAX: usize = 128;

/// One attempt to prove a password, as it came in.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub tenant: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    /// The client's address as the rate limits key it.
    pub client: &'a str,
    pub via: LoginVia,
}

/// The tokens of a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub expires_at: i64,
    /// API logins only.
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Option<i64>,
    pub tenant: String,
    pub username: String,
    pub role: Role,
}

/// A refused attempt: the error answered, and for a lockout the seconds
/// until it ends (`Retry-After`).
#[derive(Debug)]
pub struct Refused {
    pub error: AppError,
    pub retry_after: Option<u64>,
}

impl From<AppError> for Refused {
    fn from(error: AppError) -> Self {
        Self { error, retry_after: None }
    }
}

impl From<StorageError> for Refused {
    fn from(e: StorageError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut res = self.error.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl Refused {
    /// The outcome label of `prestasi_logins_total`.
    pub fn outcome(&self) -> &'static str {
        match self.error.code() {
            "bad_credentials" => LoginOutcome::BadCredentials.as_str(),
            "login_locked" => LoginOutcome::Locked.as_str(),
            "password_change_required" => LoginOutcome::PasswordChangeRequired.as_str(),
            _ => "error",
        }
    }
}

pub fn bad_credentials() -> AppError {
    AppError::Unauthorized { code: "bad_credentials", message: "Nama pengguna atau kata sandi salah.".into() }
}

fn locked(until: i64, now: i64) -> Refused {
    let secs = u64::try_from((until - now + 999) / 1000).unwrap_or(1).max(1);
    let wait = if secs < 60 { format!("{secs} detik") } else { format!("{} menit", secs.div_ceil(60)) };
    Refused {
        error: AppError::TooManyRequests {
            code: "login_locked",
            message: format!("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {wait}."),
        },
        retry_after: Some(secs),
    }
}

fn must_change() -> AppError {
    AppError::ForbiddenCode {
        code: "password_change_required",
        message: "Kata sandi ini sementara dan harus diganti sebelum masuk: buat kata sandi baru di halaman \
                  /ganti-sandi (API: POST /v1/password)."
            .into(),
    }
}

/// A typed value as kept (bounded, on a character boundary).
fn typed(s: &str) -> String {
    s.chars().take(TYPED_MAX).collect()
}

/// The hash unknown tenants and users are checked against: Argon2 with the
/// parameters of every stored hash, so the check costs the same.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        SaltString::encode_b64(b"prestasi-no-user")
            .ok()
            .and_then(|salt| {
                argon2::Argon2::default().hash_password(b"no user has this password", &salt).ok().map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// The client address of a request as logins see it: the peer, or behind
/// a trusted proxy the address it forwarded ([`PublicUrl::client_ip`]);
/// `local` for requests made in-process.
pub fn client_of(public: &PublicUrl, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    public.client_ip(peer, headers).map_or_else(|| "local".into(), |ip| ip.to_string())
}

/// The rate-window keys of an attempt, with the failures that lock each:
/// the account (tenant and user name as typed, hashed: any length, one
/// key), and the address (an IPv6 client by its /64, which one household
/// or attacker usually has whole).
fn keys(a: &Attempt<'_>) -> [(String, u32); 2] {
    let account = sha256_hex(&format!("{}\n{}", typed(a.tenant), typed(a.username)));
    let address = match a.client.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let [p0, p1, p2, p3, ..] = v6.segments();
            format!("{p0:x}:{p1:x}:{p2:x}:{p3:x}::/64")
        }
        _ => typed(a.client),
    };
    [(format!("login/account/{account}"), ACCOUNT_FAILURES), (format!("login/address/{address}"), ADDRESS_FAILURES)]
}

/// How long the `strikes`-th lockout within [`STRIKE_WINDOW_MS`] lasts.
pub fn lock_duration(strikes: u32) -> i64 {
    let doublings = strikes.saturating_sub(1).min(16);
    LOCK_BASE_MS.saturating_mul(1 << doublings).min(LOCK_MAX_MS)
}

fn audit(storage: &dyn Storage, a: &Attempt<'_>, outcome: LoginOutcome, now: i64) -> Result<(), StorageError> {
    storage.log_login(&LoginEvent {
        id: 0,
        at: now,
        tenant: typed(a.tenant),
        username: typed(a.username),
        client: a.client.to_string(),
        via: a.via,
        outcome,
    })
}

/// The end of the lockout of any of `keys` at `now`, if one lasts.
fn lockout(storage: &dyn Storage, keys: &[(String, u32)], now: i64) -> Result<Option<(String, i64)>, StorageError> {
    let mut found: Option<(String, i64)> = None;
    for (key, _) in keys {
        let lock = format!("{key}/lock");
        if let Some((_, until)) = storage.peek_event(&lock, now)?
            && found.as_ref().is_none_or(|(_, u)| until > *u)
        {
            found = Some((lock, until));
        }
    }
    Ok(found)
}

/// Count a failure against every key; the end of the lockout it started.
fn failed(storage: &dyn Storage, keys: &[(String, u32)], now: i64) -> Result<Option<i64>, StorageError> {
    let mut until = None;
    for (key, max) in keys {
        let fails = format!("{key}/fails");
        let (n, _) = storage.count_event(&fails, FAILURE_WINDOW_MS, now)?;
        if n >= *max {
            let (strikes, _) = storage.count_event(&format!("{key}/strikes"), STRIKE_WINDOW_MS, now)?;
            let (_, end) = storage.count_event(&format!("{key}/lock"), lock_duration(strikes), now)?;
            storage.forget_event(&fails)?;
            until = until.max(Some(end));
        }
    }
    Ok(until)
}

/// The user whose password `a` proves, or `None` — after the same work
/// whichever way it fails: an unknown tenant or user is checked against
/// the dummy hash.
fn verify(storage: &dyn Storage, a: &Attempt<'_>) -> Result<Option<UserRow>, StorageError> {
    let user = storage.user(a.tenant, a.username)?;
    let ok = match &user {
        Some(u) => verify_password(a.password, &u.password_hash),
        None => verify_password(a.password, dummy_hash()),
    };
    Ok(user.filter(|_| ok))
}

/// Prove the password of `a` through the throttle. Failures and lockouts
/// are counted and logged here; the caller logs what a success came to.
pub fn authenticate(storage: &dyn Storage, a: &Attempt<'_>, now: i64) -> Result<UserRow, Refused> {
    let keys = keys(a);
    if let Some((lock, until)) = lockout(storage, &keys, now)? {
        // Counted in the lock's window: the first refusals are logged.
        let (n, _) = storage.count_event(&lock, 1, now)?;
        if n <= AUDITED_PER_LOCK + 1 {
            audit(storage, a, LoginOutcome::Locked, now)?;
        }
        return Err(locked(until, now));
    }
    match verify(storage, a)? {
        Some(user) => {
            storage.forget_event(&format!("{}/fails", keys[0].0))?;
            storage.forget_event(&format!("{}/strikes", keys[0].0))?;
            Ok(user)
        }
        None => match failed(storage, &keys, now)? {
            Some(until) => {
                audit(storage, a, LoginOutcome::Locked, now)?;
                Err(locked(until, now))
            }
            None => {
                audit(storage, a, LoginOutcome::BadCredentials, now)?;
                Err(bad_credentials().into())
            }
        },
    }
}

/// Open a login for `user`: API (access and refresh token) or web (one
/// cookie token).
fn open(storage: &dyn Storage, user: UserRow, via: LoginVia, now: i64) -> Result<Issued, AppError> {
    let token = random_token()?;
    let expires_at = now + if via == LoginVia::Api { ACCESS_TTL_MS } else { WEB_SESSION_MS };
    let refresh = match via {
        LoginVia::Api => Some((random_token()?, now + REFRESH_TTL_MS)),
        LoginVia::Web => None,
    };
    let access = SessionRow {
        token_hash: sha256_hex(&token),
        tenant_id: user.tenant_id.clone(),
        username: user.username.clone(),
        role: user.role,
        expires_at,
    };
    let login = NewLogin {
        session_id: random_token()?,
        access,
        refresh: refresh.as_ref().map(|(t, at)| RefreshRow { token_hash: sha256_hex(t), expires_at: *at }),
    };
    // Expired tokens are forgotten a login's life after they expired: a
    // client whose access token ran out can still log out with it.
    storage.create_login(&login, now - REFRESH_TTL_MS)?;
    Ok(Issued {
        token,
        expires_at,
        refresh_expires_at: refresh.as_ref().map(|(_, at)| *at),
        refresh_token: refresh.map(|(t, _)| t),
        tenant: user.tenant_id,
        username: user.username,
        role: user.role,
    })
}

/// Log in: `POST /v1/login` (`via` api) and `/masuk` (web).
pub fn login(storage: &dyn Storage, a: &Attempt<'_>, now: i64) -> Result<Issued, Refused> {
    let user = authenticate(storage, a, now)?;
    if !user.role.is_hr() {
        audit(storage, a, LoginOutcome::BadCredentials, now)?;
        return Err(bad_credentials().into());
    }
    if storage.must_change_password(&user.tenant_id, &user.username)? {
        audit(storage, a, LoginOutcome::PasswordChangeRequired, now)?;
        return Err(must_change().into());
    }
    let issued = open(storage, user, a.via, now)?;
    audit(storage, a, LoginOutcome::Ok, now)?;
    Ok(issued)
}

/// A user changes their own password (a temporary one they must change,
/// or any): prove the current one through the throttle, check the new
/// one, set it (every login of the user is revoked), and log in.
pub fn change_password(
    storage: &dyn Storage,
    a: &Attempt<'_>,
    new_password: &str,
    now: i64,
) -> Result<Issued, Refused> {
    let user = authenticate(storage, a, now)?;
    crate::credentials::check_password(new_password, &user.tenant_id, &user.username)?;
    if new_password == a.password {
        return Err(AppError::Unprocessable {
            code: "weak_password",
            message: "Kata sandi baru harus berbeda dari kata sandi yang sekarang.".into(),
        }
        .into());
    }
    let hash = hash_password(new_password)?;
    storage.set_password(&user.tenant_id, &user.username, &hash, false, now)?;
    let issued = open(storage, user, a.via, now)?;
    audit(storage, a, LoginOutcome::PasswordChanged, now)?;
    Ok(issued)
}

/// `POST /v1/login/refresh`: a new access token and refresh token for a
/// live, unused refresh token.
pub fn refresh(storage: &dyn Storage, refresh_token: &str, now: i64) -> Result<Issued, AppError> {
    let (token, refresh_token_next) = (random_token()?, random_token()?);
    let next = Rotation {
        access_hash: sha256_hex(&token),
        access_expires_at: now + ACCESS_TTL_MS,
        refresh_hash: sha256_hex(&refresh_token_next),
    };
    match storage.refresh_login(&sha256_hex(refresh_token), &next, now)? {
        Refreshed::Rotated { access, refresh_expires_at } => Ok(Issued {
            token,
            expires_at: access.expires_at,
            refresh_token: Some(refresh_token_next),
            refresh_expires_at: Some(refresh_expires_at),
            tenant: access.tenant_id,
            username: access.username,
            role: access.role,
        }),
        Refreshed::Reused => {
            tracing::warn!("a used refresh token was presented again: its login is revoked");
            Err(refresh_invalid())
        }
        Refreshed::Invalid => Err(refresh_invalid()),
    }
}

fn refresh_invalid() -> AppError {
    AppError::Unauthorized {
        code: "refresh_invalid",
        message: "Token penyegaran tidak dikenal, sudah dipakai, atau kedaluwarsa; silakan masuk lagi.".into(),
    }
}

/// `POST /v1/logout`, `/keluar`: revoke the login of a token (every token
/// of it).
pub fn logout(storage: &dyn Storage, token: &str) -> Result<bool, AppError> {
    Ok(storage.revoke_login(&sha256_hex(token))?)
}

fn known_user(storage: &dyn Storage, tenant: &str, username: &str) -> Result<UserRow, AppError> {
    storage
        .user(tenant, username)?
        .ok_or_else(|| AppError::NotFound { message: format!("Pengguna {username} tidak ditemukan.") })
}

/// An admin revokes every login of a user (API and web); how many.
pub fn revoke_sessions(storage: &dyn Storage, tenant: &str, username: &str) -> Result<u64, AppError> {
    known_user(storage, tenant, username)?;
    let n = storage.revoke_user_logins(tenant, username, Utc::now().timestamp_millis())?;
    tracing::info!(%tenant, %username, revoked = n, "every login of a user revoked");
    Ok(n)
}

/// An admin gives a user a temporary password, which they must change at
/// their next login; every login of the user is revoked. How many.
pub fn reset_password(storage: &dyn Storage, tenant: &str, username: &str, temporary: &str) -> Result<u64, AppError> {
    known_user(storage, tenant, username)?;
    crate::credentials::check_password(temporary, tenant, username)?;
    let hash = hash_password(temporary)?;
    let n = storage.set_password(tenant, username, &hash, true, Utc::now().timestamp_millis())?;
    tracing::info!(%tenant, %username, revoked = n, "temporary password set; it must be changed at the next login");
    Ok(n)
}

/// The `prestasi_logins_total` outcome of a login or password change.
pub fn outcome_of(result: &Result<Issued, Refused>, success: LoginOutcome) -> &'static str {
    match result {
        Ok(_) => success.as_str(),
        Err(r) => r.outcome(),
    }
}

/// Now, in ms.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
