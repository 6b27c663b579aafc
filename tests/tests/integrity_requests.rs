//! Issue #10, items 5–7, from the attacker's side: real HTTP requests to a
//! real server on loopback. An oversized fetch, a device holding several
//! syncs at once, enrollment with an id in use (the server's own, another
//! device's) and an HR officer issuing codes for HR or admin devices.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use prestasi_core::doc::DocKind;
use prestasi_core::model::{DeviceId, Role};
use prestasi_core::sync::protocol::{self, PushDoc, SyncRequest};
use prestasi_e2e::{Device, Hr, MANOKWARI, World};
use serde_json::{Value, json};

/// The one place this file builds a `SyncRequest`.
fn sync_request(push: Vec<PushDoc>, fetch: Vec<Vec<u8>>) -> SyncRequest {
    SyncRequest {
        v: protocol::PROTOCOL_VERSION,
        push,
        fetch: fetch.into_iter().map(protocol::Bytes::from).collect(),
        ..SyncRequest::default()
    }
}

fn token(d: &Device) -> String {
    let c = d.client.credentials();
    format!("{}.{}", c.device_id, c.secret)
}

/// Post a sync body (zstd) as `d`: status and JSON error body (if any).
fn post_sync(url: &str, d: &Device, req: &SyncRequest) -> (u16, Value) {
    let body = zstd::encode_all(protocol::encode(req).as_slice(), 3).unwrap();
    let res = reqwest::blocking::Client::new()
        .post(format!("{url}{}", protocol::SYNC_PATH))
        .bearer_auth(token(d))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .unwrap();
    (res.status().as_u16(), res.json().unwrap_or(Value::Null))
}

fn random_ids(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|_| DeviceId::random().as_bytes().to_vec()).collect()
}

#[test]
fn a_fetch_of_50000_ids_is_refused_as_too_large() {
    let w = World::start();
    let url = &w.server.url;
    let t = w.supervisor_a();
    // 50,000 ids: about 850 KB of CBOR, well under the body limits.
    let (status, body) = post_sync(url, &t, &sync_request(vec![], random_ids(50_000)));
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")), "{body}");
    assert!(!body["message"].as_str().unwrap().is_empty());
    // Ids that are not 16 bytes are refused too, not silently skipped.
    let mut fetch = random_ids(3);
    fetch[1] = vec![0xab; 40];
    let (status, body) = post_sync(url, &t, &sync_request(vec![], fetch));
    assert_eq!((status, body["code"].as_str()), (400, Some("malformed_body")), "{body}");
    // The server keeps serving the device.
    assert_eq!(t.client.sync_now().unwrap().round_trips, 1);
}

