//! A write is all or nothing: one whose closure fails, panics, or meets a
//! backend error leaves no trace (documents, chunks, view rows, signatures,
//! bindings), and the store goes on working.

use std::panic::{AssertUnwindSafe, catch_unwind};

use prestasi_core::doc::DocKind;
use prestasi_core::model::Appraisal;
use prestasi_core::rules::predikat::Rating;

use super::dataset::{answer, appraisal, employee, target};
use super::signers::{code, key, signer};
use super::*;

const T: &str = "manokwari";

/// A stored appraisal, then everything one failing write would do to it
/// and around it.
struct Scene {
    stored: Doc<Appraisal>,
    writes: Vec<DocWrite>,
    key: SignerRow,
    /// Signatures stored with the first chunk.
    first_sigs: usize,
}

fn scene(s: &dyn Storage) -> Scene {
    two_tenants(s);
    let mut a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    a.targets = vec![target("Pertama", 1.0, 1.0, true, Rating::SesuaiEkspektasi)];
    let mut stored = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), &a);
    let mut w = stored.write(T, "d1", 1);
    w.sigs = change_hashes(&w.chunk)
        .iter()
        .map(|h| StoredSig { hash: h.0.to_vec(), signed: h.0.to_vec(), key: vec![1; 32], sig: vec![1; 64] })
        .collect();
    let first_sigs = w.sigs.len();
    append(s, &w);
    s.create_person_code(&code("c1", STAFF, None)).unwrap();

    // An edit of the stored document (with a conflict), and new documents of several kinds.
    let mut fork = stored.doc.fork();
    stored.edit(|x| {
        x.targets.clear();
        x.notes = "Satu".into();
    });
    fork.edit(&hr_on(9), Utc::now(), |x| {
        x.notes = "Dua".into();
        Ok(())
    })
    .unwrap();
    stored.doc.merge(&mut fork).unwrap();
    let mut edit = stored.write(T, "d1", 2);
    edit.sigs = change_hashes(&edit.chunk)
        .iter()
        .map(|h| StoredSig { hash: h.0.to_vec(), signed: h.0.to_vec(), key: vec![2; 32], sig: vec![2; 64] })
        .collect();
    assert!(!edit.projection.conflicts.is_empty(), "fixture: the edit brings a conflict");
    let mut emp = Doc::new(DocId::new(), &employee(OTHER, "Dewi", "u2", None));
    let mut fb = Doc::new(DocId::new(), &answer("u2", "KTP", [3; 9], 4, "Lambat", Some(OTHER)));
    let mut other = Doc::new(DocId::new(), &employee(OTHER, "Dewi", "x1", None));
    let mut writes = vec![edit, emp.write(T, "d1", 2), fb.write(T, "d1", 2), other.write("lhokseumawe", "d1", 2)];
    writes[1].compacted = Some(emp.doc.save());
    Scene { stored, writes, key: key(5, STAFF, "dev-1"), first_sigs }
}

/// Everything the failed write touched is as it was, and the store works.
fn nothing_left(s: &dyn Storage, sc: &mut Scene, before: &(String, String)) {
    assert_eq!(everything(s, T), before.0, "nothing of the failed write is visible in its tenant");
    assert_eq!(everything(s, "lhokseumawe"), before.1, "nor in the other tenant it wrote to");
    assert_eq!(signer(s, &sc.key.public_key), None, "the key it bound is not bound");
    assert_eq!(s.document(T, sc.stored.id).unwrap().unwrap().chunk_count, 1, "the stored document keeps its one chunk");
    // The store goes on: the same writes succeed now, the code is unspent.
    let mut bound = false;
    s.write(&mut |tx| {
        for w in &sc.writes {
            tx.append(w)?;
        }
        bound = tx.bind_signer("c1", &sc.key, 10)?;
        Ok(())
    })
    .unwrap();
    assert!(bound, "the person code was not spent by the failed write");
    let d = s.document(T, sc.stored.id).unwrap().unwrap();
    assert_eq!((d.chunk_count, d.heads.clone()), (2, sc.stored.heads_text()), "the next write is stored");
    assert_eq!(s.conflicts(T).unwrap().len(), 1, "with its view rows");
    assert_eq!(s.feedback_count(T, None).unwrap(), 1);
    assert_eq!(
        s.signatures(T, sc.stored.id).unwrap().len(),
        sc.first_sigs + sc.writes[0].sigs.len(),
        "and its signatures"
    );
    assert_eq!(signer(s, &sc.key.public_key).map(|k| k.person), Some(STAFF.to_string()));
}

fn snapshot(s: &dyn Storage) -> (String, String) {
    (everything(s, T), everything(s, "lhokseumawe"))
}

pub(super) fn a_failed_write_leaves_nothing(s: &dyn Storage) {
    let mut sc = scene(s);
    let before = snapshot(s);
    let r = s.write(&mut |tx| {
        for w in &sc.writes {
            tx.append(w)?;
        }
        assert!(tx.bind_signer("c1", &sc.key, 10)?, "the binding itself is valid");
        Err(StorageError::Backend("disk full".into()))
    });
    assert!(
        matches!(&r, Err(StorageError::Backend(m)) if m == "disk full"),
        "write returns the closure's error, got {r:?}"
    );
    nothing_left(s, &mut sc, &before);
}

pub(super) fn a_panicking_write_leaves_nothing(s: &dyn Storage) {
    let mut sc = scene(s);
    let before = snapshot(s);
    let r = catch_unwind(AssertUnwindSafe(|| {
        s.write(&mut |tx| {
            for w in &sc.writes {
                tx.append(w)?;
            }
            tx.bind_signer("c1", &sc.key, 10)?;
            panic!("a deliberate panic inside a write (storage conformance)");
        })
    }));
    assert!(r.is_err(), "the panic reaches the caller");
    nothing_left(s, &mut sc, &before);
}

pub(super) fn a_backend_error_inside_a_write_undoes_it(s: &dyn Storage) {
    let mut sc = scene(s);
    let before = snapshot(s);
    let r = s.write(&mut |tx| {
        for w in &sc.writes {
            tx.append(w)?;
        }
        tx.bind_signer("c1", &sc.key, 10)?;
        // A document that does not exist: the backend's own error.
        let p = sc.writes[0].projection.clone();
        tx.reproject(T, DocId::new(), DocKind::Appraisal, 1, &p)
    });
    assert!(matches!(r, Err(StorageError::NotFound(_))), "the backend's error is returned, got {r:?}");
    nothing_left(s, &mut sc, &before);
}
