//! What HR's report pages share: the filter form (period or year, agency,
//! unit), running a page's report code off the async workers, Indonesian
//! labels and times, and turning a refusal into a message on the page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use prestasi_core::model::{AppraisalStatus, Period};
use prestasi_core::rules::{Predikat, Rating};
use serde::Deserialize;

use super::render;
use super::session::WebHr;
use crate::error::AppError;
use crate::reports::{Ctx, Params};
use crate::state::AppState;
use crate::storage::UnitRow;

/// Every query parameter a report page reads; each page uses its own.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    pub period: Option<String>,
    pub year: Option<String>,
    pub unit: Option<String>,
    pub agency: Option<String>,
    pub as_of: Option<String>,
    /// Which success message to show after a form was sent.
    pub pesan: Option<String>,
}

/// A filter value as asked, with an empty one meaning "all".
fn given(v: &Option<String>) -> String {
    v.as_deref().map(str::trim).unwrap_or_default().to_string()
}

/// The filter form of a report page and the report parameters it means.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// The page the form sends to.
    pub action: &'static str,
    pub period: String,
    /// Empty: the page filters by year, not by period.
    pub periods: Vec<String>,
    pub year: i32,
    /// Empty: the page filters by period, not by year.
    pub years: Vec<i32>,
    pub agency: String,
    pub unit: String,
    /// `(id, name)`, in name order; empty when the page has no unit filter.
    pub agencies: Vec<(String, String)>,
    pub units: Vec<UnitRow>,
    /// The reference date field (promotion), when the page has one.
    pub as_of: Option<String>,
}

impl Filters {
    /// A period filter; with `by_unit`, also agency and unit.
    pub fn period(ctx: &Ctx, action: &'static str, q: &PageQuery, by_unit: bool) -> Result<Self, AppError> {
        let (period, periods) = super::dashboard::chosen_period(ctx, q.period.clone())?;
        Ok(Self { action, period, periods, ..Self::units(ctx, q, by_unit) })
    }

