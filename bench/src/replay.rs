//! The offline phase (not timed): every device entry becomes a unit tablet
//! and a kiosk, each with its own on-device store, enrolled on the server;
//! the tablet writes the entry's appraisals and their later edits, the kiosk
//! the entry's feedback — all through the same `Store` API the app uses,
//! nothing synced yet.
//!
//! Every change is signed by its person's key, made on the device at their
//! first sign-in and sealed under their PIN (one Argon2id derivation per
//! person per device, done here, untimed): the tablet's enrolled user signs
//! in with the person code their enrollment brought, every other appraiser
//! with one HR issued them (`EntryCodes::people`); the kiosk's user with an
//! empty PIN, as the app does. The keys are bound by the first sync.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use prestasi_core::ValidationError;
use prestasi_core::model::{Appraisal, Author, Channel, DocId, Feedback, Role, SkpTarget};
use prestasi_core::rules::{Nip, Rating, Scores};
use prestasi_core::store::Store;
use prestasi_core::sync::SyncClient;
use prestasi_core::sync::protocol::{self, ByteBuf, PROTOCOL_VERSION, PushDoc, SyncRequest};
use uuid::Uuid;

use crate::Error;
use crate::server::{Codes, EntryCodes};
use crate::workload::{AppraisalSpec, DeviceEntry, Edit, FeedbackSpec, Superiors, Workload};

/// Unit of measure written on every SKP target.
const TARGET_UNIT: &str = "unit";
/// The first targets are main (utama) targets.
const MAIN_TARGETS: usize = 3;
/// Device entries prepared at once (store commits wait for fsync).
const WORKERS: usize = 8;
/// The PIN every simulated appraiser chooses.
pub const PIN: &str = "135790";

/// The key every simulated device's store is encrypted under (fixed, so the
/// measuring child processes reopen the stores; an app keeps a random one
/// per install, wrapped by the Android Keystore).
pub fn store_key() -> prestasi_core::store::StoreKey {
    prestasi_core::store::StoreKey::from_bytes(*b"kunci-penyimpanan-bench-prestasi")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Tablet,
    Kiosk,
}

/// One enrolled device with unsynced documents.
#[derive(Debug)]
pub struct Device {
    /// Index of its entry in the workload.
    pub entry: usize,
    pub kind: DeviceKind,
    pub client: SyncClient,
    /// Its store file.
    pub path: PathBuf,
    /// Documents it wrote, i.e. will push.
    pub docs: Vec<DocId>,
}

impl Device {
    /// Close its store: thousands of simulated tablets cannot all keep
    /// their files open (the open-file limit) or their caches in memory.
    pub fn park(self) -> Parked {
        Parked { entry: self.entry, kind: self.kind, path: self.path, docs: self.docs }
    }
}

fn label(workload: &Workload, entry: usize, kind: DeviceKind) -> String {
    let name = workload.devices.get(entry).map_or("?", |d| d.device_id.as_str());
    match kind {
        DeviceKind::Tablet => format!("{name}/tablet"),
        DeviceKind::Kiosk => format!("{name}/kiosk"),
    }
}

/// A device between phases, its store closed, as a tablet whose app was
/// closed: opening it again resumes with what the store holds (its
/// enrollment, its people's keys and bindings, its unsynced documents).
#[derive(Debug)]
pub struct Parked {
    pub entry: usize,
    pub kind: DeviceKind,
    pub path: PathBuf,
    pub docs: Vec<DocId>,
}

impl Parked {
    pub fn label(&self, workload: &Workload) -> String {
        label(workload, self.entry, self.kind)
    }

    /// Open its store and its sync client again.
    pub fn open(&self) -> Result<SyncClient, Error> {
        let store = Arc::new(Store::open(&self.path, &store_key())?);
        Ok(SyncClient::from_store(store)?)
    }
}

/// The first upload of one tablet's appraisals, as its client would send it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstUpload {
    pub appraisals: usize,
    /// CBOR request body.
    pub raw_bytes: usize,
    /// The same body zstd-compressed at level 3, as on the wire.
    pub compressed_bytes: usize,
}

#[derive(Debug)]
pub struct Fleet {
    /// Tablets and kiosks, in entry order, their stores open (none if
    /// they were parked).
    pub devices: Vec<Device>,
    /// The same with their stores closed, if parked.
    pub parked: Vec<Parked>,
    /// The HR device that verifies the run; its store is empty.
    pub hr: SyncClient,
    pub first_upload: FirstUpload,
}

/// One entry's devices: (entry index, open devices, parked devices).
type Prepared = (usize, Vec<Device>, Vec<Parked>);

