//! Re-verifying who signed each change of a document, offline.
//!
//! The server exports an [`AuditBundle`] per appraisal
//! (`GET /v1/hr/appraisals/{id}/audit`): the whole automerge document, the
//! signature of every change and the public keys with the person and device
//! each was bound to. [`verify_bundle`] checks every change against them
//! with no database and no network (`prestasi-server audit verify FILE`),
//! and [`verdict`] is the one rule the server's history view uses too.

use std::collections::HashMap;

use automerge::{AutoCommit, ChangeHash};
use serde::{Deserialize, Serialize};

use super::{hex, unhex, verify_change};
use crate::model::DocId;

pub const BUNDLE_FORMAT: &str = "prestasi-audit/1";

/// A change's signature as stored and exported (hex strings). `signed`
/// is the change the signature is over when it is not `hash` itself: the
/// last change of `hash`'s run (same device, same person, later), whose
/// hash covers `hash` as one of its ancestors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    pub key: String,
    pub sig: String,
}

/// Who wrote each change of a document, to check that a run's signature
/// covers a change: same actor, same message, no other message between.
#[derive(Debug, Default)]
pub struct ChangeIndex {
    by_hash: HashMap<ChangeHash, (String, u64, Option<String>)>,
    by_seq: HashMap<(String, u64), Option<String>>,
}

impl ChangeIndex {
    pub fn of(am: &mut AutoCommit) -> Self {
        let mut index = Self::default();
        for c in am.get_changes_meta(&[]) {
            let (actor, message) = (c.actor.to_hex_string(), c.message.as_deref().map(str::to_string));
            index.by_seq.insert((actor.clone(), c.seq), message.clone());
            index.by_hash.insert(c.hash, (actor, c.seq, message));
        }
        index
    }

    /// Does a signature over `signed` vouch for `change`?
    pub fn covers(&self, change: &ChangeHash, signed: &ChangeHash) -> bool {
        let (Some((actor, from, message)), Some((signed_actor, to, signed_message))) =
            (self.by_hash.get(change), self.by_hash.get(signed))
        else {
            return false;
        };
        actor == signed_actor
            && message == signed_message
            && from <= to
            && (*from..=*to).all(|seq| self.by_seq.get(&(actor.clone(), seq)) == Some(message))
    }
}

/// Who a public key was bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerRecord {
    pub key: String,
    /// NIP (or kiosk name); for the server's key, `server`.
    pub person: String,
    /// The device (UUID) the key was made on.
    pub device: String,
    /// The server's own key signs HR actions and the citizen form in the
    /// name of the officer its change message names.
    pub server: bool,
    pub bound_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBundle {
    pub format: String,
    pub tenant: String,
    pub doc_id: String,
    pub kind: String,
    /// The whole automerge document (`save()`), hex.
    pub document: String,
    pub signatures: Vec<SignatureRecord>,
    pub signers: Vec<SignerRecord>,
}

/// What can be said of one change's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Signed by a key bound to the person the change names, on the device
    /// that wrote it (or by the server's key for the officer it names).
    Verified { person: String, by_server: bool, key: String },
    /// No signature: written before signatures were required.
    Unsigned,
    /// A signature is there but does not verify, or its key is unknown, or
    /// bound to someone or some device else than the change names.
    Invalid { why: String },
}

impl Verdict {
    /// In Bahasa Indonesia, for the history view.
    pub fn label_id(&self) -> String {
        match self {
            Self::Verified { person, by_server: false, .. } => format!("ditandatangani oleh {person} (terverifikasi)"),
            Self::Verified { person, by_server: true, .. } => {
                format!("ditandatangani server BKPSDM atas nama {person} (terverifikasi)")
            }
            Self::Unsigned => "tanpa tanda tangan (ditulis sebelum tanda tangan diwajibkan, skema server 7)".into(),
            Self::Invalid { why } => format!("tanda tangan TIDAK SAH: {why}"),
        }
    }

