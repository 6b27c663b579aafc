//! The public URL, HSTS and trusted proxies: parsing, the client address
//! behind a proxy, and router tests showing that links, cookies and the
//! citizens' form's rate limit follow the configuration, not the request's
//! `Host`, `X-Forwarded-Proto` or `X-Forwarded-For` headers.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use prestasi_core::model::Role;
use tower::ServiceExt;

use super::*;
use crate::auth::csrf_token;
use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;

const PUBLIC: &str = "https://prestasi.manokwarikab.go.id";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn public_url_parse_keeps_the_origin_and_refuses_paths() {
    let u = PublicUrl::parse(" HTTPS://Prestasi.Example.go.id/ ").unwrap();
    assert_eq!((u.origin(), u.secure()), ("https://prestasi.example.go.id", true));
    let u = PublicUrl::parse("http://10.1.2.3:8080").unwrap();
    assert_eq!((u.origin(), u.secure()), ("http://10.1.2.3:8080", false));
    assert!(u.clone().with_tls(true).secure(), "TLS in the server: secure whatever the URL says");
    assert_eq!(PublicUrl::parse("http://[::1]:8080").unwrap().origin(), "http://[::1]:8080");
    for bad in ["prestasi.example", "ftp://x", "https://", "https://x/prestasi", "https://x?a=1", "https://u@x"] {
        assert!(PublicUrl::parse(bad).is_err(), "{bad}");
    }
    let f = PublicUrl::fallback("127.0.0.1:8080".parse().unwrap(), false);
    assert_eq!((f.origin(), f.secure(), f.hsts()), ("http://127.0.0.1:8080", false, None));
    let f = PublicUrl::fallback("127.0.0.1:8443".parse().unwrap(), true);
    assert_eq!((f.origin(), f.hsts().unwrap().to_str().unwrap()), ("https://127.0.0.1:8443", HSTS));
}

#[test]
fn x_forwarded_for_names_the_client_only_from_a_trusted_proxy() {
    let mut h = HeaderMap::new();
    h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.2".parse().unwrap());
    let proxy: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let untrusted = PublicUrl::default();
    assert_eq!(untrusted.client_ip(Some(proxy), &h), Some(ip("10.0.0.1")), "ignored from any peer by default");
    let one = PublicUrl::default().with_trusted_proxies([ip("10.0.0.1")]);
    assert_eq!(one.client_ip(Some(proxy), &h), Some(ip("10.0.0.2")), "the entry the proxy added");
    let other: SocketAddr = "192.0.2.7:5000".parse().unwrap();
    assert_eq!(one.client_ip(Some(other), &h), Some(ip("192.0.2.7")), "a peer that is not the proxy");
    // Two proxies in a row: the right-most entry that is not one of them;
    // what the client wrote to their left (6.6.6.6) is never believed.
    let two = PublicUrl::default().with_trusted_proxies([ip("10.0.0.1"), ip("10.0.0.2")]);
    assert_eq!(two.client_ip(Some(proxy), &h), Some(ip("203.0.113.9")));
    // IPv4 peers seen as IPv6 (a dual-stack listener) are the same proxy.
    let mapped: SocketAddr = "[::ffff:10.0.0.1]:5000".parse().unwrap();
    assert_eq!(one.client_ip(Some(mapped), &h), Some(ip("10.0.0.2")));
    // No header, or garbage in it: the proxy's own address, or the last good entry.
    assert_eq!(one.client_ip(Some(proxy), &HeaderMap::new()), Some(ip("10.0.0.1")));
    let mut junk = HeaderMap::new();
    junk.insert("x-forwarded-for", "203.0.113.5, bukan-alamat".parse().unwrap());
    assert_eq!(one.client_ip(Some(proxy), &junk), Some(ip("10.0.0.1")));
    assert_eq!(one.client_ip(None, &h), None, "in-process requests have no peer");
}

