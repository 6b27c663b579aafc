//! Documents: append, load, heads, ids; the merged view of every record
//! kind; conflicts; re-projection.

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, Employee, Innovation, Mentoring, MentoringSession, SkpTarget, Unit};
use prestasi_core::rules::predikat::Rating;

use super::dataset::{self, appraisal, employee, populate, target};
use super::*;

const T: &str = "manokwari";

pub(super) fn appended_documents_load_back(s: &dyn Storage) {
    two_tenants(s);
    let mut a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    a.targets.push(SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap());
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let mut d = Doc::new(id, &a);
    let first = d.put(s, T, "d1", 1_000);
    assert!(first > 0, "a chunk's position is after the empty cursor 0");

    let stored = s.document(T, id).unwrap().expect("an appended document exists");
    assert_eq!(stored.kind, DocKind::Appraisal, "the kind is kept");
    assert_eq!(stored.chunk_count, 1, "one chunk so far");
    assert_eq!(stored.heads, d.heads_text(), "heads: sorted hex, comma-separated");
    assert_eq!(stored.updated_at, 1_000, "updated_at is the last chunk's received_at");
    assert_eq!(Document::<Appraisal>::load(id, &stored.bytes).unwrap().value().unwrap(), a, "bytes load to the record");
    assert!(s.document("lhokseumawe", id).unwrap().is_none(), "a document is in its tenant only");
    assert!(s.document(T, DocId::new()).unwrap().is_none(), "an unknown id is None");

    d.edit(|x| x.targets[0].realisation = Some(7.0));
    let second = d.put(s, T, "d2", 2_000);
    assert!(second > first, "later chunks have later positions");
    let stored = s.document(T, id).unwrap().unwrap();
    assert_eq!((stored.chunk_count, stored.updated_at), (2, 2_000), "a second chunk counts and dates the document");
    assert_eq!(stored.heads, d.heads_text(), "heads follow the last chunk");
    let mut loaded = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
    assert_eq!(loaded.value().unwrap().targets[0].realisation, Some(7.0), "snapshot and chunks load as one document");
    assert_eq!(loaded.heads(), d.doc.heads(), "nothing lost or added");

    let mut seen = None;
    s.read(&mut |l| {
        seen = l.load(T, id)?;
        assert!(l.load("lhokseumawe", id)?.is_none(), "Lookup::load stays in its tenant");
        Ok(())
    })
    .unwrap();
    let seen = seen.expect("Lookup::load reads the document");
    assert_eq!(
        (seen.bytes, seen.heads, seen.chunk_count),
        (stored.bytes, stored.heads.clone(), 2),
        "read() sees what document() sees"
    );

    let mut heads = (None, None, None);
    s.write(&mut |tx| {
        heads = (tx.heads(T, id)?, tx.heads("lhokseumawe", id)?, tx.heads(T, DocId::new())?);
        Ok(())
    })
    .unwrap();
    assert_eq!(heads, (Some(stored.heads), None, None), "WriteTx::heads: the stored heads, None elsewhere");

    let other = store(s, T, DocId::new(), &dataset::unit("u1", "Bidang Pelayanan", ("a1", "Dukcapil"), None), 3_000);
    let third = s.document(T, other.id).unwrap().unwrap();
    assert_eq!(third.kind, DocKind::Unit);
    let page = s
        .pull(&PullQuery { tenant: T, cursor: second, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 << 20 })
        .unwrap();
    assert_eq!(page.docs.iter().map(|d| d.id).collect::<Vec<_>>(), vec![other.id], "positions order documents too");
}

