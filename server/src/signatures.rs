//! Who signed each stored change: the history HR reads, and the bundle an
//! auditor re-verifies offline (`prestasi-server audit verify FILE`).
//!
//! The rule is [`prestasi_core::signing::audit::verdict`], the same one the
//! offline verifier applies, over the signatures stored with the chunks and
//! the keys bound on the server.

use std::collections::HashMap;

use prestasi_core::doc::{Document, HistoryEntry, Record};
use prestasi_core::model::DocId;
use prestasi_core::signing::audit::{
    AuditBundle, BUNDLE_FORMAT, ChangeIndex, SignatureRecord, SignerRecord, Verdict, verdict,
};
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
        .map(|s| SignatureRecord {
            signed: (s.signed != s.hash).then(|| hex(&s.signed)),
            hash: hex(&s.hash),
            key: hex(&s.key),
            sig: hex(&s.sig),
        })
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
    let index = ChangeIndex::of(doc.automerge());
    Ok(doc
        .history()
        .into_iter()
        .map(|entry| {
            let sig = sigs.iter().find(|s| s.hash == entry.hash);
            let signer = sig.and_then(|s| signers.iter().find(|k| k.key == s.key));
            let v = match unhex(&entry.hash).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                Some(h) => {
                    verdict(id, &automerge::ChangeHash(h), &entry.device, entry.user.as_deref(), sig, signer, &index)
                }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::storage::sqlite::SqliteStorage;

    #[test]
    fn an_imported_roster_is_signed_by_the_server_and_the_cli_reverifies_it() {
        let s = SqliteStorage::in_memory().unwrap();
        s.create_tenant("t", "T").unwrap();
        let server = crate::state::server_identity(&s).unwrap();
        let csv = "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN\n\
                   199307082019031090;Ani;u1;Unit;a;Agency;pelaksana;Staf\n";
        crate::admin::import_employees(&s, &server, "t", csv.as_bytes()).unwrap();
        let id = DocId::derived("employee/199307082019031090");
        let mut doc =
            Document::<prestasi_core::model::Employee>::load(id, &s.document("t", id).unwrap().unwrap().bytes).unwrap();
        let history = signed_history(&s, "t", &mut doc).unwrap();
        assert_eq!(history.len(), 1);
        assert!(
            matches!(&history[0].signature, Verdict::Verified { by_server: true, person, .. } if person == "import")
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("audit.json");
        let bundle = audit_bundle(&s, "t", id).unwrap().unwrap();
        std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
        assert!(crate::cli::audit_verify(&file, true).is_ok());
        let mut tampered = bundle;
        tampered.signatures[0].hash = "00".repeat(32);
        std::fs::write(&file, serde_json::to_vec(&tampered).unwrap()).unwrap();
        // The change has no signature left, the stray one matches nothing.
        assert!(crate::cli::audit_verify(&file, false).is_ok(), "unsigned is reported, not an error");
        assert!(crate::cli::audit_verify(&file, true).is_err(), "unless --strict");
        let mut forged = audit_bundle(&s, "t", id).unwrap().unwrap();
        forged.signatures[0].sig = "11".repeat(64);
        std::fs::write(&file, serde_json::to_vec(&forged).unwrap()).unwrap();
        assert!(crate::cli::audit_verify(&file, false).is_err());
        std::fs::write(&file, b"{not json").unwrap();
        assert!(crate::cli::audit_verify(&file, false).is_err());
    }
}
