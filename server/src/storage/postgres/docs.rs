//! Documents, chunks and the pull cursor (see the module documentation of
//! [`super`] for why the cursor is the tenant's clock).

use std::collections::HashSet;

use postgres::types::ToSql;
use postgres::{GenericClient, Transaction};
use prestasi_core::doc::DocKind;
use prestasi_core::model::DocId;

use super::db::{Db, Sql};
use super::{get, merged};
use crate::storage::page::PulledRow;
use crate::storage::{
    DocWrite, EmployeeRow, Lookup, Projection, PullPage, PullQuery, PulledBytes, ReadKeys, Scope, SignerRow,
    StorageError, StoredDoc, WriteTx,
};

/// Lookups on a read snapshot.
pub(super) struct PgReadTx<'t, 'a, 'c> {
    pub(super) db: &'t mut Db<'a, Transaction<'c>>,
}

impl Lookup for PgReadTx<'_, '_, '_> {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
        load(self.db, tenant, id)
    }

    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
        merged::employee(self.db, tenant, nip)
    }

    fn signer(&mut self, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
        super::signers::signer(self.db, key)
    }
}

/// A chunk appended in this transaction, its position not yet assigned.
struct Pending {
    tenant: String,
    id: String,
    origin: String,
    received_at: i64,
    chunk: Vec<u8>,
    compacted: Option<Vec<u8>>,
}

/// A write transaction. Reading or writing a document locks it until
/// commit (writers of one document run one after another, so a `heads`
/// check stays true); chunks get their positions in [`Self::finish`], the
/// only step that waits for the tenant's other writers.
pub(super) struct PgWriteTx<'a, 'c> {
    db: Db<'a, Transaction<'c>>,
    /// Tenants whose clock row this transaction holds.
    tenants: HashSet<String>,
    /// Documents (tenant, id) this transaction holds.
    docs: HashSet<(String, String)>,
    pending: Vec<Pending>,
}

impl<'a, 'c> PgWriteTx<'a, 'c> {
    pub(super) fn new(db: Db<'a, Transaction<'c>>) -> Self {
        Self { db, tenants: HashSet::new(), docs: HashSet::new(), pending: Vec::new() }
    }

    /// Wait for the tenant's other writers to commit, then hold them off
    /// until this transaction does. A tenant that does not exist locks
    /// nothing (there is nothing of it to read or change).
    fn lock_tenant(&mut self, tenant: &str) -> Result<(), StorageError> {
        if !self.tenants.contains(tenant) {
            self.db.execute("SELECT 1 FROM tenant_clock WHERE tenant_id = $1 FOR NO KEY UPDATE", &[&tenant])?;
            self.tenants.insert(tenant.to_string());
        }
        Ok(())
    }

    /// Wait for the document's other writers to commit, then hold them off
    /// until this transaction does. An advisory lock, not a row lock: it
    /// also serialises the first writers of a document that has no row yet.
    /// The schema is part of the key (advisory locks are per database).
    fn lock_doc(&mut self, tenant: &str, id: &str) -> Result<(), StorageError> {
        let key = (tenant.to_string(), id.to_string());
        if !self.docs.contains(&key) {
            self.db.execute(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ' ' || $1), hashtext($2))",
                &[&tenant, &id],
            )?;
            self.docs.insert(key);
        }
        Ok(())
    }

    /// Give the appended chunks their positions, in the order they were
    /// appended: the tenant's clock row, locked from here to commit, makes
    /// positions commit-ordered and gapless (see the module documentation).
    pub(super) fn finish(&mut self) -> Result<(), StorageError> {
        let pending = std::mem::take(&mut self.pending);
        let mut tenants: Vec<&str> = Vec::new();
        for p in &pending {
            if !tenants.contains(&p.tenant.as_str()) {
                tenants.push(&p.tenant);
            }
        }
        for t in tenants {
            let mine: Vec<&Pending> = pending.iter().filter(|p| p.tenant == t).collect();
            let n = i64::try_from(mine.len()).unwrap_or(i64::MAX);
            let Some(clock) = self
                .db
                .query_opt("UPDATE tenant_clock SET seq = seq + $2 WHERE tenant_id = $1 RETURNING seq", &[&t, &n])?
            else {
                return Err(StorageError::Backend(format!("no tenant {t}")));
            };
            let last: i64 = get(&clock, 0)?;
            let seqs: Vec<i64> = (last - n + 1..=last).collect();
            let ids: Vec<&str> = mine.iter().map(|p| p.id.as_str()).collect();
            let origins: Vec<&str> = mine.iter().map(|p| p.origin.as_str()).collect();
            let received: Vec<i64> = mine.iter().map(|p| p.received_at).collect();
            let data: Vec<&[u8]> = mine.iter().map(|p| p.chunk.as_slice()).collect();
            self.db.execute(
                "INSERT INTO chunks (tenant_id, seq, doc_id, origin, received_at, data)
                 SELECT $1, seq, doc_id, origin, received_at, data
                 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bytea[])
                     AS x (seq, doc_id, origin, received_at, data)",
                &[&t, &seqs, &ids, &origins, &received, &data],
            )?;
            for (p, seq) in mine.iter().zip(&seqs) {
                if let Some(all) = &p.compacted {
                    // The snapshot now holds every change up to this chunk.
                    self.db.execute(
                        "UPDATE docs SET snapshot = $3, snapshot_seq = $4, chunk_count = 0
                         WHERE tenant_id = $1 AND id = $2",
                        &[&t, &p.id, all, seq],
                    )?;
                    self.db.execute(
                        "DELETE FROM chunks WHERE tenant_id = $1 AND doc_id = $2 AND seq <= $3",
                        &[&t, &p.id, seq],
                    )?;
                }
            }
        }
        Ok(())
    }
}

