//! Competency development: JP per employee per year against the 20 JP
//! right, who is below it, training recommended from weak behaviour values
//! or targets (the tenant's `RecommendationMap`), and mentoring pairs.

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::model::Period;
use prestasi_core::rules::{
    REQUIRED_JP_PER_YEAR, Rating, jp_from_minutes, jp_shortfall_minutes, meets_yearly_jp, recommend,
};
use serde::Serialize;

use super::table::{Tabular, dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::MentoringRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/reports/development", get(development))
        .route("/v1/hr/reports/mentoring", get(mentoring))
}

async fn development(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute).await
}

async fn mentoring(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_mentoring).await
}

#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentRow {
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub year: i32,
    pub minutes: u64,
    pub jp: f64,
    pub required_jp: u32,
    pub shortfall_jp: f64,
    pub meets: bool,
    /// From the employee's latest appraisal of the year.
    pub recommendations: Vec<prestasi_core::rules::Recommendation>,
}

/// Minutes of development per employee in `year` (trainings ending in it).
pub fn minutes_in_year(ctx: &Ctx, year: i32) -> Result<HashMap<String, u64>, AppError> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    Ok(ctx.storage.training_minutes(&ctx.tenant, &from, &to)?.into_iter().collect())
}

/// What an employee's latest appraisal of a year says about weaknesses.
pub type Latest = crate::storage::RatingsRow;

/// Anything rated below expectations.
pub fn has_weakness(a: &Latest) -> bool {
    !a.weak_targets.is_empty() || a.behaviour.values().any(|r| *r == Rating::DiBawahEkspektasi)
}

/// Each employee's latest appraisal among the periods of `year` (the
/// periods newest first; the first seen wins).
pub fn latest_in_year(ctx: &Ctx, year: i32) -> Result<HashMap<String, Latest>, AppError> {
    let mut periods: Vec<String> = ctx
        .storage
        .periods(&ctx.tenant)?
        .into_iter()
        .filter(|c| Period::parse(c).is_ok_and(|p| p.year() == year))
        .collect();
    periods.sort_by(|a, b| b.cmp(a));
    let mut latest: HashMap<String, Latest> = HashMap::new();
    for rows in super::each(&periods, |period| Ok(ctx.storage.appraisal_ratings(&ctx.tenant, period)?))? {
        for r in rows {
            latest.entry(r.employee_nip.clone()).or_insert(r);
        }
    }
    Ok(latest)
}

pub(crate) fn compute(ctx: &Ctx, p: &Params) -> Result<Vec<DevelopmentRow>, AppError> {
    let year = p.year()?;
    let ((minutes, staff), latest) = super::both(
        || Ok((minutes_in_year(ctx, year)?, ctx.storage.staff(&ctx.tenant)?)),
        || latest_in_year(ctx, year),
    )?;
    let mut out = Vec::new();
    for e in staff {
        if !e.active || !ctx.selected(p, &e.unit_id) {
            continue;
        }
        let done = minutes.get(&e.nip).copied().unwrap_or(0);
        let done32 = u32::try_from(done).unwrap_or(u32::MAX);
        if p.below && meets_yearly_jp(done32) {
            continue;
        }
        // Only an appraisal with something below expectations can yield a
        // recommendation.
        let recommendations = match latest.get(&e.nip).filter(|a| has_weakness(a)) {
            Some(a) => {
                let targets: Vec<(&str, Option<Rating>)> =
                    a.weak_targets.iter().map(|i| (i.as_str(), Some(Rating::DiBawahEkspektasi))).collect();
                recommend(&ctx.settings.recommendations, &a.behaviour, &targets)
            }
            None => Vec::new(),
        };
        out.push(DevelopmentRow {
            unit_name: ctx.unit_name(&e.unit_id),
            year,
            minutes: done,
            jp: jp_from_minutes(done32),
            required_jp: REQUIRED_JP_PER_YEAR,
            shortfall_jp: jp_from_minutes(jp_shortfall_minutes(done32)),
            meets: meets_yearly_jp(done32),
            recommendations,
            nip: e.nip,
            name: e.name,
            unit_id: e.unit_id,
        });
    }
    Ok(out)
}

impl Tabular for DevelopmentRow {
    const NAME: &'static str = "pengembangan-kompetensi";
    fn headers() -> &'static [&'static str] {
        &["nip", "nama", "unit_kerja", "tahun", "menit", "jp", "wajib_jp", "kurang_jp", "memenuhi", "rekomendasi"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.year.to_string(),
            self.minutes.to_string(),
            dec(self.jp),
            self.required_jp.to_string(),
            dec(self.shortfall_jp),
            if self.meets { "ya" } else { "tidak" }.into(),
            self.recommendations
                .iter()
                .map(|r| format!("{} ({})", r.training, r.reason))
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}

pub(crate) fn compute_mentoring(ctx: &Ctx, p: &Params) -> Result<Vec<MentoringRow>, AppError> {
    Ok(ctx.storage.mentoring(&ctx.tenant)?.into_iter().filter(|m| ctx.selected(p, &m.unit_id)).collect())
}

impl Tabular for MentoringRow {
    const NAME: &'static str = "mentoring";
    fn headers() -> &'static [&'static str] {
        &["kode_unit", "nip_mentor", "nip_mentee", "mulai", "aktif", "jumlah_sesi", "jumlah_menit", "id_dokumen"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.unit_id.clone(),
            self.mentor_nip.clone(),
            self.mentee_nip.clone(),
            self.start_date.clone(),
            if self.active { "ya" } else { "tidak" }.into(),
            self.sessions.to_string(),
            self.minutes.to_string(),
            self.doc_id.clone(),
        ]
    }
}
