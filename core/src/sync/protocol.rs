//! The sync protocol, version 1: the messages a device and the server
//! exchange, shared by the client engine and the server. `docs/PROTOCOL.md`
//! describes the same messages for implementers in other languages.
//!
//! Bodies are CBOR (RFC 8949), compressed with zstd or gzip
//! (`Content-Encoding`). Document ids are 16-byte UUIDs, change hashes
//! 32-byte automerge hashes, changes are automerge's own binary encoding.

use serde::{Deserialize, Serialize};
pub use serde_bytes::ByteBuf;
/// Byte strings in messages.
pub type Bytes = ByteBuf;

use crate::model::DocId;

pub const PROTOCOL_VERSION: u32 = 1;
pub const CONTENT_TYPE: &str = "application/cbor";
/// Path of the sync endpoint.
pub const SYNC_PATH: &str = "/v1/sync";
pub const ENROLL_PATH: &str = "/v1/enroll";
/// Resumable uploads of a sync request body: `{UPLOADS_PATH}/{id}`.
pub const UPLOADS_PATH: &str = "/v1/uploads";

/// Where a resumable upload stands (JSON answer of the upload routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadState {
    /// The whole body's length, as opened.
    pub length: u64,
    /// Bytes the server holds, contiguous from 0: send the next part from here.
    pub offset: u64,
    /// The body was processed; `POST …/sync` gives the kept answer.
    pub answered: bool,
}

/// One round trip: push what the server lacks, pull what changed in scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub v: u32,
    /// The cursor from the previous response; 0 before the first sync.
    pub cursor: u64,
    pub push: Vec<PushDoc>,
    /// Documents wanted whole (the device found missing dependencies, or
    /// discarded its local changes).
    #[serde(default)]
    pub fetch: Vec<ByteBuf>,
    /// The person keys of this device waiting to be bound, each with its
    /// person code and proof. Processed before `push`.
    #[serde(default)]
    pub signers: Vec<SignerBinding>,
    /// Pulled changes this answer may carry, in bytes: a device on a slow
    /// link asks for pages it can receive before the link cuts. The server
    /// sends at most its own limit (1 MiB) and at least one document; 0 or
    /// absent: the server's limit.
    #[serde(default)]
    pub max_pull_bytes: u64,
    /// The server's storage epoch the device's acknowledgements and cursor
    /// belong to (the `epoch` of its last answer); absent before the first
    /// answer that carried one. A server restored from a backup has a new
    /// epoch and refuses a request with another one (409 `epoch_changed`):
    /// the device then forgets what that server acknowledged, and sends
    /// again without an epoch (see [`crate::store::Store::forget_server_state`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// A person's public key on the sending device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerBinding {
    /// The person's NIP (or the kiosk's name).
    pub person: String,
    /// Ed25519 public key, 32 bytes.
    pub key: ByteBuf,
    /// One-time person code from BKPSDM: asks the server to bind the key.
    #[serde(default)]
    pub code: Option<String>,
    /// Ed25519 signature by `key` over `prestasi/bind/v1\0 <device id> \0
    /// <person>` (see [`crate::signing::binding_message`]); needed with `code`.
    #[serde(default)]
    pub proof: Option<ByteBuf>,
}

/// The signature of one change (see [`crate::signing`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSig {
    /// automerge change hash, 32 bytes.
    pub hash: ByteBuf,
    /// Ed25519 public key of the signer, 32 bytes.
    pub key: ByteBuf,
    /// Ed25519 signature over `prestasi/change/v1\0 <doc id> <hash>`, 64 bytes.
    pub sig: ByteBuf,
}

/// What the server says of a key the device sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerState {
    pub key: ByteBuf,
    pub status: KeyStatus,
    /// In Bahasa Indonesia: why a binding was refused, or the revocation reason.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Bound to the person on this device: its signatures are accepted.
    Bound,
    /// Not bound (no code sent yet): its changes are refused as `unknown_signer`.
    Pending,
    /// The code was refused (unknown, used, expired, another person's).
    Refused,
    /// Revoked by BKPSDM: its changes are refused as `revoked_signer`.
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushDoc {
    /// 16-byte document id.
    pub id: ByteBuf,
    /// `appraisal`, `feedback`, … (see [`crate::doc::DocKind`]).
    pub kind: String,
    /// automerge changes (a `save()` or concatenated change chunks): at
    /// least every change after the heads the server last acknowledged.
    pub changes: ByteBuf,
    /// A signature for every change in `changes` the server does not have
    /// (extra ones are ignored); the shared genesis needs none.
    #[serde(default)]
    pub sigs: Vec<ChangeSig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub v: u32,
    /// One per pushed document, in request order.
    pub results: Vec<PushResult>,
    /// Changes in the device's scope since its cursor, made by others, and
    /// the documents asked for in `fetch`.
    pub docs: Vec<PulledDoc>,
    /// Give this back as `cursor` next time.
    pub cursor: u64,
    /// More changes are waiting: sync again right away.
    pub more: bool,
    /// Server receipt time (RFC 3339): the clock reports trust.
    pub server_time: String,
    /// One per key in the request's `signers`, in request order, then one
    /// for every other key bound on this device (bound or revoked).
    #[serde(default)]
    pub signers: Vec<SignerState>,
    /// The server's storage epoch: new whenever its database is restored
    /// from a backup. Send it back as the request's `epoch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub id: ByteBuf,
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Durably stored: the server holds every change up to `heads`.
    Accepted { heads: Vec<ByteBuf> },
    /// Refused; nothing of this document was stored.
    Rejected(Rejection),
}

