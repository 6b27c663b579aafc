//! The merged relational view: rewritten from each accepted document in the
//! same transaction, read by HR without loading any CRDT document.

use std::collections::BTreeMap;

use postgres::GenericClient;
use prestasi_core::doc::DocKind;
use prestasi_core::model::{AppraisalStatus, DocId};

use super::db::Sql;
use super::{get, signed};
use crate::storage::{
    AppraisalFilter, AppraisalRow, AppraisalView, ConflictRow, EmployeeRow, Projection, StorageError, TargetRow, View,
};

/// Write the view rows of one document, as computed by [`View::of`].
pub(super) fn project(
    c: &mut impl Sql,
    t: &str,
    id: &str,
    kind: DocKind,
    received_at: i64,
    p: &Projection,
) -> Result<(), StorageError> {
    match &p.view {
        View::Employee(e) => {
            c.execute(
                "INSERT INTO employees (tenant_id, nip, doc_id, name, unit_id, superior_nip, rank, rank_since,
                     education, position_kind, functional_level, position_title, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (tenant_id, nip) DO UPDATE SET doc_id = excluded.doc_id, name = excluded.name,
                     unit_id = excluded.unit_id, superior_nip = excluded.superior_nip, rank = excluded.rank,
                     rank_since = excluded.rank_since, education = excluded.education,
                     position_kind = excluded.position_kind, functional_level = excluded.functional_level,
                     position_title = excluded.position_title, active = excluded.active",
                &[
                    &t,
                    &e.nip,
                    &id,
                    &e.name,
                    &e.unit_id,
                    &e.superior_nip,
                    &e.rank,
                    &e.rank_since,
                    &e.education,
                    &e.position_kind,
                    &e.functional_level,
                    &e.position_title,
                    &e.active,
                ],
            )?;
        }
        View::Unit(u) => {
            c.execute(
                "INSERT INTO units (tenant_id, id, doc_id, agency_id, agency_name, name, head_nip)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (tenant_id, id) DO UPDATE SET doc_id = excluded.doc_id, agency_id = excluded.agency_id,
                     agency_name = excluded.agency_name, name = excluded.name, head_nip = excluded.head_nip",
                &[&t, &u.id, &id, &u.agency_id, &u.agency_name, &u.name, &u.head_nip],
            )?;
        }
        View::Appraisal(v) => appraisal(c, t, id, received_at, v)?,
        View::Feedback(f) => {
            let [u1, u2, u3, u4, u5, u6, u7, u8, u9] = f.scores.map(i16::from);
            c.execute(
                "INSERT INTO feedback (tenant_id, doc_id, unit_id, service, u1, u2, u3, u4, u5, u6, u7, u8, u9,
                     minutes_waited, comment, channel, submitted_at, received_at, officer_nip)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                 ON CONFLICT (tenant_id, doc_id) DO UPDATE SET unit_id = excluded.unit_id,
                     service = excluded.service, u1 = excluded.u1, u2 = excluded.u2, u3 = excluded.u3,
                     u4 = excluded.u4, u5 = excluded.u5, u6 = excluded.u6, u7 = excluded.u7, u8 = excluded.u8,
                     u9 = excluded.u9, minutes_waited = excluded.minutes_waited, comment = excluded.comment,
                     channel = excluded.channel, submitted_at = excluded.submitted_at,
                     received_at = excluded.received_at, officer_nip = excluded.officer_nip",
                &[
                    &t,
                    &id,
                    &f.unit_id,
                    &f.service,
                    &u1,
                    &u2,
                    &u3,
                    &u4,
                    &u5,
                    &u6,
                    &u7,
                    &u8,
                    &u9,
                    &i64::from(f.minutes_waited),
                    &f.comment,
                    &f.channel.as_str(),
                    &f.submitted_at,
                    &received_at,
                    &f.officer_nip,
                ],
            )?;
        }
        View::Training(x) => {
            c.execute(
                "INSERT INTO trainings (tenant_id, doc_id, employee_nip, form, title, provider, start_date,
                     end_date, minutes, programme_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (tenant_id, doc_id) DO UPDATE SET employee_nip = excluded.employee_nip,
                     form = excluded.form, title = excluded.title, provider = excluded.provider,
                     start_date = excluded.start_date, end_date = excluded.end_date, minutes = excluded.minutes,
                     programme_id = excluded.programme_id",
                &[
                    &t,
                    &id,
                    &x.employee_nip,
                    &x.form,
                    &x.title,
                    &x.provider,
                    &x.start_date,
                    &x.end_date,
                    &i64::from(x.minutes),
                    &x.programme_id,
                ],
            )?;
        }
        View::Mentoring(m) => {
            c.execute(
                "INSERT INTO mentoring (tenant_id, doc_id, mentor_nip, mentee_nip, unit_id, start_date, active,
                     sessions, minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (tenant_id, doc_id) DO UPDATE SET mentor_nip = excluded.mentor_nip,
                     mentee_nip = excluded.mentee_nip, unit_id = excluded.unit_id, start_date = excluded.start_date,
                     active = excluded.active, sessions = excluded.sessions, minutes = excluded.minutes",
                &[
                    &t,
                    &id,
                    &m.mentor_nip,
                    &m.mentee_nip,
                    &m.unit_id,
                    &m.start_date,
                    &m.active,
                    &i64::from(m.sessions),
                    &signed(m.minutes),
                ],
            )?;
        }
        View::Nothing => {}
    }
    c.execute("DELETE FROM conflicts WHERE tenant_id = $1 AND doc_id = $2", &[&t, &id])?;
    if !p.conflicts.is_empty() {
        let paths: Vec<&str> = p.conflicts.iter().map(|x| x.path.as_str()).collect();
        let details: Vec<serde_json::Value> = p.conflicts.iter().map(|x| json(&x.values)).collect();
        // One statement; for a path given twice the last one stays, as a
        // replacing insert would leave it.
        c.execute(
            "INSERT INTO conflicts (tenant_id, doc_id, path, doc_kind, detail)
             SELECT DISTINCT ON (path) $1, $2, path, $3, detail
             FROM unnest($4::text[], $5::jsonb[]) WITH ORDINALITY AS x (path, detail, n)
             ORDER BY path, n DESC",
            &[&t, &id, &kind.as_str(), &paths, &details],
        )?;
    }
    Ok(())
}

