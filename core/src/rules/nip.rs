//! NIP, the 18-digit civil-servant number (REFERENCE §6).
//!
//! Layout: birth date `YYYYMMDD` (positions 1–8) + TMT CPNS `YYYYMM` (9–14) +
//! gender digit (15: 1 male, 2 female) + sequence (16–18). [`Nip::parse`]
//! checks the structure (real calendar dates, gender 1/2) and refuses anything
//! else; a CPNS start before the 18th birthday is unusual but not impossible
//! in old records, so it is a [`NipWarning`], not an error.
//!
//! A [`Nip`] therefore always holds a valid number: it serialises as its
//! digits and re-validates when deserialised or hydrated from a document.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Sex encoded in the NIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Gender {
    Male,
    Female,
}

/// Why a string is not a NIP. `Display` is English; see [`NipError::user_message`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("a NIP has 18 digits, got {len}")]
    WrongLength { len: usize },
    #[error("a NIP contains only digits")]
    NotDigits,
    #[error("birth date {value} (positions 1-8) is not a real date")]
    InvalidBirthDate { value: String },
    #[error("TMT CPNS {value} (positions 9-14) is not a valid year and month")]
    InvalidTmt { value: String },
    #[error("gender digit (position 15) must be 1 or 2, got {digit}")]
    InvalidGender { digit: char },
}

impl NipError {
    /// The problem in Bahasa Indonesia, for people.
    pub fn user_message(&self) -> String {
        match self {
            NipError::WrongLength { len } => format!("NIP harus 18 angka, tertulis {len}"),
            NipError::NotDigits => "NIP hanya boleh berisi angka".to_string(),
            NipError::InvalidBirthDate { value } => {
                format!("tanggal lahir {value} (angka ke-1 s.d. 8) bukan tanggal yang sah")
            }
            NipError::InvalidTmt { value } => {
                format!("TMT CPNS {value} (angka ke-9 s.d. 14) bukan tahun dan bulan yang sah")
            }
            NipError::InvalidGender { digit } => {
                format!("kode jenis kelamin (angka ke-15) harus 1 atau 2, tertulis {digit}")
            }
        }
    }
}

/// Something odd but possible about a valid NIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NipWarning {
    /// TMT CPNS falls before the holder's 18th birthday.
    TmtBeforeAge18 { birth_date: NaiveDate, tmt_year: i32, tmt_month: u32 },
}

impl NipWarning {
    /// The warning in Bahasa Indonesia.
    pub fn describe_id(&self) -> String {
        match self {
            NipWarning::TmtBeforeAge18 { birth_date, tmt_year, tmt_month } => format!(
                "TMT CPNS {tmt_month:02}/{tmt_year} sebelum pemilik berusia 18 tahun (lahir {}); periksa kembali NIP.",
                birth_date.format("%d-%m-%Y")
            ),
        }
    }
}

/// A structurally valid NIP. Components are decoded once, at parse time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nip {
    digits: String,
    birth_date: NaiveDate,
    tmt_year: i32,
    tmt_month: u32,
    gender: Gender,
    sequence: u16,
}

impl Nip {
    /// Parses a NIP, ignoring surrounding whitespace only (a NIP written with
    /// inner spaces, "19930708 201903 1 090", is refused as not digits).
    pub fn parse(input: &str) -> Result<Nip, NipError> {
        let digits = input.trim();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NipError::NotDigits);
        }
        if digits.len() != 18 {
            return Err(NipError::WrongLength { len: digits.len() });
        }
        // All ASCII digits from here, so byte ranges are char boundaries.
        let part = |from: usize, to: usize| digits.get(from..to).unwrap_or_default();
        let number = |from: usize, to: usize| part(from, to).parse::<u32>().unwrap_or_default();

        let birth_date = i32::try_from(number(0, 4))
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, number(4, 6), number(6, 8)))
            .ok_or_else(|| NipError::InvalidBirthDate { value: part(0, 8).to_string() })?;
        let tmt_year = i32::try_from(number(8, 12)).unwrap_or_default();
        let tmt_month = number(12, 14);
        if !(1..=12).contains(&tmt_month) {
            return Err(NipError::InvalidTmt { value: part(8, 14).to_string() });
        }
        let gender = match part(14, 15) {
            "1" => Gender::Male,
            "2" => Gender::Female,
            other => {
                return Err(NipError::InvalidGender { digit: other.chars().next().unwrap_or('?') });
            }
        };
        let sequence = u16::try_from(number(15, 18)).unwrap_or_default();
        Ok(Nip { digits: digits.to_string(), birth_date, tmt_year, tmt_month, gender, sequence })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    pub const fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// TMT CPNS as (year, month).
    pub const fn tmt_cpns(&self) -> (i32, u32) {
        (self.tmt_year, self.tmt_month)
    }

    pub const fn gender(&self) -> Gender {
        self.gender
    }

    pub const fn sequence(&self) -> u16 {
        self.sequence
    }

    /// Plausibility warnings; empty for an ordinary NIP.
    pub fn warnings(&self) -> Vec<NipWarning> {
        let adult = self.birth_date.checked_add_months(Months::new(18 * 12));
        let tmt = NaiveDate::from_ymd_opt(self.tmt_year, self.tmt_month, 1);
        match (adult, tmt) {
            (Some(adult), Some(tmt)) if tmt < adult => vec![NipWarning::TmtBeforeAge18 {
                birth_date: self.birth_date,
                tmt_year: self.tmt_year,
                tmt_month: self.tmt_month,
            }],
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl FromStr for Nip {
    type Err = NipError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nip::parse(s)
    }
}

impl Serialize for Nip {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits)
    }
}

impl<'de> Deserialize<'de> for Nip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Cow::<str>::deserialize(deserializer)?;
        Nip::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl Reconcile for Nip {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(&self.digits)
    }
}

impl Hydrate for Nip {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Nip::parse(s).map_err(|e| HydrateError::unexpected("a valid 18-digit NIP", format!("{s:?} ({e})")))
    }
}

#[cfg(test)]
#[path = "nip_tests.rs"]
mod tests;
