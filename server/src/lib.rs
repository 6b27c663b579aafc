//! Prestasi sync server and HR service.

pub mod health;

use axum::Router;

/// Every route of the server.
pub fn router() -> Router {
    Router::new().merge(health::router())
}
