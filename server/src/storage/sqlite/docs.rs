//! Documents, chunks and the pull cursor.

use prestasi_core::doc::DocKind;
use prestasi_core::model::DocId;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::merged;
use crate::storage::page::PulledRow;
use crate::storage::{
    DocWrite, EmployeeRow, Lookup, Projection, PullPage, PullQuery, PulledBytes, ReadKeys, Scope, SignerRow,
    StorageError, StoredDoc, WriteTx,
};

pub(super) struct SqliteWriteTx<'a> {
    pub(super) tx: &'a Transaction<'a>,
}

/// Lookups on a read transaction (a reader connection).
pub(super) struct SqliteReadTx<'a> {
    pub(super) conn: &'a Connection,
}

impl Lookup for SqliteReadTx<'_> {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
        load(self.conn, tenant, id)
    }

    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
        merged::employee(self.conn, tenant, nip)
    }

    fn signer(&mut self, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
        super::signers::signer(self.conn, key)
    }
}

impl Lookup for SqliteWriteTx<'_> {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
        load(self.tx, tenant, id)
    }

    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
        merged::employee(self.tx, tenant, nip)
    }

    fn signer(&mut self, key: &[u8]) -> Result<Option<SignerRow>, StorageError> {
        super::signers::signer(self.tx, key)
    }
}

/// kind, snapshot, snapshot_seq, chunk_count, heads, updated_at
type DocHead = (String, Option<Vec<u8>>, i64, i64, String, i64);

pub(super) fn load(c: &Connection, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
    let row: Option<DocHead> = c
        .prepare_cached(
            "SELECT kind, snapshot, snapshot_seq, chunk_count, heads, updated_at FROM docs
             WHERE tenant_id = ?1 AND id = ?2",
        )?
        .query_row(params![tenant, id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .optional()?;
    let Some((kind, snapshot, snapshot_seq, chunk_count, heads, updated_at)) = row else { return Ok(None) };
    let mut bytes = snapshot.unwrap_or_default();
    let mut stmt =
        c.prepare_cached("SELECT data FROM chunks WHERE tenant_id = ?1 AND doc_id = ?2 AND seq > ?3 ORDER BY seq")?;
    let mut rows = stmt.query(params![tenant, id.to_string(), snapshot_seq])?;
    while let Some(r) = rows.next()? {
        bytes.extend_from_slice(r.get_ref(0)?.as_blob().map_err(|e| StorageError::Backend(e.to_string()))?);
    }
    let kind = DocKind::parse(&kind).map_err(|e| StorageError::Backend(e.to_string()))?;
    Ok(Some(StoredDoc { kind, bytes, chunk_count: u64::try_from(chunk_count).unwrap_or(0), heads, updated_at }))
}

fn heads_text(w: &DocWrite) -> String {
    let mut h: Vec<String> = w.heads.iter().map(|h| h.to_string()).collect();
    h.sort();
    h.join(",")
}

impl WriteTx for SqliteWriteTx<'_> {
    fn heads(&mut self, tenant: &str, id: DocId) -> Result<Option<String>, StorageError> {
        Ok(self
            .tx
            .prepare_cached("SELECT heads FROM docs WHERE tenant_id = ?1 AND id = ?2")?
            .query_row(params![tenant, id.to_string()], |r| r.get(0))
            .optional()?)
    }

    fn bind_signer(&mut self, code_hash: &str, key: &SignerRow, now: i64) -> Result<bool, StorageError> {
        super::signers::bind_signer(self.tx, code_hash, key, now)
    }

    fn append(&mut self, w: &DocWrite) -> Result<(), StorageError> {
        let tx = self.tx;
        let id = w.id.to_string();
        // The tenant's next position. The one writer holds the database
        // until commit, so positions are the tenant's commit order, and a
        // rolled-back position is handed out again (no gaps).
        let seq: i64 = tx
            .prepare_cached(
                "INSERT INTO tenant_clock (tenant_id, seq) VALUES (?1, 1)
                 ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1 RETURNING seq",
            )?
            .query_row(params![w.tenant], |r| r.get(0))?;
        super::exec(
            tx,
            "INSERT INTO chunks (tenant_id, seq, doc_id, origin, received_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![w.tenant, seq, id, w.origin, w.received_at, w.chunk],
        )?;
        let ReadKeys { unit, appraiser, reviewer } = &w.projection.read;
        super::exec(
            tx,
            "INSERT INTO docs (tenant_id, id, kind, heads, unit_id, appraiser_nip, reviewer_nip, chunk_count,
                               created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8)
             ON CONFLICT (tenant_id, id) DO UPDATE SET
                 heads = excluded.heads, unit_id = excluded.unit_id, appraiser_nip = excluded.appraiser_nip,
                 reviewer_nip = excluded.reviewer_nip, chunk_count = chunk_count + 1,
                 updated_at = excluded.updated_at",
            params![w.tenant, id, w.kind.as_str(), heads_text(w), unit, appraiser, reviewer, w.received_at],
        )?;
        if let Some(all) = &w.compacted {
            // The snapshot now holds every change up to this chunk.
            super::exec(
                tx,
                "UPDATE docs SET snapshot = ?3, snapshot_seq = ?4, chunk_count = 0 WHERE tenant_id = ?1 AND id = ?2",
                params![w.tenant, id, all, seq],
            )?;
            super::exec(
                tx,
                "DELETE FROM chunks WHERE tenant_id = ?1 AND doc_id = ?2 AND seq <= ?3",
                params![w.tenant, id, seq],
            )?;
        }
        super::signers::insert_sigs(tx, &w.tenant, w.id, &w.sigs)?;
        merged::project(tx, &w.tenant, &id, w.kind, w.received_at, &w.projection)
    }

    fn reproject(
        &mut self,
        tenant: &str,
        id: DocId,
        kind: DocKind,
        received_at: i64,
        p: &Projection,
    ) -> Result<(), StorageError> {
        let ReadKeys { unit, appraiser, reviewer } = &p.read;
        let n = super::exec(
            self.tx,
            "UPDATE docs SET unit_id = ?3, appraiser_nip = ?4, reviewer_nip = ?5 WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id.to_string(), unit, appraiser, reviewer],
        )?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("document {id}")));
        }
        merged::project(self.tx, tenant, &id.to_string(), kind, received_at, p)
    }
}

