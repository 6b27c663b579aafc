//! A generator of realistic HR data for the report API: agencies and units,
//! employees with valid NIPs, appraisals, citizen feedback, training,
//! mentoring, and the inputs HR enters (unit ratings, potential scores,
//! sanctions).
//!
//! Everything is deterministic for a seed: the same [`Options`] give the same
//! records and ids, so tests can compute the figures a report must show from
//! the [`Dataset`] they loaded, and a second `generate` of the same options
//! finds every document already there and writes nothing new.
//!
//! Records are stored through the server's one bulk write path,
//! [`admin::seed`]: each is a real automerge document, written by the
//! server as the HR officer [`OFFICER`], signed with the server's key and
//! checked like every other write, so reports, HR's pages (an appraisal's
//! history included) and devices' sync all see ordinary data. Appraisals in
//! every status are HR's record of past appraisals, which the rules let HR
//! create as they were (see `admin::seed`). Records are dated when they
//! would have arrived: the roster at [`Options::start_ms`], each appraisal
//! at the end of its period, a training when it ended, a mentoring pair at
//! its last session, each feedback when the citizen gave it — never after
//! [`Options::end_ms`]. HR's inputs (unit ratings, potential scores,
//! sanctions) are rows, not documents, and go through the same
//! [`ReportStore`] calls as HR's forms.
//!
//! Every record is built with core's types and passes their `validate()`;
//! anything that does not is an error, never a panic.
//!
//! [`ReportStore`]: prestasi_server::storage::ReportStore

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
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

use prestasi_server::admin::{self, Seed};
use prestasi_server::error::AppError;
use prestasi_server::state::ServerIdentity;
use prestasi_server::storage::{PotentialRow, Record, SanctionRow, Storage, StorageError, UnitPeriodRow};

mod catalogue;
mod plan;
mod rng;

use catalogue::*;
use plan::*;
use rng::*;

/// Records handed to [`admin::seed`] at once (it writes them in batches
/// of [`admin::SEED_BATCH`], one transaction each); bounds the memory.
pub const CHUNK: usize = 20_000;

/// The HR officer named on every generated document.
pub const OFFICER: &str = "generator";

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
    /// `received_at` of the feedback lies in `[start_ms, end_ms)`; also
    /// when the roster (units, employees) arrives.
    pub start_ms: i64,
    /// Nothing arrives later (see the module documentation).
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
    /// [`Options::start_ms`] and [`Options::end_ms`]: when the records
    /// other than feedback arrive (see the module documentation).
    pub start_ms: i64,
    pub end_ms: i64,
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
    /// The server refused a record, or could not store it.
    #[error(transparent)]
    Server(#[from] AppError),
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
        start_ms: o.start_ms,
        end_ms: o.end_ms,
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

/// When a record other than feedback arrives: the end of `day` (the next
/// midnight in WIB), but not after `end_ms`.
fn day_end_ms(day: NaiveDate, end_ms: i64) -> i64 {
    (date_ms(day.succ_opt().unwrap_or(day)) - LOCAL_OFFSET_MS).min(end_ms)
}

/// When an appraisal arrives: at the end of its period (see [`day_end_ms`]).
fn appraisal_at(a: &Appraisal, end_ms: i64) -> i64 {
    Period::parse(&a.period).map_or(end_ms, |p| day_end_ms(p.end, end_ms))
}

/// When a training arrives: when it ended (see [`day_end_ms`]).
pub fn training_at(t: &Training, end_ms: i64) -> i64 {
    day_end_ms(t.end, end_ms)
}

fn mentoring_at(m: &Mentoring, end_ms: i64) -> i64 {
    day_end_ms(m.sessions.iter().map(|s| s.date).max().unwrap_or(m.start), end_ms)
}

/// Write a [`dataset`] into `tenant` through [`admin::seed`], then HR's
/// inputs.
pub fn load(storage: &dyn Storage, tenant: &str, d: &Dataset, progress: Progress<'_>) -> Result<(), GenerateError> {
    let mut l = Loader::new(storage, tenant, progress)?;
    let (start, end) = (d.start_ms, d.end_ms);
    l.docs("units", d.units.len(), d.units.iter().map(|u| Ok(unit_seed(u, start))))?;
    l.docs("employees", d.employees.len(), d.employees.iter().map(|e| Ok(employee_seed(e, start))))?;
    l.docs("appraisals", d.appraisals.len(), d.appraisals.iter().map(|(id, a)| Ok(appraisal_seed(*id, a, end))))?;
    l.docs(
        "feedback",
        d.feedback.len(),
        d.feedback.iter().map(|(id, f, t)| Ok(Seed { id: *id, record: Record::Feedback(f.clone()), received_at: *t })),
    )?;
    l.docs("trainings", d.trainings.len(), d.trainings.iter().map(|(id, t)| Ok(training_seed(*id, t, end))))?;
    l.docs("mentoring", d.mentoring.len(), d.mentoring.iter().map(|(id, m)| Ok(mentoring_seed(*id, m, end))))?;
    l.inputs(&d.unit_periods, &d.potentials, &d.sanctions)?;
    Ok(())
}

/// Generate and load chunk by chunk, so memory stays small whatever the
/// sizes (only the roster is kept). Writes the same documents as
/// `load(dataset(o))`.
pub fn generate(
    storage: &dyn Storage,
    tenant: &str,
    o: &Options,
    progress: Progress<'_>,
) -> Result<Summary, GenerateError> {
    let plan = Plan::new(o)?;
    let (start, end) = (o.start_ms, o.end_ms);
    let mut l = Loader::new(storage, tenant, progress)?;
    l.docs("units", plan.units.len(), plan.units.iter().map(|u| Ok(unit_seed(&u.unit, start))))?;
    l.docs("employees", plan.people.len(), plan.people.iter().map(|p| Ok(employee_seed(&p.employee, start))))?;
    let keys: Vec<(usize, usize)> = plan.appraisal_keys().collect();
    l.docs(
        "appraisals",
        keys.len(),
        keys.iter().map(|&(p, k)| plan.appraisal(p, k).map(|(id, a)| appraisal_seed(id, &a, end))),
    )?;
    l.docs(
        "feedback",
        o.feedback as usize,
        (0..o.feedback)
            .map(|i| plan.feedback(i).map(|(id, f, t)| Seed { id, record: Record::Feedback(f), received_at: t })),
    )?;
    let trainees: Vec<usize> = plan.trainees().collect();
    let per = o.trainings_per_employee as usize;
    let trainings = trainees.iter().flat_map(|&p| match plan.trainings(p) {
        Ok(v) => v.into_iter().map(|(id, t)| Ok(training_seed(id, &t, end))).collect::<Vec<_>>(),
        Err(e) => vec![Err(e)],
    });
    l.docs("trainings", trainees.len() * per, trainings)?;
    l.docs(
        "mentoring",
        plan.mentoring.len(),
        (0..plan.mentoring.len()).map(|m| plan.mentoring(m).map(|(id, x)| mentoring_seed(id, &x, end))),
    )?;
    l.inputs(&plan.unit_periods, &plan.potentials, &plan.sanctions)?;
    Ok(l.summary)
}

// ---------------------------------------------------------------------------
// Loading

struct Loader<'a> {
    storage: &'a dyn Storage,
    server: ServerIdentity,
    tenant: &'a str,
    chunk: Vec<Seed>,
    progress: Progress<'a>,
    summary: Summary,
}

