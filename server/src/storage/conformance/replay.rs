//! What the sync layer and the HR pages rely on being idempotent: a request
//! retried after a timeout, a restart re-running its start-up, a code sent
//! twice. Doing it again either changes nothing or is refused without a
//! trace.

use prestasi_core::doc::DocKind;

use super::admin::{device, enrollment, user};
use super::dataset::populate;
use super::inputs::{potential, programme, sanction, seat, unit_period};
use super::signers::{bind, code, key, signer};
use super::*;

const T: &str = "manokwari";

pub(super) fn admin_replays(s: &dyn Storage) {
    two_tenants(s);
    assert!(
        matches!(s.create_tenant("manokwari", "Nama lain"), Err(StorageError::Conflict(_))),
        "create_tenant twice: Conflict"
    );
    assert_eq!(s.tenants().unwrap().len(), 2, "and no second tenant");
    assert_eq!(s.tenant(T).unwrap().unwrap().name, "Kabupaten Manokwari", "nor a new name");
    let siti = user(T, "siti", Role::Hr);
    s.create_user(&siti).unwrap();
    let again = UserRow { password_hash: "new".into(), role: Role::Admin, ..siti.clone() };
    assert!(matches!(s.create_user(&again), Err(StorageError::Conflict(_))), "create_user twice: Conflict");
    assert_eq!(s.user(T, "siti").unwrap(), Some(siti), "the first user is unchanged");

    s.set_meta("server.device", "a").unwrap();
    s.set_meta("server.device", "a").unwrap();
    assert_eq!(s.meta("server.device").unwrap().as_deref(), Some("a"), "set_meta twice: one value");
    s.set_meta("server.device", "b").unwrap();
    assert_eq!(s.meta("server.device").unwrap().as_deref(), Some("b"), "set_meta is an upsert");

    s.create_enrollment(&enrollment("c1", T, 1_000)).unwrap();
    let first = s.redeem_enrollment("c1", &device("d1"), 5).unwrap();
    let r = s.redeem_enrollment("c1", &device("d1"), 6);
    assert!(
        matches!(r, Err(StorageError::EnrollmentInvalid)),
        "redeem_enrollment twice, same device: refused, got {r:?}"
    );
    let r = s.redeem_enrollment("c1", &device("d2"), 6);
    assert!(matches!(r, Err(StorageError::EnrollmentInvalid)), "and with another device, got {r:?}");
    assert_eq!(s.device("d1").unwrap(), Some(first.clone()), "the first device is intact");
    assert_eq!(s.devices(T).unwrap(), vec![first], "and alone");

    s.revoke_device("d1", "hilang", 7).unwrap();
    let revoked = s.device("d1").unwrap();
    s.revoke_device("d1", "hilang", 7).unwrap();
    assert_eq!(s.device("d1").unwrap(), revoked, "revoke_device twice: as once");
}

pub(super) fn input_replays(s: &dyn Storage) {
    two_tenants(s);
    let settings = r#"{"utc_offset_minutes":540}"#;
    s.set_settings(T, settings).unwrap();
    s.set_settings(T, settings).unwrap();
    let got: serde_json::Value = serde_json::from_str(&s.settings(T).unwrap().unwrap()).unwrap();
    assert_eq!(got, serde_json::json!({"utc_offset_minutes": 540}), "set_settings twice: one value");

    let row = unit_period("u1", "2026-Q3", Some("Baik"), Some(100));
    s.set_unit_period(T, &row).unwrap();
    s.set_unit_period(T, &row).unwrap();
    assert_eq!(s.unit_periods(T, "2026-Q3").unwrap(), vec![row], "set_unit_period twice: one row");

    let p = potential(STAFF, 75.0, "2026-06-01");
    s.set_potential(T, &p).unwrap();
    s.set_potential(T, &p).unwrap();
    assert_eq!(s.potentials(T).unwrap(), vec![p], "set_potential twice: one row");

    let x = sanction(STAFF, "Ringan", "2026-02-01", "Teguran");
    s.add_sanction(T, &x).unwrap();
    s.add_sanction(T, &x).unwrap();
    assert_eq!(s.sanctions(T).unwrap(), vec![x], "the same sanction twice: one row");

    let prog = programme("p1", "2026-07-01", &["u1"]);
    s.create_programme(T, &prog).unwrap();
    assert!(matches!(s.create_programme(T, &prog), Err(StorageError::Conflict(_))), "create_programme twice: Conflict");
    assert_eq!(s.programmes(T).unwrap(), vec![prog], "one programme");
    let seats = [seat(1, STAFF, "a"), seat(2, OTHER, "b")];
    s.set_seats(T, "p1", &seats).unwrap();
    s.set_seats(T, "p1", &seats).unwrap();
    assert_eq!(s.seats(T, "p1").unwrap(), seats.to_vec(), "set_seats twice: the same list");
}

