//! Dates and times inside documents, stored as ISO 8601 strings so that any
//! automerge implementation (JavaScript, Swift) reads them without our code.
//!
//! Timestamps written here come from the device clock, which in the field is
//! often wrong: reports that need a trustworthy time use the server's receipt
//! time instead (see ARCHITECTURE.md, "Time").

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::error::{Reason, ValidationError};

/// Parse `YYYY-MM-DD`.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, ValidationError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ValidationError::new(field, Reason::Date { value: s.to_string() }))
}

/// Parse an RFC 3339 timestamp (`2026-09-23T20:32:53.000Z`).
pub fn parse_timestamp(field: &str, s: &str) -> Result<DateTime<Utc>, ValidationError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ValidationError::new(field, Reason::Date { value: s.to_string() }))
}

pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// autosurgeon adaptor: `NaiveDate` as `"YYYY-MM-DD"`.
pub mod date {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
    use chrono::NaiveDate;

    pub fn reconcile<R: Reconciler>(d: &NaiveDate, mut r: R) -> Result<(), R::Error> {
        r.str(d.format("%Y-%m-%d").to_string())
    }

    pub fn hydrate<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<NaiveDate, HydrateError> {
        let s = String::hydrate(doc, obj, prop)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| HydrateError::unexpected("a YYYY-MM-DD date", s))
    }
}

/// autosurgeon adaptor: `DateTime<Utc>` as an RFC 3339 string.
pub mod timestamp {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
    use chrono::{DateTime, Utc};

    pub fn reconcile<R: Reconciler>(t: &DateTime<Utc>, mut r: R) -> Result<(), R::Error> {
        r.str(super::format_timestamp(t))
    }

    pub fn hydrate<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<DateTime<Utc>, HydrateError> {
        let s = String::hydrate(doc, obj, prop)?;
        super::parse_timestamp("", &s).map_err(|_| HydrateError::unexpected("an RFC 3339 timestamp", s))
    }
}
