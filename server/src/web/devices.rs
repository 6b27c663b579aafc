//! `/hr/perangkat`: HR enrols supervisors' tablets and feedback kiosks and
//! revokes devices; `/hr/unit/{unit}/qr` prints a unit's citizen feedback
//! QR code for its service counter.
//!
//! An enrollment code is shown once, large and as a QR code holding
//! `prestasi://enroll?server=<origin>&code=<code>` — `<origin>` is the
//! server's public URL (`serve --public-url`, see [`crate::public_url`]),
//! never the request's `Host` header. Neither part needs percent-encoding:
//! the public URL holds only host characters and codes are `A–Z`, `2–9`
//! and dashes. The tablet app scans it, or the
//! person types the code.
//!
//! "Tanda tangan pegawai": HR issues a one-time person code that binds an
//! employee's signing key on a tablet, lists the tenant's signing keys and
//! revokes all keys of a person (see [`crate::people`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use prestasi_core::model::Role;
use prestasi_core::rules::nip::Nip;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::citizen::form_path;
use super::render;
use super::session::WebHr;
use crate::admin;
use crate::error::AppError;
use crate::extract::Query;
use crate::people;
use crate::state::AppState;
use crate::storage::{DeviceRow, SignerRow, Storage, UnitRow};

/// At most this many signing keys are listed, the newest.
const MAX_KEYS: usize = 500;
/// The longest reason for revoking a person's keys.
const MAX_REASON_CHARS: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/perangkat", get(page).post(enroll))
        .route("/hr/perangkat/{id}/cabut", post(revoke))
        .route("/hr/perangkat/kode-pegawai", post(issue_person_code))
        .route("/hr/perangkat/pegawai/{nip}/cabut-kunci", post(revoke_keys))
        .route("/hr/unit/{unit}/qr", get(unit_qr))
}

fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `data` as an inline SVG QR code, described by `label` for screen readers.
pub fn qr_svg(data: &str, label: &str) -> Result<String, AppError> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let image = code.render::<svg::Color<'_>>().min_dimensions(256, 256).quiet_zone(true).build();
    let body = image.split_once("?>").map_or(image.as_str(), |(_, svg)| svg);
    Ok(body.replacen("<svg ", &format!(r#"<svg role="img" aria-label="{}" class="qr" "#, attr(label)), 1))
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Supervisor => "Atasan (tablet unit)",
        Role::Kiosk => "Kios umpan balik",
        Role::Hr => "BKPSDM",
        Role::Admin => "Admin",
    }
}

#[derive(Debug)]
struct DeviceView {
    id: String,
    role: &'static str,
    user: String,
    units: String,
    enrolled: String,
    revoked: Option<String>,
    reason: String,
    /// The revoked device reported it wiped its store.
    wiped: Option<String>,
}

/// The enrollment form as sent, to fill it again after a refusal.
#[derive(Debug, Default)]
struct EnrollInput {
    role: String,
    user: String,
    units: Vec<String>,
}

/// A code just issued.
#[derive(Debug)]
struct Issued {
    code: String,
    qr: String,
    link: String,
    role: &'static str,
    user: String,
    units: String,
    days: i64,
}

/// A person's signing key, as listed.
#[derive(Debug)]
struct KeyView {
    /// Whose key: an employee's NIP, or a kiosk's name (kiosks sign too).
    person: String,
    is_nip: bool,
    /// From the merged view; empty when the NIP is not in the roster.
    name: String,
    /// The role of the device holding it, when the device is enrolled here.
    device_role: &'static str,
    /// The first part of the device id; `device` in full.
    device_short: String,
    device: String,
    bound: String,
    /// When and why it was revoked.
    revoked: Option<(String, String)>,
    /// This row carries the person's revoke form: their newest active key.
    form: bool,
}

/// The signing keys listed: the newest [`MAX_KEYS`] of `total`.
#[derive(Debug, Default)]
struct Keys {
    rows: Vec<KeyView>,
    total: usize,
}

/// A person code just issued.
#[derive(Debug)]
struct PersonIssued {
    code: String,
    nip: String,
    name: String,
    days: i64,
}

#[derive(Template)]
#[template(path = "perangkat.html")]
struct DevicesPage {
    hr: WebHr,
    devices: Vec<DeviceView>,
    units: Vec<UnitRow>,
    keys: Keys,
    issued: Option<Issued>,
    person_issued: Option<PersonIssued>,
    error: Option<String>,
    notice: Option<String>,
    form: EnrollInput,
    /// The NIP of a refused person-code form, to fill it again.
    person_nip: String,
}

impl DevicesPage {
    fn ticked(&self, unit: &str) -> bool {
        self.form.units.iter().any(|u| u == unit)
    }

    fn qr_link(&self, unit: &str) -> String {
        format!("/hr/unit/{}/qr", super::encode(unit))
    }

    fn revoke_keys_path(&self, person: &str) -> String {
        format!("/hr/perangkat/pegawai/{}/cabut-kunci", super::encode(person))
    }

    /// The id of the reason field of `person`'s revoke form (kiosk names
    /// may hold spaces, which an id may not).
    fn reason_id(&self, person: &str) -> String {
        format!("alasan-kunci-{}", super::encode(person))
    }
}

/// Whose keys, in a sentence: an employee by NIP, a kiosk by name.
fn whose(person: &str) -> String {
    if Nip::parse(person).is_ok() { format!("pegawai NIP {person}") } else { person.to_string() }
}

/// The tenant's signing keys, newest first, with the people's names.
fn load_keys(
    storage: &dyn Storage,
    tenant: &str,
    offset: i32,
    roles: &HashMap<String, Role>,
) -> Result<Keys, AppError> {
    let mut all = people::keys(storage, tenant, None)?;
    all.sort_by_key(|k| std::cmp::Reverse(k.bound_at));
    let total = all.len();
    all.truncate(MAX_KEYS);
    if all.is_empty() {
        return Ok(Keys::default());
    }
    let names: HashMap<String, String> =
        storage.employees(tenant, None)?.into_iter().map(|e| (e.nip, e.name)).collect();
    let mut with_form = std::collections::HashSet::new();
    let rows = all
        .into_iter()
        .map(|k: SignerRow| KeyView {
            name: names.get(&k.person).cloned().unwrap_or_default(),
            is_nip: Nip::parse(&k.person).is_ok(),
            device_role: roles.get(&k.device_id).map_or("", |r| role_label(*r)),
            device_short: k.device_id.chars().take(8).collect(),
            bound: super::local_time(k.bound_at, offset),
            revoked: k.revoked_at.map(|t| {
                let reason = k.revoked_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "–".into());
                (super::local_time(t, offset), reason)
            }),
            form: k.revoked_at.is_none() && with_form.insert(k.person.clone()),
            device: k.device_id,
            person: k.person,
        })
        .collect();
    Ok(Keys { rows, total })
}

