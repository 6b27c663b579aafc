//! Calibration across agencies: each unit's predikat distribution against
//! the distribution curve for the unit's own rating, and each appraiser's
//! scores against their agency's norm (`rules::calibration` states the
//! statistic).

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::rules::{Predikat, PredikatCounts, RaterFlag, UnitRating, check_distribution_with, rater_stats};
use serde::Serialize;

use super::table::{Tabular, dec, opt, opt_dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/reports/distribution", get(distribution))
        .route("/v1/hr/reports/appraisers", get(appraisers))
}

async fn distribution(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_distribution).await
}

async fn appraisers(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_appraisers).await
}

#[derive(Debug, Clone, Serialize)]
pub struct DistributionRow {
    pub agency_name: String,
    pub unit_id: String,
    pub unit_name: String,
    /// The unit's own rating for the period, as HR entered it.
    pub unit_rating: Option<UnitRating>,
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
    pub total: u64,
    /// Each broken limit of the curve, as the rule and the actual share.
    pub violations: Vec<String>,
}

/// Appraisals with a predikat, per unit.
fn counts_per_unit(ctx: &Ctx, p: &Params, period: &str) -> Result<BTreeMap<String, PredikatCounts>, AppError> {
    let mut units: BTreeMap<String, PredikatCounts> = BTreeMap::new();
    for a in ctx.storage.appraisal_facts(&ctx.tenant, &[period.to_string()], p.unit.as_deref())? {
        if let (true, Some(pk)) = (ctx.selected(p, &a.unit_id), a.predikat) {
            units.entry(a.unit_id).or_default().add(pk);
        }
    }
    Ok(units)
}

pub(crate) fn compute_distribution(ctx: &Ctx, p: &Params) -> Result<Vec<DistributionRow>, AppError> {
    let period = p.period()?;
    let ratings: HashMap<String, Option<String>> =
        ctx.storage.unit_periods(&ctx.tenant, &period.code)?.into_iter().map(|u| (u.unit_id, u.rating)).collect();
    let mut out = Vec::new();
    for (unit, counts) in counts_per_unit(ctx, p, &period.code)? {
        let rating: Option<UnitRating> = ratings.get(&unit).cloned().flatten().map(|r| r.parse()).transpose()?;
        let violations = rating
            .map(|r| check_distribution_with(&ctx.settings.curve, r, &counts))
            .unwrap_or_default()
            .iter()
            .map(|v| v.describe_id())
            .collect();
        out.push(DistributionRow {
            agency_name: ctx.agency_of(&unit).1,
            unit_name: ctx.unit_name(&unit),
            unit_rating: rating,
            sangat_baik: counts.get(Predikat::SangatBaik),
            baik: counts.get(Predikat::Baik),
            butuh_perbaikan: counts.get(Predikat::ButuhPerbaikan),
            kurang: counts.get(Predikat::Kurang),
            sangat_kurang: counts.get(Predikat::SangatKurang),
            total: counts.total(),
            violations,
            unit_id: unit,
        });
    }
    Ok(out)
}

impl Tabular for DistributionRow {
    const NAME: &'static str = "kurva-distribusi";
    fn headers() -> &'static [&'static str] {
        &[
            "opd",
            "kode_unit",
            "unit_kerja",
            "predikat_unit",
            "sangat_baik",
            "baik",
            "butuh_perbaikan",
            "kurang",
            "sangat_kurang",
            "jumlah",
            "pelanggaran",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.agency_name.clone(),
            self.unit_id.clone(),
            self.unit_name.clone(),
            self.unit_rating.map(|r| r.label_id().to_string()).unwrap_or_default(),
            self.sangat_baik.to_string(),
            self.baik.to_string(),
            self.butuh_perbaikan.to_string(),
            self.kurang.to_string(),
            self.sangat_kurang.to_string(),
            self.total.to_string(),
            self.violations.join(" | "),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppraiserRow {
    pub agency_id: String,
    pub agency_name: String,
    pub appraiser_nip: String,
    pub appraiser_name: String,
    pub appraisals: u32,
    /// Mean predikat score (Sangat Baik 5 … Sangat Kurang 1).
    pub mean: f64,
    pub agency_appraisals: u32,
    pub agency_mean: f64,
    pub agency_sd: f64,
    /// z of the appraiser's mean against the agency's; absent when too few
    /// appraisals or no spread.
    pub z: Option<f64>,
    pub flag: Option<RaterFlag>,
}

pub(crate) fn compute_appraisers(ctx: &Ctx, p: &Params) -> Result<Vec<AppraiserRow>, AppError> {
    let period = p.period()?;
    let names = ctx.names()?;
    // agency → (all predikats, appraiser → their predikats)
    type Scores = (Vec<Predikat>, BTreeMap<String, Vec<Predikat>>);
    let mut agencies: BTreeMap<String, Scores> = BTreeMap::new();
    for a in ctx.storage.appraisal_facts(&ctx.tenant, &[period.code], None)? {
        let Some(pk) = a.predikat else { continue };
        let (norm, raters) = agencies.entry(ctx.agency_of(&a.unit_id).0).or_default();
        norm.push(pk);
        if ctx.selected(p, &a.unit_id) {
            raters.entry(a.appraiser_nip).or_default().push(pk);
        }
    }
    let mut out = Vec::new();
    for (agency_id, (norm, raters)) in agencies {
        let agency_name = ctx.units.values().find(|u| u.agency_id == agency_id).map(|u| u.agency_name.clone());
        for (nip, scores) in raters {
            let Some(st) = rater_stats(&ctx.settings.raters, &scores, &norm) else { continue };
            out.push(AppraiserRow {
                agency_id: agency_id.clone(),
                agency_name: agency_name.clone().unwrap_or_default(),
                appraiser_name: names.get(&nip).cloned().unwrap_or_default(),
                appraiser_nip: nip,
                appraisals: st.appraisals,
                mean: st.mean,
                agency_appraisals: st.norm_appraisals,
                agency_mean: st.norm_mean,
                agency_sd: st.norm_sd,
                z: st.z,
                flag: st.flag,
            });
        }
    }
    if p.below {
        out.retain(|r| r.flag.is_some());
    }
    Ok(out)
}

impl Tabular for AppraiserRow {
    const NAME: &'static str = "sebaran-penilai";
    fn headers() -> &'static [&'static str] {
        &[
            "kode_opd",
            "opd",
            "nip_penilai",
            "nama_penilai",
            "jumlah_dinilai",
            "rata_rata",
            "jumlah_opd",
            "rata_rata_opd",
            "simpangan_baku_opd",
            "z",
            "tanda",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.agency_id.clone(),
            self.agency_name.clone(),
            self.appraiser_nip.clone(),
            self.appraiser_name.clone(),
            self.appraisals.to_string(),
            dec(self.mean),
            self.agency_appraisals.to_string(),
            dec(self.agency_mean),
            dec(self.agency_sd),
            opt_dec(self.z),
            opt(&self.flag.map(|f| f.label_id())),
        ]
    }
}
