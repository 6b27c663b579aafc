//! The PostgreSQL backend: the same traits, the same results and errors as
//! [`super::sqlite`], for a server whose data lives in a shared database.
//!
//! Synchronous client (`postgres`) behind an `r2d2` pool: the traits are
//! blocking and the server calls them from `spawn_blocking` threads (the
//! client runs its own small runtime, so it must never be called on an
//! async worker). Every connection sets `synchronous_commit = on` (a commit
//! is durable before the server acknowledges it) and a statement timeout.
//! The backend stores and reads the typed values it is given; it derives
//! nothing (no predikat, count or scope rule).
//!
//! # Writes
//!
//! [`Storage::write`](super::Storage::write) runs on one READ COMMITTED
//! transaction, committed only if the closure returns `Ok` (an error, or a
//! panic unwinding through it, rolls it back). Reading or writing a
//! document inside it (`load`, `heads`, `append`) first takes a
//! transaction-scoped advisory lock on that document, held until commit:
//! writers of one document run one after another, so a `heads` check stays
//! true until its transaction commits — also for a document that has no
//! row yet, which a row lock could not cover. Writers of different
//! documents run side by side, on every instance. A push writes its
//! documents in the order of their ids, so two pushes never take the same
//! two locks in opposite orders; a transaction PostgreSQL aborts anyway
//! (deadlock, serialization failure: [`StorageError::Retry`]) is run again,
//! up to [`WRITE_ATTEMPTS`] times.
//!
//! # Statements
//!
//! The hot paths (checking and writing documents, pulls) go through
//! [`db::Db`], which prepares each statement once per pooled connection;
//! the client's plain `execute(&str)` costs a second round trip and a new
//! plan every time.
//!
//! # The pull cursor
//!
//! A PostgreSQL sequence is not commit-ordered: a reader could see position
//! 12 committed while 11 is still in flight, move its cursor past 11 and
//! never see it. Positions come instead from the tenant's row in
//! `tenant_clock`, and only at the end of a write transaction:
//! [`WriteTx::append`](super::WriteTx::append) writes the document and
//! view rows at once but keeps the chunk; `PgWriteTx::finish` then runs
//! `UPDATE tenant_clock SET seq = seq + n … RETURNING seq`, inserts the
//! transaction's chunks at those positions in one statement, and the
//! transaction commits. The row lock that update takes is held until
//! commit, so the next writer of the tenant gets its positions only after
//! the previous one has committed (or, if it rolled back, gets the same
//! positions again: positions have no gaps) — and a tenant's writers wait
//! for each other only for those last statements and the commit. Chunks
//! are keyed by `(tenant_id, seq)`. [`Storage::pull`](super::Storage::pull)
//! reads in one REPEATABLE READ, READ ONLY transaction: the page's
//! high-water mark is `tenant_clock.seq` as that snapshot sees it, and every
//! position at or below it was committed before the snapshot was taken, so
//! it is visible in the same snapshot. A page never ends past a change its
//! reader could not see. Compaction keeps the compacted chunk's position as
//! the document's `snapshot_seq`, as in SQLite.
//!
//! # Schema
//!
//! `migrations/`, PostgreSQL's own numbered migrations, applied under
//! `pg_advisory_xact_lock` in one transaction, so servers starting together
//! on one database do not race; `schema_version` holds the number applied,
//! and a database newer than this build is refused.

mod admin;
mod auth;
mod db;
mod docs;
mod inputs;
mod merged;
mod report_store;
mod reports;
mod signers;
mod uploads;

use std::time::Duration;

