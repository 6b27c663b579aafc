#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use chrono::{NaiveDate, Utc};

use super::*;
use crate::doc::DocKind;
use crate::model::{
    Appraisal, AppraisalStatus, Author, Channel, DocId, Employee, Feedback, PositionKind, Role, SkpTarget,
};
use crate::rules::nip::Nip;
use crate::rules::predikat::Rating;
use crate::rules::skm::Scores;

const STAFF: [&str; 2] = ["199307082019031090", "199512032018071666"];
const BOSS: &str = "198802182010062056";

fn nip(s: &str) -> Nip {
    Nip::parse(s).unwrap()
}

/// `person`, signed in on `store` (every change is signed by its author).
fn signed_in(store: &Store, person: &str, role: Role) -> Author {
    if !store.is_signed_in(person) {
        // With a person code: its changes go out with the next sync.
        store.sign_in(person, "123456", Some("KODE-UJI")).unwrap();
    }
    Author::new(person, store.device_id(), role)
}

fn hr(store: &Store) -> Author {
    signed_in(store, "hr:siti", Role::Hr)
}

fn boss(store: &Store) -> Author {
    signed_in(store, BOSS, Role::Supervisor)
}

fn employee(n: &str, name: &str) -> Employee {
    Employee {
        nip: nip(n),
        name: name.into(),
        rank: None,
        rank_since: None,
        education: None,
        position: PositionKind::Pelaksana,
        position_title: "Pengadministrasi Umum".into(),
        unit_id: "unit-0001".into(),
        superior_nip: Some(nip(BOSS)),
        active: true,
    }
}

fn appraisal(n: &str) -> (DocId, Appraisal) {
    let mut a = Appraisal::new(nip(n), "2026-Q3", "unit-0001", nip(BOSS)).unwrap();
    a.targets.push(SkpTarget::new("Surat keluar tepat waktu", 50.0, "surat", true).unwrap());
    (DocId::for_appraisal(&nip(n), "2026-Q3"), a)
}

fn feedback(minutes: u32) -> Feedback {
    Feedback {
        unit_id: "unit-0001".into(),
        service: "Akta kelahiran".into(),
        scores: Scores::new([3; 9]).unwrap(),
        minutes_waited: minutes,
        comment: "Cepat".into(),
        channel: Channel::Kiosk,
        submitted_at: Utc::now(),
        officer_nip: None,
    }
}

/// A store with the two staff on its roster (as synced down from HR).
fn roster(store: &Store) {
    for (n, name) in [(STAFF[0], "Ani"), (STAFF[1], "Budi")] {
        store.create(DocId::new(), &employee(n, name), &hr(store)).unwrap();
        // Roster rows come from the server: not this device's to upload.
    }
    for (id, _) in store.pending().unwrap() {
        let heads = store.changes_for_server(id).unwrap().heads;
        store.mark_acknowledged(id, &heads).unwrap();
    }
}

#[test]
fn data_survives_reopening_and_device_id_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let (id, a) = appraisal(STAFF[0]);
    let device = {
        let store = Store::open(&path).unwrap();
        store.create(id, &a, &boss(&store)).unwrap();
        store
            .update::<Appraisal>(id, &boss(&store), |x| {
                x.notes = "Tersimpan".into();
                Ok(())
            })
            .unwrap();
        store.device_id()
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.device_id(), device);
    assert_eq!(store.get::<Appraisal>(id).unwrap().notes, "Tersimpan");
    assert!(store.check_integrity().unwrap());
}

#[test]
fn many_edits_are_compacted_without_losing_history() {
    let store = Store::open_in_memory().unwrap();
    let (id, a) = appraisal(STAFF[0]);
    let me = boss(&store);
    store.create(id, &a, &me).unwrap();
    for i in 0..(COMPACT_AFTER * 2 + 3) {
        store
            .update::<Appraisal>(id, &me, |x| {
                x.targets[0].realisation = Some(i as f64);
                Ok(())
            })
            .unwrap();
    }
    let chunks: i64 = store.lock().query_row("SELECT count(*) FROM chunks", [], |r| r.get(0)).unwrap();
    assert!(chunks < COMPACT_AFTER, "{chunks} chunks left");
    assert_eq!(store.get::<Appraisal>(id).unwrap().targets[0].realisation, Some((COMPACT_AFTER * 2 + 2) as f64));
    assert_eq!(store.history(id).unwrap().len(), (COMPACT_AFTER * 2 + 4) as usize);
}

