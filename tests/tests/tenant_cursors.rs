//! Pull cursors are counted per tenant (docs/PROTOCOL.md, "Model"): a
//! device learns nothing of another tenant's activity from its cursor, and a
//! device whose cursor is of the numbering before (one sequence for every
//! tenant, SQLite until schema 13) pulls its scope again from 0 and sends
//! nothing twice (docs/PROTOCOL.md, "Renumbered cursors").
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_e2e::{Device, LHOKSEUMAWE, People, World};
use prestasi_server::storage::{PullQuery, Scope};
use prestasi_server::sync::epoch::{BEFORE_TENANT_POSITIONS_KEY, EPOCH_KEY};

fn cursor(d: &Device) -> u64 {
    d.store.meta("sync.cursor").unwrap().map_or(0, |c| c.parse().unwrap())
}

fn appraise(tablet: &Device, staff: &str, period: &str) -> DocId {
    let (staff, boss) = (Nip::parse(staff).unwrap(), Nip::parse(&tablet.client.credentials().user).unwrap());
    let unit = tablet.client.credentials().units[0].clone();
    let a = Appraisal::new(staff.clone(), period, &unit, boss).unwrap();
    let id = DocId::for_appraisal(&staff, period);
    tablet.store.create(id, &a, &tablet.author()).unwrap();
    id
}

/// The tenant's high-water mark, as the server pulls it.
fn tenant_high(world: &World, tenant: &str) -> u64 {
    let q = PullQuery { tenant, cursor: 0, exclude_origin: "-", scope: &Scope::Nothing, max_bytes: 1 };
    world.server.storage.pull(&q).unwrap().cursor
}

#[test]
fn a_kiosk_learns_nothing_of_another_tenants_activity() {
    let world = World::start();
    let theirs = People::of(LHOKSEUMAWE);
    let kiosk = world.device(LHOKSEUMAWE, Role::Kiosk, "kios-loket-1", &[&theirs.unit_a]);
    kiosk.client.sync_now().unwrap();
    let before = cursor(&kiosk);
    assert_eq!(before, tenant_high(&world, LHOKSEUMAWE), "the kiosk's cursor is its own tenant's count");

    // The other tenant is busy: a tablet uploads appraisals, several syncs.
    let tablet = world.supervisor_a();
    for (i, staff) in world.people.staff_a.iter().enumerate() {
        appraise(&tablet, staff, &format!("2026-0{}", i + 1));
        tablet.client.sync_now().unwrap();
    }
    assert!(cursor(&tablet) > 0);

    kiosk.client.sync_now().unwrap();
    assert_eq!(cursor(&kiosk), before, "another tenant's writes do not move the kiosk's cursor");
    assert_eq!(tenant_high(&world, LHOKSEUMAWE), before);
}

#[test]
fn a_cursor_of_before_the_renumbering_pulls_again_and_sends_nothing_twice() {
    let world = World::start();
    let tablet = world.supervisor_a();
    appraise(&tablet, &world.people.staff_a[0], "2026-S1");
    let first = tablet.client.sync_now().unwrap();
    assert_eq!(first.accepted, 1);
    let held = tablet.store.meta("sync.epoch").unwrap().expect("the answer's epoch");

    // What schema 13 did to a database with chunks: the devices' epoch
    // recorded, a new one given, positions renumbered (the tablet's cursor
    // is of the old, global numbering: far past its tenant's count).
    let storage = world.server.storage.as_ref();
    storage.set_meta(BEFORE_TENANT_POSITIONS_KEY, &held).unwrap();
    storage.set_meta(EPOCH_KEY, "epoch-sesudah-penomoran-ulang").unwrap();
    tablet.store.set_meta("sync.cursor", "987654").unwrap();

    let again = tablet.client.sync_now().unwrap();
    assert_eq!(again.pushed, 0, "nothing it sent is sent again: the server lost nothing");
    assert!(again.pulled > 0, "its scope once more, from 0: {again:?}");
    assert_eq!(cursor(&tablet), tenant_high(&world, world.people.tenant), "a cursor of the new numbering");
    assert_eq!(tablet.store.meta("sync.epoch").unwrap().as_deref(), Some("epoch-sesudah-penomoran-ulang"));
    assert_eq!(tablet.client.link_status().unwrap().pending_documents, 0);

    // From now on, an ordinary tablet: nothing to send or pull.
    let steady = tablet.client.sync_now().unwrap();
    assert_eq!((steady.pushed, steady.pulled), (0, 0), "{steady:?}");

    // A restore after the renumbering: the recorded epoch is a restore's
    // old epoch like any other.
    prestasi_server::sync::epoch::renew(storage).unwrap();
    appraise(&tablet, &world.people.staff_a[1], "2026-S1");
    tablet.store.set_meta("sync.epoch", &held).unwrap();
    let restored = tablet.client.sync_now().unwrap();
    assert!(restored.pushed >= 2, "after a restore everything it wrote goes again: {restored:?}");
}
