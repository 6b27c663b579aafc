//! One conformance suite every storage backend must pass. Each backend's
//! test module calls [`run_all`] with a constructor of fresh, empty stores.
//!
//! A test suite compiled into the library (feature `conformance`), so it
//! panics on failure like any test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::Utc;
use prestasi_core::doc::{DocKind, Document};
use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;

use super::*;

const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";

pub fn run_all(make: &dyn Fn() -> Box<dyn Storage>) {
    tenants_users_and_sessions(make().as_ref());
    enrollment_codes_are_single_use(make().as_ref());
    written_documents_load_back_and_feed_the_merged_view(make().as_ref());
    a_failed_write_leaves_nothing(make().as_ref());
    pull_follows_cursor_origin_scope_and_tenant(make().as_ref());
    pull_pages_by_size(make().as_ref());
    compaction_keeps_every_change_reachable(make().as_ref());
    person_codes_bind_one_key_and_keys_revoke(make().as_ref());
}

fn person_codes_bind_one_key_and_keys_revoke(s: &dyn Storage) {
    s.create_tenant("t", "T").unwrap();
    let code = |hash: &str, device: Option<&str>| PersonCodeRow {
        code_hash: hash.into(),
        tenant_id: "t".into(),
        person: BOSS.into(),
        device_id: device.map(str::to_string),
        created_by: "hr".into(),
        created_at: 0,
        expires_at: 1_000,
    };
    let key = |k: u8, device: &str| SignerRow {
        public_key: vec![k; 32],
        tenant_id: "t".into(),
        person: BOSS.into(),
        device_id: device.into(),
        server: false,
        bound_at: 10,
        revoked_at: None,
        revoked_reason: None,
    };
    s.create_person_code(&code("c1", None)).unwrap();
    s.create_person_code(&code("c2", Some("dev-1"))).unwrap();
    let bind = |hash: &str, k: &SignerRow, now: i64| {
        let mut ok = false;
        s.write(&mut |tx| {
            ok = tx.bind_signer(hash, k, now)?;
            Ok(())
        })
        .unwrap();
        ok
    };
    // Another person's key, an expired or unknown code: refused.
    assert!(!bind("c1", &SignerRow { person: STAFF.into(), ..key(1, "dev-1") }, 10));
    assert!(!bind("c1", &key(1, "dev-1"), 5_000));
    assert!(!bind("nope", &key(1, "dev-1"), 10));
    // A device-bound code only on its device.
    assert!(!bind("c2", &key(2, "dev-2"), 10));
    assert!(bind("c2", &key(2, "dev-1"), 10));
    // A key already bound is not bound again (nor does it spend a code).
    assert!(!bind("c1", &key(2, "dev-1"), 10));
    assert!(bind("c1", &key(1, "dev-1"), 10));
    // Single use.
    assert!(!bind("c1", &key(3, "dev-1"), 10));
    let mut found = None;
    s.read(&mut |l| {
        found = l.signer(&[1; 32])?;
        Ok(())
    })
    .unwrap();
    assert_eq!(found, Some(key(1, "dev-1")));
    assert_eq!(s.signers("t", Some(BOSS)).unwrap().len(), 2);
    assert_eq!(s.device_signers("dev-1").unwrap().len(), 2);
    assert!(s.device_signers("dev-2").unwrap().is_empty());
    s.revoke_signer("t", &[1; 32], "PIN bocor", 20).unwrap();
    let revoked = s.signers("t", Some(BOSS)).unwrap().into_iter().find(|k| k.public_key == vec![1; 32]).unwrap();
    assert_eq!((revoked.revoked_at, revoked.revoked_reason.as_deref()), (Some(20), Some("PIN bocor")));
    assert!(matches!(s.revoke_signer("other", &[2; 32], "x", 20), Err(StorageError::NotFound(_))));
}

fn appraisal(period: &str) -> Appraisal {
    let mut a = Appraisal::new(Nip::parse(STAFF).unwrap(), period, "u1", Nip::parse(BOSS).unwrap()).unwrap();
    a.targets.push(SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap());
    a
}