#[test]
fn offline_queries() {
    let store = Store::open_in_memory().unwrap();
    roster(&store);
    assert_eq!(store.unsynced_count().unwrap(), 0);
    let (id, a) = appraisal(STAFF[1]);
    store.create(id, &a, &boss(&store)).unwrap();
    store
        .update::<Appraisal>(id, &boss(&store), |x| {
            x.hasil_kerja = Some(Rating::SesuaiEkspektasi);
            x.perilaku = Some(Rating::DiAtasEkspektasi);
            x.status = AppraisalStatus::Submitted;
            Ok(())
        })
        .unwrap();
    let kiosk = signed_in(&store, "kios-1", Role::Kiosk);
    for m in [5, 15] {
        store.create(DocId::new(), &feedback(m), &kiosk).unwrap();
    }

    let staff = store.my_staff(BOSS, "2026-Q3").unwrap();
    assert_eq!(staff.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Ani", "Budi"]);
    assert!(staff[0].appraisal.is_none());
    let budi = staff[1].appraisal.as_ref().unwrap();
    assert_eq!((budi.status, budi.predikat.as_deref()), (AppraisalStatus::Submitted, Some("Baik")));
    assert!(store.my_staff(STAFF[0], "2026-Q3").unwrap().is_empty());
    assert!(store.my_staff(BOSS, "2026-Q4").unwrap().iter().all(|s| s.appraisal.is_none()));

    assert_eq!(store.appraisals_by_status(AppraisalStatus::Submitted, Some("2026-Q3")).unwrap().len(), 1);
    assert!(store.appraisals_by_status(AppraisalStatus::Draft, None).unwrap().is_empty());
    assert_eq!(store.unsynced_count().unwrap(), 3);
    assert_eq!(store.feedback_awaiting_upload().unwrap().len(), 2);
}

#[test]
fn sync_markers_follow_acknowledgement_and_rejection() {
    let store = Store::open_in_memory().unwrap();
    let me = boss(&store);
    let (id, a) = appraisal(STAFF[0]);
    store.create(id, &a, &me).unwrap();
    // Signed by a key the server has not bound yet: it goes out (a person
    // code waits with it) but shows as awaiting verification.
    assert_eq!(store.status(id).unwrap().sync, SyncState::AwaitingVerification);
    assert_eq!(store.pending().unwrap(), vec![(id, DocKind::Appraisal)]);
    let key = crate::signing::unhex(&store.signer(BOSS).unwrap().unwrap().public_key).unwrap();
    let bound = [crate::sync::protocol::SignerState {
        key: serde_bytes::ByteBuf::from(key),
        status: crate::sync::protocol::KeyStatus::Bound,
        message: None,
    }];
    store.apply_round_trip(&RoundTrip { signers: &bound, ..Default::default() }).unwrap();
    assert_eq!(store.signer(BOSS).unwrap().unwrap().status, SignerStatus::Bound);
    assert!(!store.signer(BOSS).unwrap().unwrap().has_code, "the code is spent");
    assert_eq!(store.status(id).unwrap().sync, SyncState::OnlyOnDevice);

    let out = store.changes_for_server(id).unwrap();
    let (bytes, heads) = (out.changes, out.heads);
    assert!(!bytes.is_empty());
    // An edit lands while the upload is in flight: still pending after the ack.
    store
        .update::<Appraisal>(id, &me, |x| {
            x.notes = "baru".into();
            Ok(())
        })
        .unwrap();
    store.mark_acknowledged(id, &heads).unwrap();
    assert_eq!(store.status(id).unwrap().sync, SyncState::OnlyOnDevice);
    let out = store.changes_for_server(id).unwrap();
    let (rest, heads2) = (out.changes, out.heads);
    assert!(rest.len() < bytes.len(), "only the new change is sent again");
    store.mark_acknowledged(id, &heads2).unwrap();
    assert_eq!(store.status(id).unwrap().sync, SyncState::OnServer);
    assert_eq!(store.unsynced_count().unwrap(), 0);

    store.mark_rejected(id, "locked", "Penilaian sudah dikunci BKPSDM").unwrap();
    assert_eq!(
        store.status(id).unwrap().sync,
        SyncState::Rejected { code: "locked".into(), reason: "Penilaian sudah dikunci BKPSDM".into() }
    );
    assert!(matches!(store.mark_rejected(DocId::new(), "x", "y"), Err(StoreError::NotFound { .. })));
}

#[test]
fn two_devices_exchange_documents_and_see_the_conflict() {
    let (t1, t2) = (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    let (id, a) = appraisal(STAFF[0]);
    t1.create(id, &a, &boss(&t1)).unwrap();
    assert_eq!(t2.import(id, &t1.export(id).unwrap()).unwrap(), DocKind::Appraisal);
    assert_eq!(t2.status(id).unwrap().sync, SyncState::OnServer, "imported data is not ours to upload");
    for (store, rating) in [(&t1, Rating::SesuaiEkspektasi), (&t2, Rating::DiBawahEkspektasi)] {
        store
            .update::<Appraisal>(id, &boss(store), |x| {
                x.perilaku = Some(rating);
                Ok(())
            })
            .unwrap();
    }
    t1.import(id, &t2.export(id).unwrap()).unwrap();
    t2.import(id, &t1.export(id).unwrap()).unwrap();
    assert_eq!(t1.get::<Appraisal>(id).unwrap(), t2.get::<Appraisal>(id).unwrap());
    assert_eq!(t1.status(id).unwrap().conflicts, 1);
    let c = t1.conflicts(id).unwrap();
    assert_eq!(c[0].path, "perilaku");
    // Importing the same bytes again changes nothing.
    let before = t1.export(id).unwrap();
    t1.import(id, &t2.export(id).unwrap()).unwrap();
    assert_eq!(t1.export(id).unwrap().len(), before.len());
    // Resolve on t2; after exchange both are clean.
    t2.resolve_conflict::<Appraisal>(id, "perilaku", 0, &boss(&t2)).unwrap();
    t1.import(id, &t2.export(id).unwrap()).unwrap();
    assert_eq!(t1.status(id).unwrap().conflicts, 0);
}

#[test]
fn bad_input_is_refused_and_nothing_is_lost() {
    let store = Store::open_in_memory().unwrap();
    let me = boss(&store);
    let (id, a) = appraisal(STAFF[0]);
    store.create(id, &a, &me).unwrap();
    assert!(matches!(store.create(id, &a, &me), Err(StoreError::AlreadyExists { .. })));
    let err = store
        .update::<Appraisal>(id, &me, |x| {
            x.targets[0].target = f64::NAN;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Validation(ref v) if v.field == "targets[0].target"), "{err}");
    assert!(matches!(store.get::<Feedback>(id), Err(StoreError::Document { .. })));
    assert!(matches!(store.get::<Appraisal>(DocId::new()), Err(StoreError::NotFound { .. })));
    assert!(store.import(DocId::new(), b"garbage").is_err());
    assert!(store.import(id, b"garbage").is_err());
    assert_eq!(store.get::<Appraisal>(id).unwrap(), a);
    let kiosk = signed_in(&store, "kios-1", Role::Kiosk);
    assert!(store.create(DocId::new(), &feedback(5_000), &kiosk).is_err());
    assert!(store.feedback_awaiting_upload().unwrap().is_empty());
}

#[test]
fn newer_corrupt_foreign_and_unwritable_stores_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.db");
    drop(Store::open(&newer).unwrap());
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    assert!(matches!(Store::open(&newer), Err(StoreError::NewerSchema { found: 99, .. })));

    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, vec![0x5a; 8192]).unwrap();
    assert!(matches!(Store::open(&corrupt), Err(StoreError::Corrupt { .. })));

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE x (y)").unwrap();
    assert!(matches!(Store::open(&foreign), Err(StoreError::Corrupt { .. })));

    let nowhere = dir.path().join("no-such-dir").join("tablet.db");
    assert!(matches!(Store::open(&nowhere), Err(StoreError::Open { .. })));
    let err = Store::open(&nowhere).unwrap_err().to_string();
    assert!(err.contains("no-such-dir"), "{err}");
}

