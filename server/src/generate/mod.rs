//! A generator of realistic HR data for the report API: agencies and units,
//! employees with valid NIPs, appraisals, citizen feedback, training,
//! mentoring, and the inputs HR enters (unit ratings, potential scores,
//! sanctions).
//!
//! Everything is deterministic for a seed: the same [`Options`] give the same
//! records and ids, so tests can compute the figures a report must show from
//! the [`Dataset`] they loaded, and a second `generate` of the same options
//! rewrites the same rows instead of adding new ones.
//!
//! Records are written into the merged view directly
//! ([`Storage::load_merged`]), without CRDT documents: reports never read
//! documents, and loading a million documents through automerge would take
//! many minutes and measure the sync path, not the reports. Nothing is left
//! for devices to pull, so this is for load tests and demos only.
//!
//! Every record is built with core's types and passes their `validate()`;
//! anything that does not is an error, never a panic.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use prestasi_core::doc::DocKind;
use prestasi_core::error::ValidationError;
use prestasi_core::model::{
    Appraisal, AppraisalStatus, BehaviourValue, Channel, DocId, Employee, Feedback, Innovation, Mentoring,
    MentoringSession, Period, PositionKind, SkpTarget, Training, Unit,
};
use prestasi_core::rules::promotion::EducationCeilings;
use prestasi_core::rules::settings::WIB_OFFSET_MINUTES;
use prestasi_core::rules::{
    DevelopmentForm, Education, FunctionalLevel, Nip, Rank, Rating, Sanction, Scores, UnitRating, suggest_hasil_kerja,
    suggest_perilaku,
};

use crate::storage::{DocWrite, PotentialRow, Record, SanctionRow, Storage, StorageError, UnitPeriodRow};

mod catalogue;
mod plan;
mod rng;

use catalogue::*;
use plan::*;
use rng::*;

/// Merged-view rows written per [`Storage::load_merged`] call (one
/// transaction each).
pub const BATCH: usize = 5_000;

/// The `origin` of every generated row.
pub const ORIGIN: &str = "generator";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;
/// Service hours are in the tenant's default time zone (WIB).
const LOCAL_OFFSET_MS: i64 = WIB_OFFSET_MINUTES as i64 * 60 * 1000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub agencies: u32,
    pub units_per_agency: u32,
    /// All employees, including agency and unit heads and a few inactive.
    pub employees: u32,
    /// Appraisal period codes, oldest first (`2025-S1`, …); the last one is
    /// the period still in progress.
    pub periods: Vec<String>,
    pub feedback: u32,
    /// Per active employee, spread over the years of `periods`.
    pub trainings_per_employee: u32,
    /// `received_at` of the feedback lies in `[start_ms, end_ms)`.
    pub start_ms: i64,
    /// Also the `received_at` of every other generated row.
    pub end_ms: i64,
}

/// 2025-01-01T00:00 WIB.
const START_2025_WIB_MS: i64 = 1_735_664_400_000;
/// 2027-01-01T00:00 WIB.
const END_2026_WIB_MS: i64 = 1_798_736_400_000;

impl Options {
    /// For tests: 3 agencies × 3 units, 300 employees, four semesters of
    /// 2025–2026, 3,000 feedback over those two years, 2 trainings each.
    pub fn small() -> Self {
        Self {
            seed: 1,
            agencies: 3,
            units_per_agency: 3,
            employees: 300,
            periods: semesters(),
            feedback: 3_000,
            trainings_per_employee: 2,
            start_ms: START_2025_WIB_MS,
            end_ms: END_2026_WIB_MS,
        }
    }

    /// The load test: at least 200,000 appraisals (52,500 employees
    /// × 4 semesters, less agency heads, the inactive and the ~5% not yet
    /// appraised in the current semester) and 1,000,000 feedback, in
    /// 10 agencies × 20 units.
    pub fn load_test() -> Self {
        Self {
            seed: 1,
            agencies: 10,
            units_per_agency: 20,
            employees: 52_500,
            periods: semesters(),
            feedback: 1_000_000,
            trainings_per_employee: 4,
            start_ms: START_2025_WIB_MS,
            end_ms: END_2026_WIB_MS,
        }
    }
}

