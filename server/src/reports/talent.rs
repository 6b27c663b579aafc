//! Talent and promotion: 9-box placement (performance from the last two
//! years of predikat, potential entered by HR), the action for each box,
//! succession-group candidates, rank-promotion eligibility with the reason
//! for every unmet rule, and functional-position credit points per year.
//!
//! Only appraisals past the draft stage count: a draft's predikat is not
//! yet the appraiser's decision.

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Months, NaiveDate};
use prestasi_core::model::Period;
use prestasi_core::model::time::parse_date;
use prestasi_core::rules::{
    FunctionalLevel, Placement, Potential, Predikat, PromotionEligibility, PromotionInput, Sanction,
    annual_credit_points, box_actions, place, potential_axis, rank_promotion, succession_eligible,
};
use serde::Serialize;

use super::development::minutes_in_year;
use super::table::{Tabular, dec, opt, opt_dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::StaffRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/reports/talent", get(talent))
        .route("/v1/hr/reports/succession", get(succession))
        .route("/v1/hr/reports/promotion", get(promotion))
        .route("/v1/hr/reports/credits", get(credits))
}

async fn talent(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_talent).await
}
async fn succession(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_succession).await
}
async fn promotion(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_promotion).await
}
async fn credits(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_credits).await
}

/// Non-draft predikats per employee over the periods `keep` selects,
/// oldest period first.
fn predikats(ctx: &Ctx, keep: impl Fn(&Period) -> bool) -> Result<HashMap<String, Vec<Predikat>>, AppError> {
    let mut periods: Vec<String> =
        ctx.storage.periods(&ctx.tenant)?.into_iter().filter(|c| Period::parse(c).is_ok_and(|p| keep(&p))).collect();
    periods.sort();
    let mut out: HashMap<String, Vec<Predikat>> = HashMap::new();
    for period in &periods {
        for (nip, p) in decided(ctx, period)? {
            out.entry(nip).or_default().push(p);
        }
    }
    Ok(out)
}

/// (NIP, predikat) of the period's appraisals past the draft stage.
fn decided(ctx: &Ctx, period: &str) -> Result<Vec<(String, Predikat)>, AppError> {
    Ok(ctx
        .storage
        .predikats(&ctx.tenant, period)?
        .into_iter()
        .filter(|r| r.status != prestasi_core::model::AppraisalStatus::Draft)
        .map(|r| (r.employee_nip, r.predikat))
        .collect())
}

/// Predikats of the two calendar years ending with `year`.
fn two_years(ctx: &Ctx, year: i32) -> Result<HashMap<String, Vec<Predikat>>, AppError> {
    predikats(ctx, |p| p.year() == year || p.year() == year - 1)
}

/// The heaviest sanction decided in the two years ending with `year`.
fn sanctions(ctx: &Ctx, year: i32) -> Result<HashMap<String, Sanction>, AppError> {
    let mut out: HashMap<String, Sanction> = HashMap::new();
    for s in ctx.storage.sanctions(&ctx.tenant)? {
        let y: i32 = s.decided_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or_default();
        if y != year && y != year - 1 {
            continue;
        }
        let level: Sanction = s.level.parse()?;
        let e = out.entry(s.nip).or_insert(level);
        if Sanction::ALL.iter().position(|x| *x == level) > Sanction::ALL.iter().position(|x| x == e) {
            *e = level;
        }
    }
    Ok(out)
}

fn potentials(ctx: &Ctx) -> Result<HashMap<String, f64>, AppError> {
    Ok(ctx.storage.potentials(&ctx.tenant)?.into_iter().map(|p| (p.nip, p.score)).collect())
}

fn active<'a>(ctx: &'a Ctx, p: &'a Params, staff: &'a [StaffRow]) -> impl Iterator<Item = &'a StaffRow> {
    staff.iter().filter(|e| e.active && ctx.selected(p, &e.unit_id))
}

#[derive(Debug, Clone, Serialize)]
pub struct TalentRow {
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    /// Predikats counted (the last two years).
    pub predikats: Vec<Predikat>,
    pub potential_score: Option<f64>,
    pub performance: Option<prestasi_core::rules::Rating>,
    pub potential: Option<Potential>,
    /// 1–9, absent when excluded.
    pub box_number: Option<u8>,
    pub actions: Vec<&'static str>,
    /// Why there is no box.
    pub excluded: Option<String>,
}

