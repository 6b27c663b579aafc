//! Tests for [`super`]: every box, every box's actions, the default axes
//! and exclusion.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use Action::*;
use Predikat::{Baik, ButuhPerbaikan, Kurang, SangatBaik, SangatKurang};
use Rating::{DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai};

#[test]
fn nine_box_table() {
    let table = [(Atas, [4, 7, 9]), (Sesuai, [2, 5, 8]), (Bawah, [1, 3, 6])];
    for (performance, boxes) in table {
        for (potential, want) in Potential::ALL.into_iter().zip(boxes) {
            assert_eq!(nine_box(performance, potential), want, "{performance:?} × {potential:?}");
        }
    }
}

#[test]
fn actions_for_every_box() {
    let expected: [(u8, &[Action]); 9] = [
        (9, &[Promote, Retain, SuccessionGroup, Award]),
        (8, &[Retain, SuccessionGroup, Rotation, JobEnlargement, Coaching]),
        (7, &[Retain, SuccessionGroup, Rotation, JobEnrichment, CompetencyDevelopment, StudyAssignment]),
        (6, &[AppropriatePlacement, Coaching, Counselling]),
        (5, &[AppropriatePlacement, Coaching, CompetencyDevelopment]),
        (4, &[Rotation, CompetencyDevelopment]),
        (3, &[Coaching, Counselling, CompetencyDevelopment, AppropriatePlacement]),
        (2, &[Coaching, CompetencyDevelopment, AppropriatePlacement]),
        (1, &[HandledPerRegulation]),
    ];
    for (n, actions) in expected {
        assert_eq!(box_actions(n).unwrap(), actions, "box {n}");
        for a in actions {
            assert!(!a.label_id().is_empty());
        }
    }
    assert!(box_actions(0).is_err());
    assert!(box_actions(10).is_err());
    assert_eq!(SuccessionGroup.label_id(), "Masuk Kelompok Rencana Suksesi");
}

#[test]
fn performance_axis_defaults() {
    let cfg = TalentConfig::default();
    assert_eq!(performance_axis(&cfg, &[]), None);
    assert_eq!(performance_axis(&cfg, &[SangatBaik, SangatBaik]), Some(Atas));
    assert_eq!(performance_axis(&cfg, &[SangatBaik, Baik]), Some(Atas)); // 4.5
    assert_eq!(performance_axis(&cfg, &[Baik, Baik]), Some(Sesuai));
    assert_eq!(performance_axis(&cfg, &[Baik, ButuhPerbaikan]), Some(Sesuai)); // 3.5
    assert_eq!(performance_axis(&cfg, &[ButuhPerbaikan, ButuhPerbaikan]), Some(Bawah));
    assert_eq!(performance_axis(&cfg, &[SangatBaik, Kurang]), Some(Sesuai)); // 3.5
    assert_eq!(performance_axis(&cfg, &[Baik, Kurang]), Some(Bawah)); // 3.0
    assert_eq!(performance_axis(&cfg, &[SangatKurang]), Some(Bawah));
}

#[test]
fn performance_axis_uses_configured_scores() {
    let cfg = TalentConfig { score_kurang: 0.0, sesuai_min_average: 3.0, ..TalentConfig::default() };
    assert_eq!(performance_axis(&cfg, &[SangatBaik, Kurang]), Some(Bawah));
    assert_eq!(performance_axis(&cfg, &[Baik, SangatKurang, SangatBaik]), Some(Sesuai));
    let json = serde_json::to_string(&TalentConfig::default()).unwrap();
    assert_eq!(serde_json::from_str::<TalentConfig>(&json).unwrap(), TalentConfig::default());
    let partial: TalentConfig = serde_json::from_str(r#"{"tinggi_min_potential": 90}"#).unwrap();
    assert_eq!(partial.tinggi_min_potential, 90.0);
    assert_eq!(partial.menengah_min_potential, 60.0);
}

#[test]
fn potential_axis_defaults_and_errors() {
    let cfg = TalentConfig::default();
    assert_eq!(potential_axis(&cfg, 0.0).unwrap(), Potential::Rendah);
    assert_eq!(potential_axis(&cfg, 59.99).unwrap(), Potential::Rendah);
    assert_eq!(potential_axis(&cfg, 60.0).unwrap(), Potential::Menengah);
    assert_eq!(potential_axis(&cfg, 79.99).unwrap(), Potential::Menengah);
    assert_eq!(potential_axis(&cfg, 80.0).unwrap(), Potential::Tinggi);
    assert_eq!(potential_axis(&cfg, 100.0).unwrap(), Potential::Tinggi);
    assert!(potential_axis(&cfg, -0.5).is_err());
    assert!(potential_axis(&cfg, 100.5).is_err());
    let nan = potential_axis(&cfg, f64::NAN).unwrap_err();
    assert_eq!(nan.reason, Reason::NotFinite);
    assert!(potential_axis(&cfg, f64::INFINITY).is_err());
}

#[test]
fn placement_and_exclusion() {
    let cfg = TalentConfig::default();
    let top = [SangatBaik, SangatBaik];
    assert_eq!(
        place(&cfg, &top, 85.0, None).unwrap(),
        Placement::Box { number: 9, performance: Atas, potential: Potential::Tinggi }
    );
    assert_eq!(
        place(&cfg, &top, 85.0, Some(Sanction::Ringan)).unwrap(),
        Placement::Box { number: 9, performance: Atas, potential: Potential::Tinggi }
    );
    for s in [Sanction::Sedang, Sanction::Berat] {
        let excluded = place(&cfg, &top, 85.0, Some(s)).unwrap();
        assert_eq!(excluded, Placement::Excluded(ExclusionReason::DisciplinarySanction(s)));
    }
    assert_eq!(place(&cfg, &[], 85.0, None).unwrap(), Placement::Excluded(ExclusionReason::NoAppraisals));
    assert_eq!(
        place(&cfg, &[ButuhPerbaikan], 10.0, None).unwrap(),
        Placement::Box { number: 1, performance: Bawah, potential: Potential::Rendah }
    );
    assert!(place(&cfg, &top, 150.0, None).is_err());
    let text = ExclusionReason::DisciplinarySanction(Sanction::Berat).describe_id();
    assert!(text.contains("hukuman disiplin tingkat berat"), "{text}");
    assert!(ExclusionReason::NoAppraisals.describe_id().contains("penilaian kinerja"));
}
