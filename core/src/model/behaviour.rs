//! The seven BerAKHLAK core values rated in Perilaku Kerja (REFERENCE §1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BehaviourValue {
    BerorientasiPelayanan,
    Akuntabel,
    Kompeten,
    Harmonis,
    Loyal,
    Adaptif,
    Kolaboratif,
}

impl BehaviourValue {
    pub const ALL: [BehaviourValue; 7] = [
        Self::BerorientasiPelayanan,
        Self::Akuntabel,
        Self::Kompeten,
        Self::Harmonis,
        Self::Loyal,
        Self::Adaptif,
        Self::Kolaboratif,
    ];

    /// The key used in documents and in the benchmark workload format.
    pub fn key(&self) -> &'static str {
        match self {
            Self::BerorientasiPelayanan => "berorientasi_pelayanan",
            Self::Akuntabel => "akuntabel",
            Self::Kompeten => "kompeten",
            Self::Harmonis => "harmonis",
            Self::Loyal => "loyal",
            Self::Adaptif => "adaptif",
            Self::Kolaboratif => "kolaboratif",
        }
    }

    pub fn label_id(&self) -> &'static str {
        match self {
            Self::BerorientasiPelayanan => "Berorientasi Pelayanan",
            Self::Akuntabel => "Akuntabel",
            Self::Kompeten => "Kompeten",
            Self::Harmonis => "Harmonis",
            Self::Loyal => "Loyal",
            Self::Adaptif => "Adaptif",
            Self::Kolaboratif => "Kolaboratif",
        }
    }
}

impl fmt::Display for BehaviourValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for BehaviourValue {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.key() == s).ok_or_else(|| {
            let keys: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
            ValidationError::unknown("behaviour", s, &keys)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_values_are_refused() {
        for v in BehaviourValue::ALL {
            assert_eq!(v.key().parse::<BehaviourValue>().unwrap(), v);
        }
        let err = "jujur".parse::<BehaviourValue>().unwrap_err();
        assert_eq!(err.field, "behaviour");
        assert!(err.to_string().contains("kolaboratif"));
    }
}
