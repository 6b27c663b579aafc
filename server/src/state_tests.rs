//! The blocking pools and the per-device sync slot: anonymous work has a
//! pool of its own, a job keeps its slot until it is done, and a device has
//! at most one sync request in flight.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::model::Role;
use tower::ServiceExt;

use super::AppState;
use crate::config::Limits;
use crate::storage::sqlite::SqliteStorage;

fn state() -> AppState {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
    AppState::new(storage, Limits::default()).unwrap()
}

/// The status of `req`, which must be answered within a few seconds.
async fn answered(app: &Router, req: Request<Body>) -> StatusCode {
    let uri = req.uri().to_string();
    let res = tokio::time::timeout(Duration::from_secs(10), app.clone().oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("{uri} waited for a slot it must not need"));
    res.unwrap().status()
}

fn json(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap()
}

fn form(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[test]
fn a_device_has_one_sync_in_flight() {
    let s = state();
    let first = s.begin_sync("perangkat-a").unwrap();
    assert!(s.begin_sync("perangkat-a").is_none(), "a second one of the same device");
    let other = s.clone().begin_sync("perangkat-b");
    assert!(other.is_some(), "another device is not held up");
    drop(first);
    assert!(s.begin_sync("perangkat-a").is_some(), "free again once the first is answered");
}

#[tokio::test]
async fn login_enrollment_and_the_citizen_form_run_while_every_blocking_slot_is_held() {
    let s = state();
    let app = crate::http::router(s.clone());
    // Tablets and HR reports hold every slot of the main pool.
    let _held = s.blocking_slots.clone().acquire_many_owned(s.limits.blocking_jobs as u32).await.unwrap();

    let login = r#"{"tenant":"uji","username":"siti","password":"salah-salah"}"#;
    assert_eq!(answered(&app, json("/v1/login", login)).await, StatusCode::UNAUTHORIZED);
    let login = r#"{"tenant":"uji","username":"siti","password":"kata-sandi-panjang"}"#;
    assert_eq!(answered(&app, json("/v1/login", login)).await, StatusCode::OK);
    let enroll = r#"{"code":"AAAA-BBBB-CCCC","device_id":"6d1f3c2a-94b7-4e0b-9a55-0c7e2f81b6d4"}"#;
    assert_eq!(answered(&app, json("/v1/enroll", enroll)).await, StatusCode::UNAUTHORIZED);
    let masuk = "tenant=uji&username=siti&password=salah-salah";
    assert_eq!(answered(&app, form("/masuk", masuk)).await, StatusCode::UNAUTHORIZED);
    let page = Request::get("/umpan-balik/uji/tidak-ada").body(Body::empty()).unwrap();
    assert_eq!(answered(&app, page).await, StatusCode::NOT_FOUND, "looked up, not found");
    assert_eq!(answered(&app, form("/umpan-balik/uji/tidak-ada", "")).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hr_reports_run_while_every_public_slot_is_held() {
    let s = state();
    let app = crate::http::router(s.clone());
    let (token, _) = crate::auth::open_session(s.storage.as_ref(), "uji", "siti", "kata-sandi-panjang").unwrap();
    // A login flood holds every slot of the public pool.
    let _held = s.public_slots.clone().acquire_many_owned(s.limits.public_jobs as u32).await.unwrap();
    let report = Request::get("/v1/hr/appraisals")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(answered(&app, report).await, StatusCode::OK);
    let completion = Request::get("/v1/hr/reports/completion?period=2026-S1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(answered(&app, completion).await, StatusCode::OK);
}

#[tokio::test]
async fn a_job_keeps_its_slot_after_its_caller_went_away() {
    let s = state();
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let caller = tokio::spawn({
        let s = s.clone();
        async move {
            s.blocking(move || {
                started_tx.send(()).unwrap();
                release_rx.recv().ok();
                Ok(())
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || started_rx.recv().unwrap()).await.unwrap();
    // The client disconnects: the request's future is dropped mid-job.
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    let free = s.blocking_slots.available_permits();
    assert_eq!(free, s.limits.blocking_jobs - 1, "the job still running still counts");
    release_tx.send(()).unwrap();
    let all = s.blocking_slots.acquire_many(s.limits.blocking_jobs as u32);
    let _all = tokio::time::timeout(Duration::from_secs(10), all).await.unwrap().unwrap();
}
