//! Router tests of HR logins on the JSON API: the throttle's answers,
//! refresh and logout, an admin's revocation, resets and the audit log.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use prestasi_core::model::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;

const PASSWORD: &str = "kata-sandi-panjang";

fn app() -> axum::Router {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", PASSWORD, Role::Hr).unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "root", PASSWORD, Role::Admin).unwrap();
    crate::http::router(AppState::new(storage, Limits::default()).unwrap())
}

/// Send a request (from `client`'s address, if given): status, headers, JSON.
async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    client: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).unwrap();
    if let Some(ip) = client {
        req.extensions_mut().insert(ConnectInfo(format!("{ip}:40000").parse::<SocketAddr>().unwrap()));
    }
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn log_in(app: &axum::Router, username: &str, password: &str, client: &str) -> (StatusCode, HeaderMap, Value) {
    let body = json!({ "tenant": "uji", "username": username, "password": password });
    call(app, "POST", "/v1/login", None, Some(body), Some(client)).await
}

async fn token(app: &axum::Router, username: &str) -> Value {
    let (status, _, body) = log_in(app, username, PASSWORD, "192.0.2.50").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn reads(app: &axum::Router, token: &str) -> StatusCode {
    call(app, "GET", "/v1/hr/conflicts", Some(token), None, None).await.0
}

#[tokio::test]
async fn five_wrong_passwords_answer_429_and_then_the_right_one_waits_too() {
    let app = app();
    for i in 1..5 {
        let (status, _, body) = log_in(&app, "siti", "salah-salah-salah", "192.0.2.1").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_credentials")), "{i}");
    }
    let (status, headers, body) = log_in(&app, "siti", "salah-salah-salah", "192.0.2.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "login_locked");
    assert_eq!(body["message"], "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 1 menit.");
    let retry: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((55..=60).contains(&retry), "Retry-After: {retry}");
    // The right password, from anywhere: the same answer.
    for client in ["192.0.2.1", "198.51.100.2"] {
        let (status, headers, right) = log_in(&app, "siti", PASSWORD, client).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{right}");
        assert_eq!((right["code"].clone(), right["message"].clone()), (body["code"].clone(), body["message"].clone()));
        assert!(headers.contains_key(header::RETRY_AFTER));
    }
    // The password change is throttled with the login.
    let change =
        json!({ "tenant": "uji", "username": "siti", "password": PASSWORD, "new_password": "kopi-arfak-pagi" });
    let (status, _, _) = call(&app, "POST", "/v1/password", None, Some(change), Some("192.0.2.1")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts log in.
    token(&app, "root").await;
}

#[tokio::test]
async fn one_address_is_locked_across_user_names() {
    let app = app();
    for i in 0..crate::login::ADDRESS_FAILURES {
        let (status, _, _) = log_in(&app, &format!("tebakan{i}"), "123456", "203.0.113.9").await;
        let want = if i + 1 == crate::login::ADDRESS_FAILURES {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(status, want, "attempt {i}");
    }
    assert_eq!(log_in(&app, "siti", PASSWORD, "203.0.113.9").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(log_in(&app, "siti", PASSWORD, "198.51.100.1").await.0, StatusCode::OK, "another address logs in");
}

#[tokio::test]
async fn refresh_rotates_and_logout_revokes_the_login() {
    let app = app();
    let first = token(&app, "siti").await;
    let (access, refresh) = (first["token"].as_str().unwrap(), first["refresh_token"].as_str().unwrap());
    let expires_in = first["expires_at"].as_i64().unwrap() - chrono::Utc::now().timestamp_millis();
    assert!((14 * 60_000..=15 * 60_000).contains(&expires_in), "15 minutes: {expires_in}");
    let login_left = first["refresh_expires_at"].as_i64().unwrap() - chrono::Utc::now().timestamp_millis();
    assert!((11 * 3_600_000..=12 * 3_600_000).contains(&login_left), "12 hours: {login_left}");
    assert_eq!(reads(&app, access).await, StatusCode::OK);

    let (status, _, second) =
        call(&app, "POST", "/v1/login/refresh", None, Some(json!({ "refresh_token": refresh })), None).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (access2, refresh2) = (second["token"].as_str().unwrap(), second["refresh_token"].as_str().unwrap());
    assert!(access2 != access && refresh2 != refresh, "a new pair");
    assert_eq!(
        (second["role"].as_str(), second["refresh_expires_at"].clone()),
        (Some("hr"), first["refresh_expires_at"].clone())
    );
    assert_eq!(reads(&app, access2).await, StatusCode::OK);
    // The old refresh token is refused, and its copy's login revoked.
    let (status, _, body) =
        call(&app, "POST", "/v1/login/refresh", None, Some(json!({ "refresh_token": refresh })), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("refresh_invalid")));
    assert_eq!(reads(&app, access2).await, StatusCode::UNAUTHORIZED, "a reused refresh token ends its login");
    assert_eq!(reads(&app, access).await, StatusCode::UNAUTHORIZED);

    // Logout: the access token and the refresh token stop working.
    let l = token(&app, "siti").await;
    let other = token(&app, "siti").await;
    let (status, _, body) = call(&app, "POST", "/v1/logout", l["token"].as_str(), None, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "revoked": true })));
    assert_eq!(reads(&app, l["token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED, "the token is refused after");
    let again = json!({ "refresh_token": l["refresh_token"] });
    assert_eq!(call(&app, "POST", "/v1/login/refresh", None, Some(again), None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, body) = call(&app, "POST", "/v1/logout", l["token"].as_str(), None, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("session_invalid")));
    assert_eq!(call(&app, "POST", "/v1/logout", None, None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(reads(&app, other["token"].as_str().unwrap()).await, StatusCode::OK, "another login stays");
}

#[tokio::test]
async fn an_admin_revokes_logins_and_resets_passwords() {
    let app = app();
    let (hr, admin) = (token(&app, "siti").await, token(&app, "root").await);
    let (hr, admin) = (hr["token"].as_str().unwrap().to_string(), admin["token"].as_str().unwrap().to_string());
    let reset = |p: &str| json!({ "temporary_password": p });
    for (method, uri, body) in [
        ("GET", "/v1/admin/audit", None),
        ("POST", "/v1/admin/users/root/revoke-sessions", None),
        ("POST", "/v1/admin/users/root/reset-password", Some(reset("sementara-biru-laut"))),
    ] {
        let (status, _, answer) = call(&app, method, uri, Some(&hr), body, None).await;
        assert_eq!((status, answer["message"].as_str()), (StatusCode::FORBIDDEN, Some("Hanya untuk admin.")), "{uri}");
    }
    let siti_web = token(&app, "siti").await;

    let (status, _, body) = call(&app, "POST", "/v1/admin/users/siti/revoke-sessions", Some(&admin), None, None).await;
    assert_eq!((status, body["revoked"].as_u64()), (StatusCode::OK, Some(2)));
    assert_eq!(reads(&app, &hr).await, StatusCode::UNAUTHORIZED, "every login of siti ends");
    assert_eq!(reads(&app, siti_web["token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(reads(&app, &admin).await, StatusCode::OK, "the admin's own stays");
    let (status, _, _) = call(&app, "POST", "/v1/admin/users/nobody/revoke-sessions", Some(&admin), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for uri in ["/v1/admin/users/root/revoke-sessions", "/v1/admin/users/root/reset-password"] {
        let body = uri.ends_with("password").then(|| reset("sementara-biru-laut"));
        let (status, _, answer) = call(&app, "POST", uri, Some(&admin), body, None).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("own_account")), "{uri}");
    }
    assert_eq!(reads(&app, &admin).await, StatusCode::OK, "an admin's own login is ended by logout, not here");

    for (weak, message) in [
        ("aaaaaaaaaa", "Kata sandi minimal 12 karakter."),
        ("1234567890", "Kata sandi minimal 12 karakter."),
        ("aaaaaaaaaaaa", "Kata sandi terlalu mudah ditebak"),
        ("siti12345678", "Kata sandi terlalu mudah ditebak"),
    ] {
        let uri = "/v1/admin/users/siti/reset-password";
        let (status, _, body) = call(&app, "POST", uri, Some(&admin), Some(reset(weak)), None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")),
            "{weak}"
        );
        assert!(body["message"].as_str().unwrap().starts_with(message), "{weak}: {body}");
    }
    let uri = "/v1/admin/users/siti/reset-password";
    let (status, _, body) = call(&app, "POST", uri, Some(&admin), Some(reset("sementara-biru-laut")), None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "must_change_password": true, "revoked": 0 })));

    let (status, _, body) = log_in(&app, "siti", "sementara-biru-laut", "192.0.2.60").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")));
    let change = |new: &str| json!({ "tenant": "uji", "username": "siti", "password": "sementara-biru-laut", "new_password": new });
    let (status, _, body) = call(&app, "POST", "/v1/password", None, Some(change("1234567890")), None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Kata sandi minimal 12 karakter."))
    );
    let (status, _, body) = call(&app, "POST", "/v1/password", None, Some(change("kopi-arfak-pagi")), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(reads(&app, body["token"].as_str().unwrap()).await, StatusCode::OK, "changed and logged in");
    assert_eq!(log_in(&app, "siti", "kopi-arfak-pagi", "192.0.2.61").await.0, StatusCode::OK);

    // Every attempt above is in the tenant's audit log, newest first.
    let (status, _, body) = call(&app, "GET", "/v1/admin/audit?limit=1000", Some(&admin), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let events = body["events"].as_array().unwrap();
    let seen: Vec<(&str, &str)> =
        events.iter().map(|e| (e["username"].as_str().unwrap(), e["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        seen[..3],
        [("siti", "ok"), ("siti", "password_changed"), ("siti", "password_change_required")],
        "{seen:?}"
    );
    assert_eq!(seen.iter().filter(|(_, o)| *o == "ok").count(), 4, "four logins");
    let last = &events[0];
    assert_eq!(
        (last["client"].as_str(), last["via"].as_str(), last["tenant"].as_str()),
        (Some("192.0.2.61"), Some("api"), Some("uji"))
    );
    assert!(last["at"].as_i64().unwrap() > 0 && last["id"].as_u64().unwrap() > 0);
    let (_, _, page) =
        call(&app, "GET", &format!("/v1/admin/audit?limit=2&before={}", last["id"]), Some(&admin), None, None).await;
    assert_eq!(page["events"].as_array().unwrap()[..], events[1..3]);
    for bad in ["limit=0", "limit=1001", "before=0", "before=9223372036854775808", "limit=x"] {
        let (status, _, _) = call(&app, "GET", &format!("/v1/admin/audit?{bad}"), Some(&admin), None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
