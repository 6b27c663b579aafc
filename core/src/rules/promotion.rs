//! Regular rank promotion and the succession group (REFERENCE §5).
//!
//! Kenaikan pangkat reguler needs: at least 4 years in the current rank; every
//! appraisal of the last 2 years at least Baik; the new rank not above the
//! direct superior's; and the new rank within the ceiling of the highest
//! education. [`rank_promotion`] checks them all and returns **every** unmet
//! rule, so a supervisor sees the whole picture at once.
//!
//! The ranks and the (configurable, locally chosen) education ceilings are
//! in [`super::rank`], re-exported here.
//!
//! The succession group (PP 11/2017 art. 199–200) needs competence fit, the
//! yearly 20 JP met and predikat at least Baik for 2 years
//! ([`succession_eligible`]).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::development::{REQUIRED_MINUTES_PER_YEAR, meets_yearly_jp};
use super::predikat::Predikat;
pub use super::rank::{Education, EducationCeilings, Rank};

/// Thresholds of the regular promotion. `Default`: 48 months in rank and the
/// 2 annual appraisals of the last 2 years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromotionRules {
    pub min_months_in_rank: u32,
    pub required_appraisals: usize,
    pub education_ceilings: EducationCeilings,
}

impl Default for PromotionRules {
    fn default() -> Self {
        PromotionRules {
            min_months_in_rank: 48,
            required_appraisals: 2,
            education_ceilings: EducationCeilings::default(),
        }
    }
}

/// The facts a promotion check needs. `as_of` is passed in (not read from
/// the clock) so the check is reproducible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionInput {
    pub current_rank: Rank,
    /// TMT of the current rank.
    pub rank_since: NaiveDate,
    pub as_of: NaiveDate,
    pub predikats_last_two_years: Vec<Predikat>,
    /// The direct superior's rank, when the superior is a PNS with a rank.
    pub superior_rank: Option<Rank>,
    pub education: Education,
}

/// One unmet promotion rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionBlocker {
    TooFewYearsInRank { months_in_rank: u32, required_months: u32 },
    MissingAppraisals { found: usize, required: usize },
    PredikatBelowBaik { predikat: Predikat },
    AboveSuperiorRank { target: Rank, superior: Rank },
    AboveEducationCeiling { target: Rank, ceiling: Rank },
    AtHighestRank,
}

impl PromotionBlocker {
    /// The unmet rule in Bahasa Indonesia.
    pub fn describe_id(&self) -> String {
        match self {
            PromotionBlocker::TooFewYearsInRank { months_in_rank, required_months } => format!(
                "Masa dalam pangkat baru {}; paling sedikit {} diperlukan.",
                duration_id(*months_in_rank),
                duration_id(*required_months)
            ),
            PromotionBlocker::MissingAppraisals { found, required } => {
                format!("Penilaian kinerja 2 tahun terakhir baru {found} dari {required} yang diperlukan.")
            }
            PromotionBlocker::PredikatBelowBaik { predikat } => below_baik_id(*predikat),
            PromotionBlocker::AboveSuperiorRank { target, superior } => {
                format!("Pangkat tujuan {target} melebihi pangkat atasan langsung ({superior}).")
            }
            PromotionBlocker::AboveEducationCeiling { target, ceiling } => {
                format!("Pangkat tujuan {target} melebihi batas pangkat untuk pendidikan tertinggi ({ceiling}).")
            }
            PromotionBlocker::AtHighestRank => "Sudah berada pada pangkat tertinggi (IV/e).".to_string(),
        }
    }
}

/// The answer: eligible for `target`, or every unmet rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionEligibility {
    Eligible { target: Rank },
    NotEligible { blockers: Vec<PromotionBlocker> },
}

impl PromotionEligibility {
    pub fn is_eligible(&self) -> bool {
        matches!(self, PromotionEligibility::Eligible { .. })
    }
}

