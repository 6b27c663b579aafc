//! The offline paths from the attacker's side: a legitimate, enrolled
//! tablet running a modified app uses resumable uploads and bundle files to
//! get past the checks a sync makes, or to disturb other devices. Each is
//! refused with its code, and HR's reports do not change.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::sync::bundle::{self, BundleKind, Envelope};
use prestasi_core::sync::protocol::{self, PushDoc, PushOutcome, RejectCode, SyncRequest, SyncResponse};
use prestasi_e2e::{Device, Hr, MANOKWARI, World};
use serde_json::Value;

const PERIOD: &str = "2026-S1";

fn reports(hr: &Hr) -> Value {
    serde_json::json!({
        "appraisals": hr.get(&format!("/v1/hr/appraisals?period={PERIOD}")),
        "tpp": hr.get(&format!("/v1/hr/reports/allowances?period={PERIOD}")),
    })
}

/// Unit B's appraisal, approved ("locked") in unit A's tablet's name: what
/// a modified app of unit A would like to slip in.
fn forged(w: &World, tablet: &Device) -> PushDoc {
    let p = &w.people;
    let staff = Nip::parse(&p.staff_b[0]).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let mut a = Appraisal::new(staff, PERIOD, &p.unit_b, Nip::parse(&p.boss_b).unwrap()).unwrap();
    a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    a.perilaku = Some(Rating::DiAtasEkspektasi);
    a.status = AppraisalStatus::Locked;
    let changes = prestasi_e2e::craft(tablet, id, &a);
    PushDoc {
        id: protocol::id_bytes(id),
        kind: DocKind::Appraisal.as_str().into(),
        sigs: tablet.sign(id, &changes),
        changes: changes.into(),
    }
}

fn body_of(req: &SyncRequest) -> Vec<u8> {
    zstd::encode_all(protocol::encode(req).as_slice(), 3).unwrap()
}

struct Raw<'a> {
    device: &'a Device,
    http: reqwest::blocking::Client,
}

impl Raw<'_> {
    fn send(&self, method: reqwest::Method, path: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Vec<u8>) {
        let c = self.device.client.credentials();
        let mut req = self
            .http
            .request(method, format!("{}{path}", c.server_url))
            .bearer_auth(format!("{}.{}", c.device_id, c.secret))
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let res = req.send().unwrap();
        (res.status().as_u16(), res.bytes().unwrap().to_vec())
    }
}