fn semesters() -> Vec<String> {
    ["2025-S1", "2025-S2", "2026-S1", "2026-S2"].map(String::from).to_vec()
}

/// Everything [`dataset`] generates, in load order.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub units: Vec<Unit>,
    pub employees: Vec<Employee>,
    pub appraisals: Vec<(DocId, Appraisal)>,
    /// With its `received_at` (server clock, ms).
    pub feedback: Vec<(DocId, Feedback, i64)>,
    pub trainings: Vec<(DocId, Training)>,
    pub mentoring: Vec<(DocId, Mentoring)>,
    pub unit_periods: Vec<UnitPeriodRow>,
    pub potentials: Vec<PotentialRow>,
    pub sanctions: Vec<SanctionRow>,
    /// `received_at` of every row but feedback ([`Options::end_ms`]).
    pub received_at: i64,
}

impl Dataset {
    pub fn summary(&self) -> Summary {
        Summary {
            units: self.units.len(),
            employees: self.employees.len(),
            appraisals: self.appraisals.len(),
            feedback: self.feedback.len(),
            trainings: self.trainings.len(),
            mentoring: self.mentoring.len(),
            unit_periods: self.unit_periods.len(),
            potentials: self.potentials.len(),
            sanctions: self.sanctions.len(),
        }
    }
}

/// How many rows of each kind were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub units: usize,
    pub employees: usize,
    pub appraisals: usize,
    pub feedback: usize,
    pub trainings: usize,
    pub mentoring: usize,
    pub unit_periods: usize,
    pub potentials: usize,
    pub sanctions: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} units, {} employees, {} appraisals, {} feedback, {} trainings, {} mentoring pairs, \
             {} unit ratings, {} potential scores, {} sanctions",
            self.units,
            self.employees,
            self.appraisals,
            self.feedback,
            self.trainings,
            self.mentoring,
            self.unit_periods,
            self.potentials,
            self.sanctions
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Bad options, or a generated record its validator refused.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(what: &str, e: impl std::fmt::Display) -> GenerateError {
    GenerateError::Invalid(format!("{what}: {e}"))
}

fn refused(what: &str) -> impl FnOnce(ValidationError) -> GenerateError + '_ {
    move |e| invalid(what, e)
}

/// Progress callback: `(what, done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// The whole data set in memory, for tests (use [`generate`] for big sizes).
pub fn dataset(o: &Options) -> Result<Dataset, GenerateError> {
    let plan = Plan::new(o)?;
    let mut d = Dataset {
        units: plan.units.iter().map(|u| u.unit.clone()).collect(),
        employees: plan.people.iter().map(|p| p.employee.clone()).collect(),
        received_at: o.end_ms,
        ..Dataset::default()
    };
    for (p, k) in plan.appraisal_keys() {
        d.appraisals.push(plan.appraisal(p, k)?);
    }
    for i in 0..o.feedback {
        d.feedback.push(plan.feedback(i)?);
    }
    for p in plan.trainees() {
        d.trainings.extend(plan.trainings(p)?);
    }
    for m in 0..plan.mentoring.len() {
        d.mentoring.push(plan.mentoring(m)?);
    }
    d.unit_periods = plan.unit_periods.clone();
    d.potentials = plan.potentials.clone();
    d.sanctions = plan.sanctions.clone();
    Ok(d)
}

