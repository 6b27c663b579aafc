//! Report reads over the merged view. Each query reads one index range and
//! lets the database count and sum (see migrations/0001_init.sql);
//! decisions stay in the report code. Sums of `bigint` columns are
//! `numeric` in PostgreSQL: they are cast back to `bigint`.

use std::collections::{BTreeMap, HashSet};

use postgres::types::ToSql;
use postgres::{GenericClient, Row};
use prestasi_core::model::{AppraisalStatus, BehaviourValue};
use prestasi_core::rules::Rating;

use super::merged::{parsed, parsed_opt};
use super::{big, count, get};
use crate::storage::{
    AppraisalFact, CommentRow, FeedbackSums, InnovationRow, MentoringRow, PredikatRow, RatingsRow, StaffRow,
    StorageError, TrainingRow, UnitRow, WaitingRow, Window,
};

/// Every row of `sql`, each made by `f`.
pub(super) fn all<T>(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    f: impl FnMut(&Row) -> Result<T, StorageError>,
) -> Result<Vec<T>, StorageError> {
    c.query(sql, params)?.iter().map(f).collect()
}

pub(super) fn units(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<UnitRow>, StorageError> {
    all(
        c,
        "SELECT id, agency_id, agency_name, name, head_nip FROM units WHERE tenant_id = $1
         ORDER BY agency_name, name, id",
        &[&tenant],
        |r| {
            Ok(UnitRow {
                id: get(r, 0)?,
                agency_id: get(r, 1)?,
                agency_name: get(r, 2)?,
                name: get(r, 3)?,
                head_nip: get(r, 4)?,
            })
        },
    )
}

pub(super) fn staff(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<StaffRow>, StorageError> {
    all(
        c,
        "SELECT nip, name, unit_id, superior_nip, rank, rank_since, education, position_kind, functional_level,
                position_title, active
         FROM employees WHERE tenant_id = $1 ORDER BY nip",
        &[&tenant],
        |r| {
            Ok(StaffRow {
                nip: get(r, 0)?,
                name: get(r, 1)?,
                unit_id: get(r, 2)?,
                superior_nip: get(r, 3)?,
                rank: get(r, 4)?,
                rank_since: get(r, 5)?,
                education: get(r, 6)?,
                position_kind: get(r, 7)?,
                functional_level: get(r, 8)?,
                position_title: get(r, 9)?,
                active: get(r, 10)?,
            })
        },
    )
}

/// The evidence counts and ratings are kept on the appraisal row by the
/// projection: one row per appraisal, no child-table probes.
const FACT_SELECT: &str = "SELECT a.doc_id, a.employee_nip, a.period, a.unit_id, a.appraiser_nip, a.reviewer_nip,
        a.status, a.hasil_kerja, a.perilaku, a.predikat, a.targets, a.targets_above, a.targets_below,
        a.innovations, a.behaviour::text, a.weak_targets
    FROM appraisals a";

fn fact(r: &Row) -> Result<AppraisalFact, StorageError> {
    Ok(AppraisalFact {
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
        targets: count(r, 10)?,
        targets_above: count(r, 11)?,
        targets_below: count(r, 12)?,
        innovations: count(r, 13)?,
        behaviour: behaviour(r, 14)?,
        weak_targets: get(r, 15)?,
    })
}

/// The `behaviour` column: a JSON object of value key → rating name, read
/// as text (one parse, no intermediate `serde_json::Value`).
fn behaviour(r: &Row, i: usize) -> Result<BTreeMap<BehaviourValue, Rating>, StorageError> {
    let raw: &str = get(r, i)?;
    let raw: BTreeMap<&str, &str> =
        serde_json::from_str(raw).map_err(|e| StorageError::Backend(format!("stored behaviour: {e}")))?;
    raw.iter().map(|(k, v)| Ok((parsed(k)?, parsed(v)?))).collect()
}

pub(super) fn appraisal_facts(
    c: &mut impl GenericClient,
    tenant: &str,
    periods: &[String],
    unit: Option<&str>,
) -> Result<Vec<AppraisalFact>, StorageError> {
    let sql = format!(
        "{FACT_SELECT} WHERE a.tenant_id = $1 AND a.period = $2 AND ($3::text IS NULL OR a.unit_id = $3)
         ORDER BY a.unit_id, a.employee_nip, a.doc_id"
    );
    let mut out = Vec::new();
    for period in periods {
        out.extend(all(c, &sql, &[&tenant, period, &unit], fact)?);
    }
    Ok(out)
}

pub(super) fn appraisal_fact(
    c: &mut impl GenericClient,
    tenant: &str,
    doc: &str,
) -> Result<Option<AppraisalFact>, StorageError> {
    let sql = format!("{FACT_SELECT} WHERE a.tenant_id = $1 AND a.doc_id = $2");
    c.query_opt(&sql, &[&tenant, &doc])?.as_ref().map(fact).transpose()
}

pub(super) fn innovations(
    c: &mut impl GenericClient,
    tenant: &str,
    doc: &str,
) -> Result<Vec<InnovationRow>, StorageError> {
    all(
        c,
        "SELECT item_id, what, date, effect FROM appraisal_innovations WHERE tenant_id = $1 AND doc_id = $2
         ORDER BY date, item_id",
        &[&tenant, &doc],
        |r| Ok(InnovationRow { item_id: get(r, 0)?, what: get(r, 1)?, date: get(r, 2)?, effect: get(r, 3)? }),
    )
}

pub(super) fn appraisal_ratings(
    c: &mut impl GenericClient,
    tenant: &str,
    period: &str,
) -> Result<Vec<RatingsRow>, StorageError> {
    all(
        c,
        "SELECT employee_nip, behaviour::text, weak_targets FROM appraisals WHERE tenant_id = $1 AND period = $2
         ORDER BY unit_id, employee_nip, doc_id",
        &[&tenant, &period],
        |r| Ok(RatingsRow { employee_nip: get(r, 0)?, behaviour: behaviour(r, 1)?, weak_targets: get(r, 2)? }),
    )
}

pub(super) fn predikats(
    c: &mut impl GenericClient,
    tenant: &str,
    period: &str,
) -> Result<Vec<PredikatRow>, StorageError> {
    all(
        c,
        "SELECT employee_nip, status, predikat FROM appraisals
         WHERE tenant_id = $1 AND period = $2 AND predikat IS NOT NULL ORDER BY employee_nip, doc_id",
        &[&tenant, &period],
        |r| {
            Ok(PredikatRow {
                employee_nip: get(r, 0)?,
                status: parsed::<AppraisalStatus>(get(r, 1)?)?,
                predikat: parsed(get(r, 2)?)?,
            })
        },
    )
}

pub(super) fn periods(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<String>, StorageError> {
    // A loose index scan over (tenant, period, …): one step per period.
    all(
        c,
        "WITH RECURSIVE p(code) AS (
             SELECT max(period) FROM appraisals WHERE tenant_id = $1
             UNION ALL
             SELECT (SELECT max(period) FROM appraisals WHERE tenant_id = $1 AND period < p.code)
             FROM p WHERE p.code IS NOT NULL)
         SELECT code FROM p WHERE code IS NOT NULL",
        &[&tenant],
        |r| get(r, 0),
    )
}

const SUMS: &str = "count(*), sum(u1), sum(u2), sum(u3), sum(u4), sum(u5), sum(u6), sum(u7), sum(u8), sum(u9)";

/// Columns `first..` of a row: respondents, then the nine sums.
fn sums(r: &Row, key: String, service: String, first: usize) -> Result<FeedbackSums, StorageError> {
    let mut s = FeedbackSums { key, service, respondents: big(r, first)?, ..Default::default() };
    for (i, slot) in s.sums.iter_mut().enumerate() {
        *slot = big(r, first + 1 + i)?;
    }
    Ok(s)
}

pub(super) fn feedback_by_service(
    c: &mut impl GenericClient,
    tenant: &str,
    w: Window,
) -> Result<Vec<FeedbackSums>, StorageError> {
    all(
        c,
        &format!(
            "SELECT unit_id, service, {SUMS}, sum(minutes_waited)::bigint FROM feedback
             WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3
             GROUP BY unit_id, service ORDER BY unit_id, service"
        ),
        &[&tenant, &w.from_ms, &w.to_ms],
        |r| Ok(FeedbackSums { minutes_waited: big(r, 12)?, ..sums(r, get(r, 0)?, get(r, 1)?, 2)? }),
    )
}

/// Officer lists longer than this are not sent: every officer of the
/// window is summed and the list applied here. A tenant-wide report names
/// 50,000 officers; binding them costs more than summing the others.
const FEW_OFFICERS: usize = 500;

/// Per officer: minutes waited are not summed (as in the SQLite backend).
pub(super) fn feedback_by_officer(
    c: &mut impl GenericClient,
    tenant: &str,
    w: Window,
    officers: Option<&[String]>,
) -> Result<Vec<FeedbackSums>, StorageError> {
    let row = |r: &Row| sums(r, get(r, 0)?, String::new(), 1);
    match officers {
        // One index range per officer (`= ANY` walks them in turn).
        Some(officers) if officers.len() <= FEW_OFFICERS => all(
            c,
            &format!(
                "SELECT officer_nip, {SUMS} FROM feedback
                 WHERE tenant_id = $1 AND officer_nip = ANY($4) AND received_at >= $2 AND received_at < $3
                 GROUP BY officer_nip ORDER BY officer_nip"
            ),
            &[&tenant, &w.from_ms, &w.to_ms, &officers],
            row,
        ),
        _ => {
            let wanted: Option<HashSet<&str>> = officers.map(|o| o.iter().map(String::as_str).collect());
            let mut out = all(
                c,
                &format!(
                    "SELECT officer_nip, {SUMS} FROM feedback
                     WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3 AND officer_nip IS NOT NULL
                     GROUP BY officer_nip ORDER BY officer_nip"
                ),
                &[&tenant, &w.from_ms, &w.to_ms],
                row,
            )?;
            if let Some(wanted) = wanted {
                out.retain(|s| wanted.contains(s.key.as_str()));
            }
            Ok(out)
        }
    }
}

pub(super) fn feedback_comments(
    c: &mut impl GenericClient,
    tenant: &str,
    w: Window,
    unit: Option<&str>,
    officer: Option<&str>,
    limit: u32,
) -> Result<Vec<CommentRow>, StorageError> {
    // Each filter given is an equality, so the officer, the unit or the
    // time index is walked backwards and stops at `limit`.
    let sql = "SELECT unit_id, service, officer_nip, comment, received_at FROM feedback
         WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3 AND comment <> ''
             AND ($4::text IS NULL OR unit_id = $4) AND ($5::text IS NULL OR officer_nip = $5)
         ORDER BY received_at DESC, doc_id LIMIT $6";
    all(c, sql, &[&tenant, &w.from_ms, &w.to_ms, &unit, &officer, &i64::from(limit)], |r| {
        Ok(CommentRow {
            unit_id: get(r, 0)?,
            service: get(r, 1)?,
            officer_nip: get(r, 2)?,
            comment: get(r, 3)?,
            received_at: get(r, 4)?,
        })
    })
}

pub(super) fn waiting_by_month(
    c: &mut impl GenericClient,
    tenant: &str,
    w: Window,
    utc_offset_minutes: i32,
) -> Result<Vec<WaitingRow>, StorageError> {
    // The months' starts go to the database, which counts each row into the
    // last month started at or before it (`width_bucket`).
    let months = w.month_starts(utc_offset_minutes);
    let starts: Vec<i64> = months.iter().map(|m| m.1).collect();
    let rows = c.query(
        "SELECT unit_id, width_bucket(received_at, $4::bigint[]) AS month, count(*), sum(minutes_waited)::bigint
         FROM feedback WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3
         GROUP BY unit_id, month ORDER BY unit_id, month",
        &[&tenant, &w.from_ms, &w.to_ms, &starts],
    )?;
    let mut out: Vec<WaitingRow> = Vec::with_capacity(rows.len());
    for r in &rows {
        let bucket = usize::try_from(get::<i32>(r, 1)?).unwrap_or(0).saturating_sub(1);
        let Some((label, _)) = months.get(bucket) else { continue };
        let (unit_id, respondents, minutes_waited) = (get::<String>(r, 0)?, big(r, 2)?, big(r, 3)?);
        // Rows before the first start count into the first month.
        match out.last_mut() {
            Some(last) if last.unit_id == unit_id && last.month == *label => {
                last.respondents += respondents;
                last.minutes_waited += minutes_waited;
            }
            _ => out.push(WaitingRow { unit_id, month: label.clone(), respondents, minutes_waited }),
        }
    }
    Ok(out)
}

pub(super) fn training_minutes(
    c: &mut impl GenericClient,
    tenant: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, u64)>, StorageError> {
    all(
        c,
        "SELECT employee_nip, sum(minutes)::bigint FROM trainings
         WHERE tenant_id = $1 AND end_date >= $2 AND end_date <= $3 GROUP BY employee_nip ORDER BY employee_nip",
        &[&tenant, &from, &to],
        |r| Ok((get(r, 0)?, big(r, 1)?)),
    )
}

pub(super) fn trainings(
    c: &mut impl GenericClient,
    tenant: &str,
    from: &str,
    to: &str,
) -> Result<Vec<TrainingRow>, StorageError> {
    all(
        c,
        "SELECT doc_id, employee_nip, form, title, start_date, end_date, minutes, programme_id, provider
         FROM trainings WHERE tenant_id = $1 AND end_date >= $2 AND end_date <= $3
         ORDER BY employee_nip, end_date, doc_id",
        &[&tenant, &from, &to],
        |r| {
            Ok(TrainingRow {
                doc_id: get(r, 0)?,
                employee_nip: get(r, 1)?,
                form: get(r, 2)?,
                title: get(r, 3)?,
                start_date: get(r, 4)?,
                end_date: get(r, 5)?,
                minutes: count(r, 6)?,
                programme_id: get(r, 7)?,
                provider: get(r, 8)?,
            })
        },
    )
}

pub(super) fn mentoring(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<MentoringRow>, StorageError> {
    all(
        c,
        "SELECT doc_id, mentor_nip, mentee_nip, unit_id, start_date, active, sessions, minutes
         FROM mentoring WHERE tenant_id = $1 ORDER BY unit_id, mentor_nip, mentee_nip, doc_id",
        &[&tenant],
        |r| {
            Ok(MentoringRow {
                doc_id: get(r, 0)?,
                mentor_nip: get(r, 1)?,
                mentee_nip: get(r, 2)?,
                unit_id: get(r, 3)?,
                start_date: get(r, 4)?,
                active: get(r, 5)?,
                sessions: count(r, 6)?,
                minutes: big(r, 7)?,
            })
        },
    )
}