    pub fn is_verified(&self) -> bool {
        matches!(self, Self::Verified { .. })
    }
}

/// The verdict on change `hash` of `doc`, written by actor `actor_hex`
/// naming `person`, given its signature and the signer it claims.
#[allow(clippy::too_many_arguments)]
pub fn verdict(
    doc: DocId,
    hash: &ChangeHash,
    actor_hex: &str,
    person: Option<&str>,
    sig: Option<&SignatureRecord>,
    signer: Option<&SignerRecord>,
    index: &ChangeIndex,
) -> Verdict {
    let invalid = |why: &str| Verdict::Invalid { why: why.to_string() };
    let Some(sig) = sig else { return Verdict::Unsigned };
    let (Some(key), Some(bytes)) = (unhex(&sig.key), unhex(&sig.sig)) else {
        return invalid("tanda tangan atau kunci bukan heksadesimal");
    };
    let signed = match &sig.signed {
        None => *hash,
        Some(h) => match unhex(h).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
            Some(b) if index.covers(hash, &ChangeHash(b)) => ChangeHash(b),
            _ => return invalid("tanda tangan untuk perubahan lain, bukan rangkaian perubahan ini"),
        },
    };
    if verify_change(doc, &signed, &key, &bytes).is_err() {
        return invalid("tanda tangan tidak cocok dengan perubahan ini");
    }
    let Some(signer) = signer.filter(|s| s.key == sig.key) else {
        return invalid("kunci penanda tangan tidak dikenal");
    };
    let device_hex = signer.device.parse::<uuid::Uuid>().map(|u| hex(u.as_bytes())).unwrap_or_default();
    if device_hex != actor_hex {
        return invalid("kunci milik perangkat lain");
    }
    let person = person.unwrap_or_default();
    if signer.server {
        return Verdict::Verified { person: person.to_string(), by_server: true, key: sig.key.clone() };
    }
    if signer.person != person {
        return invalid("kunci milik orang lain");
    }
    Verdict::Verified { person: person.to_string(), by_server: false, key: sig.key.clone() }
}

/// One change of an audited document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditLine {
    pub hash: String,
    pub device: String,
    pub person: Option<String>,
    /// Device clock, milliseconds since the epoch.
    pub time: i64,
    #[serde(flatten)]
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("not a {BUNDLE_FORMAT} bundle (format {0:?})")]
    Format(String),
    #[error("doc_id is not a UUID")]
    DocId,
    #[error("the document does not load: {0}")]
    Document(String),
}

/// Check every change of the bundle's document (the shared genesis, made
/// by the id's own actor at time 0 with no message, needs no signature).
pub fn verify_bundle(b: &AuditBundle) -> Result<Vec<AuditLine>, AuditError> {
    if b.format != BUNDLE_FORMAT {
        return Err(AuditError::Format(b.format.clone()));
    }
    let doc: DocId = b.doc_id.parse().map_err(|_| AuditError::DocId)?;
    let bytes = unhex(&b.document).ok_or_else(|| AuditError::Document("not hex".into()))?;
    let mut am = AutoCommit::load(&bytes).map_err(|e| AuditError::Document(e.to_string()))?;
    let genesis_actor = hex(doc.as_bytes());
    let index = ChangeIndex::of(&mut am);
    let mut lines = Vec::new();
    for c in am.get_changes_meta(&[]) {
        let actor = c.actor.to_hex_string();
        if actor == genesis_actor && c.message.is_none() && c.timestamp == 0 && c.seq == 1 {
            continue;
        }
        let hash = hex(&c.hash.0);
        let sig = b.signatures.iter().find(|s| s.hash == hash);
        let signer = sig.and_then(|s| b.signers.iter().find(|k| k.key == s.key));
        let person = c.message.as_deref().map(str::to_string);
        lines.push(AuditLine {
            verdict: verdict(doc, &c.hash, &actor, person.as_deref(), sig, signer, &index),
            hash,
            device: actor,
            person,
            time: c.timestamp,
        });
    }
    Ok(lines)
}