fn appraisal(c: &mut impl Sql, t: &str, id: &str, received_at: i64, v: &AppraisalView) -> Result<(), StorageError> {
    let a = &v.fact;
    let behaviour: BTreeMap<&str, String> = a.behaviour.iter().map(|(k, r)| (k.key(), r.to_string())).collect();
    c.execute(
        "INSERT INTO appraisals (tenant_id, doc_id, employee_nip, period, unit_id, appraiser_nip,
             reviewer_nip, status, hasil_kerja, perilaku, predikat, notes, updated_at, targets, targets_above,
             targets_below, innovations, behaviour, weak_targets)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT (tenant_id, doc_id) DO UPDATE SET employee_nip = excluded.employee_nip,
             period = excluded.period, unit_id = excluded.unit_id, appraiser_nip = excluded.appraiser_nip,
             reviewer_nip = excluded.reviewer_nip, status = excluded.status, hasil_kerja = excluded.hasil_kerja,
             perilaku = excluded.perilaku, predikat = excluded.predikat, notes = excluded.notes,
             updated_at = excluded.updated_at, targets = excluded.targets, targets_above = excluded.targets_above,
             targets_below = excluded.targets_below, innovations = excluded.innovations,
             behaviour = excluded.behaviour, weak_targets = excluded.weak_targets",
        &[
            &t,
            &id,
            &a.employee_nip,
            &a.period,
            &a.unit_id,
            &a.appraiser_nip,
            &a.reviewer_nip,
            &a.status.as_str(),
            &a.hasil_kerja.map(|r| r.to_string()),
            &a.perilaku.map(|r| r.to_string()),
            &a.predikat.map(|p| p.to_string()),
            &v.notes,
            &received_at,
            &i64::from(a.targets),
            &i64::from(a.targets_above),
            &i64::from(a.targets_below),
            &i64::from(a.innovations),
            &json(&behaviour),
            &a.weak_targets,
        ],
    )?;
    for table in ["appraisal_targets", "appraisal_behaviour", "appraisal_innovations"] {
        c.execute(&format!("DELETE FROM {table} WHERE tenant_id = $1 AND doc_id = $2"), &[&t, &id])?;
    }
    // Each child table in one statement, its rows as arrays.
    if !v.targets.is_empty() {
        let col = |f: fn(&TargetRow) -> String| v.targets.iter().map(f).collect::<Vec<_>>();
        let (ids, indicators, units) =
            (col(|x| x.target_id.clone()), col(|x| x.indicator.clone()), col(|x| x.unit.clone()));
        let targets: Vec<f64> = v.targets.iter().map(|x| x.target).collect();
        let realisations: Vec<Option<f64>> = v.targets.iter().map(|x| x.realisation).collect();
        let mains: Vec<bool> = v.targets.iter().map(|x| x.main).collect();
        let ratings: Vec<Option<String>> = v.targets.iter().map(|x| x.rating.map(|r| r.to_string())).collect();
        c.execute(
            "INSERT INTO appraisal_targets (tenant_id, doc_id, position, target_id, indicator, target, realisation,
                 unit, main, rating)
             SELECT $1, $2, n - 1, target_id, indicator, target, realisation, unit, main, rating
             FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::bool[], $9::text[])
                 WITH ORDINALITY AS x (target_id, indicator, target, realisation, unit, main, rating, n)",
            &[&t, &id, &ids, &indicators, &targets, &realisations, &units, &mains, &ratings],
        )?;
    }
    if !v.behaviour.is_empty() {
        let values: Vec<&str> = v.behaviour.iter().map(|b| b.value.key()).collect();
        let ratings: Vec<Option<String>> = v.behaviour.iter().map(|b| b.rating.map(|r| r.to_string())).collect();
        let notes: Vec<Option<&str>> = v.behaviour.iter().map(|b| b.note.as_deref()).collect();
        c.execute(
            "INSERT INTO appraisal_behaviour (tenant_id, doc_id, value, rating, note)
             SELECT $1, $2, value, rating, note FROM unnest($3::text[], $4::text[], $5::text[]) AS x (value, rating, note)",
            &[&t, &id, &values, &ratings, &notes],
        )?;
    }
    if !v.innovations.is_empty() {
        let col = |f: fn(&crate::storage::InnovationRow) -> &str| v.innovations.iter().map(f).collect::<Vec<_>>();
        let (items, whats, dates, effects) = (
            col(|n| n.item_id.as_str()),
            col(|n| n.what.as_str()),
            col(|n| n.date.as_str()),
            col(|n| n.effect.as_str()),
        );
        // For an item id given twice the last one stays, as a replacing
        // insert would leave it.
        c.execute(
            "INSERT INTO appraisal_innovations (tenant_id, doc_id, item_id, what, date, effect)
             SELECT DISTINCT ON (item_id) $1, $2, item_id, what, date, effect
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x (item_id, what, date, effect, n)
             ORDER BY item_id, n DESC",
            &[&t, &id, &items, &whats, &dates, &effects],
        )?;
    }
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// A stored enum name back as its type; a name this build does not know is
/// a backend error, not a panic.
pub(super) fn parsed<T: std::str::FromStr>(s: &str) -> Result<T, StorageError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| StorageError::Backend(format!("stored value {s:?}: {e}")))
}

