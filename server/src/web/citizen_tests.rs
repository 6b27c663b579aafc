//! Router tests of the citizens' feedback form: the page, what is stored,
//! the checks and the spam protection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::Role;

use super::token;
use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{ReportStore, Storage, Window};
use crate::web::tests::send;

pub(crate) const STAFF: &str = "199307082019031090";
pub(crate) const BOSS: &str = "198802182010062056";
/// HR officer siti's password.
const HR_PASSWORD: &str = "kata-sandi-panjang";

/// Tenant `uji` with units u1 and u2 of one agency, two employees of u1
/// and HR officer siti.
pub(crate) fn fixture(limits: Limits) -> (Router, Arc<SqliteStorage>) {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", HR_PASSWORD, Role::Hr).unwrap();
    let csv = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN\n\
         {STAFF};Ani Lestari;u1;Pelayanan KTP;dukcapil;Dinas Dukcapil;pelaksana;Staf\n\
         {BOSS};Budi Santoso;u1;Pelayanan KTP;dukcapil;Dinas Dukcapil;pengawas;Kepala\n\
         199001012015031001;Citra;u2;Pelayanan Akta;dukcapil;Dinas Dukcapil;pelaksana;Staf\n"
    );
    let report = crate::admin::import_employees(
        storage.as_ref(),
        &crate::state::server_identity(storage.as_ref()).unwrap(),
        "uji",
        csv.as_bytes(),
    )
    .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let app = crate::http::router(AppState::new(storage.clone(), limits).unwrap());
    (app, storage)
}

/// The fixture after a form was served (the signing secret exists).
async fn served(limits: Limits) -> (Router, Arc<SqliteStorage>) {
    let (app, storage) = fixture(limits);
    assert_eq!(send(&app, get("/umpan-balik/uji/u1")).await.0, StatusCode::OK);
    (app, storage)
}

/// A token as the form would have carried it, served `age` seconds ago.
fn token_aged(storage: &SqliteStorage, unit: &str, age: i64, nonce: &str) -> String {
    let secret = storage.meta("citizen_form_secret").unwrap().expect("served() first");
    token(&secret, "uji", unit, chrono::Utc::now().timestamp() - age, nonce)
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, body: &str, ip: &str) -> Request<Body> {
    let mut r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    r.extensions_mut().insert(ConnectInfo(format!("{ip}:40000").parse::<SocketAddr>().unwrap()));
    r
}

/// A complete answer with `token`.
fn answers(token: &str) -> String {
    format!(
        "token={token}&situs_web=&layanan_lain=Perekaman+KTP-el&u1=4&u2=3&u3=3&u4=4&u5=3&u6=4&u7=4&u8=2&u9=3&menit=15&komentar=Cepat+dan+ramah"
    )
}

/// Post `body` to u1's form from `ip`: the status and the page.
async fn submit(app: &Router, body: &str, ip: &str) -> (StatusCode, String) {
    let (status, _, html) = send(app, post("/umpan-balik/uji/u1", body, ip)).await;
    (status, html)
}

fn stored(storage: &SqliteStorage) -> u64 {
    storage.feedback_count("uji", Some("u1")).unwrap()
}

