use prestasi_core::ValidationError;

/// Every error the bindings raise. `message` is Bahasa Indonesia, ready to
/// show; `field` names the input it is about, where there is one.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum MobileError {
    #[error("{message}")]
    Invalid { field: String, message: String },
}

impl From<ValidationError> for MobileError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid { message: e.user_message(), field: e.field }
    }
}
