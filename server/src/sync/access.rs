//! Who may read and write which documents, beyond the per-record rules of
//! `prestasi_core::doc::Record::check_change` (which decide by role and by
//! the person's relation to the record).
//!
//! - HR and admins: the whole tenant.
//! - Supervisors: the roster, appraisals and mentoring of the units they
//!   lead, and appraisals they appraise or review. They write only records
//!   about staff of those units; never read citizens' feedback.
//! - Kiosks: create feedback for their own unit; read nothing.

use prestasi_core::model::Role;
use prestasi_core::model::workflow::{Roster, check_assignment};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::protocol::{RejectCode, Rejection};

use super::Writer;
use crate::storage::{DeviceRow, EmployeeRow, Lookup, ReadKeys, Record, Scope, StorageError};
use prestasi_core::doc::DocKind;

pub fn read_scope(device: &DeviceRow) -> Scope {
    match device.role {
        Role::Hr | Role::Admin => Scope::Tenant,
        Role::Supervisor => Scope::Units {
            units: device.units.clone(),
            user: device.user_id.clone(),
            unit_kinds: vec![DocKind::Employee, DocKind::Unit, DocKind::Appraisal, DocKind::Mentoring],
            assigned_kinds: vec![DocKind::Appraisal],
        },
        Role::Kiosk => Scope::Nothing,
    }
}

/// What [`read_scope`] reads of a document: its unit, and for appraisals
/// the appraiser and the reviewer.
pub fn read_keys(r: &Record) -> ReadKeys {
    let unit = |u: &str| ReadKeys { unit: Some(u.to_string()), ..ReadKeys::default() };
    match r {
        Record::Appraisal(a) => ReadKeys {
            unit: Some(a.unit_id.clone()),
            appraiser: Some(a.appraiser_nip.as_str().to_string()),
            reviewer: a.reviewer_nip.as_ref().map(|n| n.as_str().to_string()),
        },
        Record::Employee(e) => unit(&e.unit_id),
        Record::Unit(u) => unit(&u.id),
        Record::Mentoring(m) => unit(&m.unit_id),
        Record::Feedback(f) => unit(&f.unit_id),
        Record::Training(_) | Record::Allowance(_) | Record::Award(_) => ReadKeys::default(),
    }
}

fn out_of_scope(what: &str) -> Rejection {
    Rejection {
        code: RejectCode::OutOfScope,
        message: format!("{what} berada di luar unit kerja perangkat ini."),
        field: Some("unit_id".into()),
    }
}

fn unknown_employee(nip: &str) -> Rejection {
    Rejection {
        code: RejectCode::UnknownEmployee,
        message: format!("Pegawai dengan NIP {nip} tidak terdaftar di BKPSDM."),
        field: Some("employee_nip".into()),
    }
}

/// Check the unit scope of a write: `old` is the stored value, `new` the
/// merged result. `Ok(Err(..))` is a refusal; `Err` a storage failure.
pub fn check_write(
    tx: &mut dyn Lookup,
    w: &Writer,
    old: Option<&Record>,
    new: &Record,
) -> Result<Result<(), Rejection>, StorageError> {
    let in_units = |unit: &str| w.units.iter().any(|u| u == unit);
    // Records about an employee must name one the tenant knows.
    let subject = match new {
        Record::Appraisal(a) => Some(a.employee_nip.as_str()),
        Record::Training(t) => Some(t.employee_nip.as_str()),
        Record::Mentoring(m) => Some(m.mentee_nip.as_str()),
        Record::Allowance(a) => Some(a.employee_nip.as_str()),
        Record::Award(a) => Some(a.employee_nip.as_str()),
        _ => None,
    };
    let employee = match subject {
        Some(nip) => match tx.employee(&w.tenant, nip)? {
            Some(e) => Some(e),
            None => return Ok(Err(unknown_employee(nip))),
        },
        None => None,
    };
    match w.author.role {
        Role::Hr | Role::Admin => Ok(Ok(())),
        Role::Kiosk => Ok(match new {
            Record::Feedback(f) if in_units(&f.unit_id) => Ok(()),
            Record::Feedback(_) => Err(out_of_scope("Unit layanan")),
            _ => Err(Rejection {
                code: RejectCode::Forbidden,
                message: "Kios hanya boleh mengirim umpan balik masyarakat.".into(),
                field: None,
            }),
        }),
        Role::Supervisor => {
            let staff_here = employee.as_ref().is_some_and(|e| in_units(&e.unit_id));
            let ok = match (new, old) {
                // An appraisal they appraise or review stays writable even
                // after its employee moved unit; a new one needs staff here.
                (Record::Appraisal(a), Some(Record::Appraisal(o))) => {
                    // Outside the device's units only for the person it is
                    // enrolled for: others signed in on a unit tablet stay in it.
                    let theirs = |x: &prestasi_core::model::Appraisal| {
                        w.author.user == w.enrolled_user
                            && (x.appraiser_nip.as_str() == w.author.user
                                || x.reviewer_nip.as_ref().is_some_and(|r| r.as_str() == w.author.user))
                    };
                    (in_units(&o.unit_id) || theirs(o)) && (in_units(&a.unit_id) || theirs(a))
                }
                (Record::Appraisal(a), None) => staff_here && in_units(&a.unit_id),
                (Record::Training(_), _) => staff_here,
                (Record::Mentoring(m), _) => staff_here && in_units(&m.unit_id),
                (Record::Feedback(f), None) => in_units(&f.unit_id),
                _ => false,
            };
            if !ok {
                return Ok(Err(out_of_scope("Data ini")));
            }
            check_roster(tx, w, old, new, employee.as_ref())
        }
    }
}

/// A new appraisal takes unit, appraiser and reviewer from the roster
/// ([`check_assignment`]; HR may assign others).
fn check_roster(
    tx: &mut dyn Lookup,
    w: &Writer,
    old: Option<&Record>,
    new: &Record,
    employee: Option<&EmployeeRow>,
) -> Result<Result<(), Rejection>, StorageError> {
    let (Record::Appraisal(a), None, Some(e)) = (new, old, employee) else { return Ok(Ok(())) };
    let appraiser_superior = match tx.employee(&w.tenant, a.appraiser_nip.as_str())? {
        Some(boss) => boss.superior_nip.as_deref().and_then(|n| Nip::parse(n).ok()),
        None => None,
    };
    let roster = Roster {
        employee_unit: e.unit_id.clone(),
        employee_superior: e.superior_nip.as_deref().and_then(|n| Nip::parse(n).ok()),
        appraiser_superior,
    };
    Ok(check_assignment(a, &w.author, &roster).map_err(|v| Rejection {
        code: RejectCode::Forbidden,
        message: v.user_message(),
        field: Some(v.field),
    }))
}
