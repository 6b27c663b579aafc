//! CRDT documents: one syncable record = one automerge document.
//!
//! [`Document<T>`] wraps an `automerge::AutoCommit` holding a [`Record`]
//! `T`. Every edit goes hydrate → change the Rust value → validate → check
//! the author may make it → reconcile (only the differences are written) →
//! commit with the author's id as message and the device clock as time.
//!
//! Two copies of a document — on two tablets, or a tablet and the server —
//! merge deterministically. Where both set the same field to different
//! values the document keeps both and [`Document::conflicts`] lists them with
//! who wrote each and when; [`Document::history`] tells who changed what.
//!
//! ```
//! use chrono::Utc;
//! use prestasi_core::doc::Document;
//! use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role};
//! use prestasi_core::rules::nip::Nip;
//!
//! let staff = Nip::parse("199307082019031090").unwrap();
//! let boss = Nip::parse("198802182010062056").unwrap();
//! let tablet = Author::new(boss.as_str(), DeviceId::random(), Role::Supervisor);
//!
//! let id = DocId::for_appraisal(&staff, "2026-Q3");
//! let draft = Appraisal::new(staff, "2026-Q3", "unit-0001", boss).unwrap();
//! let mut doc = Document::create(id, &draft, &tablet, Utc::now()).unwrap();
//! doc.edit(&tablet, Utc::now(), |a| {
//!     a.notes = "Target triwulan tercapai.".into();
//!     Ok(())
//! })
//! .unwrap();
//! assert_eq!(doc.value().unwrap().notes, "Target triwulan tercapai.");
//! ```

mod conflict;
mod history;
mod keep_conflicts;
mod kind;
mod path;
pub mod schema;

use std::marker::PhantomData;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, Utc};

pub use conflict::{Conflict, ConflictValue};
pub use history::{FieldChange, HistoryEntry};
pub use kind::{DocKind, Record};

use crate::error::ValidationError;
use crate::model::{Author, DeviceId, DocId};

/// Root keys of every document besides the record's own fields.
pub const KIND_KEY: &str = "_kind";
pub const SCHEMA_KEY: &str = "_schema";

/// Why a document operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("document is not a valid automerge document: {0}")]
    Malformed(String),
    #[error("document holds a {found}, expected a {expected}")]
    WrongKind { expected: &'static str, found: String },
    #[error("{missing} changes this document depends on are missing; send the whole document")]
    MissingDependencies { missing: usize },
    #[error("no conflict at {path:?} (or no value number {pick})")]
    NoSuchConflict { path: String, pick: usize },
}

impl DocError {
    /// The reason in Bahasa Indonesia, for people (`Display` is English,
    /// for logs).
    pub fn user_message(&self) -> String {
        match self {
            Self::Validation(v) => v.user_message(),
            Self::Malformed(_) => "Data dokumen rusak: bukan dokumen automerge yang utuh.".into(),
            Self::WrongKind { expected, found } => format!("Dokumen berisi {found}, bukan {expected}."),
            Self::MissingDependencies { .. } => {
                "Perubahan bergantung pada data yang belum ada; kirim dokumen lengkap.".into()
            }
            Self::NoSuchConflict { path, .. } => {
                format!("Tidak ada konflik pada {path}, atau nilai yang dipilih tidak ada; muat ulang.")
            }
        }
    }
}

impl From<automerge::AutomergeError> for DocError {
    fn from(e: automerge::AutomergeError) -> Self {
        match e {
            automerge::AutomergeError::MissingDeps => Self::MissingDependencies { missing: 0 },
            other => Self::Malformed(other.to_string()),
        }
    }
}