pub(super) fn a_write_reads_its_own_appends(s: &dyn Storage) {
    two_tenants(s);
    let e = employee(STAFF, "Rina Wulandari", "u1", Some(BOSS));
    let mut emp = Doc::new(DocId::new(), &e);
    let mut a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    a.targets.push(SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap());
    let mut apr = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), &a);
    let w_emp = emp.write(T, "hr", 10);
    let w_apr1 = apr.write(T, "hr", 10);
    apr.edit(|x| x.notes = "Diperbarui".into());
    let w_apr2 = apr.write(T, "hr", 11);
    let apr_heads = apr.heads_text();
    s.write(&mut |tx| {
        tx.append(&w_emp)?;
        let found = tx.employee(T, STAFF)?.expect("an employee appended in this transaction is found in it");
        assert_eq!((found.unit_id.as_str(), found.doc_id.clone()), ("u1", emp.id.to_string()));
        assert!(tx.employee("lhokseumawe", STAFF)?.is_none(), "WriteTx::employee stays in its tenant");
        assert_eq!(
            tx.load(T, emp.id)?.map(|d| d.kind),
            Some(DocKind::Employee),
            "load sees this transaction's appends"
        );
        tx.append(&w_apr1)?;
        tx.append(&w_apr2)?;
        let d = tx.load(T, apr.id)?.expect("appraisal appended in this transaction");
        assert_eq!(d.chunk_count, 2, "two chunks of one document in one transaction");
        assert_eq!(tx.heads(T, apr.id)?, Some(apr_heads.clone()), "heads after the second chunk");
        let loaded = Document::<Appraisal>::load(apr.id, &d.bytes).unwrap();
        assert_eq!(loaded.value().unwrap().notes, "Diperbarui", "both chunks load");
        Ok(())
    })
    .unwrap();
    let d = s.document(T, apr.id).unwrap().unwrap();
    assert_eq!((d.chunk_count, d.heads, d.updated_at), (2, apr_heads, 11), "committed as written");
    assert_eq!(s.employees(T, None).unwrap().len(), 1, "the employee's row is committed");
    assert_eq!(
        s.appraisals(T, &AppraisalFilter::default()).unwrap()[0].notes,
        "Diperbarui",
        "the last chunk's view wins"
    );
}

pub(super) fn doc_ids_page_in_id_order(s: &dyn Storage) {
    two_tenants(s);
    s.create_tenant("kosong", "Tenant tanpa dokumen").unwrap();
    let mut ids = Vec::new();
    for i in 0..7 {
        let id = DocId::new();
        store(s, T, id, &dataset::unit(&format!("u{i}"), "Unit", ("a1", "Dinas"), None), 1);
        ids.push(id);
    }
    let theirs = DocId::new();
    store(s, "lhokseumawe", theirs, &dataset::unit("x1", "Unit", ("b1", "Dinas"), None), 1);
    ids.sort();
    assert_eq!(s.doc_ids(T, None, 100).unwrap(), ids, "every id of the tenant, in id order");
    let page1 = s.doc_ids(T, None, 3).unwrap();
    assert_eq!(page1, ids[..3], "the first three");
    let page2 = s.doc_ids(T, Some(page1[2]), 3).unwrap();
    assert_eq!(page2, ids[3..6], "after the last of the first page");
    let page3 = s.doc_ids(T, Some(page2[2]), 3).unwrap();
    assert_eq!(page3, ids[6..], "the rest");
    assert!(s.doc_ids(T, Some(ids[6]), 3).unwrap().is_empty(), "nothing after the last id");
    assert_eq!(s.doc_ids(T, Some(ids[0]), 2).unwrap(), ids[1..3], "`after` is exclusive");
    assert_eq!(s.doc_ids("lhokseumawe", None, 100).unwrap(), vec![theirs], "doc_ids stays in its tenant");
    assert!(s.doc_ids("kosong", None, 100).unwrap().is_empty());
    assert_eq!(
        s.tenants().unwrap(),
        vec![
            TenantRow { id: "kosong".into(), name: "Tenant tanpa dokumen".into() },
            TenantRow { id: "lhokseumawe".into(), name: "Kota Lhokseumawe".into() },
            TenantRow { id: "manokwari".into(), name: "Kabupaten Manokwari".into() },
        ],
        "every tenant, in id order"
    );
}

fn sorted<T: Clone, K: Ord>(v: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort_by_key(|x| key(x));
    v
}

