//! `/hr/penilaian`: predikat per employee with its evidence, and one
//! appraisal's page — its content, what citizens said about the officer,
//! the full history, open conflicts to settle, and locking or reopening.
//! The forms go through the same code as the API
//! (`reports::actions`), so a refusal by the rules is the same refusal.

use crate::signatures::SignedEntry;
use crate::state::ServerIdentity;
use prestasi_core::signing::audit::Verdict;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use prestasi_core::doc::Conflict;
use prestasi_core::model::{Appraisal, AppraisalStatus, BehaviourValue, DeviceId, DocId, Role};
use prestasi_core::rules::{Predikat, Rating};
use serde::Deserialize;

use super::session::WebHr;
use super::{Filters, PageQuery, fail, label, local_time, num, show, submit};
use crate::error::AppError;
use crate::extract::Query;
use crate::reports::evidence::{self, EvidenceRow, OfficerFeedback};
use crate::reports::{Ctx, actions};
use crate::state::AppState;
use crate::storage::{AppraisalFact, InnovationRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/penilaian", get(list))
        .route("/hr/penilaian/{id}", get(detail))
        .route("/hr/penilaian/{id}/konflik", post(resolve))
        .route("/hr/penilaian/{id}/kunci", post(lock))
        .route("/hr/penilaian/{id}/buka", post(reopen))
}

/// Rows shown on one page; the CSV has them all.
const MAX_ROWS: usize = 500;

struct ListRow {
    e: EvidenceRow,
    status: &'static str,
    hasil: &'static str,
    perilaku: &'static str,
    predikat: &'static str,
    feedback_average: String,
}