use db::{Conn, Db, Manager};
use postgres::types::FromSql;
use postgres::{Client, IsolationLevel, NoTls, Row, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::{StorageError, WriteTx};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_rate_windows.sql"),
    include_str!("migrations/0003_uploads.sql"),
    include_str!("migrations/0004_device_wipes.sql"),
    include_str!("migrations/0005_unit_services.sql"),
    include_str!("migrations/0006_logins.sql"),
];
/// First key of the migration lock (the second is the schema's name).
const MIGRATION_LOCK: i32 = 0x5052_5354; // "PRST"
/// Connections a server keeps at most (its blocking jobs, session lookups
/// and a margin).
const POOL_SIZE: u32 = 16;
/// No statement runs longer (waiting for a lock included).
const STATEMENT_TIMEOUT: &str = "60s";
/// A connection left in a transaction this long is closed by the server, so
/// a stuck thread cannot hold a tenant's lock for ever.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "300s";

type Pooled = r2d2::PooledConnection<Manager>;
/// A write transaction that lost a deadlock or a serialization race is
/// run again this many times before its error is returned.
const WRITE_ATTEMPTS: usize = 5;

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> Self {
        // 40P01 deadlock detected, 40001 serialization failure: the
        // transaction was rolled back and may simply be run again.
        match e.code().map(|c| c.code()) {
            Some("40P01" | "40001") => Self::Retry(describe(&e)),
            _ => Self::Backend(describe(&e)),
        }
    }
}

impl From<r2d2::Error> for StorageError {
    fn from(e: r2d2::Error) -> Self {
        Self::Backend(format!("database pool: {e}"))
    }
}

/// The server's own message, where there is one.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.code().code(), db.message()),
            None => format!("{}: {}", db.code().code(), db.message()),
        },
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// An integrity constraint (unique, foreign key, not null, check) refused
/// the statement: SQLite's `ConstraintViolation`.
fn is_constraint(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("23"))
}

/// A constraint violation as `what` (e.g. a `Conflict`), anything else as a
/// backend error.
fn constraint(e: postgres::Error, what: impl FnOnce() -> StorageError) -> StorageError {
    if is_constraint(&e) { what() } else { e.into() }
}

/// Column `i` of a row.
fn get<'a, T: FromSql<'a>>(r: &'a Row, i: usize) -> Result<T, StorageError> {
    Ok(r.try_get(i)?)
}

/// A stored count (`bigint`) as the `u32` it was.
fn count(r: &Row, i: usize) -> Result<u32, StorageError> {
    Ok(u32::try_from(get::<i64>(r, i)?).unwrap_or(0))
}

/// A stored or summed `bigint`, NULL as 0.
fn big(r: &Row, i: usize) -> Result<u64, StorageError> {
    Ok(u64::try_from(get::<Option<i64>>(r, i)?.unwrap_or(0)).unwrap_or(0))
}

/// An unsigned value as stored (`bigint`).
fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `name` quoted as an SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The settings of every pooled connection.
#[derive(Debug)]
struct Session {
    search_path: Option<String>,
}

impl r2d2::CustomizeConnection<Conn, postgres::Error> for Session {
    fn on_acquire(&self, c: &mut Conn) -> Result<(), postgres::Error> {
        let mut sql = format!(
            "SET synchronous_commit = on; SET statement_timeout = '{STATEMENT_TIMEOUT}';
             SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}';"
        );
        if let Some(schema) = &self.search_path {
            sql.push_str(&format!("SET search_path = {};", quote_ident(schema)));
        }
        c.client.batch_execute(&sql)
    }
}

#[derive(Debug)]
pub struct PostgresStorage {
    /// `None` only while dropping (see the `Drop` impl).
    pool: Option<r2d2::Pool<Manager>>,
}

impl PostgresStorage {
    /// Connect to the database at `url` (a `postgres://` URL or a
    /// `key=value` string) and bring its schema up to date.
    pub fn open(url: &str) -> Result<Self, StorageError> {
        Self::connect(url, None)
    }

    /// A store of its own inside the database at `url`: schema `schema`
    /// (created if needed) is every pooled connection's `search_path`.
    /// Tests open many at once on one cluster, each seeing only its own.
    pub fn open_in_schema(url: &str, schema: &str) -> Result<Self, StorageError> {
        Self::connect(url, Some(schema))
    }

