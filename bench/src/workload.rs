//! The workload file format of `/work/shared/bench/WORKLOAD.md` (version 1):
//! its types, how a file is read and checked, and the deterministic
//! generator behind `prestasi-bench generate`.
//!
//! A file is checked completely before anything runs: a bad file is a
//! [`WorkloadError`] naming the place (`devices[3].appraisals[7].edits[1]`)
//! and the problem, never a panic half-way through a run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use prestasi_core::model::BehaviourValue;
use prestasi_core::model::appraisal::MAX_TARGETS;
use prestasi_core::model::feedback::MAX_MINUTES_WAITED;
use prestasi_core::rules::Nip;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The only format version this tool reads and writes.
pub const VERSION: u32 = 1;
/// The period every generated appraisal belongs to.
pub const PERIOD: &str = "2026-Q3";
/// SKP targets per generated appraisal.
pub const TARGETS: usize = 5;
/// Later edits per generated appraisal.
pub const EDITS: usize = 3;
/// SKM score keys, in order.
pub const SCORE_KEYS: [&str; 9] = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub meta: Meta,
    pub devices: Vec<DeviceEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    pub seed: u64,
    pub devices: usize,
    pub records_per_device: usize,
    pub feedback_per_device: usize,
    pub period: String,
}

/// One tablet that was offline, with the kiosk of its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEntry {
    pub device_id: String,
    pub unit_id: String,
    pub appraisals: Vec<AppraisalSpec>,
    pub feedback: Vec<FeedbackSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppraisalSpec {
    pub id: Uuid,
    pub employee_nip: String,
    pub appraiser_nip: String,
    pub unit_id: String,
    pub period: String,
    pub hasil_kerja: Vec<TargetSpec>,
    /// BerAKHLAK value → 1 (di bawah), 2 (sesuai), 3 (di atas).
    pub perilaku: BTreeMap<BehaviourValue, u8>,
    pub catatan: String,
    #[serde(with = "timestamp")]
    pub created_at: DateTime<Utc>,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub indicator: String,
    #[serde(serialize_with = "number")]
    pub target: f64,
    #[serde(serialize_with = "number")]
    pub realisasi: f64,
}

/// A later change to an appraisal, applied in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// `hasil_kerja[index].realisasi = value`
    Realisasi {
        #[serde(with = "timestamp")]
        at: DateTime<Utc>,
        index: usize,
        #[serde(serialize_with = "number")]
        value: f64,
    },
    /// `perilaku[key] = value`
    Perilaku {
        #[serde(with = "timestamp")]
        at: DateTime<Utc>,
        key: BehaviourValue,
        value: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSpec {
    pub id: Uuid,
    pub unit_id: String,
    pub service: String,
    /// `u1` … `u9`, each 1–4.
    pub scores: BTreeMap<String, u8>,
    pub comment: String,
    #[serde(with = "timestamp")]
    pub submitted_at: DateTime<Utc>,
    /// Not in version 1 files; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_waited: Option<u32>,
}

/// A workload file that cannot be replayed.
#[derive(Debug)]
pub enum WorkloadError {
    /// The file could not be read.
    Io { path: String, message: String },
    /// Not JSON of the workload shape (serde's message has line and column).
    Parse { path: String, message: String },
    /// Well-formed, but a value breaks the format's rules.
    Invalid { at: String, message: String },
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, message } => write!(f, "cannot read workload {path}: {message}"),
            Self::Parse { path, message } => write!(f, "workload {path} is not a valid workload file: {message}"),
            Self::Invalid { at, message } => write!(f, "invalid workload at {at}: {message}"),
        }
    }
}

impl std::error::Error for WorkloadError {}

fn invalid(at: impl Into<String>, message: impl Into<String>) -> WorkloadError {
    WorkloadError::Invalid { at: at.into(), message: message.into() }
}

