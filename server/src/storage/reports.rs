//! What HR's reports read: facts from the merged view (counts and sums
//! done by the database, on indexes) and the inputs HR enters. Decisions —
//! predikat, IKM, 9-box, eligibility — are never made here: the report code
//! hands these facts to `prestasi_core::rules`.

use std::collections::BTreeMap;

use prestasi_core::model::{AppraisalStatus, BehaviourValue};
use prestasi_core::rules::{Predikat, Rating};
use serde::{Deserialize, Serialize};

use super::StorageError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRow {
    pub id: String,
    pub agency_id: String,
    pub agency_name: String,
    pub name: String,
    pub head_nip: Option<String>,
}

/// An employee with everything the talent and promotion rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRow {
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub superior_nip: Option<String>,
    pub rank: Option<String>,
    pub rank_since: Option<String>,
    pub education: Option<String>,
    pub position_kind: String,
    pub functional_level: Option<String>,
    pub position_title: String,
    pub active: bool,
}

/// One appraisal with its evidence counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppraisalFact {
    pub doc_id: String,
    pub employee_nip: String,
    pub period: String,
    pub unit_id: String,
    pub appraiser_nip: String,
    pub reviewer_nip: Option<String>,
    pub status: AppraisalStatus,
    pub hasil_kerja: Option<Rating>,
    pub perilaku: Option<Rating>,
    pub predikat: Option<Predikat>,
    pub targets: u32,
    pub targets_above: u32,
    pub targets_below: u32,
    pub innovations: u32,
    /// Rated BerAKHLAK values only.
    #[serde(skip)]
    pub behaviour: BTreeMap<BehaviourValue, Rating>,
    /// Indicators of the targets rated below expectations, in order.
    #[serde(skip)]
    pub weak_targets: Vec<String>,
}

/// What the development report reads of every appraisal of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingsRow {
    pub employee_nip: String,
    pub behaviour: BTreeMap<BehaviourValue, Rating>,
    pub weak_targets: Vec<String>,
}

/// An appraisal's predikat with its stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredikatRow {
    pub employee_nip: String,
    pub status: AppraisalStatus,
    pub predikat: Predikat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnovationRow {
    /// The item's id in the document.
    #[serde(skip)]
    pub item_id: String,
    pub what: String,
    pub date: String,
    pub effect: String,
}

/// Summed SKM answers of one group (a unit and service, or an officer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackSums {
    pub key: String,
    pub service: String,
    pub respondents: u64,
    pub sums: [u64; 9],
    pub minutes_waited: u64,
}