    fn connect(url: &str, schema: Option<&str>) -> Result<Self, StorageError> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_application_name().is_none() {
            config.application_name("prestasi-server");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(Session { search_path: schema.map(str::to_string) }))
            .build(Manager(PostgresConnectionManager::new(config, NoTls)))?;
        let s = Self { pool: Some(pool) };
        off_async(|| migrate(&mut s.conn()?.client, schema))?;
        Ok(s)
    }

    fn conn(&self) -> Result<Pooled, StorageError> {
        Ok(self.pool.as_ref().ok_or_else(|| StorageError::Backend("database pool closed".into()))?.get()?)
    }

    /// Run `f` on a pooled connection, outside any transaction (one
    /// statement, or a function that opens its own).
    fn with_conn<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, StorageError>) -> Result<T, StorageError> {
        off_async(|| f(&mut self.conn()?.client))
    }

    /// Run `f` on one consistent snapshot (REPEATABLE READ, READ ONLY),
    /// with the connection's prepared statements.
    fn snapshot<T>(
        &self,
        f: impl FnOnce(&mut Db<'_, Transaction<'_>>) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        off_async(|| {
            let mut pooled = self.conn()?;
            let Conn { client, stmts } = &mut *pooled;
            let mut tx =
                client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
            let out = f(&mut Db::new(&mut tx, stmts))?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// [`Storage::write`](super::Storage::write): `f` in a READ COMMITTED
    /// transaction with the connection's prepared statements, the
    /// positions of its chunks assigned last (see the module
    /// documentation); run again if it lost a deadlock.
    fn write_tx(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<(), StorageError>) -> Result<(), StorageError> {
        off_async(|| {
            let mut attempt = 1;
            loop {
                let mut pooled = self.conn()?;
                let Conn { client, stmts } = &mut *pooled;
                let result = (|| {
                    let mut tx = client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()?;
                    let mut w = docs::PgWriteTx::new(Db::new(&mut tx, stmts));
                    f(&mut w)?;
                    w.finish()?;
                    tx.commit()?;
                    Ok(())
                })();
                match result {
                    Err(StorageError::Retry(why)) if attempt < WRITE_ATTEMPTS => {
                        tracing::debug!(attempt, %why, "write transaction run again");
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        })
    }

    /// Run `f` in a write transaction (READ COMMITTED), committed if it
    /// returns `Ok`, rolled back otherwise.
    fn transaction<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        off_async(|| {
            let mut c = self.conn()?;
            let mut tx = c.client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

impl Drop for PostgresStorage {
    fn drop(&mut self) {
        // Closing the pooled clients blocks on their runtimes too.
        if let Some(pool) = self.pool.take() {
            off_async(|| drop(pool));
        }
    }
}

/// The client blocks on a small runtime of its own, which tokio refuses on
/// an async worker thread (it panics). The server calls storage from
/// blocking threads; called from a worker anyway (the demo's setup, a
/// test), step off it first instead of panicking.
fn off_async<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Apply the migrations this database lacks, under a lock that two servers
/// starting together on one schema take in turn.
fn migrate(c: &mut Client, schema: Option<&str>) -> Result<(), StorageError> {
    let mut tx = c.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()?;
    tx.batch_execute("SET LOCAL statement_timeout = 0")?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2::text, current_schema()::text, '')))",
        &[&MIGRATION_LOCK, &schema],
    )?;
    if let Some(s) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(s)))?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             one     boolean PRIMARY KEY DEFAULT true CHECK (one),
             version bigint NOT NULL
         );
         INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;",
    )?;
    let found: i64 = get(&tx.query_one("SELECT version FROM schema_version", &[])?, 0)?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > supported {
        return Err(StorageError::NewerSchema { found, supported });
    }
    for (i, sql) in (1..).zip(MIGRATIONS).skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(sql)?;
        tx.execute("UPDATE schema_version SET version = $1", &[&i64::from(i)])?;
    }
    tx.commit()?;
    Ok(())
}