/// What the page shows besides the forms: the devices, the units and the
/// signing keys.
fn load(storage: &dyn Storage, tenant: &str) -> Result<(Vec<DeviceView>, Vec<UnitRow>, Keys), AppError> {
    let offset = crate::reports::settings_of(storage, tenant)?.utc_offset_minutes;
    let mut units = storage.units(tenant)?;
    units.sort_by(|a, b| (&a.agency_name, &a.name).cmp(&(&b.agency_name, &b.name)));
    let names: HashMap<&str, &str> = units.iter().map(|u| (u.id.as_str(), u.name.as_str())).collect();
    let unit_names = |ids: &[String]| {
        ids.iter()
            .map(|id| names.get(id.as_str()).map_or(id.clone(), |n| format!("{n} ({id})")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows = storage.devices(tenant)?;
    rows.sort_by(|a, b| {
        (a.revoked_at.is_some(), std::cmp::Reverse(a.enrolled_at))
            .cmp(&(b.revoked_at.is_some(), std::cmp::Reverse(b.enrolled_at)))
    });
    let roles: HashMap<String, Role> = rows.iter().map(|d| (d.id.clone(), d.role)).collect();
    let devices = rows
        .into_iter()
        .map(|d: DeviceRow| DeviceView {
            role: role_label(d.role),
            units: unit_names(&d.units),
            enrolled: super::local_time(d.enrolled_at, offset),
            revoked: d.revoked_at.map(|t| super::local_time(t, offset)),
            reason: d.revoked_reason.unwrap_or_default(),
            wiped: d.wiped_at.map(|t| super::local_time(t, offset)),
            id: d.id,
            user: d.user_id,
        })
        .collect();
    Ok((devices, units, load_keys(storage, tenant, offset, &roles)?))
}

async fn show(s: &AppState, hr: WebHr, status: StatusCode, extra: Extra) -> Response {
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    match s.blocking(move || load(storage.as_ref(), &tenant)).await {
        Ok((devices, units, keys)) => {
            let mut r = render(&DevicesPage {
                hr,
                devices,
                units,
                keys,
                issued: extra.issued,
                person_issued: extra.person_issued,
                error: extra.error,
                notice: extra.notice,
                form: extra.form,
                person_nip: extra.person_nip,
            });
            if r.status() == StatusCode::OK {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => super::fail(e),
    }
}

/// The devices page with a refusal above it (a bundle upload, the forms of
/// other modules).
pub(super) async fn show_refusal(s: &AppState, hr: WebHr, status: StatusCode, message: String) -> Response {
    show(s, hr, status, Extra { error: Some(message), ..Default::default() }).await
}

/// What a page shows beyond the lists.
#[derive(Debug, Default)]
struct Extra {
    issued: Option<Issued>,
    person_issued: Option<PersonIssued>,
    error: Option<String>,
    notice: Option<String>,
    form: EnrollInput,
    person_nip: String,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    dicabut: Option<String>,
    /// After revoking a person's keys: how many, and whose.
    kunci_dicabut: Option<usize>,
    pegawai: Option<String>,
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let device = q.dicabut.filter(|id| !id.is_empty()).map(|id| format!("Perangkat {id} sudah dicabut."));
    let keys = match (q.kunci_dicabut, q.pegawai.filter(|p| !p.is_empty())) {
        (Some(n), Some(person)) => Some(format!(
            "{n} kunci tanda tangan {} dicabut. Berlaku pada sinkronisasi berikutnya di setiap \
             tablet: perubahan yang ditandatangani dengan kunci itu ditolak.",
            whose(&person)
        )),
        _ => None,
    };
    let notice = device.or(keys);
    show(&s, hr, StatusCode::OK, Extra { notice, ..Default::default() }).await
}

/// A refused form: the status and the message for HR.
type Refusal = (StatusCode, String);

/// Check an enrollment request by HR user `issuer`: the device's role and
/// the issuer's role (`Ok`), or the refusal (`Err`).
fn check_enrollment(
    storage: &dyn Storage,
    tenant: &str,
    issuer: &str,
    f: &EnrollInput,
) -> Result<Result<(Role, Role), Refusal>, AppError> {
    let refuse = |message: String| Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, message)));
    let role = match f.role.as_str() {
        "supervisor" => Role::Supervisor,
        "kiosk" => Role::Kiosk,
        "hr" => Role::Hr,
        "admin" => Role::Admin,
        _ => return refuse("Pilih peran perangkat: atasan atau kios.".into()),
    };
    let Some(issuer) = storage.user(tenant, issuer)?.map(|u| u.role) else {
        return Err(AppError::Forbidden { message: "Sesi tidak dikenal; silakan masuk lagi.".into() });
    };
    if let Err(e) = admin::may_issue_enrollment(issuer, role) {
        return Ok(Err((e.status(), e.to_string())));
    }
    let known = storage.units(tenant)?;
    if let Some(u) = f.units.iter().find(|u| !known.iter().any(|k| &k.id == *u)) {
        return refuse(format!("Unit kerja {u} tidak dikenal."));
    }
    match role {
        Role::Supervisor if f.units.is_empty() => refuse("Pilih unit kerja yang dipimpin atasan ini.".into()),
        Role::Supervisor => {
            let nip = match Nip::parse(&f.user) {
                Ok(n) => n,
                Err(e) => return refuse(format!("NIP atasan tidak sah: {}", e.user_message())),
            };
            let registered = storage.employees(tenant, None)?.iter().any(|e| e.nip == nip.as_str());
            if registered {
                Ok(Ok((role, issuer)))
            } else {
                refuse(format!("Pegawai dengan NIP {} tidak terdaftar.", nip.as_str()))
            }
        }
        Role::Kiosk if f.units.len() != 1 => refuse("Kios melayani tepat satu unit kerja; pilih satu.".into()),
        Role::Kiosk if f.user.is_empty() || f.user.chars().count() > 64 => {
            refuse("Isi nama kios (paling banyak 64 huruf), misalnya \"Kios Loket 1\".".into())
        }
        Role::Hr | Role::Admin if f.user.is_empty() || f.user.chars().count() > 64 => {
            refuse("Isi nama pengguna pemegang perangkat (paling banyak 64 huruf).".into())
        }
        _ => Ok(Ok((role, issuer))),
    }
}

async fn enroll(State(s): State<AppState>, hr: WebHr, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let field =
        |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if let Err(e) = hr.check(&field("csrf")) {
        return super::fail(e);
    }
    let form = EnrollInput {
        role: field("role"),
        user: field("user"),
        units: fields.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.clone()).collect(),
    };
    let server = s.public.origin().to_string();
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let username = hr.username.clone();
    let mut asked = EnrollInput { role: form.role.clone(), user: form.user.clone(), units: form.units.clone() };
    let issued = s
        .blocking(move || {
            let (role, issuer) = match check_enrollment(storage.as_ref(), &tenant, &username, &asked)? {
                Ok(roles) => roles,
                Err(refused) => return Ok(Err(refused)),
            };
            // HR and admin devices read the whole tenant: no units.
            if role.is_hr() {
                asked.units.clear();
            }
            let code = admin::issue_enrollment_as(storage.as_ref(), issuer, &tenant, role, &asked.user, &asked.units)?;
            let link = format!("prestasi://enroll?server={server}&code={code}");
            let qr = qr_svg(&link, &format!("Kode QR pendaftaran perangkat {code}"))?;
            let names: HashMap<String, String> = storage.units(&tenant)?.into_iter().map(|u| (u.id, u.name)).collect();
            let units =
                asked.units.iter().map(|u| names.get(u).cloned().unwrap_or_else(|| u.clone())).collect::<Vec<_>>();
            Ok(Ok(Issued {
                code,
                qr,
                link,
                role: role_label(role),
                user: asked.user,
                units: units.join(", "),
                days: admin::ENROLLMENT_TTL_DAYS,
            }))
        })
        .await;
    match issued {
        Ok(Ok(issued)) => show(&s, hr, StatusCode::OK, Extra { issued: Some(issued), ..Default::default() }).await,
        Ok(Err((status, message))) => {
            show(&s, hr, status, Extra { error: Some(message), form, ..Default::default() }).await
        }
        Err(e) => super::fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn revoke(State(s): State<AppState>, hr: WebHr, Path(id): Path<String>, Form(f): Form<RevokeForm>) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return super::fail(e);
    }
    let reason = f.reason.trim().to_string();
    if reason.is_empty() {
        let error = Some("Tuliskan alasan pencabutan perangkat.".to_string());
        return show(&s, hr, StatusCode::UNPROCESSABLE_ENTITY, Extra { error, ..Default::default() }).await;
    }
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let device = id.clone();
    let done = s
        .blocking(move || {
            let found = storage.device(&device)?.filter(|d| d.tenant_id == tenant);
            match found {
                None => Ok(Err((StatusCode::NOT_FOUND, format!("Perangkat {device} tidak ditemukan.")))),
                Some(d) if d.revoked_at.is_some() => {
                    Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, format!("Perangkat {device} sudah dicabut."))))
                }
                Some(_) => admin::revoke_device(storage.as_ref(), &device, &reason).map(Ok),
            }
        })
        .await;
    match done {
        Ok(Ok(())) => Redirect::to(&format!("/hr/perangkat?dicabut={}", super::encode(&id))).into_response(),
        Ok(Err((status, message))) => show(&s, hr, status, Extra { error: Some(message), ..Default::default() }).await,
        Err(e) => super::fail(e),
    }
}

