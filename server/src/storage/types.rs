//! Rows and messages exchanged with a [`super::Storage`].

use automerge::ChangeHash;
use prestasi_core::doc::{Conflict, DocKind};
use prestasi_core::model::{
    Allowance, Appraisal, AppraisalStatus, Award, BehaviourValue, Channel, DocId, Employee, Feedback, Mentoring, Role,
    Training, Unit,
};
use prestasi_core::rules::{Predikat, Rating};
use prestasi_core::signing::audit::SignerRecord;
use prestasi_core::signing::hex;
use serde::Serialize;

use super::View;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("enrollment code is unknown, used or expired")]
    EnrollmentInvalid,
    #[error("person code is unknown, used, expired, or for another person or device")]
    PersonCodeInvalid,
    #[error("database is newer than this server (schema {found}, supports {supported})")]
    NewerSchema { found: i64, supported: i64 },
    #[error("database error: {0}")]
    Backend(String),
    /// The transaction was rolled back because it lost a race with another
    /// (a deadlock, a serialization failure); running it again can succeed.
    /// [`Storage::write`](super::Storage::write) does so itself.
    #[error("database error, transaction may be retried: {0}")]
    Retry(String),
}

/// A stored document: all its bytes (snapshot followed by chunks).
#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub kind: DocKind,
    pub bytes: Vec<u8>,
    pub chunk_count: u64,
    /// Sorted hex heads, comma-separated: the document's version.
    pub heads: String,
    /// When the last chunk arrived (server clock, ms).
    pub updated_at: i64,
}

/// The merged value of a document, for the relational view.
#[derive(Debug, Clone)]
pub enum Record {
    Employee(Employee),
    Unit(Unit),
    Appraisal(Appraisal),
    Feedback(Feedback),
    Training(Training),
    Mentoring(Mentoring),
    Allowance(Allowance),
    Award(Award),
}

/// Accepted changes to one document.
#[derive(Debug, Clone)]
pub struct DocWrite {
    pub tenant: String,
    pub id: DocId,
    pub kind: DocKind,
    /// Only the changes the server did not have (or, for a new document,
    /// the whole document).
    pub chunk: Vec<u8>,
    /// When set, the whole document re-saved: replaces snapshot and chunks.
    pub compacted: Option<Vec<u8>>,
    pub heads: Vec<ChangeHash>,
    /// Device id that sent it, or `server`.
    pub origin: String,
    pub received_at: i64,
    pub projection: Projection,
    /// The verified signature of every change in `chunk`.
    pub sigs: Vec<StoredSig>,
}

/// Everything the merged view and the read scope keep of one document.
#[derive(Debug, Clone)]
pub struct Projection {
    /// From [`View::of`].
    pub view: View,
    /// From `sync::access::read_keys`.
    pub read: ReadKeys,
    pub conflicts: Vec<Conflict>,
}

/// The signature that vouches for one stored change: its own, or (`signed`
/// another hash) that of the last change of its run — the same device and
/// person, later, so this change is among its ancestors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSig {
    pub hash: Vec<u8>,
    pub signed: Vec<u8>,
    pub key: Vec<u8>,
    pub sig: Vec<u8>,
}

/// What decides who may read a document: its unit and the people assigned
/// to it. Computed by `sync::access::read_keys`; backends store and index
/// these values, never derive them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadKeys {
    pub unit: Option<String>,
    pub appraiser: Option<String>,
    pub reviewer: Option<String>,
}

/// Which documents a device may read (the rule is `sync::access::read_scope`;
/// a backend translates this value into its query, nothing more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole tenant.
    Tenant,
    /// Documents of `unit_kinds` whose unit is one of `units`, and documents
    /// of `assigned_kinds` whose appraiser or reviewer is `user`.
    Units { units: Vec<String>, user: String, unit_kinds: Vec<DocKind>, assigned_kinds: Vec<DocKind> },
    /// Nothing at all.
    Nothing,
}

#[derive(Debug, Clone)]
pub struct PullQuery<'a> {
    pub tenant: &'a str,
    pub cursor: u64,
    pub exclude_origin: &'a str,
    pub scope: &'a Scope,
    /// Stop adding documents after this many bytes (at least one chunk is sent).
    pub max_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct PulledBytes {
    pub id: DocId,
    pub kind: DocKind,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct PullPage {
    pub docs: Vec<PulledBytes>,
    pub cursor: u64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub tenant_id: String,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub tenant_id: String,
    pub username: String,
    pub role: Role,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRow {
    pub code_hash: String,
    pub tenant_id: String,
    pub role: Role,
    pub user_id: String,
    pub units: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRow {
    pub id: String,
    pub tenant_id: String,
    pub role: Role,
    pub user_id: String,
    pub units: Vec<String>,
    #[serde(skip)]
    pub secret_hash: String,
    pub enrolled_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    /// The device, revoked, reported that it wiped its store
    /// (`POST /v1/device/wiped`).
    pub wiped_at: Option<i64>,
}

/// One entry of a device's audit trail after its revocation: `wiped` (the
/// device said so; actor is the device) or `revoked_bundle_imported` (an
/// HR officer or the operator imported its wipe bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceEventRow {
    pub device_id: String,
    pub at: i64,
    pub event: String,
    pub actor: String,
    /// JSON: what was reported or imported.
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct AppraisalFilter {
    pub period: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalRow {
    pub doc_id: String,
    pub employee_nip: String,
    pub period: String,
    pub unit_id: String,
    pub appraiser_nip: String,
    pub reviewer_nip: Option<String>,
    pub status: AppraisalStatus,
    pub hasil_kerja: Option<Rating>,
    pub perilaku: Option<Rating>,
    pub predikat: Option<Predikat>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRow {
    pub target_id: String,
    pub indicator: String,
    pub target: f64,
    pub realisation: Option<f64>,
    pub unit: String,
    pub main: bool,
    pub rating: Option<Rating>,
}

/// One BerAKHLAK value of an appraisal that has a rating or a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BehaviourRow {
    pub value: BehaviourValue,
    pub rating: Option<Rating>,
    pub note: Option<String>,
}

/// A citizen's answers, as the merged view keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackRow {
    pub unit_id: String,
    pub service: String,
    /// U1..U9, each 1–4.
    pub scores: [u8; 9],
    pub minutes_waited: u32,
    pub comment: String,
    pub channel: Channel,
    /// RFC 3339, the submitting device's clock.
    pub submitted_at: String,
    pub officer_nip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeRow {
    pub nip: String,
    pub doc_id: String,
    pub name: String,
    pub unit_id: String,
    pub superior_nip: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictRow {
    pub doc_id: String,
    pub kind: String,
    pub path: String,
    pub values: serde_json::Value,
}

/// A one-time code that binds one key of `person` (on `device_id` only, if set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCodeRow {
    pub code_hash: String,
    pub tenant_id: String,
    pub person: String,
    pub device_id: Option<String>,
    /// The officer who issued it (or `enrollment`).
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A public key bound to a person on one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerRow {
    #[serde(serialize_with = "as_hex")]
    pub public_key: Vec<u8>,
    pub tenant_id: String,
    pub person: String,
    pub device_id: String,
    /// The server's own key.
    pub server: bool,
    pub bound_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

impl SignerRow {
    pub fn record(&self) -> SignerRecord {
        SignerRecord {
            key: hex(&self.public_key),
            person: self.person.clone(),
            device: self.device_id.clone(),
            server: self.server,
            bound_at: self.bound_at,
            revoked_at: self.revoked_at,
        }
    }
}

fn as_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(bytes))
}