pub(crate) fn compute_talent(ctx: &Ctx, p: &Params) -> Result<Vec<TalentRow>, AppError> {
    let year = p.year()?;
    let ((history, sanctions), (potentials, staff)) = super::both(
        || Ok((two_years(ctx, year)?, sanctions(ctx, year)?)),
        || Ok((potentials(ctx)?, ctx.storage.staff(&ctx.tenant)?)),
    )?;
    let mut out = Vec::new();
    for e in active(ctx, p, &staff) {
        let predikats = history.get(&e.nip).cloned().unwrap_or_default();
        let score = potentials.get(&e.nip).copied();
        let mut row = TalentRow {
            nip: e.nip.clone(),
            name: e.name.clone(),
            unit_id: e.unit_id.clone(),
            unit_name: ctx.unit_name(&e.unit_id),
            predikats,
            potential_score: score,
            performance: None,
            potential: None,
            box_number: None,
            actions: Vec::new(),
            excluded: None,
        };
        match score {
            None => row.excluded = Some("Potensi belum dinilai oleh BKPSDM.".into()),
            Some(score) => match place(&ctx.settings.talent, &row.predikats, score, sanctions.get(&e.nip).copied())? {
                Placement::Box { number, performance, potential } => {
                    row.box_number = Some(number);
                    row.performance = Some(performance);
                    row.potential = Some(potential);
                    row.actions = box_actions(number)?.iter().map(|a| a.label_id()).collect();
                }
                Placement::Excluded(why) => row.excluded = Some(why.describe_id()),
            },
        }
        out.push(row);
    }
    Ok(out)
}