#[derive(Template)]
#[template(path = "penilaian.html")]
struct ListPage {
    hr: WebHr,
    f: Filters,
    rows: Vec<ListRow>,
    total: usize,
    /// (predikat label, count), then those without a predikat yet.
    summary: Vec<(&'static str, usize)>,
}

async fn list(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| {
        let f = Filters::period(ctx, "/hr/penilaian", &q, true)?;
        let all = if f.has_data() { evidence::compute(ctx, &f.params())? } else { Vec::new() };
        let mut summary: Vec<(&'static str, usize)> = Predikat::ALL
            .iter()
            .map(|p| (p.label_id(), all.iter().filter(|r| r.predikat == Some(*p)).count()))
            .collect();
        summary.push(("Belum ada predikat", all.iter().filter(|r| r.predikat.is_none()).count()));
        let total = all.len();
        let rows = all
            .into_iter()
            .take(MAX_ROWS)
            .map(|e| ListRow {
                status: label::status(e.status),
                hasil: label::rating(e.hasil_kerja),
                perilaku: label::rating(e.perilaku),
                predikat: label::predikat(e.predikat),
                feedback_average: num(e.feedback_average),
                e,
            })
            .collect();
        Ok(ListPage { hr: user, f, rows, total, summary })
    })
    .await
}

// ---------------------------------------------------------------------------
// One appraisal

struct TargetView {
    indicator: String,
    target: String,
    realisation: String,
    main: bool,
    rating: &'static str,
}

struct BehaviourView {
    value: String,
    rating: &'static str,
    note: String,
}

struct DialogueView {
    date: String,
    author: String,
    text: String,
}

/// What the appraisal says, from its document.
#[derive(Default)]
struct Content {
    targets: Vec<TargetView>,
    behaviour: Vec<BehaviourView>,
    innovations: Vec<InnovationRow>,
    notes: String,
    dialogues: Vec<DialogueView>,
}

fn amount(v: f64, unit: &str) -> String {
    let n = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
    if unit.is_empty() { n } else { format!("{n} {unit}") }
}

fn behaviour_label(name: &str) -> String {
    name.parse::<BehaviourValue>().map_or_else(|_| name.to_string(), |v| v.label_id().to_string())
}

fn from_document(a: &Appraisal) -> Content {
    Content {
        targets: a
            .targets
            .iter()
            .map(|t| TargetView {
                indicator: t.indicator.clone(),
                target: amount(t.target, &t.unit),
                realisation: t.realisation.map_or_else(|| "–".into(), |r| amount(r, &t.unit)),
                main: t.main,
                rating: t.rating.map_or("–", Rating::label_id),
            })
            .collect(),
        behaviour: BehaviourValue::ALL
            .iter()
            .map(|v| BehaviourView {
                value: v.label_id().to_string(),
                rating: a.behaviour.get(v).map_or("–", |r| r.label_id()),
                note: a.behaviour_notes.get(v).cloned().unwrap_or_default(),
            })
            .collect(),
        innovations: a
            .innovations
            .iter()
            .map(|i| InnovationRow {
                item_id: i.id.clone(),
                what: i.what.clone(),
                date: i.date.to_string(),
                effect: i.effect.clone(),
            })
            .collect(),
        notes: a.notes.clone(),
        dialogues: a
            .dialogues
            .iter()
            .map(|d| DialogueView { date: d.date.to_string(), author: d.author_nip.clone(), text: d.text.clone() })
            .collect(),
    }
}

struct HistoryView {
    at: String,
    user: String,
    device: String,
    fields: Vec<String>,
    more: usize,
    /// "ditandatangani oleh … (terverifikasi)", or why not.
    signature: String,
    verified: bool,
}

struct ValueView {
    index: usize,
    value: String,
    user: String,
    device: String,
    at: String,
    shown: bool,
}

struct ConflictView {
    path: String,
    field: String,
    values: Vec<ValueView>,
}

/// Field changes listed per history entry; a document's first change
/// sets every field, the rest are counted.
const FIELDS_PER_CHANGE: usize = 12;

/// Names devices by their automerge actor: the server, or an enrolled
/// tablet or kiosk and the person it is enrolled for.
struct Devices(HashMap<String, String>);

impl Devices {
    fn load(ctx: &Ctx, server: &ServerIdentity) -> Result<Self, AppError> {
        let mut names = HashMap::from([(server.device.actor_hex(), "Server BKPSDM".to_string())]);
        for d in ctx.storage.devices(&ctx.tenant)? {
            let Ok(id) = d.id.parse::<DeviceId>() else { continue };
            let kind = match d.role {
                Role::Supervisor => "Tablet",
                Role::Kiosk => "Kios",
                Role::Hr | Role::Admin => "Perangkat BKPSDM",
            };
            let short: String = d.id.chars().take(8).collect();
            names.insert(id.actor_hex(), format!("{kind} {} ({short})", d.user_id));
        }
        Ok(Self(names))
    }

    fn name(&self, actor: &str) -> String {
        self.0.get(actor).cloned().unwrap_or_else(|| format!("Perangkat {}", actor.chars().take(8).collect::<String>()))
    }
}

/// A stored value as people read it: enum names become their labels.
fn shown_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => {
            if let Ok(r) = s.parse::<Rating>() {
                r.label_id().to_string()
            } else if let Ok(st) = AppraisalStatus::parse(s) {
                st.label_id().to_string()
            } else {
                s.clone()
            }
        }
        serde_json::Value::Null => "(kosong)".into(),
        other => other.to_string(),
    }
}

/// A document path (`targets/3f9c…/realisation`) as people read it.
fn field_label(path: &str, value: &Appraisal) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let field = |name: &str| match name {
        "hasil_kerja" => "Hasil kerja",
        "perilaku" => "Perilaku kerja",
        "status" => "Status",
        "notes" => "Catatan",
        "realisation" => "realisasi",
        "target" => "target",
        "rating" => "rating",
        "indicator" => "indikator",
        "unit" => "satuan",
        "main" => "utama",
        _ => "",
    };
    match parts.as_slice() {
        [one] if !field(one).is_empty() => field(one).to_string(),
        ["targets", id, rest @ ..] => {
            let name = value.targets.iter().find(|t| t.id == *id).map_or(*id, |t| t.indicator.as_str());
            let what = rest.first().map(|r| if field(r).is_empty() { *r } else { field(r) }).unwrap_or_default();
            format!("Target «{name}» {what}").trim_end().to_string()
        }
        ["behaviour", v] => format!("Perilaku {}", behaviour_label(v)),
        ["behaviour_notes", v] => format!("Catatan perilaku {}", behaviour_label(v)),
        _ => path.to_string(),
    }
}

