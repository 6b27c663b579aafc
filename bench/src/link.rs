//! `prestasi-bench link`: what a field link costs. Per profile (`2g`,
//! `edge`, `vsat` of `prestasi_e2e::fieldlink`), on a fresh server each:
//!
//! - **A supervisor's day**: the first device entry of the workload (on the
//!   shared workload: 25 appraisals with 3 later edits each, 10 feedback),
//!   written offline, then the unit's tablet and kiosk sync through the
//!   link until done. Run twice: on the link without cuts, and with the
//!   profile's random cuts plus one forced cut in the middle of the upload.
//!   Time (sum of both devices' syncs, retries included, no back-off wait),
//!   bytes on the link both ways (HTTP included), bytes per record, and
//!   the cut run's bytes over the clean run's (nothing acknowledged is sent
//!   again: the target is ≤ 1.1).
//! - **A new tablet's first sync**: a unit of 40 staff whose appraisals of
//!   two past periods are on the server (written over loopback by another
//!   tablet, not timed); a tablet newly enrolled for the unit's head syncs
//!   through the link until it has everything.
//!
//! Targets (issue 12): the day over `2g` under 60 s, the first sync over
//! `2g` under 90 s. Timings are of whole syncs, not of the enrollment.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prestasi_core::model::Role;
use prestasi_core::store::Store;
use prestasi_core::sync::{SyncClient, SyncError, SyncReport};
use prestasi_e2e::fieldlink::{Cut, FieldLink, LinkStats, Profile};

use crate::Error;
use crate::replay::{self, DeviceKind, PIN};
use crate::server::{self, ServerProcess, TENANT};
use crate::workload::{self, DeviceEntry, Shape, Workload};

/// Staff of the unit a new tablet downloads.
const FIRST_SYNC_STAFF: usize = 40;
/// The second past period written for them (the first is the workload's).
const EARLIER_PERIOD: &str = "2026-Q2";

/// One profile's figures.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub profile: &'static str,
    pub records: usize,
    pub day_clean: Run,
    pub day_cut: Run,
    pub first_sync: Run,
    /// Documents the new tablet pulled.
    pub first_sync_docs: usize,
}

/// One timed sync (or pair of syncs).
#[derive(Debug, Clone, Copy, Default)]
pub struct Run {
    pub elapsed: Duration,
    /// On the link, both ways, HTTP included.
    pub bytes: u64,
    pub attempts: usize,
    pub cuts: u64,
}

impl Run {
    /// What went through `link` since `before` was taken at `started`.
    fn since(link: &FieldLink, before: &LinkStats, started: Instant, attempts: usize) -> Self {
        let after = link.stats();
        Run {
            elapsed: started.elapsed(),
            bytes: (after.bytes_up + after.bytes_down) - (before.bytes_up + before.bytes_down),
            attempts,
            cuts: after.cuts - before.cuts,
        }
    }
}

impl LinkRow {
    pub fn ratio(&self) -> f64 {
        self.day_cut.bytes as f64 / self.day_clean.bytes.max(1) as f64
    }
}

fn progress(msg: &str) {
    eprintln!("prestasi-bench: {msg}");
}

/// The day's entry and a 40-staff unit with its own unit id, as one workload.
fn link_workload(day: &DeviceEntry, seed: u64) -> Result<Workload, Error> {
    let mut history = workload::generate(Shape { devices: 1, appraisals: FIRST_SYNC_STAFF, feedback: 0, seed })
        .devices
        .pop()
        .ok_or("no generated entry")?;
    history.unit_id = "unit-riwayat".into();
    history.device_id = "riwayat".into();
    for a in &mut history.appraisals {
        a.unit_id = history.unit_id.clone();
    }
    let day_people: std::collections::HashSet<&str> =
        day.appraisals.iter().flat_map(|a| [a.employee_nip.as_str(), a.appraiser_nip.as_str()]).collect();
    if history.appraisals.iter().any(|a| day_people.contains(a.employee_nip.as_str())) {
        return Err("the generated unit shares a NIP with the day's entry: pick another --seed".into());
    }
    let mut w = workload::generate(Shape { devices: 0, appraisals: 0, feedback: 0, seed });
    w.devices = vec![day.clone(), history];
    w.meta.devices = 2;
    Ok(w)
}

pub fn run(bin: &Path, source: &Workload, profiles: &[Profile], seed: u64) -> Result<Vec<LinkRow>, Error> {
    let day = source.devices.iter().find(|d| !d.appraisals.is_empty()).ok_or("the workload has no appraisals")?;
    let w = link_workload(day, seed)?;
    let records = day.appraisals.len() + day.feedback.len();
    let mut rows = Vec::new();
    for p in profiles {
        progress(&format!("{}: the day and a first sync, without cuts", p.name));
        let (day_clean, (first_sync, docs)) = one(bin, &w, p.without_cuts(), seed, None)?;
        progress(&format!("{}: the day with cuts", p.name));
        let (day_cut, _) = one(bin, &w, *p, seed, Some(Cut::MidRequest(4096)))?;
        rows.push(LinkRow { profile: p.name, records, day_clean, day_cut, first_sync, first_sync_docs: docs });
    }
    Ok(rows)
}

