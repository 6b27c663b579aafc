//! [`seed`]: the one bulk write path. Many records stored as the server,
//! through the same checks and the same projection as every other write.
//!
//! It is for history that was never typed into this server: the demo's
//! year of citizen feedback, generated load-test data, test fixtures.
//! Nothing else writes in bulk; everything else writes one record at a time
//! ([`record_as_hr`](super::record_as_hr), [`edit_as_hr`](super::edit_as_hr),
//! the CSV import, the citizen form, devices' sync). No code writes a row
//! of the merged view without its document: HR's pages render an
//! appraisal from its document only.
//!
//! The contract:
//!
//! - Every [`Seed`] becomes a real automerge document, created by the
//!   server's own actor in the name of the HR officer the caller names
//!   (`Role::Hr`) and signed with the server's key, then checked exactly as
//!   `sync::push_typed` checks every server-side write — strict parse,
//!   `validate()`, derived id, `Record::check_change` for that officer,
//!   unit scope and known employees, signature and key binding — and
//!   projected into the merged view by the same code. A refused record is
//!   an error naming it; no check is relaxed for seeding.
//! - A record's `received_at` (server clock, ms) is both the time of its
//!   change in the document's history and its arrival time in the merged
//!   view (the `received_at` of feedback the SKM reports count by), so a
//!   seeded history is dated when it happened, not when it was loaded.
//! - Records are created, never overwritten: one whose document already
//!   exists is left as it is and counted in [`Seeded::existing`] (the same
//!   records seeded twice are written once; the first of two records with
//!   one id wins).
//! - [`SEED_BATCH`] records per write transaction. A batch's documents are
//!   built and checked on every core, each worker on a read snapshot, while
//!   the previous batch is being written; under the write lock, in order,
//!   a document is stored only if it is still absent, and a record refused
//!   on a snapshot is checked again after the records before it (the
//!   snapshot predates them, e.g. the employee an appraisal names). Batches
//!   written before a refusal stay; nothing of the refused record's batch
//!   is written.
//!
//! HR may create every kind of record, and may record an appraisal in the
//! status it had reached — submitted, reviewed or locked — without the
//! appraiser's and reviewer's steps: `Record::check_change` for a new
//! appraisal allows exactly that to HR ("who may record past appraisals as
//! they were"), and no one else. Seeded appraisals are therefore HR's
//! record of past appraisals, which is what they are; the documents'
//! histories say so (one change by the officer, on the server).

use chrono::DateTime;
use prestasi_core::doc::Document;
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Training, Unit};
use prestasi_core::sync::protocol::PushOutcome;

use crate::error::AppError;
use crate::state::ServerIdentity;
use crate::storage::{Lookup, Record, Storage, StorageError};
use crate::sync::{Checked, Merged, Writer, check_typed};

/// Records per write transaction.
pub const SEED_BATCH: usize = 1_000;

/// One record to store, with its id and its arrival time.
#[derive(Debug, Clone)]
pub struct Seed {
    pub id: DocId,
    pub record: Record,
    /// Server clock, ms: when the record arrived (see the module doc).
    pub received_at: i64,
}

/// What [`seed`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// New documents stored.
    pub written: usize,
    /// Records whose document was already there, left as they were.
    pub existing: usize,
}

/// A record checked on a snapshot.
enum Step {
    Exists,
    Store(Checked),
    Refused(String),
}

/// Store `records` in `tenant` as HR officer `officer`, through the checks
/// of every write (see the module documentation for the whole contract).
/// `progress` gets the number of records done after every batch.
pub fn seed(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    records: &[Seed],
    progress: &mut dyn FnMut(usize),
) -> Result<Seeded, AppError> {
    if storage.tenant(tenant)?.is_none() {
        return Err(AppError::NotFound { message: format!("Instansi {tenant} tidak ditemukan.") });
    }
    let w = super::hr_writer(tenant, officer, server);
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut seeded = Seeded::default();
    std::thread::scope(|s| {
        let w = &w;
        let mut batches = records.chunks(SEED_BATCH);
        let check = |batch| (batch, s.spawn(move || check_batch(storage, w, batch, workers)));
        let mut next = batches.next().map(check);
        let mut done = 0;
        while let Some((batch, checking)) = next.take() {
            let steps = checking.join().map_err(|_| AppError::Internal("a seeding worker panicked".into()))??;
            // The next batch is checked while this one is written.
            next = batches.next().map(check);
            write_batch(storage, w, batch, &steps, &mut seeded)?;
            done += batch.len();
            progress(done);
        }
        Ok::<(), AppError>(())
    })?;
    Ok(seeded)
}