impl super::Storage for PostgresStorage {
    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<(), StorageError>) -> Result<(), StorageError> {
        self.write_tx(f)
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn super::Lookup) -> Result<(), StorageError>) -> Result<(), StorageError> {
        self.snapshot(|db| f(&mut docs::PgReadTx { db }))
    }

    fn pull(&self, q: &super::PullQuery<'_>) -> Result<super::PullPage, StorageError> {
        self.snapshot(|tx| docs::pull(tx, q))
    }

    fn fetch(
        &self,
        tenant: &str,
        ids: &[prestasi_core::model::DocId],
        scope: &super::Scope,
    ) -> Result<Vec<super::PulledBytes>, StorageError> {
        self.snapshot(|tx| docs::fetch(tx, tenant, ids, scope))
    }

    fn create_tenant(&self, id: &str, name: &str) -> Result<(), StorageError> {
        self.transaction(|tx| admin::create_tenant(tx, id, name))
    }
    fn tenant(&self, id: &str) -> Result<Option<super::TenantRow>, StorageError> {
        self.with_conn(|c| admin::tenant(c, id))
    }
    fn create_user(&self, user: &super::UserRow) -> Result<(), StorageError> {
        self.with_conn(|c| admin::create_user(c, user))
    }
    fn user(&self, tenant: &str, username: &str) -> Result<Option<super::UserRow>, StorageError> {
        self.with_conn(|c| admin::user(c, tenant, username))
    }
    fn create_session(&self, s: &super::SessionRow) -> Result<(), StorageError> {
        self.with_conn(|c| admin::create_session(c, s))
    }
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<super::SessionRow>, StorageError> {
        self.with_conn(|c| admin::session(c, token_hash, now))
    }
    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        self.with_conn(|c| admin::delete_session(c, token_hash))
    }
    fn create_enrollment(&self, e: &super::EnrollmentRow) -> Result<(), StorageError> {
        self.with_conn(|c| admin::create_enrollment(c, e))
    }
    fn redeem_enrollment(
        &self,
        code_hash: &str,
        device: &super::DeviceRow,
        now: i64,
    ) -> Result<super::DeviceRow, StorageError> {
        self.transaction(|tx| admin::redeem_enrollment(tx, code_hash, device, now))
    }
    fn device(&self, id: &str) -> Result<Option<super::DeviceRow>, StorageError> {
        self.with_conn(|c| admin::device(c, id))
    }
    fn devices(&self, tenant: &str) -> Result<Vec<super::DeviceRow>, StorageError> {
        self.with_conn(|c| admin::devices(c, tenant))
    }
    fn revoke_device(&self, id: &str, reason: &str, now: i64) -> Result<(), StorageError> {
        self.with_conn(|c| admin::revoke_device(c, id, reason, now))
    }
    fn record_wipe(&self, id: &str, detail: &str, now: i64) -> Result<bool, StorageError> {
        self.transaction(|tx| admin::record_wipe(tx, id, detail, now))
    }
    fn log_device_event(&self, e: &super::DeviceEventRow) -> Result<(), StorageError> {
        self.with_conn(|c| admin::log_device_event(c, e))
    }
    fn device_events(&self, device_id: &str) -> Result<Vec<super::DeviceEventRow>, StorageError> {
        self.with_conn(|c| admin::device_events(c, device_id))
    }
    fn unit_services(&self, tenant: &str, unit: &str) -> Result<Vec<String>, StorageError> {
        self.with_conn(|c| admin::unit_services(c, tenant, unit))
    }
    fn set_unit_services(&self, tenant: &str, unit: &str, services: &[String]) -> Result<(), StorageError> {
        self.transaction(|tx| admin::set_unit_services(tx, tenant, unit, services))
    }
    fn meta(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.with_conn(|c| admin::meta(c, key))
    }
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.with_conn(|c| admin::set_meta(c, key, value))
    }
    fn init_meta(&self, key: &str, value: &str) -> Result<String, StorageError> {
        self.with_conn(|c| admin::init_meta(c, key, value))
    }
    fn count_event(&self, key: &str, window_ms: i64, now_ms: i64) -> Result<(u32, i64), StorageError> {
        self.with_conn(|c| admin::count_event(c, key, window_ms, now_ms))
    }
    fn appraisals(
        &self,
        tenant: &str,
        filter: &super::AppraisalFilter,
    ) -> Result<Vec<super::AppraisalRow>, StorageError> {
        self.with_conn(|c| merged::appraisals(c, tenant, filter))
    }
    fn appraisal_targets(
        &self,
        tenant: &str,
        doc_id: prestasi_core::model::DocId,
    ) -> Result<Vec<super::TargetRow>, StorageError> {
        self.with_conn(|c| merged::appraisal_targets(c, tenant, doc_id))
    }
    fn employees(&self, tenant: &str, unit: Option<&str>) -> Result<Vec<super::EmployeeRow>, StorageError> {
        self.with_conn(|c| merged::employees(c, tenant, unit))
    }
    fn feedback_count(&self, tenant: &str, unit: Option<&str>) -> Result<u64, StorageError> {
        self.with_conn(|c| merged::feedback_count(c, tenant, unit))
    }
    fn conflicts(&self, tenant: &str) -> Result<Vec<super::ConflictRow>, StorageError> {
        self.with_conn(|c| merged::conflicts(c, tenant))
    }
    fn tenants(&self) -> Result<Vec<super::TenantRow>, StorageError> {
        self.with_conn(admin::tenants)
    }
    fn doc_ids(
        &self,
        tenant: &str,
        after: Option<prestasi_core::model::DocId>,
        limit: usize,
    ) -> Result<Vec<prestasi_core::model::DocId>, StorageError> {
        self.with_conn(|c| docs::doc_ids(c, tenant, after, limit))
    }
    fn document(
        &self,
        tenant: &str,
        id: prestasi_core::model::DocId,
    ) -> Result<Option<super::StoredDoc>, StorageError> {
        self.snapshot(|tx| docs::load(tx, tenant, id))
    }
    fn create_person_code(&self, code: &super::PersonCodeRow) -> Result<(), StorageError> {
        self.with_conn(|c| signers::create_person_code(c, code))
    }
    fn device_signers(&self, device_id: &str) -> Result<Vec<super::SignerRow>, StorageError> {
        self.with_conn(|c| signers::device_signers(c, device_id))
    }
    fn insert_signer(&self, key: &super::SignerRow) -> Result<(), StorageError> {
        self.with_conn(|c| signers::insert_signer(c, key))
    }
    fn signers(&self, tenant: &str, person: Option<&str>) -> Result<Vec<super::SignerRow>, StorageError> {
        self.with_conn(|c| signers::signers(c, tenant, person))
    }
    fn revoke_signer(&self, tenant: &str, key: &[u8], reason: &str, now: i64) -> Result<(), StorageError> {
        self.with_conn(|c| signers::revoke_signer(c, tenant, key, reason, now))
    }
    fn signatures(&self, tenant: &str, id: prestasi_core::model::DocId) -> Result<Vec<super::StoredSig>, StorageError> {
        self.with_conn(|c| signers::signatures(c, tenant, id))
    }
    fn ping(&self) -> Result<(), StorageError> {
        self.with_conn(|c| {
            let version: i64 = get(&c.query_one("SELECT version FROM schema_version", &[])?, 0)?;
            if version < i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX) {
                return Err(StorageError::Backend(format!("schema {version}, this build needs {}", MIGRATIONS.len())));
            }
            Ok(())
        })
    }
    fn database_bytes(&self) -> Result<u64, StorageError> {
        self.with_conn(|c| {
            let row = c.query_one(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm', 'p')",
                &[],
            )?;
            Ok(u64::try_from(get::<i64>(&row, 0)?).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests;
