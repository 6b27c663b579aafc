//! axum's `Json` and `Query` extractors, answering bad input with our
//! `{code, message}` error body instead of axum's plain-text rejection.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON request body.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(r) => Err(AppError::bad_request("bad_body", r.body_text())),
        }
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(r) => Err(AppError::bad_request("bad_query", r.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    async fn post_login(body: &'static str, content_type: &str) -> (StatusCode, serde_json::Value) {
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        let app = crate::http::router(AppState::new(storage, Limits::default()).unwrap());
        let req = Request::post("/v1/login").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap();
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn bad_json_bodies_get_the_error_body() {
        for (body, content_type) in [
            ("{\"tenant\": ", "application/json"),
            ("{\"tenant\": \"t\"}", "application/json"),
            ("{\"tenant\":\"t\",\"username\":\"u\",\"password\":\"p\"}", "text/plain"),
        ] {
            let (status, json) = post_login(body, content_type).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(json["code"], "bad_body");
            assert!(!json["message"].as_str().unwrap().is_empty());
        }
    }
}
