//! `/hr/log-masuk`: the tenant's login audit log, for admins only.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::session::WebHr;
use super::{fail, local_time, show};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::LoginOutcome;

/// The rows the page shows.
const ROWS: u32 = 500;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/log-masuk", get(page))
}

struct Row {
    at: String,
    username: String,
    client: String,
    via: &'static str,
    outcome: &'static str,
    failed: bool,
}

#[derive(Template)]
#[template(path = "log_masuk.html")]
struct AuditPage {
    hr: WebHr,
    rows: Vec<Row>,
}

async fn page(State(s): State<AppState>, hr: WebHr) -> Response {
    if !hr.is_admin() {
        return fail(AppError::Forbidden { message: "Hanya untuk admin.".into() });
    }
    let page_hr = hr.clone();
    show(&s, &hr, move |ctx| {
        let offset = ctx.settings.utc_offset_minutes;
        let rows = ctx
            .storage
            .login_events(&ctx.tenant, None, ROWS)?
            .into_iter()
            .map(|e| Row {
                at: local_time(e.at, offset),
                username: e.username,
                client: e.client,
                via: match e.via {
                    crate::storage::LoginVia::Api => "API",
                    crate::storage::LoginVia::Web => "halaman",
                },
                outcome: e.outcome.label_id(),
                failed: matches!(e.outcome, LoginOutcome::BadCredentials | LoginOutcome::Locked),
            })
            .collect();
        Ok(AuditPage { hr: page_hr, rows })
    })
    .await
}
