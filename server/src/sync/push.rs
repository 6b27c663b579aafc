//! Accepting pushed documents: parse strictly, merge in memory, check, and
//! only then store.
//!
//! Two phases, so that the CPU work runs on every core while a tenant's
//! writes stay one at a time (on every backend): each document is checked
//! against a read snapshot
//! outside the write lock; then, in one write transaction per request, what
//! passed is appended — unless the document changed in between (another
//! device pushed it meanwhile), in which case it is checked again under the
//! lock.

use automerge::ChangeHash;
use prestasi_core::ValidationError;
use prestasi_core::doc::{DocError, DocKind, Document, genesis_hash};
use prestasi_core::error::Reason;
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Training, Unit};
use prestasi_core::signing::verify_change;
use prestasi_core::sync::protocol::{
    ChangeSig, PushDoc, PushOutcome, PushResult, RejectCode, Rejection, id_from_bytes,
};
use serde_bytes::ByteBuf;

use super::{Merged, Writer, access, signers};
use crate::config::Limits;
use crate::storage::{DocWrite, Lookup, Projection, Record, Storage, StorageError, StoredSig, View, WriteTx};

/// Folded into a new snapshot after this many chunks.
const COMPACT_AFTER: u64 = 32;
/// Signatures one pushed document may carry (one per change it sends; a
/// document of 1 MiB holds far fewer changes).
pub const MAX_SIGS_PER_DOC: usize = 4096;

/// Check and store every pushed document. Each gets its own outcome; a
/// refused one stores nothing and does not stop the others. Returns only
/// after the accepted ones are committed to disk.
pub fn push_all(
    storage: &dyn Storage,
    limits: &Limits,
    w: &Writer,
    docs: &[PushDoc],
    now_ms: i64,
) -> Result<Vec<PushResult>, StorageError> {
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    let mut checked = Vec::with_capacity(docs.len());
    storage.read(&mut |lookup| {
        checked.clear();
        for d in docs {
            checked.push(prepare_one(lookup, limits, w, d, now_ms)?);
        }
        Ok(())
    })?;
    // Written in the order of their ids: a backend that locks documents one
    // by one (PostgreSQL) then never sees two requests lock the same two
    // documents in opposite orders.
    let mut order: Vec<(usize, &PushDoc, &Checked)> =
        docs.iter().zip(&checked).enumerate().map(|(i, (d, c))| (i, d, c)).collect();
    order.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    let mut outcomes: Vec<(usize, PushResult)> = Vec::with_capacity(docs.len());
    let writing = std::time::Instant::now();
    storage.write(&mut |tx| {
        outcomes.clear();
        for &(i, d, c) in &order {
            let outcome = match c {
                Checked::Done(outcome) => outcome.clone(),
                Checked::Store { write, base, outcome } if tx.heads(&write.tenant, write.id)? == *base => {
                    tx.append(write)?;
                    outcome.clone()
                }
                // Changed since the check: check again under the lock.
                Checked::Store { .. } => {
                    let again = prepare_one(tx, limits, w, d, now_ms)?;
                    commit(tx, again)?
                }
            };
            outcomes.push((i, PushResult { id: d.id.clone(), outcome }));
        }
        Ok(())
    })?;
    outcomes.sort_by_key(|(i, _)| *i);
    let results: Vec<PushResult> = outcomes.into_iter().map(|(_, r)| r).collect();
    metrics::histogram!(crate::metrics::SYNC_WRITE).record(writing.elapsed());
    crate::metrics::pushed(&results);
    Ok(results)
}

/// A document checked, and what to store if it passed.
#[derive(Debug)]
pub(crate) enum Checked {
    /// Refused, or nothing new: nothing to store.
    Done(PushOutcome),
    /// Passed: append `write` if the document is still at `base`.
    Store { write: Box<DocWrite>, base: Option<String>, outcome: PushOutcome },
}

