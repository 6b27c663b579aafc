//! Tests for [`super`]: order, unmapped values, placeholders and validation.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use BehaviourValue::*;
use Rating::{DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai};

fn rec(training: &str, reason: &str) -> Recommendation {
    Recommendation { training: training.to_string(), reason: reason.to_string() }
}

#[test]
fn values_then_targets_in_order() {
    let map = RecommendationMap::default();
    // Inserted out of order: the map orders values as BehaviourValue does.
    let behaviour =
        BTreeMap::from([(Kompeten, Bawah), (Loyal, Atas), (BerorientasiPelayanan, Bawah), (Harmonis, Sesuai)]);
    let targets = [
        ("Cakupan imunisasi", Some(Bawah)),
        ("Laporan bulanan", Some(Atas)),
        ("Rapat", None),
        ("SPJ tepat waktu", Some(Bawah)),
    ];
    assert_eq!(
        recommend(&map, &behaviour, &targets),
        [
            rec("Pelatihan pelayanan prima", "Perilaku Berorientasi Pelayanan di bawah ekspektasi"),
            rec("Pelatihan teknis sesuai bidang tugas", "Perilaku Kompeten di bawah ekspektasi"),
            rec("Pelatihan teknis: Cakupan imunisasi", "Target \"Cakupan imunisasi\" di bawah ekspektasi"),
            rec("Pelatihan teknis: SPJ tepat waktu", "Target \"SPJ tepat waktu\" di bawah ekspektasi"),
        ]
    );
}

#[test]
fn nothing_weak_nothing_recommended_and_unmapped_values_skipped() {
    let map = RecommendationMap::default();
    assert!(recommend(&map, &BTreeMap::new(), &[]).is_empty());
    let all_fine: BTreeMap<_, _> = BehaviourValue::ALL.into_iter().map(|v| (v, Sesuai)).collect();
    assert!(recommend(&map, &all_fine, &[("X", Some(Sesuai))]).is_empty());
    let all_weak: BTreeMap<_, _> = BehaviourValue::ALL.into_iter().map(|v| (v, Bawah)).collect();
    assert_eq!(recommend(&map, &all_weak, &[]).len(), 7);

    let custom: RecommendationMap = serde_json::from_str(
        r#"{"by_value": {"akuntabel": "Diklat antikorupsi"}, "below_target": "Bimtek {indicator} ({indicator})"}"#,
    )
    .unwrap();
    assert!(custom.validate().is_ok());
    assert_eq!(
        recommend(&custom, &all_weak, &[("SPM", Some(Bawah))]),
        [
            rec("Diklat antikorupsi", "Perilaku Akuntabel di bawah ekspektasi"),
            rec("Bimtek SPM (SPM)", "Target \"SPM\" di bawah ekspektasi")
        ]
    );
}

#[test]
fn defaults_and_validation() {
    let map = RecommendationMap::default();
    assert!(map.validate().is_ok());
    assert_eq!(map.by_value.len(), 7);
    assert_eq!(map.by_value[&Akuntabel], "Pelatihan integritas dan akuntabilitas");
    let partial: RecommendationMap = serde_json::from_str(r#"{"below_target": "Bimtek {indicator}"}"#).unwrap();
    assert_eq!(partial.by_value, map.by_value);
    let blank = RecommendationMap { below_target: " ".into(), ..RecommendationMap::default() };
    assert_eq!(blank.validate().unwrap_err().field, "recommendations.below_target");
    let mut empty_value = RecommendationMap::default();
    empty_value.by_value.insert(Loyal, String::new());
    assert_eq!(empty_value.validate().unwrap_err().field, "recommendations.by_value.loyal");
}
