//! Step 1: the tenant, BKPSDM's user and the roster, as an administrator
//! would set them up (the roster through the SIASN CSV import).

use prestasi_core::model::{Employee, PositionKind, Role, Unit};
use prestasi_server::admin;
use prestasi_server::state::ServerIdentity;
use prestasi_server::storage::Storage;

use super::{DemoError, HR_PASSWORD, HR_USER, Progress, TENANT, TENANT_NAME};
use crate::generate::{Dataset, unit_doc_id};

/// The header of the SIASN-style export (see `prestasi_server::import`).
const HEADER: &str = "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;\
                      TMT_GOLONGAN;PENDIDIKAN;JENJANG_JF;NIP_ATASAN;STATUS";

pub(super) fn seed(
    storage: &dyn Storage,
    server: &ServerIdentity,
    d: &Dataset,
    progress: &Progress,
) -> Result<(), DemoError> {
    admin::create_tenant(storage, TENANT, TENANT_NAME)?;
    admin::create_user(storage, TENANT, HR_USER, HR_PASSWORD, Role::Hr)?;
    progress.step(format!("tenant {TENANT} and HR user {HR_USER} created"));

    let csv = roster_csv(d)?;
    let report = admin::import_employees(storage, server, TENANT, csv.as_slice())?;
    if let Some(e) = report.errors.first() {
        return Err(format!(
            "the roster import refused {} rows, e.g. row {}: {} {}",
            report.errors.len(),
            e.row,
            e.field,
            e.reason
        )
        .into());
    }
    // The export does not name unit heads; HR sets them.
    for u in &d.units {
        admin::record_as_hr::<Unit>(storage, server, TENANT, HR_USER, unit_doc_id(&u.id), u)?;
    }
    let agencies = {
        let mut ids: Vec<&str> = d.units.iter().map(|u| u.agency_id.as_str()).collect();
        ids.dedup();
        ids.len()
    };
    progress.step(format!(
        "{} employees in {} units of {agencies} agencies imported from a SIASN CSV ({} KB); unit heads set",
        report.employees,
        report.units,
        csv.len() / 1024
    ));
    Ok(())
}

/// The roster as the CSV HR would export from SIASN (`;`-separated).
pub(super) fn roster_csv(d: &Dataset) -> Result<Vec<u8>, DemoError> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(HEADER.split(';'))?;
    for e in &d.employees {
        let unit = d
            .units
            .iter()
            .find(|u| u.id == e.unit_id)
            .ok_or_else(|| format!("employee {} is in an unknown unit {}", e.nip, e.unit_id))?;
        w.write_record(row(e, unit))?;
    }
    Ok(w.into_inner().map_err(|e| e.to_string())?)
}

fn row<'a>(e: &'a Employee, u: &'a Unit) -> [&'a str; 14] {
    let (kind, level) = match e.position {
        PositionKind::Pelaksana => ("pelaksana", ""),
        PositionKind::Pengawas => ("pengawas", ""),
        PositionKind::Administrator => ("administrator", ""),
        PositionKind::Jpt => ("JPT Pratama", ""),
        PositionKind::Fungsional(level) => ("fungsional", level.label_id()),
    };
    [
        e.nip.as_str(),
        &e.name,
        &u.id,
        &u.name,
        &u.agency_id,
        &u.agency_name,
        kind,
        &e.position_title,
        e.rank.map_or("", |r| r.as_str()),
        e.rank_since.as_deref().unwrap_or(""),
        e.education.map_or("", |x| x.name()),
        level,
        e.superior_nip.as_ref().map_or("", |n| n.as_str()),
        if e.active { "aktif" } else { "pensiun" },
    ]
}
