//! The bulk path's contract: real, signed documents through the normal
//! checks, dated by the caller; existing documents left alone; a refusal
//! stores nothing of its batch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use chrono::DateTime;
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId, Employee, PositionKind, SkpTarget};
use prestasi_core::rules::{Nip, Rating};

use super::*;
use crate::storage::AppraisalFilter;
use crate::storage::sqlite::SqliteStorage;

const AT: i64 = 1_750_000_000_000;

fn employee(nip: &str, superior: Option<&str>) -> Employee {
    Employee {
        nip: Nip::parse(nip).unwrap(),
        name: format!("Pegawai {nip}"),
        rank: None,
        rank_since: None,
        education: None,
        position: PositionKind::Pelaksana,
        position_title: "Pengadministrasi".into(),
        unit_id: "unit-1".into(),
        superior_nip: superior.map(|s| Nip::parse(s).unwrap()),
        active: true,
    }
}

/// A locked appraisal, as HR records a past one.
fn locked(nip: &str, boss: &str) -> (DocId, Appraisal) {
    let nip = Nip::parse(nip).unwrap();
    let mut a = Appraisal::new(nip.clone(), "2025-S2", "unit-1", Nip::parse(boss).unwrap()).unwrap();
    let mut t = SkpTarget::new("Laporan", 4.0, "laporan", true).unwrap();
    t.realisation = Some(4.0);
    t.rating = Some(Rating::SesuaiEkspektasi);
    a.targets.push(t);
    a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.status = AppraisalStatus::Locked;
    (DocId::for_appraisal(&nip, "2025-S2"), a)
}

const BOSS: &str = "197001012000011001";
const STAFF: &str = "198502022010022002";

#[test]
fn seeds_signed_documents_dated_by_the_caller_and_once() {
    let storage = SqliteStorage::in_memory().unwrap();
    crate::admin::create_tenant(&storage, "uji", "Kabupaten Uji").unwrap();
    let server = crate::state::server_identity(&storage).unwrap();
    let (id, a) = locked(STAFF, BOSS);
    let records = vec![
        Seed { id: DocId::derived("employee/b"), record: Record::Employee(employee(BOSS, None)), received_at: AT },
        Seed {
            id: DocId::derived("employee/s"),
            record: Record::Employee(employee(STAFF, Some(BOSS))),
            received_at: AT,
        },
        // In the same batch as its employee: checked after it is stored.
        Seed { id, record: Record::Appraisal(a.clone()), received_at: AT + 1 },
    ];
    let mut calls = Vec::new();
    let done = seed(&storage, &server, "uji", "arsip", &records, &mut |n| calls.push(n)).unwrap();
    assert_eq!(done, Seeded { written: 3, existing: 0 });
    assert_eq!(calls, [3]);

    // A real document, by the server's actor in the officer's name, at the
    // given time, signed with the server's key.
    let stored = storage.document("uji", id).unwrap().expect("the document is stored");
    assert_eq!(stored.updated_at, AT + 1);
    let mut doc = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
    assert_eq!(doc.value().unwrap(), a);
    let history = crate::signatures::signed_history(&storage, "uji", &mut doc).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.entry.user.as_deref(), Some("arsip"));
    assert_eq!(last.entry.device, server.device.actor_hex());
    assert_eq!(last.entry.at, DateTime::from_timestamp_millis(AT + 1));
    assert!(last.signature.is_verified(), "{:?}", last.signature);
    // And projected like every write.
    let rows = storage.appraisals("uji", &AppraisalFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, AppraisalStatus::Locked);

    // The same records again: all there already, nothing written.
    let again = seed(&storage, &server, "uji", "arsip", &records, &mut |_| {}).unwrap();
    assert_eq!(again, Seeded { written: 0, existing: 3 });
    assert_eq!(storage.document("uji", id).unwrap().unwrap().heads, stored.heads);
}

#[test]
fn a_refused_record_stores_nothing_of_its_batch() {
    let storage = SqliteStorage::in_memory().unwrap();
    crate::admin::create_tenant(&storage, "uji", "Kabupaten Uji").unwrap();
    let server = crate::state::server_identity(&storage).unwrap();
    let (id, a) = locked(STAFF, BOSS);
    let records = vec![
        Seed { id: DocId::derived("employee/b"), record: Record::Employee(employee(BOSS, None)), received_at: AT },
        // The employee it names is unknown: the normal checks refuse it.
        Seed { id, record: Record::Appraisal(a), received_at: AT },
    ];
    let e = seed(&storage, &server, "uji", "arsip", &records, &mut |_| {}).unwrap_err();
    assert!(matches!(&e, AppError::Unprocessable { message, .. } if message.contains(&id.to_string())), "{e:?}");
    assert!(storage.document("uji", DocId::derived("employee/b")).unwrap().is_none());
    assert!(storage.employees("uji", None).unwrap().is_empty());
    // An id that is not the appraisal's derived one is refused as well.
    let (_, a) = locked(STAFF, BOSS);
    let wrong = [Seed { id: DocId::new(), record: Record::Appraisal(a), received_at: AT }];
    assert!(seed(&storage, &server, "uji", "arsip", &wrong, &mut |_| {}).is_err());
    // Unknown tenants are refused.
    assert!(matches!(seed(&storage, &server, "nope", "arsip", &[], &mut |_| {}), Err(AppError::NotFound { .. })));
}
