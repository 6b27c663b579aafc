//! What HR enters for the reports: the tenant's rule settings (TPP table,
//! talent cut-offs, curve, …), each unit's own rating and the population
//! it served per period, employees' assessed potential, and disciplinary
//! sanctions. Every input is checked with the core's rules before storing.

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use prestasi_core::ValidationError;
use prestasi_core::rules::settings::RuleSettings;
use prestasi_core::rules::{Nip, NipError, Sanction, UnitRating, potential_axis};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;
use crate::storage::{PotentialRow, SanctionRow, UnitPeriodRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/settings", get(get_settings).put(put_settings))
        .route("/v1/hr/unit-periods", get(unit_periods))
        .route("/v1/hr/unit-periods/{unit}/{period}", put(put_unit_period))
        .route("/v1/hr/potentials", get(potentials))
        .route("/v1/hr/potentials/{nip}", put(put_potential))
        .route("/v1/hr/sanctions", get(sanctions).post(add_sanction))
}

fn nip(s: &str) -> Result<Nip, AppError> {
    s.parse().map_err(|e: NipError| AppError::Unprocessable { code: "invalid", message: e.user_message() })
}

async fn get_settings(State(s): State<AppState>, hr: HrAuth) -> Result<Json<RuleSettings>, AppError> {
    let st = s.clone();
    s.blocking(move || Ok(Json(super::settings_of(st.storage.as_ref(), &hr.tenant_id)?))).await
}

/// Replace the settings; fields left out take their documented defaults.
async fn put_settings(
    State(s): State<AppState>,
    hr: HrAuth,
    JsonBody(v): JsonBody<Value>,
) -> Result<Json<RuleSettings>, AppError> {
    let settings: RuleSettings = serde_path_to_error::deserialize(v).map_err(|e| AppError::Unprocessable {
        code: "invalid",
        message: format!("Pengaturan tidak dapat dibaca: {}", crate::bad_input::json_field(&e)),
    })?;
    settings.validate()?;
    let json = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
    let st = s.clone();
    s.blocking(move || {
        st.storage.set_settings(&hr.tenant_id, &json)?;
        Ok(Json(settings))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct PeriodQuery {
    period: String,
}

async fn unit_periods(
    State(s): State<AppState>,
    hr: HrAuth,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    s.blocking(move || Ok(Json(json!({ "unit_periods": st.storage.unit_periods(&hr.tenant_id, &q.period)? })))).await
}

#[derive(Debug, Deserialize)]
struct UnitPeriodInput {
    rating: Option<String>,
    population: Option<u64>,
}

async fn put_unit_period(
    State(s): State<AppState>,
    hr: HrAuth,
    Path((unit, period)): Path<(String, String)>,
    JsonBody(i): JsonBody<UnitPeriodInput>,
) -> Result<Json<UnitPeriodRow>, AppError> {
    prestasi_core::model::Period::parse(&period)?;
    if let Some(r) = &i.rating {
        r.parse::<UnitRating>()?;
    }
    let row = UnitPeriodRow { unit_id: unit, period, rating: i.rating, population: i.population };
    let st = s.clone();
    s.blocking(move || {
        if st.storage.units(&hr.tenant_id)?.iter().all(|u| u.id != row.unit_id) {
            return Err(AppError::NotFound { message: format!("Unit kerja {} tidak ditemukan.", row.unit_id) });
        }
        st.storage.set_unit_period(&hr.tenant_id, &row)?;
        Ok(Json(row))
    })
    .await
}

async fn potentials(State(s): State<AppState>, hr: HrAuth) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    s.blocking(move || Ok(Json(json!({ "potentials": st.storage.potentials(&hr.tenant_id)? })))).await
}

#[derive(Debug, Deserialize)]
struct PotentialInput {
    score: f64,
    assessed_on: NaiveDate,
}

async fn put_potential(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(n): Path<String>,
    JsonBody(i): JsonBody<PotentialInput>,
) -> Result<Json<PotentialRow>, AppError> {
    let n = nip(&n)?;
    let st = s.clone();
    s.blocking(move || {
        let settings = super::settings_of(st.storage.as_ref(), &hr.tenant_id)?;
        potential_axis(&settings.talent, i.score)?;
        let row = PotentialRow { nip: n.to_string(), score: i.score, assessed_on: i.assessed_on.to_string() };
        st.storage.set_potential(&hr.tenant_id, &row)?;
        Ok(Json(row))
    })
    .await
}

async fn sanctions(State(s): State<AppState>, hr: HrAuth) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    s.blocking(move || Ok(Json(json!({ "sanctions": st.storage.sanctions(&hr.tenant_id)? })))).await
}

#[derive(Debug, Deserialize)]
struct SanctionInput {
    nip: String,
    level: String,
    decided_on: NaiveDate,
    #[serde(default)]
    note: String,
}

async fn add_sanction(
    State(s): State<AppState>,
    hr: HrAuth,
    JsonBody(i): JsonBody<SanctionInput>,
) -> Result<Json<SanctionRow>, AppError> {
    let n = nip(&i.nip)?;
    let level: Sanction = i.level.parse()?;
    if i.note.chars().count() > 1000 {
        return Err(ValidationError::rule("note", "paling banyak 1000 karakter").into());
    }
    let row = SanctionRow {
        nip: n.to_string(),
        level: level.to_string(),
        decided_on: i.decided_on.to_string(),
        note: i.note,
    };
    let st = s.clone();
    s.blocking(move || {
        st.storage.add_sanction(&hr.tenant_id, &row)?;
        Ok(Json(row))
    })
    .await
}
