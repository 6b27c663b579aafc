//! `prestasi-bench`: the sync benchmark.
//!
//! Many tablets and kiosks were offline; each wrote its appraisals (and
//! their later edits) or citizens' feedback. Then all come online at once
//! and sync to one `prestasi-server`; a fresh HR device pulls everything
//! back and checks every record's final content. The workload is the shared
//! format of `WORKLOAD.md` (version 1), so other sync systems can replay the
//! same operations.
//!
//! ```text
//! prestasi-bench generate --devices D [--appraisals 25] [--feedback 10] [--seed 42] > workload.json
//! prestasi-bench run --devices D [--appraisals 25] [--feedback 10] [--seed 42] [--json]
//! prestasi-bench run --workload FILE [--server-bin PATH] [--keep] [--json]
//! prestasi-bench reports --data-dir DIR [--repeat 3]
//! prestasi-bench link --workload FILE [--profile 2g|edge|vsat] [--seed 42]
//! prestasi-bench device [--staff 40] [--periods 4] [--runs 7] [--server-bin PATH] [--json]
//! ```
//!
//! `device` measures a supervisor's tablet holding a unit's two years: the
//! peak memory of its first sync, store open and the "my staff" list, each
//! in a child process of its own (see `device.rs`).
//!
//! `link` times a supervisor's day and a new tablet's first sync over
//! emulated field links (see `link.rs`).
//!
//! `reports` times every HR report over a large merged view (see
//! `reports.rs`); the rest of this page is about `run`.
//!
//! `generate` writes D device entries (one unit each) of K appraisals —
//! 5 SKP targets, 7 perilaku ratings, a ~200-character note, 3 later edits —
//! and C feedback submissions, from a splitmix64 generator seeded by
//! `--seed`: the same arguments give the same file. Every NIP is a
//! structurally valid 18-digit NIP, unique in the file.
//!
//! `run` (generating the workload in memory, or reading `--workload`):
//!
//! 1. **Seed** a new server database in a temporary directory before the
//!    server starts: tenant `bench`; a roster importing every employee as
//!    staff (pelaksana) of the appraisal's unit with their appraiser as
//!    NIP_ATASAN (the server takes a new appraisal's appraiser from it, and
//!    its reviewer from the appraiser's own NIP_ATASAN: none unless the file
//!    appraises the appraiser too) and, per device entry, its first
//!    appraisal's appraiser as pengawas of the unit; an HR user; enrollment
//!    codes for one supervisor tablet per entry (enrolled for that
//!    appraiser), one kiosk per entry (`kiosk-<unit>`) and one HR device
//!    (`hr-verifier`); a person code for every other appraiser of the entry,
//!    to bind the key they make on that tablet.
//! 2. **Start** `prestasi-server --data-dir DIR/server serve` on a free
//!    loopback port (`--server-bin`, default: the `prestasi-server` beside
//!    this executable) and wait until it accepts connections.
//! 3. **Offline phase** (not timed): each device gets its own store file and
//!    enrolls. On the tablet every appraisal is created by its own
//!    appraiser, signed in on the shared unit tablet (a key made and sealed
//!    under a PIN at their first sign-in: one Argon2id derivation per person
//!    per tablet), then each edit is a separate later change, every change
//!    signed; the kiosk's user signs in (empty PIN) and records its feedback.
//!    An appraisal's document id is derived from its employee and period,
//!    as the server requires, not taken from the file's `id`.
//!    Every store is then closed (thousands of tablets could not all keep
//!    their files open).
//! 4. **Sync phase** (timed): `--in-flight N` devices (default 500, all of
//!    them below that) are released together by a barrier; each opens its
//!    store and calls `sync_now` once (its keys are bound in that same
//!    request, then every change's signature is verified), and as each
//!    finishes the next device not yet synced starts. Converged means every
//!    sync returned and had every pushed document accepted (none rejected).
//! 5. **Verification** (timed separately): the HR device syncs until a sync
//!    pulls nothing, then every appraisal must hold its initial values with
//!    the edits applied in order, and every feedback its scores.
//! 6. **Report**: time to converge, HR verify time, server CPU (from
//!    `/proc/<pid>/stat`) and peak RSS (`VmHWM`), bytes on the wire per
//!    device sync (compressed request + response bodies), bytes per
//!    appraisal of a first upload (one tablet's push encoded as its client
//!    does, zstd level 3), round trips per sync, database size, throughput.
//!    A table, and with `--json` one JSON object on stdout (the table then
//!    goes to stderr). The server is stopped with SIGTERM.
//!
//! Exit status: 0 when the run converged and verified, 2 for a bad command
//! line or workload file (also one the roster cannot express: an employee
//! appraised by two appraisers, or twice in one period, or two people
//! appraising each other), 1 for any other failure (a rejected document, a
//! record that differs, the server failing).
//!
//! Change times in the stores are the machine's clock at replay, not the
//! workload's `created_at`/`at` (the store stamps its own changes); feedback
//! keeps `submitted_at`, which is a field.

