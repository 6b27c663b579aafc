//! Competency development (REFERENCE §3, PP 11/2017; Perlan LAN 10/2018).
//!
//! Every PNS has the right to at least 20 JP (jam pelajaran) of development a
//! year, and 1 JP = 45 minutes. Activities are recorded in whole minutes and
//! every decision is made on minutes (20 JP = 900 minutes), so no rounding of
//! fractional JP can flip "met" to "not met"; JP figures are for display.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Minutes in one jam pelajaran.
pub const MINUTES_PER_JP: u32 = 45;

/// The yearly development right/duty per PNS, in JP.
pub const REQUIRED_JP_PER_YEAR: u32 = 20;

/// [`REQUIRED_JP_PER_YEAR`] in minutes (900).
pub const REQUIRED_MINUTES_PER_YEAR: u32 = REQUIRED_JP_PER_YEAR * MINUTES_PER_JP;

/// JP for display, rounded half up to two decimals (e.g. 100 min → 2.22).
pub fn jp_from_minutes(minutes: u32) -> f64 {
    // round_half_up(100·m / 45) = floor((200·m + 45) / 90)
    let hundredths = (200 * u64::from(minutes) + u64::from(MINUTES_PER_JP)) / (2 * u64::from(MINUTES_PER_JP));
    hundredths as f64 / 100.0
}

/// Whether a year's total meets the 20 JP duty.
pub const fn meets_yearly_jp(total_minutes: u32) -> bool {
    total_minutes >= REQUIRED_MINUTES_PER_YEAR
}

/// Minutes still needed this year to reach 20 JP (0 once met).
pub const fn jp_shortfall_minutes(total_minutes: u32) -> u32 {
    REQUIRED_MINUTES_PER_YEAR.saturating_sub(total_minutes)
}

/// Forms of competency development. The first four are classroom
/// (klasikal); the rest are non-classroom (non-klasikal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum DevelopmentForm {
    Pelatihan,
    Workshop,
    Seminar,
    Kursus,
    Coaching,
    /// A senior paired with a junior (named explicitly in the seed documents).
    Mentoring,
    ELearning,
    PembelajaranJarakJauh,
    Magang,
    Benchmarking,
    /// Secondment to another agency.
    Detasering,
    BelajarMandiri,
    TeamBuilding,
}

named_enum!(
    DevelopmentForm,
    "development_form",
    [
        Pelatihan,
        Workshop,
        Seminar,
        Kursus,
        Coaching,
        Mentoring,
        ELearning,
        PembelajaranJarakJauh,
        Magang,
        Benchmarking,
        Detasering,
        BelajarMandiri,
        TeamBuilding,
    ]
);

impl DevelopmentForm {
    /// Classroom training (pelatihan klasikal) as opposed to non-classroom.
    pub const fn is_classroom(self) -> bool {
        matches!(
            self,
            DevelopmentForm::Pelatihan | DevelopmentForm::Workshop | DevelopmentForm::Seminar | DevelopmentForm::Kursus
        )
    }

    /// The name shown to people.
    pub const fn label_id(self) -> &'static str {
        match self {
            DevelopmentForm::Pelatihan => "Pelatihan",
            DevelopmentForm::Workshop => "Lokakarya (Workshop)",
            DevelopmentForm::Seminar => "Seminar",
            DevelopmentForm::Kursus => "Kursus",
            DevelopmentForm::Coaching => "Coaching",
            DevelopmentForm::Mentoring => "Mentoring",
            DevelopmentForm::ELearning => "E-Learning",
            DevelopmentForm::PembelajaranJarakJauh => "Pembelajaran Jarak Jauh",
            DevelopmentForm::Magang => "Magang/Praktik Kerja",
            DevelopmentForm::Benchmarking => "Benchmarking",
            DevelopmentForm::Detasering => "Detasering (Secondment)",
            DevelopmentForm::BelajarMandiri => "Belajar Mandiri",
            DevelopmentForm::TeamBuilding => "Team Building",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn twenty_jp_is_900_minutes() {
        assert_eq!(REQUIRED_MINUTES_PER_YEAR, 900);
        assert!(!meets_yearly_jp(899));
        assert!(meets_yearly_jp(900));
        assert!(meets_yearly_jp(u32::MAX));
        assert_eq!(jp_shortfall_minutes(0), 900);
        assert_eq!(jp_shortfall_minutes(899), 1);
        assert_eq!(jp_shortfall_minutes(900), 0);
        assert_eq!(jp_shortfall_minutes(5000), 0);
    }

    #[test]
    fn jp_display_values() {
        assert_eq!(jp_from_minutes(0), 0.0);
        assert_eq!(jp_from_minutes(45), 1.0);
        assert_eq!(jp_from_minutes(900), 20.0);
        assert_eq!(jp_from_minutes(100), 2.22);
        assert_eq!(jp_from_minutes(120), 2.67);
        assert!(jp_from_minutes(u32::MAX) > 9.5e7);
    }

    #[test]
    fn forms_split_into_classroom_and_not() {
        let classroom: Vec<_> = DevelopmentForm::ALL.into_iter().filter(|f| f.is_classroom()).collect();
        assert_eq!(
            classroom,
            [DevelopmentForm::Pelatihan, DevelopmentForm::Workshop, DevelopmentForm::Seminar, DevelopmentForm::Kursus]
        );
        assert_eq!(DevelopmentForm::ALL.len(), 13);
        assert!(!DevelopmentForm::Mentoring.is_classroom());
        assert_eq!(DevelopmentForm::Detasering.label_id(), "Detasering (Secondment)");
        for f in DevelopmentForm::ALL {
            assert_eq!(f.name().parse::<DevelopmentForm>().unwrap(), f);
            assert!(!f.label_id().is_empty());
        }
    }
}
