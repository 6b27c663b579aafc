//! `prestasi-devtools demo`: a regency to look around in.
//!
//! On first start (or with `--fresh`) the tenant [`TENANT`] is seeded the
//! way a real one fills up, from a [`generate::dataset`] shaped like a small
//! regency (3 agencies × 4 units, ~300 employees with valid NIPs), only
//! through the server's own write paths — never into its tables directly:
//!
//! 1. the tenant, an HR user and the roster, imported from a SIASN-style
//!    CSV through [`admin::import_employees`];
//! 2. the HTTP server starts, then simulated devices talk to it over real
//!    HTTP with the core's [`SyncClient`]: per unit one supervisor tablet
//!    (appraisers and reviewers of the unit sign in on it) writing the
//!    appraisals of the closed period [`CLOSED`] and the open period
//!    [`OPEN`] change by change, one kiosk sending the unit's latest
//!    [`KIOSK_LATEST`] citizen feedback, and for a few draft appraisals a
//!    second tablet of the same supervisor editing the same field
//!    differently offline: real conflicts for HR to resolve;
//! 3. BKPSDM records trainings, unit ratings, potential scores and
//!    sanctions, and locks every appraisal of the closed period.
//!
//! The rest of the year's citizen feedback is history: in the field each
//! kiosk would have synced it day by day, but simulated kiosks syncing it
//! all now would date it all today. It goes through the server's bulk
//! write path, [`admin::seed`], with each feedback's arrival time set to
//! when the citizen gave it, so the SKM reports spread over the year; the
//! trainings go the same way, dated when they ended. Those are real
//! documents, checked like any write, written by the server in the name of
//! BKPSDM's user [`HR_USER`].
//!
//! The demo receives its storage already opened ([`open_storage`], the
//! one place that decides which database `--data-dir` means).

mod devices;
mod office;
mod roster;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use prestasi_core::model::DocId;
use prestasi_server::config::Limits;
use prestasi_server::state::{AppState, ServerIdentity};
use prestasi_server::storage::Storage;

use crate::generate::{self, Dataset};

#[cfg(doc)]
use prestasi_core::sync::SyncClient;
#[cfg(doc)]
use prestasi_server::admin;

pub const TENANT: &str = "demo";
pub const TENANT_NAME: &str = "Kabupaten Manokwari (demo)";
pub const HR_USER: &str = "bkpsdm";
/// Printed at start: a demo on loopback, not a secret.
pub const HR_PASSWORD: &str = "kopi-arfak-pagi";
/// Closed: every appraisal locked by BKPSDM.
pub const CLOSED: &str = "2026-S1";
/// Still open: drafts, submitted and reviewed appraisals.
pub const OPEN: &str = "2026-S2";
/// Draft appraisals edited on two tablets of the same supervisor.
pub const CONFLICTS: usize = 4;
/// Feedback per unit its kiosk sends over HTTP: the unit's latest; the
/// earlier ones are seeded as history (see the module documentation).
pub const KIOSK_LATEST: usize = 10;
/// Where the simulated devices keep their stores, under the data directory.
pub const DEVICES_DIR: &str = "demo-devices";
/// Set in the server's meta table once seeding has finished.
const SEEDED_KEY: &str = "demo.seeded";

pub type DemoError = Box<dyn std::error::Error + Send + Sync>;

/// The data set the demo seeds: 3 agencies × 4 units, 300 employees, the
/// two semesters of 2026, 2,000 citizen feedback from 1 January 2026 until
/// the start of today (WIB; or the end of 2026), 2 trainings per active
/// employee.
///
/// The end is today's midnight, not the current instant: feedback times
/// (and so their UUIDv7 ids) are spread over the office hours up to the
/// end, so an end that moved during office hours would give every
/// feedback another id from one call to the next (the demo's tests
/// compare the seeded data with a second call).
pub fn options() -> generate::Options {
    // 2026-01-01 and 2027-01-01 at 00:00 WIB (UTC+7).
    const START_MS: i64 = 1_767_200_400_000;
    const END_MS: i64 = 1_798_736_400_000;
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    let now = chrono::Utc::now().timestamp_millis();
    let now = START_MS + (now - START_MS).div_euclid(DAY_MS) * DAY_MS;
    generate::Options {
        seed: 2026,
        agencies: 3,
        units_per_agency: 4,
        employees: 300,
        periods: vec![CLOSED.to_string(), OPEN.to_string()],
        feedback: 2_000,
        trainings_per_employee: 2,
        start_ms: START_MS,
        end_ms: now.clamp(START_MS + 30 * 24 * 60 * 60 * 1000, END_MS),
    }
}

/// What seeding wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records of each kind, as in the data set.
    pub data: generate::Summary,
    /// Devices enrolled and synced (tablets and kiosks).
    pub devices: usize,
    /// Appraisals edited on two tablets at once.
    pub conflicts: usize,
    pub locked: usize,
}

