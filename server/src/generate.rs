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
            self.storage.load_merged(&self.batch)?;
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
                record,
                conflicts: Vec::new(),
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

// ---------------------------------------------------------------------------
// Randomness: splitmix64, inline so the data never changes with a crate
// update.

#[derive(Debug, Clone)]
struct Rng(u64);

/// Independent streams, so each kind of record can be generated alone.
mod stream {
    pub const ROSTER: u64 = 1;
    pub const APPRAISAL: u64 = 2;
    pub const FEEDBACK: u64 = 3;
    pub const TRAINING: u64 = 4;
    pub const MENTORING: u64 = 5;
    pub const INPUTS: u64 = 6;
    pub const UNITS: u64 = 7;
}

impl Rng {
    /// The generator of item `i` of `stream`.
    fn derive(seed: u64, stream: u64, i: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let base = r.next_u64();
        let mut r = Self(base ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi.saturating_sub(lo)) + 1) as u32
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Roughly standard normal (Irwin–Hall of four uniforms).
    fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 3f64.sqrt()
    }

    fn pick<T: Copy>(&mut self, xs: &[T], fallback: T) -> T {
        xs.get(self.below(xs.len() as u64) as usize).copied().unwrap_or(fallback)
    }

    /// One of `items`, drawn by its weight.
    fn choose<T: Copy>(&mut self, items: &[(T, u32)], fallback: T) -> T {
        let weights: Vec<u32> = items.iter().map(|&(_, w)| w).collect();
        items.get(self.weighted(&weights)).map_or(fallback, |&(x, _)| x)
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// `n` distinct indices of `0..len`, in random order.
    fn distinct(&mut self, len: usize, n: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..len).collect();
        for i in 0..n.min(len) {
            let j = i + self.below((len - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx.truncate(n.min(len));
        idx
    }

    /// Bytes for the random part of a UUIDv7.
    fn bytes10(&mut self) -> [u8; 10] {
        let (a, b) = (self.next_u64().to_le_bytes(), self.next_u64().to_le_bytes());
        let mut out = [0u8; 10];
        for (o, x) in out.iter_mut().zip(a.iter().chain(b.iter())) {
            *o = *x;
        }
        out
    }

    /// A short item id (like core's `new_item_id`), unique within a record
    /// through its `position` prefix.
    fn item_id(&mut self, position: usize) -> String {
        format!("{:02x}{:010x}", position % 256, self.next_u64() & 0xff_ffff_ffff)
    }
}

/// A deterministic UUIDv7: created at `ms`, random part from `rng`.
fn v7(ms: i64, rng: &mut Rng) -> DocId {
    let ms = u64::try_from(ms).unwrap_or(0);
    DocId::from_uuid(uuid::Builder::from_unix_timestamp_millis(ms, &rng.bytes10()).into_uuid())
}

fn date_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0)
}

fn add_days(d: NaiveDate, n: u64) -> Result<NaiveDate, GenerateError> {
    d.checked_add_days(Days::new(n)).ok_or_else(|| GenerateError::Invalid(format!("date {d} + {n} days")))
}

fn sub_days(d: NaiveDate, n: u64) -> Result<NaiveDate, GenerateError> {
    d.checked_sub_days(Days::new(n)).ok_or_else(|| GenerateError::Invalid(format!("date {d} - {n} days")))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, GenerateError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| GenerateError::Invalid(format!("date {y}-{m}-{d}")))
}

// ---------------------------------------------------------------------------
// Vocabulary

struct AgencyDef {
    name: &'static str,
    /// Units after the secretariat and `fixed`: `<prefix> <place>`.
    prefix: &'static str,
    fixed: &'static [&'static str],
    services: &'static [&'static str],
    functional: &'static [&'static str],
    /// Relative number of citizens served per unit.
    traffic: u32,
    /// Agency-specific SKP indicators.
    indicators: &'static [Indicator],
}

/// An SKP indicator: text, unit of measure, target range; `%` targets are
/// capped at 100.
type Indicator = (&'static str, &'static str, u32, u32);

