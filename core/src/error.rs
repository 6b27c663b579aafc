//! Validation errors: every constructor and validator in the core returns a
//! [`ValidationError`] naming the field and the reason, never a panic.
//!
//! `Display` is English (logs, API); [`ValidationError::user_message`] is the
//! Bahasa Indonesia text an app shows to a supervisor or a citizen.

use crate::rules::nip::NipError;

/// A value was refused. `field` is a path such as `targets[2].realisation`
/// or `scores.u3`, so an app can point at the exact input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    pub field: String,
    pub reason: Reason,
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Reason {
    #[error("must be between {min} and {max}, got {value}")]
    OutOfRange { value: String, min: String, max: String },
    #[error("unknown value {value:?}; expected one of: {expected}")]
    UnknownValue { value: String, expected: String },
    #[error("must not be negative, got {value}")]
    Negative { value: String },
    #[error("must be a finite number")]
    NotFinite,
    #[error("must not be empty")]
    Empty,
    #[error("is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("invalid NIP: {0}")]
    Nip(#[from] NipError),
    #[error("invalid date {value:?}: expected YYYY-MM-DD")]
    Date { value: String },
    #[error("{0}")]
    Rule(String),
    /// A rule in English (logs, API) and in Bahasa Indonesia (people).
    #[error("{en}")]
    Said { en: String, id: String },
    #[error("status cannot change from {from} to {to} ({why})")]
    Transition { from: &'static str, to: &'static str, why: String, why_id: String },
    #[error("may only be changed by {allowed}")]
    NotPermitted { allowed: String },
    #[error("cannot be changed once recorded")]
    Immutable,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, reason: Reason) -> Self {
        Self { field: field.into(), reason }
    }

    /// `value` must lie in `min..=max`.
    pub fn out_of_range(
        field: impl Into<String>,
        value: impl ToString,
        min: impl ToString,
        max: impl ToString,
    ) -> Self {
        Self::new(field, Reason::OutOfRange { value: value.to_string(), min: min.to_string(), max: max.to_string() })
    }

    pub fn unknown(field: impl Into<String>, value: impl Into<String>, expected: &[&str]) -> Self {
        Self::new(field, Reason::UnknownValue { value: value.into(), expected: expected.join(", ") })
    }

    pub fn rule(field: impl Into<String>, why: impl Into<String>) -> Self {
        Self::new(field, Reason::Rule(why.into()))
    }

    /// A rule worded in English for logs and in Bahasa Indonesia for people.
    pub fn said(field: impl Into<String>, en: impl Into<String>, id: impl Into<String>) -> Self {
        Self::new(field, Reason::Said { en: en.into(), id: id.into() })
    }

    /// Prefix the field path, e.g. `realisation` inside `targets[2]`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }

    /// The reason in Bahasa Indonesia, for people.
    pub fn user_message(&self) -> String {
        let f = &self.field;
        match &self.reason {
            Reason::OutOfRange { value, min, max } => {
                format!("Isian {f} harus antara {min} dan {max} (tertulis {value}).")
            }
            Reason::UnknownValue { value, expected } => {
                format!("Isian {f} tidak dikenal: \"{value}\". Pilihan: {expected}.")
            }
            Reason::Negative { value } => {
                format!("Isian {f} tidak boleh negatif (tertulis {value}).")
            }
            Reason::NotFinite => format!("Isian {f} harus berupa angka."),
            Reason::Empty => format!("Isian {f} wajib diisi."),
            Reason::TooLong { len, max } => {
                format!("Isian {f} terlalu panjang ({len} karakter, paling banyak {max}).")
            }
            Reason::Nip(e) => format!("NIP pada {f} tidak sah: {}.", e.user_message()),
            Reason::Date { value } => {
                format!("Tanggal pada {f} tidak sah: \"{value}\" (format TTTT-BB-HH).")
            }
            Reason::Rule(why) => format!("Isian {f} tidak memenuhi aturan: {why}."),
            Reason::Said { id, .. } => format!("Isian {f}: {id}."),
            Reason::Transition { from, to, why_id, .. } => {
                let label = |s: &'static str| crate::model::AppraisalStatus::parse(s).map_or(s, |st| st.label_id());
                format!("Status tidak dapat diubah dari {} ke {}: {why_id}.", label(from), label(to))
            }
            Reason::NotPermitted { allowed } => {
                format!("Isian {f} hanya boleh diubah oleh {allowed}.")
            }
            Reason::Immutable => format!("Data {f} tidak dapat diubah setelah tercatat."),
        }
    }
}