    /// A year filter (the years that have appraisals, newest first; by
    /// default the newest); with `by_unit`, also agency and unit.
    pub fn year(ctx: &Ctx, action: &'static str, q: &PageQuery, by_unit: bool) -> Result<Self, AppError> {
        let mut years: Vec<i32> =
            ctx.storage.periods(&ctx.tenant)?.iter().filter_map(|c| Period::parse(c).ok()).map(|p| p.year()).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let asked = q.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok());
        let year = asked.or_else(|| years.first().copied()).unwrap_or_else(|| chrono::Datelike::year(&Utc::now()));
        if !years.contains(&year) {
            years.insert(0, year);
        }
        Ok(Self { action, year, years, ..Self::units(ctx, q, by_unit) })
    }

    fn units(ctx: &Ctx, q: &PageQuery, by_unit: bool) -> Self {
        if !by_unit {
            return Self::default();
        }
        let mut units: Vec<UnitRow> = ctx.units.values().cloned().collect();
        units.sort_by(|a, b| (&a.agency_name, &a.name).cmp(&(&b.agency_name, &b.name)));
        let mut agencies: Vec<(String, String)> =
            units.iter().map(|u| (u.agency_id.clone(), u.agency_name.clone())).collect();
        agencies.dedup();
        Self { agency: given(&q.agency), unit: given(&q.unit), agencies, units, ..Self::default() }
    }

    /// Is there anything to report on (a period, when filtering by one)?
    pub fn has_data(&self) -> bool {
        !self.years.is_empty() || !self.period.is_empty()
    }

    /// The report parameters the form stands for.
    pub fn params(&self) -> Params {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Params {
            period: if self.years.is_empty() { some(&self.period) } else { None },
            year: (!self.years.is_empty()).then_some(self.year),
            unit: some(&self.unit),
            agency: some(&self.agency),
            as_of: self.as_of.as_deref().and_then(|d| d.parse::<NaiveDate>().ok()),
            ..Params::default()
        }
    }

    /// The form's values as a query string (for CSV links and redirects).
    pub fn qs(&self) -> String {
        let year = self.year.to_string();
        let pairs = [
            ("period", if self.years.is_empty() { self.period.as_str() } else { "" }),
            ("year", if self.years.is_empty() { "" } else { year.as_str() }),
            ("agency", self.agency.as_str()),
            ("unit", self.unit.as_str()),
            ("as_of", self.as_of.as_deref().unwrap_or_default()),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encoding of a query-string value.
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Build a page from the report code off the async workers and render it;
/// an error becomes the error page.
pub async fn show<T, F>(s: &AppState, hr: &WebHr, build: F) -> Response
where
    T: Template + Send + 'static,
    F: FnOnce(&Ctx) -> Result<T, AppError> + Send + 'static,
{
    let storage = s.storage.clone();
    let tenant = hr.tenant_id.clone();
    match s.blocking(move || build(&Ctx::load(storage, tenant)?)).await {
        Ok(page) => render(&page),
        Err(e) => fail(e),
    }
}

#[derive(Template)]
#[template(path = "gagal.html")]
struct ErrorPage {
    message: String,
}

/// The error page: the Indonesian refusal, or a generic message for a
/// server fault (logged, never shown).
pub fn fail(e: AppError) -> Response {
    let status = e.status();
    let message = refusal(e).unwrap_or_else(|_| "Terjadi kesalahan pada server. Coba lagi nanti.".to_string());
    let mut r = render(&ErrorPage { message });
    *r.status_mut() = status;
    r
}

/// A refusal a person can act on, as a message in Bahasa Indonesia; a
/// server fault stays an error (and is logged when rendered).
pub fn refusal(e: AppError) -> Result<String, AppError> {
    match e {
        AppError::NotFound { .. } => Ok("Data yang dimaksud tidak ditemukan.".into()),
        AppError::Unprocessable { code: "exists", .. } => Ok("Data dengan kode itu sudah ada.".into()),
        AppError::BadRequest { .. } => Ok("Isian formulir tidak dapat dibaca; periksa kembali.".into()),
        AppError::Unprocessable { message, .. } | AppError::Forbidden { message } => Ok(message),
        AppError::Internal(detail) => {
            tracing::error!(%detail, "internal error");
            Err(AppError::Internal(detail))
        }
        other => Ok(other.to_string()),
    }
}

/// Send a form: check its CSRF token, run `action` off the async workers,
/// then send the browser on to `done` (303) — or, when the rules refuse,
/// show the page `again` with the refusal in Indonesian (status 422).
pub async fn submit<A, P, T>(s: &AppState, hr: &WebHr, csrf: &str, done: String, action: A, again: P) -> Response
where
    A: FnOnce(&AppState) -> Result<(), AppError> + Send + 'static,
    P: FnOnce(&Ctx, String) -> Result<T, AppError> + Send + 'static,
    T: Template + Send + 'static,
{
    if let Err(e) = hr.check(csrf) {
        return fail(e);
    }
    let st = s.clone();
    let refused = match s.blocking(move || Ok(action(&st))).await {
        Ok(Ok(())) => return Redirect::to(&done).into_response(),
        Ok(Err(e)) | Err(e) => match refusal(e) {
            Ok(message) => message,
            Err(e) => return fail(e),
        },
    };
    let mut r = show(s, hr, move |ctx| again(ctx, refused)).await;
    if r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// Labels of the domain's enums, as people read them.
pub mod label {
    use super::{AppraisalStatus, Predikat, Rating};

    pub fn rating(r: Option<Rating>) -> &'static str {
        r.map_or("–", Rating::label_id)
    }

    pub fn predikat(p: Option<Predikat>) -> &'static str {
        p.map_or("–", Predikat::label_id)
    }

    pub fn status(s: AppraisalStatus) -> &'static str {
        s.label_id()
    }
}

/// A server timestamp (ms) as local date and time.
pub fn local_time(ms: i64, utc_offset_minutes: i32) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        let local = t.naive_utc() + chrono::Duration::minutes(i64::from(utc_offset_minutes));
        local.format("%Y-%m-%d %H:%M").to_string()
    })
}

/// A value with two decimals, or a dash.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
