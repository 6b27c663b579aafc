//! The background loop syncs on its own, reports to an observer, backs off
//! while the server is unreachable, and stops when asked.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prestasi_core::model::{Appraisal, DocId};
use prestasi_core::rules::nip::Nip;
use prestasi_core::store::SyncState;
use prestasi_core::sync::{BackgroundSync, SyncClient, SyncEvent, SyncObserver};
use prestasi_e2e::World;

#[derive(Default)]
struct Recorder(Mutex<Vec<SyncEvent>>);

impl SyncObserver for Recorder {
    fn on_event(&self, event: SyncEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    fn wait_for(&self, what: &str, pred: impl Fn(&SyncEvent) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.0.lock().unwrap().iter().any(&pred) {
            assert!(Instant::now() < deadline, "no {what} event: {:?}", self.0.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn background_sync_uploads_reports_and_stops() {
    let w = World::start();
    let p = &w.people;
    let t = w.supervisor_a();
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    let a = Appraisal::new(staff, "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    t.store.create(id, &a, &t.author()).unwrap();

    let recorder = Arc::new(Recorder::default());
    let client = Arc::new(SyncClient::from_store(t.store.clone()).unwrap());
    let bg = BackgroundSync::start(client.clone(), Duration::from_secs(3600), Some(recorder.clone()));
    recorder.wait_for("success", |e| matches!(e, SyncEvent::Succeeded(r) if r.accepted == 1));
    bg.stop();
    assert!(matches!(recorder.0.lock().unwrap().last(), Some(SyncEvent::Stopped)));
    assert_eq!(t.store.status(id).unwrap().sync, SyncState::OnServer);
    assert!(client.last_success().unwrap().is_some());
}

#[test]
fn background_sync_backs_off_while_offline() {
    let w = World::start();
    let t = w.supervisor_a();
    // Point the tablet at a port nobody listens on: the server is "out of coverage".
    let mut creds = t.client.credentials().clone();
    creds.server_url = format!("http://127.0.0.1:{}", prestasi_e2e::free_port());
    t.store.set_meta("sync.credentials", &serde_json::to_string(&creds).unwrap()).unwrap();
    let client = Arc::new(SyncClient::from_store(t.store.clone()).unwrap());
    assert!(matches!(client.sync_now(), Err(prestasi_core::sync::SyncError::Offline(_))));

    let recorder = Arc::new(Recorder::default());
    let bg = BackgroundSync::start(client, Duration::from_secs(600), Some(recorder.clone()));
    recorder.wait_for("offline failure", |e| {
        matches!(e, SyncEvent::Failed { offline: true, retry_in, .. } if *retry_in <= Duration::from_secs(5) && *retry_in >= Duration::from_millis(2500))
    });
    let started = Instant::now();
    bg.stop(); // does not wait for the backoff to expire
    assert!(started.elapsed() < Duration::from_secs(2));
}