impl Workload {
    /// Read and check a workload file.
    pub fn load(path: &Path) -> Result<Self, WorkloadError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| WorkloadError::Io { path: shown.clone(), message: e.to_string() })?;
        Self::parse(&text, &shown)
    }

    /// Parse and check workload JSON; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Self, WorkloadError> {
        let w: Workload = serde_json::from_str(text)
            .map_err(|e| WorkloadError::Parse { path: source.to_string(), message: e.to_string() })?;
        w.validate()?;
        Ok(w)
    }

    pub fn appraisal_count(&self) -> usize {
        self.devices.iter().map(|d| d.appraisals.len()).sum()
    }

    pub fn feedback_count(&self) -> usize {
        self.devices.iter().map(|d| d.feedback.len()).sum()
    }

    /// Every rule a replay relies on; the first broken one is the error.
    pub fn validate(&self) -> Result<(), WorkloadError> {
        if self.meta.version != VERSION {
            return Err(invalid(
                "meta.version",
                format!("version {} is not supported (only {VERSION})", self.meta.version),
            ));
        }
        if self.devices.is_empty() {
            return Err(invalid("devices", "no device entries"));
        }
        if self.meta.devices != self.devices.len() {
            return Err(invalid(
                "meta.devices",
                format!(
                    "says {} devices but the file holds {} (truncated file?)",
                    self.meta.devices,
                    self.devices.len()
                ),
            ));
        }
        let mut ids = HashSet::new();
        // Every employee is staff of exactly one unit.
        let mut employee_unit: HashMap<&str, &str> = HashMap::new();
        // The roster gives every employee one direct superior (NIP_ATASAN),
        // and the server takes the appraiser from it: one appraiser each.
        let mut employee_appraiser: HashMap<&str, (&str, String)> = HashMap::new();
        // Appraisal ids are derived from employee and period: one each.
        let mut employee_period: HashMap<(&str, &str), String> = HashMap::new();
        for (i, d) in self.devices.iter().enumerate() {
            let at = format!("devices[{i}]");
            text(&format!("{at}.unit_id"), &d.unit_id, 64)?;
            for (j, a) in d.appraisals.iter().enumerate() {
                let at = format!("{at}.appraisals[{j}]");
                if !ids.insert(a.id) {
                    return Err(invalid(format!("{at}.id"), format!("id {} is used twice", a.id)));
                }
                a.validate(&at)?;
                match employee_unit.insert(&a.employee_nip, &a.unit_id) {
                    Some(other) if other != a.unit_id => {
                        return Err(invalid(
                            format!("{at}.unit_id"),
                            format!("employee {} is in unit {other} elsewhere in the file", a.employee_nip),
                        ));
                    }
                    _ => {}
                }
                match employee_appraiser.get(a.employee_nip.as_str()) {
                    Some((other, first)) if *other != a.appraiser_nip => {
                        return Err(invalid(
                            format!("{at}.appraiser_nip"),
                            format!(
                                "employee {} is appraised by {other} at {first}: the roster gives each employee \
                                 one superior (NIP_ATASAN), who must be the appraiser",
                                a.employee_nip
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        employee_appraiser.insert(&a.employee_nip, (&a.appraiser_nip, at.clone()));
                    }
                }
                if let Some(first) = employee_period.insert((&a.employee_nip, &a.period), at.clone()) {
                    return Err(invalid(
                        format!("{at}.employee_nip"),
                        format!(
                            "employee {} already has an appraisal for {} at {first}: one appraisal per employee \
                             and period (its id is derived from both)",
                            a.employee_nip, a.period
                        ),
                    ));
                }
            }
            for (j, f) in d.feedback.iter().enumerate() {
                let at = format!("{at}.feedback[{j}]");
                if !ids.insert(f.id) {
                    return Err(invalid(format!("{at}.id"), format!("id {} is used twice", f.id)));
                }
                if f.unit_id != d.unit_id {
                    return Err(invalid(
                        format!("{at}.unit_id"),
                        format!(
                            "feedback for {} on the kiosk of {}: a kiosk serves its own unit",
                            f.unit_id, d.unit_id
                        ),
                    ));
                }
                f.validate(&at)?;
            }
        }
        let superiors = self.superiors();
        for (i, d) in self.devices.iter().enumerate() {
            for (j, a) in d.appraisals.iter().enumerate() {
                if superiors.reviewer(a) == Some(a.employee_nip.as_str()) {
                    return Err(invalid(
                        format!("devices[{i}].appraisals[{j}].appraiser_nip"),
                        format!(
                            "{} and {} appraise each other: the reviewer (the appraiser's own appraiser) would be \
                             the employee",
                            a.employee_nip, a.appraiser_nip
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The roster the file implies: every appraised employee's direct
    /// superior (NIP_ATASAN) is their appraiser (one per employee, checked
    /// by [`Workload::validate`]).
    pub fn superiors(&self) -> Superiors<'_> {
        let mut of = HashMap::new();
        for a in self.devices.iter().flat_map(|d| &d.appraisals) {
            of.entry(a.employee_nip.as_str()).or_insert(a.appraiser_nip.as_str());
        }
        Superiors { of }
    }
}

/// Each appraised employee's direct superior (NIP_ATASAN): their appraiser.
#[derive(Debug, Clone, Default)]
pub struct Superiors<'a> {
    of: HashMap<&'a str, &'a str>,
}

impl<'a> Superiors<'a> {
    /// `nip`'s NIP_ATASAN, if the file appraises them.
    pub fn of(&self, nip: &str) -> Option<&'a str> {
        self.of.get(nip).copied()
    }

    /// The reviewer the roster gives `a`, as the app sets it: its appraiser's
    /// own superior, i.e. the appraiser's appraiser if the file appraises them
    /// too. None in generated files (every NIP in them is unique).
    pub fn reviewer(&self, a: &AppraisalSpec) -> Option<&'a str> {
        self.of(&a.appraiser_nip)
    }
}

impl AppraisalSpec {
    fn validate(&self, at: &str) -> Result<(), WorkloadError> {
        nip(&format!("{at}.employee_nip"), &self.employee_nip)?;
        nip(&format!("{at}.appraiser_nip"), &self.appraiser_nip)?;
        if self.employee_nip == self.appraiser_nip {
            return Err(invalid(format!("{at}.appraiser_nip"), "an employee cannot appraise themselves"));
        }
        text(&format!("{at}.unit_id"), &self.unit_id, 64)?;
        prestasi_core::model::period::validate_code(&self.period)
            .map_err(|e| invalid(format!("{at}.period"), e.to_string()))?;
        if self.hasil_kerja.is_empty() || self.hasil_kerja.len() > MAX_TARGETS {
            return Err(invalid(
                format!("{at}.hasil_kerja"),
                format!("{} targets; between 1 and {MAX_TARGETS} expected", self.hasil_kerja.len()),
            ));
        }
        for (k, t) in self.hasil_kerja.iter().enumerate() {
            let at = format!("{at}.hasil_kerja[{k}]");
            text(&format!("{at}.indicator"), &t.indicator, 500)?;
            amount(&format!("{at}.target"), t.target)?;
            amount(&format!("{at}.realisasi"), t.realisasi)?;
        }
        for (key, value) in &self.perilaku {
            rating(&format!("{at}.perilaku.{key}"), *value)?;
        }
        if self.catatan.chars().count() > prestasi_core::model::appraisal::MAX_NOTE_CHARS {
            return Err(invalid(format!("{at}.catatan"), "longer than 4000 characters"));
        }
        for (k, e) in self.edits.iter().enumerate() {
            let at = format!("{at}.edits[{k}]");
            match e {
                Edit::Realisasi { index, value, .. } => {
                    if *index >= self.hasil_kerja.len() {
                        return Err(invalid(
                            format!("{at}.index"),
                            format!("index {index} but the appraisal has {} targets", self.hasil_kerja.len()),
                        ));
                    }
                    amount(&format!("{at}.value"), *value)?;
                }
                Edit::Perilaku { value, .. } => rating(&format!("{at}.value"), *value)?,
            }
        }
        Ok(())
    }
}

impl FeedbackSpec {
    fn validate(&self, at: &str) -> Result<(), WorkloadError> {
        text(&format!("{at}.service"), &self.service, 200)?;
        if self.comment.chars().count() > 2000 {
            return Err(invalid(format!("{at}.comment"), "longer than 2000 characters"));
        }
        self.score_array().map_err(|m| invalid(format!("{at}.scores"), m))?;
        if self.minutes_waited.is_some_and(|m| m > MAX_MINUTES_WAITED) {
            return Err(invalid(format!("{at}.minutes_waited"), format!("more than {MAX_MINUTES_WAITED}")));
        }
        Ok(())
    }

    /// The scores as `[u1, …, u9]`, each 1–4.
    pub fn score_array(&self) -> Result<[u8; 9], String> {
        if let Some(k) = self.scores.keys().find(|k| !SCORE_KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key {k:?}; u1 … u9 expected"));
        }
        let mut out = [0u8; 9];
        for (slot, key) in out.iter_mut().zip(SCORE_KEYS) {
            let v = self.scores.get(key).copied().ok_or_else(|| format!("{key} is missing"))?;
            if !(1..=4).contains(&v) {
                return Err(format!("{key} is {v}; 1 to 4 expected"));
            }
            *slot = v;
        }
        Ok(out)
    }
}

fn nip(at: &str, value: &str) -> Result<(), WorkloadError> {
    Nip::parse(value).map(|_| ()).map_err(|e| invalid(at, format!("{value:?} is not a valid NIP: {e}")))
}

fn text(at: &str, value: &str, max: usize) -> Result<(), WorkloadError> {
    if value.trim().is_empty() {
        return Err(invalid(at, "empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(at, format!("longer than {max} characters")));
    }
    Ok(())
}

fn amount(at: &str, value: f64) -> Result<(), WorkloadError> {
    if !value.is_finite() || value < 0.0 {
        return Err(invalid(at, format!("{value} is not a finite, non-negative number")));
    }
    Ok(())
}

fn rating(at: &str, value: u8) -> Result<(), WorkloadError> {
    if !(1..=3).contains(&value) {
        return Err(invalid(at, format!("{value}; 1 (di bawah), 2 (sesuai) or 3 (di atas) expected")));
    }
    Ok(())
}

/// Whole numbers as JSON integers (`24`, not `24.0`), like the sample file.
fn number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        // Exact: a whole number below 2^53.
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// RFC 3339 times: read any offset, write UTC with milliseconds and `Z`.
mod timestamp {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time: {e}")))
    }
}

// ---------------------------------------------------------------- generator

/// What `generate` makes: `devices` units with one tablet and one kiosk each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub devices: usize,
    pub appraisals: usize,
    pub feedback: usize,
    pub seed: u64,
}

/// splitmix64: small, fast, and the same sequence on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Lemire's multiply-shift; the bias is far below what matters here.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn below_usize(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or_default()
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        items.get(self.below_usize(items.len())).copied().unwrap_or_default()
    }

    pub(crate) fn uuid(&mut self) -> Uuid {
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }

    /// A structurally valid NIP not in `used`: birth date, TMT CPNS at 19–30
    /// years of age (not after 2025), gender 1/2, sequence 001–999.
    pub fn nip(&mut self, used: &mut HashSet<String>) -> String {
        loop {
            let year = 1965 + self.below(36) as i32;
            let month = 1 + self.below(12) as u32;
            let days = (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some()).unwrap_or(28);
            let day = 1 + self.below(u64::from(days)) as u32;
            let tmt_year = (year + 19 + self.below(12) as i32).min(2025);
            let tmt_month = 1 + self.below(12);
            let gender = 1 + self.below(2);
            let seq = 1 + self.below(999);
            let nip = format!("{year:04}{month:02}{day:02}{tmt_year:04}{tmt_month:02}{gender}{seq:03}");
            if used.insert(nip.clone()) {
                return nip;
            }
        }
    }

    /// Indonesian-looking sentences, at least `len` characters (ASCII).
    pub(crate) fn prose(&mut self, len: usize) -> String {
        let mut out = String::new();
        let mut words = 0;
        let mut sentence = 1 + self.below_usize(12);
        loop {
            let w = self.pick(WORDS);
            if words == 0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                let mut chars = w.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
            }
            words += 1;
            if out.len() >= len {
                out.push('.');
                return out;
            }
            if words == sentence {
                out.push('.');
                words = 0;
                sentence = 1 + self.below_usize(12);
            }
        }
    }

    fn time_between(&mut self, from: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
        from + Duration::seconds(i64::try_from(self.below(seconds)).unwrap_or_default())
    }
}

pub(crate) const WORDS: &[&str] = &[
    "pelayanan",
    "masyarakat",
    "laporan",
    "dokumen",
    "arsip",
    "data",
    "verifikasi",
    "koordinasi",
    "evaluasi",
    "program",
    "target",
    "triwulan",
    "kinerja",
    "pegawai",
    "unit",
    "layanan",
    "digital",
    "aplikasi",
    "rapat",
    "pembinaan",
    "pengembangan",
    "kompetensi",
    "pelatihan",
    "disiplin",
    "tugas",
    "kualitas",
    "inovasi",
    "komunikasi",
    "sikap",
    "permasalahan",
    "persuratan",
    "publik",
    "tanggung",
    "jawab",
    "hadir",
    "efektif",
    "teliti",
    "ramah",
    "cepat",
    "tepat",
    "baik",
    "sangat",
    "lebih",
    "selalu",
    "sudah",
    "perlu",
    "sesuai",
    "mandiri",
    "responsif",
    "menyelesaikan",
    "meningkatkan",
    "menunjukkan",
    "dengan",
    "dan",
    "dalam",
    "secara",
    "yang",
    "untuk",
    "bulan",
    "waktu",
    "berlaku",
    "penyusunan",
    "inisiatif",
];

pub(crate) const INDICATORS: &[&str] = &[
    "Persentase",
    "Jumlah",
    "Realisasi",
    "Cakupan",
    "Tingkat",
    "Rata-rata waktu",
    "Indeks",
    "Rasio",
    "Ketepatan",
    "Kualitas",
];

const TARGET_VALUES: &[f64] = &[10.0, 12.0, 20.0, 24.0, 50.0, 100.0];

const SERVICES: &[&str] = &[
    "Layanan Pensiun",
    "Layanan Kenaikan Pangkat",
    "Layanan Mutasi",
    "Perekaman KTP-el",
    "Akta Kelahiran",
    "Kartu Keluarga",
    "Izin Usaha",
    "Layanan Kesehatan Dasar",
];

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A workload of `shape`, the same for the same shape and seed.
pub fn generate(shape: Shape) -> Workload {
    let mut rng = Rng::new(shape.seed);
    let mut used = HashSet::new();
    let period_start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).single().unwrap_or_default();
    let period_seconds = 92 * 24 * 3600;
    let devices = (0..shape.devices)
        .map(|i| {
            let unit_id = format!("unit-{:04}", i + 1);
            let appraisals = (0..shape.appraisals)
                .map(|_| appraisal(&mut rng, &mut used, &unit_id, period_start, period_seconds))
                .collect();
            let feedback = (0..shape.feedback)
                .map(|_| {
                    let mut scores = BTreeMap::new();
                    for k in SCORE_KEYS {
                        scores.insert(k.to_string(), 1 + rng.below(4) as u8);
                    }
                    FeedbackSpec {
                        id: rng.uuid(),
                        unit_id: unit_id.clone(),
                        service: rng.pick(SERVICES).to_string(),
                        scores,
                        comment: rng.prose(95),
                        submitted_at: rng.time_between(period_start, period_seconds),
                        minutes_waited: None,
                    }
                })
                .collect();
            DeviceEntry { device_id: format!("device-{i:05}"), unit_id, appraisals, feedback }
        })
        .collect();
    Workload {
        meta: Meta {
            version: VERSION,
            seed: shape.seed,
            devices: shape.devices,
            records_per_device: shape.appraisals,
            feedback_per_device: shape.feedback,
            period: PERIOD.into(),
        },
        devices,
    }
}

fn appraisal(
    rng: &mut Rng,
    used: &mut HashSet<String>,
    unit_id: &str,
    period_start: DateTime<Utc>,
    period_seconds: u64,
) -> AppraisalSpec {
    let id = rng.uuid();
    let employee_nip = rng.nip(used);
    let appraiser_nip = rng.nip(used);
    let hasil_kerja: Vec<TargetSpec> = (0..TARGETS)
        .map(|_| {
            let mut indicator = rng.pick(INDICATORS).to_string();
            for _ in 0..2 + rng.below(3) {
                indicator.push(' ');
                indicator.push_str(rng.pick(WORDS));
            }
            let target = rng.pick(TARGET_VALUES);
            let realisasi = one_decimal(target * (0.75 + 0.4 * rng.unit()));
            TargetSpec { indicator, target, realisasi }
        })
        .collect();
    let perilaku = BehaviourValue::ALL.into_iter().map(|v| (v, 1 + rng.below(3) as u8)).collect();
    let catatan = rng.prose(195);
    let created_at = rng.time_between(period_start, period_seconds - 10 * 24 * 3600);
    let mut at = created_at;
    let edits = (0..EDITS)
        .map(|_| {
            at += Duration::seconds(3600 + i64::try_from(rng.below(47 * 3600)).unwrap_or_default());
            if rng.below(2) == 0 {
                let index = rng.below_usize(TARGETS);
                let target = hasil_kerja.get(index).map_or(10.0, |t| t.target);
                Edit::Realisasi { at, index, value: one_decimal(target * (0.5 + 0.7 * rng.unit())) }
            } else {
                let key = BehaviourValue::ALL.into_iter().nth(rng.below_usize(7)).unwrap_or(BehaviourValue::Akuntabel);
                Edit::Perilaku { at, key, value: 1 + rng.below(3) as u8 }
            }
        })
        .collect();
    AppraisalSpec {
        id,
        employee_nip,
        appraiser_nip,
        unit_id: unit_id.to_string(),
        period: PERIOD.into(),
        hasil_kerja,
        perilaku,
        catatan,
        created_at,
        edits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../testdata/workload-sample.json");

    fn shape() -> Shape {
        Shape { devices: 4, appraisals: 25, feedback: 10, seed: 42 }
    }

    #[test]
    fn generated_nips_are_valid_and_unique() {
        let w = generate(shape());
        let mut seen = HashSet::new();
        for a in w.devices.iter().flat_map(|d| &d.appraisals) {
            for n in [&a.employee_nip, &a.appraiser_nip] {
                let nip = Nip::parse(n).unwrap();
                assert!(nip.warnings().is_empty(), "{n}: {:?}", nip.warnings());
                assert!(seen.insert(n.clone()), "{n} twice");
            }
        }
        assert_eq!(seen.len(), 4 * 25 * 2);
    }

    #[test]
    fn generated_workload_has_the_asked_shape_and_round_trips() {
        let w = generate(shape());
        assert_eq!(w.devices.len(), 4);
        for d in &w.devices {
            assert_eq!(d.appraisals.len(), 25);
            assert_eq!(d.feedback.len(), 10);
            for a in &d.appraisals {
                assert_eq!(a.hasil_kerja.len(), TARGETS);
                assert_eq!(a.perilaku.len(), 7);
                assert_eq!(a.edits.len(), EDITS);
                assert!((195..=230).contains(&a.catatan.len()), "{}", a.catatan.len());
            }
        }
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(Workload::parse(&json, "generated").unwrap(), w);
        assert_eq!(generate(shape()), w, "same seed, same workload");
        assert_ne!(generate(Shape { seed: 7, ..shape() }), w);
    }

    #[test]
    fn the_sample_file_parses_and_writes_back_the_same() {
        let w = Workload::parse(SAMPLE, "sample").unwrap();
        assert_eq!(w.devices.len(), 2);
        assert_eq!(w.appraisal_count(), 6);
        assert_eq!(w.feedback_count(), 4);
        let again: serde_json::Value = serde_json::to_value(&w).unwrap();
        let original: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        assert_eq!(again, original);
    }

    #[test]
    fn the_implied_roster_gives_one_appraiser_per_employee_and_the_reviewer() {
        let mut w = generate(shape());
        let superiors = w.superiors();
        for a in w.devices.iter().flat_map(|d| &d.appraisals) {
            assert_eq!(superiors.of(&a.employee_nip), Some(a.appraiser_nip.as_str()));
            assert_eq!(superiors.reviewer(a), None, "generated appraisers are appraised nowhere");
        }
        // The appraiser of devices[0].appraisals[0] is appraised in [1]:
        // the roster makes [1]'s appraiser the reviewer of [0].
        let boss = w.devices[0].appraisals[0].appraiser_nip.clone();
        w.devices[0].appraisals[1].employee_nip = boss;
        w.validate().unwrap();
        let grand = w.devices[0].appraisals[1].appraiser_nip.clone();
        assert_eq!(w.superiors().reviewer(&w.devices[0].appraisals[0]), Some(grand.as_str()));
    }

    #[test]
    fn files_the_roster_cannot_express_are_refused() {
        let w = generate(shape());
        // One employee appraised by two appraisers (in two periods).
        let mut two = w.clone();
        two.devices[1].appraisals[2].employee_nip = two.devices[0].appraisals[0].employee_nip.clone();
        two.devices[1].appraisals[2].unit_id = two.devices[0].appraisals[0].unit_id.clone();
        two.devices[1].appraisals[2].period = "2026-Q4".into();
        let err = two.validate().unwrap_err().to_string();
        assert!(err.contains("devices[1].appraisals[2].appraiser_nip"), "{err}");
        assert!(err.contains("devices[0].appraisals[0]"), "{err}");
        // The same appraiser twice in one period: one derived id.
        let mut twice = two.clone();
        twice.devices[1].appraisals[2].appraiser_nip = w.devices[0].appraisals[0].appraiser_nip.clone();
        twice.devices[1].appraisals[2].period = PERIOD.into();
        let err = twice.validate().unwrap_err().to_string();
        assert!(err.contains("devices[1].appraisals[2].employee_nip") && err.contains("derived"), "{err}");
        twice.devices[1].appraisals[2].period = "2026-Q4".into();
        twice.validate().unwrap();
        // Two people appraising each other.
        let mut mutual = w.clone();
        let a = mutual.devices[0].appraisals[0].clone();
        mutual.devices[0].appraisals[1].employee_nip = a.appraiser_nip.clone();
        mutual.devices[0].appraisals[1].appraiser_nip = a.employee_nip.clone();
        let err = mutual.validate().unwrap_err().to_string();
        assert!(err.contains("appraise each other"), "{err}");
    }

    #[test]
    fn bad_files_are_errors_that_say_where() {
        let err = Workload::parse("{\"meta\":", "x.json").unwrap_err();
        assert!(matches!(err, WorkloadError::Parse { .. }), "{err}");
        let bad_index = SAMPLE.replacen("\"op\":\"realisasi\",\"index\":4", "\"op\":\"realisasi\",\"index\":9", 1);
        let err = Workload::parse(&bad_index, "x.json").unwrap_err();
        assert!(err.to_string().contains("devices[0].appraisals[0].edits[0].index"), "{err}");
        let bad_nip = SAMPLE.replacen("199307082019031090", "199302302019031090", 1);
        let err = Workload::parse(&bad_nip, "x.json").unwrap_err();
        assert!(err.to_string().contains("employee_nip"), "{err}");
        let bad_key = SAMPLE.replacen("\"akuntabel\":1", "\"jujur\":1", 1);
        assert!(matches!(Workload::parse(&bad_key, "x.json"), Err(WorkloadError::Parse { .. })));
    }
}
