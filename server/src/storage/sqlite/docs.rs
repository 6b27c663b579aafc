//! Documents, chunks and the pull cursor.

use prestasi_core::doc::DocKind;
use prestasi_core::model::DocId;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::merged;
use crate::storage::{
    DocWrite, EmployeeRow, PullPage, PullQuery, PulledBytes, Record, Scope, StorageError, StoredDoc, WriteTx,
};

pub(super) struct SqliteWriteTx<'a> {
    pub(super) tx: &'a Transaction<'a>,
}

pub(super) fn load(c: &Connection, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
    let row: Option<(String, Option<Vec<u8>>, i64, i64)> = c
        .query_row(
            "SELECT kind, snapshot, snapshot_seq, chunk_count FROM docs WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((kind, snapshot, snapshot_seq, chunk_count)) = row else { return Ok(None) };
    let mut bytes = snapshot.unwrap_or_default();
    let mut stmt =
        c.prepare_cached("SELECT data FROM chunks WHERE tenant_id = ?1 AND doc_id = ?2 AND seq > ?3 ORDER BY seq")?;
    let mut rows = stmt.query(params![tenant, id.to_string(), snapshot_seq])?;
    while let Some(r) = rows.next()? {
        bytes.extend_from_slice(r.get_ref(0)?.as_blob().map_err(|e| StorageError::Backend(e.to_string()))?);
    }
    let kind = DocKind::parse(&kind).map_err(|e| StorageError::Backend(e.to_string()))?;
    Ok(Some(StoredDoc { kind, bytes, chunk_count: u64::try_from(chunk_count).unwrap_or(0) }))
}

/// The read-scope columns of a document.
fn scope_columns(r: &Record) -> (Option<&str>, Option<&str>, Option<&str>) {
    match r {
        Record::Appraisal(a) => {
            (Some(&a.unit_id), Some(a.appraiser_nip.as_str()), a.reviewer_nip.as_ref().map(|n| n.as_str()))
        }
        Record::Employee(e) => (Some(&e.unit_id), None, None),
        Record::Unit(u) => (Some(&u.id), None, None),
        Record::Mentoring(m) => (Some(&m.unit_id), None, None),
        Record::Feedback(f) => (Some(&f.unit_id), None, None),
        Record::Training(_) | Record::Allowance(_) | Record::Award(_) => (None, None, None),
    }
}

fn heads_text(w: &DocWrite) -> String {
    let mut h: Vec<String> = w.heads.iter().map(|h| h.to_string()).collect();
    h.sort();
    h.join(",")
}

impl WriteTx for SqliteWriteTx<'_> {
    fn load(&mut self, tenant: &str, id: DocId) -> Result<Option<StoredDoc>, StorageError> {
        load(self.tx, tenant, id)
    }

    fn employee(&mut self, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
        merged::employee(self.tx, tenant, nip)
    }

    fn employee_doc(&mut self, tenant: &str, nip: &str) -> Result<Option<DocId>, StorageError> {
        Ok(merged::employee(self.tx, tenant, nip)?.and_then(|e| e.doc_id.parse().ok()))
    }

    fn append(&mut self, w: &DocWrite) -> Result<u64, StorageError> {
        let tx = self.tx;
        let id = w.id.to_string();
        tx.execute(
            "INSERT INTO chunks (tenant_id, doc_id, origin, received_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![w.tenant, id, w.origin, w.received_at, w.chunk],
        )?;
        let seq = tx.last_insert_rowid();
        let (unit, appraiser, reviewer) = scope_columns(&w.record);
        tx.execute(
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
            tx.execute(
                "UPDATE docs SET snapshot = ?3, snapshot_seq = ?4, chunk_count = 0 WHERE tenant_id = ?1 AND id = ?2",
                params![w.tenant, id, all, seq],
            )?;
            tx.execute(
                "DELETE FROM chunks WHERE tenant_id = ?1 AND doc_id = ?2 AND seq <= ?3",
                params![w.tenant, id, seq],
            )?;
        }
        merged::project(tx, w)?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }
}