const AGENCIES: &[AgencyDef] = &[
    AgencyDef {
        name: "Dinas Kesehatan",
        prefix: "Puskesmas",
        fixed: &[],
        services: &[
            "Pelayanan rawat jalan",
            "Pemeriksaan ibu hamil",
            "Imunisasi anak",
            "Pelayanan gigi",
            "Laboratorium",
        ],
        functional: &["Perawat", "Bidan", "Dokter", "Apoteker", "Pranata Laboratorium Kesehatan", "Nutrisionis"],
        traffic: 10,
        indicators: &[
            ("Jumlah pasien rawat jalan yang dilayani", "orang", 800, 4000),
            ("Cakupan imunisasi dasar lengkap", "%", 85, 95),
            ("Persentase ibu hamil yang mendapat pelayanan antenatal", "%", 85, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Pendidikan dan Kebudayaan",
        prefix: "SMP Negeri",
        fixed: &["Bidang Pembinaan Sekolah Dasar", "Bidang Pendidik dan Tenaga Kependidikan"],
        services: &["Pendaftaran peserta didik baru", "Legalisir ijazah", "Layanan perpustakaan", "Mutasi siswa"],
        functional: &["Guru", "Pustakawan", "Pengawas Sekolah", "Pamong Belajar"],
        traffic: 4,
        indicators: &[
            ("Jumlah jam tatap muka yang terlaksana", "jam", 300, 600),
            ("Persentase peserta didik yang tuntas KKM", "%", 75, 95),
        ],
    },
    AgencyDef {
        name: "Dinas Kependudukan dan Pencatatan Sipil",
        prefix: "Layanan Adminduk Distrik",
        fixed: &["Bidang Pelayanan Pendaftaran Penduduk", "Bidang Pelayanan Pencatatan Sipil"],
        services: &["Pembuatan KTP-el", "Penerbitan Kartu Keluarga", "Akta kelahiran", "Surat pindah", "Akta kematian"],
        functional: &["Administrator Database Kependudukan", "Pranata Komputer", "Analis Kependudukan"],
        traffic: 9,
        indicators: &[
            ("Jumlah KTP-el yang diterbitkan", "keping", 500, 5000),
            ("Jumlah akta kelahiran yang diterbitkan", "akta", 200, 2000),
            ("Persentase dokumen kependudukan selesai dalam 1 hari", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        prefix: "Layanan Kepegawaian Distrik",
        fixed: &[
            "Bidang Mutasi dan Promosi",
            "Bidang Pengembangan Kompetensi",
            "Bidang Penilaian Kinerja dan Penghargaan",
            "Bidang Pengadaan dan Informasi Kepegawaian",
        ],
        services: &["Layanan kenaikan pangkat", "Layanan pensiun", "Konsultasi kepegawaian", "Layanan cuti"],
        functional: &["Analis Sumber Daya Manusia Aparatur", "Asesor SDM Aparatur", "Pranata Komputer"],
        traffic: 2,
        indicators: &[
            ("Jumlah usulan kenaikan pangkat yang diproses", "usulan", 100, 800),
            ("Persentase data SIASN yang dimutakhirkan", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        prefix: "Mal Pelayanan Publik",
        fixed: &["Bidang Pelayanan Perizinan", "Bidang Pengaduan dan Informasi"],
        services: &[
            "Perizinan berusaha",
            "Persetujuan bangunan gedung",
            "Izin praktik tenaga kesehatan",
            "Izin reklame",
        ],
        functional: &["Penata Perizinan", "Analis Kebijakan"],
        traffic: 6,
        indicators: &[
            ("Jumlah izin yang diterbitkan tepat waktu", "izin", 100, 1500),
            ("Persentase pengaduan perizinan yang diselesaikan", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Sosial",
        prefix: "Layanan Sosial Distrik",
        fixed: &["Bidang Rehabilitasi Sosial"],
        services: &["Bantuan sosial", "Rehabilitasi sosial", "Pemutakhiran DTKS"],
        functional: &["Pekerja Sosial", "Penyuluh Sosial"],
        traffic: 4,
        indicators: &[
            ("Jumlah keluarga penerima manfaat yang diverifikasi", "KK", 200, 2000),
            ("Jumlah penyandang masalah sosial yang direhabilitasi", "orang", 20, 200),
        ],
    },
    AgencyDef {
        name: "Dinas Perhubungan",
        prefix: "UPTD Terminal",
        fixed: &["UPTD Pengujian Kendaraan Bermotor"],
        services: &["Uji KIR kendaraan", "Izin trayek", "Layanan terminal"],
        functional: &["Penguji Kendaraan Bermotor", "Analis Transportasi"],
        traffic: 5,
        indicators: &[
            ("Jumlah kendaraan yang lulus uji berkala", "unit", 300, 3000),
            ("Persentase armada angkutan yang berizin", "%", 70, 95),
        ],
    },
    AgencyDef {
        name: "Rumah Sakit Umum Daerah",
        prefix: "Instalasi Rawat Inap",
        fixed: &[
            "Instalasi Gawat Darurat",
            "Instalasi Rawat Jalan",
            "Instalasi Farmasi",
            "Instalasi Laboratorium",
            "Instalasi Radiologi",
        ],
        services: &["Pelayanan IGD", "Pelayanan rawat inap", "Pelayanan farmasi", "Pemeriksaan laboratorium"],
        functional: &["Perawat", "Dokter", "Apoteker", "Radiografer", "Perekam Medis"],
        traffic: 10,
        indicators: &[
            ("Jumlah pasien yang ditangani", "orang", 1000, 6000),
            ("Persentase resep yang dilayani kurang dari 30 menit", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Pertanian",
        prefix: "Balai Penyuluhan Pertanian",
        fixed: &[],
        services: &["Penyuluhan pertanian", "Bantuan bibit", "Konsultasi tanaman"],
        functional: &["Penyuluh Pertanian", "Pengawas Benih Tanaman", "Medik Veteriner"],
        traffic: 3,
        indicators: &[
            ("Jumlah kelompok tani yang dibina", "kelompok", 5, 40),
            ("Luas lahan yang mendapat pendampingan", "ha", 50, 500),
        ],
    },
    AgencyDef {
        name: "Dinas Lingkungan Hidup",
        prefix: "UPTD Kebersihan",
        fixed: &["Bidang Pengendalian Pencemaran"],
        services: &["Pengangkutan sampah", "Pengaduan lingkungan", "Persetujuan lingkungan"],
        functional: &["Pengendali Dampak Lingkungan", "Pengawas Lingkungan Hidup"],
        traffic: 3,
        indicators: &[
            ("Volume sampah yang terangkut", "ton", 500, 5000),
            ("Persentase pengaduan lingkungan yang ditindaklanjuti", "%", 80, 100),
        ],
    },
];

const GENERIC_INDICATORS: &[Indicator] = &[
    ("Persentase layanan yang diselesaikan tepat waktu", "%", 80, 100),
    ("Jumlah dokumen administrasi yang diproses", "dokumen", 50, 600),
    ("Jumlah laporan kinerja yang disusun", "laporan", 4, 12),
    ("Persentase pengaduan masyarakat yang ditindaklanjuti", "%", 80, 100),
    ("Jumlah data yang dimutakhirkan", "data", 100, 1000),
    ("Jumlah kegiatan koordinasi yang dilaksanakan", "kegiatan", 4, 24),
    ("Persentase realisasi anggaran kegiatan", "%", 85, 100),
    ("Jumlah surat yang diagendakan dan didistribusikan", "surat", 200, 1500),
    ("Persentase arsip yang tertata sesuai klasifikasi", "%", 70, 100),
    ("Jumlah rapat yang didokumentasikan", "notulen", 6, 30),
];

const PLACES: &[&str] = &[
    "Sanggeng",
    "Amban",
    "Wosi",
    "Pasir Putih",
    "Maripi",
    "Prafi",
    "Warmare",
    "Masni",
    "Sidey",
    "Tanah Rubuh",
    "Manokwari Barat",
    "Manokwari Timur",
    "Manokwari Utara",
    "Manokwari Selatan",
    "Oransbari",
    "Ransiki",
    "Momi Waren",
    "Dataran Isim",
    "Neney",
    "Anggi",
    "Catubouw",
    "Hingk",
    "Didohu",
    "Taige",
    "Minyambouw",
    "Membey",
    "Sururey",
    "Testega",
    "Kebar",
    "Amberbaken",
    "Sidey Jaya",
    "Arfai",
];

const MALE: &[&str] = &[
    "Agus", "Budi", "Yohanes", "Markus", "Yosias", "Daniel", "Andi", "Rudi", "Hendrik", "Frans", "Yakobus", "Petrus",
    "Muhammad", "Ahmad", "Rizky", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Lukas", "Matias", "Nikolas",
    "Otniel", "Paulus", "Ronald", "Samuel", "Teguh", "Wahyu", "Yusuf", "Zakarias", "Arnold", "Benny", "Derek",
];
const FEMALE: &[&str] = &[
    "Siti",
    "Maria",
    "Yuliana",
    "Dewi",
    "Sri",
    "Ratna",
    "Agustina",
    "Elisabeth",
    "Fransiska",
    "Grace",
    "Hana",
    "Indah",
    "Juliana",
    "Kristina",
    "Lestari",
    "Magdalena",
    "Nur",
    "Oktaviani",
    "Priska",
    "Rahma",
    "Sarah",
    "Theresia",
    "Wulan",
    "Yohana",
    "Anita",
    "Bernadeta",
    "Christina",
    "Diana",
    "Endang",
    "Fitri",
    "Herlina",
    "Ika",
    "Novita",
    "Ruth",
];
const SURNAMES: &[&str] = &[
    "Rumbiak",
    "Mandacan",
    "Wanma",
    "Kareth",
    "Rumbewas",
    "Msen",
    "Ayomi",
    "Sawaki",
    "Mansawan",
    "Indouw",
    "Rumfabe",
    "Kawer",
    "Saiba",
    "Wonggor",
    "Mayor",
    "Saputra",
    "Wijaya",
    "Siregar",
    "Simanjuntak",
    "Nasution",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Rahayu",
    "Setiawan",
    "Pratama",
    "Sari",
    "Hutapea",
    "Tampubolon",
    "Latuconsina",
    "Pattipeilohy",
    "Manuhutu",
    "Tuhumury",
    "Rahman",
    "Santoso",
    "Wibowo",
    "Gultom",
    "Sinaga",
    "Tanamal",
    "Runaweri",
];

const PELAKSANA: &[&str] = &[
    "Pengadministrasi Perkantoran",
    "Pengolah Data dan Informasi",
    "Penata Layanan Operasional",
    "Pengelola Umum Operasional",
    "Operator Layanan Operasional",
    "Bendahara",
    "Arsiparis Pelaksana",
    "Pengelola Keuangan",
];
const PENGAWAS: &[&str] = &[
    "Kepala Subbagian Umum dan Kepegawaian",
    "Kepala Subbagian Keuangan",
    "Kepala Seksi Pelayanan",
    "Kepala Seksi Data dan Informasi",
    "Kepala Subbagian Perencanaan",
];
const BEHAVIOUR_NOTES: &[&str] = &[
    "Kinerja baik, pertahankan.",
    "Perlu meningkatkan ketepatan waktu pelaporan.",
    "Sangat membantu rekan kerja dalam pelayanan.",
    "Disiplin kehadiran perlu ditingkatkan.",
    "Inisiatif tinggi dalam memperbaiki prosedur layanan.",
    "Target utama tercapai sesuai rencana.",
];
const INNOVATIONS: &[(&str, &str)] = &[
    ("Antrean layanan daring melalui WhatsApp", "waktu tunggu rata-rata turun dari 60 menjadi 25 menit"),
    ("Jemput bola perekaman di kampung terpencil", "1.200 warga terlayani tanpa datang ke kantor"),
    ("Formulir permohonan elektronik", "permohonan diproses 2 hari, sebelumnya 7 hari"),
    ("Papan informasi alur layanan", "pertanyaan berulang di loket berkurang separuh"),
    ("Pengingat jadwal imunisasi lewat SMS", "cakupan imunisasi naik 8 poin"),
    ("Arsip digital dokumen kepegawaian", "pencarian berkas dari 30 menit menjadi 2 menit"),
];
const COMMENTS_GOOD: &[&str] = &[
    "Pelayanan cepat dan ramah, terima kasih.",
    "Petugas sangat membantu dan menjelaskan dengan jelas.",
    "Prosesnya mudah, tidak perlu bolak-balik.",
    "Tempatnya bersih dan nyaman.",
];
const COMMENTS_MIXED: &[&str] = &[
    "Mohon ditambah kursi di ruang tunggu.",
    "Informasi persyaratan sebaiknya ditempel di depan.",
    "Cukup baik, tapi antrean agak lama.",
    "Jam buka layanan mohon lebih pagi.",
];
const COMMENTS_POOR: &[&str] = &[
    "Antrean sangat lama, petugas sedikit.",
    "Petugas kurang ramah.",
    "Sistem sering gangguan, harus datang lagi besok.",
    "Persyaratan berubah-ubah, membingungkan.",
    "Ruang tunggu panas dan sempit.",
];
const TRAINING_TITLES: &[(DevelopmentForm, &str, u32)] = &[
    (DevelopmentForm::Pelatihan, "Pelatihan Pelayanan Prima", 5),
    (DevelopmentForm::Pelatihan, "Pelatihan Dasar Kepemimpinan Pengawas", 2),
    (DevelopmentForm::Workshop, "Workshop Penyusunan SKP dan Dialog Kinerja", 4),
    (DevelopmentForm::Seminar, "Seminar Transformasi Digital Pelayanan Publik", 3),
    (DevelopmentForm::Kursus, "Kursus Pengelolaan Arsip Dinamis", 2),
    (DevelopmentForm::ELearning, "E-Learning Manajemen ASN", 6),
    (DevelopmentForm::ELearning, "E-Learning Anti Korupsi", 4),
    (DevelopmentForm::PembelajaranJarakJauh, "Bimbingan Teknis Pengelolaan Keuangan Daerah (daring)", 3),
    (DevelopmentForm::Coaching, "Coaching Kinerja oleh Atasan Langsung", 3),
    (DevelopmentForm::BelajarMandiri, "Belajar Mandiri Literasi Data", 2),
    (DevelopmentForm::Magang, "Magang Pelayanan Terpadu di Kabupaten Tetangga", 1),
    (DevelopmentForm::Benchmarking, "Benchmarking Mal Pelayanan Publik", 1),
];
const PROVIDERS: &[&str] = &[
    "BPSDM Provinsi Papua Barat",
    "Lembaga Administrasi Negara",
    "BKPSDM Kabupaten",
    "ASN Unggul (e-learning)",
    "Kementerian Dalam Negeri",
    "Kementerian Kesehatan",
];
/// JP of one activity (× 45 minutes = 45–1,800).
const JP_CHOICES: &[u32] = &[1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40];
const MENTORING_TOPICS: &[&str] = &[
    "Penyusunan rencana kerja",
    "Etika pelayanan publik",
    "Pengelolaan arsip",
    "Penggunaan aplikasi layanan",
    "Penyusunan laporan",
    "Komunikasi dengan masyarakat",
];
const SANCTION_NOTES: &[(Sanction, &str)] = &[
    (Sanction::Ringan, "Teguran lisan: terlambat masuk kerja berulang"),
    (Sanction::Ringan, "Pernyataan tidak puas secara tertulis"),
    (Sanction::Sedang, "Pemotongan tunjangan kinerja: tidak masuk kerja tanpa keterangan 11 hari"),
    (Sanction::Sedang, "Penundaan kenaikan gaji berkala"),
    (Sanction::Berat, "Penurunan jabatan setingkat lebih rendah selama 12 bulan"),
    (Sanction::Berat, "Pembebasan dari jabatan menjadi pelaksana"),
];

// ---------------------------------------------------------------------------
// The plan: roster and every decision that fixes how many records exist.

#[derive(Debug, Clone)]
struct UnitInfo {
    unit: Unit,
    agency: usize,
    traffic: u32,
    services: Vec<&'static str>,
    /// Mean of an SKM score in this unit (2.3 poor … 3.8 excellent).
    mean_score: f64,
    /// Mean minutes waited, and its change over the whole window (−0.4 =
    /// 40% shorter by the end).
    mean_wait: f64,
    wait_trend: f64,
    /// Active staff who serve citizens (not the head).
    officers: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Person {
    employee: Employee,
    unit: usize,
    /// Latent performance, ~N(0, 1).
    ability: f64,
    /// As an appraiser: 0 fair, > 0 lenient, < 0 severe.
    leniency: f64,
    appraiser: Option<usize>,
    reviewer: Option<usize>,
    /// Not (yet) appraised in the last period.
    skip_last: bool,
    tmt_year: i32,
}

#[derive(Debug)]
struct Plan<'o> {
    o: &'o Options,
    periods: Vec<Period>,
    years: Vec<i32>,
    /// The day the data describes: the last period's end.
    today: NaiveDate,
    units: Vec<UnitInfo>,
    traffic: Vec<u32>,
    people: Vec<Person>,
    /// (mentee, mentor).
    mentoring: Vec<(usize, usize)>,
    /// Service hours in the feedback window: (start ms, length ms, service
    /// time before it), oldest first.
    windows: Vec<(i64, i64, i64)>,
    service_ms: i64,
    unit_periods: Vec<UnitPeriodRow>,
    potentials: Vec<PotentialRow>,
    sanctions: Vec<SanctionRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    AgencyHead,
    UnitHead,
    Pengawas,
    Fungsional,
    Pelaksana,
}

impl<'o> Plan<'o> {
    fn new(o: &'o Options) -> Result<Self, GenerateError> {
        if o.agencies == 0 || o.units_per_agency == 0 {
            return Err(GenerateError::Invalid("at least one agency with one unit".into()));
        }
        let n_units = o.agencies as usize * o.units_per_agency as usize;
        if (o.employees as usize) < 2 * n_units {
            return Err(GenerateError::Invalid(format!(
                "{} employees cannot staff {n_units} units (a head and one more each)",
                o.employees
            )));
        }
        if o.end_ms <= o.start_ms {
            return Err(GenerateError::Invalid("end_ms must be after start_ms".into()));
        }
        let periods =
            o.periods.iter().map(|c| Period::parse(c)).collect::<Result<Vec<_>, _>>().map_err(refused("period"))?;
        let today = periods.iter().map(|p| p.end).max().ok_or_else(|| GenerateError::Invalid("no periods".into()))?;
        let mut years: Vec<i32> = periods.iter().map(|p| p.year()).collect();
        years.sort_unstable();
        years.dedup();
        let mut plan = Plan {
            o,
            periods,
            years,
            today,
            units: Vec::new(),
            traffic: Vec::new(),
            people: Vec::new(),
            mentoring: Vec::new(),
            windows: Vec::new(),
            service_ms: 0,
            unit_periods: Vec::new(),
            potentials: Vec::new(),
            sanctions: Vec::new(),
        };
        plan.make_windows();
        plan.make_units()?;
        plan.make_people()?;
        plan.make_mentoring();
        plan.make_inputs()?;
        Ok(plan)
    }

    /// Offices open 08:00–16:00 local time on weekdays and 08:00–12:00 on
    /// Saturdays.
    fn make_windows(&mut self) {
        let (from, to) = (self.o.start_ms, self.o.end_ms);
        let first_day = (from + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
        let last_day = (to + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
        for day in first_day..=last_day {
            let hours = match (day + 3).rem_euclid(7) {
                0..=4 => 8,
                5 => 4,
                _ => 0,
            };
            let open = day * DAY_MS - LOCAL_OFFSET_MS + 8 * HOUR_MS;
            let (start, end) = (open.max(from), (open + hours * HOUR_MS).min(to));
            if end > start {
                self.windows.push((start, end - start, self.service_ms));
                self.service_ms += end - start;
            }
        }
    }

    /// When feedback `i` of `n` arrives: the i-th of n equal slices of the
    /// service hours, at a random point in it. Feedback therefore arrives
    /// in order, as in real life, and its time-sorted ids and indexes are
    /// appended to rather than written all over.
    fn service_time(&self, i: u32, rng: &mut Rng) -> i64 {
        const SCALE: u128 = 1 << 20;
        let n = u128::from(self.o.feedback.max(1));
        let slot = u128::from(i) * SCALE + u128::from(rng.below(SCALE as u64));
        let (from, to) = (self.o.start_ms, self.o.end_ms);
        if self.service_ms == 0 {
            let span = u128::try_from(to - from).unwrap_or(0);
            return from + i64::try_from(span * slot / (n * SCALE)).unwrap_or(0);
        }
        let total = u128::try_from(self.service_ms).unwrap_or(0);
        let x = i64::try_from(total * slot / (n * SCALE)).unwrap_or(0);
        let w = self.windows.partition_point(|&(_, _, before)| before <= x).saturating_sub(1);
        match self.windows.get(w) {
            Some(&(start, len, before)) => (start + (x - before).min(len - 1)).clamp(from, to - 1),
            None => from,
        }
    }

    fn agency_def(&self, agency: usize) -> Option<&'static AgencyDef> {
        AGENCIES.get(agency % AGENCIES.len())
    }

    fn make_units(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::UNITS, 0);
        for a in 0..self.o.agencies as usize {
            let def = self.agency_def(a).ok_or_else(|| GenerateError::Invalid("no agency definitions".into()))?;
            let round = a / AGENCIES.len();
            let agency_name = if round == 0 { def.name.to_string() } else { format!("{} {}", def.name, round + 1) };
            for u in 0..self.o.units_per_agency as usize {
                let name = if u == 0 {
                    format!("Sekretariat {agency_name}")
                } else if let Some(f) = def.fixed.get(u - 1) {
                    (*f).to_string()
                } else {
                    let k = u - 1 - def.fixed.len();
                    let place = PLACES.get((k + a * 5) % PLACES.len()).copied().unwrap_or("Manokwari");
                    match k / PLACES.len() {
                        0 => format!("{} {place}", def.prefix),
                        n => format!("{} {place} {}", def.prefix, n + 1),
                    }
                };
                let id = format!("unit-{:04}", self.units.len() + 1);
                let n_services = if u == 0 { 1 } else { rng.between(1, 3) as usize };
                let services: Vec<&'static str> = rng
                    .distinct(def.services.len(), n_services)
                    .into_iter()
                    .filter_map(|i| def.services.get(i).copied())
                    .collect();
                let traffic = if u == 0 { 1 } else { def.traffic * rng.between(1, 4) };
                let (mean_score, mean_wait) = match rng.weighted(&[20, 55, 25]) {
                    0 => (2.3 + 0.5 * rng.unit(), 40.0 + 50.0 * rng.unit()),
                    1 => (2.9 + 0.4 * rng.unit(), 15.0 + 30.0 * rng.unit()),
                    _ => (3.4 + 0.4 * rng.unit(), 5.0 + 20.0 * rng.unit()),
                };
                let unit = Unit {
                    id,
                    agency_id: format!("opd-{:02}", a + 1),
                    agency_name: agency_name.clone(),
                    name,
                    head_nip: None,
                };
                self.units.push(UnitInfo {
                    unit,
                    agency: a,
                    traffic,
                    services,
                    mean_score,
                    mean_wait,
                    wait_trend: 0.8 * rng.unit() - 0.4,
                    officers: Vec::new(),
                });
            }
        }
        self.traffic = self.units.iter().map(|u| u.traffic).collect();
        Ok(())
    }

    fn make_people(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::ROSTER, 0);
        let n_units = self.units.len();
        // Unit sizes: two each, the rest by weight.
        let weights: Vec<u64> = (0..n_units)
            .map(|u| if u % self.o.units_per_agency as usize == 0 { 3 } else { rng.below(4) + 1 })
            .collect();
        let spare = u64::from(self.o.employees) - 2 * n_units as u64;
        let total_w: u64 = weights.iter().sum();
        let mut sizes: Vec<u64> = weights.iter().map(|w| 2 + spare * w / total_w.max(1)).collect();
        let mut left = u64::from(self.o.employees).saturating_sub(sizes.iter().sum::<u64>());
        for s in sizes.iter_mut() {
            let add = left.div_ceil(n_units as u64).min(left);
            *s += add;
            left -= add;
        }
        let mut used = HashSet::new();
        let mut agency_head: Vec<Option<usize>> = vec![None; self.o.agencies as usize];
        for (u, &size) in sizes.iter().enumerate() {
            let (agency, unit_name) = match self.units.get(u) {
                Some(x) => (x.agency, x.unit.name.clone()),
                None => continue,
            };
            let def = self.agency_def(agency).ok_or_else(|| GenerateError::Invalid("no agency".into()))?;
            let first_of_agency = u % self.o.units_per_agency as usize == 0;
            let head_index = self.people.len();
            for i in 0..size {
                let role = match i {
                    0 if first_of_agency => Role::AgencyHead,
                    0 => Role::UnitHead,
                    i if i % 12 == 0 => Role::Pengawas,
                    _ if rng.chance(0.3) && !def.functional.is_empty() => Role::Fungsional,
                    _ => Role::Pelaksana,
                };
                let superior = match role {
                    Role::AgencyHead => None,
                    Role::UnitHead => agency_head.get(agency).copied().flatten(),
                    _ => Some(head_index),
                };
                let title_for_head = if first_of_agency {
                    format!("Kepala {}", self.units.get(u).map(|x| x.unit.agency_name.as_str()).unwrap_or(""))
                } else {
                    format!("Kepala {unit_name}")
                };
                let person = self.person(&mut rng, &mut used, role, def, u, superior, &title_for_head)?;
                if role == Role::AgencyHead
                    && let Some(slot) = agency_head.get_mut(agency)
                {
                    *slot = Some(self.people.len());
                }
                if i == 0
                    && let Some(x) = self.units.get_mut(u)
                {
                    x.unit.head_nip = Some(person.employee.nip.clone());
                }
                self.people.push(person);
            }
        }
        // Reviewers, officers, and who is not yet appraised this period.
        for p in 0..self.people.len() {
            let reviewer = self.people.get(p).and_then(|x| x.appraiser).and_then(|a| self.people.get(a)?.appraiser);
            let skip = rng.chance(0.05);
            if let Some(x) = self.people.get_mut(p) {
                x.reviewer = reviewer;
                x.skip_last = skip;
            }
            if let Some(x) = self.people.get(p)
                && x.employee.active
                && x.appraiser.is_some_and(|a| self.people.get(a).is_some_and(|h| h.unit == x.unit))
                && let Some(u) = self.units.get_mut(x.unit)
            {
                u.officers.push(p);
            }
        }
        for u in &self.units {
            u.unit.validate().map_err(refused("unit"))?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &self,
        rng: &mut Rng,
        used: &mut HashSet<String>,
        role: Role,
        def: &AgencyDef,
        unit: usize,
        superior: Option<usize>,
        head_title: &str,
    ) -> Result<Person, GenerateError> {
        let this_year = self.today.year();
        let male = rng.chance(0.5);
        let education = match role {
            Role::AgencyHead | Role::UnitHead => {
                rng.choose(&[(Education::S1, 55), (Education::S2, 40), (Education::S3, 5)], Education::S1)
            }
            Role::Pengawas => {
                rng.choose(&[(Education::D3, 15), (Education::S1, 70), (Education::S2, 15)], Education::S1)
            }
            Role::Fungsional => rng.choose(
                &[
                    (Education::SMA, 5),
                    (Education::D3, 25),
                    (Education::D4, 10),
                    (Education::S1, 50),
                    (Education::S2, 10),
                ],
                Education::S1,
            ),
            Role::Pelaksana => rng.choose(
                &[
                    (Education::SD, 1),
                    (Education::SMP, 4),
                    (Education::SMA, 45),
                    (Education::D3, 20),
                    (Education::S1, 30),
                ],
                Education::SMA,
            ),
        };
        let (born_from, born_to) = match role {
            Role::AgencyHead => (1966, 1978),
            Role::UnitHead => (1966, 1982),
            Role::Pengawas => (1968, 1990),
            _ => (1965, 2000),
        };
        // Entry age by education; at least 19 so TMT CPNS is after the 18th birthday.
        let entry_age = match education {
            Education::SD | Education::SMP | Education::SMA => 19,
            Education::D1 | Education::D2 | Education::D3 => 21,
            Education::D4 | Education::S1 => 23,
            Education::S2 => 26,
            Education::S3 => 30,
        } + rng.below(8) as i32;
        let mut nip = None;
        for _ in 0..1000 {
            let year = rng.between(born_from, born_to) as i32;
            let birth = add_days(ymd(year, 1, 1)?, rng.below(365))?;
            let tmt_year = (birth.year() + entry_age).min(this_year - 1).max(birth.year() + 19);
            let tmt_month = rng.between(1, 12);
            let digits = format!(
                "{}{:04}{:02}{}{:03}",
                birth.format("%Y%m%d"),
                tmt_year,
                tmt_month,
                if male { 1 } else { 2 },
                rng.between(1, 999)
            );
            if used.contains(&digits) {
                continue;
            }
            let parsed = Nip::parse(&digits).map_err(|e| invalid("nip", e))?;
            if !parsed.warnings().is_empty() {
                continue;
            }
            used.insert(digits);
            nip = Some((parsed, tmt_year));
            break;
        }
        let (nip, tmt_year) = nip.ok_or_else(|| GenerateError::Invalid("could not find a free NIP".into()))?;

        // Rank: start by education, one step every 4–5 years, up to the
        // education ceiling; heads at least their position's floor.
        let start = match education {
            Education::SD => Rank::Ia,
            Education::SMP => Rank::Ic,
            Education::SMA | Education::D1 => Rank::IIa,
            Education::D2 => Rank::IIb,
            Education::D3 => Rank::IIc,
            Education::D4 | Education::S1 => Rank::IIIa,
            Education::S2 => Rank::IIIb,
            Education::S3 => Rank::IIIc,
        };
        let pos = |r: Rank| Rank::ALL.iter().position(|&x| x == r).unwrap_or(0);
        let interval = 4 + rng.below(2) as i32;
        let service = (this_year - tmt_year).max(0);
        let steps = service / interval;
        let ceiling = pos(EducationCeilings::default().ceiling(education));
        let natural = pos(start) + steps as usize;
        let floor = match role {
            Role::AgencyHead => pos(Rank::IVc),
            Role::UnitHead => pos(Rank::IVa),
            Role::Pengawas => pos(Rank::IIIc),
            _ => 0,
        };
        let (rank_pos, since_year) = if floor > natural.min(ceiling) {
            (floor, this_year - rng.below(6) as i32)
        } else if natural > ceiling {
            (ceiling, tmt_year + (ceiling.saturating_sub(pos(start)) as i32) * interval)
        } else {
            (natural, tmt_year + steps * interval)
        };
        let rank = Rank::ALL.get(rank_pos).copied().unwrap_or(Rank::IIIa);
        let since_year = since_year.max(tmt_year).min(this_year);
        let since_month = if rng.chance(0.5) { 4 } else { 10 };
        let since = ymd(since_year, since_month, 1)?.min(self.today);

        let first = if male { rng.pick(MALE, "Yohanes") } else { rng.pick(FEMALE, "Maria") };
        let last = rng.pick(SURNAMES, "Rumbiak");
        let degree = match education {
            Education::D3 => Some("A.Md."),
            Education::D4 => Some("S.Tr."),
            Education::S1 => Some(rng.pick(&["S.E.", "S.Sos.", "S.H.", "S.Kom.", "S.Pd.", "S.Kep.", "S.IP."], "S.E.")),
            Education::S2 => Some(rng.pick(&["M.Si.", "M.M.", "M.Kes.", "M.AP."], "M.Si.")),
            Education::S3 => Some("Dr."),
            _ => None,
        };
        let name = match degree {
            Some("Dr.") => format!("Dr. {first} {last}"),
            Some(d) => format!("{first} {last}, {d}"),
            None => format!("{first} {last}"),
        };
        let (position, position_title) = match role {
            Role::AgencyHead => (PositionKind::Jpt, head_title.to_string()),
            Role::UnitHead => (PositionKind::Administrator, head_title.to_string()),
            Role::Pengawas => (PositionKind::Pengawas, rng.pick(PENGAWAS, "Kepala Seksi Pelayanan").to_string()),
            Role::Fungsional => {
                let expert = matches!(education, Education::D4 | Education::S1 | Education::S2 | Education::S3);
                let level = functional_level(expert, rank);
                let title = rng.pick(def.functional, "Analis Kebijakan");
                (PositionKind::Fungsional(level), format!("{title} {}", level.label_id()))
            }
            Role::Pelaksana => {
                (PositionKind::Pelaksana, rng.pick(PELAKSANA, "Pengadministrasi Perkantoran").to_string())
            }
        };
        let head = matches!(role, Role::AgencyHead | Role::UnitHead);
        let active = head || !rng.chance(0.03);
        let superior_nip = superior.and_then(|s| self.people.get(s)).map(|s| s.employee.nip.clone());
        let employee = Employee {
            nip,
            name,
            rank: Some(rank),
            rank_since: Some(since.format("%Y-%m-%d").to_string()),
            education: Some(education),
            position,
            position_title,
            unit_id: self.units.get(unit).map(|u| u.unit.id.clone()).unwrap_or_default(),
            superior_nip,
            active,
        };
        employee.validate().map_err(refused("employee"))?;
        let leniency = if head {
            match rng.weighted(&[80, 10, 10]) {
                0 => 0.0,
                1 => 1.5,
                _ => -1.2,
            }
        } else {
            0.0
        };
        Ok(Person {
            employee,
            unit,
            ability: rng.normal(),
            leniency,
            appraiser: superior,
            reviewer: None,
            skip_last: false,
            tmt_year,
        })
    }

    fn make_mentoring(&mut self) {
        let mut rng = Rng::derive(self.o.seed, stream::MENTORING, u64::MAX);
        for (p, person) in self.people.iter().enumerate() {
            let junior = self.today.year() - person.tmt_year <= 10;
            if !person.employee.active || person.appraiser.is_none() || !rng.chance(if junior { 0.08 } else { 0.02 }) {
                continue;
            }
            let Some(unit) = self.units.get(person.unit) else { continue };
            let senior = (0..5)
                .map(|_| rng.pick(&unit.officers, p))
                .find(|&m| m != p && self.people.get(m).is_some_and(|x| x.employee.rank > person.employee.rank));
            let mentor =
                senior.or(person.appraiser.filter(|&h| self.people.get(h).is_some_and(|h| h.unit == person.unit)));
            if let Some(m) = mentor {
                self.mentoring.push((p, m));
            }
        }
    }

    fn make_inputs(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::INPUTS, 0);
        let total_traffic: u64 = self.traffic.iter().map(|&t| u64::from(t)).sum::<u64>().max(1);
        let per_period = f64::from(self.o.feedback) / self.periods.len().max(1) as f64;
        for period in &self.periods {
            for u in &self.units {
                let rating = rng.choose(
                    &[
                        (UnitRating::Istimewa, 10),
                        (UnitRating::Baik, 75),
                        (UnitRating::ButuhPerbaikan, 10),
                        (UnitRating::Kurang, 4),
                        (UnitRating::SangatKurang, 1),
                    ],
                    UnitRating::Baik,
                );
                // Population around the respondents expected, so some
                // units reach the SKM sample size and some do not.
                let expected = per_period * f64::from(u.traffic) / total_traffic as f64;
                let factor = 10f64.powf(1.3 * rng.unit() - 0.2);
                let population = ((expected * factor).round() as u64).clamp(50, 5_000);
                self.unit_periods.push(UnitPeriodRow {
                    unit_id: u.unit.id.clone(),
                    period: period.code.clone(),
                    rating: Some(rating.name().to_string()),
                    population: Some(population),
                });
            }
        }
        for p in &self.people {
            if p.employee.active && rng.chance(0.8) {
                let score = (65.0 + 12.0 * p.ability + 8.0 * rng.normal()).clamp(30.0, 100.0);
                self.potentials.push(PotentialRow {
                    nip: p.employee.nip.to_string(),
                    score: (score * 10.0).round() / 10.0,
                    assessed_on: sub_days(self.today, rng.below(365))?.format("%Y-%m-%d").to_string(),
                });
            }
            if p.employee.active && p.appraiser.is_some() && rng.chance(0.01) {
                let level = rng
                    .choose(&[(Sanction::Ringan, 60), (Sanction::Sedang, 30), (Sanction::Berat, 10)], Sanction::Ringan);
                let notes: Vec<&str> = SANCTION_NOTES.iter().filter(|(l, _)| *l == level).map(|(_, n)| *n).collect();
                self.sanctions.push(SanctionRow {
                    nip: p.employee.nip.to_string(),
                    level: level.name().to_string(),
                    decided_on: sub_days(self.today, rng.below(730))?.format("%Y-%m-%d").to_string(),
                    note: rng.pick(&notes, "Hukuman disiplin").to_string(),
                });
            }
        }
        Ok(())
    }

    /// (person, period index) of every appraisal: active employees with a
    /// superior in every period, less `skip_last` ones in the last period.
    fn appraisal_keys(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let last = self.periods.len().saturating_sub(1);
        self.people.iter().enumerate().flat_map(move |(p, person)| {
            let eligible = person.employee.active && person.appraiser.is_some();
            (0..self.periods.len()).filter(move |&k| eligible && !(k == last && person.skip_last)).map(move |k| (p, k))
        })
    }

    /// Who has training records: every active employee.
    fn trainees(&self) -> impl Iterator<Item = usize> + '_ {
        self.people.iter().enumerate().filter(|(_, p)| p.employee.active).map(|(i, _)| i)
    }

    fn person_at(&self, p: usize) -> Result<&Person, GenerateError> {
        self.people.get(p).ok_or_else(|| GenerateError::Invalid(format!("no person {p}")))
    }

    fn appraisal(&self, p: usize, k: usize) -> Result<(DocId, Appraisal), GenerateError> {
        let person = self.person_at(p)?;
        let period = self.periods.get(k).ok_or_else(|| GenerateError::Invalid(format!("no period {k}")))?;
        let appraiser =
            self.person_at(person.appraiser.ok_or_else(|| GenerateError::Invalid("no appraiser".into()))?)?;
        let last = k + 1 == self.periods.len();
        let mut rng = Rng::derive(self.o.seed, stream::APPRAISAL, (p as u64) << 8 | k as u64);
        let e = &person.employee;
        let mut a = Appraisal::new(e.nip.clone(), &period.code, &e.unit_id, appraiser.employee.nip.clone())
            .map_err(refused("appraisal"))?;
        a.reviewer_nip = person.reviewer.and_then(|r| self.people.get(r)).map(|r| r.employee.nip.clone());
        a.status = if last {
            rng.choose(
                &[(AppraisalStatus::Draft, 30), (AppraisalStatus::Submitted, 35), (AppraisalStatus::Reviewed, 35)],
                AppraisalStatus::Draft,
            )
        } else {
            rng.choose(
                &[(AppraisalStatus::Submitted, 2), (AppraisalStatus::Reviewed, 8), (AppraisalStatus::Locked, 90)],
                AppraisalStatus::Locked,
            )
        };
        let complete = a.status != AppraisalStatus::Draft || rng.chance(0.5);
        let lenient = appraiser.leniency;
        // This period's performance: the person's ability plus luck.
        let work = 0.6 * person.ability + 0.5 * rng.normal();
        let conduct = 0.6 * person.ability + 0.5 * rng.normal() + 0.5 * lenient;

        let def = self.units.get(person.unit).and_then(|u| self.agency_def(u.agency));
        let own: &[Indicator] = def.map(|d| d.indicators).unwrap_or(&[]);
        let n = rng.between(3, 6) as usize;
        let n_own = if own.is_empty() { 0 } else { rng.between(1, 2) as usize };
        let mut chosen: Vec<Indicator> =
            rng.distinct(own.len(), n_own).into_iter().filter_map(|i| own.get(i).copied()).collect();
        chosen.extend(
            rng.distinct(GENERIC_INDICATORS.len(), n - chosen.len())
                .into_iter()
                .filter_map(|i| GENERIC_INDICATORS.get(i).copied()),
        );
        let n_main = rng.between(1, 2) as usize;
        for (i, (indicator, unit, lo, hi)) in chosen.into_iter().enumerate() {
            let percent = unit == "%";
            let target = f64::from(rng.between(lo, hi));
            let ratio = 1.0 + 0.09 * work + 0.06 * rng.normal();
            let mut realisation = (target * ratio).max(0.0);
            realisation = if percent { (realisation.min(100.0) * 10.0).round() / 10.0 } else { realisation.round() };
            let seen = if target > 0.0 { realisation / target + 0.05 * lenient } else { 1.0 };
            let rating = if seen >= 1.1 {
                Rating::DiAtasEkspektasi
            } else if seen >= 0.9 {
                Rating::SesuaiEkspektasi
            } else {
                Rating::DiBawahEkspektasi
            };
            a.targets.push(SkpTarget {
                id: rng.item_id(i),
                indicator: indicator.to_string(),
                target,
                realisation: complete.then_some(realisation),
                unit: unit.to_string(),
                main: i < n_main,
                rating: complete.then_some(rating),
            });
        }
        if complete {
            for v in BehaviourValue::ALL {
                let x = conduct + 0.6 * rng.normal();
                let r = if x > 0.9 {
                    Rating::DiAtasEkspektasi
                } else if x < -1.6 {
                    Rating::DiBawahEkspektasi
                } else {
                    Rating::SesuaiEkspektasi
                };
                a.behaviour.insert(v, r);
            }
            let results: Vec<(Rating, bool)> = a.targets.iter().filter_map(|t| Some((t.rating?, t.main))).collect();
            a.hasil_kerja = suggest_hasil_kerja(&results);
            let values: Vec<Rating> = a.behaviour.values().copied().collect();
            a.perilaku = suggest_perilaku(&values);
            if rng.chance(0.6) {
                a.notes = rng.pick(BEHAVIOUR_NOTES, "").to_string();
            }
            if rng.chance(0.05 + 0.05 * work.max(0.0)) {
                let (what, effect) = rng.pick(INNOVATIONS, ("Inovasi layanan", ""));
                let span = (period.end - period.start).num_days().max(0) as u64;
                a.innovations.push(Innovation {
                    id: rng.item_id(0),
                    what: what.to_string(),
                    date: add_days(period.start, rng.below(span + 1))?,
                    effect: effect.to_string(),
                });
            }
        }
        a.validate().map_err(refused("appraisal"))?;
        if a.status != AppraisalStatus::Draft {
            a.validate_complete().map_err(refused("appraisal"))?;
        }
        Ok((DocId::for_appraisal(&e.nip, &period.code), a))
    }

    fn feedback(&self, i: u32) -> Result<(DocId, Feedback, i64), GenerateError> {
        let o = self.o;
        let mut rng = Rng::derive(o.seed, stream::FEEDBACK, u64::from(i));
        let span = u64::try_from(o.end_ms - o.start_ms).unwrap_or(1);
        let at = self.service_time(i, &mut rng);
        let u = rng.weighted(&self.traffic);
        let unit = self.units.get(u).ok_or_else(|| GenerateError::Invalid(format!("no unit {u}")))?;
        let officer = if rng.chance(0.6) && !unit.officers.is_empty() {
            self.people.get(rng.pick(&unit.officers, usize::MAX))
        } else {
            None
        };
        let base = unit.mean_score + officer.map_or(0.0, |p| 0.12 * p.ability);
        // U1..U9: waiting time (U3) and facilities (U9) score lower, cost
        // (U4: most services are free) higher.
        const ADJUST: [f64; 9] = [0.0, -0.05, -0.2, 0.3, 0.0, 0.05, 0.05, -0.1, -0.15];
        let mut scores = [0u8; 9];
        for (s, adj) in scores.iter_mut().zip(ADJUST) {
            *s = (base + adj + 0.55 * rng.normal()).round().clamp(1.0, 4.0) as u8;
        }
        let scores = Scores::new(scores).map_err(refused("feedback"))?;
        let progress = (at - o.start_ms) as f64 / span as f64;
        let mean_wait =
            unit.mean_wait * (1.0 + unit.wait_trend * (progress - 0.5)) * (3.0 - base).exp().clamp(0.5, 2.0);
        let minutes_waited = (-mean_wait * (1.0 - rng.unit()).ln()).round().clamp(0.0, 180.0) as u32;
        let avg = f64::from(scores.as_array().iter().map(|&s| u32::from(s)).sum::<u32>()) / 9.0;
        let comment = if rng.chance(0.3) {
            let pool = if avg >= 3.2 {
                COMMENTS_GOOD
            } else if avg >= 2.6 {
                COMMENTS_MIXED
            } else {
                COMMENTS_POOR
            };
            rng.pick(pool, "").to_string()
        } else {
            String::new()
        };
        let channel = rng.choose(&[(Channel::Kiosk, 70), (Channel::Web, 22), (Channel::App, 8)], Channel::Kiosk);
        let f = Feedback {
            unit_id: unit.unit.id.clone(),
            service: rng.pick(&unit.services, "Layanan umum").to_string(),
            scores,
            minutes_waited,
            comment,
            channel,
            submitted_at: DateTime::<Utc>::from_timestamp_millis(at)
                .ok_or_else(|| GenerateError::Invalid(format!("time {at}")))?,
            officer_nip: officer.map(|p| p.employee.nip.clone()),
        };
        f.validate().map_err(refused("feedback"))?;
        Ok((v7(at, &mut rng), f, at))
    }

    fn trainings(&self, p: usize) -> Result<Vec<(DocId, Training)>, GenerateError> {
        let person = self.person_at(p)?;
        let mut rng = Rng::derive(self.o.seed, stream::TRAINING, p as u64);
        let mut out = Vec::new();
        for k in 0..self.o.trainings_per_employee as usize {
            let year = self.years.get(k % self.years.len().max(1)).copied().unwrap_or(self.today.year());
            let weights: Vec<u32> = TRAINING_TITLES.iter().map(|t| t.2).collect();
            let (form, title, _) = TRAINING_TITLES.get(rng.weighted(&weights)).copied().unwrap_or((
                DevelopmentForm::Pelatihan,
                "Pelatihan Pelayanan Prima",
                1,
            ));
            let minutes = rng.pick(JP_CHOICES, 8) * 45;
            let start = add_days(ymd(year, 1, 6)?, rng.below(320))?;
            let days =
                if form.is_classroom() { u64::from(minutes.div_ceil(8 * 45)).saturating_sub(1) } else { rng.below(30) };
            let t = Training {
                employee_nip: person.employee.nip.clone(),
                form,
                title: title.to_string(),
                provider: rng.pick(PROVIDERS, "BKPSDM Kabupaten").to_string(),
                start,
                end: add_days(start, days)?,
                minutes,
                programme_id: rng.chance(0.25).then(|| format!("prg-{year}-{:02}", rng.between(1, 12))),
            };
            t.validate().map_err(refused("training"))?;
            out.push((v7(date_ms(t.start), &mut rng), t));
        }
        Ok(out)
    }

    fn mentoring(&self, m: usize) -> Result<(DocId, Mentoring), GenerateError> {
        let &(mentee, mentor) =
            self.mentoring.get(m).ok_or_else(|| GenerateError::Invalid(format!("no mentoring {m}")))?;
        let (mentee, mentor) = (self.person_at(mentee)?, self.person_at(mentor)?);
        let mut rng = Rng::derive(self.o.seed, stream::MENTORING, m as u64);
        let first = self.periods.iter().map(|p| p.start).min().unwrap_or(self.today);
        let span = (self.today - first).num_days().saturating_sub(120).max(1) as u64;
        let start = add_days(first, rng.below(span))?;
        let mut date = start;
        let mut sessions = Vec::new();
        for i in 0..rng.between(1, 6) as usize {
            date = add_days(date, 14 + rng.below(30))?.min(self.today);
            sessions.push(MentoringSession {
                id: rng.item_id(i),
                date,
                minutes: rng.between(2, 8) * 15,
                topic: rng.pick(MENTORING_TOPICS, "Pendampingan kerja").to_string(),
                notes: String::new(),
            });
        }
        let x = Mentoring {
            mentor_nip: mentor.employee.nip.clone(),
            mentee_nip: mentee.employee.nip.clone(),
            unit_id: mentee.employee.unit_id.clone(),
            start,
            active: rng.chance(0.7),
            sessions,
        };
        x.validate().map_err(refused("mentoring"))?;
        Ok((v7(date_ms(start), &mut rng), x))
    }
}

fn functional_level(expert: bool, rank: Rank) -> FunctionalLevel {
    use FunctionalLevel::*;
    if expert {
        match rank {
            r if r <= Rank::IIIb => AhliPertama,
            r if r <= Rank::IIId => AhliMuda,
            r if r <= Rank::IVc => AhliMadya,
            _ => AhliUtama,
        }
    } else {
        match rank {
            r if r <= Rank::IIa => Pemula,
            r if r <= Rank::IId => Terampil,
            r if r <= Rank::IIIb => Mahir,
            _ => Penyelia,
        }
    }
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
