//! `POST /v1/sync`: the devices' one endpoint (see docs/PROTOCOL.md).

use std::io::Read;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use prestasi_core::sync::protocol::{self, CONTENT_TYPE, PROTOCOL_VERSION, SYNC_PATH, SyncRequest};

use crate::auth::DeviceAuth;
use crate::config::Limits;
use crate::error::AppError;
use crate::state::AppState;
use crate::sync::epoch::Standing;

pub fn router() -> Router<AppState> {
    // The handler reads the body itself, within `Limits::max_body_bytes`.
    Router::new().route(SYNC_PATH, post(sync))
}

async fn sync(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    // One request per device at a time, taken before the body is read: a
    // device cannot hold several blocking slots, nor several bodies in memory.
    let Some(in_flight) = state.begin_sync(&device.id) else {
        return Err(AppError::TooManyRequests {
            code: "sync_in_progress",
            message: "Sinkronisasi sebelumnya dari perangkat ini masih berjalan. Coba lagi setelah selesai.".into(),
        });
    };
    // Bodies are read only for a bounded number of requests at once: a rush of
    // tablets waits here, unread, instead of holding every body in memory.
    let admitted = state
        .admitted_syncs
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::Internal("sync admission closed".into()))?;
    let limits = state.limits;
    let body = read_body(body, limits.max_body_bytes, Duration::from_secs(limits.sync_body_idle_secs)).await?;
    let storage = state.storage.clone();
    let encoding =
        headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity").to_string();
    let started = std::time::Instant::now();
    let response = state
        .blocking(move || -> Result<Vec<u8>, AppError> {
            // Held until the work is done, even if the client went away.
            let _in_flight = (in_flight, admitted);
            answer(storage.as_ref(), &limits, &device, &encoding, &body)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE.to_string()), server_timing(started)], response).into_response())
}

/// `Server-Timing: app;dur=<ms>`: how long the server worked on the answer,
/// so a device measuring its link leaves the server's time out.
pub(crate) fn server_timing(started: std::time::Instant) -> (header::HeaderName, String) {
    (
        header::HeaderName::from_static("server-timing"),
        format!("app;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0),
    )
}

/// The encoded answer to a sync request body (as received, with its
/// `Content-Encoding`): the one path of `POST /v1/sync` and of a finished
/// resumable upload. Blocking.
pub(crate) fn answer(
    storage: &dyn crate::storage::Storage,
    limits: &Limits,
    device: &crate::storage::DeviceRow,
    encoding: &str,
    body: &[u8],
) -> Result<Vec<u8>, AppError> {
    let raw = decompress(encoding, body, limits.max_decompressed_bytes)?;
    let req: SyncRequest = protocol::decode(&raw).map_err(|e| {
        tracing::info!(error = %e, "sync body does not decode");
        AppError::bad_request(
            "malformed_body",
            match e {
                protocol::DecodeError::TrailingBytes { .. } => {
                    "Isi permintaan sinkronisasi memuat data tambahan setelah akhir pesan (CBOR SyncRequest)."
                }
                protocol::DecodeError::Malformed(_) => {
                    "Isi permintaan sinkronisasi rusak atau terpotong (bukan CBOR SyncRequest)."
                }
            },
        )
    })?;
    check(&req, limits)?;
    let mut req = req;
    let epoch = crate::sync::epoch::current(storage)?;
    match crate::sync::epoch::standing(storage, req.epoch.as_deref(), req.cursor, &epoch)? {
        Standing::Current => {}
        Standing::Renumbered => {
            // Nothing it was told is lost; its cursor is of the numbering
            // before per-tenant positions: it gets its scope again.
            tracing::info!(device = %device.id, cursor = req.cursor, "cursor of before per-tenant positions: pulling from 0");
            req.cursor = 0;
        }
        Standing::Restored => {
            tracing::warn!(device = %device.id, "sync under an older storage epoch: the device sends everything again");
            return Err(epoch_changed());
        }
    }
    let resp = crate::sync::sync(storage, limits, device, req, epoch)?;
    Ok(protocol::encode(&resp))
}

/// 409 `epoch_changed`: the request was made under an epoch of before a
/// restore (docs/PROTOCOL.md, "After a restore").
fn epoch_changed() -> AppError {
    AppError::Conflict {
        code: "epoch_changed",
        message: "Basis data server telah dipulihkan dari cadangan. Perangkat ini akan mengirim ulang semua datanya dan mengunduh ulang datanya dari server."
            .into(),
    }
}

/// The request-level checks of a decoded request (docs/PROTOCOL.md,
/// "Request-level errors"), before anything is read or written.
pub(crate) fn check(req: &SyncRequest, limits: &Limits) -> Result<(), AppError> {
    if req.v != PROTOCOL_VERSION {
        return Err(AppError::bad_request(
            "unsupported_version",
            format!(
                "Versi protokol {} tidak didukung; server ini memakai versi {PROTOCOL_VERSION}. Perbarui aplikasi.",
                req.v
            ),
        ));
    }
    if req.push.len() > limits.max_docs_per_request {
        return Err(too_large(format!(
            "Permintaan membawa {} dokumen sekaligus; paling banyak {}.",
            req.push.len(),
            limits.max_docs_per_request
        )));
    }
    if req.fetch.len() > limits.max_fetch_ids {
        return Err(too_large(format!(
            "Permintaan meminta {} dokumen utuh sekaligus; paling banyak {}.",
            req.fetch.len(),
            limits.max_fetch_ids
        )));
    }
    if req.signers.len() > crate::sync::signers::MAX_SIGNERS_PER_REQUEST {
        return Err(too_large(format!(
            "Permintaan membawa {} kunci tanda tangan; paling banyak {}.",
            req.signers.len(),
            crate::sync::signers::MAX_SIGNERS_PER_REQUEST
        )));
    }
    // A fetch id of another length is a body that does not follow the
    // protocol (`fetch: [bytes(16)]`), like any other malformed body.
    if let Some(bad) = req.fetch.iter().find(|id| id.len() != 16) {
        return Err(AppError::bad_request(
            "malformed_body",
            format!("Permintaan memuat id dokumen sepanjang {} byte; id dokumen 16 byte.", bad.len()),
        ));
    }
    Ok(())
}

/// Read a request body of at most `limit` bytes, refusing one that sends
/// nothing for `idle`.
async fn read_body(mut body: Body, limit: usize, idle: Duration) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    loop {
        let frame = tokio::time::timeout(idle, std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)))
            .await
            .map_err(|_| AppError::RequestTimeout {
                code: "body_timeout",
                message: format!("Isi permintaan tidak datang selama {} detik.", idle.as_secs()),
            })?;
        let Some(frame) = frame else { return Ok(out) };
        let frame = frame.map_err(|e| {
            tracing::info!(error = %e, "sync body cannot be read");
            AppError::bad_request("malformed_body", "Isi permintaan tidak dapat dibaca sampai habis.")
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(too_large(format!("body of more than {limit} bytes")));
            }
            out.extend_from_slice(&data);
        }
    }
}

