//! Talent management 9-box (REFERENCE §4, PermenPANRB 3/2020).
//!
//! Performance (the last two years of appraisals) against potential (an
//! HR-entered assessment) places each employee in box 1–9, and each box has
//! follow-up [`Action`]s. Anyone with a moderate or heavy disciplinary
//! sanction in the last two years is excluded.
//!
//! The box table and actions are from the reference. How predikats become a
//! performance rating and how a potential score becomes a level are **local
//! choices** (the reference leaves the cut-offs to each agency), so they live
//! in [`TalentConfig`], whose defaults are documented there.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::predikat::{Predikat, Rating};
use crate::error::{Reason, ValidationError};

/// The potential axis of the 9-box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Potential {
    Rendah,
    Menengah,
    Tinggi,
}

named_enum!(Potential, "potential", [Rendah, Menengah, Tinggi]);

/// A disciplinary sanction (hukuman disiplin) imposed in the last two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Sanction {
    Ringan,
    Sedang,
    Berat,
}

named_enum!(Sanction, "sanction", [Ringan, Sedang, Berat]);

/// The box number (1–9) for a performance rating and potential level.
pub const fn nine_box(performance: Rating, potential: Potential) -> u8 {
    use Potential::{Menengah, Rendah, Tinggi};
    use Rating::{DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai};
    match (performance, potential) {
        (Atas, Rendah) => 4,
        (Atas, Menengah) => 7,
        (Atas, Tinggi) => 9,
        (Sesuai, Rendah) => 2,
        (Sesuai, Menengah) => 5,
        (Sesuai, Tinggi) => 8,
        (Bawah, Rendah) => 1,
        (Bawah, Menengah) => 3,
        (Bawah, Tinggi) => 6,
    }
}

/// Follow-up actions recommended per box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Action {
    Promote,
    Retain,
    SuccessionGroup,
    Award,
    Rotation,
    JobEnlargement,
    JobEnrichment,
    Coaching,
    Counselling,
    CompetencyDevelopment,
    StudyAssignment,
    AppropriatePlacement,
    HandledPerRegulation,
}

impl Action {
    /// The action as named to people.
    pub const fn label_id(self) -> &'static str {
        match self {
            Action::Promote => "Promosi",
            Action::Retain => "Dipertahankan",
            Action::SuccessionGroup => "Masuk Kelompok Rencana Suksesi",
            Action::Award => "Penghargaan",
            Action::Rotation => "Rotasi",
            Action::JobEnlargement => "Perluasan jabatan (job enlargement)",
            Action::JobEnrichment => "Pengayaan jabatan (job enrichment)",
            Action::Coaching => "Bimbingan kinerja (coaching)",
            Action::Counselling => "Konseling kinerja",
            Action::CompetencyDevelopment => "Pengembangan kompetensi",
            Action::StudyAssignment => "Tugas belajar",
            Action::AppropriatePlacement => "Penempatan yang sesuai",
            Action::HandledPerRegulation => "Diproses sesuai ketentuan peraturan perundang-undangan",
        }
    }
}

/// The recommended actions for a box, as listed in the reference.
/// "Rotation/job enlargement" (box 8) and "rotation/job enrichment" (box 7)
/// list both actions so HR can pick either.
pub fn box_actions(box_no: u8) -> Result<&'static [Action], ValidationError> {
    use Action::*;
    Ok(match box_no {
        9 => &[Promote, Retain, SuccessionGroup, Award],
        8 => &[Retain, SuccessionGroup, Rotation, JobEnlargement, Coaching],
        7 => &[Retain, SuccessionGroup, Rotation, JobEnrichment, CompetencyDevelopment, StudyAssignment],
        6 => &[AppropriatePlacement, Coaching, Counselling],
        5 => &[AppropriatePlacement, Coaching, CompetencyDevelopment],
        4 => &[Rotation, CompetencyDevelopment],
        3 => &[Coaching, Counselling, CompetencyDevelopment, AppropriatePlacement],
        2 => &[Coaching, CompetencyDevelopment, AppropriatePlacement],
        1 => &[HandledPerRegulation],
        other => return Err(ValidationError::out_of_range("box", other, 1, 9)),
    })
}

