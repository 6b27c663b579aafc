//! `/hr/kompetensi`: who is below the 20 JP a year with the training
//! recommended for them, BKPSDM's programmes (create one, offer its seats,
//! record attendance — through `reports::programmes`, the API's code), and
//! mentoring pairs.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use prestasi_core::ValidationError;
use prestasi_core::model::BehaviourValue;
use prestasi_core::rules::{DevelopmentForm, jp_from_minutes};
use serde::Deserialize;

use super::session::WebHr;
use super::{Filters, PageQuery, encode, num, show, submit};
use crate::error::AppError;
use crate::extract::Query;
use crate::reports::development::{DevelopmentRow, compute, compute_mentoring};
use crate::reports::programmes::{
    NewProgramme, allocate_programme, create_programme, programme_detail, record_attendance,
};
use crate::reports::{Ctx, Params};
use crate::state::AppState;
use crate::storage::{MentoringRow, UnitRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/kompetensi", get(page))
        .route("/hr/kompetensi/program", post(create))
        .route("/hr/kompetensi/program/{id}/kursi", post(allocate))
        .route("/hr/kompetensi/program/{id}/hadir", post(attend))
}

/// Employees below 20 JP listed on the page; the CSV has all.
const MAX_ROWS: usize = 500;

struct Below {
    r: DevelopmentRow,
    jp: String,
    shortfall: String,
}

struct Seat {
    position: u32,
    nip: String,
    name: String,
    reason: String,
    attended: bool,
}

struct Programme {
    id: String,
    title: String,
    form: String,
    provider: String,
    dates: String,
    jp: String,
    seats: u32,
    value: String,
    units: String,
    offered: Vec<Seat>,
    attended: usize,
}

struct Pair {
    m: MentoringRow,
    mentor: String,
    mentee: String,
    unit: String,
}

/// The programme form as typed: shown again when refused.
#[derive(Debug, Clone, Default, Deserialize)]
struct ProgrammeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    jp: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    /// The page's year, to come back to.
    #[serde(default)]
    year: String,
}

#[derive(Template)]
#[template(path = "kompetensi.html")]
struct Page {
    hr: WebHr,
    f: Filters,
    below: Vec<Below>,
    total_below: usize,
    staff: usize,
    programmes: Vec<Programme>,
    pairs: Vec<Pair>,
    forms: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, &'static str)>,
    all_units: Vec<UnitRow>,
    draft: ProgrammeForm,
    flash: Option<&'static str>,
    error: Option<String>,
}

fn flash(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "program" => Some("Program disimpan."),
        "kursi" => Some("Kursi dibagikan: yang paling jauh di bawah 20 JP lebih dulu."),
        "hadir" => Some("Kehadiran dicatat; JP program dihitung untuk pegawai itu."),
        _ => None,
    }
}

fn build(ctx: &Ctx, hr: WebHr, q: &PageQuery, draft: ProgrammeForm, error: Option<String>) -> Result<Page, AppError> {
    let f = Filters::year(ctx, "/hr/kompetensi", q, true)?;
    let everyone = compute(ctx, &f.params())?;
    let staff = everyone.len();
    let below: Vec<DevelopmentRow> = everyone.into_iter().filter(|r| !r.meets).collect();
    let total_below = below.len();
    let names = ctx.names()?;
    let name = |nip: &str| names.get(nip).cloned().unwrap_or_default();
    let mut programmes = Vec::new();
    let mut rows = ctx.storage.programmes(&ctx.tenant)?;
    rows.sort_by(|a, b| b.start_date.cmp(&a.start_date));
    for p in rows {
        let d = programme_detail(ctx, p)?;
        let p = d.programme;
        programmes.push(Programme {
            form: p.form.parse::<DevelopmentForm>().map_or_else(|_| p.form.clone(), |f| f.label_id().to_string()),
            dates: if p.start_date == p.end_date {
                p.start_date.clone()
            } else {
                format!("{} s.d. {}", p.start_date, p.end_date)
            },
            jp: num(Some(jp_from_minutes(p.minutes))),
            value: p
                .value
                .as_deref()
                .and_then(|v| v.parse::<BehaviourValue>().ok())
                .map_or_else(String::new, |v| v.label_id().to_string()),
            units: if p.unit_ids.is_empty() {
                "Semua unit".into()
            } else {
                p.unit_ids.iter().map(|u| ctx.unit_name(u)).collect::<Vec<_>>().join(", ")
            },
            offered: d
                .seats
                .into_iter()
                .map(|s| Seat {
                    position: s.position,
                    name: name(&s.nip),
                    attended: d.attended.contains(&s.nip),
                    nip: s.nip,
                    reason: s.reason,
                })
                .collect(),
            attended: d.attended.len(),
            id: p.id,
            title: p.title,
            provider: p.provider,
            seats: p.seats,
        });
    }
    let pairs =
        compute_mentoring(ctx, &Params { unit: f.params().unit, agency: f.params().agency, ..Params::default() })?
            .into_iter()
            .map(|m| Pair {
                mentor: name(&m.mentor_nip),
                mentee: name(&m.mentee_nip),
                unit: ctx.unit_name(&m.unit_id),
                m,
            })
            .collect();
    let mut all_units = f.units.clone();
    all_units.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Page {
        hr,
        below: below
            .into_iter()
            .take(MAX_ROWS)
            .map(|r| Below { jp: num(Some(r.jp)), shortfall: num(Some(r.shortfall_jp)), r })
            .collect(),
        total_below,
        staff,
        programmes,
        pairs,
        forms: DevelopmentForm::ALL.iter().map(|f| (f.name(), f.label_id())).collect(),
        values: BehaviourValue::ALL.iter().map(|v| (v.key(), v.label_id())).collect(),
        all_units,
        draft,
        flash: flash(q.pesan.as_deref()),
        error,
        f,
    })
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| build(ctx, user, &q, ProgrammeForm::default(), None)).await
}

