//! The merged relational view: rewritten from each accepted document in the
//! same transaction, read by HR without loading any CRDT document.

use std::collections::BTreeMap;

use prestasi_core::model::{Appraisal, DocId, PositionKind};
use prestasi_core::rules::Rating;
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{
    AppraisalFilter, AppraisalRow, ConflictRow, DocWrite, EmployeeRow, Record, StorageError, TargetRow,
};

pub(super) fn project(c: &Connection, w: &DocWrite) -> Result<(), StorageError> {
    let (t, id) = (w.tenant.as_str(), w.id.to_string());
    match &w.record {
        Record::Employee(e) => {
            let (kind, level) = match e.position {
                PositionKind::Fungsional(l) => ("Fungsional".to_string(), Some(l.to_string())),
                other => (format!("{other:?}"), None),
            };
            super::exec(
                c,
                "INSERT OR REPLACE INTO employees (tenant_id, nip, doc_id, name, unit_id, superior_nip, rank, rank_since,
                     education, position_kind, functional_level, position_title, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    t,
                    e.nip.as_str(),
                    id,
                    e.name,
                    e.unit_id,
                    e.superior_nip.as_ref().map(|n| n.as_str()),
                    e.rank.map(|r| r.to_string()),
                    e.rank_since,
                    e.education.map(|x| x.to_string()),
                    kind,
                    level,
                    e.position_title,
                    e.active
                ],
            )?;
        }
        Record::Unit(u) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO units (tenant_id, id, doc_id, agency_id, agency_name, name, head_nip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t, u.id, id, u.agency_id, u.agency_name, u.name, u.head_nip.as_ref().map(|n| n.as_str())],
            )?;
        }
        Record::Appraisal(a) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO appraisals (tenant_id, doc_id, employee_nip, period, unit_id, appraiser_nip,
                     reviewer_nip, status, hasil_kerja, perilaku, predikat, notes, updated_at, targets, targets_above,
                     targets_below, innovations, behaviour, weak_targets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                params![
                    t,
                    id,
                    a.employee_nip.as_str(),
                    a.period,
                    a.unit_id,
                    a.appraiser_nip.as_str(),
                    a.reviewer_nip.as_ref().map(|n| n.as_str()),
                    a.status.as_str(),
                    a.hasil_kerja.map(|r| r.to_string()),
                    a.perilaku.map(|r| r.to_string()),
                    a.predikat().map(|p| p.to_string()),
                    a.notes,
                    w.received_at,
                    a.targets.len() as i64,
                    rated(a, Rating::DiAtasEkspektasi).count() as i64,
                    rated(a, Rating::DiBawahEkspektasi).count() as i64,
                    a.innovations.len() as i64,
                    json(&a.behaviour.iter().map(|(v, r)| (v.key(), r.to_string())).collect::<BTreeMap<_, _>>()),
                    json(&rated(a, Rating::DiBawahEkspektasi).map(|t| t.indicator.as_str()).collect::<Vec<_>>())
                ],
            )?;
            for table in ["appraisal_targets", "appraisal_behaviour", "appraisal_innovations"] {
                super::exec(c, &format!("DELETE FROM {table} WHERE tenant_id = ?1 AND doc_id = ?2"), params![t, id])?;
            }
            let mut ins = c.prepare_cached(
                "INSERT INTO appraisal_targets (tenant_id, doc_id, position, target_id, indicator, target, realisation,
                     unit, main, rating) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (i, x) in a.targets.iter().enumerate() {
                ins.execute(params![
                    t,
                    id,
                    i as i64,
                    x.id,
                    x.indicator,
                    x.target,
                    x.realisation,
                    x.unit,
                    x.main,
                    x.rating.map(|r| r.to_string())
                ])?;
            }
            let mut ins = c.prepare_cached(
                "INSERT INTO appraisal_behaviour (tenant_id, doc_id, value, rating, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for v in prestasi_core::model::BehaviourValue::ALL {
                let (rating, note) = (a.behaviour.get(&v), a.behaviour_notes.get(&v));
                if rating.is_some() || note.is_some() {
                    ins.execute(params![t, id, v.key(), rating.map(|r| r.to_string()), note])?;
                }
            }
            let mut ins = c.prepare_cached(
                "INSERT OR REPLACE INTO appraisal_innovations (tenant_id, doc_id, item_id, what, date, effect)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for n in &a.innovations {
                ins.execute(params![t, id, n.id, n.what, n.date.to_string(), n.effect])?;
            }
        }
        Record::Feedback(f) => {
            let [u1, u2, u3, u4, u5, u6, u7, u8, u9] = f.scores.as_array();
            super::exec(
                c,
                "INSERT OR REPLACE INTO feedback (tenant_id, doc_id, unit_id, service, u1, u2, u3, u4, u5, u6, u7, u8, u9,
                     minutes_waited, comment, channel, submitted_at, received_at, officer_nip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                params![
                    t,
                    id,
                    f.unit_id,
                    f.service,
                    u1,
                    u2,
                    u3,
                    u4,
                    u5,
                    u6,
                    u7,
                    u8,
                    u9,
                    f.minutes_waited,
                    f.comment,
                    f.channel.as_str(),
                    prestasi_core::model::time::format_timestamp(&f.submitted_at),
                    w.received_at,
                    f.officer_nip.as_ref().map(|n| n.as_str())
                ],
            )?;
        }
        Record::Training(x) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO trainings (tenant_id, doc_id, employee_nip, form, title, provider, start_date,
                     end_date, minutes, programme_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    t,
                    id,
                    x.employee_nip.as_str(),
                    x.form.to_string(),
                    x.title,
                    x.provider,
                    x.start.to_string(),
                    x.end.to_string(),
                    x.minutes,
                    x.programme_id
                ],
            )?;
        }
        Record::Mentoring(m) => {
            let minutes: u64 = m.sessions.iter().map(|s| u64::from(s.minutes)).sum();
            super::exec(
                c,
                "INSERT OR REPLACE INTO mentoring (tenant_id, doc_id, mentor_nip, mentee_nip, unit_id, start_date, active,
                     sessions, minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    t,
                    id,
                    m.mentor_nip.as_str(),
                    m.mentee_nip.as_str(),
                    m.unit_id,
                    m.start.to_string(),
                    m.active,
                    m.sessions.len() as i64,
                    minutes as i64
                ],
            )?;
        }
        Record::Allowance(a) => decision(c, t, &id, "allowance", a.employee_nip.as_str(), &a.period, &json(a))?,
        Record::Award(a) => decision(c, t, &id, "award", a.employee_nip.as_str(), &a.period, &json(a))?,
    }
    super::exec(c, "DELETE FROM conflicts WHERE tenant_id = ?1 AND doc_id = ?2", params![t, id])?;
    let mut ins = c.prepare_cached(
        "INSERT INTO conflicts (tenant_id, doc_id, path, doc_kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for conflict in &w.conflicts {
        ins.execute(params![t, id, conflict.path, w.kind.as_str(), json(&conflict.values)])?;
    }
    Ok(())
}

