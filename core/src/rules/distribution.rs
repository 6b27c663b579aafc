//! Distribution curve of staff predikats (REFERENCE §1, SE MenPANRB 03/2023).
//!
//! The rating of a work unit limits how its staff's predikats may be spread:
//! an "Istimewa" unit may give Sangat Baik to at most 70% of its staff, a
//! "Kurang" unit must give Kurang/Misconduct to at least 60%, and so on. The
//! limits are data ([`DistributionCurve`], `Default` = the reference table) so
//! an agency can adopt a revised circular without a code change.
//!
//! Percentages are compared in integers (`count·100 ≤ pct·total`), so "at most
//! 70%" of 10 staff allows exactly 7. A unit with no appraisals has no
//! violations.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::predikat::Predikat;
use crate::error::ValidationError;

/// The rating of the work unit itself (predikat kinerja organisasi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum UnitRating {
    Istimewa,
    Baik,
    ButuhPerbaikan,
    Kurang,
    SangatKurang,
}

named_enum!(UnitRating, "unit_rating", [Istimewa, Baik, ButuhPerbaikan, Kurang, SangatKurang]);

impl UnitRating {
    pub const fn label_id(self) -> &'static str {
        match self {
            UnitRating::Istimewa => "Istimewa",
            UnitRating::Baik => "Baik",
            UnitRating::ButuhPerbaikan => "Butuh Perbaikan",
            UnitRating::Kurang => "Kurang",
            UnitRating::SangatKurang => "Sangat Kurang",
        }
    }
}

/// How many staff of a unit received each predikat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PredikatCounts {
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
}

impl PredikatCounts {
    pub const fn get(&self, predikat: Predikat) -> u32 {
        match predikat {
            Predikat::SangatBaik => self.sangat_baik,
            Predikat::Baik => self.baik,
            Predikat::ButuhPerbaikan => self.butuh_perbaikan,
            Predikat::Kurang => self.kurang,
            Predikat::SangatKurang => self.sangat_kurang,
        }
    }

    /// Counts one more staff member with `predikat`.
    pub fn add(&mut self, predikat: Predikat) {
        let slot = match predikat {
            Predikat::SangatBaik => &mut self.sangat_baik,
            Predikat::Baik => &mut self.baik,
            Predikat::ButuhPerbaikan => &mut self.butuh_perbaikan,
            Predikat::Kurang => &mut self.kurang,
            Predikat::SangatKurang => &mut self.sangat_kurang,
        };
        *slot = slot.saturating_add(1);
    }

    /// All appraised staff.
    pub fn total(&self) -> u64 {
        Predikat::ALL.iter().map(|&p| u64::from(self.get(p))).sum()
    }

    /// Staff whose predikat is any of `predikats` (each counted once).
    pub fn count_of(&self, predikats: &[Predikat]) -> u64 {
        Predikat::ALL.iter().filter(|p| predikats.contains(p)).map(|&p| u64::from(self.get(p))).sum()
    }
}

impl FromIterator<Predikat> for PredikatCounts {
    fn from_iter<I: IntoIterator<Item = Predikat>>(iter: I) -> Self {
        let mut counts = PredikatCounts::default();
        iter.into_iter().for_each(|p| counts.add(p));
        counts
    }
}

/// One limit on the share of a group of predikats ("and/or" = the group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CurveRule {
    /// At most `percent`% of staff may have any of `predikats` (0 = none).
    AtMost { predikats: Vec<Predikat>, percent: u32 },
    /// At least `percent`% of staff must have any of `predikats`.
    AtLeast { predikats: Vec<Predikat>, percent: u32 },
    /// At least one staff member must have any of `predikats`.
    AtLeastOne { predikats: Vec<Predikat> },
}

/// The limits per unit rating. `Default` is the SE MenPANRB 03/2023 table; a
/// unit rating missing from a configured curve keeps its default rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DistributionCurve {
    pub istimewa: Vec<CurveRule>,
    pub baik: Vec<CurveRule>,
    pub butuh_perbaikan: Vec<CurveRule>,
    pub kurang: Vec<CurveRule>,
    pub sangat_kurang: Vec<CurveRule>,
}

impl Default for DistributionCurve {
    fn default() -> Self {
        use CurveRule::{AtLeast, AtLeastOne, AtMost};
        use Predikat::*;
        DistributionCurve {
            istimewa: vec![AtMost { predikats: vec![SangatBaik], percent: 70 }],
            baik: vec![
                AtMost { predikats: vec![Baik], percent: 70 },
                AtLeastOne { predikats: vec![ButuhPerbaikan, Kurang] },
            ],
            butuh_perbaikan: vec![
                AtLeast { predikats: vec![ButuhPerbaikan], percent: 60 },
                AtMost { predikats: vec![SangatBaik], percent: 10 },
            ],
            kurang: vec![
                AtLeast { predikats: vec![Kurang], percent: 60 },
                AtLeast { predikats: vec![ButuhPerbaikan], percent: 10 },
                AtMost { predikats: vec![SangatBaik], percent: 10 },
            ],
            sangat_kurang: vec![
                AtLeast { predikats: vec![SangatKurang], percent: 60 },
                AtLeast { predikats: vec![Kurang, ButuhPerbaikan], percent: 10 },
                AtMost { predikats: vec![SangatBaik], percent: 0 },
            ],
        }
    }
}

