//! The pages' stylesheets, compiled into the binary (`server/static/`).
//!
//! They are files rather than `<style>` blocks so that every page can carry a
//! Content-Security-Policy without `'unsafe-inline'` (see
//! `crate::security_headers`). No login is needed: they hold no data. Unlike
//! every other answer they may be cached (`Cache-Control` set here, so the
//! server's `no-store` default leaves them alone).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// HR's pages (`templates/base.html`).
pub const HR_CSS: &str = include_str!("../../static/hr.css");
/// The devices page.
pub const PERANGKAT_CSS: &str = include_str!("../../static/perangkat.css");
/// A unit's printable QR code.
pub const QR_CSS: &str = include_str!("../../static/qr.css");
/// The citizens' feedback form.
pub const UMPAN_BALIK_CSS: &str = include_str!("../../static/umpan-balik.css");

/// How long a browser may keep a stylesheet: an hour, so a new release's
/// styles arrive the same day without versioned names.
pub const CACHE: &str = "public, max-age=3600";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/hr.css", get(|| css(HR_CSS)))
        .route("/static/perangkat.css", get(|| css(PERANGKAT_CSS)))
        .route("/static/qr.css", get(|| css(QR_CSS)))
        .route("/static/umpan-balik.css", get(|| css(UMPAN_BALIK_CSS)))
}

async fn css(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], body)
}
