//! (b) A kiosk records 100 feedback offline and later syncs: exactly 100
//! arrive, once — even when the upload is repeated.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::Utc;
use prestasi_core::model::{Channel, DocId, Feedback, Role};
use prestasi_core::rules::skm::Scores;
use prestasi_core::store::SyncState;
use prestasi_e2e::{Hr, MANOKWARI, World};

#[test]
fn a_kiosk_uploads_100_feedback_exactly_once() {
    let w = World::start();
    let (server, p) = (&w.server, &w.people);
    let kiosk = w.device(MANOKWARI, Role::Kiosk, "kios-dukcapil", &[&p.unit_a]);
    let mut ids = Vec::new();
    for i in 0..100u32 {
        let fb = Feedback {
            unit_id: p.unit_a.clone(),
            service: "Perekaman KTP-el".into(),
            scores: Scores::new([1 + (i % 4) as u8, 3, 3, 4, 3, 4, 4, 3, 3]).unwrap(),
            minutes_waited: i % 60,
            comment: format!("komentar {i}"),
            channel: Channel::Kiosk,
            submitted_at: Utc::now(),
            officer_nip: None,
        };
        let id = DocId::new();
        kiosk.store.create(id, &fb, &kiosk.author()).unwrap();
        ids.push(id);
    }
    assert_eq!(kiosk.store.feedback_awaiting_upload().unwrap().len(), 100);

    let r = kiosk.client.sync_now().unwrap();
    assert_eq!((r.pushed, r.accepted, r.rejected, r.pulled, r.round_trips), (100, 100, 0, 0, 1));
    assert!(kiosk.store.feedback_awaiting_upload().unwrap().is_empty());
    let hr = Hr::login(&server.url, MANOKWARI);
    assert_eq!(hr.get("/v1/hr/feedback/count")["count"], 100);

    assert!(ids.iter().all(|id| kiosk.store.status(*id).unwrap().sync == SyncState::OnServer));
    // The answer was lost (say): the kiosk sends everything again. The
    // server acknowledges and still counts 100.
    let replay = prestasi_e2e::replay_all(&kiosk);
    assert_eq!(replay, 100);
    assert_eq!(hr.get("/v1/hr/feedback/count")["count"], 100);
    assert_eq!(hr.get(&format!("/v1/hr/feedback/count?unit={}", p.unit_b))["count"], 0);
}