/// The forms of the signing-key section. Every field may be missing: a
/// form without its CSRF token is refused like one with a wrong token.
#[derive(Debug, Deserialize)]
struct PersonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nip: String,
    #[serde(default)]
    reason: String,
}

/// Check that `input` is the NIP of an employee of the tenant: the NIP and
/// the employee's name (`Ok`), or the refusal (`Err`).
fn check_person(
    storage: &dyn Storage,
    tenant: &str,
    input: &str,
) -> Result<Result<(String, String), Refusal>, AppError> {
    let nip = match Nip::parse(input) {
        Ok(n) => n.as_str().to_string(),
        Err(e) => return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, format!("NIP tidak sah: {}.", e.user_message())))),
    };
    match people::check_employee(storage, tenant, &nip) {
        Ok(()) => {}
        Err(e @ AppError::Unprocessable { .. }) => return Ok(Err((e.status(), e.to_string()))),
        Err(e) => return Err(e),
    }
    let mut name = String::new();
    storage.read(&mut |l| {
        name = l.employee(tenant, &nip)?.map(|e| e.name).unwrap_or_default();
        Ok(())
    })?;
    Ok(Ok((nip, name)))
}

async fn issue_person_code(State(s): State<AppState>, hr: WebHr, Form(f): Form<PersonForm>) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return super::fail(e);
    }
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let username = hr.username.clone();
    let input = f.nip.trim().to_string();
    let asked = input.clone();
    let issued = s
        .blocking(move || {
            let (nip, name) = match check_person(storage.as_ref(), &tenant, &asked)? {
                Ok(person) => person,
                Err(refused) => return Ok(Err(refused)),
            };
            let code = people::issue_code(storage.as_ref(), &tenant, &nip, None, &username)?;
            Ok(Ok(PersonIssued { code, nip, name, days: people::PERSON_CODE_TTL_DAYS }))
        })
        .await;
    match issued {
        Ok(Ok(issued)) => {
            show(&s, hr, StatusCode::OK, Extra { person_issued: Some(issued), ..Default::default() }).await
        }
        Ok(Err((status, message))) => {
            show(&s, hr, status, Extra { error: Some(message), person_nip: input, ..Default::default() }).await
        }
        Err(e) => super::fail(e),
    }
}