/// Documents of a scope, as SQL over `docs d`: a `FROM` clause and its
/// parameters. A supervisor's scope starts from its documents (indexes on
/// unit, appraiser, reviewer); the whole tenant from its positions.
fn scoped_docs(scope: &Scope) -> (String, String, String) {
    match scope {
        Scope::Tenant => ("docs d".into(), String::new(), String::new()),
        Scope::Nothing => ("(SELECT * FROM docs WHERE 0) d".into(), String::new(), String::new()),
        // CROSS JOIN keeps this order: the scope's documents first (through
        // their indexes), then their chunks — never a walk of the tenant.
        Scope::Units { units, user, unit_kinds, assigned_kinds } => (
            format!(
                "(SELECT id AS sid FROM docs INDEXED BY docs_unit
                      WHERE tenant_id = :tenant AND unit_id IN (SELECT value FROM json_each(:units))
                        AND kind IN ({unit_kinds})
                  UNION SELECT id FROM docs INDEXED BY docs_appraiser
                      WHERE tenant_id = :tenant AND appraiser_nip = :user AND kind IN ({assigned_kinds})
                  UNION SELECT id FROM docs INDEXED BY docs_reviewer
                      WHERE tenant_id = :tenant AND reviewer_nip = :user AND kind IN ({assigned_kinds})) s
                 CROSS JOIN docs d ON d.tenant_id = :tenant AND d.id = s.sid",
                unit_kinds = kinds_sql(unit_kinds),
                assigned_kinds = kinds_sql(assigned_kinds),
            ),
            super::units_json(units),
            user.clone(),
        ),
    }
}

/// Kinds as an SQL list: their names are fixed identifiers, never input.
fn kinds_sql(kinds: &[DocKind]) -> String {
    if kinds.is_empty() {
        return "NULL".into();
    }
    kinds.iter().map(|k| format!("'{}'", k.as_str())).collect::<Vec<_>>().join(", ")
}

