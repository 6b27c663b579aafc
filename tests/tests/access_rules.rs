//! (d) Every role tries every read and write it must not do, in both
//! tenants: all refused, with a typed reason, and nothing stored.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use chrono::{NaiveDate, Utc};
use prestasi_core::doc::{DocKind, Document};
use prestasi_core::model::{
    Allowance, Appraisal, AppraisalStatus, Author, Channel, DeviceId, DocId, Employee, Feedback, PositionKind, Role,
};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::{Predikat, Rating};
use prestasi_core::rules::skm::Scores;
use prestasi_core::store::SyncState;
use prestasi_core::sync::protocol::{PushOutcome, RejectCode};
use prestasi_e2e::{Device, LHOKSEUMAWE, MANOKWARI, People, Server, craft, enroll, nip, push_raw, seed};

fn nip_of(s: &str) -> Nip {
    Nip::parse(s).unwrap()
}

fn appraisal(staff: &str, appraiser: &str, unit: &str) -> (DocId, Appraisal) {
    let a = Appraisal::new(nip_of(staff), "2026-Q3", unit, nip_of(appraiser)).unwrap();
    (DocId::for_appraisal(&nip_of(staff), "2026-Q3"), a)
}

fn feedback(unit: &str) -> Feedback {
    Feedback {
        unit_id: unit.into(),
        service: "KTP-el".into(),
        scores: Scores::new([3; 9]).unwrap(),
        minutes_waited: 5,
        comment: String::new(),
        channel: Channel::Kiosk,
        submitted_at: Utc::now(),
        officer_nip: None,
    }
}

