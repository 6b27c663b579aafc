//! The timed phase: the tablets and kiosks come online and sync.
//!
//! Arrival model: `in_flight` devices start together; each one that
//! finishes is followed at once by the next not yet synced, so at most
//! `in_flight` sync at a time (all at once when there are fewer devices).
//! The first wave's stores are opened before the clock starts (their apps
//! are open when the network returns); a later device opens its closed
//! store when its turn comes, on the clock, and every device closes its
//! store after its sync.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use prestasi_core::store::SyncState;
use prestasi_core::sync::{SyncClient, SyncReport};

use crate::Error;
use crate::measure;
use crate::replay::Parked;
use crate::workload::Workload;

/// Devices syncing at once by default: a whole regency's tablets coming
/// online in the same minute, bounded so 10,000 simulated tablets fit on
/// one machine.
pub const DEFAULT_IN_FLIGHT: usize = 500;

/// What one device's sync did.
#[derive(Debug, Clone)]
pub struct DeviceSync {
    pub label: String,
    pub report: SyncReport,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct SyncPhase {
    /// From the release of the first devices to the end of the last sync.
    pub elapsed: Duration,
    /// Server CPU time (user + system) over the phase.
    pub server_cpu: Duration,
    /// Devices syncing at most at once (the arrival model).
    pub in_flight: usize,
    pub syncs: Vec<DeviceSync>,
}

/// Every device must push all it holds and have every document accepted.
pub fn run(workload: &Workload, devices: &[Parked], server_pids: &[u32], in_flight: usize) -> Result<SyncPhase, Error> {
    let ticks_per_second = measure::clock_ticks_per_second();
    let workers = in_flight.clamp(1, devices.len().max(1));
    let barrier = Barrier::new(workers + 1);
    let next = AtomicUsize::new(0);
    let syncs = Mutex::new(Vec::with_capacity(devices.len()));
    let failures = Mutex::new(Vec::new());
    let (start, cpu_before) = std::thread::scope(|s| {
        for _ in 0..workers {
            let (barrier, next, syncs, failures) = (&barrier, &next, &syncs, &failures);
            s.spawn(move || {
                // A device of the first wave has its app open when the
                // phase starts; a later one opens it when its turn comes.
                let take = || devices.get(next.fetch_add(1, Ordering::Relaxed)).map(|d| (d, d.open()));
                let mut turn = take();
                barrier.wait();
                while let Some((d, client)) = turn {
                    let label = d.label(workload);
                    match sync_one(d, client) {
                        Ok(sync) => lock(syncs).push(DeviceSync { label, report: sync.0, elapsed: sync.1 }),
                        Err(e) => lock(failures).push(format!("{label}: {e}")),
                    }
                    turn = take();
                }
            });
        }
        let cpu_before = measure::cpu_ticks_of(server_pids);
        // Started before the release, so no device's sync begins earlier.
        let start = Instant::now();
        barrier.wait();
        (start, cpu_before)
    });
    // The scope joined every worker: the last sync has ended.
    let elapsed = start.elapsed();
    let cpu_after = measure::cpu_ticks_of(server_pids);
    let ticks = match (cpu_before, cpu_after) {
        (Ok(b), Ok(a)) => Ok(a.saturating_sub(b)),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let server_cpu = Duration::from_secs_f64(ticks? as f64 / ticks_per_second as f64);
    let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(10).map(String::as_str).collect();
        return Err(format!(
            "the devices did not converge: {} of {} device syncs failed:\n  {}",
            failures.len(),
            devices.len(),
            shown.join("\n  ")
        )
        .into());
    }
    let syncs = syncs.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(SyncPhase { elapsed, server_cpu, in_flight: workers, syncs })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sync the opened device once (timed), check that everything it wrote was
/// accepted; it closes when `client` is dropped.
fn sync_one(d: &Parked, client: Result<SyncClient, Error>) -> Result<(SyncReport, Duration), String> {
    let client = client.map_err(|e| format!("store did not open: {e}"))?;
    let start = Instant::now();
    let report = client.sync_now().map_err(|e| format!("sync failed: {e}"))?;
    let elapsed = start.elapsed();
    if report.pushed != d.docs.len() || report.accepted != report.pushed || report.rejected != 0 {
        return Err(format!(
            "{} documents written, {} pushed, {} accepted, {} rejected{}",
            d.docs.len(),
            report.pushed,
            report.accepted,
            report.rejected,
            rejection_codes(d, &client)
        ));
    }
    Ok((report, elapsed))
}

/// `" (codes: forbidden ×3: <message>)"` for the documents the server refused.
fn rejection_codes(d: &Parked, client: &SyncClient) -> String {
    let mut codes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for id in &d.docs {
        if let Ok(status) = client.store().status(*id)
            && let SyncState::Rejected { code, reason } = status.sync
        {
            let e = codes.entry(code).or_insert((0, reason));
            e.0 += 1;
        }
    }
    if codes.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = codes.iter().map(|(c, (n, reason))| format!("{c} ×{n}: {reason}")).collect();
    format!(" (codes: {})", parts.join("; "))
}
