//! The merged relational view: rewritten from each accepted document in the
//! same transaction, read by HR without loading any CRDT document.

use std::collections::BTreeMap;

use prestasi_core::doc::DocKind;
use prestasi_core::model::{AppraisalStatus, DocId};
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{
    AppraisalFilter, AppraisalRow, AppraisalView, ConflictRow, EmployeeRow, Projection, StorageError, TargetRow, View,
};

/// Write the view rows of one document, as computed by [`View::of`].
pub(super) fn project(
    c: &Connection,
    t: &str,
    id: &str,
    kind: DocKind,
    received_at: i64,
    p: &Projection,
) -> Result<(), StorageError> {
    match &p.view {
        View::Employee(e) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO employees (tenant_id, nip, doc_id, name, unit_id, superior_nip, rank, rank_since,
                     education, position_kind, functional_level, position_title, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    t,
                    e.nip,
                    id,
                    e.name,
                    e.unit_id,
                    e.superior_nip,
                    e.rank,
                    e.rank_since,
                    e.education,
                    e.position_kind,
                    e.functional_level,
                    e.position_title,
                    e.active
                ],
            )?;
        }
        View::Unit(u) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO units (tenant_id, id, doc_id, agency_id, agency_name, name, head_nip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t, u.id, id, u.agency_id, u.agency_name, u.name, u.head_nip],
            )?;
        }
        View::Appraisal(v) => appraisal(c, t, id, received_at, v)?,
        View::Feedback(f) => {
            let [u1, u2, u3, u4, u5, u6, u7, u8, u9] = f.scores;
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
                    f.submitted_at,
                    received_at,
                    f.officer_nip
                ],
            )?;
        }
        View::Training(x) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO trainings (tenant_id, doc_id, employee_nip, form, title, provider, start_date,
                     end_date, minutes, programme_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    t,
                    id,
                    x.employee_nip,
                    x.form,
                    x.title,
                    x.provider,
                    x.start_date,
                    x.end_date,
                    x.minutes,
                    x.programme_id
                ],
            )?;
        }
        View::Mentoring(m) => {
            super::exec(
                c,
                "INSERT OR REPLACE INTO mentoring (tenant_id, doc_id, mentor_nip, mentee_nip, unit_id, start_date, active,
                     sessions, minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    t,
                    id,
                    m.mentor_nip,
                    m.mentee_nip,
                    m.unit_id,
                    m.start_date,
                    m.active,
                    m.sessions,
                    i64::try_from(m.minutes).unwrap_or(i64::MAX)
                ],
            )?;
        }
        View::Nothing => {}
    }
    super::exec(c, "DELETE FROM conflicts WHERE tenant_id = ?1 AND doc_id = ?2", params![t, id])?;
    let mut ins = c.prepare_cached(
        "INSERT OR REPLACE INTO conflicts (tenant_id, doc_id, path, doc_kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for conflict in &p.conflicts {
        ins.execute(params![t, id, conflict.path, kind.as_str(), json(&conflict.values)])?;
    }
    Ok(())
}

fn appraisal(c: &Connection, t: &str, id: &str, received_at: i64, v: &AppraisalView) -> Result<(), StorageError> {
    let a = &v.fact;
    let behaviour: BTreeMap<&str, String> = a.behaviour.iter().map(|(k, r)| (k.key(), r.to_string())).collect();
    super::exec(
        c,
        "INSERT OR REPLACE INTO appraisals (tenant_id, doc_id, employee_nip, period, unit_id, appraiser_nip,
             reviewer_nip, status, hasil_kerja, perilaku, predikat, notes, updated_at, targets, targets_above,
             targets_below, innovations, behaviour, weak_targets)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            t,
            id,
            a.employee_nip,
            a.period,
            a.unit_id,
            a.appraiser_nip,
            a.reviewer_nip,
            a.status.as_str(),
            a.hasil_kerja.map(|r| r.to_string()),
            a.perilaku.map(|r| r.to_string()),
            a.predikat.map(|p| p.to_string()),
            v.notes,
            received_at,
            a.targets,
            a.targets_above,
            a.targets_below,
            a.innovations,
            json(&behaviour),
            json(&a.weak_targets)
        ],
    )?;
    for table in ["appraisal_targets", "appraisal_behaviour", "appraisal_innovations"] {
        super::exec(c, &format!("DELETE FROM {table} WHERE tenant_id = ?1 AND doc_id = ?2"), params![t, id])?;
    }
    let mut ins = c.prepare_cached(
        "INSERT INTO appraisal_targets (tenant_id, doc_id, position, target_id, indicator, target, realisation,
             unit, main, rating) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (i, x) in v.targets.iter().enumerate() {
        ins.execute(params![
            t,
            id,
            i as i64,
            x.target_id,
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
    for b in &v.behaviour {
        ins.execute(params![t, id, b.value.key(), b.rating.map(|r| r.to_string()), b.note])?;
    }
    let mut ins = c.prepare_cached(
        "INSERT OR REPLACE INTO appraisal_innovations (tenant_id, doc_id, item_id, what, date, effect)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for n in &v.innovations {
        ins.execute(params![t, id, n.item_id, n.what, n.date, n.effect])?;
    }
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A stored enum name back as its type; a name this build does not know is
/// a backend error, not a panic.
pub(super) fn parsed<T: std::str::FromStr>(s: &str) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.to_string().into())
    })
}

pub(super) fn parsed_opt<T: std::str::FromStr>(s: Option<String>) -> rusqlite::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    s.as_deref().map(parsed).transpose()
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
            status: parsed::<AppraisalStatus>(&r.get::<_, String>(6)?)?,
            hasil_kerja: parsed_opt(r.get(7)?)?,
            perilaku: parsed_opt(r.get(8)?)?,
            predikat: parsed_opt(r.get(9)?)?,
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
            rating: parsed_opt(r.get(6)?)?,
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