impl Lookup for PgWriteTx<'_, '_> {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
        let text = id.to_string();
        self.lock_doc(tenant, &text)?;
        let mut doc = load(&mut self.db, tenant, id)?;
        // What this transaction appended is stored but has no position yet.
        for p in self.pending.iter().filter(|p| p.tenant == tenant && p.id == text) {
            if let Some(d) = doc.as_mut() {
                match &p.compacted {
                    Some(all) => d.bytes.clone_from(all),
                    None => d.bytes.extend_from_slice(&p.chunk),
                }
            }
        }
        Ok(doc)
    }

    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
        merged::employee(&mut self.db, tenant, nip)
    }

    fn signer(&mut self, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
        super::signers::signer(&mut self.db, key)
    }
}

pub(super) fn load(c: &mut impl Sql, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
    let id = id.to_string();
    let Some(row) = c.query_opt(
        "SELECT kind, snapshot, snapshot_seq, chunk_count, heads, updated_at FROM docs
         WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &id],
    )?
    else {
        return Ok(None);
    };
    let kind: String = get(&row, 0)?;
    let mut bytes: Vec<u8> = get::<Option<Vec<u8>>>(&row, 1)?.unwrap_or_default();
    let snapshot_seq: i64 = get(&row, 2)?;
    for chunk in c.query(
        "SELECT data FROM chunks WHERE tenant_id = $1 AND doc_id = $2 AND seq > $3 ORDER BY seq",
        &[&tenant, &id, &snapshot_seq],
    )? {
        bytes.extend_from_slice(get::<&[u8]>(&chunk, 0)?);
    }
    let kind = DocKind::parse(&kind).map_err(|e| StorageError::Backend(e.to_string()))?;
    Ok(Some(StoredDoc {
        kind,
        bytes,
        chunk_count: u64::try_from(get::<i64>(&row, 3)?).unwrap_or(0),
        heads: get(&row, 4)?,
        updated_at: get(&row, 5)?,
    }))
}

fn heads_text(w: &DocWrite) -> String {
    let mut h: Vec<String> = w.heads.iter().map(|h| h.to_string()).collect();
    h.sort();
    h.join(",")
}

