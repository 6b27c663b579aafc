//! The offline queries a tablet needs, answered from projection rows.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError};
use crate::model::{AppraisalStatus, DocId};

/// One of my staff, with their appraisal for the period if it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    pub nip: String,
    pub name: String,
    pub unit_id: String,
    pub appraisal: Option<AppraisalSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppraisalSummary {
    pub id: DocId,
    pub employee_nip: String,
    pub period: String,
    pub status: AppraisalStatus,
    /// Derived from the two overall ratings, once both are set.
    pub predikat: Option<String>,
    pub local_changes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackSummary {
    pub id: DocId,
    pub unit_id: String,
    pub service: String,
    pub submitted_at: String,
}

type AppraisalRow = (String, String, String, String, Option<String>, bool);

fn summary(row: AppraisalRow) -> Result<AppraisalSummary, StoreError> {
    let (id, employee_nip, period, status, predikat, local_changes) = row;
    Ok(AppraisalSummary {
        id: id.parse()?,
        employee_nip,
        period,
        status: AppraisalStatus::parse(&status)?,
        predikat,
        local_changes,
    })
}

impl Store {
    /// Active staff whose direct superior is `superior_nip`, each with their
    /// appraisal in `period` (if started), ordered by name.
    pub fn my_staff(&self, superior_nip: &str, period: &str) -> Result<Vec<StaffMember>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT e.nip, e.name, e.unit_id, a.doc_id, a.period, a.status, a.predikat, d.local_changes
             FROM employees e
             LEFT JOIN appraisals a ON a.employee_nip = e.nip AND a.period = ?2
             LEFT JOIN documents d ON d.id = a.doc_id
             WHERE e.superior_nip = ?1 AND e.active = 1
             ORDER BY e.name, e.nip",
        )?;
        let rows = stmt.query_map(params![superior_nip, period], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<bool>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (nip, name, unit_id, doc, period, status, predikat, local) = row?;
            let appraisal = match (doc, period, status) {
                (Some(id), Some(period), Some(status)) => {
                    Some(summary((id, nip.clone(), period, status, predikat, local.unwrap_or(false)))?)
                }
                _ => None,
            };
            out.push(StaffMember { nip, name, unit_id, appraisal });
        }
        Ok(out)
    }

    /// The roster entry of `nip`, if this device holds it.
    pub fn employee(&self, nip: &str) -> Result<Option<(DocId, crate::model::Employee)>, StoreError> {
        let doc: Option<String> = {
            let conn = self.lock();
            conn.query_row("SELECT doc_id FROM employees WHERE nip = ?1", [nip], |r| r.get(0)).optional()?
        };
        match doc {
            Some(id) => {
                let id: DocId = id.parse()?;
                Ok(Some((id, self.get::<crate::model::Employee>(id)?)))
            }
            None => Ok(None),
        }
    }

    /// Appraisals in `status`, optionally of one period.
    pub fn appraisals_by_status(
        &self,
        status: AppraisalStatus,
        period: Option<&str>,
    ) -> Result<Vec<AppraisalSummary>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT a.doc_id, a.employee_nip, a.period, a.status, a.predikat, d.local_changes
             FROM appraisals a JOIN documents d ON d.id = a.doc_id
             WHERE a.status = ?1 AND (?2 IS NULL OR a.period = ?2)
             ORDER BY a.period, a.employee_nip",
        )?;
        let rows = stmt.query_map(params![status.as_str(), period], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.map(|r| summary(r?)).collect()
    }

    /// How many documents hold changes the server has not acknowledged.
    pub fn unsynced_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.lock().query_row("SELECT count(*) FROM documents WHERE local_changes = 1", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Citizen feedback recorded here and not yet acknowledged by the server.
    pub fn feedback_awaiting_upload(&self) -> Result<Vec<FeedbackSummary>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT f.doc_id, f.unit_id, f.service, f.submitted_at
             FROM feedback f JOIN documents d ON d.id = f.doc_id
             WHERE d.local_changes = 1 ORDER BY f.submitted_at, f.doc_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, unit_id, service, submitted_at) = row?;
            out.push(FeedbackSummary { id: id.parse()?, unit_id, service, submitted_at });
        }
        Ok(out)
    }
}
