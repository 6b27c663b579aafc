//! Bad input, answered in Bahasa Indonesia without the parser's words.
//!
//! serde, ciborium and axum describe what they could not read in their own
//! English (`invalid type: string "x", expected u32 at line 1 column 9`,
//! `Failed to deserialize form body: …`). That text names our types and
//! parsers and means nothing to the officer who reads it: it is logged, and
//! the answer says which field or parameter was wrong, in Indonesian.
//!
//! [`json_field`] and [`query_parameter`] word the errors of our JSON and
//! query extractors (`crate::extract`), with the path serde_path_to_error
//! tracked; [`plain_rejections`] rewrites what reaches a response as axum's
//! own plain-text rejection (the web pages' forms, path parameters, body
//! limits), so no extractor anywhere answers with parser text.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prestasi_core::sync::protocol::ErrorBody;

/// What serde said went wrong, without its words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fault {
    /// A required field is absent: its name.
    Missing(String),
    /// A field the type does not have: its name.
    Unknown(String),
    /// A string that is none of the allowed values.
    UnknownValue,
    /// A value of another JSON type (a string for a number, …).
    WrongType,
    /// A value of the right type out of what the field takes.
    Invalid,
}

/// Read serde's message for its kind only; the names it quotes between
/// backticks are our own field names.
fn fault(message: &str) -> Fault {
    let quoted = || message.split('`').nth(1).unwrap_or_default().to_string();
    if message.starts_with("missing field `") {
        Fault::Missing(quoted())
    } else if message.starts_with("unknown field `") {
        Fault::Unknown(quoted())
    } else if message.starts_with("unknown variant") {
        Fault::UnknownValue
    } else if message.starts_with("invalid type") {
        Fault::WrongType
    } else {
        Fault::Invalid
    }
}

/// `parent.child`, or `child` at the top.
fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() || parent == "." { child.to_string() } else { format!("{parent}.{child}") }
}

fn word(what: &str, path: &serde_path_to_error::Path, message: &str) -> String {
    let at = path.to_string();
    let at = if at == "." { String::new() } else { at };
    match fault(message) {
        Fault::Missing(name) => format!("{what} \"{}\" wajib diisi.", join(&at, &name)),
        // The path already ends at the unknown field.
        Fault::Unknown(name) => format!("{what} \"{}\" tidak dikenal.", if at.is_empty() { name } else { at }),
        Fault::UnknownValue => {
            format!("Nilai {} \"{at}\" bukan salah satu pilihan yang diterima.", what.to_lowercase())
        }
        Fault::WrongType => format!("{what} \"{at}\" berjenis salah (misalnya teks untuk angka)."),
        Fault::Invalid => format!("Nilai {} \"{at}\" tidak sah.", what.to_lowercase()),
    }
}

/// A JSON body that parsed but does not fit the route's type.
pub fn json_field(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    tracing::info!(detail = %e, "JSON body does not fit its type");
    word("Isian", e.path(), &e.inner().to_string())
}

/// Query parameters that do not fit the route's type.
pub fn query_parameter(e: &serde_path_to_error::Error<serde_urlencoded::de::Error>) -> String {
    tracing::info!(detail = %e, "query string does not fit its type");
    word("Parameter", e.path(), &e.inner().to_string())
}

/// Whether `path` is one of the API's (answered with the JSON error body)
/// rather than a page people read.
fn is_api(path: &str) -> bool {
    path.starts_with("/v1/") || path == "/health" || path == "/ready"
}

/// Middleware: a 4xx answered with axum's plain-text rejection (a form, a
/// path parameter or a multipart body that does not parse, a body over the
/// route's limit) gets our answer instead, the rejection's text logged. The
/// API answers the JSON error body, pages a sentence in Indonesian. Our own
/// handlers never answer a 4xx as `text/plain` (errors are [`AppError`]'s
/// JSON or an HTML page), so only axum's rejections are rewritten.
///
/// [`AppError`]: crate::error::AppError
pub async fn plain_rejections(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if !res.status().is_client_error() || !plain {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let detail = axum::body::to_bytes(body, 16 << 10).await.unwrap_or_default();
    tracing::info!(status = parts.status.as_u16(), detail = %String::from_utf8_lossy(&detail), "request refused by an extractor");
    let (code, message) = wording(parts.status);
    parts.headers.remove(header::CONTENT_LENGTH);
    if api {
        let mut out =
            (parts.status, axum::Json(ErrorBody { code: code.into(), message: message.into() })).into_response();
        for (name, value) in &parts.headers {
            if name != header::CONTENT_TYPE {
                out.headers_mut().insert(name.clone(), value.clone());
            }
        }
        out.extensions_mut().insert(crate::metrics::ErrorCode(code.to_string()));
        return out;
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    parts.extensions.insert(crate::metrics::ErrorCode(code.to_string()));
    Response::from_parts(parts, Body::from(message))
}

/// The code and Indonesian message of a rejection with `status`.
fn wording(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "Isi permintaan melebihi batas yang diterima."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Jenis isi permintaan (Content-Type) tidak diterima di sini.")
        }
        StatusCode::NOT_FOUND => ("not_found", "Alamat ini tidak dikenal."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Metode permintaan ini tidak diterima di alamat ini."),
        _ => ("bad_request", "Permintaan tidak dapat dibaca: periksa isian formulir atau alamatnya, lalu coba lagi."),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn json<T: serde::de::DeserializeOwned + std::fmt::Debug>(v: serde_json::Value) -> String {
        json_field(&serde_path_to_error::deserialize::<_, T>(v).unwrap_err())
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        seats: u32,
        #[serde(default)]
        format: Option<crate::reports::table::Format>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Vec<Inner>,
    }

    #[test]
    fn messages_name_the_field_in_indonesian_and_quote_no_parser() {
        use serde_json::json as j;
        let cases = [
            (j!({"inner": []}), "Isian \"name\" wajib diisi."),
            (j!({"name": "x", "inner": [{}]}), "Isian \"inner[0].seats\" wajib diisi."),
            (j!({"name": "x", "inner": [], "extra": 1}), "Isian \"extra\" tidak dikenal."),
            (j!({"name": 5, "inner": []}), "Isian \"name\" berjenis salah (misalnya teks untuk angka)."),
            (j!({"name": "x", "inner": [{"seats": -1}]}), "Nilai isian \"inner[0].seats\" tidak sah."),
            (
                j!({"name": "x", "inner": [{"seats": 1, "format": "xlsx"}]}),
                "Nilai isian \"inner[0].format\" bukan salah satu pilihan yang diterima.",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(json::<Outer>(value), want);
        }
        let q = |s: &str| {
            let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(s.as_bytes()));
            query_parameter(&serde_path_to_error::deserialize::<_, crate::reports::Params>(de).unwrap_err())
        };
        assert_eq!(q("year=abc"), "Nilai parameter \"year\" tidak sah.");
        assert_eq!(q("format=xlsx"), "Nilai parameter \"format\" bukan salah satu pilihan yang diterima.");
        assert_eq!(q("as_of=kemarin"), "Nilai parameter \"as_of\" tidak sah.");
    }
}
