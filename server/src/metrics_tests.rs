#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::config::Limits;
use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;

async fn get(app: axum::Router, path: &str) -> (StatusCode, String, String) {
    let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let kind = res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_metrics_router_renders_what_the_api_recorded() {
    let handle = super::install();
    let state = AppState::new(Arc::new(SqliteStorage::in_memory().unwrap()), Limits::default()).unwrap();
    assert_eq!(get(crate::http::router(state.clone()), "/health").await.0, StatusCode::OK);

    let (status, kind, text) = get(super::router(state, handle), "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    for line in [
        "# TYPE prestasi_http_request_duration_seconds histogram",
        "prestasi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",le=\"0.005\"}",
        "prestasi_http_responses_total{method=\"GET\",route=\"/health\",status=\"200\"}",
        "prestasi_blocking_jobs_slots{pool=\"blocking\"} 4",
        "prestasi_blocking_jobs_slots{pool=\"public\"} 2",
        "prestasi_blocking_jobs_waiting{pool=\"blocking\"}",
        "prestasi_sync_admitted 0",
        "prestasi_database_bytes ",
        "prestasi_build_info{version=",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

#[tokio::test]
async fn the_api_has_no_metrics() {
    let state = AppState::new(Arc::new(SqliteStorage::in_memory().unwrap()), Limits::default()).unwrap();
    assert_eq!(get(crate::http::router(state), "/metrics").await.0, StatusCode::NOT_FOUND);
}
