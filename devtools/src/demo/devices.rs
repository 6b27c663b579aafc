//! Step 2: the field. Per unit, a supervisor tablet enrolled for the unit
//! head on which the unit's appraisers and reviewers sign in, and a kiosk;
//! a few units get a second tablet of the same head for a conflict. Every
//! device has its own on-device store and syncs with the core's
//! [`SyncClient`] over HTTP, like the apps.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use prestasi_core::model::{Appraisal, AppraisalStatus, Author, Channel, DocId, Feedback, Mentoring, Role, Unit};
use prestasi_core::rules::Rating;
use prestasi_core::store::{Store, SyncState};
use prestasi_core::sync::{SyncClient, SyncReport};

use prestasi_server::admin;
use prestasi_server::storage::Storage;

use super::{CLOSED, CONFLICTS, DemoError, OPEN, Progress, Summary, TENANT};
use crate::generate::Dataset;

/// Units worked on at once: the machine's two cores also run the server.
const WORKERS: usize = 2;

/// Everything the field writes for one unit.
#[derive(Debug, Default)]
struct UnitWork<'d> {
    unit: Option<&'d Unit>,
    appraisals: Vec<&'d (DocId, Appraisal)>,
    feedback: Vec<&'d (DocId, Feedback, i64)>,
    mentoring: Vec<&'d (DocId, Mentoring)>,
    /// A draft appraisal to edit on two tablets, and which field.
    conflict: Option<(DocId, usize)>,
}

#[derive(Debug, Default)]
struct Done {
    appraisals: usize,
    feedback: usize,
    devices: usize,
    conflicts: usize,
}

pub(super) fn run(
    storage: &dyn Storage,
    url: &str,
    dir: &Path,
    d: &Dataset,
    by_kiosk: &HashSet<DocId>,
    progress: &Progress,
) -> Result<Summary, DemoError> {
    std::fs::create_dir_all(dir)?;
    let work = plan(d, by_kiosk);
    let next = AtomicUsize::new(0);
    let worker = || -> Result<Done, DemoError> {
        let mut total = Done::default();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(w) = work.get(i) else { return Ok(total) };
            let Some(unit) = w.unit else { continue };
            let done = unit_devices(storage, url, dir, unit, w).map_err(|e| format!("unit {}: {e}", unit.id))?;
            progress.step(format!(
                "unit {:>2}/{} {}: tablet synced {} appraisals, kiosk {} feedback{}",
                i + 1,
                work.len(),
                unit.name,
                done.appraisals,
                done.feedback,
                if done.conflicts > 0 { "; a second tablet edited a draft at the same time" } else { "" }
            ));
            total.devices += done.devices;
            total.conflicts += done.conflicts;
        }
    };
    let results: Vec<Result<Done, DemoError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WORKERS).map(|_| s.spawn(worker)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a device worker panicked".into()))).collect()
    });
    let mut summary = Summary::default();
    for r in results {
        let done = r?;
        summary.devices += done.devices;
        summary.conflicts += done.conflicts;
    }
    Ok(summary)
}

/// Group the data set by unit (of the feedback, only what the kiosks
/// send), and choose the conflicts: in the first [`CONFLICTS`] units that
/// have one, a draft of the open period that the unit head appraises.
fn plan<'d>(d: &'d Dataset, by_kiosk: &HashSet<DocId>) -> Vec<UnitWork<'d>> {
    let mut work: Vec<UnitWork<'_>> =
        d.units.iter().map(|u| UnitWork { unit: Some(u), ..UnitWork::default() }).collect();
    let slot =
        |work: &mut Vec<UnitWork<'_>>, unit: &str| work.iter().position(|w| w.unit.is_some_and(|u| u.id == unit));
    for a in &d.appraisals {
        if let Some(i) = slot(&mut work, &a.1.unit_id)
            && let Some(w) = work.get_mut(i)
        {
            w.appraisals.push(a);
        }
    }
    for f in d.feedback.iter().filter(|f| by_kiosk.contains(&f.0)) {
        if let Some(i) = slot(&mut work, &f.1.unit_id)
            && let Some(w) = work.get_mut(i)
        {
            w.feedback.push(f);
        }
    }
    for m in &d.mentoring {
        if let Some(i) = slot(&mut work, &m.1.unit_id)
            && let Some(w) = work.get_mut(i)
        {
            w.mentoring.push(m);
        }
    }
    let mut chosen = 0;
    for w in &mut work {
        let head = w.unit.and_then(|u| u.head_nip.as_ref());
        let draft = w
            .appraisals
            .iter()
            .find(|(_, a)| a.period == OPEN && a.status == AppraisalStatus::Draft && Some(&a.appraiser_nip) == head);
        if let Some((id, _)) = draft
            && chosen < CONFLICTS
        {
            w.conflict = Some((*id, chosen));
            chosen += 1;
        }
    }
    work
}

