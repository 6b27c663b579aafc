//! Tests for [`super`]: partial JSON in every part, round trip and validation paths.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::rules::{CurveRule, Predikat, Rank, UnitRating};

#[test]
fn partial_json_fills_in_defaults() {
    let s: RuleSettings = serde_json::from_str(r#"{"allowance":{"baik":90}}"#).unwrap();
    assert_eq!(s.allowance.baik, 90.0);
    assert_eq!(s.allowance.kurang, 60.0);
    assert_eq!(RuleSettings { allowance: AllowanceTable::default(), ..s.clone() }, RuleSettings::default());
    assert!(s.validate().is_ok());
    assert_eq!(serde_json::from_str::<RuleSettings>("{}").unwrap(), RuleSettings::default());

    let s: RuleSettings = serde_json::from_str(
        r#"{
            "talent": {"di_atas_min_average": 4.2},
            "promotion": {"min_months_in_rank": 24, "education_ceilings": {"s1": "IV/a"}},
            "curve": {"istimewa": []},
            "credit": {"ahli_utama": 6000},
            "raters": {"z_threshold": 2.5},
            "recommendations": {"below_target": "Bimtek {indicator}"},
            "recognition": {"top_per_unit": 5},
            "utc_offset_minutes": 540
        }"#,
    )
    .unwrap();
    let d = RuleSettings::default();
    assert_eq!((s.talent.di_atas_min_average, s.talent.sesuai_min_average), (4.2, 3.5));
    assert_eq!((s.promotion.min_months_in_rank, s.promotion.required_appraisals), (24, 2));
    assert_eq!((s.promotion.education_ceilings.s1, s.promotion.education_ceilings.s2), (Rank::IVa, Rank::IVa));
    assert_eq!(s.promotion.education_ceilings.sd, d.promotion.education_ceilings.sd);
    assert!(s.curve.istimewa.is_empty());
    assert_eq!(s.curve.baik, d.curve.baik);
    assert_eq!((s.credit.ahli_utama, s.credit.ahli_muda), (6000, 2500));
    assert_eq!((s.raters.z_threshold, s.raters.min_appraisals), (2.5, 5));
    assert_eq!(s.recommendations.by_value, d.recommendations.by_value);
    assert_eq!(s.recognition.min_predikat, Predikat::Baik);
    assert_eq!(s.utc_offset_minutes, 540);
    assert!(s.validate().is_ok());
}

#[test]
fn round_trips_through_json() {
    let s = RuleSettings { utc_offset_minutes: 480, ..RuleSettings::default() };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<RuleSettings>(&json).unwrap(), s);
}

#[test]
fn validate_reaches_every_part() {
    assert!(RuleSettings::default().validate().is_ok());
    let mut curve = RuleSettings::default();
    curve.curve.baik[0] = CurveRule::AtMost { predikats: vec![Predikat::Baik], percent: 101 };
    assert_eq!(curve.curve.rules_for(UnitRating::Baik).len(), 2);
    let mut recs = RuleSettings::default();
    recs.recommendations.below_target.clear();
    let cases = [
        (RuleSettings { utc_offset_minutes: 841, ..RuleSettings::default() }, "utc_offset_minutes"),
        (RuleSettings { utc_offset_minutes: -721, ..RuleSettings::default() }, "utc_offset_minutes"),
        (
            RuleSettings {
                allowance: AllowanceTable { kurang: 120.0, ..AllowanceTable::default() },
                ..RuleSettings::default()
            },
            "allowance.kurang",
        ),
        (curve, "curve.Baik[0].percent"),
        (
            RuleSettings { raters: RaterConfig { min_appraisals: 0, z_threshold: 2.0 }, ..RuleSettings::default() },
            "raters.min_appraisals",
        ),
        (recs, "recommendations.below_target"),
    ];
    for (settings, field) in cases {
        assert_eq!(settings.validate().unwrap_err().field, field);
    }
    for ok in [-720, 0, 540, 840] {
        assert!(RuleSettings { utc_offset_minutes: ok, ..RuleSettings::default() }.validate().is_ok());
    }
}
