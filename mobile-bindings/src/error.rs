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
            SessionError::Sync(s) => match s {
                SyncError::NotEnrolled => Self::NotEnrolled { message },
                SyncError::Offline(_) => Self::Offline { message },
                SyncError::Revoked { .. } => Self::Revoked { message },
                SyncError::Store(_) => Self::Storage { message },
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
