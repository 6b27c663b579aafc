//! Several tablets on real on-disk stores, offline for a while, exchanging
//! documents in different orders: all converge to the same appraisal.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::{Appraisal, Author, BehaviourValue, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::store::Store;

const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";

#[test]
fn three_tablets_converge_whatever_the_exchange_order() {
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Store> =
        (0..3).map(|i| Store::open(dir.path().join(format!("t{i}.db")), &prestasi_e2e::store_key()).unwrap()).collect();
    for s in &stores {
        s.sign_in(BOSS, "246810", None).unwrap();
    }
    let boss = |s: &Store| Author::new(BOSS, s.device_id(), Role::Supervisor);
    let staff = Nip::parse(STAFF).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-Q3");

    // Each tablet starts the same appraisal offline and adds its own target.
    for (i, s) in stores.iter().enumerate() {
        let mut a = Appraisal::new(staff.clone(), "2026-Q3", "unit-1", Nip::parse(BOSS).unwrap()).unwrap();
        a.targets.push(SkpTarget {
            id: format!("target-{i}"),
            ..SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap()
        });
        s.create(id, &a, &boss(s)).unwrap();
    }
    // A week offline: many edits each, on different values.
    let values = [BehaviourValue::Kompeten, BehaviourValue::Loyal, BehaviourValue::Adaptif];
    for round in 0..20 {
        for (i, s) in stores.iter().enumerate() {
            s.update::<Appraisal>(id, &boss(s), |a| {
                let t = a.targets.iter_mut().find(|t| t.id == format!("target-{i}")).unwrap();
                t.realisation = Some(f64::from(round));
                a.behaviour.insert(
                    values[i],
                    if round % 2 == 0 { Rating::SesuaiEkspektasi } else { Rating::DiAtasEkspektasi },
                );
                Ok(())
            })
            .unwrap();
        }
    }
    // Exchange in a ring, then the other way round.
    for (from, to) in [(0, 1), (1, 2), (2, 0), (0, 2), (2, 1)] {
        stores[to].import(id, &stores[from].export(id).unwrap()).unwrap();
    }
    let merged: Vec<Appraisal> = stores.iter().map(|s| s.get::<Appraisal>(id).unwrap()).collect();
    assert_eq!(merged[0], merged[1]);
    assert_eq!(merged[1], merged[2]);
    assert_eq!(merged[0].targets.len(), 3);
    assert!(merged[0].targets.iter().all(|t| t.realisation == Some(19.0)));
    assert_eq!(merged[0].behaviour.len(), 3);
    // Nobody wrote the same field concurrently: no conflicts anywhere.
    assert!(stores.iter().all(|s| s.conflicts(id).unwrap().is_empty()));
    // Every tablet still has its own edits to upload.
    assert!(stores.iter().all(|s| s.unsynced_count().unwrap() == 1));
}