impl Tabular for TalentRow {
    const NAME: &'static str = "talenta-9-kotak";
    fn headers() -> &'static [&'static str] {
        &[
            "nip",
            "nama",
            "unit_kerja",
            "predikat_2_tahun",
            "skor_potensi",
            "kinerja",
            "potensi",
            "kotak",
            "tindak_lanjut",
            "dikecualikan",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.predikats.iter().map(|p| p.label_id()).collect::<Vec<_>>().join("; "),
            opt_dec(self.potential_score),
            self.performance.map(|r| r.label_id().to_string()).unwrap_or_default(),
            opt(&self.potential),
            opt(&self.box_number),
            self.actions.join("; "),
            opt(&self.excluded),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SuccessionRow {
    pub nip: String,
    pub name: String,
    pub unit_name: String,
    pub box_number: u8,
    pub jp_minutes: u32,
    pub eligible: bool,
    /// Every unmet rule, in Bahasa Indonesia.
    pub reasons: Vec<String>,
}

/// Everyone in a box whose actions include the succession group, with the
/// group's rules checked. Competence fit is the HR-assessed potential at
/// least Menengah.
pub(crate) fn compute_succession(ctx: &Ctx, p: &Params) -> Result<Vec<SuccessionRow>, AppError> {
    let year = p.year()?;
    let minutes = minutes_in_year(ctx, year)?;
    let mut out = Vec::new();
    for t in compute_talent(ctx, p)? {
        let (Some(number), Some(score)) = (t.box_number, t.potential_score) else { continue };
        if !box_actions(number)?.contains(&prestasi_core::rules::Action::SuccessionGroup) {
            continue;
        }
        let fit = potential_axis(&ctx.settings.talent, score)? != Potential::Rendah;
        let jp = u32::try_from(minutes.get(&t.nip).copied().unwrap_or(0)).unwrap_or(u32::MAX);
        let blockers = succession_eligible(fit, jp, &t.predikats);
        out.push(SuccessionRow {
            eligible: blockers.is_empty(),
            reasons: blockers.iter().map(|b| b.describe_id()).collect(),
            nip: t.nip,
            name: t.name,
            unit_name: t.unit_name,
            box_number: number,
            jp_minutes: jp,
        });
    }
    Ok(out)
}

impl Tabular for SuccessionRow {
    const NAME: &'static str = "kelompok-suksesi";
    fn headers() -> &'static [&'static str] {
        &["nip", "nama", "unit_kerja", "kotak", "menit_pengembangan", "memenuhi_syarat", "alasan"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.box_number.to_string(),
            self.jp_minutes.to_string(),
            if self.eligible { "ya" } else { "tidak" }.into(),
            self.reasons.join("; "),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PromotionRow {
    pub nip: String,
    pub name: String,
    pub unit_name: String,
    pub rank: Option<String>,
    pub eligible: bool,
    pub target_rank: Option<String>,
    /// Every unmet rule (or missing data), in Bahasa Indonesia.
    pub reasons: Vec<String>,
}

pub(crate) fn compute_promotion(ctx: &Ctx, p: &Params) -> Result<Vec<PromotionRow>, AppError> {
    let as_of = p.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let since = as_of.checked_sub_months(Months::new(24)).unwrap_or(NaiveDate::MIN);
    let history = predikats(ctx, |per| per.end <= as_of && per.start > since)?;
    let staff = ctx.storage.staff(&ctx.tenant)?;
    let ranks: HashMap<&str, Option<&str>> = staff.iter().map(|e| (e.nip.as_str(), e.rank.as_deref())).collect();
    let mut out = Vec::new();
    for e in active(ctx, p, &staff) {
        let mut row = PromotionRow {
            nip: e.nip.clone(),
            name: e.name.clone(),
            unit_name: ctx.unit_name(&e.unit_id),
            rank: e.rank.clone(),
            eligible: false,
            target_rank: None,
            reasons: Vec::new(),
        };
        let (Some(rank), Some(since), Some(education)) = (&e.rank, &e.rank_since, &e.education) else {
            row.reasons.push("Data pangkat, TMT pangkat atau pendidikan belum lengkap.".into());
            if !p.below {
                out.push(row);
            }
            continue;
        };
        let superior_rank =
            e.superior_nip.as_deref().and_then(|s| ranks.get(s).copied().flatten()).map(str::parse).transpose()?;
        let input = PromotionInput {
            current_rank: rank.parse()?,
            rank_since: parse_date("rank_since", since)?,
            as_of,
            predikats_last_two_years: history.get(&e.nip).cloned().unwrap_or_default(),
            superior_rank,
            education: education.parse()?,
        };
        match rank_promotion(&input, &ctx.settings.promotion) {
            PromotionEligibility::Eligible { target } => {
                row.eligible = true;
                row.target_rank = Some(target.to_string());
            }
            PromotionEligibility::NotEligible { blockers } => {
                row.reasons = blockers.iter().map(|b| b.describe_id()).collect();
            }
        }
        if !p.below || row.eligible {
            out.push(row);
        }
    }
    Ok(out)
}

impl Tabular for PromotionRow {
    const NAME: &'static str = "kenaikan-pangkat";
    fn headers() -> &'static [&'static str] {
        &["nip", "nama", "unit_kerja", "pangkat", "memenuhi_syarat", "pangkat_tujuan", "alasan"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            opt(&self.rank),
            if self.eligible { "ya" } else { "tidak" }.into(),
            opt(&self.target_rank),
            self.reasons.join("; "),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditRow {
    pub nip: String,
    pub name: String,
    pub unit_name: String,
    pub level: FunctionalLevel,
    pub year: i32,
    /// The year's predikat: its annual appraisal (period `YYYY`) if there
    /// is one, else its latest period's.
    pub predikat: Option<Predikat>,
    pub period: Option<String>,
    pub credit_points: Option<f64>,
}

pub(crate) fn compute_credits(ctx: &Ctx, p: &Params) -> Result<Vec<CreditRow>, AppError> {
    let year = p.year()?;
    let mut periods: Vec<String> = ctx
        .storage
        .periods(&ctx.tenant)?
        .into_iter()
        .filter(|c| Period::parse(c).is_ok_and(|per| per.year() == year))
        .collect();
    periods.sort();
    let annual = year.to_string();
    let mut chosen: HashMap<String, (String, Predikat)> = HashMap::new();
    for period in &periods {
        for (nip, pk) in decided(ctx, period)? {
            let better = match chosen.get(&nip) {
                None => true,
                Some((prev, _)) => *prev != annual && (*period == annual || period > prev),
            };
            if better {
                chosen.insert(nip, (period.clone(), pk));
            }
        }
    }
    let staff = ctx.storage.staff(&ctx.tenant)?;
    let mut out = Vec::new();
    for e in active(ctx, p, &staff) {
        let Some(level) = e.functional_level.as_deref() else { continue };
        let level: FunctionalLevel = level.parse()?;
        let found = chosen.get(&e.nip);
        out.push(CreditRow {
            nip: e.nip.clone(),
            name: e.name.clone(),
            unit_name: ctx.unit_name(&e.unit_id),
            level,
            year,
            predikat: found.map(|f| f.1),
            period: found.map(|f| f.0.clone()),
            credit_points: found.map(|f| annual_credit_points(level, f.1, &ctx.settings.credit)),
        });
    }
    Ok(out)
}

impl Tabular for CreditRow {
    const NAME: &'static str = "angka-kredit";
    fn headers() -> &'static [&'static str] {
        &["nip", "nama", "unit_kerja", "jenjang", "tahun", "periode", "predikat", "angka_kredit"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.level.label_id().to_string(),
            self.year.to_string(),
            opt(&self.period),
            self.predikat.map(|p| p.label_id().to_string()).unwrap_or_default(),
            self.credit_points.map(dec).unwrap_or_default(),
        ]
    }
}