pub(super) fn pull(c: &Connection, q: &PullQuery<'_>) -> Result<PullPage, StorageError> {
    let (from, units, user) = scoped_docs(q.scope);
    let tx = c.unchecked_transaction()?; // one consistent snapshot for both queries
    // The tenant's highest position ever handed out (its clock), not
    // max(seq) of the chunks left: a compaction deletes the chunks it folds,
    // its own included, and the cursor must still move past it. Another
    // tenant's writes never move it.
    let high: i64 = tx
        .prepare_cached("SELECT coalesce((SELECT seq FROM tenant_clock WHERE tenant_id = ?1), 0)")?
        .query_row(params![q.tenant], |r| r.get(0))?;
    if *q.scope == Scope::Nothing {
        return Ok(PullPage { docs: Vec::new(), cursor: u64::try_from(high).unwrap_or(0), more: false });
    }
    let cursor = i64::try_from(q.cursor).unwrap_or(i64::MAX);
    let mut items: Vec<PulledRow> = Vec::new();
    // Documents compacted after the cursor: their snapshot replaces the
    // chunks that were folded into it.
    let sql = format!(
        "SELECT d.snapshot_seq, d.id, d.kind, d.snapshot FROM {from}
         WHERE d.tenant_id = :tenant AND d.snapshot_seq > :cursor AND d.snapshot IS NOT NULL
         ORDER BY d.snapshot_seq"
    );
    let cut1 = collect(&tx, &sql, q.tenant, cursor, None, &units, &user, q.max_bytes, &mut items)?;
    let sql = if *q.scope == Scope::Tenant {
        // The whole tenant: its chunks in position order (their primary
        // key), read only up to the page's budget. Starting from `docs`
        // here sorted every chunk of the tenant, blobs included, for each
        // page (HR's full pull: the server's peak memory, docs/PERFORMANCE.md).
        "SELECT c.seq, c.doc_id, d.kind, c.data FROM chunks c
         CROSS JOIN docs d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id
         WHERE c.tenant_id = :tenant AND c.seq > :cursor AND c.origin <> :origin
         ORDER BY c.seq"
            .to_string()
    } else {
        format!(
            "SELECT c.seq, c.doc_id, d.kind, c.data FROM {from}
             CROSS JOIN chunks c ON c.tenant_id = d.tenant_id AND c.doc_id = d.id
             WHERE d.tenant_id = :tenant AND c.seq > :cursor AND c.origin <> :origin
             ORDER BY c.seq"
        )
    };
    let cut2 = collect(&tx, &sql, q.tenant, cursor, Some(q.exclude_origin), &units, &user, q.max_bytes, &mut items)?;
    // Rows at or after a query's cut were not read: the page ends before.
    let cut = cut1.into_iter().chain(cut2).min();
    Ok(crate::storage::page::assemble(items, cut, high, q.max_bytes))
}

#[allow(clippy::too_many_arguments)]
fn collect(
    c: &Connection,
    sql: &str,
    tenant: &str,
    cursor: i64,
    origin: Option<&str>,
    units: &str,
    user: &str,
    budget: usize,
    out: &mut Vec<PulledRow>,
) -> Result<Option<i64>, StorageError> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut named: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":tenant", &tenant), (":cursor", &cursor)];
    if let Some(o) = &origin {
        named.push((":origin", o));
    }
    if sql.contains(":units") {
        named.push((":units", &units));
        named.push((":user", &user));
    }
    let mut rows = stmt.query(named.as_slice())?;
    let mut read = 0;
    while let Some(r) = rows.next()? {
        let item = PulledRow { seq: r.get(0)?, id: r.get(1)?, kind: r.get(2)?, data: r.get(3)? };
        if read > budget {
            // Enough for a page: stop reading so memory stays bounded.
            return Ok(Some(item.seq));
        }
        read += item.data.len();
        out.push(item);
    }
    Ok(None)
}

pub(super) fn fetch(
    c: &Connection,
    tenant: &str,
    ids: &[DocId],
    scope: &Scope,
) -> Result<Vec<PulledBytes>, StorageError> {
    let (from, units, user) = scoped_docs(scope);
    let sql = format!("SELECT d.id FROM {from} WHERE d.tenant_id = :tenant AND d.id = :id");
    let mut out = Vec::new();
    for id in ids {
        let mut stmt = c.prepare_cached(&sql)?;
        let ids = id.to_string();
        let mut named: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":tenant", &tenant), (":id", &ids)];
        if sql.contains(":units") {
            named.push((":units", &units));
            named.push((":user", &user));
        }
        let visible = stmt.query(named.as_slice())?.next()?.is_some();
        if visible && let Some(doc) = load(c, tenant, *id)? {
            out.push(PulledBytes { id: *id, kind: doc.kind, bytes: doc.bytes });
        }
    }
    Ok(out)
}

pub(super) fn doc_ids(
    c: &Connection,
    tenant: &str,
    after: Option<DocId>,
    limit: usize,
) -> Result<Vec<DocId>, StorageError> {
    let after = after.map(|a| a.to_string()).unwrap_or_default();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = c.prepare_cached("SELECT id FROM docs WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3")?;
    let rows = stmt.query_map(params![tenant, after, limit], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for id in rows {
        out.push(id?.parse().map_err(|e| StorageError::Backend(format!("stored document id: {e}")))?);
    }
    Ok(out)
}