/// What turns a document's devices, people and paths into words.
struct Names<'a> {
    devices: Devices,
    /// NIP → name: changes name the person by NIP on tablets.
    people: &'a HashMap<String, String>,
    value: &'a Appraisal,
    offset: i32,
}

impl Names<'_> {
    fn person(&self, user: Option<&str>) -> String {
        match user {
            None => "–".into(),
            Some(u) => self.people.get(u).map_or_else(|| u.to_string(), |n| format!("{n} ({u})")),
        }
    }

    fn time(&self, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
        at.map_or_else(String::new, |t| local_time(t.timestamp_millis(), self.offset))
    }
}

fn history_view(signed: SignedEntry, n: &Names<'_>) -> HistoryView {
    let h = signed.entry;
    let more = h.changes.len().saturating_sub(FIELDS_PER_CHANGE);
    HistoryView {
        signature: match &signed.signature {
            Verdict::Verified { person, by_server: false, .. } => {
                format!("ditandatangani oleh {} (terverifikasi)", n.person(Some(person)))
            }
            other => other.label_id(),
        },
        verified: signed.signature.is_verified(),
        at: n.time(h.at),
        user: n.person(h.user.as_deref()),
        device: n.devices.name(&h.device),
        fields: h
            .changes
            .iter()
            .take(FIELDS_PER_CHANGE)
            .map(|c| match &c.value {
                Some(v) => format!("{} = {}", field_label(&c.path, n.value), shown_value(v)),
                None => format!("{} dihapus", field_label(&c.path, n.value)),
            })
            .collect(),
        more,
    }
}

fn conflict_view(c: Conflict, n: &Names<'_>) -> ConflictView {
    ConflictView {
        field: field_label(&c.path, n.value),
        values: c
            .values
            .iter()
            .enumerate()
            .map(|(index, v)| ValueView {
                index,
                value: shown_value(&v.value),
                user: n.person(v.user.as_deref()),
                device: n.devices.name(&v.device),
                at: n.time(v.at),
                shown: v.shown,
            })
            .collect(),
        path: c.path,
    }
}

#[derive(Template)]
#[template(path = "penilaian_detail.html")]
struct DetailPage {
    hr: WebHr,
    id: String,
    fact: AppraisalFact,
    employee: String,
    appraiser: String,
    unit: String,
    status: &'static str,
    hasil: &'static str,
    perilaku: &'static str,
    predikat: &'static str,
    content: Content,
    feedback: Option<OfficerFeedback>,
    history: Vec<HistoryView>,
    conflicts: Vec<ConflictView>,
    reviewed: bool,
    locked: bool,
    flash: Option<&'static str>,
    error: Option<String>,
}

impl DetailPage {
    fn average(&self) -> String {
        num(self.feedback.as_ref().and_then(|f| f.average))
    }
}

fn flash(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "konflik" => Some("Konflik diselesaikan. Tablet menerima nilai yang dipilih pada sinkronisasi berikutnya."),
        "kunci" => Some("Penilaian dikunci."),
        "buka" => Some("Penilaian dibuka kembali sebagai draf untuk diperbaiki pejabat penilai."),
        _ => None,
    }
}

