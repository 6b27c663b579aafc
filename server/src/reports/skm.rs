//! Citizen feedback (SKM, PermenPANRB 14/2017) per unit and service and
//! period: respondents against the Krejcie–Morgan minimum for the
//! population the unit served, NRR per element, IKM, unit IKM and mutu,
//! minutes waited and their monthly trend, and the comments.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Months;
use prestasi_core::model::Period;
use prestasi_core::rules::{Element, Mutu, SkmTally, is_valid_sample, min_respondents};
use serde::Serialize;

use super::table::{Tabular, dec, opt, opt_dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::{CommentRow, FeedbackSums};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/reports/skm", get(skm))
        .route("/v1/hr/reports/skm/waiting", get(waiting))
        .route("/v1/hr/reports/skm/comments", get(comments))
}

async fn skm(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute).await
}

async fn waiting(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_waiting).await
}

async fn comments(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute_comments).await
}

#[derive(Debug, Clone, Serialize)]
pub struct SkmRow {
    /// `unit` (every service together: the unit's index) or `service`.
    pub level: &'static str,
    pub agency_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub service: String,
    pub respondents: u64,
    /// Population served in the period, as HR entered it (unit rows).
    pub population: Option<u64>,
    /// Krejcie–Morgan minimum for that population.
    pub min_respondents: Option<u64>,
    /// Unit rows: false while respondents are too few (or no population
    /// was entered); the index is then not yet valid.
    pub valid: Option<bool>,
    /// NRR per element, U1…U9.
    pub nrr: Vec<f64>,
    pub ikm: Option<f64>,
    pub unit_ikm: Option<f64>,
    pub mutu: Option<Mutu>,
    pub kinerja: Option<&'static str>,
    pub average_minutes_waited: Option<f64>,
}

fn row(ctx: &Ctx, level: &'static str, unit: &str, service: &str, s: &FeedbackSums) -> SkmRow {
    let tally = SkmTally::from_sums(s.sums, s.respondents);
    SkmRow {
        level,
        agency_name: ctx.agency_of(unit).1,
        unit_id: unit.to_string(),
        unit_name: ctx.unit_name(unit),
        service: service.to_string(),
        respondents: s.respondents,
        population: None,
        min_respondents: None,
        valid: None,
        nrr: Element::ALL.iter().filter_map(|&e| tally.nrr(e)).collect(),
        ikm: tally.ikm(),
        unit_ikm: tally.unit_ikm(),
        mutu: tally.mutu(),
        kinerja: tally.mutu().map(Mutu::kinerja_label),
        average_minutes_waited: (s.respondents > 0).then(|| s.minutes_waited as f64 / s.respondents as f64),
    }
}

pub(crate) fn compute(ctx: &Ctx, p: &Params) -> Result<Vec<SkmRow>, AppError> {
    let period = p.period()?;
    let population: HashMap<String, Option<u64>> =
        ctx.storage.unit_periods(&ctx.tenant, &period.code)?.into_iter().map(|u| (u.unit_id, u.population)).collect();
    let mut units: BTreeMap<String, (FeedbackSums, Vec<FeedbackSums>)> = BTreeMap::new();
    for s in ctx.storage.feedback_by_service(&ctx.tenant, ctx.window(&period))? {
        if !ctx.selected(p, &s.key) {
            continue;
        }
        let (total, services) = units.entry(s.key.clone()).or_default();
        total.respondents += s.respondents;
        total.minutes_waited += s.minutes_waited;
        for (t, x) in total.sums.iter_mut().zip(s.sums) {
            *t += x;
        }
        services.push(s);
    }
    let mut out = Vec::new();
    for (unit, (total, services)) in units {
        let mut r = row(ctx, "unit", &unit, "", &total);
        r.population = population.get(&unit).copied().flatten();
        r.min_respondents = r.population.map(min_respondents);
        r.valid = Some(r.population.is_some_and(|n| is_valid_sample(total.respondents, n)));
        out.push(r);
        out.extend(services.iter().map(|s| row(ctx, "service", &unit, &s.service, s)));
    }
    Ok(out)
}

