//! `prestasi-bench device`: the supervisor's tablet of one unit, holding the
//! unit's two years (issue 14, item 4). Targets: the store opens in under
//! 200 ms, "my staff" lists in under 20 ms, and the core's peak memory during
//! the tablet's full first sync of that scope stays under 50 MB.
//!
//! 1. **Seed** a new server (SQLite, temporary directory) before it starts:
//!    tenant `bench`; a SIASN-style roster importing one unit of `--staff`
//!    employees (pelaksana and fungsional, with rank, education and level)
//!    whose NIP_ATASAN is the unit's head, the head (pengawas) whose
//!    NIP_ATASAN is the head of the parent unit (administrator: the
//!    reviewer of every appraisal); enrollment codes for the head's old
//!    tablet, the reviewer's tablet, an HR device and the head's new tablet.
//! 2. **History** (not timed), written the way the devices write it, over
//!    loopback to the real server, every change signed by its person: for
//!    each of `--periods` semesters (the last one, 2026-S2, is the current
//!    one) an appraisal per employee on the head's old tablet — the SKP plan
//!    (5 targets, 3 of them main), a dialogue at the start, a mid-period
//!    realisation, a mid-period dialogue, 1–2 innovations, the final
//!    realisation, the target ratings, 7 behaviour ratings (1–2 with a note),
//!    the overall ratings (the core's suggestion), the appraiser's note,
//!    submission: 11–12 changes each (drafts 5–6); the reviewer's tablet reviews (a
//!    dialogue on a third of them) or, for one in ten of the closed
//!    periods, returns it with a dialogue, the head revises and resubmits,
//!    the reviewer reviews; the HR device locks every appraisal of the closed
//!    periods. In the current period 15 % are still drafts (no final
//!    ratings), 35 % submitted, 50 % reviewed. One mentoring pair per five
//!    staff, started in the first period, a session every 5–9 weeks (each a
//!    change) until two years are over or, for a third of the pairs, the
//!    pair ended after a year. 3–5 trainings per person, recorded on the HR
//!    device (BKPSDM records certificates). Trainings are not in a
//!    supervisor's read scope (`server/src/sync/access.rs`), so the tablet
//!    never receives them; they are on the server as they would be.
//! 3. **First sync**, in a child process (this binary re-executed with the
//!    hidden `device-child` subcommand) so its peak RSS is the device side
//!    alone: `Session::open` of a new store, `enroll`, the head's first
//!    sign-in (making their key: Argon2id, 19 MiB), then the peak is reset
//!    (`5` to `/proc/self/clear_refs`) and `sync_now` runs until a sync
//!    pulls nothing; the child reports `VmHWM` (the peak since the reset), the
//!    whole process's peak before the reset, time, round trips and bytes.
//! 4. **Open and list**, in fresh child processes, each after the store
//!    file was evicted from the page cache (`dd iflag=nocache count=0`):
//!    `--runs` times `Store::open` alone, and `--runs` times
//!    `Session::open` (what the mobile bindings' `Session.open` calls: the
//!    store, then the sync client of an enrolled store) followed by the
//!    head's sign-in (not timed: a PIN prompt) and `Session::my_staff` of
//!    the current period — first call in the process, then 20 more.
//! 5. **Report**: a table, and with `--json` one JSON object on stdout (the
//!    table then goes to stderr). Exit status 1 if a target is missed.

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use prestasi_core::model::{
    Appraisal, AppraisalStatus, Author, BehaviourValue, DialogNote, DocId, Innovation, Mentoring, MentoringSession,
    Period, Role, SkpTarget, Training,
};
use prestasi_core::rules::{DevelopmentForm, Nip, Rating, suggest_hasil_kerja, suggest_perilaku};
use prestasi_core::session::Session;
use prestasi_core::store::Store;
use prestasi_core::sync::{SyncClient, SyncReport};
use prestasi_server::admin;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::replay::{PIN, store_key};
use crate::server::{ServerProcess, TENANT};
use crate::workload::{INDICATORS, Rng};

pub const TARGET_OPEN_MS: f64 = 200.0;
pub const TARGET_LIST_MS: f64 = 20.0;
pub const TARGET_PEAK_MB: f64 = 50.0;

const MB: f64 = 1_000_000.0;
const UNIT: &str = "unit-seksi-pendaftaran";
const UNIT_NAME: &str = "Seksi Pendaftaran Penduduk";
const PARENT_UNIT: &str = "unit-bidang-pelayanan";
const PARENT_NAME: &str = "Bidang Pelayanan Pendaftaran Penduduk";
const AGENCY: &str = "Dinas Kependudukan dan Pencatatan Sipil";
/// The current period; earlier ones are closed (locked).
const CURRENT_YEAR: i32 = 2026;
const TARGETS: usize = 5;
const MAIN_TARGETS: usize = 3;
/// "My staff" calls after the first one, per process.
const LIST_REPEAT: usize = 20;
/// The HR device's user (an HR officer's account).
const HR_DEVICE_USER: &str = "hr-bkpsdm";

#[derive(Debug, Clone)]
pub struct Options {
    pub staff: usize,
    pub periods: usize,
    pub seed: u64,
    /// Fresh processes per open measurement.
    pub runs: usize,
    pub keep: bool,
}

// ------------------------------------------------------------------ report

/// Median and maximum of some runs, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub median_ms: f64,
    pub max_ms: f64,
    pub runs: usize,
}

