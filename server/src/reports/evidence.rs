//! Predikat per employee with its evidence: SKP targets and realisations,
//! innovations, and what citizens said about the officer. The list reads
//! only the merged view; one appraisal's page also opens its document for
//! the full history (who changed what, when, from which device) and its
//! open conflicts.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId};
use prestasi_core::rules::skm::{Element, SkmTally};
use prestasi_core::rules::{Predikat, Rating};
use serde::Serialize;
use serde_json::{Value, json};

use super::table::{Tabular, opt, opt_dec};
use super::{Ctx, Params};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::{AppraisalFact, CommentRow, FeedbackSums};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/hr/reports/appraisals", get(list)).route("/v1/hr/appraisals/{id}", get(detail))
}

async fn list(State(s): State<AppState>, hr: HrAuth, Query(p): Query<Params>) -> Result<Response, AppError> {
    super::run(s, hr, p, compute).await
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub doc_id: String,
    pub period: String,
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub agency_name: String,
    pub appraiser_nip: String,
    pub status: AppraisalStatus,
    pub hasil_kerja: Option<Rating>,
    pub perilaku: Option<Rating>,
    pub predikat: Option<Predikat>,
    pub targets: u32,
    pub targets_above: u32,
    pub targets_below: u32,
    pub innovations: u32,
    /// Citizens' SKM answers naming this officer in the period.
    pub feedback_count: u64,
    /// Mean of all nine elements over those answers (1–4).
    pub feedback_average: Option<f64>,
    pub open_conflicts: u32,
}

/// Mean of every element score (1–4) in the sums.
pub fn overall_average(s: &FeedbackSums) -> Option<f64> {
    (s.respondents > 0).then(|| s.sums.iter().sum::<u64>() as f64 / (9 * s.respondents) as f64)
}

/// Citizens' answers per officer in `w`, for `officers`.
pub(crate) fn feedback_of_officers<'a>(
    ctx: &Ctx,
    w: crate::storage::Window,
    officers: impl ExactSizeIterator<Item = &'a str>,
) -> Result<HashMap<String, FeedbackSums>, AppError> {
    let officers: Vec<String> = officers.map(str::to_string).collect();
    let sums = ctx.storage.feedback_by_officer(&ctx.tenant, w, Some(&officers))?;
    Ok(sums.into_iter().map(|f| (f.key.clone(), f)).collect())
}

pub(crate) fn compute(ctx: &Ctx, p: &Params) -> Result<Vec<EvidenceRow>, AppError> {
    let period = p.period()?;
    let ((names, conflicts), (facts, feedback)) = super::both(
        || {
            let mut conflicts: HashMap<String, u32> = HashMap::new();
            for c in ctx.storage.conflicts(&ctx.tenant)? {
                *conflicts.entry(c.doc_id).or_default() += 1;
            }
            Ok((ctx.names()?, conflicts))
        },
        || {
            let mut facts =
                ctx.storage.appraisal_facts(&ctx.tenant, std::slice::from_ref(&period.code), p.unit.as_deref())?;
            facts.retain(|a| ctx.selected(p, &a.unit_id));
            let officers = facts.iter().map(|a| a.employee_nip.as_str());
            let feedback = feedback_of_officers(ctx, ctx.window(&period), officers)?;
            Ok((facts, feedback))
        },
    )?;
    Ok(facts
        .into_iter()
        .map(|a| {
            let fb = feedback.get(&a.employee_nip);
            EvidenceRow {
                name: names.get(&a.employee_nip).cloned().unwrap_or_default(),
                unit_name: ctx.unit_name(&a.unit_id),
                agency_name: ctx.agency_of(&a.unit_id).1,
                feedback_count: fb.map_or(0, |f| f.respondents),
                feedback_average: fb.and_then(overall_average),
                open_conflicts: conflicts.get(&a.doc_id).copied().unwrap_or(0),
                doc_id: a.doc_id,
                period: a.period,
                nip: a.employee_nip,
                unit_id: a.unit_id,
                appraiser_nip: a.appraiser_nip,
                status: a.status,
                hasil_kerja: a.hasil_kerja,
                perilaku: a.perilaku,
                predikat: a.predikat,
                targets: a.targets,
                targets_above: a.targets_above,
                targets_below: a.targets_below,
                innovations: a.innovations,
            }
        })
        .collect())
}