/// The PIN every simulated person chooses.
const DEMO_PIN: &str = "135790";
/// The demo tablets' store key (an app keeps a random one per install,
/// wrapped by the Android Keystore).
const DEMO_STORE_KEY: [u8; 32] = *b"kunci-penyimpanan-demo-prestasi!";

/// A new device of `role` for `user`, enrolled with a one-time code; the
/// enrolled person signs in at once.
fn enroll(
    storage: &dyn Storage,
    url: &str,
    path: &Path,
    role: Role,
    user: &str,
    unit: &str,
) -> Result<SyncClient, DemoError> {
    let code = admin::issue_enrollment(storage, TENANT, role, user, &[unit.to_string()])?;
    let store = Arc::new(Store::open(path, &prestasi_core::store::StoreKey::from_bytes(DEMO_STORE_KEY))?);
    let client = SyncClient::enroll(store, url, &code)?;
    client.sign_in_enrolled(DEMO_PIN)?;
    Ok(client)
}

/// Sync, and fail if the server refused any of `docs`.
fn sync(client: &SyncClient, docs: &[DocId]) -> Result<SyncReport, DemoError> {
    let report = client.sync_now()?;
    if report.rejected > 0 {
        for id in docs {
            if let SyncState::Rejected { code, reason } = client.store().status(*id)?.sync {
                return Err(format!("the server refused {id} ({code}): {reason}").into());
            }
        }
        return Err(format!("the server refused {} documents", report.rejected).into());
    }
    Ok(report)
}

fn unit_devices(
    storage: &dyn Storage,
    url: &str,
    dir: &Path,
    unit: &Unit,
    w: &UnitWork<'_>,
) -> Result<Done, DemoError> {
    let head = unit.head_nip.as_ref().ok_or("the unit has no head")?.as_str();
    let mut done = Done::default();

    // The unit tablet: first the roster, then the appraisals as their
    // appraisers write them, one sync, then the reviewers' decisions.
    let tablet = enroll(storage, url, &dir.join(format!("{}-tablet.db", unit.id)), Role::Supervisor, head, &unit.id)?;
    sync(&tablet, &[])?;
    let store = tablet.store().clone();
    let mut docs = Vec::new();
    for (id, a) in &w.appraisals {
        write_appraisal(&store, &signed_in(storage, &store, a.appraiser_nip.as_str())?, *id, a)?;
        docs.push(*id);
    }
    for (id, m) in &w.mentoring {
        store.create(*id, m, &signed_in(storage, &store, m.mentor_nip.as_str())?)?;
        docs.push(*id);
    }
    sync(&tablet, &docs)?;
    for (id, a) in &w.appraisals {
        // Every reviewer of the closed period decided; in the open one,
        // those the data set says.
        let reviewed =
            a.status != AppraisalStatus::Draft && (a.period == CLOSED || a.status == AppraisalStatus::Reviewed);
        if let Some(reviewer) = a.reviewer_nip.as_ref().filter(|_| reviewed) {
            let author = signed_in(storage, &store, reviewer.as_str())?;
            store.update::<Appraisal>(*id, &author, |v| {
                v.status = AppraisalStatus::Reviewed;
                Ok(())
            })?;
        }
    }
    sync(&tablet, &docs)?;
    done.appraisals = w.appraisals.len();
    done.devices += 1;

    if let Some((id, which)) = w.conflict {
        let second =
            enroll(storage, url, &dir.join(format!("{}-tablet-2.db", unit.id)), Role::Supervisor, head, &unit.id)?;
        sync(&second, &[])?;
        let (a, b) = conflicting_edits(which);
        for (client, edit) in [(&tablet, a), (&second, b)] {
            let author = Author::new(head, client.store().device_id(), Role::Supervisor);
            client.store().update::<Appraisal>(id, &author, |v| {
                edit(v);
                Ok(())
            })?;
        }
        sync(&tablet, &[id])?;
        sync(&second, &[id])?;
        done.devices += 1;
        done.conflicts += 1;
    }

    // The kiosk in the waiting room.
    let kiosk_user = format!("kios-{}", unit.id);
    let kiosk = enroll(storage, url, &dir.join(format!("{}-kiosk.db", unit.id)), Role::Kiosk, &kiosk_user, &unit.id)?;
    let store = kiosk.store().clone();
    let author = Author::new(kiosk_user.as_str(), store.device_id(), Role::Kiosk);
    let mut docs = Vec::new();
    for (id, f, _) in &w.feedback {
        store.create(*id, &kiosk_feedback(f), &author)?;
        docs.push(*id);
    }
    sync(&kiosk, &docs)?;
    done.feedback = docs.len();
    done.devices += 1;
    Ok(done)
}

