//! Tests for [`super`]: each promotion and succession rule passing and
//! failing on its own, and all failing together.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use Predikat::{Baik, ButuhPerbaikan, Kurang, SangatBaik};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A III/b with S1 under a IV/a superior, 4 years in rank, two Baik years.
fn eligible() -> PromotionInput {
    PromotionInput {
        current_rank: Rank::IIIb,
        rank_since: d(2021, 4, 1),
        as_of: d(2025, 4, 1),
        predikats_last_two_years: vec![Baik, SangatBaik],
        superior_rank: Some(Rank::IVa),
        education: Education::S1,
    }
}

fn blockers(input: &PromotionInput) -> Vec<PromotionBlocker> {
    match rank_promotion(input, &PromotionRules::default()) {
        PromotionEligibility::Eligible { .. } => Vec::new(),
        PromotionEligibility::NotEligible { blockers } => blockers,
    }
}

#[test]
fn rules_serde_round_trip() {
    let json = serde_json::to_string(&PromotionRules::default()).unwrap();
    assert_eq!(serde_json::from_str::<PromotionRules>(&json).unwrap(), PromotionRules::default());
    let partial: PromotionRules = serde_json::from_str(r#"{"min_months_in_rank": 24}"#).unwrap();
    assert_eq!(partial.min_months_in_rank, 24);
    assert_eq!(partial.required_appraisals, 2);
}

#[test]
fn all_rules_met() {
    assert_eq!(
        rank_promotion(&eligible(), &PromotionRules::default()),
        PromotionEligibility::Eligible { target: Rank::IIIc }
    );
    let mut no_superior = eligible();
    no_superior.superior_rank = None;
    assert!(rank_promotion(&no_superior, &PromotionRules::default()).is_eligible());
}

#[test]
fn years_in_rank() {
    let mut input = eligible();
    input.as_of = d(2025, 3, 31);
    assert_eq!(blockers(&input), [PromotionBlocker::TooFewYearsInRank { months_in_rank: 47, required_months: 48 }]);
    input.as_of = d(2020, 1, 1); // before the TMT: zero months, no panic
    assert_eq!(blockers(&input), [PromotionBlocker::TooFewYearsInRank { months_in_rank: 0, required_months: 48 }]);
    assert_eq!(full_months_between(d(2021, 4, 15), d(2025, 4, 14)), 47);
    assert_eq!(full_months_between(d(2021, 4, 15), d(2025, 4, 15)), 48);
}

#[test]
fn appraisals() {
    let mut input = eligible();
    input.predikats_last_two_years = vec![Baik];
    assert_eq!(blockers(&input), [PromotionBlocker::MissingAppraisals { found: 1, required: 2 }]);
    input.predikats_last_two_years = vec![ButuhPerbaikan, Baik, ButuhPerbaikan];
    assert_eq!(blockers(&input), [PromotionBlocker::PredikatBelowBaik { predikat: ButuhPerbaikan }]);
}

#[test]
fn superior_and_education_ceiling() {
    let mut input = eligible();
    input.superior_rank = Some(Rank::IIIc); // equal is allowed
    assert!(blockers(&input).is_empty());
    input.superior_rank = Some(Rank::IIIb);
    assert_eq!(blockers(&input), [PromotionBlocker::AboveSuperiorRank { target: Rank::IIIc, superior: Rank::IIIb }]);
    let mut input = eligible();
    input.education = Education::SMA;
    assert_eq!(blockers(&input), [PromotionBlocker::AboveEducationCeiling { target: Rank::IIIc, ceiling: Rank::IIIb }]);
}

#[test]
fn highest_rank() {
    let mut input = eligible();
    input.current_rank = Rank::IVe;
    input.superior_rank = None;
    assert_eq!(blockers(&input), [PromotionBlocker::AtHighestRank]);
}

#[test]
fn everything_failing_together() {
    let input = PromotionInput {
        current_rank: Rank::IIIb,
        rank_since: d(2024, 1, 1),
        as_of: d(2025, 1, 1),
        predikats_last_two_years: vec![Kurang],
        superior_rank: Some(Rank::IIIa),
        education: Education::SMA,
    };
    let found = blockers(&input);
    assert_eq!(
        found,
        [
            PromotionBlocker::TooFewYearsInRank { months_in_rank: 12, required_months: 48 },
            PromotionBlocker::MissingAppraisals { found: 1, required: 2 },
            PromotionBlocker::PredikatBelowBaik { predikat: Kurang },
            PromotionBlocker::AboveSuperiorRank { target: Rank::IIIc, superior: Rank::IIIa },
            PromotionBlocker::AboveEducationCeiling { target: Rank::IIIc, ceiling: Rank::IIIb },
        ]
    );
    assert_eq!(found[0].describe_id(), "Masa dalam pangkat baru 1 tahun; paling sedikit 4 tahun diperlukan.");
    assert!(found[2].describe_id().contains("Kurang/Misconduct"));
    assert!(found[3].describe_id().contains("III/a"));
    assert!(PromotionBlocker::AtHighestRank.describe_id().contains("IV/e"));
}

#[test]
fn succession_group() {
    assert!(succession_eligible(true, 900, &[Baik, SangatBaik]).is_empty());
    assert_eq!(succession_eligible(false, 900, &[Baik, Baik]), [SuccessionBlocker::CompetenceNotFit]);
    assert_eq!(
        succession_eligible(true, 899, &[Baik, Baik]),
        [SuccessionBlocker::JpShortfall { minutes_done: 899, minutes_required: 900 }]
    );
    assert_eq!(
        succession_eligible(true, 900, &[Baik]),
        [SuccessionBlocker::MissingAppraisals { found: 1, required: 2 }]
    );
    assert_eq!(
        succession_eligible(true, 900, &[Baik, ButuhPerbaikan]),
        [SuccessionBlocker::PredikatBelowBaik { predikat: ButuhPerbaikan }]
    );
    let all = succession_eligible(false, 0, &[Kurang]);
    assert_eq!(all.len(), 4);
    assert!(all[1].describe_id().contains("0 menit"));
    assert!(all.iter().all(|b| !b.describe_id().is_empty()));
}
