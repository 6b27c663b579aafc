//! HR's reports: merit decisions computed from the merged view.
//!
//! Each report module reads facts through [`crate::storage::ReportStore`]
//! (the database counts and sums on indexes) and decides with
//! `prestasi_core::rules` — there is no second copy of a rule here. Every
//! report is a list of flat rows, served as JSON or, with `format=csv`, as
//! the CSV an admin downloads (see [`table`]).

pub(crate) mod actions;
pub(crate) mod calibration;
pub(crate) mod completion;
pub(crate) mod development;
pub(crate) mod evidence;
mod exports;
mod inputs;
pub(crate) mod programmes;
pub(crate) mod rewards;
pub(crate) mod skm;
pub(crate) mod table;
pub(crate) mod talent;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, NaiveTime};
use prestasi_core::model::Period;
use prestasi_core::rules::settings::RuleSettings;
use serde::Deserialize;

use crate::auth::HrAuth;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{Storage, UnitRow, Window};
use table::{Format, Tabular};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(completion::router())
        .merge(evidence::router())
        .merge(actions::router())
        .merge(calibration::router())
        .merge(skm::router())
        .merge(development::router())
        .merge(programmes::router())
        .merge(talent::router())
        .merge(rewards::router())
        .merge(exports::router())
        .merge(inputs::router())
}

/// Query parameters shared by the reports; each report says which it needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    pub period: Option<String>,
    pub unit: Option<String>,
    pub agency: Option<String>,
    pub year: Option<i32>,
    /// Reference date for promotion checks (default: today).
    pub as_of: Option<NaiveDate>,
    /// Only the rows HR acts on: employees below 20 JP (development),
    /// flagged appraisers (appraisers), eligible employees (promotion).
    #[serde(default)]
    pub below: bool,
    #[serde(default)]
    pub format: Format,
    /// The CSV download's separator: `,` (default) or `;`.
    #[serde(default)]
    pub sep: table::Separator,
}

impl Params {
    pub fn period(&self) -> Result<Period, AppError> {
        let code = self
            .period
            .as_deref()
            .ok_or_else(|| AppError::bad_request("missing_period", "Parameter period wajib diisi."))?;
        Ok(Period::parse(code)?)
    }

    /// `year` (0–9999, the years a period code can name), or else the
    /// year of `period`, or else the current year (UTC, as `as_of` defaults
    /// to today). A `period` given with `year` must still be a period code:
    /// a typo is refused, not ignored.
    pub fn year(&self) -> Result<i32, AppError> {
        if let Some(y) = self.year.filter(|y| !(0..=9999).contains(y)) {
            return Err(prestasi_core::ValidationError::out_of_range("year", y, 0, 9999).into());
        }
        match (self.year, &self.period) {
            (Some(y), None) => Ok(y),
            (Some(y), Some(_)) => self.period().map(|_| y),
            (None, Some(_)) => Ok(self.period()?.year()),
            (None, None) => Ok(chrono::Utc::now().year()),
        }
    }
}

/// What every report computation gets: the tenant's storage, its rule
/// settings and its units.
#[derive(Debug)]
pub struct Ctx {
    pub tenant: String,
    pub storage: Arc<dyn Storage>,
    pub settings: RuleSettings,
    pub units: HashMap<String, UnitRow>,
}

impl Ctx {
    pub fn load(storage: Arc<dyn Storage>, tenant: String) -> Result<Self, AppError> {
        let settings = settings_of(storage.as_ref(), &tenant)?;
        let units = storage.units(&tenant)?.into_iter().map(|u| (u.id.clone(), u)).collect();
        Ok(Self { tenant, storage, settings, units })
    }

    /// Every employee's name by NIP.
    pub fn names(&self) -> Result<HashMap<String, String>, AppError> {
        Ok(self.storage.staff(&self.tenant)?.into_iter().map(|e| (e.nip, e.name)).collect())
    }

    pub fn unit_name(&self, id: &str) -> String {
        self.units.get(id).map(|u| u.name.clone()).unwrap_or_else(|| id.to_string())
    }

    pub fn agency_of(&self, unit: &str) -> (String, String) {
        self.units
            .get(unit)
            .map(|u| (u.agency_id.clone(), u.agency_name.clone()))
            .unwrap_or_else(|| (String::new(), String::new()))
    }

    /// Does `unit` pass the `unit`/`agency` filters of `p`?
    pub fn selected(&self, p: &Params, unit: &str) -> bool {
        p.unit.as_deref().is_none_or(|u| u == unit) && p.agency.as_deref().is_none_or(|a| self.agency_of(unit).0 == a)
    }

    /// The period's days as a `received_at` window, in the tenant's time zone.
    pub fn window(&self, period: &Period) -> Window {
        let ms = |d: NaiveDate| {
            d.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
                - i64::from(self.settings.utc_offset_minutes) * 60_000
        };
        Window { from_ms: ms(period.start), to_ms: ms(period.end.succ_opt().unwrap_or(period.end)) }
    }
}

/// Two independent reads at once, `b` on a thread of its own. Each read
/// takes its own connection (both backends pool them), so while the
/// database answers one this process decodes the other's rows: a
/// tenant-wide report waits for the longer read, not for their sum. Reads
/// were never one snapshot (each storage call is its own), so running them
/// side by side changes no answer.
pub fn both<A: Send, B: Send>(
    a: impl FnOnce() -> Result<A, AppError> + Send,
    b: impl FnOnce() -> Result<B, AppError> + Send,
) -> Result<(A, B), AppError> {
    std::thread::scope(|s| {
        let b = s.spawn(b);
        let a = a();
        let b = b.join().map_err(|_| AppError::Internal("a report read panicked".into()))?;
        Ok((a?, b?))
    })
}

/// `read` for every item at once, each on a thread of its own (see
/// [`both`]); the answers in the items' order.
pub fn each<I: Sync, T: Send>(
    items: &[I],
    read: impl Fn(&I) -> Result<T, AppError> + Sync,
) -> Result<Vec<T>, AppError> {
    std::thread::scope(|s| {
        let read = &read;
        let running: Vec<_> = items.iter().map(|i| s.spawn(move || read(i))).collect();
        running
            .into_iter()
            .map(|r| r.join().map_err(|_| AppError::Internal("a report read panicked".into()))?)
            .collect()
    })
}

pub(crate) fn settings_of(storage: &dyn Storage, tenant: &str) -> Result<RuleSettings, AppError> {
    match storage.settings(tenant)? {
        None => Ok(RuleSettings::default()),
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("stored settings of {tenant} do not parse: {e}"))),
    }
}

/// Run a report: load the context off the async workers, compute, answer
/// in the requested format.
pub async fn run<T>(
    s: AppState,
    hr: HrAuth,
    p: Params,
    compute: fn(&Ctx, &Params) -> Result<Vec<T>, AppError>,
) -> Result<Response, AppError>
where
    T: Tabular + Send + 'static,
{
    let storage = s.storage.clone();
    let (format, sep) = (p.format, p.sep);
    let rows = s
        .blocking(move || {
            let ctx = Ctx::load(storage, hr.tenant_id)?;
            compute(&ctx, &p)
        })
        .await?;
    table::respond(format, sep, &rows)
}