fn write_doc(s: &dyn Storage, tenant: &str, origin: &str, a: &Appraisal) -> (DocId, u64) {
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let author = Author::new(BOSS, DeviceId::random(), Role::Supervisor);
    let mut doc = Document::create(id, a, &author, Utc::now()).unwrap();
    let mut seq = 0;
    s.write(&mut |tx| {
        seq = tx.append(&DocWrite {
            tenant: tenant.into(),
            id,
            kind: DocKind::Appraisal,
            chunk: doc.save(),
            compacted: None,
            heads: doc.heads(),
            origin: origin.into(),
            received_at: 1,
            projection: crate::sync::projection(id, &Record::Appraisal(a.clone()), Vec::new()),
            sigs: Vec::new(),
        })?;
        Ok(())
    })
    .unwrap();
    (id, seq)
}

fn two_tenants(s: &dyn Storage) {
    s.create_tenant("manokwari", "Kabupaten Manokwari").unwrap();
    s.create_tenant("lhokseumawe", "Kota Lhokseumawe").unwrap();
}

fn tenants_users_and_sessions(s: &dyn Storage) {
    two_tenants(s);
    assert!(matches!(s.create_tenant("manokwari", "x"), Err(StorageError::Conflict(_))));
    assert_eq!(s.tenant("manokwari").unwrap().unwrap().name, "Kabupaten Manokwari");
    assert!(s.tenant("nowhere").unwrap().is_none());
    let user =
        UserRow { tenant_id: "manokwari".into(), username: "siti".into(), password_hash: "h".into(), role: Role::Hr };
    s.create_user(&user).unwrap();
    assert!(matches!(s.create_user(&user), Err(StorageError::Conflict(_))));
    assert_eq!(s.user("manokwari", "siti").unwrap(), Some(user));
    assert!(s.user("lhokseumawe", "siti").unwrap().is_none(), "users are per tenant");
    let session = SessionRow {
        token_hash: "t".into(),
        tenant_id: "manokwari".into(),
        username: "siti".into(),
        role: Role::Hr,
        expires_at: 100,
    };
    s.create_session(&session).unwrap();
    assert_eq!(s.session("t", 99).unwrap(), Some(session));
    assert!(s.session("t", 100).unwrap().is_none(), "expired");
    s.delete_session("t").unwrap();
    assert!(s.session("t", 0).unwrap().is_none());
    s.set_meta("k", "v").unwrap();
    assert_eq!(s.meta("k").unwrap().as_deref(), Some("v"));
}

fn device(id: &str) -> DeviceRow {
    DeviceRow {
        id: id.into(),
        tenant_id: String::new(),
        role: Role::Kiosk,
        user_id: String::new(),
        units: Vec::new(),
        secret_hash: "secret".into(),
        enrolled_at: 0,
        revoked_at: None,
        revoked_reason: None,
    }
}

fn enrollment_codes_are_single_use(s: &dyn Storage) {
    two_tenants(s);
    let e = EnrollmentRow {
        code_hash: "c1".into(),
        tenant_id: "manokwari".into(),
        role: Role::Supervisor,
        user_id: BOSS.into(),
        units: vec!["u1".into(), "u2".into()],
        created_at: 0,
        expires_at: 1000,
    };
    s.create_enrollment(&e).unwrap();
    s.create_enrollment(&EnrollmentRow { code_hash: "c2".into(), expires_at: 10, ..e.clone() }).unwrap();
    let d = s.redeem_enrollment("c1", &device("d1"), 5).unwrap();
    assert_eq!((d.tenant_id.as_str(), d.role, d.units.len()), ("manokwari", Role::Supervisor, 2));
    assert!(matches!(s.redeem_enrollment("c1", &device("d2"), 6), Err(StorageError::EnrollmentInvalid)));
    assert!(matches!(s.redeem_enrollment("c2", &device("d3"), 10), Err(StorageError::EnrollmentInvalid)), "expired");
    assert!(matches!(s.redeem_enrollment("nope", &device("d4"), 1), Err(StorageError::EnrollmentInvalid)));
    assert_eq!(s.device("d1").unwrap().unwrap().user_id, BOSS);
    assert_eq!(s.devices("manokwari").unwrap().len(), 1);
    assert!(s.devices("lhokseumawe").unwrap().is_empty());
    s.revoke_device("d1", "tablet hilang", 7).unwrap();
    let d = s.device("d1").unwrap().unwrap();
    assert_eq!((d.revoked_at, d.revoked_reason.as_deref()), (Some(7), Some("tablet hilang")));
    assert!(matches!(s.revoke_device("nope", "x", 1), Err(StorageError::NotFound(_))));
}

