//! `/umpan-balik/{tenant}/{unit}`: the citizens' public feedback form (SKM),
//! reached from the QR code printed at the unit's service counter. No
//! login and no JavaScript; the nine questions in plain words, large touch
//! targets, every control labelled.
//!
//! What arrives is stored as a normal feedback document (channel `web`)
//! through the same checks as a kiosk's push — the server writes it as a
//! kiosk of that unit (`admin::record_citizen_feedback`) — so the SKM
//! reports count it with the kiosks' answers.
//!
//! The services offered are the ones HR listed for the unit
//! ([`crate::services`], cached for [`crate::services::CACHE_TTL`]); a service a
//! citizen types under "Lainnya" is stored with their answers but never
//! offered to anyone else.
//!
//! Spam protection, without a login:
//! - every page view counts against a per-client limit, and every post
//!   against a per-client limit (`config::Limits::form_pages_per_client`,
//!   `feedback_per_client`; over the limit: 429 page);
//! - a unit's limit (`feedback_per_unit`) counts only posts that carry a
//!   valid form token — each token costs its sender a page view under their
//!   own limit and [`MIN_AGE_SECS`] — so a few addresses posting without
//!   tokens (or with forged ones) cannot close a unit's form to citizens;
//! - the form carries a token `<unix seconds>.<nonce>.<signature>`, the
//!   signature an HMAC-SHA256 under a secret the server keeps in its storage
//!   (meta `citizen_form_secret`), bound to the unit and checked in constant
//!   time. A post less than
//!   [`MIN_AGE_SECS`] after the form was served, or with the hidden
//!   honeypot field filled, gets the thank-you page but stores nothing (a
//!   bot learns nothing). A forged, foreign or older than [`MAX_AGE_SECS`]
//!   token re-shows the form with the answers kept and a fresh token (400);
//! - the document id is derived from the token's nonce, so the same form
//!   sent twice (a double tap on a slow connection) is stored once.

use crate::state::ServerIdentity;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Form, Router};
use chrono::Utc;
use prestasi_core::ValidationError;
use prestasi_core::model::feedback::MAX_MINUTES_WAITED;
use prestasi_core::model::{Channel, DocId, Feedback};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::skm::{Element, Scores};
use serde::Deserialize;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ratelimit::{RateLimiter, client_key};
use crate::auth::random_token;
use crate::config::Limits;
use crate::error::AppError;
use crate::extract::Query;
use crate::state::AppState;
use crate::storage::{Storage, UnitRow};

/// A post sooner than this after the form was served is a bot's.
pub const MIN_AGE_SECS: i64 = 3;
/// A form older than this is served again before it is accepted.
pub const MAX_AGE_SECS: i64 = 2 * 60 * 60;
/// Longest comment the form takes (the document allows more).
const MAX_COMMENT_CHARS: usize = 1000;
const MAX_SERVICE_CHARS: usize = crate::services::MAX_SERVICE_CHARS;
/// Bytes of the HMAC kept in a token (128 bits).
const SIGNATURE_BYTES: usize = 16;
/// Service stored when the citizen names none.
const DEFAULT_SERVICE: &str = "Layanan umum";
const SECRET_KEY: &str = "citizen_form_secret";
/// Keys each rate limiter remembers at most.
const LIMITER_CAPACITY: usize = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/umpan-balik/{tenant}/{unit}", get(page).post(submit))
        .layer(Extension(Arc::new(Citizen::default())))
}

/// The path of a unit's form (segments percent-encoded).
pub fn form_path(tenant: &str, unit: &str) -> String {
    format!("/umpan-balik/{}/{}", super::encode(tenant), super::encode(unit))
}

/// The form's shared state: the rate limiters, the signing secret and the
/// units' service lists.
#[derive(Debug)]
struct Citizen {
    clients: RateLimiter,
    pages: RateLimiter,
    units: RateLimiter,
    secret: Mutex<Option<String>>,
}

impl Default for Citizen {
    fn default() -> Self {
        Self {
            clients: RateLimiter::new(LIMITER_CAPACITY),
            pages: RateLimiter::new(LIMITER_CAPACITY),
            units: RateLimiter::new(LIMITER_CAPACITY),
            secret: Mutex::new(None),
        }
    }
}