impl Stats {
    fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        let median = match ms.len() {
            0 => 0.0,
            n if n % 2 == 1 => ms.get(n / 2).copied().unwrap_or_default(),
            n => (ms.get(n / 2 - 1).copied().unwrap_or_default() + ms.get(n / 2).copied().unwrap_or_default()) / 2.0,
        };
        Self { median_ms: median, max_ms: ms.last().copied().unwrap_or_default(), runs: ms.len() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub staff: usize,
    pub periods: Vec<String>,
    /// Documents on the server for the unit, by kind (trainings included).
    pub server_documents: BTreeMap<String, usize>,
    /// Signed changes written to make the history (devices and HR device).
    pub history_changes: usize,
    pub history_s: f64,
    /// Documents the new tablet holds after its first sync, by kind.
    pub documents_in_scope: BTreeMap<String, usize>,
    pub documents_total: usize,
    /// Appraisals on the tablet by status.
    pub appraisals_by_status: BTreeMap<String, usize>,
    pub first_sync: FirstSync,
    pub store_open: Stats,
    pub session_open: Stats,
    pub my_staff_first: Stats,
    pub my_staff_repeated: Stats,
    /// Staff listed by `my_staff`.
    pub my_staff_rows: usize,
    /// Store file and its WAL after the first sync, bytes.
    pub store_bytes: u64,
    /// The store was evicted from the page cache before each open.
    pub cold_cache: bool,
}

impl Report {
    pub fn peak_mb(&self) -> f64 {
        self.first_sync.peak_rss_bytes as f64 / MB
    }

    /// The targets missed, as sentences.
    pub fn missed(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.session_open.max_ms >= TARGET_OPEN_MS || self.store_open.max_ms >= TARGET_OPEN_MS {
            out.push(format!(
                "store open: Store::open max {:.1} ms, Session::open max {:.1} ms (target < {TARGET_OPEN_MS} ms)",
                self.store_open.max_ms, self.session_open.max_ms
            ));
        }
        if self.my_staff_first.max_ms >= TARGET_LIST_MS {
            out.push(format!(
                "my staff: first call max {:.1} ms (target < {TARGET_LIST_MS} ms)",
                self.my_staff_first.max_ms
            ));
        }
        if self.peak_mb() >= TARGET_PEAK_MB {
            out.push(format!("first sync peak RSS {:.1} MB (target < {TARGET_PEAK_MB} MB)", self.peak_mb()));
        }
        out
    }

    pub fn table(&self) -> String {
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        let kinds =
            |m: &BTreeMap<String, usize>| m.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ");
        let stats = |s: &Stats| format!("{:.1} ms / {:.1} ms ({} runs)", s.median_ms, s.max_ms, s.runs);
        let f = &self.first_sync;
        let rows: Vec<(String, String, String)> = vec![
            ("unit".into(), format!("{} staff + head, periods {}", self.staff, self.periods.join(", ")), String::new()),
            ("on the server".into(), kinds(&self.server_documents), String::new()),
            (
                "history written (not timed)".into(),
                format!("{} signed changes in {:.1} s", self.history_changes, self.history_s),
                String::new(),
            ),
            (
                "documents in scope (on the new tablet)".into(),
                format!("{} ({})", self.documents_total, kinds(&self.documents_in_scope)),
                String::new(),
            ),
            ("appraisals on the tablet by status".into(), kinds(&self.appraisals_by_status), String::new()),
            ("first sync: time".into(), format!("{:.2} s", f.elapsed_ms / 1000.0), String::new()),
            (
                "first sync: round trips (syncs)".into(),
                format!("{} ({} sync_now calls, the last pulled nothing)", f.round_trips, f.syncs),
                String::new(),
            ),
            (
                "first sync: bytes on the wire (down / up)".into(),
                format!("{:.1} KB / {:.1} KB", f.bytes_received as f64 / 1000.0, f.bytes_sent as f64 / 1000.0),
                String::new(),
            ),
            (
                "**peak RSS of the device process during first sync** (VmHWM)".into(),
                if f.hwm_reset {
                    format!(
                        "**{:.1} MB** (RSS before the sync {:.1} MB, at process start {:.1} MB)",
                        self.peak_mb(),
                        f.rss_before_bytes as f64 / MB,
                        f.rss_start_bytes as f64 / MB
                    )
                } else {
                    format!("**{:.1} MB** (peak could not be reset: includes enrollment and sign-in)", self.peak_mb())
                },
                format!("< {TARGET_PEAK_MB} MB: {}", verdict(self.peak_mb() < TARGET_PEAK_MB)),
            ),
            (
                "peak RSS of the process before the sync (enrollment, first sign-in)".into(),
                format!("{:.1} MB", f.peak_before_bytes as f64 / MB),
                String::new(),
            ),
            (
                "**store open**, `Store::open` (median / max)".into(),
                stats(&self.store_open),
                format!("< {TARGET_OPEN_MS} ms: {}", verdict(self.store_open.max_ms < TARGET_OPEN_MS)),
            ),
            (
                "**store open as the bindings do**, `Session::open` (median / max)".into(),
                stats(&self.session_open),
                format!("< {TARGET_OPEN_MS} ms: {}", verdict(self.session_open.max_ms < TARGET_OPEN_MS)),
            ),
            (
                format!("**my staff** ({} rows), first call in the process (median / max)", self.my_staff_rows),
                stats(&self.my_staff_first),
                format!("< {TARGET_LIST_MS} ms: {}", verdict(self.my_staff_first.max_ms < TARGET_LIST_MS)),
            ),
            ("my staff, repeated (median / max)".into(), stats(&self.my_staff_repeated), String::new()),
            ("store size (db + WAL)".into(), format!("{:.2} MB", self.store_bytes as f64 / MB), String::new()),
            (
                "page cache".into(),
                if self.cold_cache {
                    "store evicted before every open (fresh process each)".into()
                } else {
                    "NOT evicted (dd failed): opens were warm".into()
                },
                String::new(),
            ),
        ];
        let mut out = String::from("| | figure | target |\n|---|---|---|\n");
        for (what, figure, target) in rows {
            out.push_str(&format!("| {what} | {figure} | {target} |\n"));
        }
        out
    }

    pub fn json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "targets".into(),
                serde_json::json!({
                    "open_ms": TARGET_OPEN_MS, "list_ms": TARGET_LIST_MS, "peak_mb": TARGET_PEAK_MB,
                    "missed": self.missed(),
                }),
            );
        }
        v.to_string()
    }
}