/// The SQL condition (on `d`) for a scope, and its parameters.
fn scope_sql(scope: &Scope) -> (&'static str, String, String) {
    match scope {
        Scope::Tenant => ("1", String::new(), String::new()),
        Scope::Nothing => ("0", String::new(), String::new()),
        Scope::Units { units, user } => (
            "(d.kind IN ('employee', 'unit', 'appraisal', 'mentoring')
              AND (d.unit_id IN (SELECT value FROM json_each(:units))
                   OR d.appraiser_nip = :user OR d.reviewer_nip = :user))",
            serde_json::to_string(units).unwrap_or_else(|_| "[]".into()),
            user.clone(),
        ),
    }
}

struct Item {
    seq: i64,
    id: String,
    kind: String,
    data: Vec<u8>,
}

pub(super) fn pull(c: &Connection, q: &PullQuery<'_>) -> Result<PullPage, StorageError> {
    let (cond, units, user) = scope_sql(q.scope);
    let tx = c.unchecked_transaction()?; // one consistent snapshot for both queries
    let high: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM chunks", [], |r| r.get(0))?;
    let cursor = i64::try_from(q.cursor).unwrap_or(i64::MAX);
    let mut items: Vec<Item> = Vec::new();
    // Documents compacted after the cursor: their snapshot replaces the
    // chunks that were folded into it.
    let sql = format!(
        "SELECT d.snapshot_seq, d.id, d.kind, d.snapshot FROM docs d
         WHERE d.tenant_id = :tenant AND d.snapshot_seq > :cursor AND d.snapshot IS NOT NULL AND {cond}"
    );
    collect(&tx, &sql, q.tenant, cursor, None, &units, &user, &mut items)?;
    let sql = format!(
        "SELECT c.seq, c.doc_id, d.kind, c.data FROM chunks c
         JOIN docs d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id
         WHERE c.tenant_id = :tenant AND c.seq > :cursor AND c.origin <> :origin AND {cond}
         ORDER BY c.seq"
    );
    collect(&tx, &sql, q.tenant, cursor, Some(q.exclude_origin), &units, &user, &mut items)?;
    items.sort_by_key(|i| i.seq);

    let mut page = PullPage { docs: Vec::new(), cursor: u64::try_from(high).unwrap_or(0), more: false };
    let mut size = 0;
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in items {
        if size > 0 && size + item.data.len() > q.max_bytes {
            page.cursor = u64::try_from(item.seq - 1).unwrap_or(0);
            page.more = true;
            break;
        }
        size += item.data.len();
        match index.get(&item.id) {
            Some(&i) => {
                if let Some(d) = page.docs.get_mut(i) {
                    d.bytes.extend_from_slice(&item.data);
                }
            }
            None => {
                let (Ok(id), Ok(kind)) = (item.id.parse::<DocId>(), DocKind::parse(&item.kind)) else { continue };
                index.insert(item.id, page.docs.len());
                page.docs.push(PulledBytes { id, kind, bytes: item.data });
            }
        }
    }
    Ok(page)
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
    out: &mut Vec<Item>,
) -> Result<(), StorageError> {
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
    while let Some(r) = rows.next()? {
        out.push(Item { seq: r.get(0)?, id: r.get(1)?, kind: r.get(2)?, data: r.get(3)? });
    }
    Ok(())
}

pub(super) fn fetch(
    c: &Connection,
    tenant: &str,
    ids: &[DocId],
    scope: &Scope,
) -> Result<Vec<PulledBytes>, StorageError> {
    let (cond, units, user) = scope_sql(scope);
    let sql = format!("SELECT d.id FROM docs d WHERE d.tenant_id = :tenant AND d.id = :id AND {cond}");
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