/// One line per step on stderr, with the time since the start.
#[derive(Debug)]
pub struct Progress {
    started: Instant,
}

impl Progress {
    pub fn new() -> Self {
        Self { started: Instant::now() }
    }

    pub fn step(&self, what: impl std::fmt::Display) {
        eprintln!("demo {:6.1} s  {what}", self.started.elapsed().as_secs_f64());
    }

    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// A demo server, seeded and listening.
#[derive(Debug)]
pub struct Running {
    /// `http://host:port`, without a trailing slash.
    pub url: String,
    pub storage: Arc<dyn Storage>,
    /// `Some` when this start seeded the tenant.
    pub seeded: Option<Summary>,
    /// A unit with citizen feedback, for the printed form address.
    pub example_unit: Option<(String, String)>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Serve until the shutdown future given to [`start`] completes.
    pub async fn wait(self) -> Result<(), DemoError> {
        Ok(self.server.await??)
    }

    /// What to tell the person who started it.
    pub fn banner(&self) -> String {
        let mut s = format!(
            "Prestasi demo: {}/masuk — instansi: {TENANT}, pengguna: {HR_USER}, kata sandi: {HR_PASSWORD}\n\
             Formulir umpan balik warga: {}/umpan-balik/{TENANT}/<unit id>",
            self.url, self.url
        );
        if let Some((id, name)) = &self.example_unit {
            s.push_str(&format!(", mis. {}/umpan-balik/{TENANT}/{id} ({name})", self.url));
        }
        s.push_str("\nBerhenti dengan Ctrl-C.");
        s
    }
}

/// The demo's database in `data_dir` (SQLite), opened. The one place the
/// demo decides where its data lives.
pub fn open_storage(data_dir: &Path, database_url: Option<&str>) -> Result<Arc<dyn Storage>, DemoError> {
    Ok(prestasi_server::storage::open(data_dir, database_url)?)
}

/// The `demo` command: with `fresh`, wipe `data_dir` first; seed if
/// needed, print where to log in, serve until `shutdown`.
pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    listen: SocketAddr,
    fresh: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DemoError> {
    if fresh {
        if database_url.is_some() {
            return Err("--fresh deletes the embedded database only; give the demo an empty PostgreSQL database".into());
        }
        // Before the database is opened: this deletes it.
        wipe(data_dir)?;
    }
    let storage = open_storage(data_dir, database_url)?;
    let running = start(storage, &data_dir.join(DEVICES_DIR), listen, shutdown).await?;
    println!("{}", running.banner());
    running.wait().await
}

/// Open the demo on `storage` (seeding it on first start), serving on
/// `listen` (port 0 picks a free one); the simulated devices keep their
/// stores in `devices_dir`. Returns once seeding is done; the server keeps
/// running until `shutdown` completes.
pub async fn start(
    storage: Arc<dyn Storage>,
    devices_dir: &Path,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, DemoError> {
    let progress = Progress::new();
    // Bound first, so a port in use fails before any seeding.
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { addr.ip() };
    let url = format!("http://{}", SocketAddr::new(host, addr.port()));
    // Links (QR codes) name the address the demo prints.
    let public = prestasi_server::public_url::PublicUrl::parse(&url)?;
    let state = AppState::new(storage.clone(), Limits::default())?.with_public(public);
    let seed = match (storage.tenant(TENANT)?, storage.meta(SEEDED_KEY)?) {
        (None, _) => true,
        (Some(_), Some(_)) => false,
        (Some(_), None) => {
            return Err("the demo was interrupted while seeding; start it again with --fresh".into());
        }
    };
    let server_device = state.server.clone();
    let d = if seed {
        progress.step(format!("seeding tenant {TENANT} ({TENANT_NAME})"));
        let d = generate::dataset(&options())?;
        let (s, server) = (storage.clone(), server_device.clone());
        let d = tokio::task::spawn_blocking(move || {
            roster::seed(s.as_ref(), &server, &d, &progress).map(|()| (d, progress))
        })
        .await??;
        Some(d)
    } else {
        progress.step(format!("tenant {TENANT} is already seeded"));
        // The printed login works whatever password an earlier version seeded.
        let s = storage.clone();
        tokio::task::spawn_blocking(move || -> Result<(), DemoError> {
            let hash = prestasi_server::auth::hash_password(HR_PASSWORD)?;
            s.set_password(TENANT, HR_USER, &hash, false, chrono::Utc::now().timestamp_millis())?;
            Ok(())
        })
        .await??;
        None
    };

    let server = tokio::spawn(prestasi_server::http::serve(listener, prestasi_server::router(state), shutdown));
    let mut running = Running { url, storage, seeded: None, example_unit: None, server };
    let Some((d, progress)) = d else {
        running.example_unit = example_unit(running.storage.as_ref())?;
        return Ok(running);
    };
    progress.step(format!("server listening on {}; simulated devices start syncing", running.url));

    // Devices use blocking HTTP: a plain thread, not the runtime's pool
    // (which the server's own blocking work is sized against).
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (storage, url, dir) = (running.storage.clone(), running.url.clone(), devices_dir.to_path_buf());
    std::thread::spawn(move || {
        let _ = tx.send(seed_through_server(storage.as_ref(), &server_device, &url, &dir, &d, progress));
    });
    let summary = tokio::select! {
        r = rx => r.map_err(|_| "the seeding thread stopped")??,
        r = &mut running.server => {
            r??;
            return Err("the server stopped before the demo was seeded; start again with --fresh".into());
        }
    };
    running.seeded = Some(summary);
    running.example_unit = example_unit(running.storage.as_ref())?;
    Ok(running)
}

/// The feedback each unit's kiosk sends: the unit's [`KIOSK_LATEST`]
/// latest. The rest is seeded as history (see the module documentation).
fn sent_by_kiosks(d: &Dataset) -> HashSet<DocId> {
    let mut per_unit: HashMap<&str, Vec<(i64, DocId)>> = HashMap::new();
    for (id, f, at) in &d.feedback {
        per_unit.entry(f.unit_id.as_str()).or_default().push((*at, *id));
    }
    let mut sent = HashSet::new();
    for mut v in per_unit.into_values() {
        v.sort_unstable();
        sent.extend(v.iter().rev().take(KIOSK_LATEST).map(|(_, id)| *id));
    }
    sent
}

/// HR's list of each unit's services for its citizens' form: the ones the
/// unit's seeded feedback names, most answered first.
fn list_services(storage: &dyn Storage, d: &Dataset) -> Result<(), DemoError> {
    let mut per_unit: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (_, f, _) in &d.feedback {
        *per_unit.entry(f.unit_id.as_str()).or_default().entry(f.service.as_str()).or_default() += 1;
    }
    let cache = prestasi_server::services::Cache::default();
    for (unit, counts) in per_unit {
        let mut names: Vec<(&str, usize)> = counts.into_iter().collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let names: Vec<&str> =
            names.into_iter().map(|(n, _)| n).take(prestasi_server::services::MAX_SERVICES).collect();
        prestasi_server::services::set(storage, &cache, TENANT, unit, &names, "demo")?;
    }
    Ok(())
}

/// Steps 2 and 3 of the module documentation, against the running server.
fn seed_through_server(
    storage: &dyn Storage,
    server: &ServerIdentity,
    url: &str,
    dir: &Path,
    d: &Dataset,
    progress: Progress,
) -> Result<Summary, DemoError> {
    let by_kiosk = sent_by_kiosks(d);
    let mut summary = devices::run(storage, url, dir, d, &by_kiosk, &progress)?;
    office::run(storage, server, d, &by_kiosk, &mut summary, &progress)?;
    list_services(storage, d)?;
    storage.set_meta(SEEDED_KEY, &chrono::Utc::now().to_rfc3339())?;
    summary.data = d.summary();
    progress.step(format!(
        "seeded in {:.1} s: {}; {} appraisals of {CLOSED} locked, {} drafts of {OPEN} with a conflict, {} devices",
        progress.seconds(),
        summary.data,
        summary.locked,
        summary.conflicts,
        summary.devices
    ));
    Ok(summary)
}

/// The unit with the most citizen feedback: (id, name).
fn example_unit(storage: &dyn Storage) -> Result<Option<(String, String)>, DemoError> {
    let mut best: Option<(u64, String, String)> = None;
    for u in storage.units(TENANT)? {
        let n = storage.feedback_count(TENANT, Some(&u.id))?;
        if best.as_ref().is_none_or(|(m, _, _)| n > *m) {
            best = Some((n, u.id, u.name));
        }
    }
    Ok(best.map(|(_, id, name)| (id, name)))
}

/// `--fresh`: remove the database and the device stores, unless the
/// database holds a tenant other than the demo's.
fn wipe(data_dir: &Path) -> Result<(), DemoError> {
    let db = data_dir.join("prestasi.db");
    if db.exists() {
        let others: Vec<String> =
            open_storage(data_dir, None)?.tenants()?.into_iter().map(|t| t.id).filter(|id| id != TENANT).collect();
        if !others.is_empty() {
            return Err(format!(
                "--fresh would delete {}, which also holds the tenants {}; use an empty --data-dir for the demo",
                db.display(),
                others.join(", ")
            )
            .into());
        }
    }
    let files: Vec<PathBuf> = ["prestasi.db", "prestasi.db-wal", "prestasi.db-shm"]
        .iter()
        .map(|f| data_dir.join(f))
        .filter(|p| p.exists())
        .collect();
    for f in files {
        std::fs::remove_file(f)?;
    }
    let devices = data_dir.join(DEVICES_DIR);
    if devices.exists() {
        std::fs::remove_dir_all(devices)?;
    }
    Ok(())
}