pub(super) fn every_record_kind_feeds_its_view_rows(s: &dyn Storage) {
    two_tenants(s);
    let ds = populate(s, T);
    // Employees: roster rows, staff rows, and the lookup the sync checks use.
    let people = [&ds.staff, &ds.boss, &ds.reviewer, &ds.other];
    let mut rows = s.employees(T, None).unwrap();
    rows.sort_by(|a, b| a.nip.cmp(&b.nip));
    let want: Vec<EmployeeRow> = sorted(&people.map(|p| p.employee()), |e| e.nip.clone());
    assert_eq!(rows, want, "every employee document has its roster row");
    let staff = sorted(&people.map(|p| p.view.clone()), |e| e.nip.clone());
    assert_eq!(s.staff(T).unwrap(), staff, "every employee document has its staff row, as the view computed it");
    for p in people {
        let mut found = None;
        s.read(&mut |l| {
            found = l.employee(T, &p.view.nip)?;
            Ok(())
        })
        .unwrap();
        assert_eq!(found, Some(p.employee()), "Lookup::employee reads the roster row of {}", p.view.nip);
    }
    // Units.
    let units = sorted(&[&ds.u1, &ds.u2, &ds.u3].map(|u| u.view.clone()), |u| u.id.clone());
    let mut got = s.units(T).unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, units, "every unit document has its unit row");
    // Appraisals: the row, its targets, its fact, its innovations.
    let appraisals = [&ds.a1, &ds.a2, &ds.a3, &ds.a4];
    let mut got = s.appraisals(T, &AppraisalFilter::default()).unwrap();
    got.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    assert_eq!(got, sorted(&appraisals.map(|a| a.row()), |r| r.doc_id.clone()), "every appraisal has its row");
    for a in appraisals {
        let id = a.id.to_string();
        assert_eq!(s.appraisal_targets(T, a.id).unwrap(), a.view.targets, "targets of {id}, in the document's order");
        assert_eq!(s.appraisal_fact(T, &id).unwrap(), Some(a.fact()), "the fact of {id} as the view computed it");
        let mut innovations = s.innovations(T, &id).unwrap();
        innovations.sort_by(|x, y| x.item_id.cmp(&y.item_id));
        assert_eq!(innovations, a.view.innovations, "innovations of {id}");
    }
    assert_eq!(s.appraisal_targets(T, ds.a1.id).unwrap().len(), 3, "the data set's first appraisal has three targets");
    // Feedback: counted, summed, its comments kept.
    assert_eq!(s.feedback_count(T, None).unwrap(), 6, "every feedback document has its row");
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    let mut comments = s.feedback_comments(T, all, None, None, 100).unwrap();
    comments.sort_by_key(|c| c.received_at);
    let want: Vec<CommentRow> = [&ds.f1, &ds.f3, &ds.f4, &ds.f6, &ds.f5].map(|f| f.comment()).to_vec();
    assert_eq!(comments, want, "feedback rows keep unit, service, officer, comment and received_at");
    // Trainings and mentoring.
    let trainings = [&ds.t1, &ds.t2, &ds.t3, &ds.t4].map(|t| t.view.clone());
    let mut got = s.trainings(T, "0000-01-01", "9999-12-31").unwrap();
    got.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    assert_eq!(got, sorted(&trainings, |t| t.doc_id.clone()), "every training has its row, provider included");
    let mentoring = [&ds.m1, &ds.m2, &ds.m3].map(|m| m.view.clone());
    let mut got = s.mentoring(T).unwrap();
    got.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    assert_eq!(got, sorted(&mentoring, |m| m.doc_id.clone()), "every mentoring has its row");
    // Conflicts of the merged view.
    let conflicts = s.conflicts(T).unwrap();
    assert_eq!(conflicts.len(), 1, "the data set has one conflict");
    let want = ConflictRow {
        doc_id: ds.a2.id.to_string(),
        kind: "appraisal".into(),
        path: "notes".into(),
        values: serde_json::to_value(&ds.a2_conflicts[0].values).unwrap(),
    };
    assert_eq!(conflicts[0], want, "the conflict with every concurrent value, its writer and time");
    // Allowance and award: documents only.
    assert_eq!(s.document(T, ds.allowance).unwrap().map(|d| d.kind), Some(DocKind::Allowance), "allowance stored");
    assert_eq!(s.document(T, ds.award).unwrap().map(|d| d.kind), Some(DocKind::Award), "award stored");
}

