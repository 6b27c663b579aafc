//! Tests for [`super`]: z-scores worked out by hand, the edge cases that give
//! no z, and the sign of z against the means.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::*;
use Predikat::{Baik, ButuhPerbaikan, Kurang, SangatBaik, SangatKurang};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn scores() {
    assert_eq!(Predikat::ALL.map(predikat_score), [5.0, 4.0, 3.0, 2.0, 1.0]);
    assert_eq!(RaterFlag::Lenient.label_id(), "Terlalu longgar");
    assert_eq!(RaterFlag::Severe.label_id(), "Terlalu ketat");
    assert_eq!("Severe".parse::<RaterFlag>().unwrap(), RaterFlag::Severe);
}

#[test]
fn lenient_and_severe_at_the_threshold() {
    // Norm: 4 × Sangat Baik (5) and 4 × Butuh Perbaikan (3): mean 4, every
    // deviation ±1, so sd = 1. A rater with the four 5s: mean 5, n = 4,
    // z = (5 − 4) / (1 / √4) = 2.0 → exactly the threshold → Lenient.
    let cfg = RaterConfig { min_appraisals: 4, ..RaterConfig::default() };
    let high = [SangatBaik; 4];
    let low = [ButuhPerbaikan; 4];
    let norm: Vec<_> = high.iter().chain(&low).copied().collect();
    let s = rater_stats(&cfg, &high, &norm).unwrap();
    assert_eq!((s.appraisals, s.mean, s.norm_appraisals, s.norm_mean, s.norm_sd), (4, 5.0, 8, 4.0, 1.0));
    assert_eq!((s.z, s.flag), (Some(2.0), Some(RaterFlag::Lenient)));
    let s = rater_stats(&cfg, &low, &norm).unwrap();
    assert_eq!((s.z, s.flag), (Some(-2.0), Some(RaterFlag::Severe)));
    // Just inside the threshold: no flag.
    let cfg = RaterConfig { z_threshold: 2.01, ..cfg };
    assert_eq!(rater_stats(&cfg, &high, &norm).unwrap().flag, None);
}

#[test]
fn uneven_norm() {
    // Norm scores 5,5,5,4,4,4,4,3,3,2: Σ = 39, mean 3.9; squared deviations
    // 3·1.21 + 4·0.01 + 2·0.81 + 3.61 = 8.9, variance 0.89, sd = 0.943398…
    // Rater 5,5,5,4,4: mean 4.6, z = 0.7 · √5 / 0.943398 = 1.565248 / 0.943398 = 1.659159…
    let rater = [SangatBaik, SangatBaik, SangatBaik, Baik, Baik];
    let norm = [SangatBaik, SangatBaik, SangatBaik, Baik, Baik, Baik, Baik, ButuhPerbaikan, ButuhPerbaikan, Kurang];
    let s = rater_stats(&RaterConfig::default(), &rater, &norm).unwrap();
    assert!(close(s.mean, 4.6) && close(s.norm_mean, 3.9));
    assert!(close(s.norm_sd, 0.89f64.sqrt()));
    assert!((s.z.unwrap() - 1.659159).abs() < 1e-6, "{:?}", s.z);
    assert_eq!(s.flag, None);
    let cfg = RaterConfig { z_threshold: 1.5, ..RaterConfig::default() };
    assert_eq!(rater_stats(&cfg, &rater, &norm).unwrap().flag, Some(RaterFlag::Lenient));
}

#[test]
fn no_z_without_enough_appraisals_or_spread() {
    let cfg = RaterConfig::default();
    assert_eq!(rater_stats(&cfg, &[], &[Baik]), None);
    assert_eq!(rater_stats(&cfg, &[Baik], &[]), None);
    // 4 < 5 appraisals: statistics but no z.
    let s =
        rater_stats(&cfg, &[SangatKurang; 4], &[SangatKurang, SangatKurang, SangatKurang, SangatKurang, SangatBaik])
            .unwrap();
    assert_eq!((s.appraisals, s.z, s.flag), (4, None, None));
    assert!(close(s.norm_mean, 1.8));
    // Everybody Baik: sd 0, no z.
    let s = rater_stats(&cfg, &[Baik; 6], &[Baik; 30]).unwrap();
    assert_eq!((s.norm_sd, s.z, s.flag), (0.0, None, None));
}

#[test]
fn validate_and_partial_config() {
    assert!(RaterConfig::default().validate().is_ok());
    let bad = [
        RaterConfig { min_appraisals: 0, ..RaterConfig::default() },
        RaterConfig { z_threshold: 0.0, ..RaterConfig::default() },
        RaterConfig { z_threshold: -1.0, ..RaterConfig::default() },
        RaterConfig { z_threshold: f64::NAN, ..RaterConfig::default() },
    ];
    for cfg in bad {
        assert!(cfg.validate().unwrap_err().field.starts_with("raters."), "{cfg:?}");
    }
    let partial: RaterConfig = serde_json::from_str(r#"{"z_threshold": 2.5}"#).unwrap();
    assert_eq!(partial, RaterConfig { min_appraisals: 5, z_threshold: 2.5 });
}

fn predikats() -> impl Strategy<Value = Vec<Predikat>> {
    prop::collection::vec(prop::sample::select(Predikat::ALL.to_vec()), 0..40)
}

proptest! {
    /// z has the sign of mean − norm_mean, the flag agrees with z, and a
    /// rater who is the whole norm sits exactly on it.
    #[test]
    fn z_follows_the_means(rater in predikats(), others in predikats()) {
        let cfg = RaterConfig { min_appraisals: 1, ..RaterConfig::default() };
        let norm: Vec<_> = rater.iter().chain(&others).copied().collect();
        match rater_stats(&cfg, &rater, &norm) {
            None => prop_assert!(rater.is_empty()),
            Some(s) => {
                prop_assert!(s.norm_sd >= 0.0 && s.norm_sd <= 2.0);
                if let Some(z) = s.z {
                    prop_assert!(z.is_finite());
                    prop_assert_eq!(z > 0.0, s.mean > s.norm_mean);
                    prop_assert_eq!(s.flag == Some(RaterFlag::Lenient), z >= cfg.z_threshold);
                    prop_assert_eq!(s.flag == Some(RaterFlag::Severe), z <= -cfg.z_threshold);
                } else {
                    prop_assert_eq!(s.norm_sd, 0.0);
                }
                if others.is_empty() {
                    prop_assert_eq!(s.flag, None);
                }
            }
        }
    }
}