/// Enroll every device and write every document offline. With several
/// server instances, device entry `i` syncs with `urls[i % n]` (as behind
/// a round-robin balancer); the HR device with the first. With `park`,
/// each entry's devices are closed as soon as they are written, so only
/// the workers' own stores are open at a time.
pub fn prepare(workload: &Workload, codes: &Codes, urls: &[String], dir: &Path, park: bool) -> Result<Fleet, Error> {
    let url = urls.first().ok_or("no server to sync with")?.as_str();
    std::fs::create_dir_all(dir)?;
    let superiors = workload.superiors();
    let superiors = &superiors;
    let next = AtomicUsize::new(0);
    // The first upload is measured on the first tablet, in entry order.
    let first_tablet = codes.entries.iter().position(|e| e.tablet.is_some());
    let measured = std::sync::Mutex::new(FirstUpload::default());
    let measured = &measured;
    let work = |_| -> Result<Vec<Prepared>, Error> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let (Some(entry), Some(entry_codes)) = (workload.devices.get(i), codes.entries.get(i)) else {
                return Ok(done);
            };
            let url = urls.get(i % urls.len()).map_or(url, String::as_str);
            let devices = prepare_entry(i, entry, entry_codes, superiors, url, dir)
                .map_err(|e| format!("{}: {e}", entry.device_id))?;
            if Some(i) == first_tablet
                && let Some(tablet) = devices.iter().find(|d| d.kind == DeviceKind::Tablet)
            {
                *measured.lock().map_err(|_| "a worker panicked")? = first_upload(tablet)?;
            }
            if park {
                done.push((i, Vec::new(), devices.into_iter().map(Device::park).collect()));
            } else {
                done.push((i, devices, Vec::new()));
            }
        }
    };
    let workers = WORKERS.min(workload.devices.len()).max(1);
    let mut prepared = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|w| s.spawn(move || work(w))).collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "an offline-phase worker panicked")??);
        }
        Ok::<_, Error>(all)
    })?;
    prepared.sort_by_key(|(i, _, _)| *i);
    let mut devices = Vec::new();
    let mut parked = Vec::new();
    for (_, open, closed) in prepared {
        devices.extend(open);
        parked.extend(closed);
    }
    let first_upload = *measured.lock().map_err(|_| "a worker panicked")?;
    let hr_store = Arc::new(Store::open(dir.join("hr-verifier.db"), &store_key())?);
    let hr = SyncClient::enroll(hr_store, url, &codes.hr)?;
    Ok(Fleet { devices, parked, hr, first_upload })
}

fn prepare_entry(
    i: usize,
    entry: &DeviceEntry,
    codes: &EntryCodes,
    superiors: &Superiors<'_>,
    url: &str,
    dir: &Path,
) -> Result<Vec<Device>, Error> {
    let mut out = Vec::new();
    if let Some(code) = &codes.tablet {
        let path = dir.join(format!("{i:05}-tablet.db"));
        let store = Arc::new(Store::open(&path, &store_key())?);
        let client = SyncClient::enroll(store.clone(), url, code)?;
        client.sign_in_enrolled(PIN).map_err(|e| format!("sign-in of the enrolled user: {e}"))?;
        let mut docs = Vec::with_capacity(entry.appraisals.len());
        for a in &entry.appraisals {
            sign_in(&store, codes, &a.appraiser_nip)?;
            write_appraisal(&store, a, superiors.reviewer(a)).map_err(|e| format!("appraisal {}: {e}", a.id))?;
            docs.push(appraisal_id(a)?);
        }
        out.push(Device { entry: i, kind: DeviceKind::Tablet, client, path, docs });
    }
    if let Some(code) = &codes.kiosk {
        let path = dir.join(format!("{i:05}-kiosk.db"));
        let store = Arc::new(Store::open(&path, &store_key())?);
        let client = SyncClient::enroll(store.clone(), url, code)?;
        client.sign_in_enrolled("").map_err(|e| format!("sign-in of the kiosk: {e}"))?;
        let author = Author::new(client.credentials().user.clone(), store.device_id(), Role::Kiosk);
        let mut docs = Vec::with_capacity(entry.feedback.len());
        for f in &entry.feedback {
            let id = DocId::from_uuid(f.id);
            store.create(id, &feedback(f)?, &author).map_err(|e| format!("feedback {}: {e}", f.id))?;
            docs.push(id);
        }
        out.push(Device { entry: i, kind: DeviceKind::Kiosk, client, path, docs });
    }
    Ok(out)
}

/// Sign `person` in on the unit tablet `store` unless they are: the
/// enrolled user already is; anyone else makes their key here with the
/// person code HR issued them for it.
fn sign_in(store: &Store, codes: &EntryCodes, person: &str) -> Result<(), Error> {
    if store.is_signed_in(person) {
        return Ok(());
    }
    let code = codes.people.get(person).ok_or_else(|| format!("no person code for appraiser {person}"))?;
    store.sign_in(person, PIN, Some(code)).map_err(|e| format!("sign-in of {person}: {e}"))?;
    Ok(())
}

