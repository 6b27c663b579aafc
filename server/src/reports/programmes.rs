//! Training programmes BKPSDM schedules (workshop, seminar, course…) with
//! scarce seats: seats are offered first to those furthest below 20 JP,
//! then to the weakest in the value the programme builds
//! (`rules::allocate_seats`). Attendance is a training document with the
//! programme's id — recorded here by HR or offline on a tablet at the venue
//! (both name the same document, `DocId::for_attendance`) — and credits JP.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use prestasi_core::ValidationError;
use prestasi_core::model::{BehaviourValue, DocId, Training};
use prestasi_core::rules::{DevelopmentForm, Nip, SeatCandidate, SeatOffer, allocate_seats};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Ctx;
use super::development::{latest_in_year, minutes_in_year};
use super::table::{Format, Separator, csv_response};
use crate::auth::HrAuth;
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;
use crate::storage::{ProgrammeRow, SeatRow, Storage};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/hr/programmes", get(list).post(create))
        .route("/v1/hr/programmes/{id}", get(one))
        .route("/v1/hr/programmes/{id}/allocate", post(allocate))
        .route("/v1/hr/programmes/{id}/attendance", post(attend))
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewProgramme {
    pub id: String,
    pub title: String,
    pub form: String,
    #[serde(default)]
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Length in JP (45 minutes each).
    pub jp: f64,
    pub seats: u32,
    pub value: Option<String>,
    #[serde(default)]
    pub unit_ids: Vec<String>,
}

fn check(p: NewProgramme) -> Result<ProgrammeRow, AppError> {
    let form: DevelopmentForm = p.form.parse()?;
    if let Some(v) = &p.value {
        v.parse::<BehaviourValue>()?;
    }
    let id_ok = !p.id.is_empty() && p.id.len() <= 40 && p.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !id_ok {
        return Err(ValidationError::rule("id", "1–40 huruf, angka atau tanda hubung").into());
    }
    if p.title.trim().is_empty() || p.title.chars().count() > 300 {
        return Err(ValidationError::rule("title", "wajib diisi, paling banyak 300 karakter").into());
    }
    // Checked here as the attendance training document checks it, so a
    // programme HR can create is one whose attendance can be recorded.
    if p.provider.chars().count() > 300 {
        return Err(ValidationError::rule("provider", "paling banyak 300 karakter").into());
    }
    if p.end_date < p.start_date {
        return Err(ValidationError::rule("end_date", "berakhir sebelum dimulai").into());
    }
    if p.seats == 0 {
        return Err(ValidationError::out_of_range("seats", 0, 1, u32::MAX).into());
    }
    // 1 JP = 45 minutes = 0.75 hours.
    let minutes = Training::minutes_from_hours(p.jp * 0.75)?;
    if minutes == 0 {
        return Err(ValidationError::rule("jp", "harus lebih dari 0").into());
    }
    let row = ProgrammeRow {
        id: p.id,
        title: p.title,
        form: form.to_string(),
        provider: p.provider,
        start_date: p.start_date.to_string(),
        end_date: p.end_date.to_string(),
        minutes,
        seats: p.seats,
        value: p.value,
        unit_ids: p.unit_ids,
    };
    Ok(row)
}

/// The training record of `nip` attending `p`.
fn attendance(p: &ProgrammeRow, nip: Nip) -> Result<Training, AppError> {
    let date = |s: &str| s.parse::<NaiveDate>().map_err(|e| AppError::Internal(format!("stored date {s}: {e}")));
    Ok(Training {
        employee_nip: nip,
        form: p.form.parse()?,
        title: p.title.clone(),
        provider: p.provider.clone(),
        start: date(&p.start_date)?,
        end: date(&p.end_date)?,
        minutes: p.minutes,
        programme_id: Some(p.id.clone()),
    })
}

/// Check and store a new programme: the API's and the web page's one path.
pub(crate) fn create_programme(storage: &dyn Storage, tenant: &str, p: NewProgramme) -> Result<ProgrammeRow, AppError> {
    let row = check(p)?;
    storage.create_programme(tenant, &row)?;
    Ok(row)
}

async fn create(
    State(s): State<AppState>,
    hr: HrAuth,
    JsonBody(p): JsonBody<NewProgramme>,
) -> Result<Json<ProgrammeRow>, AppError> {
    let st = s.clone();
    s.blocking(move || Ok(Json(create_programme(st.storage.as_ref(), &hr.tenant_id, p)?))).await
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    format: Format,
    #[serde(default)]
    sep: Separator,
}

/// The programmes: JSON `{programmes}`, or with `format=csv` the list to
/// download.
async fn list(State(s): State<AppState>, hr: HrAuth, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let st = s.clone();
    let rows = s.blocking(move || Ok(st.storage.programmes(&hr.tenant_id)?)).await?;
    match q.format {
        Format::Json => Ok(Json(json!({ "programmes": rows })).into_response()),
        Format::Csv => csv_response(
            "program-pelatihan",
            &[
                "kode",
                "judul",
                "bentuk",
                "penyelenggara",
                "mulai",
                "selesai",
                "menit",
                "kursi",
                "nilai_terkait",
                "unit",
            ],
            rows.into_iter().map(|p| {
                vec![
                    p.id,
                    p.title,
                    p.form,
                    p.provider,
                    p.start_date,
                    p.end_date,
                    p.minutes.to_string(),
                    p.seats.to_string(),
                    p.value.unwrap_or_default(),
                    p.unit_ids.join(" "),
                ]
            }),
            q.sep,
        ),
    }
}