impl WriteTx for PgWriteTx<'_, '_> {
    fn heads(&mut self, tenant: &str, id: DocId) -> Result<Option<String>, StorageError> {
        let id = id.to_string();
        self.lock_doc(tenant, &id)?;
        let row = self.db.query_opt("SELECT heads FROM docs WHERE tenant_id = $1 AND id = $2", &[&tenant, &id])?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn bind_signer(&mut self, code_hash: &str, key: &SignerRow, now: i64) -> Result<bool, StorageError> {
        self.lock_tenant(&key.tenant_id)?;
        super::signers::bind_signer(self.db.c, code_hash, key, now)
    }

    fn append(&mut self, w: &DocWrite) -> Result<(), StorageError> {
        let t = w.tenant.as_str();
        let id = w.id.to_string();
        self.lock_doc(t, &id)?;
        let ReadKeys { unit, appraiser, reviewer } = &w.projection.read;
        self.db.execute(
            "INSERT INTO docs (tenant_id, id, kind, heads, unit_id, appraiser_nip, reviewer_nip, chunk_count,
                               created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)
             ON CONFLICT (tenant_id, id) DO UPDATE SET
                 heads = excluded.heads, unit_id = excluded.unit_id, appraiser_nip = excluded.appraiser_nip,
                 reviewer_nip = excluded.reviewer_nip, chunk_count = docs.chunk_count + 1,
                 updated_at = excluded.updated_at",
            &[&t, &id, &w.kind.as_str(), &heads_text(w), unit, appraiser, reviewer, &w.received_at],
        )?;
        super::signers::insert_sigs(&mut self.db, t, &id, &w.sigs)?;
        merged::project(&mut self.db, t, &id, w.kind, w.received_at, &w.projection)?;
        self.pending.push(Pending {
            tenant: w.tenant.clone(),
            id,
            origin: w.origin.clone(),
            received_at: w.received_at,
            chunk: w.chunk.clone(),
            compacted: w.compacted.clone(),
        });
        Ok(())
    }

    fn reproject(
        &mut self,
        tenant: &str,
        id: DocId,
        kind: DocKind,
        received_at: i64,
        p: &Projection,
    ) -> Result<(), StorageError> {
        let id = id.to_string();
        self.lock_doc(tenant, &id)?;
        let ReadKeys { unit, appraiser, reviewer } = &p.read;
        let n = self.db.execute(
            "UPDATE docs SET unit_id = $3, appraiser_nip = $4, reviewer_nip = $5 WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id, unit, appraiser, reviewer],
        )?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("document {id}")));
        }
        merged::project(&mut self.db, tenant, &id, kind, received_at, p)
    }
}

/// A scope as SQL over `docs d`: a condition to AND to a query and its
/// parameters, numbered from `first`. The three branches are the three
/// scope indexes (unit, appraiser, reviewer).
struct ScopeSql<'a> {
    units: &'a [String],
    user: &'a str,
    unit_kinds: Vec<&'static str>,
    assigned_kinds: Vec<&'static str>,
}

impl<'a> ScopeSql<'a> {
    /// `None` for the whole tenant; `Scope::Nothing` is handled by callers.
    fn of(scope: &'a Scope) -> Option<Self> {
        match scope {
            Scope::Tenant | Scope::Nothing => None,
            Scope::Units { units, user, unit_kinds, assigned_kinds } => Some(Self {
                units,
                user,
                unit_kinds: unit_kinds.iter().map(|k| k.as_str()).collect(),
                assigned_kinds: assigned_kinds.iter().map(|k| k.as_str()).collect(),
            }),
        }
    }

    fn condition(&self, first: usize) -> String {
        let (units, unit_kinds, user, assigned) = (first, first + 1, first + 2, first + 3);
        format!(
            " AND ((d.unit_id = ANY(${units}) AND d.kind = ANY(${unit_kinds}))
                OR (d.appraiser_nip = ${user} AND d.kind = ANY(${assigned}))
                OR (d.reviewer_nip = ${user} AND d.kind = ANY(${assigned})))"
        )
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 4] {
        [&self.units, &self.unit_kinds, &self.user, &self.assigned_kinds]
    }
}

/// The query's condition and its parameters after `fixed`.
fn scoped<'a>(
    scope: &'a Option<ScopeSql<'a>>,
    fixed: Vec<&'a (dyn ToSql + Sync)>,
) -> (String, Vec<&'a (dyn ToSql + Sync)>) {
    match scope {
        None => (String::new(), fixed),
        Some(s) => {
            let condition = s.condition(fixed.len() + 1);
            let mut params = fixed;
            params.extend(s.params());
            (condition, params)
        }
    }
}

/// Rows fetched from a portal at a time: memory stays bounded by the page
/// budget plus one batch, however far behind the cursor is.
const BATCH: i32 = 64;

