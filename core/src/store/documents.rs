//! Reading and writing documents, and the sync markers kept with them.

use std::str::FromStr;

use automerge::ChangeHash;
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::projection::Stored;
use super::{COMPACT_AFTER, Store, StoreError};
use crate::doc::{Conflict, DocKind, Document, HistoryEntry, kind_of};
use crate::error::ValidationError;
use crate::model::{Allowance, Appraisal, Author, Award, DocId, Employee, Feedback, Mentoring, Training, Unit};

/// Run `$body` with `T` bound to the Rust type of `$kind`.
macro_rules! dispatch {
    ($kind:expr, |$t:ident| $body:expr) => {
        match $kind {
            DocKind::Employee => {
                type $t = Employee;
                $body
            }
            DocKind::Unit => {
                type $t = Unit;
                $body
            }
            DocKind::Appraisal => {
                type $t = Appraisal;
                $body
            }
            DocKind::Feedback => {
                type $t = Feedback;
                $body
            }
            DocKind::Training => {
                type $t = Training;
                $body
            }
            DocKind::Mentoring => {
                type $t = Mentoring;
                $body
            }
            DocKind::Allowance => {
                type $t = Allowance;
                $body
            }
            DocKind::Award => {
                type $t = Award;
                $body
            }
        }
    };
}

/// Where a document stands with the server, for the app to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Has changes only this device holds.
    OnlyOnDevice,
    /// The server holds everything this device holds.
    OnServer,
    /// The server refused this device's changes; `reason` says why.
    Rejected { code: String, reason: String },
    /// Signed by a key the server has not bound yet ("menunggu verifikasi"):
    /// sent with the next sync once the person's code is entered.
    AwaitingVerification,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocStatus {
    pub kind: DocKind,
    pub sync: SyncState,
    /// Number of fields with concurrent, different values.
    pub conflicts: u32,
}

/// kind, local_changes, rejected_code, rejected_reason, conflicts
type StatusRow = (String, bool, Option<String>, Option<String>, i64);

/// Bytes of a stored document: snapshot followed by its chunks.
struct Raw {
    kind: DocKind,
    bytes: Vec<u8>,
    chunk_count: i64,
}