fn build_detail(
    ctx: &Ctx,
    server: &ServerIdentity,
    hr: WebHr,
    id: DocId,
    pesan: Option<&str>,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let fact = ctx
        .storage
        .appraisal_fact(&ctx.tenant, &id.to_string())?
        .ok_or_else(|| AppError::NotFound { message: format!("Penilaian {id} tidak ditemukan.") })?;
    let names = ctx.names()?;
    let name = |nip: &str| names.get(nip).map_or_else(|| nip.to_string(), |n| format!("{n} ({nip})"));
    let offset = ctx.settings.utc_offset_minutes;
    // Every merged row has its document: the page renders from it.
    let mut doc = evidence::appraisal_document(ctx, id)?
        .ok_or_else(|| AppError::Internal(format!("appraisal {id} has a merged row but no document")))?;
    let value = doc.value().map_err(|e| AppError::Internal(format!("stored {id}: {e}")))?;
    let n = Names { devices: Devices::load(ctx, server)?, people: &names, value: &value, offset };
    let signed = crate::signatures::signed_history(ctx.storage.as_ref(), &ctx.tenant, &mut doc)?;
    let history = signed.into_iter().rev().map(|h| history_view(h, &n)).collect();
    let conflicts = doc.conflicts().into_iter().map(|c| conflict_view(c, &n)).collect();
    let content = from_document(&value);
    Ok(DetailPage {
        hr,
        id: id.to_string(),
        employee: name(&fact.employee_nip),
        appraiser: name(&fact.appraiser_nip),
        unit: format!("{} ({})", ctx.unit_name(&fact.unit_id), ctx.agency_of(&fact.unit_id).1),
        status: label::status(fact.status),
        hasil: label::rating(fact.hasil_kerja),
        perilaku: label::rating(fact.perilaku),
        predikat: label::predikat(fact.predikat),
        content,
        feedback: evidence::officer_feedback(ctx, &fact)?,
        reviewed: fact.status == AppraisalStatus::Reviewed,
        locked: fact.status == AppraisalStatus::Locked,
        history,
        conflicts,
        flash: flash(pesan),
        error,
        fact,
    })
}

async fn detail(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Query(q): Query<PageQuery>) -> Response {
    let id = match actions::doc_id(&id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let (user, server) = (hr.clone(), s.server.clone());
    show(&s, &hr, move |ctx| build_detail(ctx, &server, user, id, q.pesan.as_deref(), None)).await
}

#[derive(Debug, Deserialize)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    pick: String,
}

/// Run one HR action on appraisal `id` from a form, through
/// `reports::actions`; back to the appraisal with a message, or the
/// appraisal again with the refusal.
async fn act<F>(s: AppState, hr: WebHr, id: String, form: ActionForm, done: &'static str, action: F) -> Response
where
    F: FnOnce(&AppState, &WebHr, DocId, &ActionForm) -> Result<Appraisal, AppError> + Send + 'static,
{
    let id = match actions::doc_id(&id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let (user, again_user, server) = (hr.clone(), hr.clone(), s.server.clone());
    let csrf = form.csrf.clone();
    submit(
        &s,
        &hr,
        &csrf,
        format!("/hr/penilaian/{id}?pesan={done}"),
        move |st| action(st, &user, id, &form).map(|_| ()),
        move |ctx, refused| build_detail(ctx, &server, again_user, id, None, Some(refused)),
    )
    .await
}

async fn resolve(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(s, hr, id, f, "konflik", |st, hr, id, f| {
        let refuse = |message: &str| AppError::Unprocessable { code: "invalid", message: message.into() };
        let pick: usize = f.pick.parse().map_err(|_| refuse("Pilih salah satu nilai."))?;
        actions::resolve_conflict(st.storage.as_ref(), &st.server, &hr.tenant_id, &hr.username, id, &f.path, pick)
    })
    .await
}

async fn lock(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(s, hr, id, f, "kunci", |st, hr, id, _| {
        let status = AppraisalStatus::Locked;
        actions::set_status(st.storage.as_ref(), &st.server, &hr.tenant_id, &hr.username, id, status)
    })
    .await
}

async fn reopen(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(s, hr, id, f, "buka", |st, hr, id, _| {
        let status = AppraisalStatus::Draft;
        actions::set_status(st.storage.as_ref(), &st.server, &hr.tenant_id, &hr.username, id, status)
    })
    .await
}
