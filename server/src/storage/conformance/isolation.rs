//! Tenant isolation: every read that takes a tenant sees that tenant's rows
//! only, even where another tenant has rows under the same document ids,
//! NIPs, unit ids, programme ids and keys.

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, AppraisalStatus, Feedback};
use prestasi_core::rules::predikat::{Predikat, Rating};

use super::dataset::{Dataset, answer, appraisal, employee, jan_feb, mentoring, populate, target, training, unit};
use super::inputs::{potential, programme, sanction, seat, unit_period};
use super::signers::{bind, code, key};
use super::*;

const A: &str = "manokwari";
const B: &str = "lhokseumawe";

/// Tenant B's rows, under tenant A's ids.
struct Theirs {
    unit: UnitRow,
    staff: Doc<prestasi_core::model::Employee>,
    appraisal: Doc<Appraisal>,
    feedback: Doc<Feedback>,
    sig: StoredSig,
    training: TrainingRow,
    mentoring: MentoringRow,
    received_at: i64,
}

fn theirs(s: &dyn Storage, ds: &Dataset) -> Theirs {
    let at = ds.f1.received_at;
    let mut u = store(s, B, ds.u1.id, &unit("x1", "Seksi Layanan", ("b1", "Disdukcapil Lhokseumawe"), None), at);
    let View::Unit(unit) = u.projection().view else { unreachable!() };
    let staff = store(s, B, ds.staff.id, &employee(STAFF, "Rina Lhokseumawe", "x1", None), at);
    let mut a = appraisal(STAFF, "2026-Q2", "x1", REVIEWER);
    a.targets = vec![target("Target B", 10.0, 1.0, true, Rating::DiBawahEkspektasi)];
    a.hasil_kerja = Some(Rating::DiBawahEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    assert_eq!(DocId::for_appraisal(&a.employee_nip, &a.period), ds.a1.id, "fixture: the same appraisal id as A's");
    let mut apr = Doc::new(ds.a1.id, &a);
    let mut w = apr.write(B, "b-tablet", at);
    let h = change_hashes(&w.chunk)[0];
    let sig = StoredSig { hash: h.0.to_vec(), signed: h.0.to_vec(), key: vec![42; 32], sig: vec![42; 64] };
    w.sigs = vec![sig.clone()];
    append(s, &w);
    let feedback = store(s, B, ds.f1.id, &answer("x1", "KK", [1; 9], 30, "Lhokseumawe", Some(STAFF)), at);
    let x = prestasi_core::model::Training {
        programme_id: Some("p1".into()),
        ..training(OTHER, "Pelatihan B", "2026-03-01", "2026-03-02", 100)
    };
    let mut t = store(s, B, ds.t3.id, &x, at);
    let View::Training(training) = t.projection().view else { unreachable!() };
    let mut m = store(s, B, ds.m1.id, &mentoring(REVIEWER, STAFF, "x1", &[20]), at);
    let View::Mentoring(mentoring) = m.projection().view else { unreachable!() };
    Theirs { unit, staff, appraisal: apr, feedback, sig, training, mentoring, received_at: at }
}

fn inputs(s: &dyn Storage, t: &str, n: f64) {
    s.set_settings(t, &format!(r#"{{"tenant":"{t}"}}"#)).unwrap();
    s.set_unit_period(t, &unit_period("u1", "2026-Q2", Some(t), Some(n as u64))).unwrap();
    s.set_potential(t, &potential(STAFF, n, "2026-06-01")).unwrap();
    s.add_sanction(t, &sanction(STAFF, "Ringan", "2026-01-01", t)).unwrap();
    s.create_programme(t, &ProgrammeRow { title: t.into(), ..programme("p1", "2026-07-01", &["u1"]) }).unwrap();
    s.set_seats(t, "p1", &[seat(1, STAFF, t)]).unwrap();
    s.insert_signer(&SignerRow { tenant_id: t.into(), ..key(n as u8, STAFF, &format!("{t}-dev")) }).unwrap();
    s.create_enrollment(&super::admin::enrollment(&format!("{t}-code"), t, 1_000)).unwrap();
    s.redeem_enrollment(&format!("{t}-code"), &super::admin::device(&format!("{t}-dev")), 1).unwrap();
}

fn check_inputs(s: &dyn Storage, t: &str, n: f64) {
    let settings: serde_json::Value = serde_json::from_str(&s.settings(t).unwrap().unwrap()).unwrap();
    assert_eq!(settings, serde_json::json!({ "tenant": t }), "settings of {t}");
    assert_eq!(
        s.unit_periods(t, "2026-Q2").unwrap(),
        vec![unit_period("u1", "2026-Q2", Some(t), Some(n as u64))],
        "unit periods of {t}"
    );
    assert_eq!(s.potentials(t).unwrap(), vec![potential(STAFF, n, "2026-06-01")], "potentials of {t}");
    assert_eq!(s.sanctions(t).unwrap(), vec![sanction(STAFF, "Ringan", "2026-01-01", t)], "sanctions of {t}");
    assert_eq!(
        s.programmes(t).unwrap().iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
        vec![t],
        "programmes of {t}"
    );
    assert_eq!(s.seats(t, "p1").unwrap(), vec![seat(1, STAFF, t)], "seats of {t}");
    assert_eq!(
        s.signers(t, None).unwrap().iter().map(|k| k.public_key[0]).collect::<Vec<_>>(),
        vec![n as u8],
        "keys of {t}"
    );
    assert_eq!(
        s.devices(t).unwrap().iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        vec![format!("{t}-dev")],
        "devices of {t}"
    );
}

/// Every read that takes a tenant, on one that has nothing.
fn assert_empty(s: &dyn Storage, t: &str) {
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    let any = DocId::new();
    let (pulled, _) = pull_all(s, t, 0, "x", &Scope::Tenant);
    assert!(pulled.is_empty(), "pull in {t}");
    assert!(s.fetch(t, &[any], &Scope::Tenant).unwrap().is_empty(), "fetch in {t}");
    assert!(s.user(t, "siti").unwrap().is_none(), "user in {t}");
    assert!(s.devices(t).unwrap().is_empty(), "devices in {t}");
    assert!(s.appraisals(t, &AppraisalFilter::default()).unwrap().is_empty(), "appraisals in {t}");
    assert!(s.employees(t, None).unwrap().is_empty(), "employees in {t}");
    assert_eq!(s.feedback_count(t, None).unwrap(), 0, "feedback_count in {t}");
    assert!(s.conflicts(t).unwrap().is_empty(), "conflicts in {t}");
    assert!(s.doc_ids(t, None, 100).unwrap().is_empty(), "doc_ids in {t}");
    assert!(s.signers(t, None).unwrap().is_empty(), "signers in {t}");
    assert!(s.units(t).unwrap().is_empty(), "units in {t}");
    assert!(s.staff(t).unwrap().is_empty(), "staff in {t}");
    assert!(s.periods(t).unwrap().is_empty(), "periods in {t}");
    let periods = ["2026-Q2".to_string(), "2026-Q3".to_string()];
    assert!(s.appraisal_facts(t, &periods, None).unwrap().is_empty(), "appraisal_facts in {t}");
    assert!(s.appraisal_ratings(t, "2026-Q2").unwrap().is_empty(), "appraisal_ratings in {t}");
    assert!(s.predikats(t, "2026-Q2").unwrap().is_empty(), "predikats in {t}");
    assert!(s.feedback_by_service(t, all).unwrap().is_empty(), "feedback_by_service in {t}");
    assert!(s.feedback_by_officer(t, all, None).unwrap().is_empty(), "feedback_by_officer in {t}");
    assert!(
        s.feedback_by_officer(t, all, Some(&[STAFF.to_string()])).unwrap().is_empty(),
        "feedback_by_officer (few) in {t}"
    );
    assert!(s.feedback_comments(t, all, None, None, 100).unwrap().is_empty(), "feedback_comments in {t}");
    assert!(s.waiting_by_month(t, jan_feb(), 0).unwrap().is_empty(), "waiting_by_month in {t}");
    assert!(s.trainings(t, "0000-01-01", "9999-12-31").unwrap().is_empty(), "trainings in {t}");
    assert!(s.training_minutes(t, "0000-01-01", "9999-12-31").unwrap().is_empty(), "training_minutes in {t}");
    assert!(s.mentoring(t).unwrap().is_empty(), "mentoring in {t}");
    assert!(s.settings(t).unwrap().is_none(), "settings in {t}");
    assert!(s.unit_periods(t, "2026-Q2").unwrap().is_empty(), "unit_periods in {t}");
    assert!(s.potentials(t).unwrap().is_empty(), "potentials in {t}");
    assert!(s.sanctions(t).unwrap().is_empty(), "sanctions in {t}");
    assert!(s.programmes(t).unwrap().is_empty(), "programmes in {t}");
    assert!(s.seats(t, "p1").unwrap().is_empty(), "seats in {t}");
    let mut employee = Some(None);
    s.read(&mut |l| {
        employee = Some(l.employee(t, STAFF)?);
        Ok(())
    })
    .unwrap();
    assert_eq!(employee, Some(None), "Lookup::employee in {t}");
}

/// The reads that take a document id too, for ids that exist elsewhere.
fn assert_no_doc(s: &dyn Storage, t: &str, id: DocId) {
    assert!(s.document(t, id).unwrap().is_none(), "document {id} in {t}");
    assert!(s.fetch(t, &[id], &Scope::Tenant).unwrap().is_empty(), "fetch {id} in {t}");
    assert!(s.appraisal_targets(t, id).unwrap().is_empty(), "appraisal_targets {id} in {t}");
    assert!(s.appraisal_fact(t, &id.to_string()).unwrap().is_none(), "appraisal_fact {id} in {t}");
    assert!(s.innovations(t, &id.to_string()).unwrap().is_empty(), "innovations {id} in {t}");
    assert!(s.signatures(t, id).unwrap().is_empty(), "signatures {id} in {t}");
    let mut seen = (true, true);
    s.read(&mut |l| {
        seen.0 = l.load(t, id)?.is_some();
        Ok(())
    })
    .unwrap();
    s.write(&mut |tx| {
        seen.1 = tx.heads(t, id)?.is_some();
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, (false, false), "Lookup::load and WriteTx::heads of {id} in {t}");
}

pub(super) fn every_tenant_read_sees_only_its_tenant(s: &dyn Storage) {
    two_tenants(s);
    s.create_tenant("kosong", "Tenant kosong").unwrap();
    let ds = populate(s, A);
    let mut b = theirs(s, &ds);
    inputs(s, A, 80.0);
    inputs(s, B, 20.0);
    s.create_person_code(&code("ca", STAFF, None)).unwrap();

    // A's rows are untouched by B's under the same ids.
    super::reports::check_all(s, A, &ds);
    check_inputs(s, A, 80.0);
    assert!(s.signatures(A, ds.a1.id).unwrap().is_empty(), "B's signature is not A's");
    assert_eq!(s.conflicts(A).unwrap().len(), 1, "A's conflict");

    // B's rows, exactly.
    check_inputs(s, B, 20.0);
    let View::Appraisal(av) = b.appraisal.projection().view else { unreachable!() };
    let View::Employee(sv) = b.staff.projection().view else { unreachable!() };
    assert_eq!(s.units(B).unwrap(), vec![b.unit.clone()], "units of B");
    assert_eq!(s.staff(B).unwrap(), vec![sv.clone()], "staff of B");
    let b_employee = EmployeeRow {
        nip: STAFF.into(),
        doc_id: ds.staff.id.to_string(),
        name: "Rina Lhokseumawe".into(),
        unit_id: "x1".into(),
        superior_nip: None,
        active: true,
    };
    assert_eq!(s.employees(B, None).unwrap(), vec![b_employee.clone()], "employees of B");
    assert!(s.employees(B, Some("u1")).unwrap().is_empty(), "A's unit is not B's");
    let rows = s.appraisals(B, &AppraisalFilter::default()).unwrap();
    assert_eq!(
        (rows.len(), rows[0].unit_id.as_str(), rows[0].appraiser_nip.as_str()),
        (1, "x1", REVIEWER),
        "appraisals of B"
    );
    assert_eq!(s.appraisal_targets(B, ds.a1.id).unwrap(), av.targets, "targets of B's appraisal under A's id");
    assert_eq!(s.appraisal_fact(B, &ds.a1.id.to_string()).unwrap(), Some(av.fact.clone()), "fact of B");
    assert_eq!(s.appraisal_facts(B, &["2026-Q2".to_string()], None).unwrap(), vec![av.fact.clone()], "facts of B");
    assert!(s.appraisal_facts(B, &["2026-Q3".to_string()], None).unwrap().is_empty(), "A's periods are not B's");
    assert!(s.innovations(B, &ds.a1.id.to_string()).unwrap().is_empty(), "A's innovations are not B's");
    assert_eq!(s.appraisal_ratings(B, "2026-Q2").unwrap().len(), 1, "ratings of B");
    assert_eq!(
        s.predikats(B, "2026-Q2").unwrap(),
        vec![PredikatRow {
            employee_nip: STAFF.into(),
            status: AppraisalStatus::Draft,
            predikat: Predikat::ButuhPerbaikan
        }],
        "predikats of B"
    );
    assert_eq!(s.periods(B).unwrap(), vec!["2026-Q2"], "periods of B");
    assert!(s.conflicts(B).unwrap().is_empty(), "A's conflict is not B's");
    assert_eq!(s.feedback_count(B, None).unwrap(), 1, "feedback of B");
    let sums = s.feedback_by_service(B, jan_feb()).unwrap();
    assert_eq!(
        sums.iter().map(|f| (f.key.as_str(), f.respondents, f.sums, f.minutes_waited)).collect::<Vec<_>>(),
        vec![("x1", 1, [1; 9], 30)],
        "sums of B"
    );
    for officers in [None, Some(&[STAFF.to_string()][..])] {
        let sums = s.feedback_by_officer(B, jan_feb(), officers).unwrap();
        assert_eq!(
            sums.iter().map(|f| (f.key.as_str(), f.respondents)).collect::<Vec<_>>(),
            vec![(STAFF, 1)],
            "officer sums of B ({officers:?})"
        );
    }
    let comments = s.feedback_comments(B, jan_feb(), None, None, 10).unwrap();
    assert_eq!(
        comments.iter().map(|c| (c.comment.as_str(), c.received_at)).collect::<Vec<_>>(),
        vec![("Lhokseumawe", b.received_at)],
        "comments of B"
    );
    assert_eq!(s.feedback_comments(B, jan_feb(), None, Some(STAFF), 10).unwrap().len(), 1, "officer comments of B");
    assert_eq!(
        s.waiting_by_month(B, jan_feb(), 0).unwrap(),
        vec![WaitingRow { unit_id: "x1".into(), month: "2026-01".into(), respondents: 1, minutes_waited: 30 }],
        "waiting of B"
    );
    assert_eq!(s.trainings(B, "0000-01-01", "9999-12-31").unwrap(), vec![b.training.clone()], "trainings of B");
    assert_eq!(
        s.training_minutes(B, "0000-01-01", "9999-12-31").unwrap(),
        vec![(OTHER.to_string(), 100)],
        "training minutes of B"
    );
    assert_eq!(s.mentoring(B).unwrap(), vec![b.mentoring.clone()], "mentoring of B");

    // Documents under the same ids: each tenant its own bytes.
    let mut b_ids = vec![ds.u1.id, ds.staff.id, ds.a1.id, ds.f1.id, ds.t3.id, ds.m1.id];
    b_ids.sort();
    assert_eq!(s.doc_ids(B, None, 100).unwrap(), b_ids, "doc_ids of B");
    let stored = s.document(B, ds.a1.id).unwrap().unwrap();
    assert_eq!(stored.heads, b.appraisal.heads_text(), "B's appraisal under A's id is B's");
    let loaded = Document::<Appraisal>::load(ds.a1.id, &stored.bytes).unwrap().value().unwrap();
    assert_eq!(loaded.unit_id, "x1", "with B's bytes");
    assert_ne!(s.document(A, ds.a1.id).unwrap().unwrap().heads, stored.heads, "A's is A's");
    let mut seen = (None, None, None);
    s.read(&mut |l| {
        seen.0 = l.load(B, ds.staff.id)?.map(|d| d.heads);
        seen.1 = l.employee(B, STAFF)?;
        Ok(())
    })
    .unwrap();
    s.write(&mut |tx| {
        seen.2 = tx.heads(B, ds.f1.id)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen,
        (Some(b.staff.heads_text()), Some(b_employee), Some(b.feedback.heads_text())),
        "Lookup and WriteTx read B's"
    );
    let (pulled, _) = pull_all(s, B, 0, "x", &Scope::Tenant);
    assert_eq!(pulled.keys().copied().collect::<Vec<_>>(), b_ids, "pull of B: B's documents");
    let sorted = |mut v: Vec<ChangeHash>| {
        v.sort();
        v
    };
    let b_hashes = sorted(b.appraisal.hashes());
    assert_eq!(sorted(change_hashes(&pulled[&ds.a1.id])), b_hashes, "with B's changes only");
    let fetched = s.fetch(B, &[ds.a1.id, ds.u2.id], &Scope::Tenant).unwrap();
    assert_eq!(
        fetched.iter().map(|d| (d.id, d.kind)).collect::<Vec<_>>(),
        vec![(ds.a1.id, DocKind::Appraisal)],
        "fetch of B"
    );
    assert_eq!(sorted(change_hashes(&fetched[0].bytes)), b_hashes, "fetch sends B's bytes");
    assert_eq!(s.signatures(B, ds.a1.id).unwrap(), vec![b.sig.clone()], "signatures of B");

    // Writes that name a tenant stay in it.
    let r = s.revoke_signer(B, &[80; 32], "x", 5);
    assert!(matches!(r, Err(StorageError::NotFound(_))), "B cannot revoke A's key, got {r:?}");
    assert!(
        !bind(s, "ca", &SignerRow { tenant_id: B.into(), ..key(7, STAFF, "dev") }, 5),
        "A's person code binds no key of B"
    );
    let p = b.appraisal.projection();
    let r = s.write(&mut |tx| tx.reproject(B, ds.u2.id, DocKind::Unit, 1, &p));
    assert!(matches!(r, Err(StorageError::NotFound(_))), "B cannot re-project A's document, got {r:?}");
    super::reports::check_all(s, A, &ds);

    // Tenants without rows, created or not.
    for t in ["kosong", "nowhere"] {
        assert_empty(s, t);
        for id in [ds.a1.id, ds.staff.id, ds.f1.id] {
            assert_no_doc(s, t, id);
        }
    }
    for id in [ds.a2.id, ds.u2.id] {
        assert_no_doc(s, B, id);
    }
}
