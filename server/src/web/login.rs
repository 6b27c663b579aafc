//! `/masuk` and `/keluar`: password login into a cookie session (the
//! same throttled, audited path as `POST /v1/login`, [`crate::login`]).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;

use super::render;
use super::session::{WebHr, clear_cookie, session_cookie};
use crate::auth::{SESSION_COOKIE, cookie};
use crate::error::AppError;
use crate::login::{self, Attempt};
use crate::state::AppState;
use crate::storage::{LoginOutcome, LoginVia};

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

/// The cookie is `Secure` when the server is reached over HTTPS: its public
/// URL is `https` or it terminates TLS itself ([`crate::public_url`]; the
/// request's `Host` and `X-Forwarded-Proto` are not consulted). The post
/// must come from this site's login page ([`super::origin`]); the password
/// goes through the throttle and the audit log ([`crate::login`]).
async fn login(
    State(s): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if let Some(refused) = super::origin::refusal(&headers, s.public.origin()) {
        return refused;
    }
    let client = login::client_of(&s.public, peer.map(|Extension(ConnectInfo(p))| p), &headers);
    let storage = s.storage.clone();
    let (tenant, username) = (f.tenant.clone(), f.username.clone());
    let result = s
        .blocking_public(move || {
            let a = Attempt {
                tenant: &f.tenant,
                username: &f.username,
                password: &f.password,
                client: &client,
                via: LoginVia::Web,
            };
            Ok(login::login(storage.as_ref(), &a, login::now_ms()))
        })
        .await
        .unwrap_or_else(|e| Err(e.into()));
    crate::metrics::login("web", login::outcome_of(&result, LoginOutcome::Ok));
    match result {
        Ok(issued) => signed_in(&s, &issued.token),
        Err(r) if r.error.code() == "password_change_required" => super::password::must_change(tenant, username, r),
        Err(r) => refused(LoginPage { tenant, error: None }, r),
    }
}

/// The cookie of a new web login, and on to the overview.
pub(super) fn signed_in(s: &AppState, token: &str) -> Response {
    ([(header::SET_COOKIE, session_cookie(token, s.public.secure()))], Redirect::to("/hr")).into_response()
}

/// `page` again with the refusal (401, 422, 429 with `Retry-After`), or the
/// error page for anything else.
pub(super) fn refused<T: LoginForms>(mut page: T, r: login::Refused) -> Response {
    let status = r.error.status();
    let shown = matches!(
        r.error,
        AppError::Unauthorized { .. } | AppError::TooManyRequests { .. } | AppError::Unprocessable { .. }
    );
    if !shown {
        return super::fail(r.error);
    }
    page.set_error(r.error.to_string());
    let mut res = render(&page);
    *res.status_mut() = status;
    if let Some(secs) = r.retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

/// The login and password pages: a refusal is shown on them.
pub(super) trait LoginForms: Template {
    fn set_error(&mut self, message: String);
}

impl LoginForms for LoginPage {
    fn set_error(&mut self, message: String) {
        self.error = Some(message);
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
    if let Some(token) = cookie(&headers, SESSION_COOKIE).map(str::to_string) {
        let storage = s.storage.clone();
        if let Err(e) = s.blocking(move || login::logout(storage.as_ref(), &token)).await {
            return e.into_response();
        }
    }
    ([(header::SET_COOKIE, clear_cookie())], Redirect::to("/masuk")).into_response()
}
