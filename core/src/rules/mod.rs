//! Domain rules of merit-based career development, as pure functions.
//!
//! Everything here follows `shared/domain/REFERENCE.md` (cited per module as
//! "REFERENCE §n"). Nothing in this module touches storage, the clock or the
//! network: callers pass the facts in (dates, counts, scores) and get a decision
//! plus the reasons back, so the same answer comes out on every device, offline.
//!
//! Where the reference marks a rule as unconfirmed or a local choice (TPP,
//! talent cut-offs, education ceilings, functional coefficients), the numbers
//! live in a `serde` configuration struct whose `Default` is the documented
//! default, never in the code paths.
//!
//! Invalid inputs come back as [`crate::error::ValidationError`]; no function
//! here panics.

/// Implements `ALL`, `name()`, `Display` (the variant name, for code and logs)
/// and `FromStr` (accepting exactly the variant names) for a unit-only enum.
macro_rules! named_enum {
    ($ty:ident, $field:literal, [$($var:ident),+ $(,)?]) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: [$ty; <[&str]>::len(&[$(stringify!($var)),+])] = [$($ty::$var),+];

            /// The variant name, as stored in JSON and CRDT documents.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$var => stringify!($var),)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = crate::error::ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($var) => Ok($ty::$var),)+
                    _ => Err(crate::error::ValidationError::unknown($field, s, &[$(stringify!($var)),+])),
                }
            }
        }
    };
}

pub mod allowance;
pub mod calibration;
pub mod credit;
pub mod development;
pub mod distribution;
pub mod nip;
pub mod predikat;
pub mod promotion;
pub mod rank;
pub mod recognition;
pub mod recommend;
pub mod settings;
pub mod skm;
pub mod talent;

pub use allowance::AllowanceTable;
pub use calibration::{RaterConfig, RaterFlag, RaterStats, predikat_score, rater_stats};
pub use credit::{CreditTable, FunctionalLevel, annual_credit_points, annual_credit_points_hundredths};
pub use development::{
    DevelopmentForm, MINUTES_PER_JP, REQUIRED_JP_PER_YEAR, REQUIRED_MINUTES_PER_YEAR, SeatCandidate, SeatOffer,
    allocate_seats, jp_from_minutes, jp_shortfall_minutes, meets_yearly_jp, seat_priority,
};
pub use distribution::{
    CurveRule, DistributionCurve, DistributionViolation, PredikatCounts, UnitRating, check_distribution,
    check_distribution_with,
};
pub use nip::{Gender, Nip, NipError, NipWarning};
pub use predikat::{Predikat, Rating, predikat, suggest_hasil_kerja, suggest_perilaku};
pub use promotion::{
    Education, EducationCeilings, PromotionBlocker, PromotionEligibility, PromotionInput, PromotionRules, Rank,
    SuccessionBlocker, rank_promotion, succession_eligible,
};
pub use recognition::{Recognised, RecognitionCandidate, RecognitionConfig, recognise};
pub use recommend::{Recommendation, RecommendationMap, recommend};
pub use settings::RuleSettings;
pub use skm::{Element, Mutu, Scores, SkmTally, is_valid_sample, min_respondents};
pub use talent::{
    Action, ExclusionReason, Placement, Potential, Sanction, TalentConfig, box_actions, nine_box, performance_axis,
    place, potential_axis,
};