pub(super) fn signer_replays(s: &dyn Storage) {
    two_tenants(s);
    let k = key(1, BOSS, "dev-1");
    s.insert_signer(&k).unwrap();
    s.insert_signer(&k).unwrap();
    s.insert_signer(&SignerRow { bound_at: 99, device_id: "dev-2".into(), ..k.clone() }).unwrap();
    assert_eq!(s.signers(T, None).unwrap(), vec![k.clone()], "insert_signer again: the first binding stays, alone");

    s.create_person_code(&code("c1", STAFF, None)).unwrap();
    let mine = key(2, STAFF, "dev-1");
    assert!(bind(s, "c1", &mine, 10), "a code binds once");
    assert!(!bind(s, "c1", &mine, 11), "the same binding again: false");
    assert!(!bind(s, "c1", &key(3, STAFF, "dev-1"), 11), "the used code for another key: false");
    assert_eq!(signer(s, &[3; 32]), None, "and nothing written");
    assert_eq!(signer(s, &[2; 32]), Some(mine), "the first key is intact");
    assert_eq!(s.signers(T, Some(STAFF)).unwrap().len(), 1);

    s.revoke_signer(T, &[1; 32], "PIN bocor", 50).unwrap();
    s.revoke_signer(T, &[1; 32], "alasan lain", 60).unwrap();
    let got = signer(s, &[1; 32]).unwrap();
    assert_eq!(
        (got.revoked_at, got.revoked_reason.as_deref()),
        (Some(50), Some("PIN bocor")),
        "revoke_signer again keeps the first revocation"
    );
}

pub(super) fn reproject_twice(s: &dyn Storage) {
    two_tenants(s);
    let ds = populate(s, T);
    let before = everything(s, T);
    // The server's own rebuild, as at a start after the view changed.
    s.set_meta("view.version", "0").unwrap();
    let n = crate::sync::reproject::reproject_if_stale(s).unwrap();
    assert_eq!(n, s.doc_ids(T, None, 1_000).unwrap().len() as u64, "every document re-projected");
    let once = everything(s, T);
    assert_eq!(once, before, "re-projecting what the view already holds changes nothing");
    s.set_meta("view.version", "0").unwrap();
    crate::sync::reproject::reproject_if_stale(s).unwrap();
    assert_eq!(everything(s, T), once, "re-projecting twice: the same rows");
    // Twice in one transaction, too.
    let doc = s.document(T, ds.a1.id).unwrap().unwrap();
    let mut d =
        Doc::<prestasi_core::model::Appraisal> { id: ds.a1.id, doc: Document::load(ds.a1.id, &doc.bytes).unwrap() };
    let p = d.projection();
    s.write(&mut |tx| {
        tx.reproject(T, d.id, DocKind::Appraisal, doc.updated_at, &p)?;
        tx.reproject(T, d.id, DocKind::Appraisal, doc.updated_at, &p)
    })
    .unwrap();
    assert_eq!(everything(s, T), once, "twice in one transaction: the same rows");
}