fn read_raw(conn: &Connection, id: DocId) -> Result<Option<Raw>, StoreError> {
    let row: Option<(String, Vec<u8>, i64)> = conn
        .query_row("SELECT kind, snapshot, chunk_count FROM documents WHERE id = ?1", [id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((kind, mut bytes, chunk_count)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached("SELECT data FROM chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        bytes.extend_from_slice(&r.get::<_, Vec<u8>>(0)?);
    }
    Ok(Some(Raw { kind: DocKind::parse(&kind)?, bytes, chunk_count }))
}

fn load<T: Stored>(conn: &Connection, id: DocId) -> Result<(Document<T>, i64), StoreError> {
    let raw = read_raw(conn, id)?.ok_or(StoreError::NotFound { kind: T::KIND.as_str(), id })?;
    let doc = Document::<T>::load(id, &raw.bytes).map_err(|e| StoreError::doc(id, e))?;
    Ok((doc, raw.chunk_count))
}

pub(crate) fn heads_string(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    hex.join(",")
}

pub(crate) fn parse_heads(s: &str) -> Result<Vec<ChangeHash>, ValidationError> {
    s.split(',')
        .filter(|h| !h.is_empty())
        .map(|h| {
            ChangeHash::from_str(h).map_err(|_| {
                ValidationError::said(
                    "heads",
                    format!("{h:?} is not a change hash"),
                    format!("\"{h}\" bukan hash perubahan"),
                )
            })
        })
        .collect()
}

/// Insert a document this store did not hold, stored as `snapshot` (bytes
/// that load into exactly `doc`), and its projection.
fn insert_new<T: Stored>(
    tx: &Connection,
    doc: &mut Document<T>,
    value: &T,
    snapshot: &[u8],
    local: bool,
) -> Result<(), StoreError> {
    let id = doc.id().to_string();
    super::exec(
        tx,
        "INSERT INTO documents (id, kind, snapshot, heads, local_changes, conflicts, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            T::KIND.as_str(),
            snapshot,
            heads_string(&doc.heads()),
            local,
            doc.conflicts().len() as i64,
            Utc::now().timestamp_millis()
        ],
    )?;
    value.project(tx, &id)?;
    Ok(())
}

/// Write what changed in `doc` since it was loaded, its markers and its
/// projection, inside the caller's transaction.
fn persist<T: Stored>(
    tx: &Connection,
    doc: &mut Document<T>,
    value: &T,
    chunk_count: Option<i64>,
    local: bool,
) -> Result<(), StoreError> {
    let Some(count) = chunk_count else {
        let snapshot = doc.save_uncompressed();
        return insert_new(tx, doc, value, &snapshot, local);
    };
    let id = doc.id().to_string();
    let now = Utc::now().timestamp_millis();
    let heads = heads_string(&doc.heads());
    let conflicts = doc.conflicts().len() as i64;
    let chunk = doc.save_incremental();
    if chunk.is_empty() {
        return Ok(());
    }
    if count + 1 >= COMPACT_AFTER {
        super::exec(tx, "DELETE FROM chunks WHERE doc_id = ?1", [&id])?;
        super::exec(tx, "UPDATE documents SET snapshot = ?2, chunk_count = 0 WHERE id = ?1", params![id, doc.save()])?;
    } else {
        super::exec(tx, "INSERT INTO chunks (doc_id, seq, data) VALUES (?1, ?2, ?3)", params![id, count + 1, chunk])?;
        super::exec(tx, "UPDATE documents SET chunk_count = ?2 WHERE id = ?1", params![id, count + 1])?;
    }
    super::exec(
        tx,
        "UPDATE documents SET heads = ?2, conflicts = ?3, updated_at = ?4,
                local_changes = CASE WHEN ?5 THEN 1 ELSE local_changes END
         WHERE id = ?1",
        params![id, heads, conflicts, now, local],
    )?;
    value.project(tx, &id)?;
    Ok(())
}

impl Store {
    /// Store a new record written on this device.
    pub fn create<T: Stored>(&self, id: DocId, value: &T, author: &Author) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        if read_raw(&tx, id)?.is_some() {
            return Err(StoreError::AlreadyExists { id });
        }
        let mut doc = Document::create(id, value, author, Utc::now()).map_err(|e| StoreError::doc(id, e))?;
        self.sign_changes(&tx, id, &new_changes(&mut doc, &[]), &author.user)?;
        persist(&tx, &mut doc, value, None, true)?;
        tx.commit()?;
        Ok(())
    }

    /// Change a record. Nothing is written if `edit`, validation or the
    /// author's rights refuse the change.
    pub fn update<T: Stored>(
        &self,
        id: DocId,
        author: &Author,
        edit: impl FnOnce(&mut T) -> Result<(), ValidationError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let (mut doc, chunks) = load::<T>(&tx, id)?;
        let before = doc.heads();
        let value = doc.edit(author, Utc::now(), edit).map_err(|e| StoreError::doc(id, e))?;
        self.sign_changes(&tx, id, &new_changes(&mut doc, &before), &author.user)?;
        persist(&tx, &mut doc, &value, Some(chunks), true)?;
        tx.commit()?;
        Ok(value)
    }

    /// Settle a conflict by choosing one of its values (see
    /// [`Document::resolve_conflict`]).
    pub fn resolve_conflict<T: Stored>(
        &self,
        id: DocId,
        path: &str,
        pick: usize,
        author: &Author,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let (mut doc, chunks) = load::<T>(&tx, id)?;
        let before = doc.heads();
        let value = doc.resolve_conflict(path, pick, author, Utc::now()).map_err(|e| StoreError::doc(id, e))?;
        self.sign_changes(&tx, id, &new_changes(&mut doc, &before), &author.user)?;
        persist(&tx, &mut doc, &value, Some(chunks), true)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn get<T: Stored>(&self, id: DocId) -> Result<T, StoreError> {
        let (doc, _) = load::<T>(&self.lock(), id)?;
        doc.value().map_err(|e| StoreError::doc(id, e))
    }

    /// The whole document, e.g. to inspect its automerge state.
    pub fn document<T: Stored>(&self, id: DocId) -> Result<Document<T>, StoreError> {
        Ok(load::<T>(&self.lock(), id)?.0)
    }

    pub fn conflicts(&self, id: DocId) -> Result<Vec<Conflict>, StoreError> {
        self.with_any(id, |kind, bytes| dispatch!(kind, |T| Document::<T>::load(id, bytes).map(|mut d| d.conflicts())))
    }

    pub fn history(&self, id: DocId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.with_any(id, |kind, bytes| dispatch!(kind, |T| Document::<T>::load(id, bytes).map(|mut d| d.history())))
    }

    /// The whole document as automerge bytes, history included.
    pub fn export(&self, id: DocId) -> Result<Vec<u8>, StoreError> {
        let raw = read_raw(&self.lock(), id)?.ok_or(StoreError::NotFound { kind: "any", id })?;
        Ok(raw.bytes)
    }

    /// Merge changes that came from elsewhere (the server or another
    /// device's export). They are not this device's changes, so they do not
    /// mark the document as waiting for upload. Returns the document kind.
    pub fn import(&self, id: DocId, bytes: &[u8]) -> Result<DocKind, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let kind = import_in(&tx, id, bytes)?;
        tx.commit()?;
        Ok(kind)
    }

    /// Apply what one sync round trip brought back — acknowledgements,
    /// refusals, pulled changes and the sync metadata — in one transaction
    /// (one fsync, and the cursor never runs ahead of the data it covers).
    /// A pulled document that cannot be applied is skipped and returned
    /// with its error; everything else is kept.
    pub fn apply_round_trip(&self, r: &RoundTrip<'_>) -> Result<Vec<(DocId, StoreError)>, StoreError> {
        let mut conn = self.lock();
        let mut tx = conn.transaction()?;
        for (id, heads) in r.acknowledged {
            acknowledge(&tx, *id, heads)?;
        }
        for (id, code, reason) in r.rejected {
            reject(&tx, *id, code, reason)?;
        }
        let mut failed = Vec::new();
        for (id, bytes) in r.pulled {
            let sp = tx.savepoint()?;
            match import_in(&sp, *id, bytes) {
                Ok(_) => {
                    server_has_all(&sp, *id)?;
                    sp.commit()?
                }
                Err(e) => failed.push((*id, e)), // the savepoint rolls back on drop
            }
        }
        for id in r.fetched {
            super::exec(&tx, "DELETE FROM wanted WHERE id = ?1", [id.to_string()])?;
        }
        for (key, value) in r.meta {
            super::exec(&tx, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", params![key, value])?;
        }
        for s in r.signers {
            use crate::sync::protocol::KeyStatus;
            let (status, consumed) = match s.status {
                // The spent code and its proof stay: a server restored
                // from a backup from before this binding binds them again
                // (see `forget_server_state`).
                KeyStatus::Bound => (super::SignerStatus::Bound, false),
                KeyStatus::Pending => (super::SignerStatus::Pending, false),
                // A refused code is dropped: the person enters a valid one.
                KeyStatus::Refused => (super::SignerStatus::Pending, true),
                KeyStatus::Revoked => (super::SignerStatus::Revoked, true),
            };
            Store::set_signer_status_in(&tx, &s.key, status, s.message.as_deref(), consumed)?;
        }
        tx.commit()?;
        Ok(failed)
    }

    /// The server lost what it acknowledged (its database was restored from
    /// a backup: a new storage epoch, see
    /// [`crate::sync::protocol::SyncRequest::epoch`]). In one transaction:
    /// nothing counts as on the server any more; every document this device
    /// wrote a change of waits for upload again, whole and with every
    /// signature; keys bound by a person code are bound again with it; the
    /// sync metadata in `meta_keys` (cursor, epoch) goes, so the scope is
    /// pulled from the start. Documents only pulled here are not sent: their
    /// authors' devices hold their signatures and send them.
    pub fn forget_server_state(&self, meta_keys: &[&str]) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        super::exec(&tx, "UPDATE documents SET server_heads = NULL", [])?;
        super::exec(
            &tx,
            "UPDATE documents SET local_changes = 1 WHERE id IN (SELECT doc_id FROM change_signatures)",
            [],
        )?;
        super::exec(
            &tx,
            "UPDATE signers SET status = 'pending'
             WHERE status = 'bound' AND bind_code IS NOT NULL AND bind_proof IS NOT NULL",
            [],
        )?;
        for key in meta_keys {
            super::exec(&tx, "DELETE FROM meta WHERE key = ?1", [key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every document held, with its kind.
    pub fn all_documents(&self) -> Result<Vec<(DocId, DocKind)>, StoreError> {
        self.ids_and_kinds("SELECT id, kind FROM documents ORDER BY id")
    }

    /// Documents with changes the server has not acknowledged, in the order
    /// they are sent — except those signed by a key that waits for its
    /// person code ("menunggu verifikasi"): the server could not verify them
    /// yet.
    ///
    /// What HR waits for goes first, so a link cut after the first batch
    /// has delivered it: submitted, reviewed and locked appraisals, then
    /// drafts, then everything else (feedback, training, mentoring). Within
    /// each class the smaller document goes first (long notes and many
    /// innovations never hold up scores and statuses), then the oldest.
    pub fn pending(&self) -> Result<Vec<(DocId, DocKind)>, StoreError> {
        self.ids_and_kinds(
            "SELECT d.id, d.kind FROM documents d LEFT JOIN appraisals a ON a.doc_id = d.id
             WHERE d.local_changes = 1 AND NOT EXISTS (
                 SELECT 1 FROM change_signatures c JOIN signers s ON s.public_key = c.public_key
                 WHERE c.doc_id = d.id AND s.status = 'pending' AND s.bind_code IS NULL)
             ORDER BY CASE WHEN a.status IN ('submitted', 'reviewed', 'locked') THEN 0
                           WHEN d.kind = 'appraisal' THEN 1 ELSE 2 END,
                      length(d.snapshot) + COALESCE((SELECT sum(length(k.data)) FROM chunks k WHERE k.doc_id = d.id), 0),
                      d.updated_at, d.id",
        )
    }

    /// How many documents wait for upload, and their stored size in bytes
    /// (an upper bound of what is left to send).
    pub fn pending_size(&self) -> Result<(u64, u64), StoreError> {
        let conn = self.lock();
        let (n, bytes): (i64, i64) = conn.query_row(
            "SELECT count(*), COALESCE(sum(length(d.snapshot)
                 + COALESCE((SELECT sum(length(k.data)) FROM chunks k WHERE k.doc_id = d.id), 0)), 0)
             FROM documents d WHERE d.local_changes = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((u64::try_from(n).unwrap_or(0), u64::try_from(bytes).unwrap_or(0)))
    }

    fn ids_and_kinds(&self, sql: &str) -> Result<Vec<(DocId, DocKind)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind) = row?;
            out.push((id.parse()?, DocKind::parse(&kind)?));
        }
        Ok(out)
    }

    /// What the server is missing of `id`: every change after the heads it
    /// last acknowledged (the whole document if none), the heads sent, and
    /// the signatures of the changes sent.
    pub fn changes_for_server(&self, id: DocId) -> Result<Outgoing, StoreError> {
        let conn = self.lock();
        let acked: Option<String> = conn
            .query_row("SELECT server_heads FROM documents WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotFound { kind: "any", id })?;
        let raw = read_raw(&conn, id)?.ok_or(StoreError::NotFound { kind: "any", id })?;
        match acked {
            // First upload: the stored bytes as they are (snapshot and
            // chunks, all loadable together), no automerge work at all.
            None => {
                let heads: String =
                    conn.query_row("SELECT heads FROM documents WHERE id = ?1", [id.to_string()], |r| r.get(0))?;
                let sigs = super::signers::signatures(&conn, id, None)?;
                Ok(Outgoing { changes: raw.bytes, heads: parse_heads(&heads)?, sigs })
            }
            Some(acked) => {
                let mut am = automerge::AutoCommit::load(&raw.bytes)
                    .map_err(|e| StoreError::doc(id, crate::doc::DocError::Malformed(e.to_string())))?;
                let acked = parse_heads(&acked)?;
                let sent: Vec<ChangeHash> = am.get_changes_meta(&acked).into_iter().map(|c| c.hash).collect();
                let sigs = super::signers::signatures(&conn, id, Some(&sent))?;
                Ok(Outgoing { changes: am.save_after(&acked), heads: am.get_heads(), sigs })
            }
        }
    }

    /// The server stored everything up to `sent_heads`. The document stops
    /// waiting for upload unless it changed again after they were sent.
    pub fn mark_acknowledged(&self, id: DocId, sent_heads: &[ChangeHash]) -> Result<(), StoreError> {
        acknowledge(&self.lock(), id, sent_heads)
    }

    /// Drop this device's copy of `id`, unsent changes included, and fetch
    /// the server's version on the next sync: how a supervisor recovers
    /// from a rejected document they cannot fix forward.
    pub fn discard_local_changes(&self, id: DocId) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let n = super::exec(&tx, "DELETE FROM documents WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound { kind: "any", id });
        }
        super::exec(&tx, "INSERT OR IGNORE INTO wanted (id) VALUES (?1)", [id.to_string()])?;
        tx.commit()?;
        Ok(())
    }

    /// Documents to fetch whole on the next sync.
    pub fn wanted(&self) -> Result<Vec<DocId>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT id FROM wanted ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            out.push(id?.parse()?);
        }
        Ok(out)
    }

    /// Ask for these documents whole at the next sync (their pulled changes
    /// could not be applied).
    pub fn want(&self, ids: &[DocId]) -> Result<(), StoreError> {
        let conn = self.lock();
        for id in ids {
            super::exec(&conn, "INSERT OR IGNORE INTO wanted (id) VALUES (?1)", [id.to_string()])?;
        }
        Ok(())
    }

    /// The server refused this device's changes to `id`. They stay in the
    /// document (a CRDT cannot un-apply them); the app shows `reason` and the
    /// user fixes forward or discards local changes.
    pub fn mark_rejected(&self, id: DocId, code: &str, reason: &str) -> Result<(), StoreError> {
        reject(&self.lock(), id, code, reason)
    }

    pub fn status(&self, id: DocId) -> Result<DocStatus, StoreError> {
        let conn = self.lock();
        let row: Option<StatusRow> = conn
            .query_row(
                "SELECT kind, local_changes, rejected_code, rejected_reason, conflicts FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let (kind, local, code, reason, conflicts) = row.ok_or(StoreError::NotFound { kind: "any", id })?;
        let awaiting = local
            && conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM change_signatures c JOIN signers s ON s.public_key = c.public_key
                                WHERE c.doc_id = ?1 AND s.status = 'pending')",
                [id.to_string()],
                |r| r.get::<_, bool>(0),
            )?;
        let sync = match (code, local) {
            (Some(code), _) => SyncState::Rejected { code, reason: reason.unwrap_or_default() },
            (None, true) if awaiting => SyncState::AwaitingVerification,
            (None, true) => SyncState::OnlyOnDevice,
            (None, false) => SyncState::OnServer,
        };
        Ok(DocStatus { kind: DocKind::parse(&kind)?, sync, conflicts: u32::try_from(conflicts).unwrap_or(0) })
    }

    fn with_any<R>(
        &self,
        id: DocId,
        f: impl FnOnce(DocKind, &[u8]) -> Result<R, crate::doc::DocError>,
    ) -> Result<R, StoreError> {
        let raw = read_raw(&self.lock(), id)?.ok_or(StoreError::NotFound { kind: "any", id })?;
        f(raw.kind, &raw.bytes).map_err(|e| StoreError::doc(id, e))
    }
}

