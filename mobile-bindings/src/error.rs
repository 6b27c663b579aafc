use prestasi_core::ValidationError;
use prestasi_core::session::SessionError;
use prestasi_core::sync::SyncError;

/// Every error the bindings raise, flattened: Kotlin and Swift see one
/// exception type per variant whose message is the core's reason in Bahasa
/// Indonesia, ready to show (it names the field, e.g. "Isian scores.u3 …").
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum MobileError {
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{message}")]
    NotFound { message: String },
    #[error("{message}")]
    NotEnrolled { message: String },
    #[error("{message}")]
    Offline { message: String },
    #[error("{message}")]
    Revoked { message: String },
    #[error("{message}")]
    Server { message: String },
    #[error("{message}")]
    Storage { message: String },
    /// Nobody (or not the person named) is signed in with their PIN.
    #[error("{message}")]
    NotSignedIn { message: String },
    /// The PIN did not open the person's key; `attempts_left` before it is wiped.
    #[error("{message}")]
    WrongPin { attempts_left: u32, message: String },
    /// Too many wrong PINs: wait `retry_after_secs`.
    #[error("{message}")]
    PinLocked { retry_after_secs: u64, message: String },
    /// The key was wiped after too many wrong PINs: sign in anew with a new person code.
    #[error("{message}")]
    KeyWiped { message: String },
    /// The store key does not open the store file (a lost or wrong key, or a
    /// damaged file): nothing was changed. The data cannot be read without
    /// the key; re-enroll with a new code from BKPSDM.
    #[error("{message}")]
    WrongKey { message: String },
    /// The tablet was revoked and wiped its store (see `wipeReport`).
    #[error("{message}")]
    Wiped { message: String },
    /// A bundle file was refused (altered, truncated, another tablet's, …) or
    /// could not be read or written; the message says which.
    #[error("{message}")]
    Bundle { code: String, message: String },
}

impl From<ValidationError> for MobileError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid { message: e.user_message(), field: e.field }
    }
}

impl From<SessionError> for MobileError {
    fn from(e: SessionError) -> Self {
        let message = e.user_message();
        match e {
            SessionError::Validation(v) => v.into(),
            SessionError::NotFound(_) => Self::NotFound { message },
            SessionError::Store(_) => Self::Storage { message },
            SessionError::NotSignedIn { .. } => Self::NotSignedIn { message },
            SessionError::WrongPin { attempts_left } => Self::WrongPin { attempts_left, message },
            SessionError::PinLocked { retry_after_secs } => Self::PinLocked { retry_after_secs, message },
            SessionError::KeyWiped { .. } => Self::KeyWiped { message },
            SessionError::WrongKey => Self::WrongKey { message },
            SessionError::Wiped => Self::Wiped { message },
            SessionError::Sync(s) => match s {
                SyncError::NotEnrolled => Self::NotEnrolled { message },
                SyncError::Offline(_) => Self::Offline { message },
                SyncError::Revoked { .. } => Self::Revoked { message },
                SyncError::Store(prestasi_core::store::StoreError::Wiped) => Self::Wiped { message },
                SyncError::Store(_) => Self::Storage { message },
                SyncError::Bundle(b) => Self::Bundle { code: b.code().into(), message },
                SyncError::File(_) => Self::Bundle { code: "file".into(), message },
                SyncError::ServerCa(_) => Self::Invalid { field: "server_ca".into(), message },
                SyncError::Unauthorized { .. } | SyncError::Server { .. } | SyncError::Protocol(_) => {
                    Self::Server { message }
                }
            },
        }
    }
}

impl From<SyncError> for MobileError {
    fn from(e: SyncError) -> Self {
        SessionError::Sync(e).into()
    }
}
