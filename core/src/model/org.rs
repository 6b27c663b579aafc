//! The organisation: tenant (pemda) → agency (OPD) → unit → employee.
//!
//! Employees and units are synced documents written by HR and read by
//! tablets (the roster). Tenants and agencies are server configuration; they
//! are plain values here.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError};
use crate::rules::credit::FunctionalLevel;
use crate::rules::nip::Nip;
use crate::rules::promotion::{Education, Rank};

/// A regional government using Prestasi, e.g. Kabupaten Manokwari.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub name: String,
}

/// An agency (OPD / instansi), e.g. Dinas Kependudukan dan Pencatatan Sipil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub id: String,
    pub name: String,
}

/// A work unit (unit kerja). Supervisors are scoped to the units they lead.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub agency_id: String,
    pub agency_name: String,
    pub name: String,
    /// The head of the unit, if known.
    pub head_nip: Option<Nip>,
}

/// The kind of position (jabatan) an employee holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize)]
pub enum PositionKind {
    Pelaksana,
    Pengawas,
    Administrator,
    /// Jabatan Pimpinan Tinggi.
    Jpt,
    /// Functional position at a level (credit points depend on it).
    Fungsional(FunctionalLevel),
}

impl PositionKind {
    pub fn label_id(&self) -> &'static str {
        match self {
            Self::Pelaksana => "Pelaksana",
            Self::Pengawas => "Pengawas",
            Self::Administrator => "Administrator",
            Self::Jpt => "Pimpinan Tinggi",
            Self::Fungsional(_) => "Fungsional",
        }
    }
}

/// A civil servant (ASN) as HR registers them.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Employee {
    pub nip: Nip,
    pub name: String,
    pub rank: Option<Rank>,
    /// Since when the employee holds `rank` (TMT pangkat), `YYYY-MM-DD`.
    pub rank_since: Option<String>,
    pub education: Option<Education>,
    pub position: PositionKind,
    pub position_title: String,
    pub unit_id: String,
    /// The direct superior, who is normally the appraiser.
    pub superior_nip: Option<Nip>,
    /// False once the employee left the tenant (kept for history).
    pub active: bool,
}

impl Employee {
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("name", &self.name, 200)?;
        non_empty("unit_id", &self.unit_id, 64)?;
        if let Some(since) = &self.rank_since {
            crate::model::time::parse_date("rank_since", since)?;
        }
        if self.superior_nip.as_ref() == Some(&self.nip) {
            return Err(ValidationError::said(
                "superior_nip",
                "an employee cannot be their own superior",
                "pegawai tidak dapat menjadi atasannya sendiri",
            ));
        }
        Ok(())
    }
}

impl Unit {
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("id", &self.id, 64)?;
        non_empty("agency_id", &self.agency_id, 64)?;
        non_empty("name", &self.name, 200)
    }
}

/// A required text of at most `max` characters.
pub(crate) fn non_empty(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, Reason::Empty));
    }
    max_len(field, value, max)
}

/// An optional text of at most `max` characters.
pub(crate) fn max_len(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len > max {
        return Err(ValidationError::new(field, Reason::TooLong { len, max }));
    }
    Ok(())
}