/// What one sync round trip brought back, for [`Store::apply_round_trip`].
#[derive(Debug, Default)]
pub struct RoundTrip<'a> {
    /// Documents the server stored, with the heads that were sent.
    pub acknowledged: &'a [(DocId, Vec<ChangeHash>)],
    /// Documents the server refused: code and reason.
    pub rejected: &'a [(DocId, String, String)],
    /// Changes pulled from the server.
    pub pulled: &'a [(DocId, &'a [u8])],
    /// Documents asked for whole, no longer wanted.
    pub fetched: &'a [DocId],
    /// Sync metadata to keep with the data (cursor, last success).
    pub meta: &'a [(&'a str, String)],
    /// What the server said of this device's keys.
    pub signers: &'a [crate::sync::protocol::SignerState],
}

/// What to send the server of one document.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub changes: Vec<u8>,
    /// The heads `changes` bring the server to.
    pub heads: Vec<ChangeHash>,
    pub sigs: Vec<crate::sync::protocol::ChangeSig>,
}

fn acknowledge(conn: &Connection, id: DocId, sent_heads: &[ChangeHash]) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE documents SET server_heads = ?2, rejected_code = NULL, rejected_reason = NULL,
                local_changes = CASE WHEN heads = ?2 THEN 0 ELSE local_changes END
         WHERE id = ?1",
    )?
    .execute(params![id.to_string(), heads_string(sent_heads)])?;
    Ok(())
}

