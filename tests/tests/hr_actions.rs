//! HR acts on appraisals through the API: resolving a conflict (the choice
//! is a normal change that syncs back to the tablets), locking (tablets'
//! later edits are refused as locked) and reopening.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::{Appraisal, AppraisalStatus, DocId, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::store::SyncState;
use prestasi_e2e::{Hr, MANOKWARI, World};
use serde_json::json;

#[test]
fn hr_resolves_a_conflict_locks_and_reopens_and_tablets_follow() {
    let w = World::start();
    let p = &w.people;
    let (t1, t2) = (w.supervisor_a(), w.supervisor_a());
    t1.client.sync_now().unwrap();
    t2.client.sync_now().unwrap();

    // Two tablets rate the same appraisal differently, offline.
    let staff = Nip::parse(&p.staff_a[1]).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-S1");
    for (t, rating) in [(&t1, Rating::DiAtasEkspektasi), (&t2, Rating::DiBawahEkspektasi)] {
        let mut a = Appraisal::new(staff.clone(), "2026-S1", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
        a.targets.push(SkpTarget::new("Laporan", 4.0, "dokumen", true).unwrap());
        a.hasil_kerja = Some(rating);
        a.perilaku = Some(Rating::SesuaiEkspektasi);
        t.store.create(id, &a, &t.author()).unwrap();
        t.client.sync_now().unwrap();
    }
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    let conflict = &detail["conflicts"][0];
    assert_eq!(conflict["path"], "hasil_kerja", "{detail}");
    // The history names both devices' changes.
    let devices: Vec<&str> =
        detail["history"].as_array().unwrap().iter().map(|h| h["device"].as_str().unwrap()).collect();
    assert!(devices.len() >= 2, "{detail}");
    let pick = conflict["values"].as_array().unwrap().iter().position(|v| v["value"] == "DiBawahEkspektasi").unwrap();

    // Bad picks are refused without touching the document.
    let (status, _) =
        hr.send("POST", &format!("/v1/hr/appraisals/{id}/resolve"), json!({"path": "hasil_kerja", "pick": 9}));
    assert_eq!(status, 422);
    let (status, body) =
        hr.send("POST", &format!("/v1/hr/appraisals/{id}/resolve"), json!({"path": "hasil_kerja", "pick": pick}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["appraisal"]["hasil_kerja"], "DiBawahEkspektasi");
    // Below-expectation results with as-expected behaviour: Butuh Perbaikan.
    assert_eq!(body["predikat"], "ButuhPerbaikan");
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["conflicts"].as_array().unwrap().len(), 0, "{detail}");
    assert!(detail["history"].as_array().unwrap().iter().any(|h| h["user"] == "hr"), "HR's change is in the history");

    // The resolution reaches both tablets: same value, no conflict left.
    for t in [&t1, &t2] {
        t.client.sync_now().unwrap();
        assert_eq!(t.store.get::<Appraisal>(id).unwrap().hasil_kerja, Some(Rating::DiBawahEkspektasi));
        assert_eq!(t.store.status(id).unwrap().conflicts, 0);
    }

    // Locked: a tablet's later edit is refused as locked; nothing is lost.
    let (status, body) = hr.send("POST", &format!("/v1/hr/appraisals/{id}/lock"), json!({}));
    assert_eq!((status, body["appraisal"]["status"].as_str()), (200, Some("locked")));
    t1.client.sync_now().unwrap();
    assert_eq!(t1.store.get::<Appraisal>(id).unwrap().status, AppraisalStatus::Locked);
    t2.client.sync_now().unwrap();
    let refused = t2.store.update::<Appraisal>(id, &t2.author(), |a| {
        a.notes = "koreksi".into();
        Ok(())
    });
    assert!(refused.is_err(), "the tablet itself refuses to edit a locked appraisal");

    // Reopened: back to draft, the appraiser corrects it and it syncs.
    let (status, body) = hr.send("POST", &format!("/v1/hr/appraisals/{id}/reopen"), json!({}));
    assert_eq!((status, body["appraisal"]["status"].as_str()), (200, Some("draft")));
    t2.client.sync_now().unwrap();
    t2.store
        .update::<Appraisal>(id, &t2.author(), |a| {
            a.notes = "koreksi setelah dibuka".into();
            Ok(())
        })
        .unwrap();
    t2.client.sync_now().unwrap();
    assert_eq!(t2.store.status(id).unwrap().sync, SyncState::OnServer);
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["value"]["notes"], "koreksi setelah dibuka");

    // Unknown documents and ids are typed errors.
    let (status, _) = hr.send("POST", &format!("/v1/hr/appraisals/{}/lock", DocId::new()), json!({}));
    assert_eq!(status, 404);
    let (status, _) = hr.send("POST", "/v1/hr/appraisals/not-an-id/lock", json!({}));
    assert_eq!(status, 400);
}
