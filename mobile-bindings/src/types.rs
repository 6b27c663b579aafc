//! Records and enums mirrored from the core, converted with `From`.

use prestasi_core::doc::{Conflict, HistoryEntry};
use prestasi_core::model::{self, Appraisal, AppraisalStatus as CoreStatus, BehaviourValue as CoreValue};
use prestasi_core::rules::development::DevelopmentForm as CoreForm;
use prestasi_core::rules::predikat::{Predikat as CorePredikat, Rating as CoreRating};
use prestasi_core::store::{self, DocStatus};
use prestasi_core::sync::bundle::BundleKind;
use prestasi_core::sync::{BundleExport, BundleImport, Credentials, LinkStatus, SyncEvent, SyncReport, Wipe};

macro_rules! mirror_enum {
    ($name:ident <=> $core:ty { $($v:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
        pub enum $name { $($v),+ }
        impl From<$core> for $name {
            fn from(c: $core) -> Self { match c { $(<$core>::$v => Self::$v),+ } }
        }
        impl From<$name> for $core {
            fn from(c: $name) -> Self { match c { $($name::$v => <$core>::$v),+ } }
        }
    };
}

mirror_enum!(Rating <=> CoreRating { DiBawahEkspektasi, SesuaiEkspektasi, DiAtasEkspektasi });
mirror_enum!(Predikat <=> CorePredikat { SangatBaik, Baik, ButuhPerbaikan, Kurang, SangatKurang });
mirror_enum!(AppraisalStatus <=> CoreStatus { Draft, Submitted, Reviewed, Locked });
mirror_enum!(BehaviourValue <=> CoreValue {
    BerorientasiPelayanan, Akuntabel, Kompeten, Harmonis, Loyal, Adaptif, Kolaboratif
});
mirror_enum!(Role <=> model::Role { Supervisor, Kiosk, Hr, Admin });
mirror_enum!(DevelopmentForm <=> CoreForm {
    Pelatihan, Workshop, Seminar, Kursus, Coaching, Mentoring, ELearning, PembelajaranJarakJauh, Magang,
    Benchmarking, Detasering, BelajarMandiri, TeamBuilding
});

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Enrollment {
    pub server_url: String,
    pub device_id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub role: Role,
    pub user: String,
    pub units: Vec<String>,
}

impl From<Credentials> for Enrollment {
    fn from(c: Credentials) -> Self {
        Self {
            server_url: c.server_url,
            device_id: c.device_id,
            tenant_id: c.tenant_id,
            tenant_name: c.tenant_name,
            role: c.role.into(),
            user: c.user,
            units: c.units,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Target {
    pub id: String,
    pub indicator: String,
    pub target: f64,
    pub realisation: Option<f64>,
    pub unit: String,
    pub main: bool,
    pub rating: Option<Rating>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BehaviourRating {
    pub value: BehaviourValue,
    pub rating: Option<Rating>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Dialogue {
    pub id: String,
    pub date: String,
    pub author_nip: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InnovationRecord {
    pub id: String,
    pub what: String,
    pub date: String,
    pub effect: String,
}

/// An appraisal as the app shows it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AppraisalRecord {
    pub id: String,
    pub employee_nip: String,
    pub period: String,
    pub unit_id: String,
    pub appraiser_nip: String,
    pub reviewer_nip: Option<String>,
    pub status: AppraisalStatus,
    pub hasil_kerja: Option<Rating>,
    pub perilaku: Option<Rating>,
    /// Derived from the two overall ratings.
    pub predikat: Option<Predikat>,
    pub notes: String,
    pub targets: Vec<Target>,
    pub behaviour: Vec<BehaviourRating>,
    pub dialogues: Vec<Dialogue>,
    pub innovations: Vec<InnovationRecord>,
}

impl AppraisalRecord {
    pub fn new(id: model::DocId, a: Appraisal) -> Self {
        let predikat = a.predikat().map(Into::into);
        let behaviour = CoreValue::ALL
            .into_iter()
            .map(|v| BehaviourRating {
                value: v.into(),
                rating: a.behaviour.get(&v).map(|r| (*r).into()),
                note: a.behaviour_notes.get(&v).cloned(),
            })
            .collect();
        Self {
            id: id.to_string(),
            employee_nip: a.employee_nip.to_string(),
            period: a.period,
            unit_id: a.unit_id,
            appraiser_nip: a.appraiser_nip.to_string(),
            reviewer_nip: a.reviewer_nip.map(|n| n.to_string()),
            status: a.status.into(),
            hasil_kerja: a.hasil_kerja.map(Into::into),
            perilaku: a.perilaku.map(Into::into),
            predikat,
            notes: a.notes,
            targets: a
                .targets
                .into_iter()
                .map(|t| Target {
                    id: t.id,
                    indicator: t.indicator,
                    target: t.target,
                    realisation: t.realisation,
                    unit: t.unit,
                    main: t.main,
                    rating: t.rating.map(Into::into),
                })
                .collect(),
            behaviour,
            dialogues: a
                .dialogues
                .into_iter()
                .map(|d| Dialogue { id: d.id, date: d.date.to_string(), author_nip: d.author_nip, text: d.text })
                .collect(),
            innovations: a
                .innovations
                .into_iter()
                .map(|n| InnovationRecord { id: n.id, what: n.what, date: n.date.to_string(), effect: n.effect })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AppraisalSummary {
    pub id: String,
    pub employee_nip: String,
    pub period: String,
    pub status: AppraisalStatus,
    pub predikat: Option<String>,
    pub local_changes: bool,
}

impl From<store::AppraisalSummary> for AppraisalSummary {
    fn from(s: store::AppraisalSummary) -> Self {
        Self {
            id: s.id.to_string(),
            employee_nip: s.employee_nip,
            period: s.period,
            status: s.status.into(),
            predikat: s.predikat,
            local_changes: s.local_changes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StaffMember {
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub appraisal: Option<AppraisalSummary>,
}

impl From<store::StaffMember> for StaffMember {
    fn from(s: store::StaffMember) -> Self {
        Self { nip: s.nip, name: s.name, unit_id: s.unit_id, appraisal: s.appraisal.map(Into::into) }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FeedbackSummary {
    pub id: String,
    pub unit_id: String,
    pub service: String,
    pub submitted_at: String,
}

impl From<store::FeedbackSummary> for FeedbackSummary {
    fn from(s: store::FeedbackSummary) -> Self {
        Self { id: s.id.to_string(), unit_id: s.unit_id, service: s.service, submitted_at: s.submitted_at }
    }
}

/// A citizen's answers: nine scores 1–4 (U1…U9), minutes waited, a comment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FeedbackInput {
    pub unit_id: Option<String>,
    pub service: String,
    pub scores: Vec<u8>,
    pub minutes_waited: u32,
    pub comment: String,
    pub officer_nip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TrainingInput {
    pub employee_nip: String,
    pub form: DevelopmentForm,
    pub title: String,
    pub provider: String,
    /// `YYYY-MM-DD`.
    pub start: String,
    pub end: String,
    pub hours: f64,
    /// Set when recording attendance at a BKPSDM programme.
    #[uniffi(default = None)]
    pub programme_id: Option<String>,
}

/// Where a record stands with the server.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum SyncState {
    OnlyOnDevice,
    OnServer,
    Rejected {
        code: String,
        reason: String,
    },
    /// Signed by a key the server has not bound yet: "menunggu verifikasi".
    AwaitingVerification,
}

/// A person with a signing key on this tablet.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Signer {
    pub person: String,
    pub public_key: String,
    /// `pending`, `bound`, `revoked` or `wiped`.
    pub status: String,
    /// The status in Bahasa Indonesia, ready to show.
    pub label: String,
    pub message: Option<String>,
    pub has_code: bool,
}

impl From<store::SignerInfo> for Signer {
    fn from(s: store::SignerInfo) -> Self {
        Self {
            person: s.person,
            public_key: s.public_key,
            status: s.status.as_str().to_string(),
            label: s.status.label_id().to_string(),
            message: s.message,
            has_code: s.has_code,
        }
    }
}

/// What a PIN entry came to, with the numbers a PIN prompt shows. The
/// exceptions `sign_in` raises for the same cases are flat (Kotlin and Swift
/// get only their message), so `try_sign_in` returns these instead.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum SignInOutcome {
    SignedIn {
        signer: Signer,
    },
    /// `attempts_left` wrong PINs before the key is wiped.
    WrongPin {
        attempts_left: u32,
        message: String,
    },
    /// Too many wrong PINs: the next try is allowed after `retry_after_secs`.
    PinLocked {
        retry_after_secs: u64,
        message: String,
    },
    /// The key was wiped: sign in anew with a new person code from BKPSDM.
    KeyWiped {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordStatus {
    pub kind: String,
    pub sync: SyncState,
    pub conflicts: u32,
}

impl From<DocStatus> for RecordStatus {
    fn from(s: DocStatus) -> Self {
        let sync = match s.sync {
            store::SyncState::OnlyOnDevice => SyncState::OnlyOnDevice,
            store::SyncState::OnServer => SyncState::OnServer,
            store::SyncState::Rejected { code, reason } => SyncState::Rejected { code, reason },
            store::SyncState::AwaitingVerification => SyncState::AwaitingVerification,
        };
        Self { kind: s.kind.as_str().to_string(), sync, conflicts: s.conflicts }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncSummary {
    pub pushed: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub pulled: u64,
    pub round_trips: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Batches whose acknowledgement was recorded.
    pub batches_acknowledged: u64,
}

impl From<SyncReport> for SyncSummary {
    fn from(r: SyncReport) -> Self {
        let n = |x: usize| x as u64;
        Self {
            pushed: n(r.pushed),
            accepted: n(r.accepted),
            rejected: n(r.rejected),
            pulled: n(r.pulled),
            round_trips: n(r.round_trips),
            bytes_sent: n(r.bytes_sent),
            bytes_received: n(r.bytes_received),
            batches_acknowledged: n(r.batches_acknowledged),
        }
    }
}

/// What waits for the link: for "12 dokumen (48 KB) menunggu sinyal".
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LinkInfo {
    pub pending_documents: u64,
    /// Upper bound of the bytes left to send.
    pub pending_bytes: u64,
    /// Throughput measured at the last sync; absent before the first.
    pub bytes_per_second: Option<f64>,
    pub batch_bytes: u64,
}

impl From<LinkStatus> for LinkInfo {
    fn from(l: LinkStatus) -> Self {
        Self {
            pending_documents: l.pending_documents,
            pending_bytes: l.pending_bytes,
            bytes_per_second: l.bytes_per_sec,
            batch_bytes: l.batch_bytes,
        }
    }
}

/// A bundle file written for the USB stick.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BundleWritten {
    pub bundle_id: String,
    pub documents: u64,
    /// Documents that did not fit: export again after the receipt.
    pub remaining: u64,
    pub bytes: u64,
}

impl From<BundleExport> for BundleWritten {
    fn from(b: BundleExport) -> Self {
        Self {
            bundle_id: b.bundle_id,
            documents: b.documents as u64,
            remaining: b.remaining as u64,
            bytes: b.bytes as u64,
        }
    }
}

/// What a revoked tablet did with its data: its store is deleted; what the
/// server had not acknowledged is in `bundles` (files in the app's private
/// storage: offer to copy them for BKPSDM, then delete them).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WipeReport {
    pub bundles: Vec<String>,
    pub documents: u64,
    /// The server recorded the wipe (BKPSDM sees the tablet as wiped).
    pub server_told: bool,
}

impl From<Wipe> for WipeReport {
    fn from(w: Wipe) -> Self {
        Self {
            bundles: w.bundles.iter().map(|p| p.display().to_string()).collect(),
            documents: w.documents as u64,
            server_told: w.server_told,
        }
    }
}

/// A receipt or scope bundle imported.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BundleRead {
    /// `receipt` or `scope`.
    pub kind: String,
    pub accepted: u64,
    pub rejected: u64,
    pub pulled: u64,
    /// This receipt had been imported before: nothing recorded again.
    pub already_imported: bool,
}

impl From<BundleImport> for BundleRead {
    fn from(b: BundleImport) -> Self {
        let kind = match b.kind {
            BundleKind::Push => "push",
            BundleKind::Receipt => "receipt",
            BundleKind::Scope => "scope",
            BundleKind::Enrollment => "enrollment",
        };
        Self {
            kind: kind.into(),
            accepted: b.accepted as u64,
            rejected: b.rejected as u64,
            pulled: b.pulled as u64,
            already_imported: b.already_imported,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum SyncStatusEvent {
    Started,
    Succeeded { summary: SyncSummary },
    Failed { message: String, offline: bool, retry_in_seconds: f64 },
    Stopped,
}

impl From<SyncEvent> for SyncStatusEvent {
    fn from(e: SyncEvent) -> Self {
        match e {
            SyncEvent::Started => Self::Started,
            SyncEvent::Succeeded(r) => Self::Succeeded { summary: r.into() },
            SyncEvent::Failed { message, offline, retry_in } => {
                Self::Failed { message, offline, retry_in_seconds: retry_in.as_secs_f64() }
            }
            SyncEvent::Stopped => Self::Stopped,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConflictValue {
    /// The value as JSON text (`"DiAtasEkspektasi"`, `95.0`).
    pub value: String,
    pub device: String,
    pub user: Option<String>,
    /// Device clock, RFC 3339.
    pub at: Option<String>,
    pub shown: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConflictRecord {
    pub path: String,
    pub values: Vec<ConflictValue>,
}

impl From<Conflict> for ConflictRecord {
    fn from(c: Conflict) -> Self {
        Self {
            path: c.path,
            values: c
                .values
                .into_iter()
                .map(|v| ConflictValue {
                    value: v.value.to_string(),
                    device: v.device,
                    user: v.user,
                    at: v.at.map(|t| t.to_rfc3339()),
                    shown: v.shown,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldChange {
    pub path: String,
    /// JSON text; `None` when removed.
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryRecord {
    pub hash: String,
    pub device: String,
    pub user: Option<String>,
    pub at: Option<String>,
    pub changes: Vec<FieldChange>,
}

impl From<HistoryEntry> for HistoryRecord {
    fn from(h: HistoryEntry) -> Self {
        Self {
            hash: h.hash,
            device: h.device,
            user: h.user,
            at: h.at.map(|t| t.to_rfc3339()),
            changes: h
                .changes
                .into_iter()
                .map(|c| FieldChange { path: c.path, value: c.value.map(|v| v.to_string()) })
                .collect(),
        }
    }
}
