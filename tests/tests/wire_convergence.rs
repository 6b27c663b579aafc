//! Property test across the wire (issue 13, item 6): random sequences of
//! edits on 2–4 devices, with random sync orders and server restarts (a
//! SIGKILL between syncs or in the middle of one, then a restart on the
//! same storage), converge to the same document on every copy and the same
//! merged-view row on the server.
//!
//! Every case is a fresh, seeded server process on loopback (SQLite, or
//! PostgreSQL with `PRESTASI_E2E_DATABASE_URL`, as the other e2e tests) and
//! 2–4 enrolled devices: unit A's head on one or more tablets (the
//! appraiser), their superior's tablet (the reviewer) and an HR device. They
//! edit one or two appraisals of unit A's staff, in draft, with the edits
//! each may make (a refused edit is skipped, as the app would refuse it).
//! At the end every device syncs until a whole round moves nothing; then
//! each appraisal has the same heads, value and conflicts on every device
//! and on the server, and the server's merged view (row, targets,
//! innovations, conflicts, HR's API) is exactly what the merged value says.
//!
//! `PRESTASI_PROPTEST_CASES` sets the number of cases (default 12); the
//! usual `PROPTEST_*` variables (e.g. `PROPTEST_RNG_SEED`,
//! `PROPTEST_MAX_SHRINK_ITERS`) apply too; `PRESTASI_WIRE_TRACE=1` prints
//! what every step of every case did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prestasi_core::doc::Document;
use prestasi_core::model::{
    Appraisal, AppraisalStatus, BehaviourValue, DialogNote, DocId, Innovation, Role, SkpTarget,
};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::store::{Store, StoreError, SyncState};
use prestasi_core::sync::{SyncClient, SyncReport};
use prestasi_e2e::{ChildServer, Device, Hr, MANOKWARI, People, enroll, free_port, nip, open_storage, seed};
use prestasi_server::storage::{AppraisalFilter, AppraisalRow, Record, Storage, View};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

#[test]
fn child_server() {
    prestasi_e2e::run_child_server_if_asked();
}

const PERIOD: &str = "2026-S2";
/// Full sync rounds of every device allowed before the copies must be quiet.
const MAX_SETTLE_ROUNDS: usize = 6;

// --- The operations -------------------------------------------------------

/// Who a device belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A tablet of unit A's head, the appraiser of unit A's staff.
    Appraiser,
    /// A tablet of unit A's head's superior: may only add dialogue notes.
    Reviewer,
    /// An HR (BKPSDM) device: may change anything.
    Hr,
}

/// An edit of one appraisal, as the app offers it. Targets are picked by
/// their index among the targets the device sees, sorted by id.
#[derive(Debug, Clone)]
enum Edit {
    Notes(u8),
    /// A target with id `d{device}-t{tag}` (refused if the device has it).
    AddTarget(u8),
    Realisation {
        target: u8,
        value: u8,
    },
    RateTarget {
        target: u8,
        rating: Rating,
    },
    RemoveTarget {
        target: u8,
    },
    Behaviour {
        value: BehaviourValue,
        rating: Rating,
        note: Option<u8>,
    },
    Overall {
        hasil_kerja: Rating,
        perilaku: Rating,
    },
    Dialogue(u8),
    Innovation(u8),
    /// Settle one of the conflicts the device sees, keeping one value.
    Resolve {
        conflict: u8,
        pick: u8,
    },
}

#[derive(Debug, Clone)]
enum Op {
    /// `device` edits appraisal `doc` (starting it first if it has none).
    Edit {
        device: usize,
        doc: usize,
        edit: Edit,
    },
    Sync {
        device: usize,
    },
    /// Two devices sync at the same time (their pushes race on the server).
    SyncTogether {
        a: usize,
        b: usize,
    },
    /// SIGKILL the server between syncs and start it on the same storage.
    RestartServer,
    /// `device` starts a sync; the server is SIGKILLed `after_ms` later
    /// (perhaps mid-request) and restarted.
    CrashDuringSync {
        device: usize,
        after_ms: u64,
    },
}

