//! Liveness and readiness. `/health`: the process answers (load balancers'
//! liveness check, the tablets' connectivity probe). `/ready`: it can
//! serve, i.e. its database is migrated and answers now
//! ([`Storage::ping`](crate::storage::Storage::ping)), asked anew on every
//! call with a short timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::state::AppState;

/// How long `/ready` waits for the database.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    // One ping at a time: a database that hangs holds one thread, however
    // often the probe asks meanwhile.
    let pinging = Arc::new(Semaphore::new(1));
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(move |s: State<AppState>| ready(s, pinging.clone())))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn ready(State(state): State<AppState>, pinging: Arc<Semaphore>) -> Result<Json<Value>, AppError> {
    let not_ready = |why: &str| {
        tracing::warn!(reason = why, "not ready");
        AppError::Unavailable {
            code: "not_ready",
            message: "Server belum siap: basis data belum dapat dijangkau. Coba lagi sebentar lagi.".into(),
        }
    };
    // Waiting for the slot counts against the timeout: behind a check that
    // hangs, the next ones time out too.
    let check = async {
        let slot = pinging.acquire_owned().await.map_err(|e| e.to_string())?;
        let storage = state.storage.clone();
        let ping = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            storage.ping()
        });
        ping.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
    };
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(())) => Ok(Json(json!({ "status": "ready" }))),
        Ok(Err(e)) => Err(not_ready(&e)),
        Err(_) => Err(not_ready("the database did not answer in time")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    async fn get(state: &AppState, path: &str) -> (StatusCode, serde_json::Value) {
        let app = crate::http::router(state.clone());
        let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn health_answers_ok() {
        let state = AppState::new(Arc::new(SqliteStorage::in_memory().unwrap()), Limits::default()).unwrap();
        let (status, body) = get(&state, "/health").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }

    #[tokio::test]
    async fn ready_follows_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(Arc::new(SqliteStorage::open(dir.path()).unwrap()), Limits::default()).unwrap();
        assert_eq!(get(&state, "/ready").await, (StatusCode::OK, serde_json::json!({ "status": "ready" })));

        // A database not (or no longer) at this build's schema: not ready.
        let file = dir.path().join("prestasi.db");
        let db = rusqlite::Connection::open(&file).unwrap();
        let version: i64 = db.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        db.pragma_update(None, "user_version", version - 1).unwrap();
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["code"], "not_ready");
        assert!(body["message"].as_str().unwrap().contains("basis data"), "{body}");
        // Liveness is not readiness.
        assert_eq!(get(&state, "/health").await.0, StatusCode::OK);

        // The file gone (a lost volume): not ready either.
        db.pragma_update(None, "user_version", version).unwrap();
        drop(db);
        assert_eq!(get(&state, "/ready").await.0, StatusCode::OK);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(get(&state, "/ready").await.0, StatusCode::SERVICE_UNAVAILABLE);
    }
}
