//! `/hr/layanan`: HR lists the services each unit offers on its citizens'
//! form (see [`crate::services`]); the form offers nothing else.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::session::WebHr;
use super::{encode, render};
use crate::error::AppError;
use crate::extract::Query;
use crate::services::{MAX_SERVICE_CHARS, MAX_SERVICES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/layanan", get(page)).route("/hr/layanan/{unit}", post(save))
}

struct UnitServices {
    id: String,
    name: String,
    agency_name: String,
    /// One service per line, as the text area shows them.
    lines: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "layanan.html")]
struct Page {
    hr: WebHr,
    units: Vec<UnitServices>,
    notice: Option<String>,
    error: Option<String>,
    max_services: usize,
    max_chars: usize,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    /// The unit just saved.
    #[serde(default)]
    disimpan: String,
}

#[derive(Debug, Deserialize)]
struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    layanan: String,
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let notice = (!q.disimpan.is_empty()).then(|| format!("Daftar layanan unit {} disimpan.", q.disimpan));
    show(&s, hr, StatusCode::OK, notice, None).await
}

async fn show(s: &AppState, hr: WebHr, status: StatusCode, notice: Option<String>, error: Option<String>) -> Response {
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let units = s
        .blocking(move || {
            let mut out = Vec::new();
            for u in storage.units(&tenant)? {
                let list = storage.unit_services(&tenant, &u.id)?;
                out.push(UnitServices {
                    lines: list.join("\n"),
                    count: list.len(),
                    id: u.id,
                    name: u.name,
                    agency_name: u.agency_name,
                });
            }
            Ok(out)
        })
        .await;
    match units {
        Ok(units) => {
            let mut r =
                render(&Page { hr, units, notice, error, max_services: MAX_SERVICES, max_chars: MAX_SERVICE_CHARS });
            if r.status() == StatusCode::OK {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => super::fail(e),
    }
}

async fn save(State(s): State<AppState>, hr: WebHr, Path(unit): Path<String>, Form(f): Form<SaveForm>) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return super::fail(e);
    }
    let (storage, cache) = (s.storage.clone(), s.services.clone());
    let (tenant, by, u) = (hr.tenant_id.clone(), hr.username.clone(), unit.clone());
    let lines: Vec<String> = f.layanan.lines().map(str::to_string).collect();
    let done = s.blocking(move || crate::services::set(storage.as_ref(), &cache, &tenant, &u, &lines, &by)).await;
    match done {
        Ok(_) => Redirect::to(&format!("/hr/layanan?disimpan={}", encode(&unit))).into_response(),
        Err(AppError::Unprocessable { message, .. }) => {
            show(&s, hr, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await
        }
        Err(e) => super::fail(e),
    }
}