fn written_documents_load_back_and_feed_the_merged_view(s: &dyn Storage) {
    two_tenants(s);
    let a = appraisal("2026-Q3");
    let (id, seq) = write_doc(s, "manokwari", "d1", &a);
    assert!(seq > 0);
    let stored = s.document("manokwari", id).unwrap().unwrap();
    assert_eq!(stored.kind, DocKind::Appraisal);
    assert_eq!(Document::<Appraisal>::load(id, &stored.bytes).unwrap().value().unwrap(), a);
    assert!(s.document("lhokseumawe", id).unwrap().is_none(), "tenants are separate");
    let rows = s.appraisals("manokwari", &AppraisalFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].employee_nip.as_str(), rows[0].status.as_str()), (STAFF, "draft"));
    assert_eq!(s.appraisal_targets("manokwari", id).unwrap()[0].indicator, "Indikator");
    assert!(s.appraisals("lhokseumawe", &AppraisalFilter::default()).unwrap().is_empty());
    let filtered = s.appraisals("manokwari", &AppraisalFilter { period: Some("2026-Q4".into()), unit: None }).unwrap();
    assert!(filtered.is_empty());
}

fn a_failed_write_leaves_nothing(s: &dyn Storage) {
    two_tenants(s);
    let a = appraisal("2026-Q3");
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let author = Author::new(BOSS, DeviceId::random(), Role::Supervisor);
    let mut doc = Document::create(id, &a, &author, Utc::now()).unwrap();
    let result = s.write(&mut |tx| {
        tx.append(&DocWrite {
            tenant: "manokwari".into(),
            id,
            kind: DocKind::Appraisal,
            chunk: doc.save(),
            compacted: None,
            heads: doc.heads(),
            origin: "d1".into(),
            received_at: 1,
            projection: crate::sync::projection(id, &Record::Appraisal(a.clone()), Vec::new()),
            sigs: Vec::new(),
        })?;
        Err(StorageError::Backend("disk full".into()))
    });
    assert!(result.is_err());
    assert!(s.document("manokwari", id).unwrap().is_none());
    assert!(s.appraisals("manokwari", &AppraisalFilter::default()).unwrap().is_empty());
}

