//! The document schema: every field of every kind, its automerge type,
//! its limits and who may write it — the contract another implementation
//! (automerge-js, automerge-swift) builds documents against.
//!
//! It lives here once. [`check`] walks a document against it and explains,
//! with a field path, why the document cannot be read as its kind (the server
//! refuses such a push as `invalid`); [`markdown`] renders the tables of
//! docs/PROTOCOL.md, and a test fails when the two drift apart.
//!
//! ```
//! use automerge::{AutoCommit, transaction::Transactable};
//! use prestasi_core::doc::{DocKind, schema};
//!
//! // A plain JavaScript string becomes a Text object, not a scalar string:
//! let mut am = AutoCommit::new();
//! am.put(automerge::ROOT, "_kind", "unit").unwrap();
//! am.put_object(automerge::ROOT, "id", automerge::ObjType::Text).unwrap();
//! let refused = schema::check(&am, DocKind::Unit).unwrap_err();
//! assert_eq!(refused.field, "id");
//! assert!(refused.user_message().contains("diterima teks kolaboratif"));
//! ```
//!
//! Limits (lengths, ranges) are enforced by each record's `validate()`;
//! [`Limit`] documents them with the same constants, and the tests check
//! that a value just over each documented limit is refused at that path.

mod check;
mod kinds;
mod markdown;

pub use check::check;
pub use kinds::of;
pub use markdown::markdown;

use crate::doc::DocKind;
pub use crate::error::Format;

/// The schema of one document kind.
#[derive(Debug, Clone)]
pub struct KindSchema {
    pub kind: DocKind,
    /// Who may create and change documents of this kind.
    pub writers: &'static str,
    /// How the document id is chosen.
    pub id_rule: &'static str,
    /// The root's fields besides `_kind` and `_schema`.
    pub fields: Vec<Field>,
}

/// One field of a map (the document root, a list item or a nested map).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub limit: Limit,
    /// Who may write it, where that differs from the kind's writers.
    pub writers: &'static str,
}

/// A field's automerge type.
#[derive(Debug, Clone)]
pub enum Ty {
    /// A scalar string (`ScalarValue::Str`; never a Text object).
    Str(Format),
    F64,
    /// A scalar unsigned integer within these bounds (the Rust type's).
    Uint {
        min: u64,
        max: u64,
    },
    Bool,
    /// A scalar string, one of these spellings.
    Enum(Vec<String>),
    /// The value, or an explicit scalar `null`. The key is always present.
    Nullable(Box<Ty>),
    /// A map whose keys are taken from `keys`, each holding `value`.
    Map {
        keys: Keys,
        value: Box<Ty>,
    },
    /// A list of maps, each with these fields (items carry a stable `id`).
    List(Vec<Field>),
    /// A scalar string from `units`, or a map with a single key from
    /// `tagged` holding that variant's value (autosurgeon's enum shape).
    Variant {
        units: Vec<String>,
        tagged: Vec<(String, Ty)>,
    },
}

/// The keys a map may hold.
#[derive(Debug, Clone)]
pub enum Keys {
    /// Any subset of these.
    AnyOf(Vec<String>),
    /// Exactly these, all present.
    All(Vec<String>),
}

/// A value limit enforced by the record's `validate()`.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    None,
    /// Characters (Unicode scalar values); `min` 1 means not blank.
    Chars {
        min: usize,
        max: usize,
    },
    /// An inclusive range of numbers.
    Range {
        min: f64,
        max: f64,
    },
    /// Finite and not negative.
    NonNegative,
    /// At most this many list items.
    Items {
        max: usize,
    },
}

impl Field {
    pub(crate) fn new(name: &'static str, ty: Ty) -> Self {
        Self { name, ty, limit: Limit::None, writers: "" }
    }

    pub(crate) fn limit(mut self, limit: Limit) -> Self {
        self.limit = limit;
        self
    }

    pub(crate) fn writers(mut self, writers: &'static str) -> Self {
        self.writers = writers;
        self
    }
}

impl Ty {
    pub(crate) fn nullable(self) -> Self {
        Self::Nullable(Box::new(self))
    }
}

/// Every kind's schema, in [`DocKind::ALL`] order.
pub fn all() -> Vec<KindSchema> {
    DocKind::ALL.into_iter().map(of).collect()
}