impl Citizen {
    /// The signing secret, created on first use and kept in storage so
    /// forms stay valid across restarts.
    fn secret(&self, storage: &dyn Storage) -> Result<String, AppError> {
        let mut cached = self.secret.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = cached.as_ref() {
            return Ok(s.clone());
        }
        let secret = match storage.meta(SECRET_KEY)? {
            Some(s) => s,
            // Instances serving their first form at once keep one secret.
            None => storage.init_meta(SECRET_KEY, &random_token()?)?,
        };
        *cached = Some(secret.clone());
        Ok(secret)
    }
}

fn mac(secret: &str, tenant: &str, unit: &str, secs: i64, nonce: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    // Fields are separated by a byte none of them can hold.
    for part in [tenant, unit, &secs.to_string(), nonce] {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    mac
}

fn signature(secret: &str, tenant: &str, unit: &str, secs: i64, nonce: &str) -> String {
    let tag = mac(secret, tenant, unit, secs, nonce).finalize().into_bytes();
    tag.iter().take(SIGNATURE_BYTES).map(|b| format!("{b:02x}")).collect()
}

/// Whether `sig` (hex) is the token's signature, compared in constant time.
fn signature_holds(secret: &str, tenant: &str, unit: &str, secs: i64, nonce: &str, sig: &str) -> bool {
    let Some(bytes) = prestasi_core::signing::unhex(sig) else { return false };
    bytes.len() == SIGNATURE_BYTES && mac(secret, tenant, unit, secs, nonce).verify_truncated_left(&bytes).is_ok()
}

/// The form token for `unit` served at `secs` (unix time).
pub fn token(secret: &str, tenant: &str, unit: &str, secs: i64, nonce: &str) -> String {
    format!("{secs}.{nonce}.{}", signature(secret, tenant, unit, secs, nonce))
}

fn new_token(secret: &str, tenant: &str, unit: &str) -> Result<String, AppError> {
    let nonce: String = random_token()?.chars().take(16).collect();
    Ok(token(secret, tenant, unit, Utc::now().timestamp(), &nonce))
}

#[derive(Debug, PartialEq, Eq)]
enum TokenCheck {
    /// Signed for this unit, old enough and not too old: its nonce.
    Valid(String),
    TooFast,
    /// Forged, for another unit, or expired.
    Invalid,
}

fn check_token(secret: &str, tenant: &str, unit: &str, token: &str, now: i64) -> TokenCheck {
    let mut parts = token.splitn(3, '.');
    let (Some(secs), Some(nonce), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return TokenCheck::Invalid;
    };
    let Ok(secs) = secs.parse::<i64>() else { return TokenCheck::Invalid };
    let nonce_ok = nonce.len() == 16 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    if !nonce_ok || !signature_holds(secret, tenant, unit, secs, nonce, sig) {
        return TokenCheck::Invalid;
    }
    match now.saturating_sub(secs) {
        age if !(0..=MAX_AGE_SECS).contains(&age) => TokenCheck::Invalid,
        age if age < MIN_AGE_SECS => TokenCheck::TooFast,
        _ => TokenCheck::Valid(nonce.to_string()),
    }
}

/// The unit a form belongs to, with what the page shows about it.
#[derive(Debug)]
struct Place {
    tenant_name: String,
    unit: UnitRow,
    /// The services HR listed for the unit.
    services: Vec<String>,
    /// The officer named by `petugas`, if they work in the unit.
    officer: Option<(Nip, String)>,
}

fn find_place(storage: &dyn Storage, tenant: &str, unit: &str, petugas: &str) -> Result<Option<Place>, AppError> {
    let Some(t) = storage.tenant(tenant)? else { return Ok(None) };
    let Some(unit) = storage.units(tenant)?.into_iter().find(|u| u.id == unit) else { return Ok(None) };
    let officer = match Nip::parse(petugas.trim()) {
        Ok(nip) => storage
            .employees(tenant, Some(&unit.id))?
            .into_iter()
            .find(|e| e.active && e.nip == nip.as_str())
            .map(|e| (nip, e.name)),
        Err(_) => None,
    };
    Ok(Some(Place { tenant_name: t.name, unit, services: Vec::new(), officer }))
}

/// What the citizen filled in (everything optional here: the checks say
/// what is missing).
#[derive(Debug, Default, Deserialize)]
struct Answers {
    #[serde(default)]
    token: String,
    /// The honeypot: hidden from people, filled by bots.
    #[serde(default)]
    situs_web: String,
    #[serde(default)]
    layanan: String,
    #[serde(default)]
    layanan_lain: String,
    u1: Option<String>,
    u2: Option<String>,
    u3: Option<String>,
    u4: Option<String>,
    u5: Option<String>,
    u6: Option<String>,
    u7: Option<String>,
    u8: Option<String>,
    u9: Option<String>,
    #[serde(default)]
    menit: String,
    #[serde(default)]
    komentar: String,
    #[serde(default)]
    petugas: String,
}

impl Answers {
    fn scores(&self) -> [Option<&str>; 9] {
        [&self.u1, &self.u2, &self.u3, &self.u4, &self.u5, &self.u6, &self.u7, &self.u8, &self.u9]
            .map(|a| a.as_deref().map(str::trim).filter(|a| !a.is_empty()))
    }

    fn service(&self) -> String {
        [self.layanan_lain.trim(), self.layanan.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(DEFAULT_SERVICE)
            .to_string()
    }
}

/// One refused answer: the form field and what to do.
#[derive(Debug, Clone)]
struct FieldError {
    field: String,
    message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The element the error summary links to.
    fn anchor(&self) -> String {
        match self.field.as_str() {
            "layanan" => "layanan_lain".into(),
            "umum" => "formulir".into(),
            "menit" | "komentar" => self.field.clone(),
            question => format!("f-{question}"),
        }
    }
}

/// The form field a core validation error is about.
fn field_of(v: &ValidationError) -> String {
    match v.field.as_str() {
        "service" => "layanan".into(),
        "comment" => "komentar".into(),
        "minutes_waited" => "menit".into(),
        f => f.strip_prefix("scores.").unwrap_or("umum").to_string(),
    }
}

/// Check the answers and build the feedback, or say what is wrong with
/// each field.
fn build(a: &Answers, unit: &str, officer: Option<Nip>) -> Result<Feedback, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = [0u8; 9];
    for ((slot, answer), element) in values.iter_mut().zip(a.scores()).zip(Element::ALL) {
        let field = element.name().to_lowercase();
        match answer.map(str::parse::<u8>) {
            None => errors.push(FieldError::new(field, "Pilih salah satu jawaban.")),
            Some(Err(_)) => errors.push(FieldError::new(field, "Jawaban ini tidak dikenal; pilih salah satu.")),
            Some(Ok(v)) => *slot = v,
        }
    }
    let scores = if errors.is_empty() {
        Scores::new(values).map_err(|v| errors.push(FieldError::new(field_of(&v), v.user_message()))).ok()
    } else {
        None
    };
    let minutes = match a.menit.trim() {
        "" => {
            errors.push(FieldError::new("menit", "Isi lama menunggu dalam menit (tulis 0 jika tidak menunggu)."));
            None
        }
        m => match m.parse::<u32>() {
            Ok(n) if n <= MAX_MINUTES_WAITED => Some(n),
            _ => {
                errors.push(FieldError::new("menit", format!("Isi angka bulat 0 sampai {MAX_MINUTES_WAITED}.")));
                None
            }
        },
    };
    let comment = a.komentar.trim().to_string();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        errors.push(FieldError::new("komentar", format!("Komentar paling banyak {MAX_COMMENT_CHARS} huruf.")));
    }
    let service = a.service();
    if service.chars().count() > MAX_SERVICE_CHARS {
        errors.push(FieldError::new("layanan", format!("Nama layanan paling banyak {MAX_SERVICE_CHARS} huruf.")));
    }
    let (Some(scores), Some(minutes_waited), true) = (scores, minutes, errors.is_empty()) else {
        return Err(errors);
    };
    let feedback = Feedback {
        unit_id: unit.to_string(),
        service,
        scores,
        minutes_waited,
        comment,
        channel: Channel::Web,
        submitted_at: Utc::now(),
        officer_nip: officer,
    };
    feedback.validate().map_err(|v| vec![FieldError::new(field_of(&v), v.user_message())])?;
    Ok(feedback)
}

