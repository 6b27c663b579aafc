//! (e) A revoked tablet (a lost one) is refused and learns why; it leaves
//! what it had not synced in a bundle for HR, wipes its store, and tells the
//! server, which shows it as wiped. HR imports the bundle on purpose.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_core::session::{Session, SessionError};
use prestasi_core::store::{Store, StoreError};
use prestasi_core::sync::{SyncClient, SyncError, Wipe};
use prestasi_e2e::fieldlink::{Cut, FieldLink, Profile};
use prestasi_e2e::{Device, Hr, MANOKWARI, PIN, World, store_key};

const NOTE: &str = "Catatan penilaian yang belum terkirim dari Prafi";
const REASON: &str = "Tablet hilang di Prafi";

/// An appraisal of unit A's first staff member, written on `t` and not
/// synced; its id.
fn unsynced_appraisal(w: &World, t: &Device) -> DocId {
    let p = &w.people;
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let mut a = Appraisal::new(staff.clone(), "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.notes = NOTE.into();
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    t.store.create(id, &a, &t.author()).unwrap();
    assert_eq!(t.store.unsynced_count().unwrap(), 1);
    id
}

fn revoke(w: &World, device: &str) {
    prestasi_server::admin::revoke_device(w.server.storage.as_ref(), device, REASON).unwrap();
}

fn expect_wipe(r: Result<prestasi_core::sync::SyncReport, SyncError>) -> Wipe {
    match r {
        Err(SyncError::Revoked { message, wipe: Some(wipe) }) => {
            assert!(message.contains(REASON), "{message}");
            wipe
        }
        other => panic!("expected Revoked with a wipe, got {other:?}"),
    }
}

/// POST a bundle file to HR's import, with or without `from_revoked`.
fn hr_import(hr: &Hr, file: &[u8], from_revoked: bool) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let q = if from_revoked { "?from_revoked=true" } else { "" };
    let res = reqwest::blocking::Client::new()
        .post(format!("{}/v1/hr/bundles{q}", hr.url))
        .bearer_auth(&hr.token)
        .header("content-type", "application/octet-stream")
        .body(file.to_vec())
        .send()
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().unwrap().to_vec())
}

#[test]
fn a_revoked_tablet_wipes_itself_and_hr_imports_what_it_left() {
    let w = World::start();
    let server = &w.server;
    let t = w.supervisor_a();
    t.client.sync_now().unwrap();
    let id = unsynced_appraisal(&w, &t);
    let device = t.store.device_id().to_string();
    revoke(&w, &device);

    let wipe = expect_wipe(t.client.sync_now());
    assert!(!SyncError::Revoked { message: String::new(), wipe: None }.is_retryable(), "no point retrying");
    assert_eq!((wipe.documents, wipe.bundles.len(), wipe.server_told), (1, 1, true), "{wipe:?}");
    assert_eq!(wipe.bundles[0].parent(), t.path.parent(), "the bundle lies beside the store");
    assert_eq!(t.client.wipe(), Some(wipe.clone()));

    // The store is gone from the disk; the client and store refuse from now on.
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let f = format!("{}{suffix}", t.path.display());
        assert!(!std::path::Path::new(&f).exists(), "{f} deleted");
    }
    assert!(t.store.is_wiped());
    assert!(matches!(t.client.sync_now(), Err(SyncError::Store(StoreError::Wiped))));
    assert!(t.store.get::<Appraisal>(id).is_err(), "nothing of the data is left in memory either");
    // Opening the path again makes a new, empty store: the data is not there.
    let reopened = Store::open(&t.path, &store_key()).unwrap();
    assert_ne!(reopened.device_id().to_string(), device);
    assert_eq!(reopened.unsynced_count().unwrap(), 0);
    assert!(reopened.get::<Appraisal>(id).is_err());
    drop(reopened);

    // HR sees the device as revoked and wiped; its audit trail says so.
    let hr = Hr::login(&server.url, MANOKWARI);
    let listed = hr.get("/v1/hr/devices");
    let row = listed["devices"].as_array().unwrap().iter().find(|d| d["id"] == device.as_str()).unwrap().clone();
    assert!(row["revoked_at"].is_i64() && row["wiped_at"].is_i64(), "{row}");
    let events = server.storage.device_events(&device).unwrap();
    assert_eq!(events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(), ["wiped"]);
    assert!(events[0].detail.contains("\"documents\":1"), "{}", events[0].detail);

    // Nothing reached the server by the sync. The bundle, imported as usual,
    // is refused (the device is revoked) with nothing stored...
    assert!(server.storage.appraisals(MANOKWARI, &Default::default()).unwrap().is_empty());
    let file = std::fs::read(&wipe.bundles[0]).unwrap();
    let (status, _, body) = hr_import(&hr, &file, false);
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("device_revoked"));
    assert!(server.storage.appraisals(MANOKWARI, &Default::default()).unwrap().is_empty());
    // ...and imported on purpose it goes through the checks of the device's
    // sync: the appraisal arrives, and the import joins the audit trail.
    let (status, headers, _) = hr_import(&hr, &file, true);
    assert_eq!(status, 200);
    assert_eq!(headers["prestasi-accepted"], "1");
    let stored = server.storage.appraisals(MANOKWARI, &Default::default()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].notes, NOTE);
    let events = server.storage.device_events(&device).unwrap();
    assert_eq!(
        events.iter().map(|e| (e.event.as_str(), e.actor.as_str())).collect::<Vec<_>>(),
        [("wiped", device.as_str()), ("revoked_bundle_imported", "hr")]
    );
    // A second import stores nothing twice.
    assert_eq!(hr_import(&hr, &file, true).0, 200);
    assert_eq!(server.storage.appraisals(MANOKWARI, &Default::default()).unwrap().len(), 1);

    // The tablet cannot come back: re-enrolling its device id is refused.
    let code = prestasi_server::admin::issue_enrollment(
        server.storage.as_ref(),
        MANOKWARI,
        Role::Supervisor,
        &w.people.boss_a,
        std::slice::from_ref(&w.people.unit_a),
    )
    .unwrap();
    assert!(SyncClient::enroll(t.store.clone(), &server.url, &code).is_err());
}

