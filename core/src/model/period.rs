//! Appraisal periods. Agencies appraise monthly, quarterly, per semester or
//! yearly (REFERENCE §1), so a period is a value — a code and its dates — not
//! a fixed enum. [`Period::parse`] understands the usual codes; any other
//! scheme can be built with [`Period::custom`].

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// Stable code stored in documents, e.g. `2026-Q3`.
    pub code: String,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
}

pub const MAX_CODE_LEN: usize = 32;

impl Period {
    /// `YYYY` (year), `YYYY-S1|S2` (semester), `YYYY-Q1..Q4` (quarter), `YYYY-MM` (month).
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::said(
                "period",
                format!("{code:?} is not YYYY, YYYY-Sn, YYYY-Qn or YYYY-MM"),
                format!("\"{code}\" bukan kode periode (TTTT, TTTT-Sn, TTTT-Qn atau TTTT-BB)"),
            )
        };
        let (year, rest) = match code.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (code, None),
        };
        if year.len() != 4 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let (first_month, months) = match rest {
            None => (1, 12),
            Some(r) => {
                if let Some(s) = r.strip_prefix('S') {
                    match s {
                        "1" => (1, 6),
                        "2" => (7, 6),
                        _ => return Err(bad()),
                    }
                } else if let Some(q) = r.strip_prefix('Q') {
                    match q.parse::<u32>() {
                        Ok(q @ 1..=4) => ((q - 1) * 3 + 1, 3),
                        _ => return Err(bad()),
                    }
                } else if r.len() == 2 {
                    match r.parse::<u32>() {
                        Ok(m @ 1..=12) => (m, 1),
                        _ => return Err(bad()),
                    }
                } else {
                    return Err(bad());
                }
            }
        };
        let start = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
        let end = start.checked_add_months(chrono::Months::new(months)).and_then(|d| d.pred_opt()).ok_or_else(bad)?;
        Ok(Self { code: code.to_string(), start, end })
    }

    /// A period with its own code and dates (e.g. an agency's custom cycle).
    pub fn custom(code: &str, start: NaiveDate, end: NaiveDate) -> Result<Self, ValidationError> {
        validate_code(code)?;
        if end < start {
            return Err(ValidationError::said("period.end", "ends before it starts", "berakhir sebelum dimulai"));
        }
        Ok(Self { code: code.to_string(), start, end })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    pub fn year(&self) -> i32 {
        self.end.year()
    }
}

/// A period code as stored in documents: non-empty, short, no slashes
/// (codes are used inside derived ids).
pub fn validate_code(code: &str) -> Result<(), ValidationError> {
    if code.trim().is_empty() {
        return Err(ValidationError::new("period", crate::error::Reason::Empty));
    }
    if code.len() > MAX_CODE_LEN {
        return Err(ValidationError::new(
            "period",
            crate::error::Reason::TooLong { len: code.len(), max: MAX_CODE_LEN },
        ));
    }
    if code.contains('/') {
        return Err(ValidationError::said("period", "must not contain '/'", "tidak boleh memuat '/'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_the_usual_codes() {
        assert_eq!(Period::parse("2026").unwrap().end, d(2026, 12, 31));
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!((q3.start, q3.end), (d(2026, 7, 1), d(2026, 9, 30)));
        let s1 = Period::parse("2026-S1").unwrap();
        assert_eq!((s1.start, s1.end), (d(2026, 1, 1), d(2026, 6, 30)));
        let feb = Period::parse("2024-02").unwrap();
        assert_eq!(feb.end, d(2024, 2, 29));
        assert!(q3.contains(d(2026, 8, 17)));
        assert!(!q3.contains(d(2026, 10, 1)));
    }

    #[test]
    fn refuses_bad_codes() {
        for bad in ["", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-S3", "2026-X1", "abcd", "2026-Qx", "2026-"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert!(Period::custom("a/b", d(2026, 1, 1), d(2026, 2, 1)).is_err());
        assert!(Period::custom("x", d(2026, 2, 1), d(2026, 1, 1)).is_err());
        assert!(Period::custom("2026-T1", d(2026, 1, 1), d(2026, 4, 30)).is_ok());
    }
}