impl From<autosurgeon::HydrateError> for DocError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        Self::Malformed(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for DocError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// A record of type `T` as an automerge document.
#[derive(Debug)]
pub struct Document<T: Record> {
    id: DocId,
    am: AutoCommit,
    /// Heads at the last load or save: `save_incremental` writes what came
    /// after them. (automerge's own cursor starts empty after a load.)
    saved: Vec<ChangeHash>,
    _record: PhantomData<fn() -> T>,
}

impl<T: Record> Document<T> {
    /// Create the document for `value`, written by `author`.
    pub fn create(id: DocId, value: &T, author: &Author, now: DateTime<Utc>) -> Result<Self, DocError> {
        value.validate()?;
        if value.derived_id().is_some_and(|d| d != id) {
            return Err(ValidationError::said(
                "id",
                "this record's id is derived from its content",
                "id data ini harus diturunkan dari isinya (pegawai dan periode, atau program dan pegawai)",
            )
            .into());
        }
        T::check_change(None, value, author)?;
        let actor = actor_of(&author.device);
        let am = if T::SHARED_GENESIS {
            let genesis = AutoCommit::new().with_actor(ActorId::from(id.as_bytes().as_slice()));
            let mut am = skeleton::<T>(genesis, GENESIS_SCHEMA)?;
            am.commit_with(CommitOptions::default().with_time(0));
            let mut am = am.with_actor(actor);
            // A newer build records its schema in its own first change.
            if T::SCHEMA > GENESIS_SCHEMA {
                am.put(automerge::ROOT, SCHEMA_KEY, T::SCHEMA)?;
            }
            am
        } else {
            skeleton::<T>(AutoCommit::new().with_actor(actor), T::SCHEMA)?
        };
        let mut doc = Self { id, am, saved: Vec::new(), _record: PhantomData };
        autosurgeon::reconcile(&mut doc.am, value)?;
        commit(&mut doc.am, author, now);
        Ok(doc)
    }

    /// Load a saved document (full save or concatenated changes). Strict:
    /// truncated or corrupt bytes and changes whose dependencies are missing
    /// are errors, never silently dropped.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<Self, DocError> {
        let mut am = parse(bytes)?;
        let saved = am.get_heads();
        let mut doc = Self { id, am, saved, _record: PhantomData };
        doc.check_complete()?;
        doc.check_kind()?;
        Ok(doc)
    }

    pub fn id(&self) -> DocId {
        self.id
    }

    /// The record as the merged document shows it now.
    pub fn value(&self) -> Result<T, DocError> {
        read(&self.am)
    }

    /// The record as it was at `heads` (and everything they depend on).
    pub fn value_at(&mut self, heads: &[ChangeHash]) -> Result<T, DocError> {
        let past = self.am.fork_at(heads)?;
        read(&past)
    }

    /// The schema version of the newest writer that touched this document.
    pub fn schema_version(&self) -> u64 {
        match self.am.get(automerge::ROOT, SCHEMA_KEY) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Uint(v) => *v,
                ScalarValue::Int(v) => u64::try_from(*v).unwrap_or(0),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Change the record. `edit` works on a plain copy; the result is
    /// validated and checked against `author`'s rights before anything is
    /// written. Returns the new value. An edit that changes nothing writes
    /// nothing.
    pub fn edit(
        &mut self,
        author: &Author,
        now: DateTime<Utc>,
        edit: impl FnOnce(&mut T) -> Result<(), ValidationError>,
    ) -> Result<T, DocError> {
        let old = self.value()?;
        let mut new = old.clone();
        edit(&mut new)?;
        if new == old {
            return Ok(new);
        }
        new.validate()?;
        T::check_change(Some(&old), &new, author)?;
        self.am.set_actor(actor_of(&author.device));
        if T::SCHEMA > self.schema_version() {
            self.am.put(automerge::ROOT, SCHEMA_KEY, T::SCHEMA)?;
        }
        autosurgeon::reconcile(&mut keep_conflicts::KeepConflicts(&mut self.am), &new)?;
        commit(&mut self.am, author, now);
        Ok(new)
    }

    /// Merge another copy of this document into this one.
    pub fn merge(&mut self, other: &mut Document<T>) -> Result<(), DocError> {
        self.am.merge(&mut other.am)?;
        Ok(())
    }

    /// Apply changes received from elsewhere (any automerge encoding:
    /// a full save, `save_incremental` chunks, or both concatenated).
    /// Strict like [`Document::load`]; on error the document is unchanged in
    /// what it saves.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        // automerge's load_incremental skips unparseable tails with a
        // warning; parse on our own first so bad input is an error.
        match parse(bytes) {
            Ok(_) | Err(DocError::MissingDependencies { .. }) => {}
            Err(e) => return Err(e),
        }
        guarded(|| self.am.load_incremental(bytes))??;
        self.check_complete()?;
        self.check_kind()
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.am.get_heads()
    }

    /// The whole document, compressed, history included.
    pub fn save(&mut self) -> Vec<u8> {
        self.saved = self.am.get_heads();
        self.am.save()
    }

    /// The whole document with its columns left uncompressed: larger alone,
    /// but it compresses far better inside a zstd body of many documents
    /// (see docs/PERFORMANCE.md). What the device store keeps and uploads.
    pub fn save_uncompressed(&mut self) -> Vec<u8> {
        self.saved = self.am.get_heads();
        self.am.save_nocompress()
    }

    /// Changes made or received since the last `save`/`save_incremental`/load.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let bytes = self.am.save_after(&self.saved);
        self.saved = self.am.get_heads();
        bytes
    }

    /// Every change that is not already behind `heads` (what a peer that
    /// has `heads` is missing).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.am.save_after(heads)
    }

    /// An independent copy, as another device would hold it after a sync.
    pub fn fork(&mut self) -> Self {
        Self { id: self.id, am: self.am.fork(), saved: Vec::new(), _record: PhantomData }
    }

    /// Fields that two devices set to different values concurrently.
    pub fn conflicts(&mut self) -> Vec<Conflict> {
        conflict::find(&mut self.am)
    }

    /// Who changed what, when, from which device, oldest first.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        history::read(&mut self.am)
    }

    /// Settle the conflict at `path` by writing value number `pick` of
    /// [`Conflict::values`] again. The new write supersedes every concurrent
    /// one, so once it syncs the conflict is gone on every copy.
    pub fn resolve_conflict(
        &mut self,
        path: &str,
        pick: usize,
        author: &Author,
        now: DateTime<Utc>,
    ) -> Result<T, DocError> {
        let no_such = || DocError::NoSuchConflict { path: path.to_string(), pick };
        let chosen = self.conflicts().into_iter().find(|c| c.path == path).ok_or_else(no_such)?;
        let chosen = chosen.values.get(pick).ok_or_else(no_such)?.scalar.clone();
        let old = self.value()?;
        self.am.set_actor(actor_of(&author.device));
        let (obj, prop) = path::resolve(&self.am, path).ok_or_else(no_such)?;
        self.am.put(&obj, prop, chosen)?;
        let checked = self.value().and_then(|new| {
            new.validate()?;
            T::check_change(Some(&old), &new, author)?;
            Ok(new)
        });
        match checked {
            Ok(new) => {
                commit(&mut self.am, author, now);
                Ok(new)
            }
            Err(e) => {
                self.am.rollback();
                Err(e)
            }
        }
    }

    /// The underlying automerge document, for the sync engine.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.am
    }

    fn check_complete(&mut self) -> Result<(), DocError> {
        let missing = self.am.get_missing_deps(&[]);
        if missing.is_empty() { Ok(()) } else { Err(DocError::MissingDependencies { missing: missing.len() }) }
    }

    fn check_kind(&self) -> Result<(), DocError> {
        let found = match self.am.get(automerge::ROOT, KIND_KEY)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(k) => k.to_string(),
                other => other.to_string(),
            },
            _ => String::from("document without a kind"),
        };
        if found == T::KIND.as_str() { Ok(()) } else { Err(DocError::WrongKind { expected: T::KIND.as_str(), found }) }
    }
}