/// Half-open time window of `received_at` (server clock, ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Window {
    /// The local months it covers (`YYYY-MM`, at `utc_offset_minutes`), each
    /// with the time it starts within the window (ms).
    pub fn month_starts(&self, utc_offset_minutes: i32) -> Vec<(String, i64)> {
        use chrono::{Datelike, Months, NaiveDate};
        let offset_ms = i64::from(utc_offset_minutes) * 60_000;
        let local = |ms: i64| chrono::DateTime::from_timestamp_millis(ms + offset_ms).map(|d| d.date_naive());
        let (Some(first), Some(last)) = (local(self.from_ms), local(self.to_ms - 1)) else { return Vec::new() };
        let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1);
        let mut out = Vec::new();
        while let Some(m) = month.filter(|m| *m <= last) {
            let start = m.and_hms_opt(0, 0, 0).map_or(self.from_ms, |t| t.and_utc().timestamp_millis() - offset_ms);
            out.push((m.format("%Y-%m").to_string(), start.max(self.from_ms)));
            month = m.checked_add_months(Months::new(1));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentRow {
    pub unit_id: String,
    pub service: String,
    pub officer_nip: Option<String>,
    pub comment: String,
    pub received_at: i64,
}

/// Respondents and minutes waited per unit and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingRow {
    pub unit_id: String,
    pub month: String,
    pub respondents: u64,
    pub minutes_waited: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingRow {
    pub doc_id: String,
    pub employee_nip: String,
    pub form: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub minutes: u32,
    pub programme_id: Option<String>,
    #[serde(skip)]
    pub provider: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentoringRow {
    pub doc_id: String,
    pub mentor_nip: String,
    pub mentee_nip: String,
    pub unit_id: String,
    pub start_date: String,
    pub active: bool,
    pub sessions: u32,
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitPeriodRow {
    pub unit_id: String,
    pub period: String,
    /// A `prestasi_core::rules::UnitRating` name.
    pub rating: Option<String>,
    pub population: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PotentialRow {
    pub nip: String,
    pub score: f64,
    pub assessed_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionRow {
    pub nip: String,
    /// A `prestasi_core::rules::Sanction` name.
    pub level: String,
    pub decided_on: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeRow {
    pub id: String,
    pub title: String,
    /// A `prestasi_core::rules::DevelopmentForm` name.
    pub form: String,
    pub provider: String,
    pub start_date: String,
    pub end_date: String,
    pub minutes: u32,
    pub seats: u32,
    /// A BerAKHLAK value key (`kompeten`, …) the programme strengthens.
    pub value: Option<String>,
    /// Units whose staff may attend; empty: the whole tenant.
    pub unit_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatRow {
    pub position: u32,
    pub nip: String,
    pub reason: String,
}

/// Reads for HR's reports and the inputs HR enters. Every method is scoped
/// to one tenant.
pub trait ReportStore {
    fn units(&self, tenant: &str) -> Result<Vec<UnitRow>, StorageError>;
    fn staff(&self, tenant: &str) -> Result<Vec<StaffRow>, StorageError>;
    /// Appraisals of the given periods (all units when `unit` is `None`).
    fn appraisal_facts(
        &self,
        tenant: &str,
        periods: &[String],
        unit: Option<&str>,
    ) -> Result<Vec<AppraisalFact>, StorageError>;
    fn appraisal_fact(&self, tenant: &str, doc_id: &str) -> Result<Option<AppraisalFact>, StorageError>;
    fn innovations(&self, tenant: &str, doc_id: &str) -> Result<Vec<InnovationRow>, StorageError>;
    /// The ratings of every appraisal of `period`, as [`AppraisalFact`]
    /// holds them.
    fn appraisal_ratings(&self, tenant: &str, period: &str) -> Result<Vec<RatingsRow>, StorageError>;
    /// Every appraisal of `period` that has a predikat, with its stage.
    fn predikats(&self, tenant: &str, period: &str) -> Result<Vec<PredikatRow>, StorageError>;
    /// Every period code that has an appraisal, newest first.
    fn periods(&self, tenant: &str) -> Result<Vec<String>, StorageError>;

    /// SKM sums per unit (`key`) and service.
    fn feedback_by_service(&self, tenant: &str, w: Window) -> Result<Vec<FeedbackSums>, StorageError>;
    /// SKM sums per officer (`key` = NIP): of `officers` when given (the
    /// backend picks how to read a few or many), of everyone otherwise.
    fn feedback_by_officer(
        &self,
        tenant: &str,
        w: Window,
        officers: Option<&[String]>,
    ) -> Result<Vec<FeedbackSums>, StorageError>;
    /// Newest non-empty comments first.
    fn feedback_comments(
        &self,
        tenant: &str,
        w: Window,
        unit: Option<&str>,
        officer: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CommentRow>, StorageError>;
    /// Per unit and month (local time at `utc_offset_minutes`).
    fn waiting_by_month(
        &self,
        tenant: &str,
        w: Window,
        utc_offset_minutes: i32,
    ) -> Result<Vec<WaitingRow>, StorageError>;

    /// Trainings that ended between the two dates (inclusive, `YYYY-MM-DD`).
    fn trainings(&self, tenant: &str, from: &str, to: &str) -> Result<Vec<TrainingRow>, StorageError>;
    /// Minutes of development per employee over the same trainings, summed
    /// from an index alone.
    fn training_minutes(&self, tenant: &str, from: &str, to: &str) -> Result<Vec<(String, u64)>, StorageError>;
    fn mentoring(&self, tenant: &str) -> Result<Vec<MentoringRow>, StorageError>;

    fn settings(&self, tenant: &str) -> Result<Option<String>, StorageError>;
    fn set_settings(&self, tenant: &str, json: &str) -> Result<(), StorageError>;
    fn unit_periods(&self, tenant: &str, period: &str) -> Result<Vec<UnitPeriodRow>, StorageError>;
    fn set_unit_period(&self, tenant: &str, row: &UnitPeriodRow) -> Result<(), StorageError>;
    fn potentials(&self, tenant: &str) -> Result<Vec<PotentialRow>, StorageError>;
    fn set_potential(&self, tenant: &str, row: &PotentialRow) -> Result<(), StorageError>;
    fn sanctions(&self, tenant: &str) -> Result<Vec<SanctionRow>, StorageError>;
    fn add_sanction(&self, tenant: &str, row: &SanctionRow) -> Result<(), StorageError>;
    fn programmes(&self, tenant: &str) -> Result<Vec<ProgrammeRow>, StorageError>;
    fn create_programme(&self, tenant: &str, row: &ProgrammeRow) -> Result<(), StorageError>;
    /// Replace the programme's seat list.
    fn set_seats(&self, tenant: &str, programme: &str, seats: &[SeatRow]) -> Result<(), StorageError>;
    fn seats(&self, tenant: &str, programme: &str) -> Result<Vec<SeatRow>, StorageError>;
}
