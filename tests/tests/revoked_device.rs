//! (e) A revoked tablet is refused and learns why; its data stays.
#![allow(clippy::unwrap_used)]

use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::SyncError;
use prestasi_e2e::{MANOKWARI, World};

#[test]
fn a_revoked_tablet_is_refused_with_the_reason() {
    let w = World::start();
    let (server, p) = (&w.server, &w.people);
    let t = w.supervisor_a();
    t.client.sync_now().unwrap();
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let a = Appraisal::new(staff.clone(), "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    t.store.create(DocId::for_appraisal(&staff, "2026-Q3"), &a, &t.author()).unwrap();

    prestasi_server::admin::revoke_device(
        server.storage.as_ref(),
        &t.store.device_id().to_string(),
        "Tablet hilang di Prafi",
    )
    .unwrap();
    match t.client.sync_now() {
        Err(SyncError::Revoked { message }) => assert!(message.contains("Tablet hilang di Prafi"), "{message}"),
        other => panic!("expected Revoked, got {other:?}"),
    }
    assert!(!SyncError::Revoked { message: String::new() }.is_retryable(), "no point retrying");
    // Nothing on the device was lost; nothing reached the server.
    assert_eq!(t.store.unsynced_count().unwrap(), 1);
    assert!(server.storage.appraisals(MANOKWARI, &Default::default()).unwrap().is_empty());
    // Re-enrolling the same tablet with a fresh code is refused too: the
    // device id is known and revoked.
    let code = prestasi_server::admin::issue_enrollment(
        server.storage.as_ref(),
        MANOKWARI,
        Role::Supervisor,
        &p.boss_a,
        std::slice::from_ref(&p.unit_a),
    )
    .unwrap();
    assert!(prestasi_core::sync::SyncClient::enroll(t.store.clone(), &server.url, &code).is_err());
}