/// Parse untrusted bytes strictly. automerge's decoders can panic on some
/// malformed inputs (found by fuzzing: `fuzz/regressions/documents/`); such
/// bytes are malformed like any other, never a panic of ours.
fn parse(bytes: &[u8]) -> Result<AutoCommit, DocError> {
    guarded(|| AutoCommit::load_with_options(bytes, strict()))?.map_err(DocError::from)
}

/// Run automerge on untrusted bytes, a panic inside it becoming `Malformed`.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, DocError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| DocError::Malformed("automerge could not decode these bytes".into()))
}

/// The record in `am`. A document that parses but does not fit the kind's
/// schema is a [`ValidationError`] naming the field and what it must hold.
fn read<T: Record>(am: &AutoCommit) -> Result<T, DocError> {
    autosurgeon::hydrate(am).map_err(|e| {
        let refusal = schema::check(am, T::KIND).err().unwrap_or_else(|| {
            let kind = T::KIND.as_str();
            ValidationError::said(
                "document",
                format!("does not fit the {kind} schema: {e}"),
                format!("data tidak sesuai skema dokumen {kind}"),
            )
        });
        DocError::Validation(refusal)
    })
}

/// The kind stored in a document's root, without knowing its Rust type.
pub fn kind_of(bytes: &[u8]) -> Result<DocKind, DocError> {
    let am = parse(bytes)?;
    match am.get(automerge::ROOT, KIND_KEY)? {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(k) => Ok(DocKind::parse(k)?),
            other => Err(DocError::Malformed(format!("_kind is {other}"))),
        },
        _ => Err(DocError::Malformed("no _kind".into())),
    }
}

fn strict() -> automerge::LoadOptions<'static> {
    automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error)
}

pub(crate) fn actor_of(device: &DeviceId) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

/// The hash of the shared genesis change of document `id`, for kinds that
/// have one: the server accepts exactly this change from the genesis actor.
pub fn genesis_hash<T: Record>(id: DocId) -> Option<ChangeHash> {
    if !T::SHARED_GENESIS {
        return None;
    }
    let genesis = AutoCommit::new().with_actor(ActorId::from(id.as_bytes().as_slice()));
    let mut am = skeleton::<T>(genesis, GENESIS_SCHEMA).ok()?;
    am.commit_with(CommitOptions::default().with_time(0))
}

/// The `_schema` the shared genesis always records: frozen, so builds of
/// every schema version make the same genesis and keep sharing documents.
pub const GENESIS_SCHEMA: u64 = 1;

/// Kind, schema version and shared containers. For documents with a shared
/// genesis this is committed alone by an actor derived from the id at time 0
/// with no message: byte-identical wherever it is made, so copies created
/// independently offline share it and merge cleanly.
fn skeleton<T: Record>(mut am: AutoCommit, schema: u64) -> Result<AutoCommit, DocError> {
    am.put(automerge::ROOT, KIND_KEY, T::KIND.as_str())?;
    am.put(automerge::ROOT, SCHEMA_KEY, schema)?;
    for (key, ty) in T::CONTAINERS {
        am.put_object(automerge::ROOT, *key, *ty)?;
    }
    Ok(am)
}

/// Commit with the author as message and the device clock (ms) as time.
fn commit(am: &mut AutoCommit, author: &Author, now: DateTime<Utc>) {
    am.commit_with(CommitOptions::default().with_message(author.user.clone()).with_time(now.timestamp_millis()));
}

#[cfg(test)]
mod tests;
