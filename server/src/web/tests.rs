//! Router tests of the web pages: login, session cookie, CSRF, logout.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::Role;
use tower::ServiceExt;

use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;

pub(crate) fn app() -> Router {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
    crate::http::router(AppState::new(storage, Limits::default()).unwrap())
}

pub(crate) async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 8 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

pub(crate) fn form(uri: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

pub(crate) fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

/// Log in as siti; the `name=value` of the session cookie.
pub(crate) async fn login(app: &Router) -> String {
    let (status, headers, _) =
        send(app, form("/masuk", "tenant=uji&username=siti&password=kata-sandi-panjang", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let set = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    set.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn login_session_csrf_logout() {
    let app = app();
    let (status, _, html) = send(&app, get("/masuk", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<label for="password">"#));
    // Without a session the pages send the browser to the login form.
    let (status, headers, _) = send(&app, get("/hr", None)).await;
    assert_eq!((status, headers[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/masuk"));
    // A wrong password is refused on the page, in Indonesian.
    let (status, _, html) = send(&app, form("/masuk", "tenant=uji&username=siti&password=salah", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("kata sandi salah"));

    let cookie = login(&app).await;
    let (status, _, html) = send(&app, get("/hr", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ringkasan") && html.contains("Belum ada data"), "{html}");
    // The cookie also opens the API for reads (CSV downloads from the pages).
    let (status, _, _) = send(&app, get("/v1/hr/reports/completion?period=2026-S1", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);

    // Logout needs the form's CSRF token.
    let (status, _, _) = send(&app, form("/keluar", "csrf=palsu", Some(&cookie))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = cookie.split_once('=').unwrap().1;
    let csrf = crate::auth::csrf_token(token);
    assert!(html.contains(&csrf), "the page's forms carry the token");
    let (status, headers, _) = send(&app, form("/keluar", &format!("csrf={csrf}"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (status, _, _) = send(&app, get("/hr", Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session is gone");
}