/// The nine questions (U1…U9) in plain words and the answers 1–4 of each,
/// as on the PermenPANRB 14/2017 sample questionnaire.
const QUESTIONS: [(&str, [&str; 4]); 9] = [
    (
        "Apakah persyaratan layanan sesuai dan mudah dipenuhi?",
        ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
    ),
    (
        "Apakah langkah-langkah (prosedur) layanan mudah diikuti?",
        ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
    ),
    ("Seberapa cepat layanan diselesaikan?", ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]),
    ("Bagaimana biaya yang Anda bayar untuk layanan ini?", ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]),
    (
        "Apakah hasil layanan yang Anda terima sesuai dengan yang dijanjikan?",
        ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
    ),
    (
        "Apakah petugas menguasai pekerjaannya?",
        ["Tidak menguasai", "Kurang menguasai", "Menguasai", "Sangat menguasai"],
    ),
    (
        "Apakah petugas bersikap sopan dan ramah?",
        ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"],
    ),
    (
        "Bagaimana penanganan pengaduan, saran dan masukan di tempat ini?",
        ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"],
    ),
    ("Bagaimana sarana dan prasarananya (ruang tunggu, toilet, parkir)?", ["Buruk", "Cukup", "Baik", "Sangat baik"]),
];

#[derive(Debug)]
struct Question {
    /// Form field, `u1`…`u9`.
    name: String,
    number: usize,
    code: &'static str,
    element: &'static str,
    text: &'static str,
    choices: Vec<Choice>,
    error: Option<String>,
}