mod converge;
mod device;
mod link;
mod measure;
mod replay;
mod report;
mod reports;
mod run;
mod server;
mod verify;
mod workload;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::workload::{Shape, Workload, WorkloadError};

/// Every error ends the run with a message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Parser)]
#[command(name = "prestasi-bench", version, about = "Sync benchmark for the Prestasi server")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Write a generated workload (WORKLOAD.md format) to stdout.
    Generate {
        /// Device entries (units), each one tablet and one kiosk.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        devices: u32,
        #[command(flatten)]
        shape: ShapeArgs,
    },
    /// Replay a workload against a real server and report.
    Run {
        /// Generate a workload of this many device entries in memory.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..), required_unless_present = "workload")]
        devices: Option<u32>,
        #[command(flatten)]
        shape: ShapeArgs,
        /// Replay this workload file instead.
        #[arg(long, conflicts_with = "devices")]
        workload: Option<PathBuf>,
        /// The server binary (default: `prestasi-server` beside this one).
        #[arg(long)]
        server_bin: Option<PathBuf>,
        /// Keep the temporary directory (stores, server data and log).
        #[arg(long)]
        keep: bool,
        /// Also print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Run on this (empty) PostgreSQL database instead of SQLite.
        #[arg(long)]
        database: Option<String>,
        /// Server processes on the database, device entries spread over
        /// them round-robin (more than one needs --database).
        #[arg(long, default_value_t = 1)]
        instances: usize,
        /// Devices syncing at once: that many start together, and each
        /// that finishes is followed by the next.
        #[arg(long, default_value_t = converge::DEFAULT_IN_FLIGHT)]
        in_flight: usize,
    },
    /// A supervisor's day and a new tablet's first sync over emulated
    /// field links (2g, edge, vsat).
    Link {
        /// The day is this workload's first device entry.
        #[arg(long)]
        workload: PathBuf,
        /// One profile (2g, edge, vsat); all three if absent.
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The server binary (default: `prestasi-server` beside this one).
        #[arg(long)]
        server_bin: Option<PathBuf>,
    },
    /// A supervisor's tablet holding a unit's two years: first-sync peak
    /// memory, store open and "my staff" times.
    Device {
        /// Employees of the unit (under one head).
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..))]
        staff: u32,
        /// Semesters of history, ending with the current one (2026-S2).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
        periods: u32,
        /// Fresh processes per open measurement.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..))]
        runs: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The server binary (default: `prestasi-server` beside this one).
        #[arg(long)]
        server_bin: Option<PathBuf>,
        /// Keep the temporary directory (stores, server data and log).
        #[arg(long)]
        keep: bool,
        /// Also print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// One measurement of `device` in a process of its own (internal).
    #[command(hide = true)]
    DeviceChild {
        #[arg(long)]
        mode: String,
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        period: Option<String>,
    },
    /// Time every HR report over a large generated merged view.
    Reports {
        /// Where the data is (generated there first if empty, by the
        /// `prestasi-devtools` beside the server binary; kept).
        #[arg(long)]
        data_dir: PathBuf,
        /// The server binary (default: `prestasi-server` beside this one).
        #[arg(long)]
        server_bin: Option<PathBuf>,
        /// Requests per report and format.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// The data in this PostgreSQL database instead (generated there
        /// first if it has none).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct ShapeArgs {
    /// Appraisals per device entry.
    #[arg(long, default_value_t = 25)]
    appraisals: usize,
    /// Feedback submissions per device entry.
    #[arg(long, default_value_t = 10)]
    feedback: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl ShapeArgs {
    fn shape(&self, devices: u32) -> Shape {
        Shape { devices: devices as usize, appraisals: self.appraisals, feedback: self.feedback, seed: self.seed }
    }
}

fn main() -> ExitCode {
    match dispatch(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("prestasi-bench: error: {e}");
            if e.downcast_ref::<WorkloadError>().is_some() {
                return ExitCode::from(2);
            }
            eprintln!("prestasi-bench: (`run --keep` keeps the device stores, server data and server log)");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Cmd::Generate { devices, shape } => {
            let w = workload::generate(shape.shape(devices));
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer(&mut out, &w)?;
            writeln!(out)?;
            out.flush()?;
        }
        Cmd::Run { devices, shape, workload, server_bin, keep, json, database, instances, in_flight } => {
            let (w, source) = match (workload, devices) {
                (Some(path), _) => (Workload::load(&path)?, path.display().to_string()),
                (None, Some(devices)) => {
                    (workload::generate(shape.shape(devices)), format!("generated (seed {})", shape.seed))
                }
                (None, None) => return Err("give --devices or --workload".into()),
            };
            let report = run::run(&w, source, &run::Options { server_bin, keep, database, instances, in_flight })?;
            if json {
                eprint!("{}", report.table());
                println!("{}", report.json());
            } else {
                print!("{}", report.table());
            }
        }
        Cmd::Link { workload, profile, seed, server_bin } => {
            use prestasi_e2e::fieldlink::Profile;
            let profiles = match profile.as_deref() {
                None => Profile::ALL.to_vec(),
                Some(name) => {
                    vec![Profile::parse(name).ok_or_else(|| format!("unknown profile {name}: 2g, edge or vsat"))?]
                }
            };
            let w = Workload::load(&workload)?;
            let rows = link::run(&run::server_bin(server_bin)?, &w, &profiles, seed)?;
            print!("{}", link::table(&rows));
        }
        Cmd::Device { staff, periods, runs, seed, server_bin, keep, json } => {
            let opts =
                device::Options { staff: staff as usize, periods: periods as usize, seed, runs: runs as usize, keep };
            let report = device::run(&run::server_bin(server_bin)?, &opts)?;
            if json {
                eprint!("{}", report.table());
                println!("{}", report.json());
            } else {
                print!("{}", report.table());
            }
            let missed = report.missed();
            if !missed.is_empty() {
                return Err(format!("target(s) missed: {}", missed.join("; ")).into());
            }
        }
        Cmd::DeviceChild { mode, store, url, code, user, period } => {
            device::child_main(&mode, &store, url.as_deref(), code.as_deref(), user.as_deref(), period.as_deref())?;
        }
        Cmd::Reports { data_dir, server_bin, repeat, database } => {
            let rows = reports::run(&run::server_bin(server_bin)?, &data_dir, database.as_deref(), repeat)?;
            print!("{}", reports::table(&rows));
            let slow: Vec<_> = rows.iter().filter(|r| r.slowest >= std::time::Duration::from_secs(1)).collect();
            if !slow.is_empty() {
                return Err(format!("{} report(s) took 1 s or more", slow.len()).into());
            }
        }
    }
    Ok(())
}