/// The document id of an appraisal: derived from its employee and period
/// (one appraisal per employee and period), not the file's `id`.
pub fn appraisal_id(a: &AppraisalSpec) -> Result<DocId, Error> {
    Ok(DocId::for_appraisal(&Nip::parse(&a.employee_nip)?, &a.period))
}

/// Create the appraisal as its appraiser, signed in on the unit tablet, then
/// apply each edit as its own later change.
pub fn write_appraisal(store: &Store, a: &AppraisalSpec, reviewer: Option<&str>) -> Result<(), Error> {
    let author = Author::new(a.appraiser_nip.clone(), store.device_id(), Role::Supervisor);
    let id = appraisal_id(a)?;
    store.create(id, &initial_appraisal(a, reviewer)?, &author)?;
    for edit in &a.edits {
        store.update::<Appraisal>(id, &author, |v| apply_edit(v, edit))?;
    }
    Ok(())
}

/// The stable id of an appraisal's `index`-th SKP target: 12 hex digits,
/// like the app's own item ids.
pub fn target_id(appraisal: Uuid, index: usize) -> String {
    let mut id = Uuid::new_v5(&appraisal, format!("target/{index}").as_bytes()).simple().to_string();
    id.truncate(12);
    id
}

/// The appraisal as first written: targets with their realisation, ratings,
/// the note; the reviewer the roster gives it (see `Superiors::reviewer`).
pub fn initial_appraisal(a: &AppraisalSpec, reviewer: Option<&str>) -> Result<Appraisal, Error> {
    let mut v = Appraisal::new(Nip::parse(&a.employee_nip)?, &a.period, &a.unit_id, Nip::parse(&a.appraiser_nip)?)?;
    v.reviewer_nip = reviewer.map(Nip::parse).transpose()?;
    v.targets = a
        .hasil_kerja
        .iter()
        .enumerate()
        .map(|(i, t)| SkpTarget {
            id: target_id(a.id, i),
            indicator: t.indicator.clone(),
            target: t.target,
            realisation: Some(t.realisasi),
            unit: TARGET_UNIT.into(),
            main: i < MAIN_TARGETS,
            rating: None,
        })
        .collect();
    for (key, score) in &a.perilaku {
        v.behaviour.insert(*key, Rating::from_score(*score)?);
    }
    v.notes = a.catatan.clone();
    Ok(v)
}

/// One workload edit applied to the app's value.
pub fn apply_edit(v: &mut Appraisal, edit: &Edit) -> Result<(), ValidationError> {
    match edit {
        Edit::Realisasi { index, value, .. } => {
            let t = v
                .targets
                .get_mut(*index)
                .ok_or_else(|| ValidationError::rule("targets", format!("no target number {index}")))?;
            t.realisation = Some(*value);
        }
        Edit::Perilaku { key, value, .. } => {
            v.behaviour.insert(*key, Rating::from_score(*value)?);
        }
    }
    Ok(())
}

pub fn feedback(f: &FeedbackSpec) -> Result<Feedback, Error> {
    Ok(Feedback {
        unit_id: f.unit_id.clone(),
        service: f.service.clone(),
        scores: Scores::new(f.score_array()?)?,
        minutes_waited: f.minutes_waited.unwrap_or(0),
        comment: f.comment.clone(),
        channel: Channel::Kiosk,
        submitted_at: f.submitted_at,
        officer_nip: None,
    })
}

/// Encode the request that carries all of `tablet`'s appraisals on its first
/// sync, exactly as `SyncClient::sync_now` builds it: the store's pending
/// documents in its order, each with its changes and their signatures, the
/// keys of everyone signed in on the tablet with their person codes and
/// proofs, cursor 0. (The client pushes up to 2,000 documents per request; a
/// tablet's appraisals fit in one.) Must run before the tablet syncs, with
/// its people still signed in.
fn first_upload(tablet: &Device) -> Result<FirstUpload, Error> {
    let store = tablet.client.store();
    let pending = store.pending()?;
    if pending.len() != tablet.docs.len() {
        return Err(format!(
            "{} of the tablet's {} appraisals are ready to push (keys without a person code?)",
            pending.len(),
            tablet.docs.len()
        )
        .into());
    }
    let mut push = Vec::with_capacity(pending.len());
    for (id, kind) in &pending {
        let out = store.changes_for_server(*id)?;
        push.push(PushDoc {
            id: protocol::id_bytes(*id),
            kind: kind.as_str().into(),
            changes: ByteBuf::from(out.changes),
            sigs: out.sigs,
        });
    }
    let fetch = store.wanted()?.iter().map(|id| protocol::id_bytes(*id)).collect();
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        push,
        fetch,
        signers: store.bindings()?,
        max_pull_bytes: 0,
        epoch: None,
    };
    let raw = protocol::encode(&req);
    let compressed = zstd::encode_all(raw.as_slice(), 3)?;
    Ok(FirstUpload { appraisals: pending.len(), raw_bytes: raw.len(), compressed_bytes: compressed.len() })
}
