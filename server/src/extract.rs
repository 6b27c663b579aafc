//! axum's `Json`, `Query` and `Bytes` extractors, answering bad input with
//! our `{code, message}` error body instead of axum's plain-text rejection:
//! the message in Bahasa Indonesia, naming the field or parameter, never the
//! parser's own words (`crate::bad_input`; those are logged).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::error::AppError;

/// A JSON request body.
///
/// A number written with a fraction of zero (`2.0`) is the number `2` in
/// JSON and in JSON Schema, so it is read as the integer wherever the type
/// wants one (`"seats": 2.0` is two seats); any other fraction is refused
/// as before.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        let mut value = match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(r) => {
                // axum's words (and serde_json's, with line and column) are
                // logged; the answer says what to fix, in Indonesian.
                tracing::info!(detail = %r.body_text(), "JSON body refused");
                return Err(match r {
                    JsonRejection::MissingJsonContentType(_) => AppError::bad_request(
                        "bad_body",
                        "Isi permintaan harus JSON dengan header Content-Type: application/json.",
                    ),
                    JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        AppError::TooLarge {
                            code: "too_large",
                            message: "Isi permintaan melebihi batas yang diterima.".into(),
                        }
                    }
                    JsonRejection::BytesRejection(_) => {
                        AppError::bad_request("bad_body", "Isi permintaan tidak dapat dibaca sampai habis.")
                    }
                    _ => AppError::bad_request("bad_body", "Isi permintaan bukan JSON yang sah (mungkin terpotong)."),
                });
            }
        };
        // Every body of this API is an object; serde would also read a
        // struct from an array of its fields in order.
        if !value.is_object() {
            return Err(AppError::bad_request("bad_body", "Isi permintaan harus berupa objek JSON ({ … })."));
        }
        whole_numbers_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|e| AppError::bad_request("bad_body", crate::bad_input::json_field(&e)))
    }
}

/// Every float in `v` without a fraction that an `i64` or `u64` holds
/// exactly becomes that integer.
fn whole_numbers_as_integers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                // 2^63 and 2^64 as floats: the first value past each range.
                if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
                    *n = Number::from(f as i64);
                } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    *n = Number::from(f as u64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// A raw request body (CSV, a bundle file, an upload part) within the
/// route's `DefaultBodyLimit`: over it answers 413 `too_large`, a body
/// that breaks off 400 `bad_body`.
#[derive(Debug, Clone, Default)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(Self(b)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                tracing::info!(detail = %r.body_text(), "body over the route's limit");
                Err(AppError::TooLarge {
                    code: "too_large",
                    message: "Isi permintaan melebihi batas yang diterima.".into(),
                })
            }
            Err(r) => {
                tracing::info!(detail = %r.body_text(), "body did not arrive whole");
                Err(AppError::bad_request("bad_body", "Isi permintaan tidak dapat dibaca sampai habis."))
            }
        }
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Self)
            .map_err(|e| AppError::bad_request("bad_query", crate::bad_input::query_parameter(&e)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// Words of serde, serde_json, ciborium and axum that must never reach
    /// an answer.
    pub(crate) const PARSER_WORDS: [&str; 10] = [
        "invalid type",
        "expected",
        "EOF",
        "serde",
        "ciborium",
        "line 1 column",
        "Failed to",
        "deserialize",
        "missing field",
        "unknown variant",
    ];

    pub(crate) fn assert_no_parser_words(message: &str) {
        for word in PARSER_WORDS {
            assert!(!message.contains(word), "{word:?} in {message:?}");
        }
    }

    #[tokio::test]
    async fn bad_bodies_and_queries_are_answered_in_indonesian_without_parser_words() {
        let cases: [(&str, &str, &str); 5] = [
            ("{\"tenant\": ", "application/json", "bukan JSON yang sah"),
            ("{\"tenant\": \"t\"}", "application/json", "Isian \"username\" wajib diisi."),
            (
                "{\"tenant\": 7, \"username\": \"u\", \"password\": \"p\"}",
                "application/json",
                "Isian \"tenant\" berjenis salah",
            ),
            ("[1, 2]", "application/json", "objek JSON"),
            ("{}", "text/plain", "Content-Type: application/json"),
        ];
        for (body, content_type, says) in cases {
            let (status, json) = post_login(body, content_type).await;
            assert_eq!((status, json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_body")), "{body}");
            let message = json["message"].as_str().unwrap();
            assert!(message.contains(says), "{body}: {message}");
            assert_no_parser_words(message);
        }
        // A query parameter of the wrong type, on a report (the HR session
        // is checked first: a logged-in officer's request).
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
        let password = "Tenggiri-Biru-Kupang-8391";
        crate::admin::create_user(storage.as_ref(), "uji", "siti", password, prestasi_core::model::Role::Hr).unwrap();
        let app = crate::http::router(AppState::new(storage, Limits::default()).unwrap());
        let login = format!("{{\"tenant\": \"uji\", \"username\": \"siti\", \"password\": \"{password}\"}}");
        let req = Request::post("/v1/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(login));
        let res = app.clone().oneshot(req.unwrap()).await.unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
        let token = json["token"].as_str().unwrap().to_string();
        for query in ["period=2026&year=abc", "period=2026&format=xlsx", "period=2026&below=kadang"] {
            let req = Request::get(format!("/v1/hr/reports/completion?{query}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
            let json: serde_json::Value =
                serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
            assert_eq!(json["code"], "bad_query");
            let message = json["message"].as_str().unwrap();
            assert!(message.contains("parameter \""), "{query}: {message}");
            assert_no_parser_words(message);
        }
    }

    #[test]
    fn whole_floats_read_as_integers() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        struct T {
            a: u32,
            b: i64,
            c: f64,
            d: Vec<u64>,
        }
        let mut v = serde_json::json!({"a": 2.0, "b": -3.0, "c": 1.5, "d": [0.0, 1e19]});
        super::whole_numbers_as_integers(&mut v);
        let t: T = serde_json::from_value(v).unwrap();
        assert_eq!(t, T { a: 2, b: -3, c: 1.5, d: vec![0, 10_000_000_000_000_000_000] });
        for refused in [serde_json::json!({"a": 2.5}), serde_json::json!({"a": 1e300}), serde_json::json!({"a": -1.0})]
        {
            let mut v = refused.clone();
            v["b"] = 0.into();
            v["c"] = 0.into();
            v["d"] = serde_json::json!([]);
            super::whole_numbers_as_integers(&mut v);
            assert!(serde_json::from_value::<T>(v).is_err(), "{refused}");
        }
    }
}
