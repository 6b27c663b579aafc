//! Training recommended from weak behaviour values or SKP targets.
//!
//! The follow-up of an appraisal includes development (REFERENCE §1 cycle,
//! §3). Each BerAKHLAK value rated below expectations points to a training
//! that builds that value, and each SKP target rated below expectations to a
//! technical training on its indicator. Which training fits is a **local
//! choice** (each regency has its own catalogue), so the mapping is data
//! ([`RecommendationMap`]); its `Default` names one generic training per value.
//!
//! A recommendation is a suggestion for the appraiser and HR, with its reason
//! visible; nothing is booked automatically.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::predikat::Rating;
use crate::error::{Reason, ValidationError};
use crate::model::behaviour::BehaviourValue;

/// The placeholder in [`RecommendationMap::below_target`] replaced by the
/// target's indicator.
pub const INDICATOR_PLACEHOLDER: &str = "{indicator}";

/// Which training to recommend. A value missing from `by_value` gives no
/// recommendation (a configured `by_value` replaces the default map whole).
///
/// `Default` (**local default**): Berorientasi Pelayanan → "Pelatihan
/// pelayanan prima", Akuntabel → "Pelatihan integritas dan akuntabilitas",
/// Kompeten → "Pelatihan teknis sesuai bidang tugas", Harmonis → "Pelatihan
/// komunikasi dan kerja sama tim", Loyal → "Pelatihan wawasan kebangsaan dan
/// nilai dasar ASN", Adaptif → "Pelatihan manajemen perubahan dan inovasi",
/// Kolaboratif → "Pelatihan kolaborasi dan jejaring kerja"; `below_target`
/// "Pelatihan teknis: {indicator}".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecommendationMap {
    pub by_value: BTreeMap<BehaviourValue, String>,
    /// Training for a target below expectations; `{indicator}` is replaced.
    pub below_target: String,
}

impl Default for RecommendationMap {
    fn default() -> Self {
        use BehaviourValue::*;
        let by_value = [
            (BerorientasiPelayanan, "Pelatihan pelayanan prima"),
            (Akuntabel, "Pelatihan integritas dan akuntabilitas"),
            (Kompeten, "Pelatihan teknis sesuai bidang tugas"),
            (Harmonis, "Pelatihan komunikasi dan kerja sama tim"),
            (Loyal, "Pelatihan wawasan kebangsaan dan nilai dasar ASN"),
            (Adaptif, "Pelatihan manajemen perubahan dan inovasi"),
            (Kolaboratif, "Pelatihan kolaborasi dan jejaring kerja"),
        ]
        .into_iter()
        .map(|(v, t)| (v, t.to_string()))
        .collect();
        RecommendationMap { by_value, below_target: format!("Pelatihan teknis: {INDICATOR_PLACEHOLDER}") }
    }
}

impl RecommendationMap {
    /// Refuses an empty (or blank) training name.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (value, training) in &self.by_value {
            if training.trim().is_empty() {
                return Err(ValidationError::new(format!("recommendations.by_value.{}", value.key()), Reason::Empty));
            }
        }
        if self.below_target.trim().is_empty() {
            return Err(ValidationError::new("recommendations.below_target", Reason::Empty));
        }
        Ok(())
    }
}

/// One suggested training and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub training: String,
    pub reason: String,
}

/// Recommendations for every mapped value rated below expectations (in
/// [`BehaviourValue`] order), then for every target `(indicator, rating)`
/// rated below expectations (in input order). Unrated targets give nothing.
pub fn recommend(
    map: &RecommendationMap,
    behaviour: &BTreeMap<BehaviourValue, Rating>,
    targets: &[(&str, Option<Rating>)],
) -> Vec<Recommendation> {
    let values = behaviour.iter().filter(|&(_, &r)| r == Rating::DiBawahEkspektasi).filter_map(|(value, _)| {
        map.by_value.get(value).map(|training| Recommendation {
            training: training.clone(),
            reason: format!("Perilaku {} di bawah ekspektasi", value.label_id()),
        })
    });
    let below =
        targets.iter().filter(|(_, r)| *r == Some(Rating::DiBawahEkspektasi)).map(|(indicator, _)| Recommendation {
            training: map.below_target.replace(INDICATOR_PLACEHOLDER, indicator),
            reason: format!("Target \"{indicator}\" di bawah ekspektasi"),
        });
    values.chain(below).collect()
}

#[cfg(test)]
#[path = "recommend_tests.rs"]
mod tests;
