//! What HR enters for its reports: settings, unit ratings and populations,
//! potential scores, sanctions, training programmes and their seats.

use rusqlite::{Connection, OptionalExtension, params};

use super::reports::all_rows as all;
use crate::storage::{PotentialRow, ProgrammeRow, SanctionRow, SeatRow, StorageError, UnitPeriodRow};

pub(super) fn settings(c: &Connection, tenant: &str) -> Result<Option<String>, StorageError> {
    Ok(c.query_row("SELECT settings FROM tenant_settings WHERE tenant_id = ?1", params![tenant], |r| r.get(0))
        .optional()?)
}

pub(super) fn set_settings(c: &Connection, tenant: &str, json: &str) -> Result<(), StorageError> {
    super::exec(
        c,
        "INSERT OR REPLACE INTO tenant_settings (tenant_id, settings) VALUES (?1, ?2)",
        params![tenant, json],
    )?;
    Ok(())
}

pub(super) fn unit_periods(c: &Connection, tenant: &str, period: &str) -> Result<Vec<UnitPeriodRow>, StorageError> {
    all(
        c,
        "SELECT unit_id, period, rating, population FROM unit_periods WHERE tenant_id = ?1 AND period = ?2",
        params![tenant, period],
        |r| {
            Ok(UnitPeriodRow {
                unit_id: r.get(0)?,
                period: r.get(1)?,
                rating: r.get(2)?,
                population: r.get::<_, Option<i64>>(3)?.and_then(|n| u64::try_from(n).ok()),
            })
        },
    )
}

pub(super) fn set_unit_period(c: &Connection, tenant: &str, row: &UnitPeriodRow) -> Result<(), StorageError> {
    let population = row.population.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    super::exec(
        c,
        "INSERT OR REPLACE INTO unit_periods (tenant_id, unit_id, period, rating, population) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![tenant, row.unit_id, row.period, row.rating, population],
    )?;
    Ok(())
}

pub(super) fn potentials(c: &Connection, tenant: &str) -> Result<Vec<PotentialRow>, StorageError> {
    all(c, "SELECT nip, score, assessed_on FROM potentials WHERE tenant_id = ?1", params![tenant], |r| {
        Ok(PotentialRow { nip: r.get(0)?, score: r.get(1)?, assessed_on: r.get(2)? })
    })
}

pub(super) fn set_potential(c: &Connection, tenant: &str, row: &PotentialRow) -> Result<(), StorageError> {
    super::exec(
        c,
        "INSERT OR REPLACE INTO potentials (tenant_id, nip, score, assessed_on) VALUES (?1, ?2, ?3, ?4)",
        params![tenant, row.nip, row.score, row.assessed_on],
    )?;
    Ok(())
}

pub(super) fn sanctions(c: &Connection, tenant: &str) -> Result<Vec<SanctionRow>, StorageError> {
    all(
        c,
        "SELECT nip, level, decided_on, note FROM sanctions WHERE tenant_id = ?1 ORDER BY nip, decided_on",
        params![tenant],
        |r| Ok(SanctionRow { nip: r.get(0)?, level: r.get(1)?, decided_on: r.get(2)?, note: r.get(3)? }),
    )
}

pub(super) fn add_sanction(c: &Connection, tenant: &str, row: &SanctionRow) -> Result<(), StorageError> {
    super::exec(
        c,
        "INSERT OR REPLACE INTO sanctions (tenant_id, nip, level, decided_on, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![tenant, row.nip, row.level, row.decided_on, row.note],
    )?;
    Ok(())
}

pub(super) fn programmes(c: &Connection, tenant: &str) -> Result<Vec<ProgrammeRow>, StorageError> {
    all(
        c,
        "SELECT id, title, form, provider, start_date, end_date, minutes, seats, value, unit_ids
         FROM programmes WHERE tenant_id = ?1 ORDER BY start_date, id",
        params![tenant],
        |r| {
            let units: String = r.get(9)?;
            Ok(ProgrammeRow {
                id: r.get(0)?,
                title: r.get(1)?,
                form: r.get(2)?,
                provider: r.get(3)?,
                start_date: r.get(4)?,
                end_date: r.get(5)?,
                minutes: r.get(6)?,
                seats: r.get(7)?,
                value: r.get(8)?,
                unit_ids: serde_json::from_str(&units).unwrap_or_default(),
            })
        },
    )
}

pub(super) fn create_programme(c: &Connection, tenant: &str, p: &ProgrammeRow) -> Result<(), StorageError> {
    let now = chrono::Utc::now().timestamp_millis();
    c.execute(
        "INSERT INTO programmes (tenant_id, id, title, form, provider, start_date, end_date, minutes, seats, value,
             unit_ids, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            tenant,
            p.id,
            p.title,
            p.form,
            p.provider,
            p.start_date,
            p.end_date,
            p.minutes,
            p.seats,
            p.value,
            super::units_json(&p.unit_ids),
            now
        ],
    )
    .map_err(|e| super::admin::unique(e, format!("programme {}", p.id)))?;
    Ok(())
}

pub(super) fn set_seats(c: &Connection, tenant: &str, programme: &str, seats: &[SeatRow]) -> Result<(), StorageError> {
    let tx = c.unchecked_transaction()?;
    tx.execute("DELETE FROM programme_seats WHERE tenant_id = ?1 AND programme_id = ?2", params![tenant, programme])?;
    for s in seats {
        tx.execute(
            "INSERT INTO programme_seats (tenant_id, programme_id, position, nip, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![tenant, programme, s.position, s.nip, s.reason],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn seats(c: &Connection, tenant: &str, programme: &str) -> Result<Vec<SeatRow>, StorageError> {
    all(
        c,
        "SELECT position, nip, reason FROM programme_seats WHERE tenant_id = ?1 AND programme_id = ?2 ORDER BY position",
        params![tenant, programme],
        |r| Ok(SeatRow { position: r.get(0)?, nip: r.get(1)?, reason: r.get(2)? }),
    )
}
