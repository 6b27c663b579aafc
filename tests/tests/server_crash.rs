//! (c) The server is SIGKILLed during a sync and restarted: the next sync
//! completes and nothing acknowledged is lost.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Instant;

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_core::store::SyncState;
use prestasi_core::sync::SyncClient;
use prestasi_e2e::{ChildServer, MANOKWARI, People, enroll, free_port, open_storage, seed};

#[test]
fn child_server() {
    prestasi_e2e::run_child_server_if_asked();
}

fn create_batch(tablet: &prestasi_e2e::Device, p: &People, round: usize, n: usize) -> Vec<DocId> {
    let boss = Nip::parse(&p.boss_a).unwrap();
    (0..n)
        .map(|k| {
            let staff = Nip::parse(&p.staff_a[k % 3]).unwrap();
            let period = format!("{}-{:02}", 1000 + round * 100 + k / 12, 1 + k % 12);
            let mut a = Appraisal::new(staff.clone(), &period, &p.unit_a, boss.clone()).unwrap();
            a.notes = "x".repeat(300);
            let id = DocId::for_appraisal(&staff, &period);
            tablet.store.create(id, &a, &tablet.author()).unwrap();
            id
        })
        .collect()
}

#[test]
fn sigkill_during_sync_loses_nothing_acknowledged() {
    const ROUNDS: usize = 6;
    const DOCS: usize = 400;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let p = People::of(MANOKWARI);
    seed(open_storage(&data).as_ref());
    let port = free_port();
    let mut server = ChildServer::start(&data, port);
    let admin = open_storage(&data); // a second handle, as the CLI would open
    let tablet = enroll(admin.as_ref(), &server.url, dir.path(), MANOKWARI, Role::Supervisor, &p.boss_a, &[&p.unit_a]);
    drop(admin);

    // Round 0 measures how long an undisturbed sync of a batch takes; the
    // next rounds kill the server at spread-out moments within that time.
    let mut all = create_batch(&tablet, &p, 0, DOCS);
    let started = Instant::now();
    tablet.client.sync_now().unwrap();
    let full = started.elapsed();
    let mut interrupted = 0;
    for round in 1..ROUNDS {
        all.extend(create_batch(&tablet, &p, round, DOCS));
        let client = SyncClient::from_store(tablet.store.clone()).unwrap();
        let syncing = std::thread::spawn(move || client.sync_now());
        std::thread::sleep(full.mul_f64(round as f64 / ROUNDS as f64));
        server.kill();
        if syncing.join().unwrap().is_err() {
            interrupted += 1;
        }
        let acknowledged: Vec<DocId> =
            all.iter().copied().filter(|id| tablet.store.status(*id).unwrap().sync == SyncState::OnServer).collect();
        // Every document the server acknowledged survived the kill.
        let check = open_storage(&data);
        for id in &acknowledged {
            assert!(check.document(MANOKWARI, *id).unwrap().is_some(), "round {round}: acknowledged {id} lost");
        }
        drop(check);
        // Restarted, the next sync completes and uploads the rest.
        server = ChildServer::start(&data, port);
        let r = tablet.client.sync_now().unwrap();
        assert!(r.round_trips <= 2, "{r:?}");
        assert_eq!(tablet.store.unsynced_count().unwrap(), 0);
    }
    assert!(interrupted >= 2, "only {interrupted} kills landed during a sync");
    let check = open_storage(&data);
    for id in &all {
        assert_eq!(check.document(MANOKWARI, *id).unwrap().unwrap().kind, DocKind::Appraisal);
    }
    assert_eq!(check.appraisals(MANOKWARI, &Default::default()).unwrap().len(), all.len());
}