/// Store a checked document inside a write transaction.
pub(crate) fn commit(tx: &mut dyn WriteTx, c: Checked) -> Result<PushOutcome, StorageError> {
    match c {
        Checked::Done(outcome) => Ok(outcome),
        Checked::Store { write, outcome, .. } => {
            tx.append(&write)?;
            Ok(outcome)
        }
    }
}

fn reject(code: RejectCode, message: impl Into<String>, field: Option<String>) -> PushOutcome {
    PushOutcome::Rejected(Rejection { code, message: message.into(), field })
}

fn prepare_one(
    tx: &mut dyn Lookup,
    limits: &Limits,
    w: &Writer,
    d: &PushDoc,
    now: i64,
) -> Result<Checked, StorageError> {
    let done = |o| Ok(Checked::Done(o));
    let Some(id) = id_from_bytes(&d.id) else {
        return done(reject(RejectCode::Malformed, "Id dokumen tidak sah (harus UUID 16 byte).", Some("id".into())));
    };
    if d.sigs.len() > MAX_SIGS_PER_DOC {
        return done(reject(
            RejectCode::TooLarge,
            format!("Dokumen membawa {} tanda tangan, batas {MAX_SIGS_PER_DOC}.", d.sigs.len()),
            Some("sigs".into()),
        ));
    }
    if d.changes.len() > limits.max_doc_bytes {
        return done(reject(
            RejectCode::TooLarge,
            format!("Dokumen {} byte, batas {} byte.", d.changes.len(), limits.max_doc_bytes),
            None,
        ));
    }
    let Ok(kind) = DocKind::parse(&d.kind) else {
        return done(reject(
            RejectCode::WrongKind,
            format!("Jenis dokumen tidak dikenal: {:?}.", d.kind),
            Some("kind".into()),
        ));
    };
    let (c, sigs) = (&d.changes[..], &d.sigs[..]);
    match kind {
        DocKind::Employee => prepare::<Employee>(tx, w, id, c, sigs, now),
        DocKind::Unit => prepare::<Unit>(tx, w, id, c, sigs, now),
        DocKind::Appraisal => prepare::<Appraisal>(tx, w, id, c, sigs, now),
        DocKind::Feedback => prepare::<Feedback>(tx, w, id, c, sigs, now),
        DocKind::Training => prepare::<Training>(tx, w, id, c, sigs, now),
        DocKind::Mentoring => prepare::<Mentoring>(tx, w, id, c, sigs, now),
        DocKind::Allowance => prepare::<Allowance>(tx, w, id, c, sigs, now),
        DocKind::Award => prepare::<Award>(tx, w, id, c, sigs, now),
    }
}

fn doc_rejection(e: DocError) -> PushOutcome {
    match e {
        DocError::MissingDependencies { .. } => reject(
            RejectCode::MissingDependencies,
            "Perubahan bergantung pada data yang belum ada di server; kirim dokumen lengkap.",
            None,
        ),
        DocError::WrongKind { expected, found } => {
            reject(RejectCode::WrongKind, format!("Dokumen berisi {found}, bukan {expected}."), Some("kind".into()))
        }
        DocError::Validation(v) => invalid(v),
        other => {
            tracing::info!(error = %other, "pushed document refused as malformed");
            reject(RejectCode::Malformed, other.user_message(), None)
        }
    }
}

fn invalid(v: ValidationError) -> PushOutcome {
    let code = match v.reason {
        Reason::NotPermitted { .. } | Reason::Transition { .. } | Reason::Immutable => RejectCode::Forbidden,
        _ => RejectCode::Invalid,
    };
    PushOutcome::Rejected(Rejection { code, message: v.user_message(), field: Some(v.field) })
}