/// What the first-sync child reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FirstSync {
    pub elapsed_ms: f64,
    pub syncs: usize,
    pub round_trips: usize,
    pub pulled: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// VmHWM at the end: since the reset if `hwm_reset`.
    pub peak_rss_bytes: u64,
    /// VmHWM just before the reset (enrollment and first sign-in).
    pub peak_before_bytes: u64,
    pub rss_before_bytes: u64,
    /// VmRSS when the child started, before it opened the store.
    pub rss_start_bytes: u64,
    pub hwm_reset: bool,
}

/// What an open child reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpenRun {
    pub open_ms: f64,
    /// Session runs: the first `my_staff`, then the repeats.
    pub list_first_ms: Option<f64>,
    pub list_ms: Vec<f64>,
    pub rows: usize,
    /// Store runs: documents by kind and appraisals by status.
    pub kinds: BTreeMap<String, usize>,
    pub statuses: BTreeMap<String, usize>,
}

// ------------------------------------------------------------- the people

#[derive(Debug, Clone)]
struct Person {
    nip: String,
    name: String,
    kind: &'static str,
    title: &'static str,
    golongan: &'static str,
    education: &'static str,
    /// JENJANG_JF of a fungsional.
    level: &'static str,
}

#[derive(Debug, Clone)]
struct People {
    reviewer: Person,
    head: Person,
    staff: Vec<Person>,
}

const GIVEN: &[&str] = &[
    "Agus", "Budi", "Dewi", "Eko", "Fitri", "Hendra", "Indah", "Joko", "Kartika", "Lestari", "Made", "Nur", "Putri",
    "Rahmat", "Sari", "Taufik", "Wahyu", "Yuliana", "Rina", "Bambang", "Siti", "Andi", "Dian", "Fajar", "Gita", "Hadi",
    "Irma", "Lukman", "Maya", "Novi",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wibowo",
    "Hidayat",
    "Saputra",
    "Pratama",
    "Rahayu",
    "Kusuma",
    "Nugroho",
    "Setiawan",
    "Wulandari",
    "Siregar",
    "Nasution",
    "Harahap",
    "Simanjuntak",
    "Lubis",
    "Permana",
    "Gunawan",
    "Susanti",
    "Maharani",
    "Purba",
];
const PELAKSANA: &[(&str, &str, &str)] = &[
    ("Pengadministrasi Kependudukan", "II/c", "SMA"),
    ("Operator Layanan Operasional", "II/d", "D3"),
    ("Pengolah Data dan Informasi", "III/a", "S1"),
    ("Penata Layanan Operasional", "III/b", "S1"),
    ("Pengelola Layanan Kependudukan", "III/a", "D3"),
];
const FUNGSIONAL: &[(&str, &str, &str, &str)] = &[
    ("Administrator Database Kependudukan", "III/b", "S1", "Ahli Pertama"),
    ("Administrator Database Kependudukan", "III/c", "S1", "Ahli Muda"),
    ("Pranata Komputer", "II/d", "D3", "Terampil"),
    ("Pranata Komputer", "III/b", "S1", "Ahli Pertama"),
    ("Arsiparis", "III/a", "D3", "Mahir"),
];

fn people(rng: &mut Rng, staff: usize) -> People {
    let mut used = HashSet::new();
    let mut names = HashSet::new();
    let mut name = |rng: &mut Rng| loop {
        let n = format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY));
        let n = if names.contains(&n) { format!("{n} {}", rng.pick(FAMILY)) } else { n };
        if names.insert(n.clone()) {
            return n;
        }
    };
    let reviewer = Person {
        nip: rng.nip(&mut used),
        name: name(rng),
        kind: "administrator",
        title: "Kepala Bidang Pelayanan Pendaftaran Penduduk",
        golongan: "IV/b",
        education: "S2",
        level: "",
    };
    let head = Person {
        nip: rng.nip(&mut used),
        name: name(rng),
        kind: "pengawas",
        title: "Kepala Seksi Pendaftaran Penduduk",
        golongan: "III/d",
        education: "S1",
        level: "",
    };
    let staff = (0..staff)
        .map(|_| {
            let nip = rng.nip(&mut used);
            let name = name(rng);
            if rng.below(10) < 4 {
                let (title, golongan, education, level) = rng.pick(FUNGSIONAL);
                Person { nip, name, kind: "fungsional", title, golongan, education, level }
            } else {
                let (title, golongan, education) = rng.pick(PELAKSANA);
                Person { nip, name, kind: "pelaksana", title, golongan, education, level: "" }
            }
        })
        .collect();
    People { reviewer, head, staff }
}

/// The roster as HR exports it from SIASN (`;`-separated).
fn roster_csv(p: &People) -> String {
    let mut out = String::from(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;PENDIDIKAN;JENJANG_JF;NIP_ATASAN\n",
    );
    let mut row = |x: &Person, unit: &str, unit_name: &str, superior: &str| {
        let cells = [
            &x.nip,
            &x.name,
            unit,
            unit_name,
            TENANT,
            AGENCY,
            x.kind,
            x.title,
            x.golongan,
            x.education,
            x.level,
            superior,
        ];
        out.push_str(&cells.join(";"));
        out.push('\n');
    };
    row(&p.reviewer, PARENT_UNIT, PARENT_NAME, "");
    row(&p.head, UNIT, UNIT_NAME, &p.reviewer.nip);
    for s in &p.staff {
        row(s, UNIT, UNIT_NAME, &p.head.nip);
    }
    out
}

/// `n` semesters ending with the current one, oldest first.
fn periods(n: usize) -> Result<Vec<Period>, Error> {
    let (mut year, mut half) = (CURRENT_YEAR, 2);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(Period::parse(&format!("{year}-S{half}"))?);
        if half == 2 {
            half = 1;
        } else {
            half = 2;
            year -= 1;
        }
    }
    out.reverse();
    Ok(out)
}