/// Why the server refused a document: a stable `code` for programs, a
/// `message` in Bahasa Indonesia for people, and the field if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub code: RejectCode,
    pub message: String,
    #[serde(default)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The bytes are not valid automerge changes.
    Malformed,
    /// Changes depend on changes the server does not have: push the whole
    /// document.
    MissingDependencies,
    /// The document holds another kind than declared or stored.
    WrongKind,
    /// A value breaks a rule (score out of range, negative realisation…).
    Invalid,
    /// The device's role or person may not make this change.
    Forbidden,
    /// The document is outside the units this device serves.
    OutOfScope,
    /// The appraisal is locked by HR.
    Locked,
    /// The appraisal names an employee the server does not know.
    UnknownEmployee,
    /// Changes claim another device or person as their author.
    ForeignAuthor,
    /// The document is larger than the server accepts.
    TooLarge,
    /// A new change carries no signature.
    Unsigned,
    /// A signature does not verify for its change and document.
    BadSignature,
    /// The signing key is not bound to the person the change names on this
    /// device (not yet bound, or someone else's).
    UnknownSigner,
    /// The signing key was revoked by BKPSDM.
    RevokedSigner,
    /// The document id is not the one its content derives (appraisals,
    /// programme attendance).
    InvalidId,
}

impl RejectCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::MissingDependencies => "missing_dependencies",
            Self::WrongKind => "wrong_kind",
            Self::Invalid => "invalid",
            Self::Forbidden => "forbidden",
            Self::OutOfScope => "out_of_scope",
            Self::Locked => "locked",
            Self::UnknownEmployee => "unknown_employee",
            Self::ForeignAuthor => "foreign_author",
            Self::TooLarge => "too_large",
            Self::Unsigned => "unsigned",
            Self::BadSignature => "bad_signature",
            Self::UnknownSigner => "unknown_signer",
            Self::RevokedSigner => "revoked_signer",
            Self::InvalidId => "invalid_id",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledDoc {
    pub id: ByteBuf,
    pub kind: String,
    /// automerge changes to load into the device's copy.
    pub changes: ByteBuf,
}

/// `POST /v1/enroll`: exchange a one-time code for the device's secret.
/// JSON, since it happens once and people debug it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    /// Shown once; the server keeps only its hash.
    pub secret: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub role: crate::model::Role,
    /// The person using the device (NIP for supervisors).
    pub user: String,
    pub units: Vec<String>,
    /// A one-time person code for `user` on this device: binds the key made
    /// at their first sign-in (the enrollment code already vouched for them).
    #[serde(default)]
    pub person_code: Option<String>,
}

/// A revoked device's last request: it wiped its store (JSON, device
/// credentials; the one request the server takes from a revoked device).
pub const WIPED_PATH: &str = "/v1/device/wiped";

/// What a revoked device says when it wiped its store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WipedNotice {
    /// Documents the server had not acknowledged, now only in the bundles.
    pub documents: usize,
    /// The ids of the push bundles it wrote them into, for HR.
    pub bundles: Vec<String>,
}

/// The error body of every 4xx/5xx answer (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

pub fn id_bytes(id: DocId) -> ByteBuf {
    ByteBuf::from(id.as_bytes().to_vec())
}

pub fn id_from_bytes(b: &[u8]) -> Option<DocId> {
    uuid::Uuid::from_slice(b).ok().map(DocId::from_uuid)
}

/// Encode a message as CBOR.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail for our plain structs.
    let _ = ciborium::into_writer(msg, &mut out);
    out
}

