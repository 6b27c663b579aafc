//! Router tests of the devices page: enrolling with a code and a QR code,
//! revoking, and the units' citizen feedback QR codes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::{DeviceId, Role};

use crate::auth::{csrf_token, normalise_code, sha256_hex};
use crate::config::Limits;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{DeviceRow, Storage};
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
