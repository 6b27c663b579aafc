//! Performance allowance (TPP, tunjangan kinerja) by predikat (REFERENCE §1).
//!
//! The appraisal is the basis of the TPP, but how much of the base allowance
//! each predikat earns is set by every regency in its own regulation
//! (Perbup/Perwako). No national table exists, so the percentages live in
//! [`AllowanceTable`]; its `Default` is a **local default** that each tenant
//! must check against its own regulation and configure.

use serde::{Deserialize, Serialize};

use super::predikat::Predikat;
use crate::error::{Reason, ValidationError};

/// Percent (0–100) of the base TPP paid per predikat.
///
/// `Default` (**local default, configure per regency**): Sangat Baik 100,
/// Baik 100, Butuh Perbaikan 80, Kurang 60, Sangat Kurang 40.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllowanceTable {
    pub sangat_baik: f64,
    pub baik: f64,
    pub butuh_perbaikan: f64,
    pub kurang: f64,
    pub sangat_kurang: f64,
}

impl Default for AllowanceTable {
    fn default() -> Self {
        AllowanceTable { sangat_baik: 100.0, baik: 100.0, butuh_perbaikan: 80.0, kurang: 60.0, sangat_kurang: 40.0 }
    }
}

impl AllowanceTable {
    /// Refuses a percentage that is not a finite number in `0..=100`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for p in Predikat::ALL {
            let value = self.percent(p);
            let field = format!("allowance.{}", field_name(p));
            if !value.is_finite() {
                return Err(ValidationError::new(field, Reason::NotFinite));
            }
            if !(0.0..=100.0).contains(&value) {
                return Err(ValidationError::out_of_range(field, value, 0, 100));
            }
        }
        Ok(())
    }

    /// The configured percent of the base TPP for `p`.
    pub const fn percent(&self, p: Predikat) -> f64 {
        match p {
            Predikat::SangatBaik => self.sangat_baik,
            Predikat::Baik => self.baik,
            Predikat::ButuhPerbaikan => self.butuh_perbaikan,
            Predikat::Kurang => self.kurang,
            Predikat::SangatKurang => self.sangat_kurang,
        }
    }
}

const fn field_name(p: Predikat) -> &'static str {
    match p {
        Predikat::SangatBaik => "sangat_baik",
        Predikat::Baik => "baik",
        Predikat::ButuhPerbaikan => "butuh_perbaikan",
        Predikat::Kurang => "kurang",
        Predikat::SangatKurang => "sangat_kurang",
    }
}

#[cfg(test)]
#[path = "allowance_tests.rs"]
mod tests;
