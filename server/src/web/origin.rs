//! Same-origin check of the pages' form posts (`/masuk`, `/ganti-sandi`
//! and every HR form, beside its CSRF token): a form another site makes a
//! browser send — the login CSRF that would put a victim into the
//! attacker's session — is refused 403 with an Indonesian page.
//!
//! Browsers send `Origin` with every form post (older ones at least
//! `Referer`). It must be the server's public origin (`serve
//! --public-url`, [`crate::public_url::PublicUrl::origin`]) or name the
//! host the request was sent to (`Host`): a page of another site can set
//! neither. `Origin: null` (a sandboxed or privacy-stripped sender) is
//! refused. A request with neither header is not a browser's form post,
//! so it carries no browser's cookies to abuse: it passes (curl, tests).

use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::error::AppError;

/// `scheme://authority` of a `Referer` URL.
fn origin_of_url(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    url.get(..scheme.len() + 3 + end)
}

/// Whether a post with these headers comes from a page of this server,
/// whose public origin is `public_origin`.
pub fn same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let origin = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(o), _) => o,
        (None, Some(referer)) => match origin_of_url(referer) {
            Some(o) => o,
            None => return false,
        },
        (None, None) => return true,
    };
    if origin.eq_ignore_ascii_case("null") {
        return false;
    }
    if origin.eq_ignore_ascii_case(public_origin.trim_end_matches('/')) {
        return true;
    }
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    text(header::HOST).is_some_and(|host| !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

/// The refusal page (403) of a post that is not [`same_origin`], if it is not.
pub fn refusal(headers: &HeaderMap, public_origin: &str) -> Option<Response> {
    if same_origin(headers, public_origin) {
        return None;
    }
    tracing::info!(origin = ?headers.get(header::ORIGIN), referer = ?headers.get(header::REFERER), "cross-site form post refused");
    Some(super::fail(AppError::Forbidden {
        message: "Permintaan ditolak: formulir ini tidak dikirim dari halaman Prestasi. Buka halaman Prestasi \
                  langsung, lalu coba lagi."
            .into(),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn posts_from_this_site_pass_and_others_do_not() {
        let public = "https://prestasi.manokwarikab.go.id";
        let ours = [
            vec![("origin", "https://prestasi.manokwarikab.go.id"), ("host", "127.0.0.1:8080")],
            vec![("origin", "HTTPS://Prestasi.Manokwarikab.go.id")],
            vec![("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")],
            vec![("referer", "https://prestasi.manokwarikab.go.id/masuk?x=1")],
            vec![("referer", "http://localhost:3000/masuk"), ("host", "localhost:3000")],
            vec![("host", "127.0.0.1:8080")],
            vec![],
        ];
        for h in ours {
            assert!(same_origin(&headers(&h), public), "{h:?}");
        }
        let theirs = [
            vec![("origin", "https://evil.example"), ("host", "prestasi.manokwarikab.go.id")],
            vec![("origin", "null"), ("host", "127.0.0.1:8080")],
            vec![("origin", "https://prestasi.manokwarikab.go.id.evil.example")],
            vec![("origin", "http://127.0.0.1:8081"), ("host", "127.0.0.1:8080")],
            vec![("referer", "https://evil.example/page"), ("host", "127.0.0.1:8080")],
            vec![("referer", "not a url"), ("host", "127.0.0.1:8080")],
            vec![("origin", "https://evil.example"), ("referer", "https://prestasi.manokwarikab.go.id/")],
            vec![("origin", "https://evil.example")],
        ];
        for h in theirs {
            assert!(!same_origin(&headers(&h), public), "{h:?}");
        }
    }
}