pub(super) fn allowances_and_awards_have_no_view_rows(s: &dyn Storage) {
    two_tenants(s);
    let ds = populate(s, T);
    let before = views(s, T);
    let allowance = prestasi_core::model::Allowance {
        employee_nip: nip(OTHER),
        period: "2026-Q3".into(),
        predikat: prestasi_core::rules::predikat::Predikat::Baik,
        percent: 90.0,
        decided_on: date("2026-10-01"),
    };
    let a = store(s, T, DocId::new(), &allowance, 5);
    let award = prestasi_core::model::Award {
        employee_nip: nip(OTHER),
        period: "2026-Q3".into(),
        kind: prestasi_core::model::decision::AwardKind::InvitationToShare,
        reason: "Berbagi praktik baik".into(),
        decided_on: date("2026-10-02"),
    };
    let w = store(s, T, DocId::new(), &award, 6);
    assert_eq!(views(s, T), before, "allowance and award documents add no view or report rows");
    let ids = s.doc_ids(T, None, 1000).unwrap();
    assert!([a.id, w.id, ds.allowance, ds.award].iter().all(|id| ids.contains(id)), "but they are documents");
    let (pulled, _) = pull_all(s, T, 0, "x", &Scope::Tenant);
    assert!(pulled.contains_key(&a.id) && pulled.contains_key(&w.id), "and they are pulled like any document");
}

pub(super) fn edits_rewrite_the_view_rows(s: &dyn Storage) {
    two_tenants(s);
    // An appraisal loses a target and an innovation, changes unit and rating.
    let mut a = appraisal(STAFF, "2026-Q2", "u1", BOSS);
    a.targets = vec![
        target("Pertama", 10.0, 12.0, true, Rating::DiAtasEkspektasi),
        target("Kedua", 10.0, 2.0, false, Rating::DiBawahEkspektasi),
        target("Ketiga", 10.0, 10.0, false, Rating::SesuaiEkspektasi),
    ];
    a.innovations = vec![
        Innovation { id: "i1".into(), what: "Satu".into(), date: date("2026-04-01"), effect: String::new() },
        Innovation { id: "i2".into(), what: "Dua".into(), date: date("2026-04-02"), effect: String::new() },
    ];
    a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    a.perilaku = Some(Rating::DiAtasEkspektasi);
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let mut d = store(s, T, id, &a, 1);
    d.edit(|x| {
        x.targets.remove(1);
        x.targets[0].rating = Some(Rating::SesuaiEkspektasi);
        x.innovations.retain(|i| i.id == "i2");
        x.unit_id = "u2".into();
        x.hasil_kerja = Some(Rating::SesuaiEkspektasi);
    });
    d.put(s, T, "hr", 2);
    let View::Appraisal(v) = d.projection().view else { unreachable!() };
    assert_eq!(s.appraisal_targets(T, id).unwrap(), v.targets, "removed targets leave the view");
    assert_eq!(s.appraisal_targets(T, id).unwrap().len(), 2);
    let fact = s.appraisal_fact(T, &id.to_string()).unwrap().unwrap();
    assert_eq!(fact, v.fact, "the fact is rewritten");
    assert_eq!((fact.targets, fact.targets_above, fact.targets_below, fact.innovations), (2, 0, 0, 1));
    assert_eq!(fact.predikat, Some(prestasi_core::rules::predikat::Predikat::Baik), "the new predikat");
    assert_eq!(s.innovations(T, &id.to_string()).unwrap(), v.innovations, "removed innovations leave the view");
    let by_unit = |u: &str| s.appraisals(T, &AppraisalFilter { period: None, unit: Some(u.into()) }).unwrap().len();
    assert_eq!((by_unit("u1"), by_unit("u2")), (0, 1), "the appraisal moved unit");
    assert_eq!(s.appraisal_ratings(T, "2026-Q2").unwrap()[0].weak_targets, Vec::<String>::new(), "no weak target left");

    // An employee moves unit and leaves.
    let mut e = store(s, T, DocId::new(), &employee(OTHER, "Dewi Lestari", "u1", None), 1);
    e.edit(|x| {
        x.unit_id = "u2".into();
        x.active = false;
    });
    e.put(s, T, "hr", 2);
    assert!(s.employees(T, Some("u1")).unwrap().is_empty(), "the old unit no longer lists the employee");
    let row = s.employees(T, Some("u2")).unwrap();
    assert_eq!(row.len(), 1, "the new unit lists the employee once");
    assert!(!row[0].active, "inactive now");
    assert_eq!(s.staff(T).unwrap().len(), 1, "one staff row per employee, however often edited");

    // A unit is renamed; a mentoring pair gets a session; a training is corrected.
    let mut u = store(s, T, DocId::new(), &dataset::unit("u1", "Lama", ("a1", "Dinas"), None), 1);
    u.edit(|x: &mut Unit| x.name = "Baru".into());
    u.put(s, T, "hr", 2);
    assert_eq!(
        s.units(T).unwrap().iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        vec!["Baru"],
        "renamed in place"
    );
    let mut m = store(s, T, DocId::new(), &dataset::mentoring(BOSS, STAFF, "u1", &[30]), 1);
    m.edit(|x: &mut Mentoring| {
        x.sessions.push(MentoringSession {
            id: "baru".into(),
            date: date("2026-03-01"),
            minutes: 45,
            topic: "Arsip".into(),
            notes: String::new(),
        })
    });
    m.put(s, T, "hr", 2);
    let got = s.mentoring(T).unwrap();
    assert_eq!((got.len(), got[0].sessions, got[0].minutes), (1, 2, 75), "sessions counted and summed again");
    let mut t = store(s, T, DocId::new(), &dataset::training(STAFF, "Pelatihan", "2026-01-01", "2026-01-02", 100), 1);
    t.edit(|x| x.minutes = 120);
    t.put(s, T, "hr", 2);
    assert_eq!(
        s.training_minutes(T, "2026-01-01", "2026-12-31").unwrap(),
        vec![(STAFF.to_string(), 120)],
        "rewritten, not added"
    );
    assert_eq!(s.trainings(T, "2026-01-01", "2026-12-31").unwrap().len(), 1);
}