async fn revoke_keys(
    State(s): State<AppState>,
    hr: WebHr,
    Path(nip): Path<String>,
    Form(f): Form<PersonForm>,
) -> Response {
    if let Err(e) = hr.check(&f.csrf) {
        return super::fail(e);
    }
    let reason = f.reason.trim().to_string();
    let refused = if reason.is_empty() {
        Some("Tuliskan alasan pencabutan kunci tanda tangan.".to_string())
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Some(format!("Alasan pencabutan paling banyak {MAX_REASON_CHARS} huruf."))
    } else {
        None
    };
    if let Some(message) = refused {
        return show(&s, hr, StatusCode::UNPROCESSABLE_ENTITY, Extra { error: Some(message), ..Default::default() })
            .await;
    }
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let person = nip.trim().to_string();
    let done = s
        .blocking(move || {
            let n = people::revoke_all(storage.as_ref(), &tenant, &person, &reason)?;
            if n > 0 {
                Ok(Ok((n, person)))
            } else if people::keys(storage.as_ref(), &tenant, Some(&person))?.is_empty() {
                let message = format!("Tidak ada kunci tanda tangan {} di sini.", whose(&person));
                Ok(Err((StatusCode::NOT_FOUND, message)))
            } else {
                let message = format!("Semua kunci tanda tangan {} sudah dicabut.", whose(&person));
                Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, message)))
            }
        })
        .await;
    match done {
        Ok(Ok((n, person))) => {
            Redirect::to(&format!("/hr/perangkat?kunci_dicabut={n}&pegawai={}", super::encode(&person))).into_response()
        }
        Ok(Err((status, message))) => show(&s, hr, status, Extra { error: Some(message), ..Default::default() }).await,
        Err(e) => super::fail(e),
    }
}

