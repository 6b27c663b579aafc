//! Lenient and severe appraisers, measured against the agency norm.
//!
//! The distribution curve (REFERENCE §1) limits a unit's predikats, but within
//! it one appraiser may still rate everyone high and another everyone low.
//! This module flags such appraisers so the reviewing official (Atasan Pejabat
//! Penilai) or central HR can look closer. A flag is a prompt to review, never
//! a verdict: the appraiser may simply lead a strong or a weak team.
//!
//! The statistic: each predikat scores [`predikat_score`] (Sangat Baik 5 …
//! Sangat Kurang 1). The norm is every appraisal of the agency in the period,
//! the appraiser's own included. With `n` appraisals by the appraiser,
//!
//! ```text
//! z = (mean − norm_mean) / (norm_sd / √n)
//! ```
//!
//! where `norm_sd` is the population standard deviation of the norm: how far
//! the appraiser's mean lies from the norm mean, in standard errors of a mean
//! of `n` appraisals drawn from the norm. `z` is `None` when `n` is below
//! [`RaterConfig::min_appraisals`] (too few to say anything) or when the norm
//! has no spread at all. `z ≥ threshold` flags [`RaterFlag::Lenient`],
//! `z ≤ −threshold` [`RaterFlag::Severe`]. Means and the variance are computed
//! from integer sums, so "no spread" is detected exactly.
//!
//! The thresholds are local choices ([`RaterConfig`], defaults documented
//! there), not from the reference.

use serde::{Deserialize, Serialize};

use super::predikat::Predikat;
use crate::error::{Reason, ValidationError};

/// When an appraiser is judged. `Default`: at least 5 appraisals, and a flag
/// at |z| ≥ 2.0 (about the 2.3% tail on each side for a normal norm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RaterConfig {
    /// Fewest appraisals by one appraiser for a z-score (at least 1).
    pub min_appraisals: u32,
    /// |z| at or beyond which the appraiser is flagged (finite, > 0).
    pub z_threshold: f64,
}

impl Default for RaterConfig {
    fn default() -> Self {
        RaterConfig { min_appraisals: 5, z_threshold: 2.0 }
    }
}

impl RaterConfig {
    /// Refuses `min_appraisals` 0 and a threshold that is not a positive
    /// finite number.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.min_appraisals == 0 {
            return Err(ValidationError::out_of_range("raters.min_appraisals", 0, 1, u32::MAX));
        }
        if !self.z_threshold.is_finite() {
            return Err(ValidationError::new("raters.z_threshold", Reason::NotFinite));
        }
        if self.z_threshold <= 0.0 {
            return Err(ValidationError::said("raters.z_threshold", "must be greater than 0", "harus lebih dari 0"));
        }
        Ok(())
    }
}

/// The score of a predikat for this statistic: 5.0 Sangat Baik … 1.0 Sangat Kurang.
pub const fn predikat_score(p: Predikat) -> f64 {
    (6 - p.rank()) as f64
}

/// An appraiser whose ratings stand out from the agency norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaterFlag {
    /// Rates markedly higher than the norm.
    Lenient,
    /// Rates markedly lower than the norm.
    Severe,
}

named_enum!(RaterFlag, "rater_flag", [Lenient, Severe]);

impl RaterFlag {
    /// The flag as shown to people.
    pub const fn label_id(self) -> &'static str {
        match self {
            RaterFlag::Lenient => "Terlalu longgar",
            RaterFlag::Severe => "Terlalu ketat",
        }
    }
}

/// One appraiser against the norm (see the module docs for the statistic).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterStats {
    pub appraisals: u32,
    pub mean: f64,
    pub norm_appraisals: u32,
    pub norm_mean: f64,
    pub norm_sd: f64,
    pub z: Option<f64>,
    pub flag: Option<RaterFlag>,
}

/// Integer score (1–5) sum and sum of squares, and the count.
fn sums(predikats: &[Predikat]) -> (u128, u128, u128) {
    predikats.iter().fold((0, 0, 0), |(n, s, q), &p| {
        let x = u128::from(6 - p.rank());
        (n + 1, s + x, q + x * x)
    })
}

/// The appraiser's statistics; `None` when `rater` or `norm` is empty.
pub fn rater_stats(cfg: &RaterConfig, rater: &[Predikat], norm: &[Predikat]) -> Option<RaterStats> {
    if rater.is_empty() || norm.is_empty() {
        return None;
    }
    let (n, sum, _) = sums(rater);
    let (big_n, norm_sum, norm_squares) = sums(norm);
    let mean = sum as f64 / n as f64;
    let norm_mean = norm_sum as f64 / big_n as f64;
    // Population variance = (N·Σx² − (Σx)²) / N², exact in integers up to the division.
    let spread = (big_n * norm_squares).saturating_sub(norm_sum * norm_sum);
    let norm_sd = (spread as f64).sqrt() / big_n as f64;
    let appraisals = u32::try_from(n).unwrap_or(u32::MAX);
    let z = (appraisals >= cfg.min_appraisals && spread > 0).then(|| (mean - norm_mean) * (n as f64).sqrt() / norm_sd);
    let flag = z.and_then(|z| {
        if z >= cfg.z_threshold {
            Some(RaterFlag::Lenient)
        } else if z <= -cfg.z_threshold {
            Some(RaterFlag::Severe)
        } else {
            None
        }
    });
    Some(RaterStats {
        appraisals,
        mean,
        norm_appraisals: u32::try_from(big_n).unwrap_or(u32::MAX),
        norm_mean,
        norm_sd,
        z,
        flag,
    })
}

#[cfg(test)]
#[path = "calibration_tests.rs"]
mod tests;
