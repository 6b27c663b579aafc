//! Competency development (REFERENCE §3): training records and mentoring.

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::org::{max_len, non_empty};
use crate::error::{Reason, ValidationError};
use crate::model::time::date;
use crate::rules::development::{DevelopmentForm, jp_from_minutes};
use crate::rules::nip::Nip;

/// One completed competency-development activity of one employee.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Training {
    pub employee_nip: Nip,
    pub form: DevelopmentForm,
    pub title: String,
    pub provider: String,
    #[autosurgeon(with = "date")]
    pub start: NaiveDate,
    #[autosurgeon(with = "date")]
    pub end: NaiveDate,
    /// Duration in minutes (exact; 1 JP = 45 minutes).
    pub minutes: u32,
    /// The HR training programme this attendance belongs to, if any.
    pub programme_id: Option<String>,
}

/// At most a year of full days, to catch typing errors.
pub const MAX_MINUTES: u32 = 366 * 24 * 60;

/// At most one day per mentoring session.
pub const MAX_SESSION_MINUTES: u32 = 24 * 60;

impl Training {
    /// Hours as written on a certificate → exact minutes.
    pub fn minutes_from_hours(hours: f64) -> Result<u32, ValidationError> {
        if !hours.is_finite() {
            return Err(ValidationError::new("hours", Reason::NotFinite));
        }
        if hours < 0.0 {
            return Err(ValidationError::new("hours", Reason::Negative { value: hours.to_string() }));
        }
        let minutes = (hours * 60.0).round();
        if minutes > f64::from(MAX_MINUTES) {
            return Err(ValidationError::out_of_range("hours", hours, 0, MAX_MINUTES / 60));
        }
        Ok(minutes as u32)
    }

    pub fn jp(&self) -> f64 {
        jp_from_minutes(self.minutes)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("title", &self.title, 300)?;
        max_len("provider", &self.provider, 300)?;
        if self.end < self.start {
            return Err(ValidationError::said("end", "ends before it starts", "berakhir sebelum dimulai"));
        }
        if self.minutes == 0 || self.minutes > MAX_MINUTES {
            return Err(ValidationError::out_of_range("minutes", self.minutes, 1, MAX_MINUTES));
        }
        Ok(())
    }
}

/// A senior mentor paired with a junior mentee.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Mentoring {
    pub mentor_nip: Nip,
    pub mentee_nip: Nip,
    pub unit_id: String,
    #[autosurgeon(with = "date")]
    pub start: NaiveDate,
    pub active: bool,
    pub sessions: Vec<MentoringSession>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct MentoringSession {
    #[key]
    pub id: String,
    #[autosurgeon(with = "date")]
    pub date: NaiveDate,
    pub minutes: u32,
    pub topic: String,
    pub notes: String,
}

impl Mentoring {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.mentor_nip == self.mentee_nip {
            return Err(ValidationError::said(
                "mentee_nip",
                "mentor and mentee must be different people",
                "mentor dan mentee harus orang yang berbeda",
            ));
        }
        non_empty("unit_id", &self.unit_id, 64)?;
        for (i, s) in self.sessions.iter().enumerate() {
            let at = format!("sessions[{i}]");
            non_empty("topic", &s.topic, 300).map_err(|e| e.within(&at))?;
            max_len("notes", &s.notes, 4000).map_err(|e| e.within(&at))?;
            if s.minutes == 0 || s.minutes > MAX_SESSION_MINUTES {
                return Err(ValidationError::out_of_range("minutes", s.minutes, 1, MAX_SESSION_MINUTES).within(&at));
            }
        }
        Ok(())
    }
}
