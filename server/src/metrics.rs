//! Prometheus metrics (docs/OPERATIONS.md, "Metrics and readiness").
//!
//! The server records through the `metrics` facade everywhere; nothing is
//! kept unless a recorder is installed, which `serve --metrics-listen`
//! does ([`install`]). `GET /metrics` is then served on that listener only
//! ([`router`]), never on the main one. Counters and histograms are
//! recorded where things happen; gauges (pools, database size) are read
//! when Prometheus scrapes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use prestasi_core::sync::protocol::{PushOutcome, PushResult, SYNC_PATH};
use tokio::sync::Semaphore;

use crate::state::AppState;

/// Request latency per route: `method`, `route` (the route's pattern, or
/// `unmatched`).
pub const HTTP_DURATION: &str = "prestasi_http_request_duration_seconds";
/// Responses per route and status: `method`, `route`, `status`.
pub const HTTP_RESPONSES: &str = "prestasi_http_responses_total";
/// Sync requests (`POST /v1/sync` and `POST /v1/uploads/{id}/sync`) by
/// `outcome`: `ok` or the request-level error code.
pub const SYNC_REQUESTS: &str = "prestasi_sync_requests_total";
/// Pushed documents by `outcome` (`accepted`, `rejected`) and `code` (the
/// rejection code, `none` when accepted).
pub const SYNC_DOCUMENTS: &str = "prestasi_sync_documents_total";
/// The write transaction of a push (every accepted document of a request).
pub const SYNC_WRITE: &str = "prestasi_sync_write_seconds";
/// Time a blocking job waited for a slot of its `pool` (`blocking`, `public`).
pub const POOL_WAIT: &str = "prestasi_blocking_wait_seconds";
/// Blocking jobs holding a slot of `pool`.
pub const POOL_RUNNING: &str = "prestasi_blocking_jobs_running";
/// Blocking jobs waiting for a slot of `pool`.
pub const POOL_WAITING: &str = "prestasi_blocking_jobs_waiting";
/// Slots of `pool` (`Limits::blocking_jobs`, `Limits::public_jobs`).
pub const POOL_SLOTS: &str = "prestasi_blocking_jobs_slots";
/// Sync requests whose bodies are admitted (read or being worked on).
pub const SYNC_ADMITTED: &str = "prestasi_sync_admitted";
/// The database's size on disk.
pub const DATABASE_BYTES: &str = "prestasi_database_bytes";
/// HR logins and password changes by `via` (`api`: `POST /v1/login`,
/// `POST /v1/password`; `web`: `/masuk`, `/ganti-sandi`) and `outcome`
/// (`ok`, `bad_credentials`, `locked`, `password_change_required`,
/// `password_changed`, `error`).
pub const LOGINS: &str = "prestasi_logins_total";
/// Citizen feedback form posts by `outcome`: `stored`, or why not.
pub const FEEDBACK_POSTS: &str = "prestasi_citizen_feedback_posts_total";
/// 1, with the server's `version`.
pub const BUILD_INFO: &str = "prestasi_build_info";

/// Histogram buckets (seconds): from a cached session lookup to a large
/// sync on a loaded server.
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How long a scrape waits for the database's size.
const SIZE_TIMEOUT: Duration = Duration::from_secs(2);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install the process's Prometheus recorder (once: later calls return the
/// same handle). Until then every metric is a no-op.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new();
            let builder = builder.set_buckets(&BUCKETS).unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "another metrics recorder is installed: /metrics stays empty");
            }
            describe();
            metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer a request (until the response head), per route.");
    describe_counter!(HTTP_RESPONSES, "Responses per route and status.");
    describe_counter!(SYNC_REQUESTS, "Sync requests by outcome: ok or the request-level error code.");
    describe_counter!(SYNC_DOCUMENTS, "Pushed documents by outcome and rejection code.");
    describe_histogram!(SYNC_WRITE, Unit::Seconds, "The storage write transaction of a push.");
    describe_histogram!(POOL_WAIT, Unit::Seconds, "Time a blocking job waited for a slot of its pool.");
    describe_gauge!(POOL_RUNNING, "Blocking jobs holding a slot of the pool.");
    describe_gauge!(POOL_WAITING, "Blocking jobs waiting for a slot of the pool.");
    describe_gauge!(POOL_SLOTS, "Slots of the pool.");
    describe_gauge!(SYNC_ADMITTED, "Sync requests admitted to read their body.");
    describe_gauge!(DATABASE_BYTES, Unit::Bytes, "The database's size on disk (SQLite: file and WAL).");
    describe_counter!(LOGINS, "HR logins by way in and outcome.");
    describe_counter!(FEEDBACK_POSTS, "Citizen feedback form posts: stored, or why not.");
    describe_gauge!(BUILD_INFO, "The server's version.");
}

