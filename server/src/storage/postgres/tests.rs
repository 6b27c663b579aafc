//! The PostgreSQL backend's tests: the shared conformance suite, each
//! store in a fresh schema of the database named by
//! `PRESTASI_TEST_DATABASE_URL`, and what only PostgreSQL can get wrong
//! (migrations racing, the cursor under concurrent writers, tenant locks).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use chrono::Utc;
use prestasi_core::doc::{DocKind, Document};
use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;

use super::*;
use crate::storage::{DocWrite, PullQuery, Record, Scope, Storage};

const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";

/// The test database, or `None` (with a loud line) when there is none
/// and none is required.
fn database() -> Option<String> {
    match std::env::var("PRESTASI_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("PRESTASI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PRESTASI_REQUIRE_POSTGRES=1 but PRESTASI_TEST_DATABASE_URL is not set"
            );
            eprintln!(
                "!!! PostgreSQL tests SKIPPED: set PRESTASI_TEST_DATABASE_URL \
                 (eval \"$(bash scripts/pg-cluster.sh start)\") to run them !!!"
            );
            None
        }
    }
}

/// Schemas made by this test process, dropped by [`Schemas::drop`].
struct Schemas {
    url: String,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    fn new(url: &str) -> Self {
        Self { url: url.to_string(), made: Mutex::new(Vec::new()) }
    }

    /// A fresh schema name, unique across processes and calls.
    fn fresh(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("test_{}_{}_{nanos}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        self.made.lock().unwrap().push(name.clone());
        name
    }

    fn store(&self) -> PostgresStorage {
        PostgresStorage::open_in_schema(&self.url, &self.fresh()).unwrap()
    }

    fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).unwrap()
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return; // left for a look
        }
        let made = self.made.lock().unwrap();
        if !made.is_empty() {
            let names: Vec<String> = made.iter().map(|s| quote_ident(s)).collect();
            self.client().batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", names.join(", "))).unwrap();
        }
    }
}

#[test]
fn conformance() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    crate::storage::conformance::run_all(&|| Box::new(schemas.store()));
}

#[test]
fn a_newer_database_is_refused() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let schema = schemas.fresh();
    drop(PostgresStorage::open_in_schema(&url, &schema).unwrap());
    let table = format!("{}.schema_version", quote_ident(&schema));
    schemas.client().batch_execute(&format!("UPDATE {table} SET version = 42")).unwrap();
    assert!(matches!(PostgresStorage::open_in_schema(&url, &schema), Err(StorageError::NewerSchema { found: 42, .. })));
}

#[test]
fn servers_starting_together_on_one_fresh_schema_all_open_it() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let schema = schemas.fresh();
    let start = Arc::new(Barrier::new(4));
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let (url, schema, start) = (url.clone(), schema.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                PostgresStorage::open_in_schema(&url, &schema).map(drop)
            })
        })
        .collect();
    for t in opened {
        t.join().unwrap().unwrap();
    }
    let table = format!("{}.schema_version", quote_ident(&schema));
    let version: i64 = schemas.client().query_one(&format!("SELECT version FROM {table}"), &[]).unwrap().get(0);
    assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
}

fn appraisal(period: &str) -> Appraisal {
    let mut a = Appraisal::new(Nip::parse(STAFF).unwrap(), period, "u1", Nip::parse(BOSS).unwrap()).unwrap();
    a.targets.push(SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap());
    a
}

fn new_doc(tenant: &str, a: &Appraisal) -> DocWrite {
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let author = Author::new(BOSS, DeviceId::random(), Role::Supervisor);
    let mut doc = Document::create(id, a, &author, Utc::now()).unwrap();
    DocWrite {
        tenant: tenant.into(),
        id,
        kind: DocKind::Appraisal,
        chunk: doc.save(),
        compacted: None,
        heads: doc.heads(),
        origin: "d1".into(),
        received_at: 1,
        projection: crate::sync::projection(id, &Record::Appraisal(a.clone()), Vec::new()),
        sigs: Vec::new(),
    }
}

#[test]
fn a_panic_inside_a_write_leaves_nothing_and_the_store_goes_on() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = schemas.store();
    s.create_tenant("t", "T").unwrap();
    let w = new_doc("t", &appraisal("2026-Q1"));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = s.write(&mut |tx| {
            tx.append(&w)?;
            panic!("in the middle of a write");
        });
    }));
    assert!(panicked.is_err());
    assert!(s.document("t", w.id).unwrap().is_none());
    s.write(&mut |tx| tx.append(&w).map(drop)).unwrap();
    assert!(s.document("t", w.id).unwrap().is_some());
}

#[test]
fn writers_of_another_tenant_do_not_wait() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = Arc::new(schemas.store());
    s.create_tenant("a", "A").unwrap();
    s.create_tenant("b", "B").unwrap();
    let (held, go) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let (s2, held_tx, go_rx) = (s.clone(), held.0, go.1);
    let holder = std::thread::spawn(move || {
        let w = new_doc("a", &appraisal("2026-Q1"));
        s2.write(&mut |tx| {
            tx.append(&w)?;
            held_tx.send(()).unwrap();
            go_rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
            Ok(())
        })
    });
    held.1.recv().unwrap();
    // Tenant a's writer holds its lock; tenant b writes and commits.
    s.write(&mut |tx| tx.append(&new_doc("b", &appraisal("2026-Q1"))).map(drop)).unwrap();
    let page = s
        .pull(&PullQuery { tenant: "a", cursor: 0, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 << 20 })
        .unwrap();
    assert!(page.docs.is_empty() && page.cursor == 0, "a's uncommitted chunk is neither sent nor passed");
    go.0.send(()).unwrap();
    holder.join().unwrap().unwrap();
}

/// Writers of one tenant commit while a reader pages: the reader, paging
/// with its cursor, ends up with every document, each once.
#[test]
fn a_reader_paging_during_concurrent_writes_misses_nothing() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = Arc::new(schemas.store());
    s.create_tenant("t", "T").unwrap();
    let periods: Vec<String> = (0..40).map(|i| format!("2026-{i:02}")).collect();
    let writers: Vec<_> = periods
        .chunks(10)
        .map(|batch| {
            let (s, batch) = (s.clone(), batch.to_vec());
            std::thread::spawn(move || {
                for p in batch {
                    let w = new_doc("t", &appraisal(&p));
                    s.write(&mut |tx| tx.append(&w).map(drop)).unwrap();
                }
            })
        })
        .collect();
    let mut seen = Vec::new();
    let mut cursor = 0;
    let q = |cursor| PullQuery { tenant: "t", cursor, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 };
    while writers.iter().any(|w| !w.is_finished()) {
        let page = s.pull(&q(cursor)).unwrap();
        assert!(page.cursor >= cursor || page.docs.is_empty());
        seen.extend(page.docs.iter().map(|d| d.id));
        cursor = page.cursor;
    }
    for w in writers {
        w.join().unwrap();
    }
    loop {
        let page = s.pull(&q(cursor)).unwrap();
        seen.extend(page.docs.iter().map(|d| d.id));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let mut expected: Vec<DocId> =
        periods.iter().map(|p| DocId::for_appraisal(&Nip::parse(STAFF).unwrap(), p)).collect();
    expected.sort();
    let mut got = seen.clone();
    got.sort();
    assert_eq!(got, expected, "every document once");
    assert_eq!(cursor, 40, "positions have no gaps");
}