fn code_of(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .map(|v| v["code"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[test]
fn uploads_cannot_get_past_the_sync_checks_or_reach_other_devices() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let before = reports(&hr);
    let a = w.supervisor_a();
    a.client.sync_now().unwrap();
    let b = w.device(MANOKWARI, prestasi_core::model::Role::Supervisor, &w.people.boss_b, &[&w.people.unit_b]);
    let raw_a = Raw { device: &a, http: reqwest::blocking::Client::new() };
    let raw_b = Raw { device: &b, http: reqwest::blocking::Client::new() };
    use reqwest::Method;

    // A forged document through an upload meets the checks of a sync.
    let req = SyncRequest {
        v: protocol::PROTOCOL_VERSION,
        push: vec![forged(&w, &a)],
        signers: a.store.bindings().unwrap(),
        ..Default::default()
    };
    let body = body_of(&req);
    let id = uuid::Uuid::new_v4().to_string();
    let path = format!("/v1/uploads/{id}");
    let len = [("upload-length", body.len().to_string())];
    assert_eq!(raw_a.send(Method::PUT, &path, &len, body.clone()).0, 200);
    let (status, answer) = raw_a.send(Method::POST, &format!("{path}/sync"), &[], vec![]);
    assert_eq!(status, 200);
    let answer: SyncResponse = protocol::decode(&answer).unwrap();
    match &answer.results[0].outcome {
        PushOutcome::Rejected(r) => assert_eq!(r.code, RejectCode::Forbidden, "{r:?}"),
        other => panic!("a forged appraisal of another unit was accepted through an upload: {other:?}"),
    }

    // Another device's upload is not there for it: not readable, not writable, not processable.
    assert_eq!(raw_b.send(Method::GET, &path, &[], vec![]).0, 404);
    assert_eq!(raw_b.send(Method::PATCH, &path, &[("upload-offset", "0".into())], b"x".to_vec()).0, 404);
    assert_eq!(raw_b.send(Method::POST, &format!("{path}/sync"), &[], vec![]).0, 404);
    assert_eq!(raw_b.send(Method::DELETE, &path, &[], vec![]).0, 200, "deleting is idempotent…");
    assert_eq!(raw_a.send(Method::GET, &path, &[], vec![]).0, 200, "…and leaves the owner's upload alone");

    // Offsets, lengths and counts are the server's.
    let other = format!("/v1/uploads/{}", uuid::Uuid::new_v4());
    assert_eq!(raw_a.send(Method::PUT, &other, &[("upload-length", "100".into())], vec![]).0, 200);
    let (s, e) = raw_a.send(Method::PATCH, &other, &[("upload-offset", "50".into())], vec![1; 10]);
    assert_eq!((s, code_of(&e).as_str()), (409, "upload_offset"), "a part past the server's offset");
    let (s, e) = raw_a.send(Method::PATCH, &other, &[("upload-offset", "0".into())], vec![1; 101]);
    assert_eq!((s, code_of(&e).as_str()), (422, "upload_length"), "a part past the declared length");
    let (s, e) = raw_a.send(Method::POST, &format!("{other}/sync"), &[], vec![]);
    assert_eq!((s, code_of(&e).as_str()), (409, "upload_incomplete"));
    let (s, e) = raw_a.send(Method::PUT, &other, &[("upload-length", "99".into())], vec![]);
    assert_eq!((s, code_of(&e).as_str()), (422, "upload_length"), "reopened with another length");
    let huge = (17u64 << 20).to_string();
    let (s, _) =
        raw_a.send(Method::PUT, &format!("/v1/uploads/{}", uuid::Uuid::new_v4()), &[("upload-length", huge)], vec![]);
    assert_eq!(s, 413);
    let (s, e) = raw_a.send(Method::PUT, "/v1/uploads/not-a-uuid", &[("upload-length", "10".into())], vec![]);
    assert_eq!((s, code_of(&e).as_str()), (400, "bad_upload_id"));
    // Garbage uploaded whole is a malformed body, as on /v1/sync.
    let junk = format!("/v1/uploads/{}", uuid::Uuid::new_v4());
    assert_eq!(raw_a.send(Method::PUT, &junk, &[("upload-length", "8".into())], b"garbage!".to_vec()).0, 200);
    let (s, e) = raw_a.send(Method::POST, &format!("{junk}/sync"), &[], vec![]);
    assert_eq!((s, code_of(&e).as_str()), (400, "malformed_body"));
    // At most four unanswered uploads per device.
    let mut last = 0;
    for _ in 0..4 {
        last = raw_a
            .send(
                Method::PUT,
                &format!("/v1/uploads/{}", uuid::Uuid::new_v4()),
                &[("upload-length", "10".into())],
                vec![],
            )
            .0;
    }
    assert_eq!(last, 429, "a fifth open upload is refused");
    assert_eq!(reports(&hr), before, "HR's reports did not change");
}

#[test]
fn a_bundle_cannot_carry_what_a_sync_would_refuse() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let before = reports(&hr);
    let a = w.supervisor_a();
    // A modified app writes its own bundle, sealed with its real key.
    let req = SyncRequest {
        v: protocol::PROTOCOL_VERSION,
        push: vec![forged(&w, &a)],
        signers: a.store.bindings().unwrap(),
        ..Default::default()
    };
    let c = a.client.credentials();
    let env = Envelope::new(BundleKind::Push, &c.tenant_id, &c.device_id, protocol::encode(&req));
    let file = bundle::seal(&env, &bundle::device_key(&c.secret));
    let res = reqwest::blocking::Client::new()
        .post(format!("{}/v1/hr/bundles", w.server.url))
        .bearer_auth(&hr.token)
        .body(file)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["prestasi-accepted"], "0");
    assert_eq!(res.headers()["prestasi-rejected"], "1");
    // The receipt tells the tablet why, as a sync would.
    let receipt = res.bytes().unwrap().to_vec();
    let opened = bundle::open(&receipt).unwrap().verify(&bundle::device_key(&c.secret)).unwrap();
    let answer: SyncResponse = protocol::decode(&opened.message().unwrap()).unwrap();
    match &answer.results[0].outcome {
        PushOutcome::Rejected(r) => assert_eq!(r.code, RejectCode::Forbidden, "{r:?}"),
        other => panic!("accepted from a bundle: {other:?}"),
    }
    // A bundle naming another device, sealed with this device's key: refused.
    let b = w.device(MANOKWARI, prestasi_core::model::Role::Supervisor, &w.people.boss_b, &[&w.people.unit_b]);
    let env = Envelope::new(BundleKind::Push, &c.tenant_id, &b.client.credentials().device_id, protocol::encode(&req));
    let res = reqwest::blocking::Client::new()
        .post(format!("{}/v1/hr/bundles", w.server.url))
        .bearer_auth(&hr.token)
        .body(bundle::seal(&env, &bundle::device_key(&c.secret)))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(code_of(&res.bytes().unwrap()), "bundle_tampered");
    assert_eq!(reports(&hr), before, "HR's reports did not change");
}