/// The appraisal's targets rated `r`.
fn rated(a: &Appraisal, r: Rating) -> impl Iterator<Item = &prestasi_core::model::SkpTarget> {
    a.targets.iter().filter(move |t| t.rating == Some(r))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn decision(
    c: &Connection,
    t: &str,
    id: &str,
    kind: &str,
    nip: &str,
    period: &str,
    detail: &str,
) -> Result<(), StorageError> {
    super::exec(
        c,
        "INSERT OR REPLACE INTO decisions (tenant_id, doc_id, kind, employee_nip, period, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![t, id, kind, nip, period, detail],
    )?;
    Ok(())
}

fn employee_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EmployeeRow> {
    Ok(EmployeeRow {
        nip: r.get(0)?,
        doc_id: r.get(1)?,
        name: r.get(2)?,
        unit_id: r.get(3)?,
        superior_nip: r.get(4)?,
        active: r.get(5)?,
    })
}

const EMPLOYEE_COLUMNS: &str = "nip, doc_id, name, unit_id, superior_nip, active";

pub(super) fn employee(c: &Connection, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
    let sql = format!("SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE tenant_id = ?1 AND nip = ?2");
    Ok(c.query_row(&sql, params![tenant, nip], employee_row).optional()?)
}

pub(super) fn employees(c: &Connection, tenant: &str, unit: Option<&str>) -> Result<Vec<EmployeeRow>, StorageError> {
    let sql = format!(
        "SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE tenant_id = ?1 AND (?2 IS NULL OR unit_id = ?2) ORDER BY name, nip"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![tenant, unit], employee_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn appraisals(c: &Connection, tenant: &str, f: &AppraisalFilter) -> Result<Vec<AppraisalRow>, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT doc_id, employee_nip, period, unit_id, appraiser_nip, reviewer_nip, status, hasil_kerja, perilaku,
                predikat, notes
         FROM appraisals WHERE tenant_id = ?1 AND (?2 IS NULL OR period = ?2) AND (?3 IS NULL OR unit_id = ?3)
         ORDER BY period, unit_id, employee_nip",
    )?;
    let rows = stmt.query_map(params![tenant, f.period, f.unit], |r| {
        Ok(AppraisalRow {
            doc_id: r.get(0)?,
            employee_nip: r.get(1)?,
            period: r.get(2)?,
            unit_id: r.get(3)?,
            appraiser_nip: r.get(4)?,
            reviewer_nip: r.get(5)?,
            status: r.get(6)?,
            hasil_kerja: r.get(7)?,
            perilaku: r.get(8)?,
            predikat: r.get(9)?,
            notes: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn appraisal_targets(c: &Connection, tenant: &str, doc: DocId) -> Result<Vec<TargetRow>, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT target_id, indicator, target, realisation, unit, main, rating FROM appraisal_targets
         WHERE tenant_id = ?1 AND doc_id = ?2 ORDER BY position",
    )?;
    let rows = stmt.query_map(params![tenant, doc.to_string()], |r| {
        Ok(TargetRow {
            target_id: r.get(0)?,
            indicator: r.get(1)?,
            target: r.get(2)?,
            realisation: r.get(3)?,
            unit: r.get(4)?,
            main: r.get(5)?,
            rating: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn feedback_count(c: &Connection, tenant: &str, unit: Option<&str>) -> Result<u64, StorageError> {
    let n: i64 = c.query_row(
        "SELECT count(*) FROM feedback WHERE tenant_id = ?1 AND (?2 IS NULL OR unit_id = ?2)",
        params![tenant, unit],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn conflicts(c: &Connection, tenant: &str) -> Result<Vec<ConflictRow>, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT doc_id, doc_kind, path, detail FROM conflicts WHERE tenant_id = ?1 ORDER BY doc_id, path",
    )?;
    let rows = stmt.query_map(params![tenant], |r| {
        let detail: String = r.get(3)?;
        Ok(ConflictRow {
            doc_id: r.get(0)?,
            kind: r.get(1)?,
            path: r.get(2)?,
            values: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