#[derive(Template)]
#[template(path = "qr_unit.html")]
struct UnitQrPage {
    hr: WebHr,
    unit: UnitRow,
    url: String,
    qr: String,
    /// NIP and name of the officer the code credits, if any.
    officer: Option<(String, String)>,
    staff: Vec<(String, String)>,
}

impl UnitQrPage {
    fn is_officer(&self, nip: &str) -> bool {
        self.officer.as_ref().is_some_and(|o| o.0 == nip)
    }
}

#[derive(Debug, Deserialize)]
struct QrQuery {
    petugas: Option<String>,
}

async fn unit_qr(State(s): State<AppState>, hr: WebHr, Path(unit): Path<String>, Query(q): Query<QrQuery>) -> Response {
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    let base = s.public.origin().to_string();
    let built = s
        .blocking(move || {
            let Some(unit) = storage.units(&tenant)?.into_iter().find(|u| u.id == unit) else {
                return Err(AppError::NotFound { message: format!("Unit kerja {unit} tidak ditemukan.") });
            };
            let staff: Vec<(String, String)> = storage
                .employees(&tenant, Some(&unit.id))?
                .into_iter()
                .filter(|e| e.active)
                .map(|e| (e.nip, e.name))
                .collect();
            let officer = q.petugas.and_then(|p| staff.iter().find(|(nip, _)| *nip == p.trim()).cloned());
            let mut url = format!("{base}{}", form_path(&tenant, &unit.id));
            if let Some((nip, _)) = &officer {
                url.push_str(&format!("?petugas={nip}"));
            }
            let label = format!("Kode QR survei kepuasan {}", unit.name);
            let qr = qr_svg(&url, &label)?;
            Ok((unit, url, qr, officer, staff))
        })
        .await;
    match built {
        Ok((unit, url, qr, officer, staff)) => render(&UnitQrPage { hr, unit, url, qr, officer, staff }),
        Err(e) => super::fail(e),
    }
}

#[cfg(test)]
#[path = "devices_tests.rs"]
mod tests;