/// The day `frac` of the way through `p`.
fn day(p: &Period, frac: f64) -> NaiveDate {
    let len = (p.end - p.start).num_days().max(0);
    p.start + chrono::Duration::days((len as f64 * frac.clamp(0.0, 1.0)) as i64)
}

// ------------------------------------------------------------- the server

struct Codes {
    old_tablet: String,
    reviewer_tablet: String,
    hr: String,
    new_tablet: String,
}

fn seed_server(data_dir: &Path, p: &People) -> Result<Codes, Error> {
    let storage = prestasi_server::storage::open(data_dir, None)?;
    let storage = storage.as_ref();
    prestasi_server::sync::reproject::reproject_if_stale(storage)?;
    let server = prestasi_server::state::server_identity(storage)?;
    admin::create_tenant(storage, TENANT, "Pemerintah Kabupaten Benchmark")?;
    let report = admin::import_employees(storage, &server, TENANT, roster_csv(p).as_bytes())?;
    if let Some(e) = report.errors.first() {
        return Err(format!("roster refused: row {} {}: {}", e.row, e.field, e.reason).into());
    }
    let unit = [UNIT.to_string()];
    Ok(Codes {
        old_tablet: admin::issue_enrollment(storage, TENANT, Role::Supervisor, &p.head.nip, &unit)?,
        reviewer_tablet: admin::issue_enrollment(
            storage,
            TENANT,
            Role::Supervisor,
            &p.reviewer.nip,
            &[PARENT_UNIT.to_string()],
        )?,
        hr: admin::issue_enrollment(storage, TENANT, Role::Hr, HR_DEVICE_USER, &[])?,
        new_tablet: admin::issue_enrollment(storage, TENANT, Role::Supervisor, &p.head.nip, &unit)?,
    })
}

// ------------------------------------------------------------ the history

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    Draft,
    Submitted,
    Reviewed,
    Locked,
}

#[derive(Debug, Clone)]
struct Planned {
    id: DocId,
    period: usize,
    goal: Goal,
    /// Returned by the reviewer once, revised and resubmitted.
    returned: bool,
}

/// An enrolled device of the history, with its signed-in person.
struct Writer {
    client: SyncClient,
    author: Author,
}

impl Writer {
    fn enroll(dir: &Path, name: &str, url: &str, code: &str) -> Result<Self, Error> {
        let store = Arc::new(Store::open(dir.join(format!("{name}.db")), &store_key())?);
        let client = SyncClient::enroll(store, url, code)?;
        client.sign_in_enrolled(PIN)?;
        let c = client.credentials();
        let author = Author::new(c.user.clone(), client.store().device_id(), c.role);
        Ok(Self { client, author })
    }

    fn store(&self) -> &Store {
        self.client.store()
    }

    /// Sync until done; every pushed document must be accepted.
    fn sync(&self, what: &str) -> Result<SyncReport, Error> {
        let r = self.client.sync_now().map_err(|e| format!("{what}: sync failed: {e}"))?;
        if r.rejected > 0 || r.accepted != r.pushed {
            return Err(format!("{what}: {} of {} pushed documents rejected", r.pushed - r.accepted, r.pushed).into());
        }
        let left = self.store().unsynced_count()?;
        if left > 0 {
            return Err(format!("{what}: {left} documents still unsynced").into());
        }
        Ok(r)
    }
}

/// Writes the history and counts its changes.
struct History<'a> {
    rng: Rng,
    people: &'a People,
    periods: &'a [Period],
    changes: usize,
}

const TASKS: &[(&str, &str)] = &[
    ("dokumen kependudukan yang diterbitkan tepat waktu", "dokumen"),
    ("permohonan KTP-el yang diverifikasi", "berkas"),
    ("akta kelahiran yang diterbitkan", "dokumen"),
    ("pengaduan layanan yang ditindaklanjuti", "laporan"),
    ("data kependudukan yang dimutakhirkan", "%"),
    ("arsip layanan yang didigitalkan", "berkas"),
    ("laporan bulanan yang disusun tepat waktu", "laporan"),
    ("kartu keluarga yang dicetak", "dokumen"),
    ("layanan jemput bola yang dilaksanakan", "kegiatan"),
    ("berkas pindah datang yang diproses", "berkas"),
    ("rapat koordinasi yang difasilitasi", "kegiatan"),
    ("konsolidasi data yang diselesaikan", "%"),
];
const TARGET_VALUES: &[f64] = &[12.0, 24.0, 50.0, 100.0, 150.0, 240.0, 500.0];
const INNOVATIONS: &[&str] = &[
    "Antrean daring layanan KTP-el",
    "Formulir pindah datang digital",
    "Jemput bola perekaman di sekolah",
    "Notifikasi WhatsApp dokumen selesai",
    "Pemindaian arsip akta lama",
    "Layanan malam hari Kamis",
];
const TRAININGS: &[(&str, &str, DevelopmentForm)] = &[
    ("Pelatihan Pelayanan Prima", "BPSDM Provinsi", DevelopmentForm::Pelatihan),
    ("Bimbingan Teknis SIAK Terpusat", "Ditjen Dukcapil Kemendagri", DevelopmentForm::Pelatihan),
    ("Workshop Pelindungan Data Pribadi", "BKPSDM Kabupaten", DevelopmentForm::Workshop),
    ("Seminar Reformasi Birokrasi Tematik", "BKPSDM Kabupaten", DevelopmentForm::Seminar),
    ("Kursus Pengolahan Data Tingkat Lanjut", "Universitas Terbuka", DevelopmentForm::Kursus),
    ("Etika dan Integritas ASN", "ASN Unggul", DevelopmentForm::ELearning),
    ("Penyusunan SKP dan Dialog Kinerja", "BKPSDM Kabupaten", DevelopmentForm::Coaching),
    ("Pengelolaan Arsip Dinamis Digital", "ANRI", DevelopmentForm::PembelajaranJarakJauh),
];
const TRAINING_HOURS: &[f64] = &[2.0, 4.0, 8.0, 16.0, 24.0, 32.0, 40.0];
const MENTORING_TOPICS: &[&str] = &[
    "Penyusunan rencana kerja",
    "Penanganan pengaduan",
    "Verifikasi berkas permohonan",
    "Manajemen waktu layanan",
    "Penggunaan SIAK",
    "Penulisan laporan",
    "Etika pelayanan publik",
    "Analisis data kependudukan",
];

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn rating_of(realised: f64, target: f64) -> Rating {
    let r = if target > 0.0 { realised / target } else { 1.0 };
    if r >= 1.1 {
        Rating::DiAtasEkspektasi
    } else if r >= 0.9 {
        Rating::SesuaiEkspektasi
    } else {
        Rating::DiBawahEkspektasi
    }
}