/// The id the HR import gives a unit.
pub fn unit_doc_id(unit_id: &str) -> DocId {
    DocId::derived(&format!("unit/{unit_id}"))
}

/// The id the HR import gives an employee.
pub fn employee_doc_id(nip: &Nip) -> DocId {
    DocId::derived(&format!("employee/{nip}"))
}

fn unit_seed(u: &Unit, at: i64) -> Seed {
    Seed { id: unit_doc_id(&u.id), record: Record::Unit(u.clone()), received_at: at }
}

fn employee_seed(e: &Employee, at: i64) -> Seed {
    Seed { id: employee_doc_id(&e.nip), record: Record::Employee(e.clone()), received_at: at }
}

fn appraisal_seed(id: DocId, a: &Appraisal, end: i64) -> Seed {
    Seed { id, record: Record::Appraisal(a.clone()), received_at: appraisal_at(a, end) }
}

fn training_seed(id: DocId, t: &Training, end: i64) -> Seed {
    Seed { id, record: Record::Training(t.clone()), received_at: training_at(t, end) }
}

fn mentoring_seed(id: DocId, m: &Mentoring, end: i64) -> Seed {
    Seed { id, record: Record::Mentoring(m.clone()), received_at: mentoring_at(m, end) }
}

impl<'a> Loader<'a> {
    fn new(storage: &'a dyn Storage, tenant: &'a str, progress: Progress<'a>) -> Result<Self, GenerateError> {
        if storage.tenant(tenant)?.is_none() {
            return Err(GenerateError::Invalid(format!("tenant {tenant} does not exist")));
        }
        let server = prestasi_server::state::server_identity(storage)?;
        // As the server does at start: a database this tool creates is
        // marked as holding this build's merged view (the seeded documents
        // are projected by it), an older one is brought up to date first.
        prestasi_server::sync::reproject::reproject_if_stale(storage)?;
        Ok(Self { storage, server, tenant, chunk: Vec::with_capacity(CHUNK), progress, summary: Summary::default() })
    }

    /// Seed the chunk; `done` records of `what` were done before it.
    fn flush(&mut self, what: &str, done: usize, total: usize) -> Result<(), GenerateError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let progress = &mut *self.progress;
        admin::seed(self.storage, &self.server, self.tenant, OFFICER, &self.chunk, &mut |n| {
            progress(what, done + n, total);
        })?;
        self.chunk.clear();
        Ok(())
    }

    /// Write one kind of record, reporting progress after every batch.
    fn docs(
        &mut self,
        what: &str,
        total: usize,
        items: impl Iterator<Item = Result<Seed, GenerateError>>,
    ) -> Result<(), GenerateError> {
        (self.progress)(what, 0, total);
        let mut done = 0;
        for item in items {
            self.chunk.push(item?);
            if self.chunk.len() >= CHUNK {
                self.flush(what, done, total)?;
                done += CHUNK;
            }
        }
        let last = self.chunk.len();
        self.flush(what, done, total)?;
        done += last;
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
    /// [`ReportStore`]: prestasi_server::storage::ReportStore
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
            if (i + 1) % admin::SEED_BATCH == 0 || i + 1 == rows.len() {
                (self.progress)(what, i + 1, rows.len());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