/// Read from `s` until `needle` has come; everything read.
fn read_until(s: &mut TcpStream, needle: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains(needle) {
        let n = s.read(&mut buf).unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}; got {got:?}"));
        assert!(n > 0, "connection closed before {needle:?}: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn a_second_sync_of_one_device_while_its_first_is_in_flight_gets_429() {
    let w = World::start();
    let url = &w.server.url;
    let t = w.supervisor_a();
    let other = w.device(MANOKWARI, Role::Supervisor, &w.people.boss_b, &[&w.people.unit_b]);

    // The first request: headers with `Expect: 100-continue`, body held
    // back. The server answers `100 Continue` when it starts reading the
    // body, which it does only after taking the device's sync slot: from
    // then on the first request is in flight, for as long as we like.
    let body = protocol::encode(&sync_request(vec![], vec![]));
    let mut first = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    first.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\ncontent-type: application/cbor\r\n\
         content-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        protocol::SYNC_PATH,
        token(&t),
        body.len()
    );
    first.write_all(head.as_bytes()).unwrap();
    read_until(&mut first, "100 Continue\r\n\r\n");

    // The same device again: refused at once, with a typed code.
    let (status, refused) = post_sync(url, &t, &sync_request(vec![], vec![]));
    assert_eq!((status, refused["code"].as_str()), (429, Some("sync_in_progress")), "{refused}");
    assert!(refused["message"].as_str().unwrap().starts_with("Sinkronisasi sebelumnya"), "{refused}");
    // Only that device waits: another one syncs meanwhile.
    assert_eq!(post_sync(url, &other, &sync_request(vec![], vec![])).0, 200);

    // The first request completes normally, and frees the device.
    first.write_all(&body).unwrap();
    let answer = read_until(&mut first, "\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(first);
    assert_eq!(post_sync(url, &t, &sync_request(vec![], vec![])).0, 200);
}

/// `POST /v1/enroll`: status, content type and body, byte for byte.
fn enroll(url: &str, code: &str, device_id: &str) -> (u16, String, Vec<u8>) {
    let res = reqwest::blocking::Client::new()
        .post(format!("{url}{}", protocol::ENROLL_PATH))
        .json(&json!({ "code": code, "device_id": device_id }))
        .send()
        .unwrap();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    (res.status().as_u16(), content_type, res.bytes().unwrap().to_vec())
}

/// A one-time code HR issued for a kiosk of unit A.
fn kiosk_code(w: &World) -> String {
    let units = std::slice::from_ref(&w.people.unit_a);
    prestasi_server::admin::issue_enrollment(w.server.storage.as_ref(), MANOKWARI, Role::Kiosk, "Kios 1", units)
        .unwrap()
}

/// `8-4-4-4-12` from 32 hex digits.
fn hyphenated(hex: &str) -> String {
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[test]
fn enrolling_as_the_server_itself_is_refused_and_spends_no_code() {
    let w = World::start();
    let (url, storage) = (&w.server.url, w.server.storage.as_ref());
    // Any tablet learns the server's id: it is the actor of the employee
    // documents HR imported.
    let t = w.supervisor_a();
    t.client.sync_now().unwrap();
    let (employee, _) = t.store.all_documents().unwrap().into_iter().find(|(_, k)| *k == DocKind::Employee).unwrap();
    let server_id = hyphenated(&t.store.history(employee).unwrap()[0].device);
    assert_eq!(server_id, prestasi_server::state::server_device(storage).unwrap().to_string());

    let code = kiosk_code(&w);
    let bad_code = enroll(url, "ZZZZ-ZZZZ-ZZZZ", &DeviceId::random().to_string());
    assert_eq!(bad_code.0, 401);
    for id in [server_id.clone(), server_id.to_uppercase()] {
        assert_eq!(enroll(url, &code, &id), bad_code, "{id}");
    }
    assert!(storage.device(&server_id).unwrap().is_none(), "no device row with the server's id");
    let (status, _, body) = enroll(url, &code, "00000000-0000-0000-0000-000000000000");
    assert_eq!(status, 400, "the nil UUID: {}", String::from_utf8_lossy(&body));
    // The code was not spent: its holder enrolls with a fresh id.
    let (status, _, body) = enroll(url, &code, &DeviceId::random().to_string());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn enrolling_with_an_existing_device_id_answers_exactly_like_a_bad_code() {
    let w = World::start();
    let (url, storage) = (&w.server.url, w.server.storage.as_ref());
    let victim = w.supervisor_a();
    let victim_id = victim.client.credentials().device_id.to_string();
    let revoked = w.supervisor_a();
    let revoked_id = revoked.client.credentials().device_id.to_string();
    prestasi_server::admin::revoke_device(storage, &revoked_id, "Tablet hilang").unwrap();

    // The attacker holds a valid code and ids seen somewhere (a log, a
    // screen): enrolling with them looks exactly like a mistyped code.
    let code = kiosk_code(&w);
    let bad_code = enroll(url, "ZZZZ-ZZZZ-ZZZZ", &DeviceId::random().to_string());
    assert_eq!(bad_code.0, 401);
    for id in [&victim_id, &revoked_id, &victim_id.to_uppercase()] {
        assert_eq!(enroll(url, &code, id), bad_code, "{id}");
    }
    // Nothing changed for the victim, and the code still works once.
    assert_eq!(victim.client.sync_now().unwrap().round_trips, 1);
    let fresh = DeviceId::random().to_string();
    let (status, _, body) = enroll(url, &code, &fresh);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(storage.device(&fresh).unwrap().unwrap().role, Role::Kiosk);
    assert_eq!(enroll(url, &code, &DeviceId::random().to_string()), bad_code, "spent now");
}

/// Post an urlencoded form (its values need no escaping here).
fn form(http: &reqwest::blocking::Client, url: &str, cookie: Option<&str>, body: &str) -> reqwest::blocking::Response {
    let mut req = http.post(url).header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.body(body.to_string()).send().unwrap()
}

/// Log in on the web pages as `username`: the session cookie and the
/// devices page's CSRF token.
fn web_login(url: &str, username: &str, password: &str) -> (reqwest::blocking::Client, String, String) {
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = form(
        &http,
        &format!("{url}/masuk"),
        None,
        &format!("tenant={MANOKWARI}&username={username}&password={password}"),
    );
    assert_eq!(res.status().as_u16(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = http.get(format!("{url}/hr/perangkat")).header("cookie", &cookie).send().unwrap().text().unwrap();
    let csrf = page.split(r#"name="csrf" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    (http, cookie, csrf)
}

#[test]
fn an_hr_officer_cannot_issue_codes_for_admin_or_hr_devices() {
    let w = World::start();
    let url = &w.server.url;
    let hr = Hr::login(url, MANOKWARI); // role hr, not admin
    for role in ["admin", "hr"] {
        let (status, body) = hr.send("POST", "/v1/hr/devices", json!({ "role": role, "user": "hr", "units": [] }));
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{role}: {body}");
        assert!(body["message"].as_str().unwrap().starts_with("Hanya admin"), "{body}");
    }
    let kiosk = json!({ "role": "kiosk", "user": "Kios 1", "units": [w.people.unit_a] });
    assert_eq!(hr.send("POST", "/v1/hr/devices", kiosk).0, 200, "HR still enrols kiosks");

    // The same on the devices page, with a hand-made form.
    let (http, cookie, csrf) = web_login(url, "hr", prestasi_e2e::HR_PASSWORD);
    for role in ["admin", "hr"] {
        let res =
            form(&http, &format!("{url}/hr/perangkat"), Some(&cookie), &format!("csrf={csrf}&role={role}&user=hr"));
        assert_eq!(res.status().as_u16(), 403, "{role}");
        let html = res.text().unwrap();
        assert!(html.contains("Hanya admin yang dapat menerbitkan kode pendaftaran"), "{html}");
        assert!(!html.contains(r#"<p class="kode">"#), "no code issued");
    }

    // An admin may.
    let storage = w.server.storage.as_ref();
    prestasi_server::admin::create_user(storage, MANOKWARI, "admin", "kata-sandi-admin", Role::Admin).unwrap();
    let http = reqwest::blocking::Client::new();
    let login = json!({ "tenant": MANOKWARI, "username": "admin", "password": "kata-sandi-admin" });
    let session: Value = http.post(format!("{url}/v1/login")).json(&login).send().unwrap().json().unwrap();
    let res = http
        .post(format!("{url}/v1/hr/devices"))
        .bearer_auth(session["token"].as_str().unwrap())
        .json(&json!({ "role": "admin", "user": "admin", "units": [] }))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}
