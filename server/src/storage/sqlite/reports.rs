//! Report reads over the merged view. Each query walks one index range
//! (see 0003_reports.sql); sums are done here, decisions in the report code.

use std::collections::{BTreeMap, HashMap};

use prestasi_core::model::{AppraisalStatus, BehaviourValue};
use prestasi_core::rules::Rating;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::merged::{parsed, parsed_opt};
use all_rows as all;

use crate::storage::{
    AppraisalFact, CommentRow, FeedbackSums, InnovationRow, MentoringRow, PredikatRow, RatingsRow, StaffRow,
    StorageError, TrainingRow, UnitRow, WaitingRow, Window,
};

pub(super) fn all_rows<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StorageError> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(p, f)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn count(r: &Row<'_>, i: usize) -> rusqlite::Result<u32> {
    Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
}

fn big(r: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(r.get::<_, Option<i64>>(i)?.unwrap_or(0)).unwrap_or(0))
}

pub(super) fn units(c: &Connection, tenant: &str) -> Result<Vec<UnitRow>, StorageError> {
    all(
        c,
        "SELECT id, agency_id, agency_name, name, head_nip FROM units WHERE tenant_id = ?1 ORDER BY agency_name, name",
        params![tenant],
        |r| {
            Ok(UnitRow {
                id: r.get(0)?,
                agency_id: r.get(1)?,
                agency_name: r.get(2)?,
                name: r.get(3)?,
                head_nip: r.get(4)?,
            })
        },
    )
}

pub(super) fn staff(c: &Connection, tenant: &str) -> Result<Vec<StaffRow>, StorageError> {
    all(
        c,
        "SELECT nip, name, unit_id, superior_nip, rank, rank_since, education, position_kind, functional_level,
                position_title, active
         FROM employees WHERE tenant_id = ?1 ORDER BY nip",
        params![tenant],
        |r| {
            Ok(StaffRow {
                nip: r.get(0)?,
                name: r.get(1)?,
                unit_id: r.get(2)?,
                superior_nip: r.get(3)?,
                rank: r.get(4)?,
                rank_since: r.get(5)?,
                education: r.get(6)?,
                position_kind: r.get(7)?,
                functional_level: r.get(8)?,
                position_title: r.get(9)?,
                active: r.get(10)?,
            })
        },
    )
}

/// The evidence counts and ratings are kept on the appraisal row by the
/// projection (schema 4): one row per appraisal, no child-table probes.
const FACT_SELECT: &str = "SELECT a.doc_id, a.employee_nip, a.period, a.unit_id, a.appraiser_nip, a.reviewer_nip,
        a.status, a.hasil_kerja, a.perilaku, a.predikat, a.targets, a.targets_above, a.targets_below,
        a.innovations, a.behaviour, a.weak_targets
    FROM appraisals a";

fn fact(r: &Row<'_>) -> rusqlite::Result<AppraisalFact> {
    Ok(AppraisalFact {
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
        targets: count(r, 10)?,
        targets_above: count(r, 11)?,
        targets_below: count(r, 12)?,
        innovations: count(r, 13)?,
        behaviour: behaviour(r, 14)?,
        weak_targets: weak_targets(r, 15)?,
    })
}

/// The `behaviour` column: a JSON object of value key → rating name.
fn behaviour(r: &Row<'_>, i: usize) -> rusqlite::Result<BTreeMap<BehaviourValue, Rating>> {
    let text: String = r.get(i)?;
    let raw: BTreeMap<String, String> = serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))?;
    raw.iter().map(|(k, v)| Ok((parsed(k)?, parsed(v)?))).collect()
}