#[test]
fn the_wipe_happens_even_when_the_server_does_not_hear_of_it() {
    let w = World::start();
    let link = FieldLink::start(
        &w.server.url,
        Profile { name: "lan", up_bits_per_sec: 0, down_bits_per_sec: 0, rtt: Default::default(), cut_ratio: 0.0 },
        1,
    );
    let t = w.supervisor_a_at(&link.url);
    t.client.sync_now().unwrap();
    unsynced_appraisal(&w, &t);
    let device = t.store.device_id().to_string();
    revoke(&w, &device);
    // The sync's answer (401) comes through; the link drops as the device
    // starts telling the server about its wipe.
    link.plan(&[None, Some(Cut::MidRequest(0))]);
    let wipe = expect_wipe(t.client.sync_now());
    assert_eq!((wipe.documents, wipe.server_told), (1, false), "{wipe:?}");
    assert!(!t.path.exists(), "wiped all the same");
    assert!(wipe.bundles[0].exists(), "and the bundle for HR is there");
    let row = w.server.storage.device(&device).unwrap().unwrap();
    assert!(row.revoked_at.is_some() && row.wiped_at.is_none(), "the server shows it revoked only");
}

#[test]
fn only_a_revoked_device_reports_a_wipe() {
    let w = World::start();
    let t = w.supervisor_a();
    let creds = t.client.credentials();
    let res = reqwest::blocking::Client::new()
        .post(format!("{}{}", w.server.url, prestasi_core::sync::protocol::WIPED_PATH))
        .bearer_auth(format!("{}.{}", creds.device_id, creds.secret))
        .json(&serde_json::json!({ "documents": 0, "bundles": [] }))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 409, "a live device is not marked wiped");
    let forged = reqwest::blocking::Client::new()
        .post(format!("{}{}", w.server.url, prestasi_core::sync::protocol::WIPED_PATH))
        .bearer_auth(format!("{}.wrong-secret", creds.device_id))
        .json(&serde_json::json!({ "documents": 0, "bundles": [] }))
        .send()
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401, "nor by someone without its secret");
    assert_eq!(w.server.storage.device(&creds.device_id).unwrap().unwrap().wiped_at, None);
}

#[test]
fn the_app_session_is_unusable_after_the_wipe() {
    let w = World::start();
    let p = &w.people;
    let code = prestasi_server::admin::issue_enrollment(
        w.server.storage.as_ref(),
        MANOKWARI,
        Role::Supervisor,
        &p.boss_a,
        std::slice::from_ref(&p.unit_a),
    )
    .unwrap();
    let path = w.dir().join("app.db");
    let session = Session::open(path.to_str().unwrap(), &store_key()).unwrap();
    session.enroll(&w.server.url, &code).unwrap();
    session.sign_in(&p.boss_a, PIN, None).unwrap();
    session.sync_now().unwrap();
    let id = session.start_appraisal(&p.staff_a[0], "2026-Q3").unwrap();
    session.set_notes(id, NOTE).unwrap();
    revoke(&w, &session.store().device_id().to_string());

    let err = session.sync_now().unwrap_err();
    let SessionError::Sync(SyncError::Revoked { wipe: Some(wipe), .. }) = &err else { panic!("{err:?}") };
    assert_eq!(wipe.documents, 1);
    assert!(err.user_message().contains("dihapus"), "{}", err.user_message());
    assert_eq!(session.wipe().as_ref(), Some(wipe));
    assert!(!path.exists());
    for e in [
        session.appraisal(id).unwrap_err(),
        session.unsynced_count().unwrap_err(),
        session.sync_now().unwrap_err(),
        session.start_appraisal(&p.staff_a[1], "2026-Q3").unwrap_err(),
    ] {
        assert!(matches!(e, SessionError::Wiped), "{e:?}");
        assert!(e.user_message().contains("dicabut"), "{}", e.user_message());
    }
}
