//! HTTP routes: one `router()` per module, merged here.

mod bundles;
pub(crate) mod enroll;
mod hr;
mod openapi;
mod people;
pub(crate) mod sync;
mod uploads;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

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

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::health::router())
        .merge(sync::router())
        .merge(uploads::router())
        .merge(enroll::router())
        .merge(hr::router())
        .merge(people::router())
        .merge(bundles::router())
        .merge(crate::reports::router())
        .merge(crate::web::router())
        .merge(openapi::router())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
