//! Schema 13 renumbers a database's global chunk positions per tenant: the
//! order within each tenant stays, compaction points included, and devices'
//! cursors of the old numbering are recognised by the epoch they hold.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use rusqlite::{Connection, params};

use super::{MIGRATIONS, SqliteStorage};
use crate::storage::{PullQuery, Scope, Storage};
use crate::sync::epoch::{BEFORE_TENANT_POSITIONS_KEY, EPOCH_KEY};

const A: &str = "0192f3a0-0000-7000-8000-00000000000a";
const B: &str = "0192f3a0-0000-7000-8000-00000000000b";
const X: &str = "0192f3a0-0000-7000-8000-00000000000c";

/// A database at the schema just before the renumbering.
fn before_renumbering(dir: &std::path::Path) -> Connection {
    let at = MIGRATIONS.iter().position(|m| m.starts_with("-- Schema 13: pull positions per tenant")).unwrap();
    let mut c = Connection::open(dir.join("prestasi.db")).unwrap();
    for (i, sql) in MIGRATIONS.iter().enumerate().take(at) {
        let tx = c.transaction().unwrap();
        tx.execute_batch(sql).unwrap();
        tx.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        tx.commit().unwrap();
    }
    c
}

fn chunk(c: &Connection, tenant: &str, doc: &str, data: &str) -> i64 {
    c.execute(
        "INSERT INTO chunks (tenant_id, doc_id, origin, received_at, data) VALUES (?1, ?2, 'd', 1, ?3)",
        params![tenant, doc, data.as_bytes()],
    )
    .unwrap();
    c.last_insert_rowid()
}

fn doc(c: &Connection, tenant: &str, id: &str) {
    c.execute(
        "INSERT INTO docs (tenant_id, id, kind, heads, chunk_count, created_at, updated_at)
         VALUES (?1, ?2, 'appraisal', '', 0, 1, 1)",
        params![tenant, id],
    )
    .unwrap();
}

/// (document, bytes) of each document of a page, and the page's cursor.
fn pull(s: &SqliteStorage, tenant: &str, cursor: u64) -> (Vec<(String, String)>, u64) {
    let page =
        s.pull(&PullQuery { tenant, cursor, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 << 20 }).unwrap();
    let docs = page.docs.iter().map(|d| (d.id.to_string(), String::from_utf8(d.bytes.clone()).unwrap())).collect();
    (docs, page.cursor)
}

#[test]
fn positions_are_renumbered_per_tenant_in_their_old_order() {
    let dir = tempfile::tempdir().unwrap();
    let c = before_renumbering(dir.path());
    for t in ["t1", "t2"] {
        c.execute("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?1, 0)", [t]).unwrap();
    }
    c.execute("INSERT INTO meta (key, value) VALUES (?1, 'old-epoch')", [EPOCH_KEY]).unwrap();
    doc(&c, "t1", A);
    doc(&c, "t1", B);
    doc(&c, "t2", X);
    // Global positions, the two tenants interleaved.
    assert_eq!(chunk(&c, "t1", A, "a1"), 1);
    chunk(&c, "t2", X, "x1");
    chunk(&c, "t1", A, "a2");
    chunk(&c, "t2", X, "x2");
    chunk(&c, "t1", B, "b1");
    // A's third chunk (6) compacted into its snapshot: its chunks are gone.
    let folded = chunk(&c, "t1", A, "a3");
    c.execute("UPDATE docs SET snapshot = ?2, snapshot_seq = ?1 WHERE id = ?3", params![folded, b"A".as_slice(), A])
        .unwrap();
    c.execute("DELETE FROM chunks WHERE doc_id = ?1 AND seq <= ?2", params![A, folded]).unwrap();
    chunk(&c, "t2", X, "x3");
    assert_eq!(chunk(&c, "t1", A, "a4"), 8);
    drop(c);

    let s = SqliteStorage::open(dir.path()).unwrap();
    // t1 held b1 (5), A's compaction (6) and a4 (8): now 1, 2, 3.
    assert_eq!(pull(&s, "t1", 0), (vec![(B.into(), "b1".into()), (A.into(), "Aa4".into())], 3));
    assert_eq!(pull(&s, "t1", 1), (vec![(A.into(), "Aa4".into())], 3), "after b1: the snapshot and a4");
    assert_eq!(pull(&s, "t1", 2), (vec![(A.into(), "a4".into())], 3), "after the compaction: a4");
    assert_eq!(pull(&s, "t1", 3), (vec![], 3));
    assert_eq!(pull(&s, "t2", 0), (vec![(X.into(), "x1x2x3".into())], 3), "t2: 2, 4, 7 became 1, 2, 3");
    assert_eq!(pull(&s, "t2", 2), (vec![(X.into(), "x3".into())], 3));

    let conn = Connection::open(dir.path().join("prestasi.db")).unwrap();
    let clocks: Vec<(String, i64)> = conn
        .prepare("SELECT tenant_id, seq FROM tenant_clock ORDER BY tenant_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(clocks, [("t1".to_string(), 3), ("t2".to_string(), 3)]);
    assert_eq!(s.meta(BEFORE_TENANT_POSITIONS_KEY).unwrap().as_deref(), Some("old-epoch"), "the devices' epoch");
    let epoch = s.meta(EPOCH_KEY).unwrap().unwrap();
    assert!(epoch != "old-epoch" && epoch.len() == 32, "a new epoch: {epoch}");
}

#[test]
fn a_database_without_chunks_keeps_its_epoch_and_marks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = before_renumbering(dir.path());
    c.execute("INSERT INTO meta (key, value) VALUES (?1, 'kept')", [EPOCH_KEY]).unwrap();
    drop(c);
    let s = SqliteStorage::open(dir.path()).unwrap();
    assert_eq!(s.meta(EPOCH_KEY).unwrap().as_deref(), Some("kept"));
    assert_eq!(s.meta(BEFORE_TENANT_POSITIONS_KEY).unwrap(), None);
    let fresh = SqliteStorage::in_memory().unwrap();
    assert_eq!(fresh.meta(BEFORE_TENANT_POSITIONS_KEY).unwrap(), None, "a new database has nothing to renumber");
}