impl History<'_> {
    fn item_id(&mut self) -> String {
        format!("{:012x}", self.rng.next_u64() & 0xffff_ffff_ffff)
    }

    fn update(&mut self, w: &Writer, id: DocId, edit: impl FnOnce(&mut Appraisal)) -> Result<(), Error> {
        w.store().update::<Appraisal>(id, &w.author, |a| {
            edit(a);
            Ok(())
        })?;
        self.changes += 1;
        Ok(())
    }

    fn dialogue(&mut self, w: &Writer, id: DocId, date: NaiveDate, len: usize) -> Result<(), Error> {
        let note =
            DialogNote { id: self.item_id(), date, author_nip: w.author.user.clone(), text: self.rng.prose(len) };
        self.update(w, id, |a| a.dialogues.push(note))
    }

    fn set_status(&mut self, w: &Writer, id: DocId, status: AppraisalStatus) -> Result<(), Error> {
        self.update(w, id, |a| a.status = status)
    }

    /// The goals of one period's appraisals: closed periods are locked, the
    /// current one is in its last month.
    fn goal(&mut self, period: usize) -> (Goal, bool) {
        if period + 1 < self.periods.len() {
            return (Goal::Locked, self.rng.below(10) == 0);
        }
        match self.rng.below(100) {
            0..15 => (Goal::Draft, false),
            15..50 => (Goal::Submitted, false),
            _ => (Goal::Reviewed, false),
        }
    }

    /// One appraisal on the head's tablet, from the plan to the submission
    /// (drafts stop before the final realisation).
    fn appraisal(&mut self, w: &Writer, period: usize, staff: &Person, goal: Goal) -> Result<DocId, Error> {
        let (people, periods) = (self.people, self.periods);
        let p = periods.get(period).ok_or("no such period")?;
        let employee = Nip::parse(&staff.nip)?;
        let id = DocId::for_appraisal(&employee, &p.code);
        let mut a = Appraisal::new(employee, &p.code, UNIT, Nip::parse(&people.head.nip)?)?;
        a.reviewer_nip = Some(Nip::parse(&people.reviewer.nip)?);
        for i in 0..TARGETS {
            let (task, unit) = TASKS.get(self.rng.below_usize(TASKS.len())).copied().unwrap_or(("laporan", "laporan"));
            let target = if unit == "%" { 100.0 } else { self.rng.pick(TARGET_VALUES) };
            a.targets.push(SkpTarget {
                id: self.item_id(),
                indicator: format!("{} {task}", self.rng.pick(INDICATORS)),
                target,
                realisation: None,
                unit: unit.into(),
                main: i < MAIN_TARGETS,
                rating: None,
            });
        }
        let targets: Vec<f64> = a.targets.iter().map(|t| t.target).collect();
        w.store().create(id, &a, &w.author)?;
        self.changes += 1;
        self.dialogue(w, id, day(p, 0.04), 160)?;
        let mid: Vec<f64> = targets.iter().map(|t| one_decimal(t * (0.35 + 0.25 * self.rng.unit()))).collect();
        self.update(w, id, |a| {
            for (t, v) in a.targets.iter_mut().zip(mid) {
                t.realisation = Some(v);
            }
        })?;
        self.dialogue(w, id, day(p, 0.5), 240)?;
        for k in 0..1 + self.rng.below_usize(2) {
            let innovation = Innovation {
                id: self.item_id(),
                what: self.rng.pick(INNOVATIONS).to_string(),
                date: day(p, 0.3 + 0.3 * k as f64),
                effect: self.rng.prose(150),
            };
            self.update(w, id, |a| a.innovations.push(innovation))?;
        }
        if goal == Goal::Draft {
            return Ok(id);
        }
        let fin: Vec<f64> = targets.iter().map(|t| one_decimal(t * (0.8 + 0.35 * self.rng.unit()))).collect();
        let ratings: Vec<(Rating, bool)> =
            fin.iter().zip(&targets).enumerate().map(|(i, (f, t))| (rating_of(*f, *t), i < MAIN_TARGETS)).collect();
        self.update(w, id, |a| {
            for (t, v) in a.targets.iter_mut().zip(fin) {
                t.realisation = Some(v);
            }
        })?;
        let target_ratings: Vec<Rating> = ratings.iter().map(|(r, _)| *r).collect();
        self.update(w, id, |a| {
            for (t, r) in a.targets.iter_mut().zip(target_ratings) {
                t.rating = Some(r);
            }
        })?;
        let behaviour: Vec<(BehaviourValue, Rating)> = BehaviourValue::ALL
            .into_iter()
            .map(|v| {
                let r = match self.rng.below(10) {
                    0 => Rating::DiBawahEkspektasi,
                    1..8 => Rating::SesuaiEkspektasi,
                    _ => Rating::DiAtasEkspektasi,
                };
                (v, r)
            })
            .collect();
        let mut notes = BTreeMap::new();
        for _ in 0..1 + self.rng.below_usize(2) {
            let v = BehaviourValue::ALL.get(self.rng.below_usize(7)).copied().unwrap_or(BehaviourValue::Akuntabel);
            notes.insert(v, self.rng.prose(110));
        }
        let overall = (
            suggest_hasil_kerja(&ratings).unwrap_or(Rating::SesuaiEkspektasi),
            suggest_perilaku(&behaviour.iter().map(|(_, r)| *r).collect::<Vec<_>>())
                .unwrap_or(Rating::SesuaiEkspektasi),
        );
        self.update(w, id, |a| {
            a.behaviour.extend(behaviour);
            a.behaviour_notes.extend(notes);
        })?;
        self.update(w, id, |a| (a.hasil_kerja, a.perilaku) = (Some(overall.0), Some(overall.1)))?;
        let note = self.rng.prose(280);
        self.update(w, id, |a| a.notes = note)?;
        self.set_status(w, id, AppraisalStatus::Submitted)?;
        Ok(id)
    }

    /// The head's tablet: every appraisal and the mentoring pairs.
    fn head_tablet(&mut self, w: &Writer) -> Result<Vec<Planned>, Error> {
        let (people, periods) = (self.people, self.periods);
        let mut planned = Vec::new();
        for period in 0..periods.len() {
            for s in &people.staff {
                let (goal, returned) = self.goal(period);
                let id = self.appraisal(w, period, s, goal)?;
                planned.push(Planned { id, period, goal, returned });
            }
        }
        self.mentoring(w)?;
        Ok(planned)
    }

    /// One pair per five staff, senior mentor and junior mentee.
    fn mentoring(&mut self, w: &Writer) -> Result<(), Error> {
        let (people, periods) = (self.people, self.periods);
        let staff = &people.staff;
        let pairs = staff.len() / 5;
        let first = periods.first().ok_or("no period")?;
        let last = periods.last().ok_or("no period")?;
        for i in 0..pairs {
            let (Some(mentor), Some(mentee)) = (staff.get(i), staff.get(pairs + i)) else { break };
            let start = day(first, 0.1 * self.rng.unit());
            let m = Mentoring {
                mentor_nip: Nip::parse(&mentor.nip)?,
                mentee_nip: Nip::parse(&mentee.nip)?,
                unit_id: UNIT.into(),
                start,
                active: true,
                sessions: Vec::new(),
            };
            let id = DocId::from_uuid(self.rng.uuid());
            w.store().create(id, &m, &w.author)?;
            self.changes += 1;
            let ends = if i % 3 == 0 { start + chrono::Duration::days(365) } else { last.end };
            let mut date = start;
            loop {
                date += chrono::Duration::days(35 + self.rng.below(29) as i64);
                if date > ends {
                    break;
                }
                let session = MentoringSession {
                    id: self.item_id(),
                    date,
                    minutes: 30 * (1 + self.rng.below(4) as u32),
                    topic: self.rng.pick(MENTORING_TOPICS).to_string(),
                    notes: self.rng.prose(150),
                };
                w.store().update::<Mentoring>(id, &w.author, |m| {
                    m.sessions.push(session);
                    Ok(())
                })?;
                self.changes += 1;
            }
            if ends < last.end {
                w.store().update::<Mentoring>(id, &w.author, |m| {
                    m.active = false;
                    Ok(())
                })?;
                self.changes += 1;
            }
        }
        Ok(())
    }

    /// The reviewer's tablet: the first review of everything submitted to
    /// be reviewed (returning those planned so), or the second review of
    /// the returned ones.
    fn review(&mut self, w: &Writer, planned: &[Planned], second: bool) -> Result<(), Error> {
        let periods = self.periods;
        for a in planned {
            if !matches!(a.goal, Goal::Reviewed | Goal::Locked) || (second && !a.returned) {
                continue;
            }
            let p = periods.get(a.period).ok_or("no such period")?;
            if a.returned && !second {
                self.dialogue(w, a.id, day(p, 1.0), 200)?;
                self.set_status(w, a.id, AppraisalStatus::Draft)?;
                continue;
            }
            if self.rng.below(3) == 0 {
                self.dialogue(w, a.id, day(p, 1.0), 140)?;
            }
            self.set_status(w, a.id, AppraisalStatus::Reviewed)?;
        }
        Ok(())
    }

    /// The head revises what was returned and submits it again.
    fn revise(&mut self, w: &Writer, planned: &[Planned]) -> Result<(), Error> {
        let periods = self.periods;
        for a in planned.iter().filter(|a| a.returned) {
            let p = periods.get(a.period).ok_or("no such period")?;
            let extra = self.rng.prose(120);
            self.update(w, a.id, |x| {
                x.notes.push(' ');
                x.notes.push_str(&extra);
            })?;
            self.dialogue(w, a.id, day(p, 1.0), 120)?;
            self.set_status(w, a.id, AppraisalStatus::Submitted)?;
        }
        Ok(())
    }

    /// The HR device: locks the closed periods, records the trainings.
    fn hr(&mut self, w: &Writer, planned: &[Planned]) -> Result<usize, Error> {
        for a in planned.iter().filter(|a| a.goal == Goal::Locked) {
            self.set_status(w, a.id, AppraisalStatus::Locked)?;
        }
        let (people, periods) = (self.people, self.periods);
        let first = periods.first().ok_or("no period")?;
        let last = periods.last().ok_or("no period")?;
        let span = (last.end - first.start).num_days().max(1);
        let mut trainings = 0;
        let everyone: Vec<&Person> = std::iter::once(&people.head).chain(&people.staff).collect();
        for person in everyone {
            for _ in 0..3 + self.rng.below(3) {
                let (title, provider, form) = TRAININGS
                    .get(self.rng.below_usize(TRAININGS.len()))
                    .copied()
                    .unwrap_or(("Pelatihan", "BKPSDM", DevelopmentForm::Pelatihan));
                let hours = self.rng.pick(TRAINING_HOURS);
                let start = first.start + chrono::Duration::days(self.rng.below(span as u64) as i64);
                let t = Training {
                    employee_nip: Nip::parse(&person.nip)?,
                    form,
                    title: title.into(),
                    provider: provider.into(),
                    start,
                    end: start + chrono::Duration::days((hours / 8.0).ceil() as i64 - 1).max(chrono::Duration::zero()),
                    minutes: Training::minutes_from_hours(hours)?,
                    programme_id: None,
                };
                let id = DocId::from_uuid(self.rng.uuid());
                w.store().create(id, &t, &w.author)?;
                self.changes += 1;
                trainings += 1;
            }
        }
        Ok(trainings)
    }
}