pub(super) fn parsed_opt<T: std::str::FromStr>(s: Option<&str>) -> Result<Option<T>, StorageError>
where
    T::Err: std::fmt::Display,
{
    s.map(parsed).transpose()
}

fn employee_row(r: &postgres::Row) -> Result<EmployeeRow, StorageError> {
    Ok(EmployeeRow {
        nip: get(r, 0)?,
        doc_id: get(r, 1)?,
        name: get(r, 2)?,
        unit_id: get(r, 3)?,
        superior_nip: get(r, 4)?,
        active: get(r, 5)?,
    })
}

const EMPLOYEE_COLUMNS: &str = "nip, doc_id, name, unit_id, superior_nip, active";

pub(super) fn employee(c: &mut impl Sql, tenant: &str, nip: &str) -> Result<Option<EmployeeRow>, StorageError> {
    let sql = format!("SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE tenant_id = $1 AND nip = $2");
    c.query_opt(&sql, &[&tenant, &nip])?.as_ref().map(employee_row).transpose()
}

pub(super) fn employees(
    c: &mut impl GenericClient,
    tenant: &str,
    unit: Option<&str>,
) -> Result<Vec<EmployeeRow>, StorageError> {
    let rows = match unit {
        Some(u) => c.query(
            &format!(
                "SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE tenant_id = $1 AND unit_id = $2 ORDER BY name, nip"
            ),
            &[&tenant, &u],
        )?,
        None => c.query(
            &format!("SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE tenant_id = $1 ORDER BY name, nip"),
            &[&tenant],
        )?,
    };
    rows.iter().map(employee_row).collect()
}