impl Tabular for EvidenceRow {
    const NAME: &'static str = "predikat-pegawai";
    fn headers() -> &'static [&'static str] {
        &[
            "periode",
            "nip",
            "nama",
            "unit_kerja",
            "opd",
            "nip_penilai",
            "status",
            "hasil_kerja",
            "perilaku",
            "predikat",
            "jumlah_target",
            "target_di_atas",
            "target_di_bawah",
            "inovasi",
            "jumlah_skm_petugas",
            "rata_rata_skm_petugas",
            "konflik_terbuka",
            "id_dokumen",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.period.clone(),
            self.nip.clone(),
            self.name.clone(),
            self.unit_name.clone(),
            self.agency_name.clone(),
            self.appraiser_nip.clone(),
            self.status.as_str().to_string(),
            opt(&self.hasil_kerja),
            opt(&self.perilaku),
            opt(&self.predikat),
            self.targets.to_string(),
            self.targets_above.to_string(),
            self.targets_below.to_string(),
            self.innovations.to_string(),
            self.feedback_count.to_string(),
            opt_dec(self.feedback_average),
            self.open_conflicts.to_string(),
            self.doc_id.clone(),
        ]
    }
}

/// Citizens' answers about one officer: count, mean per element, comments.
#[derive(Debug, Serialize)]
pub struct OfficerFeedback {
    pub count: u64,
    pub nrr: Vec<ElementMean>,
    pub average: Option<f64>,
    pub comments: Vec<CommentRow>,
}

#[derive(Debug, Serialize)]
pub struct ElementMean {
    pub element: &'static str,
    pub label: &'static str,
    pub mean: Option<f64>,
}

pub fn element_means(s: &FeedbackSums) -> Vec<ElementMean> {
    let tally = SkmTally::from_sums(s.sums, s.respondents);
    Element::ALL.iter().map(|&e| ElementMean { element: e.name(), label: e.label_id(), mean: tally.nrr(e) }).collect()
}

/// What citizens said about the appraised officer during the appraisal's
/// period (`None` when the period code does not parse).
pub(crate) fn officer_feedback(ctx: &Ctx, fact: &AppraisalFact) -> Result<Option<OfficerFeedback>, AppError> {
    let Ok(period) = prestasi_core::model::Period::parse(&fact.period) else { return Ok(None) };
    let w = ctx.window(&period);
    let nip = Some(fact.employee_nip.as_str());
    let sums = ctx
        .storage
        .feedback_by_officer(&ctx.tenant, w, Some(std::slice::from_ref(&fact.employee_nip)))?
        .pop()
        .unwrap_or_default();
    let comments = ctx.storage.feedback_comments(&ctx.tenant, w, None, nip, 50)?;
    Ok(Some(OfficerFeedback {
        count: sums.respondents,
        average: overall_average(&sums),
        nrr: element_means(&sums),
        comments,
    }))
}

/// The appraisal's stored document, for its content, history and
/// conflicts; `None` when there is no such appraisal.
pub(crate) fn appraisal_document(ctx: &Ctx, id: DocId) -> Result<Option<Document<Appraisal>>, AppError> {
    let Some(stored) = ctx.storage.document(&ctx.tenant, id)? else { return Ok(None) };
    Document::<Appraisal>::load(id, &stored.bytes)
        .map(Some)
        .map_err(|e| AppError::Internal(format!("stored {id}: {e}")))
}

async fn detail(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let id: DocId = id.parse().map_err(|_| AppError::bad_request("bad_id", "Id dokumen tidak sah."))?;
    let storage = s.storage.clone();
    let out = s
        .blocking(move || {
            let ctx = Ctx::load(storage, hr.tenant_id)?;
            let not_found = || AppError::NotFound { message: format!("Penilaian {id} tidak ditemukan.") };
            let fact = ctx.storage.appraisal_fact(&ctx.tenant, &id.to_string())?.ok_or_else(not_found)?;
            let mut doc = appraisal_document(&ctx, id)?.ok_or_else(not_found)?;
            let value = doc.value().map_err(|e| AppError::Internal(format!("stored {id}: {e}")))?;
            let feedback = officer_feedback(&ctx, &fact)?;
            let staff = ctx.storage.staff(&ctx.tenant)?;
            let name_of = |nip: &str| staff.iter().find(|e| e.nip == nip).map(|e| e.name.clone());
            Ok(json!({
                "appraisal": fact,
                "employee_name": name_of(&value.employee_nip.to_string()),
                "appraiser_name": name_of(&value.appraiser_nip.to_string()),
                "unit_name": ctx.unit_name(&value.unit_id),
                "value": value,
                "predikat": value.predikat(),
                "feedback": feedback,
                "history": crate::signatures::signed_history(ctx.storage.as_ref(), &ctx.tenant, &mut doc)?,
                "conflicts": doc.conflicts(),
            }))
        })
        .await?;
    Ok(Json(out))
}