// ------------------------------------------------------------------ a run

fn progress(msg: &str) {
    eprintln!("prestasi-bench: {msg}");
}

pub fn run(bin: &Path, opts: &Options) -> Result<Report, Error> {
    if opts.staff < 1 || opts.periods < 1 {
        return Err("--staff and --periods are at least 1".into());
    }
    let tmp = tempfile::Builder::new().prefix("prestasi-bench-device-").tempdir()?;
    let (dir, _cleanup) = if opts.keep { (tmp.keep(), None) } else { (tmp.path().to_path_buf(), Some(tmp)) };
    if opts.keep {
        progress(&format!("keeping {}", dir.display()));
    }
    let mut rng = Rng::new(opts.seed);
    let people = people(&mut rng, opts.staff);
    let periods = periods(opts.periods)?;
    let data_dir = dir.join("server");
    let codes = seed_server(&data_dir, &people)?;
    let mut srv = ServerProcess::start(bin, &data_dir, None, &dir.join("server.log"))?;
    progress(&format!("server pid {} on {}", srv.pid, srv.url));

    let started = Instant::now();
    let devices = dir.join("history");
    std::fs::create_dir_all(&devices)?;
    let mut h = History { rng, people: &people, periods: &periods, changes: 0 };
    let head = Writer::enroll(&devices, "head-old-tablet", &srv.url, &codes.old_tablet)?;
    head.sync("head's old tablet, roster")?;
    progress(&format!(
        "writing {} appraisals ({} periods × {} staff) on the head's old tablet",
        periods.len() * people.staff.len(),
        periods.len(),
        people.staff.len()
    ));
    let planned = h.head_tablet(&head)?;
    head.sync("head's old tablet")?;
    let reviewer = Writer::enroll(&devices, "reviewer-tablet", &srv.url, &codes.reviewer_tablet)?;
    reviewer.sync("reviewer's tablet, pull")?;
    h.review(&reviewer, &planned, false)?;
    reviewer.sync("reviewer's tablet, reviews")?;
    head.sync("head's old tablet, returned")?;
    h.revise(&head, &planned)?;
    head.sync("head's old tablet, resubmitted")?;
    reviewer.sync("reviewer's tablet, pull resubmitted")?;
    h.review(&reviewer, &planned, true)?;
    reviewer.sync("reviewer's tablet, second reviews")?;
    let hr = Writer::enroll(&devices, "hr-device", &srv.url, &codes.hr)?;
    hr.sync("HR device, pull")?;
    let trainings = h.hr(&hr, &planned)?;
    hr.sync("HR device, locks and trainings")?;
    let history_s = started.elapsed().as_secs_f64();
    let history_changes = h.changes;
    progress(&format!("history: {history_changes} signed changes in {history_s:.1} s"));
    let mut server_documents = BTreeMap::new();
    for (_, kind) in hr.store().all_documents()? {
        *server_documents.entry(kind.as_str().to_string()).or_insert(0) += 1;
    }
    if server_documents.get("training").copied().unwrap_or(0) != trainings {
        return Err("the HR device does not hold every training it recorded".into());
    }
    drop((head, reviewer, hr));

    // The new tablet's first sync, in its own process.
    let store_path = dir.join("new-tablet.db");
    let first: FirstSync = child(&[
        "--mode",
        "first-sync",
        "--store",
        &path_arg(&store_path)?,
        "--url",
        &srv.url,
        "--code",
        &codes.new_tablet,
        "--user",
        &people.head.nip,
    ])?;
    progress(&format!(
        "first sync: {:.2} s, {} round trips, peak RSS {:.1} MB",
        first.elapsed_ms / 1000.0,
        first.round_trips,
        first.peak_rss_bytes as f64 / MB
    ));
    srv.stop()?;
    let store_bytes = file_bytes(&store_path);

    let current = periods.last().map(|p| p.code.clone()).unwrap_or_default();
    let mut cold_cache = true;
    let (mut store_open, mut session_open, mut list_first, mut list_rest) = (vec![], vec![], vec![], vec![]);
    let (mut kinds, mut statuses, mut rows) = (BTreeMap::new(), BTreeMap::new(), 0);
    for i in 0..opts.runs.max(1) {
        cold_cache &= evict(&store_path);
        let r: OpenRun = child(&["--mode", "open-store", "--store", &path_arg(&store_path)?])?;
        store_open.push(r.open_ms);
        if i == 0 {
            (kinds, statuses) = (r.kinds, r.statuses);
        }
        cold_cache &= evict(&store_path);
        let r: OpenRun = child(&[
            "--mode",
            "open-session",
            "--store",
            &path_arg(&store_path)?,
            "--user",
            &people.head.nip,
            "--period",
            &current,
        ])?;
        session_open.push(r.open_ms);
        list_first.extend(r.list_first_ms);
        list_rest.extend(r.list_ms);
        rows = r.rows;
    }
    let report = Report {
        staff: people.staff.len(),
        periods: periods.iter().map(|p| p.code.clone()).collect(),
        server_documents,
        history_changes,
        history_s,
        documents_total: kinds.values().sum(),
        documents_in_scope: kinds,
        appraisals_by_status: statuses,
        first_sync: first,
        store_open: Stats::of(store_open),
        session_open: Stats::of(session_open),
        my_staff_first: Stats::of(list_first),
        my_staff_repeated: Stats::of(list_rest),
        my_staff_rows: rows,
        store_bytes,
        cold_cache,
    };
    check(&report, &people, &periods)?;
    Ok(report)
}