/// A fresh server: the day over `profile` (one forced `cut` of the second
/// exchange if given), then a new tablet's first sync of the 40-staff unit.
fn one(bin: &Path, w: &Workload, profile: Profile, seed: u64, cut: Option<Cut>) -> Result<(Run, (Run, usize)), Error> {
    let tmp = tempfile::Builder::new().prefix("prestasi-bench-link-").tempdir()?;
    let dir = tmp.path();
    let data_dir = dir.join("server");
    let codes = server::seed(&data_dir, None, w)?;
    let history = w.devices.get(1).ok_or("no history entry")?;
    let head = history.appraisals.first().map(|a| a.appraiser_nip.clone()).ok_or("empty unit")?;
    let fresh_code = {
        let storage = prestasi_server::storage::open(&data_dir, None)?;
        prestasi_server::admin::issue_enrollment(
            storage.as_ref(),
            TENANT,
            Role::Supervisor,
            &head,
            &server::tablet_units(history),
        )?
    };
    let mut srv = ServerProcess::start(bin, &data_dir, None, &dir.join("server.log"))?;
    // Devices enroll over a link that does not cut; the cuts start with the day.
    let link = FieldLink::start(&srv.url, profile.without_cuts(), seed);
    // Entry 0 (the day) through the link, entry 1 (the history) direct.
    let fleet = replay::prepare(w, &codes, &[link.url.clone(), srv.url.clone()], &dir.join("devices"), false)?;
    let history_tablet =
        fleet.devices.iter().find(|d| d.entry == 1 && d.kind == DeviceKind::Tablet).ok_or("no history tablet")?;
    for a in &history.appraisals {
        let earlier = workload::AppraisalSpec { period: EARLIER_PERIOD.into(), ..a.clone() };
        replay::write_appraisal(history_tablet.client.store(), &earlier, None)?;
    }
    until_done(&history_tablet.client)?;

    let before = link.stats();
    link.set_cut_ratio(profile.cut_ratio);
    if let Some(cut) = cut {
        link.plan(&[None, Some(cut)]);
    }
    let started = Instant::now();
    let mut attempts = 0;
    for d in fleet.devices.iter().filter(|d| d.entry == 0) {
        let (r, n) = until_done(&d.client)?;
        attempts += n;
        if r.rejected > 0 {
            return Err(format!("{} documents of the day rejected", r.rejected).into());
        }
    }
    let day = Run::since(&link, &before, started, attempts);

    link.set_cut_ratio(0.0);
    link.plan(&[]);
    let store = Arc::new(Store::open(dir.join("new-tablet.db"), &replay::store_key())?);
    let client = SyncClient::enroll(store, &link.url, &fresh_code)?;
    client.sign_in_enrolled(PIN)?;
    link.set_cut_ratio(profile.cut_ratio);
    let before = link.stats();
    let started = Instant::now();
    let mut pulled = 0;
    let mut attempts = 0;
    loop {
        let (r, n) = until_done(&client)?;
        attempts += n;
        pulled += r.pulled;
        if r.pulled == 0 {
            break;
        }
    }
    let first = Run::since(&link, &before, started, attempts);
    let expected = 2 * history.appraisals.len();
    let held =
        client.store().all_documents()?.iter().filter(|(_, k)| *k == prestasi_core::doc::DocKind::Appraisal).count();
    if held < expected {
        return Err(format!("the new tablet holds {held} appraisals, expected {expected}").into());
    }
    srv.stop()?;
    Ok((day, (first, pulled)))
}

/// Sync until a sync completes; failures must be "offline, retry".
fn until_done(client: &SyncClient) -> Result<(SyncReport, usize), Error> {
    for attempt in 1..=100 {
        match client.sync_now() {
            Ok(r) => return Ok((r, attempt)),
            Err(SyncError::Offline(_)) => {}
            Err(e) => return Err(format!("sync failed: {e}").into()),
        }
    }
    Err("no complete sync in 100 attempts".into())
}

pub fn table(rows: &[LinkRow]) -> String {
    let mut out = String::from(
        "| profile | day: time | day: bytes (per record) | day with cuts: time, bytes (cuts) | cut/clean bytes | first sync: time, bytes (docs) |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {:.1} s | {} ({} / record) | {:.1} s, {} ({} cuts, {} attempts) | {:.2} | {:.1} s, {} ({} docs) |\n",
            r.profile,
            r.day_clean.elapsed.as_secs_f64(),
            kb(r.day_clean.bytes),
            kb(r.day_clean.bytes / r.records.max(1) as u64),
            r.day_cut.elapsed.as_secs_f64(),
            kb(r.day_cut.bytes),
            r.day_cut.cuts,
            r.day_cut.attempts,
            r.ratio(),
            r.first_sync.elapsed.as_secs_f64(),
            kb(r.first_sync.bytes),
            r.first_sync_docs,
        ));
    }
    out
}

fn kb(b: u64) -> String {
    format!("{:.1} KB", b as f64 / 1000.0)
}