fn date(field: &str, v: &str) -> Result<NaiveDate, AppError> {
    v.trim().parse().map_err(|_| ValidationError::rule(field, "tanggal tidak valid (TTTT-BB-HH)").into())
}

/// The typed form as the API's programme.
fn programme(f: &ProgrammeForm) -> Result<NewProgramme, AppError> {
    let jp: f64 =
        f.jp.trim().replace(',', ".").parse().map_err(|_| ValidationError::rule("jp", "isi dengan angka, mis. 16"))?;
    let seats: u32 = f.seats.trim().parse().map_err(|_| ValidationError::rule("seats", "isi dengan bilangan bulat"))?;
    Ok(NewProgramme {
        id: f.id.trim().to_string(),
        title: f.title.trim().to_string(),
        form: f.form.clone(),
        provider: f.provider.trim().to_string(),
        start_date: date("start_date", &f.start_date)?,
        end_date: date("end_date", &f.end_date)?,
        jp,
        seats,
        value: Some(f.value.clone()).filter(|v| !v.is_empty()),
        unit_ids: Some(f.unit.clone()).filter(|u| !u.is_empty()).into_iter().collect(),
    })
}

/// Where a form of the page sends the browser afterwards.
fn back(year: &str, pesan: &str, anchor: &str) -> String {
    let year = if year.is_empty() { String::new() } else { format!("year={}&", encode(year)) };
    format!("/hr/kompetensi?{year}pesan={pesan}{anchor}")
}

fn year_query(year: &str) -> PageQuery {
    PageQuery { year: Some(year.to_string()), ..PageQuery::default() }
}

async fn create(State(s): State<AppState>, hr: WebHr, Form(f): Form<ProgrammeForm>) -> Response {
    let (user, tenant) = (hr.clone(), hr.tenant_id.clone());
    let (done, q, csrf) = (back(&f.year, "program", "#program"), year_query(&f.year), f.csrf.clone());
    let draft = f.clone();
    submit(
        &s,
        &hr,
        &csrf,
        done,
        move |st| create_programme(st.storage.as_ref(), &tenant, programme(&f)?).map(|_| ()),
        move |ctx, refused| build(ctx, user, &q, draft, Some(refused)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct SeatForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nip: String,
    #[serde(default)]
    year: String,
}

async fn allocate(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<SeatForm>) -> Response {
    let (user, tenant) = (hr.clone(), hr.tenant_id.clone());
    let (done, q) = (back(&f.year, "kursi", &format!("#program-{}", encode(&id))), year_query(&f.year));
    submit(
        &s,
        &hr,
        &f.csrf,
        done,
        move |st| allocate_programme(&Ctx::load(st.storage.clone(), tenant)?, &id).map(|_| ()),
        move |ctx, refused| build(ctx, user, &q, ProgrammeForm::default(), Some(refused)),
    )
    .await
}

async fn attend(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<SeatForm>) -> Response {
    let (user, officer) = (hr.clone(), hr.clone());
    let (done, q) = (back(&f.year, "hadir", &format!("#program-{}", encode(&id))), year_query(&f.year));
    let nip = f.nip.clone();
    submit(
        &s,
        &hr,
        &f.csrf,
        done,
        move |st| record_attendance(st, &officer.tenant_id, &officer.username, &id, &nip).map(|_| ()),
        move |ctx, refused| build(ctx, user, &q, ProgrammeForm::default(), Some(refused)),
    )
    .await
}