#[derive(Debug)]
struct Choice {
    value: u8,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "umpan_balik.html")]
struct FormPage {
    action: String,
    tenant_name: String,
    unit_name: String,
    agency_name: String,
    officer_name: String,
    petugas: String,
    services: Vec<String>,
    layanan: String,
    layanan_lain: String,
    questions: Vec<Question>,
    menit: String,
    komentar: String,
    max_minutes: u32,
    max_comment: usize,
    max_service: usize,
    token: String,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn new(tenant: &str, place: &Place, token: String, a: &Answers, errors: Vec<FieldError>) -> Self {
        let error_of = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone());
        let questions = Element::ALL
            .iter()
            .zip(QUESTIONS)
            .zip(a.scores())
            .enumerate()
            .map(|(i, ((&e, (text, labels)), given))| {
                let name = e.name().to_lowercase();
                Question {
                    error: error_of(&name),
                    name,
                    number: i + 1,
                    code: e.name(),
                    element: e.label_id(),
                    text,
                    choices: (1u8..)
                        .zip(labels)
                        .map(|(value, label)| Choice {
                            value,
                            label,
                            checked: given == Some(value.to_string().as_str()),
                        })
                        .collect(),
                }
            })
            .collect();
        Self {
            action: form_path(tenant, &place.unit.id),
            tenant_name: place.tenant_name.clone(),
            unit_name: place.unit.name.clone(),
            agency_name: place.unit.agency_name.clone(),
            officer_name: place.officer.as_ref().map(|o| o.1.clone()).unwrap_or_default(),
            petugas: place.officer.as_ref().map(|o| o.0.as_str().to_string()).unwrap_or_default(),
            services: place.services.clone(),
            layanan: a.layanan.clone(),
            layanan_lain: a.layanan_lain.clone(),
            questions,
            menit: a.menit.clone(),
            komentar: a.komentar.clone(),
            max_minutes: MAX_MINUTES_WAITED,
            max_comment: MAX_COMMENT_CHARS,
            max_service: MAX_SERVICE_CHARS,
            token,
            errors,
        }
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "umpan_balik_terima.html")]
struct ThanksPage {
    unit_name: String,
    again: String,
}

#[derive(Template)]
#[template(path = "umpan_balik_galat.html")]
struct ProblemPage {
    title: &'static str,
    message: String,
}

/// A citizen's page: never cached (the form carries a time-bound token).
fn citizen_page<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut r = super::render(t);
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn not_found() -> Response {
    citizen_page(
        StatusCode::NOT_FOUND,
        &ProblemPage {
            title: "Halaman tidak ditemukan",
            message: "Kode QR atau alamat ini tidak dikenal. Mohon tanyakan kepada petugas di loket.".into(),
        },
    )
}

fn too_many(wait: Duration) -> Response {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let mut r = citizen_page(
        StatusCode::TOO_MANY_REQUESTS,
        &ProblemPage {
            title: "Terlalu banyak kiriman",
            message: format!(
                "Terlalu banyak penilaian dikirim dari sini dalam waktu singkat. Silakan coba lagi dalam {minutes} menit."
            ),
        },
    );
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn failed(e: AppError) -> Response {
    match e {
        AppError::NotFound { .. } => not_found(),
        other => {
            tracing::error!(error = %other, "citizen feedback form");
            citizen_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ProblemPage {
                    title: "Terjadi gangguan",
                    message: "Maaf, penilaian Anda belum dapat diproses. Silakan coba lagi beberapa saat lagi.".into(),
                },
            )
        }
    }
}

