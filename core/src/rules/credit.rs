//! Annual credit points of functional positions (REFERENCE §5).
//!
//! Each year a functional official earns a percentage of their level's yearly
//! coefficient, by predikat: Sangat Baik 150%, Baik 100%, Butuh Perbaikan 75%,
//! Kurang 50%, Sangat Kurang 25%. Points are computed in integer hundredths
//! and rounded half up (so Ahli Pertama, Butuh Perbaikan: 12.5 × 75% = 9.375
//! → 9.38), matching the reference's examples.
//!
//! The coefficients are configurable ([`CreditTable`]). The reference confirms
//! only Ahli Pertama (12.5), Ahli Muda (25) and Ahli Madya (37.5) through its
//! examples; the other defaults are the commonly published values and should
//! be checked against the current regulation.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::predikat::Predikat;

/// Levels of functional positions: skill track (keterampilan) then expert
/// track (keahlian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum FunctionalLevel {
    Pemula,
    Terampil,
    Mahir,
    Penyelia,
    AhliPertama,
    AhliMuda,
    AhliMadya,
    AhliUtama,
}

named_enum!(
    FunctionalLevel,
    "functional_level",
    [Pemula, Terampil, Mahir, Penyelia, AhliPertama, AhliMuda, AhliMadya, AhliUtama]
);

impl FunctionalLevel {
    pub const fn label_id(self) -> &'static str {
        match self {
            FunctionalLevel::Pemula => "Pemula",
            FunctionalLevel::Terampil => "Terampil",
            FunctionalLevel::Mahir => "Mahir",
            FunctionalLevel::Penyelia => "Penyelia",
            FunctionalLevel::AhliPertama => "Ahli Pertama",
            FunctionalLevel::AhliMuda => "Ahli Muda",
            FunctionalLevel::AhliMadya => "Ahli Madya",
            FunctionalLevel::AhliUtama => "Ahli Utama",
        }
    }
}

/// Yearly coefficient per level, in **hundredths** of a credit point
/// (1250 = 12.5) so that every computation stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditTable {
    pub pemula: u32,
    pub terampil: u32,
    pub mahir: u32,
    pub penyelia: u32,
    pub ahli_pertama: u32,
    pub ahli_muda: u32,
    pub ahli_madya: u32,
    pub ahli_utama: u32,
}

impl Default for CreditTable {
    fn default() -> Self {
        CreditTable {
            pemula: 375,
            terampil: 500,
            mahir: 1250,
            penyelia: 2500,
            ahli_pertama: 1250,
            ahli_muda: 2500,
            ahli_madya: 3750,
            ahli_utama: 5000,
        }
    }
}

impl CreditTable {
    /// The level's yearly coefficient in hundredths.
    pub const fn coefficient_hundredths(&self, level: FunctionalLevel) -> u32 {
        match level {
            FunctionalLevel::Pemula => self.pemula,
            FunctionalLevel::Terampil => self.terampil,
            FunctionalLevel::Mahir => self.mahir,
            FunctionalLevel::Penyelia => self.penyelia,
            FunctionalLevel::AhliPertama => self.ahli_pertama,
            FunctionalLevel::AhliMuda => self.ahli_muda,
            FunctionalLevel::AhliMadya => self.ahli_madya,
            FunctionalLevel::AhliUtama => self.ahli_utama,
        }
    }
}

/// Share of the coefficient earned for a predikat, in percent.
pub const fn predikat_percent(predikat: Predikat) -> u32 {
    match predikat {
        Predikat::SangatBaik => 150,
        Predikat::Baik => 100,
        Predikat::ButuhPerbaikan => 75,
        Predikat::Kurang => 50,
        Predikat::SangatKurang => 25,
    }
}

/// A year's credit points in hundredths, rounded half up (938 = 9.38).
pub fn annual_credit_points_hundredths(level: FunctionalLevel, predikat: Predikat, table: &CreditTable) -> u32 {
    let product = u64::from(table.coefficient_hundredths(level)) * u64::from(predikat_percent(predikat));
    // round_half_up(product / 100) = floor((2·product + 100) / 200)
    u32::try_from((2 * product + 100) / 200).unwrap_or(u32::MAX)
}

/// A year's credit points with two decimals, e.g. 9.38.
pub fn annual_credit_points(level: FunctionalLevel, predikat: Predikat, table: &CreditTable) -> f64 {
    f64::from(annual_credit_points_hundredths(level, predikat, table)) / 100.0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn reference_examples() {
        let table = CreditTable::default();
        let examples = [
            (FunctionalLevel::AhliPertama, [18.75, 12.5, 9.38, 6.25, 3.13]),
            (FunctionalLevel::AhliMuda, [37.5, 25.0, 18.75, 12.5, 6.25]),
            (FunctionalLevel::AhliMadya, [56.25, 37.5, 28.13, 18.75, 9.38]),
        ];
        for (level, values) in examples {
            for (predikat, want) in Predikat::ALL.into_iter().zip(values) {
                assert_eq!(annual_credit_points(level, predikat, &table), want, "{level:?} {predikat:?}");
            }
        }
        assert_eq!(annual_credit_points_hundredths(FunctionalLevel::AhliPertama, Predikat::SangatKurang, &table), 313);
    }

    #[test]
    fn default_coefficients_and_other_levels() {
        let table = CreditTable::default();
        let baik: Vec<_> =
            FunctionalLevel::ALL.iter().map(|&l| annual_credit_points(l, Predikat::Baik, &table)).collect();
        assert_eq!(baik, [3.75, 5.0, 12.5, 25.0, 12.5, 25.0, 37.5, 50.0]);
        // Pemula, Butuh Perbaikan: 3.75 × 75% = 2.8125 → 2.81.
        assert_eq!(annual_credit_points(FunctionalLevel::Pemula, Predikat::ButuhPerbaikan, &table), 2.81);
        assert_eq!(annual_credit_points(FunctionalLevel::AhliUtama, Predikat::SangatBaik, &table), 75.0);
    }

    #[test]
    fn configurable_and_overflow_safe() {
        let table = CreditTable { pemula: u32::MAX, ..CreditTable::default() };
        assert_eq!(annual_credit_points_hundredths(FunctionalLevel::Pemula, Predikat::SangatBaik, &table), u32::MAX);
        let partial: CreditTable = serde_json::from_str(r#"{"ahli_utama": 6000}"#).unwrap();
        assert_eq!(partial.ahli_utama, 6000);
        assert_eq!(partial.ahli_muda, 2500);
        assert_eq!(FunctionalLevel::AhliMadya.label_id(), "Ahli Madya");
        assert_eq!("AhliMuda".parse::<FunctionalLevel>().unwrap(), FunctionalLevel::AhliMuda);
    }
}