/// The `weak_targets` column: a JSON array of indicators.
fn weak_targets(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

pub(super) fn appraisal_facts(
    c: &Connection,
    tenant: &str,
    periods: &[String],
    unit: Option<&str>,
) -> Result<Vec<AppraisalFact>, StorageError> {
    let sql = format!(
        "{FACT_SELECT} WHERE a.tenant_id = ?1 AND a.period = ?2 AND (?3 IS NULL OR a.unit_id = ?3)
         ORDER BY a.unit_id, a.employee_nip"
    );
    let mut out = Vec::new();
    for period in periods {
        out.extend(all(c, &sql, params![tenant, period, unit], fact)?);
    }
    Ok(out)
}

pub(super) fn appraisal_fact(c: &Connection, tenant: &str, doc: &str) -> Result<Option<AppraisalFact>, StorageError> {
    let sql = format!("{FACT_SELECT} WHERE a.tenant_id = ?1 AND a.doc_id = ?2");
    Ok(c.query_row(&sql, params![tenant, doc], fact).optional()?)
}

pub(super) fn innovations(c: &Connection, tenant: &str, doc: &str) -> Result<Vec<InnovationRow>, StorageError> {
    all(
        c,
        "SELECT item_id, what, date, effect FROM appraisal_innovations WHERE tenant_id = ?1 AND doc_id = ?2
         ORDER BY date, item_id",
        params![tenant, doc],
        |r| Ok(InnovationRow { item_id: r.get(0)?, what: r.get(1)?, date: r.get(2)?, effect: r.get(3)? }),
    )
}

pub(super) fn appraisal_ratings(c: &Connection, tenant: &str, period: &str) -> Result<Vec<RatingsRow>, StorageError> {
    all(
        c,
        "SELECT employee_nip, behaviour, weak_targets FROM appraisals INDEXED BY appraisals_report
         WHERE tenant_id = ?1 AND period = ?2",
        params![tenant, period],
        |r| Ok(RatingsRow { employee_nip: r.get(0)?, behaviour: behaviour(r, 1)?, weak_targets: weak_targets(r, 2)? }),
    )
}

pub(super) fn predikats(c: &Connection, tenant: &str, period: &str) -> Result<Vec<PredikatRow>, StorageError> {
    all(
        c,
        "SELECT employee_nip, status, predikat FROM appraisals INDEXED BY appraisals_history
         WHERE tenant_id = ?1 AND period = ?2 AND predikat IS NOT NULL",
        params![tenant, period],
        |r| {
            Ok(PredikatRow {
                employee_nip: r.get(0)?,
                status: parsed::<AppraisalStatus>(&r.get::<_, String>(1)?)?,
                predikat: parsed(&r.get::<_, String>(2)?)?,
            })
        },
    )
}

pub(super) fn periods(c: &Connection, tenant: &str) -> Result<Vec<String>, StorageError> {
    // A skip-scan over the (tenant, period, unit) index: one step per period.
    all(
        c,
        "WITH RECURSIVE p(code) AS (
             SELECT max(period) FROM appraisals WHERE tenant_id = ?1
             UNION ALL
             SELECT (SELECT max(period) FROM appraisals WHERE tenant_id = ?1 AND period < p.code)
             FROM p WHERE p.code IS NOT NULL)
         SELECT code FROM p WHERE code IS NOT NULL",
        params![tenant],
        |r| r.get(0),
    )
}

fn sums(r: &Row<'_>, key: String, service: String, first: usize) -> rusqlite::Result<FeedbackSums> {
    let mut s = FeedbackSums { key, service, respondents: big(r, first)?, ..Default::default() };
    for (i, slot) in s.sums.iter_mut().enumerate() {
        *slot = big(r, first + 1 + i)?;
    }
    s.minutes_waited = big(r, first + 10)?;
    Ok(s)
}

const SUMS: &str = "count(*), sum(u1), sum(u2), sum(u3), sum(u4), sum(u5), sum(u6), sum(u7), sum(u8), sum(u9)";