fn pull_follows_cursor_origin_scope_and_tenant(s: &dyn Storage) {
    two_tenants(s);
    let (q3, seq1) = write_doc(s, "manokwari", "d1", &appraisal("2026-Q3"));
    let mut other_unit = appraisal("2026-Q4");
    other_unit.unit_id = "u9".into();
    let (q4, seq2) = write_doc(s, "manokwari", "d2", &other_unit);
    write_doc(s, "lhokseumawe", "d3", &appraisal("2026-Q3"));
    let all = Scope::Tenant;
    let q = |cursor, origin, scope| PullQuery {
        tenant: "manokwari",
        cursor,
        exclude_origin: origin,
        scope,
        max_bytes: 1 << 20,
    };
    let ids = |p: PullPage| p.docs.into_iter().map(|d| d.id).collect::<Vec<_>>();

    assert_eq!(ids(s.pull(&q(0, "hr", &all)).unwrap()), vec![q3, q4]);
    assert_eq!(ids(s.pull(&q(0, "d1", &all)).unwrap()), vec![q4], "own changes are not echoed");
    assert_eq!(ids(s.pull(&q(seq1, "hr", &all)).unwrap()), vec![q4]);
    let page = s.pull(&q(seq2 + 100, "hr", &all)).unwrap();
    assert!(page.docs.is_empty() && !page.more);

    let supervisor = |units: Vec<String>, user: &str| Scope::Units {
        units,
        user: user.into(),
        unit_kinds: vec![DocKind::Employee, DocKind::Unit, DocKind::Appraisal, DocKind::Mentoring],
        assigned_kinds: vec![DocKind::Appraisal],
    };
    let unit1 = supervisor(vec!["u1".into()], "199001012015011001");
    assert_eq!(ids(s.pull(&q(0, "hr", &unit1)).unwrap()), vec![q3]);
    let reviewer = supervisor(vec![], BOSS);
    assert_eq!(ids(s.pull(&q(0, "hr", &reviewer)).unwrap()), vec![q3, q4], "appraiser sees their appraisals");
    assert!(s.pull(&q(0, "hr", &Scope::Nothing)).unwrap().docs.is_empty());

    assert_eq!(s.fetch("manokwari", &[q3, q4], &unit1).unwrap().len(), 1);
    assert_eq!(s.fetch("lhokseumawe", &[q4], &Scope::Tenant).unwrap().len(), 0);
}

fn pull_pages_by_size(s: &dyn Storage) {
    two_tenants(s);
    let mut written = Vec::new();
    for p in ["2026-01", "2026-02", "2026-03", "2026-04"] {
        written.push(write_doc(s, "manokwari", "d1", &appraisal(p)).0);
    }
    let mut cursor = 0;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let page = s
            .pull(&PullQuery { tenant: "manokwari", cursor, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 })
            .unwrap();
        seen.extend(page.docs.iter().map(|d| d.id));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, written, "one document per page, none lost or repeated");
}

fn compaction_keeps_every_change_reachable(s: &dyn Storage) {
    two_tenants(s);
    let a = appraisal("2026-Q3");
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let author = Author::new(BOSS, DeviceId::random(), Role::Supervisor);
    let mut doc = Document::create(id, &a, &author, Utc::now()).unwrap();
    let append = |doc: &mut Document<Appraisal>, chunk: Vec<u8>, compact: bool| {
        let value = doc.value().unwrap();
        let compacted = compact.then(|| doc.save());
        let mut seq = 0;
        s.write(&mut |tx| {
            seq = tx.append(&DocWrite {
                tenant: "manokwari".into(),
                id,
                kind: DocKind::Appraisal,
                chunk: chunk.clone(),
                compacted: compacted.clone(),
                heads: doc.heads(),
                origin: "d1".into(),
                received_at: 1,
                projection: crate::sync::projection(id, &Record::Appraisal(value.clone()), Vec::new()),
                sigs: Vec::new(),
            })?;
            Ok(())
        })
        .unwrap();
        seq
    };
    let first = doc.save_incremental();
    let seq1 = append(&mut doc, first, false);
    for i in 0..3 {
        doc.edit(&author, Utc::now(), |x| {
            x.targets[0].realisation = Some(f64::from(i));
            Ok(())
        })
        .unwrap();
        let chunk = doc.save_incremental();
        append(&mut doc, chunk, i == 1);
    }
    let stored = s.document("manokwari", id).unwrap().unwrap();
    let loaded = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
    assert_eq!(loaded.value().unwrap().targets[0].realisation, Some(2.0));
    // A device that last synced before the compaction still gets everything.
    let page = s
        .pull(&PullQuery {
            tenant: "manokwari",
            cursor: seq1,
            exclude_origin: "x",
            scope: &Scope::Tenant,
            max_bytes: 1 << 20,
        })
        .unwrap();
    let mut copy = Document::<Appraisal>::load(id, &doc.save()).unwrap();
    copy.apply(&page.docs[0].bytes).unwrap();
    assert_eq!(copy.value().unwrap().targets[0].realisation, Some(2.0));
}