/// Why bytes are not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not CBOR, truncated, or not the message's shape; the parser's own
    /// words, for logs only (never sent to anyone).
    #[error("not a CBOR message of this type: {0}")]
    Malformed(String),
    /// A complete message followed by bytes that belong to no message: the
    /// body is not what its sender meant to send (or was tampered with).
    #[error("{extra} bytes after the end of the CBOR message")]
    TrailingBytes { extra: usize },
}

/// Decode a CBOR message: exactly one complete CBOR item holding `T`. Any
/// malformed or truncated input is [`DecodeError::Malformed`]; bytes left
/// after the item are [`DecodeError::TrailingBytes`].
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut rest = bytes;
    // ciborium reads exactly the item's bytes from a slice reader, so what
    // is left in `rest` afterwards follows the item.
    let value = ciborium::from_reader(&mut rest).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if rest.is_empty() { Ok(value) } else { Err(DecodeError::TrailingBytes { extra: rest.len() }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_truncation_is_an_error() {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 42,
            push: vec![PushDoc {
                id: id_bytes(DocId::new()),
                kind: "appraisal".into(),
                changes: ByteBuf::from(vec![1, 2, 3]),
                sigs: vec![ChangeSig {
                    hash: ByteBuf::from(vec![1; 32]),
                    key: ByteBuf::from(vec![2; 32]),
                    sig: ByteBuf::from(vec![3; 64]),
                }],
            }],
            fetch: vec![],
            signers: vec![SignerBinding {
                person: "198802182010062056".into(),
                key: ByteBuf::from(vec![2; 32]),
                code: Some("ABCD-EFGH-JKLM".into()),
                proof: Some(ByteBuf::from(vec![4; 64])),
            }],
            max_pull_bytes: 65_536,
            epoch: Some("0b7c1f0e-3f4a-4e55-9a51-6c8b2a2f9d10".into()),
        };
        let bytes = encode(&req);
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), req);
        for cut in 0..bytes.len() {
            assert!(decode::<SyncRequest>(&bytes[..cut]).is_err(), "prefix of {cut} bytes decoded");
        }
        let res = SyncResponse {
            v: 1,
            results: vec![
                PushResult {
                    id: id_bytes(DocId::new()),
                    outcome: PushOutcome::Accepted { heads: vec![ByteBuf::from(vec![7; 32])] },
                },
                PushResult {
                    id: id_bytes(DocId::new()),
                    outcome: PushOutcome::Rejected(Rejection {
                        code: RejectCode::Locked,
                        message: "Dikunci".into(),
                        field: None,
                    }),
                },
            ],
            docs: vec![],
            cursor: 7,
            more: false,
            server_time: "2026-11-22T08:00:00Z".into(),
            signers: vec![SignerState { key: ByteBuf::from(vec![2; 32]), status: KeyStatus::Bound, message: None }],
            epoch: Some("0b7c1f0e-3f4a-4e55-9a51-6c8b2a2f9d10".into()),
        };
        assert_eq!(decode::<SyncResponse>(&encode(&res)).unwrap(), res);
    }

    #[test]
    fn bytes_after_the_message_are_refused() {
        let req = SyncRequest { v: PROTOCOL_VERSION, cursor: 3, ..SyncRequest::default() };
        let bytes = encode(&req);
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), req);
        // Garbage, a second complete message, a single zero byte, a CBOR
        // break: each is refused, and says how much was left over.
        let second = encode(&req);
        for tail in [&b"garbage"[..], &second, &[0][..], &[0xff][..]] {
            let mut body = bytes.clone();
            body.extend_from_slice(tail);
            assert_eq!(
                decode::<SyncRequest>(&body),
                Err(DecodeError::TrailingBytes { extra: tail.len() }),
                "tail {tail:?}"
            );
        }
        // An indefinite-length map, closed by its break, is one whole item.
        // The message is a map of fewer than 24 entries (its header one
        // byte, 0xa0 + n): the same entries in an indefinite-length map.
        assert!((0xa0..0xb8).contains(&bytes[0]), "header {:#x}", bytes[0]);
        let mut indefinite = vec![0xbf];
        indefinite.extend_from_slice(&bytes[1..]);
        assert!(matches!(decode::<SyncRequest>(&indefinite), Err(DecodeError::Malformed(_))), "no break: cut");
        indefinite.push(0xff);
        assert_eq!(decode::<SyncRequest>(&indefinite).unwrap(), req, "closed by its break");
        indefinite.push(0);
        assert_eq!(decode::<SyncRequest>(&indefinite), Err(DecodeError::TrailingBytes { extra: 1 }));
        assert!(matches!(decode::<SyncRequest>(b""), Err(DecodeError::Malformed(_))), "nothing is no message");
    }
}
