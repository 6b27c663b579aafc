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
    /// The key does not open the encrypted store (or its first page is
    /// damaged: the two cannot be told apart). Nothing was written.
    #[error("the store at {path} does not open with this key (a wrong key, or the file is damaged)")]
    WrongKey { path: PathBuf },
    /// A plaintext store from before encryption: convert it with
    /// [`super::Store::encrypt_existing`] (`Session::open` does).
    #[error("the store at {path} is not encrypted yet")]
    Unencrypted { path: PathBuf },
    #[error("a store key is {expected} bytes, got {len}", expected = super::STORE_KEY_LEN)]
    BadKey { len: usize },
    /// The store was deleted ([`super::Store::wipe`], a revoked device).
    #[error("the store on this device was wiped")]
    Wiped,
    #[error("file: {0}")]
    File(String),
}

impl StoreError {
    /// In Bahasa Indonesia, ready to show.
    pub fn user_message(&self) -> String {
        match self {
            Self::WrongKey { .. } => "Penyimpanan perangkat tidak dapat dibuka dengan kunci perangkat ini (kunci \
                 salah atau berkas rusak). Data tidak diubah. Hubungi BKPSDM untuk mendaftarkan ulang perangkat."
                .into(),
            Self::Unencrypted { .. } => "Penyimpanan perangkat belum dienkripsi.".into(),
            Self::BadKey { .. } => "Kunci penyimpanan perangkat tidak sah (harus 32 byte).".into(),
            Self::Wiped => "Data di perangkat ini telah dihapus karena perangkat dicabut oleh BKPSDM.".into(),
            other => format!("Penyimpanan perangkat bermasalah: {other}"),
        }
    }

    /// Document errors that are really validation errors stay validation
    /// errors, so apps can show the field and reason.
    pub(crate) fn doc(id: DocId, e: DocError) -> Self {
        match e {
            DocError::Validation(v) => Self::Validation(v),
            other => Self::Document { id, source: other },
        }
    }
}