/// Write a [`dataset`] into `tenant`'s merged view and HR inputs, in
/// batches of [`BATCH`] rows.
pub fn load(storage: &dyn Storage, tenant: &str, d: &Dataset, progress: Progress<'_>) -> Result<(), GenerateError> {
    let mut l = Loader::new(storage, tenant, progress)?;
    let at = d.received_at;
    l.docs("units", d.units.len(), d.units.iter().map(|u| Ok(unit_write(u, at))))?;
    l.docs("employees", d.employees.len(), d.employees.iter().map(|e| Ok(employee_write(e, at))))?;
    l.docs(
        "appraisals",
        d.appraisals.len(),
        d.appraisals.iter().map(|(id, a)| Ok((*id, Record::Appraisal(a.clone()), at))),
    )?;
    l.docs(
        "feedback",
        d.feedback.len(),
        d.feedback.iter().map(|(id, f, t)| Ok((*id, Record::Feedback(f.clone()), *t))),
    )?;
    l.docs(
        "trainings",
        d.trainings.len(),
        d.trainings.iter().map(|(id, t)| Ok((*id, Record::Training(t.clone()), at))),
    )?;
    l.docs(
        "mentoring",
        d.mentoring.len(),
        d.mentoring.iter().map(|(id, m)| Ok((*id, Record::Mentoring(m.clone()), at))),
    )?;
    l.inputs(&d.unit_periods, &d.potentials, &d.sanctions)?;
    Ok(())
}

/// Generate and load batch by batch, so memory stays small whatever the
/// sizes (only the roster is kept). Writes the same rows as
/// `load(dataset(o))`.
pub fn generate(
    storage: &dyn Storage,
    tenant: &str,
    o: &Options,
    progress: Progress<'_>,
) -> Result<Summary, GenerateError> {
    let plan = Plan::new(o)?;
    let at = o.end_ms;
    let mut l = Loader::new(storage, tenant, progress)?;
    l.docs("units", plan.units.len(), plan.units.iter().map(|u| Ok(unit_write(&u.unit, at))))?;
    l.docs("employees", plan.people.len(), plan.people.iter().map(|p| Ok(employee_write(&p.employee, at))))?;
    let keys: Vec<(usize, usize)> = plan.appraisal_keys().collect();
    l.docs(
        "appraisals",
        keys.len(),
        keys.iter().map(|&(p, k)| plan.appraisal(p, k).map(|(id, a)| (id, Record::Appraisal(a), at))),
    )?;
    l.docs(
        "feedback",
        o.feedback as usize,
        (0..o.feedback).map(|i| plan.feedback(i).map(|(id, f, t)| (id, Record::Feedback(f), t))),
    )?;
    let trainees: Vec<usize> = plan.trainees().collect();
    let per = o.trainings_per_employee as usize;
    let trainings = trainees.iter().flat_map(|&p| match plan.trainings(p) {
        Ok(v) => v.into_iter().map(|(id, t)| Ok((id, Record::Training(t), at))).collect::<Vec<_>>(),
        Err(e) => vec![Err(e)],
    });
    l.docs("trainings", trainees.len() * per, trainings)?;
    l.docs(
        "mentoring",
        plan.mentoring.len(),
        (0..plan.mentoring.len()).map(|m| plan.mentoring(m).map(|(id, x)| (id, Record::Mentoring(x), at))),
    )?;
    l.inputs(&plan.unit_periods, &plan.potentials, &plan.sanctions)?;
    Ok(l.summary)
}

// ---------------------------------------------------------------------------
// Loading

struct Loader<'a> {
    storage: &'a dyn Storage,
    tenant: &'a str,
    batch: Vec<DocWrite>,
    progress: Progress<'a>,
    summary: Summary,
}

fn kind_of(r: &Record) -> DocKind {
    match r {
        Record::Employee(_) => DocKind::Employee,
        Record::Unit(_) => DocKind::Unit,
        Record::Appraisal(_) => DocKind::Appraisal,
        Record::Feedback(_) => DocKind::Feedback,
        Record::Training(_) => DocKind::Training,
        Record::Mentoring(_) => DocKind::Mentoring,
        Record::Allowance(_) => DocKind::Allowance,
        Record::Award(_) => DocKind::Award,
    }
}

/// The id the HR import gives a unit.
pub fn unit_doc_id(unit_id: &str) -> DocId {
    DocId::derived(&format!("unit/{unit_id}"))
}

/// The id the HR import gives an employee.
pub fn employee_doc_id(nip: &Nip) -> DocId {
    DocId::derived(&format!("employee/{nip}"))
}

