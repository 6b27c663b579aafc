//! What HR logins keep (docs/SECURITY.md, "Logins, passwords and tokens"):
//! login sessions with their access and refresh tokens, the forced
//! password change, the login audit log, and reading and forgetting the
//! rate windows of [`Storage::count_event`](super::Storage::count_event)
//! that the login throttle counts in. Every method is one transaction,
//! shared by every server instance on the database; the login code
//! decides everything (lifetimes, limits, backoff), the backend stores.

use prestasi_core::model::Role;
use serde::Serialize;

use super::{SessionRow, StorageError};

/// A refresh token of an API login, as stored: only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    pub token_hash: String,
    /// The end of the login (ms): rotation hands the same end on.
    pub expires_at: i64,
}

/// A new login: its first access token (an API bearer token or a web
/// page's cookie) and, for the API, its refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogin {
    /// Shared by every token the login is ever given: revoking the login
    /// revokes them all.
    pub session_id: String,
    pub access: SessionRow,
    pub refresh: Option<RefreshRow>,
}

/// The tokens a refresh hands out in place of the one presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub access_hash: String,
    /// Capped by the backend at the login's end.
    pub access_expires_at: i64,
    pub refresh_hash: String,
}

/// What presenting a refresh token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The token was live and unused: it is now used, and the login goes
    /// on with the [`Rotation`]'s tokens. `access` is the new access
    /// token's row (tenant, user and role of the login).
    Rotated { access: SessionRow, refresh_expires_at: i64 },
    /// The token was already rotated once: someone holds a copy. The
    /// whole login (every token of it) is revoked.
    Reused,
    /// Unknown, expired, or of a revoked login.
    Invalid,
}

/// How a login attempt came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginVia {
    /// `POST /v1/login`, `POST /v1/password`.
    Api,
    /// `/masuk`, `/ganti-sandi`.
    Web,
}

impl LoginVia {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Api, Self::Web].into_iter().find(|v| v.as_str() == s)
    }
}

/// What a login attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginOutcome {
    /// Logged in.
    Ok,
    /// Unknown tenant, unknown user or wrong password (one answer for all).
    BadCredentials,
    /// Refused by the throttle: the failure that started a lockout, or an
    /// attempt while one lasts (right password or not).
    Locked,
    /// The right (temporary) password, but it must be changed first.
    PasswordChangeRequired,
    /// The user changed their password (and was logged in).
    PasswordChanged,
}

impl LoginOutcome {
    pub const ALL: [Self; 5] =
        [Self::Ok, Self::BadCredentials, Self::Locked, Self::PasswordChangeRequired, Self::PasswordChanged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::BadCredentials => "bad_credentials",
            Self::Locked => "locked",
            Self::PasswordChangeRequired => "password_change_required",
            Self::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// As people read it (the audit page).
    pub fn label_id(self) -> &'static str {
        match self {
            Self::Ok => "berhasil",
            Self::BadCredentials => "gagal: nama pengguna atau kata sandi salah",
            Self::Locked => "ditolak: terlalu banyak percobaan",
            Self::PasswordChangeRequired => "kata sandi sementara: harus diganti",
            Self::PasswordChanged => "kata sandi diganti",
        }
    }
}

/// One row of the login audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginEvent {
    /// The row's position in its tenant's log, 1, 2, 3… (assigned when
    /// written; ignored by [`AuthStore::log_login`]): nothing of other
    /// tenants' logins shows in it.
    pub id: u64,
    /// ms since the epoch.
    pub at: i64,
    /// As typed: it need not be a tenant that exists.
    pub tenant: String,
    /// As typed: it need not be a user that exists.
    pub username: String,
    /// The client's address as the rate limits see it.
    pub client: String,
    pub via: LoginVia,
    pub outcome: LoginOutcome,
}

/// Where HR logins live. Every method is one transaction.
pub trait AuthStore {
    /// Store a new login's tokens, and forget tokens that expired before
    /// `forget_before`.
    fn create_login(&self, login: &NewLogin, forget_before: i64) -> Result<(), StorageError>;
    /// Present a refresh token (its hash): if it is live and unused, mark
    /// it used and store `next` in the same login, atomically — of two
    /// concurrent refreshes with one token, one rotates and the other
    /// finds it used. A used token of a live login revokes that login.
    fn refresh_login(&self, refresh_hash: &str, next: &Rotation, now: i64) -> Result<Refreshed, StorageError>;
    /// Revoke the login an access token (or web cookie) belongs to: every
    /// token of it. `false` when the token is unknown.
    fn revoke_login(&self, token_hash: &str) -> Result<bool, StorageError>;
    /// Revoke every login of a user (API and web); how many were live.
    fn revoke_user_logins(&self, tenant: &str, username: &str, now: i64) -> Result<u64, StorageError>;
    /// Set a user's password hash and whether it must be changed at the
    /// next login, and revoke every login of the user, atomically; how
    /// many logins were live. `NotFound` for an unknown user.
    fn set_password(
        &self,
        tenant: &str,
        username: &str,
        password_hash: &str,
        must_change: bool,
        now: i64,
    ) -> Result<u64, StorageError>;
    /// Whether the user's password must be changed before they log in
    /// (`false` for an unknown user).
    fn must_change_password(&self, tenant: &str, username: &str) -> Result<bool, StorageError>;
    /// Append to the login audit log.
    fn log_login(&self, e: &LoginEvent) -> Result<(), StorageError>;
    /// A tenant's login audit log (rows whose typed tenant is `tenant`),
    /// newest first: at most `limit` rows with an id below `before`.
    fn login_events(&self, tenant: &str, before: Option<u64>, limit: u32) -> Result<Vec<LoginEvent>, StorageError>;
    /// The window of `key` that [`Storage::count_event`] counts in, if one
    /// is open at `now`: its count and its end. Counts nothing.
    ///
    /// [`Storage::count_event`]: super::Storage::count_event
    fn peek_event(&self, key: &str, now: i64) -> Result<Option<(u32, i64)>, StorageError>;
    /// Close the window of `key`: the next event starts a new one.
    fn forget_event(&self, key: &str) -> Result<(), StorageError>;
}

/// A role as stored.
pub(super) fn role_of(s: &str) -> Result<Role, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StorageError::Backend(format!("unknown role {s:?} in database")))
}

/// A via and outcome as stored.
pub(super) fn event_kinds(via: &str, outcome: &str) -> Result<(LoginVia, LoginOutcome), StorageError> {
    let via = LoginVia::parse(via).ok_or_else(|| StorageError::Backend(format!("unknown login via {via:?}")))?;
    let outcome =
        LoginOutcome::parse(outcome).ok_or_else(|| StorageError::Backend(format!("unknown outcome {outcome:?}")))?;
    Ok((via, outcome))
}
