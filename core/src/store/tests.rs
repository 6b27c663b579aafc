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

/// The key every file-backed store of these tests is encrypted under.
fn key() -> StoreKey {
    StoreKey::from_bytes(*b"kunci-uji-prestasi-32-byte-acak!")
}

#[test]
fn data_survives_reopening_and_device_id_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let (id, a) = appraisal(STAFF[0]);
    let device = {
        let store = Store::open(&path, &key()).unwrap();
        store.create(id, &a, &boss(&store)).unwrap();
        store
            .update::<Appraisal>(id, &boss(&store), |x| {
                x.notes = "Tersimpan".into();
                Ok(())
            })
            .unwrap();
        store.device_id()
    };
    let store = Store::open(&path, &key()).unwrap();
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
    drop(Store::open(&newer, &key()).unwrap());
    let raw = rusqlite::Connection::open(&newer).unwrap();
    key().apply(&raw).unwrap();
    raw.pragma_update(None, "user_version", 99).unwrap();
    drop(raw);
    assert!(matches!(Store::open(&newer, &key()), Err(StoreError::NewerSchema { found: 99, .. })));

    // Random bytes are what any encrypted file looks like to another key.
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, vec![0x5a; 8192]).unwrap();
    assert!(matches!(Store::open(&corrupt, &key()), Err(StoreError::WrongKey { .. })));

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE x (y)").unwrap();
    assert!(matches!(Store::open(&foreign, &key()), Err(StoreError::Corrupt { .. })));
    assert!(matches!(Store::encrypt_existing(&foreign, &key()), Err(StoreError::Corrupt { .. })));

    let nowhere = dir.path().join("no-such-dir").join("tablet.db");
    assert!(matches!(Store::open(&nowhere, &key()), Err(StoreError::Open { .. })));
    let err = Store::open(&nowhere, &key()).unwrap_err().to_string();
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

/// The store file and its WAL, as bytes (empty where missing).
fn raw_files(path: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    key::files(path).into_iter().map(|f| (f.clone(), std::fs::read(&f).unwrap_or_default())).collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

const NAME: &str = "Ani Rahmawati Wonggor";
const NOTE: &str = "Sangat teliti menyusun laporan kependudukan bulanan";

/// A store at `path` holding an appraisal of STAFF[0] with a note, and
/// STAFF[0]'s name on its roster; returns the appraisal's id.
fn write_secrets(store: &Store) -> DocId {
    store.create(DocId::new(), &employee(STAFF[0], NAME), &hr(store)).unwrap();
    let (id, a) = appraisal(STAFF[0]);
    store.create(id, &a, &boss(store)).unwrap();
    store
        .update::<Appraisal>(id, &boss(store), |x| {
            x.notes = NOTE.into();
            Ok(())
        })
        .unwrap();
    id
}

fn assert_no_plaintext(path: &std::path::Path) {
    for (file, bytes) in raw_files(path) {
        for secret in [STAFF[0], NAME, NOTE, "appraisal", "SQLite format 3"] {
            assert!(!contains(&bytes, secret), "{secret:?} in plaintext in {}", file.display());
        }
    }
}

#[test]
fn the_file_holds_no_plaintext_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let store = Store::open(&path, &key()).unwrap();
    let (version, provider): (String, String) = {
        let c = store.lock();
        (
            c.query_row("PRAGMA cipher_version", [], |r| r.get(0)).unwrap(),
            c.query_row("PRAGMA cipher_provider", [], |r| r.get(0)).unwrap(),
        )
    };
    assert!(version.starts_with('4'), "SQLCipher 4, got {version}");
    assert_eq!(provider, "openssl");
    let id = write_secrets(&store);
    // While open, the changes sit in the WAL: encrypted too.
    assert!(!std::fs::read(key::files(&path)[1].clone()).unwrap_or_default().is_empty(), "a WAL is written");
    assert_no_plaintext(&path);
    drop(store);
    assert_no_plaintext(&path);

    // The wrong key: a typed error, and not one byte of any file changes.
    let before = raw_files(&path);
    let wrong = StoreKey::from_bytes([0x11; 32]);
    let err = Store::open(&path, &wrong).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    assert!(err.user_message().contains("kunci"), "{}", err.user_message());
    assert_eq!(raw_files(&path), before, "a wrong key leaves the files untouched");
    assert!(matches!(StoreKey::from_slice(&[1; 16]), Err(StoreError::BadKey { len: 16 })));
    assert_eq!(format!("{:?}", key()), "StoreKey(…)", "Debug shows nothing of the key");

    // The right key: everything is there.
    let store = Store::open(&path, &key()).unwrap();
    assert_eq!(store.get::<Appraisal>(id).unwrap().notes, NOTE);
    assert_eq!(store.employee(STAFF[0]).unwrap().unwrap().1.name, NAME);
    assert!(store.check_integrity().unwrap());
}

#[test]
fn a_plaintext_store_from_before_encryption_is_encrypted_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let (id, device) = {
        // What an earlier build wrote: the same store, no key.
        let store = Store::init(rusqlite::Connection::open(&path).unwrap(), path.clone()).unwrap();
        (write_secrets(&store), store.device_id())
    };
    assert!(contains(&std::fs::read(&path).unwrap(), "SQLite format 3"));
    assert!(matches!(Store::open(&path, &key()), Err(StoreError::Unencrypted { .. })));

    assert!(Store::encrypt_existing(&path, &key()).unwrap());
    assert_no_plaintext(&path);
    assert!(!Store::encrypt_existing(&path, &key()).unwrap(), "once only");
    assert!(!dir.path().join("tablet.db.encrypting").exists());
    let store = Store::open(&path, &key()).unwrap();
    assert_eq!(store.device_id(), device, "the same store, its schema version and id kept");
    assert_eq!(store.get::<Appraisal>(id).unwrap().notes, NOTE);
    assert_eq!(store.unsynced_count().unwrap(), 2);
    assert!(matches!(Store::open(&path, &StoreKey::from_bytes([3; 32])), Err(StoreError::WrongKey { .. })));
}

#[test]
fn a_wiped_store_is_gone_from_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let store = Store::open(&path, &key()).unwrap();
    let device = store.device_id();
    write_secrets(&store);
    store.wipe().unwrap();
    assert!(store.is_wiped());
    for f in key::files(&path) {
        assert!(!f.exists(), "{} deleted", f.display());
    }
    assert!(!store.is_signed_in(BOSS), "keys closed");
    assert_eq!(store.unsynced_count().unwrap(), 0, "an empty stand-in, nothing of the data");
    drop(store);
    let fresh = Store::open(&path, &key()).unwrap();
    assert_ne!(fresh.device_id(), device, "a new, empty store");
    assert_eq!(fresh.unsynced_count().unwrap(), 0);
}