/// Check and store one document of kind `T` (server-side writes: import,
/// HR decisions, the citizen form): `w.signing_key` signs its new changes.
pub(crate) fn push_typed<T: Merged>(
    tx: &mut dyn WriteTx,
    w: &Writer,
    id: DocId,
    changes: &[u8],
    now: i64,
) -> Result<PushOutcome, StorageError> {
    let checked = check_typed::<T>(tx, w, id, changes, now)?;
    commit(tx, checked)
}

/// The first half of [`push_typed`]: every check, on any snapshot, and what
/// to store. The bulk seeding path (`admin::seed`) runs it on read
/// snapshots on every core, then stores what passed under the write lock
/// if the document is still at the checked version — the two phases of
/// [`push_all`].
pub(crate) fn check_typed<T: Merged>(
    lookup: &mut dyn Lookup,
    w: &Writer,
    id: DocId,
    changes: &[u8],
    now: i64,
) -> Result<Checked, StorageError> {
    prepare::<T>(lookup, w, id, changes, &[], now)
}

/// Check one document of kind `T`: the server's copy is only touched in
/// memory, and what to store is returned if every check passed.
fn prepare<T: Merged>(
    tx: &mut dyn Lookup,
    w: &Writer,
    id: DocId,
    changes: &[u8],
    sigs: &[ChangeSig],
    now: i64,
) -> Result<Checked, StorageError> {
    let done = |o| Ok(Checked::Done(o));
    let stored = tx.load(&w.tenant, id)?;
    if let Some(s) = &stored
        && s.kind != T::KIND
    {
        return done(reject(
            RejectCode::WrongKind,
            format!("Dokumen ini adalah {}.", s.kind.as_str()),
            Some("kind".into()),
        ));
    }
    let (mut doc, old, before) = match &stored {
        Some(s) => {
            let mut doc =
                Document::<T>::load(id, &s.bytes).map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?;
            let old = doc.value().map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?;
            let before = doc.heads();
            if let Err(e) = doc.apply(changes) {
                return done(doc_rejection(e));
            }
            (doc, Some(old), before)
        }
        None => match Document::<T>::load(id, changes) {
            Ok(doc) => (doc, None, Vec::new()),
            Err(e) => return done(doc_rejection(e)),
        },
    };
    let heads = doc.heads();
    if heads == before {
        // Nothing new: a replay. Acknowledge again, store nothing — if the
        // device may see this document at all.
        if let Some(old) = old {
            let record = old.into_record();
            if let Err(r) = access::check_write(tx, w, Some(&record), &record)? {
                return done(PushOutcome::Rejected(r));
            }
        }
        return done(PushOutcome::Accepted { heads: heads_bytes(&heads) });
    }
    let (runs, verified) = match change_author::<T>(tx, &mut doc, &before, w, id, sigs)? {
        Ok(authored) => authored,
        Err(refused) => return done(refused),
    };
    let new = match doc.value() {
        Ok(v) => v,
        Err(e) => return done(doc_rejection(e)),
    };
    if let Err(v) = new.validate() {
        return done(invalid(v));
    }
    if new.derived_id().is_some_and(|d| d != id) {
        return done(reject(
            RejectCode::InvalidId,
            "Id dokumen harus diturunkan dari pegawai dan periodenya (satu penilaian per pegawai per periode).",
            Some("id".into()),
        ));
    }
    // Each person's run of changes is checked as their step, on the state
    // it led to: an appraiser submitting and then the reviewer reviewing on
    // the same tablet, offline, is two steps by two signers.
    let mut prev = old.clone();
    let last = runs.len().saturating_sub(1);
    for (i, (author, until)) in runs.iter().enumerate() {
        let state = match until {
            Some(h) if i < last => {
                let mut at = before.clone();
                at.push(*h);
                match doc.value_at(&at) {
                    Ok(v) => v,
                    Err(e) => return done(doc_rejection(e)),
                }
            }
            _ => new.clone(),
        };
        if let Err(v) = T::check_change(prev.as_ref(), &state, &author.author) {
            if prev.as_ref().is_some_and(Merged::is_locked) {
                return done(reject(RejectCode::Locked, v.user_message(), Some(v.field)));
            }
            return done(invalid(v));
        }
        let prev_record = prev.clone().map(Merged::into_record);
        if let Err(r) = access::check_write(tx, author, prev_record.as_ref(), &state.clone().into_record())? {
            return done(PushOutcome::Rejected(r));
        }
        prev = Some(state);
    }
    let new_record = new.into_record();
    let w = runs.last().map_or(w, |(author, _)| author);
    let chunk = if stored.is_none() { changes.to_vec() } else { doc.changes_since(&before) };
    let compacted = stored.as_ref().filter(|s| s.chunk_count + 1 >= COMPACT_AFTER).map(|_| doc.save());
    let write = DocWrite {
        tenant: w.tenant.clone(),
        id,
        kind: T::KIND,
        chunk,
        compacted,
        heads: heads.clone(),
        origin: w.origin.clone(),
        received_at: now,
        projection: projection(id, &new_record, doc.conflicts()),
        sigs: verified,
    };
    let outcome = PushOutcome::Accepted { heads: heads_bytes(&heads) };
    Ok(Checked::Store { write: Box::new(write), base: stored.map(|s| s.heads), outcome })
}