pub(super) fn feedback_by_service(c: &Connection, tenant: &str, w: Window) -> Result<Vec<FeedbackSums>, StorageError> {
    // One pass over the time index, summed here: GROUP BY (unit, service)
    // would make SQLite sort every row of the window first.
    let mut units: HashMap<String, HashMap<String, FeedbackSums>> = HashMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT unit_id, service, u1, u2, u3, u4, u5, u6, u7, u8, u9, minutes_waited FROM feedback INDEXED BY feedback_time
         WHERE tenant_id = ?1 AND received_at >= ?2 AND received_at < ?3",
    )?;
    let mut rows = stmt.query(params![tenant, w.from_ms, w.to_ms])?;
    let text = |r: &Row<'_>, i: usize| -> Result<String, StorageError> {
        Ok(r.get_ref(i)?.as_str().map_err(|e| StorageError::Backend(e.to_string()))?.to_string())
    };
    while let Some(r) = rows.next()? {
        let (unit, service) = (text(r, 0)?, text(r, 1)?);
        let g = units.entry(unit).or_default().entry(service).or_default();
        g.respondents += 1;
        for (i, sum) in g.sums.iter_mut().enumerate() {
            *sum += big(r, 2 + i)?;
        }
        g.minutes_waited += big(r, 11)?;
    }
    let mut out: Vec<FeedbackSums> = units
        .into_iter()
        .flat_map(|(unit, services)| {
            services.into_iter().map(move |(service, sums)| FeedbackSums { key: unit.clone(), service, ..sums })
        })
        .collect();
    out.sort_by(|a, b| (&a.key, &a.service).cmp(&(&b.key, &b.service)));
    Ok(out)
}

/// Below this many officers, one index range each beats one pass over the
/// whole window.
const FEW_OFFICERS: usize = 500;

pub(super) fn feedback_by_officer(
    c: &Connection,
    tenant: &str,
    w: Window,
    officers: Option<&[String]>,
) -> Result<Vec<FeedbackSums>, StorageError> {
    if let Some(officers) = officers.filter(|o| o.len() <= FEW_OFFICERS) {
        let sql = format!(
            "SELECT officer_nip, {SUMS}, 0 FROM feedback INDEXED BY feedback_officer_time
             WHERE tenant_id = ?1 AND officer_nip = ?4 AND received_at >= ?2 AND received_at < ?3
             GROUP BY officer_nip"
        );
        let mut out = Vec::new();
        for officer in officers {
            out.extend(all(c, &sql, params![tenant, w.from_ms, w.to_ms, officer], |r| {
                sums(r, r.get(0)?, String::new(), 1)
            })?);
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out.dedup_by(|a, b| a.key == b.key);
        return Ok(out);
    }
    let wanted: Option<std::collections::HashSet<&str>> = officers.map(|o| o.iter().map(String::as_str).collect());
    // Every officer: one pass over the window on the time index, summed here.
    let mut officers: HashMap<String, FeedbackSums> = HashMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT officer_nip, u1, u2, u3, u4, u5, u6, u7, u8, u9 FROM feedback INDEXED BY feedback_time
         WHERE tenant_id = ?1 AND received_at >= ?2 AND received_at < ?3 AND officer_nip IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![tenant, w.from_ms, w.to_ms])?;
    while let Some(r) = rows.next()? {
        let nip = r.get_ref(0)?.as_str().map_err(|e| StorageError::Backend(e.to_string()))?;
        if wanted.as_ref().is_some_and(|w| !w.contains(nip)) {
            continue;
        }
        if !officers.contains_key(nip) {
            officers.insert(nip.to_string(), FeedbackSums { key: nip.to_string(), ..Default::default() });
        }
        if let Some(s) = officers.get_mut(nip) {
            s.respondents += 1;
            for (i, sum) in s.sums.iter_mut().enumerate() {
                *sum += big(r, 1 + i)?;
            }
        }
    }
    let mut out: Vec<FeedbackSums> = officers.into_values().collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

pub(super) fn feedback_comments(
    c: &Connection,
    tenant: &str,
    w: Window,
    unit: Option<&str>,
    officer: Option<&str>,
    limit: u32,
) -> Result<Vec<CommentRow>, StorageError> {
    // One equality per filter given, so that SQLite walks the officer, the
    // unit or the time index backwards and stops at `limit`; the unit, when
    // given with an officer, filters before the limit too (?6).
    let (filter, key) = match (officer, unit) {
        (Some(o), _) => ("AND officer_nip = ?4", Some(o)),
        (None, Some(u)) => ("AND unit_id = ?4", Some(u)),
        (None, None) => ("AND ?4 IS NULL", None),
    };
    let sql = format!(
        "SELECT unit_id, service, officer_nip, comment, received_at FROM feedback
         WHERE tenant_id = ?1 AND received_at >= ?2 AND received_at < ?3 AND comment <> '' {filter}
           AND (?6 IS NULL OR unit_id = ?6)
         ORDER BY received_at DESC LIMIT ?5"
    );
    all(c, &sql, params![tenant, w.from_ms, w.to_ms, key, limit, unit], |r| {
        Ok(CommentRow {
            unit_id: r.get(0)?,
            service: r.get(1)?,
            officer_nip: r.get(2)?,
            comment: r.get(3)?,
            received_at: r.get(4)?,
        })
    })
}

pub(super) fn waiting_by_month(
    c: &Connection,
    tenant: &str,
    w: Window,
    utc_offset_minutes: i32,
) -> Result<Vec<WaitingRow>, StorageError> {
    // One pass over the time index, bucketed here: SQLite would sort every
    // row to group by (unit, month).
    let months = w.month_starts(utc_offset_minutes);
    let starts: Vec<i64> = months.iter().map(|m| m.1).collect();
    let mut buckets: std::collections::BTreeMap<String, Vec<(u64, u64)>> = std::collections::BTreeMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT unit_id, received_at, minutes_waited FROM feedback INDEXED BY feedback_time
         WHERE tenant_id = ?1 AND received_at >= ?2 AND received_at < ?3",
    )?;
    let mut rows = stmt.query(params![tenant, w.from_ms, w.to_ms])?;
    while let Some(r) = rows.next()? {
        let unit = r.get_ref(0)?.as_str().map_err(|e| StorageError::Backend(e.to_string()))?;
        let at: i64 = r.get(1)?;
        let minutes = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
        let month = starts.partition_point(|s| *s <= at).saturating_sub(1);
        if !buckets.contains_key(unit) {
            buckets.insert(unit.to_string(), vec![(0, 0); months.len()]);
        }
        if let Some(slot) = buckets.get_mut(unit).and_then(|b| b.get_mut(month)) {
            slot.0 += 1;
            slot.1 += minutes;
        }
    }
    let mut out = Vec::new();
    for (unit, counts) in buckets {
        for ((label, _), (n, sum)) in months.iter().zip(counts) {
            if n > 0 {
                out.push(WaitingRow {
                    unit_id: unit.clone(),
                    month: label.clone(),
                    respondents: n,
                    minutes_waited: sum,
                });
            }
        }
    }
    Ok(out)
}