/// The new tablet holds the unit's whole scope.
fn check(r: &Report, people: &People, periods: &[Period]) -> Result<(), Error> {
    let n = people.staff.len();
    let held = |k: &str| r.documents_in_scope.get(k).copied().unwrap_or(0);
    let expected = [("appraisal", n * periods.len()), ("employee", n + 1), ("unit", 1), ("mentoring", n / 5)];
    for (kind, want) in expected {
        if held(kind) != want {
            return Err(format!("the new tablet holds {} {kind} documents, expected {want}", held(kind)).into());
        }
    }
    let locked = r.appraisals_by_status.get("locked").copied().unwrap_or(0);
    if locked != n * (periods.len() - 1) {
        return Err(
            format!("{locked} locked appraisals on the new tablet, expected {}", n * (periods.len() - 1)).into()
        );
    }
    if r.my_staff_rows != n {
        return Err(format!("my staff listed {} rows, expected {n}", r.my_staff_rows).into());
    }
    Ok(())
}

fn path_arg(p: &Path) -> Result<String, Error> {
    p.to_str().map(str::to_string).ok_or_else(|| format!("path {} is not UTF-8", p.display()).into())
}

/// The store file and its WAL, bytes.
fn file_bytes(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), PathBuf::from(wal)].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

/// Drop the store's files from the page cache (`dd iflag=nocache`, i.e.
/// `posix_fadvise(DONTNEED)`); whether that worked.
fn evict(db: &Path) -> bool {
    let mut ok = true;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if !p.exists() {
            continue;
        }
        let mut arg = std::ffi::OsString::from("if=");
        arg.push(&p);
        let status =
            Command::new("dd").arg(arg).args(["iflag=nocache", "count=0", "status=none"]).stdin(Stdio::null()).status();
        ok &= status.map(|s| s.success()).unwrap_or(false);
    }
    ok
}

