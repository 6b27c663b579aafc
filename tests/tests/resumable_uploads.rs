//! One document larger than a batch (an appraisal with many innovations
//! and long notes) over a link that cuts again and again: it goes as a
//! resumable upload, each attempt continuing from what the server holds,
//! so the bytes on the link stay near the document's size (ODK Collect
//! would send it whole after every cut). An answer cut on the way is
//! fetched again without sending the body again.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use chrono::NaiveDate;
use prestasi_core::model::{Appraisal, BehaviourValue, DialogNote, DocId, Innovation};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::SyncError;
use prestasi_e2e::fieldlink::{Cut, FieldLink, Profile};
use prestasi_e2e::{Device, Hr, MANOKWARI, World};

/// Letters and digits that do not compress much.
fn noise(seed: u64, chars: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..chars)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b"abcdefghijklmnopqrstuvwxyz0123456789 "[(x % 37) as usize])
        })
        .collect()
}

/// An appraisal of about 120 KB that compresses to more than a batch.
fn big_appraisal(w: &World, period: &str) -> (DocId, Appraisal) {
    let p = &w.people;
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let id = DocId::for_appraisal(&staff, period);
    let mut a = Appraisal::new(staff, period, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.notes = noise(1, 3900);
    for (i, v) in BehaviourValue::ALL.into_iter().enumerate() {
        a.behaviour_notes.insert(v, noise(10 + i as u64, 3900));
    }
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    for i in 0..12 {
        a.innovations.push(Innovation {
            id: format!("inovasi-{i}"),
            what: noise(100 + i, 200),
            date: day,
            effect: noise(200 + i, 3900),
        });
        a.dialogues.push(DialogNote {
            id: format!("dialog-{i}"),
            date: day,
            author_nip: p.boss_a.clone(),
            text: noise(300 + i, 3000),
        });
    }
    (id, a)
}

fn tablet_behind(w: &World, link: &FieldLink) -> Device {
    let t = w.supervisor_a_at(&link.url);
    // Batches of about half a second: several per test, quickly.
    t.client.set_batch_target(Duration::from_millis(500));
    t
}

#[test]
fn a_document_larger_than_a_batch_gets_through_a_link_that_keeps_cutting() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    // Every other exchange is cut mid-request (a 2G radio dropping every
    // few seconds), at random points past the headers.
    let link = FieldLink::start(
        &w.server.url,
        Profile { rtt: Duration::from_millis(100), cut_ratio: 0.0, ..Profile::EDGE },
        5,
    );
    let t = tablet_behind(&w, &link);
    // A first small sync measures the link.
    t.client.sync_now().unwrap();
    let (id, a) = big_appraisal(&w, "2026-S1");
    t.store.create(id, &a, &t.author()).unwrap();
    let size = t.store.changes_for_server(id).unwrap().changes.len();
    assert!(size > 80_000, "the document is {size} bytes");
    let before = link.stats();
    let plan: Vec<Option<Cut>> = (0..60).map(|i| (i % 2 == 1).then_some(Cut::MidRequest(9_000))).collect();
    link.plan(&plan);
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts <= 40, "no complete sync in 40 attempts");
        match t.client.sync_now() {
            Ok(r) => {
                assert_eq!((r.pushed, r.accepted), (1, 1));
                break;
            }
            Err(e) => assert!(matches!(e, SyncError::Offline(_)), "attempt {attempts}: {e}"),
        }
    }
    let sent = link.stats().bytes_up - before.bytes_up;
    eprintln!("{size} bytes of changes: {attempts} attempts, {sent} bytes up the link");
    assert!(attempts > 3, "the link did cut ({attempts} attempts)");
    assert!(sent < size as u64 * 3 / 2 + 30_000, "{sent} bytes sent for a {size}-byte document: parts were sent again");
    let on_server = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(on_server["value"], serde_json::to_value(t.store.get::<Appraisal>(id).unwrap()).unwrap());
    assert_eq!(t.store.unsynced_count().unwrap(), 0);
}

#[test]
fn an_answer_cut_on_the_way_is_fetched_again_without_sending_the_body() {
    let w = World::start();
    let link = FieldLink::start(&w.server.url, Profile::VSAT.without_cuts(), 6);
    let t = tablet_behind(&w, &link);
    t.client.sync_now().unwrap();
    // Another tablet's large appraisal: the answer will carry it.
    let other = w.supervisor_a();
    let (oid, oa) = big_appraisal(&w, "2027-S1");
    other.store.create(oid, &oa, &other.author()).unwrap();
    other.client.sync_now().unwrap();
    let (id, a) = big_appraisal(&w, "2026-S2");
    t.store.create(id, &a, &t.author()).unwrap();
    // Every request of the upload passes; the answer of `…/sync` is cut.
    // Exchanges: PUT, PATCH parts…, POST …/sync. Cut whichever exchange
    // gets an answer larger than 2 KB: only the sync answer is.
    let plan: Vec<Option<Cut>> = (0..30).map(|_| Some(Cut::MidAnswer(2_000))).collect();
    link.plan(&plan);
    let e = t.client.sync_now().unwrap_err();
    assert!(matches!(e, SyncError::Offline(_)), "{e}");
    assert_eq!(t.store.unsynced_count().unwrap(), 1, "not acknowledged: the answer never arrived");
    link.plan(&[]);
    let before = link.stats().bytes_up;
    let r = t.client.sync_now().unwrap();
    assert_eq!((r.pushed, r.accepted), (1, 1));
    let sent = link.stats().bytes_up - before;
    assert!(sent < 3_000, "{sent} bytes sent again: the kept answer should come without the body");
    assert_eq!(t.store.unsynced_count().unwrap(), 0);
}