pub(super) fn pull(db: &mut Db<'_, Transaction<'_>>, q: &PullQuery<'_>) -> Result<PullPage, StorageError> {
    // The high-water mark: every position up to it is committed and visible
    // in this snapshot (the first statement of the transaction fixes it).
    let high: i64 = match db.query_opt("SELECT seq FROM tenant_clock WHERE tenant_id = $1", &[&q.tenant])? {
        Some(r) => get(&r, 0)?,
        None => 0,
    };
    if *q.scope == Scope::Nothing {
        return Ok(PullPage { docs: Vec::new(), cursor: u64::try_from(high).unwrap_or(0), more: false });
    }
    let scope = ScopeSql::of(q.scope);
    let cursor = i64::try_from(q.cursor).unwrap_or(i64::MAX);
    let mut items: Vec<PulledRow> = Vec::new();
    // Documents compacted after the cursor: their snapshot replaces the
    // chunks that were folded into it.
    let (condition, params) = scoped(&scope, vec![&q.tenant, &cursor]);
    let sql = format!(
        "SELECT d.snapshot_seq, d.id, d.kind, d.snapshot FROM docs d
         WHERE d.tenant_id = $1 AND d.snapshot_seq > $2 AND d.snapshot IS NOT NULL{condition}
         ORDER BY d.snapshot_seq"
    );
    let cut1 = collect(db.c, &sql, &params, q.max_bytes, &mut items)?;
    let (condition, params) = scoped(&scope, vec![&q.tenant, &cursor, &q.exclude_origin]);
    let sql = format!(
        "SELECT c.seq, c.doc_id, d.kind, c.data FROM chunks c
         JOIN docs d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id
         WHERE c.tenant_id = $1 AND c.seq > $2 AND c.origin <> $3{condition}
         ORDER BY c.seq"
    );
    let cut2 = collect(db.c, &sql, &params, q.max_bytes, &mut items)?;
    // Rows at or after a query's cut were not read: the page ends before.
    let cut = cut1.into_iter().chain(cut2).min();
    Ok(crate::storage::page::assemble(items, cut, high, q.max_bytes))
}

/// Read `sql`'s rows (position, id, kind, bytes) into `out` until more than
/// `budget` bytes were read; the position of the first row left unread.
fn collect(
    tx: &mut Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    budget: usize,
    out: &mut Vec<PulledRow>,
) -> Result<Option<i64>, StorageError> {
    let portal = tx.bind(sql, params)?;
    let mut read = 0;
    loop {
        let rows = tx.query_portal(&portal, BATCH)?;
        if rows.is_empty() {
            return Ok(None);
        }
        for r in &rows {
            let item = PulledRow { seq: get(r, 0)?, id: get(r, 1)?, kind: get(r, 2)?, data: get(r, 3)? };
            if read > budget {
                // Enough for a page: stop reading so memory stays bounded.
                return Ok(Some(item.seq));
            }
            read += item.data.len();
            out.push(item);
        }
    }
}

pub(super) fn fetch(
    db: &mut Db<'_, Transaction<'_>>,
    tenant: &str,
    ids: &[DocId],
    scope: &Scope,
) -> Result<Vec<PulledBytes>, StorageError> {
    if *scope == Scope::Nothing {
        return Ok(Vec::new());
    }
    let scope = ScopeSql::of(scope);
    let mut out = Vec::new();
    for id in ids {
        let text = id.to_string();
        let (condition, params) = scoped(&scope, vec![&tenant, &text]);
        let sql = format!("SELECT 1 FROM docs d WHERE d.tenant_id = $1 AND d.id = $2{condition}");
        let visible = db.query_opt(&sql, &params)?.is_some();
        if visible && let Some(doc) = load(db, tenant, *id)? {
            out.push(PulledBytes { id: *id, kind: doc.kind, bytes: doc.bytes });
        }
    }
    Ok(out)
}

pub(super) fn doc_ids(
    c: &mut impl GenericClient,
    tenant: &str,
    after: Option<DocId>,
    limit: usize,
) -> Result<Vec<DocId>, StorageError> {
    let after = after.map(|a| a.to_string()).unwrap_or_default();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = c.query(
        "SELECT id FROM docs WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        &[&tenant, &after, &limit],
    )?;
    rows.iter()
        .map(|r| get::<&str>(r, 0)?.parse().map_err(|e| StorageError::Backend(format!("stored document id: {e}"))))
        .collect()
}
