//! Router tests of what every answer tells the browser
//! (`crate::security_headers`): HR's pages, the login page, the citizens'
//! form, API answers and errors, CSV downloads, the stylesheets; that no
//! page holds what its Content-Security-Policy would block; and that an
//! extractor's rejection is answered in Indonesian (`crate::bad_input`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use axum::http::{HeaderMap, Request, StatusCode, header};

use super::citizen::tests::fixture;
use super::tests::{form, get, login, send};
use crate::config::Limits;
use crate::security_headers::{CONTENT_SECURITY_POLICY, HEADERS};

/// HR's pages over the fixture's tenant (no appraisals: the empty states).
const HR_PAGES: [&str; 10] = [
    "/hr",
    "/hr/penilaian?period=2026-S1",
    "/hr/kalibrasi?period=2026-S1",
    "/hr/skm?period=2026-S1",
    "/hr/penghargaan?period=2026-S1",
    "/hr/talenta?year=2026",
    "/hr/kompetensi?year=2026",
    "/hr/perangkat",
    "/hr/unit/u1/qr",
    "/hr/penilaian",
];

fn assert_headers(what: &str, h: &HeaderMap, no_store: bool) {
    for (name, value) in HEADERS {
        if name == "cache-control" && !no_store {
            continue;
        }
        assert_eq!(h.get(name).and_then(|v| v.to_str().ok()), Some(value), "{what}: {name}");
    }
}

/// What the policy would block: inline script or style, event-handler
/// attributes, `javascript:` links.
fn assert_csp_clean(what: &str, html: &str) {
    for blocked in ["<script", "<style", "style=", "javascript:"] {
        assert!(!html.contains(blocked), "{what} holds {blocked:?}");
    }
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices(" on") {
        let name: String = lower[at + 3..].chars().take_while(char::is_ascii_alphabetic).collect();
        let after = lower[at + 3 + name.len()..].chars().next();
        assert!(name.is_empty() || after != Some('='), "{what}: an inline handler on{name}=");
    }
}

/// Every stylesheet a page links is served, as CSS, cacheable.
async fn assert_stylesheets_served(app: &axum::Router, what: &str, html: &str) {
    let mut found = 0;
    for (at, _) in html.match_indices("<link rel=\"stylesheet\" href=\"") {
        let href: String = html[at + 29..].chars().take_while(|c| *c != '"').collect();
        let (status, h, css) = send(app, get(&href, None)).await;
        assert_eq!(status, StatusCode::OK, "{what} links {href}");
        assert_eq!(h[header::CONTENT_TYPE], "text/css; charset=utf-8", "{href}");
        assert_eq!(h[header::CACHE_CONTROL], super::assets::CACHE, "{href}: may be cached");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{href}");
        assert!(css.contains('{'), "{href}");
        found += 1;
    }
    assert!(found > 0, "{what} links no stylesheet");
}

#[tokio::test]
async fn every_page_and_answer_carries_the_security_headers() {
    let (app, _) = fixture(Limits::default());
    assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'") && !CONTENT_SECURITY_POLICY.contains("unsafe"));

    let (status, h, html) = send(&app, get("/masuk", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_headers("the login page", &h, true);
    assert_csp_clean("the login page", &html);
    assert_stylesheets_served(&app, "the login page", &html).await;

    let cookie = login(&app).await;
    for uri in HR_PAGES {
        let (status, h, html) = send(&app, get(uri, Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert_headers(uri, &h, true);
        assert_csp_clean(uri, &html);
        assert_stylesheets_served(&app, uri, &html).await;
    }
    let (status, h, _) = send(&app, get("/hr", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no session: to the login page");
    assert_headers("a redirect", &h, true);

    // The citizens' form: no login, its own no-store kept.
    let (status, h, html) = send(&app, get("/umpan-balik/uji/u1", None)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_headers("the public form", &h, true);
    assert_csp_clean("the public form", &html);
    assert_stylesheets_served(&app, "the public form", &html).await;

    // HR API answers: JSON, CSV and an error.
    for uri in ["/v1/hr/reports/completion?period=2026-S1", "/v1/hr/reports/completion?period=2026-S1&format=csv"] {
        let (status, h, _) = send(&app, get(uri, Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_headers(uri, &h, true);
    }
    let (status, h, body) = send(&app, get("/v1/hr/employees", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_headers("an API error", &h, true);
    let (status, h, _) = send(&app, get("/health", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn rejections_before_a_handler_are_answered_in_indonesian() {
    let (app, _) = fixture(Limits::default());
    // A page's form that does not deserialize (a field missing): a
    // sentence in Indonesian, not axum's "Failed to deserialize form body".
    let (status, h, body) = send(&app, form("/masuk", "tenant=uji", None)).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(h[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert!(body.contains("Permintaan tidak dapat dibaca"), "{body}");
    crate::extract::tests::assert_no_parser_words(&body);
    assert_headers("a refused form", &h, true);

    // A path parameter that is not UTF-8, on the API: the JSON error body.
    let cookie = login(&app).await;
    let (status, h, body) = send(&app, get("/v1/hr/appraisals/%FF%FE", Some(&cookie))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "bad_request");
    crate::extract::tests::assert_no_parser_words(json["message"].as_str().unwrap());

    // A JSON body of the wrong type, a wrong query type: Indonesian, and
    // the field named.
    let req = Request::post("/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(r#"{"tenant": ["uji"], "username": "siti", "password": "x"}"#))
        .unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = serde_json::from_str::<serde_json::Value>(&body).unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.contains("\"tenant\""), "{message}");
    crate::extract::tests::assert_no_parser_words(&message);
    let (status, _, body) = send(&app, get("/v1/hr/reports/completion?period=2026-S1&year=dua", Some(&cookie))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = serde_json::from_str::<serde_json::Value>(&body).unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.contains("\"year\""), "{message}");
    crate::extract::tests::assert_no_parser_words(&message);
}