pub(super) fn conflicts_are_listed_until_resolved(s: &dyn Storage) {
    two_tenants(s);
    let a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    let mut apr = store(s, T, DocId::for_appraisal(&a.employee_nip, &a.period), &a, 1);
    let mut fork = apr.doc.fork();
    apr.edit(|x| x.notes = "Satu".into());
    fork.edit(&hr_on(9), Utc::now(), |x| {
        x.notes = "Dua".into();
        Ok(())
    })
    .unwrap();
    apr.doc.merge(&mut fork).unwrap();
    apr.put(s, T, "hr", 2);
    let mut emp = store(s, T, DocId::new(), &employee(STAFF, "Rina", "u1", None), 1);
    let mut fork = emp.doc.fork();
    emp.edit(|x: &mut Employee| {
        x.name = "Rina W.".into();
        x.position_title = "Analis".into();
    });
    fork.edit(&hr_on(9), Utc::now(), |x| {
        x.name = "Rina Wulandari".into();
        x.position_title = "Pengadministrasi".into();
        Ok(())
    })
    .unwrap();
    emp.doc.merge(&mut fork).unwrap();
    emp.put(s, T, "hr", 2);

    let row = |id: DocId, kind: &str, c: &prestasi_core::doc::Conflict| ConflictRow {
        doc_id: id.to_string(),
        kind: kind.into(),
        path: c.path.clone(),
        values: serde_json::to_value(&c.values).unwrap(),
    };
    let mut want: Vec<ConflictRow> = apr.doc.conflicts().iter().map(|c| row(apr.id, "appraisal", c)).collect();
    want.extend(emp.doc.conflicts().iter().map(|c| row(emp.id, "employee", c)));
    want.sort_by(|a, b| (&a.doc_id, &a.path).cmp(&(&b.doc_id, &b.path)));
    assert_eq!(want.len(), 3, "fixture: one conflict on the appraisal, two on the employee");
    assert_eq!(s.conflicts(T).unwrap(), want, "conflicts: by document and path, with every concurrent value");
    assert!(s.conflicts("lhokseumawe").unwrap().is_empty(), "conflicts stay in their tenant");

    apr.doc.resolve_conflict("notes", 0, &hr(), Utc::now()).unwrap();
    apr.put(s, T, "hr", 3);
    let left: Vec<_> = want.iter().filter(|c| c.doc_id == emp.id.to_string()).cloned().collect();
    assert_eq!(s.conflicts(T).unwrap(), left, "a resolved document's conflicts are gone, the others stay");
}

