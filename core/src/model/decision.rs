//! HR decisions that flow back to tablets: allowances (TPP) and awards.
//! Only HR writes these documents.

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::org::non_empty;
use crate::error::ValidationError;
use crate::model::time::date;
use crate::rules::nip::Nip;
use crate::rules::predikat::Predikat;

/// The performance allowance granted for a period, from the tenant's
/// predikat → percentage table (set per regency, so configurable).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Allowance {
    pub employee_nip: Nip,
    pub period: String,
    pub predikat: Predikat,
    /// Percent of the base TPP, 0–100 (some regencies pay above 100).
    pub percent: f64,
    #[autosurgeon(with = "date")]
    pub decided_on: NaiveDate,
}

/// Public recognition of a top performer, with the reason made visible.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Award {
    pub employee_nip: Nip,
    pub period: String,
    pub kind: AwardKind,
    pub reason: String,
    #[autosurgeon(with = "date")]
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    /// Special allowance.
    #[autosurgeon(rename = "special_allowance")]
    SpecialAllowance,
    /// Invitation to share experience at an official event.
    #[autosurgeon(rename = "invitation_to_share")]
    InvitationToShare,
    #[autosurgeon(rename = "certificate")]
    Certificate,
}

impl AwardKind {
    pub const ALL: [AwardKind; 3] = [Self::SpecialAllowance, Self::InvitationToShare, Self::Certificate];
}

impl Allowance {
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::model::period::validate_code(&self.period)?;
        if !self.percent.is_finite() || !(0.0..=200.0).contains(&self.percent) {
            return Err(ValidationError::out_of_range("percent", self.percent, 0, 200));
        }
        Ok(())
    }
}

impl Award {
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::model::period::validate_code(&self.period)?;
        non_empty("reason", &self.reason, 2000)
    }
}
