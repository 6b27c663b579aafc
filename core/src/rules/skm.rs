//! Survei Kepuasan Masyarakat (REFERENCE §2, PermenPANRB 14/2017).
//!
//! Citizens score nine [`Element`]s from 1 to 4. Per element, NRR = sum of
//! scores / respondents; IKM = Σ NRR × 1/9 (scale 1–4); unit IKM = IKM × 25
//! (scale 25–100), rounded to two decimals half up, and the **rounded** value is
//! classified into a [`Mutu`]. Unit IKM × 100 is therefore exactly
//! `round_half_up(2500 × Σ all scores / (9 × n))`, computed here in integers:
//! using 0.111 for 1/9 would move results across the 88.31 boundary.
//!
//! [`min_respondents`] is the Krejcie–Morgan sample size the result needs
//! before it may be reported as valid.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// The nine survey elements (unsur), in the reference's order U1–U9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Element {
    U1,
    U2,
    U3,
    U4,
    U5,
    U6,
    U7,
    U8,
    U9,
}

named_enum!(Element, "element", [U1, U2, U3, U4, U5, U6, U7, U8, U9]);

impl Element {
    /// Zero-based position, the index into [`Scores`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The element's name as printed on the questionnaire.
    pub const fn label_id(self) -> &'static str {
        match self {
            Element::U1 => "Persyaratan",
            Element::U2 => "Sistem, mekanisme dan prosedur",
            Element::U3 => "Waktu penyelesaian",
            Element::U4 => "Biaya/tarif",
            Element::U5 => "Produk spesifikasi jenis pelayanan",
            Element::U6 => "Kompetensi pelaksana",
            Element::U7 => "Perilaku pelaksana",
            Element::U8 => "Penanganan pengaduan, saran dan masukan",
            Element::U9 => "Sarana dan prasarana",
        }
    }
}

/// One respondent's nine scores, each 1–4 (validated on construction and on
/// deserialisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "[u8; 9]", into = "[u8; 9]")]
pub struct Scores([u8; 9]);

impl Scores {
    /// Refuses any score outside 1–4, naming the field as `scores.u3`.
    pub fn new(scores: [u8; 9]) -> Result<Scores, ValidationError> {
        for (element, &score) in Element::ALL.iter().zip(scores.iter()) {
            if !(1..=4).contains(&score) {
                let field = format!("scores.{}", element.name().to_lowercase());
                return Err(ValidationError::out_of_range(field, score, 1, 4));
            }
        }
        Ok(Scores(scores))
    }

    /// The score given to one element.
    pub fn get(&self, element: Element) -> u8 {
        self.0.get(element.index()).copied().unwrap_or_default()
    }

    /// All nine scores, U1 first.
    pub const fn as_array(&self) -> [u8; 9] {
        self.0
    }
}

impl TryFrom<[u8; 9]> for Scores {
    type Error = ValidationError;
    fn try_from(scores: [u8; 9]) -> Result<Self, Self::Error> {
        Scores::new(scores)
    }
}

impl From<Scores> for [u8; 9] {
    fn from(scores: Scores) -> Self {
        scores.0
    }
}

/// The IKM quality grade, from the rounded unit IKM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Mutu {
    A,
    B,
    C,
    D,
}

named_enum!(Mutu, "mutu", [A, B, C, D]);

impl Mutu {
    /// Classifies a unit IKM given in hundredths (8831 = 88.31):
    /// A ≥ 88.31, B ≥ 76.61, C ≥ 65.00, D below.
    pub const fn from_unit_ikm_hundredths(hundredths: u32) -> Mutu {
        match hundredths {
            8831.. => Mutu::A,
            7661.. => Mutu::B,
            6500.. => Mutu::C,
            _ => Mutu::D,
        }
    }

    /// The unit's performance ("kinerja unit pelayanan") for this grade.
    pub const fn kinerja_label(self) -> &'static str {
        match self {
            Mutu::A => "Sangat Baik",
            Mutu::B => "Baik",
            Mutu::C => "Kurang Baik",
            Mutu::D => "Tidak Baik",
        }
    }
}

/// Running totals of a survey: per-element sums and the respondent count.
/// Totals (not averages) are kept so that tallies merge exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkmTally {
    sums: [u64; 9],
    respondents: u64,
}