pub(super) fn appraisals(
    c: &mut impl GenericClient,
    tenant: &str,
    f: &AppraisalFilter,
) -> Result<Vec<AppraisalRow>, StorageError> {
    let rows = c.query(
        "SELECT doc_id, employee_nip, period, unit_id, appraiser_nip, reviewer_nip, status, hasil_kerja, perilaku,
                predikat, notes
         FROM appraisals WHERE tenant_id = $1 AND ($2::text IS NULL OR period = $2)
             AND ($3::text IS NULL OR unit_id = $3)
         ORDER BY period, unit_id, employee_nip, doc_id",
        &[&tenant, &f.period, &f.unit],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AppraisalRow {
                doc_id: get(r, 0)?,
                employee_nip: get(r, 1)?,
                period: get(r, 2)?,
                unit_id: get(r, 3)?,
                appraiser_nip: get(r, 4)?,
                reviewer_nip: get(r, 5)?,
                status: parsed::<AppraisalStatus>(get(r, 6)?)?,
                hasil_kerja: parsed_opt(get(r, 7)?)?,
                perilaku: parsed_opt(get(r, 8)?)?,
                predikat: parsed_opt(get(r, 9)?)?,
                notes: get(r, 10)?,
            })
        })
        .collect()
}

pub(super) fn appraisal_targets(
    c: &mut impl GenericClient,
    tenant: &str,
    doc: DocId,
) -> Result<Vec<TargetRow>, StorageError> {
    let rows = c.query(
        "SELECT target_id, indicator, target, realisation, unit, main, rating FROM appraisal_targets
         WHERE tenant_id = $1 AND doc_id = $2 ORDER BY position",
        &[&tenant, &doc.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            Ok(TargetRow {
                target_id: get(r, 0)?,
                indicator: get(r, 1)?,
                target: get(r, 2)?,
                realisation: get(r, 3)?,
                unit: get(r, 4)?,
                main: get(r, 5)?,
                rating: parsed_opt(get(r, 6)?)?,
            })
        })
        .collect()
}

pub(super) fn feedback_count(
    c: &mut impl GenericClient,
    tenant: &str,
    unit: Option<&str>,
) -> Result<u64, StorageError> {
    let row = match unit {
        Some(u) => {
            c.query_one("SELECT count(*) FROM feedback WHERE tenant_id = $1 AND unit_id = $2", &[&tenant, &u])?
        }
        None => c.query_one("SELECT count(*) FROM feedback WHERE tenant_id = $1", &[&tenant])?,
    };
    Ok(u64::try_from(get::<i64>(&row, 0)?).unwrap_or(0))
}

pub(super) fn conflicts(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<ConflictRow>, StorageError> {
    let rows = c.query(
        "SELECT doc_id, doc_kind, path, detail FROM conflicts WHERE tenant_id = $1 ORDER BY doc_id, path",
        &[&tenant],
    )?;
    rows.iter()
        .map(|r| Ok(ConflictRow { doc_id: get(r, 0)?, kind: get(r, 1)?, path: get(r, 2)?, values: get(r, 3)? }))
        .collect()
}