/// Build and check a batch on `workers` threads, each on its own read
/// snapshot; the steps in the batch's order.
fn check_batch(storage: &dyn Storage, w: &Writer, batch: &[Seed], workers: usize) -> Result<Vec<Step>, StorageError> {
    let part = batch.len().div_ceil(workers.max(1)).max(1);
    let parts: Vec<Result<Vec<Step>, StorageError>> = std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(part)
            .map(|records| {
                s.spawn(move || {
                    let mut steps = Vec::with_capacity(records.len());
                    storage.read(&mut |lookup| {
                        steps.clear();
                        for r in records {
                            steps.push(check_one(lookup, w, r)?);
                        }
                        Ok(())
                    })?;
                    Ok(steps)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(StorageError::Backend("a seeding worker panicked".into()))))
            .collect()
    });
    let mut steps = Vec::with_capacity(batch.len());
    for p in parts {
        steps.extend(p?);
    }
    Ok(steps)
}

/// Store what passed, in one transaction and in order: only documents
/// still absent. A record refused on a snapshot is checked again under the
/// lock, after the records before it (it may name an employee stored just
/// before); if it is still refused, the transaction is rolled back.
fn write_batch(
    storage: &dyn Storage,
    w: &Writer,
    batch: &[Seed],
    steps: &[Step],
    seeded: &mut Seeded,
) -> Result<(), AppError> {
    let mut refused = None;
    let mut counts = Seeded::default();
    let written = storage.write(&mut |tx| {
        refused = None;
        counts = Seeded::default();
        for (r, step) in batch.iter().zip(steps) {
            let again;
            let step = match step {
                Step::Refused(_) => {
                    again = check_one(tx, w, r)?;
                    &again
                }
                checked => checked,
            };
            match step {
                Step::Store(Checked::Store { write, base, .. }) if tx.heads(&write.tenant, write.id)? == *base => {
                    tx.append(write)?;
                    counts.written += 1;
                }
                // Created meanwhile, or earlier in this batch.
                Step::Store(_) | Step::Exists => counts.existing += 1,
                Step::Refused(why) => {
                    refused = Some(format!("{} {}: {why}", kind_name(&r.record), r.id));
                    return Err(StorageError::Backend("seeding refused a record".into()));
                }
            }
        }
        Ok(())
    });
    if let Some(message) = refused {
        return Err(AppError::Unprocessable { code: "refused", message });
    }
    written?;
    seeded.written += counts.written;
    seeded.existing += counts.existing;
    Ok(())
}

fn check_one(lookup: &mut dyn Lookup, w: &Writer, r: &Seed) -> Result<Step, StorageError> {
    let (id, at) = (r.id, r.received_at);
    match &r.record {
        Record::Employee(v) => check_typed_record::<Employee>(lookup, w, id, v, at),
        Record::Unit(v) => check_typed_record::<Unit>(lookup, w, id, v, at),
        Record::Appraisal(v) => check_typed_record::<Appraisal>(lookup, w, id, v, at),
        Record::Feedback(v) => check_typed_record::<Feedback>(lookup, w, id, v, at),
        Record::Training(v) => check_typed_record::<Training>(lookup, w, id, v, at),
        Record::Mentoring(v) => check_typed_record::<Mentoring>(lookup, w, id, v, at),
        Record::Allowance(v) => check_typed_record::<Allowance>(lookup, w, id, v, at),
        Record::Award(v) => check_typed_record::<Award>(lookup, w, id, v, at),
    }
}

/// The document of a new record, made as the officer at `at`, and every
/// check of a server-side write on it.
fn check_typed_record<T: Merged>(
    lookup: &mut dyn Lookup,
    w: &Writer,
    id: DocId,
    value: &T,
    at: i64,
) -> Result<Step, StorageError> {
    if lookup.load(&w.tenant, id)?.is_some() {
        return Ok(Step::Exists);
    }
    let Some(time) = DateTime::from_timestamp_millis(at) else {
        return Ok(Step::Refused(format!("received_at {at} is not a time")));
    };
    let bytes = match Document::create(id, value, &w.author, time) {
        Ok(mut doc) => doc.save(),
        Err(e) => return Ok(Step::Refused(e.to_string())),
    };
    Ok(match check_typed::<T>(lookup, w, id, &bytes, at)? {
        store @ Checked::Store { .. } => Step::Store(store),
        Checked::Done(PushOutcome::Rejected(r)) => Step::Refused(match r.field {
            Some(field) => format!("{} ({field})", r.message),
            None => r.message,
        }),
        Checked::Done(PushOutcome::Accepted { .. }) => Step::Exists,
    })
}

fn kind_name(r: &Record) -> &'static str {
    match r {
        Record::Employee(_) => "employee",
        Record::Unit(_) => "unit",
        Record::Appraisal(_) => "appraisal",
        Record::Feedback(_) => "feedback",
        Record::Training(_) => "training",
        Record::Mentoring(_) => "mentoring",
        Record::Allowance(_) => "allowance",
        Record::Award(_) => "award",
    }
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