/// Local cut-offs for the two axes. **Local choice, not from the reference**:
/// defaults score predikats 5 (Sangat Baik) … 1 (Sangat Kurang); an average
/// ≥ 4.5 over the last two years is above expectations, ≥ 3.5 as expected,
/// lower is below; a 0–100 potential score < 60 is Rendah, < 80 Menengah,
/// otherwise Tinggi.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TalentConfig {
    pub score_sangat_baik: f64,
    pub score_baik: f64,
    pub score_butuh_perbaikan: f64,
    pub score_kurang: f64,
    pub score_sangat_kurang: f64,
    /// Minimum average score for `DiAtasEkspektasi`.
    pub di_atas_min_average: f64,
    /// Minimum average score for `SesuaiEkspektasi`.
    pub sesuai_min_average: f64,
    /// Minimum potential score for `Menengah`.
    pub menengah_min_potential: f64,
    /// Minimum potential score for `Tinggi`.
    pub tinggi_min_potential: f64,
}

impl Default for TalentConfig {
    fn default() -> Self {
        TalentConfig {
            score_sangat_baik: 5.0,
            score_baik: 4.0,
            score_butuh_perbaikan: 3.0,
            score_kurang: 2.0,
            score_sangat_kurang: 1.0,
            di_atas_min_average: 4.5,
            sesuai_min_average: 3.5,
            menengah_min_potential: 60.0,
            tinggi_min_potential: 80.0,
        }
    }
}

impl TalentConfig {
    /// The configured score of a predikat.
    pub const fn score(&self, predikat: Predikat) -> f64 {
        match predikat {
            Predikat::SangatBaik => self.score_sangat_baik,
            Predikat::Baik => self.score_baik,
            Predikat::ButuhPerbaikan => self.score_butuh_perbaikan,
            Predikat::Kurang => self.score_kurang,
            Predikat::SangatKurang => self.score_sangat_kurang,
        }
    }
}

/// Why someone is left out of the 9-box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExclusionReason {
    /// A moderate or heavy disciplinary sanction in the last two years.
    DisciplinarySanction(Sanction),
    /// No appraisal in the last two years, so no performance axis.
    NoAppraisals,
}

impl ExclusionReason {
    /// The reason in Bahasa Indonesia.
    pub fn describe_id(&self) -> String {
        match self {
            ExclusionReason::DisciplinarySanction(s) => {
                format!("Mendapat hukuman disiplin tingkat {} dalam 2 tahun terakhir.", s.name().to_lowercase())
            }
            ExclusionReason::NoAppraisals => "Belum ada penilaian kinerja dalam 2 tahun terakhir.".to_string(),
        }
    }
}

/// The outcome of placing one employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    Box { number: u8, performance: Rating, potential: Potential },
    Excluded(ExclusionReason),
}

/// Performance axis from the predikats of the last two years: the average
/// configured score against the cut-offs. `None` without any appraisal.
pub fn performance_axis(cfg: &TalentConfig, predikats_last_two_years: &[Predikat]) -> Option<Rating> {
    if predikats_last_two_years.is_empty() {
        return None;
    }
    let sum: f64 = predikats_last_two_years.iter().map(|&p| cfg.score(p)).sum();
    let average = sum / predikats_last_two_years.len() as f64;
    Some(if average >= cfg.di_atas_min_average {
        Rating::DiAtasEkspektasi
    } else if average >= cfg.sesuai_min_average {
        Rating::SesuaiEkspektasi
    } else {
        Rating::DiBawahEkspektasi
    })
}

/// Potential level from the HR-entered 0–100 score.
pub fn potential_axis(cfg: &TalentConfig, score: f64) -> Result<Potential, ValidationError> {
    if !score.is_finite() {
        return Err(ValidationError::new("potential_score", Reason::NotFinite));
    }
    if !(0.0..=100.0).contains(&score) {
        return Err(ValidationError::out_of_range("potential_score", score, 0, 100));
    }
    Ok(if score >= cfg.tinggi_min_potential {
        Potential::Tinggi
    } else if score >= cfg.menengah_min_potential {
        Potential::Menengah
    } else {
        Potential::Rendah
    })
}

/// Places one employee. An invalid potential score is an error whatever
/// else applies; then a moderate/heavy sanction excludes, then a missing
/// appraisal history excludes. A light sanction does not exclude.
pub fn place(
    cfg: &TalentConfig,
    predikats_last_two_years: &[Predikat],
    potential_score: f64,
    sanction: Option<Sanction>,
) -> Result<Placement, ValidationError> {
    let potential = potential_axis(cfg, potential_score)?;
    if let Some(s @ (Sanction::Sedang | Sanction::Berat)) = sanction {
        return Ok(Placement::Excluded(ExclusionReason::DisciplinarySanction(s)));
    }
    let Some(performance) = performance_axis(cfg, predikats_last_two_years) else {
        return Ok(Placement::Excluded(ExclusionReason::NoAppraisals));
    };
    Ok(Placement::Box { number: nine_box(performance, potential), performance, potential })
}

#[cfg(test)]
#[path = "talent_tests.rs"]
mod tests;
