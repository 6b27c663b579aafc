//! `POST /v1/sync`: the devices' one endpoint (see docs/PROTOCOL.md).

use std::io::Read;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use prestasi_core::sync::protocol::{self, CONTENT_TYPE, PROTOCOL_VERSION, SYNC_PATH, SyncRequest};

use crate::auth::DeviceAuth;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // The handler enforces the exact limits; this only stops runaway bodies.
    Router::new()
        .route(SYNC_PATH, post(sync))
        .layer(DefaultBodyLimit::max(crate::config::Limits::default().max_body_bytes))
}

async fn sync(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let limits = state.limits;
    if body.len() > limits.max_body_bytes {
        return Err(too_large(format!("body of {} bytes, limit {}", body.len(), limits.max_body_bytes)));
    }
    let storage = state.storage.clone();
    let encoding =
        headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity").to_string();
    let response = state
        .blocking(move || -> Result<Vec<u8>, AppError> {
            let raw = decompress(&encoding, &body, limits.max_decompressed_bytes)?;
            let req: SyncRequest = protocol::decode(&raw)
                .map_err(|e| AppError::bad_request("malformed_body", format!("not a sync request: {e}")))?;
            if req.v != PROTOCOL_VERSION {
                return Err(AppError::bad_request(
                    "unsupported_version",
                    format!("protocol version {} is not supported; this server speaks {PROTOCOL_VERSION}", req.v),
                ));
            }
            if req.push.len() > limits.max_docs_per_request {
                return Err(too_large(format!(
                    "{} documents in one request, limit {}",
                    req.push.len(),
                    limits.max_docs_per_request
                )));
            }
            let resp = crate::sync::sync(storage.as_ref(), &limits, &device, req)?;
            Ok(protocol::encode(&resp))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], response).into_response())
}

fn too_large(message: String) -> AppError {
    AppError::TooLarge { code: "too_large", message }
}

/// Decompress a request body, refusing to grow past `limit`.
fn decompress(encoding: &str, body: &[u8], limit: usize) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let read = match encoding {
        "identity" => {
            out.extend_from_slice(body);
            Ok(body.len())
        }
        "zstd" => zstd::stream::read::Decoder::new(body).and_then(|d| d.take(limit as u64 + 1).read_to_end(&mut out)),
        other => {
            return Err(AppError::Unprocessable {
                code: "unsupported_encoding",
                message: format!("Content-Encoding {other:?}: send zstd or identity"),
            });
        }
    };
    read.map_err(|e| AppError::bad_request("malformed_body", format!("cannot decompress body: {e}")))?;
    if out.len() > limit {
        return Err(too_large(format!("body larger than {limit} bytes once decompressed")));
    }
    Ok(out)
}
