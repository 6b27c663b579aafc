//! The timed phase: every tablet and kiosk comes online at once and syncs.

use std::collections::BTreeMap;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use prestasi_core::store::SyncState;
use prestasi_core::sync::SyncReport;

use crate::Error;
use crate::measure;
use crate::replay::Device;
use crate::workload::Workload;

/// What one device's sync did.
#[derive(Debug, Clone)]
pub struct DeviceSync {
    pub label: String,
    pub report: SyncReport,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct SyncPhase {
    /// From the release of all devices to the end of the last sync.
    pub elapsed: Duration,
    /// Server CPU time (user + system) over the phase.
    pub server_cpu: Duration,
    pub syncs: Vec<DeviceSync>,
}

/// One thread per device, released together; every device must push all
/// it holds and have every document accepted.
pub fn run(workload: &Workload, devices: &[Device], server_pids: &[u32]) -> Result<SyncPhase, Error> {
    let ticks_per_second = measure::clock_ticks_per_second();
    let barrier = Barrier::new(devices.len() + 1);
    let (results, elapsed, ticks) = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter()
            .map(|d| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    let report = d.client.sync_now();
                    (report, start.elapsed())
                })
            })
            .collect();
        let cpu_before = measure::cpu_ticks_of(server_pids);
        // Started before the release, so no device's sync begins earlier.
        let start = Instant::now();
        barrier.wait();
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        let elapsed = start.elapsed();
        let cpu_after = measure::cpu_ticks_of(server_pids);
        let ticks = match (cpu_before, cpu_after) {
            (Ok(b), Ok(a)) => Ok(a.saturating_sub(b)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        (results, elapsed, ticks)
    });
    let server_cpu = Duration::from_secs_f64(ticks? as f64 / ticks_per_second as f64);
    let mut syncs = Vec::with_capacity(devices.len());
    let mut failures = Vec::new();
    for (d, result) in devices.iter().zip(results) {
        let label = d.label(workload);
        match result {
            Err(_) => failures.push(format!("{label}: sync thread panicked")),
            Ok((Err(e), _)) => failures.push(format!("{label}: sync failed: {e}")),
            Ok((Ok(report), elapsed)) => {
                if report.pushed != d.docs.len() || report.accepted != report.pushed || report.rejected != 0 {
                    failures.push(format!(
                        "{label}: {} documents written, {} pushed, {} accepted, {} rejected{}",
                        d.docs.len(),
                        report.pushed,
                        report.accepted,
                        report.rejected,
                        rejection_codes(d)
                    ));
                }
                syncs.push(DeviceSync { label, report, elapsed });
            }
        }
    }
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
    Ok(SyncPhase { elapsed, server_cpu, syncs })
}

/// `" (codes: forbidden ×3: <message>)"` for the documents the server refused.
fn rejection_codes(d: &Device) -> String {
    let mut codes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for id in &d.docs {
        if let Ok(status) = d.client.store().status(*id)
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
