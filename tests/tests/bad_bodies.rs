//! (f) Malformed, truncated, oversized and wrong-version bodies get a 4xx
//! with a typed code, and the server keeps serving others.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::{Appraisal, DocId};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::protocol::{self, PushDoc, SyncRequest};
use prestasi_e2e::{MANOKWARI, World};

#[test]
fn bad_bodies_get_typed_4xx_and_the_server_keeps_serving() {
    let w = World::start();
    let (server, p) = (&w.server, &w.people);
    let t = w.supervisor_a();
    let creds = t.client.credentials().clone();
    let token = format!("{}.{}", creds.device_id, creds.secret);
    let http = reqwest::blocking::Client::new();
    let url = format!("{}{}", server.url, protocol::SYNC_PATH);
    let send = |body: Vec<u8>, encoding: &str| {
        let r = http.post(&url).bearer_auth(&token).header("content-encoding", encoding).body(body).send().unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().unwrap_or_default();
        (status, body["code"].as_str().unwrap_or("").to_string())
    };
    let good = |v: u32, push: Vec<PushDoc>| protocol::encode(&SyncRequest { v, push, ..Default::default() });

    assert_eq!(send(b"\xff\x00 not cbor".to_vec(), "identity"), (400, "malformed_body".into()));
    let body = good(1, vec![]);
    assert_eq!(send(body[..body.len() - 2].to_vec(), "identity"), (400, "malformed_body".into()), "truncated CBOR");
    let zipped = zstd::encode_all(good(1, vec![]).as_slice(), 3).unwrap();
    assert_eq!(send(zipped[..zipped.len() / 2].to_vec(), "zstd"), (400, "malformed_body".into()), "truncated zstd");
    assert_eq!(send(good(2, vec![]), "identity"), (400, "unsupported_version".into()));
    assert_eq!(send(good(1, vec![]), "br"), (422, "unsupported_encoding".into()));
    // Too many documents in one request.
    let many: Vec<PushDoc> = (0..5001)
        .map(|_| PushDoc {
            id: protocol::id_bytes(DocId::new()),
            kind: "feedback".into(),
            changes: protocol::Bytes::from(vec![]),
            sigs: vec![],
        })
        .collect();
    assert_eq!(send(zstd::encode_all(good(1, many).as_slice(), 3).unwrap(), "zstd"), (413, "too_large".into()));
    // Oversized body, compressed and once decompressed (a zip bomb).
    assert_eq!(send(vec![0u8; 17 << 20], "identity").0, 413);
    let bomb = zstd::encode_all(vec![0u8; 70 << 20].as_slice(), 19).unwrap();
    assert_eq!(send(bomb, "zstd"), (413, "too_large".into()));
    // One document too large: refused alone, the other in the request is stored.
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    let a = Appraisal::new(staff, "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    let ok_bytes = prestasi_e2e::craft_as_self(&t, id, &a);
    let ok_doc = PushDoc {
        id: protocol::id_bytes(id),
        kind: "appraisal".into(),
        sigs: t.sign(id, &ok_bytes),
        changes: protocol::Bytes::from(ok_bytes),
    };
    let huge = PushDoc {
        id: protocol::id_bytes(DocId::new()),
        kind: "feedback".into(),
        changes: protocol::Bytes::from(vec![7u8; 2 << 20]),
        sigs: vec![],
    };
    let resp = prestasi_e2e::post_sync(&t, &SyncRequest { v: 1, push: vec![huge, ok_doc], ..Default::default() });
    assert!(
        matches!(&resp.results[0].outcome, protocol::PushOutcome::Rejected(r) if r.code == protocol::RejectCode::TooLarge)
    );
    assert!(matches!(resp.results[1].outcome, protocol::PushOutcome::Accepted { .. }));
    // No or wrong credentials.
    let r = http.post(&url).body(good(1, vec![])).send().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = http.post(&url).bearer_auth(format!("{}.wrong", creds.device_id)).body(good(1, vec![])).send().unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Still serving: a normal sync works and nothing bad was stored.
    let r = t.client.sync_now().unwrap();
    assert_eq!(r.round_trips, 1);
    assert_eq!(server.storage.appraisals(MANOKWARI, &Default::default()).unwrap().len(), 1);
    assert_eq!(server.storage.feedback_count(MANOKWARI, None).unwrap(), 0);
}
