//! Metrics and readiness (docs/OPERATIONS.md): a real sync moves the
//! counters `GET /metrics` shows on the metrics listener; the API's
//! listener has no `/metrics`; `GET /ready` follows the database.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::protocol::{PushOutcome, RejectCode};
use prestasi_e2e::{Hr, MANOKWARI, People, Server, citizen, enroll, push_raw, seed};
use prestasi_server::storage::sqlite::SqliteStorage;

/// One scrape: `name{label="value",…}` (labels sorted) → value.
fn scrape(metrics: &str) -> BTreeMap<String, f64> {
    let res = reqwest::blocking::get(format!("{metrics}/metrics")).unwrap();
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let mut out = BTreeMap::new();
    for line in res.text().unwrap().lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a value: {line}"));
        let key = match series.split_once('{') {
            Some((name, labels)) => {
                let mut labels: Vec<&str> = labels.strip_suffix('}').unwrap().split(',').collect();
                labels.sort_unstable();
                format!("{name}{{{}}}", labels.join(","))
            }
            None => series.to_string(),
        };
        out.insert(key, value);
    }
    out
}

/// The key of a series in a [`scrape`].
fn series(name: &str, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let mut l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    l.sort_unstable();
    format!("{name}{{{}}}", l.join(","))
}

#[test]
fn a_sync_moves_the_counters_on_the_metrics_listener() {
    let dir = tempfile::tempdir().unwrap();
    let (server, metrics) = Server::start_with_metrics(&dir.path().join("server"));
    seed(server.storage.as_ref());
    let p = People::of(MANOKWARI);
    let t =
        enroll(server.storage.as_ref(), &server.url, dir.path(), MANOKWARI, Role::Supervisor, &p.boss_a, &[&p.unit_a]);
    // The recorder is the process's: other tests of this file count too,
    // so everything below is compared as at least what this test did.
    let before = scrape(&metrics);

    // A real sync: the roster, then one appraisal pushed and accepted.
    t.client.sync_now().unwrap();
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let mut a = Appraisal::new(staff.clone(), "2026-Q3", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.targets.push(SkpTarget::new("Arsip", 10.0, "berkas", true).unwrap());
    t.store.create(DocId::for_appraisal(&staff, "2026-Q3"), &a, &t.author()).unwrap();
    assert_eq!(t.client.sync_now().unwrap().accepted, 1);
    // A document refused: bytes that are no automerge changes.
    let refused = push_raw(&t, DocId::new(), DocKind::Appraisal, b"bukan perubahan automerge".to_vec());
    assert!(matches!(&refused, PushOutcome::Rejected(r) if r.code == RejectCode::Malformed), "{refused:?}");
    // A sync request refused as a whole.
    let http = reqwest::blocking::Client::new();
    let res = http.post(format!("{}/v1/sync", server.url)).bearer_auth("tidak.dikenal").body(vec![0xa0]).send();
    assert_eq!(res.unwrap().status(), 401);
    // HR logs in once, and once with a wrong password.
    Hr::login(&server.url, MANOKWARI);
    let wrong = serde_json::json!({ "tenant": MANOKWARI, "username": "hr", "password": "salah" });
    assert_eq!(http.post(format!("{}/v1/login", server.url)).json(&wrong).send().unwrap().status(), 401);
    // Two citizen posts that are not stored: at once (a bot), and with a broken form token.
    let token = citizen::form_token(&server.url, &p);
    assert_eq!(citizen::submit(&server.url, &p, &token).0, 200);
    assert_eq!(citizen::submit(&server.url, &p, "rusak").0, 400);

    let after = scrape(&metrics);
    let moved = |name: &str, labels: &[(&str, &str)]| {
        let key = series(name, labels);
        after.get(&key).copied().unwrap_or_else(|| panic!("{key} not scraped: {after:#?}"))
            - before.get(&key).copied().unwrap_or(0.0)
    };
    let sync_route = [("method", "POST"), ("route", "/v1/sync")];
    assert!(moved("prestasi_sync_requests_total", &[("outcome", "ok")]) >= 3.0);
    assert!(moved("prestasi_sync_requests_total", &[("outcome", "bad_credentials")]) >= 1.0);
    assert!(moved("prestasi_sync_documents_total", &[("outcome", "accepted"), ("code", "none")]) >= 1.0);
    assert!(moved("prestasi_sync_documents_total", &[("outcome", "rejected"), ("code", "malformed")]) >= 1.0);
    // (The client may carry its syncs as resumable uploads on a loaded
    // machine; these two always went to /v1/sync.)
    assert!(moved("prestasi_http_request_duration_seconds_count", &sync_route) >= 2.0);
    let all_buckets = series(
        "prestasi_http_request_duration_seconds_bucket",
        &[("method", "POST"), ("route", "/v1/sync"), ("le", "+Inf")],
    );
    assert_eq!(after[&all_buckets], after[&series("prestasi_http_request_duration_seconds_count", &sync_route)]);
    let sync_200 = [("method", "POST"), ("route", "/v1/sync"), ("status", "200")];
    assert!(moved("prestasi_http_responses_total", &sync_200) >= 1.0);
    let sync_401 = [("method", "POST"), ("route", "/v1/sync"), ("status", "401")];
    assert!(moved("prestasi_http_responses_total", &sync_401) >= 1.0);
    assert!(moved("prestasi_sync_write_seconds_count", &[]) >= 1.0);
    assert!(moved("prestasi_blocking_wait_seconds_count", &[("pool", "blocking")]) >= 4.0);
    assert!(moved("prestasi_blocking_wait_seconds_count", &[("pool", "public")]) >= 2.0, "logins, the form");
    assert!(moved("prestasi_logins_total", &[("via", "api"), ("outcome", "ok")]) >= 1.0);
    assert!(moved("prestasi_logins_total", &[("via", "api"), ("outcome", "bad_credentials")]) >= 1.0);
    assert!(moved("prestasi_citizen_feedback_posts_total", &[("outcome", "too_fast")]) >= 1.0);
    assert!(moved("prestasi_citizen_feedback_posts_total", &[("outcome", "expired_form")]) >= 1.0);
    // Gauges, read at the scrape.
    assert!(after["prestasi_database_bytes"] > 0.0);
    assert_eq!(after[&series("prestasi_blocking_jobs_slots", &[("pool", "blocking")])], 4.0);
    assert_eq!(after[&series("prestasi_blocking_jobs_slots", &[("pool", "public")])], 2.0);
    assert!(after.contains_key(&series("prestasi_blocking_jobs_waiting", &[("pool", "blocking")])));
    assert!(after.contains_key(&series("prestasi_blocking_jobs_running", &[("pool", "public")])));
}

#[test]
fn metrics_are_served_on_their_own_listener_only() {
    let dir = tempfile::tempdir().unwrap();
    let (server, metrics) = Server::start_with_metrics(&dir.path().join("with"));
    let get = |url: String| reqwest::blocking::get(url).unwrap().status().as_u16();
    assert_eq!(get(format!("{metrics}/metrics")), 200);
    assert_eq!(get(format!("{}/metrics", server.url)), 404, "not on the API's listener");
    assert_eq!(get(format!("{metrics}/health")), 404, "and nothing else on the metrics listener");
    // Without --metrics-listen there is no /metrics at all.
    let plain = Server::start(&dir.path().join("without"));
    assert_eq!(get(format!("{}/metrics", plain.url)), 404);
    assert_eq!(get(format!("{}/health", plain.url)), 200);
}

#[test]
fn ready_answers_200_on_a_ready_server() {
    // On the configured backend (PostgreSQL with PRESTASI_E2E_DATABASE_URL).
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let res = reqwest::blocking::get(format!("{}/ready", server.url)).unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.json::<serde_json::Value>().unwrap(), serde_json::json!({ "status": "ready" }));
}

#[test]
fn ready_answers_503_once_the_database_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = Server::start_on(Arc::new(SqliteStorage::open(&data).unwrap()));
    let get = |path: &str| reqwest::blocking::get(format!("{}{path}", server.url)).unwrap();
    assert_eq!(get("/ready").status(), 200);

    // The data volume is lost under the running server.
    std::fs::remove_dir_all(&data).unwrap();
    let res = get("/ready");
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(body["message"].as_str().unwrap().starts_with("Server belum siap"), "{body}");
    // Still alive, though: liveness is not readiness.
    assert_eq!(get("/health").status(), 200);
}