fn reject(conn: &Connection, id: DocId, code: &str, reason: &str) -> Result<(), StoreError> {
    let n = conn
        .prepare_cached("UPDATE documents SET rejected_code = ?2, rejected_reason = ?3 WHERE id = ?1")?
        .execute(params![id.to_string(), code, reason])?;
    if n == 0 {
        return Err(StoreError::NotFound { kind: "any", id });
    }
    Ok(())
}

/// Changes after `before`, with their actor's bytes.
fn new_changes<T: Stored>(doc: &mut Document<T>, before: &[ChangeHash]) -> Vec<(ChangeHash, Vec<u8>)> {
    doc.automerge().get_changes_meta(before).into_iter().map(|c| (c.hash, c.actor.to_bytes().to_vec())).collect()
}

/// A pulled document without changes of this device waiting is wholly on
/// the server: its acknowledged heads become its heads, so the next edit
/// uploads only itself rather than the whole document.
fn server_has_all(conn: &Connection, id: DocId) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE documents SET server_heads = heads WHERE id = ?1 AND local_changes = 0")?
        .execute([id.to_string()])?;
    Ok(())
}

fn import_in(tx: &Connection, id: DocId, bytes: &[u8]) -> Result<DocKind, StoreError> {
    let existing = read_raw(tx, id)?;
    let kind = match &existing {
        Some(raw) => raw.kind,
        None => kind_of(bytes).map_err(|e| StoreError::doc(id, e))?,
    };
    dispatch!(kind, |T| import_typed::<T>(tx, id, bytes, existing))?;
    Ok(kind)
}

fn import_typed<T: Stored>(tx: &Connection, id: DocId, bytes: &[u8], existing: Option<Raw>) -> Result<(), StoreError> {
    match existing {
        Some(raw) => {
            let mut doc = Document::<T>::load(id, &raw.bytes).map_err(|e| StoreError::doc(id, e))?;
            doc.apply(bytes).map_err(|e| StoreError::doc(id, e))?;
            let value = doc.value().map_err(|e| StoreError::doc(id, e))?;
            persist(tx, &mut doc, &value, Some(raw.chunk_count), false)
        }
        None => {
            let mut doc = Document::<T>::load(id, bytes).map_err(|e| StoreError::doc(id, e))?;
            let value = doc.value().map_err(|e| StoreError::doc(id, e))?;
            // A never-seen document is stored as it came: the bytes just
            // loaded into it, so saving it again would only cost time.
            insert_new(tx, &mut doc, &value, bytes, false)
        }
    }
}