fn thanks(tenant: &str, place: &Place) -> Response {
    let mut again = form_path(tenant, &place.unit.id);
    if let Some((nip, _)) = &place.officer {
        again.push_str(&format!("?petugas={}", nip.as_str()));
    }
    citizen_page(StatusCode::OK, &ThanksPage { unit_name: place.unit.name.clone(), again })
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    #[serde(default)]
    petugas: String,
}

async fn page(
    State(s): State<AppState>,
    Extension(c): Extension<Arc<Citizen>>,
    Path((tenant, unit)): Path<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let limits = s.limits;
    let client = client_key(peer.map(|Extension(ConnectInfo(p))| p), &headers, &s.public);
    // In this process only: a view writes nothing and costs one cached read,
    // so a flood of views is CPU, not database work.
    let window = Duration::from_secs(limits.feedback_client_window_secs);
    if let Err(wait) = c.pages.hit(&client, limits.form_pages_per_client, window, Instant::now()) {
        tracing::info!(%client, "citizen feedback: client over the page-view limit");
        crate::metrics::feedback_post("page_limit");
        return too_many(wait);
    }
    let storage = s.storage.clone();
    let services = s.services.clone();
    let t = tenant.clone();
    let found = s
        .blocking_public(move || {
            let Some(mut place) = find_place(storage.as_ref(), &t, &unit, &q.petugas)? else { return Ok(None) };
            place.services = services.get(storage.as_ref(), &t, &place.unit.id)?;
            let token = new_token(&c.secret(storage.as_ref())?, &t, &place.unit.id)?;
            Ok(Some((place, token)))
        })
        .await;
    match found {
        Ok(Some((place, token))) => {
            citizen_page(StatusCode::OK, &FormPage::new(&tenant, &place, token, &Answers::default(), Vec::new()))
        }
        Ok(None) => not_found(),
        Err(e) => failed(e),
    }
}

/// What a post came to, decided off the async workers.
enum Outcome {
    NotFound,
    TooMany(Duration),
    /// Stored, or quietly dropped as spam or as a repeat.
    Thanks(Place),
    /// Shown again: status, answers' errors, token to carry on with.
    Again(StatusCode, Place, Vec<FieldError>, String),
}

async fn submit(
    State(s): State<AppState>,
    Extension(c): Extension<Arc<Citizen>>,
    Path((tenant, unit)): Path<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(a): Form<Answers>,
) -> Response {
    let limits = s.limits;
    let client = client_key(peer.map(|Extension(ConnectInfo(p))| p), &headers, &s.public);
    let per_client = Duration::from_secs(limits.feedback_client_window_secs);
    if let Err(wait) = c.clients.hit(&client, limits.feedback_per_client, per_client, Instant::now()) {
        tracing::info!(%client, "citizen feedback: client over the rate limit");
        crate::metrics::feedback_post("client_limit");
        return too_many(wait);
    }
    let storage = s.storage.clone();
    let services = s.services.clone();
    let server = s.server.clone();
    let t = tenant.clone();
    let a = Arc::new(a);
    let answers = a.clone();
    let outcome = s
        .blocking_public(move || {
            // This process's limiter above turns a flood away without
            // touching the database; this one counts what every instance saw.
            let shared =
                Shared { key: format!("form-client/{client}"), max: limits.feedback_per_client, per: per_client };
            if let Some(wait) = shared.over(storage.as_ref())? {
                tracing::info!(%client, "citizen feedback: client over the shared rate limit");
                crate::metrics::feedback_post("client_limit");
                return Ok(Outcome::TooMany(wait));
            }
            let mut outcome = decide(storage.as_ref(), &c, &server, &limits, &t, &unit, &answers)?;
            if let Outcome::Again(_, place, _, _) = &mut outcome {
                place.services = services.get(storage.as_ref(), &t, &place.unit.id)?;
            }
            Ok(outcome)
        })
        .await;
    match outcome {
        Ok(Outcome::NotFound) => not_found(),
        Ok(Outcome::TooMany(wait)) => too_many(wait),
        Ok(Outcome::Thanks(place)) => thanks(&tenant, &place),
        Ok(Outcome::Again(status, place, errors, token)) => {
            citizen_page(status, &FormPage::new(&tenant, &place, token, &a, errors))
        }
        Err(e) => failed(e),
    }
}

