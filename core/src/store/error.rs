use std::path::PathBuf;

use crate::doc::DocError;
use crate::error::ValidationError;
use crate::model::DocId;

/// Why a store operation failed. Nothing that was committed before the
/// failing call is lost.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the store at {path} was written by a newer version of Prestasi (schema {found}, this build knows up to {supported}); update the app"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("the file at {path} is not a Prestasi store or is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("no {kind} document {id}")]
    NotFound { kind: &'static str, id: DocId },
    #[error("document {id} already exists")]
    AlreadyExists { id: DocId },
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("document {id}: {source}")]
    Document {
        id: DocId,
        #[source]
        source: DocError,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{person} is not signed in on this device: sign in with the PIN first")]
    NotSignedIn { person: String },
    #[error("wrong PIN ({attempts_left} attempts left before the key is wiped)")]
    WrongPin { attempts_left: u32 },
    #[error("too many wrong PINs: try again in {retry_after_secs} s")]
    PinLocked { retry_after_secs: u64 },
    #[error("the key of {person} was wiped after too many wrong PINs: sign in anew with a new person code")]
    KeyWiped { person: String },
    #[error("key handling failed: {0}")]
    Signing(String),
}

impl StoreError {
    /// Document errors that are really validation errors stay validation
    /// errors, so apps can show the field and reason.
    pub(crate) fn doc(id: DocId, e: DocError) -> Self {
        match e {
            DocError::Validation(v) => Self::Validation(v),
            other => Self::Document { id, source: other },
        }
    }
}