fn too_large(message: String) -> AppError {
    AppError::TooLarge { code: "too_large", message }
}

/// The largest zstd window a request body may use (2^24 = 16 MiB).
const MAX_WINDOW_LOG: u32 = 24;

/// Read at most `limit + 1` bytes from `r` into `out`, never holding more:
/// `read_to_end` doubles its buffer, so a zstd bomb read to the cap would
/// briefly cost twice the cap (found by the `sync_request` fuzz target's
/// measurement, tests/tests/sync_zstd_bomb.rs).
fn read_capped(mut r: impl Read, limit: usize, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let cap = limit.saturating_add(1);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let want = cap.saturating_sub(out.len()).min(chunk.len());
        if want == 0 {
            break;
        }
        let n = match r.read(chunk.get_mut(..want).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if out.capacity() - out.len() < n {
            let grown = out.capacity().saturating_mul(2).max(chunk.len()).min(cap);
            out.reserve_exact(grown.saturating_sub(out.len()).max(n));
        }
        out.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    Ok(out.len())
}

/// Decompress a request body, refusing to grow past `limit`.
fn decompress(encoding: &str, body: &[u8], limit: usize) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let read = match encoding {
        "identity" => {
            out.extend_from_slice(body);
            Ok(body.len())
        }
        "zstd" => zstd::stream::read::Decoder::new(body).and_then(|mut d| {
            // A frame may ask the decoder for a window of up to 2 GiB, held
            // beside the output: no client needs more than 16 MiB (level 3
            // uses 2 MiB), so a larger one is a malformed body.
            d.window_log_max(MAX_WINDOW_LOG)?;
            read_capped(d, limit, &mut out)
        }),
        other => {
            return Err(AppError::Unprocessable {
                code: "unsupported_encoding",
                message: format!("Content-Encoding {other:?} tidak didukung; kirim zstd atau identity."),
            });
        }
    };
    read.map_err(|e| {
        tracing::info!(error = %e, "sync body does not decompress");
        AppError::bad_request("malformed_body", "Isi permintaan tidak dapat didekompresi (zstd rusak).")
    })?;
    if out.len() > limit {
        return Err(too_large(format!("body larger than {limit} bytes once decompressed")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use prestasi_core::model::{DeviceId, Role};
    use prestasi_core::sync::protocol::{self, PROTOCOL_VERSION, SYNC_PATH, SyncRequest};
    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tower::ServiceExt;

    use crate::auth::{normalise_code, sha256_hex};
    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;
    use crate::storage::{DeviceRow, Storage};

    /// A server state with one enrolled kiosk; its bearer token.
    fn with_kiosk(limits: Limits) -> (AppState, String) {
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
        let code =
            crate::admin::issue_enrollment(storage.as_ref(), "uji", Role::Kiosk, "Kios", &["u1".into()]).unwrap();
        let id = DeviceId::random().to_string();
        let device = DeviceRow {
            id: id.clone(),
            tenant_id: String::new(),
            role: Role::Kiosk,
            user_id: String::new(),
            units: Vec::new(),
            secret_hash: sha256_hex("rahasia"),
            enrolled_at: 0,
            revoked_at: None,
            revoked_reason: None,
            wiped_at: None,
        };
        storage.redeem_enrollment(&sha256_hex(&normalise_code(&code)), &device, 1).unwrap();
        (AppState::new(storage, limits).unwrap(), format!("{id}.rahasia"))
    }

    fn sync_request(token: &str, req: &SyncRequest) -> Request<Body> {
        Request::post(SYNC_PATH)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(protocol::encode(req)))
            .unwrap()
    }

    fn fetching(fetch: Vec<Vec<u8>>) -> SyncRequest {
        SyncRequest {
            v: PROTOCOL_VERSION,
            fetch: fetch.into_iter().map(protocol::Bytes::from).collect(),
            ..SyncRequest::default()
        }
    }

    async fn status_and_code(state: &AppState, req: Request<Body>) -> (StatusCode, String) {
        let res = crate::http::router(state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 8 << 20).await.unwrap();
        let code = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v["code"].as_str().map(String::from));
        (status, code.unwrap_or_default())
    }

    #[tokio::test]
    async fn fetch_is_bounded_in_count_and_its_ids_are_16_bytes() {
        let limits = Limits::default();
        let (state, token) = with_kiosk(limits);
        let ids = |n: usize| (0..n).map(|_| DeviceId::random().as_bytes().to_vec()).collect::<Vec<_>>();
        let at_limit = sync_request(&token, &fetching(ids(limits.max_fetch_ids)));
        assert_eq!(status_and_code(&state, at_limit).await.0, StatusCode::OK);
        let over = sync_request(&token, &fetching(ids(limits.max_fetch_ids + 1)));
        assert_eq!(status_and_code(&state, over).await, (StatusCode::PAYLOAD_TOO_LARGE, "too_large".into()));
        for bad in [vec![], vec![7u8; 15], vec![7u8; 17]] {
            let mut fetch = ids(2);
            fetch.insert(1, bad.clone());
            let req = sync_request(&token, &fetching(fetch));
            assert_eq!(
                status_and_code(&state, req).await,
                (StatusCode::BAD_REQUEST, "malformed_body".into()),
                "a {}-byte id",
                bad.len()
            );
        }
    }

    #[tokio::test]
    async fn bytes_after_a_valid_sync_request_are_refused_as_malformed() {
        let (state, token) = with_kiosk(Limits::default());
        let valid = protocol::encode(&fetching(vec![]));
        let post = |body: Vec<u8>| {
            Request::post(SYNC_PATH)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap()
        };
        assert_eq!(status_and_code(&state, post(valid.clone())).await.0, StatusCode::OK, "the request alone");
        for tail in [&b"garbage"[..], &valid, &[0u8][..]] {
            let mut body = valid.clone();
            body.extend_from_slice(tail);
            let res = crate::http::router(state.clone()).oneshot(post(body)).await.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "tail {tail:?}");
            let json: Value =
                serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
            assert_eq!(json["code"], "malformed_body");
            let message = json["message"].as_str().unwrap();
            assert!(message.contains("data tambahan"), "{message}");
            for internal in ["ciborium", "serde", "EOF", "expected", "invalid type", "bytes after"] {
                assert!(!message.contains(internal), "{message}");
            }
        }
        // A body zstd-compressed with garbage after the message inside.
        let mut inner = valid.clone();
        inner.extend_from_slice(b"\x00\x01");
        let zstd = zstd::encode_all(inner.as_slice(), 3).unwrap();
        let mut req = post(zstd);
        req.headers_mut().insert(header::CONTENT_ENCODING, "zstd".parse().unwrap());
        assert_eq!(status_and_code(&state, req).await, (StatusCode::BAD_REQUEST, "malformed_body".into()), "zstd");
    }

    #[tokio::test]
    async fn a_body_that_stops_coming_is_answered_408_and_frees_the_device() {
        let (state, token) = with_kiosk(Limits { sync_body_idle_secs: 1, ..Limits::default() });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = crate::http::router(state.clone());
        tokio::spawn(crate::http::serve(listener, app, std::future::pending()));

        // Headers and a promise of 100 bytes, then nothing: a connection
        // that died mid-upload without the server noticing.
        let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {SYNC_PATH} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\ncontent-length: 100\r\n\r\n"
        );
        stalled.write_all(head.as_bytes()).await.unwrap();
        stalled.write_all(b"\xa4").await.unwrap();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&answer).contains("body_timeout") {
                let n = stalled.read(&mut buf).await.unwrap();
                assert!(n > 0, "closed without an answer: {}", String::from_utf8_lossy(&answer));
                answer.extend_from_slice(&buf[..n]);
            }
        });
        read.await.expect("the server kept waiting for the body");
        assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"), "{}", String::from_utf8_lossy(&answer));

        // The device's slot is free again: its next sync goes through.
        let next = sync_request(&token, &fetching(vec![]));
        assert_eq!(status_and_code(&state, next).await.0, StatusCode::OK);
    }
}