pub(super) fn training_minutes(
    c: &Connection,
    tenant: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, u64)>, StorageError> {
    all(
        c,
        "SELECT employee_nip, sum(minutes) FROM trainings INDEXED BY trainings_period
         WHERE tenant_id = ?1 AND end_date >= ?2 AND end_date <= ?3 GROUP BY employee_nip",
        params![tenant, from, to],
        |r| Ok((r.get(0)?, big(r, 1)?)),
    )
}

pub(super) fn trainings(c: &Connection, tenant: &str, from: &str, to: &str) -> Result<Vec<TrainingRow>, StorageError> {
    all(
        c,
        "SELECT doc_id, employee_nip, form, title, start_date, end_date, minutes, programme_id, provider
         FROM trainings WHERE tenant_id = ?1 AND end_date >= ?2 AND end_date <= ?3 ORDER BY employee_nip, end_date",
        params![tenant, from, to],
        |r| {
            Ok(TrainingRow {
                doc_id: r.get(0)?,
                employee_nip: r.get(1)?,
                form: r.get(2)?,
                title: r.get(3)?,
                start_date: r.get(4)?,
                end_date: r.get(5)?,
                minutes: count(r, 6)?,
                programme_id: r.get(7)?,
                provider: r.get(8)?,
            })
        },
    )
}

pub(super) fn mentoring(c: &Connection, tenant: &str) -> Result<Vec<MentoringRow>, StorageError> {
    all(
        c,
        "SELECT doc_id, mentor_nip, mentee_nip, unit_id, start_date, active, sessions, minutes
         FROM mentoring WHERE tenant_id = ?1 ORDER BY unit_id, mentor_nip, mentee_nip",
        params![tenant],
        |r| {
            Ok(MentoringRow {
                doc_id: r.get(0)?,
                mentor_nip: r.get(1)?,
                mentee_nip: r.get(2)?,
                unit_id: r.get(3)?,
                start_date: r.get(4)?,
                active: r.get(5)?,
                sessions: count(r, 6)?,
                minutes: big(r, 7)?,
            })
        },
    )
}
