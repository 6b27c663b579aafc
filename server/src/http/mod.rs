//! HTTP routes: one `router()` per module, merged here.

mod admin;
mod bundles;
pub(crate) mod enroll;
mod hr;
mod login;
mod openapi;
mod people;
mod services;
pub(crate) mod sync;
mod uploads;

use axum::Router;
use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::state::AppState;

/// Serve `app` until `shutdown` completes, letting requests in flight finish.
/// Handlers can read the peer's address (`ConnectInfo<SocketAddr>`), e.g.
/// to rate-limit the public feedback form per client.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serve `state`'s API on `listener` as [`serve`] does and, given a
/// `metrics` listener, `GET /metrics` there (`serve --metrics-listen`):
/// it installs the Prometheus recorder, and stops after the API has.
/// `/metrics` is never served on the API's listener.
pub async fn serve_all(
    listener: tokio::net::TcpListener,
    state: AppState,
    metrics: Option<tokio::net::TcpListener>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_all_tls(listener, state, metrics, None, shutdown).await
}

/// [`serve_all`], the API over HTTPS when `tls` is given (`serve
/// --tls-cert`, see [`crate::tls`]); `/metrics` stays plain HTTP.
pub async fn serve_all_tls(
    listener: tokio::net::TcpListener,
    state: AppState,
    metrics: Option<tokio::net::TcpListener>,
    tls: Option<crate::tls::Tls>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Some(metrics) = metrics else { return crate::tls::serve_maybe(listener, router(state), tls, shutdown).await };
    let handle = crate::metrics::install();
    crate::metrics::spawn_upkeep(handle.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scrapes = axum::serve(metrics, crate::metrics::router(state.clone(), handle)).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let scrapes = tokio::spawn(std::future::IntoFuture::into_future(scrapes));
    let served = crate::tls::serve_maybe(listener, router(state), tls, shutdown).await;
    let _ = stop.send(());
    scrapes.await.map_err(std::io::Error::other)??;
    served
}

/// The span every request runs in: its id (see `logging`), method and path.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path(), route)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::health::router())
        .merge(sync::router())
        .merge(uploads::router())
        .merge(enroll::router())
        .merge(login::router())
        .merge(admin::router())
        .merge(hr::router())
        .merge(people::router())
        .merge(services::router())
        .merge(bundles::router())
        .merge(crate::reports::router())
        .merge(crate::web::router())
        .merge(openapi::router())
        // Innermost: an extractor's plain-text rejection becomes our answer
        // in Indonesian, before anything compresses it.
        .layer(axum::middleware::from_fn(crate::bad_input::plain_rejections))
        // CSP, framing, nosniff, referrer, no-store (crate::security_headers).
        .layer(crate::security_headers::layer())
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        // Outermost: the id exists before the span is made, and is answered.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // Every answer, errors included: HSTS when served over HTTPS.
        .layer(axum::middleware::from_fn_with_state(state.public.hsts(), crate::public_url::strict_transport_security))
        .with_state(state)
}
