//! Rewards: the performance allowance (TPP) percentage per predikat from
//! the tenant's table, and public recognition — the top performers per
//! unit, with the reasons that put them there (`rules::recognise`).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::model::AppraisalStatus;
use prestasi_core::rules::{Predikat, RecognitionCandidate, recognise};
use serde::Serialize;

use super::evidence::{feedback_of_officers, overall_average};
use super::table::{Tabular, dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::AppraisalFact;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/reports/allowances", get(allowances))
        .route("/v1/hr/reports/recognition", get(recognition))
}

async fn allowances(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_allowances).await
}

async fn recognition(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_recognition).await
}

/// The period's appraisals past the draft stage that have a predikat.
fn decided(ctx: &Ctx, p: &Params) -> Result<Vec<(AppraisalFact, Predikat)>, AppError> {
    let period = p.period()?;
    let mut out = Vec::new();
    for a in ctx.storage.appraisal_facts(&ctx.tenant, &[period.code], p.unit.as_deref())? {
        if a.status == AppraisalStatus::Draft || !ctx.selected(p, &a.unit_id) {
            continue;
        }
        if let Some(pk) = a.predikat {
            out.push((a, pk));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct AllowanceRow {
    pub period: String,
    pub nip: String,
    pub name: String,
    pub unit_name: String,
    pub status: AppraisalStatus,
    pub predikat: Predikat,
    /// Percent of the employee's base TPP.
    pub percent: f64,
}

pub(crate) fn compute_allowances(ctx: &Ctx, p: &Params) -> Result<Vec<AllowanceRow>, AppError> {
    let (names, decided) = super::both(|| ctx.names(), || decided(ctx, p))?;
    Ok(decided
        .into_iter()
        .map(|(a, pk)| AllowanceRow {
            name: names.get(&a.employee_nip).cloned().unwrap_or_default(),
            unit_name: ctx.unit_name(&a.unit_id),
            percent: ctx.settings.allowance.percent(pk),
            predikat: pk,
            period: a.period,
            nip: a.employee_nip,
            status: a.status,
        })
        .collect())
}

impl Tabular for AllowanceRow {
    const NAME: &'static str = "tpp";
    fn headers() -> &'static [&'static str] {
        &["periode", "nip", "nama", "unit_kerja", "status", "predikat", "persen_tpp"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.period.clone(),
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.status.as_str().to_string(),
            self.predikat.label_id().to_string(),
            dec(self.percent),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecognitionRow {
    pub unit_id: String,
    pub unit_name: String,
    pub rank: u32,
    pub nip: String,
    pub name: String,
    pub reasons: Vec<String>,
}

pub(crate) fn compute_recognition(ctx: &Ctx, p: &Params) -> Result<Vec<RecognitionRow>, AppError> {
    let period = p.period()?;
    let (names, (decided, feedback)) = super::both(
        || ctx.names(),
        || {
            let decided = decided(ctx, p)?;
            let officers = decided.iter().map(|(a, _)| a.employee_nip.as_str());
            let feedback = feedback_of_officers(ctx, ctx.window(&period), officers)?;
            Ok((decided, feedback))
        },
    )?;
    let candidates: Vec<RecognitionCandidate> = decided
        .into_iter()
        .map(|(a, predikat)| {
            let fb = feedback.get(&a.employee_nip);
            RecognitionCandidate {
                predikat,
                targets_above: a.targets_above,
                targets_total: a.targets,
                innovations: a.innovations,
                feedback_count: fb.map_or(0, |f| f.respondents),
                feedback_average: fb.and_then(overall_average),
                nip: a.employee_nip,
                unit_id: a.unit_id,
            }
        })
        .collect();
    Ok(recognise(&ctx.settings.recognition, &candidates)
        .into_iter()
        .map(|r| RecognitionRow {
            unit_name: ctx.unit_name(&r.unit_id),
            name: names.get(&r.nip).cloned().unwrap_or_default(),
            unit_id: r.unit_id,
            rank: r.rank,
            nip: r.nip,
            reasons: r.reasons,
        })
        .collect())
}

impl Tabular for RecognitionRow {
    const NAME: &'static str = "penghargaan";
    fn headers() -> &'static [&'static str] {
        &["kode_unit", "unit_kerja", "peringkat", "nip", "nama", "alasan"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.unit_id.clone(),
            self.unit_name.clone(),
            self.rank.to_string(),
            self.nip.clone(),
            self.name.clone(),
            self.reasons.join("; "),
        ]
    }
}