#[derive(Debug, Clone)]
struct Scenario {
    devices: Vec<Kind>,
    /// Shared appraisals: of unit A's first staff member, or the first two.
    docs: usize,
    ops: Vec<Op>,
}

fn rating() -> impl Strategy<Value = Rating> {
    prop::sample::select(vec![Rating::SesuaiEkspektasi, Rating::DiAtasEkspektasi, Rating::DiBawahEkspektasi])
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0u8..4).prop_map(Edit::Notes),
        4 => (0u8..4).prop_map(Edit::AddTarget),
        2 => (0u8..8, 0u8..4).prop_map(|(target, value)| Edit::Realisation { target, value }),
        1 => (0u8..8, rating()).prop_map(|(target, rating)| Edit::RateTarget { target, rating }),
        1 => (0u8..8).prop_map(|target| Edit::RemoveTarget { target }),
        2 => (prop::sample::select(BehaviourValue::ALL.to_vec()), rating(), prop::option::of(0u8..3))
            .prop_map(|(value, rating, note)| Edit::Behaviour { value, rating, note }),
        2 => (rating(), rating()).prop_map(|(hasil_kerja, perilaku)| Edit::Overall { hasil_kerja, perilaku }),
        2 => (0u8..4).prop_map(Edit::Dialogue),
        1 => (0u8..4).prop_map(Edit::Innovation),
        2 => (0u8..4, 0u8..3).prop_map(|(conflict, pick)| Edit::Resolve { conflict, pick }),
    ]
}

/// The most devices of a case, and of shared appraisals.
const MAX_DEVICES: usize = 4;
const MAX_DOCS: usize = 2;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0..MAX_DEVICES, 0..MAX_DOCS, edit()).prop_map(|(device, doc, edit)| Op::Edit { device, doc, edit }),
        6 => (0..MAX_DEVICES).prop_map(|device| Op::Sync { device }),
        2 => (0..MAX_DEVICES, 0..MAX_DEVICES).prop_map(|(a, b)| Op::SyncTogether { a, b }),
        1 => Just(Op::RestartServer),
        // A sync on loopback takes a few milliseconds: most kills land in it.
        1 => (0..MAX_DEVICES, 0u64..8).prop_map(|(device, after_ms)| Op::CrashDuringSync { device, after_ms }),
    ]
}

impl Op {
    /// The same operation on one of `devices` devices and `docs` appraisals.
    fn within(self, devices: usize, docs: usize) -> Self {
        match self {
            Op::Edit { device, doc, edit } => Op::Edit { device: device % devices, doc: doc % docs, edit },
            Op::Sync { device } => Op::Sync { device: device % devices },
            Op::SyncTogether { a, b } => Op::SyncTogether { a: a % devices, b: b % devices },
            Op::RestartServer => Op::RestartServer,
            Op::CrashDuringSync { device, after_ms } => Op::CrashDuringSync { device: device % devices, after_ms },
        }
    }
}

/// Devices, appraisals and operations are drawn independently (indices
/// folded into range), so each shrinks on its own: a failure shrinks to a
/// short sequence on few devices rather than being drawn anew.
fn scenario() -> impl Strategy<Value = Scenario> {
    let kind = prop_oneof![3 => Just(Kind::Appraiser), 1 => Just(Kind::Reviewer), 1 => Just(Kind::Hr)];
    (prop::collection::vec(kind, 1..MAX_DEVICES), 1..=MAX_DOCS, prop::collection::vec(op(), 5..=25)).prop_map(
        |(more, docs, ops)| {
            // The first device is always an appraiser's tablet.
            let devices: Vec<Kind> = std::iter::once(Kind::Appraiser).chain(more).collect();
            let ops = ops.into_iter().map(|op| op.within(devices.len(), docs)).collect();
            Scenario { devices, docs, ops }
        },
    )
}

/// What the cases exercised, printed once they pass (a property that
/// passes because nothing happened proves nothing).
#[derive(Debug, Default)]
struct Stats {
    cases: usize,
    edits_applied: usize,
    /// Refused by the device's rules, or with nothing to act on.
    edits_refused: usize,
    syncs: usize,
    restarts: usize,
    syncs_cut_by_a_kill: usize,
    documents_checked: usize,
    conflicts_at_the_end: usize,
    targets_at_the_end: usize,
    most_settle_rounds: usize,
}