impl DistributionCurve {
    /// The limits that apply to a unit with this rating.
    pub fn rules_for(&self, unit: UnitRating) -> &[CurveRule] {
        match unit {
            UnitRating::Istimewa => &self.istimewa,
            UnitRating::Baik => &self.baik,
            UnitRating::ButuhPerbaikan => &self.butuh_perbaikan,
            UnitRating::Kurang => &self.kurang,
            UnitRating::SangatKurang => &self.sangat_kurang,
        }
    }

    /// Refuses a configured curve with a percentage above 100 or a rule
    /// naming no predikat (either would make a rule meaningless).
    pub fn validate(&self) -> Result<(), ValidationError> {
        for unit in UnitRating::ALL {
            for (i, rule) in self.rules_for(unit).iter().enumerate() {
                let field = format!("distribution_curve.{}[{i}]", unit.name());
                let (predikats, percent) = match rule {
                    CurveRule::AtMost { predikats, percent } | CurveRule::AtLeast { predikats, percent } => {
                        (predikats, *percent)
                    }
                    CurveRule::AtLeastOne { predikats } => (predikats, 0),
                };
                if predikats.is_empty() {
                    return Err(ValidationError::said(
                        field,
                        "a rule must name at least one predikat",
                        "aturan harus menyebut paling sedikit satu predikat",
                    ));
                }
                if percent > 100 {
                    return Err(ValidationError::out_of_range(field + ".percent", percent, 0, 100));
                }
            }
        }
        Ok(())
    }
}

/// A broken limit, with the limit and what the unit actually has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DistributionViolation {
    /// More than `max_percent`% have any of `predikats`.
    TooMany { predikats: Vec<Predikat>, max_percent: u32, count: u64, total: u64 },
    /// Fewer than `min_percent`% have any of `predikats`.
    TooFew { predikats: Vec<Predikat>, min_percent: u32, count: u64, total: u64 },
    /// Nobody has any of `predikats`, but someone must.
    NoneOf { predikats: Vec<Predikat> },
}

impl DistributionViolation {
    /// The rule and the actual share in Bahasa Indonesia.
    pub fn describe_id(&self) -> String {
        match self {
            DistributionViolation::TooMany { predikats, max_percent: 0, count, total } => format!(
                "Unit ini tidak boleh memberi predikat {}; saat ini {}.",
                labels(predikats),
                share(*count, *total)
            ),
            DistributionViolation::TooMany { predikats, max_percent, count, total } => format!(
                "Predikat {} paling banyak {max_percent}% pegawai; saat ini {}.",
                labels(predikats),
                share(*count, *total)
            ),
            DistributionViolation::TooFew { predikats, min_percent, count, total } => format!(
                "Predikat {} paling sedikit {min_percent}% pegawai; saat ini {}.",
                labels(predikats),
                share(*count, *total)
            ),
            DistributionViolation::NoneOf { predikats } => {
                format!("Harus ada pegawai dengan predikat {}; saat ini belum ada.", labels(predikats))
            }
        }
    }
}

fn labels(predikats: &[Predikat]) -> String {
    predikats.iter().map(|p| p.label_id()).collect::<Vec<_>>().join(" dan/atau ")
}

/// "8 dari 10 pegawai (80%)", with one decimal (comma) when needed.
fn share(count: u64, total: u64) -> String {
    let tenths = (2000 * u128::from(count) + u128::from(total)) / (2 * u128::from(total.max(1)));
    let percent = match tenths % 10 {
        0 => format!("{}%", tenths / 10),
        d => format!("{},{d}%", tenths / 10),
    };
    format!("{count} dari {total} pegawai ({percent})")
}

/// [`check_distribution_with`] against the reference table.
pub fn check_distribution(unit: UnitRating, counts: &PredikatCounts) -> Vec<DistributionViolation> {
    check_distribution_with(&DistributionCurve::default(), unit, counts)
}

/// Every limit of `curve` for `unit` that `counts` breaks, in the curve's order.
pub fn check_distribution_with(
    curve: &DistributionCurve,
    unit: UnitRating,
    counts: &PredikatCounts,
) -> Vec<DistributionViolation> {
    let total = counts.total();
    if total == 0 {
        return Vec::new();
    }
    let (t, hundred) = (u128::from(total), 100u128);
    curve
        .rules_for(unit)
        .iter()
        .filter_map(|rule| match rule {
            CurveRule::AtMost { predikats, percent } => {
                let count = counts.count_of(predikats);
                (u128::from(count) * hundred > u128::from(*percent) * t).then(|| DistributionViolation::TooMany {
                    predikats: predikats.clone(),
                    max_percent: *percent,
                    count,
                    total,
                })
            }
            CurveRule::AtLeast { predikats, percent } => {
                let count = counts.count_of(predikats);
                (u128::from(count) * hundred < u128::from(*percent) * t).then(|| DistributionViolation::TooFew {
                    predikats: predikats.clone(),
                    min_percent: *percent,
                    count,
                    total,
                })
            }
            CurveRule::AtLeastOne { predikats } => (counts.count_of(predikats) == 0)
                .then(|| DistributionViolation::NoneOf { predikats: predikats.clone() }),
        })
        .collect()
}

#[cfg(test)]
#[path = "distribution_tests.rs"]
mod tests;
