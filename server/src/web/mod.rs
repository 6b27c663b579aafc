//! The web pages: HR's pages (Bahasa Indonesia, server-rendered, no
//! JavaScript; charts drawn on the server as SVG) over the same report code
//! as the JSON API, and the citizens' public feedback form.
//!
//! Templates live in `server/templates/` and are checked at compile time
//! (askama): a misspelt field is a build error, not a blank page.

mod appraisals;
mod assets;
mod audit;
mod bundles;
mod calibration;
mod citizen;
mod dashboard;
mod development;
mod devices;
mod login;
mod origin;
mod password;
mod ratelimit;
mod rewards;
mod services;
pub(crate) mod session;
mod skm;
pub(crate) mod svg;
mod talent;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(password::router())
        .merge(audit::router())
        .merge(dashboard::router())
        .merge(appraisals::router())
        .merge(calibration::router())
        .merge(skm::router())
        .merge(development::router())
        .merge(talent::router())
        .merge(rewards::router())
        .merge(citizen::router())
        .merge(devices::router())
        .merge(services::router())
        .merge(bundles::router())
        .merge(assets::router())
}

/// A rendered page, or the error page.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// The citizens' form token (for the fuzz target that posts forms).
pub use citizen::token as citizen_form_token;
pub use pages::{Filters, PageQuery, encode, fail, label, local_time, num, refusal, show, submit};

mod pages;

#[cfg(test)]
mod headers_tests;
#[cfg(test)]
mod login_tests;
#[cfg(test)]
mod tests;