fn find(ctx: &Ctx, id: &str) -> Result<ProgrammeRow, AppError> {
    ctx.storage
        .programmes(&ctx.tenant)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::NotFound { message: format!("Program {id} tidak ditemukan.") })
}

/// A programme with its seat list and the NIPs of those who attended.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProgrammeDetail {
    pub programme: ProgrammeRow,
    pub seats: Vec<SeatRow>,
    pub attended: Vec<String>,
}

pub(crate) fn programme_detail(ctx: &Ctx, p: ProgrammeRow) -> Result<ProgrammeDetail, AppError> {
    let attended: Vec<String> = ctx
        .storage
        .trainings(&ctx.tenant, &p.end_date, &p.end_date)?
        .into_iter()
        .filter(|t| t.programme_id.as_deref() == Some(p.id.as_str()))
        .map(|t| t.employee_nip)
        .collect();
    let seats = ctx.storage.seats(&ctx.tenant, &p.id)?;
    Ok(ProgrammeDetail { programme: p, seats, attended })
}

/// The programme, its seat list and who attended.
async fn one(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<ProgrammeDetail>, AppError> {
    let storage = s.storage.clone();
    s.blocking(move || {
        let ctx = Ctx::load(storage, hr.tenant_id)?;
        Ok(Json(programme_detail(&ctx, find(&ctx, &id)?)?))
    })
    .await
}

/// Offer the seats: every active employee of the programme's units ranks
/// by JP shortfall in the programme's year, then by their latest rating in
/// the programme's value. Re-running replaces the list.
pub(crate) fn allocate_programme(ctx: &Ctx, id: &str) -> Result<(ProgrammeRow, Vec<SeatOffer>), AppError> {
    let p = find(ctx, id)?;
    let year: i32 = p.start_date.get(..4).and_then(|y| y.parse().ok()).unwrap_or_default();
    let value: Option<BehaviourValue> = p.value.as_deref().map(str::parse).transpose()?;
    let minutes = minutes_in_year(ctx, year)?;
    let latest = latest_in_year(ctx, year)?;
    let candidates: Vec<SeatCandidate> = ctx
        .storage
        .staff(&ctx.tenant)?
        .into_iter()
        .filter(|e| e.active && (p.unit_ids.is_empty() || p.unit_ids.contains(&e.unit_id)))
        .map(|e| SeatCandidate {
            related: value.and_then(|v| latest.get(&e.nip).and_then(|a| a.behaviour.get(&v).copied())),
            minutes_this_year: u32::try_from(minutes.get(&e.nip).copied().unwrap_or(0)).unwrap_or(u32::MAX),
            nip: e.nip,
        })
        .collect();
    let offers = allocate_seats(p.seats, &candidates);
    let seats: Vec<SeatRow> =
        offers.iter().map(|o| SeatRow { position: o.position, nip: o.nip.clone(), reason: o.reason.clone() }).collect();
    ctx.storage.set_seats(&ctx.tenant, id, &seats)?;
    Ok((p, offers))
}

async fn allocate(State(s): State<AppState>, hr: HrAuth, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let storage = s.storage.clone();
    s.blocking(move || {
        let ctx = Ctx::load(storage, hr.tenant_id)?;
        let (p, offers) = allocate_programme(&ctx, &id)?;
        Ok(Json(json!({ "programme": p, "seats": offers })))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct Attend {
    nip: String,
}

/// Record that `nip` attended programme `id`: creates the attendance
/// training document as the HR officer `officer`, which credits the
/// programme's JP.
pub(crate) fn record_attendance(
    s: &AppState,
    tenant: &str,
    officer: &str,
    id: &str,
    nip: &str,
) -> Result<(DocId, Training), AppError> {
    let nip: Nip = nip.trim().parse().map_err(|e: prestasi_core::rules::NipError| AppError::Unprocessable {
        code: "invalid",
        message: e.user_message(),
    })?;
    let ctx = Ctx::load(s.storage.clone(), tenant.to_string())?;
    let p = find(&ctx, id)?;
    let mut known = false;
    ctx.storage.read(&mut |l| {
        known = l.employee(&ctx.tenant, nip.as_str())?.is_some();
        Ok(())
    })?;
    if !known {
        return Err(AppError::NotFound { message: format!("Pegawai {nip} tidak ditemukan.") });
    }
    let training = attendance(&p, nip.clone())?;
    let doc = DocId::for_attendance(&p.id, &nip);
    crate::admin::record_as_hr(s.storage.as_ref(), &s.server, tenant, officer, doc, &training)?;
    Ok((doc, training))
}

async fn attend(
    State(s): State<AppState>,
    hr: HrAuth,
    Path(id): Path<String>,
    JsonBody(a): JsonBody<Attend>,
) -> Result<Json<Value>, AppError> {
    let st = s.clone();
    s.blocking(move || {
        let (doc, training) = record_attendance(&st, &hr.tenant_id, &hr.username, &id, &a.nip)?;
        Ok(Json(json!({ "doc_id": doc.to_string(), "training": training })))
    })
    .await
}