impl SkmTally {
    /// A tally from totals summed elsewhere (e.g. by a database over an
    /// index): per-element sums in U1…U9 order and the respondent count.
    pub const fn from_sums(sums: [u64; 9], respondents: u64) -> SkmTally {
        SkmTally { sums, respondents }
    }

    /// Adds one respondent.
    pub fn add(&mut self, scores: &Scores) {
        for (sum, &score) in self.sums.iter_mut().zip(scores.0.iter()) {
            *sum = sum.saturating_add(u64::from(score));
        }
        self.respondents = self.respondents.saturating_add(1);
    }

    /// Adds another tally (e.g. the same unit's responses from another device).
    pub fn merge(&mut self, other: &SkmTally) {
        for (sum, &theirs) in self.sums.iter_mut().zip(other.sums.iter()) {
            *sum = sum.saturating_add(theirs);
        }
        self.respondents = self.respondents.saturating_add(other.respondents);
    }

    pub const fn respondents(&self) -> u64 {
        self.respondents
    }

    /// Sum of all scores given to `element`.
    pub fn sum(&self, element: Element) -> u64 {
        self.sums.get(element.index()).copied().unwrap_or_default()
    }

    /// Nilai rata-rata per unsur; `None` before the first respondent.
    pub fn nrr(&self, element: Element) -> Option<f64> {
        (self.respondents > 0).then(|| self.sum(element) as f64 / self.respondents as f64)
    }

    /// Unit IKM × 100, exactly rounded half up (8831 means 88.31).
    pub fn unit_ikm_hundredths(&self) -> Option<u32> {
        if self.respondents == 0 {
            return None;
        }
        let total: u128 = self.sums.iter().map(|&s| u128::from(s)).sum();
        let denominator = 9 * u128::from(self.respondents);
        // round_half_up(2500·S / (9n)) = floor((5000·S + 9n) / (18n))
        let hundredths = (5000 * total + denominator) / (2 * denominator);
        u32::try_from(hundredths).ok()
    }

    /// Unit IKM on the 25–100 scale, rounded to two decimals.
    pub fn unit_ikm(&self) -> Option<f64> {
        self.unit_ikm_hundredths().map(|h| f64::from(h) / 100.0)
    }

    /// IKM on the 1–4 scale (Σ NRR / 9), unrounded; for display only.
    pub fn ikm(&self) -> Option<f64> {
        let total: u64 = self.sums.iter().sum();
        (self.respondents > 0).then(|| total as f64 / (9.0 * self.respondents as f64))
    }

    /// Grade of the rounded unit IKM.
    pub fn mutu(&self) -> Option<Mutu> {
        self.unit_ikm_hundredths().map(Mutu::from_unit_ikm_hundredths)
    }
}

impl<'a> FromIterator<&'a Scores> for SkmTally {
    fn from_iter<I: IntoIterator<Item = &'a Scores>>(iter: I) -> Self {
        let mut tally = SkmTally::default();
        iter.into_iter().for_each(|s| tally.add(s));
        tally
    }
}

impl FromIterator<Scores> for SkmTally {
    fn from_iter<I: IntoIterator<Item = Scores>>(iter: I) -> Self {
        let mut tally = SkmTally::default();
        iter.into_iter().for_each(|s| tally.add(&s));
        tally
    }
}

/// Krejcie–Morgan minimum sample for a population of `population` people
/// served in the period (λ² = 3.841, P = Q = 0.5, d = 0.05), rounded to the
/// nearest whole number as in the published table.
///
/// Multiplying the formula by 400 gives S = 3841·N / (10·(N − 1) + 3841),
/// evaluated here exactly. A population of 0 needs 0 respondents.
pub fn min_respondents(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let n = u128::from(population);
    let numerator = 3841 * n;
    let denominator = 10 * (n - 1) + 3841;
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    u64::try_from(rounded).unwrap_or(u64::MAX)
}

/// Whether a survey may be reported as valid: at least one respondent and at
/// least [`min_respondents`] of the population served.
pub fn is_valid_sample(respondents: u64, population: u64) -> bool {
    respondents > 0 && respondents >= min_respondents(population)
}

#[cfg(test)]
#[path = "skm_tests.rs"]
mod tests;