/// Run this binary's `device-child` with `args`; its JSON answer.
fn child<T: serde::de::DeserializeOwned>(args: &[&str]) -> Result<T, Error> {
    let out = Command::new(std::env::current_exe()?)
        .arg("device-child")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("device child ({}) failed: {}", args.get(1).unwrap_or(&"?"), out.status).into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

// ------------------------------------------------------------ the children

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?;
    let kb: u64 = line.split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The hidden `device-child` subcommand: one measurement, JSON on stdout.
pub fn child_main(
    mode: &str,
    store: &Path,
    url: Option<&str>,
    code: Option<&str>,
    user: Option<&str>,
    period: Option<&str>,
) -> Result<(), Error> {
    let out = match mode {
        "first-sync" => {
            let (url, code, user) = (url.ok_or("--url")?, code.ok_or("--code")?, user.ok_or("--user")?);
            serde_json::to_string(&first_sync(store, url, code, user)?)?
        }
        "open-store" => serde_json::to_string(&open_store(store)?)?,
        "open-session" => {
            let (user, period) = (user.ok_or("--user")?, period.ok_or("--period")?);
            serde_json::to_string(&open_session(store, user, period)?)?
        }
        other => return Err(format!("unknown device-child mode {other}").into()),
    };
    println!("{out}");
    Ok(())
}

/// A new tablet as the app makes it: open, enroll, the enrolled person's
/// first sign-in; then the measured first sync.
fn first_sync(path: &Path, url: &str, code: &str, user: &str) -> Result<FirstSync, Error> {
    let rss_start_bytes = status_bytes("VmRSS").unwrap_or(0);
    let session = Session::open(&path_arg(path)?, &store_key())?;
    session.enroll(url, code)?;
    session.sign_in(user, PIN, None)?;
    let peak_before_bytes = status_bytes("VmHWM").unwrap_or(0);
    // "5": reset the peak resident set size to the present one (Linux ≥ 4.0).
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before_bytes = status_bytes("VmRSS").unwrap_or(0);
    let mut r = FirstSync { peak_before_bytes, rss_before_bytes, rss_start_bytes, hwm_reset, ..FirstSync::default() };
    let started = Instant::now();
    loop {
        let s = session.sync_now()?;
        r.syncs += 1;
        r.round_trips += s.round_trips;
        r.pulled += s.pulled;
        r.bytes_sent += s.bytes_sent;
        r.bytes_received += s.bytes_received;
        if s.pulled == 0 {
            break;
        }
        if r.syncs > 100 {
            return Err("the first sync did not finish in 100 syncs".into());
        }
    }
    r.elapsed_ms = ms(started.elapsed());
    r.peak_rss_bytes = status_bytes("VmHWM").ok_or("no VmHWM in /proc/self/status")?;
    Ok(r)
}

fn open_store(path: &Path) -> Result<OpenRun, Error> {
    let started = Instant::now();
    let store = Store::open(path, &store_key())?;
    let open_ms = ms(started.elapsed());
    let mut r = OpenRun { open_ms, ..OpenRun::default() };
    for (_, kind) in store.all_documents()? {
        *r.kinds.entry(kind.as_str().to_string()).or_insert(0) += 1;
    }
    for status in AppraisalStatus::ALL {
        let n = store.appraisals_by_status(status, None)?.len();
        if n > 0 {
            r.statuses.insert(status.as_str().to_string(), n);
        }
    }
    Ok(r)
}

fn open_session(path: &Path, user: &str, period: &str) -> Result<OpenRun, Error> {
    let path = path_arg(path)?;
    let started = Instant::now();
    let session = Session::open(&path, &store_key())?;
    let open_ms = ms(started.elapsed());
    // The PIN prompt: not part of opening or listing.
    session.sign_in(user, PIN, None)?;
    let started = Instant::now();
    let staff = session.my_staff(period)?;
    let first = ms(started.elapsed());
    let mut list_ms = Vec::with_capacity(LIST_REPEAT);
    for _ in 0..LIST_REPEAT {
        let started = Instant::now();
        let again = session.my_staff(period)?;
        list_ms.push(ms(started.elapsed()));
        if again.len() != staff.len() {
            return Err("my staff changed between calls".into());
        }
    }
    Ok(OpenRun { open_ms, list_first_ms: Some(first), list_ms, rows: staff.len(), ..OpenRun::default() })
}
