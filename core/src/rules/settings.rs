//! Everything a tenant (a regency's BKPSDM) configures, in one value.
//!
//! The server stores [`RuleSettings`] as JSON per tenant and hands it to the
//! rules. Every part has `#[serde(default)]` down to its leaves, so a stored
//! document only needs the values that differ from the documented defaults
//! (`{"allowance": {"baik": 90}}` is a complete setting), and a field added in
//! a later version reads its default from older documents.
//!
//! `utc_offset_minutes` is the tenant's local time zone, used to cut periods
//! and years into local days: 420 (WIB, the default), 480 (WITA) or 540 (WIT,
//! e.g. Papua Barat).

use serde::{Deserialize, Serialize};

use super::allowance::AllowanceTable;
use super::calibration::RaterConfig;
use super::credit::CreditTable;
use super::distribution::DistributionCurve;
use super::promotion::PromotionRules;
use super::recognition::RecognitionConfig;
use super::recommend::RecommendationMap;
use super::talent::TalentConfig;
use crate::error::ValidationError;

/// Western Indonesian Time (WIB, UTC+7) in minutes.
pub const WIB_OFFSET_MINUTES: i32 = 420;

/// The rule configuration of one tenant. `Default`: each part's documented
/// default and WIB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleSettings {
    pub allowance: AllowanceTable,
    pub talent: TalentConfig,
    pub promotion: PromotionRules,
    pub curve: DistributionCurve,
    pub credit: CreditTable,
    pub raters: RaterConfig,
    pub recommendations: RecommendationMap,
    pub recognition: RecognitionConfig,
    /// Local time zone as minutes east of UTC (WIB 420, WITA 480, WIT 540).
    pub utc_offset_minutes: i32,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            allowance: AllowanceTable::default(),
            talent: TalentConfig::default(),
            promotion: PromotionRules::default(),
            curve: DistributionCurve::default(),
            credit: CreditTable::default(),
            raters: RaterConfig::default(),
            recommendations: RecommendationMap::default(),
            recognition: RecognitionConfig::default(),
            utc_offset_minutes: WIB_OFFSET_MINUTES,
        }
    }
}

impl RuleSettings {
    /// Checks every part that has a validator (allowance, curve, raters,
    /// recommendations) and that the UTC offset lies within the offsets in
    /// use worldwide (−12:00 … +14:00). Field paths start at the settings
    /// key, e.g. `curve.baik[0].percent`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.allowance.validate()?;
        self.curve.validate().map_err(|mut e| {
            e.field = e.field.replacen("distribution_curve", "curve", 1);
            e
        })?;
        self.raters.validate()?;
        self.recommendations.validate()?;
        if !(-720..=840).contains(&self.utc_offset_minutes) {
            return Err(ValidationError::out_of_range("utc_offset_minutes", self.utc_offset_minutes, -720, 840));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
