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

/// A writer that appends `w` and holds its transaction open (returning
/// once it has appended) until told to commit.
fn holding(
    s: &Arc<PostgresStorage>,
    w: DocWrite,
) -> (std::thread::JoinHandle<Result<(), StorageError>>, std::sync::mpsc::Sender<()>) {
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let s = s.clone();
    let holder = std::thread::spawn(move || {
        s.write(&mut |tx| {
            tx.append(&w)?;
            held_tx.send(()).unwrap();
            go_rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
            Ok(())
        })
    });
    held_rx.recv().unwrap();
    (holder, go_tx)
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
    let (holder, go) = holding(&s, new_doc("a", &appraisal("2026-Q1")));
    // Tenant a's writer holds its lock; tenant b writes and commits.
    s.write(&mut |tx| tx.append(&new_doc("b", &appraisal("2026-Q1"))).map(drop)).unwrap();
    let page = s
        .pull(&PullQuery { tenant: "a", cursor: 0, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 << 20 })
        .unwrap();
    assert!(page.docs.is_empty() && page.cursor == 0, "a's uncommitted chunk is neither sent nor passed");
    go.send(()).unwrap();
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

/// A tenant's writers wait for each other only while committing: one
/// holding its transaction open after appending does not stop another
/// from writing another document, and positions follow the commit order.
#[test]
fn writers_of_one_tenant_wait_only_to_commit() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = Arc::new(schemas.store());
    s.create_tenant("t", "T").unwrap();
    let first = new_doc("t", &appraisal("2026-Q1"));
    let first_id = first.id;
    let (holder, go) = holding(&s, first);
    let second = new_doc("t", &appraisal("2026-Q2"));
    let started = std::time::Instant::now();
    s.write(&mut |tx| {
        assert_eq!(tx.heads("t", second.id)?, None);
        tx.append(&second)
    })
    .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "the second writer did not wait");
    go.send(()).unwrap();
    holder.join().unwrap().unwrap();
    let page = s
        .pull(&PullQuery { tenant: "t", cursor: 0, exclude_origin: "x", scope: &Scope::Tenant, max_bytes: 1 << 20 })
        .unwrap();
    let ids: Vec<DocId> = page.docs.iter().map(|d| d.id).collect();
    assert_eq!(ids, [second.id, first_id], "positions in commit order");
    assert_eq!(page.cursor, 2);
}

/// Writers of one document run one after another: the second waits for
/// the first to commit, then sees its heads, never the ones it started from.
#[test]
fn writers_of_one_document_run_one_after_another() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = Arc::new(schemas.store());
    s.create_tenant("t", "T").unwrap();
    let w = new_doc("t", &appraisal("2026-Q1"));
    let id = w.id;
    let (holder, go) = holding(&s, w);
    let s2 = s.clone();
    let second = std::thread::spawn(move || {
        let mut seen = None;
        s2.write(&mut |tx| {
            seen = tx.heads("t", id)?;
            Ok(())
        })
        .map(|()| seen)
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!second.is_finished(), "the second writer waits for the first");
    go.send(()).unwrap();
    holder.join().unwrap().unwrap();
    assert!(second.join().unwrap().unwrap().is_some(), "and then sees the first one's heads");
}

/// Two writers locking two documents in opposite orders: PostgreSQL
/// aborts one, which is run again and succeeds; both writes land.
#[test]
fn a_write_that_loses_a_deadlock_is_run_again() {
    let Some(url) = database() else { return };
    let schemas = Schemas::new(&url);
    let s = Arc::new(schemas.store());
    s.create_tenant("t", "T").unwrap();
    let a = new_doc("t", &appraisal("2026-Q1"));
    let b = new_doc("t", &appraisal("2026-Q2"));
    let both = Arc::new(Barrier::new(2));
    let runs = Arc::new(AtomicUsize::new(0));
    let writer = |first: DocWrite, then: DocWrite| {
        let (s, both, runs) = (s.clone(), both.clone(), runs.clone());
        std::thread::spawn(move || {
            let mut attempt = 0;
            s.write(&mut |tx| {
                attempt += 1;
                runs.fetch_add(1, Ordering::SeqCst);
                tx.heads("t", first.id)?;
                if attempt == 1 {
                    both.wait(); // each holds its first document
                }
                tx.heads("t", then.id)?;
                tx.append(&first)?;
                tx.append(&then)
            })
        })
    };
    let one = writer(a.clone(), b.clone());
    let two = writer(b.clone(), a.clone());
    one.join().unwrap().unwrap();
    two.join().unwrap().unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3, "one of the two was run again");
    let doc = s.document("t", a.id).unwrap().unwrap();
    assert_eq!(doc.chunk_count, 2, "both writes of each document landed");
}