#[tokio::test]
async fn the_form_has_nine_labelled_questions_and_no_script() {
    let (app, _) = fixture(Limits::default());
    let (status, headers, html) = send(&app, get("/umpan-balik/uji/u1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(html.contains("Pelayanan KTP") && html.contains("Dinas Dukcapil"), "unit and agency shown");
    for n in 1..=9 {
        assert!(html.contains(&format!(r#"<fieldset id="f-u{n}">"#)), "U{n}");
        assert_eq!(html.matches(&format!(r#"type="radio" name="u{n}""#)).count(), 4, "four answers to U{n}");
    }
    assert_eq!(html.matches("<legend>").count(), 9);
    assert!(html.contains("Apakah persyaratan layanan sesuai dan mudah dipenuhi?"));
    assert!(html.contains("Sangat sopan dan ramah"));
    assert!(html.contains(r#"<label for="menit">"#) && html.contains(r#"max="1440""#));
    assert!(html.contains(r#"<label for="komentar">"#) && html.contains(r#"<label for="layanan_lain">"#));
    assert!(html.contains(r#"name="situs_web""#) && html.contains(r#"name="token""#));
    assert!(!html.contains("<script"), "works without JavaScript");
    // Unknown tenants and units answer an Indonesian 404 page.
    for uri in ["/umpan-balik/uji/tidak-ada", "/umpan-balik/lain/u1"] {
        let (status, _, html) = send(&app, get(uri)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(html.contains("Halaman tidak ditemukan"), "{html}");
    }
}

#[tokio::test]
async fn a_valid_answer_is_stored_once_and_counted_by_the_skm_report() {
    let (app, storage) = served(Limits::default()).await;
    let t = token_aged(&storage, "u1", 30, "00112233445566aa");
    let (status, html) = submit(&app, &answers(&t), "192.0.2.10").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Terima kasih"));
    assert_eq!(stored(&storage), 1);
    // The same form sent again (a double tap) is not counted twice.
    let (status, _) = submit(&app, &answers(&t), "192.0.2.10").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored(&storage), 1);

    // The SKM report counts it with the kiosks' answers.
    let cookie = crate::web::tests::login(&app).await;
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let req = Request::get(format!("/v1/hr/reports/skm?period={year}"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let service = rows.iter().find(|r| r["level"] == "service").unwrap();
    assert_eq!((service["unit_id"].as_str(), service["service"].as_str()), (Some("u1"), Some("Perekaman KTP-el")));
    assert_eq!(service["respondents"], 1);
    let comments = storage.feedback_comments("uji", Window { from_ms: 0, to_ms: i64::MAX }, None, None, 10).unwrap();
    assert_eq!(comments[0].comment, "Cepat dan ramah");
    assert_eq!(comments[0].officer_nip, None);

    // What one citizen typed is never offered to the next.
    let (_, _, html) = send(&app, get("/umpan-balik/uji/u1")).await;
    assert!(!html.contains("Perekaman KTP-el"), "{html}");
}

/// HR officer siti's bearer token for the JSON API.
async fn bearer(app: &Router) -> String {
    let login = serde_json::json!({"tenant": "uji", "username": "siti", "password": HR_PASSWORD}).to_string();
    let req = Request::post("/v1/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(login));
    let (status, _, body) = send(app, req.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"].as_str().unwrap().to_string();
    format!("Bearer {token}")
}

/// `method` `uri` with HR's bearer token (`auth`, may be empty) and a JSON body.
fn hr_json(method: &str, uri: &str, auth: &str, body: &str) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
    if !auth.is_empty() {
        r = r.header(header::AUTHORIZATION, auth);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_form_offers_the_services_hr_listed_and_nothing_a_citizen_typed() {
    let (app, storage) = served(Limits::default()).await;
    let t = token_aged(&storage, "u1", 30, "0011223344556601");
    let typed = answers(&t).replace("Perekaman+KTP-el", "%3Cb%3EPromo+pinjol%3C%2Fb%3E");
    assert_eq!(submit(&app, &typed, "192.0.2.40").await.0, StatusCode::OK);
    assert_eq!(stored(&storage), 1, "a typed service is stored");
    let cookie = bearer(&app).await;
    let body = r#"{"services": ["Perekaman KTP-el", "  Akta kelahiran ", ""]}"#;
    let (status, _, json) = send(&app, hr_json("PUT", "/v1/hr/units/u1/services", &cookie, body)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["services"], serde_json::json!(["Perekaman KTP-el", "Akta kelahiran"]));
    // Shown at once on this instance (the cache forgets the unit's list).
    let (_, _, html) = send(&app, get("/umpan-balik/uji/u1")).await;
    assert!(html.contains("<option>Perekaman KTP-el</option>") && html.contains("<option>Akta kelahiran</option>"));
    assert!(!html.contains("pinjol"), "{html}");
    let (status, _, json) = send(&app, hr_json("GET", "/v1/hr/units/u1/services", &cookie, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains("Akta kelahiran"));
    // Refused: repeated, too many, an unknown unit, no login.
    let (status, _, json) =
        send(&app, hr_json("PUT", "/v1/hr/units/u1/services", &cookie, r#"{"services": ["KTP", "ktp"]}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json.contains("dua kali"), "{json}");
    let many: Vec<String> = (0..31).map(|i| format!("Layanan {i}")).collect();
    let body = serde_json::json!({ "services": many }).to_string();
    let (status, _, _) = send(&app, hr_json("PUT", "/v1/hr/units/u1/services", &cookie, &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = send(&app, hr_json("GET", "/v1/hr/units/tidak-ada/services", &cookie, "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&app, hr_json("GET", "/v1/hr/units/u1/services", "", "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(storage.unit_services("uji", "u1").unwrap(), ["Perekaman KTP-el", "Akta kelahiran"]);
}

#[tokio::test]
async fn hr_edits_the_service_list_on_its_page() {
    let (app, storage) = fixture(Limits::default());
    let cookie = crate::web::tests::login(&app).await;
    let page = Request::get("/hr/layanan").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (status, _, html) = send(&app, page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Pelayanan KTP") && html.contains(r#"<textarea id="layanan-u1" name="layanan""#));
    let csrf = html.split(r#"name="csrf" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = |csrf: &str, text: &str| {
        Request::post("/hr/layanan/u1")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&layanan={text}")))
            .unwrap()
    };
    let (status, headers, _) = send(&app, form(&csrf, "Perekaman+KTP-el%0D%0AKartu+keluarga%0D%0A")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/hr/layanan?disimpan=u1");
    assert_eq!(storage.unit_services("uji", "u1").unwrap(), ["Perekaman KTP-el", "Kartu keluarga"]);
    let (status, _, html) = send(&app, form(&csrf, "KTP%0D%0AKTP")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("dua kali"), "{html}");
    let (status, _, _) = send(&app, form("salah", "Apa+saja")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong CSRF token");
    assert_eq!(storage.unit_services("uji", "u1").unwrap(), ["Perekaman KTP-el", "Kartu keluarga"]);
}

#[tokio::test]
async fn posts_without_a_valid_token_cannot_close_a_units_form() {
    // 25 addresses each send 5 posts without a token (or with a forged
    // one): more than the unit's limit of 100. A citizen then answers.
    let limits = Limits { feedback_per_client: 5, feedback_per_unit: 100, ..Limits::default() };
    let (app, storage) = served(limits).await;
    for ip in 1..=25 {
        for k in 0..5 {
            let body = if k % 2 == 0 { answers("") } else { answers("1.palsu.palsu") };
            let (status, _) = submit(&app, &body, &format!("198.51.100.{ip}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
    }
    let t = token_aged(&storage, "u1", 30, "0011223344556602");
    let (status, html) = submit(&app, &answers(&t), "203.0.113.7").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(stored(&storage), 1);
}

#[tokio::test]
async fn page_views_are_limited_per_client() {
    let limits = Limits { form_pages_per_client: 3, ..Limits::default() };
    let (app, _) = fixture(limits);
    let view = |ip: &str| {
        let mut r = get("/umpan-balik/uji/u1");
        r.extensions_mut().insert(ConnectInfo(format!("{ip}:40000").parse::<SocketAddr>().unwrap()));
        r
    };
    for _ in 0..3 {
        assert_eq!(send(&app, view("192.0.2.50")).await.0, StatusCode::OK);
    }
    let (status, headers, html) = send(&app, view("192.0.2.50")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key(header::RETRY_AFTER) && html.contains("Terlalu banyak"));
    assert_eq!(send(&app, view("192.0.2.51")).await.0, StatusCode::OK, "another client");
}

#[test]
fn the_form_token_is_an_hmac_checked_in_constant_time() {
    use hmac::{Hmac, Mac};
    let t = token("rahasia", "uji", "u1", 1_700_000_000, "00112233445566ff");
    let sig = t.rsplit('.').next().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"rahasia").unwrap();
    for part in ["uji", "u1", "1700000000", "00112233445566ff"] {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    let full = mac.finalize().into_bytes();
    let hex: String = full.iter().take(16).map(|b| format!("{b:02x}")).collect();
    assert_eq!(sig, hex, "HMAC-SHA256, 128 bits kept");
    let now = 1_700_000_000 + 60;
    assert!(matches!(super::check_token("rahasia", "uji", "u1", &t, now), super::TokenCheck::Valid(_)));
    // One changed digit, another secret, another unit: refused.
    let mut forged = t.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for (secret, unit, tok) in [("rahasia", "u1", &forged), ("lain", "u1", &t), ("rahasia", "u2", &t)] {
        assert_eq!(super::check_token(secret, "uji", unit, tok, now), super::TokenCheck::Invalid);
    }
}

#[tokio::test]
async fn an_officer_of_the_unit_is_credited_and_others_are_ignored() {
    let (app, storage) = fixture(Limits::default());
    let (_, _, html) = send(&app, get(&format!("/umpan-balik/uji/u1?petugas={STAFF}"))).await;
    assert!(html.contains("Ani Lestari") && html.contains(&format!(r#"name="petugas" value="{STAFF}""#)));
    let t = token_aged(&storage, "u1", 30, "00112233445566bb");
    let body = format!("{}&petugas={STAFF}", answers(&t));
    assert_eq!(submit(&app, &body, "192.0.2.10").await.0, StatusCode::OK);
    // An employee of another unit is not credited; the answer still counts.
    let t = token_aged(&storage, "u1", 30, "00112233445566cc");
    let body = format!("{}&petugas=199001012015031001", answers(&t));
    assert_eq!(submit(&app, &body, "192.0.2.11").await.0, StatusCode::OK);
    assert_eq!(stored(&storage), 2);
    let officers = storage.feedback_by_officer("uji", Window { from_ms: 0, to_ms: i64::MAX }, None).unwrap();
    assert_eq!(officers.len(), 1);
    assert_eq!((officers[0].key.as_str(), officers[0].respondents), (STAFF, 1));
}

#[tokio::test]
async fn a_missing_or_impossible_answer_shows_the_form_again() {
    let (app, storage) = served(Limits::default()).await;
    let t = token_aged(&storage, "u1", 30, "00112233445566dd");
    let missing = answers(&t).replace("&u3=3", "");
    let (status, html) = submit(&app, &missing, "192.0.2.10").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"<fieldset id="f-u3" class="salah" aria-describedby="e-u3">"#), "{html}");
    assert!(html.contains(r#"<p class="galat" id="e-u3">Pilih salah satu jawaban.</p>"#));
    assert!(html.contains(r##"<a href="#f-u3">"##), "the summary links to the question");
    assert!(html.contains(r#"name="u1" value="4" checked"#), "given answers are kept");
    assert!(html.contains(r#"value="15""#) && html.contains("Cepat dan ramah") && html.contains("Perekaman KTP-el"));
    assert!(html.contains(&t), "the same form goes on");
    // A score outside 1–4 is refused by the core rules.
    let seven = answers(&t).replace("u2=3", "u2=7");
    let (status, html) = submit(&app, &seven, "192.0.2.10").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="e-u2""#), "{html}");
    let minutes = answers(&t).replace("menit=15", "menit=2000");
    let (status, html) = submit(&app, &minutes, "192.0.2.10").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="e-menit""#) && html.contains(r#"aria-invalid="true""#));
    assert_eq!(stored(&storage), 0);
}

#[tokio::test]
async fn spam_is_thanked_but_not_stored() {
    let (app, storage) = served(Limits::default()).await;
    // The honeypot filled in.
    let t = token_aged(&storage, "u1", 30, "00112233445566ee");
    let bot = answers(&t).replace("situs_web=", "situs_web=http%3A%2F%2Fspam.example");
    let (status, html) = submit(&app, &bot, "192.0.2.20").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Terima kasih"));
    // Sent a second after the form was served.
    let fast = token_aged(&storage, "u1", 1, "00112233445566ef");
    let (status, html) = submit(&app, &answers(&fast), "192.0.2.21").await;
    assert_eq!((status, html.contains("Terima kasih")), (StatusCode::OK, true));
    assert_eq!(stored(&storage), 0);
    // A forged, foreign or expired token: the form again, answers kept.
    let other_unit = token_aged(&storage, "u2", 30, "00112233445566f0");
    let expired = token_aged(&storage, "u1", super::MAX_AGE_SECS + 60, "00112233445566f1");
    for bad in ["palsu".to_string(), other_unit, expired] {
        let (status, html) = submit(&app, &answers(&bad), "192.0.2.22").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(html.contains("terlalu lama terbuka") && html.contains(r#"name="u1" value="4" checked"#));
    }
    assert_eq!(stored(&storage), 0);
}

#[tokio::test]
async fn posts_are_rate_limited_per_client_and_per_unit() {
    let limits = Limits { feedback_per_client: 3, feedback_per_unit: 5, ..Limits::default() };
    let (app, storage) = served(limits).await;
    let nonces = ["a0", "a1", "a2", "a3", "a4", "a5", "a6"].map(|n| format!("00112233445566{n}"));
    for n in &nonces[..3] {
        let t = token_aged(&storage, "u1", 30, n);
        assert_eq!(submit(&app, &answers(&t), "192.0.2.30").await.0, StatusCode::OK);
    }
    let t = token_aged(&storage, "u1", 30, &nonces[3]);
    let (status, headers, html) = send(&app, post("/umpan-balik/uji/u1", &answers(&t), "192.0.2.30")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Terlalu banyak") && headers.contains_key(header::RETRY_AFTER));
    assert_eq!(stored(&storage), 3);
    // Another client may still answer, until the unit's limit.
    for n in &nonces[3..5] {
        let t = token_aged(&storage, "u1", 30, n);
        assert_eq!(submit(&app, &answers(&t), "192.0.2.31").await.0, StatusCode::OK);
    }
    let t = token_aged(&storage, "u1", 30, &nonces[5]);
    let (status, _) = submit(&app, &answers(&t), "192.0.2.32").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the unit's limit");
    // Other units are counted on their own.
    let t = token_aged(&storage, "u2", 30, &nonces[6]);
    assert_eq!(send(&app, post("/umpan-balik/uji/u2", &answers(&t), "192.0.2.33")).await.0, StatusCode::OK);
    assert_eq!(stored(&storage), 5);
}
