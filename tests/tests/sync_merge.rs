//! (a) Two tablets edit the same appraisal offline; both sync; HR sees one
//! merged appraisal with the conflicting field listed. Also: any number of
//! changed documents converge in at most 2 round trips.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::{Appraisal, DocId, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::store::SyncState;
use prestasi_e2e::{Hr, MANOKWARI, World};

#[test]
fn two_tablets_offline_then_hr_sees_one_merged_appraisal_with_the_conflict() {
    let w = World::start();
    let (server, p) = (&w.server, &w.people);
    // The same supervisor has two tablets (office and field).
    let (t1, t2) = (w.supervisor_a(), w.supervisor_a());
    // Both get the roster first.
    for t in [&t1, &t2] {
        let r = t.client.sync_now().unwrap();
        assert_eq!(r.round_trips, 1);
        assert_eq!(t.store.my_staff(&p.boss_a, "2026-Q3").unwrap().len(), 3, "only unit A's staff");
    }

    // Offline: both start the same appraisal and rate it differently.
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    for (t, rating, target) in [(&t1, Rating::DiAtasEkspektasi, "Arsip"), (&t2, Rating::SesuaiEkspektasi, "Rapat")] {
        let mut a = Appraisal::new(staff.clone(), "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
        a.targets.push(SkpTarget::new(target, 10.0, "kali", true).unwrap());
        a.hasil_kerja = Some(rating);
        a.perilaku = Some(Rating::SesuaiEkspektasi);
        t.store.create(id, &a, &t.author()).unwrap();
    }
    let r1 = t1.client.sync_now().unwrap();
    let r2 = t2.client.sync_now().unwrap();
    assert_eq!((r1.accepted, r2.accepted), (1, 1));
    assert!(r1.round_trips <= 2 && r2.round_trips <= 2);
    t1.client.sync_now().unwrap(); // receives t2's edits

    // HR: one appraisal, both targets, the conflicting rating listed.
    let hr = Hr::login(&server.url, MANOKWARI);
    let list = hr.get("/v1/hr/appraisals?period=2026-Q3");
    assert_eq!(list["appraisals"].as_array().unwrap().len(), 1);
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["value"]["targets"].as_array().unwrap().len(), 2);
    let conflicts = detail["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{detail}");
    assert_eq!(conflicts[0]["path"], "hasil_kerja");
    let values: Vec<&str> =
        conflicts[0]["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert!(values.contains(&"DiAtasEkspektasi") && values.contains(&"SesuaiEkspektasi"));
    // Both tablets hold the same merged appraisal and see the conflict too.
    assert_eq!(t1.store.get::<Appraisal>(id).unwrap(), t2.store.get::<Appraisal>(id).unwrap());
    assert_eq!(t1.store.status(id).unwrap().conflicts, 1);
    assert_eq!(t1.store.status(id).unwrap().sync, SyncState::OnServer);
}

#[test]
fn any_number_of_changed_documents_converge_in_at_most_two_round_trips() {
    let w = World::start();
    let p = &w.people;
    let (t, other) = (w.supervisor_a(), w.supervisor_a());
    // Loopback is a fast link, but on a loaded machine a small round trip
    // can measure slow and split the next upload into batches: this test is
    // about the protocol, so batches are sized for minutes of the link.
    for d in [&t, &other] {
        d.client.set_batch_target(std::time::Duration::from_secs(3600));
    }
    other.client.sync_now().unwrap();
    t.client.sync_now().unwrap();
    let boss = Nip::parse(&p.boss_a).unwrap();
    let mut total = 0;
    for n in [1usize, 40, 400] {
        // n documents: appraisals of unit A's staff over many monthly periods.
        for k in 0..n {
            let staff = Nip::parse(&p.staff_a[k % 3]).unwrap();
            let period = format!("{}-{:02}", 1900 + total + k / 3, 1 + k % 12);
            let mut a = Appraisal::new(staff.clone(), &period, &p.unit_a, boss.clone()).unwrap();
            a.notes = format!("catatan {k}");
            t.store.create(DocId::for_appraisal(&staff, &period), &a, &t.author()).unwrap();
        }
        total += n;
        let r = t.client.sync_now().unwrap();
        assert_eq!((r.pushed, r.accepted, r.round_trips), (n, n, 1), "upload of {n}");
        assert_eq!(t.store.unsynced_count().unwrap(), 0);
        // The other tablet receives all of them in one round trip too.
        let r = other.client.sync_now().unwrap();
        assert_eq!((r.pulled, r.round_trips), (n, 1), "download of {n}");
    }
    assert_eq!(
        other.store.appraisals_by_status(prestasi_core::model::AppraisalStatus::Draft, None).unwrap().len(),
        total
    );
}
