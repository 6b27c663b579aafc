//! Tests for [`super`]: each rule of each unit rating, satisfied and broken.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use DistributionViolation::{NoneOf, TooFew, TooMany};
use Predikat::{Baik, ButuhPerbaikan, Kurang, SangatBaik, SangatKurang};

/// Counts in the order Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang.
fn c(sangat_baik: u32, baik: u32, butuh_perbaikan: u32, kurang: u32, sangat_kurang: u32) -> PredikatCounts {
    PredikatCounts { sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang }
}

fn too_many(p: &[Predikat], max_percent: u32, count: u64, total: u64) -> DistributionViolation {
    TooMany { predikats: p.to_vec(), max_percent, count, total }
}

fn too_few(p: &[Predikat], min_percent: u32, count: u64, total: u64) -> DistributionViolation {
    TooFew { predikats: p.to_vec(), min_percent, count, total }
}

#[test]
fn counts() {
    let counts: PredikatCounts = [SangatBaik, Baik, Baik, Kurang].into_iter().collect();
    assert_eq!(counts, c(1, 2, 0, 1, 0));
    assert_eq!(counts.total(), 4);
    assert_eq!(counts.count_of(&[Baik, Kurang, Baik]), 3);
}

#[test]
fn empty_unit_has_no_violations() {
    for unit in UnitRating::ALL {
        assert!(check_distribution(unit, &PredikatCounts::default()).is_empty(), "{unit:?}");
    }
}

#[test]
fn istimewa() {
    let u = UnitRating::Istimewa;
    assert!(check_distribution(u, &c(7, 3, 0, 0, 0)).is_empty());
    assert_eq!(check_distribution(u, &c(8, 2, 0, 0, 0)), [too_many(&[SangatBaik], 70, 8, 10)]);
}

#[test]
fn baik() {
    let u = UnitRating::Baik;
    assert!(check_distribution(u, &c(1, 7, 1, 1, 0)).is_empty());
    assert!(check_distribution(u, &c(3, 6, 0, 1, 0)).is_empty());
    assert!(check_distribution(u, &c(3, 6, 1, 0, 0)).is_empty());
    assert_eq!(check_distribution(u, &c(0, 8, 1, 1, 0)), [too_many(&[Baik], 70, 8, 10)]);
    let none = || NoneOf { predikats: vec![ButuhPerbaikan, Kurang] };
    assert_eq!(check_distribution(u, &c(3, 7, 0, 0, 0)), [none()]);
    assert_eq!(check_distribution(u, &c(0, 10, 0, 0, 0)), [too_many(&[Baik], 70, 10, 10), none()]);
}

#[test]
fn butuh_perbaikan() {
    let u = UnitRating::ButuhPerbaikan;
    assert!(check_distribution(u, &c(1, 3, 6, 0, 0)).is_empty());
    assert_eq!(check_distribution(u, &c(1, 4, 5, 0, 0)), [too_few(&[ButuhPerbaikan], 60, 5, 10)]);
    assert_eq!(check_distribution(u, &c(2, 2, 6, 0, 0)), [too_many(&[SangatBaik], 10, 2, 10)]);
    assert_eq!(
        check_distribution(u, &c(2, 3, 5, 0, 0)),
        [too_few(&[ButuhPerbaikan], 60, 5, 10), too_many(&[SangatBaik], 10, 2, 10)]
    );
}

#[test]
fn kurang() {
    let u = UnitRating::Kurang;
    assert!(check_distribution(u, &c(1, 2, 1, 6, 0)).is_empty());
    assert_eq!(check_distribution(u, &c(1, 3, 1, 5, 0)), [too_few(&[Kurang], 60, 5, 10)]);
    assert_eq!(check_distribution(u, &c(1, 3, 0, 6, 0)), [too_few(&[ButuhPerbaikan], 10, 0, 10)]);
    assert_eq!(check_distribution(u, &c(2, 1, 1, 6, 0)), [too_many(&[SangatBaik], 10, 2, 10)]);
    assert_eq!(
        check_distribution(u, &c(5, 5, 0, 0, 0)),
        [too_few(&[Kurang], 60, 0, 10), too_few(&[ButuhPerbaikan], 10, 0, 10), too_many(&[SangatBaik], 10, 5, 10)]
    );
}

#[test]
fn sangat_kurang() {
    let u = UnitRating::SangatKurang;
    assert!(check_distribution(u, &c(0, 3, 1, 0, 6)).is_empty());
    assert!(check_distribution(u, &c(0, 0, 0, 1, 9)).is_empty());
    assert_eq!(check_distribution(u, &c(0, 3, 1, 1, 5)), [too_few(&[SangatKurang], 60, 5, 10)]);
    assert_eq!(check_distribution(u, &c(0, 4, 0, 0, 6)), [too_few(&[Kurang, ButuhPerbaikan], 10, 0, 10)]);
    assert_eq!(check_distribution(u, &c(1, 2, 1, 0, 6)), [too_many(&[SangatBaik], 0, 1, 10)]);
    assert_eq!(check_distribution(u, &c(1, 0, 0, 0, 0)).len(), 3);
}

#[test]
fn small_units_round_in_favour_of_the_limit() {
    // 10% of 5 staff is half a person: a single Sangat Baik (20%) already breaks
    // "at most 10%", and a single Butuh Perbaikan meets "at least 10%".
    let u = UnitRating::ButuhPerbaikan;
    assert_eq!(check_distribution(u, &c(1, 0, 4, 0, 0)), [too_many(&[SangatBaik], 10, 1, 5)]);
    assert!(check_distribution(UnitRating::Kurang, &c(0, 0, 1, 4, 0)).is_empty());
}

#[test]
fn custom_curve_and_validation() {
    let mut curve = DistributionCurve::default();
    assert!(curve.validate().is_ok());
    curve.istimewa = vec![CurveRule::AtMost { predikats: vec![SangatBaik], percent: 50 }];
    assert_eq!(
        check_distribution_with(&curve, UnitRating::Istimewa, &c(6, 4, 0, 0, 0)),
        [too_many(&[SangatBaik], 50, 6, 10)]
    );
    let json = serde_json::to_string(&curve).unwrap();
    assert_eq!(serde_json::from_str::<DistributionCurve>(&json).unwrap(), curve);
    curve.kurang = vec![CurveRule::AtLeast { predikats: vec![Kurang], percent: 101 }];
    assert_eq!(curve.validate().unwrap_err().field, "distribution_curve.Kurang[0].percent");
    curve.kurang = vec![CurveRule::AtLeastOne { predikats: vec![] }];
    assert!(curve.validate().is_err());
}

#[test]
fn descriptions_in_bahasa() {
    assert_eq!(
        too_many(&[SangatBaik], 70, 8, 10).describe_id(),
        "Predikat Sangat Baik paling banyak 70% pegawai; saat ini 8 dari 10 pegawai (80%)."
    );
    assert_eq!(
        too_few(&[Kurang, ButuhPerbaikan], 10, 0, 3).describe_id(),
        "Predikat Kurang/Misconduct dan/atau Butuh Perbaikan paling sedikit 10% pegawai; saat ini 0 dari 3 pegawai (0%)."
    );
    assert_eq!(
        too_many(&[SangatBaik], 0, 2, 3).describe_id(),
        "Unit ini tidak boleh memberi predikat Sangat Baik; saat ini 2 dari 3 pegawai (66,7%)."
    );
    assert!(NoneOf { predikats: vec![ButuhPerbaikan] }.describe_id().starts_with("Harus ada pegawai"));
}
