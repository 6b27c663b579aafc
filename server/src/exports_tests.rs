//! CSV downloads opened the way a spreadsheet opens them: python3's `csv`
//! module (a subprocess, as in CI) reads a real export with the separator it
//! was written with, and with the other one — a spreadsheet in another
//! locale — and no cell it gets can start a formula.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::Role;
use tower::ServiceExt;

use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;

/// The probe of the finding: a cell holding the other separator and two
/// formulas, and one with whitespace before `=`.
const PROBE: &str = "PROBE;=SUM(1+1);@A1";
const SPACED: &str = " =1+1";

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (status, axum::body::to_bytes(res.into_body(), 8 << 20).await.unwrap().to_vec())
}

/// HR officer siti of tenant `uji`: the app and a bearer token.
async fn app() -> (Router, String) {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    let password = "Tenggiri-Biru-Kupang-8391";
    crate::admin::create_user(storage.as_ref(), "uji", "siti", password, Role::Hr).unwrap();
    let app = crate::http::router(AppState::new(storage, Limits::default()).unwrap());
    let login = serde_json::json!({"tenant": "uji", "username": "siti", "password": password});
    let req = Request::post("/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(login.to_string()))
        .unwrap();
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let token = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["token"].as_str().unwrap().to_string();
    (app, token)
}

/// The rows python3's csv reader makes of `file` with `delimiter` (the
/// byte-order mark dropped, as spreadsheets do).
fn python_rows(file: &[u8], delimiter: char) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, file).unwrap();
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f, delimiter=sys.argv[2]))))\n";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .arg(delimiter.to_string())
        .output()
        .expect("python3 runs (it is part of CI)");
    assert!(out.status.success(), "python3: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A cell a spreadsheet would run: after whitespace and invisible
/// characters it starts with `=`, `+`, `-`, `@` (or a full-width one), or
/// it starts with tab or CR; plain numbers excepted.
fn runs(cell: &str) -> bool {
    let shown = cell.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}');
    let number = shown == cell && cell.parse::<f64>().is_ok() && cell.bytes().all(|b| b"+-.eE0123456789".contains(&b));
    cell.starts_with(['\t', '\r'])
        || (!number && shown.starts_with(['=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}']))
}

#[tokio::test]
async fn exported_cells_never_start_a_formula_in_either_separator() {
    let (app, token) = app().await;
    let programme = serde_json::json!({
        "id": "probe-1",
        "title": PROBE,
        "form": "Workshop",
        "provider": SPACED,
        "start_date": "2026-08-03",
        "end_date": "2026-08-03",
        "jp": 8,
        "seats": 5,
        "value": null,
    });
    let req = Request::post("/v1/hr/programmes")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(programme.to_string()))
        .unwrap();
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

    for (query, sep, other) in
        [("format=csv", ',', ';'), ("format=csv&sep=%3B", ';', ','), ("format=csv&sep=,", ',', ';')]
    {
        let req = Request::get(format!("/v1/hr/programmes?{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, file) = send(&app, req).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(file.starts_with(b"\xEF\xBB\xBF"), "{query}: the byte-order mark");

        // With the separator it was written with: every row has the
        // header's cells, the probe is one cell, defused.
        let rows = python_rows(&file, sep);
        assert_eq!(rows.len(), 2, "{query}: {rows:?}");
        let width = rows[0].len();
        assert_eq!(width, 10, "{query}: the header");
        let probe = rows.iter().find(|r| r.iter().any(|c| c.contains("PROBE"))).unwrap();
        assert_eq!(probe.len(), width, "{query}: the probe row has as many cells as the header: {probe:?}");
        assert_eq!(probe[1], "PROBE;'=SUM(1+1);'@A1", "{query}");
        assert_eq!(probe[3], "' =1+1", "{query}: whitespace before = is defused too");
        for cell in rows.iter().flatten() {
            assert!(!runs(cell), "{query}: {cell:?} would run as a formula");
        }
        // Read with the other separator, as a spreadsheet of another locale
        // does: cells split differently, and still none would run.
        for cell in python_rows(&file, other).iter().flatten() {
            assert!(!runs(cell), "{query} read with {other:?}: {cell:?} would run as a formula");
        }
    }

    // A separator that is neither is refused in Indonesian.
    let req = Request::get("/v1/hr/programmes?format=csv&sep=%7C")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["code"], "bad_query");
    assert!(json["message"].as_str().unwrap().contains("\"sep\""), "{json}");
}

#[tokio::test]
async fn a_report_download_takes_the_separator_too() {
    let (app, token) = app().await;
    for (query, sep) in [("", ','), ("&sep=%3B", ';')] {
        let req = Request::get(format!("/v1/hr/reports/completion?period=2026-S1&format=csv{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, file) = send(&app, req).await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(file.clone()).unwrap();
        let header_line = text.trim_start_matches('\u{FEFF}').lines().next().unwrap().to_string();
        let rows = python_rows(&file, sep);
        assert!(rows[0].len() > 1, "{query}: the header splits at {sep:?}: {header_line}");
        assert_eq!(rows[0].len(), header_line.matches(sep).count() + 1, "{query}");
    }
}
