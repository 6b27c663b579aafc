//! Router tests of the login pages: a form from another site is refused,
//! the page's lockout, the admins' audit page, the forced password change,
//! and an admin's revocation ending a page session.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::Role;

use super::tests::{form, get, send};
use crate::config::Limits;
use crate::state::AppState;
use crate::storage::AuthStore;
use crate::storage::sqlite::SqliteStorage;

const PASSWORD: &str = "kata-sandi-panjang";

fn app() -> (Router, Arc<SqliteStorage>) {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", PASSWORD, Role::Hr).unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "root", PASSWORD, Role::Admin).unwrap();
    (crate::http::router(AppState::new(storage.clone(), Limits::default()).unwrap()), storage)
}

/// A form post with extra headers (e.g. `Origin`).
fn form_from(uri: &str, body: &str, cookie: Option<&str>, headers: &[(&'static str, &str)]) -> Request<Body> {
    let mut r = form(uri, body, cookie);
    for (k, v) in headers {
        r.headers_mut().insert(*k, v.parse().unwrap());
    }
    r
}

fn credentials(username: &str, password: &str) -> String {
    format!("tenant=uji&username={username}&password={password}")
}

/// Log in on the page; the session cookie's `name=value`.
async fn page_login(app: &Router, username: &str) -> String {
    let (status, headers, html) = send(app, form("/masuk", &credentials(username, PASSWORD), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string()
}

fn csrf(cookie: &str) -> String {
    crate::auth::csrf_token(cookie.split_once('=').unwrap().1)
}

#[tokio::test]
async fn a_login_form_sent_from_another_site_is_refused() {
    let (app, _) = app();
    for cross in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("referer", "https://evil.example/halaman")],
        vec![("origin", "http://localhost.evil.example")],
    ] {
        let (status, headers, html) =
            send(&app, form_from("/masuk", &credentials("siti", PASSWORD), None, &cross)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{cross:?}");
        assert!(!headers.contains_key(header::SET_COOKIE), "{cross:?}: no session");
        assert!(html.contains("Permintaan ditolak: formulir ini tidak dikirim dari halaman Prestasi."), "{html}");
    }
    // This site's own page (the request's Host is `localhost`), or the
    // public URL's origin: logged in.
    for ours in [vec![("origin", "http://localhost")], vec![("referer", "http://localhost/masuk")]] {
        let (status, headers, _) = send(&app, form_from("/masuk", &credentials("siti", PASSWORD), None, &ours)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{ours:?}");
        assert!(headers.contains_key(header::SET_COOKIE));
    }
    // The password page too.
    let change = "tenant=uji&username=siti&password=x&new_password=kopi-arfak-pagi&new_password_again=kopi-arfak-pagi";
    let (status, _, _) =
        send(&app, form_from("/ganti-sandi", change, None, &[("origin", "https://evil.example")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hr_forms_from_another_site_are_refused_with_a_valid_csrf_token() {
    let (app, _) = app();
    let cookie = page_login(&app, "siti").await;
    let body = format!("csrf={}", csrf(&cookie));
    let evil = [("origin", "https://evil.example")];
    let (status, _, html) = send(&app, form_from("/keluar", &body, Some(&cookie), &evil)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Permintaan ditolak"));
    assert_eq!(send(&app, get("/hr", Some(&cookie))).await.0, StatusCode::OK, "still logged in");
    let (status, _, _) =
        send(&app, form_from("/keluar", &body, Some(&cookie), &[("origin", "http://localhost")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "from this site: logged out");
    assert_eq!(send(&app, get("/hr", Some(&cookie))).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_login_page_locks_after_five_wrong_passwords() {
    let (app, _) = app();
    for _ in 1..5 {
        let (status, _, html) = send(&app, form("/masuk", &credentials("siti", "salah"), None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains("Nama pengguna atau kata sandi salah."));
    }
    for password in ["salah", PASSWORD] {
        let (status, headers, html) = send(&app, form("/masuk", &credentials("siti", password), None)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{password}");
        assert!(html.contains("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam"), "{html}");
        assert!(headers.contains_key(header::RETRY_AFTER) && !headers.contains_key(header::SET_COOKIE));
        assert!(html.contains(r#"value="uji""#), "the form again, the tenant kept");
    }
}

#[tokio::test]
async fn the_audit_page_is_for_admins() {
    let (app, _) = app();
    let markup = "tenant=uji&username=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&password=salah";
    assert_eq!(send(&app, form("/masuk", markup, None)).await.0, StatusCode::UNAUTHORIZED);
    let hr = page_login(&app, "siti").await;
    let (status, _, html) = send(&app, get("/hr/log-masuk", Some(&hr))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Hanya untuk admin."));
    assert!(!send(&app, get("/hr", Some(&hr))).await.2.contains("/hr/log-masuk"), "not in an officer's menu");

    let admin = page_login(&app, "root").await;
    let (status, _, html) = send(&app, get("/hr/log-masuk", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;"), "typed names shown as text: {html}");
    assert!(!html.contains("<img src=x"), "never as markup");
    assert!(html.contains("gagal: nama pengguna atau kata sandi salah") && html.contains("berhasil"));
    assert!(html.contains("<td>local</td>"), "the client address");
    assert!(send(&app, get("/hr", Some(&admin))).await.2.contains(r#"href="/hr/log-masuk""#), "in an admin's menu");
    // Its JSON download opens with the page's cookie.
    let (status, _, json) = send(&app, get("/v1/admin/audit?limit=1000", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains(r#""outcome":"bad_credentials""#), "{json}");
}

#[tokio::test]
async fn a_temporary_password_is_changed_on_the_page() {
    let (app, storage) = app();
    crate::login::reset_password(storage.as_ref(), "uji", "siti", "sementara-biru-laut").unwrap();
    let (status, headers, html) = send(&app, form("/masuk", &credentials("siti", "sementara-biru-laut"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key(header::SET_COOKIE), "no session with a temporary password");
    assert!(html.contains("Kata sandi ini sementara dan harus diganti") && html.contains(r#"action="/ganti-sandi""#));
    assert!(html.contains(r#"value="siti""#), "filled in");

    let post = |new: &str, again: &str| {
        format!("tenant=uji&username=siti&password=sementara-biru-laut&new_password={new}&new_password_again={again}")
    };
    let (status, _, html) = send(&app, form("/ganti-sandi", &post("kopi-arfak-pagi", "kopi-arfak-sore"), None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Kata sandi baru dan ulangannya tidak sama."));
    let (status, _, html) = send(&app, form("/ganti-sandi", &post("aaaaaaaaaa", "aaaaaaaaaa"), None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Kata sandi minimal 12 karakter."), "{html}");
    let (status, headers, _) =
        send(&app, form("/ganti-sandi", &post("kopi-arfak-pagi", "kopi-arfak-pagi"), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    assert_eq!(send(&app, get("/hr", Some(&cookie))).await.0, StatusCode::OK, "changed and logged in");
    assert!(!storage.must_change_password("uji", "siti").unwrap());
    let (status, _, _) = send(&app, form("/masuk", &credentials("siti", "kopi-arfak-pagi"), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, get("/ganti-sandi", None)).await.0, StatusCode::OK, "the page for a voluntary change");
}

#[tokio::test]
async fn an_admins_revocation_ends_a_page_session() {
    let (app, storage) = app();
    let cookie = page_login(&app, "siti").await;
    assert_eq!(send(&app, get("/hr", Some(&cookie))).await.0, StatusCode::OK);
    assert_eq!(crate::login::revoke_sessions(storage.as_ref(), "uji", "siti").unwrap(), 1);
    let (status, headers, _) = send(&app, get("/hr", Some(&cookie))).await;
    assert_eq!((status, headers[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/masuk"));
}