/// What a scrape reads: the server's state, the recorder, and one slot for
/// the database's size (a database that hangs holds one thread, however
/// often Prometheus asks meanwhile).
type Scrape = (AppState, PrometheusHandle, Arc<Semaphore>);

/// The metrics listener's router: `GET /metrics` only.
pub fn router(state: AppState, handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state((state, handle, Arc::new(Semaphore::new(1))))
}

async fn scrape(State((state, handle, sizing)): State<Scrape>) -> Response {
    for pool in state.pools() {
        metrics::gauge!(POOL_RUNNING, "pool" => pool.name).set(pool.running as f64);
        metrics::gauge!(POOL_WAITING, "pool" => pool.name).set(pool.waiting as f64);
        metrics::gauge!(POOL_SLOTS, "pool" => pool.name).set(pool.slots as f64);
    }
    let admitted = state.limits.admitted_syncs.saturating_sub(state.admitted_syncs.available_permits());
    metrics::gauge!(SYNC_ADMITTED).set(admitted as f64);
    // The size is left as last read when the database cannot tell it now.
    if let Ok(slot) = sizing.try_acquire_owned() {
        let storage = state.storage.clone();
        let size = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            storage.database_bytes()
        });
        match tokio::time::timeout(SIZE_TIMEOUT, size).await {
            Ok(Ok(Ok(bytes))) => metrics::gauge!(DATABASE_BYTES).set(bytes as f64),
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "metrics: database size unknown"),
            Ok(Err(e)) => tracing::warn!(error = %e, "metrics: database size unknown"),
            Err(_) => tracing::warn!("metrics: the database did not give its size in time"),
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// Drain histogram samples into their buckets now and then, so that memory
/// stays flat between scrapes. Runs until the runtime stops.
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
}

/// The error code an [`AppError`](crate::error::AppError) answered with,
/// kept in the response's extensions (never sent) for the metrics.
#[derive(Debug, Clone)]
pub struct ErrorCode(pub String);

/// Middleware of the main router: latency and status per route, and the
/// outcome of sync requests.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = method_label(req.method());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str).to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone()).record(started.elapsed());
    let status = res.status();
    metrics::counter!(HTTP_RESPONSES, "method" => method, "route" => route.clone(), "status" => status.as_str().to_string())
        .increment(1);
    if method == "POST" && (route == SYNC_PATH || route == "/v1/uploads/{id}/sync") {
        metrics::counter!(SYNC_REQUESTS, "outcome" => sync_outcome(status, &res)).increment(1);
    }
    res
}

fn sync_outcome(status: StatusCode, res: &Response) -> String {
    if status.is_success() {
        return "ok".into();
    }
    match res.extensions().get::<ErrorCode>() {
        Some(ErrorCode(code)) => code.clone(),
        None => format!("http_{}", status.as_u16()),
    }
}

/// Standard methods by name; anything else is one label, not one each.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Count the outcomes of a request's pushed documents.
pub fn pushed(results: &[PushResult]) {
    for r in results {
        match &r.outcome {
            PushOutcome::Accepted { .. } => {
                metrics::counter!(SYNC_DOCUMENTS, "outcome" => "accepted", "code" => "none").increment(1);
            }
            PushOutcome::Rejected(why) => {
                metrics::counter!(SYNC_DOCUMENTS, "outcome" => "rejected", "code" => why.code.as_str()).increment(1);
            }
        }
    }
}

/// Count one HR login attempt through `via` (`api` or `web`) by its
/// `outcome` (`storage::LoginOutcome` as text, or `error`).
pub fn login(via: &'static str, outcome: &'static str) {
    metrics::counter!(LOGINS, "via" => via, "outcome" => outcome).increment(1);
}

/// Count one citizen feedback form post.
pub fn feedback_post(outcome: &'static str) {
    metrics::counter!(FEEDBACK_POSTS, "outcome" => outcome).increment(1);
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