fn unit_write(u: &Unit, at: i64) -> (DocId, Record, i64) {
    (unit_doc_id(&u.id), Record::Unit(u.clone()), at)
}

fn employee_write(e: &Employee, at: i64) -> (DocId, Record, i64) {
    (employee_doc_id(&e.nip), Record::Employee(e.clone()), at)
}

impl<'a> Loader<'a> {
    fn new(storage: &'a dyn Storage, tenant: &'a str, progress: Progress<'a>) -> Result<Self, GenerateError> {
        if storage.tenant(tenant)?.is_none() {
            return Err(GenerateError::Invalid(format!("tenant {tenant} does not exist")));
        }
        Ok(Self { storage, tenant, batch: Vec::with_capacity(BATCH), progress, summary: Summary::default() })
    }

    fn flush(&mut self) -> Result<(), GenerateError> {
        if !self.batch.is_empty() {
            // In key order, so each B-tree page is touched once per batch.
            self.batch.sort_unstable_by_key(|w| w.id);
            let batch = &self.batch;
            self.storage.write(&mut |tx| {
                for w in batch {
                    tx.append(w)?;
                }
                Ok(())
            })?;
            self.batch.clear();
        }
        Ok(())
    }

    /// Write one kind of record, reporting progress after every batch.
    fn docs(
        &mut self,
        what: &str,
        total: usize,
        items: impl Iterator<Item = Result<(DocId, Record, i64), GenerateError>>,
    ) -> Result<(), GenerateError> {
        (self.progress)(what, 0, total);
        let mut done = 0;
        for item in items {
            let (id, record, received_at) = item?;
            self.batch.push(DocWrite {
                tenant: self.tenant.to_string(),
                id,
                kind: kind_of(&record),
                chunk: Vec::new(),
                compacted: None,
                heads: Vec::new(),
                origin: ORIGIN.to_string(),
                received_at,
                projection: crate::sync::projection(id, &record, Vec::new()),
                // Seeded straight into the view: no device signed it.
                sigs: Vec::new(),
            });
            done += 1;
            if self.batch.len() >= BATCH {
                self.flush()?;
                (self.progress)(what, done, total);
            }
        }
        if !self.batch.is_empty() {
            self.flush()?;
            (self.progress)(what, done, total);
        }
        let slot = match what {
            "units" => &mut self.summary.units,
            "employees" => &mut self.summary.employees,
            "appraisals" => &mut self.summary.appraisals,
            "feedback" => &mut self.summary.feedback,
            "trainings" => &mut self.summary.trainings,
            _ => &mut self.summary.mentoring,
        };
        *slot = done;
        Ok(())
    }

    /// HR inputs, one row at a time (the only way [`ReportStore`] offers).
    ///
    /// [`ReportStore`]: crate::storage::ReportStore
    fn inputs(
        &mut self,
        unit_periods: &[UnitPeriodRow],
        potentials: &[PotentialRow],
        sanctions: &[SanctionRow],
    ) -> Result<(), GenerateError> {
        let (s, t) = (self.storage, self.tenant);
        self.rows("unit ratings", unit_periods, |r| s.set_unit_period(t, r))?;
        self.summary.unit_periods = unit_periods.len();
        self.rows("potentials", potentials, |r| s.set_potential(t, r))?;
        self.summary.potentials = potentials.len();
        self.rows("sanctions", sanctions, |r| s.add_sanction(t, r))?;
        self.summary.sanctions = sanctions.len();
        Ok(())
    }

    fn rows<T>(
        &mut self,
        what: &str,
        rows: &[T],
        mut put: impl FnMut(&T) -> Result<(), StorageError>,
    ) -> Result<(), GenerateError> {
        (self.progress)(what, 0, rows.len());
        for (i, r) in rows.iter().enumerate() {
            put(r)?;
            if (i + 1) % BATCH == 0 || i + 1 == rows.len() {
                (self.progress)(what, i + 1, rows.len());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
