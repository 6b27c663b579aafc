//! HR logins against real servers on loopback (issue 15): the lockout is
//! shared by two server instances on one database, tokens are refreshed,
//! rotated and revoked everywhere at once, a login form from another site
//! is refused, and every attempt lands in the audit log with its address.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::Role;
use prestasi_e2e::{HR_PASSWORD, Hr, MANOKWARI, Server, open_storage, seed};
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "tinta-biru-manokwari";

fn login(http: &reqwest::blocking::Client, url: &str, password: &str) -> (u16, Option<String>, Value) {
    let res = http
        .post(format!("{url}/v1/login"))
        .json(&json!({ "tenant": MANOKWARI, "username": "hr", "password": password }))
        .send()
        .unwrap();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), retry, res.json().unwrap_or(Value::Null))
}

fn status(http: &reqwest::blocking::Client, url: &str, token: &str) -> u16 {
    http.get(format!("{url}/v1/hr/conflicts")).bearer_auth(token).send().unwrap().status().as_u16()
}

/// Two servers on one database: what one counts, the other sees.
fn two_servers() -> (tempfile::TempDir, Server, Server) {
    let dir = tempfile::tempdir().unwrap();
    let storage = open_storage(dir.path());
    seed(storage.as_ref());
    prestasi_server::admin::create_user(storage.as_ref(), MANOKWARI, "admin", ADMIN_PASSWORD, Role::Admin).unwrap();
    let (a, b) = (Server::start_on(storage.clone()), Server::start_on(storage));
    (dir, a, b)
}

#[test]
fn a_lockout_counted_on_one_server_holds_on_the_other() {
    let (_dir, a, b) = two_servers();
    let http = reqwest::blocking::Client::new();
    for url in [&a.url, &b.url, &a.url, &b.url] {
        let (code, _, body) = login(&http, url, "bukan-kata-sandinya");
        assert_eq!((code, body["code"].as_str()), (401, Some("bad_credentials")), "{body}");
    }
    let (code, retry, body) = login(&http, &a.url, "bukan-kata-sandinya");
    assert_eq!((code, body["code"].as_str()), (429, Some("login_locked")), "the 5th failure, on either server");
    let retry: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    for url in [&a.url, &b.url] {
        let (code, retry, body) = login(&http, url, HR_PASSWORD);
        assert_eq!(code, 429, "the right password waits too, on every server: {body}");
        assert!(retry.is_some());
        assert!(body["message"].as_str().unwrap().starts_with("Terlalu banyak percobaan masuk yang gagal."));
    }
    // The admin of the tenant sees every attempt, with the client's address.
    let admin = Hr::login_as(&b.url, MANOKWARI, "admin", ADMIN_PASSWORD);
    let log = admin.get("/v1/admin/audit");
    let rows: Vec<(&str, &str, &str)> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["username"].as_str().unwrap(), e["outcome"].as_str().unwrap(), e["client"].as_str().unwrap()))
        .collect();
    assert_eq!(rows[0], ("admin", "ok", "127.0.0.1"));
    let hr: Vec<&str> = rows.iter().filter(|r| r.0 == "hr").map(|r| r.1).collect();
    assert_eq!(
        hr,
        ["locked", "locked", "locked", "bad_credentials", "bad_credentials", "bad_credentials", "bad_credentials"]
    );
    assert!(rows.iter().all(|r| r.2 == "127.0.0.1"), "{rows:?}");
}

#[test]
fn tokens_refresh_rotate_and_are_revoked_on_every_server() {
    let (_dir, a, b) = two_servers();
    let http = reqwest::blocking::Client::new();
    let mut hr = Hr::login(&a.url, MANOKWARI);
    let first_refresh = hr.refresh_token.clone();
    hr.refresh();
    assert_eq!(status(&http, &b.url, &hr.token), 200, "a refreshed token works on the other server");
    // The old refresh token is refused: used once already.
    let again = http
        .post(format!("{}/v1/login/refresh", b.url))
        .json(&json!({ "refresh_token": first_refresh }))
        .send()
        .unwrap();
    assert_eq!(again.status().as_u16(), 401);
    assert_eq!(status(&http, &a.url, &hr.token), 401, "and the login it belonged to is revoked");

    // Logout on one server: refused on both.
    let hr = Hr::login(&a.url, MANOKWARI);
    assert_eq!(hr.send("POST", "/v1/logout", Value::Null).0, 200);
    assert_eq!(status(&http, &a.url, &hr.token), 401);
    assert_eq!(status(&http, &b.url, &hr.token), 401);

    // An admin revokes every login of a user: API and page sessions.
    let hr = Hr::login(&a.url, MANOKWARI);
    let page = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = page
        .post(format!("{}/masuk", b.url))
        .header("origin", &b.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("tenant={MANOKWARI}&username=hr&password={HR_PASSWORD}"))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let on_page = |url: &str| page.get(format!("{url}/hr")).header("cookie", &cookie).send().unwrap().status().as_u16();
    assert_eq!(on_page(&a.url), 200);
    let admin = Hr::login_as(&b.url, MANOKWARI, "admin", ADMIN_PASSWORD);
    let (code, body) = admin.send("POST", "/v1/admin/users/hr/revoke-sessions", Value::Null);
    assert_eq!((code, body["revoked"].as_u64()), (200, Some(2)), "{body}");
    assert_eq!(status(&http, &a.url, &hr.token), 401, "the API token is refused");
    assert_eq!(on_page(&a.url), 303, "the page session is gone: back to /masuk");
    assert_eq!(status(&http, &b.url, &admin.token), 200, "the admin's own login stays");
}

#[test]
fn a_login_form_from_another_site_sets_no_session() {
    let (_dir, a, _b) = two_servers();
    let page = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |origin: &str| {
        page.post(format!("{}/masuk", a.url))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("tenant={MANOKWARI}&username=hr&password={HR_PASSWORD}"))
            .send()
            .unwrap()
    };
    let res = post("https://evil.example");
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().unwrap().contains("Permintaan ditolak"));
    assert_eq!(post(&a.url).status().as_u16(), 303, "from the server's own origin: logged in");
}
