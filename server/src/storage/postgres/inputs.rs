//! What HR enters for its reports: settings, unit ratings and populations,
//! potential scores, sanctions, training programmes and their seats.

use postgres::{GenericClient, Transaction};

use super::reports::all;
use super::{constraint, count, get, signed};
use crate::storage::{PotentialRow, ProgrammeRow, SanctionRow, SeatRow, StorageError, UnitPeriodRow};

pub(super) fn settings(c: &mut impl GenericClient, tenant: &str) -> Result<Option<String>, StorageError> {
    c.query_opt("SELECT settings FROM tenant_settings WHERE tenant_id = $1", &[&tenant])?
        .map(|r| get(&r, 0))
        .transpose()
}

pub(super) fn set_settings(c: &mut impl GenericClient, tenant: &str, json: &str) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO tenant_settings (tenant_id, settings) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings",
        &[&tenant, &json],
    )?;
    Ok(())
}

pub(super) fn unit_periods(
    c: &mut impl GenericClient,
    tenant: &str,
    period: &str,
) -> Result<Vec<UnitPeriodRow>, StorageError> {
    all(
        c,
        "SELECT unit_id, period, rating, population FROM unit_periods WHERE tenant_id = $1 AND period = $2
         ORDER BY unit_id",
        &[&tenant, &period],
        |r| {
            Ok(UnitPeriodRow {
                unit_id: get(r, 0)?,
                period: get(r, 1)?,
                rating: get(r, 2)?,
                population: get::<Option<i64>>(r, 3)?.and_then(|n| u64::try_from(n).ok()),
            })
        },
    )
}

pub(super) fn set_unit_period(
    c: &mut impl GenericClient,
    tenant: &str,
    row: &UnitPeriodRow,
) -> Result<(), StorageError> {
    let population = row.population.map(signed);
    c.execute(
        "INSERT INTO unit_periods (tenant_id, unit_id, period, rating, population) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, period, unit_id) DO UPDATE SET rating = excluded.rating,
             population = excluded.population",
        &[&tenant, &row.unit_id, &row.period, &row.rating, &population],
    )?;
    Ok(())
}

pub(super) fn potentials(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<PotentialRow>, StorageError> {
    all(c, "SELECT nip, score, assessed_on FROM potentials WHERE tenant_id = $1 ORDER BY nip", &[&tenant], |r| {
        Ok(PotentialRow { nip: get(r, 0)?, score: get(r, 1)?, assessed_on: get(r, 2)? })
    })
}

pub(super) fn set_potential(c: &mut impl GenericClient, tenant: &str, row: &PotentialRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO potentials (tenant_id, nip, score, assessed_on) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, nip) DO UPDATE SET score = excluded.score, assessed_on = excluded.assessed_on",
        &[&tenant, &row.nip, &row.score, &row.assessed_on],
    )?;
    Ok(())
}

pub(super) fn sanctions(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<SanctionRow>, StorageError> {
    all(
        c,
        "SELECT nip, level, decided_on, note FROM sanctions WHERE tenant_id = $1 ORDER BY nip, decided_on, level",
        &[&tenant],
        |r| Ok(SanctionRow { nip: get(r, 0)?, level: get(r, 1)?, decided_on: get(r, 2)?, note: get(r, 3)? }),
    )
}

pub(super) fn add_sanction(c: &mut impl GenericClient, tenant: &str, row: &SanctionRow) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO sanctions (tenant_id, nip, level, decided_on, note) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, nip, decided_on, level) DO UPDATE SET note = excluded.note",
        &[&tenant, &row.nip, &row.level, &row.decided_on, &row.note],
    )?;
    Ok(())
}

pub(super) fn programmes(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<ProgrammeRow>, StorageError> {
    all(
        c,
        "SELECT id, title, form, provider, start_date, end_date, minutes, seats, value, unit_ids
         FROM programmes WHERE tenant_id = $1 ORDER BY start_date, id",
        &[&tenant],
        |r| {
            Ok(ProgrammeRow {
                id: get(r, 0)?,
                title: get(r, 1)?,
                form: get(r, 2)?,
                provider: get(r, 3)?,
                start_date: get(r, 4)?,
                end_date: get(r, 5)?,
                minutes: count(r, 6)?,
                seats: count(r, 7)?,
                value: get(r, 8)?,
                unit_ids: get(r, 9)?,
            })
        },
    )
}

pub(super) fn create_programme(c: &mut impl GenericClient, tenant: &str, p: &ProgrammeRow) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    c.execute(
        "INSERT INTO programmes (tenant_id, id, title, form, provider, start_date, end_date, minutes, seats, value,
             unit_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &tenant,
            &p.id,
            &p.title,
            &p.form,
            &p.provider,
            &p.start_date,
            &p.end_date,
            &i64::from(p.minutes),
            &i64::from(p.seats),
            &p.value,
            &p.unit_ids,
            &now,
        ],
    )
    .map_err(|e| constraint(e, || StorageError::Conflict(format!("programme {}", p.id))))?;
    Ok(())
}

pub(super) fn set_seats(
    tx: &mut Transaction<'_>,
    tenant: &str,
    programme: &str,
    seats: &[SeatRow],
) -> Result<(), StorageError> {
    tx.execute("DELETE FROM programme_seats WHERE tenant_id = $1 AND programme_id = $2", &[&tenant, &programme])?;
    if seats.is_empty() {
        return Ok(());
    }
    let positions: Vec<i64> = seats.iter().map(|s| i64::from(s.position)).collect();
    let nips: Vec<&str> = seats.iter().map(|s| s.nip.as_str()).collect();
    let reasons: Vec<&str> = seats.iter().map(|s| s.reason.as_str()).collect();
    tx.execute(
        "INSERT INTO programme_seats (tenant_id, programme_id, position, nip, reason)
         SELECT $1, $2, position, nip, reason FROM unnest($3::bigint[], $4::text[], $5::text[]) AS x (position, nip, reason)",
        &[&tenant, &programme, &positions, &nips, &reasons],
    )?;
    Ok(())
}

pub(super) fn seats(c: &mut impl GenericClient, tenant: &str, programme: &str) -> Result<Vec<SeatRow>, StorageError> {
    all(
        c,
        "SELECT position, nip, reason FROM programme_seats WHERE tenant_id = $1 AND programme_id = $2 ORDER BY position",
        &[&tenant, &programme],
        |r| Ok(SeatRow { position: count(r, 0)?, nip: get(r, 1)?, reason: get(r, 2)? }),
    )
}
