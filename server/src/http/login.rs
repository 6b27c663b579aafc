//! HR logins on the JSON API (see [`crate::login`]): log in, refresh,
//! log out, change one's own password.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use prestasi_core::model::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::extract::JsonBody;
use crate::login::{self, Attempt, Issued};
use crate::state::AppState;
use crate::storage::{LoginOutcome, LoginVia};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/login", post(log_in))
        .route("/v1/login/refresh", post(refresh))
        .route("/v1/logout", post(log_out))
        .route("/v1/password", post(change_password))
}

#[derive(Debug, Deserialize)]
struct Login {
    tenant: String,
    username: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct LoginOk {
    token: String,
    expires_at: i64,
    refresh_token: String,
    refresh_expires_at: i64,
    role: Role,
}

impl From<Issued> for LoginOk {
    fn from(i: Issued) -> Self {
        Self {
            token: i.token,
            expires_at: i.expires_at,
            refresh_token: i.refresh_token.unwrap_or_default(),
            refresh_expires_at: i.refresh_expires_at.unwrap_or(i.expires_at),
            role: i.role,
        }
    }
}

type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

fn client(s: &AppState, peer: Peer, headers: &HeaderMap) -> String {
    login::client_of(&s.public, peer.map(|Extension(ConnectInfo(p))| p), headers)
}

/// The answer of a login or password change, counted in the metrics.
fn answer(result: Result<Issued, login::Refused>, success: LoginOutcome) -> Response {
    crate::metrics::login("api", login::outcome_of(&result, success));
    match result {
        Ok(issued) => Json(LoginOk::from(issued)).into_response(),
        Err(refused) => refused.into_response(),
    }
}

async fn log_in(State(s): State<AppState>, peer: Peer, headers: HeaderMap, JsonBody(l): JsonBody<Login>) -> Response {
    let client = client(&s, peer, &headers);
    let storage = s.storage.clone();
    let result = s
        .blocking_public(move || {
            let a = Attempt {
                tenant: &l.tenant,
                username: &l.username,
                password: &l.password,
                client: &client,
                via: LoginVia::Api,
            };
            Ok(login::login(storage.as_ref(), &a, login::now_ms()))
        })
        .await
        .unwrap_or_else(|e| Err(e.into()));
    answer(result, LoginOutcome::Ok)
}

#[derive(Debug, Deserialize)]
struct Refresh {
    refresh_token: String,
}

async fn refresh(State(s): State<AppState>, JsonBody(r): JsonBody<Refresh>) -> Result<Json<LoginOk>, AppError> {
    let storage = s.storage.clone();
    let issued = s.blocking_public(move || login::refresh(storage.as_ref(), &r.refresh_token, login::now_ms())).await?;
    Ok(Json(issued.into()))
}

/// `Authorization: Bearer <token>`, a token known or not.
fn bearer(headers: &HeaderMap) -> Result<String, AppError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .ok_or(AppError::Unauthorized {
            code: "unauthenticated",
            message: "Header Authorization: Bearer … tidak ada.".into(),
        })
}

/// Revoke the login of the bearer token: its access and refresh tokens.
/// An access token that has run out still logs its login out.
async fn log_out(State(s): State<AppState>, headers: HeaderMap) -> Result<Json<serde_json::Value>, AppError> {
    let token = bearer(&headers)?;
    let storage = s.storage.clone();
    if !s.blocking(move || login::logout(storage.as_ref(), &token)).await? {
        return Err(AppError::Unauthorized {
            code: "session_invalid",
            message: "Belum masuk, atau sesi sudah berakhir; silakan masuk lagi.".into(),
        });
    }
    Ok(Json(json!({ "revoked": true })))
}

#[derive(Debug, Deserialize)]
struct ChangePassword {
    tenant: String,
    username: String,
    password: String,
    new_password: String,
}

async fn change_password(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    JsonBody(c): JsonBody<ChangePassword>,
) -> Response {
    let client = client(&s, peer, &headers);
    let storage = s.storage.clone();
    let result = s
        .blocking_public(move || {
            let a = Attempt {
                tenant: &c.tenant,
                username: &c.username,
                password: &c.password,
                client: &client,
                via: LoginVia::Api,
            };
            Ok(login::change_password(storage.as_ref(), &a, &c.new_password, login::now_ms()))
        })
        .await
        .unwrap_or_else(|e| Err(e.into()));
    answer(result, LoginOutcome::PasswordChanged)
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