/// The appraiser's work, change by change: the plan (targets), the
/// realisations, the behaviour and conclusion, and the submission.
fn write_appraisal(store: &Store, author: &Author, id: DocId, a: &Appraisal) -> Result<(), DemoError> {
    let mut plan = Appraisal::new(a.employee_nip.clone(), &a.period, &a.unit_id, a.appraiser_nip.clone())?;
    plan.reviewer_nip = a.reviewer_nip.clone();
    plan.targets = a.targets.clone();
    for t in &mut plan.targets {
        t.realisation = None;
        t.rating = None;
    }
    store.create(id, &plan, author)?;
    if a.targets.iter().any(|t| t.realisation.is_some()) {
        store.update::<Appraisal>(id, author, |v| {
            v.targets = a.targets.clone();
            Ok(())
        })?;
    }
    let draft = Appraisal { status: AppraisalStatus::Draft, ..a.clone() };
    if draft != plan {
        store.update::<Appraisal>(id, author, |v| {
            *v = draft.clone();
            Ok(())
        })?;
    }
    if a.status != AppraisalStatus::Draft {
        store.update::<Appraisal>(id, author, |v| {
            v.status = AppraisalStatus::Submitted;
            Ok(())
        })?;
    }
    Ok(())
}

/// `person` signed in on the unit tablet `store` (its unit's appraisers,
/// reviewers and mentors take turns on it). A person's first sign-in on a
/// tablet makes their key, bound by a person code BKPSDM issued them.
fn signed_in(storage: &dyn Storage, store: &Store, person: &str) -> Result<Author, DemoError> {
    if !store.is_signed_in(person) {
        let code = match store.signer(person)? {
            Some(_) => None,
            None => Some(prestasi_server::people::issue_code(storage, TENANT, person, None, super::HR_USER)?),
        };
        store.sign_in(person, DEMO_PIN, code.as_deref())?;
    }
    Ok(Author::new(person, store.device_id(), Role::Supervisor))
}

/// Two different edits of the same field, for the two tablets.
type Edit = fn(&mut Appraisal);

fn conflicting_edits(which: usize) -> (Edit, Edit) {
    match which % 3 {
        0 => (
            |v| v.notes = "Target utama tercapai; perlu pendampingan dalam penyusunan laporan.".into(),
            |v| v.notes = "Perlu meningkatkan ketepatan waktu pelaporan bulanan.".into(),
        ),
        1 => (|v| v.hasil_kerja = Some(Rating::SesuaiEkspektasi), |v| v.hasil_kerja = Some(Rating::DiAtasEkspektasi)),
        _ => (
            |v| {
                if let Some(t) = v.targets.first_mut() {
                    t.realisation = Some((t.target * 0.9).round());
                }
            },
            |v| {
                if let Some(t) = v.targets.first_mut() {
                    t.realisation = Some((t.target * 1.1).round());
                }
            },
        ),
    }
}

/// A data set feedback as the kiosk app records it.
pub(super) fn kiosk_feedback(f: &Feedback) -> Feedback {
    Feedback { channel: Channel::Kiosk, ..f.clone() }
}