pub(super) fn reproject_rewrites_rows_not_chunks(s: &dyn Storage) {
    two_tenants(s);
    let mut a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    a.targets = vec![
        target("Pertama", 1.0, 1.0, true, Rating::SesuaiEkspektasi),
        target("Kedua", 1.0, 0.0, false, Rating::DiBawahEkspektasi),
    ];
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let mut d = Doc::new(id, &a);
    let position = d.put(s, T, "d1", 1_000);
    let before = s.document(T, id).unwrap().unwrap();

    // As if the view's definition changed: other rows, other read keys.
    let changed = Appraisal {
        unit_id: "u2".into(),
        notes: "Diproyeksikan ulang".into(),
        targets: vec![a.targets[0].clone()],
        ..a.clone()
    };
    let p = crate::sync::projection(id, &Record::Appraisal(changed.clone()), Vec::new());
    s.write(&mut |tx| tx.reproject(T, id, DocKind::Appraisal, before.updated_at, &p)).unwrap();

    let after = s.document(T, id).unwrap().unwrap();
    assert_eq!(
        (after.bytes, after.chunk_count, after.heads, after.updated_at),
        (before.bytes, before.chunk_count, before.heads, before.updated_at),
        "reproject leaves the document alone"
    );
    let rows = s.appraisals(T, &AppraisalFilter::default()).unwrap();
    assert_eq!(
        (rows.len(), rows[0].unit_id.as_str(), rows[0].notes.as_str()),
        (1, "u2", "Diproyeksikan ulang"),
        "rows rewritten"
    );
    assert_eq!(s.appraisal_targets(T, id).unwrap().len(), 1, "child rows rewritten");
    let View::Appraisal(v) = p.view.clone() else { unreachable!() };
    assert_eq!(s.appraisal_fact(T, &id.to_string()).unwrap(), Some(v.fact), "the fact is the new projection's");
    let page = s
        .pull(&PullQuery {
            tenant: T,
            cursor: position,
            exclude_origin: "x",
            scope: &Scope::Tenant,
            max_bytes: 1 << 20,
        })
        .unwrap();
    assert!(page.docs.is_empty(), "reproject adds no chunk to pull");
    let (u2, _) = pull_all(s, T, 0, "x", &supervisor(&["u2"], "199001012015011001"));
    let (u1, _) = pull_all(s, T, 0, "x", &supervisor(&["u1"], "199001012015011001"));
    assert!(u2.contains_key(&id) && !u1.contains_key(&id), "the read scope follows the new read keys");

    // The view rows carry the received_at given (the document's updated_at).
    let f = dataset::answer("u1", "KTP", [4; 9], 3, "Ramah", None);
    let mut fb = Doc::new(DocId::new(), &f);
    fb.put(s, T, "kiosk", 1_000);
    let p = fb.projection();
    s.write(&mut |tx| tx.reproject(T, fb.id, DocKind::Feedback, 7_000, &p)).unwrap();
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    assert_eq!(s.feedback_comments(T, all, None, None, 10).unwrap()[0].received_at, 7_000, "rows carry received_at");
    assert_eq!(s.feedback_count(T, None).unwrap(), 1, "reproject rewrites, never adds, a feedback row");

    // Conflicts the stored view lacked appear.
    let mut fork = d.doc.fork();
    d.edit(|x| x.notes = "Satu".into());
    fork.edit(&hr_on(9), Utc::now(), |x| {
        x.notes = "Dua".into();
        Ok(())
    })
    .unwrap();
    d.doc.merge(&mut fork).unwrap();
    let mut w = d.write(T, "d1", 2_000);
    w.projection.conflicts.clear();
    append(s, &w);
    assert!(s.conflicts(T).unwrap().is_empty(), "stored without its conflicts");
    let p = d.projection();
    s.write(&mut |tx| tx.reproject(T, id, DocKind::Appraisal, 2_000, &p)).unwrap();
    assert_eq!(s.conflicts(T).unwrap().len(), 1, "reproject writes the conflicts too");

    // Only stored documents can be re-projected, and only in their tenant.
    for (tenant, doc) in [(T, DocId::new()), ("lhokseumawe", id)] {
        let r = s.write(&mut |tx| tx.reproject(tenant, doc, DocKind::Appraisal, 1, &p));
        assert!(
            matches!(r, Err(StorageError::NotFound(_))),
            "reproject of a document not in {tenant}: NotFound, got {r:?}"
        );
    }
    assert!(s.appraisals("lhokseumawe", &AppraisalFilter::default()).unwrap().is_empty(), "nothing written there");
}
