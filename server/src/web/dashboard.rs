//! `/hr`: the period overview — completion per agency and unit.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::render;
use super::session::WebHr;
use super::svg::{Bar, stacked_bars};
use crate::error::AppError;
use crate::extract::Query;
use crate::reports::completion::{self, CompletionRow};
use crate::reports::{Ctx, Params};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr", get(page)).route("/", get(|| async { axum::response::Redirect::to("/hr") }))
}

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    hr: WebHr,
    period: String,
    periods: Vec<String>,
    rows: Vec<CompletionRow>,
    chart: String,
    conflicts: usize,
}

/// The chosen period, else the newest one that has appraisals.
pub fn chosen_period(ctx: &Ctx, asked: Option<String>) -> Result<(String, Vec<String>), AppError> {
    let periods = ctx.storage.periods(&ctx.tenant)?;
    let period = asked.filter(|p| !p.is_empty()).or_else(|| periods.first().cloned()).unwrap_or_default();
    Ok((period, periods))
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PeriodQuery>) -> Response {
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let built = s
        .blocking(move || {
            let ctx = Ctx::load(storage, tenant)?;
            let (period, periods) = chosen_period(&ctx, q.period)?;
            let rows = if period.is_empty() {
                Vec::new()
            } else {
                completion::compute(&ctx, &Params { period: Some(period.clone()), ..Default::default() })?
            };
            let bars: Vec<Bar> = rows
                .iter()
                .filter(|r| r.level == "unit")
                .map(|r| Bar {
                    label: r.unit_name.clone(),
                    values: vec![
                        u64::from(r.locked),
                        u64::from(r.reviewed.saturating_sub(r.locked)),
                        u64::from(r.submitted.saturating_sub(r.reviewed)),
                        u64::from(r.appraised.saturating_sub(r.submitted)),
                        u64::from(r.staff.saturating_sub(r.appraised)),
                    ],
                })
                .collect();
            let legend = ["Dikunci", "Direviu", "Diajukan", "Draf", "Belum dinilai"];
            let chart = stacked_bars(&format!("Kemajuan penilaian {period}"), &legend, &bars);
            let conflicts = ctx.storage.conflicts(&ctx.tenant)?.len();
            Ok((period, periods, rows, chart, conflicts))
        })
        .await;
    match built {
        Ok((period, periods, rows, chart, conflicts)) => {
            render(&Dashboard { hr, period, periods, rows, chart, conflicts })
        }
        Err(e) => e.into_response(),
    }
}
