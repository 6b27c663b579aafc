//! Who signed each stored change: the history HR reads, and the bundle an
//! auditor re-verifies offline (`prestasi-server audit verify FILE`).
//!
//! The rule is [`prestasi_core::signing::audit::verdict`], the same one the
//! offline verifier applies, over the signatures stored with the chunks and
//! the keys bound on the server.

use std::collections::HashMap;

use prestasi_core::doc::{Document, HistoryEntry, Record};
use prestasi_core::model::DocId;
use prestasi_core::signing::audit::{AuditBundle, BUNDLE_FORMAT, SignatureRecord, SignerRecord, Verdict, verdict};
use prestasi_core::signing::{hex, unhex};
use serde::Serialize;

use crate::storage::{Storage, StorageError};

/// One history entry with the verdict on its signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignedEntry {
    #[serde(flatten)]
    pub entry: HistoryEntry,
    pub signature: Verdict,
    /// The verdict in Bahasa Indonesia, e.g. "ditandatangani oleh … (terverifikasi)".
    pub signature_label: String,
}

/// The stored signatures of document `id` and the keys that made them.
fn signatures_and_signers(
    storage: &dyn Storage,
    tenant: &str,
    id: DocId,
) -> Result<(Vec<SignatureRecord>, Vec<SignerRecord>), StorageError> {
    let sigs: Vec<SignatureRecord> = storage
        .signatures(tenant, id)?
        .into_iter()
        .map(|s| SignatureRecord { hash: hex(&s.hash), key: hex(&s.key), sig: hex(&s.sig) })
        .collect();
    let mut signers: HashMap<String, SignerRecord> = HashMap::new();
    storage.read(&mut |l| {
        for s in &sigs {
            if signers.contains_key(&s.key) {
                continue;
            }
            let Some(key) = unhex(&s.key) else { continue };
            if let Some(row) = l.signer(&key)?.filter(|r| r.server || r.tenant_id == tenant) {
                signers.insert(s.key.clone(), row.record());
            }
        }
        Ok(())
    })?;
    Ok((sigs, signers.into_values().collect()))
}

/// `doc`'s history, oldest first, each change with its signature's verdict.
pub fn signed_history<T: Record>(
    storage: &dyn Storage,
    tenant: &str,
    doc: &mut Document<T>,
) -> Result<Vec<SignedEntry>, StorageError> {
    let id = doc.id();
    let (sigs, signers) = signatures_and_signers(storage, tenant, id)?;
    Ok(doc
        .history()
        .into_iter()
        .map(|entry| {
            let sig = sigs.iter().find(|s| s.hash == entry.hash);
            let signer = sig.and_then(|s| signers.iter().find(|k| k.key == s.key));
            let v = match unhex(&entry.hash).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                Some(h) => verdict(id, &automerge::ChangeHash(h), &entry.device, entry.user.as_deref(), sig, signer),
                None => Verdict::Invalid { why: "hash perubahan tidak terbaca".into() },
            };
            SignedEntry { signature_label: v.label_id(), signature: v, entry }
        })
        .collect())
}

/// Everything an auditor needs to re-verify document `id` offline.
pub fn audit_bundle(storage: &dyn Storage, tenant: &str, id: DocId) -> Result<Option<AuditBundle>, StorageError> {
    let Some(stored) = storage.document(tenant, id)? else { return Ok(None) };
    // A whole, compressed save: what `verify_bundle` loads.
    let document = automerge::AutoCommit::load(&stored.bytes)
        .map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?
        .save();
    let (signatures, signers) = signatures_and_signers(storage, tenant, id)?;
    Ok(Some(AuditBundle {
        format: BUNDLE_FORMAT.into(),
        tenant: tenant.into(),
        doc_id: id.to_string(),
        kind: stored.kind.as_str().into(),
        document: hex(&document),
        signatures,
        signers,
    }))
}
