//! Pooled connections that keep their prepared statements.
//!
//! The client's `execute(&str, …)` prepares an unnamed statement first: two
//! round trips and a fresh plan for every statement. A push runs about a
//! dozen statements per document, so the hot paths (checking and writing
//! documents) go through [`Db`], which prepares each text once per
//! connection and reuses it.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement};
use r2d2_postgres::PostgresConnectionManager;

/// Statements kept per connection at most; the texts are a small fixed set,
/// so this only bounds a mistake (a text built from data).
const MAX_STATEMENTS: usize = 256;

/// A pooled connection and the statements prepared on it.
pub(super) struct Conn {
    pub(super) client: Client,
    pub(super) stmts: HashMap<String, Statement>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("statements", &self.stmts.len()).finish_non_exhaustive()
    }
}

/// The pool's manager: `r2d2_postgres`'s, with a statement cache per
/// connection.
#[derive(Debug)]
pub(super) struct Manager(pub(super) PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn { client: self.0.connect()?, stmts: HashMap::new() })
    }

    fn is_valid(&self, c: &mut Conn) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut c.client)
    }

    fn has_broken(&self, c: &mut Conn) -> bool {
        self.0.has_broken(&mut c.client)
    }
}

/// A client or transaction (`c`, for what only it can do: portals,
/// savepoints) with its connection's prepared statements.
pub(super) struct Db<'a, C> {
    pub(super) c: &'a mut C,
    stmts: &'a mut HashMap<String, Statement>,
}

impl<'a, C: GenericClient> Db<'a, C> {
    pub(super) fn new(c: &'a mut C, stmts: &'a mut HashMap<String, Statement>) -> Self {
        Self { c, stmts }
    }

    fn prepared(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.c.prepare(sql)?;
        if self.stmts.len() >= MAX_STATEMENTS {
            self.stmts.clear();
        }
        self.stmts.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// The statements of the hot paths, each prepared once per connection.
pub(super) trait Sql {
    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, postgres::Error>;
    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, postgres::Error>;
    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, postgres::Error>;
}

impl<C: GenericClient> Sql for Db<'_, C> {
    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, postgres::Error> {
        let s = self.prepared(sql)?;
        self.c.execute(&s, params)
    }

    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.c.query(&s, params)
    }

    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.c.query_opt(&s, params)
    }
}
