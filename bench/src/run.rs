//! `prestasi-bench run`: the steps of one benchmark run, in order.

use std::path::PathBuf;
use std::time::Instant;

use crate::report::{Measured, Report};
use crate::server::{self, ServerProcess};
use crate::workload::Workload;
use crate::{Error, converge, measure, replay, verify};

#[derive(Debug, Clone)]
pub struct Options {
    /// `None`: the `prestasi-server` next to this executable.
    pub server_bin: Option<PathBuf>,
    /// Keep the temporary directory (stores, server data, server log).
    pub keep: bool,
    /// An empty PostgreSQL database instead of the embedded SQLite.
    pub database: Option<String>,
    /// Server processes on the database (more than one needs `database`).
    pub instances: usize,
    /// Devices syncing at once (see [`converge`]).
    pub in_flight: usize,
}

fn progress(msg: &str) {
    eprintln!("prestasi-bench: {msg}");
}

/// The server binary to run: as given, or the one built beside this one.
pub fn server_bin(given: Option<PathBuf>) -> Result<PathBuf, Error> {
    let bin = match given {
        Some(b) => b,
        None => std::env::current_exe()?.with_file_name("prestasi-server"),
    };
    if !bin.is_file() {
        return Err(format!(
            "no server binary at {}: build it (cargo build --release -p prestasi-server) or pass --server-bin",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

/// Seed, start the server, write offline, sync everything at once, verify
/// through HR, measure, stop the server.
pub fn run(workload: &Workload, source: String, opts: &Options) -> Result<Report, Error> {
    let bin = server_bin(opts.server_bin.clone())?;
    let tmp = tempfile::Builder::new().prefix("prestasi-bench-").tempdir()?;
    // Dropped last: everything inside is closed by then.
    let (dir, _cleanup) = if opts.keep { (tmp.keep(), None) } else { (tmp.path().to_path_buf(), Some(tmp)) };
    if opts.keep {
        progress(&format!("keeping {}", dir.display()));
    }
    let data_dir = dir.join("server");

    progress(&format!(
        "seeding the server database: {} device entries, {} appraisals, {} feedback",
        workload.devices.len(),
        workload.appraisal_count(),
        workload.feedback_count()
    ));
    let database = opts.database.as_deref();
    if opts.instances > 1 && database.is_none() {
        return Err("several instances share a PostgreSQL database: give --database".into());
    }
    let codes = server::seed(&data_dir, database, workload)?;
    let mut servers = Vec::new();
    for i in 0..opts.instances.max(1) {
        let s = ServerProcess::start(&bin, &data_dir, database, &dir.join(format!("server-{i}.log")))?;
        progress(&format!("server pid {} on {}", s.pid, s.url));
        servers.push(s);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let pids: Vec<u32> = servers.iter().map(|s| s.pid).collect();

    let started = Instant::now();
    // Closed between phases, as thousands of tablets would be.
    let fleet = replay::prepare(workload, &codes, &urls, &dir.join("devices"), true)?;
    progress(&format!(
        "offline phase: {} devices enrolled, documents written in {:.1} s",
        fleet.parked.len(),
        started.elapsed().as_secs_f64()
    ));

    let replay::Fleet { parked: devices, hr, first_upload, .. } = fleet;
    let phase = converge::run(workload, &devices, &pids, opts.in_flight)?;
    progress(&format!("converged in {:.3} s", phase.elapsed.as_secs_f64()));

    let ticks_per_second = measure::clock_ticks_per_second() as f64;
    let cpu_before = measure::cpu_ticks_of(&pids)?;
    let verification = verify::run(workload, &hr)?;
    let cpu_after = measure::cpu_ticks_of(&pids)?;
    progress(&format!(
        "verified {} records through the HR device in {:.3} s",
        verification.checked,
        verification.elapsed.as_secs_f64()
    ));

    // Per process: the largest instance's peak (each has the same budget).
    let mut peak_rss_bytes = 0;
    for pid in &pids {
        peak_rss_bytes = peak_rss_bytes.max(measure::peak_rss_bytes(*pid)?);
    }
    let database_bytes = measure::database_bytes(&data_dir, database)?;
    drop(hr);
    for s in &mut servers {
        s.stop()?;
    }
    Ok(Report::new(&Measured {
        source,
        workload,
        first_upload,
        phase: &phase,
        verification,
        server_cpu_verify_s: cpu_after.saturating_sub(cpu_before) as f64 / ticks_per_second,
        peak_rss_bytes,
        database_bytes,
    }))
}
