//! WAL checkpoints off the write path.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses its
//! page threshold, while the writer holds the one write lock: every other
//! device's push waits for pages being copied into the database file (7 %
//! of the server's CPU in the D = 200 profile, docs/PERFORMANCE.md). Here the
//! writer never checkpoints on its own; a thread with its own connection
//! copies passively (readers and the writer carry on) after every
//! [`PASSIVE_EVERY`] commits and when idle. Restarting the WAL, which
//! passive checkpoints never do under constant reads, stays with the writer
//! ([`SqliteStorage::write`](super::SqliteStorage)): a `RESTART` from this
//! connection takes the write lock and waits for readers, and a writer whose
//! deferred transaction already reads would then wait for it — SQLite
//! breaks that deadlock by failing the writer with "database is locked".
//! Durability is the commit's: a checkpoint only moves pages already safe in
//! the WAL.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::storage::StorageError;

/// Commits between two passive checkpoints.
const PASSIVE_EVERY: u64 = 32;
/// A quiet server still checkpoints this often.
const IDLE: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(super) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start the thread on the database at `path`; the caller's own
    /// connections must have `wal_autocheckpoint = 0`.
    pub(super) fn start(path: &Path) -> Result<Self, StorageError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let (wake, asked) = sync_channel(4);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &asked))
            .map_err(|e| StorageError::Backend(format!("checkpoint thread: {e}")))?;
        Ok(Self { wake: Some(wake), thread: Some(thread) })
    }

    /// Called after commit number `n`.
    pub(super) fn committed(&self, n: u64) {
        if !n.is_multiple_of(PASSIVE_EVERY) {
            return;
        }
        if let Some(wake) = &self.wake {
            // A full queue means checkpoints are already on their way.
            if let Err(TrySendError::Disconnected(_)) = wake.try_send(()) {
                tracing::warn!("the checkpoint thread has stopped");
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake = None; // disconnects: the thread ends
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: &Connection, asked: &Receiver<()>) {
    loop {
        match asked.recv_timeout(IDLE) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0)) {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}
