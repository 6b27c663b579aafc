//! Appraisal completion per agency and unit: how many staff are appraised,
//! submitted, reviewed and locked in a period.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::model::AppraisalStatus;
use serde::Serialize;

use super::table::Tabular;
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/hr/reports/completion", get(handler))
}

async fn handler(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute).await
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CompletionRow {
    /// `agency` (a total) or `unit`.
    pub level: &'static str,
    pub agency_id: String,
    pub agency_name: String,
    pub unit_id: String,
    pub unit_name: String,
    /// Active employees of the unit.
    pub staff: u32,
    /// Appraisals started (any status).
    pub appraised: u32,
    /// Submitted, reviewed or locked.
    pub submitted: u32,
    /// Reviewed or locked.
    pub reviewed: u32,
    pub locked: u32,
}

impl CompletionRow {
    fn add(&mut self, o: &CompletionRow) {
        self.staff += o.staff;
        self.appraised += o.appraised;
        self.submitted += o.submitted;
        self.reviewed += o.reviewed;
        self.locked += o.locked;
    }
}

/// How far the workflow has gone: draft 0 … locked 3.
fn step(s: AppraisalStatus) -> u8 {
    match s {
        AppraisalStatus::Draft => 0,
        AppraisalStatus::Submitted => 1,
        AppraisalStatus::Reviewed => 2,
        AppraisalStatus::Locked => 3,
    }
}

fn unit_row(ctx: &Ctx, unit: &str) -> CompletionRow {
    let (agency_id, agency_name) = ctx.agency_of(unit);
    CompletionRow {
        level: "unit",
        agency_id,
        agency_name,
        unit_id: unit.to_string(),
        unit_name: ctx.unit_name(unit),
        ..Default::default()
    }
}

pub(crate) fn compute(ctx: &Ctx, p: &Params) -> Result<Vec<CompletionRow>, AppError> {
    let period = p.period()?;
    // Keyed by (agency name, unit id): agencies together, in name order.
    let mut units: BTreeMap<(String, String), CompletionRow> = BTreeMap::new();
    let key = |unit: &str| (ctx.agency_of(unit).1, unit.to_string());
    for e in ctx.storage.staff(&ctx.tenant)?.iter().filter(|e| e.active && ctx.selected(p, &e.unit_id)) {
        units.entry(key(&e.unit_id)).or_insert_with(|| unit_row(ctx, &e.unit_id)).staff += 1;
    }
    for a in ctx.storage.appraisal_facts(&ctx.tenant, &[period.code], p.unit.as_deref())? {
        if !ctx.selected(p, &a.unit_id) {
            continue;
        }
        let step = step(a.status);
        let r = units.entry(key(&a.unit_id)).or_insert_with(|| unit_row(ctx, &a.unit_id));
        r.appraised += 1;
        r.submitted += u32::from(step >= 1);
        r.reviewed += u32::from(step >= 2);
        r.locked += u32::from(step >= 3);
    }
    // Each agency's total follows its units.
    let mut out = Vec::new();
    let mut agency: Option<CompletionRow> = None;
    for r in units.into_values() {
        if agency.as_ref().is_some_and(|a| a.agency_id != r.agency_id) {
            out.extend(agency.take());
        }
        let a = agency.get_or_insert_with(|| CompletionRow {
            level: "agency",
            agency_id: r.agency_id.clone(),
            agency_name: r.agency_name.clone(),
            ..Default::default()
        });
        a.add(&r);
        out.push(r);
    }
    out.extend(agency);
    Ok(out)
}

impl Tabular for CompletionRow {
    const NAME: &'static str = "kelengkapan-penilaian";
    fn headers() -> &'static [&'static str] {
        &[
            "tingkat",
            "kode_opd",
            "opd",
            "kode_unit",
            "unit_kerja",
            "pegawai",
            "dinilai",
            "diajukan",
            "direviu",
            "dikunci",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.level.into(),
            self.agency_id.clone(),
            self.agency_name.clone(),
            self.unit_id.clone(),
            self.unit_name.clone(),
            self.staff.to_string(),
            self.appraised.to_string(),
            self.submitted.to_string(),
            self.reviewed.to_string(),
            self.locked.to_string(),
        ]
    }
}
