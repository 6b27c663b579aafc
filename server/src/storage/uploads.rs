//! Resumable uploads of one sync request body (docs/PROTOCOL.md,
//! "Resumable uploads"): a device on a link that cuts sends the body in
//! parts, each stored as it arrives, and after a cut continues from what
//! the server holds. The storage keeps the parts and, once the request was
//! processed, its answer; the HTTP layer decides everything else (limits,
//! offsets, expiry).

use super::StorageError;

/// One upload, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub device_id: String,
    /// Chosen by the device (a UUID).
    pub id: String,
    /// The whole body's length, declared when the upload was opened.
    pub length: u64,
    /// Bytes received so far: the parts are contiguous from 0.
    pub received: u64,
    /// The encoded answer, once the request was processed.
    pub answer: Option<Vec<u8>>,
    /// ms since the epoch: opened, or last part or answer.
    pub updated_at: i64,
}

/// Where uploads live. Every method is one transaction.
pub trait UploadStore {
    /// Open an upload (a new row with `received = 0`), or return the one
    /// of that device and id as it is.
    fn open_upload(&self, device_id: &str, id: &str, length: u64, now: i64) -> Result<UploadRow, StorageError>;
    fn upload(&self, device_id: &str, id: &str) -> Result<Option<UploadRow>, StorageError>;
    /// Open uploads of a device.
    fn uploads_of(&self, device_id: &str) -> Result<u64, StorageError>;
    /// Append `bytes` if the upload stands at `offset`; either way return
    /// the upload as it then is (the caller compares `received`).
    fn append_upload(
        &self,
        device_id: &str,
        id: &str,
        offset: u64,
        bytes: &[u8],
        now: i64,
    ) -> Result<Option<UploadRow>, StorageError>;
    /// The parts received, in order, joined.
    fn upload_body(&self, device_id: &str, id: &str) -> Result<Vec<u8>, StorageError>;
    /// Keep the answer of the processed request (its parts are dropped).
    fn finish_upload(&self, device_id: &str, id: &str, answer: &[u8], now: i64) -> Result<(), StorageError>;
    fn delete_upload(&self, device_id: &str, id: &str) -> Result<(), StorageError>;
    /// Forget the device's uploads that have their answer.
    fn forget_answered_uploads(&self, device_id: &str) -> Result<u64, StorageError>;
    /// Forget every upload not touched since `before`; how many.
    fn expire_uploads(&self, before: i64) -> Result<u64, StorageError>;
}
