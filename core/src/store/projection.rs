//! Projection rows: the columns offline queries need, derived from each
//! document and rewritten in the same transaction as every write of it.

use rusqlite::{Connection, params};

use crate::doc::Record;
use crate::model::{Allowance, Appraisal, Award, Employee, Feedback, Mentoring, PositionKind, Training, Unit};

/// A record the store can hold: a [`Record`] with its projection.
pub trait Stored: Record {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()>;
}

impl Stored for Employee {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        let position = match self.position {
            PositionKind::Fungsional(level) => format!("Fungsional:{level}"),
            other => format!("{other:?}"),
        };
        super::exec(
            conn,
            "INSERT OR REPLACE INTO employees (doc_id, nip, name, unit_id, superior_nip, position, rank, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                doc_id,
                self.nip.as_str(),
                self.name,
                self.unit_id,
                self.superior_nip.as_ref().map(|n| n.as_str()),
                position,
                self.rank.map(|r| r.to_string()),
                self.active
            ],
        )?;
        Ok(())
    }
}

impl Stored for Unit {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        super::exec(
            conn,
            "INSERT OR REPLACE INTO units (doc_id, unit_id, agency_id, name, head_nip) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![doc_id, self.id, self.agency_id, self.name, self.head_nip.as_ref().map(|n| n.as_str())],
        )?;
        Ok(())
    }
}

impl Stored for Appraisal {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        super::exec(
            conn,
            "INSERT OR REPLACE INTO appraisals
                 (doc_id, employee_nip, period, unit_id, appraiser_nip, reviewer_nip, status, predikat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                doc_id,
                self.employee_nip.as_str(),
                self.period,
                self.unit_id,
                self.appraiser_nip.as_str(),
                self.reviewer_nip.as_ref().map(|n| n.as_str()),
                self.status.as_str(),
                self.predikat().map(|p| p.to_string())
            ],
        )?;
        Ok(())
    }
}

impl Stored for Feedback {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        super::exec(
            conn,
            "INSERT OR REPLACE INTO feedback (doc_id, unit_id, service, submitted_at, officer_nip)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                doc_id,
                self.unit_id,
                self.service,
                crate::model::time::format_timestamp(&self.submitted_at),
                self.officer_nip.as_ref().map(|n| n.as_str())
            ],
        )?;
        Ok(())
    }
}

impl Stored for Training {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        super::exec(
            conn,
            "INSERT OR REPLACE INTO trainings (doc_id, employee_nip, form, start_date, end_date, minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                doc_id,
                self.employee_nip.as_str(),
                self.form.to_string(),
                self.start.to_string(),
                self.end.to_string(),
                self.minutes
            ],
        )?;
        Ok(())
    }
}

impl Stored for Mentoring {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        super::exec(
            conn,
            "INSERT OR REPLACE INTO mentoring (doc_id, mentor_nip, mentee_nip, unit_id, active, sessions)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                doc_id,
                self.mentor_nip.as_str(),
                self.mentee_nip.as_str(),
                self.unit_id,
                self.active,
                self.sessions.len() as i64
            ],
        )?;
        Ok(())
    }
}

impl Stored for Allowance {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        let summary = format!("{} {}%", self.predikat, self.percent);
        decision(conn, doc_id, "allowance", self.employee_nip.as_str(), &self.period, &summary)
    }
}

impl Stored for Award {
    fn project(&self, conn: &Connection, doc_id: &str) -> rusqlite::Result<()> {
        decision(conn, doc_id, "award", self.employee_nip.as_str(), &self.period, &self.reason)
    }
}

fn decision(
    conn: &Connection,
    doc_id: &str,
    kind: &str,
    nip: &str,
    period: &str,
    summary: &str,
) -> rusqlite::Result<()> {
    super::exec(
        conn,
        "INSERT OR REPLACE INTO decisions (doc_id, kind, employee_nip, period, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![doc_id, kind, nip, period, summary],
    )?;
    Ok(())
}