/// Tenant `uji` with unit u1 (two employees) and HR officer siti, served
/// with `public`.
fn app(public: PublicUrl, limits: Limits) -> Router {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
    let csv = "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN\n\
               199307082019031090;Ani Lestari;u1;Pelayanan KTP;dukcapil;Dinas Dukcapil;pelaksana;Staf\n\
               198802182010062056;Budi Santoso;u1;Pelayanan KTP;dukcapil;Dinas Dukcapil;pengawas;Kepala\n";
    let server = crate::state::server_identity(storage.as_ref()).unwrap();
    let report = crate::admin::import_employees(storage.as_ref(), &server, "uji", csv.as_bytes()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    crate::http::router(AppState::new(storage, limits).unwrap().with_public(public))
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 8 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A request as a browser behind a lying proxy would send it.
fn evil(req: axum::http::request::Builder) -> axum::http::request::Builder {
    req.header(header::HOST, "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
}

/// Log siti in; the `Set-Cookie` header and the answer's headers.
async fn login(app: &Router) -> (String, HeaderMap) {
    let req = evil(Request::post("/masuk"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("tenant=uji&username=siti&password=kata-sandi-panjang"))
        .unwrap();
    let (status, headers, _) = send(app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    (headers[header::SET_COOKIE].to_str().unwrap().to_string(), headers)
}

fn hsts(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::STRICT_TRANSPORT_SECURITY).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn links_cookies_and_hsts_follow_an_https_public_url_not_the_host_header() {
    let app = app(PublicUrl::parse(PUBLIC).unwrap(), Limits::default());
    let (set_cookie, headers) = login(&app).await;
    assert!(set_cookie.contains("; Secure") && set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert_eq!(hsts(&headers), Some("max-age=31536000"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let csrf = csrf_token(cookie.split_once('=').unwrap().1);

    // The enrollment QR code names the public URL, not the Host header.
    let req = evil(Request::post("/hr/perangkat"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&role=kiosk&user=Kios+Loket+1&units=u1")))
        .unwrap();
    let (status, headers, html) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("prestasi://enroll?server={PUBLIC}&#38;code=")), "{html}");
    assert!(!html.contains("evil.example"), "{html}");
    assert_eq!(hsts(&headers), Some(HSTS));

    // So does the citizens' form URL on a unit's QR code.
    let req = evil(Request::get("/hr/unit/u1/qr")).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (status, _, html) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("{PUBLIC}/umpan-balik/uji/u1<")) && !html.contains("evil.example"), "{html}");

    // Every answer carries HSTS, an error too.
    let (status, headers, _) = send(&app, evil(Request::get("/tidak-ada")).body(Body::empty()).unwrap()).await;
    assert_eq!((status, hsts(&headers)), (StatusCode::NOT_FOUND, Some(HSTS)));
    let (_, headers, _) = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(hsts(&headers), Some(HSTS));
}

#[tokio::test]
async fn an_http_public_url_has_no_secure_cookie_and_no_hsts_whatever_the_headers_say() {
    let public = PublicUrl::parse("http://10.20.30.40:8080").unwrap();
    let app = app(public.clone(), Limits::default());
    let (set_cookie, headers) = login(&app).await; // with `X-Forwarded-Proto: https`
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert_eq!(hsts(&headers), None);
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let req = evil(Request::get("/hr/unit/u1/qr")).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let (_, headers, html) = send(&app, req).await;
    assert!(html.contains("http://10.20.30.40:8080/umpan-balik/uji/u1<") && !html.contains("evil.example"));
    assert_eq!(hsts(&headers), None);

    // The same URL with TLS in the server itself: Secure and HSTS.
    let app = self::app(public.with_tls(true), Limits::default());
    let (set_cookie, headers) = login(&app).await;
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    assert_eq!(hsts(&headers), Some(HSTS));
}

/// A citizen's post to u1's form over a connection from `peer`, with
/// `X-Forwarded-For: forwarded`; the status.
async fn post_from(app: &Router, peer: &str, forwarded: &str) -> StatusCode {
    let body = "token=palsu&situs_web=&layanan_lain=&u1=4&u2=3&u3=3&u4=4&u5=3&u6=4&u7=4&u8=2&u9=3&menit=15&komentar=";
    let mut req = Request::post("/umpan-balik/uji/u1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    send(app, req).await.0
}

#[tokio::test]
async fn the_citizen_forms_rate_limit_believes_x_forwarded_for_only_from_a_trusted_proxy() {
    let limits = Limits { feedback_per_client: 1, ..Limits::default() };
    // No trusted proxy: two people behind "a proxy" at 10.0.0.1 are one client.
    let app = self::app(PublicUrl::default(), limits);
    assert_ne!(post_from(&app, "10.0.0.1:40000", "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post_from(&app, "10.0.0.1:40001", "203.0.113.2").await, StatusCode::TOO_MANY_REQUESTS);

    // 10.0.0.1 trusted: each person is counted on their own...
    let app = self::app(PublicUrl::default().with_trusted_proxies([ip("10.0.0.1")]), limits);
    assert_ne!(post_from(&app, "10.0.0.1:40000", "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(post_from(&app, "10.0.0.1:40001", "203.0.113.2").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post_from(&app, "10.0.0.1:40002", "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    // ...and a client connecting directly cannot pick its address with the header.
    assert_ne!(post_from(&app, "192.0.2.50:40000", "203.0.113.3").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post_from(&app, "192.0.2.50:40001", "203.0.113.4").await, StatusCode::TOO_MANY_REQUESTS);
}

#[test]
fn trusted_proxies_come_from_flags_the_variable_or_the_config_file() {
    use clap::Parser;
    let cli = crate::cli::Cli::try_parse_from([
        "prestasi-server",
        "serve",
        "--trusted-proxy",
        "10.0.0.1",
        "--trusted-proxy",
        "10.0.0.2,fd00::1",
        "--public-url",
        PUBLIC,
    ])
    .unwrap();
    let crate::cli::Command::Serve { transport, .. } = cli.command else { unreachable!() };
    assert_eq!(transport.trusted_proxies, [ip("10.0.0.1"), ip("10.0.0.2"), ip("fd00::1")]);
    assert_eq!(transport.public_url.unwrap().origin(), PUBLIC);
    assert!(crate::cli::Cli::try_parse_from(["prestasi-server", "serve", "--public-url", "https://x/y"]).is_err());
    assert!(crate::cli::Cli::try_parse_from(["prestasi-server", "serve", "--trusted-proxy", "nginx"]).is_err());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prestasi.toml");
    std::fs::write(
        &file,
        format!(
            "public-url = \"{PUBLIC}\"\ntrusted-proxy = \"10.0.0.1, 10.0.0.2\"\ntls-cert = \"/etc/c.pem\"\ntls-key = \"/etc/k.pem\"\n"
        ),
    )
    .unwrap();
    let args = ["prestasi-server".into(), "--config".into(), file.into_os_string(), "serve".into()];
    let cli = crate::config_file::parse(args.to_vec()).unwrap();
    let crate::cli::Command::Serve { transport, .. } = cli.command else { unreachable!() };
    assert_eq!(transport.trusted_proxies, [ip("10.0.0.1"), ip("10.0.0.2")]);
    assert_eq!(transport.public_url.unwrap().origin(), PUBLIC);
    assert_eq!(transport.tls_cert.unwrap(), std::path::Path::new("/etc/c.pem"));
}