// --- The world of one case ------------------------------------------------

/// A seeded server process, its storage, and the case's devices.
/// Fields drop in order: the server and the devices before their files.
struct Rig {
    server: Option<ChildServer>,
    devices: Vec<Device>,
    /// A second handle on the server's storage, as the CLI would open.
    storage: Arc<dyn Storage>,
    kinds: Vec<Kind>,
    people: People,
    reviewer: String,
    data: PathBuf,
    port: u16,
    /// What each step did, for the failure message.
    log: Vec<String>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Rig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rig").field("data", &self.data).field("kinds", &self.kinds).finish_non_exhaustive()
    }
}

/// Unit A's head gets a superior (in a unit of their own), who reviews
/// unit A's appraisals (as in `integrity.rs`).
fn add_reviewer(storage: &dyn Storage, p: &People) -> (String, String) {
    let r = nip(150);
    let unit = format!("{MANOKWARI}-sekretariat");
    let csv = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n\
         {r};Kepala Dinas;{unit};Sekretariat;{t};Pemerintah {t};administrator;Kepala;IV/a;\n\
         {b};Kepala A;{ua};Unit {ua};{t};Pemerintah {t};pengawas;Staf;III/a;{r}\n",
        t = MANOKWARI,
        b = p.boss_a,
        ua = p.unit_a
    );
    let server = prestasi_server::state::server_identity(storage).unwrap();
    let report = prestasi_server::admin::import_employees(storage, &server, MANOKWARI, csv.as_bytes()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    (r, unit)
}

