use prestasi_core::ValidationError;
use prestasi_core::rules::nip::{Gender, Nip};

use crate::MobileError;

/// The parts of a valid NIP.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NipInfo {
    pub nip: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub tmt_year: i32,
    pub tmt_month: u32,
    pub female: bool,
    /// Human-readable warnings (Bahasa Indonesia), e.g. TMT before age 18.
    pub warnings: Vec<String>,
}

/// Check an NIP typed by a user.
#[uniffi::export]
pub fn validate_nip(nip: String) -> Result<NipInfo, MobileError> {
    let parsed = Nip::parse(&nip).map_err(|e| ValidationError::new("nip", e.into()))?;
    let (tmt_year, tmt_month) = parsed.tmt_cpns();
    Ok(NipInfo {
        nip: parsed.as_str().to_string(),
        birth_date: parsed.birth_date().to_string(),
        tmt_year,
        tmt_month,
        female: parsed.gender() == Gender::Female,
        warnings: parsed.warnings().iter().map(|w| w.describe_id()).collect(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn valid_and_invalid_nips() {
        let info = validate_nip("198802182010062056".into()).unwrap();
        assert_eq!(
            (info.birth_date.as_str(), info.tmt_year, info.tmt_month, info.female),
            ("1988-02-18", 2010, 6, true)
        );
        match validate_nip("198802302010062056".into()).unwrap_err() {
            MobileError::Invalid { field, message } => {
                assert_eq!(field, "nip");
                assert!(message.starts_with("NIP pada nip tidak sah"), "{message}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