/// The merged view and read keys of a document's new state.
pub fn projection(id: DocId, record: &Record, conflicts: Vec<prestasi_core::doc::Conflict>) -> Projection {
    Projection { view: View::of(&id.to_string(), record), read: super::access::read_keys(record), conflicts }
}

/// Who wrote the new changes, verified. Every change the server did not
/// have must be written by this device (its actor), name one person (its
/// message) and carry a valid signature by a key bound to that person on
/// this device and not revoked (the server's own writes are signed here,
/// by the server's key, in the name of the officer they name). On a
/// supervisor's unit tablet, which changes hands, that may be anyone bound
/// there, whose rights are then checked like anyone's but only inside the
/// device's units; kiosks and HR devices write as their enrolled user only.
/// Returns each person's run of consecutive changes (its last change) in
/// order, and the verified signatures.
/// The shared genesis of documents that have one must be exactly the
/// canonical change and needs no signature.
fn change_author<T: Merged>(
    tx: &mut dyn Lookup,
    doc: &mut Document<T>,
    before: &[ChangeHash],
    w: &Writer,
    id: DocId,
    sigs: &[ChangeSig],
) -> Result<Result<Authored, PushOutcome>, StorageError> {
    let refuse = |code: RejectCode, why: &str| Ok(Err(reject(code, why.to_string(), None)));
    let device = w.author.device.as_bytes().to_vec();
    let device_id = w.author.device.to_string();
    // Consecutive changes naming one person: each run is one signed step.
    let mut named_runs: Vec<(String, Vec<ChangeHash>)> = Vec::new();
    for c in doc.automerge().get_changes_meta(before) {
        if c.actor.to_bytes() == id.as_bytes().as_slice() {
            if Some(c.hash) == genesis_hash::<T>(id) {
                continue;
            }
            return refuse(RejectCode::ForeignAuthor, "Perubahan awal dokumen tidak sesuai bentuk bakunya.");
        }
        if c.actor.to_bytes() != device.as_slice() {
            return refuse(RejectCode::ForeignAuthor, "Perubahan ditulis oleh perangkat lain.");
        }
        let Some(named) = c.message.as_deref().filter(|m| !m.trim().is_empty()) else {
            return refuse(RejectCode::ForeignAuthor, "Perubahan tidak mencantumkan penggunanya.");
        };
        match named_runs.last_mut() {
            Some((p, hashes)) if p == named => hashes.push(c.hash),
            _ => named_runs.push((named.to_string(), vec![c.hash])),
        }
    }
    let by_hash: std::collections::HashMap<&[u8], &ChangeSig> = sigs.iter().map(|s| (s.hash.as_slice(), s)).collect();
    // A document's runs are mostly signed by one key: look each up once.
    let mut signers: std::collections::HashMap<Vec<u8>, Option<crate::storage::SignerRow>> =
        std::collections::HashMap::new();
    let mut runs: Vec<(String, ChangeHash)> = Vec::new();
    let mut verified = Vec::new();
    for (named, hashes) in named_runs {
        // The run's last change is signed; its hash covers the earlier ones
        // (same device, in order: they are its ancestors).
        let Some(&last) = hashes.last() else { continue };
        let sig = match &w.signing_key {
            Some(key) => ChangeSig {
                hash: ByteBuf::from(last.0.to_vec()),
                key: ByteBuf::from(key.public().to_vec()),
                sig: ByteBuf::from(key.sign_change(id, &last).to_vec()),
            },
            None => match by_hash.get(last.0.as_slice()) {
                Some(s) => (*s).clone(),
                None => return refuse(RejectCode::Unsigned, "Perubahan belum ditandatangani penggunanya."),
            },
        };
        if verify_change(id, &last, &sig.key, &sig.sig).is_err() {
            return refuse(RejectCode::BadSignature, "Tanda tangan perubahan tidak sah untuk dokumen ini.");
        }
        let signer = match signers.get(sig.key.as_slice()) {
            Some(known) => known.clone(),
            None => {
                let found = tx.signer(&sig.key)?;
                signers.insert(sig.key.to_vec(), found.clone());
                found
            }
        };
        let Some(signer) = signer else {
            return refuse(
                RejectCode::UnknownSigner,
                "Kunci tanda tangan belum terverifikasi di BKPSDM; masukkan kode verifikasi pegawai.",
            );
        };
        if signer.device_id != device_id || !(signer.server || signer.tenant_id == w.tenant) {
            return refuse(RejectCode::UnknownSigner, "Kunci tanda tangan bukan milik perangkat ini.");
        }
        if signer.revoked_at.is_some() {
            let m = signers::revoked_message(signer.revoked_reason.as_deref());
            return refuse(RejectCode::RevokedSigner, &m);
        }
        // The signer, not the message, is who wrote it (the server signs
        // in the name of the officer it names).
        let who = if signer.server { named.clone() } else { signer.person.clone() };
        if who != named {
            return refuse(RejectCode::ForeignAuthor, "Perubahan atas nama orang lain daripada penanda tangannya.");
        }
        let shared_tablet = w.author.role == prestasi_core::model::Role::Supervisor;
        if who != w.author.user && !shared_tablet {
            return refuse(RejectCode::ForeignAuthor, "Perubahan ditulis atas nama pengguna lain.");
        }
        verified.extend(hashes.iter().map(|h| StoredSig {
            hash: h.0.to_vec(),
            signed: last.0.to_vec(),
            key: sig.key.to_vec(),
            sig: sig.sig.to_vec(),
        }));
        runs.push((who, last));
    }
    let as_person = |person: String| {
        let mut author = w.clone();
        author.author.user = person;
        author
    };
    let mut authored: Vec<(Writer, Option<ChangeHash>)> =
        runs.into_iter().map(|(person, last)| (as_person(person), Some(last))).collect();
    if authored.is_empty() {
        // Only the shared genesis is new: written by nobody in particular.
        authored.push((w.clone(), None));
    }
    Ok(Ok((authored, verified)))
}

/// Each person's run of changes (with its last change; `None` when only the
/// shared genesis is new), and the verified signatures.
type Authored = (Vec<(Writer, Option<ChangeHash>)>, Vec<StoredSig>);

fn heads_bytes(heads: &[ChangeHash]) -> Vec<ByteBuf> {
    heads.iter().map(|h| ByteBuf::from(h.as_ref().to_vec())).collect()
}

#[cfg(test)]
#[path = "push_tests.rs"]
mod tests;
