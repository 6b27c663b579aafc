//! The figures of one run: a table for people, one JSON object for tools.

use std::fmt::Write as _;

use serde::Serialize;

use crate::converge::SyncPhase;
use crate::replay::FirstUpload;
use crate::verify::Verification;
use crate::workload::Workload;

const MB: f64 = 1_000_000.0;

/// Every figure of a run. Sizes on the wire are compressed HTTP bodies
/// (request + response), headers excluded; MB are 10^6 bytes.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `generated (seed N)` or the file replayed.
    pub workload: String,
    /// Device entries: one unit tablet (and one kiosk) each.
    pub devices: usize,
    /// Tablets and kiosks that synced.
    pub device_syncs: usize,
    /// The arrival model: at most this many synced at once, each that
    /// finished followed at once by the next.
    pub in_flight: usize,
    pub appraisals: usize,
    pub feedback: usize,
    pub documents: usize,
    /// From releasing the first devices to the last device's sync ending.
    pub converge_s: f64,
    /// The HR device pulling the tenant and checking every record.
    pub verify_s: f64,
    /// Of which the HR device's syncs (pulling and storing every document).
    pub verify_pull_s: f64,
    /// Server user + system CPU during the sync phase.
    pub server_cpu_s: f64,
    /// Server user + system CPU during the verification phase.
    pub server_cpu_verify_s: f64,
    /// Server `VmHWM` at the end of the run.
    pub server_peak_rss_mb: f64,
    pub wire_bytes_per_device_mean: f64,
    pub wire_bytes_per_device_max: usize,
    /// One tablet's first upload of its appraisals (CBOR request, zstd level
    /// 3), divided by its number of appraisals.
    pub first_upload_bytes_per_appraisal: f64,
    /// The same before compression.
    pub first_upload_raw_bytes_per_appraisal: f64,
    pub round_trips_per_sync_max: usize,
    pub round_trips_per_sync_mean: f64,
    /// `prestasi.db` + `prestasi.db-wal` after verification.
    pub database_mb: f64,
    /// Documents per second of `converge_s`.
    pub throughput_docs_per_s: f64,
    /// The slowest single device sync, and whose it was.
    pub slowest_sync_s: f64,
    pub slowest_sync_device: String,
    pub hr_syncs: usize,
    pub hr_round_trips: usize,
    pub hr_pulled: usize,
    pub hr_bytes_received: usize,
}

/// What a run measured, to be summarised.
#[derive(Debug)]
pub struct Measured<'a> {
    pub source: String,
    pub workload: &'a Workload,
    pub first_upload: FirstUpload,
    pub phase: &'a SyncPhase,
    pub verification: Verification,
    pub server_cpu_verify_s: f64,
    pub peak_rss_bytes: u64,
    pub database_bytes: u64,
}

fn mean(total: usize, n: usize) -> f64 {
    if n == 0 { 0.0 } else { total as f64 / n as f64 }
}

impl Report {
    pub fn new(m: &Measured<'_>) -> Self {
        let syncs = &m.phase.syncs;
        let wire: Vec<usize> = syncs.iter().map(|s| s.report.bytes_sent + s.report.bytes_received).collect();
        let trips: Vec<usize> = syncs.iter().map(|s| s.report.round_trips).collect();
        let appraisals = m.workload.appraisal_count();
        let feedback = m.workload.feedback_count();
        let converge_s = m.phase.elapsed.as_secs_f64();
        let fu = m.first_upload;
        let slowest = syncs.iter().max_by_key(|s| s.elapsed);
        Self {
            workload: m.source.clone(),
            devices: m.workload.devices.len(),
            device_syncs: syncs.len(),
            in_flight: m.phase.in_flight,
            appraisals,
            feedback,
            documents: appraisals + feedback,
            converge_s,
            verify_s: m.verification.elapsed.as_secs_f64(),
            verify_pull_s: m.verification.pull_elapsed.as_secs_f64(),
            server_cpu_s: m.phase.server_cpu.as_secs_f64(),
            server_cpu_verify_s: m.server_cpu_verify_s,
            server_peak_rss_mb: m.peak_rss_bytes as f64 / MB,
            wire_bytes_per_device_mean: mean(wire.iter().sum(), wire.len()),
            wire_bytes_per_device_max: wire.iter().copied().max().unwrap_or(0),
            first_upload_bytes_per_appraisal: mean(fu.compressed_bytes, fu.appraisals),
            first_upload_raw_bytes_per_appraisal: mean(fu.raw_bytes, fu.appraisals),
            round_trips_per_sync_max: trips.iter().copied().max().unwrap_or(0),
            round_trips_per_sync_mean: mean(trips.iter().sum(), trips.len()),
            database_mb: m.database_bytes as f64 / MB,
            throughput_docs_per_s: if converge_s > 0.0 { (appraisals + feedback) as f64 / converge_s } else { 0.0 },
            slowest_sync_s: slowest.map_or(0.0, |s| s.elapsed.as_secs_f64()),
            slowest_sync_device: slowest.map(|s| s.label.clone()).unwrap_or_default(),
            hr_syncs: m.verification.syncs,
            hr_round_trips: m.verification.round_trips,
            hr_pulled: m.verification.pulled,
            hr_bytes_received: m.verification.bytes_received,
        }
    }

    /// One JSON object on one line.
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A two-column table.
    pub fn table(&self) -> String {
        let rows: Vec<(&str, String)> = vec![
            ("workload", self.workload.clone()),
            ("devices (unit tablets)", self.devices.to_string()),
            ("device syncs (tablets + kiosks)", self.device_syncs.to_string()),
            ("arrival", format!("at most {} syncing at once, the next starting as one finishes", self.in_flight)),
            ("documents", format!("{} ({} appraisals, {} feedback)", self.documents, self.appraisals, self.feedback)),
            ("time to converge", format!("{:.3} s", self.converge_s)),
            ("slowest device sync", format!("{:.3} s ({})", self.slowest_sync_s, self.slowest_sync_device)),
            ("throughput", format!("{:.1} documents/s", self.throughput_docs_per_s)),
            ("HR verify time", format!("{:.3} s (of which syncing {:.3} s)", self.verify_s, self.verify_pull_s)),
            (
                "HR verify syncs / round trips",
                format!("{} / {} ({} documents pulled)", self.hr_syncs, self.hr_round_trips, self.hr_pulled),
            ),
            ("HR bytes received", format!("{}", self.hr_bytes_received)),
            ("server CPU, sync phase", format!("{:.3} s", self.server_cpu_s)),
            ("server CPU, verify phase", format!("{:.3} s", self.server_cpu_verify_s)),
            ("server peak RSS (VmHWM)", format!("{:.1} MB", self.server_peak_rss_mb)),
            (
                "bytes on the wire per device sync",
                format!("mean {:.0}, max {}", self.wire_bytes_per_device_mean, self.wire_bytes_per_device_max),
            ),
            (
                "first upload per appraisal",
                format!(
                    "{:.0} bytes zstd ({:.0} bytes CBOR)",
                    self.first_upload_bytes_per_appraisal, self.first_upload_raw_bytes_per_appraisal
                ),
            ),
            (
                "round trips per device sync",
                format!("max {}, mean {:.2}", self.round_trips_per_sync_max, self.round_trips_per_sync_mean),
            ),
            ("database size (db + wal)", format!("{:.2} MB", self.database_mb)),
        ];
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (k, v) in rows {
            let _ = writeln!(out, "{k:<width$}  {v}");
        }
        out
    }
}
