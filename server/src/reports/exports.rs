//! Exports an admin needs outside Prestasi: appraisal results in the
//! columns to re-key into BKN e-Kinerja, and the employee import with its
//! row errors as CSV. (Every report is also a CSV with `format=csv`.)

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use prestasi_core::model::{AppraisalStatus, BehaviourValue};
use prestasi_core::rules::{Predikat, Rating};
use serde::Serialize;

use super::table::{Format, Separator, Tabular, opt};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{Query, RawBody};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/hr/exports/ekinerja", get(ekinerja)).route("/v1/hr/employees/import", post(import))
}

async fn ekinerja(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute).await
}

#[derive(Debug, Clone, Serialize)]
pub struct EkinerjaRow {
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit_name: String,
    pub agency_name: String,
    pub period: String,
    pub appraiser_nip: String,
    pub appraiser_name: String,
    pub reviewer_nip: Option<String>,
    pub hasil_kerja: Option<Rating>,
    pub perilaku: Option<Rating>,
    pub predikat: Option<Predikat>,
    /// The seven BerAKHLAK ratings, in their fixed order.
    pub behaviour: BTreeMap<BehaviourValue, Rating>,
    pub status: AppraisalStatus,
}

fn compute(ctx: &Ctx, p: &Params) -> Result<Vec<EkinerjaRow>, AppError> {
    let period = p.period()?;
    let (staff, facts) = super::both(
        || {
            let staff = ctx.storage.staff(&ctx.tenant)?.into_iter();
            Ok(staff.map(|e| (e.nip, (e.name, e.position_title))).collect::<HashMap<String, (String, String)>>())
        },
        || Ok(ctx.storage.appraisal_facts(&ctx.tenant, &[period.code], p.unit.as_deref())?),
    )?;
    let mut out = Vec::new();
    for a in facts {
        if !ctx.selected(p, &a.unit_id) {
            continue;
        }
        let (name, position) = staff.get(&a.employee_nip).cloned().unwrap_or_default();
        out.push(EkinerjaRow {
            name,
            position,
            unit_name: ctx.unit_name(&a.unit_id),
            agency_name: ctx.agency_of(&a.unit_id).1,
            appraiser_name: staff.get(&a.appraiser_nip).map(|s| s.0.clone()).unwrap_or_default(),
            hasil_kerja: a.hasil_kerja,
            perilaku: a.perilaku,
            predikat: a.predikat,
            behaviour: a.behaviour,
            nip: a.employee_nip,
            period: a.period,
            appraiser_nip: a.appraiser_nip,
            reviewer_nip: a.reviewer_nip,
            status: a.status,
        });
    }
    Ok(out)
}

impl Tabular for EkinerjaRow {
    const NAME: &'static str = "ekinerja";
    fn headers() -> &'static [&'static str] {
        &[
            "NIP",
            "NAMA",
            "JABATAN",
            "UNIT KERJA",
            "INSTANSI",
            "PERIODE",
            "NIP PEJABAT PENILAI",
            "NAMA PEJABAT PENILAI",
            "NIP ATASAN PEJABAT PENILAI",
            "RATING HASIL KERJA",
            "RATING PERILAKU KERJA",
            "PREDIKAT KINERJA",
            "BERORIENTASI PELAYANAN",
            "AKUNTABEL",
            "KOMPETEN",
            "HARMONIS",
            "LOYAL",
            "ADAPTIF",
            "KOLABORATIF",
            "STATUS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let label = |r: Option<Rating>| r.map(|r| r.label_id().to_string()).unwrap_or_default();
        let mut c = vec![
            self.nip.clone(),
            self.name.clone(),
            self.position.clone(),
            self.unit_name.clone(),
            self.agency_name.clone(),
            self.period.clone(),
            self.appraiser_nip.clone(),
            self.appraiser_name.clone(),
            opt(&self.reviewer_nip),
            label(self.hasil_kerja),
            label(self.perilaku),
            self.predikat.map(|p| p.label_id().to_string()).unwrap_or_default(),
        ];
        c.extend(BehaviourValue::ALL.iter().map(|v| label(self.behaviour.get(v).copied())));
        c.push(self.status.as_str().to_string());
        c
    }
}

#[derive(Debug, serde::Deserialize)]
struct ImportQuery {
    #[serde(default)]
    format: Format,
    #[serde(default)]
    sep: Separator,
}

/// Import a SIASN-style CSV (the body). JSON: counts and row errors;
/// `format=csv`: the row errors alone, as the CSV to fix and upload again.
async fn import(
    State(s): State<AppState>,
    hr: HrAuth,
    Query(q): Query<ImportQuery>,
    RawBody(body): RawBody,
) -> Result<Response, AppError> {
    let st = s.clone();
    let report = s
        .blocking(move || crate::admin::import_employees(st.storage.as_ref(), &st.server, &hr.tenant_id, body.as_ref()))
        .await?;
    Ok(match q.format {
        Format::Json => Json(report).into_response(),
        Format::Csv => (
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"kesalahan-impor.csv\""),
            ],
            crate::import::errors_csv_with(&report.errors, q.sep),
        )
            .into_response(),
    })
}
