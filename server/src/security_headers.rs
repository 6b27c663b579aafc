//! Response headers that tell browsers what a page may do, on every answer
//! of the router (tower-http `SetResponseHeaderLayer`s, see [`layer`]).
//!
//! - `Content-Security-Policy` ([`CONTENT_SECURITY_POLICY`]): scripts,
//!   styles and images from this origin only (images also `data:`, the
//!   favicon), no inline script or style at all — the pages' styles are
//!   files (`web/assets.rs`), the charts' SVG uses classes, not `style=` —,
//!   no framing (`frame-ancestors 'none'`), forms post here only, no
//!   `<base>`. An injected `<script>` or `style=` therefore does nothing.
//! - `X-Frame-Options: DENY`: the same for browsers without
//!   `frame-ancestors` (clickjacking of HR's lock and revoke buttons).
//! - `X-Content-Type-Options: nosniff` on everything: a CSV export or an
//!   uploaded file is never run as HTML or script.
//! - `Referrer-Policy: same-origin`: no address (with its query: period,
//!   unit, a person's NIP) leaves for another site; same-origin requests keep
//!   it, and form posts keep their `Origin` (`no-referrer` would make it
//!   `null`).
//! - `Cache-Control: no-store` unless a handler set its own: HR's pages, the
//!   HR API's answers, CSV downloads, the login answer's token and the
//!   citizens' form (its token) stay out of every cache. Only the static
//!   stylesheets say otherwise (`web::assets::CACHE`).
//!
//! Set if not present (a handler may need another policy for one answer),
//! except `nosniff`, which every answer gets.

use axum::http::{HeaderValue, header};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of every page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Every header, name and value, as sent (for tests and docs).
pub const HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-store"),
];

type Header = SetResponseHeaderLayer<HeaderValue>;

/// The layers, for `Router::layer`.
pub type Layers = ServiceBuilder<Stack<Header, Stack<Header, Stack<Header, Stack<Header, Stack<Header, Identity>>>>>>;

/// The headers above as one layer stack.
pub fn layer() -> Layers {
    let value = HeaderValue::from_static;
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, value(CONTENT_SECURITY_POLICY)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, value("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, value("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, value("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, value("no-store")))
}
