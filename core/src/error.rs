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
    /// The document's data does not have the shape its schema gives
    /// (`core/src/doc/schema`): wrong automerge type, unknown enum spelling,
    /// a field missing.
    #[error("expected {}, found {}", expected.en(), found.en())]
    Shape { expected: Shape, found: Shape },
}

/// What a document field holds, or must hold, in automerge terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The key is not there.
    Absent,
    Null,
    /// A scalar string (not a Text object).
    Str,
    /// A collaborative Text object.
    Text,
    F64,
    Int,
    Uint,
    Bool,
    Map,
    List,
    /// Another automerge scalar (timestamp, counter, bytes).
    OtherScalar(String),
    /// One of these spellings.
    OneOf(String),
    /// A scalar string in this format.
    Format(Format),
    /// The value that was found, quoted.
    Value(String),
    /// An unsigned integer between these bounds.
    UintIn {
        min: u64,
        max: u64,
    },
    /// A map key among these spellings.
    Key(String),
    /// `null` or the shape inside.
    Nullable(Box<Shape>),
}

/// Formats of scalar strings inside documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    /// 18 digits with a valid birth date, TMT, sex and serial (REFERENCE §4).
    Nip,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 with a time zone, e.g. `2026-09-23T20:32:53.000Z`.
    Timestamp,
    /// A period code such as `2026-Q3`: 1–32 bytes, no `/`.
    PeriodCode,
}

impl Shape {
    pub fn en(&self) -> String {
        match self {
            Self::Absent => "no value (the key is missing)".into(),
            Self::Null => "null".into(),
            Self::Str => "a scalar string".into(),
            Self::Text => "a Text object".into(),
            Self::F64 => "an f64".into(),
            Self::Int => "an int".into(),
            Self::Uint => "a uint".into(),
            Self::Bool => "a boolean".into(),
            Self::Map => "a map".into(),
            Self::List => "a list".into(),
            Self::OtherScalar(s) => format!("a {s}"),
            Self::OneOf(s) => format!("one of {s}"),
            Self::Format(f) => format!("a scalar string: {}", f.en()),
            Self::Value(v) => format!("{v:?}"),
            Self::UintIn { min, max } => format!("a uint from {min} to {max}"),
            Self::Key(s) => format!("a key among {s}"),
            Self::Nullable(s) => format!("null or {}", s.en()),
        }
    }

    /// In Bahasa Indonesia, for people.
    pub fn id(&self) -> String {
        match self {
            Self::Absent => "tidak ada (kunci tidak ditemukan)".into(),
            Self::Null => "kosong (null)".into(),
            Self::Str => "teks (string skalar)".into(),
            Self::Text => "teks kolaboratif (objek Text)".into(),
            Self::F64 => "angka desimal (f64)".into(),
            Self::Int => "bilangan bulat (int)".into(),
            Self::Uint => "bilangan cacah (uint)".into(),
            Self::Bool => "benar/salah (boolean)".into(),
            Self::Map => "peta (map)".into(),
            Self::List => "daftar (list)".into(),
            Self::OtherScalar(s) => format!("nilai {s}"),
            Self::OneOf(s) => format!("salah satu dari {s}"),
            Self::Format(f) => format!("teks (string skalar) {}", f.id()),
            Self::Value(v) => format!("\"{v}\""),
            Self::UintIn { min, max } => format!("bilangan cacah (uint) {min}–{max}"),
            Self::Key(s) => format!("kunci salah satu dari {s}"),
            Self::Nullable(s) => format!("kosong (null) atau {}", s.id()),
        }
    }
}

impl Format {
    pub fn en(&self) -> &'static str {
        match self {
            Self::Plain => "any text",
            Self::Nip => "an 18-digit NIP",
            Self::Date => "a YYYY-MM-DD date",
            Self::Timestamp => "an RFC 3339 timestamp",
            Self::PeriodCode => "a period code (1-32 bytes, no '/')",
        }
    }

    pub fn id(&self) -> &'static str {
        match self {
            Self::Plain => "bebas",
            Self::Nip => "berupa NIP 18 digit yang sah",
            Self::Date => "berupa tanggal TTTT-BB-HH",
            Self::Timestamp => "berupa waktu RFC 3339",
            Self::PeriodCode => "berupa kode periode (1–32 byte, tanpa '/')",
        }
    }
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
            Reason::Shape { expected, found } => format!("{f}: {}, diterima {}.", expected.id(), found.id()),
        }
    }
}
