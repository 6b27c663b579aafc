//! Router tests of the devices page: enrolling with a code and a QR code,
//! revoking, the units' citizen feedback QR codes, and people's signing
//! keys (person codes, the key list, revoking a person's keys).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::{DeviceId, Role};

use crate::auth::{csrf_token, normalise_code, sha256_hex};
use crate::config::Limits;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{DeviceRow, SignerRow, Storage};
use crate::web::citizen::tests::{BOSS, STAFF, fixture};
use crate::web::tests::{login, send};

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, cookie).header(header::HOST, "localhost").body(Body::empty()).unwrap()
}

fn post(uri: &str, body: &str, cookie: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The app, its storage, siti's cookie and her CSRF token.
async fn signed_in() -> (Router, std::sync::Arc<SqliteStorage>, String, String) {
    let (app, storage) = fixture(Limits::default());
    let cookie = login(&app).await;
    let csrf = csrf_token(cookie.split_once('=').unwrap().1);
    (app, storage, cookie, csrf)
}

/// A supervisor's tablet enrolled for BOSS in u1; its id.
fn enrolled(storage: &SqliteStorage) -> String {
    let code = crate::admin::issue_enrollment(storage, "uji", Role::Supervisor, BOSS, &["u1".into()]).unwrap();
    let device = DeviceRow {
        id: DeviceId::random().to_string(),
        tenant_id: String::new(),
        role: Role::Kiosk,
        user_id: String::new(),
        units: Vec::new(),
        secret_hash: sha256_hex("rahasia"),
        enrolled_at: 0,
        revoked_at: None,
        revoked_reason: None,
        wiped_at: None,
    };
    storage.redeem_enrollment(&sha256_hex(&normalise_code(&code)), &device, 1_700_000_000_000).unwrap().id
}

#[tokio::test]
async fn the_page_lists_devices_and_enrolling_shows_a_code_and_a_qr_code() {
    let (app, storage, cookie, csrf) = signed_in().await;
    let id = enrolled(&storage);
    let (status, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&id) && html.contains(BOSS) && html.contains("Pelayanan KTP (u1)"), "{html}");
    assert!(html.contains("Atasan (tablet unit)") && html.contains(&format!(r#"for="alasan-{id}""#)));
    assert!(html.contains(r#"href="/hr/unit/u1/qr""#), "each unit's citizen QR code");

    let body = format!("csrf={csrf}&role=kiosk&user=Kios+Loket+1&units=u1");
    let (status, _, html) = send(&app, post("/hr/perangkat", &body, &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<p class="kode">"#) && html.contains("<svg"), "{html}");
    assert!(html.contains("prestasi://enroll?server=http://localhost&#38;code="), "{html}");
    let code = html.split(r#"<p class="kode">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(code.len(), 14, "{code}");
    // The code enrolls a kiosk of u1.
    let device = DeviceRow { id: DeviceId::random().to_string(), ..storage.device(&id).unwrap().unwrap() };
    let kiosk = storage.redeem_enrollment(&sha256_hex(&normalise_code(&code)), &device, 1).unwrap();
    assert_eq!(
        (kiosk.role, kiosk.user_id.as_str(), kiosk.units.clone()),
        (Role::Kiosk, "Kios Loket 1", vec!["u1".into()])
    );

    // Several units for a supervisor (repeated `units` fields).
    let body = format!("csrf={csrf}&role=supervisor&user={BOSS}&units=u1&units=u2");
    let (status, _, html) = send(&app, post("/hr/perangkat", &body, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Pelayanan KTP, Pelayanan Akta"), "{html}");
}

#[tokio::test]
async fn enrolling_checks_the_form() {
    let (app, _, cookie, csrf) = signed_in().await;
    let (status, _, _) = send(&app, post("/hr/perangkat", "csrf=palsu&role=kiosk&user=K&units=u1", &cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cases = [
        (format!("csrf={csrf}&role=kiosk&user=Kios&units=u1&units=u2"), "tepat satu unit"),
        (format!("csrf={csrf}&role=supervisor&user={BOSS}"), "Pilih unit kerja"),
        (format!("csrf={csrf}&role=supervisor&user=123&units=u1"), "NIP atasan tidak sah"),
        (format!("csrf={csrf}&role=supervisor&user=199001012015031099&units=u1"), "tidak terdaftar"),
        (format!("csrf={csrf}&role=kiosk&user=Kios&units=u9"), "Unit kerja u9 tidak dikenal"),
        (format!("csrf={csrf}&role=camat&user=x&units=u1"), "Pilih peran"),
    ];
    for (body, message) in cases {
        let (status, _, html) = send(&app, post("/hr/perangkat", &body, &cookie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(html.contains(message), "{body}: {html}");
        assert!(!html.contains(r#"<p class="kode">"#));
    }
    // The refused form is filled in again.
    let body = format!("csrf={csrf}&role=kiosk&user=Kios+Loket+2&units=u1&units=u2");
    let (_, _, html) = send(&app, post("/hr/perangkat", &body, &cookie)).await;
    assert!(html.contains(r#"value="Kios Loket 2""#) && html.contains(r#"value="u2" checked"#), "{html}");
}

#[tokio::test]
async fn only_an_admin_issues_codes_for_hr_and_admin_devices() {
    let (app, storage, cookie, csrf) = signed_in().await; // siti is HR, not admin
    for role in ["hr", "admin"] {
        let body = format!("csrf={csrf}&role={role}&user=siti");
        let (status, _, html) = send(&app, post("/hr/perangkat", &body, &cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        assert!(html.contains("Hanya admin yang dapat menerbitkan kode pendaftaran"), "{role}: {html}");
        assert!(!html.contains(r#"<p class="kode">"#), "{role}: no code shown");
    }

    crate::admin::create_user(storage.as_ref(), "uji", "root", "kata-sandi-panjang", Role::Admin).unwrap();
    let login = "tenant=uji&username=root&password=kata-sandi-panjang";
    let (status, headers, _) = send(&app, crate::web::tests::form("/masuk", login, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let admin = headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let admin_csrf = csrf_token(admin.split_once('=').unwrap().1);
    let body = format!("csrf={admin_csrf}&role=hr&user=siti&units=u1");
    let (status, _, html) = send(&app, post("/hr/perangkat", &body, &admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code = html.split(r#"<p class="kode">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    let device =
        DeviceRow { id: DeviceId::random().to_string(), ..storage.device(&enrolled(&storage)).unwrap().unwrap() };
    let hr = storage.redeem_enrollment(&sha256_hex(&normalise_code(&code)), &device, 1).unwrap();
    assert_eq!((hr.role, hr.user_id.as_str(), hr.units.len()), (Role::Hr, "siti", 0), "the whole tenant, no units");
}

#[tokio::test]
async fn revoking_needs_the_csrf_token_and_a_reason() {
    let (app, storage, cookie, csrf) = signed_in().await;
    let id = enrolled(&storage);
    let uri = format!("/hr/perangkat/{id}/cabut");
    let (status, _, _) = send(&app, post(&uri, "csrf=palsu&reason=Hilang", &cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, html) = send(&app, post(&uri, &format!("csrf={csrf}&reason=+"), &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tuliskan alasan"));
    assert!(storage.device(&id).unwrap().unwrap().revoked_at.is_none());

    let (status, headers, _) = send(&app, post(&uri, &format!("csrf={csrf}&reason=Tablet+hilang"), &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let revoked = storage.device(&id).unwrap().unwrap();
    assert_eq!(revoked.revoked_reason.as_deref(), Some("Tablet hilang"));
    let (_, _, html) = send(&app, get(headers[header::LOCATION].to_str().unwrap(), &cookie)).await;
    assert!(html.contains("sudah dicabut") && html.contains("Dicabut ") && html.contains("Tablet hilang"), "{html}");
    assert!(!html.contains(&format!(r#"for="alasan-{id}""#)), "no second revoke form");
    assert!(!html.contains("Data di perangkat dihapus"), "not wiped until the tablet says so");
    // The tablet came online, wiped itself and said so: the page shows it.
    assert!(storage.record_wipe(&id, r#"{"documents":0,"bundles":[]}"#, 1_700_000_000_000).unwrap());
    let (_, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert!(html.contains("Data di perangkat dihapus"), "{html}");

    let (status, _, _) = send(&app, post(&uri, &format!("csrf={csrf}&reason=Lagi"), &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already revoked");
    let (status, _, _) =
        send(&app, post("/hr/perangkat/tidak-ada/cabut", &format!("csrf={csrf}&reason=X"), &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_unit_qr_code_points_at_its_feedback_form() {
    let (app, _, cookie, _) = signed_in().await;
    let (status, _, html) = send(&app, get("/hr/unit/u1/qr", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("http://localhost/umpan-balik/uji/u1<"), "{html}");
    assert!(html.contains("Pelayanan KTP") && html.contains("Dinas Dukcapil"));
    let (_, _, html) = send(&app, get(&format!("/hr/unit/u1/qr?petugas={STAFF}"), &cookie)).await;
    assert!(
        html.contains(&format!("/umpan-balik/uji/u1?petugas={STAFF}")) && html.contains("<strong>Ani Lestari</strong>")
    );
    assert!(html.contains(&format!(r#"<option value="{STAFF}" selected>"#)), "{html}");
    let (status, _, _) = send(&app, get("/hr/unit/u9/qr", &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without a session: the login page.
    let (status, _, _) = send(&app, Request::get("/hr/perangkat").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// A signing key of `person` in `tenant` on `device`, bound at `bound_at`.
fn bind(storage: &SqliteStorage, tenant: &str, person: &str, device: &str, bound_at: i64, byte: u8) -> SignerRow {
    let key = SignerRow {
        public_key: vec![byte; 32],
        tenant_id: tenant.into(),
        person: person.into(),
        device_id: device.into(),
        server: false,
        bound_at,
        revoked_at: None,
        revoked_reason: None,
    };
    storage.insert_signer(&key).unwrap();
    key
}

/// The person code shown on `html`, if any.
fn person_code(html: &str) -> Option<String> {
    Some(html.split(r#"<p class="kode" id="kode-pegawai">"#).nth(1)?.split('<').next()?.to_string())
}

#[tokio::test]
async fn issuing_a_person_code_shows_it_once_with_its_validity() {
    let (app, storage, cookie, csrf) = signed_in().await;
    let (_, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert!(html.contains("Tanda tangan pegawai") && html.contains(r#"action="/hr/perangkat/kode-pegawai""#));
    assert!(html.contains("Belum ada kunci tanda tangan"), "{html}");
    assert!(person_code(&html).is_none(), "no code before asking");

    let body = format!("csrf={csrf}&nip=+{STAFF}+");
    let (status, _, html) = send(&app, post("/hr/perangkat/kode-pegawai", &body, &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code = person_code(&html).expect("the code is shown");
    assert_eq!(code.len(), 14, "{code}");
    assert!(html.contains("Ani Lestari") && html.contains(&format!("NIP {STAFF}")), "{html}");
    assert!(html.contains("berlaku 7 hari, sekali pakai"), "{html}");
    assert!(html.contains("Berikan kepada pegawai; dimasukkan saat pertama kali masuk dengan PIN di tablet."));
    // Shown once: the page after it has no code.
    let (_, _, again) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert!(person_code(&again).is_none());

    // The code binds one key of Ani, once.
    let key = SignerRow {
        public_key: vec![7; 32],
        tenant_id: "uji".into(),
        person: STAFF.into(),
        device_id: DeviceId::random().to_string(),
        server: false,
        bound_at: 1_700_000_000_000,
        revoked_at: None,
        revoked_reason: None,
    };
    let hash = sha256_hex(&normalise_code(&code));
    let bind = |k: &SignerRow, now: i64| {
        let mut ok = false;
        storage
            .write(&mut |tx| {
                ok = tx.bind_signer(&hash, k, now)?;
                Ok(())
            })
            .unwrap();
        ok
    };
    assert!(bind(&key, 1_700_000_000_000));
    let other = SignerRow { public_key: vec![8; 32], ..key.clone() };
    assert!(!bind(&other, 1_700_000_000_001), "one use only");
    let keys = crate::people::keys(storage.as_ref(), "uji", Some(STAFF)).unwrap();
    assert_eq!(keys.len(), 1);
}

#[tokio::test]
async fn a_person_code_needs_the_csrf_token_and_a_known_nip() {
    let (app, _, cookie, csrf) = signed_in().await;
    for body in [format!("csrf=palsu&nip={STAFF}"), format!("nip={STAFF}")] {
        let (status, _, html) = send(&app, post("/hr/perangkat/kode-pegawai", &body, &cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(html.contains("Formulir kedaluwarsa") && person_code(&html).is_none(), "{body}: {html}");
    }
    let cases = [
        ("199001012015031099", "Pegawai dengan NIP 199001012015031099 tidak terdaftar"),
        ("123", "NIP tidak sah: NIP harus 18 angka, tertulis 3"),
        ("19900101201503109x", "NIP hanya boleh berisi angka"),
        ("", "NIP tidak sah"),
    ];
    for (nip, message) in cases {
        let body = format!("csrf={csrf}&nip={nip}");
        let (status, _, html) = send(&app, post("/hr/perangkat/kode-pegawai", &body, &cookie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{nip}");
        assert!(html.contains(message), "{nip}: {html}");
        assert!(person_code(&html).is_none(), "{nip}: no code");
        assert!(!html.contains(" got ") && !html.contains("a NIP"), "{nip}: no English");
        // The refused form is filled in again.
        assert!(html.contains(&format!(
            r#"name="nip" required inputmode="numeric" maxlength="18" autocomplete="off" value="{nip}""#
        )));
    }
}

#[tokio::test]
async fn revoking_a_persons_keys_shows_the_count_then_the_reason() {
    let (app, storage, cookie, csrf) = signed_in().await;
    let offset = crate::reports::settings_of(storage.as_ref(), "uji").unwrap().utc_offset_minutes;
    let old = bind(&storage, "uji", STAFF, "aaaaaaaa-1111-4111-8111-111111111111", 1_700_000_000_000, 1);
    let new = bind(&storage, "uji", STAFF, "bbbbbbbb-2222-4222-8222-222222222222", 1_700_000_600_000, 2);
    let boss = bind(&storage, "uji", BOSS, "cccccccc-3333-4333-8333-333333333333", 1_700_000_300_000, 3);

    let (status, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ani Lestari") && html.contains("Budi Santoso") && html.contains(&format!("NIP {STAFF}")));
    assert!(html.contains(&format!(r#"title="{}">bbbbbbbb<"#, new.device_id)), "device id short: {html}");
    assert!(html.contains(&crate::web::local_time(old.bound_at, offset)), "bound time in local time");
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} not in {html}"));
    assert!(at(">bbbbbbbb<") < at(">cccccccc<") && at(">cccccccc<") < at(">aaaaaaaa<"), "newest first");
    assert_eq!(html.matches(">aktif<").count(), 3);
    let staff_form = format!(r#"for="alasan-kunci-{STAFF}""#);
    assert_eq!(html.matches(&staff_form).count(), 1, "one form per person, on their newest key");
    assert!(html.contains(&format!(r#"action="/hr/perangkat/pegawai/{STAFF}/cabut-kunci""#)));

    let uri = format!("/hr/perangkat/pegawai/{STAFF}/cabut-kunci");
    for body in ["csrf=palsu&reason=PIN+bocor", "reason=PIN+bocor"] {
        let (status, _, _) = send(&app, post(&uri, body, &cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, _, html) = send(&app, post(&uri, &format!("csrf={csrf}&reason=+"), &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tuliskan alasan pencabutan kunci"), "{html}");
    let long = "x".repeat(201);
    let (status, _, _) = send(&app, post(&uri, &format!("csrf={csrf}&reason={long}"), &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "too long a reason");
    assert!(storage.signers("uji", Some(STAFF)).unwrap().iter().all(|k| k.revoked_at.is_none()));

    let (status, headers, _) = send(&app, post(&uri, &format!("csrf={csrf}&reason=PIN+bocor"), &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/hr/perangkat?"), "{location}");
    let (status, _, html) = send(&app, get(&location, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("2 kunci tanda tangan pegawai NIP {STAFF} dicabut")), "{html}");
    assert!(html.contains("sinkronisasi berikutnya di setiap tablet"), "{html}");
    assert_eq!(html.matches("dicabut: PIN bocor").count(), 2, "{html}");
    assert_eq!(html.matches(">aktif<").count(), 1, "Budi's key stays active");
    assert!(!html.contains(&staff_form) && html.contains(&format!(r#"for="alasan-kunci-{BOSS}""#)));
    let stored = crate::people::keys(storage.as_ref(), "uji", None).unwrap();
    assert_eq!(stored.len(), 3);
    for k in &stored {
        let revoked = k.public_key != boss.public_key;
        assert_eq!(k.revoked_reason.as_deref(), revoked.then_some("PIN bocor"), "{k:?}");
    }

    let (status, _, html) = send(&app, post(&uri, &format!("csrf={csrf}&reason=Lagi"), &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already revoked");
    assert!(html.contains("sudah dicabut"), "{html}");
}

#[tokio::test]
async fn another_tenants_keys_are_neither_listed_nor_revoked() {
    let (app, storage, cookie, csrf) = signed_in().await;
    crate::admin::create_tenant(storage.as_ref(), "lain", "Kabupaten Lain").unwrap();
    let outsider = "197501012000031002";
    bind(&storage, "lain", outsider, "dddddddd-4444-4444-8444-444444444444", 1_700_000_000_000, 4);
    // The same NIP in both tenants (a transfer): only this tenant's key counts.
    bind(&storage, "lain", STAFF, "eeeeeeee-5555-4555-8555-555555555555", 1_700_000_000_000, 5);
    bind(&storage, "uji", STAFF, "ffffffff-6666-4666-8666-666666666666", 1_700_000_000_000, 6);

    let (_, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert!(!html.contains(outsider) && !html.contains("dddddddd") && !html.contains("eeeeeeee"), "{html}");
    assert!(html.contains("ffffffff"));

    let uri = format!("/hr/perangkat/pegawai/{outsider}/cabut-kunci");
    let (status, _, html) = send(&app, post(&uri, &format!("csrf={csrf}&reason=Pindah"), &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains(&format!("Tidak ada kunci tanda tangan pegawai NIP {outsider} di sini")), "{html}");

    let uri = format!("/hr/perangkat/pegawai/{STAFF}/cabut-kunci");
    let (status, headers, _) = send(&app, post(&uri, &format!("csrf={csrf}&reason=Pindah"), &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().unwrap().contains("kunci_dicabut=1&"), "one key, this tenant's");
    let theirs = crate::people::keys(storage.as_ref(), "lain", None).unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(theirs.iter().all(|k| k.revoked_at.is_none()), "{theirs:?}");
}

#[tokio::test]
async fn a_kiosks_key_is_listed_by_its_name_and_revocable() {
    let (app, storage, cookie, csrf) = signed_in().await;
    bind(&storage, "uji", "Kios Loket 1", "99999999-7777-4777-8777-777777777777", 1_700_000_000_000, 9);
    let (_, _, html) = send(&app, get("/hr/perangkat", &cookie)).await;
    assert!(html.contains("Kios Loket 1") && !html.contains("NIP Kios"), "{html}");
    assert!(html.contains(r#"for="alasan-kunci-Kios%20Loket%201""#), "an id without spaces: {html}");
    let uri = "/hr/perangkat/pegawai/Kios%20Loket%201/cabut-kunci";
    let (status, headers, _) = send(&app, post(uri, &format!("csrf={csrf}&reason=Diganti"), &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = send(&app, get(headers[header::LOCATION].to_str().unwrap(), &cookie)).await;
    assert!(html.contains("1 kunci tanda tangan Kios Loket 1 dicabut") && html.contains("dicabut: Diganti"), "{html}");
}
