//! `/ganti-sandi`: a user changes their own password — the temporary one
//! an admin set (the login page sends them here), or any — and is logged
//! in. The same throttled, audited path as `POST /v1/password`.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Form, Router};
use serde::Deserialize;

use super::login::{LoginForms, refused, signed_in};
use super::render;
use crate::error::AppError;
use crate::login::{self, Attempt};
use crate::state::AppState;
use crate::storage::{LoginOutcome, LoginVia};

pub fn router() -> Router<AppState> {
    Router::new().route("/ganti-sandi", get(page).post(change))
}

#[derive(Template, Default)]
#[template(path = "ganti_sandi.html")]
pub(super) struct PasswordPage {
    tenant: String,
    username: String,
    notice: Option<String>,
    error: Option<String>,
}

impl LoginForms for PasswordPage {
    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }
}

async fn page() -> Response {
    render(&PasswordPage::default())
}

/// The login page's answer to the right temporary password: this form,
/// filled in as far as it can be.
pub(super) fn must_change(tenant: String, username: String, r: login::Refused) -> Response {
    render(&PasswordPage { tenant, username, notice: Some(r.error.to_string()), error: None })
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    tenant: String,
    username: String,
    password: String,
    new_password: String,
    new_password_again: String,
}

async fn change(
    State(s): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Some(refusal) = super::origin::refusal(&headers, s.public.origin()) {
        return refusal;
    }
    let page = PasswordPage { tenant: f.tenant.clone(), username: f.username.clone(), ..PasswordPage::default() };
    if f.new_password != f.new_password_again {
        let mut r = render(&PasswordPage { error: Some("Kata sandi baru dan ulangannya tidak sama.".into()), ..page });
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return r;
    }
    let client = login::client_of(&s.public, peer.map(|Extension(ConnectInfo(p))| p), &headers);
    let storage = s.storage.clone();
    let result = s
        .blocking_public(move || {
            let a = Attempt {
                tenant: &f.tenant,
                username: &f.username,
                password: &f.password,
                client: &client,
                via: LoginVia::Web,
            };
            Ok(login::change_password(storage.as_ref(), &a, &f.new_password, login::now_ms()))
        })
        .await
        .unwrap_or_else(|e: AppError| Err(e.into()));
    crate::metrics::login("web", login::outcome_of(&result, LoginOutcome::PasswordChanged));
    match result {
        Ok(issued) => signed_in(&s, &issued.token),
        Err(r) => refused(page, r),
    }
}