#[test]
fn training_records_are_stored_and_projected() {
    let store = Store::open_in_memory().unwrap();
    let t = crate::model::Training {
        employee_nip: nip(STAFF[0]),
        form: crate::rules::development::DevelopmentForm::Workshop,
        title: "Pelayanan prima".into(),
        provider: "BKPSDM".into(),
        start: NaiveDate::from_ymd_opt(2026, 8, 3).unwrap(),
        end: NaiveDate::from_ymd_opt(2026, 8, 4).unwrap(),
        minutes: crate::model::Training::minutes_from_hours(15.0).unwrap(),
        programme_id: None,
    };
    let id = DocId::new();
    store.create(id, &t, &boss(&store)).unwrap();
    assert_eq!(store.get::<crate::model::Training>(id).unwrap().jp(), 20.0);
    let minutes: i64 = store.lock().query_row("SELECT minutes FROM trainings", [], |r| r.get(0)).unwrap();
    assert_eq!(minutes, 900);
}

#[test]
fn pins_are_counted_delayed_and_the_key_wiped() {
    let store = Store::open_in_memory().unwrap();
    let first = store.sign_in_at(BOSS, "123456", None, 0).unwrap();
    assert_eq!(first.status, SignerStatus::Pending);
    store.sign_out(BOSS);
    let (id, a) = appraisal(STAFF[0]);
    let me = Author::new(BOSS, store.device_id(), Role::Supervisor);
    // Signed out: nothing is written.
    assert!(matches!(store.create(id, &a, &me), Err(StoreError::NotSignedIn { .. })));
    assert!(store.get::<Appraisal>(id).is_err());
    // Pending without a code: the change waits on the device.
    store.sign_in_at(BOSS, "123456", None, 0).unwrap();
    store.create(id, &a, &me).unwrap();
    assert_eq!(store.status(id).unwrap().sync, SyncState::AwaitingVerification);
    assert!(store.pending().unwrap().is_empty(), "held back until a person code is entered");
    store.sign_in_at(BOSS, "123456", Some("ABCD-EFGH-JKLM"), 0).unwrap();
    assert_eq!(store.pending().unwrap().len(), 1);
    let sigs = store.changes_for_server(id).unwrap().sigs;
    assert_eq!(sigs.len(), 1, "one change by this device, the genesis needs none");
    assert!(
        crate::signing::verify_change(
            id,
            &automerge::ChangeHash(sigs[0].hash.as_slice().try_into().unwrap()),
            &sigs[0].key,
            &sigs[0].sig
        )
        .is_ok()
    );
    // Two wrong PINs free, then waits, then the key is wiped.
    let wrong = |now| store.sign_in_at(BOSS, "999999", None, now);
    assert!(matches!(wrong(1), Err(StoreError::WrongPin { attempts_left: 4 })));
    assert!(matches!(wrong(2), Err(StoreError::WrongPin { attempts_left: 3 })));
    assert!(matches!(wrong(3), Err(StoreError::WrongPin { attempts_left: 2 })));
    assert!(matches!(wrong(4), Err(StoreError::PinLocked { retry_after_secs: 30 })));
    assert!(matches!(store.sign_in_at(BOSS, "123456", None, 5), Err(StoreError::PinLocked { .. })));
    assert!(matches!(wrong(40_000), Err(StoreError::WrongPin { attempts_left: 1 })));
    assert!(matches!(wrong(200_000), Err(StoreError::KeyWiped { .. })));
    assert_eq!(store.signer(BOSS).unwrap().unwrap().status, SignerStatus::Wiped);
    // The next sign-in makes a new key; what was signed before stays signed.
    let again = store.sign_in_at(BOSS, "654321", None, 300_000).unwrap();
    assert_ne!(again.public_key, first.public_key);
    assert_eq!(again.status, SignerStatus::Pending);
    assert_eq!(store.changes_for_server(id).unwrap().sigs, sigs);
}

#[test]
fn a_person_code_goes_out_with_its_proof_after_sign_out() {
    let store = Store::open_in_memory().unwrap();
    store.sign_in(BOSS, "123456", Some("ABCD-EFGH-JKLM")).unwrap();
    store.sign_out(BOSS);
    let b = store.bindings().unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].code.as_deref(), Some("ABCD-EFGH-JKLM"));
    let proof = b[0].proof.as_ref().unwrap();
    assert!(crate::signing::verify_binding(&store.device_id().to_string(), BOSS, &b[0].key, proof).is_ok());
    // Without a code there is nothing to send.
    store.sign_in(STAFF[0], "123456", None).unwrap();
    assert_eq!(store.bindings().unwrap().len(), 1);
}
