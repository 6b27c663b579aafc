//! Rebuilding the merged view from the documents, when the view's
//! definition ([`View::of`](crate::storage::View::of)) changed: the one place
//! stored data gets new derived values, in Rust — never in a migration.

use prestasi_core::doc::{DocKind, Document};
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Training, Unit};

use super::Merged;
use crate::storage::{Storage, StorageError, StoredDoc};

/// Bump when [`crate::storage::View::of`] or the read keys change: every
/// stored document is projected again at the next start.
pub const VIEW_VERSION: u32 = 1;
const VERSION_KEY: &str = "view.version";
/// Documents re-projected per write transaction.
const BATCH: usize = 500;

/// Re-project every document if the stored view is older than this build's.
/// Returns how many documents were re-projected.
pub fn reproject_if_stale(storage: &dyn Storage) -> Result<u64, StorageError> {
    let stored = storage.meta(VERSION_KEY)?.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    if stored >= VIEW_VERSION {
        return Ok(0);
    }
    let mut done = 0;
    for tenant in storage.tenants()? {
        let mut after = None;
        loop {
            let ids = storage.doc_ids(&tenant.id, after, BATCH)?;
            let Some(last) = ids.last().copied() else { break };
            storage.write(&mut |tx| {
                for id in &ids {
                    let Some(doc) = tx.load(&tenant.id, *id)? else { continue };
                    match projection_of(*id, &doc) {
                        Ok(p) => tx.reproject(&tenant.id, *id, doc.kind, doc.updated_at, &p)?,
                        // Unreadable bytes cannot be re-projected by anyone:
                        // keep the rows it has and say so, but start.
                        Err(e) => tracing::warn!(tenant = %tenant.id, %id, error = %e, "document not re-projected"),
                    }
                }
                Ok(())
            })?;
            done += ids.len() as u64;
            after = Some(last);
        }
    }
    storage.set_meta(VERSION_KEY, &VIEW_VERSION.to_string())?;
    if done > 0 {
        tracing::info!(documents = done, version = VIEW_VERSION, "merged view rebuilt from the documents");
    }
    Ok(done)
}

fn projection_of(id: DocId, doc: &StoredDoc) -> Result<crate::storage::Projection, StorageError> {
    fn typed<T: Merged>(id: DocId, bytes: &[u8]) -> Result<crate::storage::Projection, StorageError> {
        let mut d = Document::<T>::load(id, bytes).map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?;
        let value = d.value().map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?;
        Ok(super::projection(id, &value.into_record(), d.conflicts()))
    }
    match doc.kind {
        DocKind::Employee => typed::<Employee>(id, &doc.bytes),
        DocKind::Unit => typed::<Unit>(id, &doc.bytes),
        DocKind::Appraisal => typed::<Appraisal>(id, &doc.bytes),
        DocKind::Feedback => typed::<Feedback>(id, &doc.bytes),
        DocKind::Training => typed::<Training>(id, &doc.bytes),
        DocKind::Mentoring => typed::<Mentoring>(id, &doc.bytes),
        DocKind::Allowance => typed::<Allowance>(id, &doc.bytes),
        DocKind::Award => typed::<Award>(id, &doc.bytes),
    }
}
