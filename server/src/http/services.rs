//! `GET`/`PUT /v1/hr/units/{unit}/services`: the services a unit's citizens'
//! form offers (see [`crate::services`]).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/hr/units/{unit}/services", get(list).put(replace))
}

#[derive(Debug, Deserialize)]
struct Services {
    services: Vec<String>,
}

async fn list(State(s): State<AppState>, hr: HrAuth, Path(unit): Path<String>) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    let u = unit.clone();
    let services = s.blocking(move || crate::services::of(st.storage.as_ref(), &hr.tenant_id, &u)).await?;
    Ok(Json(json!({ "unit": unit, "services": services })))
}

async fn replace(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(unit): Path<String>,
    JsonBody(body): JsonBody<Services>,
) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    let u = unit.clone();
    let services = s
        .blocking(move || {
            crate::services::set(st.storage.as_ref(), &st.services, &hr.tenant_id, &u, &body.services, &hr.username)
        })
        .await?;
    Ok(Json(json!({ "unit": unit, "services": services })))
}