/// Checks a regular rank promotion against `rules`.
pub fn rank_promotion(input: &PromotionInput, rules: &PromotionRules) -> PromotionEligibility {
    let mut blockers = Vec::new();
    let months_in_rank = full_months_between(input.rank_since, input.as_of);
    if months_in_rank < rules.min_months_in_rank {
        blockers
            .push(PromotionBlocker::TooFewYearsInRank { months_in_rank, required_months: rules.min_months_in_rank });
    }
    let found = input.predikats_last_two_years.len();
    if found < rules.required_appraisals {
        blockers.push(PromotionBlocker::MissingAppraisals { found, required: rules.required_appraisals });
    }
    blockers.extend(
        below_baik(&input.predikats_last_two_years).map(|predikat| PromotionBlocker::PredikatBelowBaik { predikat }),
    );
    let target = input.current_rank.next();
    match target {
        None => blockers.push(PromotionBlocker::AtHighestRank),
        Some(target) => {
            if let Some(superior) = input.superior_rank.filter(|&s| target > s) {
                blockers.push(PromotionBlocker::AboveSuperiorRank { target, superior });
            }
            let ceiling = rules.education_ceilings.ceiling(input.education);
            if target > ceiling {
                blockers.push(PromotionBlocker::AboveEducationCeiling { target, ceiling });
            }
        }
    }
    match target {
        Some(target) if blockers.is_empty() => PromotionEligibility::Eligible { target },
        _ => PromotionEligibility::NotEligible { blockers },
    }
}

/// Appraisals needed for the succession group: 2 years.
pub const SUCCESSION_REQUIRED_APPRAISALS: usize = 2;

/// One unmet succession-group rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuccessionBlocker {
    CompetenceNotFit,
    JpShortfall { minutes_done: u32, minutes_required: u32 },
    MissingAppraisals { found: usize, required: usize },
    PredikatBelowBaik { predikat: Predikat },
}

impl SuccessionBlocker {
    /// The unmet rule in Bahasa Indonesia.
    pub fn describe_id(&self) -> String {
        match self {
            SuccessionBlocker::CompetenceNotFit => "Kompetensi belum sesuai dengan jabatan sasaran.".to_string(),
            SuccessionBlocker::JpShortfall { minutes_done, minutes_required } => format!(
                "Pengembangan kompetensi tahun ini {minutes_done} menit; paling sedikit {minutes_required} menit (20 JP)."
            ),
            SuccessionBlocker::MissingAppraisals { found, required } => {
                format!("Penilaian kinerja 2 tahun terakhir baru {found} dari {required} yang diperlukan.")
            }
            SuccessionBlocker::PredikatBelowBaik { predikat } => below_baik_id(*predikat),
        }
    }
}

/// Every unmet succession-group rule; empty means eligible.
pub fn succession_eligible(
    competence_fit: bool,
    jp_minutes_this_year: u32,
    predikats_last_two_years: &[Predikat],
) -> Vec<SuccessionBlocker> {
    let mut blockers = Vec::new();
    if !competence_fit {
        blockers.push(SuccessionBlocker::CompetenceNotFit);
    }
    if !meets_yearly_jp(jp_minutes_this_year) {
        blockers.push(SuccessionBlocker::JpShortfall {
            minutes_done: jp_minutes_this_year,
            minutes_required: REQUIRED_MINUTES_PER_YEAR,
        });
    }
    let found = predikats_last_two_years.len();
    if found < SUCCESSION_REQUIRED_APPRAISALS {
        blockers.push(SuccessionBlocker::MissingAppraisals { found, required: SUCCESSION_REQUIRED_APPRAISALS });
    }
    blockers
        .extend(below_baik(predikats_last_two_years).map(|predikat| SuccessionBlocker::PredikatBelowBaik { predikat }));
    blockers
}

/// Each distinct predikat below Baik, in order of first appearance.
fn below_baik(predikats: &[Predikat]) -> impl Iterator<Item = Predikat> + '_ {
    predikats
        .iter()
        .enumerate()
        .filter(|&(i, p)| !p.is_at_least_baik() && !predikats.iter().take(i).any(|q| q == p))
        .map(|(_, &p)| p)
}

fn below_baik_id(predikat: Predikat) -> String {
    format!("Ada predikat kinerja {} dalam 2 tahun terakhir; semua harus paling rendah Baik.", predikat.label_id())
}

/// Whole months from `from` to `to` (0 when `to` is earlier).
pub fn full_months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let months = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month())
        - i64::from(to.day() < from.day());
    u32::try_from(months.max(0)).unwrap_or(u32::MAX)
}

/// "3 tahun 5 bulan", "4 tahun", "7 bulan".
fn duration_id(months: u32) -> String {
    match (months / 12, months % 12) {
        (0, m) => format!("{m} bulan"),
        (y, 0) => format!("{y} tahun"),
        (y, m) => format!("{y} tahun {m} bulan"),
    }
}

#[cfg(test)]
#[path = "promotion_tests.rs"]
mod tests;