fn sorted_heads(heads: &[automerge::ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    hex.join(",")
}

fn has(store: &Store, id: DocId) -> bool {
    match store.status(id) {
        Ok(_) => true,
        Err(StoreError::NotFound { .. }) => false,
        Err(e) => panic!("status of {id}: {e}"),
    }
}

impl Rig {
    fn start(kinds: &[Kind]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("server");
        let storage = open_storage(&data);
        seed(storage.as_ref());
        let people = People::of(MANOKWARI);
        let (reviewer, reviewer_unit) = add_reviewer(storage.as_ref(), &people);
        let port = free_port();
        let server = ChildServer::start(&data, port);
        let devices: Vec<Device> = kinds
            .iter()
            .map(|k| {
                let (role, user, units) = match k {
                    Kind::Appraiser => (Role::Supervisor, people.boss_a.as_str(), vec![people.unit_a.as_str()]),
                    Kind::Reviewer => (Role::Supervisor, reviewer.as_str(), vec![reviewer_unit.as_str()]),
                    Kind::Hr => (Role::Hr, "hr", vec![]),
                };
                enroll(storage.as_ref(), &server.url, dir.path(), MANOKWARI, role, user, &units)
            })
            .collect();
        // Each device gets its roster and has its person's key bound.
        for d in &devices {
            d.client.sync_now().unwrap();
        }
        Self {
            server: Some(server),
            devices,
            storage,
            kinds: kinds.to_vec(),
            people,
            reviewer,
            data,
            port,
            log: Vec::new(),
            _dir: dir,
        }
    }

    fn staff(&self, doc: usize) -> Nip {
        Nip::parse(&self.people.staff_a[doc]).unwrap()
    }

    fn doc_id(&self, doc: usize) -> DocId {
        DocId::for_appraisal(&self.staff(doc), PERIOD)
    }

    /// The draft everyone starts: as the app makes it from the roster.
    fn fresh(&self, doc: usize) -> Appraisal {
        let mut a =
            Appraisal::new(self.staff(doc), PERIOD, &self.people.unit_a, Nip::parse(&self.people.boss_a).unwrap())
                .unwrap();
        a.reviewer_nip = Some(Nip::parse(&self.reviewer).unwrap());
        a
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn kill_server(&mut self) {
        self.server.take().expect("server running").kill();
    }

    fn start_server(&mut self) {
        assert!(self.server.is_none());
        self.server = Some(ChildServer::start(&self.data, self.port));
    }

    fn run(&mut self, step: usize, op: &Op, stats: &mut Stats) -> Result<(), TestCaseError> {
        let line = match op {
            Op::Edit { device, doc, edit } => {
                let line = self.edit(*device, *doc, edit);
                if line.contains("applied") {
                    stats.edits_applied += 1;
                } else {
                    stats.edits_refused += 1;
                }
                line
            }
            Op::Sync { device } => {
                let r = self.sync(*device)?;
                stats.syncs += 1;
                format!("synced {r:?}")
            }
            Op::SyncTogether { a, b } if a == b => {
                let r = self.sync(*a)?;
                stats.syncs += 1;
                format!("synced alone {r:?}")
            }
            Op::SyncTogether { a, b } => {
                let (ra, rb) = std::thread::scope(|s| {
                    let ta = s.spawn(|| self.sync(*a));
                    let tb = s.spawn(|| self.sync(*b));
                    (ta.join().expect("sync thread panicked"), tb.join().expect("sync thread panicked"))
                });
                stats.syncs += 2;
                format!("synced together {:?} and {:?}", ra?, rb?)
            }
            Op::RestartServer => {
                self.kill_server();
                self.start_server();
                stats.restarts += 1;
                "restarted".into()
            }
            Op::CrashDuringSync { device, after_ms } => {
                let client = SyncClient::from_store(self.devices[*device].store.clone()).unwrap();
                let syncing = std::thread::spawn(move || client.sync_now());
                std::thread::sleep(Duration::from_millis(*after_ms));
                self.kill_server();
                let outcome = syncing.join().expect("sync thread panicked");
                self.start_server();
                stats.restarts += 1;
                if outcome.is_err() {
                    stats.syncs_cut_by_a_kill += 1;
                }
                match outcome {
                    Ok(r) => {
                        prop_assert_eq!(r.rejected, 0, "step {}: a sync before the kill refused changes", step);
                        format!("sync done before the kill: {r:?}")
                    }
                    Err(e) => format!("sync cut by the kill: {e}"),
                }
            }
        };
        self.log.push(format!("{step:>2} {op:?} -> {line}"));
        Ok(())
    }

    /// One sync, which must go through (the server is up, if restarted
    /// since) and refuse nothing: every edit was one its author may make.
    fn sync(&self, device: usize) -> Result<SyncReport, TestCaseError> {
        let d = &self.devices[device];
        let r = d.client.sync_now().map_err(|e| TestCaseError::fail(format!("device {device}: sync failed: {e}")))?;
        prop_assert_eq!(r.rejected, 0, "device {} had changes refused: {:?}", device, self.statuses(device));
        Ok(r)
    }

    fn statuses(&self, device: usize) -> Vec<(DocId, SyncState)> {
        let store = &self.devices[device].store;
        (0..MAX_DOCS)
            .map(|doc| self.doc_id(doc))
            .filter(|id| has(store, *id))
            .map(|id| (id, store.status(id).unwrap().sync))
            .collect()
    }

    /// Apply `edit` on `device`; what happened, for the log. An edit the
    /// device's rules refuse is skipped, as the app refuses it.
    fn edit(&self, device: usize, doc: usize, edit: &Edit) -> String {
        let d = &self.devices[device];
        let id = self.doc_id(doc);
        let author = d.author();
        let mut started = "";
        if !has(&d.store, id) {
            if self.kinds[device] == Kind::Reviewer {
                return "skipped: reviewer has no copy yet".into();
            }
            match d.store.create(id, &self.fresh(doc), &author) {
                Ok(()) => started = "started, ",
                Err(StoreError::Validation(v)) => return format!("refused to start: {v}"),
                Err(e) => panic!("device {device}: create {id}: {e}"),
            }
        }
        let targets = |a: &Appraisal| {
            let mut ids: Vec<String> = a.targets.iter().map(|t| t.id.clone()).collect();
            ids.sort();
            ids
        };
        let pick = |a: &Appraisal, i: u8| {
            let ids = targets(a);
            if ids.is_empty() { None } else { Some(ids[usize::from(i) % ids.len()].clone()) }
        };
        let no_target = || prestasi_core::error::ValidationError::new("targets", prestasi_core::error::Reason::Empty);
        let heads = || sorted_heads(&d.store.document::<Appraisal>(id).unwrap().heads());
        let before = heads();
        let result: Result<Appraisal, StoreError> = match edit {
            Edit::Resolve { conflict, pick } => {
                let conflicts = d.store.conflicts(id).unwrap();
                if conflicts.is_empty() {
                    return format!("{started}skipped: no conflict");
                }
                let c = &conflicts[usize::from(*conflict) % conflicts.len()];
                let pick = usize::from(*pick) % c.values.len();
                d.store.resolve_conflict::<Appraisal>(id, &c.path, pick, &author)
            }
            _ => d.store.update::<Appraisal>(id, &author, |a| {
                match edit {
                    Edit::Notes(n) => a.notes = format!("catatan {n}"),
                    Edit::AddTarget(tag) => {
                        let tid = format!("d{device}-t{tag}");
                        if a.targets.iter().any(|t| t.id == tid) {
                            return Err(prestasi_core::error::ValidationError::said(
                                "targets",
                                "already there",
                                "sudah ada",
                            ));
                        }
                        let t = SkpTarget::new(&format!("Indikator {tag}"), 10.0, "dokumen", *tag % 2 == 0)?;
                        a.targets.push(SkpTarget { id: tid, ..t });
                    }
                    Edit::Realisation { target, value } => {
                        let tid = pick(a, *target).ok_or_else(no_target)?;
                        a.target_mut(&tid)?.realisation = Some(f64::from(*value));
                    }
                    Edit::RateTarget { target, rating } => {
                        let tid = pick(a, *target).ok_or_else(no_target)?;
                        a.target_mut(&tid)?.rating = Some(*rating);
                    }
                    Edit::RemoveTarget { target } => {
                        let tid = pick(a, *target).ok_or_else(no_target)?;
                        a.targets.retain(|t| t.id != tid);
                    }
                    Edit::Behaviour { value, rating, note } => {
                        a.behaviour.insert(*value, *rating);
                        if let Some(n) = note {
                            a.behaviour_notes.insert(*value, format!("catatan perilaku {n}"));
                        }
                    }
                    Edit::Overall { hasil_kerja, perilaku } => {
                        a.hasil_kerja = Some(*hasil_kerja);
                        a.perilaku = Some(*perilaku);
                    }
                    Edit::Dialogue(n) => a.dialogues.push(DialogNote {
                        id: prestasi_core::model::ids::new_item_id(),
                        date: chrono::Utc::now().date_naive(),
                        author_nip: author.user.clone(),
                        text: format!("dialog {n}"),
                    }),
                    Edit::Innovation(n) => a.innovations.push(Innovation {
                        id: prestasi_core::model::ids::new_item_id(),
                        what: format!("inovasi {n}"),
                        date: chrono::NaiveDate::from_ymd_opt(2026, 8, 1 + u32::from(*n)).unwrap(),
                        effect: "layanan lebih cepat".into(),
                    }),
                    Edit::Resolve { .. } => unreachable!(),
                }
                Ok(())
            }),
        };
        match result {
            Ok(_) if heads() == before => format!("{started}applied, changed nothing"),
            Ok(_) => format!("{started}applied"),
            Err(StoreError::Validation(v)) => format!("{started}refused: {v}"),
            Err(e) => panic!("device {device}: edit {edit:?} of {id}: {e}"),
        }
    }

    /// Every device syncs, round after round, until a whole round pushes
    /// and pulls nothing. Returns the rounds taken.
    fn settle(&self) -> Result<usize, TestCaseError> {
        for round in 1..=MAX_SETTLE_ROUNDS {
            let mut moved = 0;
            for device in 0..self.devices.len() {
                let r = self.sync(device)?;
                moved += r.pushed + r.pulled;
            }
            if moved == 0 {
                return Ok(round);
            }
        }
        Err(TestCaseError::fail(format!("still moving documents after {MAX_SETTLE_ROUNDS} sync rounds")))
    }

    /// Every copy of every shared appraisal is the server's, and the
    /// server's merged view is what the merged document says.
    fn check_converged(&self, docs: usize, stats: &mut Stats) -> Result<(), TestCaseError> {
        let hr = Hr::login(&self.url(), MANOKWARI);
        let rows =
            self.storage.appraisals(MANOKWARI, &AppraisalFilter { period: Some(PERIOD.into()), unit: None }).unwrap();
        let conflict_rows = self.storage.conflicts(MANOKWARI).unwrap();
        let mut expected_rows = 0;
        for (i, d) in self.devices.iter().enumerate() {
            prop_assert_eq!(d.store.unsynced_count().unwrap(), 0, "device {} still has changes to upload", i);
        }
        for doc in 0..docs {
            let id = self.doc_id(doc);
            let Some(stored) = self.storage.document(MANOKWARI, id).unwrap() else {
                // Nobody started it: nobody holds it.
                for (i, d) in self.devices.iter().enumerate() {
                    prop_assert!(!has(&d.store, id), "device {} holds {} the server lacks", i, id);
                }
                continue;
            };
            expected_rows += 1;
            let mut server = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
            let heads = sorted_heads(&server.heads());
            prop_assert_eq!(&stored.heads, &heads, "{}: the server's heads column is its bytes' heads", id);
            let value = server.value().unwrap();
            let conflicts = server.conflicts();
            stats.documents_checked += 1;
            stats.conflicts_at_the_end += conflicts.len();
            stats.targets_at_the_end += value.targets.len();

            // Every device: the same heads, value and conflicts, on the server.
            for (i, d) in self.devices.iter().enumerate() {
                prop_assert!(has(&d.store, id), "device {} ({:?}) never received {}", i, self.kinds[i], id);
                let mut mine = d.store.document::<Appraisal>(id).unwrap();
                prop_assert_eq!(sorted_heads(&mine.heads()), heads.clone(), "device {}: heads of {}", i, id);
                prop_assert_eq!(&mine.value().unwrap(), &value, "device {}: value of {}", i, id);
                prop_assert_eq!(&mine.conflicts(), &conflicts, "device {}: conflicts of {}", i, id);
                let status = d.store.status(id).unwrap();
                prop_assert_eq!(&status.sync, &SyncState::OnServer, "device {}: {}", i, id);
                prop_assert_eq!(status.conflicts as usize, conflicts.len(), "device {}: conflict count", i);
                // The device's own projection (what its lists show).
                let listed = d.store.appraisals_by_status(AppraisalStatus::Draft, Some(PERIOD)).unwrap();
                let row = listed.iter().find(|s| s.id == id);
                prop_assert!(row.is_some(), "device {}: {} not listed", i, id);
                let row = row.unwrap();
                prop_assert_eq!(&row.predikat, &value.predikat().map(|p| p.to_string()), "device {} list", i);
                prop_assert!(!row.local_changes);
            }

            // The server's merged view: exactly the rows of the merged value.
            let View::Appraisal(view) = View::of(&id.to_string(), &Record::Appraisal(value.clone())) else {
                unreachable!()
            };
            let fact = self.storage.appraisal_fact(MANOKWARI, &id.to_string()).unwrap();
            prop_assert_eq!(fact.as_ref(), Some(&view.fact), "{}: merged-view fact", id);
            let row = rows.iter().find(|r| r.doc_id == id.to_string());
            let expected_row = AppraisalRow {
                doc_id: id.to_string(),
                employee_nip: value.employee_nip.as_str().into(),
                period: value.period.clone(),
                unit_id: value.unit_id.clone(),
                appraiser_nip: value.appraiser_nip.as_str().into(),
                reviewer_nip: value.reviewer_nip.as_ref().map(|n| n.as_str().into()),
                status: value.status,
                hasil_kerja: value.hasil_kerja,
                perilaku: value.perilaku,
                predikat: value.predikat(),
                notes: value.notes.clone(),
            };
            prop_assert_eq!(row, Some(&expected_row), "{}: merged-view row", id);
            prop_assert_eq!(
                &self.storage.appraisal_targets(MANOKWARI, id).unwrap(),
                &view.targets,
                "{}: merged-view targets",
                id
            );
            let mut innovations = self.storage.innovations(MANOKWARI, &id.to_string()).unwrap();
            innovations.sort_by(|x, y| x.item_id.cmp(&y.item_id));
            prop_assert_eq!(&innovations, &view.innovations, "{}: merged-view innovations", id);
            let listed: BTreeMap<&str, &serde_json::Value> = conflict_rows
                .iter()
                .filter(|c| c.doc_id == id.to_string())
                .map(|c| (c.path.as_str(), &c.values))
                .collect();
            let expected: BTreeMap<&str, serde_json::Value> =
                conflicts.iter().map(|c| (c.path.as_str(), serde_json::to_value(&c.values).unwrap())).collect();
            prop_assert_eq!(
                listed,
                expected.iter().map(|(k, v)| (*k, v)).collect::<BTreeMap<_, _>>(),
                "{}: merged-view conflicts",
                id
            );

            // And what HR's API shows of it.
            let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
            prop_assert_eq!(&detail["value"], &serde_json::to_value(&value).unwrap(), "{}: HR's value", id);
            prop_assert_eq!(&detail["appraisal"], &serde_json::to_value(&view.fact).unwrap(), "{}: HR's row", id);
            prop_assert_eq!(&detail["conflicts"], &serde_json::to_value(&conflicts).unwrap(), "{}: HR's conflicts", id);
        }
        prop_assert_eq!(rows.len(), expected_rows, "one merged-view row per started appraisal");
        let listed = hr.get(&format!("/v1/hr/appraisals?period={PERIOD}"));
        prop_assert_eq!(&listed["appraisals"], &serde_json::to_value(&rows).unwrap(), "HR's list is the view");
        Ok(())
    }
}

fn run_case(s: &Scenario, stats: &mut Stats) -> Result<(), TestCaseError> {
    let mut rig = Rig::start(&s.devices);
    stats.cases += 1;
    let outcome = (|| {
        for (step, op) in s.ops.iter().enumerate() {
            rig.run(step, op, stats)?;
        }
        let rounds = rig.settle()?;
        stats.most_settle_rounds = stats.most_settle_rounds.max(rounds);
        rig.log.push(format!("settled in {rounds} rounds"));
        rig.check_converged(s.docs, stats)
    })();
    if std::env::var_os("PRESTASI_WIRE_TRACE").is_some() {
        eprintln!("--- case, devices {:?} ---\n{}", rig.kinds, rig.log.join("\n"));
    }
    outcome.map_err(|e| {
        let log = rig.log.join("\n");
        TestCaseError::fail(format!("{e}\n--- what happened (device {:?}) ---\n{log}", rig.kinds))
    })
}

fn config() -> Config {
    let cases = std::env::var("PRESTASI_PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12);
    Config {
        cases,
        // Each case starts a server (about half a second): a failure
        // shrinks for a few minutes at most, unless asked for more.
        max_shrink_iters: if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_some() {
            Config::default().max_shrink_iters
        } else {
            256
        },
        // Nothing written into the source tree: the failure message holds
        // the minimal sequence.
        failure_persistence: None,
        ..Config::default()
    }
}

#[test]
fn random_edits_syncs_and_restarts_converge_on_every_copy_and_the_merged_view() {
    let started = Instant::now();
    let mut runner = TestRunner::new(config());
    let stats = std::sync::Mutex::new(Stats::default());
    let result = runner.run(&scenario(), |s| run_case(&s, &mut stats.lock().unwrap_or_else(|p| p.into_inner())));
    match result {
        Ok(()) => {
            let stats = stats.into_inner().unwrap_or_else(|p| p.into_inner());
            eprintln!("converged in {:.1?}: {stats:?}", started.elapsed());
            if stats.cases >= 10 {
                assert!(stats.edits_applied > stats.cases && stats.syncs > stats.cases, "{stats:?}");
            }
        }
        Err(TestError::Fail(why, minimal)) => panic!("did not converge: {why}\nminimal failing scenario: {minimal:#?}"),
        Err(e) => panic!("{e}"),
    }
}