/// A limit counted in the database, so every server instance counts the
/// same posts (`Storage::count_event`).
struct Shared {
    key: String,
    max: u32,
    per: Duration,
}

impl Shared {
    /// Count this post; over the limit, how long until the window ends.
    fn over(&self, storage: &dyn Storage) -> Result<Option<Duration>, AppError> {
        let now = Utc::now().timestamp_millis();
        let window = i64::try_from(self.per.as_millis()).unwrap_or(i64::MAX);
        let (count, until) = storage.count_event(&self.key, window, now)?;
        Ok((count > self.max).then(|| Duration::from_millis(u64::try_from(until - now).unwrap_or(0))))
    }
}

/// Decide what a post comes to: refused by a limit, dropped as spam,
/// shown again, or stored.
fn decide(
    storage: &dyn Storage,
    c: &Citizen,
    server: &ServerIdentity,
    limits: &Limits,
    t: &str,
    unit: &str,
    a: &Answers,
) -> Result<Outcome, AppError> {
    let Some(place) = find_place(storage, t, unit, &a.petugas)? else {
        crate::metrics::feedback_post("unknown_unit");
        return Ok(Outcome::NotFound);
    };
    let unit_key = format!("{t}/{}", place.unit.id);
    let secret = c.secret(storage)?;
    if !a.situs_web.trim().is_empty() {
        tracing::info!(unit = %unit_key, "citizen feedback: honeypot filled, not stored");
        crate::metrics::feedback_post("honeypot");
        return Ok(Outcome::Thanks(place));
    }
    let nonce = match check_token(&secret, t, &place.unit.id, &a.token, Utc::now().timestamp()) {
        TokenCheck::Valid(nonce) => nonce,
        TokenCheck::TooFast => {
            tracing::info!(unit = %unit_key, "citizen feedback: sent too fast, not stored");
            crate::metrics::feedback_post("too_fast");
            return Ok(Outcome::Thanks(place));
        }
        TokenCheck::Invalid => {
            crate::metrics::feedback_post("expired_form");
            let message = "Formulir ini sudah terlalu lama terbuka. Periksa jawaban Anda, lalu kirim lagi.";
            let fresh = new_token(&secret, t, &place.unit.id)?;
            return Ok(Outcome::Again(StatusCode::BAD_REQUEST, place, vec![FieldError::new("umum", message)], fresh));
        }
    };
    // Only posts with a valid token count against the unit: each cost its
    // sender a page view under their own limit, so a few addresses cannot
    // fill the unit's window and close its form to citizens.
    let per_unit = Duration::from_secs(limits.feedback_unit_window_secs);
    if let Err(wait) = c.units.hit(&unit_key, limits.feedback_per_unit, per_unit, Instant::now()) {
        tracing::info!(unit = %unit_key, "citizen feedback: unit over the rate limit");
        crate::metrics::feedback_post("unit_limit");
        return Ok(Outcome::TooMany(wait));
    }
    let shared = Shared { key: format!("form-unit/{unit_key}"), max: limits.feedback_per_unit, per: per_unit };
    if let Some(wait) = shared.over(storage)? {
        tracing::info!(unit = %unit_key, "citizen feedback: unit over the shared rate limit");
        crate::metrics::feedback_post("unit_limit");
        return Ok(Outcome::TooMany(wait));
    }
    let officer = place.officer.as_ref().map(|o| o.0.clone());
    let feedback = match build(a, &place.unit.id, officer) {
        Ok(f) => f,
        Err(errors) => {
            crate::metrics::feedback_post("invalid");
            return Ok(Outcome::Again(StatusCode::UNPROCESSABLE_ENTITY, place, errors, a.token.clone()));
        }
    };
    let id = DocId::derived(&format!("feedback/web/{t}/{}/{nonce}", place.unit.id));
    let stored = crate::admin::record_citizen_feedback(storage, server, t, id, &feedback);
    crate::metrics::feedback_post(match &stored {
        Ok(_) => "stored",
        Err(AppError::Unprocessable { .. }) => "refused",
        Err(_) => "error",
    });
    match stored {
        Ok(_) => Ok(Outcome::Thanks(place)),
        Err(AppError::Unprocessable { message, .. }) => Ok(Outcome::Again(
            StatusCode::UNPROCESSABLE_ENTITY,
            place,
            vec![FieldError::new("umum", message)],
            a.token.clone(),
        )),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
#[path = "citizen_tests.rs"]
pub(crate) mod tests;