#[track_caller]
fn refused(outcome: PushOutcome, code: RejectCode) {
    match outcome {
        PushOutcome::Rejected(r) => {
            assert_eq!(r.code, code, "{r:?}");
            assert!(!r.message.is_empty());
        }
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

fn push<T: prestasi_core::doc::Record>(d: &Device, id: DocId, v: &T) -> PushOutcome {
    push_raw(d, id, T::KIND, craft(d, id, v))
}

#[test]
fn every_forbidden_read_and_write_is_refused_in_both_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let s = server.storage.as_ref();
    seed(s);
    for tenant in [MANOKWARI, LHOKSEUMAWE] {
        let p = People::of(tenant);
        let sup = enroll(s, &server.url, dir.path(), tenant, Role::Supervisor, &p.boss_a, &[&p.unit_a]);
        let kiosk = enroll(s, &server.url, dir.path(), tenant, Role::Kiosk, "kios-a", &[&p.unit_a]);
        let hr = enroll(s, &server.url, dir.path(), tenant, Role::Hr, "hr", &[]);
        let other = enroll(s, &server.url, dir.path(), tenant, Role::Supervisor, &p.boss_b, &[&p.unit_b]);

        // Data the others must not reach: an appraisal and feedback in unit B.
        let (b_id, b_appraisal) = appraisal(&p.staff_b[0], &p.boss_b, &p.unit_b);
        other.store.create(b_id, &b_appraisal, &other.author()).unwrap();
        other.client.sync_now().unwrap();
        let kb = enroll(s, &server.url, dir.path(), tenant, Role::Kiosk, "kios-b", &[&p.unit_b]);
        kb.store.create(DocId::new(), &feedback(&p.unit_b), &kb.author()).unwrap();
        kb.client.sync_now().unwrap();

        // --- Supervisor of unit A -------------------------------------------
        sup.client.sync_now().unwrap();
        let (id, a) = appraisal(&p.staff_b[1], &p.boss_a, &p.unit_b);
        refused(push(&sup, id, &a), RejectCode::OutOfScope); // staff of another unit
        let (id, a) = appraisal(&p.staff_b[1], &p.boss_a, &p.unit_a);
        refused(push(&sup, id, &a), RejectCode::OutOfScope); // claims unit A, staff is in B
        let (id, a) = appraisal(&nip(9999), &p.boss_a, &p.unit_a);
        refused(push(&sup, id, &a), RejectCode::UnknownEmployee);
        let (id, a) = appraisal(&p.staff_a[0], &p.boss_b, &p.unit_a);
        refused(push(&sup, id, &a), RejectCode::Forbidden); // appraiser is someone else
        let (id, mut a) = appraisal(&p.staff_a[1], &p.boss_a, &p.unit_a);
        a.status = AppraisalStatus::Locked;
        refused(push(&sup, id, &a), RejectCode::Forbidden); // only HR locks
        let employee = Employee {
            nip: nip_of(&p.staff_a[0]),
            name: "Nama Palsu".into(),
            rank: None,
            rank_since: None,
            education: None,
            position: PositionKind::Pelaksana,
            position_title: "x".into(),
            unit_id: p.unit_a.clone(),
            superior_nip: None,
            active: true,
        };
        refused(push(&sup, DocId::derived(&format!("employee/{}", p.staff_a[0])), &employee), RejectCode::Forbidden);
        let allowance = Allowance {
            employee_nip: nip_of(&p.staff_a[0]),
            period: "2026-Q3".into(),
            predikat: Predikat::SangatBaik,
            percent: 150.0,
            decided_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        };
        refused(push(&sup, DocId::new(), &allowance), RejectCode::Forbidden); // HR-only decision
        refused(push(&sup, DocId::new(), &feedback(&p.unit_b)), RejectCode::OutOfScope);
        refused(push(&sup, b_id, &b_appraisal), RejectCode::Forbidden); // someone else's appraisal
        let replay = other.store.export(b_id).unwrap();
        refused(push_raw(&sup, b_id, DocKind::Appraisal, replay), RejectCode::OutOfScope); // replayed bytes
        // Changes written by another device's actor.
        let stranger = Author::new(p.boss_a.clone(), DeviceId::random(), Role::Supervisor);
        let (id, a) = appraisal(&p.staff_a[2], &p.boss_a, &p.unit_a);
        let bytes = Document::create(id, &a, &stranger, Utc::now()).unwrap().save();
        refused(push_raw(&sup, id, DocKind::Appraisal, bytes), RejectCode::ForeignAuthor);
        refused(push_raw(&sup, DocId::new(), DocKind::Appraisal, b"garbage".to_vec()), RejectCode::Malformed);
        // Declared kind differs from content.
        let (id, a) = appraisal(&p.staff_a[2], &p.boss_a, &p.unit_a);
        refused(push_raw(&sup, id, DocKind::Feedback, craft(&sup, id, &a)), RejectCode::WrongKind);

        // Reads: only unit A's roster and appraisals; no feedback, nothing of B.
        sup.client.sync_now().unwrap();
        let held = sup.store.all_documents().unwrap();
        assert!(held.iter().all(|(_, k)| matches!(k, DocKind::Employee | DocKind::Unit)), "{held:?}");
        assert_eq!(held.iter().filter(|(_, k)| *k == DocKind::Employee).count(), 4, "boss A and three staff");
        assert!(sup.store.get::<Appraisal>(b_id).is_err());
        let asked = prestasi_e2e::post_sync(
            &sup,
            &prestasi_core::sync::protocol::SyncRequest {
                v: 1,
                cursor: 0,
                push: vec![],
                fetch: vec![prestasi_core::sync::protocol::id_bytes(b_id)],
                ..Default::default()
            },
        );
        assert!(asked.docs.iter().all(|d| d.id.as_ref() != b_id.as_bytes()), "fetch outside scope returns nothing");
        assert!(asked.docs.iter().all(|d| d.kind == "employee" || d.kind == "unit"));

        // A unit tablet changes hands: another person signs in on it (their
        // key bound by a person code from HR). They cannot appraise staff
        // the roster gives to another appraiser, nor reach outside the unit.
        let code = prestasi_server::people::issue_code(s, tenant, &nip(900), None, "hr").unwrap();
        sup.store.sign_in(&nip(900), prestasi_e2e::PIN, Some(&code)).unwrap();
        let colleague = Author { user: nip(900), ..sup.author() };
        let (id, a) = appraisal(&p.staff_a[1], &nip(900), &p.unit_a);
        sup.store.create(id, &a, &colleague).unwrap();
        let r = sup.client.sync_now().unwrap();
        assert_eq!((r.accepted, r.rejected), (0, 1), "the roster names boss A as appraiser");
        assert!(
            matches!(sup.store.status(id).unwrap().sync, SyncState::Rejected { ref code, .. } if code == "forbidden")
        );
        sup.store.discard_local_changes(id).unwrap();
        let code = prestasi_server::people::issue_code(s, tenant, &p.boss_b, None, "hr").unwrap();
        sup.store.sign_in(&p.boss_b, prestasi_e2e::PIN, Some(&code)).unwrap();
        let mut b_doc = Document::<Appraisal>::load(b_id, &other.store.export(b_id).unwrap()).unwrap();
        let as_boss_b = Author { user: p.boss_b.clone(), ..sup.author() };
        b_doc
            .edit(&as_boss_b, Utc::now(), |x| {
                x.notes = "diubah dari tablet unit lain".into();
                Ok(())
            })
            .unwrap();
        let bytes = b_doc.save();
        let sigs = sup.store.sign_bytes(&p.boss_b, b_id, &bytes).unwrap();
        refused(prestasi_e2e::push_signed(&sup, b_id, DocKind::Appraisal, bytes, sigs), RejectCode::OutOfScope);

        // --- Kiosk ----------------------------------------------------------
        let (id, a) = appraisal(&p.staff_a[0], &p.boss_a, &p.unit_a);
        refused(push(&kiosk, id, &a), RejectCode::Forbidden);
        refused(push(&kiosk, DocId::new(), &feedback(&p.unit_b)), RejectCode::OutOfScope);
        let fid = DocId::new();
        kiosk.store.create(fid, &feedback(&p.unit_a), &kiosk.author()).unwrap();
        assert_eq!(kiosk.client.sync_now().unwrap().accepted, 1);
        // A tampered kiosk app rewrites a score at the automerge level.
        let mut am = automerge::AutoCommit::load(&kiosk.store.export(fid).unwrap()).unwrap();
        am.set_actor(automerge::ActorId::from(kiosk.store.device_id().as_bytes().as_slice()));
        let scores = match am.get(automerge::ROOT, "scores").unwrap() {
            Some((automerge::Value::Object(_), obj)) => obj,
            other => panic!("{other:?}"),
        };
        am.put(&scores, "u1", 1_u64).unwrap();
        am.commit_with(automerge::transaction::CommitOptions::default().with_message("kios-a".to_string()));
        refused(push_raw(&kiosk, fid, DocKind::Feedback, am.save()), RejectCode::Forbidden); // feedback is immutable
        let r = kiosk.client.sync_now().unwrap();
        assert_eq!(r.pulled, 0, "a kiosk reads nothing");
        assert!(kiosk.store.all_documents().unwrap().iter().all(|(_, k)| *k == DocKind::Feedback));

        // --- Locked appraisal: HR locks, the appraiser can no longer edit ----
        let (lid, mut la) = appraisal(&p.staff_a[0], &p.boss_a, &p.unit_a);
        la.hasil_kerja = Some(Rating::SesuaiEkspektasi);
        la.perilaku = Some(Rating::SesuaiEkspektasi);
        la.targets.push(prestasi_core::model::SkpTarget::new("Arsip", 5.0, "berkas", true).unwrap());
        la.status = AppraisalStatus::Submitted;
        sup.store.create(lid, &la, &sup.author()).unwrap();
        assert_eq!(sup.client.sync_now().unwrap().accepted, 1);
        hr.client.sync_now().unwrap();
        for status in [AppraisalStatus::Reviewed, AppraisalStatus::Locked] {
            hr.store
                .update::<Appraisal>(lid, &hr.author(), |x| {
                    x.status = status;
                    Ok(())
                })
                .unwrap();
        }
        let r = hr.client.sync_now().unwrap();
        assert_eq!(r.accepted, 1, "{r:?} {:?}", hr.store.status(lid));
        sup.client.sync_now().unwrap();
        assert_eq!(sup.store.get::<Appraisal>(lid).unwrap().status, AppraisalStatus::Locked);
        // The tablet's own check refuses; a tampered app is refused by the server.
        assert!(
            sup.store
                .update::<Appraisal>(lid, &sup.author(), |x| {
                    x.notes = "ubah".into();
                    Ok(())
                })
                .is_err()
        );
        let mut doc = Document::<Appraisal>::load(lid, &sup.store.export(lid).unwrap()).unwrap();
        let as_hr = Author { role: Role::Hr, ..sup.author() };
        doc.edit(&as_hr, Utc::now(), |x| {
            x.status = AppraisalStatus::Draft;
            x.notes = "ubah".into();
            Ok(())
        })
        .unwrap();
        refused(push_raw(&sup, lid, DocKind::Appraisal, doc.save_incremental()), RejectCode::Locked);

        // Nothing refused reached the merged view.
        let rows = s.appraisals(tenant, &Default::default()).unwrap();
        let mut got: Vec<&str> = rows.iter().map(|r| r.employee_nip.as_str()).collect();
        got.sort();
        let mut want = vec![p.staff_a[0].as_str(), p.staff_b[0].as_str()];
        want.sort();
        assert_eq!(got, want, "{tenant}");
        assert_eq!(s.feedback_count(tenant, None).unwrap(), 2);
        assert_eq!(
            rows.iter().find(|r| r.doc_id == lid.to_string()).unwrap().status,
            prestasi_core::model::AppraisalStatus::Locked
        );
    }

    // --- Tenants never see each other ----------------------------------------
    let m = People::of(MANOKWARI);
    let l = People::of(LHOKSEUMAWE);
    let lsup = enroll(s, &server.url, dir.path(), LHOKSEUMAWE, Role::Supervisor, &l.boss_a, &[&l.unit_a, &m.unit_a]);
    lsup.client.sync_now().unwrap();
    for (id, kind) in lsup.store.all_documents().unwrap() {
        if kind == DocKind::Employee {
            let e = lsup.store.get::<Employee>(id).unwrap();
            assert!(l.staff_a.contains(&e.nip.to_string()) || e.nip.as_str() == l.boss_a, "{} leaked", e.nip);
        }
    }
    // Claiming a Manokwari unit and staff changes nothing in Manokwari.
    let (id, a) = appraisal(&m.staff_a[1], &l.boss_a, &m.unit_a);
    refused(push(&lsup, id, &a), RejectCode::UnknownEmployee);
    let hr_l = prestasi_e2e::Hr::login(&server.url, LHOKSEUMAWE);
    let rows = hr_l.get("/v1/hr/appraisals");
    assert!(
        rows["appraisals"].as_array().unwrap().iter().all(|r| r["unit_id"].as_str().unwrap().starts_with(LHOKSEUMAWE))
    );
    let employees = hr_l.get("/v1/hr/employees");
    assert!(
        employees["employees"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["unit_id"].as_str().unwrap().starts_with(LHOKSEUMAWE))
    );

    // HR API: no token, a device's token, a wrong password: all refused.
    let http = reqwest::blocking::Client::new();
    let status = |r: reqwest::blocking::Response| r.status().as_u16();
    assert_eq!(status(http.get(format!("{}/v1/hr/appraisals", server.url)).send().unwrap()), 401);
    let creds = lsup.client.credentials();
    let device_token = format!("{}.{}", creds.device_id, creds.secret);
    assert_eq!(
        status(http.get(format!("{}/v1/hr/appraisals", server.url)).bearer_auth(device_token).send().unwrap()),
        401
    );
    let bad = http
        .post(format!("{}/v1/login", server.url))
        .json(&serde_json::json!({"tenant": MANOKWARI, "username": "hr", "password": "salah-salah-salah"}))
        .send()
        .unwrap();
    assert_eq!(status(bad), 401);
    let other_tenant = http
        .post(format!("{}/v1/login", server.url))
        .json(&serde_json::json!({"tenant": "nowhere", "username": "hr", "password": prestasi_e2e::HR_PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(status(other_tenant), 401);
}
