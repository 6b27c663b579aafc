//! `/masuk` and `/keluar`: password login into a cookie session.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::render;
use super::session::{WebHr, clear_cookie, session_cookie};
use crate::auth::{SESSION_COOKIE, cookie, open_session, sha256_hex};
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/masuk", get(page).post(login)).route("/keluar", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tenant: String,
    error: Option<String>,
}

async fn page() -> Response {
    render(&LoginPage { tenant: String::new(), error: None })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    tenant: String,
    username: String,
    password: String,
}

/// Cookies are marked `Secure` unless the site is reached as plain-HTTP
/// `localhost`/`127.0.0.1` (the demo and the browser test).
fn secure(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let forwarded_https =
        headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    forwarded_https || !(host.starts_with("localhost") || host.starts_with("127.0.0.1"))
}

async fn login(State(s): State<AppState>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let storage = s.storage.clone();
    let tenant = f.tenant.clone();
    let opened = s.blocking_public(move || open_session(storage.as_ref(), &f.tenant, &f.username, &f.password)).await;
    crate::metrics::login("web", &opened);
    match opened {
        Ok((token, _)) => {
            ([(header::SET_COOKIE, session_cookie(&token, secure(&headers)))], Redirect::to("/hr")).into_response()
        }
        Err(AppError::Unauthorized { message, .. }) => {
            let mut r = render(&LoginPage { tenant, error: Some(message) });
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            r
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(State(s): State<AppState>, hr: WebHr, headers: HeaderMap, Form(f): Form<LogoutForm>) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return e.into_response();
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let hash = sha256_hex(token);
        let storage = s.storage.clone();
        if let Err(e) = s.blocking(move || Ok(storage.delete_session(&hash)?)).await {
            return e.into_response();
        }
    }
    ([(header::SET_COOKIE, clear_cookie())], Redirect::to("/masuk")).into_response()
}