impl Tabular for SkmRow {
    const NAME: &'static str = "skm";
    fn headers() -> &'static [&'static str] {
        &[
            "tingkat",
            "opd",
            "kode_unit",
            "unit_kerja",
            "layanan",
            "responden",
            "populasi",
            "minimal_responden",
            "sah",
            "nrr_u1",
            "nrr_u2",
            "nrr_u3",
            "nrr_u4",
            "nrr_u5",
            "nrr_u6",
            "nrr_u7",
            "nrr_u8",
            "nrr_u9",
            "ikm",
            "ikm_unit",
            "mutu",
            "kinerja",
            "rata_rata_menit_tunggu",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.level.into(),
            self.agency_name.clone(),
            self.unit_id.clone(),
            self.unit_name.clone(),
            self.service.clone(),
            self.respondents.to_string(),
            opt(&self.population),
            opt(&self.min_respondents),
            self.valid.map(|v| if v { "ya" } else { "belum" }.to_string()).unwrap_or_default(),
        ];
        c.extend((0..9).map(|i| self.nrr.get(i).map(|&v| format!("{v:.3}")).unwrap_or_default()));
        c.extend([
            self.ikm.map(|v| format!("{v:.4}")).unwrap_or_default(),
            opt_dec(self.unit_ikm),
            opt(&self.mutu),
            self.kinerja.unwrap_or_default().to_string(),
            opt_dec(self.average_minutes_waited),
        ]);
        c
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WaitingRow {
    pub unit_id: String,
    pub unit_name: String,
    /// `YYYY-MM`, local time.
    pub month: String,
    pub respondents: u64,
    pub average_minutes: f64,
}

/// Minutes waited per unit and month over the twelve months ending with
/// the period: its trend.
pub(crate) fn compute_waiting(ctx: &Ctx, p: &Params) -> Result<Vec<WaitingRow>, AppError> {
    let period = p.period()?;
    let year_back = period.end.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(period.start);
    let span = Period { code: period.code.clone(), start: year_back.min(period.start), end: period.end };
    Ok(ctx
        .storage
        .waiting_by_month(&ctx.tenant, ctx.window(&span), ctx.settings.utc_offset_minutes)?
        .into_iter()
        .filter(|w| ctx.selected(p, &w.unit_id) && w.respondents > 0)
        .map(|w| WaitingRow {
            unit_name: ctx.unit_name(&w.unit_id),
            average_minutes: w.minutes_waited as f64 / w.respondents as f64,
            unit_id: w.unit_id,
            month: w.month,
            respondents: w.respondents,
        })
        .collect())
}

impl Tabular for WaitingRow {
    const NAME: &'static str = "waktu-tunggu";
    fn headers() -> &'static [&'static str] {
        &["kode_unit", "unit_kerja", "bulan", "responden", "rata_rata_menit_tunggu"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.unit_id.clone(),
            self.unit_name.clone(),
            self.month.clone(),
            self.respondents.to_string(),
            dec(self.average_minutes),
        ]
    }
}

/// The newest 200 comments of the period (of one unit with `unit`).
pub(crate) fn compute_comments(ctx: &Ctx, p: &Params) -> Result<Vec<CommentRow>, AppError> {
    let period = p.period()?;
    let rows = ctx.storage.feedback_comments(&ctx.tenant, ctx.window(&period), p.unit.as_deref(), None, 200)?;
    Ok(rows.into_iter().filter(|c| ctx.selected(p, &c.unit_id)).collect())
}

impl Tabular for CommentRow {
    const NAME: &'static str = "komentar-skm";
    fn headers() -> &'static [&'static str] {
        &["kode_unit", "layanan", "nip_petugas", "komentar", "diterima_ms"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.unit_id.clone(),
            self.service.clone(),
            opt(&self.officer_nip),
            self.comment.clone(),
            self.received_at.to_string(),
        ]
    }
}
